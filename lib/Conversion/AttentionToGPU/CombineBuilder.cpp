//===- CombineBuilder.cpp - the split-KV combine kernel as gpu IR ---------===//
//
// A split-KV attention kernel leaves, per (batch, head, query) row and per
// split s, the split's normalized output O_s (f32) and its log-sum-exp L_s
// (-inf for a split that saw no visible key). The whole row's softmax is
//
//   L = log Σ_s exp(L_s),   O = Σ_s exp(L_s - L) · O_s
//
// (FlashAttention's split-KV decoding merges its partials the same way).
// The combine kernel (emitCombineKernelRows) gives a row one warp for a
// few splits and up to four for many, deals the row's splits to groups of
// lanes and merges each group's in one pass with a running maximum, every
// load of a trip issued before its arithmetic; the groups meet by shuffles,
// the warps through shared memory. The last-CTA merge at the end of a
// split kernel (emitLastCTACombine) merges a tile's rows with emitCombineRow:
// several rows side by side in one pass (emitOnlineGroupRow), or one row a
// warp in two passes (the L_s reduced with shuffles into weights in shared
// memory, then kCombineUnroll partial rows a trip, whole trips: the loads
// past the last split repeat it with weight 0). (A loop that loaded one L_s
// and one partial per trip waited a full L2 round trip per split: at 33
// splits that was most of a batch-1 decode step.)
// A row whose every split is empty gets O = 0 and L = +inf, as the
// one-kernel path writes for an empty row.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/CombineBuilder.h"
#include "fa2/Conversion/AttentionToGPU/KernelIR.h"
#include "fa2/Conversion/AttentionToGPU/Schedule.h"
#include "fa2/Dialect/Attention/IR/TensorLayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace fa2;

bool fa2::programmaticCombine(const AttentionKernelSpec &spec) {
  return spec.splitKV() && !spec.lastCTACombine() &&
         llvm::StringRef(spec.chip.name).starts_with("sm_9");
}

std::string fa2::combineKernelName(const AttentionKernelSpec &spec) {
  return spec.name + "_combine";
}

SmallVector<std::string>
fa2::combineSizeNames(const AttentionKernelSpec &spec) {
  SmallVector<std::string> names;
  for (StringRef name : {"heads_q", "seq_q", "num_splits"})
    if (ShapedType::isDynamic(spec.size(name)))
      names.push_back(name.str());
  return names;
}

/// Where row `row`'s O starts, from the layout (TensorLayout.h). The rows
/// run over (batch, head, seq) in that order: in a bhsd O they lie one
/// after another, a row stride apart; bshd takes the row's indices apart
/// first. A null index adds nothing (the feature index 0).
static Value emitOutputRowOffset(OpBuilder &b, Location loc,
                                 const AttentionKernelSpec &spec, Value row,
                                 Value hq, Value sq, Value rowsPerBatch) {
  KernelIRBuilder ir(b, loc);
  int64_t dv = spec.headDimV;
  auto extent = [&](TensorDim d) -> Value {
    return d == TensorDim::Head  ? hq
           : d == TensorDim::Seq ? sq
                                 : ir.c(dv);
  };
  auto plus = [&](Value x, Value y) -> Value {
    return y ? arith::AddIOp::create(b, loc, x, y) : x;
  };
  auto times = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, loc, x, y);
  };
  if (!spec.bshd)
    return times(row, stride<Value>(Layout::BHSD, TensorDim::Seq, extent,
                                    times, Value()));
  TensorIndex<Value> at;
  at.batch = arith::DivUIOp::create(b, loc, row, rowsPerBatch);
  Value hi = arith::RemUIOp::create(b, loc, row, rowsPerBatch);
  at.head = arith::DivUIOp::create(b, loc, hi, sq);
  at.seq = arith::RemUIOp::create(b, loc, hi, sq);
  return offset<Value>(Layout::BSHD, at, extent, plus, times);
}

namespace {
/// The arithmetic of an online merge of split partials (FlashAttention's
/// online softmax, over splits instead of key blocks). A state is the
/// largest L_s so far, Σ exp(L_s - ref) and Σ exp(L_s - ref)·O_s in perLane
/// 4-column chunks, ref = refOf(largest): 0 while every split so far is
/// empty (-inf), so that no weight is NaN.
struct OnlineMerge {
  struct State {
    Value m, sum;
    SmallVector<Value> acc;
  };

  OnlineMerge(OpBuilder &b, Location loc, int64_t perLane)
      : b(b), loc(loc), ir(b, loc), perLane(perLane),
        vec4(VectorType::get({4}, b.getF32Type())) {
    negInf = ir.cf(-std::numeric_limits<double>::infinity());
    cLog2e = ir.cf(1.4426950408889634);
  }

  /// exp2((x - ref)·log2 e): a split's (or a state's maximum's) weight.
  Value weight(Value x, Value ref) {
    Value e = arith::MulFOp::create(
        b, loc, arith::SubFOp::create(b, loc, x, ref), cLog2e);
    return math::Exp2Op::create(b, loc, e, arith::FastMathFlags::afn);
  }

  Value refOf(Value m) {
    Value none =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m, negInf);
    return arith::SelectOp::create(b, loc, none, ir.cf(0.0), m);
  }

  /// `st` with a trip's splits merged in: their L_s `lses` and partial
  /// chunks `parts` (perLane a split), loaded before this arithmetic; with
  /// `valids`, a split whose valid is false counts as empty.
  State trip(const State &st, SmallVector<Value> lses, ArrayRef<Value> parts,
             ArrayRef<Value> valids = {}) {
    Value mNew = st.m;
    for (size_t u = 0; u < lses.size(); ++u) {
      if (!valids.empty())
        lses[u] = arith::SelectOp::create(b, loc, valids[u], lses[u], negInf);
      mNew = arith::MaximumFOp::create(b, loc, mNew, lses[u]);
    }
    Value ref = refOf(mNew);
    Value scale = weight(st.m, ref);
    Value scaleV = vector::BroadcastOp::create(b, loc, vec4, scale);
    State r{mNew, arith::MulFOp::create(b, loc, st.sum, scale), {}};
    for (int64_t k = 0; k < perLane; ++k)
      r.acc.push_back(arith::MulFOp::create(b, loc, st.acc[k], scaleV));
    for (size_t u = 0; u < lses.size(); ++u) {
      Value w = weight(lses[u], ref);
      r.sum = arith::AddFOp::create(b, loc, r.sum, w);
      Value wv = vector::BroadcastOp::create(b, loc, vec4, w);
      for (int64_t k = 0; k < perLane; ++k)
        r.acc[k] = vector::FMAOp::create(b, loc, parts[u * perLane + k], wv,
                                         r.acc[k]);
    }
    return r;
  }

  /// Two states as one, against the larger maximum.
  State merge(const State &x, const State &y) {
    State r;
    r.m = arith::MaximumFOp::create(b, loc, x.m, y.m);
    Value ref = refOf(r.m);
    Value wx = weight(x.m, ref), wy = weight(y.m, ref);
    r.sum = ir.fadd(ir.fmul(x.sum, wx), ir.fmul(y.sum, wy));
    Value wxv = vector::BroadcastOp::create(b, loc, vec4, wx);
    Value wyv = vector::BroadcastOp::create(b, loc, vec4, wy);
    for (int64_t k = 0; k < perLane; ++k)
      r.acc.push_back(vector::FMAOp::create(
          b, loc, y.acc[k], wyv, arith::MulFOp::create(b, loc, x.acc[k], wxv)));
    return r;
  }

  /// O's factor 1 / sum and the row's LSE, ref + log(sum), of a finished
  /// state; a row whose every split is empty (sum 0) gets 0 and +inf, as
  /// the one-kernel path writes.
  std::pair<Value, Value> finish(Value m, Value sum) {
    Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                        sum, ir.cf(0.0));
    Value invSum = arith::SelectOp::create(
        b, loc, empty, ir.cf(0.0),
        arith::DivFOp::create(b, loc, ir.cf(1.0), sum));
    Value logSum = arith::MulFOp::create(
        b, loc, math::Log2Op::create(b, loc, sum, arith::FastMathFlags::afn),
        ir.cf(0.6931471805599453));
    Value rowLse = arith::SelectOp::create(
        b, loc, empty, ir.cf(std::numeric_limits<double>::infinity()),
        arith::AddFOp::create(b, loc, refOf(m), logSum));
    return {invSum, rowLse};
  }

  OpBuilder &b;
  Location loc;
  KernelIRBuilder ir;
  int64_t perLane;
  VectorType vec4;
  Value negInf, cLog2e;
};
} // namespace

/// emitCombineRow for a warp that merges 32 / lanesPerRow rows side by side
/// (the last-CTA merge of packed rows): one pass over the splits with a
/// running maximum, as FlashAttention's online softmax merges key blocks.
/// Each trip loads `unroll` splits' L_s and partial chunks (every load of
/// the trip before any arithmetic on them) and rescales what it holds to
/// the new maximum, so that the L_s need no round trip of their own before
/// the partials (the two-pass merge's max and sum reductions, shuffles and
/// shared weights cost one more L2 round trip of the one warp, ~0.6 us).
/// A lane keeps kLastCTALoadsInFlight 4-column loads in flight, at most
/// kCombineUnroll splits a trip.
static void emitOnlineGroupRow(OpBuilder &b, Location loc,
                               const AttentionKernelSpec &spec,
                               const CombineRowOperands &ops, Value row,
                               Value lane) {
  Type f32 = b.getF32Type(), outTy = spec.outElementType;
  KernelIRBuilder ir(b, loc);
  Value hq = ops.headsQ, sq = ops.seqQ, splits = ops.numSplits;
  int64_t dv = spec.headDimV;
  const int64_t L = ops.lanesPerRow;
  Value rowsPerBatch = arith::MulIOp::create(b, loc, hq, sq);
  // `lane` is the lane within the row's group of L.
  lane = arith::RemUIOp::create(b, loc, lane, ir.c(L));
  Value first = arith::MulIOp::create(b, loc, row, splits);
  Value lastSplit = arith::SubIOp::create(b, loc, splits, ir.c(1));
  int64_t perLane = dv / 4 / L; // chunks lane, lane + L, ... of 4 columns
  OnlineMerge om(b, loc, perLane);
  Value negInf = om.negInf;
  auto vec4 = om.vec4;
  int64_t unroll = std::max<int64_t>(
      1, std::min(kCombineUnroll, kLastCTALoadsInFlight / perLane));
  Value partRow = arith::MulIOp::create(b, loc, first, ir.c(dv));
  auto colOf = [&](int64_t k) -> Value {
    return arith::MulIOp::create(
        b, loc, arith::AddIOp::create(b, loc, lane, ir.c(L * k)), ir.c(4));
  };
  Value zero = arith::ConstantOp::create(
      b, loc, vec4, DenseElementsAttr::get(vec4, b.getF32FloatAttr(0)));
  SmallVector<Value> inits(perLane, zero);
  inits.push_back(negInf);    // the running maximum of the L_s
  inits.push_back(ir.cf(0.0)); // Σ exp(L_s - maximum)
  auto loop =
      scf::ForOp::create(b, loc, ir.c(0), splits, ir.c(unroll), inits);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    auto args = loop.getRegionIterArgs();
    SmallVector<Value> acc(args.begin(), args.begin() + perLane);
    Value m = args[perLane], sum = args[perLane + 1];
    // Past the last split a trip's loads repeat it (clamped index, in the
    // row) and its L_s counts as -inf: every trip is whole.
    SmallVector<Value> valid, lses, parts;
    for (int64_t u = 0; u < unroll; ++u) {
      Value s = arith::AddIOp::create(b, loc, loop.getInductionVar(), ir.c(u));
      valid.push_back(
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, s, splits));
      Value at = arith::MinUIOp::create(b, loc, s, lastSplit);
      lses.push_back(memref::LoadOp::create(
          b, loc, ops.lsePartial,
          ValueRange{arith::AddIOp::create(b, loc, first, at)}));
      Value base = arith::AddIOp::create(
          b, loc, partRow, arith::MulIOp::create(b, loc, at, ir.c(dv)));
      for (int64_t k = 0; k < perLane; ++k)
        parts.push_back(vector::LoadOp::create(
            b, loc, vec4, ops.oPartial,
            ValueRange{arith::AddIOp::create(b, loc, base, colOf(k))},
            /*nontemporal=*/false, llvm::MaybeAlign(16)));
    }
    OnlineMerge::State next = om.trip({m, sum, acc}, lses, parts, valid);
    SmallVector<Value> yields(next.acc);
    yields.push_back(next.m);
    yields.push_back(next.sum);
    scf::YieldOp::create(b, loc, yields);
  }
  // O = acc / sum, L = ref + log(sum).
  std::pair<Value, Value> finished =
      om.finish(loop.getResult(perLane), loop.getResult(perLane + 1));
  Value invSum = finished.first, rowLse = finished.second;
  Value oRow = emitOutputRowOffset(b, loc, spec, row, hq, sq, rowsPerBatch);
  auto store = [&] {
    Value invSumV = vector::BroadcastOp::create(b, loc, vec4, invSum);
    auto outVec = VectorType::get({4}, outTy);
    for (int64_t k = 0; k < perLane; ++k) {
      Value out = arith::MulFOp::create(b, loc, loop.getResult(k), invSumV);
      if (outTy != f32)
        out = arith::TruncFOp::create(b, loc, outVec, out);
      vector::StoreOp::create(
          b, loc, out, ops.o,
          ValueRange{arith::AddIOp::create(b, loc, oRow, colOf(k))},
          /*nontemporal=*/false,
          llvm::MaybeAlign(4 * outTy.getIntOrFloatBitWidth() / 8));
    }
    if (ops.lse) {
      Value lane0 =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, ir.c(0));
      auto ifOp = scf::IfOp::create(b, loc, lane0, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      memref::StoreOp::create(b, loc, rowLse, ops.lse, ValueRange{row});
    }
  };
  // A row that does not exist (a lane group past the tile's last row)
  // stores nothing.
  if (!ops.rowValid) {
    store();
    return;
  }
  auto ifValid = scf::IfOp::create(b, loc, ops.rowValid,
                                   /*withElseRegion=*/false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&ifValid.getThenRegion().front());
  store();
}

void fa2::emitCombineRow(OpBuilder &b, Location loc,
                         const AttentionKernelSpec &spec,
                         const CombineRowOperands &ops, Value row,
                         Value lane) {
  if (ops.lanesPerRow < 32) {
    emitOnlineGroupRow(b, loc, spec, ops, row, lane);
    return;
  }
  Type f32 = b.getF32Type(), outTy = spec.outElementType;
  KernelIRBuilder ir(b, loc);
  Value oPart = ops.oPartial, lsePart = ops.lsePartial, o = ops.o,
        lse = ops.lse, weightsSmem = ops.weights;
  Value hq = ops.headsQ, sq = ops.seqQ, splits = ops.numSplits;
  int64_t dv = spec.headDimV;
  const double log2e = 1.4426950408889634, ln2 = 0.6931471805599453;
  const double inf = std::numeric_limits<double>::infinity();
  Value rowsPerBatch = arith::MulIOp::create(b, loc, hq, sq);

  Value first = arith::MulIOp::create(b, loc, row, splits);
  auto warpReduce = [&](Value v, bool isMax) {
    for (int32_t off : {16, 8, 4, 2, 1}) {
      Value other = ir.shuffleXor(v, off);
      v = isMax ? Value(arith::MaximumFOp::create(b, loc, v, other))
                : Value(arith::AddFOp::create(b, loc, v, other));
    }
    return v;
  };
  // Lane l holds the L_s of splits l, l + 32, l + 64, l + 96 (at most
  // kMaxKVSplits): four loads that do not wait for each other, each at a
  // clamped index (always inside the row) and replaced by -inf past the
  // last split. A loop over the splits would wait for one load per trip.
  Value negInf = ir.cf(-inf);
  Value lastSplit = arith::SubIOp::create(b, loc, splits, ir.c(1));
  SmallVector<Value> splitOfLane, validSplit, rowLses;
  for (int64_t i = 0; i < kMaxKVSplits / 32; ++i) {
    Value s = arith::AddIOp::create(b, loc, lane, ir.c(32 * i));
    Value valid =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, s, splits);
    Value at = arith::AddIOp::create(
        b, loc, first, arith::MinUIOp::create(b, loc, s, lastSplit));
    Value l = memref::LoadOp::create(b, loc, lsePart, ValueRange{at});
    splitOfLane.push_back(s);
    validSplit.push_back(valid);
    rowLses.push_back(arith::SelectOp::create(b, loc, valid, l, negInf));
  }
  Value mx = rowLses[0];
  for (Value l : llvm::drop_begin(rowLses))
    mx = arith::MaximumFOp::create(b, loc, mx, l);
  mx = warpReduce(mx, /*isMax=*/true);
  // Every split empty: exponentials against 0 instead of -inf (no NaN).
  Value allEmpty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                         mx, negInf);
  Value ref = arith::SelectOp::create(b, loc, allEmpty, ir.cf(0.0), mx);
  Value cLog2e = ir.cf(log2e);
  SmallVector<Value> weights;
  Value sum = ir.cf(0.0);
  for (Value l : rowLses) {
    Value x = arith::MulFOp::create(
        b, loc, arith::SubFOp::create(b, loc, l, ref), cLog2e);
    weights.push_back(
        math::Exp2Op::create(b, loc, x, arith::FastMathFlags::afn));
    sum = arith::AddFOp::create(b, loc, sum, weights.back());
  }
  sum = warpReduce(sum, /*isMax=*/false);
  Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sum,
                                      ir.cf(0.0));
  Value logSum = arith::MulFOp::create(
      b, loc, math::Log2Op::create(b, loc, sum, arith::FastMathFlags::afn),
      ir.cf(ln2));
  Value rowLse = arith::SelectOp::create(
      b, loc, empty, ir.cf(inf), arith::AddFOp::create(b, loc, ref, logSum));
  // A warp that merges several rows reuses its weights: no lane may
  // overwrite them before every lane has read the last row's.
  if (ops.reusesWeights)
    NVVM::SyncWarpOp::create(
        b, loc, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(-1)));
  // Split s weighs exp(L_s - L) = exp2((L_s - ref)·log2 e) / sum (0 in an
  // empty row). The weights go to this warp's row of shared memory, where
  // the O loop reads them without a global load in its dependence chain.
  Value invSum = arith::SelectOp::create(
      b, loc, empty, ir.cf(0.0),
      arith::DivFOp::create(b, loc, ir.cf(1.0), sum));
  Value wRow = arith::MulIOp::create(b, loc, ops.warp, ir.c(kMaxKVSplits));
  for (auto [s, valid, w] : llvm::zip(splitOfLane, validSplit, weights)) {
    auto store = scf::IfOp::create(b, loc, valid, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&store.getThenRegion().front());
    memref::StoreOp::create(b, loc, arith::MulFOp::create(b, loc, w, invSum),
                            weightsSmem,
                            ValueRange{arith::AddIOp::create(b, loc, wRow, s)});
  }
  NVVM::SyncWarpOp::create(
      b, loc,
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(-1)));
  auto loadWeight = [&](Value s) -> Value {
    return memref::LoadOp::create(
        b, loc, weightsSmem,
        ValueRange{arith::AddIOp::create(b, loc, wRow, s)});
  };

  Value oRow = emitOutputRowOffset(b, loc, spec, row, hq, sq, rowsPerBatch);
  auto vec4 = VectorType::get({4}, f32);
  int64_t chunks = dv / 4; // dv is a multiple of 8
  Value partRow = arith::MulIOp::create(b, loc, first, ir.c(dv));
  for (int64_t firstChunk = 0; firstChunk < chunks; firstChunk += 32) {
    Value chunk = arith::AddIOp::create(b, loc, lane, ir.c(firstChunk));
    auto emitChunk = [&]() {
      Value col = arith::MulIOp::create(b, loc, chunk, ir.c(4));
      Value zero = arith::ConstantOp::create(
          b, loc, vec4, DenseElementsAttr::get(vec4, b.getF32FloatAttr(0)));
      // kCombineUnroll splits per trip, their loads independent of each
      // other (the accumulation chain waits only on FMAs); past the last
      // split a load repeats the last one (clamped index, in the row) and
      // weighs 0, so that every trip is whole: ceildiv(splits,
      // kCombineUnroll) L2 round trips, where a remainder loop of single
      // loads waited one round trip per split (4 at batch 8).
      auto accumulate = [&](Value acc, Value s) -> Value {
        Value valid =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, s, splits);
        Value at_s = arith::MinUIOp::create(b, loc, s, lastSplit);
        Value at = arith::AddIOp::create(
            b, loc,
            arith::AddIOp::create(
                b, loc, partRow, arith::MulIOp::create(b, loc, at_s, ir.c(dv))),
            col);
        Value part = vector::LoadOp::create(b, loc, vec4, oPart,
                                            ValueRange{at},
                                            /*nontemporal=*/false,
                                            llvm::MaybeAlign(16));
        Value w = arith::SelectOp::create(b, loc, valid, loadWeight(at_s),
                                          ir.cf(0.0));
        Value wv = vector::BroadcastOp::create(b, loc, vec4, w);
        return vector::FMAOp::create(b, loc, part, wv, acc);
      };
      auto loop =
          scf::ForOp::create(b, loc, ir.c(0), splits, ir.c(kCombineUnroll), zero);
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(loop.getBody());
        Value acc = loop.getRegionIterArgs()[0];
        for (int64_t u = 0; u < kCombineUnroll; ++u)
          acc = accumulate(acc, arith::AddIOp::create(
                                    b, loc, loop.getInductionVar(), ir.c(u)));
        scf::YieldOp::create(b, loc, ValueRange{acc});
      }
      Value out = loop.getResult(0);
      auto outVec = VectorType::get({4}, outTy);
      if (outTy != f32)
        out = arith::TruncFOp::create(b, loc, outVec, out);
      vector::StoreOp::create(
          b, loc, out, o,
          ValueRange{arith::AddIOp::create(b, loc, oRow, col)},
          /*nontemporal=*/false,
          llvm::MaybeAlign(4 * outTy.getIntOrFloatBitWidth() / 8));
    };
    if (firstChunk + 32 <= chunks) {
      emitChunk();
    } else {
      Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          chunk, ir.c(chunks));
      auto ifOp = scf::IfOp::create(b, loc, valid, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      emitChunk();
    }
  }
  if (lse) {
    Value lane0 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                        ir.c(0));
    if (ops.rowValid)
      lane0 = arith::AndIOp::create(b, loc, lane0, ops.rowValid);
    auto ifOp = scf::IfOp::create(b, loc, lane0, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    memref::StoreOp::create(b, loc, rowLse, lse, ValueRange{row});
  }
}

/// Lanes of the combine kernel that hold one split's partial row between
/// them (a split group): the most, up to a warp, that take whole 4-column
/// chunks each (16 at d = 64, 32 at d = 128 and 256).
static int64_t combineGroupLanes(int64_t headDimV) {
  int64_t chunks = headDimV / 4, lanes = 1;
  while (lanes < 32 && chunks % (2 * lanes) == 0)
    lanes *= 2;
  return lanes;
}

/// Splits a lane group loads in one trip: as many as keep at most
/// kCombineLoadsInFlight partial chunks a lane in flight, up to
/// kCombineUnroll.
static int64_t combineUnroll(int64_t headDimV) {
  int64_t perLane = headDimV / 4 / combineGroupLanes(headDimV);
  return std::max<int64_t>(
      1, std::min(kCombineUnroll, kCombineLoadsInFlight / perLane));
}

int64_t fa2::combineSplitsPerWarpTrip(int64_t headDimV) {
  return 32 / combineGroupLanes(headDimV) * combineUnroll(headDimV);
}

Value fa2::emitCombineRowsPerCTA(OpBuilder &b, Location loc, Value numSplits,
                                 int64_t headDimV) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value warpsPerRow = b.createOrFold<arith::MinUIOp>(
      loc, c(kCombineWarps),
      b.createOrFold<arith::CeilDivUIOp>(
          loc, numSplits, c(combineSplitsPerWarpTrip(headDimV))));
  return b.createOrFold<arith::DivUIOp>(loc, c(kCombineWarps), warpsPerRow);
}

std::string fa2::combineRowsPerCTAExpression(int64_t headDimV) {
  return std::to_string(kCombineWarps) + " / min(" +
         std::to_string(kCombineWarps) + ", ceildiv(num_splits, " +
         std::to_string(combineSplitsPerWarpTrip(headDimV)) + "))";
}

/// The combine kernel's merges: the CTA's kCombineWarps warps take
/// emitCombineRowsPerCTA rows, W = kCombineWarps / rows warps a row (one
/// warp a row up to combineSplitsPerWarpTrip splits, every warp on one row
/// from three warp trips of splits). A row's splits are dealt to its split
/// groups (combineGroupLanes lanes each, 32 / lanes groups a warp), group g
/// taking splits g, g + groups, ...; each group merges its splits in one
/// pass with a running maximum (OnlineMerge::trip), every load of a
/// trip (its L_s and its partial chunks, each predicated on its split
/// existing) issued before any arithmetic on them, so that a trip waits
/// for one L2 round trip. Then the groups of a warp merge through xor
/// shuffles, the W warps of a row through shared memory (each warp's
/// maximum, sum and accumulator row, one barrier), and the row's first
/// warp writes O and the LSE. On an H200 (bench/NOTES.md): one warp a row,
/// two passes and 16 splits a trip with their loads one after another
/// took 9-10 us at 33 splits; a CTA a row, whole trips of clamped loads,
/// 29 us at 2 splits and 8192 rows.
static void emitCombineKernelRows(OpBuilder &b, Location loc,
                                  const AttentionKernelSpec &spec,
                                  const CombineRowOperands &ops, Value rows,
                                  Value tid, Value stateSmem) {
  Type f32 = b.getF32Type(), outTy = spec.outElementType;
  KernelIRBuilder ir(b, loc);
  Value splits = ops.numSplits;
  int64_t dv = spec.headDimV;
  const int64_t L = combineGroupLanes(dv), groupsPerWarp = 32 / L;
  const int64_t perLane = dv / 4 / L;
  const int64_t fullUnroll = combineUnroll(dv);
  Value rowsPerCTA = emitCombineRowsPerCTA(b, loc, splits, dv);
  Value warpsPerRow = b.createOrFold<arith::DivUIOp>(
      loc, ir.c(kCombineWarps), rowsPerCTA);
  Value lane = ir.remc(tid, 32), warp = ir.divc(tid, 32);
  Value rowInCTA = b.createOrFold<arith::DivUIOp>(loc, warp, warpsPerRow);
  Value warpInRow = b.createOrFold<arith::RemUIOp>(loc, warp, warpsPerRow);
  Value row = ir.add(
      ir.mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x), rowsPerCTA),
      rowInCTA);
  // Every warp has a row of the CTA (rowsPerCTA · warpsPerRow = 4); a warp
  // past the last row merges the last row again and stores nothing.
  Value rowValid = arith::AndIOp::create(
      b, loc, ir.cmp(arith::CmpIPredicate::ult, rowInCTA, rowsPerCTA),
      ir.cmp(arith::CmpIPredicate::ult, row, rows));
  row = arith::MinUIOp::create(b, loc, row, ir.sub(rows, ir.c(1)));
  Value laneInGroup = ir.remc(lane, L);
  Value groups = ir.mulc(warpsPerRow, groupsPerWarp);
  Value group = ir.add(ir.mulc(warpInRow, groupsPerWarp), ir.divc(lane, L));
  Value first = ir.mul(row, splits);
  Value partRow = ir.mulc(first, dv);
  OnlineMerge om(b, loc, perLane);
  using State = OnlineMerge::State;
  Value negInf = om.negInf;
  auto vec4 = om.vec4;
  auto colOf = [&](int64_t k) -> Value {
    return ir.mulc(ir.addc(laneInGroup, L * k), 4);
  };
  Value zero = arith::ConstantOp::create(
      b, loc, vec4, DenseElementsAttr::get(vec4, b.getF32FloatAttr(0)));
  auto stateOf = [&](ValueRange v) {
    return State{v[perLane], v[perLane + 1],
                 SmallVector<Value>(v.begin(), v.begin() + perLane)};
  };

  SmallVector<Value> inits(perLane, zero);
  inits.push_back(negInf);
  inits.push_back(ir.cf(0.0));
  SmallVector<Type> stateTypes(perLane, vec4);
  stateTypes.append({f32, f32});
  // The merge of this group's splits, `unroll` splits a trip: the loop's
  // results are its state.
  auto mergeSplits = [&](int64_t unroll) -> SmallVector<Value> {
    auto loop = scf::ForOp::create(b, loc, ir.c(0), splits,
                                   ir.mulc(groups, unroll), inits);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      State st = stateOf(loop.getRegionIterArgs());
      // A split past the last loads nothing: its L_s is -inf, its chunks 0
      // (predicated loads, so that a trip of few splits costs few loads).
      SmallVector<Value> lses, parts;
      SmallVector<Type> loaded(1, f32);
      loaded.append(perLane, vec4);
      for (int64_t u = 0; u < unroll; ++u) {
        Value s = ir.add(ir.add(loop.getInductionVar(), group),
                         ir.mul(groups, ir.c(u)));
        Value valid = ir.cmp(arith::CmpIPredicate::ult, s, splits);
        auto ifValid = scf::IfOp::create(b, loc, loaded, valid,
                                         /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard g2(b);
          b.setInsertionPointToStart(&ifValid.getThenRegion().front());
          SmallVector<Value> got{memref::LoadOp::create(
              b, loc, ops.lsePartial, ValueRange{ir.add(first, s)})};
          Value base = ir.add(partRow, ir.mulc(s, dv));
          for (int64_t k = 0; k < perLane; ++k)
            got.push_back(vector::LoadOp::create(
                b, loc, vec4, ops.oPartial, ValueRange{ir.add(base, colOf(k))},
                /*nontemporal=*/false, llvm::MaybeAlign(16)));
          scf::YieldOp::create(b, loc, got);
          b.setInsertionPointToStart(&ifValid.getElseRegion().front());
          SmallVector<Value> none{negInf};
          none.append(perLane, zero);
          scf::YieldOp::create(b, loc, none);
        }
        lses.push_back(ifValid.getResult(0));
        for (int64_t k = 0; k < perLane; ++k)
          parts.push_back(ifValid.getResult(1 + k));
      }
      State next = om.trip(st, lses, parts);
      SmallVector<Value> yields(next.acc);
      yields.push_back(next.m);
      yields.push_back(next.sum);
      scf::YieldOp::create(b, loc, yields);
    }
    return SmallVector<Value>(loop.getResults());
  };
  // A row of few splits (a batch of thousands of rows at 2-4 splits) takes
  // trips of kCombineFewUnroll: a trip of 16 spent its exp2s and FMAs on
  // 12-14 absent splits (weights 0), and a row of two splits merged in 9.6
  // us at 8192 rows against the one-warp-a-row kernel's 8.0 (call 10).
  auto few = scf::IfOp::create(
      b, loc, stateTypes,
      ir.cmp(arith::CmpIPredicate::ule, splits,
             ir.c(groupsPerWarp * kCombineFewUnroll)),
      /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&few.getThenRegion().front());
    scf::YieldOp::create(b, loc, mergeSplits(kCombineFewUnroll));
    b.setInsertionPointToStart(&few.getElseRegion().front());
    scf::YieldOp::create(b, loc, mergeSplits(fullUnroll));
  }
  State st = stateOf(few.getResults());
  // The warp's groups: lane l and lane l ^ off hold the same columns.
  for (int64_t off = L; off < 32; off *= 2) {
    State other;
    other.m = ir.shuffleXor(st.m, off);
    other.sum = ir.shuffleXor(st.sum, off);
    for (int64_t k = 0; k < perLane; ++k) {
      SmallVector<Value> elems;
      for (int64_t e = 0; e < 4; ++e)
        elems.push_back(ir.shuffleXor(ir.extract(st.acc[k], {e}), off));
      other.acc.push_back(
          vector::FromElementsOp::create(b, loc, vec4, elems));
    }
    st = om.merge(st, other);
  }
  Value firstGroup = ir.cmp(arith::CmpIPredicate::ult, lane, ir.c(L));
  // The warps of a row (W > 1, the same for the whole CTA): each leaves its
  // state in its row of shared memory (dv + 2 floats: the accumulator, the
  // maximum, the sum); after one barrier the row's first warp merges the
  // others'.
  const int64_t stride = dv + 2;
  SmallVector<Value> stateValues(st.acc);
  stateValues.append({st.m, st.sum});
  auto ifShared = scf::IfOp::create(
      b, loc, stateTypes,
      ir.cmp(arith::CmpIPredicate::ugt, warpsPerRow, ir.c(1)),
      /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&ifShared.getThenRegion().front());
    Value stateRow = ir.mulc(warp, stride);
    {
      auto ifFirst = scf::IfOp::create(b, loc, firstGroup, false);
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifFirst.getThenRegion().front());
      for (int64_t k = 0; k < perLane; ++k)
        vector::StoreOp::create(b, loc, st.acc[k], stateSmem,
                                ValueRange{ir.add(stateRow, colOf(k))});
      auto ifZero = scf::IfOp::create(
          b, loc, ir.cmp(arith::CmpIPredicate::eq, lane, ir.c(0)), false);
      b.setInsertionPointToStart(&ifZero.getThenRegion().front());
      memref::StoreOp::create(b, loc, st.m, stateSmem,
                              ValueRange{ir.addc(stateRow, dv)});
      memref::StoreOp::create(b, loc, st.sum, stateSmem,
                              ValueRange{ir.addc(stateRow, dv + 1)});
    }
    gpu::BarrierOp::create(b, loc);
    // Only the row's first warp's result is stored: the others merge too
    // (uniform control flow), reading rows of shared memory past theirs.
    auto others = scf::ForOp::create(b, loc, ir.c(1), warpsPerRow, ir.c(1),
                                     stateValues);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(others.getBody());
      Value at = ir.mulc(
          arith::MinUIOp::create(
              b, loc, ir.add(warp, others.getInductionVar()),
              ir.c(kCombineWarps - 1)),
          stride);
      State other;
      for (int64_t k = 0; k < perLane; ++k)
        other.acc.push_back(vector::LoadOp::create(
            b, loc, vec4, stateSmem, ValueRange{ir.add(at, colOf(k))}));
      other.m = memref::LoadOp::create(b, loc, stateSmem,
                                       ValueRange{ir.addc(at, dv)});
      other.sum = memref::LoadOp::create(b, loc, stateSmem,
                                         ValueRange{ir.addc(at, dv + 1)});
      State merged = om.merge(stateOf(others.getRegionIterArgs()), other);
      SmallVector<Value> yields(merged.acc);
      yields.append({merged.m, merged.sum});
      scf::YieldOp::create(b, loc, yields);
    }
    scf::YieldOp::create(b, loc, others.getResults());
    b.setInsertionPointToStart(&ifShared.getElseRegion().front());
    scf::YieldOp::create(b, loc, stateValues);
  }
  st = stateOf(ifShared.getResults());
  Value writer = arith::AndIOp::create(
      b, loc, arith::AndIOp::create(b, loc, firstGroup, rowValid),
      ir.cmp(arith::CmpIPredicate::eq, warpInRow, ir.c(0)));
  auto ifWriter = scf::IfOp::create(b, loc, writer, false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&ifWriter.getThenRegion().front());
  // O = acc / sum, L = ref + log(sum).
  std::pair<Value, Value> finished = om.finish(st.m, st.sum);
  Value invSum = finished.first, rowLse = finished.second;
  Value oRow = emitOutputRowOffset(b, loc, spec, row, ops.headsQ, ops.seqQ,
                                   ir.mul(ops.headsQ, ops.seqQ));
  Value invSumV = vector::BroadcastOp::create(b, loc, vec4, invSum);
  auto outVec = VectorType::get({4}, outTy);
  for (int64_t k = 0; k < perLane; ++k) {
    Value out = arith::MulFOp::create(b, loc, st.acc[k], invSumV);
    if (outTy != f32)
      out = arith::TruncFOp::create(b, loc, outVec, out);
    vector::StoreOp::create(
        b, loc, out, ops.o, ValueRange{ir.add(oRow, colOf(k))},
        /*nontemporal=*/false,
        llvm::MaybeAlign(4 * outTy.getIntOrFloatBitWidth() / 8));
  }
  if (ops.lse) {
    auto ifLane0 = scf::IfOp::create(
        b, loc, ir.cmp(arith::CmpIPredicate::eq, lane, ir.c(0)), false);
    b.setInsertionPointToStart(&ifLane0.getThenRegion().front());
    memref::StoreOp::create(b, loc, rowLse, ops.lse, ValueRange{row});
  }
}

gpu::GPUFuncOp fa2::buildCombineKernel(OpBuilder &builder, Location loc,
                                       gpu::GPUModuleOp module,
                                       const AttentionKernelSpec &spec) {
  OpBuilder::InsertionGuard guard(builder);
  OpBuilder &b = builder;
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> argTypes = {spec.bufferType("o_partial"),
                                spec.bufferType("lse_partial"),
                                spec.bufferType("o")};
  if (spec.hasLse)
    argTypes.push_back(spec.bufferType("lse"));
  SmallVector<std::string> sizeNames = combineSizeNames(spec);
  argTypes.append(sizeNames.size(), b.getI32Type());
  auto func = gpu::GPUFuncOp::create(b, loc, combineKernelName(spec),
                                     b.getFunctionType(argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(
      {static_cast<int32_t>(32 * kCombineWarps), 1, 1}));
  // Static shared memory: each warp's merge state (emitCombineKernelRows).
  auto wgSpace =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  Value stateSmem = func.addWorkgroupAttribution(
      MemRefType::get({kCombineWarps * (spec.headDimV + 2)}, b.getF32Type(),
                      MemRefLayoutAttrInterface{}, wgSpace),
      loc);
  b.setInsertionPointToStart(&func.getBody().front());
  KernelIRBuilder ir(b, loc);
  auto size = [&](StringRef name) -> Value {
    int64_t v = spec.size(name);
    if (!ShapedType::isDynamic(v))
      return ir.c(v);
    unsigned i = llvm::find(sizeNames, name) - sizeNames.begin();
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                        func.getArgument(3 + spec.hasLse + i));
  };
  // One split (writesOneSplitDirectly): the attention kernel wrote O and
  // LSE itself; return before waiting for it (a host that launches this
  // kernel anyway loses only the launch).
  if (spec.writesOneSplitDirectly()) {
    Value many = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                       size("num_splits"), ir.c(1));
    auto ifMany = scf::IfOp::create(b, loc, many, /*withElseRegion=*/false);
    b.setInsertionPointToStart(&ifMany.getThenRegion().front());
  }
  // Launched early (programmaticCombine): nothing of the splits' may be
  // read before they are done.
  if (programmaticCombine(spec))
    NVVM::GriddepcontrolOp::create(b, loc, NVVM::GridDepActionKind::wait);
  CombineRowOperands ops;
  ops.oPartial = func.getArgument(0);
  ops.lsePartial = func.getArgument(1);
  ops.o = func.getArgument(2);
  ops.lse = spec.hasLse ? func.getArgument(3) : Value();
  ops.headsQ = size("heads_q");
  ops.seqQ = size("seq_q");
  ops.numSplits = size("num_splits");

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  // batch·Hq·Sq rows: from the static batch, or the partial LSE's size.
  Value rowsPerBatch = arith::MulIOp::create(b, loc, ops.headsQ, ops.seqQ);
  Value rows =
      ShapedType::isDynamic(spec.batch())
          ? Value(arith::DivUIOp::create(
                b, loc, memref::DimOp::create(b, loc, ops.lsePartial, 0),
                ops.numSplits))
          : Value(arith::MulIOp::create(b, loc, ir.c(spec.batch()),
                                        rowsPerBatch));
  emitCombineKernelRows(b, loc, spec, ops, rows, tid, stateSmem);
  b.setInsertionPointToEnd(&func.getBody().front());
  gpu::ReturnOp::create(b, loc);
  return func;
}

void fa2::emitLastCTACombine(OpBuilder &b, Location loc,
                             const AttentionKernelSpec &spec,
                             const LastCTACombineOperands &ops) {
  KernelIRBuilder ir(b, loc);
  auto gpuScopeFence = [&] {
    NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
  };
  // Release: every thread's partial stores are ordered before the count
  // that thread 0 adds after the barrier (the threadFenceReduction
  // pattern: each thread fences, then the CTA synchronizes).
  gpuScopeFence();
  NVVM::Barrier0Op::create(b, loc);
  Value tid = ops.tid;
  Value lane = arith::RemUIOp::create(b, loc, tid, ir.c(32));
  Value warp = arith::DivUIOp::create(b, loc, tid, ir.c(32));
  Value counts =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, ir.c(0));
  if (ops.counts)
    counts = arith::AndIOp::create(b, loc, counts, ops.counts);
  Value lastSplit = arith::SubIOp::create(b, loc, ops.rows.numSplits, ir.c(1));
  auto arrive = scf::IfOp::create(b, loc, b.getI1Type(), counts,
                                  /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&arrive.getThenRegion().front());
    Value one = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(1));
    Value before = memref::AtomicRMWOp::create(
        b, loc, arith::AtomicRMWKind::addi, one, ops.counter,
        ValueRange{ops.counterSlot});
    Value isLast = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq,
        arith::IndexCastUIOp::create(b, loc, b.getIndexType(), before),
        lastSplit);
    // The other splits of the tile have all counted: the counter is this
    // CTA's alone until the launch ends, and zero again for the next one.
    auto reset = scf::IfOp::create(b, loc, isLast, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&reset.getThenRegion().front());
      memref::StoreOp::create(
          b, loc, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
          ops.counter, ValueRange{ops.counterSlot});
    }
    scf::YieldOp::create(b, loc, ValueRange{isLast});
    b.setInsertionPointToStart(&arrive.getElseRegion().front());
    scf::YieldOp::create(
        b, loc, ValueRange{arith::ConstantOp::create(b, loc, b.getBoolAttr(false))});
  }
  // Thread 0's answer to the whole CTA: bar.red.or (a barrier too, so the
  // shared memory the merge reuses is no longer read by any warp).
  Value pred = arith::ExtUIOp::create(b, loc, b.getI32Type(),
                                      arrive.getResult(0));
  auto any = NVVM::BarrierOp::create(
      b, loc, b.getI32Type(), Value(), Value(),
      NVVM::BarrierReductionAttr::get(b.getContext(),
                                      NVVM::BarrierReduction::OR),
      pred);
  Value isLast = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, any.getRes(),
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)));
  auto merge = scf::IfOp::create(b, loc, isLast, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&merge.getThenRegion().front());
  // Acquire: the other splits' partials, published before their counts.
  gpuScopeFence();
  CombineRowOperands rowOps = ops.rows;
  rowOps.warp = warp;
  rowOps.reusesWeights = true;
  // Warp w merges tile rows w·P .. w·P + P - 1, then P·warps further on,
  // P = lastCTARowsPerPass rows side by side (32 / P lanes each).
  int64_t P = lastCTARowsPerPass(spec);
  rowOps.lanesPerRow = 32 / P;
  Value tileRows = arith::MinUIOp::create(
      b, loc, ir.c(spec.schedule.blockM),
      arith::SubIOp::create(b, loc, ops.rowsTotal, ops.m0));
  auto loop = scf::ForOp::create(
      b, loc, arith::MulIOp::create(b, loc, warp, ir.c(P)), tileRows,
      ir.c(spec.schedule.numWarps * P));
  b.setInsertionPointToStart(loop.getBody());
  Value tileRow = loop.getInductionVar();
  if (P > 1) {
    // This lane's group's row, clamped to the last row for its loads; a
    // group past the last row stores nothing.
    Value r = arith::AddIOp::create(
        b, loc, tileRow,
        arith::DivUIOp::create(b, loc, lane, ir.c(32 / P)));
    rowOps.rowValid =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, r, tileRows);
    tileRow = arith::MinUIOp::create(
        b, loc, r, arith::SubIOp::create(b, loc, tileRows, ir.c(1)));
  }
  Value row = ops.tileRowToRow(arith::AddIOp::create(b, loc, ops.m0, tileRow));
  emitCombineRow(b, loc, spec, rowOps, row, lane);
}

int64_t fa2::lastCTARowsPerPass(const AttentionKernelSpec &spec) {
  const GPUSchedule &s = spec.schedule;
  // The rows a warp merges: known where the tile's rows are (packed rows
  // with a static seq_q); else one at a time.
  int64_t rows = s.packGQA && !ShapedType::isDynamic(spec.seqQ) &&
                         !ShapedType::isDynamic(spec.groupSize())
                     ? std::min(s.blockM, spec.groupSize() * spec.seqQ)
                     : 1;
  int64_t perWarp = (rows + s.numWarps - 1) / s.numWarps;
  int64_t p = perWarp >= 8 ? 8 : perWarp >= 4 ? 4 : perWarp >= 2 ? 2 : 1;
  // Each lane group takes chunks / (32 / p) whole chunks of 4 columns.
  while (p > 1 && (spec.headDimV / 4) % (32 / p) != 0)
    p /= 2;
  return p;
}
