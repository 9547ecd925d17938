//===- Tma.cpp - Hopper tensor-memory copies, mbarriers, roles ------------===//

#include "fa2/Conversion/AttentionToGPU/Hopper/Tma.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

using namespace mlir;
using namespace fa2;
using namespace fa2::hopper;

static Attribute workgroupSpace(MLIRContext *ctx) {
  return gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
}

Type hopper::tensorMapValueType(MLIRContext *ctx) {
  return VectorType::get({16}, IntegerType::get(ctx, 64));
}

Type hopper::tensorMapType(MLIRContext *ctx, ArrayRef<int64_t> box,
                           Type elemTy) {
  auto tile = MemRefType::get(box, elemTy, MemRefLayoutAttrInterface{},
                              workgroupSpace(ctx));
  return nvgpu::TensorMapDescriptorType::get(
      ctx, tile, nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
      nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
      nvgpu::TensorMapOOBKind::OOB_ZERO,
      nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
}

Value hopper::castTensorMap(OpBuilder &b, Location loc, Value param,
                            Type mapTy) {
  return UnrealizedConversionCastOp::create(b, loc, mapTy, param).getResult(0);
}

Value hopper::createBarriers(OpBuilder &b, Location loc, int64_t count) {
  auto ty = nvgpu::MBarrierGroupType::get(
      b.getContext(), workgroupSpace(b.getContext()), count);
  return nvgpu::MBarrierCreateOp::create(b, loc, ty);
}

static Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

void hopper::initBarrier(OpBuilder &b, Location loc, Value barriers,
                         Value idx, int64_t arrivals) {
  nvgpu::MBarrierInitOp::create(b, loc, barriers, index(b, loc, arrivals),
                                idx, /*predicate=*/Value());
}

void hopper::arriveExpectBytes(OpBuilder &b, Location loc, Value barriers,
                               Value idx, int64_t bytes) {
  nvgpu::MBarrierArriveExpectTxOp::create(b, loc, barriers,
                                          index(b, loc, bytes), idx,
                                          /*predicate=*/Value());
}

void hopper::arrive(OpBuilder &b, Location loc, Value barriers, Value idx) {
  nvgpu::MBarrierArriveOp::create(
      b, loc, nvgpu::MBarrierTokenType::get(b.getContext()), barriers, idx);
}

void hopper::waitParity(OpBuilder &b, Location loc, Value barriers, Value idx,
                        Value parity) {
  // The tick count is only the hardware's suspend-time hint: the lowering
  // retries until the phase completes.
  nvgpu::MBarrierTryWaitParityOp::create(b, loc, barriers, parity,
                                         index(b, loc, 10000000), idx);
}

void hopper::loadBox(OpBuilder &b, Location loc, Value map,
                     ArrayRef<Value> coords, Value barriers, Value idx,
                     Value dst) {
  nvgpu::TmaAsyncLoadOp::create(b, loc, dst, barriers, map, coords, idx,
                                /*multicastMask=*/Value(),
                                /*predicate=*/Value());
}

void hopper::fenceSharedToAsyncProxy(OpBuilder &b, Location loc) {
  NVVM::FenceProxyOp::create(
      b, loc, NVVM::ProxyKind::async_shared,
      NVVM::SharedSpaceAttr::get(b.getContext(), NVVM::SharedSpace::shared_cta));
}

void hopper::prefetchTensorMap(OpBuilder &b, Location loc, Value map) {
  nvgpu::TmaPrefetchOp::create(b, loc, map, /*predicate=*/Value());
}

Value hopper::warpgroupIndex(OpBuilder &b, Location loc, Value tid) {
  auto i32 = b.getI32Type();
  Value t = arith::IndexCastOp::create(b, loc, i32, tid);
  Value wg = arith::DivUIOp::create(
      b, loc, t, arith::ConstantIntOp::create(b, loc, 128, 32));
  return gpu::ShuffleOp::create(b, loc, wg, /*offset=*/0, /*width=*/32,
                                gpu::ShuffleMode::IDX)
      .getShuffleResult();
}

Value hopper::electOne(OpBuilder &b, Location loc) {
  return NVVM::ElectSyncOp::create(b, loc, b.getI1Type(),
                                   /*membermask=*/Value());
}

void hopper::setMaxRegisters(OpBuilder &b, Location loc, int64_t registers,
                             bool increase) {
  NVVM::SetMaxRegisterOp::create(
      b, loc, static_cast<uint32_t>(registers),
      increase ? NVVM::SetMaxRegisterAction::increase
               : NVVM::SetMaxRegisterAction::decrease);
}

void hopper::namedBarrierSync(OpBuilder &b, Location loc, Value id,
                              int64_t threads) {
  NVVM::BarrierOp::create(b, loc, /*res=*/Type(), id,
                          arith::ConstantIntOp::create(b, loc, threads, 32),
                          /*reductionOp=*/{}, /*reductionPredicate=*/Value());
}

void hopper::namedBarrierArrive(OpBuilder &b, Location loc, Value id,
                                int64_t threads) {
  NVVM::BarrierArriveOp::create(
      b, loc, id, arith::ConstantIntOp::create(b, loc, threads, 32));
}

Value hopper::sharedAddress(OpBuilder &b, Location loc, Value smem) {
  Value p = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, smem);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), p);
}

//===--- TmaCopyBuilder: TileCopy for TMA ---------------------------------===//

void TmaCopyBuilder::expectBytes(const CopyGroup &group, int64_t bytes) {
  arriveExpectBytes(b, loc, barriers, group.barrier, bytes);
}

void TmaCopyBuilder::copyBox(Value map, ArrayRef<Value> coords,
                             const CopyGroup &group, Value dst) {
  loadBox(b, loc, map, coords, barriers, group.barrier, dst);
}

void TmaCopyBuilder::wait(const CopyGroup &group, int32_t pending) {
  assert(group.barrier && group.parity && !group.token && pending == 0 &&
         "a TMA group is an mbarrier phase, waited for whole");
  (void)pending;
  waitParity(b, loc, barriers, group.barrier, group.parity);
}

void TmaCopyBuilder::storeBox(Value map, ArrayRef<Value> coords, Value src) {
  nvgpu::TmaAsyncStoreOp::create(b, loc, src, map, coords,
                                 /*predicate=*/Value());
}

void TmaCopyBuilder::commitStores() {
  NVVM::CpAsyncBulkCommitGroupOp::create(b, loc);
}

void TmaCopyBuilder::waitStoresRead(int32_t pending) {
  NVVM::CpAsyncBulkWaitGroupOp::create(b, loc, static_cast<uint32_t>(pending),
                                       b.getUnitAttr());
}
