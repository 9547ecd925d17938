//===- RaiseAttention.cpp - Replace attention chains with fa2.attention ---===//
//
// --fa2-raise-attention: every second contraction of a function is offered to
// the matcher (AttentionMatcher.cpp); each match is replaced by one
// fa2.attention, with transposes and unit reshapes around it where the chain's
// tensors are not already in the op's layout, and the chain is erased once
// nothing uses it. With explain=true every near miss gets a remark.
//
//===----------------------------------------------------------------------===//

#include "fa2/Dialect/Attention/Transforms/AttentionMatcher.h"
#include "fa2/Dialect/Attention/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/SetVector.h"

#include <limits>
#include <tuple>

namespace fa2 {
#define GEN_PASS_DEF_FA2RAISEATTENTION
#include "fa2/Dialect/Attention/Transforms/Passes.h.inc"
} // namespace fa2

using namespace mlir;
using namespace fa2;

//===----------------------------------------------------------------------===//
// Rearranging named tensors
//===----------------------------------------------------------------------===//

/// Reassociation that merges each dim in `drop` into a neighbouring kept dim.
static SmallVector<ReassociationIndices>
mergeIntoNeighbours(ArrayRef<bool> drop) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (auto [i, d] : llvm::enumerate(drop)) {
    pending.push_back(i);
    if (!d) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty()) {
    if (groups.empty())
      return {};
    groups.back().append(pending.begin(), pending.end());
  }
  return groups;
}

static Value createTranspose(OpBuilder &b, Location loc, Value v,
                             ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  SmallVector<OpFoldResult> permuted;
  for (int64_t p : perm)
    permuted.push_back(sizes[p]);
  Value init =
      tensor::EmptyOp::create(b, loc, permuted, type.getElementType());
  return linalg::TransposeOp::create(b, loc, v, init, perm)->getResult(0);
}

/// Rearranges `src` into the dims `target` (names; unit for a unit dim):
/// splits batch dims the target has in parts, drops src dims that are units
/// or absent from `target`, transposes, merges runs of parts (GQA outer
/// names into `head`, split parts into their parent) and inserts unit dims
/// for target names `src` lacks.
///
/// With groups (a grouped einsum, AttentionMatch::groupNames), `head` in Q,
/// O, the mask and the LSE is the op's query-head dim, [head, groups...]
/// merged: a src or target dim named groupedHeadName is that dim, groups
/// the target lacks merge into it after the head, and a src head that the
/// target wants as [head, groups...] is split.
static Value rearrange(OpBuilder &b, Location loc, NamedTensor src,
                       ArrayRef<DimName> targetNames, const AttentionMatch &m) {
  DimName head = m.batchNames.back();
  const SplitMap &splits = m.splits;
  ArrayRef<DimName> groupNames = m.groupNames;
  Value v = src.value;
  DimNames names = src.names;
  DimNames target(targetNames);
  if (!groupNames.empty())
    for (DimNames *list : {&names, &target})
      for (DimName &n : *list)
        if (n == m.groupedHeadName)
          n = head;
  auto inTarget = [&](DimName n) { return llvm::is_contained(target, n); };
  auto isGroup = [&](DimName n) { return llvm::is_contained(groupNames, n); };
  auto groupIndex = [&](DimName n) {
    return llvm::find(groupNames, n) - groupNames.begin();
  };

  // Already there, unit dims standing in for the names it lacks.
  if (names.size() == target.size() &&
      llvm::all_of(llvm::zip(names, target), [&](auto p) {
        auto [n, t] = p;
        return n == t ||
               (n.isUnit() && (t.isUnit() || !llvm::is_contained(names, t)));
      }))
    return v;

  // 0. Split the query heads into the K/V head and the groups where the
  // target has the groups as dims of their own.
  if (!groupNames.empty() && llvm::is_contained(names, head) &&
      llvm::all_of(groupNames, inTarget) &&
      llvm::none_of(groupNames, [&](DimName g) { return llvm::is_contained(names, g); })) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<ReassociationIndices> reassoc;
    DimNames newNames;
    SmallVector<int64_t> shape;
    SmallVector<OpFoldResult> sizes;
    SmallVector<OpFoldResult> srcSizes = tensor::getMixedSizes(b, loc, v);
    for (auto [i, n] : llvm::enumerate(names)) {
      ReassociationIndices group{static_cast<int64_t>(newNames.size())};
      newNames.push_back(n);
      if (n != head) {
        shape.push_back(type.getDimSize(i));
        sizes.push_back(srcSizes[i]);
      } else {
        shape.push_back(m.headSize);
        sizes.push_back(b.getIndexAttr(m.headSize));
        for (auto [g, size] : llvm::zip(groupNames, m.groupSizes)) {
          group.push_back(newNames.size());
          newNames.push_back(g);
          shape.push_back(size);
          sizes.push_back(b.getIndexAttr(size));
        }
      }
      reassoc.push_back(group);
    }
    auto outType = RankedTensorType::get(shape, type.getElementType());
    v = tensor::ExpandShapeOp::create(b, loc, outType, v, reassoc, sizes);
    names = newNames;
  }

  // 0. Split batch dims whose parts the target wants.
  if (llvm::any_of(names, [&](DimName n) {
        return splits.count(n) && !inTarget(n);
      })) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<ReassociationIndices> groups;
    DimNames newNames;
    SmallVector<int64_t> shape;
    SmallVector<OpFoldResult> sizes;
    SmallVector<OpFoldResult> srcSizes = tensor::getMixedSizes(b, loc, v);
    for (auto [i, n] : llvm::enumerate(names)) {
      ReassociationIndices group;
      auto it = splits.find(n);
      if (it != splits.end() && !inTarget(n)) {
        for (auto [j, size] : llvm::enumerate(it->second)) {
          group.push_back(newNames.size());
          newNames.push_back(DimName::splitPart(n, j));
          shape.push_back(size);
          sizes.push_back(b.getIndexAttr(size));
        }
      } else {
        group.push_back(newNames.size());
        newNames.push_back(n);
        shape.push_back(type.getDimSize(i));
        sizes.push_back(srcSizes[i]);
      }
      groups.push_back(group);
    }
    auto outType = RankedTensorType::get(shape, type.getElementType());
    v = tensor::ExpandShapeOp::create(b, loc, outType, v, groups, sizes);
    names = newNames;
  }

  // The target name a src dim ends up in.
  auto destOf = [&](DimName n) -> DimName {
    if (n.isGroupOuter() || (isGroup(n) && !inTarget(n)))
      return head;
    if (n.isSplitPart() && !inTarget(n) && inTarget(n.splitParent()))
      return n.splitParent();
    return n;
  };

  // 1. Drop unit dims and dims the target does not have (size 1).
  SmallVector<bool> drop;
  for (DimName n : names)
    drop.push_back(n.isUnit() || !inTarget(destOf(n)));
  if (llvm::any_of(drop, [](bool d) { return d; })) {
    SmallVector<ReassociationIndices> groups = mergeIntoNeighbours(drop);
    v = tensor::CollapseShapeOp::create(b, loc, v, groups);
    DimNames kept;
    for (auto [n, d] : llvm::zip(names, drop))
      if (!d)
        kept.push_back(n);
    names = kept;
  }

  // 2. Transpose into target order; parts sit at their destination's place.
  auto rank = [&](DimName n) -> double {
    double pos = llvm::find(target, destOf(n)) - target.begin();
    if (n.isGroupOuter())
      pos += n.groupOuterIndex() * 1e-3;
    else if (isGroup(n) && destOf(n) == head)
      pos += (groupIndex(n) + 1) * 1e-3;
    else if (destOf(n) != n)
      pos += n.splitIndex() * 1e-3;
    return pos;
  };
  SmallVector<int64_t> perm(names.size());
  for (size_t i = 0; i < perm.size(); ++i)
    perm[i] = i;
  llvm::stable_sort(perm, [&](int64_t a, int64_t c) {
    return rank(names[a]) < rank(names[c]);
  });
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto p) {
    return static_cast<int64_t>(p.index()) == p.value();
  });
  if (!identity) {
    v = createTranspose(b, loc, v, perm);
    DimNames permuted;
    for (int64_t p : perm)
      permuted.push_back(names[p]);
    names = permuted;
  }

  // 3. Merge runs of parts into one dim.
  SmallVector<ReassociationIndices> groups;
  DimNames merged;
  for (auto [i, n] : llvm::enumerate(names)) {
    DimName dest = destOf(n);
    if (dest != n && !merged.empty() && merged.back() == dest) {
      groups.back().push_back(i);
      continue;
    }
    groups.push_back({static_cast<int64_t>(i)});
    merged.push_back(dest);
  }
  if (merged.size() != names.size())
    v = tensor::CollapseShapeOp::create(b, loc, v, groups);
  names = merged;

  // 4. Insert unit dims for target names that are missing.
  if (names.size() != target.size()) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<bool> isNew;
    for (DimName n : target)
      isNew.push_back(!llvm::is_contained(names, n) || n.isUnit());
    SmallVector<ReassociationIndices> groups = mergeIntoNeighbours(isNew);
    SmallVector<OpFoldResult> srcSizes = tensor::getMixedSizes(b, loc, v);
    SmallVector<OpFoldResult> outSizes;
    SmallVector<int64_t> outShape;
    size_t j = 0;
    for (bool n : isNew) {
      if (n) {
        outSizes.push_back(b.getIndexAttr(1));
        outShape.push_back(1);
      } else {
        outSizes.push_back(srcSizes[j]);
        outShape.push_back(type.getDimSize(j));
        ++j;
      }
    }
    auto outType = RankedTensorType::get(outShape, type.getElementType());
    v = tensor::ExpandShapeOp::create(b, loc, outType, v, groups, outSizes);
  }
  return v;
}

/// Casts `v` to `type` when they differ only in static information.
static Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

/// not(mask), elementwise, for masks that are true where scores are dropped.
static Value negateMask(OpBuilder &b, Location loc, Value mask) {
  auto type = cast<RankedTensorType>(mask.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, mask);
  Value init = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iters(type.getRank(),
                                         utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{mask}, ValueRange{init},
      ArrayRef<AffineMap>{id, id}, iters,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value t = arith::ConstantOp::create(nb, nloc, nb.getBoolAttr(true));
        Value r = arith::XOrIOp::create(nb, nloc, args[0], t);
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

/// One mask tensor from several, each already rearranged to the scores'
/// trailing dims (unit where it broadcasts): boolean keeps are and-ed,
/// additive masks summed in f32, and a keep over additive masks becomes
/// select(keep, sum, -inf). The chain's masks apply in that order, so this
/// is exact whenever the match accepted them (removals fill with -inf).
static Value combineMasks(OpBuilder &b, Location loc, ArrayRef<MaskTerm> terms,
                          ArrayRef<Value> parts) {
  auto firstType = cast<RankedTensorType>(parts[0].getType());
  int64_t rank = firstType.getRank();
  bool additive = llvm::any_of(
      terms, [](const MaskTerm &t) { return t.kind == MaskTerm::Add; });
  // The broadcast shape: each dim from the first part that is not unit.
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    OpFoldResult size = b.getIndexAttr(1);
    int64_t dimSize = 1;
    for (Value p : parts) {
      auto t = cast<RankedTensorType>(p.getType());
      if (t.getDimSize(d) == 1)
        continue;
      size = tensor::getMixedSize(b, loc, p, d);
      dimSize = t.getDimSize(d);
      break;
    }
    sizes.push_back(size);
    shape.push_back(dimSize);
  }
  Type f32 = b.getF32Type();
  Type elem = additive ? f32 : b.getI1Type();
  Value init = tensor::EmptyOp::create(b, loc, sizes, elem);
  SmallVector<AffineMap> maps;
  for (Value p : parts) {
    auto t = cast<RankedTensorType>(p.getType());
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(t.getDimSize(d) == 1 && shape[d] != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(d));
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  SmallVector<MaskTerm> kinds(terms.begin(), terms.end());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, parts, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value keepAll, sum;
        for (auto [t, a] : llvm::zip(kinds, args.drop_back())) {
          if (t.kind == MaskTerm::Add) {
            Value x = a;
            if (x.getType() != f32)
              x = arith::ExtFOp::create(nb, nloc, f32, x);
            sum = sum ? arith::AddFOp::create(nb, nloc, sum, x).getResult() : x;
            continue;
          }
          Value k = a;
          if (t.kind == MaskTerm::Drop) {
            Value one = arith::ConstantOp::create(nb, nloc, nb.getBoolAttr(true));
            k = arith::XOrIOp::create(nb, nloc, k, one);
          }
          keepAll = keepAll ? arith::AndIOp::create(nb, nloc, keepAll, k).getResult() : k;
        }
        Value r;
        if (!sum) {
          r = keepAll;
        } else if (!keepAll) {
          r = sum;
        } else {
          Value ninf = arith::ConstantOp::create(
              nb, nloc, nb.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
          r = arith::SelectOp::create(nb, nloc, keepAll, sum, ninf);
        }
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

static void raise(RewriterBase &rewriter, const AttentionMatch &m) {
  Operation *anchor = m.anchor;
  Location loc = anchor->getLoc();
  // Everything the op reads is used by the chain before the second
  // contraction, and the output's users come after it.
  rewriter.setInsertionPoint(anchor);
  std::optional<NamedTensor> lseUse = m.lse;
  if (lseUse && llvm::any_of(lseUse->value.getUsers(), [&](Operation *user) {
        return user->getBlock() == anchor->getBlock() &&
               user->isBeforeInBlock(anchor);
      }))
    lseUse.reset(); // Its users come first; the chain keeps computing it.

  DimNames batch = m.batchNames;
  DimName head = batch.back();
  DimNames outer(batch.begin(), batch.end() - 1);
  bool bshd = m.layout == Layout::BSHD;
  auto order = [&](DimName seq, DimName feat) {
    DimNames o(outer);
    if (bshd)
      o.append({seq, head, feat});
    else
      o.append({head, seq, feat});
    return o;
  };
  DimNames qOrder = order(m.queryName, m.featureName);
  DimNames kOrder = order(m.keyName, m.featureName);
  DimNames vOrder = order(m.keyName, DimName::valueFeature());
  DimNames oOrder = order(m.queryName, DimName::valueFeature());

  Value q = rearrange(rewriter, loc, m.query, qOrder, m);
  Value k = rearrange(rewriter, loc, m.key, kOrder, m);
  Value v = rearrange(rewriter, loc, m.value, vOrder, m);

  Value mask;
  if (!m.masks.empty()) {
    // Scores are [batch..., Hq, Sq, Sk]; leading dims no mask has are left
    // to numpy broadcasting.
    DimNames sOrder(batch);
    sOrder.append({m.queryName, m.keyName});
    size_t first = sOrder.size(), keep = 0;
    for (const MaskTerm &t : m.masks) {
      DimNames maskNames = t.tensor.names;
      for (DimName n : t.tensor.names) {
        if (auto it = m.splits.find(n); it != m.splits.end())
          for (size_t i = 0; i < it->second.size(); ++i)
            maskNames.push_back(DimName::splitPart(n, i));
        if (!m.groupNames.empty() && n == m.groupedHeadName)
          maskNames.push_back(head);
      }
      size_t f = 0;
      while (f < sOrder.size() && !llvm::is_contained(maskNames, sOrder[f]))
        ++f;
      first = std::min(first, f);
      keep = std::max(keep, t.tensor.names.size());
    }
    // Keep a lone mask's own rank where it already lines up (leading units).
    keep = std::max(sOrder.size() - first, m.masks.size() == 1 ? keep : 0);
    first = sOrder.size() - std::min(keep, sOrder.size());
    DimNames target(sOrder.begin() + first, sOrder.end());
    SmallVector<Value> parts;
    for (const MaskTerm &t : m.masks)
      parts.push_back(rearrange(rewriter, loc, t.tensor, target, m));
    if (m.masks.size() == 1)
      mask = m.masks[0].kind == MaskTerm::Drop
                 ? negateMask(rewriter, loc, parts[0])
                 : parts[0];
    else
      mask = combineMasks(rewriter, loc, m.masks, parts);
  }

  auto qType = cast<RankedTensorType>(q.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  int64_t rank = qType.getRank();
  SmallVector<int64_t> outShape(qType.getShape());
  outShape[rank - 1] = vType.getDimSize(rank - 1);
  Type outElem = getElementTypeOrSelf(m.output.value.getType());
  auto outType = RankedTensorType::get(outShape, outElem);
  Type lseType;
  if (lseUse) {
    SmallVector<int64_t> lseShape(qType.getShape().take_front(rank - 3));
    int64_t h = qType.getDimSize(bshd ? rank - 2 : rank - 3);
    int64_t s = qType.getDimSize(bshd ? rank - 3 : rank - 2);
    lseShape.append({h, s});
    lseType = RankedTensorType::get(lseShape, rewriter.getF32Type());
  }
  auto op = AttentionOp::create(
      rewriter, loc, outType, lseType, q, k, v, mask,
      llvm::APFloat(static_cast<float>(m.scale)), m.causal, m.layout);
  if (m.window)
    op->setAttr("window", rewriter.getDenseI64ArrayAttr(
                              {m.window->first, m.window->second}));
  if (m.fill)
    op->setAttr("fill", rewriter.getF64FloatAttr(*m.fill));

  Value out = rearrange(rewriter, loc, NamedTensor{op.getOutput(), oOrder},
                        m.output.names, m);
  out = castTo(rewriter, loc, out, m.output.value.getType());
  rewriter.replaceAllUsesWith(m.output.value, out);
  if (lseUse) {
    DimNames lOrder(batch);
    lOrder.push_back(m.queryName);
    Value lse = rearrange(rewriter, loc, NamedTensor{op.getLse(), lOrder},
                          lseUse->names, m);
    lse = castTo(rewriter, loc, lse, lseUse->value.getType());
    rewriter.replaceAllUsesWith(lseUse->value, lse);
  }

  // Erase the chain, then whatever only it used (inits, constants, the
  // transposes and broadcasts Q, K and V were read through).
  SetVector<Operation *> worklist(m.chainOps.begin(), m.chainOps.end());
  DenseSet<Operation *> erased;
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < worklist.size(); ++i) {
      Operation *dead = worklist[i];
      if (erased.contains(dead) || !isOpTriviallyDead(dead))
        continue;
      // Operands, and values defined outside that its body captures.
      dead->walk([&](Operation *nested) {
        for (Value operand : nested->getOperands())
          if (Operation *def = operand.getDefiningOp())
            if (!dead->isAncestor(def))
              worklist.insert(def);
      });
      erased.insert(dead);
      rewriter.eraseOp(dead);
      changed = true;
    }
  }
}

namespace {
/// Anchored on every op; acts on contractions the matcher accepts as P·V.
struct RaiseAttentionPattern : public RewritePattern {
  RaiseAttentionPattern(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isContractionLike(op))
      return failure();
    AttentionMismatch why;
    FailureOr<AttentionMatch> m = matchAttention(op, why);
    if (failed(m)) {
      if (!why.beganToMatch)
        return failure();
      return rewriter.notifyMatchFailure(
          op, "not raised to fa2.attention: " + why.message());
    }
    raise(rewriter, *m);
    return success();
  }
};

/// Turns match failures into remarks (explain=true) and remembers erased ops.
struct RaiseListener : public RewriterBase::Listener {
  bool explain = false;
  DenseSet<Operation *> erased;
  /// The candidate being matched, and the near misses seen so far: they are
  /// reported once every candidate has been tried, and only for ops that a
  /// later raise did not take into its chain.
  Operation *current = nullptr;
  SmallVector<std::tuple<Operation *, Location, std::string>> nearMisses;

  void notifyMatchFailure(Location loc,
                          function_ref<void(Diagnostic &)> reason) override {
    if (!explain)
      return;
    Diagnostic diag(loc, DiagnosticSeverity::Remark);
    reason(diag);
    nearMisses.emplace_back(current, loc, diag.str());
  }
  void notifyOperationErased(Operation *op) override { erased.insert(op); }
};

/// Whether a contraction uses `op`'s result, directly or through other ops.
static bool feedsContraction(Operation *op) {
  SmallVector<Operation *> worklist{op};
  DenseSet<Operation *> seen;
  while (!worklist.empty() && seen.size() < 256) {
    Operation *cur = worklist.pop_back_val();
    if (!seen.insert(cur).second)
      continue;
    for (Operation *user : cur->getUsers()) {
      if (isContractionLike(user))
        return true;
      worklist.push_back(user);
    }
  }
  return false;
}

struct FA2RaiseAttentionPass
    : fa2::impl::FA2RaiseAttentionBase<FA2RaiseAttentionPass> {
  using FA2RaiseAttentionBase::FA2RaiseAttentionBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RaiseAttentionPattern pattern(ctx);
    RaiseListener listener;
    listener.explain = explain;
    PatternRewriter rewriter(ctx);
    rewriter.setListener(&listener);

    // Candidates in program order; a rewrite may erase later candidates
    // (a chain's own contractions), which are then skipped.
    SmallVector<Operation *> candidates;
    getOperation()->walk([&](Operation *op) {
      if (isContractionLike(op))
        candidates.push_back(op);
    });
    for (Operation *op : candidates) {
      if (listener.erased.contains(op))
        continue;
      rewriter.setInsertionPoint(op);
      listener.current = op;
      (void)pattern.matchAndRewrite(op, rewriter);
    }
    for (auto &[op, loc, message] : listener.nearMisses)
      if (!listener.erased.contains(op))
        emitRemark(loc) << message;

    if (!explain)
      return;
    // A softmax over a contraction's scores that no contraction consumes was
    // not reported at a second contraction: report it here.
    getOperation()->walk([&](Operation *op) {
      if (isSoftmaxOverContraction(op) && !feedsContraction(op))
        op->emitRemark("not raised to fa2.attention: ")
            << AttentionMismatch{
                   /*beganToMatch=*/true,
                   AttentionMismatchReason::SoftmaxWithoutSecondContraction}
                   .message();
    });
  }
};
} // namespace
