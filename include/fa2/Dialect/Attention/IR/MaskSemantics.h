//===- MaskSemantics.h - which scores fa2.attention keeps -------*- C++ -*-===//
//
// The masking semantics of fa2.attention in one place: causal (bottom-right),
// the sliding window, the finite fill, and the kind of mask operand. Every
// lowering asks this struct which keys a block of queries can see, how a
// block of scores must be treated (skipped, computed without a mask, or
// masked score by score), and builds the keep predicate and the key-range
// bounds from it. fa2-run's reference re-implements the same formula on its
// own (it shares no code with the lowerings), from the manifest's `causal`,
// `window_left`, `window_right` and `fill` keys.
//
//   off       = Sk - Sq                               bottom-right alignment
//   keep(i,j) = lo <= j - (i + off) <= hi             (by position)
//               lo = -left with a window, else unbounded
//               hi = 0 if causal (min(right, 0)), else right with a window,
//                    else unbounded
//   removed score = fill (-inf when absent); an i1 mask removes too, a float
//   mask is added afterwards.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_DIALECT_ATTENTION_IR_MASKSEMANTICS_H
#define FA2_DIALECT_ATTENTION_IR_MASKSEMANTICS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace fa2 {

class AttentionOp;

struct MaskSemantics {
  /// What the op's mask operand does to a score.
  enum class MaskOperand { None, Bool, Additive };
  /// How a lowering must treat one block of scores.
  enum class BlockKind {
    /// No score of the block is kept and removed scores are -inf: the block
    /// contributes nothing and need not be computed.
    Skip,
    /// Every score of the block is kept by position and every key exists
    /// (< Sk): no positional mask arithmetic.
    Unmasked,
    /// Anything else: apply keep() score by score (and -inf past Sk).
    Masked,
  };
  /// Window bounds at or above this behave as unbounded (no sequence is this
  /// long); clamping keeps every index computation inside 64 bits.
  static constexpr int64_t kUnboundedWindow = int64_t(1) << 48;

  bool causal = false;
  /// [left, right], both >= 0 (clamped to kUnboundedWindow), or none.
  std::optional<std::pair<int64_t, int64_t>> window;
  /// The value of a removed score, finite, or none (-inf).
  std::optional<double> fill;
  MaskOperand maskOperand = MaskOperand::None;

  static MaskSemantics get(AttentionOp op);

  /// The lowest and highest kept j - (i + off), nullopt where unbounded.
  std::optional<int64_t> diagLo() const;
  std::optional<int64_t> diagHi() const;
  /// Whether keep() depends on the position at all (causal or a window).
  bool hasPositionalMask() const { return causal || window.has_value(); }
  /// Blocks (or key ranges) with no kept score may be left out only when a
  /// removed score weighs exp(-inf) = 0; with a finite fill every key counts.
  bool canSkipRemoved() const { return !fill.has_value(); }
  /// The removed score in the f32 the scores are computed in: -inf without a
  /// fill, the fill rounded to f32 (saturating at ±FLT_MAX) otherwise.
  float fillF32() const;

  //===--- integer helpers --------------------------------------------===//
  /// keep(i, j) by position (causal and window only).
  bool keepPosition(int64_t i, int64_t j, int64_t sq, int64_t sk) const;
  /// Keys [begin, end) that some query of [qBegin, qEnd) keeps by position,
  /// inside [0, Sk); begin == end when there is none. Every key outside is
  /// removed for every one of those queries.
  std::pair<int64_t, int64_t> visibleKeyRange(int64_t qBegin, int64_t qEnd,
                                              int64_t sq, int64_t sk) const;
  /// How the block [qBegin, qEnd) x [kBegin, kEnd) of scores is treated
  /// (keys at or past Sk do not exist: they make a block Masked).
  BlockKind classifyBlock(int64_t qBegin, int64_t qEnd, int64_t kBegin,
                          int64_t kEnd, int64_t sq, int64_t sk) const;

  //===--- IR builders (index values) ---------------------------------===//
  /// An i1 that is true where key `j` is removed for query `i` by position,
  /// given `off` = Sk - Sq; null when no position is removed.
  mlir::Value buildRemovedByPosition(mlir::OpBuilder &b, mlir::Location loc,
                                     mlir::Value i, mlir::Value j,
                                     mlir::Value off) const;
  /// classifyBlock's Masked (true) against Unmasked (false) as an i1, for
  /// the queries [qBegin, qEnd) and keys [kBegin, kEnd), all below Sk,
  /// given `off` = Sk - Sq; null when no position is removed (every such
  /// block is Unmasked).
  mlir::Value buildBlockNeedsMask(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value qBegin, mlir::Value qEnd,
                                  mlir::Value kBegin, mlir::Value kEnd,
                                  mlir::Value off) const;
  /// visibleKeyRange as index values: [begin, end) for the queries
  /// [qBegin, qEnd), given `off` and Sk. `begin` is `zero` without a lower
  /// bound, `end` is `sk` without an upper one.
  std::pair<mlir::Value, mlir::Value>
  buildVisibleKeyRange(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value qBegin, mlir::Value qEnd, mlir::Value off,
                       mlir::Value sk, mlir::Value zero) const;
};

} // namespace fa2

#endif // FA2_DIALECT_ATTENTION_IR_MASKSEMANTICS_H
