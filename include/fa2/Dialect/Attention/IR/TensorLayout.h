//===- TensorLayout.h - where an element of Q, K, V, O lives ----*- C++ -*-===//
//
// The layouts of fa2.attention's Q, K, V and O in one place. Every consumer
// names an element by its logical dims (batch, head, seq, feature); the
// layout says in which order they lie in memory (bhsd: batch, head, seq,
// feature; bshd: batch, seq, head, feature) and hence each dim's element
// stride in a dense buffer: the product of the extents of the dims inside
// it. The CPU lowering indexes memrefs in memory order, the host code and
// the manifest spell the strides (as i64 values, as expressions over the
// manifest's dim names), the mma.sync kernel builds its row starts and row
// strides (offset, stride over index values). fa2-run's reference keeps its
// own copy on purpose.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_DIALECT_ATTENTION_IR_TENSORLAYOUT_H
#define FA2_DIALECT_ATTENTION_IR_TENSORLAYOUT_H

#include "fa2/Dialect/Attention/IR/AttentionOps.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/ErrorHandling.h"

#include <array>
#include <optional>

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


/// One element of a Q/K/V/O tensor by its logical indices, each of the
/// caller's kind (T() where the caller's arithmetic reads it as 0: a null
/// IR value, the integer 0). `batchHead`, when set, is batch·heads + head as
/// the caller already holds it (a CTA's grid row): where the layout puts
/// batch and head next to each other, outermost (bhsd), the offset starts
/// from it instead of rebuilding it from `batch` and `head`.
template <typename T>
struct TensorIndex {
  T batch{}, head{}, seq{}, feature{};
  std::optional<T> batchHead;

  T operator[](TensorDim dim) const {
    switch (dim) {
    case TensorDim::Batch:
      return batch;
    case TensorDim::Head:
      return head;
    case TensorDim::Seq:
      return seq;
    case TensorDim::Feature:
      return feature;
    }
    llvm_unreachable("every TensorDim is handled");
  }
};

/// The element offset of `at` in a dense buffer of `layout` whose dims have
/// the extents `extent` (the outermost's is never asked for): Horner's rule
/// over the dims in memory order, ((i0·e1 + i1)·e2 + i2)·e3 + i3, with the
/// caller's `add` and `multiply` (host integers, index IR values; an
/// adaptor whose `add` skips a zero index keeps a row start's IR free of
/// `+ 0`).
template <typename T>
T offset(Layout layout, const TensorIndex<T> &at,
         llvm::function_ref<T(TensorDim)> extent,
         llvm::function_ref<T(T, T)> add,
         llvm::function_ref<T(T, T)> multiply) {
  std::array<TensorDim, 4> order = memoryOrder(layout);
  size_t next = 1;
  T acc = at[order[0]];
  if (at.batchHead && order[0] == TensorDim::Batch &&
      order[1] == TensorDim::Head) {
    acc = *at.batchHead;
    next = 2;
  }
  for (; next < order.size(); ++next)
    acc = add(multiply(acc, extent(order[next])), at[order[next]]);
  return acc;
}

} // namespace fa2

#endif // FA2_DIALECT_ATTENTION_IR_TENSORLAYOUT_H
