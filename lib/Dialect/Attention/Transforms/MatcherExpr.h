//===- MatcherExpr.h - The attention matcher's expression IR ----------------===//
//
// Private to the matcher (lib/Dialect/Attention/Transforms/): what its parts
// share. The matcher reads a chain of tensor ops as *named-dimension*
// expressions: every dimension of every tensor on the chain is named after
// the loop of the first contraction it runs over (a fa2::DimName, declared
// in AttentionMatcher.h), so transposes, broadcasts, unit reshapes and the
// choice between named linalg ops, linalg.generic, TOSA and arith/math on
// tensors disappear, and what is left is an expression tree (add, mul, exp,
// reductions over a name, select, compare, linalg.index) that
// SoftmaxAlgebra.cpp matches algebraically.
//
//   MatcherExpr.{h,cpp}     the expression IR (Expr), contractions, the
//                           ExprBuilder core: memo, dispatch, forward labels
//   ImportLinalg.cpp        linalg ops and bodies, contractions, linalg.softmax
//   ImportTosa.cpp          TOSA ops
//   ImportTensorArith.cpp   tensor reshapes, arith/math on tensors and scalars
//   SoftmaxAlgebra.{h,cpp}  softmax, scores, masks, causal/window bands
//   AttentionMatcher.cpp    the orchestrator: Q/K/V/O readings, matchAttention
//
// The names live in fa2::matcher; a using-directive for mlir is acceptable
// here because only the matcher's own .cpp files include this header.
//
//===----------------------------------------------------------------------===//

#ifndef FA2_LIB_DIALECT_ATTENTION_TRANSFORMS_MATCHEREXPR_H
#define FA2_LIB_DIALECT_ATTENTION_TRANSFORMS_MATCHEREXPR_H

#include "fa2/Dialect/Attention/Transforms/AttentionMatcher.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"

#include <deque>
#include <optional>
#include <string>

namespace fa2::matcher {
using namespace mlir;

//===----------------------------------------------------------------------===//
// Small helpers (MatcherExpr.cpp)
//===----------------------------------------------------------------------===//

std::string opName(Operation *op);
/// 'op.name' of the defining op, or "a block argument".
std::string describe(Value v);
/// The value of a scalar constant or of a splat tensor constant.
std::optional<double> getConstantValue(Value v);
/// The elements of a constant tensor (arith.constant or tosa.const).
DenseElementsAttr getConstantElements(Value v);
/// The dims of a reassociation group whose size is not 1 (static 1s are
/// the unit dims reshapes add or drop; they carry no name).
SmallVector<int64_t> nonUnitDims(ArrayRef<int64_t> shape, ArrayRef<int64_t> group);
/// -inf, or a value at least as negative as the lowest finite value of the
/// narrowest score type (f16: -65504): masking with it gives exp(...) = 0.
inline bool isMaskingValue(double v) { return v <= -65504.0; }
inline int64_t positionOf(ArrayRef<DimName> names, DimName name) {
  auto it = llvm::find(names, name);
  return it == names.end() ? -1 : it - names.begin();
}
/// The value every element of `v` holds: a splat constant, linalg.fill,
/// tensor.splat or a generic that yields a scalar (a generalized fill).
std::optional<double> getFillValue(Value v);

//===----------------------------------------------------------------------===//
// Contractions (ImportLinalg.cpp; tosa.matmul too)
//===----------------------------------------------------------------------===//

/// A contraction C[out] = Σ_k A[lhs] · B[rhs] in loop terms.
struct Contraction {
  Operation *op = nullptr;
  Value operands[2];
  AffineMap maps[3]; // lhs, rhs, out
  unsigned numLoops = 0;
  SmallVector<unsigned, 2> batch, m, n, k;
  Value result;
};

std::optional<Contraction> getContraction(Operation *op);

//===----------------------------------------------------------------------===//
// Named-dimension expressions
//===----------------------------------------------------------------------===//

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
  DimName name;
  /// Leaf: a tensor (or scalar) with the names of its dims.
  Value leaf;
  DimNames names;
  /// A tensor (with dim names) that holds exactly this node's value, if any:
  /// masks and operands are taken from here.
  NamedTensor origin;
};

const char *fnName(Fn fn);
Expr *stripFloatCasts(Expr *e);
Expr *stripExt(Expr *e);
bool isConst(Expr *e, double v);
/// Whether the node's value varies along `name`.
bool dependsOn(Expr *e, DimName name);
bool containsLeaf(Expr *e, Value v);
/// Built from constants and linalg.index only.
bool isIndexOnly(Expr *e);
/// Structural equality; float extensions are value-preserving and ignored.
bool equalExpr(Expr *a, Expr *b);

//===----------------------------------------------------------------------===//
// Dialect helpers the parts share
//===----------------------------------------------------------------------===//

using Names = DimNames;

/// Merges `name` into `slot`: unknown yields to anything, unit to a name;
/// two different names conflict.
bool mergeName(DimName &slot, DimName name);

/// Operands of an elementwise op that carry data (tosa.mul's shift, the zero
/// points of tosa.negate do not). ImportTosa.cpp.
SmallVector<Value> dataOperands(Operation *op);
bool isTosaElementwise(Operation *op);
/// arith and math ops applied to whole tensors (or to scalars outside any
/// body): elementwise over operands of one shape. ImportTensorArith.cpp.
bool isArithMathElementwise(Operation *op);
/// The combiner and axis of a TOSA reduction the matcher reads: max and sum
/// (softmax), all and any (the row guard of a safe softmax).
std::optional<std::pair<Fn, int64_t>> getTosaReduction(Operation *op);

//===----------------------------------------------------------------------===//
// ExprBuilder: from SSA values to named-dimension expressions
//===----------------------------------------------------------------------===//

class ExprBuilder {
public:
  ExprBuilder(Value scores, ArrayRef<DimName> scoreNames, Block *block)
      : scores(scores), scoreNames(scoreNames), block(block),
        scoresOp(scores.getDefiningOp()) {}

  /// The expression of `v`, whose dims carry `names`. Never null: what
  /// cannot be read becomes a leaf.
  Expr *build(Value v, ArrayRef<DimName> names);

  /// The dim names of a value computed from the scores (forward, from the
  /// first contraction), or null when `v` does not derive from them.
  const Names *labelsOf(Value v);

  /// While building K and V: the head name, whose dimension may be collapsed
  /// from [outer..., group] (GQA). None before.
  std::optional<DimName> headName;

  /// The batch loops of the first contraction (by index), and how the chain
  /// splits them.
  DenseSet<unsigned> batchLoops;
  SplitMap splits;

  /// The first op on the scores path whose dims could not be followed, and
  /// why (one of the Label* reasons).
  Operation *unlabeledOp = nullptr;
  AttentionMismatchReason unlabeledWhy = AttentionMismatchReason::None;

  Expr *mkConst(double v) {
    Expr *e = alloc(EK::Const);
    e->cst = v;
    return e;
  }
  Expr *mkUnary(Fn fn, Expr *a);
  Expr *mkBinary(Fn fn, Expr *a, Expr *b);
  Expr *mkSelect(Expr *c, Expr *a, Expr *b);
  Expr *mkCmp(CP pred, Expr *a, Expr *b);
  /// Records that loop name `parent` is split into parts of `sizes`;
  /// false if it is not a loop the chain may split, a size is dynamic or an
  /// earlier split differs.
  bool recordSplit(DimName parent, ArrayRef<int64_t> sizes) {
    if (!parent.isLoop() ||
        !(batchLoops.contains(parent.loopIndex()) ||
          splittableLoops.contains(parent.loopIndex())) ||
        llvm::any_of(sizes, ShapedType::isDynamic))
      return false;
    auto [it, inserted] = splits.try_emplace(parent, sizes.begin(), sizes.end());
    return inserted || ArrayRef<int64_t>(it->second) == sizes;
  }
  /// The parent of `named` when it lists all parts of one split, in order.
  std::optional<DimName> mergedParent(ArrayRef<DimName> named) const {
    if (named.empty() || !named.front().isSplitPart())
      return std::nullopt;
    DimName parent = named.front().splitParent();
    auto it = splits.find(parent);
    if (it == splits.end() || it->second.size() != named.size())
      return std::nullopt;
    for (auto [i, n] : llvm::enumerate(named))
      if (n != DimName::splitPart(parent, i))
        return std::nullopt;
    return parent;
  }
  /// The name of a dim merged from `parts` (outer first) of static `sizes`;
  /// unknown if a size is dynamic. Only a batch dim followed by row dims of
  /// the first contraction merge (the query heads of a grouped einsum,
  /// [K, G] -> K·G); other merges are left to the ops' own readings.
  DimName mergedName(ArrayRef<DimName> parts, ArrayRef<int64_t> sizes) {
    auto runsOver = [](const DenseSet<unsigned> &loops, DimName n) {
      std::optional<unsigned> loop = n.loopOf();
      return loop && loops.contains(*loop);
    };
    if (parts.size() < 2 || llvm::any_of(sizes, ShapedType::isDynamic) ||
        !runsOver(batchLoops, parts.front()) ||
        llvm::any_of(parts.drop_front(), [&](DimName n) {
          return runsOver(batchLoops, n) || !runsOver(splittableLoops, n);
        }))
      return DimName::unknown();
    for (auto [i, m] : llvm::enumerate(merges))
      if (ArrayRef<DimName>(m.parts) == parts && ArrayRef<int64_t>(m.sizes) == sizes)
        return DimName::merged(i);
    merges.push_back(MergedDims{DimNames(parts), SmallVector<int64_t>(sizes)});
    return DimName::merged(merges.size() - 1);
  }
  const MergedDims *mergedDims(DimName name) const {
    if (!name.isMerged() || name.mergedIndex() >= merges.size())
      return nullptr;
    return &merges[name.mergedIndex()];
  }
  /// Merged dims named so far (see mergedName).
  SmallVector<MergedDims> merges;
  /// Loops of the first contraction whose dims the chain may split: its
  /// batch loops and its row and column loops (the rows of a grouped
  /// einsum, [G·T] -> [G, T]).
  DenseSet<unsigned> splittableLoops;

  Expr *mkReduce(Fn fn, Expr *a, DimName name) {
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
  Expr *mkLeaf(Value v, ArrayRef<DimName> names) {
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
    e->names.assign({DimName::opaque()});
    return e;
  }
  Expr *convert(Value v, ArrayRef<DimName> names);
  Expr *convertLinalg(linalg::LinalgOp op, OpResult v, ArrayRef<DimName> names);
  Expr *convertSoftmax(linalg::SoftmaxOp op, ArrayRef<DimName> names);
  Expr *convertReshape(Operation *op, Value src, Value res,
                       ArrayRef<DimName> names);
  Expr *convertTosa(Operation *op, ArrayRef<DimName> names);
  /// Maps an elementwise op (scalar, arith/math on tensors, TOSA) onto
  /// expression nodes, given the expressions of its operands: dispatches to
  /// mapArithMath (ImportTensorArith.cpp) or mapTosa (ImportTosa.cpp).
  Expr *mapElementwise(Operation *op, ArrayRef<Expr *> operands);
  Expr *mapArithMath(Operation *op, ArrayRef<Expr *> operands);
  Expr *mapTosa(Operation *op, ArrayRef<Expr *> operands);
  /// Forward labels (MatcherExpr.cpp), with the per-dialect rules in the
  /// importers.
  std::optional<Names> computeLabels(Value v);
  std::optional<Names> labelsOfLinalg(Operation *def, Value v,
                                      RankedTensorType rt);
  std::optional<Names> labelsOfReshape(Operation *def, Value src,
                                       RankedTensorType rt);
  std::optional<Names> labelsOfTosa(Operation *def);
  void noteUnlabeled(Operation *op, AttentionMismatchReason why) {
    if (!unlabeledOp) {
      unlabeledOp = op;
      unlabeledWhy = why;
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

} // namespace fa2::matcher

#endif // FA2_LIB_DIALECT_ATTENTION_TRANSFORMS_MATCHEREXPR_H
