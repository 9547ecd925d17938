//===- TensorLayout.cpp - where an element of Q, K, V, O lives ------------===//
#include "fa2/Dialect/Attention/IR/TensorLayout.h"

#include "llvm/ADT/STLExtras.h"

using namespace fa2;

std::array<TensorDim, 4> fa2::memoryOrder(Layout layout) {
  if (layout == Layout::BSHD)
    return {TensorDim::Batch, TensorDim::Seq, TensorDim::Head,
            TensorDim::Feature};
  return {TensorDim::Batch, TensorDim::Head, TensorDim::Seq,
          TensorDim::Feature};
}

llvm::SmallVector<TensorDim, 3> fa2::strideFactors(Layout layout,
                                                   TensorDim dim) {
  std::array<TensorDim, 4> order = memoryOrder(layout);
  auto *at = llvm::find(order, dim);
  return llvm::SmallVector<TensorDim, 3>(std::next(at), order.end());
}
