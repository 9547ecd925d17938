//===- ImportTensorArith.cpp - tensor, arith and math in the matcher --------===//
//
// What the matcher reads from the tensor dialect (expand_shape,
// collapse_shape and tosa.reshape: unit dims, batch dims split into parts,
// the K/V heads of a GQA broadcast, dims merged into the query heads of a
// grouped einsum) and from arith/math, on tensors or as the scalar ops of a
// body.
//
//===----------------------------------------------------------------------===//

#include "MatcherExpr.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace fa2::matcher {

/// arith and math ops applied to whole tensors (or to scalars outside any
/// body): elementwise over operands of one shape.
bool isArithMathElementwise(Operation *op) {
  Dialect *d = op->getDialect();
  if (!d || !(d->getNamespace() == "arith" || d->getNamespace() == "math"))
    return false;
  return op->getNumResults() == 1 && !isa<arith::ConstantOp>(op);
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

Expr *ExprBuilder::mapArithMath(Operation *op, ArrayRef<Expr *> x) {
  auto un = [&](Fn fn) -> Expr * {
    return x.size() >= 1 ? mkUnary(fn, x[0]) : nullptr;
  };
  auto bin = [&](Fn fn) -> Expr * {
    return x.size() >= 2 ? mkBinary(fn, x[0], x[1]) : nullptr;
  };
  return llvm::TypeSwitch<Operation *, Expr *>(op)
      .Case<arith::AddFOp, arith::AddIOp>([&](auto) { return bin(Fn::Add); })
      .Case<arith::SubFOp, arith::SubIOp>([&](auto) { return bin(Fn::Sub); })
      .Case<arith::MulFOp, arith::MulIOp>([&](auto) { return bin(Fn::Mul); })
      .Case<arith::DivFOp>([&](auto) { return bin(Fn::Div); })
      .Case<arith::MaximumFOp, arith::MaxNumFOp>([&](auto) { return bin(Fn::Max); })
      .Case<arith::MinimumFOp, arith::MinNumFOp>([&](auto) { return bin(Fn::Min); })
      .Case<arith::NegFOp>([&](auto) { return un(Fn::Neg); })
      .Case<math::ExpOp>([&](auto) { return un(Fn::Exp); })
      .Case<math::Exp2Op>([&](auto) -> Expr * {
        // exp2(y) = exp(y · ln 2).
        return x.size() == 1
                   ? mkUnary(Fn::Exp, mkBinary(Fn::Mul, x[0], mkConst(M_LN2)))
                   : nullptr;
      })
      .Case<math::LogOp>([&](auto) { return un(Fn::Log); })
      .Case<math::SqrtOp>([&](auto) { return un(Fn::Sqrt); })
      .Case<math::AbsIOp, math::AbsFOp>([&](auto) { return un(Fn::Abs); })
      .Case<math::RsqrtOp>([&](auto) { return un(Fn::Rsqrt); })
      .Case<arith::ExtFOp>([&](auto) { return un(Fn::ExtF); })
      .Case<arith::TruncFOp>([&](auto) { return un(Fn::TruncF); })
      .Case<arith::IndexCastOp, arith::IndexCastUIOp, arith::SIToFPOp,
            arith::UIToFPOp, arith::ExtSIOp, arith::ExtUIOp, arith::TruncIOp>(
          [&](auto) { return un(Fn::IntCast); })
      .Case<arith::AndIOp>([&](auto) { return bin(Fn::And); })
      .Case<arith::OrIOp>([&](auto) { return bin(Fn::Or); })
      .Case<arith::XOrIOp>([&](auto) { return bin(Fn::Xor); })
      .Case<arith::SelectOp>([&](auto) -> Expr * {
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
      .Default([&](Operation *) -> Expr * { return nullptr; });
}

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

/// Splits a reassociation group of the source of a collapse into names,
/// given the name of the collapsed dim. Returns false when named dims merge.
static bool splitGroupNames(ArrayRef<int64_t> shape, ReassociationIndicesRef group,
                            DimName name, std::optional<DimName> headName,
                            Names &srcNames) {
  if (group.size() == 1) {
    srcNames[group[0]] = name;
    return true;
  }
  SmallVector<int64_t> nonUnit = nonUnitDims(shape, group);
  if (nonUnit.size() <= 1 || name.isUnit()) {
    if (name.isUnit() && !nonUnit.empty())
      return false;
    int64_t named = nonUnit.empty() ? group.front() : nonUnit.front();
    for (int64_t d : group)
      srcNames[d] = d == named ? name : DimName::unit();
    return true;
  }
  // [outer..., group] -> heads: the shape a GQA broadcast is collapsed from.
  if (name != headName)
    return false;
  for (auto [i, d] : llvm::enumerate(group))
    srcNames[d] = i + 1 == group.size() ? DimName::group()
                                        : DimName::groupOuter(i);
  return true;
}

Expr *ExprBuilder::convertReshape(Operation *op, Value src, Value res,
                                  ArrayRef<DimName> names) {
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
  Names srcNames(st.getRank(), DimName::unit());
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
            srcNames[d] = DimName::splitPart(names[g], i);
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
      Names named;
      SmallVector<int64_t> sizes;
      for (int64_t d : group)
        if (!names[d].isUnit()) {
          named.push_back(names[d]);
          sizes.push_back(rt.getDimSize(d));
        }
      if (named.size() > 1) {
        std::optional<DimName> parent = mergedParent(named);
        // Other names merged ([K, G] of a grouped einsum read from [K·G]):
        // the source dim is their row-major merge.
        DimName merged = parent ? *parent : mergedName(named, sizes);
        if (merged.isUnknown())
          return nullptr;
        srcNames[j] = merged;
        continue;
      }
      srcNames[j] = named.empty() ? DimName::unit() : named.front();
    }
  }
  return build(src, srcNames);
}


std::optional<Names> ExprBuilder::labelsOfReshape(Operation *def, Value src,
                                                  RankedTensorType rt) {
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
    noteUnlabeled(def, AttentionMismatchReason::LabelNotUnitReshape);
    return std::nullopt;
  }
  if (st.getRank() > rt.getRank()) {
    Names out;
    for (const ReassociationIndices &group : *reassoc) {
      Names named;
      SmallVector<int64_t> sizes;
      for (int64_t d : group)
        if (!(*in)[d].isUnit()) {
          named.push_back((*in)[d]);
          sizes.push_back(st.getDimSize(d));
        }
      if (named.size() <= 1) {
        out.push_back(named.empty() ? DimName::unit() : named.front());
        continue;
      }
      // The parts of a split dim merged back, or other dims merged into
      // one (a grouped einsum's [K, G] reshaped to the query heads).
      std::optional<DimName> parent = mergedParent(named);
      DimName merged = parent ? *parent : mergedName(named, sizes);
      if (merged.isUnknown()) {
        noteUnlabeled(def, AttentionMismatchReason::LabelMergesScoreDims);
        return std::nullopt;
      }
      out.push_back(merged);
    }
    return out;
  }
  Names out(rt.getRank(), DimName::unit());
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
        noteUnlabeled(def, AttentionMismatchReason::LabelSplitsOtherDim);
        return std::nullopt;
      }
      for (auto [i, d] : llvm::enumerate(nonUnit))
        out[d] = DimName::splitPart((*in)[j], i);
      continue;
    }
    out[nonUnit.empty() ? group.front() : nonUnit.front()] = (*in)[j];
  }
  return out;
}

} // namespace fa2::matcher
