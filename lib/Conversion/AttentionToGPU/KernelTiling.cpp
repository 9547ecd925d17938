//===- KernelTiling.cpp - the attention kernel's grid and K/V loop --------===//
//
// KernelTiling's definitions (KernelTiling.h).
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/KernelTiling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace fa2;

CTAWork KernelTiling::decodeGrid(Value Hq, Value Hkv, Value Sq,
                                 function_ref<Value(StringRef)> sizeValue,
                                 Value q, Value o) {
  CTAWork w;
  Value qBlock = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  w.rowsTotal = s.packGQA ? mulc(Sq, spec.groupSize()) : Sq;
  if (spec.splitKV()) {
    // Grid x = row tiles · splits: x = split · tiles + tile, so that the
    // splits of one row tile run side by side (their K/V ranges differ,
    // their Q tile is the same).
    w.numSplits = sizeValue("num_splits");
    Value numQBlocks =
        b.createOrFold<arith::CeilDivUIOp>(loc, w.rowsTotal, c(s.blockM));
    w.splitIdx = divu(qBlock, numQBlocks);
    qBlock = remu(qBlock, numQBlocks);
    if (spec.causal)
      qBlock = sub(sub(numQBlocks, c(1)), qBlock);
  }
  Value bh = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value numBH;
  if (spec.foldBatchHeads) {
    // batch·Hq spread over grid y and z (AttentionKernelSpec).
    Value z = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
    bh = add(bh, mul(gpu::GridDimOp::create(b, loc, gpu::Dimension::y), z));
    numBH = batchHeads(Hq, Sq, q, o);
    // Packed rows: one CTA row per (batch, K/V head).
    if (s.packGQA)
      numBH = divc(numBH, spec.groupSize());
    bh = minu(bh, sub(numBH, c(1)));
  }
  if (spec.causal && !spec.splitKV()) {
    // Heaviest query blocks first: a causal CTA's work grows with its block
    // index, and CTAs start in blockIdx order, so the last wave is made of
    // the lightest ones instead of the heaviest (+1.5% at d = 128, +2.5% at
    // d = 256, bench/NOTES.md row 32). Heads stay in order, which keeps the
    // K/V of the heads in flight in L2, unless the schedule orders them by
    // sections.
    Value numQBlocks = gpu::GridDimOp::create(b, loc, gpu::Dimension::x);
    if (s.headSectionBytes > 0 && !s.packGQA) {
      if (!numBH)
        numBH = gpu::GridDimOp::create(b, loc, gpu::Dimension::y);
      orderByHeadSections(qBlock, bh, numQBlocks, numBH, sizeValue("seq_k"));
    }
    qBlock = sub(sub(numQBlocks, c(1)), qBlock);
  }
  if (s.packGQA) {
    // Grid y counts (batch, K/V head).
    decodePackedGroup(w, qBlock, bh, Hq, Hkv);
    return w;
  }
  decodeHeads(w, qBlock, bh, Hq, Hkv);
  return w;
}

void KernelTiling::orderByHeadSections(Value &qBlock, Value &bh,
                                       Value numQBlocks, Value numBH,
                                       Value Sk) {
  // The CTA's place in launch order, L = x + QB·bh (the folded grid's extra
  // CTAs were clamped onto the last head above: they take a tile of the
  // last section again and write what its own CTA writes). Sections of C
  // heads hold C·QB consecutive places: the heaviest block of each of
  // their heads, then the next heaviest of each, ... The last section may
  // have fewer heads.
  int64_t bytesPerKey =
      (spec.headDim + spec.headDimV) *
      (spec.elementType.getIntOrFloatBitWidth() / 8);
  // (max(.., 1): no division by zero where seq_k is 0.)
  Value sectionHeads = maxu(
      c(1), divu(c(s.headSectionBytes), maxu(mulc(Sk, bytesPerKey), c(1))));
  Value place = add(qBlock, mul(numQBlocks, bh));
  Value sectionPlaces = mul(sectionHeads, numQBlocks);
  Value firstHead = mul(divu(place, sectionPlaces), sectionHeads);
  Value rest = remu(place, sectionPlaces);
  Value heads = minu(sectionHeads, sub(numBH, firstHead));
  // Launch-order rank of the block, 0 = the heaviest (the caller reverses).
  qBlock = divu(rest, heads);
  bh = add(firstHead, remu(rest, heads));
}

void KernelTiling::decodePackedGroup(CTAWork &w, Value qBlock, Value group,
                                     Value Hq, Value Hkv) {
  // The tile's rows are the group's query heads h .. h + G - 1 (times Sq),
  // bh their first (batch, head).
  w.batchIdx = divu(group, Hkv);
  w.hkv = remu(group, Hkv);
  w.h = mulc(w.hkv, spec.groupSize());
  w.bh = add(mul(w.batchIdx, Hq), w.h);
  w.qBlock = qBlock;
  w.m0 = mulc(qBlock, s.blockM);
}

void KernelTiling::decodeHeads(CTAWork &w, Value qBlock, Value bh, Value Hq,
                               Value Hkv) {
  w.batchIdx = divu(bh, Hq);
  w.h = remu(bh, Hq);
  // GQA/MQA: query head h reads K/V head h / (Hq / Hkv).
  Value groupSize = divu(Hq, Hkv);
  w.hkv = divu(w.h, groupSize);
  w.bh = bh;
  w.qBlock = qBlock;
  w.m0 = mulc(qBlock, s.blockM);
}

Value KernelTiling::batchHeads(Value Hq, Value Sq, Value q, Value o) {
  if (!ShapedType::isDynamic(spec.batch()))
    return mul(c(spec.batch()), Hq);
  if (s.packGQA || spec.splitKV())
    return b.createOrFold<arith::DivUIOp>(
        loc, memref::DimOp::create(b, loc, q, 0), mul(Sq, c(spec.headDim)));
  return b.createOrFold<arith::DivUIOp>(
      loc, memref::DimOp::create(b, loc, o, 0), mul(Sq, c(spec.headDimV)));
}

CTAWork KernelTiling::workOf(Value tile, Value numTiles, Value Hq, Value Hkv,
                             Value Sq, Value numSplits) {
  CTAWork w;
  if (s.packGQA || numSplits) {
    w.rowsTotal = s.packGQA ? mulc(Sq, spec.groupSize()) : Sq;
    Value numQBlocks =
        b.createOrFold<arith::CeilDivUIOp>(loc, w.rowsTotal, c(s.blockM));
    Value qBlock = remu(tile, numQBlocks);
    Value rest = divu(tile, numQBlocks);
    Value bh = rest;
    if (numSplits) {
      Value numBH = divu(numTiles, mul(numQBlocks, numSplits));
      bh = remu(rest, numBH);
      w.splitIdx = divu(rest, numBH);
      w.numSplits = numSplits;
    }
    if (!s.packGQA) {
      decodeHeads(w, qBlock, bh, Hq, Hkv);
      return w;
    }
    decodePackedGroup(w, qBlock, bh, Hq, Hkv);
    return w;
  }
  w.rowsTotal = Sq;
  Value numQBlocks = b.createOrFold<arith::CeilDivUIOp>(loc, Sq, c(s.blockM));
  Value numBH = divu(numTiles, numQBlocks);
  if (spec.causal) {
    Value heavyRank = divu(tile, numBH);
    Value qBlock = sub(sub(numQBlocks, c(1)), heavyRank);
    decodeHeads(w, qBlock, remu(tile, numBH),
                Hq, Hkv);
    return w;
  }
  Value bh = divu(tile, numQBlocks);
  Value qBlock = remu(tile, numQBlocks);
  decodeHeads(w, qBlock, bh, Hq, Hkv);
  return w;
}

void KernelTiling::persistentTile(
    Value numTiles, ValueRange inits,
    function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  Value first = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value step = gpu::GridDimOp::create(b, loc, gpu::Dimension::x);
  auto loop = scf::ForOp::create(b, loc, first, numTiles, step, inits);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  SmallVector<Value> next =
      body(loop.getInductionVar(), loop.getRegionIterArgs());
  scf::YieldOp::create(b, loc, next);
}

Value KernelTiling::queryPos(Value row) {
  if (!s.packGQA)
    return row;
  if (headMajorRows())
    return remc(row, spec.seqQ);
  return divc(row, spec.groupSize());
}

KVBlockRange KernelTiling::kvRange(const CTAWork &work, Value Sq, Value Sk) {
  // MaskSemantics' diagonal bounds: row r keeps keys r + Sk - Sq + [lo, hi]
  // (causal: hi = 0; a window adds lo = -left, and hi = right without
  // causal). Blocks outside the rows' visible keys are skipped, except with a
  // finite fill, where a removed key still weighs exp(fill - m).
  Value m0 = work.m0;
  std::optional<int64_t> diagLo = sem.diagLo(), diagHi = sem.diagHi();
  bool skipRemoved = sem.canSkipRemoved();
  KVBlockRange r;
  Value numKV = b.createOrFold<arith::CeilDivUIOp>(loc, Sk, c(s.blockN));
  Value kvEnd = numKV;
  if (diagHi && skipRemoved) {
    // The last query row of the block sees keys up to
    // min(m0+Br, Sq) - 1 + Sk - Sq + hi: blocks past it are skipped.
    // (Head-major packed rows: a tile's rows may hold every position.)
    Value rowsEnd =
        headMajorRows()
            ? Sq
            : arith::MinSIOp::create(
                  b, loc,
                  s.packGQA
                      ? b.createOrFold<arith::CeilDivUIOp>(
                            loc, addc(m0, s.blockM), c(spec.groupSize()))
                      : addc(m0, s.blockM),
                  Sq);
    Value visible = addc(sub(add(rowsEnd, Sk), Sq), *diagHi);
    Value blocks = arith::MaxSIOp::create(
        b, loc, c(0), arith::CeilDivSIOp::create(b, loc, visible, c(s.blockN)));
    kvEnd = arith::MinSIOp::create(b, loc, numKV, blocks);
  }
  // The first block: the first query row m0 sees no key before
  // m0 + Sk - Sq + lo, nor does any later row.
  Value kvBegin;
  if (diagLo && skipRemoved) {
    Value first = arith::MaxSIOp::create(
        b, loc, c(0), addc(sub(add(firstQueryPos(m0), Sk), Sq), *diagLo));
    kvBegin = arith::MinSIOp::create(
        b, loc, kvEnd, b.createOrFold<arith::DivUIOp>(loc, first, c(s.blockN)));
  }
  if (spec.splitKV()) {
    // This CTA's split: blocks [lo + s·n/S, lo + (s+1)·n/S) of the row
    // tile's visible range [lo, lo + n), S splits: the splits differ by at
    // most one block (ceil(n/S) blocks each left the last split short, and
    // the CTA that finishes last decides a decode step's time), and a
    // causal row tile divides only the blocks it sees. A split with no
    // block (n < S) runs no iteration; its rows are empty (LSE -inf, O 0)
    // and weigh nothing in the combine.
    Value lo = kvBegin ? kvBegin : c(0);
    Value n = sub(kvEnd, lo);
    Value splitBegin = add(lo, b.createOrFold<arith::DivUIOp>(
                                   loc, mul(work.splitIdx, n), work.numSplits));
    Value splitEnd =
        add(lo, b.createOrFold<arith::DivUIOp>(
                    loc, mul(addc(work.splitIdx, 1), n), work.numSplits));
    kvBegin = splitBegin;
    kvEnd = splitEnd;
  }
  r.begin = kvBegin;
  r.end = kvEnd;
  // Blocks whose every key is visible to every query row need no mask.
  bool tailMask = ShapedType::isDynamic(spec.seqK) || spec.seqK % s.blockN != 0;
  r.anyMask = tailMask || sem.hasPositionalMask();
  if (r.anyMask) {
    r.maskFrom = Sk;
    if (diagHi)
      r.maskFrom = arith::MinSIOp::create(
          b, loc, Sk, addc(sub(add(firstQueryPos(m0), Sk), Sq), *diagHi + 1));
  }
  // ... or iff j·Bc < maskBelow: the last row's first kept key.
  if (diagLo)
    r.maskBelow =
        headMajorRows() ? addc(sub(Sk, c(1)), *diagLo)
        : s.packGQA
            ? addc(sub(add(queryPos(addc(m0, s.blockM - 1)), Sk), Sq), *diagLo)
            : addc(sub(add(m0, Sk), Sq), s.blockM - 1 + *diagLo);
  return r;
}

Value KernelTiling::partialRow(Value lseRow, const CTAWork &work) {
  return add(mul(lseRow, work.numSplits), work.splitIdx);
}

Value KernelTiling::firstQueryPos(Value m0) {
  // Head-major packed rows: the tile may start inside a head's positions
  // and hold the next head's first ones.
  return headMajorRows() ? c(0) : queryPos(m0);
}

SmallVector<KVLoopPart, 2> KernelTiling::loopParts(const KVBlockRange &range) {
  // Masked kernels whose schedule says so (splitMaskedLoop) split the K/V
  // loop in two: blocks [begin, maskStart), where every key is visible to
  // every row of the CTA, run without any mask arithmetic; blocks
  // [maskStart, end) (the causal diagonal, and the Sk tail) apply the mask
  // unconditionally. The other kernels test each block (a uniform branch).
  // The second copy of the loop body costs registers (spills at d = 128).
  // (A window's lower edge needs masked blocks at both ends: one loop.)
  bool split = range.anyMask && s.splitMaskedLoop && !sem.diagLo();
  if (!split)
    return {{range.begin ? range.begin : c(0), range.end,
             range.anyMask ? BlockMask::PerBlock : BlockMask::None}};
  // Block j needs the mask iff (j+1)·Bc > maskFrom, i.e. j >= maskFrom/Bc.
  Value first =
      arith::FloorDivSIOp::create(b, loc, range.maskFrom, c(s.blockN));
  Value maskStart = arith::MinSIOp::create(
      b, loc, range.end,
      arith::MaxSIOp::create(b, loc, range.begin ? range.begin : c(0), first));
  Value begin = range.begin ? range.begin : c(0);
  return {{begin, maskStart, BlockMask::None},
          {maskStart, range.end, BlockMask::Always}};
}

Value KernelTiling::needsMask(const KVBlockRange &range, Value j,
                              Value kvStart) {
  Value need = cmp(arith::CmpIPredicate::sgt, mulc(addc(j, 1), s.blockN),
                   range.maskFrom);
  if (range.maskBelow)
    need = arith::OrIOp::create(
        b, loc, need, cmp(arith::CmpIPredicate::slt, kvStart, range.maskBelow));
  return need;
}
