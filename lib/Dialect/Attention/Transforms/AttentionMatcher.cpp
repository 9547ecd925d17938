//===- AttentionMatcher.cpp - Recognize attention chains ------------------===//
//
// The analysis half of --fa2-raise-attention. It reads a chain of tensor ops
// as *named-dimension* expressions: every dimension of every tensor on the
// chain is named after the loop of the first contraction it runs over, so
// transposes, broadcasts, unit reshapes and the choice between named linalg
// ops, linalg.generic, TOSA and arith/math on tensors disappear, and what is
// left is an expression tree (add, mul, exp, reductions over a name, select,
// compare, linalg.index) that is matched algebraically.
//
//===----------------------------------------------------------------------===//

#include "fa2/Dialect/Attention/Transforms/AttentionMatcher.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <deque>
#include <map>

using namespace mlir;
using namespace fa2;
using namespace fa2::attention_names;

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

static std::string opName(Operation *op) {
  return op ? op->getName().getStringRef().str() : std::string("a block argument");
}

static std::string describe(Value v) {
  if (Operation *op = v.getDefiningOp())
    return "'" + opName(op) + "'";
  return "a block argument";
}

/// The value of a scalar constant or of a splat tensor constant.
static std::optional<double> getConstantValue(Value v) {
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
static DenseElementsAttr getConstantElements(Value v) {
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
static SmallVector<int64_t> nonUnitDims(ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> group) {
  SmallVector<int64_t> dims;
  for (int64_t d : group)
    if (shape[d] != 1)
      dims.push_back(d);
  return dims;
}

static bool isMaskingValue(double v) { return v <= -65504.0; }

static int64_t positionOf(ArrayRef<int64_t> names, int64_t name) {
  auto it = llvm::find(names, name);
  return it == names.end() ? -1 : it - names.begin();
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

namespace {
/// A contraction C[out] = Σ_k A[lhs] · B[rhs] in loop terms.
struct Contraction {
  Operation *op = nullptr;
  Value operands[2];
  AffineMap maps[3]; // lhs, rhs, out
  unsigned numLoops = 0;
  SmallVector<unsigned, 2> batch, m, n, k;
  Value result;
};
} // namespace

/// The yielded value is `out + a·b` up to commutation and extensions of the
/// operands: the body of a contraction.
static bool isMulAddBody(Block &body) {
  if (body.getNumArguments() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body.getArgument(2);
  Value prod;
  if (add.getLhs() == out)
    prod = add.getRhs();
  else if (add.getRhs() == out)
    prod = add.getLhs();
  else
    return false;
  auto mul = prod.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  auto strip = [](Value v) {
    if (auto ext = v.getDefiningOp<arith::ExtFOp>())
      return ext.getIn();
    return v;
  };
  Value a = strip(mul.getLhs()), b = strip(mul.getRhs());
  return (a == body.getArgument(0) && b == body.getArgument(1)) ||
         (a == body.getArgument(1) && b == body.getArgument(0));
}

/// The value every element of `v` holds: a splat constant, linalg.fill,
/// tensor.splat or a generic that yields a scalar (a generalized fill).
static std::optional<double> getFillValue(Value v) {
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

/// The init of a contraction must be zero, or the op computes init + A·B.
static bool isZeroInit(Value init) {
  std::optional<double> c = getFillValue(init);
  return c && *c == 0.0;
}

static std::optional<Contraction> getContraction(Operation *op) {
  if (!op || op->getNumResults() != 1)
    return std::nullopt;
  MLIRContext *ctx = op->getContext();
  if (auto mm = dyn_cast<tosa::MatMulOp>(op)) {
    // tosa.matmul: [N,H,C] x [N,C,W] -> [N,H,W]; loops (n, h, w, c).
    for (Value zp : {mm.getAZp(), mm.getBZp()}) {
      std::optional<double> c = getConstantValue(zp);
      if (!c || *c != 0.0)
        return std::nullopt;
    }
    Contraction c;
    c.op = op;
    c.operands[0] = mm.getA();
    c.operands[1] = mm.getB();
    AffineExpr n = getAffineDimExpr(0, ctx), h = getAffineDimExpr(1, ctx),
               w = getAffineDimExpr(2, ctx), k = getAffineDimExpr(3, ctx);
    c.maps[0] = AffineMap::get(4, 0, {n, h, k}, ctx);
    c.maps[1] = AffineMap::get(4, 0, {n, k, w}, ctx);
    c.maps[2] = AffineMap::get(4, 0, {n, h, w}, ctx);
    c.numLoops = 4;
    c.batch = {0};
    c.m = {1};
    c.n = {2};
    c.k = {3};
    c.result = op->getResult(0);
    return c;
  }
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1)
    return std::nullopt;
  SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
  if (maps.size() != 3 ||
      !llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  if (linalgOp.getNumReductionLoops() == 0)
    return std::nullopt;
  Block *body = linalgOp.getBlock();
  if (!body || !isMulAddBody(*body))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(linalgOp);
  if (failed(dims))
    return std::nullopt;
  if (!isZeroInit(linalgOp.getDpsInits()[0]))
    return std::nullopt;
  Contraction c;
  c.op = op;
  c.operands[0] = linalgOp.getDpsInputs()[0];
  c.operands[1] = linalgOp.getDpsInputs()[1];
  for (int i = 0; i < 3; ++i)
    c.maps[i] = maps[i];
  c.numLoops = linalgOp.getNumLoops();
  c.batch.assign(dims->batch.begin(), dims->batch.end());
  c.m.assign(dims->m.begin(), dims->m.end());
  c.n.assign(dims->n.begin(), dims->n.end());
  c.k.assign(dims->k.begin(), dims->k.end());
  c.result = op->getResult(0);
  return c;
}

bool fa2::isContractionLike(Operation *op) {
  return getContraction(op).has_value();
}

//===----------------------------------------------------------------------===//
// Named-dimension expressions
//===----------------------------------------------------------------------===//

namespace {
enum class EK { Leaf, Const, Index, Unary, Binary, Select, Cmp, Reduce };
enum class Fn {
  None,
  Add,
  Sub,
  Mul,
  Div,
  Max,
  Min,
  Exp,
  Log,
  Neg,
  Recip,
  Sqrt,
  Rsqrt,
  ExtF,
  TruncF,
  IntCast,
  And,
  Or,
  Xor,
  Not,
  Abs
};
/// Comparison predicates, canonical over arith's integer and float ones.
enum class CP { LT, LE, GT, GE, EQ, NE, ULT, ULE, UGT, UGE };

/// A node of a named-dimension expression. Tensors broadcast implicitly: a
/// node depends on the names its leaves and indices carry, less those its
/// reductions sum away.
struct Expr {
  EK kind = EK::Leaf;
  Fn fn = Fn::None;
  CP pred = CP::EQ;
  SmallVector<Expr *, 3> args;
  double cst = 0.0;
  /// Index: the name of the loop; Reduce: the name reduced over.
  int64_t name = 0;
  /// Leaf: a tensor (or scalar) with the names of its dims.
  Value leaf;
  SmallVector<int64_t> names;
  /// A tensor (with dim names) that holds exactly this node's value, if any:
  /// masks and operands are taken from here.
  NamedTensor origin;
};
} // namespace

static const char *fnName(Fn fn) {
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

static Expr *stripFloatCasts(Expr *e) {
  while (e && e->kind == EK::Unary && (e->fn == Fn::ExtF || e->fn == Fn::TruncF))
    e = e->args[0];
  return e;
}

static Expr *stripExt(Expr *e) {
  while (e && e->kind == EK::Unary && e->fn == Fn::ExtF)
    e = e->args[0];
  return e;
}

static bool isConst(Expr *e, double v) {
  e = stripFloatCasts(e);
  return e && e->kind == EK::Const && e->cst == v;
}


/// Whether the node's value varies along `name`.
static bool dependsOn(Expr *e, int64_t name) {
  switch (e->kind) {
  case EK::Leaf:
    return llvm::is_contained(e->names, name) ||
           llvm::is_contained(e->names, kOpaque);
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

static bool containsLeaf(Expr *e, Value v) {
  if (e->kind == EK::Leaf)
    return e->leaf == v;
  return llvm::any_of(e->args, [&](Expr *a) { return containsLeaf(a, v); });
}

/// Built from constants and linalg.index only.
static bool isIndexOnly(Expr *e) {
  if (e->kind == EK::Leaf)
    return false;
  return llvm::all_of(e->args, isIndexOnly);
}

static bool isCommutative(Fn fn) {
  return fn == Fn::Add || fn == Fn::Mul || fn == Fn::Max || fn == Fn::Min ||
         fn == Fn::And || fn == Fn::Or || fn == Fn::Xor;
}

/// Structural equality; float extensions are value-preserving and ignored.
static bool equalExpr(Expr *a, Expr *b) {
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
// ExprBuilder: from SSA values to named-dimension expressions
//===----------------------------------------------------------------------===//

namespace {
using Names = SmallVector<int64_t>;

class ExprBuilder {
public:
  ExprBuilder(Value scores, ArrayRef<int64_t> scoreNames, Block *block)
      : scores(scores), scoreNames(scoreNames), block(block),
        scoresOp(scores.getDefiningOp()) {}

  /// The expression of `v`, whose dims carry `names`. Never null: what
  /// cannot be read becomes a leaf.
  Expr *build(Value v, ArrayRef<int64_t> names);

  /// The dim names of a value computed from the scores (forward, from the
  /// first contraction), or null when `v` does not derive from them.
  const Names *labelsOf(Value v);

  /// While building K and V: the head name, whose dimension may be collapsed
  /// from [outer..., group] (GQA).
  int64_t headName = INT64_MIN;

  /// The batch loops of the first contraction, and how the chain splits
  /// them.
  DenseSet<int64_t> batchLoops;
  SplitMap splits;

  /// The first op on the scores path whose dims could not be followed.
  Operation *unlabeledOp = nullptr;
  std::string unlabeledWhy;

  Expr *mkConst(double v) {
    Expr *e = alloc(EK::Const);
    e->cst = v;
    return e;
  }
  Expr *mkUnary(Fn fn, Expr *a);
  Expr *mkBinary(Fn fn, Expr *a, Expr *b);
  Expr *mkSelect(Expr *c, Expr *a, Expr *b);
  Expr *mkCmp(CP pred, Expr *a, Expr *b);
  /// Records that batch name `parent` is split into parts of `sizes`;
  /// false if it is not a batch name, a size is dynamic or an earlier split
  /// differs.
  bool recordSplit(int64_t parent, ArrayRef<int64_t> sizes) {
    if (!(batchLoops.contains(parent) || splittableLoops.contains(parent)) ||
        sizes.size() > kMaxSplit ||
        llvm::any_of(sizes, ShapedType::isDynamic))
      return false;
    auto [it, inserted] = splits.try_emplace(parent, sizes.begin(), sizes.end());
    return inserted || ArrayRef<int64_t>(it->second) == sizes;
  }
  /// The parent of `named` when it lists all parts of one split, in order.
  std::optional<int64_t> mergedParent(ArrayRef<int64_t> named) const {
    if (named.empty() || !isSplitPart(named.front()))
      return std::nullopt;
    int64_t parent = splitParent(named.front());
    auto it = splits.find(parent);
    if (it == splits.end() || it->second.size() != named.size())
      return std::nullopt;
    for (auto [i, n] : llvm::enumerate(named))
      if (n != splitPart(parent, i))
        return std::nullopt;
    return parent;
  }
  /// The name of a dim merged from `parts` (outer first) of static `sizes`;
  /// kUnknown if a size is dynamic or there are too many merged names.
  /// Only a batch dim followed by row dims of the first contraction merge
  /// (the query heads of a grouped einsum, [K, G] -> K·G); other merges
  /// are left to the ops' own readings.
  int64_t mergedName(ArrayRef<int64_t> parts, ArrayRef<int64_t> sizes) {
    auto loopOf = [](int64_t n) { return isSplitPart(n) ? splitParent(n) : n; };
    if (parts.size() < 2 || llvm::any_of(sizes, ShapedType::isDynamic) ||
        !batchLoops.contains(loopOf(parts.front())) ||
        llvm::any_of(parts.drop_front(), [&](int64_t n) {
          return n < 0 || batchLoops.contains(loopOf(n)) ||
                 !splittableLoops.contains(loopOf(n));
        }))
      return kUnknown;
    for (auto [i, m] : llvm::enumerate(merges))
      if (ArrayRef<int64_t>(m.parts) == parts && ArrayRef<int64_t>(m.sizes) == sizes)
        return kMergedBase + i;
    if (merges.size() >= static_cast<size_t>(kMaxMerged))
      return kUnknown;
    merges.push_back(MergedDims{SmallVector<int64_t>(parts), SmallVector<int64_t>(sizes)});
    return kMergedBase + merges.size() - 1;
  }
  const MergedDims *mergedDims(int64_t name) const {
    if (!isMerged(name) || name - kMergedBase >= static_cast<int64_t>(merges.size()))
      return nullptr;
    return &merges[name - kMergedBase];
  }
  /// Merged dims named so far (see mergedName).
  SmallVector<MergedDims> merges;
  /// Loops of the first contraction whose dims the chain may split: its
  /// batch loops and its row and column loops (the rows of a grouped
  /// einsum, [G·T] -> [G, T]).
  DenseSet<int64_t> splittableLoops;

  Expr *mkReduce(Fn fn, Expr *a, int64_t name) {
    Expr *e = alloc(EK::Reduce);
    e->fn = fn;
    e->name = name;
    e->args.push_back(a);
    return e;
  }

private:
  Expr *alloc(EK kind) {
    arena.emplace_back();
    arena.back().kind = kind;
    return &arena.back();
  }
  Expr *mkLeaf(Value v, ArrayRef<int64_t> names) {
    Expr *e = alloc(EK::Leaf);
    e->leaf = v;
    e->names.assign(names.begin(), names.end());
    e->origin = NamedTensor{v, e->names};
    return e;
  }
  /// A value the matcher does not model: equal only to itself, depending on
  /// every name, and never taken as a tensor operand (it has no origin).
  Expr *mkOpaque(Value v) {
    Expr *e = alloc(EK::Leaf);
    e->leaf = v;
    e->names.assign({kOpaque});
    return e;
  }
  Expr *convert(Value v, ArrayRef<int64_t> names);
  Expr *convertLinalg(linalg::LinalgOp op, OpResult v, ArrayRef<int64_t> names);
  Expr *convertSoftmax(linalg::SoftmaxOp op, ArrayRef<int64_t> names);
  Expr *convertReshape(Operation *op, Value src, Value res,
                       ArrayRef<int64_t> names);
  Expr *convertTosa(Operation *op, ArrayRef<int64_t> names);
  /// Maps an elementwise op (scalar, arith/math on tensors, TOSA) onto
  /// expression nodes, given the expressions of its operands.
  Expr *mapElementwise(Operation *op, ArrayRef<Expr *> operands);
  std::optional<Names> computeLabels(Value v);
  void noteUnlabeled(Operation *op, const Twine &why) {
    if (!unlabeledOp) {
      unlabeledOp = op;
      unlabeledWhy = why.str();
    }
  }

  Value scores;
  Names scoreNames;
  Block *block;
  Operation *scoresOp;
  std::deque<Expr> arena;
  DenseMap<Value, SmallVector<std::pair<Names, Expr *>, 1>> memo;
  DenseMap<Value, std::optional<Names>> labelMemo;
  DenseSet<Value> labelInProgress;
};
} // namespace

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

static std::optional<CP> fromCmpI(arith::CmpIPredicate p) {
  using P = arith::CmpIPredicate;
  switch (p) {
  case P::eq: return CP::EQ;
  case P::ne: return CP::NE;
  case P::slt: return CP::LT;
  case P::sle: return CP::LE;
  case P::sgt: return CP::GT;
  case P::sge: return CP::GE;
  case P::ult: return CP::ULT;
  case P::ule: return CP::ULE;
  case P::ugt: return CP::UGT;
  case P::uge: return CP::UGE;
  }
  return std::nullopt;
}

static std::optional<CP> fromCmpF(arith::CmpFPredicate p) {
  using P = arith::CmpFPredicate;
  switch (p) {
  case P::OEQ: case P::UEQ: return CP::EQ;
  case P::ONE: case P::UNE: return CP::NE;
  case P::OLT: case P::ULT: return CP::LT;
  case P::OLE: case P::ULE: return CP::LE;
  case P::OGT: case P::UGT: return CP::GT;
  case P::OGE: case P::UGE: return CP::GE;
  default: return std::nullopt;
  }
}

Expr *ExprBuilder::mapElementwise(Operation *op, ArrayRef<Expr *> x) {
  auto un = [&](Fn fn) -> Expr * {
    return x.size() >= 1 ? mkUnary(fn, x[0]) : nullptr;
  };
  auto bin = [&](Fn fn) -> Expr * {
    return x.size() >= 2 ? mkBinary(fn, x[0], x[1]) : nullptr;
  };
  return llvm::TypeSwitch<Operation *, Expr *>(op)
      .Case<arith::AddFOp, arith::AddIOp, tosa::AddOp>(
          [&](auto) { return bin(Fn::Add); })
      .Case<arith::SubFOp, arith::SubIOp, tosa::SubOp>(
          [&](auto) { return bin(Fn::Sub); })
      .Case<arith::MulFOp, arith::MulIOp>([&](auto) { return bin(Fn::Mul); })
      .Case<tosa::MulOp>([&](tosa::MulOp mul) -> Expr * {
        std::optional<double> shift = getConstantValue(mul.getShift());
        if (!shift || *shift != 0.0)
          return nullptr;
        return bin(Fn::Mul);
      })
      .Case<arith::DivFOp>([&](auto) { return bin(Fn::Div); })
      .Case<arith::MaximumFOp, arith::MaxNumFOp, tosa::MaximumOp>(
          [&](auto) { return bin(Fn::Max); })
      .Case<arith::MinimumFOp, arith::MinNumFOp, tosa::MinimumOp>(
          [&](auto) { return bin(Fn::Min); })
      .Case<arith::NegFOp, tosa::NegateOp>([&](auto) { return un(Fn::Neg); })
      .Case<math::ExpOp, tosa::ExpOp>([&](auto) { return un(Fn::Exp); })
      .Case<math::Exp2Op>([&](auto) -> Expr * {
        // exp2(y) = exp(y · ln 2).
        return x.size() == 1
                   ? mkUnary(Fn::Exp, mkBinary(Fn::Mul, x[0], mkConst(M_LN2)))
                   : nullptr;
      })
      .Case<math::LogOp, tosa::LogOp>([&](auto) { return un(Fn::Log); })
      .Case<math::SqrtOp>([&](auto) { return un(Fn::Sqrt); })
      .Case<math::AbsIOp, math::AbsFOp, tosa::AbsOp>(
          [&](auto) { return un(Fn::Abs); })
      .Case<math::RsqrtOp, tosa::RsqrtOp>([&](auto) { return un(Fn::Rsqrt); })
      .Case<tosa::ReciprocalOp>([&](auto) { return un(Fn::Recip); })
      .Case<arith::ExtFOp>([&](auto) { return un(Fn::ExtF); })
      .Case<arith::TruncFOp>([&](auto) { return un(Fn::TruncF); })
      .Case<arith::IndexCastOp, arith::IndexCastUIOp, arith::SIToFPOp,
            arith::UIToFPOp, arith::ExtSIOp, arith::ExtUIOp, arith::TruncIOp>(
          [&](auto) { return un(Fn::IntCast); })
      .Case<tosa::CastOp>([&](tosa::CastOp cast) -> Expr * {
        Type in = getElementTypeOrSelf(cast.getInput().getType());
        Type out = getElementTypeOrSelf(cast.getType());
        if (isa<FloatType>(in) && isa<FloatType>(out))
          return un(in.getIntOrFloatBitWidth() <= out.getIntOrFloatBitWidth()
                        ? Fn::ExtF
                        : Fn::TruncF);
        if (isa<IntegerType, IndexType>(in) && !in.isInteger(1))
          return un(Fn::IntCast);
        return nullptr;
      })
      .Case<arith::AndIOp, tosa::LogicalAndOp>([&](auto) { return bin(Fn::And); })
      .Case<arith::OrIOp, tosa::LogicalOrOp>([&](auto) { return bin(Fn::Or); })
      .Case<arith::XOrIOp, tosa::LogicalXorOp>([&](auto) { return bin(Fn::Xor); })
      .Case<tosa::LogicalNotOp>([&](auto) { return un(Fn::Not); })
      .Case<arith::SelectOp, tosa::SelectOp>([&](auto) -> Expr * {
        return x.size() == 3 ? mkSelect(x[0], x[1], x[2]) : nullptr;
      })
      .Case<arith::CmpIOp>([&](arith::CmpIOp cmp) -> Expr * {
        std::optional<CP> p = fromCmpI(cmp.getPredicate());
        return p && x.size() == 2 ? mkCmp(*p, x[0], x[1]) : nullptr;
      })
      .Case<arith::CmpFOp>([&](arith::CmpFOp cmp) -> Expr * {
        std::optional<CP> p = fromCmpF(cmp.getPredicate());
        return p && x.size() == 2 ? mkCmp(*p, x[0], x[1]) : nullptr;
      })
      .Case<tosa::GreaterOp>([&](auto) -> Expr * {
        return x.size() == 2 ? mkCmp(CP::GT, x[0], x[1]) : nullptr;
      })
      .Case<tosa::GreaterEqualOp>([&](auto) -> Expr * {
        return x.size() == 2 ? mkCmp(CP::GE, x[0], x[1]) : nullptr;
      })
      .Case<tosa::EqualOp>([&](auto) -> Expr * {
        return x.size() == 2 ? mkCmp(CP::EQ, x[0], x[1]) : nullptr;
      })
      .Default([&](Operation *) -> Expr * { return nullptr; });
}

/// Operands of an elementwise op that carry data (tosa.mul's shift, the zero
/// points of tosa.negate do not).
static SmallVector<Value> dataOperands(Operation *op) {
  if (auto mul = dyn_cast<tosa::MulOp>(op))
    return {mul.getInput1(), mul.getInput2()};
  if (auto neg = dyn_cast<tosa::NegateOp>(op))
    return {neg.getInput1()};
  return llvm::to_vector(op->getOperands());
}

static bool isTosaElementwise(Operation *op) {
  return isa<tosa::AddOp, tosa::SubOp, tosa::MulOp, tosa::MaximumOp,
             tosa::MinimumOp, tosa::NegateOp, tosa::ExpOp, tosa::LogOp,
             tosa::RsqrtOp, tosa::ReciprocalOp, tosa::CastOp,
             tosa::LogicalAndOp, tosa::LogicalOrOp, tosa::LogicalXorOp,
             tosa::LogicalNotOp, tosa::SelectOp, tosa::GreaterOp,
             tosa::GreaterEqualOp, tosa::EqualOp>(op);
}

/// arith and math ops applied to whole tensors (or to scalars outside any
/// body): elementwise over operands of one shape.
static bool isArithMathElementwise(Operation *op) {
  Dialect *d = op->getDialect();
  if (!d || !(d->getNamespace() == "arith" || d->getNamespace() == "math"))
    return false;
  return op->getNumResults() == 1 && !isa<arith::ConstantOp>(op);
}

/// Names of the operand dims of an op with numpy-style positional broadcast
/// (TOSA): size-1 dims against a larger result dim are broadcast.
static std::optional<Names> broadcastNames(Value operand, Value result,
                                           ArrayRef<int64_t> names) {
  auto ot = dyn_cast<RankedTensorType>(operand.getType());
  auto rt = dyn_cast<RankedTensorType>(result.getType());
  if (!ot || !rt)
    return Names{};
  if (ot.getRank() != rt.getRank())
    return std::nullopt;
  Names out;
  for (int64_t i = 0; i < ot.getRank(); ++i) {
    if (ot.getDimSize(i) == 1 && rt.getDimSize(i) != 1)
      out.push_back(kUnit);
    else
      out.push_back(names[i]);
  }
  return out;
}

/// The combiner and axis of a TOSA reduction the matcher reads: max and sum
/// (softmax), all and any (the row guard of a safe softmax).
static std::optional<std::pair<Fn, int64_t>> getTosaReduction(Operation *op) {
  if (auto r = dyn_cast<tosa::ReduceMaxOp>(op))
    return std::make_pair(Fn::Max, static_cast<int64_t>(r.getAxis()));
  if (auto r = dyn_cast<tosa::ReduceSumOp>(op))
    return std::make_pair(Fn::Add, static_cast<int64_t>(r.getAxis()));
  if (auto r = dyn_cast<tosa::ReduceAllOp>(op))
    return std::make_pair(Fn::And, static_cast<int64_t>(r.getAxis()));
  if (auto r = dyn_cast<tosa::ReduceAnyOp>(op))
    return std::make_pair(Fn::Or, static_cast<int64_t>(r.getAxis()));
  return std::nullopt;
}

Expr *ExprBuilder::build(Value v, ArrayRef<int64_t> names) {
  auto &entries = memo[v];
  for (auto &[n, e] : entries)
    if (ArrayRef<int64_t>(n) == names)
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

Expr *ExprBuilder::convert(Value v, ArrayRef<int64_t> names) {
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
      xs.push_back(build(operand, t ? names : ArrayRef<int64_t>{}));
    }
    return mapElementwise(def, xs);
  }
  return nullptr;
}

Expr *ExprBuilder::convertSoftmax(linalg::SoftmaxOp op,
                                  ArrayRef<int64_t> names) {
  int64_t dim = op.getDimension();
  if (dim < 0 || dim >= static_cast<int64_t>(names.size()))
    return nullptr;
  int64_t name = names[dim];
  Expr *x = build(op.getInput(), names);
  Expr *m = mkReduce(Fn::Max, x, name);
  Expr *e = mkUnary(Fn::Exp, mkBinary(Fn::Sub, x, m));
  return mkBinary(Fn::Div, e, mkReduce(Fn::Add, e, name));
}

/// Names for the operand dims read through `map`, given the loop names.
static std::optional<Names> namesThroughMap(AffineMap map,
                                            ArrayRef<int64_t> loopNames,
                                            Type operandType) {
  auto t = dyn_cast<RankedTensorType>(operandType);
  Names out;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(expr)) {
      out.push_back(loopNames[d.getPosition()]);
      continue;
    }
    auto c = dyn_cast<AffineConstantExpr>(expr);
    // A constant index reads one element; it is a broadcast only from a
    // unit dimension.
    if (!c || c.getValue() != 0 || !t || t.getDimSize(i) != 1)
      return std::nullopt;
    out.push_back(kUnit);
  }
  return out;
}

Expr *ExprBuilder::convertLinalg(linalg::LinalgOp op, OpResult v,
                                 ArrayRef<int64_t> names) {
  if (!op.hasPureTensorSemantics())
    return nullptr;
  unsigned resIdx = v.getResultNumber();
  OpOperand *init = op.getDpsInitOperand(resIdx);
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (outMap.getNumResults() != names.size())
    return nullptr;
  unsigned numLoops = op.getNumLoops();
  Names loopNames(numLoops, kUnknown);
  auto initType = cast<RankedTensorType>(init->get().getType());
  for (auto [p, expr] : llvm::enumerate(outMap.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(expr)) {
      loopNames[d.getPosition()] = names[p];
      continue;
    }
    // A keepdim reduction (torch-mlir's amax/sum) writes a unit dimension
    // through the constant 0.
    auto c = dyn_cast<AffineConstantExpr>(expr);
    if (!c || c.getValue() != 0 || initType.getDimSize(p) != 1 ||
        names[p] != kUnit)
      return nullptr;
  }
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<unsigned> reductions;
  for (unsigned i = 0; i < numLoops; ++i)
    if (iters[i] == utils::IteratorType::reduction)
      reductions.push_back(i);
  if (reductions.size() > 1)
    return nullptr;
  Block *body = op.getBlock();
  if (!body)
    return nullptr;
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() <= resIdx)
    return nullptr;
  Value yv = yield.getOperand(resIdx);

  Fn reduceFn = Fn::None;
  Value reduceArg;
  if (!reductions.empty()) {
    // Several results (max.dim's max and argmax) are fine: each result's
    // combiner may read only its own accumulator (checked in convBody).
    unsigned r = reductions.front();
    // The reduced name comes from the forward labels of an input that the
    // reduction loop indexes.
    int64_t redName = kUnknown;
    for (OpOperand *in : op.getDpsInputOperands()) {
      const Names *labels = labelsOf(in->get());
      if (!labels)
        continue;
      AffineMap m = op.getMatchingIndexingMap(in);
      for (auto [p, expr] : llvm::enumerate(m.getResults())) {
        auto d = dyn_cast<AffineDimExpr>(expr);
        if (!d)
          continue;
        int64_t label = (*labels)[p];
        if (d.getPosition() == r) {
          if (label >= 0)
            redName = label;
        } else if (label >= 0 && loopNames[d.getPosition()] >= 0 &&
                   label != loopNames[d.getPosition()]) {
          return nullptr;
        }
      }
    }
    if (redName == kUnknown)
      return nullptr;
    loopNames[r] = redName;
    Operation *comb = yv.getDefiningOp();
    BlockArgument acc = op.getMatchingBlockArgument(init);
    if (!comb || comb->getBlock() != body || comb->getNumOperands() != 2)
      return nullptr;
    bool boolResult = comb->getResult(0).getType().isInteger(1);
    if (isa<arith::AddFOp>(comb))
      reduceFn = Fn::Add;
    else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(comb))
      reduceFn = Fn::Max;
    else if (isa<arith::AndIOp>(comb) && boolResult)
      reduceFn = Fn::And; // all(...): the guard of a safe softmax
    else if (isa<arith::OrIOp>(comb) && boolResult)
      reduceFn = Fn::Or; // any(...)
    else
      return nullptr;
    if (comb->getOperand(0) == acc)
      reduceArg = comb->getOperand(1);
    else if (comb->getOperand(1) == acc)
      reduceArg = comb->getOperand(0);
    else
      return nullptr;
    // The init must be the combiner's identity: 0 for a sum, -inf or the
    // lowest value for a max, true for all, false for any.
    std::optional<double> initVal = getFillValue(init->get());
    if (!initVal)
      return nullptr;
    bool identity = false;
    switch (reduceFn) {
    case Fn::Add: identity = *initVal == 0.0; break;
    case Fn::Max: identity = isMaskingValue(*initVal); break;
    case Fn::And: identity = *initVal != 0.0; break;
    case Fn::Or: identity = *initVal == 0.0; break;
    default: break;
    }
    if (!identity)
      return nullptr;
  }
  if (llvm::is_contained(loopNames, kUnknown))
    return nullptr;

  // Walk the body from the yielded value.
  DenseMap<Value, Expr *> bodyMemo;
  BlockArgument acc = reductions.empty() ? BlockArgument()
                                         : op.getMatchingBlockArgument(init);
  std::function<Expr *(Value)> convBody = [&](Value bv) -> Expr * {
    if (auto it = bodyMemo.find(bv); it != bodyMemo.end())
      return it->second;
    Expr *res = nullptr;
    if (auto arg = dyn_cast<BlockArgument>(bv)) {
      if (arg.getOwner() != body) {
        res = build(bv, {});
      } else if (arg == acc ||
                 (!reductions.empty() && op.isDpsInit(op.getMatchingOpOperand(arg)))) {
        res = nullptr;
      } else {
        OpOperand *operand = op.getMatchingOpOperand(arg);
        if (!operand)
          return nullptr;
        if (!isa<ShapedType>(operand->get().getType())) {
          res = build(operand->get(), {});
        } else {
          std::optional<Names> n =
              namesThroughMap(op.getMatchingIndexingMap(operand), loopNames,
                              operand->get().getType());
          if (n)
            res = build(operand->get(), *n);
        }
      }
    } else {
      Operation *def = bv.getDefiningOp();
      if (def->getBlock() != body) {
        res = build(bv, {});
      } else if (auto index = dyn_cast<linalg::IndexOp>(def)) {
        if (index.getDim() < numLoops) {
          res = alloc(EK::Index);
          res->name = loopNames[index.getDim()];
        }
      } else if (std::optional<double> c = getConstantValue(bv)) {
        res = mkConst(*c);
      } else if (llvm::any_of(def->getOperandTypes(),
                              llvm::IsaPred<ShapedType>) ||
                 def->getNumRegions() > 0 || def->getNumResults() != 1) {
        // tensor.extract (rotary tables, gathers), nested regions: not an
        // elementwise function of the loop's operands.
        res = nullptr;
      } else {
        SmallVector<Expr *> xs;
        bool ok = true;
        for (Value operand : dataOperands(def)) {
          Expr *x = convBody(operand);
          if (!x) {
            ok = false;
            break;
          }
          xs.push_back(x);
        }
        if (ok)
          res = mapElementwise(def, xs);
      }
    }
    bodyMemo[bv] = res;
    return res;
  };

  if (reductions.empty())
    return convBody(yv);
  Expr *x = convBody(reduceArg);
  if (!x)
    return nullptr;
  return mkReduce(reduceFn, x, loopNames[reductions.front()]);
}

/// Splits a reassociation group of the source of a collapse into names,
/// given the name of the collapsed dim. Returns false when named dims merge.
static bool splitGroupNames(ArrayRef<int64_t> shape, ReassociationIndicesRef group,
                            int64_t name, int64_t headName, Names &srcNames) {
  if (group.size() == 1) {
    srcNames[group[0]] = name;
    return true;
  }
  SmallVector<int64_t> nonUnit = nonUnitDims(shape, group);
  if (nonUnit.size() <= 1 || name == kUnit) {
    if (name == kUnit && !nonUnit.empty())
      return false;
    int64_t named = nonUnit.empty() ? group.front() : nonUnit.front();
    for (int64_t d : group)
      srcNames[d] = d == named ? name : kUnit;
    return true;
  }
  // [outer..., group] -> heads: the shape a GQA broadcast is collapsed from.
  if (name != headName)
    return false;
  for (auto [i, d] : llvm::enumerate(group))
    srcNames[d] = i + 1 == group.size() ? kGroup : kGroupOuter + i;
  return true;
}

Expr *ExprBuilder::convertReshape(Operation *op, Value src, Value res,
                                  ArrayRef<int64_t> names) {
  auto st = dyn_cast<RankedTensorType>(src.getType());
  auto rt = dyn_cast<RankedTensorType>(res.getType());
  if (!st || !rt)
    return nullptr;
  std::optional<SmallVector<ReassociationIndices>> reassoc;
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(op))
    reassoc = e.getReassociationIndices();
  else if (auto c = dyn_cast<tensor::CollapseShapeOp>(op))
    reassoc = c.getReassociationIndices();
  else if (st.getRank() == rt.getRank())
    reassoc = st == rt ? std::optional<SmallVector<ReassociationIndices>>(
                             llvm::to_vector(llvm::map_range(
                                 llvm::seq<int64_t>(0, st.getRank()),
                                 [](int64_t i) { return ReassociationIndices{i}; })))
                       : std::nullopt;
  else
    reassoc = getReassociationIndicesForReshape(st, rt);
  if (!reassoc)
    return nullptr;
  Names srcNames(st.getRank(), kUnit);
  if (st.getRank() >= rt.getRank()) {
    // Collapse: each result dim comes from a group of source dims.
    if (reassoc->size() != names.size())
      return nullptr;
    for (auto [g, group] : llvm::enumerate(*reassoc)) {
      // A split batch dim collapsed back: its parts, by size.
      if (auto it = splits.find(names[g]); it != splits.end() && group.size() > 1) {
        SmallVector<int64_t> nonUnit = nonUnitDims(st.getShape(), group);
        if (nonUnit.size() == it->second.size() &&
            llvm::all_of(llvm::enumerate(nonUnit), [&](auto p) {
              return st.getDimSize(p.value()) == it->second[p.index()];
            })) {
          for (auto [i, d] : llvm::enumerate(nonUnit))
            srcNames[d] = splitPart(names[g], i);
          continue;
        }
      }
      // A merged dim collapsed back from its parts.
      const MergedDims *md = mergedDims(names[g]);
      if (SmallVector<int64_t> nonUnit = nonUnitDims(st.getShape(), group);
          md && nonUnit.size() > 1) {
        if (nonUnit.size() != md->parts.size() ||
            llvm::any_of(llvm::enumerate(nonUnit), [&](auto p) {
              return st.getDimSize(p.value()) != md->sizes[p.index()];
            }))
          return nullptr;
        for (auto [i, d] : llvm::enumerate(nonUnit))
          srcNames[d] = md->parts[i];
        continue;
      }
      if (!splitGroupNames(st.getShape(), group, names[g], headName, srcNames))
        return nullptr;
    }
  } else {
    // Expand: each source dim becomes a group of result dims, of which at
    // most one is named.
    if (reassoc->size() != srcNames.size())
      return nullptr;
    for (auto [j, group] : llvm::enumerate(*reassoc)) {
      SmallVector<int64_t> named, sizes;
      for (int64_t d : group)
        if (names[d] != kUnit) {
          named.push_back(names[d]);
          sizes.push_back(rt.getDimSize(d));
        }
      if (named.size() > 1) {
        std::optional<int64_t> parent = mergedParent(named);
        // Other names merged ([K, G] of a grouped einsum read from [K·G]):
        // the source dim is their row-major merge.
        int64_t merged = parent ? *parent : mergedName(named, sizes);
        if (merged == kUnknown)
          return nullptr;
        srcNames[j] = merged;
        continue;
      }
      srcNames[j] = named.empty() ? kUnit : named.front();
    }
  }
  return build(src, srcNames);
}

Expr *ExprBuilder::convertTosa(Operation *op, ArrayRef<int64_t> names) {
  if (op->getNumResults() != 1)
    return nullptr;
  Value res = op->getResult(0);
  if (auto t = dyn_cast<tosa::TransposeOp>(op)) {
    ArrayRef<int32_t> perm = t.getPerms();
    Names in(names.size(), kUnit);
    for (auto [i, p] : llvm::enumerate(perm))
      in[p] = names[i];
    return build(t.getInput1(), in);
  }
  if (std::optional<std::pair<Fn, int64_t>> red = getTosaReduction(op)) {
    Value input = op->getOperand(0);
    int64_t axis = red->second;
    const Names *labels = labelsOf(input);
    if (!labels || axis >= static_cast<int64_t>(labels->size()) ||
        (*labels)[axis] < 0)
      return nullptr;
    Names in(names.begin(), names.end());
    in[axis] = (*labels)[axis];
    return mkReduce(red->first, build(input, in), in[axis]);
  }
  if (!isTosaElementwise(op))
    return nullptr;
  SmallVector<Expr *> xs;
  for (Value operand : dataOperands(op)) {
    std::optional<Names> n = broadcastNames(operand, res, names);
    if (!n)
      return nullptr;
    xs.push_back(build(operand, *n));
  }
  return mapElementwise(op, xs);
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
static bool mergeName(int64_t &slot, int64_t name) {
  if (name == kUnknown || name == slot)
    return true;
  if (slot == kUnknown || slot == kUnit) {
    slot = name;
    return true;
  }
  return name == kUnit;
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

  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(def)) {
    // The init may be the scores while the input is something else.
    if (const Names *in = labelsOf(softmax.getInput()))
      return *in;
    noteUnlabeled(def, "its input does not come from the scores");
    return std::nullopt;
  }

  if (auto op = dyn_cast<linalg::LinalgOp>(def)) {
    if (!op.hasPureTensorSemantics()) {
      noteUnlabeled(def, "it does not have tensor semantics");
      return std::nullopt;
    }
    Names loopNames(op.getNumLoops(), kUnknown);
    for (OpOperand &operand : op->getOpOperands()) {
      const Names *labels = labelsOf(operand.get());
      if (!labels)
        continue;
      AffineMap m = op.getMatchingIndexingMap(&operand);
      for (auto [p, expr] : llvm::enumerate(m.getResults())) {
        auto d = dyn_cast<AffineDimExpr>(expr);
        if (!d)
          continue;
        if (!mergeName(loopNames[d.getPosition()], (*labels)[p])) {
          noteUnlabeled(def, "its operands disagree on which dimension is which");
          return std::nullopt;
        }
      }
    }
    AffineMap outMap =
        op.getMatchingIndexingMap(op.getDpsInitOperand(cast<OpResult>(v).getResultNumber()));
    Names out;
    for (auto [p, expr] : llvm::enumerate(outMap.getResults())) {
      auto d = dyn_cast<AffineDimExpr>(expr);
      int64_t name = d ? loopNames[d.getPosition()] : kUnit;
      // A unit loop no input indexes (inputs read through the constant 0).
      if (name == kUnknown && rt.getDimSize(p) == 1)
        name = kUnit;
      out.push_back(name);
    }
    return out;
  }

  auto reshape = [&](Value src) -> std::optional<Names> {
    const Names *in = labelsOf(src);
    auto st = dyn_cast<RankedTensorType>(src.getType());
    if (!in || !st)
      return std::nullopt;
    std::optional<SmallVector<ReassociationIndices>> reassoc;
    if (auto e = dyn_cast<tensor::ExpandShapeOp>(def))
      reassoc = e.getReassociationIndices();
    else if (auto c = dyn_cast<tensor::CollapseShapeOp>(def))
      reassoc = c.getReassociationIndices();
    else if (st == rt)
      return *in;
    else if (st.getRank() != rt.getRank())
      reassoc = getReassociationIndicesForReshape(st, rt);
    if (!reassoc) {
      noteUnlabeled(def, "it is not a reshape that only adds or drops unit dimensions");
      return std::nullopt;
    }
    if (st.getRank() > rt.getRank()) {
      Names out;
      for (const ReassociationIndices &group : *reassoc) {
        SmallVector<int64_t> named, sizes;
        for (int64_t d : group)
          if ((*in)[d] != kUnit) {
            named.push_back((*in)[d]);
            sizes.push_back(st.getDimSize(d));
          }
        if (named.size() <= 1) {
          out.push_back(named.empty() ? kUnit : named.front());
          continue;
        }
        // The parts of a split dim merged back, or other dims merged into
        // one (a grouped einsum's [K, G] reshaped to the query heads).
        std::optional<int64_t> parent = mergedParent(named);
        int64_t merged = parent ? *parent : mergedName(named, sizes);
        if (merged == kUnknown) {
          noteUnlabeled(def, "it merges dimensions of the scores");
          return std::nullopt;
        }
        out.push_back(merged);
      }
      return out;
    }
    Names out(rt.getRank(), kUnit);
    for (auto [j, group] : llvm::enumerate(*reassoc)) {
      SmallVector<int64_t> nonUnit = nonUnitDims(rt.getShape(), group);
      if (nonUnit.size() > 1) {
        // A batch dim split into parts ([B*H] -> [B, H]) keeps its meaning.
        SmallVector<int64_t> sizes;
        for (int64_t d : nonUnit)
          sizes.push_back(rt.getDimSize(d));
        // A merged dim split back into its parts.
        if (const MergedDims *md = mergedDims((*in)[j]);
            md && ArrayRef<int64_t>(md->sizes) == ArrayRef<int64_t>(sizes)) {
          for (auto [i, d] : llvm::enumerate(nonUnit))
            out[d] = md->parts[i];
          continue;
        }
        if (!recordSplit((*in)[j], sizes)) {
          noteUnlabeled(def, "it splits a dimension of the scores that is "
                             "not a batch, row or column dimension, or not "
                             "statically");
          return std::nullopt;
        }
        for (auto [i, d] : llvm::enumerate(nonUnit))
          out[d] = splitPart((*in)[j], i);
        continue;
      }
      out[nonUnit.empty() ? group.front() : nonUnit.front()] = (*in)[j];
    }
    return out;
  };
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(def))
    return reshape(e.getSrc());
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(def))
    return reshape(c.getSrc());
  if (auto r = dyn_cast<tosa::ReshapeOp>(def))
    return reshape(r.getInput1());
  if (auto t = dyn_cast<tosa::TransposeOp>(def)) {
    const Names *in = labelsOf(t.getInput1());
    if (!in)
      return std::nullopt;
    Names out;
    for (int32_t p : t.getPerms())
      out.push_back((*in)[p]);
    return out;
  }
  if (std::optional<std::pair<Fn, int64_t>> red = getTosaReduction(def)) {
    const Names *in = labelsOf(def->getOperand(0));
    if (!in)
      return std::nullopt;
    Names out = *in;
    int64_t axis = red->second;
    if (axis >= static_cast<int64_t>(out.size()))
      return std::nullopt;
    out[axis] = kUnit;
    return out;
  }
  if (isTosaElementwise(def) || isArithMathElementwise(def)) {
    Names out(rt.getRank(), kUnknown);
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
          noteUnlabeled(def, "its operands disagree on which dimension is which");
          return std::nullopt;
        }
      }
    }
    return out;
  }
  noteUnlabeled(def, "the matcher does not know this op");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Softmax, scores and masks
//===----------------------------------------------------------------------===//

namespace {
struct SoftmaxMatch {
  Expr *x = nullptr;        // the softmax input (scaled, masked scores)
  Expr *rowShift = nullptr; // the value subtracted before exp (or null)
  Expr *rowMax = nullptr;   // the Reduce(max) in rowShift, guard peeled
  Expr *rowSum = nullptr;   // the Reduce(add) node
  int64_t keyName = 0;
};
} // namespace

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
static bool isDeadRowTest(Expr *cond, bool truth, const SoftmaxMatch &sm) {
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

/// select(cond, c, v) or select(cond, v, c) with `isGuardValue(c)`: returns
/// v, and the guard (cond, and the truth value that picks c).
template <typename Pred>
static Expr *peelGuard(Expr *e, Pred isGuardValue, Expr *&cond, bool &truth) {
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

static bool hasExpOrReduce(Expr *e) {
  if (e->kind == EK::Reduce || (e->kind == EK::Unary && e->fn == Fn::Exp))
    return true;
  return llvm::any_of(e->args, hasExpOrReduce);
}

/// exp(x - a) with a constant along `key`, or exp(x).
static bool splitExpArg(Expr *e, int64_t key, Expr *&x, Expr *&a) {
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
static LogicalResult checkRowShift(SoftmaxMatch &sm, std::string &why) {
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
    why = "the value subtracted before exp is not the row maximum of the "
          "softmax input";
    return failure();
  }
  if (guard && !isDeadRowTest(guard, truth, sm)) {
    why = "the row maximum subtracted before exp is replaced where a test "
          "that is not 'the row is fully masked' holds";
    return failure();
  }
  sm.rowMax = m;
  return success();
}

static FailureOr<SoftmaxMatch> matchSoftmax(Expr *p, std::string &why) {
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
      if (!isDeadRowTest(guard, truth, *m)) {
        why = "the softmax is replaced by 0 where a test that is not 'the "
              "row is fully masked' holds";
        return failure();
      }
      return m;
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
    int64_t key = r->name;
    if (!equalExpr(stripFloatCasts(e), stripFloatCasts(r->args[0]))) {
      why = "the softmax divides by a sum over something other than its "
            "numerator";
      return failure();
    }
    SoftmaxMatch m;
    m.keyName = key;
    m.rowSum = r;
    if (!splitExpArg(e, key, m.x, m.rowShift)) {
      why = "the softmax numerator is not an exp";
      return failure();
    }
    if (failed(checkRowShift(m, why)))
      return failure();
    if (guard && !isDeadRowTest(guard, truth, m)) {
      why = "the softmax's row sum is replaced where a test that is not "
            "'the row is fully masked' holds";
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
  if (why.empty()) {
    if (!hasExpOrReduce(p))
      why = "no softmax between the two contractions";
    else
      why = "the operand of the second contraction is not a softmax "
            "(exp(x - max) / sum, or exp(x - logsumexp))";
  }
  return failure();
}

namespace {
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
} // namespace

static FailureOr<ScoresMatch> matchScores(Expr *x, Value scores,
                                          std::string &why) {
  ScoresMatch m;
  double scaleOutside = 1.0;
  Expr *e = x;
  while (true) {
    e = stripFloatCasts(e);
    if (e->kind == EK::Leaf && e->leaf == scores)
      return m;
    if (e->kind == EK::Leaf) {
      why = "the scores pass through " + describe(e->leaf) +
            ", which the matcher does not understand";
      return failure();
    }
    if (!containsLeaf(e, scores)) {
      why = "the softmax input does not come from the first contraction";
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
        why = "a select on the scores does not replace them by a constant";
        return failure();
      }
      double c = stripFloatCasts(e->args[keepTrue ? 2 : 1])->cst;
      if (std::isinf(c) && scaleOutside <= 0.0) {
        why = "a non-positive scale is applied after a -inf mask";
        return failure();
      }
      double fill = std::isinf(c) ? c : c * scaleOutside;
      if (!std::isfinite(static_cast<float>(fill)) && !std::isinf(c)) {
        why = "the fill value of a masked_fill overflows f32 once scaled";
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
        why = "the scores are added to a value that also depends on them";
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
        why = "the scale multiplies the additive mask too; fa2.attention "
              "adds the mask after scaling";
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
        why = "the scores are a divisor";
        return failure();
      }
      if (c->kind != EK::Const || c->cst == 0.0 || !std::isfinite(c->cst)) {
        why = "the scores are scaled by something that is not a finite "
              "non-zero constant";
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
    why = std::string("the scores go through '") + fnName(e->fn) +
          "' before the softmax";
    return failure();
  }
}

namespace {
/// a·q + b·k + c over the query and key indices.
struct Linear {
  double q = 0, k = 0, c = 0;
};
} // namespace

static std::optional<Linear> linearize(Expr *e, int64_t qName, int64_t kName) {
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
                                             int64_t qName, int64_t kName) {
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

namespace {
/// The keys a boolean index mask keeps, as bounds on j - i.
struct Band {
  std::optional<int64_t> lower, upper;
};
} // namespace

/// Reads `cond == truth` as a conjunction of bounds on j - i: linear
/// comparisons, |i - j| against a constant, and/or/not of them.
static bool collectBand(Expr *cond, bool truth, int64_t qName, int64_t kName,
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
static bool isConstantCausal(const NamedTensor &t, bool keep, int64_t qName,
                             int64_t kName, int64_t sq, int64_t sk) {
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
    for (int64_t d = 0; d < type.getRank(); ++d) {
      offsets[d] = slice.getStaticOffsets()[d] + offsets[d] * slice.getStaticStrides()[d];
      strides[d] *= slice.getStaticStrides()[d];
    }
    v = slice.getSource();
  }
  DenseElementsAttr attr = getConstantElements(v);
  if (!attr || !(attr.getElementType().isInteger(1) ||
                 isa<FloatType>(attr.getElementType())))
    return false;
  auto srcType = cast<RankedTensorType>(attr.getType());
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
        flat += (offsets[d] + idx * strides[d]) * srcStrides[d];
      }
      bool kept = values[flat] == keep;
      if (kept != (j <= i + (sk - sq)))
        return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Operands
//===----------------------------------------------------------------------===//

namespace {
/// One way to read Q, K or V: the tensor and the scale peeled on the way.
struct OperandCandidate {
  NamedTensor tensor;
  double scale = 1.0;
};

enum class HeadKind { Full, MQA, GQA };
} // namespace

/// Readings of an operand from the outermost (as the contraction reads it) to
/// the innermost (after peeling constant scales and extensions).
static SmallVector<OperandCandidate> operandCandidates(Expr *e, bool allowScale) {
  SmallVector<OperandCandidate> out;
  double scale = 1.0;
  while (e) {
    if (e->origin.value)
      out.push_back({e->origin, scale});
    if (e->kind == EK::Unary && e->fn == Fn::ExtF) {
      e = e->args[0];
      continue;
    }
    if (allowScale && e->kind == EK::Binary &&
        (e->fn == Fn::Mul || e->fn == Fn::Div)) {
      Expr *c0 = stripFloatCasts(e->args[0]), *c1 = stripFloatCasts(e->args[1]);
      if (c1->kind == EK::Const && std::isfinite(c1->cst) && c1->cst != 0.0) {
        scale *= e->fn == Fn::Mul ? c1->cst : 1.0 / c1->cst;
        e = e->args[0];
        continue;
      }
      if (e->fn == Fn::Mul && c0->kind == EK::Const &&
          std::isfinite(c0->cst) && c0->cst != 0.0) {
        scale *= c0->cst;
        e = e->args[1];
        continue;
      }
    }
    break;
  }
  return out;
}

/// `names` with each split batch name replaced by its parts.
static SmallVector<int64_t> expandSplits(ArrayRef<int64_t> names,
                                         const SplitMap &splits) {
  SmallVector<int64_t> out;
  for (int64_t n : names) {
    auto it = splits.find(n);
    if (it == splits.end()) {
      out.push_back(n);
      continue;
    }
    for (size_t i = 0; i < it->second.size(); ++i)
      out.push_back(splitPart(n, i));
  }
  return out;
}

/// Unit dims must be static 1: they are dropped by a collapse_shape.
static bool unitDimsAreStatic(const NamedTensor &t) {
  auto type = cast<RankedTensorType>(t.value.getType());
  for (auto [i, n] : llvm::enumerate(t.names))
    if (n == kUnit && type.getDimSize(i) != 1)
      return false;
  return true;
}

static bool isAttentionElementType(Type t) {
  return t.isF16() || t.isBF16() || t.isF32();
}

/// Classifies the names of a Q/K/V/O reading against the required set.
/// `head` may be missing (MQA) or split into kGroupOuter names (GQA) when
/// allowed. Returns nullopt if the reading is unusable.
namespace {
/// The groups of a grouped einsum (form 7) and the name of their merge with
/// the K/V head (AttentionMatch::groupNames, groupedHeadName).
struct GroupedHead {
  ArrayRef<int64_t> groups;
  int64_t name = kUnknown;
  ArrayRef<int64_t> sizes;
};
} // namespace

/// The names of `t` without unit dims, split batch dims as their parts and
/// the grouped head as [head, groups...]; nullopt for another merged dim.
static std::optional<SmallVector<int64_t>>
presentNames(const NamedTensor &t, int64_t head, const SplitMap &splits,
             const GroupedHead &grouped) {
  SmallVector<int64_t> present;
  for (int64_t n : expandSplits(t.names, splits)) {
    if (n == kUnit)
      continue;
    if (isMerged(n)) {
      if (n != grouped.name)
        return std::nullopt;
      present.push_back(head);
      llvm::append_range(present, grouped.groups);
      continue;
    }
    present.push_back(n);
  }
  return present;
}

static std::optional<HeadKind> classifyNames(const NamedTensor &t,
                                             ArrayRef<int64_t> batchNames,
                                             ArrayRef<int64_t> otherNames,
                                             bool allowHeadVariants,
                                             const SplitMap &splits,
                                             const GroupedHead &grouped) {
  if (!t.value || !unitDimsAreStatic(t))
    return std::nullopt;
  if (!isAttentionElementType(getElementTypeOrSelf(t.value.getType())))
    return std::nullopt;
  int64_t head = batchNames.back();
  std::optional<SmallVector<int64_t>> maybePresent =
      presentNames(t, head, splits, grouped);
  if (!maybePresent)
    return std::nullopt;
  SmallVector<int64_t> present = std::move(*maybePresent);
  bool hasHead = llvm::is_contained(present, head);
  bool hasOuter = llvm::any_of(present, [](int64_t n) {
    return n >= kGroupOuter && n < kGroup;
  });
  if (llvm::is_contained(present, kGroup))
    return std::nullopt;
  SmallVector<int64_t> required(batchNames.begin(), batchNames.end());
  required.append(otherNames.begin(), otherNames.end());
  HeadKind kind = HeadKind::Full;
  if (hasOuter) {
    if (hasHead || !allowHeadVariants)
      return std::nullopt;
    kind = HeadKind::GQA;
  } else if (!hasHead && head != kSyntheticHead) {
    if (!allowHeadVariants)
      return std::nullopt;
    kind = HeadKind::MQA;
  }
  // Every required name except the head appears exactly once; nothing else.
  for (int64_t n : required) {
    if (n == head || n == kSyntheticHead)
      continue;
    if (llvm::count(present, n) != 1)
      return std::nullopt;
  }
  for (int64_t n : present) {
    if (n >= kGroupOuter && n < kGroup)
      continue;
    if (!llvm::is_contained(required, n) || llvm::count(present, n) != 1)
      return std::nullopt;
  }
  if (kind == HeadKind::GQA) {
    // The outer names must be adjacent and in order so that one
    // collapse_shape merges them back into the K/V head dimension.
    SmallVector<int64_t> outer;
    for (int64_t n : present)
      if (n >= kGroupOuter && n < kGroup)
        outer.push_back(n);
    for (auto [i, n] : llvm::enumerate(outer))
      if (n != kGroupOuter + static_cast<int64_t>(i))
        return std::nullopt;
    int64_t first = positionOf(present, outer.front());
    for (size_t i = 0; i < outer.size(); ++i)
      if (present[first + i] != outer[i])
        return std::nullopt;
  }
  return kind;
}

/// The number of K/V heads of a reading (static), or nullopt.
static std::optional<int64_t> kvHeads(const NamedTensor &t, int64_t head,
                                      HeadKind kind) {
  auto type = cast<RankedTensorType>(t.value.getType());
  if (kind == HeadKind::MQA)
    return 1;
  int64_t prod = 1;
  for (auto [i, n] : llvm::enumerate(t.names)) {
    bool counts = kind == HeadKind::GQA ? (n >= kGroupOuter && n < kGroup)
                                        : n == head;
    if (!counts)
      continue;
    if (type.isDynamicDim(i))
      return std::nullopt;
    prod *= type.getDimSize(i);
  }
  return prod;
}

/// The names of `t` without unit dims, with a GQA run of outer names folded
/// back into `head`, and the grouped head or a run [head, groups...] as
/// `head` (groups elsewhere stay, and then the order differs).
static SmallVector<int64_t> foldedNames(const NamedTensor &t, int64_t head,
                                        const SplitMap &splits,
                                        const GroupedHead &grouped) {
  SmallVector<int64_t> out;
  SmallVector<int64_t> names = expandSplits(t.names, splits);
  for (size_t i = 0; i < names.size(); ++i) {
    int64_t n = names[i];
    if (n == kUnit)
      continue;
    if (n >= kGroupOuter && n < kGroup) {
      if (n == kGroupOuter)
        out.push_back(head);
      continue;
    }
    if (n == grouped.name) {
      out.push_back(head);
      continue;
    }
    if (n == head && !grouped.groups.empty()) {
      // [head, groups...] next to each other, in order (unit dims aside).
      size_t j = i + 1, g = 0;
      for (; j < names.size() && g < grouped.groups.size(); ++j) {
        if (names[j] == kUnit)
          continue;
        if (names[j] != grouped.groups[g])
          break;
        ++g;
      }
      if (g == grouped.groups.size()) {
        out.push_back(head);
        i = j - 1;
        continue;
      }
    }
    out.push_back(n);
  }
  return out;
}

/// Whether `t` already has the arrangement `target` (missing names aside).
static bool inOrder(const NamedTensor &t, ArrayRef<int64_t> target,
                    int64_t head, const SplitMap &splits,
                    const GroupedHead &grouped) {
  SmallVector<int64_t> have = foldedNames(t, head, splits, grouped);
  SmallVector<int64_t> want;
  for (int64_t n : target)
    if (llvm::is_contained(have, n))
      want.push_back(n);
  return have == want;
}

//===----------------------------------------------------------------------===//
// matchAttention
//===----------------------------------------------------------------------===//


namespace {
struct Attempt {
  AttentionMismatch why;
  FailureOr<AttentionMatch> match = failure();
  /// How many row dims could be the query (more than one with groups).
  size_t numRowChoices = 1;
  /// Of a match: how many of Q, K, V and O are not in the op's layout
  /// already (each costs a transpose).
  int misfits = 0;
};
} // namespace

/// Contractions that `start` depends on through non-contraction ops of the
/// same block, nearest first.
static SmallVector<Operation *> findFirstContractions(Value start, Block *block,
                                                      Operation *exclude,
                                                      SetVector<Operation *> &visited) {
  SmallVector<Operation *> found;
  SmallVector<Value> worklist{start};
  size_t head = 0;
  while (head < worklist.size() && visited.size() < 512) {
    Value v = worklist[head++];
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != block || def == exclude)
      continue;
    if (!visited.insert(def))
      continue;
    if (getContraction(def)) {
      found.push_back(def);
      continue;
    }
    for (Value operand : def->getOperands())
      if (isa<RankedTensorType>(operand.getType()))
        worklist.push_back(operand);
  }
  return found;
}

/// An elementwise truncation of the second contraction's result to f16/bf16
/// that becomes the raised op's output type.
static std::optional<NamedTensor> absorbTruncation(const NamedTensor &out) {
  if (!out.value.hasOneUse())
    return std::nullopt;
  Operation *user = *out.value.getUsers().begin();
  Value res;
  if (auto t = dyn_cast<arith::TruncFOp>(user))
    res = t.getResult();
  else if (auto c = dyn_cast<tosa::CastOp>(user))
    res = c.getResult();
  else if (auto g = dyn_cast<linalg::LinalgOp>(user)) {
    if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
        g.getNumParallelLoops() != g.getNumLoops() ||
        !g.hasPureTensorSemantics())
      return std::nullopt;
    SmallVector<AffineMap> maps = g.getIndexingMapsArray();
    if (!maps[0].isIdentity() || !maps[1].isIdentity())
      return std::nullopt;
    Block *body = g.getBlock();
    auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
    auto trunc = yield ? yield.getOperand(0).getDefiningOp<arith::TruncFOp>()
                       : nullptr;
    if (!trunc || trunc.getIn() != body->getArgument(0))
      return std::nullopt;
    res = g->getResult(0);
  } else {
    return std::nullopt;
  }
  Type from = getElementTypeOrSelf(out.value.getType());
  Type to = getElementTypeOrSelf(res.getType());
  if (!isa<FloatType>(from) || !(to.isF16() || to.isBF16()) ||
      to.getIntOrFloatBitWidth() >= from.getIntOrFloatBitWidth())
    return std::nullopt;
  return NamedTensor{res, out.names};
}

/// A transpose (linalg.transpose, a copying generic with permuted maps,
/// tosa.transpose) that is the only user of the output.
static std::optional<NamedTensor> absorbTranspose(const NamedTensor &out) {
  if (!out.value.hasOneUse())
    return std::nullopt;
  Operation *user = *out.value.getUsers().begin();
  if (auto t = dyn_cast<tosa::TransposeOp>(user)) {
    Names names;
    for (int32_t p : t.getPerms())
      names.push_back(out.names[p]);
    return NamedTensor{t.getResult(), names};
  }
  auto g = dyn_cast<linalg::LinalgOp>(user);
  if (!g || g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumParallelLoops() != g.getNumLoops() || !g.hasPureTensorSemantics())
    return std::nullopt;
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  if (!maps[0].isPermutation() || !maps[1].isPermutation())
    return std::nullopt;
  Block *body = g.getBlock();
  auto yield = body ? dyn_cast<linalg::YieldOp>(body->getTerminator()) : nullptr;
  if (!yield || yield.getOperand(0) != body->getArgument(0))
    return std::nullopt;
  // Loop names from the input, result names through the output map.
  Names loops(g.getNumLoops(), kUnknown);
  for (auto [p, e] : llvm::enumerate(maps[0].getResults()))
    loops[cast<AffineDimExpr>(e).getPosition()] = out.names[p];
  Names names;
  for (AffineExpr e : maps[1].getResults())
    names.push_back(loops[cast<AffineDimExpr>(e).getPosition()]);
  return NamedTensor{g->getResult(0), names};
}

/// A reshape that only adds or drops unit dims and is the only user of the
/// output.
static std::optional<NamedTensor> absorbUnitReshape(const NamedTensor &out,
                                                    const SplitMap &splits,
                                                    int64_t head,
                                                    const GroupedHead &grouped) {
  // [head, groups...] in order: the grouped head's parts.
  SmallVector<int64_t> groupedParts{head};
  llvm::append_range(groupedParts, grouped.groups);
  if (!out.value.hasOneUse())
    return std::nullopt;
  Operation *user = *out.value.getUsers().begin();
  if (!isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tosa::ReshapeOp>(user))
    return std::nullopt;
  Value res = user->getResult(0);
  auto st = cast<RankedTensorType>(out.value.getType());
  auto rt = dyn_cast<RankedTensorType>(res.getType());
  if (!rt || st.getRank() == rt.getRank())
    return std::nullopt;
  std::optional<SmallVector<ReassociationIndices>> reassoc =
      getReassociationIndicesForReshape(st, rt);
  if (!reassoc)
    return std::nullopt;
  Names names;
  if (st.getRank() > rt.getRank()) {
    for (const ReassociationIndices &group : *reassoc) {
      SmallVector<int64_t> named;
      for (int64_t d : group)
        if (out.names[d] != kUnit)
          named.push_back(out.names[d]);
      if (named.size() <= 1) {
        names.push_back(named.empty() ? kUnit : named.front());
        continue;
      }
      // The K/V head and the groups merged into the query heads.
      if (grouped.name != kUnknown && ArrayRef<int64_t>(named) == ArrayRef<int64_t>(groupedParts)) {
        names.push_back(grouped.name);
        continue;
      }
      // The parts of a split batch dim, merged back in order.
      int64_t parent = isSplitPart(named.front()) ? splitParent(named.front()) : -1;
      auto it = splits.find(parent);
      if (it == splits.end() || it->second.size() != named.size() ||
          llvm::any_of(llvm::enumerate(named), [&](auto p) {
            return p.value() != splitPart(parent, p.index());
          }))
        return std::nullopt;
      names.push_back(parent);
    }
    return NamedTensor{res, names};
  }
  names.assign(rt.getRank(), kUnit);
  for (auto [j, group] : llvm::enumerate(*reassoc)) {
    SmallVector<int64_t> nonUnit = nonUnitDims(rt.getShape(), group);
    if (nonUnit.size() > 1 && out.names[j] == grouped.name &&
        nonUnit.size() == groupedParts.size()) {
      // The query heads split into the K/V head and the groups (the sizes
      // multiply to the merged size, and all but the first match).
      bool sizesMatch = true;
      for (size_t i = 1; i < nonUnit.size(); ++i)
        sizesMatch &= rt.getDimSize(nonUnit[i]) == grouped.sizes[i - 1];
      if (!sizesMatch)
        return std::nullopt;
      for (auto [i, d] : llvm::enumerate(nonUnit))
        names[d] = groupedParts[i];
      continue;
    }
    if (nonUnit.size() > 1) {
      // A batch dim split into the parts the chain already uses.
      auto it = splits.find(out.names[j]);
      if (it == splits.end() || it->second.size() != nonUnit.size() ||
          llvm::any_of(llvm::enumerate(nonUnit), [&](auto p) {
            return rt.getDimSize(p.value()) != it->second[p.index()];
          }))
        return std::nullopt;
      for (auto [i, d] : llvm::enumerate(nonUnit))
        names[d] = splitPart(out.names[j], i);
      continue;
    }
    names[nonUnit.empty() ? group.front() : nonUnit.front()] = out.names[j];
  }
  return NamedTensor{res, names};
}

/// Whether `op` computes nothing the function uses: it has no side effects
/// and only such ops use its results (a log-sum-exp or an argmax computed
/// beside the softmax and never read). Adds the ops of the tree to `tree`.
static bool isDeadTree(Operation *op, DenseMap<Operation *, bool> &memo,
                       SetVector<Operation *> &tree, unsigned depth = 0) {
  if (auto it = memo.find(op); it != memo.end()) {
    if (it->second) {
      // Dead, found through another path: its tree (all its users,
      // transitively, dead too) goes with this one.
      SmallVector<Operation *> work{op};
      while (!work.empty()) {
        Operation *cur = work.pop_back_val();
        if (tree.insert(cur))
          llvm::append_range(work, cur->getUsers());
      }
    }
    return it->second;
  }
  memo[op] = false; // cycles (graph regions) are not dead
  if (depth > 64 || !wouldOpBeTriviallyDead(op) || op->hasTrait<OpTrait::IsTerminator>())
    return false;
  SetVector<Operation *> sub;
  for (Operation *user : op->getUsers())
    if (!isDeadTree(user, memo, sub, depth + 1))
      return false;
  memo[op] = true;
  tree.insert(op);
  tree.insert(sub.begin(), sub.end());
  return true;
}

static Attempt matchWith(const Contraction &c1, const Contraction &c2,
                         unsigned pIdx, unsigned queryChoice) {
  Attempt a;
  a.why.beganToMatch = true;
  auto fail = [&](int progress, const Twine &reason) {
    a.why.progress = progress;
    a.why.reason = reason.str();
    return a;
  };
  std::string c1Name = opName(c1.op), c2Name = opName(c2.op);
  // One side of the scores is the keys (one dim); the other may have several
  // row dims: the query and the groups of a grouped einsum (form 7).
  if (c1.k.size() != 1 || c1.m.empty() || c1.n.empty() ||
      (c1.m.size() != 1 && c1.n.size() != 1))
    return fail(1, "the first contraction ('" + c1Name +
                       "') must have one reduction dimension and one row or "
                       "one column dimension");
  Names scoreNames;
  for (AffineExpr e : c1.maps[2].getResults())
    scoreNames.push_back(cast<AffineDimExpr>(e).getPosition());
  Block *block = c2.op->getBlock();
  ExprBuilder eb(c1.result, scoreNames, block);
  for (unsigned b : c1.batch)
    eb.batchLoops.insert(b);
  for (unsigned r : llvm::concat<const unsigned>(c1.m, c1.n))
    eb.splittableLoops.insert(r);

  Value p = c2.operands[pIdx];
  const Names *pLabels = eb.labelsOf(p);
  if (!pLabels || llvm::is_contained(*pLabels, kUnknown)) {
    if (eb.unlabeledOp)
      return fail(1, "cannot follow the dimensions of the scores through '" +
                         opName(eb.unlabeledOp) + "': " + eb.unlabeledWhy);
    return fail(1, "cannot follow the dimensions of the scores to the "
                   "second contraction");
  }
  Names pNames = *pLabels;
  Expr *pExpr = eb.build(p, pNames);

  std::string why;
  FailureOr<SoftmaxMatch> sm = matchSoftmax(pExpr, why);
  if (failed(sm))
    return fail(2, why);
  int64_t key = sm->keyName;
  int64_t keyPos = positionOf(scoreNames, key);
  bool keyIsN = llvm::is_contained(c1.n, static_cast<unsigned>(key));
  bool keyIsM = llvm::is_contained(c1.m, static_cast<unsigned>(key));
  if (key < 0 || (!keyIsN && !keyIsM))
    return fail(3, "softmax reduces over dim " + Twine(keyPos) +
                       " of the scores, which is not a row or column "
                       "dimension of the first contraction");
  if ((keyIsN ? c1.n : c1.m).size() != 1 || eb.splits.count(key))
    return fail(3, "softmax reduces over one of several key dimensions of "
                   "the scores");
  // The row dims: the query, and the groups of a grouped einsum (form 7:
  // Q[B,T,K,G,H]·K[B,S,K,H] -> [B,T,K,G,S]), which K and V do not index.
  SmallVector<int64_t> rows;
  for (unsigned r : keyIsN ? c1.m : c1.n)
    rows.push_back(r);
  rows = expandSplits(rows, eb.splits);
  a.numRowChoices = rows.size();
  if (queryChoice >= rows.size())
    return fail(3, "no such query dimension");
  int64_t query = rows[queryChoice];
  SmallVector<int64_t> groups;
  for (int64_t r : rows)
    if (r != query)
      groups.push_back(r);
  int64_t queryLoop = isSplitPart(query) ? splitParent(query) : query;
  int64_t queryPos = positionOf(scoreNames, queryLoop);
  // The static size of a dim of the scores by name (a loop or a part).
  auto s1Type = cast<RankedTensorType>(c1.result.getType());
  auto sizeOf = [&](int64_t name) -> int64_t {
    if (isSplitPart(name)) {
      auto it = eb.splits.find(splitParent(name));
      return it == eb.splits.end() ? ShapedType::kDynamic
                                   : it->second[splitIndex(name)];
    }
    int64_t pos = positionOf(scoreNames, name);
    return pos < 0 ? ShapedType::kDynamic : s1Type.getDimSize(pos);
  };

  // The second contraction must contract P's key dim, keep its rows and its
  // batch dims.
  ArrayRef<unsigned> pSide = pIdx == 0 ? c2.m : c2.n;
  ArrayRef<unsigned> vSide = pIdx == 0 ? c2.n : c2.m;
  if (c2.k.size() != 1 || vSide.size() != 1 || pSide.empty())
    return fail(3, "the second contraction ('" + c2Name +
                       "') must have one reduction dimension and one "
                       "dimension of the values besides the batch");
  DenseMap<unsigned, int64_t> c2Names;
  for (auto [pos, e] : llvm::enumerate(c2.maps[pIdx].getResults()))
    c2Names[cast<AffineDimExpr>(e).getPosition()] = pNames[pos];
  auto c2Name_ = [&](unsigned loop) -> int64_t {
    auto it = c2Names.find(loop);
    return it == c2Names.end() ? kUnknown : it->second;
  };
  int64_t contracted = c2Name_(c2.k[0]);
  if (contracted != key) {
    int64_t pos = positionOf(scoreNames, contracted);
    return fail(4, "softmax reduces over dim " + Twine(keyPos) +
                       " of the scores, but the second contraction contracts "
                       "over " +
                       (pos >= 0 ? "dim " + Twine(pos).str() + " of them"
                                 : std::string("another dimension")));
  }
  SmallVector<int64_t> c2Rows;
  for (unsigned r : pSide)
    c2Rows.push_back(c2Name_(r));
  c2Rows = expandSplits(c2Rows, eb.splits);
  if (!llvm::is_contained(c2Rows, query))
    return fail(4, "the second contraction does not keep the query dim " +
                       Twine(queryPos) + " of the scores");
  if (c2Rows.size() != rows.size() ||
      !llvm::all_of(c2Rows, [&](int64_t n) { return llvm::is_contained(rows, n); }))
    return fail(4, "the second contraction ('" + c2Name +
                       "') does not keep the row dimensions of the scores "
                       "apart from the values' (a group dimension that V "
                       "varies along and K does not)");
  unsigned vFree = vSide[0];
  // Batch dims, with those the chain splits replaced by their parts.
  SmallVector<int64_t> c1Batch =
      expandSplits(SmallVector<int64_t>(c1.batch.begin(), c1.batch.end()),
                   eb.splits);
  SmallVector<int64_t> c2Batch;
  for (unsigned b : c2.batch)
    c2Batch.push_back(c2Name_(b));
  c2Batch = expandSplits(c2Batch, eb.splits);
  if (c2Batch.size() != c1Batch.size() ||
      !llvm::all_of(c2Batch, [&](int64_t n) { return llvm::is_contained(c1Batch, n); }))
    return fail(4, "the two contractions have different batch dimensions");
  if (!groups.empty() && c1Batch.empty())
    return fail(4, "a group dimension beside the query needs a batch "
                   "dimension of K and V to merge with into the heads");
  c2Names[vFree] = kValueFeature;

  // Scale, masks, causal.
  FailureOr<ScoresMatch> scores = matchScores(sm->x, c1.result, why);
  if (failed(scores))
    return fail(5, why);
  int64_t sq = sizeOf(query), sk = sizeOf(key);

  AttentionMatch m;
  m.anchor = c2.op;
  m.queryName = query;
  m.keyName = key;
  m.featureName = c1.k[0];
  double scale = scores->scale;
  // Every removal (causal, or a boolean mask) with the value the removed
  // scores take, and the tensors fa2.attention's one mask operand is made of.
  struct Removal {
    double fill;
    // Additive constants that are not absorbing (s + c != c): exact only
    // where no row can lose every key.
    bool exact;
  };
  SmallVector<Removal> removals;
  SmallVector<MaskTerm> terms;
  bool floatInsideFill = false;
  bool shiftedRows = false;
  std::string bandError;
  auto i1Origin = [](Expr *c, bool &keep) -> std::optional<NamedTensor> {
    while (!c->origin.value && c->kind == EK::Unary && c->fn == Fn::Not) {
      c = c->args[0];
      keep = !keep;
    }
    if (c->origin.value &&
        getElementTypeOrSelf(c->origin.value.getType()).isInteger(1))
      return c->origin;
    // A float 1/0 constant (w * b - c·(1 - b)) can only be causal.
    if (c->origin.value && getConstantElements(c->origin.value))
      return c->origin;
    return std::nullopt;
  };
  // A boolean removal: causal when it is the causal pattern (from indices,
  // or a constant tril buffer), else a mask tensor.
  std::function<bool(Expr *, bool, Removal)> addBoolRemoval =
      [&](Expr *cond, bool keep, Removal r) -> bool {
    // keep = a and b (or drop = a or b): two removals with one fill, unless
    // the whole conjunction is an index band.
    Band whole;
    bool isBand = isIndexOnly(cond) && collectBand(cond, keep, query, key, whole);
    if (!isBand && cond->kind == EK::Binary &&
        ((cond->fn == Fn::And && keep) || (cond->fn == Fn::Or && !keep)) &&
        !cond->origin.value)
      return addBoolRemoval(cond->args[0], keep, r) &&
             addBoolRemoval(cond->args[1], keep, r);
    Band band;
    if (isIndexOnly(cond) && !ShapedType::isDynamic(sq) &&
        !ShapedType::isDynamic(sk) &&
        collectBand(cond, keep, query, key, band) &&
        (band.lower || band.upper)) {
      int64_t off = sk - sq;
      // Causal: j - i <= off. A window: off - left <= j - i <= off + right.
      if (band.upper && *band.upper == off && !band.lower) {
        m.causal = true;
      } else {
        int64_t left = band.lower ? off - *band.lower : sk + sq;
        int64_t right = band.upper ? *band.upper - off : sk + sq;
        if (left < 0 || right < 0) {
          bandError = "an index mask keeps a band of keys that does not "
                      "contain the bottom-right diagonal (window bounds " +
                      std::to_string(-left) + ", " + std::to_string(right) +
                      ")";
          return false;
        }
        if (right == 0)
          m.causal = true;
        if (m.window) {
          left = std::min(left, m.window->first);
          right = std::min(right, m.window->second);
        }
        m.window = std::make_pair(left, right);
      }
      removals.push_back(r);
      return true;
    }
    std::optional<NamedTensor> t = i1Origin(cond, keep);
    if (!t)
      return false;
    if (isConstantCausal(*t, keep, query, key, sq, sk)) {
      m.causal = true;
    } else if (!getElementTypeOrSelf(t->value.getType()).isInteger(1)) {
      return false;
    } else {
      terms.push_back({*t, keep ? MaskTerm::Keep : MaskTerm::Drop});
    }
    removals.push_back(r);
    return true;
  };
  for (auto [idx, am] : llvm::enumerate(scores->addMasks)) {
    Expr *mm = stripExt(am);
    // + c · float(drop) (HF's min * mask.to(dtype)), c finite and absorbing:
    // the removed scores become c.
    if (mm->kind == EK::Binary && mm->fn == Fn::Mul) {
      Expr *c = stripFloatCasts(mm->args[0]), *b = mm->args[1];
      if (c->kind != EK::Const)
        std::swap(c, b);
      c = stripFloatCasts(c);
      if (c->kind == EK::Const && std::isfinite(c->cst) && c->cst <= -1e30 &&
          b->kind == EK::Unary && b->fn == Fn::IntCast &&
          addBoolRemoval(b->args[0], /*keep=*/false, {c->cst, true}))
        continue;
    }
    if (mm->kind == EK::Select) {
      // + where(cond, 0, c): removes the scores where cond is false.
      Expr *a1 = stripFloatCasts(mm->args[1]), *a2 = stripFloatCasts(mm->args[2]);
      bool keepTrue = isConst(a1, 0.0) && a2->kind == EK::Const && a2->cst < 0;
      bool keepFalse = isConst(a2, 0.0) && a1->kind == EK::Const && a1->cst < 0;
      if (keepTrue || keepFalse) {
        double c = keepTrue ? a2->cst : a1->cst;
        // s + c == c in f32 for every score short of 2^-24·|c|.
        bool absorbing = std::isinf(c) || c <= -1e30;
        if (addBoolRemoval(mm->args[0], keepTrue, {c, absorbing}))
          continue;
      }
    }
    // + a constant (TF's stable_softmax adds 1e-9): softmax does not see a
    // shift of the whole row; the log-sum-exp would, so none may be read.
    if (mm->kind == EK::Const && std::isfinite(mm->cst)) {
      shiftedRows = true;
      continue;
    }
    NamedTensor origin = am->origin.value ? am->origin : mm->origin;
    if (origin.value &&
        isAttentionElementType(getElementTypeOrSelf(origin.value.getType()))) {
      terms.push_back({origin, MaskTerm::Add});
      floatInsideFill |= scores->addInsideFiniteFill[idx];
      continue;
    }
    if (!bandError.empty())
      return fail(6, bandError);
    return fail(6, "the additive mask is computed inside the scores' op and "
                   "is not a tensor fa2.attention can take");
  }
  for (const ScoresMatch::Removal &r : scores->selects) {
    if (!addBoolRemoval(r.cond, r.keep, {r.fill, true})) {
      if (!bandError.empty())
        return fail(6, bandError);
      return fail(6, "the boolean mask is computed inside the select and is "
                     "not a tensor fa2.attention can take");
    }
  }

  // The value removed scores take: one for all removals.
  std::optional<double> fill;
  bool allInf = llvm::all_of(removals, [](const Removal &r) {
    return std::isinf(r.fill);
  });
  if (!allInf) {
    bool onlyCausal = terms.empty();
    bool noEmptyRows = onlyCausal && !ShapedType::isDynamic(sq) &&
                       !ShapedType::isDynamic(sk) && sq <= sk;
    bool underflows = llvm::all_of(removals, [](const Removal &r) {
      return r.fill <= -1e4;
    });
    if (noEmptyRows && underflows) {
      // Every row keeps a key, and exp(fill - max) is 0 in f32: the removed
      // scores weigh nothing, exactly as with -inf.
    } else {
      if (llvm::any_of(removals, [](const Removal &r) { return !r.exact; }))
        return fail(6, "an additive mask adds a finite value that does not "
                       "absorb the scores on rows that can be fully masked; "
                       "fa2.attention cannot express it exactly");
      if (llvm::any_of(removals, [&](const Removal &r) {
            return r.fill != removals.front().fill;
          }))
        return fail(6, "the masks fill removed scores with different values");
      fill = removals.front().fill;
      // fill + mask == fill in f32 for every mask value short of 2^-24·|fill|
      // (an ALiBi bias under finfo.min): then the order does not matter.
      if (floatInsideFill && *fill > -1e30)
        return fail(6, "an additive mask is applied before a finite "
                       "masked_fill; fa2.attention fills first, then adds");
      bool hasBool = llvm::any_of(terms, [](const MaskTerm &t) {
        return t.kind != MaskTerm::Add;
      });
      bool hasAdd = llvm::any_of(terms, [](const MaskTerm &t) {
        return t.kind == MaskTerm::Add;
      });
      if (hasBool && hasAdd)
        return fail(6, "a boolean mask with a finite fill and an additive "
                       "mask cannot be one mask operand");
    }
  }
  m.fill = fill;
  if (m.causal && m.window)
    m.window->second = 0;
  auto isBatchOrGroup = [&](int64_t n) {
    return llvm::is_contained(c1Batch, n) || llvm::is_contained(groups, n);
  };
  for (const MaskTerm &t : terms) {
    // A mask may only index batch (and group), query and key.
    for (int64_t n : expandSplits(t.tensor.names, eb.splits)) {
      const MergedDims *md = eb.mergedDims(n);
      if (n != kUnit && n != query && n != key && !isBatchOrGroup(n) &&
          !(md && llvm::all_of(md->parts, isBatchOrGroup)))
        return fail(6, "the mask varies along a dimension that is not a "
                       "batch, query or key dimension");
    }
    if (!unitDimsAreStatic(t.tensor) ||
        llvm::all_of(t.tensor.names, [](int64_t n) { return n == kUnit; }))
      return fail(6, "the mask has a broadcast dimension that is not of size 1");
  }
  m.masks = terms;

  // Q, K, V, O.
  unsigned qIdx = llvm::is_contained(c1.maps[0].getResults(),
                                     getAffineDimExpr(queryLoop, c2.op->getContext()))
                      ? 0
                      : 1;
  auto operandNames = [](AffineMap map, auto nameOf) {
    Names out;
    for (AffineExpr e : map.getResults())
      out.push_back(nameOf(cast<AffineDimExpr>(e).getPosition()));
    return out;
  };
  auto c1NameOf = [](unsigned loop) { return static_cast<int64_t>(loop); };
  Names qNames = operandNames(c1.maps[qIdx], c1NameOf);
  Names kNames = operandNames(c1.maps[1 - qIdx], c1NameOf);
  Names vNames = operandNames(c2.maps[1 - pIdx], c2Name_);
  Names oNames = operandNames(c2.maps[2], c2Name_);

  // Each operand can always be taken as the contraction reads it; peeled
  // readings come after it, innermost last.
  auto candidates = [](Value v, const Names &names, Expr *e, bool allowScale) {
    SmallVector<OperandCandidate> out{{NamedTensor{v, names}, 1.0}};
    out.append(operandCandidates(e, allowScale));
    return out;
  };
  Expr *qExpr = eb.build(c1.operands[qIdx], qNames);
  SmallVector<OperandCandidate> qCands =
      candidates(c1.operands[qIdx], qNames, qExpr, true);
  // Batch order: as the innermost usable reading of Q has them; heads last.
  // Merged dims count as their parts here.
  auto expandMerged = [&](ArrayRef<int64_t> names) {
    SmallVector<int64_t> out;
    for (int64_t n : expandSplits(names, eb.splits)) {
      if (const MergedDims *md = eb.mergedDims(n))
        llvm::append_range(out, expandSplits(md->parts, eb.splits));
      else
        out.push_back(n);
    }
    return out;
  };
  SmallVector<int64_t> batchNames;
  for (auto it = qCands.rbegin(); it != qCands.rend() && batchNames.empty(); ++it) {
    SmallVector<int64_t> order;
    for (int64_t n : expandMerged(it->tensor.names))
      if (llvm::is_contained(c1Batch, n) && !llvm::is_contained(order, n))
        order.push_back(n);
    if (order.size() == c1Batch.size())
      batchNames = order;
  }
  if (c1Batch.empty())
    batchNames = {kSyntheticHead};
  if (batchNames.empty())
    return fail(7, "cannot tell the batch dimensions of the query apart");
  int64_t head = batchNames.back();
  if (!groups.empty()) {
    // The groups merge with the K/V head into the query heads, outer first:
    // query head k·G + g reads K/V head k. The K/V head is the batch dim
    // right before the first group in the query as the contraction reads it
    // (then no transpose is needed), else the query's innermost batch dim.
    SmallVector<int64_t> qRead = expandSplits(qNames, eb.splits);
    int64_t g0 = positionOf(qRead, groups.front());
    if (g0 > 0 && llvm::is_contained(c1Batch, qRead[g0 - 1]))
      head = qRead[g0 - 1];
    llvm::erase(batchNames, head);
    batchNames.push_back(head);
    m.headSize = sizeOf(head);
    SmallVector<int64_t> parts{head}, sizes{m.headSize};
    for (int64_t g : groups) {
      parts.push_back(g);
      sizes.push_back(sizeOf(g));
      m.groupSizes.push_back(sizes.back());
    }
    m.groupNames = groups;
    m.groupedHeadName = eb.mergedName(parts, sizes);
    if (m.groupedHeadName == kUnknown)
      return fail(7, "the group dimensions and the K/V head dimension they "
                     "merge with must have static sizes");
    // A mask varies along all of the query heads' parts or none: its head
    // dim is then Hq or 1.
    for (const MaskTerm &t : terms) {
      SmallVector<int64_t> names = expandMerged(t.tensor.names);
      int64_t present = llvm::count_if(
          parts, [&](int64_t n) { return llvm::is_contained(names, n); });
      if (present != 0 && present != static_cast<int64_t>(parts.size()))
        return fail(6, "the mask varies along some but not all of the "
                       "dimensions the query heads are merged from (the K/V "
                       "head and the group dimensions)");
    }
  }
  eb.headName = head;
  Expr *kExpr = eb.build(c1.operands[1 - qIdx], kNames);
  Expr *vExpr = eb.build(c2.operands[1 - pIdx], vNames);
  SmallVector<OperandCandidate> kCands =
      candidates(c1.operands[1 - qIdx], kNames, kExpr, true);
  SmallVector<OperandCandidate> vCands =
      candidates(c2.operands[1 - pIdx], vNames, vExpr, false);

  int64_t feat = c1.k[0];
  GroupedHead grouped{m.groupNames, m.groupedHeadName, m.groupSizes};
  SmallVector<int64_t> qOther{query, feat};
  llvm::append_range(qOther, groups);
  SmallVector<Type> typeOrder;
  for (auto *cands : {&qCands, &kCands, &vCands})
    if (!cands->empty())
      typeOrder.push_back(getElementTypeOrSelf(cands->back().tensor.value.getType()));
  Builder builder(c2.op->getContext());
  typeOrder.append({builder.getF32Type(), builder.getF16Type(), builder.getBF16Type()});
  bool found = false;
  for (Type t : typeOrder) {
    auto pick = [&](SmallVector<OperandCandidate> &cands, ArrayRef<int64_t> other,
                    std::optional<HeadKind> want) -> std::optional<OperandCandidate> {
      for (auto it = cands.rbegin(); it != cands.rend(); ++it) {
        if (getElementTypeOrSelf(it->tensor.value.getType()) != t)
          continue;
        std::optional<HeadKind> kind = classifyNames(
            it->tensor, batchNames, other, want.has_value(), eb.splits, grouped);
        if (kind && (!want || *kind == *want))
          return *it;
      }
      return std::nullopt;
    };
    std::optional<OperandCandidate> qc = pick(qCands, qOther, std::nullopt);
    if (!qc)
      continue;
    for (HeadKind kind : {HeadKind::GQA, HeadKind::MQA, HeadKind::Full}) {
      std::optional<OperandCandidate> kc = pick(kCands, {key, feat}, kind);
      std::optional<OperandCandidate> vc = pick(vCands, {key, kValueFeature}, kind);
      if (!kc || !vc)
        continue;
      if (kind == HeadKind::GQA) {
        std::optional<int64_t> hk = kvHeads(kc->tensor, head, kind);
        std::optional<int64_t> hv = kvHeads(vc->tensor, head, kind);
        if (!hk || !hv || *hk != *hv)
          continue;
      }
      m.query = qc->tensor;
      m.key = kc->tensor;
      m.value = vc->tensor;
      scale *= qc->scale * kc->scale;
      found = true;
      break;
    }
    if (found)
      break;
  }
  if (!found)
    return fail(7, "query, key and value cannot be given one element type "
                   "(f16, bf16 or f32) and [batch..., heads, seq, features] "
                   "dimensions");
  // An empty batch, head or feature dimension would make heads 0 (fa2's
  // verifier rejects Hq % Hkv with Hkv = 0); there is nothing to compute.
  for (const NamedTensor *t : {&m.query, &m.key, &m.value})
    if (llvm::is_contained(cast<RankedTensorType>(t->value.getType()).getShape(), 0))
      return fail(7, "an operand has a dimension of size 0");

  // The output absorbs a truncation to f16/bf16 and transposes that are its
  // only users: the op writes that type and, if it fits, that layout.
  m.output = NamedTensor{c2.result, oNames};
  SmallVector<Operation *> absorbed;
  while (true) {
    if (std::optional<NamedTensor> t = absorbTruncation(m.output)) {
      absorbed.push_back(t->value.getDefiningOp());
      m.output = *t;
      continue;
    }
    if (std::optional<NamedTensor> t = absorbTranspose(m.output)) {
      absorbed.push_back(t->value.getDefiningOp());
      m.output = *t;
      continue;
    }
    if (std::optional<NamedTensor> t =
            absorbUnitReshape(m.output, eb.splits, head, grouped)) {
      absorbed.push_back(t->value.getDefiningOp());
      m.output = *t;
      continue;
    }
    break;
  }
  if (!isAttentionElementType(getElementTypeOrSelf(m.output.value.getType())))
    return fail(7, "the result element type is not f16, bf16 or f32");
  if (!std::isfinite(scale) || !std::isfinite(static_cast<float>(scale)))
    return fail(7, "the scale is not a finite f32");
  m.scale = scale;
  m.batchNames = batchNames;
  m.splits = eb.splits;

  // Layout: bshd when every operand already is, else bhsd.
  if (batchNames.back() != kSyntheticHead) {
    SmallVector<int64_t> b(batchNames.begin(), batchNames.end() - 1);
    auto order = [&](bool bshd, int64_t seq, int64_t f) {
      SmallVector<int64_t> o(b);
      if (bshd)
        o.append({seq, head, f});
      else
        o.append({head, seq, f});
      return o;
    };
    auto countMisfits = [&](bool bshd) {
      int n = 0;
      n += !inOrder(m.query, order(bshd, query, feat), head, m.splits, grouped);
      n += !inOrder(m.key, order(bshd, key, feat), head, m.splits, grouped);
      n += !inOrder(m.value, order(bshd, key, kValueFeature), head, m.splits, grouped);
      n += !inOrder(m.output, order(bshd, query, kValueFeature), head, m.splits, grouped);
      return n;
    };
    int bshdMisfits = countMisfits(true), bhsdMisfits = countMisfits(false);
    m.layout = bshdMisfits < bhsdMisfits ? Layout::BSHD : Layout::BHSD;
    a.misfits = std::min(bshdMisfits, bhsdMisfits);
  }

  // Log-sum-exp: a value of the function equal to max + log(sum) (with the
  // shift as subtracted before exp, or the unguarded row max: they differ
  // only on fully masked rows, where both give -inf), or a safe form that
  // puts fa2's +inf on fully masked rows: select(sum == 0, +inf, lse).
  SmallVector<Expr *, 2> lseTargets;
  {
    Expr *logSum = eb.mkUnary(Fn::Log, sm->rowSum);
    lseTargets.push_back(
        sm->rowShift ? eb.mkBinary(Fn::Add, sm->rowShift, logSum) : logSum);
    if (sm->rowMax && sm->rowMax != stripFloatCasts(sm->rowShift))
      lseTargets.push_back(eb.mkBinary(Fn::Add, sm->rowMax, logSum));
  }
  auto isLse = [&](Expr *e) {
    auto plain = [&](Expr *t) {
      return llvm::any_of(lseTargets,
                          [&](Expr *target) { return equalExpr(t, target); });
    };
    if (plain(e))
      return true;
    Expr *guard = nullptr;
    bool truth = false;
    Expr *inner = peelGuard(
        e, [](double c) { return std::isinf(c) && c > 0; }, guard, truth);
    return inner && plain(inner) && isDeadRowTest(guard, truth, *sm);
  };
  SetVector<Operation *> chain;
  // The chain: ops computed from the scores that P (or the LSE) needs.
  auto collectChain = [&](Value root) {
    SmallVector<Value> worklist{root};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (!def || chain.contains(def) || !eb.labelsOf(v))
        continue;
      chain.insert(def);
      if (def == c1.op)
        continue;
      for (Value operand : def->getOperands())
        worklist.push_back(operand);
    }
  };
  collectChain(p);
  for (Operation &op : *block) {
    if (m.lse || chain.contains(&op) || op.isBeforeInBlock(c1.op))
      continue;
    for (Value r : op.getResults()) {
      const Names *labels = eb.labelsOf(r);
      if (!labels || r.use_empty() || llvm::is_contained(*labels, kUnknown) ||
          llvm::is_contained(*labels, key) || !llvm::is_contained(*labels, query))
        continue;
      if (!getElementTypeOrSelf(r.getType()).isF32())
        continue;
      if (llvm::any_of(*labels, [&](int64_t n) {
            return (isSplitPart(n) && !m.splits.count(splitParent(n))) ||
                   (isMerged(n) && n != m.groupedHeadName);
          }))
        continue;
      Expr *e = eb.build(r, *labels);
      if (isLse(e)) {
        m.lse = NamedTensor{r, *labels};
        break;
      }
    }
  }
  if (m.lse && shiftedRows)
    return fail(8, "the scores are shifted by a constant and the chain's "
                   "log-sum-exp is read; fa2.attention's would differ by it");
  if (m.lse)
    collectChain(m.lse->value);

  // Nothing outside the chain may use its intermediates (attention weights
  // returned to the caller, a max used elsewhere): they would have to be
  // computed anyway. Side computations nothing reads go with the chain.
  DenseMap<Operation *, bool> deadMemo;
  SetVector<Operation *> deadSide;
  for (Operation *op : chain) {
    for (Value r : op->getResults()) {
      if (m.lse && r == m.lse->value)
        continue;
      for (Operation *user : r.getUsers()) {
        if (chain.contains(user) || user == c2.op ||
            isDeadTree(user, deadMemo, deadSide))
          continue;
        return fail(8, "the result of '" + opName(op) + "' in the chain is also used by '" +
                           opName(user) + "' (e.g. returned attention weights)");
      }
    }
  }
  m.chainOps.assign(chain.begin(), chain.end());
  m.chainOps.push_back(c2.op);
  m.chainOps.append(absorbed.begin(), absorbed.end());
  for (Operation *op : deadSide)
    if (!chain.contains(op))
      m.chainOps.push_back(op);
  a.match = m;
  return a;
}

static bool computesExp(Operation *op) {
  if (isa<tosa::ExpOp, math::ExpOp, math::Exp2Op>(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  Block *body = linalgOp ? linalgOp.getBlock() : nullptr;
  return body && llvm::any_of(body->getOperations(), [](Operation &inner) {
           return isa<math::ExpOp, math::Exp2Op>(inner);
         });
}

/// A reduction that is not a contraction (a row max or sum).
static bool isRowReduction(Operation *op) {
  if (isa<tosa::ReduceMaxOp, tosa::ReduceSumOp>(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && !getContraction(op) && linalgOp.getNumReductionLoops() > 0;
}

/// Whether ops between two contractions look like a softmax: linalg.softmax,
/// or an exp together with a reduction (an MLP's SiLU has exp alone).
static bool looksLikeSoftmax(const SetVector<Operation *> &ops) {
  return llvm::any_of(ops, llvm::IsaPred<linalg::SoftmaxOp>) ||
         (llvm::any_of(ops, computesExp) && llvm::any_of(ops, isRowReduction));
}

/// The matched graph (see matchWith for each step):
/*
  The chain, read bottom-up from the second contraction (names in brackets;
  b… batch, h heads, q queries, k keys, d features, e value features):

      Q[b…,h,q,d]   K[b…,h,k,d]          (after transposes, reshapes,
          \            /                   GQA broadcasts, extf, Q/K scale)
           contraction 1 -------------------> S[b…,h,q,k]
                 |
          x = S·scale (+ mask | select(mask, ·, -inf) | causal)
                 |
       m = max_k x    e = exp(x - m)    s = Σ_k e      (or linalg.softmax,
                 |                                     or exp(x - (m+log s)))
           P = e / s  (or e · 1/s)        [lse = m + log s, if used]
                 |        (a safe softmax's guards on m, s, lse and P are
                 |         peeled when they test "row fully masked")
                 |        V[b…,h,k,e]
                 |        /
           contraction 2 -------------------> O[b…,h,q,e]  (then truncf?)
*/
FailureOr<AttentionMatch> fa2::matchAttention(Operation *secondContraction,
                                              AttentionMismatch &why) {
  why = AttentionMismatch();
  std::optional<Contraction> c2 = getContraction(secondContraction);
  if (!c2)
    return failure();
  Block *block = secondContraction->getBlock();
  for (unsigned pIdx = 0; pIdx < 2; ++pIdx) {
    SetVector<Operation *> visited;
    SmallVector<Operation *> firsts =
        findFirstContractions(c2->operands[pIdx], block, secondContraction, visited);
    if (firsts.empty())
      continue;
    // Only a path with something softmax-like on it (an exp, a reduction)
    // makes a near miss worth a remark: projections feeding Q·Kᵀ and MLPs
    // are contraction pairs too.
    bool softmaxLike = looksLikeSoftmax(visited);
    for (Operation *first : firsts) {
      std::optional<Contraction> c1 = getContraction(first);
      // With several row dims (a grouped einsum), each may be the query;
      // of those that match, the one that needs the fewest transposes wins
      // (the first on a tie). The furthest failure is reported otherwise.
      std::optional<Attempt> best;
      Attempt a = matchWith(*c1, *c2, pIdx, 0);
      size_t choices = a.numRowChoices;
      for (unsigned choice = 0; choice < choices && choice < 4; ++choice) {
        if (choice > 0)
          a = matchWith(*c1, *c2, pIdx, choice);
        if (succeeded(a.match)) {
          if (!best || a.misfits < best->misfits)
            best = a;
          continue;
        }
        a.why.beganToMatch = softmaxLike;
        if (!a.why.beganToMatch)
          continue;
        if (!why.beganToMatch || a.why.progress > why.progress)
          why = a.why;
      }
      if (best)
        return best->match;
    }
  }
  return failure();
}

bool fa2::isSoftmaxOverContraction(Operation *op) {
  Value input;
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(op)) {
    input = softmax.getInput();
  } else if (auto r = dyn_cast<tosa::ReduceMaxOp>(op)) {
    input = r.getInput();
  } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    if (linalgOp.getNumReductionLoops() != 1 || linalgOp.getNumDpsInputs() != 1 ||
        linalgOp.getNumDpsInits() != 1 || !linalgOp.getBlock())
      return false;
    auto yield = dyn_cast<linalg::YieldOp>(linalgOp.getBlock()->getTerminator());
    if (!yield || (!yield.getOperand(0).getDefiningOp<arith::MaximumFOp>() &&
                   !yield.getOperand(0).getDefiningOp<arith::MaxNumFOp>()))
      return false;
    input = linalgOp.getDpsInputs()[0];
  } else {
    return false;
  }
  SetVector<Operation *> visited;
  return !findFirstContractions(input, op->getBlock(), nullptr, visited).empty();
}
