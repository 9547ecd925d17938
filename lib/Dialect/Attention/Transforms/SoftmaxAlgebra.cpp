//===- SoftmaxAlgebra.cpp - Softmax, scores and masks as algebra ------------===//
//
// See SoftmaxAlgebra.h. Everything here works on expressions only; the IR
// is read by the importers.
//
//===----------------------------------------------------------------------===//

#include "SoftmaxAlgebra.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>

namespace fa2::matcher {

using R = AttentionMismatchReason;

/// `cond` with any constant operand moved to the right (the predicate
/// mirrored): returns the non-constant side, the constant and the predicate.
static bool splitCmpWithConst(Expr *cond, Expr *&lhs, double &k, CP &pred) {
  if (cond->kind != EK::Cmp)
    return false;
  Expr *a = stripFloatCasts(cond->args[0]), *b = stripFloatCasts(cond->args[1]);
  pred = cond->pred;
  if (a->kind == EK::Const && b->kind != EK::Const) {
    std::swap(a, b);
    switch (pred) {
    case CP::LT: pred = CP::GT; break;
    case CP::LE: pred = CP::GE; break;
    case CP::GT: pred = CP::LT; break;
    case CP::GE: pred = CP::LE; break;
    case CP::ULT: pred = CP::UGT; break;
    case CP::ULE: pred = CP::UGE; break;
    case CP::UGT: pred = CP::ULT; break;
    case CP::UGE: pred = CP::ULE; break;
    default: break;
    }
  }
  if (b->kind != EK::Const)
    return false;
  lhs = a;
  k = b->cst;
  return true;
}

/// Whether `cond == truth` holds exactly where `v` is at its bottom value
/// `bottom` (v never goes below it): v == bottom, v <= bottom, or the
/// negations v != bottom, v > bottom with truth false.
static bool isBottomTest(CP pred, bool truth) {
  if (truth)
    return pred == CP::EQ || pred == CP::LE;
  return pred == CP::NE || pred == CP::GT;
}

/// Whether `cond == truth` holds exactly where the element of the softmax
/// input `x` is masked (-inf, or a masking value: see isMaskingValue).
static bool isMaskedElementTest(Expr *cond, bool truth, Expr *x) {
  if (cond->kind == EK::Unary && cond->fn == Fn::Not)
    return isMaskedElementTest(cond->args[0], !truth, x);
  Expr *lhs;
  double k;
  CP pred;
  if (!splitCmpWithConst(cond, lhs, k, pred))
    return false;
  return isMaskingValue(k) && equalExpr(lhs, stripFloatCasts(x)) &&
         isBottomTest(pred, truth);
}

/// Whether `cond == truth` holds exactly on the rows whose every softmax
/// input is masked: the guards of a safe softmax. Accepted tests, up to
/// negation and operand order:
///   max_k x == -inf     (or <=; the row max at its bottom)
///   sum_k e == 0        (or <=; e = exp(x - shift) is 0 exactly on masked
///                        elements, and the max element gives exp(0) = 1)
///   all_k (x == -inf)   (PyTorch's _safe_softmax)
///   !any_k (x != -inf)
/// "-inf" is any masking value, as for the masks themselves: a row masked
/// with the lowest finite value is treated like one masked with -inf (see
/// docs/numerics.md).
bool isDeadRowTest(Expr *cond, bool truth, const SoftmaxMatch &sm) {
  if (cond->kind == EK::Unary && cond->fn == Fn::Not)
    return isDeadRowTest(cond->args[0], !truth, sm);
  if (cond->kind == EK::Reduce && (cond->fn == Fn::And || cond->fn == Fn::Or)) {
    if (cond->name != sm.keyName)
      return false;
    // all(t) is true exactly on dead rows iff t is "masked"; any(t) is false
    // exactly on dead rows iff t is "not masked".
    if (cond->fn == Fn::And)
      return truth && isMaskedElementTest(cond->args[0], true, sm.x);
    return !truth && isMaskedElementTest(cond->args[0], false, sm.x);
  }
  Expr *lhs;
  double k;
  CP pred;
  if (!splitCmpWithConst(cond, lhs, k, pred))
    return false;
  // torch's logsumexp: where(|max| == inf, 0, max). A row max is +inf only
  // where an input is, which poisons the row either way.
  if (lhs->kind == EK::Unary && lhs->fn == Fn::Abs && std::isinf(k) && k > 0 &&
      ((truth && (pred == CP::EQ || pred == CP::GE)) ||
       (!truth && (pred == CP::NE || pred == CP::LT)))) {
    Expr *r = stripFloatCasts(lhs->args[0]);
    return r->kind == EK::Reduce && r->fn == Fn::Max && r->name == sm.keyName &&
           equalExpr(stripFloatCasts(r->args[0]), stripFloatCasts(sm.x));
  }
  if (!isBottomTest(pred, truth))
    return false;
  if (lhs->kind == EK::Reduce && lhs->fn == Fn::Max) {
    return isMaskingValue(k) && lhs->name == sm.keyName &&
           equalExpr(stripFloatCasts(lhs->args[0]), stripFloatCasts(sm.x));
  }
  if (lhs->kind == EK::Reduce && lhs->fn == Fn::Add)
    return k == 0.0 && sm.rowSum && equalExpr(lhs, sm.rowSum);
  return false;
}


static bool hasExpOrReduce(Expr *e) {
  if (e->kind == EK::Reduce || (e->kind == EK::Unary && e->fn == Fn::Exp))
    return true;
  return llvm::any_of(e->args, hasExpOrReduce);
}

/// exp(x - a) with a constant along `key`, or exp(x).
static bool splitExpArg(Expr *e, DimName key, Expr *&x, Expr *&a) {
  e = stripFloatCasts(e);
  if (e->kind != EK::Unary || e->fn != Fn::Exp)
    return false;
  Expr *arg = e->args[0];
  if (arg->kind == EK::Binary && arg->fn == Fn::Sub &&
      !dependsOn(arg->args[1], key)) {
    x = arg->args[0];
    a = arg->args[1];
  } else {
    x = arg;
    a = nullptr;
  }
  return true;
}

/// The value subtracted before exp must be the row max of the same scores:
/// softmax is invariant to it, but it is what keeps exp from overflowing.
/// A safe softmax guards it: select(max == -inf, c, max) with c finite
/// subtracts c on fully masked rows (where every exp is then 0) instead of
/// computing -inf - (-inf). Sets sm.rowMax.
static LogicalResult checkRowShift(SoftmaxMatch &sm, R &why) {
  sm.rowMax = nullptr;
  if (!sm.rowShift)
    return success();
  Expr *m = stripFloatCasts(sm.rowShift);
  Expr *guard = nullptr;
  bool truth = false;
  if (Expr *inner = peelGuard(
          m, [](double c) { return std::isfinite(c); }, guard, truth))
    m = stripFloatCasts(inner);
  if (m->kind != EK::Reduce || m->fn != Fn::Max || m->name != sm.keyName ||
      !equalExpr(stripFloatCasts(m->args[0]), stripFloatCasts(sm.x))) {
    why = R::ShiftNotRowMax;
    return failure();
  }
  if (guard && !isDeadRowTest(guard, truth, sm)) {
    why = R::RowMaxGuardNotDeadRow;
    return failure();
  }
  sm.rowMax = m;
  return success();
}

FailureOr<SoftmaxMatch> matchSoftmax(Expr *p, R &why) {
  p = stripFloatCasts(p);
  // PyTorch's _safe_softmax: where(all(x == -inf), 0, softmax(x)). The
  // guard must pick 0 exactly on fully masked rows, which is what
  // fa2.attention computes there.
  {
    Expr *guard = nullptr;
    bool truth = false;
    if (Expr *inner = peelGuard(
            p, [](double c) { return c == 0.0; }, guard, truth)) {
      FailureOr<SoftmaxMatch> m = matchSoftmax(inner, why);
      if (failed(m))
        return failure();
      if (isDeadRowTest(guard, truth, *m))
        return m;
      if (!m->zeroCond && dependsOn(guard, m->keyName)) {
        // Per element: checked against the scores' removals later.
        m->zeroCond = guard;
        m->zeroTruth = truth;
        return m;
      }
      why = R::SoftmaxZeroedNotDeadRow;
      return failure();
    }
  }
  // Division form: e / sum(e), or e * (1 / sum(e)).
  auto tryDiv = [&](Expr *e, Expr *denom) -> FailureOr<SoftmaxMatch> {
    Expr *r = stripFloatCasts(denom);
    // A safe softmax divides by select(sum == 0, c, sum): on fully masked
    // rows every numerator is 0, so any finite c != 0 gives 0.
    Expr *guard = nullptr;
    bool truth = false;
    if (Expr *inner = peelGuard(
            r, [](double c) { return std::isfinite(c) && c != 0.0; }, guard,
            truth))
      r = stripFloatCasts(inner);
    if (r->kind != EK::Reduce || r->fn != Fn::Add)
      return failure();
    DimName key = r->name;
    if (!equalExpr(stripFloatCasts(e), stripFloatCasts(r->args[0]))) {
      why = R::SumNotOfNumerator;
      return failure();
    }
    SoftmaxMatch m;
    m.keyName = key;
    m.rowSum = r;
    if (!splitExpArg(e, key, m.x, m.rowShift)) {
      why = R::NumeratorNotExp;
      return failure();
    }
    if (failed(checkRowShift(m, why)))
      return failure();
    if (guard && !isDeadRowTest(guard, truth, m)) {
      why = R::RowSumGuardNotDeadRow;
      return failure();
    }
    return m;
  };
  if (p->kind == EK::Binary && p->fn == Fn::Div) {
    FailureOr<SoftmaxMatch> m = tryDiv(p->args[0], p->args[1]);
    if (succeeded(m))
      return m;
  }
  if (p->kind == EK::Binary && p->fn == Fn::Mul) {
    for (int i = 0; i < 2; ++i) {
      Expr *inv = stripFloatCasts(p->args[1 - i]);
      Expr *denom = nullptr;
      if (inv->kind == EK::Unary && inv->fn == Fn::Recip)
        denom = inv->args[0];
      else if (inv->kind == EK::Binary && inv->fn == Fn::Div &&
               isConst(inv->args[0], 1.0))
        denom = inv->args[1];
      if (!denom)
        continue;
      FailureOr<SoftmaxMatch> m = tryDiv(p->args[i], denom);
      if (succeeded(m))
        return m;
    }
  }
  // Log-sum-exp form: exp(x - (a + log(sum(exp(x - a))))).
  if (p->kind == EK::Unary && p->fn == Fn::Exp) {
    Expr *arg = p->args[0];
    if (arg->kind == EK::Binary && arg->fn == Fn::Sub) {
      Expr *x = arg->args[0], *l = stripFloatCasts(arg->args[1]);
      Expr *a = nullptr, *logSum = nullptr;
      if (l->kind == EK::Unary && l->fn == Fn::Log) {
        logSum = l;
        // exp((x - a) - log(sum)).
        Expr *xs = stripFloatCasts(x);
        if (xs->kind == EK::Binary && xs->fn == Fn::Sub) {
          x = xs->args[0];
          a = xs->args[1];
        }
      } else if (l->kind == EK::Binary && l->fn == Fn::Add) {
        for (int i = 0; i < 2; ++i) {
          Expr *cand = stripFloatCasts(l->args[i]);
          if (cand->kind == EK::Unary && cand->fn == Fn::Log) {
            logSum = cand;
            a = l->args[1 - i];
          }
        }
      }
      if (logSum) {
        Expr *r = stripFloatCasts(logSum->args[0]);
        if (r->kind == EK::Reduce && r->fn == Fn::Add) {
          SoftmaxMatch m;
          m.keyName = r->name;
          m.rowSum = r;
          Expr *ix = nullptr, *ia = nullptr;
          if (splitExpArg(r->args[0], r->name, ix, ia) &&
              equalExpr(stripFloatCasts(ix), stripFloatCasts(x)) &&
              ((!ia && !a) || (ia && a && equalExpr(ia, a)))) {
            m.x = x;
            m.rowShift = a;
            if (dependsOn(x, r->name) && (!a || !dependsOn(a, r->name)) &&
                succeeded(checkRowShift(m, why)))
              return m;
          }
        }
      }
    }
  }
  if (why == R::None)
    why = hasExpOrReduce(p) ? R::NotASoftmax : R::NoSoftmax;
  return failure();
}


FailureOr<ScoresMatch> matchScores(Expr *x, Value scores,
                                   AttentionMismatch &why) {
  ScoresMatch m;
  double scaleOutside = 1.0;
  Expr *e = x;
  while (true) {
    e = stripFloatCasts(e);
    if (e->kind == EK::Leaf && e->leaf == scores)
      return m;
    if (e->kind == EK::Leaf) {
      why.reason = R::ScoresThroughValue;
      why.value = describe(e->leaf);
      return failure();
    }
    if (!containsLeaf(e, scores)) {
      why.reason = R::SoftmaxInputNotFromScores;
      return failure();
    }
    if (e->kind == EK::Select) {
      // where(cond, scores, c): masked_fill with -inf or a finite value.
      auto isFill = [](Expr *c) {
        c = stripFloatCasts(c);
        return c->kind == EK::Const && !std::isnan(c->cst) &&
               !(std::isinf(c->cst) && c->cst > 0);
      };
      bool keepTrue = isFill(e->args[2]) && containsLeaf(e->args[1], scores) &&
                      !containsLeaf(e->args[2], scores);
      bool keepFalse = isFill(e->args[1]) && containsLeaf(e->args[2], scores) &&
                       !containsLeaf(e->args[1], scores);
      if (!keepTrue && !keepFalse) {
        why.reason = R::SelectNotConstantFill;
        return failure();
      }
      double c = stripFloatCasts(e->args[keepTrue ? 2 : 1])->cst;
      if (std::isinf(c) && scaleOutside <= 0.0) {
        why.reason = R::NonPositiveScaleAfterInfMask;
        return failure();
      }
      double fill = std::isinf(c) ? c : c * scaleOutside;
      if (!std::isfinite(static_cast<float>(fill)) && !std::isinf(c)) {
        why.reason = R::ScaledFillOverflows;
        return failure();
      }
      m.selects.push_back({e->args[0], keepTrue, fill});
      e = keepTrue ? e->args[1] : e->args[2];
      continue;
    }
    if (e->kind == EK::Binary && e->fn == Fn::Add) {
      bool inA = containsLeaf(e->args[0], scores),
           inB = containsLeaf(e->args[1], scores);
      if (inA && inB) {
        why.reason = R::ScoresAddedToThemselves;
        return failure();
      }
      Expr *mask = inA ? e->args[1] : e->args[0];
      m.addInsideFiniteFill.push_back(
          llvm::any_of(m.selects, [](const ScoresMatch::Removal &r) {
            return std::isfinite(r.fill);
          }));
      // A -inf-only mask commutes with any positive scale; a general float
      // mask does not: fa2.attention adds it after scaling.
      if (scaleOutside != 1.0) {
        why.reason = R::ScaleOnAdditiveMask;
        return failure();
      }
      m.addMasks.push_back(mask);
      e = inA ? e->args[0] : e->args[1];
      continue;
    }
    if (e->kind == EK::Binary && (e->fn == Fn::Mul || e->fn == Fn::Div)) {
      bool inA = containsLeaf(e->args[0], scores);
      Expr *c = stripFloatCasts(inA ? e->args[1] : e->args[0]);
      if (e->fn == Fn::Div && !inA) {
        why.reason = R::ScoresAsDivisor;
        return failure();
      }
      if (c->kind != EK::Const || c->cst == 0.0 || !std::isfinite(c->cst)) {
        why.reason = R::ScaleNotConstant;
        return failure();
      }
      double f = e->fn == Fn::Mul ? c->cst : 1.0 / c->cst;
      m.scale *= f;
      scaleOutside *= f;
      e = inA ? e->args[0] : e->args[1];
      continue;
    }
    // TF's masking arithmetic on constants: w · B − C with B ∈ {0, 1} and
    // C = c where B is 0, 0 where it is 1: where(B, w, −c), exactly.
    if (e->kind == EK::Binary && e->fn == Fn::Sub &&
        !containsLeaf(e->args[1], scores)) {
      Expr *cT = stripFloatCasts(e->args[1]);
      Expr *mul = stripFloatCasts(e->args[0]);
      if (cT->origin.value && mul->kind == EK::Binary && mul->fn == Fn::Mul) {
        bool scoresLeft = containsLeaf(mul->args[0], scores);
        Expr *b = stripFloatCasts(mul->args[scoresLeft ? 1 : 0]);
        DenseElementsAttr bv = b->origin.value ? getConstantElements(b->origin.value)
                                               : DenseElementsAttr();
        DenseElementsAttr cv = getConstantElements(cT->origin.value);
        std::optional<double> fill;
        bool ok = bv && cv && !containsLeaf(b, scores) &&
                  bv.getType() == cv.getType() &&
                  isa<FloatType>(bv.getElementType()) && !bv.isSplat();
        if (ok) {
          auto bs = bv.getValues<APFloat>(), cs = cv.getValues<APFloat>();
          for (int64_t i = 0, n = bv.getNumElements(); ok && i < n; ++i) {
            double bi = bs[i].convertToDouble(), ci = cs[i].convertToDouble();
            if (bi == 1.0)
              ok = ci == 0.0;
            else if (bi == 0.0 && std::isfinite(ci) && (!fill || *fill == ci))
              fill = ci;
            else
              ok = false;
          }
        }
        if (ok && fill && b->names == cT->names) {
          m.selects.push_back({b, true, -*fill * scaleOutside});
          e = mul->args[scoresLeft ? 0 : 1];
          continue;
        }
      }
    }
    why.reason = R::ScoresThroughFunction;
    why.function = fnName(e->fn);
    return failure();
  }
}

namespace {
/// a·q + b·k + c over the query and key indices.
struct Linear {
  double q = 0, k = 0, c = 0;
};
} // namespace

static std::optional<Linear> linearize(Expr *e, DimName qName, DimName kName) {
  switch (e->kind) {
  case EK::Const:
    return Linear{0, 0, e->cst};
  case EK::Index:
    if (e->name == qName)
      return Linear{1, 0, 0};
    if (e->name == kName)
      return Linear{0, 1, 0};
    return std::nullopt;
  case EK::Unary:
    if (e->fn == Fn::IntCast || e->fn == Fn::ExtF)
      return linearize(e->args[0], qName, kName);
    if (e->fn == Fn::Neg) {
      auto l = linearize(e->args[0], qName, kName);
      if (!l)
        return std::nullopt;
      return Linear{-l->q, -l->k, -l->c};
    }
    return std::nullopt;
  case EK::Binary: {
    auto a = linearize(e->args[0], qName, kName);
    auto b = linearize(e->args[1], qName, kName);
    if (!a || !b)
      return std::nullopt;
    if (e->fn == Fn::Add)
      return Linear{a->q + b->q, a->k + b->k, a->c + b->c};
    if (e->fn == Fn::Sub)
      return Linear{a->q - b->q, a->k - b->k, a->c - b->c};
    if (e->fn == Fn::Mul) {
      if (a->q == 0 && a->k == 0)
        return Linear{b->q * a->c, b->k * a->c, b->c * a->c};
      if (b->q == 0 && b->k == 0)
        return Linear{a->q * b->c, a->k * b->c, a->c * b->c};
    }
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

static bool isIntegral(double v) { return std::floor(v) == v; }

/// The set where `cond` (or its negation when !truth) holds, as L <= 0.
static std::optional<Linear> asLessEqualZero(Expr *cond, bool truth,
                                             DimName qName, DimName kName) {
  if (cond->kind == EK::Unary && cond->fn == Fn::Not)
    return asLessEqualZero(cond->args[0], !truth, qName, kName);
  if (cond->kind != EK::Cmp)
    return std::nullopt;
  auto a = linearize(cond->args[0], qName, kName);
  auto b = linearize(cond->args[1], qName, kName);
  if (!a || !b)
    return std::nullopt;
  Linear l{a->q - b->q, a->k - b->k, a->c - b->c};
  if (!isIntegral(l.q) || !isIntegral(l.k) || !isIntegral(l.c))
    return std::nullopt;
  auto nonNeg = [](Linear x) { return x.q >= 0 && x.k >= 0 && x.c >= 0; };
  CP p = cond->pred;
  if (p == CP::ULT || p == CP::ULE || p == CP::UGT || p == CP::UGE) {
    // Indices are non-negative: unsigned order is signed order for sums of
    // them with non-negative coefficients.
    if (!nonNeg(*a) || !nonNeg(*b))
      return std::nullopt;
    p = p == CP::ULT ? CP::LT : p == CP::ULE ? CP::LE : p == CP::UGT ? CP::GT : CP::GE;
  }
  auto neg = [](Linear x) { return Linear{-x.q, -x.k, -x.c}; };
  Linear le;
  switch (p) {
  case CP::LE: le = l; break;
  case CP::LT: le = Linear{l.q, l.k, l.c + 1}; break;
  case CP::GE: le = neg(l); break;
  case CP::GT: le = neg(l); le.c += 1; break;
  default: return std::nullopt;
  }
  if (!truth) {
    // not (L <= 0)  <=>  L >= 1  <=>  -L + 1 <= 0.
    le = neg(le);
    le.c += 1;
  }
  return le;
}


/// Reads `cond == truth` as a conjunction of bounds on j - i: linear
/// comparisons, |i - j| against a constant, and/or/not of them.
bool collectBand(Expr *cond, bool truth, DimName qName, DimName kName,
                        Band &band) {
  auto tightenUpper = [&](int64_t u) {
    band.upper = band.upper ? std::min(*band.upper, u) : u;
  };
  auto tightenLower = [&](int64_t l) {
    band.lower = band.lower ? std::max(*band.lower, l) : l;
  };
  if (cond->kind == EK::Unary && cond->fn == Fn::Not)
    return collectBand(cond->args[0], !truth, qName, kName, band);
  if (cond->kind == EK::Binary &&
      ((cond->fn == Fn::And && truth) || (cond->fn == Fn::Or && !truth)))
    return collectBand(cond->args[0], truth, qName, kName, band) &&
           collectBand(cond->args[1], truth, qName, kName, band);
  if (cond->kind != EK::Cmp)
    return false;
  // |i - j| <= w (or < w, or its negation >= / >).
  Expr *lhs;
  double w;
  CP pred;
  if (splitCmpWithConst(cond, lhs, w, pred) && lhs->kind == EK::Unary &&
      lhs->fn == Fn::Abs && isIntegral(w)) {
    auto d = linearize(lhs->args[0], qName, kName);
    if (!d || d->c != 0 || std::abs(d->q) != 1 || d->q != -d->k)
      return false;
    bool within;
    int64_t bound;
    switch (pred) {
    case CP::LE: within = truth; bound = w; break;
    case CP::LT: within = truth; bound = w - 1; break;
    case CP::GT: within = !truth; bound = w; break;
    case CP::GE: within = !truth; bound = w - 1; break;
    default: return false;
    }
    if (!within)
      return false; // |i - j| > w keeps two disjoint ranges
    tightenUpper(bound);
    tightenLower(-bound);
    return true;
  }
  std::optional<Linear> le = asLessEqualZero(cond, truth, qName, kName);
  if (!le || le->k == 0 || le->q != -le->k)
    return false;
  // k·(j - i) + c <= 0.
  double r = -le->c / le->k;
  if (le->k > 0)
    tightenUpper(static_cast<int64_t>(std::floor(r)));
  else
    tightenLower(static_cast<int64_t>(std::ceil(r)));
  return true;
}

/// Whether the i1 tensor `t` (true meaning `keep`) is a constant equal to
/// the bottom-right causal pattern over the scores (GPT-2's tril buffer,
/// sliced to [Sq, Sk]).
bool isConstantCausal(const NamedTensor &t, bool keep, DimName qName,
                             DimName kName, int64_t sq, int64_t sk) {
  if (ShapedType::isDynamic(sq) || ShapedType::isDynamic(sk) || sq * sk > (1 << 24))
    return false;
  Value v = t.value;
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
  // Slices of slices of the buffer compose: element e of the outer slice is
  // element offset + e·stride of its source.
  while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != type.getRank() ||
        ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        ShapedType::isDynamicShape(slice.getStaticStrides()))
      return false;
    // Offsets and strides stay inside the source dims, so that composing
    // them cannot overflow (the verifier allows any static stride).
    for (int64_t d = 0; d < type.getRank(); ++d) {
      int64_t srcDim = slice.getSourceType().getDimSize(d);
      int64_t offset = slice.getStaticOffsets()[d];
      int64_t stride = slice.getStaticStrides()[d];
      if (ShapedType::isDynamic(srcDim) || offset < 0 || offset >= srcDim ||
          stride < 1 || stride > srcDim)
        return false;
      std::optional<int64_t> composedOffset =
          llvm::checkedMul(offsets[d], stride);
      std::optional<int64_t> composedStride =
          llvm::checkedMul(strides[d], stride);
      if (!composedOffset || !composedStride)
        return false;
      std::optional<int64_t> sum = llvm::checkedAdd(*composedOffset, offset);
      if (!sum)
        return false;
      offsets[d] = *sum;
      strides[d] = *composedStride;
    }
    v = slice.getSource();
  }
  DenseElementsAttr attr = getConstantElements(v);
  if (!attr || !(attr.getElementType().isInteger(1) ||
                 isa<FloatType>(attr.getElementType())))
    return false;
  // The constant may be reached through ops other than slices (a reshape of
  // it, a mutated shape): read it only where every index stays inside it.
  auto srcType = dyn_cast<RankedTensorType>(attr.getType());
  if (!srcType || srcType.getRank() != type.getRank() ||
      static_cast<int64_t>(attr.getNumElements()) != srcType.getNumElements())
    return false;
  int64_t qPos = positionOf(t.names, qName), kPos = positionOf(t.names, kName);
  if (qPos < 0 || kPos < 0 || type.getDimSize(qPos) != sq ||
      type.getDimSize(kPos) != sk)
    return false;
  for (auto [i, n] : llvm::enumerate(t.names))
    if (n != qName && n != kName && type.getDimSize(i) != 1)
      return false;
  if (attr.isSplat())
    return false;
  // i1, or a float 1/0 triangle (TF's w * b - 1e4 * (1 - b)).
  SmallVector<bool> values;
  if (attr.getElementType().isInteger(1))
    values.assign(attr.getValues<bool>().begin(), attr.getValues<bool>().end());
  else
    for (APFloat f : attr.getValues<APFloat>())
      values.push_back(!f.isZero());
  SmallVector<int64_t> srcStrides = computeStrides(srcType.getShape());
  for (int64_t i = 0; i < sq; ++i) {
    for (int64_t j = 0; j < sk; ++j) {
      int64_t flat = 0;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        int64_t idx = d == qPos ? i : d == kPos ? j : 0;
        std::optional<int64_t> step = llvm::checkedMul(idx, strides[d]);
        std::optional<int64_t> at =
            step ? llvm::checkedAdd(offsets[d], *step) : std::nullopt;
        if (!at || *at < 0 || *at >= srcType.getDimSize(d))
          return false;
        flat += *at * srcStrides[d];
      }
      bool kept = values[flat] == keep;
      if (kept != (j <= i + (sk - sq)))
        return false;
    }
  }
  return true;
}


} // namespace fa2::matcher
