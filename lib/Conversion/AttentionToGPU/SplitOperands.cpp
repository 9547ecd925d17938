//===- SplitOperands.cpp - f32 operands as bf16 pieces for mma.sync -------===//
//
// Split-operand products on 16-bit tensor cores: an f32 operand x is held as
// bf16 pieces hi + mid + lo, and a·b as the sum of the piece products whose
// order is at most 2 (the idea of 3xTF32 and of bf16x9 emulation, with
// bf16's 8-bit exponent so that no piece overflows where x does not). Each
// piece has 8 significant bits and each remainder is exact in f32, so three
// pieces hold all 24 bits of x; the products dropped (order 3 and 4) weigh
// at most about 2^-24 of |a·b|, and every product is accumulated in f32 by
// the mma.sync itself.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/SplitOperands.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

SmallVector<Value> fa2::splitToBF16(OpBuilder &b, Location loc, Value x,
                                    int64_t pieces) {
  Type bf16 = b.getBF16Type();
  Type pieceTy = bf16;
  if (auto vec = dyn_cast<VectorType>(x.getType()))
    pieceTy = VectorType::get(vec.getShape(), bf16);
  SmallVector<Value> out;
  Value rest = x;
  for (int64_t i = 0; i < pieces; ++i) {
    // truncf rounds to nearest even (arith's default rounding mode).
    Value piece = arith::TruncFOp::create(b, loc, pieceTy, rest);
    out.push_back(piece);
    if (i + 1 < pieces)
      rest = arith::SubFOp::create(
          b, loc, rest, arith::ExtFOp::create(b, loc, x.getType(), piece));
  }
  return out;
}

ArrayRef<std::pair<int, int>> fa2::pieceProducts(int64_t pieces) {
  static const std::pair<int, int> one[] = {{0, 0}};
  static const std::pair<int, int> three[] = {{2, 0}, {1, 1}, {0, 2},
                                              {1, 0}, {0, 1}, {0, 0}};
  if (pieces == 3)
    return three;
  assert(pieces == 1 && "operands are held as 1 or 3 bf16 pieces");
  return one;
}

std::string fa2::f32PrecisionReason(F32Precision precision) {
  if (precision == F32Precision::Accurate)
    return "precision accurate (f32-precision=accurate, the default): Q, K, "
           "V and P are split into three bf16 pieces and each product takes "
           "the six piece products of order up to 2, accumulated in f32: "
           "f32-level error (about 2^-24 relative per product) at a sixth "
           "of the bf16 tensor-core rate; f32-precision=fast rounds to bf16 "
           "instead";
  return "precision fast (f32-precision=fast, asked for): Q, K, V and P are "
         "rounded to bf16 (nearest even), one mma per product accumulated in "
         "f32: bf16-level error (2^-9 relative per operand, as a bf16 model's) "
         "at the bf16 tensor-core rate";
}
