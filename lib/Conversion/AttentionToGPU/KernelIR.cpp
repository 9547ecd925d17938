//===- KernelIR.cpp - the scalar IR every kernel builder writes -----------===//
//
// KernelIRBuilder's definitions (KernelIR.h).
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/KernelIR.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

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

Value KernelIRBuilder::divu(Value x, Value y) {
  return b.createOrFold<arith::DivUIOp>(loc, x, y);
}

Value KernelIRBuilder::remu(Value x, Value y) {
  return b.createOrFold<arith::RemUIOp>(loc, x, y);
}

Value KernelIRBuilder::minu(Value x, Value y) {
  return b.createOrFold<arith::MinUIOp>(loc, x, y);
}

Value KernelIRBuilder::maxu(Value x, Value y) {
  return b.createOrFold<arith::MaxUIOp>(loc, x, y);
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
