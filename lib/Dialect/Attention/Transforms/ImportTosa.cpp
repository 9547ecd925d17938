//===- ImportTosa.cpp - TOSA ops in the matcher -----------------------------===//
//
// What the matcher reads from TOSA: elementwise ops with numpy-style
// broadcasting of size-1 dims, transposes, reductions (max, sum, all,
// any), and the operands that carry data (not tosa.mul's shift or the zero
// points).
//
//===----------------------------------------------------------------------===//

#include "MatcherExpr.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

namespace fa2::matcher {

/// Operands of an elementwise op that carry data (tosa.mul's shift, the zero
/// points of tosa.negate do not).
SmallVector<Value> dataOperands(Operation *op) {
  if (auto mul = dyn_cast<tosa::MulOp>(op))
    return {mul.getInput1(), mul.getInput2()};
  if (auto neg = dyn_cast<tosa::NegateOp>(op))
    return {neg.getInput1()};
  return llvm::to_vector(op->getOperands());
}

bool isTosaElementwise(Operation *op) {
  return isa<tosa::AddOp, tosa::SubOp, tosa::MulOp, tosa::MaximumOp,
             tosa::MinimumOp, tosa::NegateOp, tosa::ExpOp, tosa::LogOp,
             tosa::RsqrtOp, tosa::ReciprocalOp, tosa::CastOp,
             tosa::LogicalAndOp, tosa::LogicalOrOp, tosa::LogicalXorOp,
             tosa::LogicalNotOp, tosa::SelectOp, tosa::GreaterOp,
             tosa::GreaterEqualOp, tosa::EqualOp>(op);
}

/// Names of the operand dims of an op with numpy-style positional broadcast
/// (TOSA): size-1 dims against a larger result dim are broadcast.
static std::optional<Names> broadcastNames(Value operand, Value result,
                                           ArrayRef<DimName> names) {
  auto ot = dyn_cast<RankedTensorType>(operand.getType());
  auto rt = dyn_cast<RankedTensorType>(result.getType());
  if (!ot || !rt)
    return Names{};
  if (ot.getRank() != rt.getRank())
    return std::nullopt;
  Names out;
  for (int64_t i = 0; i < ot.getRank(); ++i) {
    if (ot.getDimSize(i) == 1 && rt.getDimSize(i) != 1)
      out.push_back(DimName::unit());
    else
      out.push_back(names[i]);
  }
  return out;
}


/// The combiner and axis of a TOSA reduction the matcher reads: max and sum
/// (softmax), all and any (the row guard of a safe softmax).
std::optional<std::pair<Fn, int64_t>> getTosaReduction(Operation *op) {
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

Expr *ExprBuilder::mapTosa(Operation *op, ArrayRef<Expr *> x) {
  auto un = [&](Fn fn) -> Expr * {
    return x.size() >= 1 ? mkUnary(fn, x[0]) : nullptr;
  };
  auto bin = [&](Fn fn) -> Expr * {
    return x.size() >= 2 ? mkBinary(fn, x[0], x[1]) : nullptr;
  };
  return llvm::TypeSwitch<Operation *, Expr *>(op)
      .Case<tosa::AddOp>([&](auto) { return bin(Fn::Add); })
      .Case<tosa::SubOp>([&](auto) { return bin(Fn::Sub); })
      .Case<tosa::MulOp>([&](tosa::MulOp mul) -> Expr * {
        std::optional<double> shift = getConstantValue(mul.getShift());
        if (!shift || *shift != 0.0)
          return nullptr;
        return bin(Fn::Mul);
      })
      .Case<tosa::MaximumOp>([&](auto) { return bin(Fn::Max); })
      .Case<tosa::MinimumOp>([&](auto) { return bin(Fn::Min); })
      .Case<tosa::NegateOp>([&](auto) { return un(Fn::Neg); })
      .Case<tosa::ExpOp>([&](auto) { return un(Fn::Exp); })
      .Case<tosa::LogOp>([&](auto) { return un(Fn::Log); })
      .Case<tosa::AbsOp>([&](auto) { return un(Fn::Abs); })
      .Case<tosa::RsqrtOp>([&](auto) { return un(Fn::Rsqrt); })
      .Case<tosa::ReciprocalOp>([&](auto) { return un(Fn::Recip); })
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
      .Case<tosa::LogicalAndOp>([&](auto) { return bin(Fn::And); })
      .Case<tosa::LogicalOrOp>([&](auto) { return bin(Fn::Or); })
      .Case<tosa::LogicalXorOp>([&](auto) { return bin(Fn::Xor); })
      .Case<tosa::LogicalNotOp>([&](auto) { return un(Fn::Not); })
      .Case<tosa::SelectOp>([&](auto) -> Expr * {
        return x.size() == 3 ? mkSelect(x[0], x[1], x[2]) : nullptr;
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

Expr *ExprBuilder::convertTosa(Operation *op, ArrayRef<DimName> names) {
  if (op->getNumResults() != 1)
    return nullptr;
  Value res = op->getResult(0);
  if (auto t = dyn_cast<tosa::TransposeOp>(op)) {
    ArrayRef<int32_t> perm = t.getPerms();
    Names in(names.size(), DimName::unit());
    for (auto [i, p] : llvm::enumerate(perm))
      in[p] = names[i];
    return build(t.getInput1(), in);
  }
  if (std::optional<std::pair<Fn, int64_t>> red = getTosaReduction(op)) {
    Value input = op->getOperand(0);
    int64_t axis = red->second;
    const Names *labels = labelsOf(input);
    if (!labels || axis >= static_cast<int64_t>(labels->size()) ||
        !(*labels)[axis].isNamed())
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
// Forward labels through TOSA transposes and reductions
//===----------------------------------------------------------------------===//

std::optional<Names> ExprBuilder::labelsOfTosa(Operation *def) {
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
    out[axis] = DimName::unit();
    return out;
  }
  return std::nullopt;
}

} // namespace fa2::matcher
