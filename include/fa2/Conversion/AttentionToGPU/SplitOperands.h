//===- SplitOperands.h - f32 operands as 16-bit pieces for mma.sync -*- C++ -*-===//
//
// The building blocks of the kernel's f32 precision policy (F32Precision in
// Schedule.h): an f32 value split into 16-bit pieces whose sum is the value
// up to the policy's precision, the power-of-two group scales that keep the
// pieces of the accurate mode inside f16's range, and which piece products a
// product of two split operands takes. The kernel emitter stages Q, K and V
// into shared memory as these pieces and multiplies them with its ordinary
// 16-bit mma.sync.
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

/// The 16-bit type of the pieces under `precision`: f16 for accurate (two
/// pieces of a scaled operand: 2 x 11 significant bits), bf16 for fast (one
/// piece, f32's exponent range, no scaling).
mlir::Type pieceElementType(mlir::MLIRContext *ctx, F32Precision precision);

/// Splits `x` (f32, or a vector of f32) into `pieces` values (or vectors) of
/// `pieceTy` (f16 or bf16): p0 = round(x), p1 = round(x - p0), each rounded
/// to nearest even, each remainder exact in f32. Two f16 pieces of an x in
/// [2^-3, 2^15) carry 22 significant bits (|x - p0 - p1| <= 2^-22 |x|); below
/// 2^-3 the second piece meets f16's subnormals and the error is at most
/// 2^-25 absolute. One bf16 piece is bf16(x).
llvm::SmallVector<mlir::Value> splitToPieces(mlir::OpBuilder &b,
                                             mlir::Location loc, mlir::Value x,
                                             int64_t pieces,
                                             mlir::Type pieceTy);

/// The power-of-two factors of a group of f32 values whose largest |x| has
/// the bit pattern `maxAbsBits` (an i32: |x| as an integer orders like |x|,
/// NaN above inf). `scale` (f32) puts the group's largest |x| into
/// [2^14, 2^15), where its two f16 pieces hold 22 bits and no product of two
/// such pieces (< 2^30), nor a sum of 2^7 of them, leaves f32's range;
/// `inverse` is 1/scale times 2^-`extraShift` (another power of two folded
/// into the same multiply). Both are exact powers of two, built from the
/// exponent bits: a group of zeros or of tiny values is scaled by at most
/// 2^111 (its pieces stay normal f16 numbers or exact zeros), and a group
/// holding inf or NaN is not scaled at all (its non-finite values propagate
/// as f32's would, its other values may round to inf in f16: the result
/// then is inf or NaN, as it is for f32 arithmetic on such inputs).
struct GroupScale {
  mlir::Value scale, inverse;
};
GroupScale groupScale(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value maxAbsBits, int64_t extraShift = 0);

/// The piece products (i, j) of a·b with both operands split into `pieces`:
/// every pair with i + j < pieces, smallest first, so that the small terms
/// meet in the accumulator before the large one arrives. One piece: (0, 0);
/// two: hi·lo, lo·hi, hi·hi (the dropped lo·lo weighs at most 2^-22 of
/// |a·b|).
llvm::ArrayRef<std::pair<int, int>> pieceProducts(int64_t pieces);

/// What `precision` does and why it was taken, for the remark on each
/// lowered f32 op and the manifest's `f32_precision.reason`.
std::string f32PrecisionReason(F32Precision precision);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_SPLITOPERANDS_H
