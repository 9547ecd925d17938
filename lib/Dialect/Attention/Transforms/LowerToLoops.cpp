//===- LowerToLoops.cpp - fa2.attention to online-softmax loops ----------===//
//
// Lowers `fa2.attention` to FlashAttention-2's forward algorithm (arXiv
// 2307.08691, Algorithm 1) written as scf loops over memrefs, for the host:
//
//   for batch…, for query head h (K/V head g = h / (Hq / Hkv)):
//     for each block of `block-q` query rows:
//       m = -inf, l = 0, acc = 0                       (f32, per row)
//       for each block of `block-k` keys (only the keys that the rows'
//       causal diagonal and window let them see, unless a finite fill
//       makes every key count: MaskSemantics' visible key range):
//         S   = scale · Q_blk · K_blkᵀ, removed scores = fill (-inf by
//               default), + a float mask                 (f32 tile)
//               the causal/window compare only in blocks MaskSemantics
//               classifies as masked (scf.if per block, as the GPU
//               kernel's BlockMask::PerBlock)
//         m'  = max(m, rowmax(S));  α = exp(m - m')
//         P   = exp(S - m');  l = α·l + rowsum(P);  acc = α·acc + P·V_blk
//         m   = m'
//       O = acc / l  (one division; a row with l = 0 gives 0)
//       LSE = m + log(l)  (+inf for a row with l = 0)
//
// The tensor operands enter through `bufferization.to_buffer` and the results
// leave through `bufferization.to_tensor restrict`, so that One-Shot Bufferize
// run afterwards sees ordinary tensor code around the loops.
//
//===----------------------------------------------------------------------===//

#include "fa2/Dialect/Attention/IR/MaskSemantics.h"
#include "fa2/Dialect/Attention/IR/TensorLayout.h"
#include "fa2/Dialect/Attention/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <limits>
#include <tuple>

namespace fa2 {
#define GEN_PASS_DEF_FA2LOWERTOLOOPS
#include "fa2/Dialect/Attention/Transforms/Passes.h.inc"
} // namespace fa2

using namespace mlir;

namespace {

/// Everything the loop nest needs about one fa2.attention, read once before
/// any loop is built: buffers, sizes as index values and constants.
struct AttentionLoweringState {
  unsigned numBatch;
  fa2::Layout layout; // where Q, K, V, O elements lie (TensorLayout.h)
  // Buffers.
  Value q, k, v, mask, out, lse;
  // Sizes (index).
  SmallVector<Value> batchSizes;
  Value hq, hkv, sq, sk, d, dv;
  // Which scores are kept (causal, window, fill, mask kind).
  fa2::MaskSemantics sem;
  // Query heads per K/V head, and Sk - Sq (the diagonal's offset; null
  // without a causal or window mask).
  Value group, diagOffset;
  // For each mask dimension: a constant 0 when the dimension broadcasts
  // statically, an i1 "is size 1" when it is dynamic, null when it indexes.
  SmallVector<Value> maskBroadcast;
  SmallVector<bool> maskBroadcastStatic;
  // Scratch tiles (f32), allocated once per op on the stack.
  Value sTile, mRow, lRow, accTile;
  // Constants.
  Value c0, c1, cBlockQ, cBlockK;
  Value fZero, fOne, fNegInf, fPosInf, fScale;
  // A removed score: -inf (fNegInf), or the op's finite fill.
  Value fFill;
  // Index constants built so far, shared so that the IR names each once.
  llvm::SmallDenseMap<int64_t, Value> indexConstants;

  /// An index constant. Only called before the loops are built, at the
  /// op's position, so the constant dominates every later use.
  Value index(OpBuilder &b, Location loc, int64_t v) {
    Value &c = indexConstants[v];
    if (!c)
      c = arith::ConstantIndexOp::create(b, loc, v);
    return c;
  }

  /// The size of dimension `dim` of a memref: a constant when static.
  Value dimSize(OpBuilder &b, Location loc, Value buffer, int64_t dim) {
    auto type = cast<MemRefType>(buffer.getType());
    if (!type.isDynamicDim(dim))
      return index(b, loc, type.getDimSize(dim));
    return memref::DimOp::create(b, loc, buffer, index(b, loc, dim));
  }
};

} // namespace

/// An f32 constant.
static Value cF32(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// Widens a loaded f16/bf16 element to f32; the scores, the softmax and the
/// accumulation are f32 whatever the storage type (the op's contract).
static Value toF32(OpBuilder &b, Location loc, Value v) {
  Type f32 = b.getF32Type();
  if (v.getType() == f32)
    return v;
  return arith::ExtFOp::create(b, loc, f32, v);
}

/// Rounds an f32 value once to the element type of the result.
static Value fromF32(OpBuilder &b, Location loc, Value v, Type elemType) {
  if (elemType == v.getType())
    return v;
  return arith::TruncFOp::create(b, loc, elemType, v);
}

/// `scf.for %iv = lb to ub step step` with no loop-carried values.
static void buildLoop(OpBuilder &b, Location loc, Value lb, Value ub,
                      Value step,
                      function_ref<void(OpBuilder &, Location, Value)> body) {
  scf::ForOp::create(b, loc, lb, ub, step, ValueRange{},
                     [&](OpBuilder &nb, Location nl, Value iv, ValueRange) {
                       body(nb, nl, iv);
                       scf::YieldOp::create(nb, nl);
                     });
}

/// `scf.for` carrying one f32 value: returns the final value of `init`
/// updated by `body(iv, carried)`.
static Value
buildReduction(OpBuilder &b, Location loc, Value lb, Value ub, Value step,
               Value init,
               function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, ValueRange{init},
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
        scf::YieldOp::create(nb, nl, body(nb, nl, iv, args[0]));
      });
  return loop.getResult(0);
}

/// Index of Q/K/V/O element [batch…, head, seq, feature] in the op's layout.
static SmallVector<Value> qkvoIndex(const AttentionLoweringState &st,
                                    ValueRange batch, Value head, Value seq,
                                    Value feature) {
  SmallVector<Value> idx(batch.begin(), batch.end());
  std::array<fa2::TensorDim, 4> order = fa2::memoryOrder(st.layout);
  for (fa2::TensorDim dim : llvm::drop_begin(order))
    idx.push_back(dim == fa2::TensorDim::Head  ? head
                  : dim == fa2::TensorDim::Seq ? seq
                                               : feature);
  return idx;
}

/// Loads mask[b…, h, i, j] with numpy broadcasting: the mask is aligned on
/// the right with the scores [batch…, Hq, Sq, Sk], and a dimension of size 1
/// reads index 0 (decided at run time when the size is dynamic).
static Value loadMask(OpBuilder &b, Location loc,
                      const AttentionLoweringState &st, ValueRange batch,
                      Value h, Value i, Value j) {
  SmallVector<Value> scoreIdx(batch.begin(), batch.end());
  scoreIdx.append({h, i, j});
  int64_t maskRank = cast<MemRefType>(st.mask.getType()).getRank();
  int64_t offset = static_cast<int64_t>(scoreIdx.size()) - maskRank;
  SmallVector<Value> idx;
  for (int64_t m = 0; m < maskRank; ++m) {
    Value full = scoreIdx[offset + m];
    Value bc = st.maskBroadcast[m];
    if (!bc)
      idx.push_back(full);
    else if (st.maskBroadcastStatic[m])
      idx.push_back(bc);
    else
      idx.push_back(arith::SelectOp::create(b, loc, bc, st.c0, full));
  }
  return memref::LoadOp::create(b, loc, st.mask, idx);
}

/// S[r, c] = scale · Σ_d Q[i, d] · K[j, d] for the rows and columns of one
/// tile, the fill (-inf by default) where a bool mask or, with
/// `positional`, the causal/window mask removes key j, plus a float mask.
static void buildScoreTile(OpBuilder &b, Location loc,
                           const AttentionLoweringState &st, ValueRange batch,
                           Value h, Value g, Value qStart, Value rows,
                           Value kStart, Value cols, bool positional) {
  buildLoop(
      b, loc, st.c0, rows, st.c1, [&](OpBuilder &b, Location loc, Value r) {
        Value i = arith::AddIOp::create(b, loc, qStart, r);
        buildLoop(
            b, loc, st.c0, cols, st.c1,
            [&](OpBuilder &b, Location loc, Value c) {
              Value j = arith::AddIOp::create(b, loc, kStart, c);
              Value dot = buildReduction(
                  b, loc, st.c0, st.d, st.c1, st.fZero,
                  [&](OpBuilder &b, Location loc, Value dd,
                      Value acc) -> Value {
                    Value qv = toF32(
                        b, loc,
                        memref::LoadOp::create(b, loc, st.q,
                                               qkvoIndex(st, batch, h, i, dd)));
                    Value kv = toF32(
                        b, loc,
                        memref::LoadOp::create(b, loc, st.k,
                                               qkvoIndex(st, batch, g, j, dd)));
                    Value prod = arith::MulFOp::create(b, loc, qv, kv);
                    return arith::AddFOp::create(b, loc, acc, prod);
                  });
              Value s = arith::MulFOp::create(b, loc, dot, st.fScale);
              Value mv;
              if (st.mask)
                mv = loadMask(b, loc, st, batch, h, i, j);
              if (mv && mv.getType().isInteger(1))
                s = arith::SelectOp::create(b, loc, mv, s, st.fFill);
              // Removed scores are -inf without a fill, and adding a float
              // mask to them first keeps them -inf; a finite fill is the
              // score itself, and the float mask is added to it.
              bool addMaskLast = static_cast<bool>(st.sem.fill);
              if (mv && !mv.getType().isInteger(1) && !addMaskLast)
                s = arith::AddFOp::create(b, loc, s, toF32(b, loc, mv));
              if (positional) {
                // Bottom-right alignment: key j is removed for query i when
                // j - (i + (Sk - Sq)) is outside the causal/window bounds.
                if (Value removed = st.sem.buildRemovedByPosition(
                        b, loc, i, j, st.diagOffset))
                  s = arith::SelectOp::create(b, loc, removed, st.fFill, s);
              }
              if (mv && !mv.getType().isInteger(1) && addMaskLast)
                s = arith::AddFOp::create(b, loc, s, toF32(b, loc, mv));
              memref::StoreOp::create(b, loc, s, st.sTile, ValueRange{r, c});
            });
      });
}

/// The online-softmax step for one tile: per row, the new running max, the
/// rescale factor α = exp(m_old - m_new), P = exp(S - m_new) in place of S,
/// l = α·l + rowsum(P) and acc = α·acc + P·V_blk.
static void buildOnlineSoftmaxUpdate(OpBuilder &b, Location loc,
                                     const AttentionLoweringState &st,
                                     ValueRange batch, Value g, Value rows,
                                     Value kStart, Value cols) {
  buildLoop(
      b, loc, st.c0, rows, st.c1, [&](OpBuilder &b, Location loc, Value r) {
        Value mOld = memref::LoadOp::create(b, loc, st.mRow, ValueRange{r});
        Value mTile = buildReduction(
            b, loc, st.c0, cols, st.c1, st.fNegInf,
            [&](OpBuilder &b, Location loc, Value c, Value acc) -> Value {
              Value s =
                  memref::LoadOp::create(b, loc, st.sTile, ValueRange{r, c});
              // maximumf propagates NaN, so a NaN score surfaces in the result.
              return arith::MaximumFOp::create(b, loc, acc, s);
            });
        Value mNew = arith::MaximumFOp::create(b, loc, mOld, mTile);
        // While every key seen so far is masked, m_new is -inf and S - m_new
        // would be -inf - (-inf) = NaN; subtracting 0 instead keeps exp(-inf) =
        // 0 so that P, α·l and α·acc stay 0 for such a row.
        Value noneVisible = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OEQ, mNew, st.fNegInf);
        Value mRef =
            arith::SelectOp::create(b, loc, noneVisible, st.fZero, mNew);
        Value alpha = math::ExpOp::create(
            b, loc, arith::SubFOp::create(b, loc, mOld, mRef));
        Value rowSum = buildReduction(
            b, loc, st.c0, cols, st.c1, st.fZero,
            [&](OpBuilder &b, Location loc, Value c, Value acc) -> Value {
              Value s =
                  memref::LoadOp::create(b, loc, st.sTile, ValueRange{r, c});
              Value p = math::ExpOp::create(
                  b, loc, arith::SubFOp::create(b, loc, s, mRef));
              memref::StoreOp::create(b, loc, p, st.sTile, ValueRange{r, c});
              return arith::AddFOp::create(b, loc, acc, p);
            });
        Value lOld = memref::LoadOp::create(b, loc, st.lRow, ValueRange{r});
        Value lNew = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, lOld, alpha), rowSum);
        memref::StoreOp::create(b, loc, lNew, st.lRow, ValueRange{r});
        memref::StoreOp::create(b, loc, mNew, st.mRow, ValueRange{r});
        // acc[r, e] = α·acc[r, e] + Σ_c P[r, c] · V[kStart + c, e].
        buildLoop(
            b, loc, st.c0, st.dv, st.c1,
            [&](OpBuilder &b, Location loc, Value e) {
              Value accOld =
                  memref::LoadOp::create(b, loc, st.accTile, ValueRange{r, e});
              Value scaled = arith::MulFOp::create(b, loc, accOld, alpha);
              Value accNew = buildReduction(
                  b, loc, st.c0, cols, st.c1, scaled,
                  [&](OpBuilder &b, Location loc, Value c, Value acc) -> Value {
                    Value p = memref::LoadOp::create(b, loc, st.sTile,
                                                     ValueRange{r, c});
                    Value j = arith::AddIOp::create(b, loc, kStart, c);
                    Value vv =
                        toF32(b, loc,
                              memref::LoadOp::create(
                                  b, loc, st.v, qkvoIndex(st, batch, g, j, e)));
                    return arith::AddFOp::create(
                        b, loc, acc, arith::MulFOp::create(b, loc, p, vv));
                  });
              memref::StoreOp::create(b, loc, accNew, st.accTile,
                                      ValueRange{r, e});
            });
      });
}

/// Work on one block of query rows [qStart, qStart + rows) of head h.
static void buildQueryBlock(OpBuilder &b, Location loc,
                            const AttentionLoweringState &st, ValueRange batch,
                            Value h, Value qStart) {
  Value g = arith::DivUIOp::create(b, loc, h, st.group);
  Value rows = arith::MinSIOp::create(
      b, loc, st.cBlockQ, arith::SubIOp::create(b, loc, st.sq, qStart));

  // m = -inf, l = 0, acc = 0 for the rows of this block.
  buildLoop(
      b, loc, st.c0, rows, st.c1, [&](OpBuilder &b, Location loc, Value r) {
        memref::StoreOp::create(b, loc, st.fNegInf, st.mRow, ValueRange{r});
        memref::StoreOp::create(b, loc, st.fZero, st.lRow, ValueRange{r});
        buildLoop(b, loc, st.c0, st.dv, st.c1,
                  [&](OpBuilder &b, Location loc, Value e) {
                    memref::StoreOp::create(b, loc, st.fZero, st.accTile,
                                            ValueRange{r, e});
                  });
      });

  // Keys outside [kBegin, kEnd) are removed for every row of the block: with
  // causal masking the last row qStart + rows - 1 sees keys up to
  // qStart + rows - 1 + (Sk - Sq), with a window the first row none before
  // qStart + (Sk - Sq) - left, so those key blocks are never visited. With a
  // finite fill a removed key still counts (it weighs exp(fill - m)), so
  // every key is visited.
  Value kBegin = st.c0, kEnd = st.sk, qEnd;
  if (st.diagOffset)
    qEnd = arith::AddIOp::create(b, loc, qStart, rows);
  if (st.diagOffset && st.sem.canSkipRemoved())
    std::tie(kBegin, kEnd) = st.sem.buildVisibleKeyRange(
        b, loc, qStart, qEnd, st.diagOffset, st.sk, st.c0);

  buildLoop(
      b, loc, kBegin, kEnd, st.cBlockK,
      [&](OpBuilder &b, Location loc, Value kStart) {
        Value cols = arith::MinSIOp::create(
            b, loc, st.cBlockK, arith::SubIOp::create(b, loc, kEnd, kStart));
        // Each visited block is masked or unmasked as MaskSemantics
        // classifies it (the GPU kernel's BlockMask::PerBlock): the
        // positional compare and select only where some score of the
        // block is removed by position. Keys stop at kEnd <= Sk, so no
        // block reaches past Sk.
        Value needsMask;
        if (st.diagOffset)
          needsMask = st.sem.buildBlockNeedsMask(
              b, loc, qStart, qEnd, kStart,
              arith::AddIOp::create(b, loc, kStart, cols), st.diagOffset);
        if (!needsMask) {
          buildScoreTile(b, loc, st, batch, h, g, qStart, rows, kStart, cols,
                         /*positional=*/false);
        } else {
          scf::IfOp::create(
              b, loc, needsMask,
              [&](OpBuilder &b, Location loc) {
                buildScoreTile(b, loc, st, batch, h, g, qStart, rows, kStart,
                               cols, /*positional=*/true);
                scf::YieldOp::create(b, loc);
              },
              [&](OpBuilder &b, Location loc) {
                buildScoreTile(b, loc, st, batch, h, g, qStart, rows, kStart,
                               cols, /*positional=*/false);
                scf::YieldOp::create(b, loc);
              });
        }
        buildOnlineSoftmaxUpdate(b, loc, st, batch, g, rows, kStart, cols);
      });

  // Epilogue: one division per output element; a row that saw no visible
  // key has l = 0 and acc = 0, and divides by 1 to give 0 (LSE +inf). With a
  // finite fill no row is empty: l >= 1.
  Type outElem = cast<MemRefType>(st.out.getType()).getElementType();
  buildLoop(
      b, loc, st.c0, rows, st.c1, [&](OpBuilder &b, Location loc, Value r) {
        Value i = arith::AddIOp::create(b, loc, qStart, r);
        Value l = memref::LoadOp::create(b, loc, st.lRow, ValueRange{r});
        Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                            l, st.fZero);
        Value denom = arith::SelectOp::create(b, loc, empty, st.fOne, l);
        buildLoop(b, loc, st.c0, st.dv, st.c1,
                  [&](OpBuilder &b, Location loc, Value e) {
                    Value acc = memref::LoadOp::create(b, loc, st.accTile,
                                                       ValueRange{r, e});
                    Value o = arith::DivFOp::create(b, loc, acc, denom);
                    memref::StoreOp::create(b, loc, fromF32(b, loc, o, outElem),
                                            st.out,
                                            qkvoIndex(st, batch, h, i, e));
                  });
        if (st.lse) {
          Value m = memref::LoadOp::create(b, loc, st.mRow, ValueRange{r});
          Value lse =
              arith::AddFOp::create(b, loc, m, math::LogOp::create(b, loc, l));
          lse = arith::SelectOp::create(b, loc, empty, st.fPosInf, lse);
          SmallVector<Value> idx(batch.begin(), batch.end());
          idx.append({h, i});
          memref::StoreOp::create(b, loc, lse, st.lse, idx);
        }
      });
}

/// Loops over the batch dimensions (any number, including none), then the
/// query heads, then the query blocks.
static void buildOuterLoops(OpBuilder &b, Location loc,
                            const AttentionLoweringState &st,
                            SmallVector<Value> &batch) {
  if (batch.size() < st.numBatch) {
    buildLoop(b, loc, st.c0, st.batchSizes[batch.size()], st.c1,
              [&](OpBuilder &b, Location loc, Value iv) {
                batch.push_back(iv);
                buildOuterLoops(b, loc, st, batch);
                batch.pop_back();
              });
    return;
  }
  buildLoop(b, loc, st.c0, st.hq, st.c1,
            [&](OpBuilder &b, Location loc, Value h) {
              buildLoop(b, loc, st.c0, st.sq, st.cBlockQ,
                        [&](OpBuilder &b, Location loc, Value qStart) {
                          buildQueryBlock(b, loc, st, batch, h, qStart);
                        });
            });
}

/// A read-only view of a tensor operand. The fully dynamic layout accepts
/// whatever buffer One-Shot Bufferize later assigns to the tensor (a slice,
/// a function argument) without a copy.
static Value toReadOnlyBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<TensorType>(tensor.getType());
  auto memrefType = bufferization::getMemRefTypeWithFullyDynamicLayout(type);
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*read_only=*/true);
}

/// A fresh identity-layout buffer for a result, sized from `sizes`.
static Value allocResult(OpBuilder &b, Location loc, RankedTensorType type,
                         ArrayRef<Value> sizes) {
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  SmallVector<Value> dynSizes;
  for (auto [dim, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynSizes.push_back(sizes[dim]);
  return memref::AllocOp::create(b, loc, memrefType, dynSizes);
}

namespace {

struct LowerAttentionPattern : OpRewritePattern<fa2::AttentionOp> {
  LowerAttentionPattern(MLIRContext *ctx, int64_t blockQ, int64_t blockK)
      : OpRewritePattern(ctx), blockQ(blockQ), blockK(blockK) {}

  LogicalResult matchAndRewrite(fa2::AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    AttentionLoweringState st;
    st.numBatch = op.getNumBatchDims();
    st.layout = op.getLayout();
    unsigned headPos = op.getHeadDimPos(), seqPos = op.getSeqDimPos(),
             featPos = op.getFeatureDimPos();

    OpBuilder &b = rewriter;
    st.c0 = st.index(b, loc, 0);
    st.c1 = st.index(b, loc, 1);
    st.cBlockQ = st.index(b, loc, blockQ);
    st.cBlockK = st.index(b, loc, blockK);
    st.fZero = cF32(b, loc, 0.0f);
    st.fOne = cF32(b, loc, 1.0f);
    st.fNegInf = cF32(b, loc, -std::numeric_limits<float>::infinity());
    st.fPosInf = cF32(b, loc, std::numeric_limits<float>::infinity());
    st.fScale = arith::ConstantOp::create(b, loc, op.getScaleAttr());
    st.sem = fa2::MaskSemantics::get(op);
    st.fFill = st.sem.fill ? cF32(b, loc, st.sem.fillF32()) : st.fNegInf;

    st.q = toReadOnlyBuffer(b, loc, op.getQuery());
    st.k = toReadOnlyBuffer(b, loc, op.getKey());
    st.v = toReadOnlyBuffer(b, loc, op.getValue());
    if (Value mask = op.getMask())
      st.mask = toReadOnlyBuffer(b, loc, mask);

    for (unsigned i = 0; i < st.numBatch; ++i)
      st.batchSizes.push_back(st.dimSize(b, loc, st.q, i));
    st.hq = st.dimSize(b, loc, st.q, headPos);
    st.sq = st.dimSize(b, loc, st.q, seqPos);
    st.d = st.dimSize(b, loc, st.q, featPos);
    st.hkv = st.dimSize(b, loc, st.k, headPos);
    st.sk = st.dimSize(b, loc, st.k, seqPos);
    st.dv = st.dimSize(b, loc, st.v, featPos);
    st.group = arith::DivUIOp::create(b, loc, st.hq, st.hkv);
    if (st.sem.hasPositionalMask())
      st.diagOffset = arith::SubIOp::create(b, loc, st.sk, st.sq);

    if (st.mask) {
      auto maskType = cast<MemRefType>(st.mask.getType());
      for (int64_t m = 0; m < maskType.getRank(); ++m) {
        if (!maskType.isDynamicDim(m)) {
          bool bc = maskType.getDimSize(m) == 1;
          st.maskBroadcast.push_back(bc ? st.c0 : Value());
          st.maskBroadcastStatic.push_back(bc);
          continue;
        }
        Value size = st.dimSize(b, loc, st.mask, m);
        st.maskBroadcast.push_back(arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, size, st.c1));
        st.maskBroadcastStatic.push_back(false);
      }
    }

    // Results: O has Q's sizes with V's feature size; LSE is [batch…, Hq, Sq].
    SmallVector<Value> outSizes(st.batchSizes);
    outSizes.append({Value(), Value(), st.dv});
    outSizes[headPos] = st.hq;
    outSizes[seqPos] = st.sq;
    RankedTensorType outType = op.getOutput().getType();
    st.out = allocResult(b, loc, outType, outSizes);
    RankedTensorType lseType;
    if (Value lse = op.getLse()) {
      lseType = cast<RankedTensorType>(lse.getType());
      SmallVector<Value> lseSizes(st.batchSizes);
      lseSizes.append({st.hq, st.sq});
      st.lse = allocResult(b, loc, lseType, lseSizes);
    }

    // The scratch tiles are static (block sizes × the head dimension), so they
    // live on the stack once, at the entry of the enclosing function: an
    // fa2.attention inside a caller's loop must not grow the stack each
    // iteration (scf.for is an allocation scope, but nothing frees its allocas
    // once scf-to-cf has lowered it, and a memref.alloca_scope around the
    // loops would not survive scf-to-cf either). Parallel loops are the
    // exception: their iterations need a tile each, so the tiles go to the
    // start of the innermost parallel body. A dynamic head dimension sizes its
    // accumulator here, from the value.
    {
      Type f32 = b.getF32Type();
      int64_t dvStatic = cast<MemRefType>(st.v.getType()).getDimSize(featPos);
      Block *tileBlock = nullptr;
      for (Operation *parent = op->getParentOp(); parent;
           parent = parent->getParentOp()) {
        if (isa<scf::ParallelOp, scf::ForallOp>(parent) ||
            isa<FunctionOpInterface>(parent)) {
          if (!parent->getRegion(0).empty())
            tileBlock = &parent->getRegion(0).front();
          break;
        }
      }
      OpBuilder::InsertionGuard guard(b);
      if (tileBlock)
        b.setInsertionPointToStart(tileBlock);
      st.sTile = memref::AllocaOp::create(
          b, loc, MemRefType::get({blockQ, blockK}, f32));
      st.mRow =
          memref::AllocaOp::create(b, loc, MemRefType::get({blockQ}, f32));
      st.lRow =
          memref::AllocaOp::create(b, loc, MemRefType::get({blockQ}, f32));
      auto accType = MemRefType::get({blockQ, dvStatic}, f32);
      if (!ShapedType::isDynamic(dvStatic))
        st.accTile = memref::AllocaOp::create(b, loc, accType);
    }
    if (!st.accTile)
      st.accTile = memref::AllocaOp::create(
          b, loc, MemRefType::get({blockQ, ShapedType::kDynamic},
                                  b.getF32Type()),
          ValueRange{st.dv});
    SmallVector<Value> batch;
    buildOuterLoops(b, loc, st, batch);

    SmallVector<Value> results;
    results.push_back(bufferization::ToTensorOp::create(
        b, loc, outType, st.out, /*restrict=*/true, /*writable=*/true));
    if (st.lse)
      results.push_back(bufferization::ToTensorOp::create(
          b, loc, lseType, st.lse, /*restrict=*/true, /*writable=*/true));
    rewriter.replaceOp(op, results);
    return success();
  }

  int64_t blockQ, blockK;
};

struct FA2LowerToLoopsPass
    : fa2::impl::FA2LowerToLoopsBase<FA2LowerToLoopsPass> {
  using FA2LowerToLoopsBase::FA2LowerToLoopsBase;

  void runOnOperation() override {
    // The scratch tiles (f32, block-q x block-k) live on the stack: block
    // sizes are 1..1024 with at most 65536 scores per block (as fa2-to-cpu
    // checks). The error is located at the options, not at the module.
    int64_t q = blockQ, k = blockK;
    if (q < 1 || k < 1 || q > 1024 || k > 1024 || q * k > 65536) {
      std::string text = "fa2-lower-to-loops{block-q=" + std::to_string(q) +
                         " block-k=" + std::to_string(k) + "}";
      mlir::emitError(FileLineColLoc::get(&getContext(), text, 1, 20))
          << "fa2-lower-to-loops: block-q and block-k must be 1 to 1024 "
             "with at most 65536 scores per block, got "
          << q << " and " << k;
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerAttentionPattern>(&getContext(), blockQ, blockK);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
