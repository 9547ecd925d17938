//===- SplitOperands.h - f32 operands as bf16 pieces for mma.sync -*- C++ -*-===//
//
// The building blocks of the kernel's f32 precision policy (F32Precision in
// Schedule.h): an f32 value split into bf16 pieces whose sum is the value up
// to the policy's precision, and which piece products a product of two split
// operands takes. The kernel emitter stages Q, K and V into shared memory as
// these pieces and multiplies them with its ordinary bf16 mma.sync.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_SPLITOPERANDS_H
#define FA2_CONVERSION_ATTENTIONTOGPU_SPLITOPERANDS_H

#include "fa2/Conversion/AttentionToGPU/Schedule.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <utility>

namespace fa2 {

/// Splits `x` (f32, or a vector of f32) into `pieces` bf16 values (or
/// vectors) p0, p1, ...: p0 = bf16(x), p1 = bf16(x - p0), p2 = bf16(x - p0 -
/// p1), each rounded to nearest even, each remainder exact in f32. Three
/// pieces carry 3·8 = 24 significant bits: x up to its last bit, except
/// where a remainder falls below bf16's normal range (|x| < 2^-110).
llvm::SmallVector<mlir::Value> splitToBF16(mlir::OpBuilder &b,
                                           mlir::Location loc, mlir::Value x,
                                           int64_t pieces);

/// The piece products (i, j) of a·b with both operands split into `pieces`:
/// every pair with i + j < pieces, smallest first, so that the small terms
/// meet in the accumulator before the large one arrives. One piece: (0, 0);
/// three: the six products of order up to 2 (the dropped ones are below
/// 2^-24 relative).
llvm::ArrayRef<std::pair<int, int>> pieceProducts(int64_t pieces);

/// What `precision` does and why it was taken, for the remark on each
/// lowered f32 op and the manifest's `f32_precision.reason`.
std::string f32PrecisionReason(F32Precision precision);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_SPLITOPERANDS_H
