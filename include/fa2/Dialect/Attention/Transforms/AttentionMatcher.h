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
#include "llvm/ADT/DenseMapInfo.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace fa2 {

/// The name of a dimension of a tensor the matcher talks about. Most dims
/// are named after the loop of the first contraction they run over; the
/// other kinds are below. Names make transposes, broadcasts and unit reshapes
/// transparent: two tensors that agree on names agree on meaning.
class DimName {
public:
  enum class Kind : uint8_t {
    /// Not known (a broadcast dimension whose loop nothing else names).
    Unknown,
    /// A unit (size-1) dimension that does not index anything.
    Unit,
    /// The only name of an opaque value (one the matcher does not model,
    /// e.g. a tensor.extract at computed indices): it may vary along every
    /// dimension.
    Opaque,
    /// Loop `loopIndex()` of the first contraction.
    Loop,
    /// Part `splitIndex()` of the loop `splitParent()` that the chain splits
    /// (a batch dim [B*H] -> [B, H] around a mask add, or a row dim of a
    /// grouped einsum [G*T] -> [G, T]).
    SplitPart,
    /// A dim merged from several named ones (the query heads [K, G] of a
    /// grouped einsum reshaped to [K*G]); `mergedIndex()` indexes the
    /// matcher's MergedDims.
    Merged,
    /// Grouped-query attention: the dims a K/V head dimension was collapsed
    /// from, outer first (`groupOuterIndex()`), ...
    GroupOuter,
    /// ... and the broadcast group dim, last.
    Group,
    /// The feature dimension of V and O (the free loop of the second
    /// contraction).
    ValueFeature,
    /// The head dimension fa2.attention needs when the chain has no batch
    /// dims.
    SyntheticHead,
  };

  /// Unknown.
  DimName() = default;
  static DimName unknown() { return DimName(); }
  static DimName unit() { return DimName(Kind::Unit); }
  static DimName opaque() { return DimName(Kind::Opaque); }
  static DimName loop(unsigned index) { return DimName(Kind::Loop, index); }
  static DimName splitPart(DimName parent, unsigned index) {
    return DimName(Kind::SplitPart, parent.loopIndex(), index);
  }
  static DimName merged(unsigned index) { return DimName(Kind::Merged, index); }
  static DimName groupOuter(unsigned index) {
    return DimName(Kind::GroupOuter, index);
  }
  static DimName group() { return DimName(Kind::Group); }
  static DimName valueFeature() { return DimName(Kind::ValueFeature); }
  static DimName syntheticHead() { return DimName(Kind::SyntheticHead); }

  Kind kind() const { return nameKind; }
  bool isUnknown() const { return nameKind == Kind::Unknown; }
  bool isUnit() const { return nameKind == Kind::Unit; }
  bool isLoop() const { return nameKind == Kind::Loop; }
  bool isSplitPart() const { return nameKind == Kind::SplitPart; }
  bool isMerged() const { return nameKind == Kind::Merged; }
  bool isGroupOuter() const { return nameKind == Kind::GroupOuter; }
  /// Whether the name says what the dim indexes: not unknown, unit or opaque.
  bool isNamed() const {
    return nameKind != Kind::Unknown && nameKind != Kind::Unit &&
           nameKind != Kind::Opaque;
  }

  unsigned loopIndex() const {
    assert(isLoop() && "not a loop's name");
    return first;
  }
  /// The loop a split part is a part of.
  DimName splitParent() const {
    assert(isSplitPart() && "not a split part");
    return loop(first);
  }
  unsigned splitIndex() const {
    assert(isSplitPart() && "not a split part");
    return second;
  }
  unsigned mergedIndex() const {
    assert(isMerged() && "not a merged dim");
    return first;
  }
  unsigned groupOuterIndex() const {
    assert(isGroupOuter() && "not a GQA outer dim");
    return first;
  }
  /// The loop of the first contraction the dim runs over: its own, or a
  /// split part's parent's; none for the other kinds.
  std::optional<unsigned> loopOf() const {
    if (isLoop() || isSplitPart())
      return first;
    return std::nullopt;
  }

  bool operator==(const DimName &o) const {
    return nameKind == o.nameKind && first == o.first && second == o.second;
  }
  bool operator!=(const DimName &o) const { return !(*this == o); }
  friend llvm::hash_code hash_value(const DimName &n) {
    return llvm::hash_combine(static_cast<uint8_t>(n.nameKind), n.first,
                              n.second);
  }

  /// For debug output: d2 (loop 2), d0.1 (part 1 of loop 0), merged#0,
  /// group-outer#1, group, value-feature, synthetic-head, unit, unknown,
  /// opaque.
  void print(llvm::raw_ostream &os) const;

private:
  friend struct llvm::DenseMapInfo<DimName>;
  explicit DimName(Kind kind, unsigned first = 0, unsigned second = 0)
      : nameKind(kind), first(first), second(second) {}

  Kind nameKind = Kind::Unknown;
  unsigned first = 0, second = 0;
};

inline llvm::raw_ostream &operator<<(llvm::raw_ostream &os, DimName name) {
  name.print(os);
  return os;
}

/// A list of names, one per dimension of a tensor.
using DimNames = llvm::SmallVector<DimName>;

} // namespace fa2

/// DimNames key maps and sets (the split dims by their parent).
template <> struct llvm::DenseMapInfo<fa2::DimName> {
  static fa2::DimName getEmptyKey() {
    return fa2::DimName(fa2::DimName::Kind::Unknown, ~0u, 0);
  }
  static fa2::DimName getTombstoneKey() {
    return fa2::DimName(fa2::DimName::Kind::Unknown, ~0u - 1, 0);
  }
  static unsigned getHashValue(const fa2::DimName &n) {
    return static_cast<unsigned>(hash_value(n));
  }
  static bool isEqual(const fa2::DimName &a, const fa2::DimName &b) {
    return a == b;
  }
};

namespace fa2 {

/// The static sizes of the parts of each split dimension, by parent (a loop
/// name).
using SplitMap = llvm::DenseMap<DimName, llvm::SmallVector<int64_t>>;

/// The dims a merged name stands for, outer first, with their static sizes.
struct MergedDims {
  DimNames parts;
  llvm::SmallVector<int64_t> sizes;
};

/// A tensor plus the name of each of its dimensions.
struct NamedTensor {
  mlir::Value value;
  DimNames names;
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
  /// name (MQA) or carry GroupOuter names instead of it (GQA).
  NamedTensor query, key, value;
  /// The value fa2.attention's output replaces (the second contraction's
  /// result, or a truncf of it), with names from {batch, query,
  /// value feature}.
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
  /// Batch names in the op's order (heads last); the synthetic head when
  /// the chain had none. Split batch dims appear as their parts.
  DimNames batchNames;
  /// Batch dims the chain splits into parts.
  SplitMap splits;
  /// Grouped GQA written as einsums (issue 12, form 7): row dims of both
  /// contractions besides the query that K and V do not have. The op's query
  /// heads are [head, groups...] merged, outer first, so that query head
  /// k·G + g reads K/V head k, as fa2.attention's h / (Hq / Hkv) does.
  /// Tensors may carry the groups as dims of their own or merged with the
  /// head under `groupedHeadName`.
  DimNames groupNames;
  llvm::SmallVector<int64_t> groupSizes;
  /// The static size of the head dim (the K/V heads) when there are groups.
  int64_t headSize = 0;
  DimName groupedHeadName;
  DimName queryName, keyName, featureName;
  /// The operations of the chain, to erase once nothing uses them.
  llvm::SmallVector<mlir::Operation *> chainOps;
};

/// How far a match got: the steps of the match, in the order it makes them.
/// The furthest attempt's reason is reported.
enum class AttentionMatchStep {
  None,
  Contractions,      ///< the contractions and the dims of the scores
  Softmax,           ///< the softmax
  KeysAndRows,       ///< which dims are the keys and the rows
  SecondContraction, ///< the second contraction against the first
  ScoresAlgebra,     ///< scale and masks on the scores
  Masks,             ///< the masks as fa2.attention's causal, window, fill, mask
  Operands,          ///< Q, K, V and O
  Uses,              ///< what else the function reads of the chain
};

/// Why a candidate was not raised: one enumerator per check of the match
/// and of the parts it asks (the forward labels, SoftmaxAlgebra's softmax
/// and scores), in the order the match makes them (as upstream's
/// MatchContractionResult), grouped by the step they belong to.
/// AttentionMismatch::message() words each one; what a message names (an
/// op, a dim, a value) is in AttentionMismatch's fields.
enum class AttentionMismatchReason {
  None = 0,
  // Step 1: the contractions and the dims of the scores.
  FirstContractionShape, ///< op
  // The scores' dims cannot be followed through `op` (forward labels):
  LabelOperandsDisagree,     ///< op: its operands disagree on the dims
  LabelUnknownOp,            ///< op: an op the matcher does not know
  LabelSoftmaxInputElsewhere, ///< op: a linalg.softmax of something else
  LabelNoTensorSemantics,    ///< op
  LabelNotUnitReshape,       ///< op: a reshape that is not only unit dims
  LabelMergesScoreDims,      ///< op: a reshape merging named dims
  LabelSplitsOtherDim,       ///< op: a split of a dim that may not split
  ScoresNotFollowed,
  // Step 2: the softmax (SoftmaxAlgebra's matchSoftmax).
  NoSoftmax,
  NotASoftmax,
  ShiftNotRowMax,
  RowMaxGuardNotDeadRow,
  SoftmaxZeroedNotDeadRow,
  SumNotOfNumerator,
  NumeratorNotExp,
  RowSumGuardNotDeadRow,
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
  // Step 5: scale and masks on the scores (SoftmaxAlgebra's matchScores).
  ScoresThroughValue, ///< value: what the scores pass through
  SoftmaxInputNotFromScores,
  SelectNotConstantFill,
  NonPositiveScaleAfterInfMask,
  ScaledFillOverflows,
  ScoresAddedToThemselves,
  ScaleOnAdditiveMask,
  ScoresAsDivisor,
  ScaleNotConstant,
  ScoresThroughFunction, ///< function: the elementwise function
  // Step 6: the masks as fa2.attention's causal, window, fill and mask.
  MaskBandOffDiagonal, ///< window: the band's bounds
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
  // Not a step of matchAttention: the pass reports it at a softmax over a
  // contraction's scores that no second contraction reads.
  SoftmaxWithoutSecondContraction,
};

/// Why a candidate was not raised.
struct AttentionMismatch {
  /// False when the anchor is not even the start of a candidate (no
  /// contraction feeds it); such ops get no remark.
  bool beganToMatch = false;
  AttentionMismatchReason reason = AttentionMismatchReason::None;
  /// What the message names: ops by name, a value as "'op.name'" or "a
  /// block argument", an elementwise function by name.
  std::string op, otherOp, value, function;
  /// Dims of the scores by position.
  int64_t dim = -1, otherDim = -1;
  /// A band of keys as bounds [lower, upper] on j - i - (seq_k - seq_q).
  std::pair<int64_t, int64_t> window{0, 0};
  /// The step of `reason` (None for None).
  AttentionMatchStep step() const;
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
