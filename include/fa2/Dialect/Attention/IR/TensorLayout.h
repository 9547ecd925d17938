//===- TensorLayout.h - where an element of Q, K, V, O lives ----*- C++ -*-===//
//
// The layouts of fa2.attention's Q, K, V and O in one place. Every consumer
// names an element by its logical dims (batch, head, seq, feature); the
// layout says in which order they lie in memory (bhsd: batch, head, seq,
// feature; bshd: batch, seq, head, feature) and hence each dim's element
// stride in a dense buffer: the product of the extents of the dims inside
// it. The CPU lowering indexes memrefs in memory order, the host code and
// the manifest spell the strides (as i64 values, as expressions over the
// manifest's dim names). fa2-run's reference keeps its own copy on purpose.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_DIALECT_ATTENTION_IR_TENSORLAYOUT_H
#define FA2_DIALECT_ATTENTION_IR_TENSORLAYOUT_H

#include "fa2/Dialect/Attention/IR/AttentionOps.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <array>

namespace fa2 {

/// The logical dims of a Q/K/V/O tensor (all batch dims folded into one).
enum class TensorDim { Batch, Head, Seq, Feature };

/// The dims of `layout` from outermost to innermost in memory.
std::array<TensorDim, 4> memoryOrder(Layout layout);

/// The dims whose extents multiply to `dim`'s element stride in a dense
/// buffer of `layout` (those inside it), outermost first; empty for the
/// innermost (stride 1).
llvm::SmallVector<TensorDim, 3> strideFactors(Layout layout, TensorDim dim);

/// `dim`'s element stride with the extents and the product of the caller's
/// kind (i64 IR values, manifest expressions, integers): `one` when no dim
/// is inside, else the factors' extents multiplied outermost first.
template <typename T>
T stride(Layout layout, TensorDim dim, llvm::function_ref<T(TensorDim)> extent,
         llvm::function_ref<T(T, T)> multiply, T one) {
  llvm::SmallVector<TensorDim, 3> factors = strideFactors(layout, dim);
  if (factors.empty())
    return one;
  T product = extent(factors.front());
  for (TensorDim factor : llvm::drop_begin(factors))
    product = multiply(product, extent(factor));
  return product;
}

} // namespace fa2

#endif // FA2_DIALECT_ATTENTION_IR_TENSORLAYOUT_H
