//===- KernelIR.cpp - the scalar IR every kernel builder writes -----------===//
//
// KernelIRBuilder's definitions (KernelIR.h).
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/KernelIR.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"

using namespace mlir;
using namespace fa2;

Value KernelIRBuilder::c(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value KernelIRBuilder::cf(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

Value KernelIRBuilder::allLanes() {
  return arith::ConstantIntOp::create(b, loc, -1, 32);
}

Value KernelIRBuilder::add(Value x, Value y) {
  return b.createOrFold<arith::AddIOp>(loc, x, y);
}

Value KernelIRBuilder::addc(Value x, int64_t k) {
  return k == 0 ? x : add(x, c(k));
}

Value KernelIRBuilder::sub(Value x, Value y) {
  return b.createOrFold<arith::SubIOp>(loc, x, y);
}

Value KernelIRBuilder::mul(Value x, Value y) {
  return b.createOrFold<arith::MulIOp>(loc, x, y);
}

Value KernelIRBuilder::mulc(Value x, int64_t k) {
  return k == 1 ? x : mul(x, c(k));
}

Value KernelIRBuilder::divc(Value x, int64_t k) {
  return b.createOrFold<arith::DivUIOp>(loc, x, c(k));
}

Value KernelIRBuilder::remc(Value x, int64_t k) {
  return b.createOrFold<arith::RemUIOp>(loc, x, c(k));
}

Value KernelIRBuilder::cmp(arith::CmpIPredicate p, Value x, Value y) {
  return b.createOrFold<arith::CmpIOp>(loc, p, x, y);
}

Value KernelIRBuilder::fadd(Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}

Value KernelIRBuilder::fmul(Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}

Value KernelIRBuilder::fmax(Value x, Value y) {
  return arith::MaxNumFOp::create(b, loc, x, y);
}

Value KernelIRBuilder::exp2(Value x) {
  return math::Exp2Op::create(b, loc, x, arith::FastMathFlags::afn);
}

Value KernelIRBuilder::exp2OnFma(Value x) {
  Type i32 = b.getI32Type();
  auto f32Bits = [&](uint32_t bits) {
    return arith::ConstantOp::create(
        b, loc, b.getF32FloatAttr(llvm::bit_cast<float>(bits)));
  };
  Value low = cf(-125.0);
  // 1.5·2^23: x + magic rounds x to the nearest integer j and holds j in
  // the low mantissa bits (two's complement around the magic's own bits,
  // whose low 9 bits are zero, so that bits << 23 is j << 23).
  Value magic = cf(12582912.0);
  Value clamped = fmax(x, low);
  Value shifted = fadd(clamped, magic);
  Value f = arith::SubFOp::create(
      b, loc, clamped, arith::SubFOp::create(b, loc, shifted, magic));
  // 2^f on [-0.5, 0.5]: the cubic through 2^f at the four Chebyshev nodes
  // (f32 coefficients).
  Value p = fma(f32Bits(0x3d64b6af), f, f32Bits(0x3e78767c));
  p = fma(p, f, f32Bits(0x3f317169));
  p = fma(p, f, f32Bits(0x3f7ffb0e));
  Value jBits = arith::ShLIOp::create(
      b, loc, arith::BitcastOp::create(b, loc, i32, shifted),
      arith::ConstantIntOp::create(b, loc, 23, 32));
  Value result = arith::BitcastOp::create(
      b, loc, b.getF32Type(),
      arith::AddIOp::create(b, loc,
                            arith::BitcastOp::create(b, loc, i32, p), jBits));
  // ULT: below -125, or NaN.
  Value tiny = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ULT, x, low);
  return select(tiny, cf(0.0), result);
}

Value KernelIRBuilder::fma(Value x, Value y, Value z) {
  return math::FmaOp::create(b, loc, x, y, z);
}

Value KernelIRBuilder::select(Value cond, Value x, Value y) {
  return arith::SelectOp::create(b, loc, cond, x, y);
}

Value KernelIRBuilder::shuffleXor(Value x, int32_t offset) {
  return gpu::ShuffleOp::create(b, loc, x, offset, /*width=*/32,
                                gpu::ShuffleMode::XOR)
      .getShuffleResult();
}

Value KernelIRBuilder::extract(Value vec, ArrayRef<int64_t> pos) {
  return vector::ExtractOp::create(b, loc, vec, pos);
}
