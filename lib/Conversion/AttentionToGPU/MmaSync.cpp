//===- MmaSync.cpp - mma.sync m16n8k16 fragments, ldmatrix, multiply ------===//
//
// MmaSyncBuilder's definitions (MmaSync.h).
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/MmaSync.h"
#include "fa2/Conversion/AttentionToGPU/SplitOperands.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace fa2;

RowFragments MmaSyncBuilder::rowFragments(int64_t tiles) {
  return RowFragments::mmaSync(tiles);
}

Type MmaSyncBuilder::accumulatorType(int64_t n) {
  assert(n == MmaSyncFragments::kN && "an mma.sync accumulator is one n8 tile");
  (void)n;
  return accumulatorTileType();
}

Value MmaSyncBuilder::zeroAccumulator(int64_t n) {
  auto accTy = cast<VectorType>(accumulatorType(n));
  return arith::ConstantOp::create(
      b, loc, accTy, DenseElementsAttr::get(accTy, b.getF32FloatAttr(0.0f)));
}

VectorType MmaSyncBuilder::accumulatorTileType() {
  return VectorType::get({2, 2}, b.getF32Type());
}

VectorType MmaSyncBuilder::fragmentType() {
  return VectorType::get({4, 2}, elemTy);
}

VectorType MmaSyncBuilder::pairType() {
  return VectorType::get({2, 2}, elemTy);
}

MmaSyncLanes MmaSyncBuilder::lanesOf(Value lane) {
  MmaSyncLanes l;
  l.g = divc(lane, 4);
  l.t = remc(lane, 4);
  l.lane8 = remc(lane, 8);
  l.laneMid = remc(divc(lane, 8), 2);
  l.laneHi = divc(lane, 16);
  return l;
}

Value MmaSyncBuilder::ldmatrixRowA(const MmaSyncLanes &lanes) {
  return add(lanes.lane8, mulc(lanes.laneMid, 8));
}

Value MmaSyncBuilder::ldmatrixRowB(const MmaSyncLanes &lanes) {
  return add(lanes.lane8, mulc(lanes.laneHi, 8));
}

SmallVector<MmaSyncBuilder::ChunkOffset>
MmaSyncBuilder::chunkOffsets(AsyncCopyBuilder &copies,
                             const SharedTileLayout &l, Value lane8,
                             Value laneChunk, int64_t steps) {
  SmallVector<ChunkOffset> offs;
  for (int64_t st = 0; st < steps; ++st) {
    if (l.swizzle == SmemSwizzle::Xor && st >= 4)
      offs.push_back({offs[st % 4].lane, (st / 4) * 64});
    else
      offs.push_back(
          {copies.sharedOffset(l, c(0), lane8, addc(laneChunk, 2 * st)), 0});
  }
  return offs;
}

Value MmaSyncBuilder::chunkAddress(Value base, const ChunkOffset &chunk,
                                   int64_t extra) {
  return addc(add(base, chunk.lane), chunk.constant + extra);
}

Value MmaSyncBuilder::ldmatrix(Value tile, Value offset, bool transpose) {
  return nvgpu::LdMatrixOp::create(b, loc, fragmentType(), tile,
                                   ValueRange{offset}, b.getBoolAttr(transpose),
                                   b.getI32IntegerAttr(4));
}

Value MmaSyncBuilder::pairOf(Value frag4, int64_t first) {
  auto pairTy = pairType();
  Value r = arith::ConstantOp::create(
      b, loc, pairTy, DenseElementsAttr::get(pairTy, b.getZeroAttr(elemTy)));
  r = vector::InsertOp::create(b, loc, extract(frag4, {first}), r,
                               ArrayRef<int64_t>{0});
  return vector::InsertOp::create(b, loc, extract(frag4, {first + 1}), r,
                                  ArrayRef<int64_t>{1});
}

void MmaSyncBuilder::loadBPieces(Value tile, Value laneBase,
                                 const ChunkOffset &chunk, int64_t offset,
                                 int64_t plane, bool transpose, int64_t pieces,
                                 SmallVector<Value> &b0,
                                 SmallVector<Value> &b1) {
  for (int64_t p = 0; p < pieces; ++p) {
    Value off = chunkAddress(laneBase, chunk, offset + p * plane);
    Value frag = ldmatrix(tile, off, transpose);
    b0.push_back(pairOf(frag, 0));
    b1.push_back(pairOf(frag, 2));
  }
}

Value MmaSyncBuilder::mma(Value a, Value bOp, Value acc) {
  if (elemTy.isF16())
    return nvgpu::MmaSyncOp::create(b, loc, a, bOp, acc,
                                    b.getI64ArrayAttr({16, 8, 16}));
  // bf16: nvgpu.mma.sync's lowering in LLVM 22 cannot deduce the PTX types of
  // bf16 operands, so the kernel calls nvvm.mma.sync with the operands packed
  // in i32, as PTX declares them.
  auto i32Ty = b.getI32Type();
  auto f32Ty = b.getF32Type();
  auto pack = [&](Value frag, int64_t rowsN) {
    // One row at a time: convert-vector-to-llvm bitcasts 1-D vectors only.
    auto packedTy = VectorType::get({1}, i32Ty);
    SmallVector<Value> regs;
    for (int64_t i = 0; i < rowsN; ++i) {
      Value row = extract(frag, {i});
      Value packed = vector::BitCastOp::create(b, loc, packedTy, row);
      regs.push_back(extract(packed, {0}));
    }
    return regs;
  };
  SmallVector<Value> aRegs = pack(a, 4), bRegs = pack(bOp, 2);
  SmallVector<Value> cRegs;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t e = 0; e < 2; ++e)
      cRegs.push_back(extract(acc, {i, e}));
  auto structTy = LLVM::LLVMStructType::getLiteral(
      b.getContext(), {f32Ty, f32Ty, f32Ty, f32Ty});
  Value d = NVVM::MmaOp::create(
      b, loc, structTy, aRegs, bRegs, cRegs, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
  return vector::FromElementsOp::create(b, loc, accumulatorTileType(), out);
}

Value MmaSyncBuilder::multiplyAccumulate(const MmaOperand &aOp,
                                         const MmaOperand &bOp, Value acc,
                                         Value factor) {
  assert(aOp.source == MmaOperand::Source::Registers &&
         bOp.source == MmaOperand::Source::Registers &&
         "mma.sync reads its operands from registers");
  ArrayRef<Value> a = aOp.values, bOps = bOp.values;
  int64_t pieces = a.size();
  if (pieces == 1)
    return mma(a[0], bOps[0], acc);
  auto accTy = cast<VectorType>(acc.getType());
  Value sum = arith::ConstantOp::create(
      b, loc, accTy, DenseElementsAttr::get(accTy, b.getF32FloatAttr(0)));
  for (auto [i, j] : pieceProducts(pieces))
    sum = mma(a[i], bOps[j], sum);
  if (factor)
    return fma(sum, vector::BroadcastOp::create(b, loc, accTy, factor), acc);
  return fadd(acc, sum);
}
