//===- MaskSemantics.cpp - which scores fa2.attention keeps ---------------===//
//
// See MaskSemantics.h for the formula; AttentionOps.td's description and
// docs/numerics.md state it for users.
//
//===----------------------------------------------------------------------===//
#include "fa2/Dialect/Attention/IR/MaskSemantics.h"
#include "fa2/Dialect/Attention/IR/AttentionOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <algorithm>
#include <cfloat>
#include <limits>

using namespace mlir;
using namespace fa2;

MaskSemantics MaskSemantics::get(AttentionOp op) {
  MaskSemantics m;
  m.causal = op.getCausal();
  if (std::optional<std::pair<int64_t, int64_t>> w = op.getWindowBounds())
    m.window = std::make_pair(std::min(w->first, kUnboundedWindow),
                              std::min(w->second, kUnboundedWindow));
  if (FloatAttr fill = op.getFillAttr())
    m.fill = fill.getValueAsDouble();
  if (Value mask = op.getMask())
    m.maskOperand = cast<ShapedType>(mask.getType()).getElementType().isInteger(1)
                        ? MaskOperand::Bool
                        : MaskOperand::Additive;
  return m;
}

std::optional<int64_t> MaskSemantics::diagLo() const {
  if (window)
    return -window->first;
  return std::nullopt;
}

std::optional<int64_t> MaskSemantics::diagHi() const {
  if (causal)
    return window ? std::min<int64_t>(window->second, 0) : 0;
  if (window)
    return window->second;
  return std::nullopt;
}

float MaskSemantics::fillF32() const {
  if (!fill)
    return -std::numeric_limits<float>::infinity();
  double f = std::clamp(*fill, -static_cast<double>(FLT_MAX),
                        static_cast<double>(FLT_MAX));
  return static_cast<float>(f);
}

bool MaskSemantics::keepPosition(int64_t i, int64_t j, int64_t sq,
                                 int64_t sk) const {
  int64_t rel = j - (i + (sk - sq));
  if (std::optional<int64_t> lo = diagLo(); lo && rel < *lo)
    return false;
  if (std::optional<int64_t> hi = diagHi(); hi && rel > *hi)
    return false;
  return true;
}

std::pair<int64_t, int64_t>
MaskSemantics::visibleKeyRange(int64_t qBegin, int64_t qEnd, int64_t sq,
                               int64_t sk) const {
  if (qBegin >= qEnd)
    return {0, 0};
  int64_t off = sk - sq;
  int64_t begin = 0, end = sk;
  // Row i keeps [i + off + lo, i + off + hi]; lo <= 0 <= hi, so the rows'
  // ranges overlap and their union is one interval.
  if (std::optional<int64_t> lo = diagLo())
    begin = std::max<int64_t>(0, qBegin + off + *lo);
  if (std::optional<int64_t> hi = diagHi())
    end = std::min(sk, qEnd - 1 + off + *hi + 1);
  begin = std::min(begin, sk);
  end = std::max(end, begin);
  return {begin, end};
}

MaskSemantics::BlockKind
MaskSemantics::classifyBlock(int64_t qBegin, int64_t qEnd, int64_t kBegin,
                             int64_t kEnd, int64_t sq, int64_t sk) const {
  auto [vBegin, vEnd] = visibleKeyRange(qBegin, qEnd, sq, sk);
  if (canSkipRemoved() && (kEnd <= vBegin || kBegin >= vEnd))
    return BlockKind::Skip;
  if (kEnd > sk)
    return BlockKind::Masked;
  // Every row keeps the whole block iff the first row keeps its last key
  // (the upper bound grows with i) and the last row its first key.
  int64_t off = sk - sq;
  if (std::optional<int64_t> hi = diagHi(); hi && kEnd - 1 > qBegin + off + *hi)
    return BlockKind::Masked;
  if (std::optional<int64_t> lo = diagLo(); lo && kBegin < qEnd - 1 + off + *lo)
    return BlockKind::Masked;
  return BlockKind::Unmasked;
}

Value MaskSemantics::buildRemovedByPosition(OpBuilder &b, Location loc, Value i,
                                            Value j, Value off) const {
  std::optional<int64_t> lo = diagLo(), hi = diagHi();
  if (!lo && !hi)
    return Value();
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  // The diagonal of row i: key i + (Sk - Sq).
  Value diag = arith::AddIOp::create(b, loc, i, off);
  Value removed;
  if (hi) {
    Value limit = *hi == 0 ? diag : arith::AddIOp::create(b, loc, diag, cst(*hi));
    removed =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, j, limit);
  }
  if (lo) {
    Value limit = *lo == 0 ? diag : arith::AddIOp::create(b, loc, diag, cst(*lo));
    Value below =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j, limit);
    removed = removed ? arith::OrIOp::create(b, loc, removed, below).getResult()
                      : below;
  }
  return removed;
}

Value MaskSemantics::buildBlockNeedsMask(OpBuilder &b, Location loc,
                                         Value qBegin, Value qEnd, Value kBegin,
                                         Value kEnd, Value off) const {
  // As classifyBlock: every row keeps the whole block iff the first row
  // keeps its last key (the upper bound grows with i) and the last row its
  // first key.
  std::optional<int64_t> lo = diagLo(), hi = diagHi();
  if (!lo && !hi)
    return Value();
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value needsMask;
  if (hi) {
    // kEnd - 1 > qBegin + off + hi  <=>  kEnd > qBegin + off + hi + 1.
    Value limit = arith::AddIOp::create(
        b, loc, arith::AddIOp::create(b, loc, qBegin, off), cst(*hi + 1));
    needsMask =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, kEnd, limit);
  }
  if (lo) {
    // kBegin < qEnd - 1 + off + lo.
    Value limit = arith::AddIOp::create(
        b, loc, arith::AddIOp::create(b, loc, qEnd, off), cst(*lo - 1));
    Value below =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, kBegin, limit);
    needsMask = needsMask
                    ? arith::OrIOp::create(b, loc, needsMask, below).getResult()
                    : below;
  }
  return needsMask;
}

std::pair<Value, Value>
MaskSemantics::buildVisibleKeyRange(OpBuilder &b, Location loc, Value qBegin,
                                    Value qEnd, Value off, Value sk,
                                    Value zero) const {
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value begin = zero, end = sk;
  if (std::optional<int64_t> hi = diagHi()) {
    // The last row qEnd - 1 keeps keys up to qEnd - 1 + off + hi.
    Value e = arith::AddIOp::create(b, loc, qEnd, off);
    if (*hi != 0)
      e = arith::AddIOp::create(b, loc, e, cst(*hi));
    end = arith::MaxSIOp::create(b, loc, zero,
                                 arith::MinSIOp::create(b, loc, sk, e));
  }
  if (std::optional<int64_t> lo = diagLo()) {
    // The first row qBegin keeps keys from qBegin + off + lo.
    Value s = arith::AddIOp::create(b, loc, qBegin, off);
    if (*lo != 0)
      s = arith::AddIOp::create(b, loc, s, cst(*lo));
    begin = arith::MaxSIOp::create(b, loc, zero, s);
  }
  return {begin, end};
}
