//===- AttentionOps.cpp - fa2.attention verifier ---------------------------===//
#include "fa2/Dialect/Attention/IR/AttentionOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace fa2;

/// `window(left, right)`: the two bounds as plain integers.
static ParseResult parseWindow(OpAsmParser &parser, DenseI64ArrayAttr &window) {
  int64_t left, right;
  if (parser.parseInteger(left) || parser.parseComma() ||
      parser.parseInteger(right))
    return failure();
  window = parser.getBuilder().getDenseI64ArrayAttr({left, right});
  return success();
}

static void printWindow(OpAsmPrinter &printer, Operation *,
                        DenseI64ArrayAttr window) {
  llvm::interleaveComma(window.asArrayRef(), printer);
}

#define GET_OP_CLASSES
#include "fa2/Dialect/Attention/IR/AttentionOps.cpp.inc"

/// Prints a dimension size as a number or `?`.
static std::string dimStr(int64_t size) {
  return ShapedType::isDynamic(size) ? std::string("?") : std::to_string(size);
}

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::interleave(
      shape, [&](int64_t d) { s += dimStr(d); }, [&] { s += ", "; });
  return s + "]";
}

/// Two sizes agree unless both are static and differ.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult AttentionOp::verify() {
  auto qType = getQuery().getType();
  auto kType = getKey().getType();
  auto vType = getValue().getType();
  int64_t rank = qType.getRank();
  if (rank < 3)
    return emitOpError("expected query of rank >= 3 ([batch..., heads, seq, "
                       "features] or [batch..., seq, heads, features]), got ")
           << rank;
  if (kType.getRank() != rank || vType.getRank() != rank)
    return emitOpError("query, key and value must have the same rank, got ")
           << rank << ", " << kType.getRank() << " and " << vType.getRank();
  if (qType.getElementType() != kType.getElementType() ||
      qType.getElementType() != vType.getElementType())
    return emitOpError("query, key and value must share one element type, got ")
           << qType.getElementType() << ", " << kType.getElementType()
           << " and " << vType.getElementType();

  unsigned numBatch = getNumBatchDims();
  unsigned headPos = getHeadDimPos(), seqPos = getSeqDimPos(),
           featPos = getFeatureDimPos();
  ArrayRef<int64_t> q = qType.getShape(), k = kType.getShape(),
                    v = vType.getShape();

  for (unsigned i = 0; i < numBatch; ++i) {
    if (!compatible(q[i], k[i]) || !compatible(q[i], v[i]))
      return emitOpError("batch dimension ")
             << i << " differs between query (" << dimStr(q[i]) << "), key ("
             << dimStr(k[i]) << ") and value (" << dimStr(v[i]) << ")";
  }
  if (!compatible(k[headPos], v[headPos]))
    return emitOpError("key and value must have the same number of heads, got ")
           << dimStr(k[headPos]) << " and " << dimStr(v[headPos]);
  if (!compatible(k[seqPos], v[seqPos]))
    return emitOpError(
               "key and value must have the same sequence length, got ")
           << dimStr(k[seqPos]) << " and " << dimStr(v[seqPos]);
  if (!compatible(q[featPos], k[featPos]))
    return emitOpError("query and key must have the same feature size, got ")
           << dimStr(q[featPos]) << " and " << dimStr(k[featPos]);
  int64_t hq = q[headPos], hkv = k[headPos];
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) &&
      (hkv == 0 || hq % hkv != 0))
    return emitOpError("query heads (")
           << hq << ") must be a multiple of key/value heads (" << hkv << ")";

  // The output has the query's shape with the value's feature size.
  auto oType = getOutput().getType();
  SmallVector<int64_t> expectedOut(q);
  expectedOut[featPos] = v[featPos];
  if (oType.getRank() != rank ||
      !llvm::all_of(llvm::seq<int64_t>(0, rank), [&](int64_t i) {
        return compatible(oType.getDimSize(i), expectedOut[i]);
      }))
    return emitOpError("output shape must be ")
           << shapeStr(expectedOut)
           << " (the query's, with the value's feature size), got "
           << shapeStr(oType.getShape());

  // Scores are [batch..., Hq, Sq, Sk] whatever the layout.
  SmallVector<int64_t> scores(q.take_front(numBatch));
  scores.append({hq, q[seqPos], k[seqPos]});

  if (Value mask = getMask()) {
    auto mType = cast<RankedTensorType>(mask.getType());
    int64_t mRank = mType.getRank();
    if (mRank > rank)
      return emitOpError("mask of rank ")
             << mRank << " cannot broadcast to the scores "
             << shapeStr(scores) << " of rank " << rank;
    for (int64_t i = 0; i < mRank; ++i) {
      int64_t m = mType.getDimSize(i);
      int64_t s = scores[rank - mRank + i];
      if (m != 1 && !compatible(m, s))
        return emitOpError("mask dimension ")
               << i << " is " << dimStr(m) << " but must be 1 or "
               << dimStr(s) << " to broadcast to the scores "
               << shapeStr(scores);
    }
  }

  if (Value lse = getLse()) {
    auto lType = cast<RankedTensorType>(lse.getType());
    SmallVector<int64_t> expectedLse(scores.begin(), scores.end() - 1);
    if (lType.getRank() != rank - 1 ||
        !llvm::all_of(llvm::seq<int64_t>(0, rank - 1), [&](int64_t i) {
          return compatible(lType.getDimSize(i), expectedLse[i]);
        }))
      return emitOpError("lse shape must be [batch..., Hq, Sq] = ")
             << shapeStr(expectedLse) << ", got " << shapeStr(lType.getShape());
  }

  APFloat scale = getScaleAttr().getValue();
  if (!scale.isFinite())
    return emitOpError("scale must be finite");

  if (std::optional<ArrayRef<int64_t>> window = getWindow()) {
    if (window->size() != 2)
      return emitOpError("window must have two elements [left, right], got ")
             << window->size();
    if ((*window)[0] < 0 || (*window)[1] < 0)
      return emitOpError("window bounds must be >= 0, got [")
             << (*window)[0] << ", " << (*window)[1] << "]";
  }
  if (FloatAttr fill = getFillAttr()) {
    if (!fill.getValue().isFinite())
      return emitOpError("fill must be finite");
  }
  return success();
}
