//===- ImportLinalg.cpp - linalg ops in the matcher -------------------------===//
//
// What the matcher reads from linalg: contractions (by indexing maps and a
// multiply-add body, named or generic, and tosa.matmul beside them),
// linalg.softmax, and every other linalg op through its indexing maps and
// the scalar body it applies (elementwise, or one reduction whose combiner
// and init the matcher knows).
//
//===----------------------------------------------------------------------===//

#include "MatcherExpr.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/STLExtras.h"

#include <functional>

namespace fa2::matcher {

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//


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


/// The init of a contraction must be zero, or the op computes init + A·B.
static bool isZeroInit(Value init) {
  std::optional<double> c = getFillValue(init);
  return c && *c == 0.0;
}

std::optional<Contraction> getContraction(Operation *op) {
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

//===----------------------------------------------------------------------===//
// linalg ops as expressions
//===----------------------------------------------------------------------===//

Expr *ExprBuilder::convertSoftmax(linalg::SoftmaxOp op,
                                  ArrayRef<DimName> names) {
  int64_t dim = op.getDimension();
  if (dim < 0 || dim >= static_cast<int64_t>(names.size()))
    return nullptr;
  DimName name = names[dim];
  Expr *x = build(op.getInput(), names);
  Expr *m = mkReduce(Fn::Max, x, name);
  Expr *e = mkUnary(Fn::Exp, mkBinary(Fn::Sub, x, m));
  return mkBinary(Fn::Div, e, mkReduce(Fn::Add, e, name));
}

/// Names for the operand dims read through `map`, given the loop names.
static std::optional<Names> namesThroughMap(AffineMap map,
                                            ArrayRef<DimName> loopNames,
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
    out.push_back(DimName::unit());
  }
  return out;
}

Expr *ExprBuilder::convertLinalg(linalg::LinalgOp op, OpResult v,
                                 ArrayRef<DimName> names) {
  if (!op.hasPureTensorSemantics())
    return nullptr;
  unsigned resIdx = v.getResultNumber();
  OpOperand *init = op.getDpsInitOperand(resIdx);
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (outMap.getNumResults() != names.size())
    return nullptr;
  unsigned numLoops = op.getNumLoops();
  Names loopNames(numLoops, DimName::unknown());
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
        !names[p].isUnit())
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
    DimName redName;
    for (OpOperand *in : op.getDpsInputOperands()) {
      const Names *labels = labelsOf(in->get());
      if (!labels)
        continue;
      AffineMap m = op.getMatchingIndexingMap(in);
      for (auto [p, expr] : llvm::enumerate(m.getResults())) {
        auto d = dyn_cast<AffineDimExpr>(expr);
        if (!d)
          continue;
        DimName label = (*labels)[p];
        if (d.getPosition() == r) {
          if (label.isNamed())
            redName = label;
        } else if (label.isNamed() && loopNames[d.getPosition()].isNamed() &&
                   label != loopNames[d.getPosition()]) {
          return nullptr;
        }
      }
    }
    if (redName.isUnknown())
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
  if (llvm::is_contained(loopNames, DimName::unknown()))
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

//===----------------------------------------------------------------------===//
// Forward labels through linalg ops
//===----------------------------------------------------------------------===//

std::optional<Names> ExprBuilder::labelsOfLinalg(Operation *def, Value v,
                                                 RankedTensorType rt) {
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(def)) {
    // The init may be the scores while the input is something else.
    if (const Names *in = labelsOf(softmax.getInput()))
      return *in;
    noteUnlabeled(def, AttentionMismatchReason::LabelSoftmaxInputElsewhere);
    return std::nullopt;
  }

  {
    auto op = cast<linalg::LinalgOp>(def);
    if (!op.hasPureTensorSemantics()) {
      noteUnlabeled(def, AttentionMismatchReason::LabelNoTensorSemantics);
      return std::nullopt;
    }
    Names loopNames(op.getNumLoops(), DimName::unknown());
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
          noteUnlabeled(def, AttentionMismatchReason::LabelOperandsDisagree);
          return std::nullopt;
        }
      }
    }
    AffineMap outMap =
        op.getMatchingIndexingMap(op.getDpsInitOperand(cast<OpResult>(v).getResultNumber()));
    Names out;
    for (auto [p, expr] : llvm::enumerate(outMap.getResults())) {
      auto d = dyn_cast<AffineDimExpr>(expr);
      DimName name = d ? loopNames[d.getPosition()] : DimName::unit();
      // A unit loop no input indexes (inputs read through the constant 0).
      if (name.isUnknown() && rt.getDimSize(p) == 1)
        name = DimName::unit();
      out.push_back(name);
    }
    return out;
  }
}

} // namespace fa2::matcher

using namespace mlir;

bool fa2::isContractionLike(Operation *op) {
  return fa2::matcher::getContraction(op).has_value();
}
