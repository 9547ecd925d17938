//===- AttentionMatcher.cpp - Recognize attention chains ------------------===//
//
// The analysis half of --fa2-raise-attention, and the orchestrator of the
// matcher's parts (MatcherExpr.h has the map): for a second contraction it
// finds the first contractions it depends on, reads P as a softmax of the
// scores (SoftmaxAlgebra.cpp), turns the scores' masks into what
// fa2.attention takes (causal, window, fill, one mask operand), reads Q, K,
// V and O through the views, scales and casts around them (GQA broadcasts,
// grouped einsums, split batch dims), picks a layout, finds a log-sum-exp
// the function reads, and collects the chain to erase.
//
//===----------------------------------------------------------------------===//

#include "fa2/Dialect/Attention/Transforms/AttentionMatcher.h"

#include "MatcherExpr.h"
#include "SoftmaxAlgebra.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <functional>
#include <limits>

#define DEBUG_TYPE "fa2-raise-attention"

using namespace mlir;
using namespace fa2;
using namespace fa2::matcher;

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
static Names expandSplits(ArrayRef<DimName> names, const SplitMap &splits) {
  Names out;
  for (DimName n : names) {
    auto it = splits.find(n);
    if (it == splits.end()) {
      out.push_back(n);
      continue;
    }
    for (size_t i = 0; i < it->second.size(); ++i)
      out.push_back(DimName::splitPart(n, i));
  }
  return out;
}

/// Unit dims must be static 1: they are dropped by a collapse_shape.
static bool unitDimsAreStatic(const NamedTensor &t) {
  auto type = cast<RankedTensorType>(t.value.getType());
  for (auto [i, n] : llvm::enumerate(t.names))
    if (n.isUnit() && type.getDimSize(i) != 1)
      return false;
  return true;
}

static bool isAttentionElementType(Type t) {
  return t.isF16() || t.isBF16() || t.isF32();
}

/// Classifies the names of a Q/K/V/O reading against the required set.
/// `head` may be missing (MQA) or split into GroupOuter names (GQA) when
/// allowed. Returns nullopt if the reading is unusable.
namespace {
/// The groups of a grouped einsum (form 7) and the name of their merge with
/// the K/V head (AttentionMatch::groupNames, groupedHeadName).
struct GroupedHead {
  ArrayRef<DimName> groups;
  DimName name;
  ArrayRef<int64_t> sizes;
};
} // namespace

/// The names of `t` without unit dims, split batch dims as their parts and
/// the grouped head as [head, groups...]; nullopt for another merged dim.
static std::optional<Names>
presentNames(const NamedTensor &t, DimName head, const SplitMap &splits,
             const GroupedHead &grouped) {
  Names present;
  for (DimName n : expandSplits(t.names, splits)) {
    if (n.isUnit())
      continue;
    if (n.isMerged()) {
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
                                             ArrayRef<DimName> batchNames,
                                             ArrayRef<DimName> otherNames,
                                             bool allowHeadVariants,
                                             const SplitMap &splits,
                                             const GroupedHead &grouped) {
  if (!t.value || !unitDimsAreStatic(t))
    return std::nullopt;
  if (!isAttentionElementType(getElementTypeOrSelf(t.value.getType())))
    return std::nullopt;
  DimName head = batchNames.back();
  std::optional<Names> maybePresent = presentNames(t, head, splits, grouped);
  if (!maybePresent)
    return std::nullopt;
  Names present = std::move(*maybePresent);
  bool hasHead = llvm::is_contained(present, head);
  bool hasOuter = llvm::any_of(present, [](DimName n) { return n.isGroupOuter(); });
  if (llvm::is_contained(present, DimName::group()))
    return std::nullopt;
  Names required(batchNames.begin(), batchNames.end());
  required.append(otherNames.begin(), otherNames.end());
  HeadKind kind = HeadKind::Full;
  if (hasOuter) {
    if (hasHead || !allowHeadVariants)
      return std::nullopt;
    kind = HeadKind::GQA;
  } else if (!hasHead && head != DimName::syntheticHead()) {
    if (!allowHeadVariants)
      return std::nullopt;
    kind = HeadKind::MQA;
  }
  // Every required name except the head appears exactly once; nothing else.
  for (DimName n : required) {
    if (n == head || n == DimName::syntheticHead())
      continue;
    if (llvm::count(present, n) != 1)
      return std::nullopt;
  }
  for (DimName n : present) {
    if (n.isGroupOuter())
      continue;
    if (!llvm::is_contained(required, n) || llvm::count(present, n) != 1)
      return std::nullopt;
  }
  if (kind == HeadKind::GQA) {
    // The outer names must be adjacent and in order so that one
    // collapse_shape merges them back into the K/V head dimension.
    Names outer;
    for (DimName n : present)
      if (n.isGroupOuter())
        outer.push_back(n);
    for (auto [i, n] : llvm::enumerate(outer))
      if (n != DimName::groupOuter(i))
        return std::nullopt;
    int64_t first = positionOf(present, outer.front());
    for (size_t i = 0; i < outer.size(); ++i)
      if (present[first + i] != outer[i])
        return std::nullopt;
  }
  return kind;
}

/// The number of K/V heads of a reading (static), or nullopt.
static std::optional<int64_t> kvHeads(const NamedTensor &t, DimName head,
                                      HeadKind kind) {
  auto type = cast<RankedTensorType>(t.value.getType());
  if (kind == HeadKind::MQA)
    return 1;
  int64_t prod = 1;
  for (auto [i, n] : llvm::enumerate(t.names)) {
    bool counts = kind == HeadKind::GQA ? n.isGroupOuter() : n == head;
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
static Names foldedNames(const NamedTensor &t, DimName head,
                         const SplitMap &splits, const GroupedHead &grouped) {
  Names out;
  Names names = expandSplits(t.names, splits);
  for (size_t i = 0; i < names.size(); ++i) {
    DimName n = names[i];
    if (n.isUnit())
      continue;
    if (n.isGroupOuter()) {
      if (n.groupOuterIndex() == 0)
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
        if (names[j].isUnit())
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
static bool inOrder(const NamedTensor &t, ArrayRef<DimName> target,
                    DimName head, const SplitMap &splits,
                    const GroupedHead &grouped) {
  Names have = foldedNames(t, head, splits, grouped);
  Names want;
  for (DimName n : target)
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
  Names loops(g.getNumLoops(), DimName::unknown());
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
                                                    DimName head,
                                                    const GroupedHead &grouped) {
  // [head, groups...] in order: the grouped head's parts.
  Names groupedParts{head};
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
      Names named;
      for (int64_t d : group)
        if (!out.names[d].isUnit())
          named.push_back(out.names[d]);
      if (named.size() <= 1) {
        names.push_back(named.empty() ? DimName::unit() : named.front());
        continue;
      }
      // The K/V head and the groups merged into the query heads.
      if (!grouped.name.isUnknown() && named == groupedParts) {
        names.push_back(grouped.name);
        continue;
      }
      // The parts of a split batch dim, merged back in order.
      if (!named.front().isSplitPart())
        return std::nullopt;
      DimName parent = named.front().splitParent();
      auto it = splits.find(parent);
      if (it == splits.end() || it->second.size() != named.size() ||
          llvm::any_of(llvm::enumerate(named), [&](auto p) {
            return p.value() != DimName::splitPart(parent, p.index());
          }))
        return std::nullopt;
      names.push_back(parent);
    }
    return NamedTensor{res, names};
  }
  names.assign(rt.getRank(), DimName::unit());
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
        names[d] = DimName::splitPart(out.names[j], i);
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
  using R = AttentionMismatchReason;
  auto fail = [&](R reason) {
    a.why.reason = reason;
    return a;
  };
  // The same, naming what the message names.
  auto failAt = [&](R reason, Operation *op, Operation *other = nullptr) {
    a.why.op = opName(op);
    if (other)
      a.why.otherOp = opName(other);
    return fail(reason);
  };
  auto failDim = [&](R reason, int64_t dim, int64_t otherDim = -1) {
    a.why.dim = dim;
    a.why.otherDim = otherDim;
    return fail(reason);
  };
  // One side of the scores is the keys (one dim); the other may have several
  // row dims: the query and the groups of a grouped einsum (form 7).
  if (c1.k.size() != 1 || c1.m.empty() || c1.n.empty() ||
      (c1.m.size() != 1 && c1.n.size() != 1))
    return failAt(R::FirstContractionShape, c1.op);
  Names scoreNames;
  for (AffineExpr e : c1.maps[2].getResults())
    scoreNames.push_back(DimName::loop(cast<AffineDimExpr>(e).getPosition()));
  Block *block = c2.op->getBlock();
  ExprBuilder eb(c1.result, scoreNames, block);
  for (unsigned b : c1.batch)
    eb.batchLoops.insert(b);
  for (unsigned r : llvm::concat<const unsigned>(c1.m, c1.n))
    eb.splittableLoops.insert(r);

  Value p = c2.operands[pIdx];
  const Names *pLabels = eb.labelsOf(p);
  if (!pLabels || llvm::is_contained(*pLabels, DimName::unknown())) {
    if (eb.unlabeledOp)
      return failAt(eb.unlabeledWhy, eb.unlabeledOp);
    return fail(R::ScoresNotFollowed);
  }
  Names pNames = *pLabels;
  Expr *pExpr = eb.build(p, pNames);

  R softmaxWhy = R::None;
  FailureOr<SoftmaxMatch> sm = matchSoftmax(pExpr, softmaxWhy);
  if (failed(sm))
    return fail(softmaxWhy);
  DimName key = sm->keyName;
  int64_t keyPos = positionOf(scoreNames, key);
  bool keyIsN = key.isLoop() && llvm::is_contained(c1.n, key.loopIndex());
  bool keyIsM = key.isLoop() && llvm::is_contained(c1.m, key.loopIndex());
  if (!keyIsN && !keyIsM)
    return failDim(R::SoftmaxNotOverRowOrColumn, keyPos);
  if ((keyIsN ? c1.n : c1.m).size() != 1 || eb.splits.count(key))
    return fail(R::SeveralKeyDims);
  // The row dims: the query, and the groups of a grouped einsum (form 7:
  // Q[B,T,K,G,H]·K[B,S,K,H] -> [B,T,K,G,S]), which K and V do not index.
  Names rows;
  for (unsigned r : keyIsN ? c1.m : c1.n)
    rows.push_back(DimName::loop(r));
  rows = expandSplits(rows, eb.splits);
  a.numRowChoices = rows.size();
  if (queryChoice >= rows.size())
    return fail(R::NoSuchQueryDim);
  DimName query = rows[queryChoice];
  Names groups;
  for (DimName r : rows)
    if (r != query)
      groups.push_back(r);
  unsigned queryLoop = *query.loopOf();
  int64_t queryPos = positionOf(scoreNames, DimName::loop(queryLoop));
  // The static size of a dim of the scores by name (a loop or a part).
  auto s1Type = cast<RankedTensorType>(c1.result.getType());
  auto sizeOf = [&](DimName name) -> int64_t {
    if (name.isSplitPart()) {
      auto it = eb.splits.find(name.splitParent());
      return it == eb.splits.end() ? ShapedType::kDynamic
                                   : it->second[name.splitIndex()];
    }
    int64_t pos = positionOf(scoreNames, name);
    return pos < 0 ? ShapedType::kDynamic : s1Type.getDimSize(pos);
  };

  // The second contraction must contract P's key dim, keep its rows and its
  // batch dims.
  ArrayRef<unsigned> pSide = pIdx == 0 ? c2.m : c2.n;
  ArrayRef<unsigned> vSide = pIdx == 0 ? c2.n : c2.m;
  if (c2.k.size() != 1 || vSide.size() != 1 || pSide.empty())
    return failAt(R::SecondContractionShape, c2.op);
  DenseMap<unsigned, DimName> c2Names;
  for (auto [pos, e] : llvm::enumerate(c2.maps[pIdx].getResults()))
    c2Names[cast<AffineDimExpr>(e).getPosition()] = pNames[pos];
  auto c2Name_ = [&](unsigned loop) -> DimName {
    auto it = c2Names.find(loop);
    return it == c2Names.end() ? DimName::unknown() : it->second;
  };
  DimName contracted = c2Name_(c2.k[0]);
  if (contracted != key) {
    int64_t pos = positionOf(scoreNames, contracted);
    return failDim(R::ContractsAnotherDim, keyPos, pos);
  }
  Names c2Rows;
  for (unsigned r : pSide)
    c2Rows.push_back(c2Name_(r));
  c2Rows = expandSplits(c2Rows, eb.splits);
  if (!llvm::is_contained(c2Rows, query))
    return failDim(R::QueryDimDropped, queryPos);
  if (c2Rows.size() != rows.size() ||
      !llvm::all_of(c2Rows, [&](DimName n) { return llvm::is_contained(rows, n); }))
    return failAt(R::RowDimsNotKept, c2.op);
  unsigned vFree = vSide[0];
  // Batch dims, with those the chain splits replaced by their parts.
  Names c1Batch;
  for (unsigned b : c1.batch)
    c1Batch.push_back(DimName::loop(b));
  c1Batch = expandSplits(c1Batch, eb.splits);
  Names c2Batch;
  for (unsigned b : c2.batch)
    c2Batch.push_back(c2Name_(b));
  c2Batch = expandSplits(c2Batch, eb.splits);
  if (c2Batch.size() != c1Batch.size() ||
      !llvm::all_of(c2Batch, [&](DimName n) { return llvm::is_contained(c1Batch, n); }))
    return fail(R::BatchDimsDiffer);
  if (!groups.empty() && c1Batch.empty())
    return fail(R::GroupWithoutBatch);
  c2Names[vFree] = DimName::valueFeature();

  // Scale, masks, causal.
  AttentionMismatch scoresWhy;
  FailureOr<ScoresMatch> scores = matchScores(sm->x, c1.result, scoresWhy);
  if (failed(scores)) {
    a.why.value = scoresWhy.value;
    a.why.function = scoresWhy.function;
    return fail(scoresWhy.reason);
  }
  int64_t sq = sizeOf(query), sk = sizeOf(key);

  AttentionMatch m;
  m.anchor = c2.op;
  m.queryName = query;
  m.keyName = key;
  m.featureName = DimName::loop(c1.k[0]);
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
  // A band of keys that misses the diagonal, as [lower, upper] around it.
  std::optional<std::pair<int64_t, int64_t>> offDiagonalBand;
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
          offDiagonalBand = std::make_pair(-left, right);
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
    if (offDiagonalBand) {
      a.why.window = *offDiagonalBand;
      return fail(R::MaskBandOffDiagonal);
    }
    return fail(R::AdditiveMaskInsideOp);
  }
  for (const ScoresMatch::Removal &r : scores->selects) {
    if (!addBoolRemoval(r.cond, r.keep, {r.fill, true})) {
      if (offDiagonalBand) {
        a.why.window = *offDiagonalBand;
        return fail(R::MaskBandOffDiagonal);
      }
      return fail(R::BooleanMaskInsideSelect);
    }
  }
  // XSoftmax (DeBERTa): masked_fill(~m, fill) -> softmax -> masked_fill(~m,
  // 0). Where the zeroing is exactly the one removal and the fill underflows
  // next to any kept score, P is 0 on removed scores either way and a fully
  // removed row gives 0: fa2.attention without a fill, exactly.
  if (sm->zeroCond) {
    auto strip = [](Expr *c, bool &flag) {
      while (c->kind == EK::Unary && c->fn == Fn::Not) {
        c = c->args[0];
        flag = !flag;
      }
      return c;
    };
    bool removedWhere = false, zeroedWhere = sm->zeroTruth;
    // One removal, the select's (float masks remove nothing; a removal
    // they make, or causal beside the select, would not be zeroed).
    bool exact = scores->selects.size() == 1 && removals.size() == 1;
    if (exact) {
      const ScoresMatch::Removal &r = scores->selects.front();
      removedWhere = !r.keep;
      Expr *rc = strip(r.cond, removedWhere);
      Expr *zc = strip(sm->zeroCond, zeroedWhere);
      exact = equalExpr(rc, zc) && removedWhere == zeroedWhere &&
              (std::isinf(r.fill) || r.fill <= -1e30);
    }
    if (!exact)
      return fail(R::SoftmaxZeroedNotDeadRow);
    removals.front().fill = -std::numeric_limits<double>::infinity();
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
        return fail(R::NonAbsorbingFiniteAdd);
      if (llvm::any_of(removals, [&](const Removal &r) {
            return r.fill != removals.front().fill;
          }))
        return fail(R::DifferentFills);
      fill = removals.front().fill;
      // fill + mask == fill in f32 for every mask value short of 2^-24·|fill|
      // (an ALiBi bias under finfo.min): then the order does not matter.
      if (floatInsideFill && *fill > -1e30)
        return fail(R::AddBeforeFiniteFill);
      bool hasBool = llvm::any_of(terms, [](const MaskTerm &t) {
        return t.kind != MaskTerm::Add;
      });
      bool hasAdd = llvm::any_of(terms, [](const MaskTerm &t) {
        return t.kind == MaskTerm::Add;
      });
      if (hasBool && hasAdd)
        return fail(R::BooleanFillWithAdditive);
    }
  }
  m.fill = fill;
  if (m.causal && m.window)
    m.window->second = 0;
  auto isBatchOrGroup = [&](DimName n) {
    return llvm::is_contained(c1Batch, n) || llvm::is_contained(groups, n);
  };
  for (const MaskTerm &t : terms) {
    // A mask may only index batch (and group), query and key.
    for (DimName n : expandSplits(t.tensor.names, eb.splits)) {
      const MergedDims *md = eb.mergedDims(n);
      if (!n.isUnit() && n != query && n != key && !isBatchOrGroup(n) &&
          !(md && llvm::all_of(md->parts, isBatchOrGroup)))
        return fail(R::MaskAlongOtherDim);
    }
    if (!unitDimsAreStatic(t.tensor) ||
        llvm::all_of(t.tensor.names, [](DimName n) { return n.isUnit(); }))
      return fail(R::MaskBroadcastNotUnit);
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
  auto c1NameOf = [](unsigned loop) { return DimName::loop(loop); };
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
  auto expandMerged = [&](ArrayRef<DimName> names) {
    Names out;
    for (DimName n : expandSplits(names, eb.splits)) {
      if (const MergedDims *md = eb.mergedDims(n))
        llvm::append_range(out, expandSplits(md->parts, eb.splits));
      else
        out.push_back(n);
    }
    return out;
  };
  Names batchNames;
  for (auto it = qCands.rbegin(); it != qCands.rend() && batchNames.empty(); ++it) {
    Names order;
    for (DimName n : expandMerged(it->tensor.names))
      if (llvm::is_contained(c1Batch, n) && !llvm::is_contained(order, n))
        order.push_back(n);
    if (order.size() == c1Batch.size())
      batchNames = order;
  }
  if (c1Batch.empty())
    batchNames = {DimName::syntheticHead()};
  if (batchNames.empty())
    return fail(R::BatchOrderUnclear);
  DimName head = batchNames.back();
  if (!groups.empty()) {
    // The groups merge with the K/V head into the query heads, outer first:
    // query head k·G + g reads K/V head k. The K/V head is the batch dim
    // right before the first group in the query as the contraction reads it
    // (then no transpose is needed), else the query's innermost batch dim.
    Names qRead = expandSplits(qNames, eb.splits);
    int64_t g0 = positionOf(qRead, groups.front());
    if (g0 > 0 && llvm::is_contained(c1Batch, qRead[g0 - 1]))
      head = qRead[g0 - 1];
    llvm::erase(batchNames, head);
    batchNames.push_back(head);
    m.headSize = sizeOf(head);
    Names parts{head};
    SmallVector<int64_t> sizes{m.headSize};
    for (DimName g : groups) {
      parts.push_back(g);
      sizes.push_back(sizeOf(g));
      m.groupSizes.push_back(sizes.back());
    }
    m.groupNames = groups;
    m.groupedHeadName = eb.mergedName(parts, sizes);
    if (m.groupedHeadName.isUnknown())
      return fail(R::GroupSizesDynamic);
    // A mask varies along all of the query heads' parts or none: its head
    // dim is then Hq or 1.
    for (const MaskTerm &t : terms) {
      Names names = expandMerged(t.tensor.names);
      int64_t present = llvm::count_if(
          parts, [&](DimName n) { return llvm::is_contained(names, n); });
      if (present != 0 && present != static_cast<int64_t>(parts.size()))
        return fail(R::MaskAlongPartOfHeads);
    }
  }
  eb.headName = head;
  Expr *kExpr = eb.build(c1.operands[1 - qIdx], kNames);
  Expr *vExpr = eb.build(c2.operands[1 - pIdx], vNames);
  SmallVector<OperandCandidate> kCands =
      candidates(c1.operands[1 - qIdx], kNames, kExpr, true);
  SmallVector<OperandCandidate> vCands =
      candidates(c2.operands[1 - pIdx], vNames, vExpr, false);

  DimName feat = DimName::loop(c1.k[0]);
  GroupedHead grouped{m.groupNames, m.groupedHeadName, m.groupSizes};
  Names qOther{query, feat};
  llvm::append_range(qOther, groups);
  SmallVector<Type> typeOrder;
  for (auto *cands : {&qCands, &kCands, &vCands})
    if (!cands->empty())
      typeOrder.push_back(getElementTypeOrSelf(cands->back().tensor.value.getType()));
  Builder builder(c2.op->getContext());
  typeOrder.append({builder.getF32Type(), builder.getF16Type(), builder.getBF16Type()});
  bool found = false;
  for (Type t : typeOrder) {
    auto pick = [&](SmallVector<OperandCandidate> &cands, ArrayRef<DimName> other,
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
      std::optional<OperandCandidate> vc =
          pick(vCands, {key, DimName::valueFeature()}, kind);
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
    return fail(R::NoCommonOperandReading);
  // An empty batch, head or feature dimension would make heads 0 (fa2's
  // verifier rejects Hq % Hkv with Hkv = 0); there is nothing to compute.
  for (const NamedTensor *t : {&m.query, &m.key, &m.value})
    if (llvm::is_contained(cast<RankedTensorType>(t->value.getType()).getShape(), 0))
      return fail(R::EmptyOperandDim);

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
    return fail(R::ResultElementType);
  if (!std::isfinite(scale) || !std::isfinite(static_cast<float>(scale)))
    return fail(R::ScaleNotFiniteF32);
  m.scale = scale;
  m.batchNames = batchNames;
  m.splits = eb.splits;

  // Layout: bshd when every operand already is, else bhsd.
  if (batchNames.back() != DimName::syntheticHead()) {
    Names b(batchNames.begin(), batchNames.end() - 1);
    auto order = [&](bool bshd, DimName seq, DimName f) {
      Names o(b);
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
      n += !inOrder(m.value, order(bshd, key, DimName::valueFeature()), head,
                    m.splits, grouped);
      n += !inOrder(m.output, order(bshd, query, DimName::valueFeature()), head,
                    m.splits, grouped);
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
      if (!labels || r.use_empty() ||
          llvm::is_contained(*labels, DimName::unknown()) ||
          llvm::is_contained(*labels, key) || !llvm::is_contained(*labels, query))
        continue;
      if (!getElementTypeOrSelf(r.getType()).isF32())
        continue;
      if (llvm::any_of(*labels, [&](DimName n) {
            return (n.isSplitPart() && !m.splits.count(n.splitParent())) ||
                   (n.isMerged() && n != m.groupedHeadName);
          }))
        continue;
      Expr *e = eb.build(r, *labels);
      if (isLse(e)) {
        m.lse = NamedTensor{r, *labels};
        break;
      }
    }
  }
  if (m.lse && sm->zeroCond)
    return fail(R::SoftmaxZeroedNotDeadRow);
  if (m.lse && shiftedRows)
    return fail(R::ShiftedLseRead);
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
        return failAt(R::IntermediateUsedOutside, op, user);
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

//===----------------------------------------------------------------------===//
// Mismatch reasons in words
//===----------------------------------------------------------------------===//

AttentionMatchStep AttentionMismatch::step() const {
  using R = AttentionMismatchReason;
  using S = AttentionMatchStep;
  switch (reason) {
  case R::None:
    return S::None;
  case R::FirstContractionShape:
  case R::LabelOperandsDisagree:
  case R::LabelUnknownOp:
  case R::LabelSoftmaxInputElsewhere:
  case R::LabelNoTensorSemantics:
  case R::LabelNotUnitReshape:
  case R::LabelMergesScoreDims:
  case R::LabelSplitsOtherDim:
  case R::ScoresNotFollowed:
  case R::SoftmaxWithoutSecondContraction:
    return S::Contractions;
  case R::NoSoftmax:
  case R::NotASoftmax:
  case R::ShiftNotRowMax:
  case R::RowMaxGuardNotDeadRow:
  case R::SoftmaxZeroedNotDeadRow:
  case R::SumNotOfNumerator:
  case R::NumeratorNotExp:
  case R::RowSumGuardNotDeadRow:
    return S::Softmax;
  case R::SoftmaxNotOverRowOrColumn:
  case R::SeveralKeyDims:
  case R::NoSuchQueryDim:
  case R::SecondContractionShape:
    return S::KeysAndRows;
  case R::ContractsAnotherDim:
  case R::QueryDimDropped:
  case R::RowDimsNotKept:
  case R::BatchDimsDiffer:
  case R::GroupWithoutBatch:
    return S::SecondContraction;
  case R::ScoresThroughValue:
  case R::SoftmaxInputNotFromScores:
  case R::SelectNotConstantFill:
  case R::NonPositiveScaleAfterInfMask:
  case R::ScaledFillOverflows:
  case R::ScoresAddedToThemselves:
  case R::ScaleOnAdditiveMask:
  case R::ScoresAsDivisor:
  case R::ScaleNotConstant:
  case R::ScoresThroughFunction:
    return S::ScoresAlgebra;
  case R::MaskBandOffDiagonal:
  case R::AdditiveMaskInsideOp:
  case R::BooleanMaskInsideSelect:
  case R::NonAbsorbingFiniteAdd:
  case R::DifferentFills:
  case R::AddBeforeFiniteFill:
  case R::BooleanFillWithAdditive:
  case R::MaskAlongOtherDim:
  case R::MaskBroadcastNotUnit:
  case R::MaskAlongPartOfHeads:
    return S::Masks;
  case R::BatchOrderUnclear:
  case R::GroupSizesDynamic:
  case R::NoCommonOperandReading:
  case R::EmptyOperandDim:
  case R::ResultElementType:
  case R::ScaleNotFiniteF32:
    return S::Operands;
  case R::ShiftedLseRead:
  case R::IntermediateUsedOutside:
    return S::Uses;
  }
  llvm_unreachable("unknown AttentionMismatchReason");
}

std::string AttentionMismatch::message() const {
  using R = AttentionMismatchReason;
  std::string dimStr = std::to_string(dim);
  // The forward labels' reasons: the scores' dims stop at `op`.
  auto notFollowedThrough = [&](const char *why) {
    return "cannot follow the dimensions of the scores through '" + op +
           "': " + why;
  };
  switch (reason) {
  case R::None:
    return "";
  case R::FirstContractionShape:
    return "the first contraction ('" + op +
           "') must have one reduction dimension and one row or one column "
           "dimension";
  case R::LabelOperandsDisagree:
    return notFollowedThrough(
        "its operands disagree on which dimension is which");
  case R::LabelUnknownOp:
    return notFollowedThrough("the matcher does not know this op");
  case R::LabelSoftmaxInputElsewhere:
    return notFollowedThrough("its input does not come from the scores");
  case R::LabelNoTensorSemantics:
    return notFollowedThrough("it does not have tensor semantics");
  case R::LabelNotUnitReshape:
    return notFollowedThrough(
        "it is not a reshape that only adds or drops unit dimensions");
  case R::LabelMergesScoreDims:
    return notFollowedThrough("it merges dimensions of the scores");
  case R::LabelSplitsOtherDim:
    return notFollowedThrough(
        "it splits a dimension of the scores that is not a batch, row or "
        "column dimension, or not statically");
  case R::ScoresNotFollowed:
    return "cannot follow the dimensions of the scores to the second "
           "contraction";
  case R::NoSoftmax:
    return "no softmax between the two contractions";
  case R::NotASoftmax:
    return "the operand of the second contraction is not a softmax "
           "(exp(x - max) / sum, or exp(x - logsumexp))";
  case R::ShiftNotRowMax:
    return "the value subtracted before exp is not the row maximum of the "
           "softmax input";
  case R::RowMaxGuardNotDeadRow:
    return "the row maximum subtracted before exp is replaced where a test "
           "that is not 'the row is fully masked' holds";
  case R::SoftmaxZeroedNotDeadRow:
    return "the softmax is replaced by 0 where a test that is not 'the row "
           "is fully masked' holds";
  case R::SumNotOfNumerator:
    return "the softmax divides by a sum over something other than its "
           "numerator";
  case R::NumeratorNotExp:
    return "the softmax numerator is not an exp";
  case R::RowSumGuardNotDeadRow:
    return "the softmax's row sum is replaced where a test that is not 'the "
           "row is fully masked' holds";
  case R::SoftmaxNotOverRowOrColumn:
    return "softmax reduces over dim " + dimStr +
           " of the scores, which is not a row or column dimension of the "
           "first contraction";
  case R::SeveralKeyDims:
    return "softmax reduces over one of several key dimensions of the scores";
  case R::NoSuchQueryDim:
    return "no such query dimension";
  case R::SecondContractionShape:
    return "the second contraction ('" + op +
           "') must have one reduction dimension and one dimension of the "
           "values besides the batch";
  case R::ContractsAnotherDim:
    return "softmax reduces over dim " + dimStr +
           " of the scores, but the second contraction contracts over " +
           (otherDim >= 0 ? "dim " + std::to_string(otherDim) + " of them"
                          : std::string("another dimension"));
  case R::QueryDimDropped:
    return "the second contraction does not keep the query dim " + dimStr +
           " of the scores";
  case R::RowDimsNotKept:
    return "the second contraction ('" + op +
           "') does not keep the row dimensions of the scores apart from the "
           "values' (a group dimension that V varies along and K does not)";
  case R::BatchDimsDiffer:
    return "the two contractions have different batch dimensions";
  case R::GroupWithoutBatch:
    return "a group dimension beside the query needs a batch dimension of K "
           "and V to merge with into the heads";
  case R::ScoresThroughValue:
    return "the scores pass through " + value +
           ", which the matcher does not understand";
  case R::SoftmaxInputNotFromScores:
    return "the softmax input does not come from the first contraction";
  case R::SelectNotConstantFill:
    return "a select on the scores does not replace them by a constant";
  case R::NonPositiveScaleAfterInfMask:
    return "a non-positive scale is applied after a -inf mask";
  case R::ScaledFillOverflows:
    return "the fill value of a masked_fill overflows f32 once scaled";
  case R::ScoresAddedToThemselves:
    return "the scores are added to a value that also depends on them";
  case R::ScaleOnAdditiveMask:
    return "the scale multiplies the additive mask too; fa2.attention adds "
           "the mask after scaling";
  case R::ScoresAsDivisor:
    return "the scores are a divisor";
  case R::ScaleNotConstant:
    return "the scores are scaled by something that is not a finite "
           "non-zero constant";
  case R::ScoresThroughFunction:
    return "the scores go through '" + function + "' before the softmax";
  case R::MaskBandOffDiagonal:
    return "an index mask keeps a band of keys that does not contain the "
           "bottom-right diagonal (window bounds " +
           std::to_string(window.first) + ", " +
           std::to_string(window.second) + ")";
  case R::AdditiveMaskInsideOp:
    return "the additive mask is computed inside the scores' op and is not a "
           "tensor fa2.attention can take";
  case R::BooleanMaskInsideSelect:
    return "the boolean mask is computed inside the select and is not a "
           "tensor fa2.attention can take";
  case R::NonAbsorbingFiniteAdd:
    return "an additive mask adds a finite value that does not absorb the "
           "scores on rows that can be fully masked; fa2.attention cannot "
           "express it exactly";
  case R::DifferentFills:
    return "the masks fill removed scores with different values";
  case R::AddBeforeFiniteFill:
    return "an additive mask is applied before a finite masked_fill; "
           "fa2.attention fills first, then adds";
  case R::BooleanFillWithAdditive:
    return "a boolean mask with a finite fill and an additive mask cannot be "
           "one mask operand";
  case R::MaskAlongOtherDim:
    return "the mask varies along a dimension that is not a batch, query or "
           "key dimension";
  case R::MaskBroadcastNotUnit:
    return "the mask has a broadcast dimension that is not of size 1";
  case R::MaskAlongPartOfHeads:
    return "the mask varies along some but not all of the dimensions the "
           "query heads are merged from (the K/V head and the group "
           "dimensions)";
  case R::BatchOrderUnclear:
    return "cannot tell the batch dimensions of the query apart";
  case R::GroupSizesDynamic:
    return "the group dimensions and the K/V head dimension they merge with "
           "must have static sizes";
  case R::NoCommonOperandReading:
    return "query, key and value cannot be given one element type (f16, bf16 "
           "or f32) and [batch..., heads, seq, features] dimensions";
  case R::EmptyOperandDim:
    return "an operand has a dimension of size 0";
  case R::ResultElementType:
    return "the result element type is not f16, bf16 or f32";
  case R::ScaleNotFiniteF32:
    return "the scale is not a finite f32";
  case R::ShiftedLseRead:
    return "the scores are shifted by a constant and the chain's log-sum-exp "
           "is read; fa2.attention's would differ by it";
  case R::IntermediateUsedOutside:
    return "the result of '" + op + "' in the chain is also used by '" +
           otherOp + "' (e.g. returned attention weights)";
  case R::SoftmaxWithoutSecondContraction:
    return "the softmax over the scores of a contraction is not followed by "
           "a second contraction with the values";
  }
  llvm_unreachable("unknown AttentionMismatchReason");
}

void fa2::DimName::print(llvm::raw_ostream &os) const {
  switch (nameKind) {
  case Kind::Unknown:
    os << "unknown";
    return;
  case Kind::Unit:
    os << "unit";
    return;
  case Kind::Opaque:
    os << "opaque";
    return;
  case Kind::Loop:
    os << 'd' << first;
    return;
  case Kind::SplitPart:
    os << 'd' << first << '.' << second;
    return;
  case Kind::Merged:
    os << "merged#" << first;
    return;
  case Kind::GroupOuter:
    os << "group-outer#" << first;
    return;
  case Kind::Group:
    os << "group";
    return;
  case Kind::ValueFeature:
    os << "value-feature";
    return;
  case Kind::SyntheticHead:
    os << "synthetic-head";
    return;
  }
  llvm_unreachable("unknown DimName kind");
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
        if (!why.beganToMatch || a.why.step() > why.step())
          why = a.why;
      }
      if (best) {
        LLVM_DEBUG({
          const AttentionMatch &m = *best->match;
          llvm::dbgs() << "matched at " << opName(m.anchor) << ": batch [";
          llvm::interleaveComma(m.batchNames, llvm::dbgs());
          llvm::dbgs() << "], query " << m.queryName << ", key " << m.keyName
                       << ", feature " << m.featureName << ", groups [";
          llvm::interleaveComma(m.groupNames, llvm::dbgs());
          llvm::dbgs() << "], Q [";
          llvm::interleaveComma(m.query.names, llvm::dbgs());
          llvm::dbgs() << "], K [";
          llvm::interleaveComma(m.key.names, llvm::dbgs());
          llvm::dbgs() << "], V [";
          llvm::interleaveComma(m.value.names, llvm::dbgs());
          llvm::dbgs() << "], O [";
          llvm::interleaveComma(m.output.names, llvm::dbgs());
          llvm::dbgs() << "]\n";
        });
        return best->match;
      }
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
