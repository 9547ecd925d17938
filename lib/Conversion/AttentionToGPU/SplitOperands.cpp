//===- SplitOperands.cpp - f32 operands as 16-bit pieces for mma.sync -----===//
//
// Split-operand products on 16-bit tensor cores (the idea of 3xTF32): an f32
// operand x is held as pieces hi + lo and a·b as hi·hi + hi·lo + lo·hi, every
// piece product exact in the mma's f32 accumulation. The accurate mode takes
// f16 pieces: 11 significant bits each, so two pieces hold 22 bits of x with
// three products, where bf16 (8 bits) needs three pieces and six products
// for 24. f16's price is its exponent range (2^-24 to 65504), which the group
// scales pay: a power of two per group of 16 rows moves the group's largest
// |x| to [2^14, 2^15), and its inverse is applied, exactly, to the f32 sum of
// the group's products. docs/numerics.md gives the error bound.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/SplitOperands.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

Type fa2::pieceElementType(MLIRContext *ctx, F32Precision precision) {
  if (precision == F32Precision::Accurate)
    return Float16Type::get(ctx);
  return BFloat16Type::get(ctx);
}

SmallVector<Value> fa2::splitToPieces(OpBuilder &b, Location loc, Value x,
                                      int64_t pieces, Type pieceTy) {
  if (auto vec = dyn_cast<VectorType>(x.getType()))
    pieceTy = VectorType::get(vec.getShape(), pieceTy);
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

fa2::GroupScale fa2::groupScale(OpBuilder &b, Location loc, Value maxAbsBits,
                           int64_t extraShift) {
  assert(extraShift >= 0 && extraShift <= 15 && "P's shift is 0..15");
  auto i32 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, v, 32).getResult();
  };
  // The biased exponent e of the largest |x| (|x| < 2^(e - 126)); 255 for
  // inf and NaN, which take e = 141: a factor of 1.
  Value e = arith::ShRUIOp::create(b, loc, maxAbsBits, i32(23));
  Value nonFinite =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e, i32(255));
  e = arith::SelectOp::create(b, loc, nonFinite, i32(141), e);
  // Zeros and values below 2^-97 are scaled as 2^-97 is (by 2^111): the
  // inverse, 2^(e - 141 - extraShift), stays a normal f32 number.
  e = arith::MaxUIOp::create(b, loc, e, i32(30));
  auto f32FromExponent = [&](Value biased) {
    Value bits = arith::ShLIOp::create(b, loc, biased, i32(23));
    return arith::BitcastOp::create(b, loc, b.getF32Type(), bits).getResult();
  };
  // scale = 2^(141 - e): biased exponent 268 - e in [14, 238].
  Value scale = f32FromExponent(arith::SubIOp::create(b, loc, i32(268), e));
  // inverse = 2^(e - 141 - extraShift): biased exponent e - 14 - extraShift
  // in [1, 240].
  Value inverse =
      f32FromExponent(arith::SubIOp::create(b, loc, e, i32(14 + extraShift)));
  return {scale, inverse};
}

ArrayRef<std::pair<int, int>> fa2::pieceProducts(int64_t pieces) {
  static const std::pair<int, int> one[] = {{0, 0}};
  static const std::pair<int, int> two[] = {{1, 0}, {0, 1}, {0, 0}};
  if (pieces == 2)
    return two;
  assert(pieces == 1 && "operands are held as 1 or 2 pieces");
  return one;
}

std::string fa2::f32PrecisionReason(F32Precision precision) {
  if (precision == F32Precision::Accurate)
    return "precision accurate (f32-precision=accurate, the default): Q, K, "
           "V and P are scaled by a power of two per 16 rows and split into "
           "two f16 pieces, and each product takes the three piece products "
           "hi·hi, hi·lo, lo·hi, accumulated in f32: f32-level error (about "
           "2^-22 relative per operand) at a third of the f16 tensor-core "
           "rate; f32-precision=fast rounds to bf16 instead";
  return "precision fast (f32-precision=fast, asked for): Q, K, V and P are "
         "rounded to bf16 (nearest even), one mma per product accumulated in "
         "f32: bf16-level error (2^-9 relative per operand, as a bf16 model's) "
         "at the bf16 tensor-core rate";
}
