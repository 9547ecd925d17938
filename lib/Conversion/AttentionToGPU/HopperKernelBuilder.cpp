//===- HopperKernelBuilder.cpp - the sm_90a warp-specialized kernel -------===//
//
// One CTA per (query block of Br = 64·W rows, batch·head), W consumer
// warpgroups and one producer warpgroup (FlashAttention-3's roles, arXiv
// 2407.08608, with FlashAttention-2's row partitioning):
//
//   warpgroup 0 (producer, setmaxnreg.dec): one elected thread of warp 0
//     Q tile      --TMA--> shared, on mbarrier Q
//     for each K/V block j of the CTA's range:
//       wait K-empty[j % S]; K_j --TMA--> K[j % S], on K-full[j % S]
//       wait V-empty[j % S]; V_j --TMA--> V[j % S], on V-full[j % S]
//   warpgroup 1 + w (consumer, setmaxnreg.inc): query rows [64w, 64w+64)
//     wait Q
//     for each K/V block j:
//       wait K-full;  S = Q·K_jᵀ   SS wgmma m64nBck16, d/16 steps; arrive K-empty
//       mask (the blocks that need it), online softmax in registers
//       wait V-full;  O += P·V_j   RS wgmma m64n(dv)k16, P from registers
//                                  (16-bit pairs of S's accumulators);
//                                  arrive V-empty
//     O /= l, O and LSE to global memory
//
// Shared tiles are 128-byte-swizzled sub-tiles of 64 columns (one TMA box
// row, one swizzle row), 1024-byte aligned: Q as [W][d/64] sub-tiles of 64
// rows, K and V per stage as [d/64] sub-tiles of Bc rows. Q and K are K-major
// wgmma operands; V is MN-major (its rows are P·V's reduction dim).
//
// Decode (getHopperDecodeSchedule): the rows are a K/V head's G query
// heads times Sq, head-major (Q's tensor map has G·Sq rows per K/V head),
// and with split-KV each CTA writes its split's f32 O and LSE partials
// from registers for the combine launch (CombineBuilder.cpp).
//
// The grid, the persistent grid's tiles and the K/V range are
// KernelTiling's, the online softmax OnlineSoftmax's rows (a wgmma
// accumulator's, the same quads as mma.sync's; l as one FMA per block, the
// fmaRowSums policy), as for the mma.sync kernel. The products go through
// TileMma (WgmmaBuilder: issue, commit, wait, operand fences) and the
// copies' completion through TileCopy (TmaCopyBuilder: mbarrier phases),
// TileOps.h. The mask compares on the accumulator structs and the peeled,
// overlapped K/V loop are this file's.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/HopperKernelBuilder.h"
#include "fa2/Conversion/AttentionToGPU/CombineBuilder.h"
#include "fa2/Conversion/AttentionToGPU/Hopper/Tma.h"
#include "fa2/Conversion/AttentionToGPU/Hopper/Wgmma.h"
#include "fa2/Conversion/AttentionToGPU/KernelIR.h"
#include "fa2/Conversion/AttentionToGPU/KernelTiling.h"
#include "fa2/Conversion/AttentionToGPU/OnlineSoftmax.h"
#include "fa2/Conversion/AttentionToGPU/TileOps.h"
#include "fa2/Dialect/Attention/IR/TensorLayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>

using namespace mlir;
using namespace fa2;
using namespace fa2::hopper;

std::string fa2::hopperKernelUnsupported(const AttentionKernelSpec &spec) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (!spec.elementType.isF16() && !spec.elementType.isBF16())
    os << "wgmma kernel: f16/bf16 inputs only (got " << spec.elementType
       << ")";
  else if (spec.headDim != spec.headDimV || spec.headDim % 64 != 0 ||
           spec.headDim > 256)
    os << "wgmma kernel: equal head dims that are multiples of 64 up to 256 "
          "(whole 128-byte swizzle rows), got "
       << spec.headDim << " and " << spec.headDimV;
  else if (spec.hasMask())
    os << "wgmma kernel: no mask operand yet";
  else if (spec.window || spec.fill)
    os << "wgmma kernel: no sliding window or finite fill yet";
  else if ((spec.schedule.packGQA || spec.splitKV()) && !spec.schedule.wgmma())
    os << "wgmma kernel: packed GQA rows and split-KV only with its decode "
          "schedule (getHopperDecodeSchedule: bhsd, head dims 64 or 128)";
  else if (spec.schedule.packGQA && spec.bshd)
    os << "wgmma kernel: packed GQA rows need the bhsd layout (a group's "
          "G·Sq rows are then consecutive rows of one tensor-map box)";
  else if (spec.splitKV() && !spec.schedule.packGQA)
    os << "wgmma kernel: split-KV only on packed GQA rows (decode)";
  else if ((spec.schedule.packGQA || spec.splitKV()) &&
           (spec.schedule.dynamicTiles() || spec.schedule.tmaStore()))
    os << "wgmma kernel: packed GQA rows and split-KV write from registers "
          "(epilogue = registers), on a grid of row tiles or a persistent "
          "one with the static tile scheduler";
  else if (spec.splitKV() && !spec.writesOneSplitDirectly() &&
           ShapedType::isDynamic(spec.batch()))
    os << "wgmma kernel: a fixed split count needs a static batch";
  else if (spec.lastCTACombine())
    os << "wgmma kernel: split-KV merged by the combine launch only "
          "(combine = launch)";
  return why;
}

SmallVector<StringRef, 4>
fa2::hopperTensorMaps(const AttentionKernelSpec &spec) {
  if (spec.schedule.tmaStore())
    return {"q", "k", "v", "o"};
  return {"q", "k", "v"};
}

SmallVector<int64_t, 4> fa2::hopperBox(const AttentionKernelSpec &spec,
                                       StringRef buffer) {
  int64_t rows = buffer == "q" || buffer == "o" ? 64 : spec.schedule.blockN;
  return {64, rows, 1, 1};
}

namespace {

class HopperEmitter : KernelIRBuilder {
public:
  HopperEmitter(OpBuilder &b, Location loc, const AttentionKernelSpec &spec,
                gpu::GPUFuncOp func)
      : KernelIRBuilder(b, loc), spec(spec), s(spec.schedule), func(func),
        tiling(b, loc, spec), wgmma(b, loc, spec.elementType), mma(wgmma) {
    elemTy = spec.elementType;
    f32Ty = b.getF32Type();
    W = s.consumerWarpgroups();
    D = spec.headDim;
    Dv = spec.headDimV;
    Bc = s.blockN;
  }

  void emit();

private:
  /// An i1 parity from an index that is 0 or 1.
  Value parityOf(Value phase) {
    return arith::IndexCastOp::create(b, loc, b.getI1Type(), phase);
  }

  Value sizeValue(StringRef name);
  /// A shared tile view at byte `offset` of the aligned window, typed as a
  /// TMA box of `rows` x 64 elements.
  Value tile(Value offset, int64_t rows, Type ty = Type());
  /// The producer: Q once, then the K/V ring (per tile when persistent).
  void emitProducer();
  /// One tile's copies. With the dynamic tile scheduler, `published` is
  /// the tile's index, stored into the tile slot for the consumers before
  /// Q's arrival, and the next tile is fetched (returned) once Q's copies
  /// are issued; null otherwise (and null is returned).
  Value emitProducerTile(Value published = Value());
  /// The dynamic tile scheduler's producer: tiles blockIdx.x, then each
  /// gridDim.x + an atomic increment of tile_counter[0], one tile ahead;
  /// past the last, an index >= numTiles tells the consumers to stop, and
  /// the last CTA to finish (tile_counter[1]) zeroes both counters.
  void emitDynamicProducer();
  /// The dynamic tile scheduler's consumers: each tile's index from the
  /// tile slot, under the Q barrier; `body` builds one tile.
  void forEachPublishedTile(llvm::function_ref<void()> body);
  /// The tile's rows and K/V range (KernelTiling's) from its work.
  void setTile(const CTAWork &work);
  /// Persistent grid: a loop over this CTA's tiles (KernelTiling's
  /// persistentTile) that sets the tile, ringBase and tileCount, then runs
  /// `body`.
  void forEachTile(llvm::function_ref<void()> body);
  /// A consumer warpgroup (index `cw` among the consumers, an i32).
  void emitConsumer(Value cw);
  /// The tma_store epilogue's O: consumer warpgroup `cwIdx` writes its
  /// normalized accumulators `o` (row halves scaled by `inv`) into its
  /// 64-row shared tile in the output type, and thread 0 of the warpgroup
  /// stores the tile by TMA (one box per 64 columns; rows past seq_q fall
  /// outside the map and are not written).
  void storeOutputTile(ArrayRef<Value> o, const Value inv[2], Value cwIdx,
                       Value warpInGroup, Value g, Value t);
  /// Columns 8·n8 + 2t, 2t + 1 of a thread's row in half `half` of its
  /// accumulators `o`, scaled by the row's `inv` and converted to `outTy`
  /// (null: O's type; f32 for split-KV partials): the pair both epilogues
  /// store.
  Value outputPair(ArrayRef<Value> o, const Value inv[2], int64_t half,
                   int64_t n8, Type outTy = Type());
  /// The shared bytes (from the aligned base) of consumer `cwIdx`'s O tile:
  /// its Q tile, or O's own tile (GPUSchedule::ownOutputTile).
  Value outputTileOffset(Value cwIdx);
  /// Scores with -inf where a key is masked for the row (causal / Sk tail;
  /// `positions`: the query positions of the thread's two rows).
  SmallVector<Value> maskScores(ArrayRef<Value> sc, Value kvStart,
                                ArrayRef<Value> positions);

  const AttentionKernelSpec &spec;
  const GPUSchedule &s;
  gpu::GPUFuncOp func;
  KernelTiling tiling;
  /// The wgmma and TMA building blocks (the TMA one made with the
  /// barriers). The kernel issues, commits and waits for its products
  /// through TileMma (`mma`) and waits for its copies through TileCopy
  /// (`copier()`), TileOps.h; descriptors, accumulator elements and box
  /// copies are theirs.
  WgmmaBuilder wgmma;
  TileMma &mma;
  std::optional<TmaCopyBuilder> tma;
  TileCopy &copier() { return *tma; }
  Type elemTy, f32Ty;
  int64_t W, D, Dv, Bc;

  Value tid, Hq, Sq, Sk, m0, bh, batchIdx, h, hkv;
  /// Rows of the tile's (batch, head), or of its packed group (G·Sq).
  Value rowsTotal;
  /// The current tile's work (KernelTiling's; with split-KV its split and
  /// the number of splits).
  CTAWork tileWork;
  /// The head coordinate of Q's (and O's) tensor map: the query head, or
  /// with packed rows the K/V head (the map's rows are a group's G·Sq).
  Value qMapHead;
  /// oGlobal / lseGlobal: O and LSE, or the split-KV partials; oFinal /
  /// lseFinal: O and LSE themselves where a launch with one split writes
  /// them directly (writesOneSplitDirectly).
  Value mapQ, mapK, mapV, mapO, oGlobal, lseGlobal, oFinal, lseFinal;
  // The dynamic tile scheduler: the global counters and the shared slot
  // through which the producer hands each tile's index to the consumers.
  Value tileCounter, tileSlot;
  Value smem, pad, bars;
  KVBlockRange kvRange;
  Value kvBegin, kvEnd;
  // Persistent grid: K/V blocks and tiles this CTA ran before the current
  // tile (the ring and the Q barriers continue across tiles); with
  // split-KV, the number of splits (a tile's split comes from its index).
  Value ringBase, tileCount, numTiles, persistentSplits;
  // Byte offsets (from the aligned base) of the tiles.
  int64_t qBytes = 0, kStageBytes = 0, vStageBytes = 0, kOffset = 0,
          vOffset = 0, oOffset = 0;
  // Barrier indices: Q, then full K/V, then empty K/V, per stage.
  int64_t barQ() const { return 0; }
  Value barKFull(Value st) { return addc(st, 1); }
  Value barVFull(Value st) { return addc(st, 1 + s.numStages); }
  Value barKEmpty(Value st) { return addc(st, 1 + 2 * s.numStages); }
  Value barVEmpty(Value st) { return addc(st, 1 + 3 * s.numStages); }
  // Persistent grid: the consumers are done with Q (its last Q·Kᵀ).
  int64_t barQEmpty() const { return 1 + 4 * s.numStages; }
};

} // namespace

Value HopperEmitter::sizeValue(StringRef name) {
  int64_t v = spec.size(name);
  if (!ShapedType::isDynamic(v))
    return c(v);
  // (The O tensor map is one argument more than the buffers.)
  unsigned firstSizeArg = spec.numBufferArgs() + (s.tmaStore() ? 1 : 0);
  for (auto [i, n] : llvm::enumerate(spec.dynamicSizeNames()))
    if (n == name)
      return arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                          func.getArgument(firstSizeArg + i));
  llvm_unreachable("dynamic size without a kernel argument");
}

Value HopperEmitter::tile(Value offset, int64_t rows, Type ty) {
  auto wg = gpu::AddressSpaceAttr::get(b.getContext(),
                                       gpu::AddressSpace::Workgroup);
  auto tileTy = MemRefType::get({1, 1, rows, 64}, ty ? ty : elemTy,
                            MemRefLayoutAttrInterface{}, wg);
  return memref::ViewOp::create(b, loc, tileTy, smem, add(pad, offset),
                                ValueRange{});
}

void HopperEmitter::emitProducer() {
  // One thread issues every copy: a TMA load is one instruction for a
  // whole box, whatever its size.
  Value warp0 = cmp(arith::CmpIPredicate::ult, tid, c(32));
  auto w0 = scf::IfOp::create(b, loc, warp0, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&w0.getThenRegion().front());
  auto elected = scf::IfOp::create(b, loc, electOne(b, loc), false);
  b.setInsertionPointToStart(&elected.getThenRegion().front());
  if (s.dynamicTiles())
    emitDynamicProducer();
  else if (s.persistent)
    forEachTile([&] { emitProducerTile(); });
  else
    emitProducerTile();
}

Value HopperEmitter::emitProducerTile(Value published) {
  OpBuilder::InsertionGuard guard(b);
  Value qb = c(barQ());
  // Persistent: Q's buffer is free once the consumers' last Q·Kᵀ of the
  // previous tile is done (a fresh barrier passes the first tile). So is the
  // tile slot: every consumer read it before its arrival.
  if (s.persistent)
    waitParity(b, loc, bars, c(barQEmpty()),
               parityOf(remc(addc(tileCount, 1), 2)));
  // The slot's store is released by Q's arrival, which the consumers
  // acquire before they read it.
  if (published)
    memref::StoreOp::create(
        b, loc,
        arith::IndexCastUIOp::create(b, loc, b.getI32Type(), published),
        tileSlot, ValueRange{c(0)});
  CopyGroup qGroup = CopyGroup::phase(qb, /*parity=*/Value());
  tma->expectBytes(qGroup, s.blockM * D * 2);
  for (int64_t w = 0; w < W; ++w)
    for (int64_t ch = 0; ch < D / 64; ++ch)
      tma->copyBox(mapQ, {c(ch * 64), addc(m0, 64 * w), qMapHead, batchIdx},
                   qGroup,
                   tile(c((w * (D / 64) + ch) * 64 * kSwizzleBytes), 64));
  auto loop = scf::ForOp::create(b, loc, kvBegin, kvEnd, c(1));
  b.setInsertionPointToStart(loop.getBody());
  Value j = loop.getInductionVar();
  Value i = add(ringBase, sub(j, kvBegin));
  Value st = remc(i, s.numStages);
  // A fresh barrier has completed its phase of parity 1: the first round
  // of the ring does not wait.
  Value emptyParity = parityOf(sub(c(1), remc(divc(i, s.numStages), 2)));
  Value row = mulc(j, Bc);
  // One tensor's block into its stage: wait until the consumers freed the
  // slot, open the stage's "full" phase with the bytes, then one TMA box
  // per 64 columns.
  auto loadStage = [&](Value (HopperEmitter::*emptyBar)(Value),
                       Value (HopperEmitter::*fullBar)(Value), Value map,
                       int64_t width, int64_t stageBytes, int64_t offset) {
    auto fullGroup = [&] {
      return CopyGroup::phase((this->*fullBar)(st), /*parity=*/Value());
    };
    waitParity(b, loc, bars, (this->*emptyBar)(st), emptyParity);
    tma->expectBytes(fullGroup(), Bc * width * 2);
    Value base = addc(mulc(st, stageBytes), offset);
    for (int64_t ch = 0; ch < width / 64; ++ch)
      tma->copyBox(map, {c(ch * 64), row, hkv, batchIdx}, fullGroup(),
                   tile(addc(base, ch * Bc * kSwizzleBytes), Bc));
  };
  loadStage(&HopperEmitter::barKEmpty, &HopperEmitter::barKFull, mapK, D,
            kStageBytes, kOffset);
  loadStage(&HopperEmitter::barVEmpty, &HopperEmitter::barVFull, mapV, Dv,
            vStageBytes, vOffset);
  if (!published)
    return Value();
  // The next tile, fetched once this tile's copies are issued: the atomic's
  // round trip hides under the consumers' last blocks of this tile (the
  // producer waits for them before the next Q anyway), and no index is held
  // across the K/V loop (the producer runs on 24-56 registers: producer_registers).
  b.setInsertionPointAfter(loop);
  Value before = memref::AtomicRMWOp::create(
      b, loc, arith::AtomicRMWKind::addi,
      arith::ConstantIntOp::create(b, loc, 1, 32), tileCounter,
      ValueRange{c(0)});
  return add(gpu::GridDimOp::create(b, loc, gpu::Dimension::x),
             arith::IndexCastUIOp::create(b, loc, b.getIndexType(), before));
}

void HopperEmitter::emitDynamicProducer() {
  OpBuilder::InsertionGuard guard(b);
  Type idx = b.getIndexType();
  Value first = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{idx, idx, idx}, ValueRange{first, c(0), c(0)},
      [&](OpBuilder &, Location, ValueRange args) {
        scf::ConditionOp::create(
            b, loc, cmp(arith::CmpIPredicate::ult, args[0], numTiles), args);
      },
      [&](OpBuilder &, Location, ValueRange args) {
        ringBase = args[1];
        tileCount = args[2];
        setTile(tiling.workOf(args[0], numTiles, Hq, sizeValue("heads_kv"),
                              Sq));
        Value next = emitProducerTile(args[0]);
        scf::YieldOp::create(b, loc,
                             ValueRange{next, add(ringBase, sub(kvEnd, kvBegin)),
                                        addc(tileCount, 1)});
      });
  // No tile left: publish the index past the last (the consumers stop),
  // once the consumers are done with the last tile's Q and slot.
  Value past = loop.getResult(0);
  tileCount = loop.getResult(2);
  waitParity(b, loc, bars, c(barQEmpty()),
             parityOf(remc(addc(tileCount, 1), 2)));
  memref::StoreOp::create(
      b, loc, arith::IndexCastUIOp::create(b, loc, b.getI32Type(), past),
      tileSlot, ValueRange{c(0)});
  arrive(b, loc, bars, c(barQ()));
  // This CTA took its last tile. The CTA that counts itself last here is
  // the last to touch tile_counter[0] (each CTA's last increment is ordered
  // before its count by the fence), and resets both counters for the next
  // launch.
  NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
  Value done = memref::AtomicRMWOp::create(
      b, loc, arith::AtomicRMWKind::addi,
      arith::ConstantIntOp::create(b, loc, 1, 32), tileCounter,
      ValueRange{c(1)});
  Value isLast = cmp(
      arith::CmpIPredicate::eq,
      arith::IndexCastUIOp::create(b, loc, idx, done),
      sub(gpu::GridDimOp::create(b, loc, gpu::Dimension::x), c(1)));
  scf::IfOp::create(b, loc, isLast, [&](OpBuilder &, Location) {
    NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
    Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
    memref::StoreOp::create(b, loc, zero, tileCounter, ValueRange{c(0)});
    memref::StoreOp::create(b, loc, zero, tileCounter, ValueRange{c(1)});
    scf::YieldOp::create(b, loc);
  });
}

void HopperEmitter::forEachPublishedTile(llvm::function_ref<void()> body) {
  OpBuilder::InsertionGuard guard(b);
  Type idx = b.getIndexType();
  scf::WhileOp::create(
      b, loc, TypeRange{idx, idx, idx}, ValueRange{c(0), c(0)},
      [&](OpBuilder &, Location, ValueRange args) {
        // Q's barrier completes once per tile, and once more for the index
        // past the last.
        waitParity(b, loc, bars, c(barQ()), parityOf(remc(args[1], 2)));
        Value tileIdx = arith::IndexCastUIOp::create(
            b, loc, idx,
            memref::LoadOp::create(b, loc, tileSlot, ValueRange{c(0)}));
        scf::ConditionOp::create(
            b, loc, cmp(arith::CmpIPredicate::ult, tileIdx, numTiles),
            ValueRange{tileIdx, args[0], args[1]});
      },
      [&](OpBuilder &, Location, ValueRange args) {
        ringBase = args[1];
        tileCount = args[2];
        setTile(tiling.workOf(args[0], numTiles, Hq, sizeValue("heads_kv"),
                              Sq));
        body();
        scf::YieldOp::create(
            b, loc,
            ValueRange{add(ringBase, sub(kvEnd, kvBegin)), addc(tileCount, 1)});
      });
}

SmallVector<Value> HopperEmitter::maskScores(ArrayRef<Value> sc, Value kvStart,
                                             ArrayRef<Value> positions) {
  // Key kvStart + 8·(i/4) + 2t + i%2 of row r is visible iff it is below
  // limit(r) = Sk, or min(Sk, r + Sk - Sq + 1) when causal (bottom-right):
  // one compare of the constant 8·(i/4) + i%2 against
  // limit(r) - 2t - kvStart per score, as KernelBuilder.cpp's maskScores.
  Value lane = remc(tid, 32);
  Value twoT = mulc(remc(lane, 4), 2);
  Value negInf = cf(-std::numeric_limits<double>::infinity());
  Value rel[2];
  for (int64_t half = 0; half < 2; ++half) {
    Value limit = Sk;
    if (spec.causal)
      limit = arith::MinSIOp::create(b, loc, Sk,
                                     addc(sub(add(positions[half], Sk), Sq), 1));
    rel[half] = sub(sub(limit, twoT), kvStart);
  }
  SmallVector<Value> out;
  for (auto [i, v] : llvm::enumerate(sc)) {
    int64_t half = (i % 4) / 2;
    int64_t col = 8 * (i / 4) + i % 2;
    Value keep = cmp(arith::CmpIPredicate::sgt, rel[half], c(col));
    out.push_back(select(keep, v, negInf));
  }
  return out;
}

void HopperEmitter::emitConsumer(Value cw) {
  Value cwIdx = arith::IndexCastOp::create(b, loc, b.getIndexType(), cw);
  Value ctid = remc(tid, 128);
  Value warpInGroup = divc(ctid, 32), lane = remc(ctid, 32);
  Value g = divc(lane, 4), t = remc(lane, 4);
  // This thread's two rows (accumulator halves), relative to m0, and
  // their query positions (packed rows: KernelTiling::queryPos).
  Value row0 = add(mulc(cwIdx, 64), add(mulc(warpInGroup, 16), g));
  Value rowsOfHalf[2] = {add(m0, row0), add(m0, addc(row0, 8))};
  Value posOfHalf[2] = {tiling.queryPos(rowsOfHalf[0]),
                        tiling.queryPos(rowsOfHalf[1])};

  // (The dynamic tile scheduler waited for Q before reading the tile.)
  if (!s.dynamicTiles())
    copier().wait(
        CopyGroup::phase(c(barQ()),
                         s.persistent
                             ? parityOf(remc(tileCount, 2))
                             : arith::ConstantIntOp::create(b, loc, 0, 1)),
        0);
  Value base = add(sharedAddress(b, loc, smem),
                   arith::IndexCastOp::create(b, loc, b.getI64Type(), pad));
  Value qAddr =
      add(base, arith::IndexCastOp::create(
                    b, loc, b.getI64Type(),
                    mulc(cwIdx, (D / 64) * 64 * kSwizzleBytes)));
  Value descQ = matrixDescriptor(b, loc, qAddr, 16, kSwizzleAtomBytes);

  int64_t nS = Bc / 2, nO = Dv / 2;
  // l as one FMA per block; O rescaled lazily where the schedule's
  // rescale_threshold asks for it (OnlineSoftmax::rescaleRows).
  OnlineSoftmaxParams softmaxParams;
  softmaxParams.scale = spec.scale;
  softmaxParams.fmaRowSums = true;
  softmaxParams.rescaleThreshold = s.rescaleThreshold;
  OnlineSoftmax softmax(b, loc, mma.rowFragments(1), softmaxParams);
  OnlineSoftmaxState initialRows = softmax.initialRows();
  Value negInf = initialRows.m[0], fzero = initialRows.l[0];

  // Block j's ring slot and the parity of its "full" phase.
  auto slotOf = [&](Value j) -> std::pair<Value, Value> {
    Value i = add(ringBase, sub(j, kvBegin));
    return {remc(i, s.numStages), parityOf(remc(divc(i, s.numStages), 2))};
  };
  auto stageAddr = [&](Value st, int64_t offset, int64_t stageBytes) {
    return add(base, arith::IndexCastOp::create(
                         b, loc, b.getI64Type(),
                         addc(mulc(st, stageBytes), offset)));
  };
  // Issues S = Q·K_jᵀ (committed, not waited): d/16 k-steps, each a 32-byte
  // step inside a 128-byte row, the next 64-column sub-tile every 4 steps.
  auto issueScores = [&](Value st, Value parity) {
    copier().wait(CopyGroup::phase(barKFull(st), parity), 0);
    Value descK = matrixDescriptor(b, loc, stageAddr(st, kOffset, kStageBytes),
                                   16, kSwizzleAtomBytes);
    mma.fence();
    Value S;
    for (int64_t ks = 0; ks < D / 16; ++ks) {
      int64_t inRow = (ks % 4) * 32;
      // K's descriptor step is built before Q's: the order in which the
      // earlier code's call arguments were evaluated, which the PTX's
      // instruction order follows (Q's first changes it).
      MmaOperand k = MmaOperand::shared(
          advanceDescriptor(b, loc, descK,
                            (ks / 4) * Bc * kSwizzleBytes + inRow),
          OperandMajor::K);
      MmaOperand q = MmaOperand::shared(
          advanceDescriptor(b, loc, descQ,
                            (ks / 4) * 64 * kSwizzleBytes + inRow),
          OperandMajor::K);
      S = ks == 0 ? mma.multiply(q, k, Bc) : mma.multiplyAccumulate(q, k, S);
    }
    mma.commit();
    return S;
  };
  // Issues O += P·V (committed, not waited): Bc/16 k-steps of 16 keys,
  // each 16 rows (2048 bytes) of the MN-major V tile; N = dv spans the
  // 64-column sub-tiles, Bc·128 bytes apart (the leading byte offset).
  auto issuePV = [&](Value O, ArrayRef<Value> frags, Value st, Value parity) {
    copier().wait(CopyGroup::phase(barVFull(st), parity), 0);
    Value descV = matrixDescriptor(b, loc, stageAddr(st, vOffset, vStageBytes),
                                   Bc * kSwizzleBytes, kSwizzleAtomBytes);
    mma.fence();
    for (int64_t kk = 0; kk < Bc / 16; ++kk)
      O = mma.multiplyAccumulate(
          MmaOperand::registers(frags.slice(4 * kk, 4)),
          MmaOperand::shared(
              advanceDescriptor(b, loc, descV, kk * 16 * kSwizzleBytes),
              OperandMajor::MN),
          O);
    mma.commit();
    return O;
  };
  // The mask (blocks that need it: the Sk tail, the causal diagonal;
  // KernelTiling::needsMask), then the online softmax of block j's scores
  // (OnlineSoftmax::rescaleRows): new row maxes, P (as RS fragments), l, and
  // the factor that moves O to the new maxes. A row lives in the 4 lanes of
  // a quad.
  struct Step {
    /// P in f32, accumulator order; packFragments converts it.
    SmallVector<Value> p;
    Value m[2], l[2], alpha[2];
    /// OnlineSoftmaxStep::rescaled: null, or whether O needs alpha.
    Value rescaled;
  };
  // P as the RS fragments of P·V (cvt to the element type, two a register).
  auto packFragments = [&](ArrayRef<Value> p) {
    SmallVector<Value> frags;
    for (int64_t kk = 0; kk < Bc / 16; ++kk)
      llvm::append_range(frags, wgmma.sliceFragment(p, kk));
    return frags;
  };
  auto softmaxStep = [&](Value S, Value j, ArrayRef<Value> m,
                         ArrayRef<Value> l) {
    SmallVector<Value> sc = wgmma.accumulatorElements(S);
    if (kvRange.anyMask) {
      // No lower diagonal bound here: needsMask reads no key position.
      Value need = tiling.needsMask(kvRange, j, /*kvStart=*/Value());
      SmallVector<Type> types(nS, f32Ty);
      auto ifOp = scf::IfOp::create(b, loc, types, need, true);
      {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(&ifOp.getThenRegion().front());
        scf::YieldOp::create(b, loc,
                             maskScores(sc, mulc(j, Bc), posOfHalf));
        b.setInsertionPointToStart(&ifOp.getElseRegion().front());
        scf::YieldOp::create(b, loc, sc);
      }
      sc.assign(ifOp.getResults().begin(), ifOp.getResults().end());
    }
    SmallVector<SmallVector<Value>> rowScores(2);
    for (auto [k, v] : llvm::enumerate(sc))
      rowScores[RowFragments::wgmmaRow(k)].push_back(v);
    OnlineSoftmaxState rowState;
    rowState.m.assign(m.begin(), m.end());
    rowState.l.assign(l.begin(), l.end());
    OnlineSoftmaxStep rows = softmax.rescaleRows(std::move(rowScores), rowState);
    softmax.beginExponentials(rows);
    // P in accumulator order (the RS fragments' order), each score the next
    // of its row.
    SmallVector<Value> p(nS);
    Value rowSum[2];
    int64_t nextInRow[2] = {0, 0};
    for (int64_t k = 0; k < nS; ++k) {
      int64_t half = RowFragments::wgmmaRow(k);
      p[k] = softmax.probability(rows, half, nextInRow[half]++);
      rowSum[half] = softmax.sumInto(rowSum[half], p[k]);
    }
    Step step;
    for (int64_t half = 0; half < 2; ++half) {
      step.m[half] = rows.state.m[half];
      step.alpha[half] = rows.alpha[half];
      step.l[half] = softmax.finishRowSum(rows, half, rowSum[half]);
    }
    step.p = std::move(p);
    step.rescaled = rows.rescaled;
    return step;
  };
  auto rescale = [&](Value O, const Step &step) {
    auto multiply = [&]() {
      SmallVector<Value> o = wgmma.accumulatorElements(O);
      for (int64_t k = 0; k < nO; ++k)
        o[k] = fmul(o[k], step.alpha[RowFragments::wgmmaRow(k)]);
      return wgmma.accumulatorFromElements(o);
    };
    if (!step.rescaled)
      return multiply();
    // A warp-uniform branch: most blocks leave O alone.
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{O.getType()},
                                  step.rescaled, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, loc, multiply());
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(b, loc, O);
    return ifOp.getResult(0);
  };

  Value zeroO = mma.zeroAccumulator(Dv);
  SmallVector<Value> result; // O, m0, m1, l0, l1
  if (!s.overlapSoftmax) {
    // Each block in order: Q·Kᵀ, softmax, P·V, each waited for.
    SmallVector<Value> inits = {zeroO, negInf, negInf, fzero, fzero};
    auto loop = scf::ForOp::create(b, loc, kvBegin, kvEnd, c(1), inits);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value j = loop.getInductionVar();
      ValueRange it = loop.getRegionIterArgs();
      auto [st, parity] = slotOf(j);
      Value S = issueScores(st, parity);
      mma.wait(0);
      S = mma.fenceAccumulator(S);
      arrive(b, loc, bars, barKEmpty(st));
      Step step = softmaxStep(S, j, {it[1], it[2]}, {it[3], it[4]});
      Value O = issuePV(rescale(it[0], step), packFragments(step.p),
                        st, parity);
      mma.wait(0);
      O = mma.fenceAccumulator(O);
      arrive(b, loc, bars, barVEmpty(st));
      scf::YieldOp::create(b, loc, ValueRange{O, step.m[0], step.m[1],
                                              step.l[0], step.l[1]});
    }
    result.assign(loop.getResults().begin(), loop.getResults().end());
    if (s.persistent)
      arrive(b, loc, bars, c(barQEmpty()));
  } else {
    // FlashAttention-3's intra-warpgroup overlap: P·V lags one block behind
    // Q·Kᵀ. Iteration j issues S_j = Q·K_jᵀ and O += P_{j-1}·V_{j-1},
    // waits for S_j only (wait_group 1) and runs block j's softmax while
    // P·V is in flight, then waits for it and rescales O.
    //
    // Ping-pong (s.pingPong): the GEMM issues of the n+1 issue points (S_0;
    // S_j with P·V_{j-1}; the last P·V) take turns between the consumer
    // warpgroups: warpgroup w waits on named barrier 1 + w before issuing
    // and arrives on the next warpgroup's barrier after, each barrier
    // counting 256 threads (the waiter and the previous warpgroup). The last
    // warpgroup seeds the first one's barrier and skips its arrival after its
    // last issue, so that every barrier's arrivals match its waits (every
    // warpgroup of a CTA has the same number of blocks).
    Value pingBar, pongBar;
    if (s.pingPong) {
      auto i32c = [&](int64_t v) {
        return arith::ConstantIntOp::create(b, loc, v, 32);
      };
      pingBar = arith::AddIOp::create(b, loc, cw, i32c(1));
      pongBar = arith::AddIOp::create(
          b, loc,
          arith::RemUIOp::create(b, loc, arith::AddIOp::create(b, loc, cw,
                                                               i32c(1)),
                                 i32c(W)),
          i32c(1));
    }
    Value isLastWG = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq, cw,
        arith::ConstantIntOp::create(b, loc, W - 1, 32));
    auto beginIssue = [&]() {
      if (s.pingPong)
        namedBarrierSync(b, loc, pingBar, 256);
    };
    auto endIssue = [&](bool last) {
      if (!s.pingPong)
        return;
      if (!last) {
        namedBarrierArrive(b, loc, pongBar, 256);
        return;
      }
      Value notLastWG = arith::XOrIOp::create(
          b, loc, isLastWG, arith::ConstantIntOp::create(b, loc, 1, 1));
      scf::IfOp::create(b, loc, notLastWG, [&](OpBuilder &, Location) {
        namedBarrierArrive(b, loc, pongBar, 256);
        scf::YieldOp::create(b, loc);
      });
    };
    Value nonEmpty = cmp(arith::CmpIPredicate::slt, kvBegin, kvEnd);
    SmallVector<Type> types = {zeroO.getType(), f32Ty, f32Ty, f32Ty, f32Ty};
    auto ifOp = scf::IfOp::create(b, loc, types, nonEmpty, true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      if (s.persistent)
        arrive(b, loc, bars, c(barQEmpty()));
      scf::YieldOp::create(b, loc,
                           ValueRange{zeroO, negInf, negInf, fzero, fzero});
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      if (s.pingPong)
        scf::IfOp::create(b, loc, isLastWG, [&](OpBuilder &, Location) {
          namedBarrierArrive(
              b, loc, arith::ConstantIntOp::create(b, loc, 1, 32), 256);
          scf::YieldOp::create(b, loc);
        });
      auto [st0, parity0] = slotOf(kvBegin);
      beginIssue();
      Value S0 = issueScores(st0, parity0);
      endIssue(false);
      mma.wait(0);
      S0 = mma.fenceAccumulator(S0);
      arrive(b, loc, bars, barKEmpty(st0));
      Step first = softmaxStep(S0, kvBegin, initialRows.m, initialRows.l);
      SmallVector<Value> inits = {zeroO, first.m[0], first.m[1], first.l[0],
                                  first.l[1]};
      llvm::append_range(inits, packFragments(first.p));
      auto loop =
          scf::ForOp::create(b, loc, addc(kvBegin, 1), kvEnd, c(1), inits);
      {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(loop.getBody());
        Value j = loop.getInductionVar();
        ValueRange it = loop.getRegionIterArgs();
        SmallVector<Value> frags(it.begin() + 5, it.end());
        auto [st, parity] = slotOf(j);
        auto [stPrev, parityPrev] = slotOf(sub(j, c(1)));
        beginIssue();
        Value S = issueScores(st, parity);
        Value O = issuePV(it[0], frags, stPrev, parityPrev);
        endIssue(false);
        mma.wait(1);
        S = mma.fenceAccumulator(S);
        arrive(b, loc, bars, barKEmpty(st));
        Step step = softmaxStep(S, j, {it[1], it[2]}, {it[3], it[4]});
        mma.wait(0);
        O = mma.fenceAccumulator(O);
        // Block j-1's fragments stay alive (and their registers untouched)
        // until its P·V has read them.
        (void)mma.fenceOperands(frags);
        arrive(b, loc, bars, barVEmpty(stPrev));
        O = rescale(O, step);
        // Block j's P is packed only now, after the wait (FA3's order; the
        // f32 probabilities live in S's registers until then). Measured
        // (H200, bench/hopper-results/2026-12-03-late.md): the one
        // consumer warpgroup of the 64 x 64 d = 128 causal row at 512 keys
        // timed 301-304 / 296-297 TFLOP/s (bf16 / f16) with it, 288-295 /
        // 280-281 with the cvts before the wait (two calls, against main's
        // kernel at 280-284 in both); the 128-row kernels within the
        // noise of one kernel timed twice. ptxas still places the P·V wait
        // (WARPGROUP.DEPBAR.LE gsb0, 0x0) at the top of the softmax in
        // both orders (the SASS of d = 128 without a mask), so the
        // softmax's exponentials do not run under that P·V yet.
        SmallVector<Value> yields = {O, step.m[0], step.m[1], step.l[0],
                                     step.l[1]};
        llvm::append_range(yields, packFragments(step.p));
        scf::YieldOp::create(b, loc, yields);
      }
      ValueRange res = loop.getResults();
      auto [stLast, parityLast] = slotOf(sub(kvEnd, c(1)));
      SmallVector<Value> frags(res.begin() + 5, res.end());
      // Every Q·Kᵀ of the tile is done: the producer may load the next
      // tile's Q under this P·V and the epilogue.
      if (s.persistent)
        arrive(b, loc, bars, c(barQEmpty()));
      beginIssue();
      Value O = issuePV(res[0], frags, stLast, parityLast);
      endIssue(true);
      mma.wait(0);
      O = mma.fenceAccumulator(O);
      arrive(b, loc, bars, barVEmpty(stLast));
      scf::YieldOp::create(b, loc,
                           ValueRange{O, res[1], res[2], res[3], res[4]});
    }
    result.assign(ifOp.getResults().begin(), ifOp.getResults().end());
  }
  ValueRange res(result);


  //===--- epilogue: O / l and LSE, from registers ------------------------===//
  SmallVector<Value> o = wgmma.accumulatorElements(res[0]);
  Type outTy = spec.outElementType;
  softmax.beginEpilogue();
  Value oGlobalRow[2], inv[2], lSum[2], empty[2];
  int64_t staticRows = ShapedType::isDynamic(spec.seqQ) ? ShapedType::kDynamic
                       : s.packGQA ? spec.groupSize() * spec.seqQ
                                   : spec.seqQ;
  bool allRowsValid =
      !ShapedType::isDynamic(staticRows) && staticRows % s.blockM == 0;
  // Where the thread's rows start in O and LSE, from the op's layout
  // (TensorLayout.h), as the mma.sync kernel's locateGlobalTiles: index
  // arithmetic in which a null value adds nothing (the feature index 0)
  // and scales by nothing (LSE's feature extent, 1); bhsd starts from
  // batch·Hq + h as the grid decoded it (bh). Packed rows are head-major
  // (g·Sq + position, bhsd only): row r of the group starting at head h
  // is row r past (batch·Hq + h)·Sq, in O, LSE and the partials alike.
  auto plus = [&](Value x, Value y) { return y ? add(x, y) : x; };
  auto times = [&](Value x, Value y) { return y ? mul(x, y) : x; };
  auto extentOf = [&](TensorDim d, int64_t feature) -> Value {
    return d == TensorDim::Head  ? Hq
           : d == TensorDim::Seq ? Sq
           : feature == 1        ? Value()
                                 : c(feature);
  };
  auto rowIndex = [&](int64_t half) {
    return TensorIndex<Value>{batchIdx, h, rowsOfHalf[half], {}, bh};
  };
  auto oRowStart = [&](int64_t half) {
    return offset<Value>(
        spec.bshd ? Layout::BSHD : Layout::BHSD, rowIndex(half),
        [&](TensorDim d) { return extentOf(d, Dv); }, plus, times);
  };
  // LSE [batch, heads_q, seq_q]: a bhsd tensor of one feature.
  auto lseOffset = [&](int64_t half) {
    return offset<Value>(
        Layout::BHSD, rowIndex(half),
        [&](TensorDim d) { return extentOf(d, 1); }, plus, times);
  };
  for (int64_t half = 0; half < 2; ++half) {
    lSum[half] = softmax.rowTotal(res[3 + half]);
    inv[half] = softmax.normalizer(lSum[half], empty[half]);
    oGlobalRow[half] = oRowStart(half);
  }
  // O by TMA from shared memory, or each thread's pairs from registers
  // below; LSE from registers either way (rows < seq_q).
  bool registerO = !s.tmaStore();
  if (!registerO)
    storeOutputTile(o, inv, cwIdx, warpInGroup, g, t);
  if (!registerO && !spec.writesLse())
    return;
  // A row's O pairs (in O's type, or f32 partials) and its LSE (+inf for
  // an empty row; -inf for an empty partial, which weighs nothing in the
  // combine), from the threads of its quad.
  auto storeRowTo = [&](int64_t half, bool partial, Value oBuf, Value lseBuf) {
    Type ty = partial ? f32Ty : outTy;
    Value partRow;
    if (partial)
      partRow = tiling.partialRow(lseOffset(half), tileWork);
    Value rowStart = partial ? mulc(partRow, Dv) : oGlobalRow[half];
    for (int64_t n8 = 0; (registerO || partial) && n8 < Dv / 8; ++n8) {
      Value off = add(rowStart, addc(mulc(t, 2), 8 * n8));
      vector::StoreOp::create(
          b, loc, outputPair(o, inv, half, n8, ty), oBuf, ValueRange{off},
          /*nontemporal=*/false,
          llvm::MaybeAlign(2 * ty.getIntOrFloatBitWidth() / 8));
    }
    if (!lseBuf)
      return;
    Value lse = softmax.logSumExp(res[1 + half], lSum[half]);
    lse = select(empty[half],
                 cf(partial ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity()),
                 lse);
    Value first = cmp(arith::CmpIPredicate::eq, t, c(0));
    scf::IfOp::create(b, loc, first, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, loc, lse, lseBuf,
                              ValueRange{partial ? partRow : lseOffset(half)});
      scf::YieldOp::create(b, loc);
    });
  };
  for (int64_t half = 0; half < 2; ++half) {
    auto storeRow = [&]() {
      if (!spec.splitKV()) {
        storeRowTo(half, /*partial=*/false, oGlobal,
                   spec.hasLse ? lseGlobal : Value());
        return;
      }
      if (!oFinal) {
        storeRowTo(half, /*partial=*/true, oGlobal, lseGlobal);
        return;
      }
      // One split at run time: O and LSE directly, rounded as the combine
      // would (it weighs a lone split exactly 1); the host skips the
      // combine launch.
      scf::IfOp::create(
          b, loc, cmp(arith::CmpIPredicate::eq, tileWork.numSplits, c(1)),
          [&](OpBuilder &, Location) {
            storeRowTo(half, /*partial=*/false, oFinal, lseFinal);
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &, Location) {
            storeRowTo(half, /*partial=*/true, oGlobal, lseGlobal);
            scf::YieldOp::create(b, loc);
          });
    };
    if (allRowsValid) {
      storeRow();
    } else {
      Value inside =
          cmp(arith::CmpIPredicate::ult, rowsOfHalf[half], rowsTotal);
      scf::IfOp::create(b, loc, inside, [&](OpBuilder &, Location) {
        storeRow();
        scf::YieldOp::create(b, loc);
      });
    }
  }
}

Value HopperEmitter::outputPair(ArrayRef<Value> o, const Value inv[2],
                                int64_t half, int64_t n8, Type outTy) {
  if (!outTy)
    outTy = spec.outElementType;
  SmallVector<Value> pair;
  for (int64_t e = 0; e < 2; ++e) {
    Value v = fmul(o[4 * n8 + 2 * half + e], inv[half]);
    if (outTy != b.getF32Type())
      v = arith::TruncFOp::create(b, loc, outTy, v);
    pair.push_back(v);
  }
  return vector::FromElementsOp::create(b, loc, VectorType::get({2}, outTy),
                                        pair);
}

Value HopperEmitter::outputTileOffset(Value cwIdx) {
  // A warpgroup's tile of 64 rows: Dv/64 sub-tiles of 64 x 64 (Q's layout,
  // and D = Dv).
  return addc(mulc(cwIdx, (Dv / 64) * 64 * kSwizzleBytes), oOffset);
}

void HopperEmitter::storeOutputTile(ArrayRef<Value> o, const Value inv[2],
                                    Value cwIdx, Value warpInGroup, Value g,
                                    Value t) {
  Type outTy = spec.outElementType;
  Value ctid = remc(tid, 128);
  Value leader = cmp(arith::CmpIPredicate::eq, ctid, c(0));
  Value barrierId = arith::IndexCastOp::create(
      b, loc, b.getI32Type(), addc(cwIdx, 1 + W));
  Value tileStart = outputTileOffset(cwIdx);
  // O's own tile still feeds the previous tile's store until its bulk
  // group has read it: the leader (which issued that store) waits, and the
  // warpgroup's barrier holds the others' writes until it has. Q's tile was
  // read by the warpgroup's Q·Kᵀ, complete for each warp after its last
  // wgmma wait; the barrier also orders every warp's wait before any warp's
  // write (a wgmma's shared reads belong to all four warps: racecheck
  // reported the writes of one warp against the reads of another without
  // it).
  if (s.ownOutputTile())
    scf::IfOp::create(b, loc, leader, [&](OpBuilder &, Location) {
      tma->waitStoresRead(0);
      scf::YieldOp::create(b, loc);
    });
  namedBarrierSync(b, loc, barrierId, 128);
  //
  // Each thread's 2 x 2 elements per 8 columns: row r (= 16·warp + g + 8·half
  // in the warpgroup's 64) of sub-tile n8 / 8, at the 16-byte chunk
  // (n8 % 8) ^ (r % 8) of the row's 128 bytes (TMA's 128-byte swizzle;
  // r % 8 = g), 4t bytes in: the 8 rows of a warp's store hit 8 different
  // chunks, so its 32 lanes write 32 different banks.
  auto wg = gpu::AddressSpaceAttr::get(b.getContext(),
                                       gpu::AddressSpace::Workgroup);
  Value flat = memref::ViewOp::create(
      b, loc,
      MemRefType::get({64 * Dv}, outTy, MemRefLayoutAttrInterface{}, wg),
      smem, add(pad, tileStart), ValueRange{});
  for (int64_t half = 0; half < 2; ++half) {
    Value row = add(mulc(warpInGroup, 16), addc(g, 8 * half));
    Value rowStart = mulc(row, 64);
    for (int64_t n8 = 0; n8 < Dv / 8; ++n8) {
      Value vec = outputPair(o, inv, half, n8);
      Value chunk = arith::XOrIOp::create(b, loc, c(n8 % 8), g);
      Value idx = add(addc(rowStart, (n8 / 8) * 64 * 64),
                      add(mulc(chunk, 8), mulc(t, 2)));
      vector::StoreOp::create(b, loc, vec, flat, ValueRange{idx},
                              /*nontemporal=*/false, llvm::MaybeAlign(4));
    }
  }
  // The writes, then one thread's TMA store of the whole tile.
  fenceSharedToAsyncProxy(b, loc);
  namedBarrierSync(b, loc, barrierId, 128);
  scf::IfOp::create(b, loc, leader, [&](OpBuilder &, Location) {
    for (int64_t ch = 0; ch < Dv / 64; ++ch)
      tma->storeBox(mapO,
                    {c(ch * 64), add(m0, mulc(cwIdx, 64)), qMapHead, batchIdx},
                    tile(addc(tileStart, ch * 64 * kSwizzleBytes), 64, outTy));
    tma->commitStores();
    scf::YieldOp::create(b, loc);
  });
}

void HopperEmitter::setTile(const CTAWork &work) {
  bh = work.bh;
  batchIdx = work.batchIdx;
  h = work.h;
  hkv = work.hkv;
  m0 = work.m0;
  rowsTotal = work.rowsTotal;
  tileWork = work;
  qMapHead = s.packGQA ? hkv : h;
  // Which K/V blocks: all, or (causal) up to the last row's diagonal; the
  // mask from the first block that holds a key some row must not see.
  kvRange = tiling.kvRange(work, Sq, Sk);
  kvBegin = kvRange.begin ? kvRange.begin : c(0);
  kvEnd = kvRange.end;
}

void HopperEmitter::forEachTile(llvm::function_ref<void()> body) {
  tiling.persistentTile(
      numTiles, ValueRange{c(0), c(0)},
      [&](Value tile, ValueRange carried) -> SmallVector<Value> {
        ringBase = carried[0];
        tileCount = carried[1];
        setTile(tiling.workOf(tile, numTiles, Hq, sizeValue("heads_kv"), Sq,
                              persistentSplits));
        body();
        return {add(ringBase, sub(kvEnd, kvBegin)), addc(tileCount, 1)};
      });
}

void HopperEmitter::emit() {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  MLIRContext *ctx = b.getContext();

  mapQ = castTensorMap(b, loc, func.getArgument(0),
                       tensorMapType(ctx, {1, 1, 64, 64}, elemTy));
  mapK = castTensorMap(b, loc, func.getArgument(1),
                       tensorMapType(ctx, {1, 1, Bc, 64}, elemTy));
  mapV = castTensorMap(b, loc, func.getArgument(2),
                       tensorMapType(ctx, {1, 1, Bc, 64}, elemTy));
  // With the TMA-store epilogue, O's map comes after V's (the maps lead)
  // and O's buffer stays: its size gives the batch count.
  unsigned oArg = 3;
  if (s.tmaStore())
    mapO = castTensorMap(b, loc, func.getArgument(oArg++),
                         tensorMapType(ctx, {1, 1, 64, 64},
                                       spec.outElementType));
  // Then O (or O's split-KV partials), LSE (or its partials), O and LSE
  // themselves for a one-split launch, the tile counters
  // (buildHopperAttentionKernel's order).
  unsigned nextArg = oArg;
  oGlobal = func.getArgument(nextArg++);
  if (spec.writesLse())
    lseGlobal = func.getArgument(nextArg++);
  if (spec.writesOneSplitDirectly()) {
    oFinal = func.getArgument(nextArg++);
    if (spec.hasLse)
      lseFinal = func.getArgument(nextArg++);
  }
  if (s.dynamicTiles())
    tileCounter = func.getArgument(nextArg++);
  // Split-KV: the combine may be launched now (it waits for this grid to
  // finish before it reads the partials), as the mma.sync kernel does.
  if (programmaticCombine(spec))
    NVVM::GriddepcontrolOp::create(b, loc,
                                   NVVM::GridDepActionKind::launch_dependents);

  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Hq = sizeValue("heads_q");
  Sq = sizeValue("seq_q");
  Sk = sizeValue("seq_k");
  ringBase = c(0);
  if (s.persistent) {
    // A persistent grid (x only): each CTA runs tiles blockIdx.x,
    // + gridDim.x, ... (forEachTile), so the producer loads the next
    // tile's Q and K/V while the consumers finish the last one.
    if (!s.packGQA && !spec.splitKV()) {
      numTiles = mul(b.createOrFold<arith::CeilDivUIOp>(loc, Sq, c(s.blockM)),
                     tiling.batchHeads(Hq, Sq, /*q=*/Value(), oGlobal));
    } else {
      // Decode: packed groups (batch·Hkv) of G·Sq rows, times the splits
      // (KernelTiling::workOf); the batch count as decodeGrid reads it.
      Value rows = Sq;
      Value groups = tiling.batchHeads(
          Hq, Sq, /*q=*/spec.splitKV() ? oFinal : oGlobal, oGlobal);
      if (s.packGQA) {
        rows = mulc(Sq, spec.groupSize());
        groups = divc(groups, spec.groupSize());
      }
      numTiles = mul(b.createOrFold<arith::CeilDivUIOp>(loc, rows, c(s.blockM)),
                     groups);
      if (spec.splitKV()) {
        persistentSplits = sizeValue("num_splits");
        numTiles = mul(numTiles, persistentSplits);
      }
    }
  } else {
    // The grid: KernelBuilder.cpp's (query blocks on x, heaviest causal
    // blocks first; batch·heads on y, spread over y and z when folded).
    // With packed rows or split-KV, a dynamic batch count comes from a
    // buffer of Q's extent: O itself (d = dv here), the kernel's own
    // without split-KV, else the one-split launch's (with a dynamic batch
    // the split count is the launch's; hopperKernelUnsupported).
    setTile(tiling.decodeGrid(Hq, sizeValue("heads_kv"), Sq,
                              [&](StringRef name) { return sizeValue(name); },
                              /*q=*/spec.splitKV() ? oFinal : oGlobal,
                              oGlobal));
  }

  // Barriers: a static shared array (nvgpu.mbarrier.create).
  int64_t numBarriers = 1 + 4 * s.numStages + (s.persistent ? 1 : 0);
  bars = createBarriers(b, loc, numBarriers);

  // Shared memory: the dynamic window rounded up to 1024 bytes (the host
  // asks for 1 KiB more), Q | K x stages | V x stages. The window starts
  // past the barrier array too: the dynamic-memory symbol is a static
  // variable of its own, which ptxas may place right before the barriers
  // (it does: symbol at 0x400, barriers at 0x408), and a window rounded up
  // from the symbol alone then starts on them: Q's row 0 and the barriers
  // share bytes (NaN rows under compute-sanitizer; bench/NOTES.md, "Hopper
  // correctness").
  auto wg = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  smem = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface{}, wg));
  Value baseIdx = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, smem);
  Value lastBarrier = nvgpu::MBarrierGetOp::create(
      b, loc, b.getI64Type(), bars, c(numBarriers - 1));
  Value barriersEnd =
      addc(arith::IndexCastUIOp::create(b, loc, b.getIndexType(), lastBarrier),
           8);
  Value windowStart = mulc(
      divc(addc(arith::MaxUIOp::create(b, loc, baseIdx, barriersEnd),
                kSwizzleAtomBytes - 1),
           kSwizzleAtomBytes),
      kSwizzleAtomBytes);
  pad = sub(windowStart, baseIdx);
  qBytes = s.blockM * D * 2;
  kStageBytes = Bc * D * 2;
  vStageBytes = Bc * Dv * 2;
  kOffset = qBytes;
  vOffset = qBytes + s.numStages * kStageBytes;
  int64_t endOfTiles = vOffset + s.numStages * vStageBytes;
  // O's own tile (persistent tma_store) after V's stages; the tile slot
  // after everything.
  oOffset = s.ownOutputTile() ? endOfTiles : 0;
  if (s.ownOutputTile())
    endOfTiles += s.blockM * Dv * 2;
  if (s.dynamicTiles())
    tileSlot = memref::ViewOp::create(
        b, loc,
        MemRefType::get({1}, b.getI32Type(), MemRefLayoutAttrInterface{}, wg),
        smem, add(pad, c(endOfTiles)), ValueRange{});

  // The barriers, initialized by one thread before anyone uses them.
  tma.emplace(b, loc, bars);
  {
    Value first = cmp(arith::CmpIPredicate::eq, tid, c(0));
    auto ifOp = scf::IfOp::create(b, loc, first, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    initBarrier(b, loc, bars, c(barQ()), 1);
    for (int64_t st = 0; st < s.numStages; ++st) {
      initBarrier(b, loc, bars, barKFull(c(st)), 1);
      initBarrier(b, loc, bars, barVFull(c(st)), 1);
      // Every consumer thread releases the buffer it read.
      initBarrier(b, loc, bars, barKEmpty(c(st)), W * 128);
      initBarrier(b, loc, bars, barVEmpty(c(st)), W * 128);
    }
    if (s.persistent)
      initBarrier(b, loc, bars, c(barQEmpty()), W * 128);
    prefetchTensorMap(b, loc, mapQ);
    prefetchTensorMap(b, loc, mapK);
    prefetchTensorMap(b, loc, mapV);
    if (mapO)
      prefetchTensorMap(b, loc, mapO);
  }
  gpu::BarrierOp::create(b, loc);

  // The roles: one if/else, each branch a whole warpgroup (setmaxnreg).
  Value wgIdx = warpgroupIndex(b, loc, tid);
  Value isProducer = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, wgIdx,
      arith::ConstantIntOp::create(b, loc, 0, 32));
  auto roles = scf::IfOp::create(b, loc, isProducer, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&roles.getThenRegion().front());
    setMaxRegisters(b, loc, s.producerRegisters, /*increase=*/false);
    emitProducer();
    b.setInsertionPointToStart(&roles.getElseRegion().front());
    setMaxRegisters(b, loc, s.consumerRegisters, /*increase=*/true);
    Value cw = arith::SubIOp::create(
        b, loc, wgIdx, arith::ConstantIntOp::create(b, loc, 1, 32));
    if (s.dynamicTiles())
      forEachPublishedTile([&] { emitConsumer(cw); });
    else if (s.persistent)
      forEachTile([&] { emitConsumer(cw); });
    else
      emitConsumer(cw);
    if (s.tmaStore()) {
      // The shared tiles must outlive the last TMA store's reads of them
      // (the CTA's shared memory is not kept for its bulk copies).
      Value leader = cmp(arith::CmpIPredicate::eq, remc(tid, 128), c(0));
      scf::IfOp::create(b, loc, leader, [&](OpBuilder &, Location) {
        tma->waitStoresRead(0);
        scf::YieldOp::create(b, loc);
      });
    }
  }
  gpu::ReturnOp::create(b, loc);
}

gpu::GPUFuncOp fa2::buildHopperAttentionKernel(OpBuilder &builder,
                                               Location loc,
                                               gpu::GPUModuleOp module,
                                               const AttentionKernelSpec &spec) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  MLIRContext *ctx = builder.getContext();
  Type mapTy = tensorMapValueType(ctx);
  SmallVector<Type> argTypes = {mapTy, mapTy, mapTy};
  if (spec.schedule.tmaStore())
    argTypes.push_back(mapTy);
  argTypes.push_back(spec.bufferType(spec.outBuffer()));
  if (spec.writesLse())
    argTypes.push_back(spec.bufferType(spec.lseBuffer()));
  for (StringRef buffer : spec.finalBuffers())
    argTypes.push_back(spec.bufferType(buffer));
  if (spec.schedule.dynamicTiles())
    argTypes.push_back(spec.bufferType("tile_counter"));
  for (size_t i = 0; i < spec.dynamicSizeNames().size(); ++i)
    argTypes.push_back(builder.getI32Type());
  auto func = gpu::GPUFuncOp::create(builder, loc, spec.name,
                                     builder.getFunctionType(argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {static_cast<int32_t>(spec.schedule.numThreads()), 1, 1}));
  // setmaxnreg needs a register cap at entry: the block size with one CTA
  // per SM (ptxas warns C7508 and ignores it otherwise), or with
  // min_blocks_per_sm of them (a smaller cap; validateSchedule keeps the
  // roles' registers within it).
  func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                builder.getI32IntegerAttr(
                    static_cast<int32_t>(spec.schedule.ctasPerSM())));
  func->setAttr(kTensorMapParamsAttr,
                spec.schedule.tmaStore()
                    ? builder.getDenseI64ArrayAttr({0, 1, 2, 3})
                    : builder.getDenseI64ArrayAttr({0, 1, 2}));
  HopperEmitter(builder, loc, spec, func).emit();
  return func;
}
