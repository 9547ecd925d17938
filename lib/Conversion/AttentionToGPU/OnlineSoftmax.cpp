//===- OnlineSoftmax.cpp - FlashAttention's online-softmax step -----------===//
//
// OnlineSoftmax's definitions (OnlineSoftmax.h).
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace fa2;

static constexpr double kLog2e = 1.4426950408889634;
static constexpr double kLn2 = 0.6931471805599453;

VectorType RowFragments::accumulatorType(MLIRContext *ctx) const {
  return VectorType::get({rowsPerTile, elemsPerRow}, Float32Type::get(ctx));
}

RowFragments RowFragments::mmaSync(int64_t tiles) {
  RowFragments f;
  f.tiles = tiles;
  return f;
}

RowFragments RowFragments::wgmma() { return mmaSync(1); }

SmallVector<Value> OnlineSoftmaxState::flatten() const {
  SmallVector<Value> all(O);
  all.append(m.begin(), m.end());
  all.append(l.begin(), l.end());
  return all;
}

OnlineSoftmaxState OnlineSoftmaxState::fromFlat(ValueRange values,
                                                size_t numO) {
  size_t rows = (values.size() - numO) / 2;
  OnlineSoftmaxState st;
  st.O.assign(values.begin(), values.begin() + numO);
  st.m.assign(values.begin() + numO, values.begin() + numO + rows);
  st.l.assign(values.begin() + numO + rows, values.end());
  return st;
}

OnlineSoftmaxState OnlineSoftmax::initialState(int64_t oTiles) {
  VectorType accTy = rows.accumulatorType(b.getContext());
  Value zeroAcc = arith::ConstantOp::create(
      b, loc, accTy, DenseElementsAttr::get(accTy, b.getF32FloatAttr(0.0f)));
  negInf = cf(-std::numeric_limits<double>::infinity());
  zero = cf(0.0);
  OnlineSoftmaxState st;
  st.O.assign(rows.tiles * oTiles, zeroAcc);
  st.m.assign(rows.rows(), negInf);
  st.l.assign(rows.rows(), zero);
  return st;
}

OnlineSoftmaxState OnlineSoftmax::initialRows() {
  negInf = cf(-std::numeric_limits<double>::infinity());
  zero = cf(0.0);
  OnlineSoftmaxState st;
  st.m.assign(rows.rows(), negInf);
  st.l.assign(rows.rows(), zero);
  return st;
}

Value OnlineSoftmax::threadRowMax(ArrayRef<Value> scores, Value m) {
  SmallVector<Value> red(scores);
  while (red.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < red.size(); i += 2)
      next.push_back(fmax(red[i], red[i + 1]));
    if (red.size() % 2)
      next.push_back(red.back());
    red = next;
  }
  return fmax(m, red[0]);
}

Value OnlineSoftmax::rowMaxOf(Value threadMax) {
  Value mx = threadMax;
  for (int32_t offset : rows.rowLanes)
    mx = fmax(mx, shuffleXor(mx, offset));
  return mx;
}

Value OnlineSoftmax::warpRowsGrew(ArrayRef<Value> threadMax, ArrayRef<Value> m,
                                  Value cS) {
  Value thr = cf(static_cast<double>(params.rescaleThreshold));
  Value grown;
  for (auto [mx, ref] : llvm::zip_equal(threadMax, m)) {
    Value growth = fmul(arith::SubFOp::create(b, loc, mx, ref), cS);
    Value g =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, growth, thr);
    grown = grown ? arith::OrIOp::create(b, loc, grown, g).getResult() : g;
  }
  return NVVM::VoteSyncOp::create(b, loc, b.getI1Type(), allLanes(), grown,
                                  NVVM::VoteSyncKind::any);
}

OnlineSoftmaxStep
OnlineSoftmax::rescaleRows(SmallVector<SmallVector<Value>> rowScores,
                           const OnlineSoftmaxState &state) {
  Value cS = cf(params.scale * kLog2e);
  OnlineSoftmaxStep step;
  auto addRow = [&](Value ref, Value offset, Value alpha, Value l) {
    step.negOffset.push_back(arith::NegFOp::create(b, loc, offset));
    step.state.m.push_back(ref);
    step.state.l.push_back(params.fmaRowSums ? l : fmul(l, alpha));
    step.alpha.push_back(alpha);
  };
  if (params.rescaleThreshold < 0) {
    for (auto [r, scores] : llvm::enumerate(rowScores)) {
      Value ref = rowMaxOf(threadRowMax(scores, state.m[r]));
      Value offset = scaledOffset(ref, cS);
      addRow(ref, offset,
             exp2(arith::SubFOp::create(b, loc, fmul(state.m[r], cS), offset)),
             state.l[r]);
    }
    step.rowScores = std::move(rowScores);
    return step;
  }
  // Lazily, as rescale(): one vote over the warp (warpRowsGrew), the
  // shuffles and alpha's exp2 only in the rare branch; otherwise the stale
  // references stay and the block's probabilities are at most 2^threshold.
  const int64_t NR = rowScores.size();
  SmallVector<Value> threadMax;
  for (const SmallVector<Value> &scores : rowScores)
    threadMax.push_back(threadRowMax(scores, state.m[threadMax.size()]));
  step.rescaled = warpRowsGrew(threadMax, state.m, cS);
  SmallVector<Type> types(2 * NR, b.getF32Type());
  auto ifOp = scf::IfOp::create(b, loc, types, step.rescaled,
                                /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    SmallVector<Value> moved;
    for (int64_t r = 0; r < NR; ++r) {
      Value ref = rowMaxOf(threadMax[r]);
      moved.push_back(ref);
      moved.push_back(exp2(arith::SubFOp::create(
          b, loc, fmul(state.m[r], cS), scaledOffset(ref, cS))));
    }
    scf::YieldOp::create(b, loc, moved);
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    SmallVector<Value> same;
    for (int64_t r = 0; r < NR; ++r) {
      same.push_back(state.m[r]);
      same.push_back(cf(1.0));
    }
    scf::YieldOp::create(b, loc, same);
  }
  for (int64_t r = 0; r < NR; ++r) {
    Value ref = ifOp.getResult(2 * r);
    addRow(ref, scaledOffset(ref, cS), ifOp.getResult(2 * r + 1), state.l[r]);
  }
  step.rowScores = std::move(rowScores);
  return step;
}

Value OnlineSoftmax::finishRowSum(const OnlineSoftmaxStep &step, int64_t row,
                                  Value rowSum) {
  Value l = step.state.l[row];
  return params.fmaRowSums ? fma(l, step.alpha[row], rowSum)
                           : fadd(l, rowSum);
}

Value OnlineSoftmax::scaledOffset(Value ref, Value cS) {
  Value empty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, ref, negInf);
  return select(empty, zero, fmul(ref, cS));
}

OnlineSoftmaxStep
OnlineSoftmax::rescale(const SmallVector<SmallVector<Value>> &S,
                       const OnlineSoftmaxState &state) {
  const int64_t MT = rows.tiles, R = rows.rowsPerTile, NR = rows.rows();
  const int64_t NT = S.front().size();
  const int64_t NO = state.O.size() / MT;
  const SmallVector<Value> &m = state.m;
  VectorType accTy = rows.accumulatorType(b.getContext());
  Value cS = cf(params.scale * kLog2e);
  SmallVector<SmallVector<Value>> rowScores(NR);
  // max(m, this thread's scores of the row), before the reduction over the
  // row's lanes.
  SmallVector<Value> threadMax(NR);
  for (int64_t mt = 0; mt < MT; ++mt) {
    for (int64_t half = 0; half < R; ++half) {
      SmallVector<Value> &sv = rowScores[mt * R + half];
      for (int64_t nt = 0; nt < NT; ++nt)
        for (int64_t e = 0; e < rows.elemsPerRow; ++e)
          sv.push_back(extract(S[mt][nt], {half, e}));
      threadMax[mt * R + half] = threadRowMax(sv, m[mt * R + half]);
    }
  }
  // Moves every row's reference to its max and multiplies what was
  // accumulated under the old one by alpha = exp2(m_old·c - ref·c): O and
  // the thread-partial sums l. `acc` = O, l; returns O, l, ref.
  auto rescaleOL = [&](SmallVector<Value> acc) {
    SmallVector<Value> ref;
    for (int64_t mt = 0; mt < MT; ++mt) {
      SmallVector<Value> alpha(R);
      for (int64_t half = 0; half < R; ++half) {
        int64_t r = mt * R + half;
        ref.push_back(rowMaxOf(threadMax[r]));
        alpha[half] = exp2(arith::SubFOp::create(b, loc, fmul(m[r], cS),
                                                 scaledOffset(ref.back(), cS)));
        acc[MT * NO + r] = fmul(acc[MT * NO + r], alpha[half]);
      }
      // Element (i, e) of an accumulator tile is row i's.
      SmallVector<Value> perElement;
      for (int64_t half = 0; half < R; ++half)
        perElement.append(rows.elemsPerRow, alpha[half]);
      Value scaleVec =
          vector::FromElementsOp::create(b, loc, accTy, perElement);
      for (int64_t no = 0; no < NO; ++no)
        acc[mt * NO + no] = fmul(acc[mt * NO + no], scaleVec);
    }
    acc.append(ref);
    return acc;
  };
  // The reference max each row's probabilities are taken against. With
  // lazy rescaling it moves only when some row of the warp has a score
  // more than 2^threshold (in exp2 units) above its reference: the warp
  // then rescales, every row taking its new max. Otherwise the stale
  // references stay, the probabilities of this block are at most
  // 2^threshold, and O (MT·d/8·4 multiplications per thread) is left
  // alone. The test needs only each thread's own maximum (some thread of
  // the warp sees the growth iff some row grew) and one vote, which also
  // makes the branch uniform: the shuffles of the row max happen only in
  // the rare branch, off the path from Q·Kᵀ to the exponentials. The
  // branch is placed before the exponentials, so that they and P·V stay
  // in one basic block (ptxas interleaves them only within a block).
  SmallVector<Value> OL(state.O);
  OL.append(state.l.begin(), state.l.end());
  if (params.rescaleThreshold < 0) {
    OL = rescaleOL(OL);
  } else {
    Value rescale = warpRowsGrew(threadMax, m, cS);
    SmallVector<Type> types;
    for (Value v : OL)
      types.push_back(v.getType());
    types.append(NR, b.getF32Type());
    auto ifOp = scf::IfOp::create(b, loc, types, rescale,
                                  /*withElseRegion=*/true);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, loc, rescaleOL(OL));
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    SmallVector<Value> same(OL);
    same.append(m.begin(), m.end());
    scf::YieldOp::create(b, loc, same);
    b.setInsertionPointAfter(ifOp);
    OL.assign(ifOp.getResults().begin(), ifOp.getResults().end());
  }
  SmallVector<Value> refMax(OL.begin() + MT * NO + NR, OL.end());
  SmallVector<Value> refScaled;
  for (Value ref : refMax)
    refScaled.push_back(scaledOffset(ref, cS));

  OnlineSoftmaxStep step;
  step.state.O.assign(OL.begin(), OL.begin() + MT * NO);
  step.state.m = refMax;
  step.state.l.assign(OL.begin() + MT * NO, OL.begin() + MT * NO + NR);
  step.rowScores = rowScores;
  for (int64_t r = 0; r < NR; ++r)
    step.negOffset.push_back(arith::NegFOp::create(b, loc, refScaled[r]));
  if (params.finiteFill) {
    for (Value ref : refMax) {
      Value empty =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, ref, negInf);
      step.refOrZero.push_back(select(empty, zero, ref));
    }
  }
  return step;
}

void OnlineSoftmax::beginExponentials(OnlineSoftmaxStep &step) {
  step.scaleLog2e = cf(params.scale * kLog2e);
}

Value OnlineSoftmax::probability(const OnlineSoftmaxStep &step, int64_t row,
                                 int64_t k) {
  // s·c - ref·c as one FMA leaves the rounding error of ref·c, up to half
  // an ulp of it: nothing next to ordinary scores, but up to 2^64 for a row
  // of fills near -1e9, whose probabilities must be exactly 1. With a fill
  // the difference is taken first.
  Value x = step.rowScores[row][k];
  Value cS = step.scaleLog2e;
  return params.finiteFill
             ? exp2(fmul(arith::SubFOp::create(b, loc, x, step.refOrZero[row]),
                         cS))
             : exp2(fma(x, cS, step.negOffset[row]));
}

Value OnlineSoftmax::sumInto(Value partial, Value p) {
  return partial ? fadd(partial, p) : p;
}

void OnlineSoftmax::beginEpilogue() {
  scaleNat = cf(params.scale);
  ln2Value = cf(kLn2);
  one = cf(1.0);
}

Value OnlineSoftmax::rowTotal(Value partial) {
  Value sum = partial;
  for (int32_t offset : rows.rowLanes)
    sum = fadd(sum, shuffleXor(sum, offset));
  return sum;
}

Value OnlineSoftmax::normalizer(Value lSum, Value &empty) {
  empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UEQ, lSum, zero);
  return select(empty, one, arith::DivFOp::create(b, loc, one, lSum));
}

Value OnlineSoftmax::logSumExp(Value m, Value lSum) {
  return fma(m, scaleNat,
             fmul(math::Log2Op::create(b, loc, lSum, arith::FastMathFlags::afn),
                  ln2Value));
}
