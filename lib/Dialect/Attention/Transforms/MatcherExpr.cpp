//===- MatcherExpr.cpp - Expressions and the ExprBuilder core ---------------===//
//
// The expression IR's helpers and the ExprBuilder's core: node builders
// with their local simplifications, the memoized build that turns any
// value into an expression (dispatching to the importers), and the forward
// labels that name the dims of values computed from the scores.
//
//===----------------------------------------------------------------------===//

#include "MatcherExpr.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

namespace fa2::matcher {

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

std::string opName(Operation *op) {
  return op ? op->getName().getStringRef().str() : std::string("a block argument");
}

std::string describe(Value v) {
  if (Operation *op = v.getDefiningOp())
    return "'" + opName(op) + "'";
  return "a block argument";
}

/// The value of a scalar constant or of a splat tensor constant.
std::optional<double> getConstantValue(Value v) {
  Attribute attr;
  if (auto c = v.getDefiningOp<tosa::ConstOp>())
    attr = c.getValuesAttr();
  else if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (!dense.isSplat())
      return std::nullopt;
    attr = dense.getSplatValue<Attribute>();
  }
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValue().convertToDouble();
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    if (i.getType().isInteger(1))
      return i.getValue().isZero() ? 0.0 : 1.0;
    return static_cast<double>(i.getValue().getSExtValue());
  }
  return std::nullopt;
}

/// The elements of a constant tensor (arith.constant or tosa.const).
DenseElementsAttr getConstantElements(Value v) {
  Attribute attr;
  if (auto c = v.getDefiningOp<tosa::ConstOp>())
    attr = c.getValuesAttr();
  else if (!matchPattern(v, m_Constant(&attr)))
    return {};
  return dyn_cast<DenseElementsAttr>(attr);
}

/// -inf, or a value at least as negative as the lowest finite value of the
/// narrowest score type (f16: -65504): masking with it gives exp(...) = 0.
/// The dims of a reassociation group whose size is not 1 (static 1s are
/// the unit dims reshapes add or drop; they carry no name).
SmallVector<int64_t> nonUnitDims(ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> group) {
  SmallVector<int64_t> dims;
  for (int64_t d : group)
    if (shape[d] != 1)
      dims.push_back(d);
  return dims;
}

/// The value every element of `v` holds: a splat constant, linalg.fill,
/// tensor.splat or a generic that yields a scalar (a generalized fill).
std::optional<double> getFillValue(Value v) {
  if (std::optional<double> c = getConstantValue(v))
    return c;
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    return getConstantValue(fill.getInputs()[0]);
  if (auto splat = v.getDefiningOp<tensor::SplatOp>())
    return getConstantValue(splat.getInput());
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 || generic->getNumResults() != 1)
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  auto arg = dyn_cast<BlockArgument>(yield.getOperand(0));
  if (!arg || arg.getOwner() != generic.getBody() || arg.getArgNumber() != 0)
    return std::nullopt;
  Value in = generic.getDpsInputs()[0];
  if (auto t = dyn_cast<RankedTensorType>(in.getType()); t && t.getNumElements() != 1)
    return std::nullopt;
  return getConstantValue(in);
}


//===----------------------------------------------------------------------===//
// Named-dimension expressions
//===----------------------------------------------------------------------===//

const char *fnName(Fn fn) {
  switch (fn) {
  case Fn::Add: return "add";
  case Fn::Sub: return "sub";
  case Fn::Mul: return "mul";
  case Fn::Div: return "div";
  case Fn::Max: return "max";
  case Fn::Min: return "min";
  case Fn::Exp: return "exp";
  case Fn::Log: return "log";
  case Fn::Neg: return "neg";
  case Fn::Recip: return "reciprocal";
  case Fn::Sqrt: return "sqrt";
  case Fn::Rsqrt: return "rsqrt";
  case Fn::ExtF: return "extf";
  case Fn::TruncF: return "truncf";
  case Fn::IntCast: return "cast";
  case Fn::And: return "and";
  case Fn::Or: return "or";
  case Fn::Xor: return "xor";
  case Fn::Not: return "not";
  case Fn::Abs: return "abs";
  case Fn::None: return "?";
  }
  return "?";
}

Expr *stripFloatCasts(Expr *e) {
  while (e && e->kind == EK::Unary && (e->fn == Fn::ExtF || e->fn == Fn::TruncF))
    e = e->args[0];
  return e;
}

Expr *stripExt(Expr *e) {
  while (e && e->kind == EK::Unary && e->fn == Fn::ExtF)
    e = e->args[0];
  return e;
}

bool isConst(Expr *e, double v) {
  e = stripFloatCasts(e);
  return e && e->kind == EK::Const && e->cst == v;
}


/// Whether the node's value varies along `name`.
bool dependsOn(Expr *e, DimName name) {
  switch (e->kind) {
  case EK::Leaf:
    return llvm::is_contained(e->names, name) ||
           llvm::is_contained(e->names, DimName::opaque());
  case EK::Const:
    return false;
  case EK::Index:
    return e->name == name;
  case EK::Reduce:
    return e->name != name && dependsOn(e->args[0], name);
  default:
    return llvm::any_of(e->args, [&](Expr *a) { return dependsOn(a, name); });
  }
}

bool containsLeaf(Expr *e, Value v) {
  if (e->kind == EK::Leaf)
    return e->leaf == v;
  return llvm::any_of(e->args, [&](Expr *a) { return containsLeaf(a, v); });
}

/// Built from constants and linalg.index only.
bool isIndexOnly(Expr *e) {
  if (e->kind == EK::Leaf)
    return false;
  return llvm::all_of(e->args, isIndexOnly);
}

static bool isCommutative(Fn fn) {
  return fn == Fn::Add || fn == Fn::Mul || fn == Fn::Max || fn == Fn::Min ||
         fn == Fn::And || fn == Fn::Or || fn == Fn::Xor;
}

/// Structural equality; float extensions are value-preserving and ignored.
bool equalExpr(Expr *a, Expr *b) {
  a = stripExt(a);
  b = stripExt(b);
  if (a == b)
    return true;
  if (a->kind != b->kind || a->fn != b->fn || a->args.size() != b->args.size())
    return false;
  switch (a->kind) {
  case EK::Leaf:
    return a->leaf == b->leaf && a->names == b->names;
  case EK::Const:
    return a->cst == b->cst;
  case EK::Index:
    return a->name == b->name;
  case EK::Reduce:
    if (a->name != b->name)
      return false;
    break;
  case EK::Cmp:
    if (a->pred != b->pred)
      return false;
    break;
  default:
    break;
  }
  bool same = llvm::all_of(llvm::seq<size_t>(0, a->args.size()), [&](size_t i) {
    return equalExpr(a->args[i], b->args[i]);
  });
  if (same)
    return true;
  return a->args.size() == 2 && isCommutative(a->fn) &&
         equalExpr(a->args[0], b->args[1]) && equalExpr(a->args[1], b->args[0]);
}

//===----------------------------------------------------------------------===//
// ExprBuilder: node builders
//===----------------------------------------------------------------------===//

Expr *ExprBuilder::mkUnary(Fn fn, Expr *a) {
  if (fn == Fn::Not && a->kind == EK::Unary && a->fn == Fn::Not)
    return a->args[0];
  if (a->kind == EK::Const) {
    double x = a->cst;
    switch (fn) {
    case Fn::Exp: return mkConst(std::exp(x));
    case Fn::Log: return mkConst(std::log(x));
    case Fn::Neg: return mkConst(-x);
    case Fn::Recip: return mkConst(1.0 / x);
    case Fn::Sqrt: return mkConst(std::sqrt(x));
    case Fn::Rsqrt: return mkConst(1.0 / std::sqrt(x));
    case Fn::ExtF:
    case Fn::TruncF:
    case Fn::IntCast: return mkConst(x);
    case Fn::Not: return mkConst(x == 0.0 ? 1.0 : 0.0);
    default: break;
    }
  }
  Expr *e = alloc(EK::Unary);
  e->fn = fn;
  e->args.push_back(a);
  return e;
}

Expr *ExprBuilder::mkBinary(Fn fn, Expr *a, Expr *b) {
  if (a->kind == EK::Const && b->kind == EK::Const) {
    double x = a->cst, y = b->cst;
    switch (fn) {
    case Fn::Add: return mkConst(x + y);
    case Fn::Sub: return mkConst(x - y);
    case Fn::Mul: return mkConst(x * y);
    case Fn::Div: return mkConst(x / y);
    case Fn::Max: return mkConst(std::max(x, y));
    case Fn::Min: return mkConst(std::min(x, y));
    case Fn::And: return mkConst((x != 0 && y != 0) ? 1 : 0);
    case Fn::Or: return mkConst((x != 0 || y != 0) ? 1 : 0);
    case Fn::Xor: return mkConst(((x != 0) != (y != 0)) ? 1 : 0);
    default: break;
    }
  }
  // x + 0, x - 0, x * 1, x / 1: "+0" masks and broadcast adds of zeros.
  if ((fn == Fn::Add || fn == Fn::Sub) && isConst(b, 0.0))
    return a;
  if (fn == Fn::Add && isConst(a, 0.0))
    return b;
  if ((fn == Fn::Mul || fn == Fn::Div) && isConst(b, 1.0))
    return a;
  if (fn == Fn::Mul && isConst(a, 1.0))
    return b;
  if (fn == Fn::Mul && a->kind == EK::Const)
    std::swap(a, b);
  if (fn == Fn::Mul && b->kind == EK::Const && b->cst > 0.0 &&
      std::isfinite(b->cst)) {
    // (x · c1) · c2 = x · (c1·c2), when the inner product is no tensor of
    // its own (a pre-scaled operand keeps its reading).
    if (a->kind == EK::Binary && a->fn == Fn::Mul &&
        a->args[1]->kind == EK::Const)
      return mkBinary(Fn::Mul, a->args[0],
                      mkConst(a->args[1]->cst * b->cst));
    // (x − max_k y) · c = x·c − max_k (y·c) for c > 0: an exp2 softmax,
    // exp2((s − m)·log2 e), is exp of scores scaled by log2 e · ln 2.
    if (a->kind == EK::Binary && a->fn == Fn::Sub) {
      Expr *m = stripFloatCasts(a->args[1]);
      if (m->kind == EK::Reduce && m->fn == Fn::Max)
        return mkBinary(Fn::Sub, mkBinary(Fn::Mul, a->args[0], b),
                        mkReduce(Fn::Max, mkBinary(Fn::Mul, m->args[0], b),
                                 m->name));
    }
  }
  // Boolean xor with true is a negation.
  if (fn == Fn::Xor && isConst(b, 1.0))
    return mkUnary(Fn::Not, a);
  if (fn == Fn::Xor && isConst(a, 1.0))
    return mkUnary(Fn::Not, b);
  Expr *e = alloc(EK::Binary);
  e->fn = fn;
  e->args.push_back(a);
  e->args.push_back(b);
  return e;
}

Expr *ExprBuilder::mkSelect(Expr *c, Expr *a, Expr *b) {
  if (c->kind == EK::Const)
    return c->cst != 0.0 ? a : b;
  // select(c, true, false) is c; select(c, false, true) is not c (a tril
  // written as where(j <= i, ones, false)).
  if (isConst(a, 1.0) && isConst(b, 0.0))
    return c;
  if (isConst(a, 0.0) && isConst(b, 1.0))
    return mkUnary(Fn::Not, c);
  Expr *e = alloc(EK::Select);
  e->args.assign({c, a, b});
  return e;
}

Expr *ExprBuilder::mkCmp(CP pred, Expr *a, Expr *b) {
  if (a->kind == EK::Const && b->kind == EK::Const) {
    double x = a->cst, y = b->cst;
    bool r = false;
    switch (pred) {
    case CP::LT: case CP::ULT: r = x < y; break;
    case CP::LE: case CP::ULE: r = x <= y; break;
    case CP::GT: case CP::UGT: r = x > y; break;
    case CP::GE: case CP::UGE: r = x >= y; break;
    case CP::EQ: r = x == y; break;
    case CP::NE: r = x != y; break;
    }
    return mkConst(r ? 1.0 : 0.0);
  }
  Expr *e = alloc(EK::Cmp);
  e->pred = pred;
  e->args.assign({a, b});
  return e;
}

Expr *ExprBuilder::mapElementwise(Operation *op, ArrayRef<Expr *> x) {
  Dialect *d = op->getDialect();
  if (d && d->getNamespace() == "tosa")
    return mapTosa(op, x);
  return mapArithMath(op, x);
}

//===----------------------------------------------------------------------===//
// ExprBuilder: values to expressions
//===----------------------------------------------------------------------===//

Expr *ExprBuilder::build(Value v, ArrayRef<DimName> names) {
  auto &entries = memo[v];
  for (auto &[n, e] : entries)
    if (ArrayRef<DimName>(n) == names)
      return e;
  Expr *e = nullptr;
  auto tensorType = dyn_cast<RankedTensorType>(v.getType());
  if (tensorType && tensorType.getRank() != static_cast<int64_t>(names.size())) {
    // A tensor read other than elementwise (tensor.extract at computed
    // indices, a body that captures it): opaque, and never an operand.
    e = mkOpaque(v);
    memo[v].push_back({Names(names.begin(), names.end()), e});
    return e;
  }
  if (v == scores) {
    e = mkLeaf(v, names);
  } else if (std::optional<double> c = getConstantValue(v)) {
    e = mkConst(*c);
  } else {
    e = convert(v, names);
    if (!e)
      e = mkLeaf(v, names);
  }
  if (!e->origin.value && isa<RankedTensorType>(v.getType()))
    e->origin = NamedTensor{v, Names(names.begin(), names.end())};
  memo[v].push_back({Names(names.begin(), names.end()), e});
  return e;
}

Expr *ExprBuilder::convert(Value v, ArrayRef<DimName> names) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return nullptr;
  if (auto fill = dyn_cast<linalg::FillOp>(def))
    return build(fill.getInputs()[0], {});
  if (auto splat = dyn_cast<tensor::SplatOp>(def))
    return build(splat.getInput(), {});
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(def))
    return convertSoftmax(softmax, names);
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(def))
    return convertLinalg(linalgOp, cast<OpResult>(v), names);
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(def))
    return convertReshape(def, e.getSrc(), v, names);
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(def))
    return convertReshape(def, c.getSrc(), v, names);
  if (auto r = dyn_cast<tosa::ReshapeOp>(def))
    return convertReshape(def, r.getInput1(), v, names);
  if (def->getDialect() && def->getDialect()->getNamespace() == "tosa")
    return convertTosa(def, names);
  if (isArithMathElementwise(def)) {
    SmallVector<Expr *> xs;
    for (Value operand : def->getOperands()) {
      auto t = dyn_cast<RankedTensorType>(operand.getType());
      if (t && t.getRank() != static_cast<int64_t>(names.size()))
        return nullptr;
      xs.push_back(build(operand, t ? names : ArrayRef<DimName>{}));
    }
    return mapElementwise(def, xs);
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Forward labels: the dim names of values computed from the scores
//===----------------------------------------------------------------------===//

const Names *ExprBuilder::labelsOf(Value v) {
  if (auto it = labelMemo.find(v); it != labelMemo.end())
    return it->second ? &*it->second : nullptr;
  if (!labelInProgress.insert(v).second)
    return nullptr;
  std::optional<Names> labels = computeLabels(v);
  labelInProgress.erase(v);
  auto &slot = labelMemo[v];
  slot = std::move(labels);
  return slot ? &*slot : nullptr;
}

/// Merges `name` into `slot`: unknown yields to anything, unit to a name;
/// two different names conflict.
bool mergeName(DimName &slot, DimName name) {
  if (name.isUnknown() || name == slot)
    return true;
  if (slot.isUnknown() || slot.isUnit()) {
    slot = name;
    return true;
  }
  return name.isUnit();
}

std::optional<Names> ExprBuilder::computeLabels(Value v) {
  if (v == scores)
    return scoreNames;
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != block)
    return std::nullopt;
  // Nothing before the first contraction can depend on its result; this also
  // bounds the recursion.
  if (scoresOp && scoresOp->getBlock() == block && def->isBeforeInBlock(scoresOp))
    return std::nullopt;
  auto rt = dyn_cast<RankedTensorType>(v.getType());
  if (!rt)
    return std::nullopt;
  // Only values reached from the scores have labels.
  bool anyLabeled = llvm::any_of(def->getOperands(), [&](Value operand) {
    return isa<RankedTensorType>(operand.getType()) && labelsOf(operand);
  });
  if (!anyLabeled)
    return std::nullopt;

  if (isa<linalg::SoftmaxOp, linalg::LinalgOp>(def))
    return labelsOfLinalg(def, v, rt);
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(def))
    return labelsOfReshape(def, e.getSrc(), rt);
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(def))
    return labelsOfReshape(def, c.getSrc(), rt);
  if (auto r = dyn_cast<tosa::ReshapeOp>(def))
    return labelsOfReshape(def, r.getInput1(), rt);
  if (isa<tosa::TransposeOp>(def) || getTosaReduction(def))
    return labelsOfTosa(def);
  if (isTosaElementwise(def) || isArithMathElementwise(def)) {
    Names out(rt.getRank(), DimName::unknown());
    for (Value operand : dataOperands(def)) {
      const Names *labels = labelsOf(operand);
      auto ot = dyn_cast<RankedTensorType>(operand.getType());
      if (!labels || !ot)
        continue;
      if (ot.getRank() != rt.getRank())
        return std::nullopt;
      for (int64_t i = 0; i < rt.getRank(); ++i) {
        if (ot.getDimSize(i) == 1 && rt.getDimSize(i) != 1)
          continue;
        if (!mergeName(out[i], (*labels)[i])) {
          noteUnlabeled(def, AttentionMismatchReason::LabelOperandsDisagree);
          return std::nullopt;
        }
      }
    }
    return out;
  }
  noteUnlabeled(def, AttentionMismatchReason::LabelUnknownOp);
  return std::nullopt;
}


} // namespace fa2::matcher
