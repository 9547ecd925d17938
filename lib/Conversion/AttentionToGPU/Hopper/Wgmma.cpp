//===- Wgmma.cpp - Hopper warpgroup MMA building blocks -------------------===//
//
// The descriptor fields and the RS spelling follow the PTX ISA (sm_90a,
// "Matrix Descriptor Format", wgmma.mma_async with A in registers); they
// were checked on an H200 before this file existed (research note
// shared/research/hopper.md, section 6).
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/Hopper/Wgmma.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace fa2;
using namespace fa2::hopper;

Value hopper::matrixDescriptor(OpBuilder &b, Location loc, Value smemAddress,
                               int64_t leadingBytes, int64_t strideBytes) {
  auto i64 = b.getI64Type();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 64);
  };
  // The start address field is 14 bits of 16-byte units: the shared window
  // (228 KiB) fits.
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, smemAddress, c(0x3FFFF)), c(4));
  int64_t fields = (int64_t{1} << 62) | ((strideBytes >> 4) << 32) |
                   ((leadingBytes >> 4) << 16);
  (void)i64;
  return arith::OrIOp::create(b, loc, start, c(fields));
}

Value hopper::advanceDescriptor(OpBuilder &b, Location loc, Value desc,
                                int64_t bytes) {
  if (bytes == 0)
    return desc;
  return arith::AddIOp::create(
      b, loc, desc, arith::ConstantIntOp::create(b, loc, bytes >> 4, 64));
}

Type hopper::accumulatorType(MLIRContext *ctx, int64_t n) {
  SmallVector<Type> fields(n / 2, Float32Type::get(ctx));
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
}

Value hopper::zeroAccumulator(OpBuilder &b, Location loc, int64_t n) {
  return LLVM::ZeroOp::create(b, loc, accumulatorType(b.getContext(), n));
}

SmallVector<Value> hopper::accumulatorElements(OpBuilder &b, Location loc,
                                               Value acc) {
  auto ty = cast<LLVM::LLVMStructType>(acc.getType());
  SmallVector<Value> out;
  for (int64_t i = 0, e = ty.getBody().size(); i < e; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, acc, i));
  return out;
}

Value hopper::accumulatorFromElements(OpBuilder &b, Location loc,
                                      ArrayRef<Value> elems) {
  Type ty = accumulatorType(b.getContext(), 2 * elems.size());
  Value acc = LLVM::UndefOp::create(b, loc, ty);
  for (auto [i, v] : llvm::enumerate(elems))
    acc = LLVM::InsertValueOp::create(b, loc, acc, v, i);
  return acc;
}

static NVVM::WGMMATypes wgmmaType(Type t) {
  return t.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
}

Value hopper::mmaSS(OpBuilder &b, Location loc, Value acc, Value descA,
                    Value descB, int64_t n, Type elemTy, bool accumulate,
                    OperandMajor bMajor) {
  MLIRContext *ctx = b.getContext();
  // Layout attributes as the PTX reads them: A row = K-major (imm-trans-a
  // 0); B col = K-major (imm-trans-b 0), B row = MN-major (imm-trans-b 1).
  return NVVM::WgmmaMmaAsyncOp::create(
      b, loc, acc.getType(), acc, descA, descB,
      NVVM::MMAShapeAttr::get(ctx, 64, n, 16), wgmmaType(elemTy),
      wgmmaType(elemTy), NVVM::WGMMATypes::f32,
      accumulate ? NVVM::WGMMAScaleOut::one : NVVM::WGMMAScaleOut::zero,
      NVVM::WGMMAScaleIn::one, NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
      bMajor == OperandMajor::K ? NVVM::MMALayout::col : NVVM::MMALayout::row,
      /*satfinite=*/nullptr);
}

Value hopper::mmaRS(OpBuilder &b, Location loc, Value acc, ArrayRef<Value> a,
                    Value descB, int64_t n, Type elemTy, OperandMajor bMajor) {
  assert(a.size() == 4 && "an m64k16 A fragment is four b32 registers");
  int64_t h = n / 2; // accumulator registers
  std::string asmText, constraints;
  llvm::raw_string_ostream os(asmText), cs(constraints);
  StringRef ty = elemTy.isBF16() ? "bf16" : "f16";
  // The accumulators are outputs $0..$h-1 tied to inputs (constraints "0"..):
  // read-modify-write registers, which nvvm.inline_ptx cannot express.
  // scale-d is a predicate (1: accumulate), set from operand $h+5 as the
  // form that ran on the H200 did.
  os << "{\n.reg .pred p;\nsetp.ne.b32 p, $" << h + 5 << ", 0;\n"
     << "wgmma.mma_async.sync.aligned.m64n" << n << "k16.f32." << ty << "."
     << ty << " {";
  for (int64_t i = 0; i < h; ++i)
    os << (i ? ", " : "") << "$" << i;
  os << "}, {$" << h << ", $" << h + 1 << ", $" << h + 2 << ", $" << h + 3
     << "}, $" << h + 4 << ", p, 1, 1, " << (bMajor == OperandMajor::MN ? 1 : 0)
     << ";\n}";
  for (int64_t i = 0; i < h; ++i)
    cs << (i ? "," : "") << "=f";
  cs << ",r,r,r,r,l,r";
  for (int64_t i = 0; i < h; ++i)
    cs << "," << i;
  SmallVector<Value> operands(a.begin(), a.end());
  operands.push_back(descB);
  operands.push_back(arith::ConstantIntOp::create(b, loc, 1, 32));
  llvm::append_range(operands, accumulatorElements(b, loc, acc));
  return LLVM::InlineAsmOp::create(
             b, loc, acc.getType(), operands, asmText, constraints,
             /*has_side_effects=*/true, /*is_align_stack=*/false,
             LLVM::tailcallkind::TailCallKind::None,
             LLVM::AsmDialectAttr::get(b.getContext(),
                                       LLVM::AsmDialect::AD_ATT),
             /*operand_attrs=*/ArrayAttr())
      .getResult(0);
}

Value hopper::packPair(OpBuilder &b, Location loc, Value lo, Value hi,
                       Type elemTy) {
  Value x = arith::TruncFOp::create(b, loc, elemTy, lo);
  Value y = arith::TruncFOp::create(b, loc, elemTy, hi);
  Value pair = vector::FromElementsOp::create(
      b, loc, VectorType::get({2}, elemTy), ValueRange{x, y});
  Value word = vector::BitCastOp::create(
      b, loc, VectorType::get({1}, b.getI32Type()), pair);
  return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
}

SmallVector<Value, 4> hopper::fragmentOfSlice(OpBuilder &b, Location loc,
                                              ArrayRef<Value> p, int64_t kk,
                                              Type elemTy) {
  SmallVector<Value, 4> regs;
  for (int64_t m = 0; m < 4; ++m)
    regs.push_back(
        packPair(b, loc, p[8 * kk + 2 * m], p[8 * kk + 2 * m + 1], elemTy));
  return regs;
}

SmallVector<Value> hopper::fenceOperands(OpBuilder &b, Location loc,
                                         ArrayRef<Value> values) {
  if (values.empty())
    return {};
  std::string constraints;
  llvm::raw_string_ostream cs(constraints);
  SmallVector<Type> types;
  for (auto [i, v] : llvm::enumerate(values)) {
    cs << (i ? "," : "") << (v.getType().isF32() ? "=f" : "=r");
    types.push_back(v.getType());
  }
  for (size_t i = 0; i < values.size(); ++i)
    cs << "," << i;
  Type resTy = types.size() == 1
                   ? types[0]
                   : LLVM::LLVMStructType::getLiteral(b.getContext(), types);
  Value res = LLVM::InlineAsmOp::create(
                  b, loc, resTy, values, "", constraints,
                  /*has_side_effects=*/true, /*is_align_stack=*/false,
                  LLVM::tailcallkind::TailCallKind::None,
                  LLVM::AsmDialectAttr::get(b.getContext(),
                                            LLVM::AsmDialect::AD_ATT),
                  ArrayAttr())
                  .getResult(0);
  if (types.size() == 1)
    return {res};
  SmallVector<Value> out;
  for (size_t i = 0; i < values.size(); ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, res, i));
  return out;
}

Value hopper::fenceAccumulator(OpBuilder &b, Location loc, Value acc) {
  return accumulatorFromElements(
      b, loc, fenceOperands(b, loc, accumulatorElements(b, loc, acc)));
}

void hopper::fence(OpBuilder &b, Location loc) {
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
}

void hopper::commitGroup(OpBuilder &b, Location loc) {
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
}

void hopper::waitGroup(OpBuilder &b, Location loc, int64_t pending) {
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, pending);
}

//===--- WgmmaBuilder: TileMma for wgmma ----------------------------------===//

RowFragments WgmmaBuilder::rowFragments(int64_t tiles) {
  assert(tiles == 1 && "a warpgroup's thread holds one m64 tile's rows");
  (void)tiles;
  return RowFragments::wgmma();
}

Type WgmmaBuilder::accumulatorType(int64_t n) {
  return hopper::accumulatorType(b.getContext(), n);
}

Value WgmmaBuilder::zeroAccumulator(int64_t n) {
  return hopper::zeroAccumulator(b, loc, n);
}

/// N of the product whose accumulator is `acc`: two f32 per thread per
/// column pair.
static int64_t columnsOf(Value acc) {
  return 2 * cast<LLVM::LLVMStructType>(acc.getType()).getBody().size();
}

Value WgmmaBuilder::multiplyAccumulate(const MmaOperand &a,
                                       const MmaOperand &bOp, Value acc,
                                       Value factor) {
  assert(!factor && "wgmma products are not scaled (no split operands)");
  (void)factor;
  assert(bOp.source == MmaOperand::Source::Shared &&
         "wgmma reads B from shared memory");
  if (a.source == MmaOperand::Source::Shared)
    return mmaSS(b, loc, acc, a.values[0], bOp.values[0], columnsOf(acc),
                 elemTy, /*accumulate=*/true, bOp.major);
  return mmaRS(b, loc, acc, a.values, bOp.values[0], columnsOf(acc), elemTy,
               bOp.major);
}

Value WgmmaBuilder::multiply(const MmaOperand &a, const MmaOperand &bOp,
                             int64_t n) {
  if (a.source != MmaOperand::Source::Shared)
    return TileMma::multiply(a, bOp, n);
  assert(bOp.source == MmaOperand::Source::Shared &&
         "wgmma reads B from shared memory");
  return mmaSS(b, loc, zeroAccumulator(n), a.values[0], bOp.values[0], n,
               elemTy, /*accumulate=*/false, bOp.major);
}

void WgmmaBuilder::fence() { hopper::fence(b, loc); }

void WgmmaBuilder::commit() { commitGroup(b, loc); }

void WgmmaBuilder::wait(int64_t pending) { waitGroup(b, loc, pending); }

Value WgmmaBuilder::fenceAccumulator(Value acc) {
  return hopper::fenceAccumulator(b, loc, acc);
}

SmallVector<Value> WgmmaBuilder::fenceOperands(ArrayRef<Value> values) {
  return hopper::fenceOperands(b, loc, values);
}

SmallVector<Value> WgmmaBuilder::accumulatorElements(Value acc) {
  return hopper::accumulatorElements(b, loc, acc);
}

Value WgmmaBuilder::accumulatorFromElements(ArrayRef<Value> elems) {
  return hopper::accumulatorFromElements(b, loc, elems);
}

SmallVector<Value, 4> WgmmaBuilder::sliceFragment(ArrayRef<Value> p,
                                                  int64_t kk) {
  return fragmentOfSlice(b, loc, p, kk, elemTy);
}
