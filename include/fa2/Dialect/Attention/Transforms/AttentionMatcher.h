//===- AttentionMatcher.h - Recognize attention chains ----------*- C++ -*-===//
//
// The analysis half of --fa2-raise-attention: given the second contraction of
// a candidate chain (P·V), decide whether the chain computes scaled
// dot-product attention and, if so, describe it in terms of fa2.attention.
// The matcher never changes the IR; RaiseAttention.cpp builds the op.
//
//===----------------------------------------------------------------------===//

#ifndef FA2_DIALECT_ATTENTION_TRANSFORMS_ATTENTIONMATCHER_H
#define FA2_DIALECT_ATTENTION_TRANSFORMS_ATTENTIONMATCHER_H

#include "fa2/Dialect/Attention/IR/AttentionOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace fa2 {

/// Every dimension of a tensor the matcher talks about carries a *name*: the
/// loop of the first contraction it runs over (0 .. numLoops-1), or one of the
/// names below. Names make transposes, broadcasts and unit reshapes
/// transparent: two tensors that agree on names agree on meaning.
namespace attention_names {
/// A unit (size-1) dimension that does not index anything.
constexpr int64_t kUnit = -1;
/// Not known (a broadcast dimension whose loop nothing else names).
constexpr int64_t kUnknown = -2;
/// The feature dimension of V and O (the free loop of the second contraction).
constexpr int64_t kValueFeature = 1000;
/// Grouped-query attention: the dims a K/V head dimension was collapsed
/// from, outer first (kGroupOuter + i), the broadcast group dim last.
constexpr int64_t kGroupOuter = 2000;
constexpr int64_t kGroup = 2999;
/// The head dimension fa2.attention needs when the chain has no batch dims.
constexpr int64_t kSyntheticHead = 3000;
/// The name list of an opaque value (one the matcher does not model, e.g. a
/// tensor.extract at computed indices): it may vary along every dimension.
constexpr int64_t kOpaque = -3;
/// A dimension merged from several named ones (the query heads [K, G] of a
/// grouped einsum reshaped to [K·G]) is named kMergedBase + i, where i
/// indexes the match's MergedDims.
constexpr int64_t kMergedBase = 3100;
constexpr int64_t kMaxMerged = 800;
inline bool isMerged(int64_t n) {
  return n >= kMergedBase && n < kMergedBase + kMaxMerged;
}
/// A batch dimension the chain splits (e.g. [B*H] -> [B, H] around a mask
/// add) is named by its parts: kSplitBase + parent * kMaxSplit + index.
constexpr int64_t kSplitBase = 4000;
constexpr int64_t kMaxSplit = 8;
inline bool isSplitPart(int64_t n) { return n >= kSplitBase; }
inline int64_t splitParent(int64_t n) { return (n - kSplitBase) / kMaxSplit; }
inline int64_t splitIndex(int64_t n) { return (n - kSplitBase) % kMaxSplit; }
inline int64_t splitPart(int64_t parent, int64_t index) {
  return kSplitBase + parent * kMaxSplit + index;
}
} // namespace attention_names

/// The static sizes of the parts of each split batch dimension, by parent.
using SplitMap = llvm::DenseMap<int64_t, llvm::SmallVector<int64_t>>;

/// The dims a merged name stands for, outer first, with their static sizes.
struct MergedDims {
  llvm::SmallVector<int64_t> parts;
  llvm::SmallVector<int64_t> sizes;
};

/// A tensor plus the name of each of its dimensions.
struct NamedTensor {
  mlir::Value value;
  llvm::SmallVector<int64_t> names;
};

/// One tensor of the chain's masks.
struct MaskTerm {
  NamedTensor tensor;
  enum Kind {
    Keep, ///< i1, true where the score stays
    Drop, ///< i1, true where the score is removed
    Add   ///< float, added to the scaled scores
  } kind;
};

/// What a matched chain computes, in fa2.attention's terms.
struct AttentionMatch {
  /// The second contraction (P·V) the match was anchored on.
  mlir::Operation *anchor = nullptr;
  /// Q, K and V as found after peeling transposes, unit reshapes, constant
  /// pre-scales, extensions and GQA broadcasts. K and V may lack the head
  /// name (MQA) or carry kGroupOuter names instead of it (GQA).
  NamedTensor query, key, value;
  /// The value fa2.attention's output replaces (the second contraction's
  /// result, or a truncf of it), with names from {batch, query, kValueFeature}.
  NamedTensor output;
  /// The tensors the op's one mask operand is made of, each with names that
  /// are a subset of the scores'. Several are combined into one tensor by
  /// the rewrite (boolean keeps by `and`, additive masks by `+`, a boolean
  /// keep and additive masks by select(keep, sum, -inf)).
  llvm::SmallVector<MaskTerm> masks;
  /// The value a removed score takes (fa2.attention's `fill`); none: -inf.
  std::optional<double> fill;
  /// A sliding window [left, right] around the bottom-right diagonal.
  std::optional<std::pair<int64_t, int64_t>> window;
  /// A log-sum-exp value of the chain that the function uses.
  std::optional<NamedTensor> lse;
  double scale = 1.0;
  bool causal = false;
  Layout layout = Layout::BHSD;
  /// Batch names in the op's order (heads last); kSyntheticHead when the
  /// chain had none. Split batch dims appear as their parts.
  llvm::SmallVector<int64_t> batchNames;
  /// Batch dims the chain splits into parts.
  SplitMap splits;
  /// Grouped GQA written as einsums (issue 12, form 7): row dims of both
  /// contractions besides the query that K and V do not have. The op's query
  /// heads are [head, groups...] merged, outer first, so that query head
  /// k·G + g reads K/V head k, as fa2.attention's h / (Hq / Hkv) does.
  /// Tensors may carry the groups as dims of their own or merged with the
  /// head under `groupedHeadName`.
  llvm::SmallVector<int64_t> groupNames;
  llvm::SmallVector<int64_t> groupSizes;
  /// The static size of the head dim (the K/V heads) when there are groups.
  int64_t headSize = 0;
  int64_t groupedHeadName = attention_names::kUnknown;
  int64_t queryName = 0, keyName = 0, featureName = 0;
  /// The operations of the chain, to erase once nothing uses them.
  llvm::SmallVector<mlir::Operation *> chainOps;
};

/// Why a candidate was not raised: one enumerator per check of the match,
/// in the order the match makes them (as upstream's MatchContractionResult),
/// grouped by the step they belong to. AttentionMismatch::message() words
/// each one; what a message names (an op, a dim, the reason a sub-matcher
/// gave) is in AttentionMismatch's fields.
enum class AttentionMismatchReason {
  None = 0,
  // Step 1: the contractions and the dims of the scores.
  FirstContractionShape,    ///< op
  ScoresNotFollowedThrough, ///< op, detail (why that op loses the dims)
  ScoresNotFollowed,
  // Step 2: the softmax.
  NotASoftmax, ///< detail (SoftmaxAlgebra's reason)
  // Step 3: which dims are the keys and the rows.
  SoftmaxNotOverRowOrColumn, ///< dim
  SeveralKeyDims,
  NoSuchQueryDim,
  SecondContractionShape, ///< op
  // Step 4: the second contraction against the first.
  ContractsAnotherDim, ///< dim, otherDim (-1: not a dim of the scores)
  QueryDimDropped,     ///< dim
  RowDimsNotKept,      ///< op
  BatchDimsDiffer,
  GroupWithoutBatch,
  // Step 5: scale and masks on the scores.
  ScoresNotUnderstood, ///< detail (SoftmaxAlgebra's reason)
  // Step 6: the masks as fa2.attention's causal, window, fill and mask.
  MaskBandOffDiagonal, ///< detail (the window bounds)
  AdditiveMaskInsideOp,
  BooleanMaskInsideSelect,
  NonAbsorbingFiniteAdd,
  DifferentFills,
  AddBeforeFiniteFill,
  BooleanFillWithAdditive,
  MaskAlongOtherDim,
  MaskBroadcastNotUnit,
  MaskAlongPartOfHeads,
  // Step 7: Q, K, V and O.
  BatchOrderUnclear,
  GroupSizesDynamic,
  NoCommonOperandReading,
  EmptyOperandDim,
  ResultElementType,
  ScaleNotFiniteF32,
  // Step 8: what else the function reads of the chain.
  ShiftedLseRead,
  IntermediateUsedOutside, ///< op, otherOp (its user)
};

/// Why a candidate was not raised.
struct AttentionMismatch {
  /// False when the anchor is not even the start of a candidate (no
  /// contraction feeds it); such ops get no remark.
  bool beganToMatch = false;
  AttentionMismatchReason reason = AttentionMismatchReason::None;
  /// What the message names.
  std::string op, otherOp, detail;
  int64_t dim = -1, otherDim = -1;
  /// How far the match got: the step of `reason` (0 for None). The furthest
  /// attempt's reason is reported.
  int progress() const;
  /// The reason in words, as the remark gives it.
  std::string message() const;
};

/// Returns true for ops the matcher treats as contractions (linalg ops whose
/// indexing maps and body make a contraction, tosa.matmul).
bool isContractionLike(mlir::Operation *op);

/// Tries to read `secondContraction` as the P·V contraction of an attention
/// chain. Changes nothing.
mlir::FailureOr<AttentionMatch>
matchAttention(mlir::Operation *secondContraction, AttentionMismatch &why);

/// True for ops that look like the start of a softmax (linalg.softmax, a
/// max-reduction) over values that come from a contraction: the pass remarks
/// on those it could not raise.
bool isSoftmaxOverContraction(mlir::Operation *op);

} // namespace fa2

#endif // FA2_DIALECT_ATTENTION_TRANSFORMS_ATTENTIONMATCHER_H
