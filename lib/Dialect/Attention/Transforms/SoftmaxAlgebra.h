//===- SoftmaxAlgebra.h - Softmax, scores and masks as algebra --------------===//
//
// Private to the matcher (see MatcherExpr.h for the map of its parts). Given
// the expression of P (the operand of the second contraction), recognizes a
// softmax in its spellings (exp(x - max) / sum, e · 1/sum, exp(x - lse), the
// guards of a safe softmax), then reads the softmax input x as the scores
// with a scale, additive masks and selects (masked_fill), and index masks
// as bands on j - i (causal, sliding windows).
//
//===----------------------------------------------------------------------===//

#ifndef FA2_LIB_DIALECT_ATTENTION_TRANSFORMS_SOFTMAXALGEBRA_H
#define FA2_LIB_DIALECT_ATTENTION_TRANSFORMS_SOFTMAXALGEBRA_H

#include "MatcherExpr.h"

namespace fa2::matcher {

struct SoftmaxMatch {
  Expr *x = nullptr;        // the softmax input (scaled, masked scores)
  Expr *rowShift = nullptr; // the value subtracted before exp (or null)
  Expr *rowMax = nullptr;   // the Reduce(max) in rowShift, guard peeled
  Expr *rowSum = nullptr;   // the Reduce(add) node
  DimName keyName;
  /// XSoftmax (DeBERTa): where(cond, 0, softmax(x)) with a test that varies
  /// along the keys. Exact only where it zeroes precisely the scores a
  /// select removed with a fill that underflows (the orchestrator checks):
  /// then P is 0 there either way, and a fully removed row gives 0, as
  /// fa2.attention without a fill does. P is 0 where `zeroCond == zeroTruth`.
  Expr *zeroCond = nullptr;
  bool zeroTruth = false;
};

/// Recognizes P as a softmax over one name of its input; `why` says what
/// failed (a step-2 reason: NoSoftmax when P holds no softmax at all).
FailureOr<SoftmaxMatch> matchSoftmax(Expr *p, AttentionMismatchReason &why);

/// Whether `cond == truth` holds exactly on the rows whose every softmax
/// input is masked (the guards of a safe softmax).
bool isDeadRowTest(Expr *cond, bool truth, const SoftmaxMatch &sm);

/// select(cond, c, v) or select(cond, v, c) with `isGuardValue(c)`: returns
/// v, and the guard (cond, and the truth value that picks c).
template <typename Pred>
Expr *peelGuard(Expr *e, Pred isGuardValue, Expr *&cond, bool &truth) {
  e = stripFloatCasts(e);
  if (e->kind != EK::Select)
    return nullptr;
  for (int arm = 1; arm <= 2; ++arm) {
    Expr *c = stripFloatCasts(e->args[arm]);
    if (c->kind != EK::Const || !isGuardValue(c->cst))
      continue;
    cond = e->args[0];
    truth = arm == 1;
    return e->args[3 - arm];
  }
  return nullptr;
}

struct ScoresMatch {
  double scale = 1.0;
  SmallVector<Expr *> addMasks;
  /// A select on the scores: where `cond == keep` the score stays, elsewhere
  /// it becomes `fill` (the constant times the scales applied after it).
  struct Removal {
    Expr *cond;
    bool keep;
    double fill;
  };
  SmallVector<Removal> selects;
  /// Per additive mask: it sits inside a select with a finite fill, so the
  /// fill replaces the mask too (fa2.attention fills, then adds).
  SmallVector<bool> addInsideFiniteFill;
};

/// Reads the softmax input `x` as the scores (the first contraction's
/// result) under scales, additive masks and selects; `why` says what failed
/// (a step-5 reason, with the value or function it names).
FailureOr<ScoresMatch> matchScores(Expr *x, Value scores,
                                   AttentionMismatch &why);

/// The keys a boolean index mask keeps, as bounds on j - i.
struct Band {
  std::optional<int64_t> lower, upper;
};

/// Reads `cond == truth` as a conjunction of bounds on j - i: linear
/// comparisons, |i - j| against a constant, and/or/not of them.
bool collectBand(Expr *cond, bool truth, DimName qName, DimName kName,
                 Band &band);

/// Whether the i1 tensor `t` (true meaning `keep`) is a constant equal to
/// the bottom-right causal pattern over the scores (GPT-2's tril buffer,
/// sliced to [Sq, Sk]).
bool isConstantCausal(const NamedTensor &t, bool keep, DimName qName,
                      DimName kName, int64_t sq, int64_t sk);

} // namespace fa2::matcher

#endif // FA2_LIB_DIALECT_ATTENTION_TRANSFORMS_SOFTMAXALGEBRA_H
