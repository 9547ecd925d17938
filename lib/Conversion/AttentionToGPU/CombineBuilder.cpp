//===- CombineBuilder.cpp - the split-KV combine kernel as gpu IR ---------===//
//
// A split-KV attention kernel leaves, per (batch, head, query) row and per
// split s, the split's normalized output O_s (f32) and its log-sum-exp L_s
// (-inf for a split that saw no visible key). The whole row's softmax is
//
//   L = log Σ_s exp(L_s),   O = Σ_s exp(L_s - L) · O_s
//
// (FlashAttention's split-KV decoding merges its partials the same way).
// One warp per row: the lanes reduce the row's L_s (max, then the sum of
// exponentials) with xor shuffles, then each lane accumulates 4-column
// chunks of O over the splits, reading the split's weight from the L_s it
// just loaded (every lane loads the same L_s: one broadcast per split).
// A row whose every split is empty gets O = 0 and L = +inf, as the
// one-kernel path writes for an empty row.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/CombineBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace fa2;

std::string fa2::combineKernelName(const AttentionKernelSpec &spec) {
  return spec.name + "_combine";
}

SmallVector<std::string>
fa2::combineSizeNames(const AttentionKernelSpec &spec) {
  SmallVector<std::string> names;
  for (StringRef name : {"heads_q", "seq_q", "num_splits"})
    if (ShapedType::isDynamic(spec.size(name)))
      names.push_back(name.str());
  return names;
}

gpu::GPUFuncOp fa2::buildCombineKernel(OpBuilder &builder, Location loc,
                                       gpu::GPUModuleOp module,
                                       const AttentionKernelSpec &spec) {
  OpBuilder::InsertionGuard guard(builder);
  OpBuilder &b = builder;
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> argTypes = {spec.bufferType("o_partial"),
                                spec.bufferType("lse_partial"),
                                spec.bufferType("o")};
  if (spec.hasLse)
    argTypes.push_back(spec.bufferType("lse"));
  SmallVector<std::string> sizeNames = combineSizeNames(spec);
  argTypes.append(sizeNames.size(), b.getI32Type());
  auto func = gpu::GPUFuncOp::create(b, loc, combineKernelName(spec),
                                     b.getFunctionType(argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(
      {static_cast<int32_t>(32 * kCombineRowsPerCTA), 1, 1}));
  b.setInsertionPointToStart(&func.getBody().front());

  Type f32 = b.getF32Type(), outTy = spec.outElementType;
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto cf = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  auto size = [&](StringRef name) -> Value {
    int64_t v = spec.size(name);
    if (!ShapedType::isDynamic(v))
      return c(v);
    unsigned i = llvm::find(sizeNames, name) - sizeNames.begin();
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                        func.getArgument(3 + spec.hasLse + i));
  };
  Value oPart = func.getArgument(0), lsePart = func.getArgument(1),
        o = func.getArgument(2);
  Value lse = spec.hasLse ? func.getArgument(3) : Value();
  Value hq = size("heads_q"), sq = size("seq_q"), splits = size("num_splits");
  int64_t dv = spec.headDimV;
  const double log2e = 1.4426950408889634, ln2 = 0.6931471805599453;
  const double inf = std::numeric_limits<double>::infinity();

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, loc, tid, c(32));
  Value warp = arith::DivUIOp::create(b, loc, tid, c(32));
  Value row = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(
          b, loc, gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
          c(kCombineRowsPerCTA)),
      warp);
  // batch·Hq·Sq rows: from the static batch, or the partial LSE's size.
  Value rowsPerBatch = arith::MulIOp::create(b, loc, hq, sq);
  Value rows =
      ShapedType::isDynamic(spec.batch())
          ? Value(arith::DivUIOp::create(
                b, loc, memref::DimOp::create(b, loc, lsePart, 0), splits))
          : Value(arith::MulIOp::create(b, loc, c(spec.batch()),
                                        rowsPerBatch));
  Value inside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, rows);
  auto body = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&body.getThenRegion().front());

  Value first = arith::MulIOp::create(b, loc, row, splits);
  auto loadLse = [&](Value s) -> Value {
    return memref::LoadOp::create(
        b, loc, lsePart, ValueRange{arith::AddIOp::create(b, loc, first, s)});
  };
  auto warpReduce = [&](Value v, bool isMax) {
    for (int32_t off : {16, 8, 4, 2, 1}) {
      Value other = gpu::ShuffleOp::create(b, loc, v, off, /*width=*/32,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      v = isMax ? Value(arith::MaximumFOp::create(b, loc, v, other))
                : Value(arith::AddFOp::create(b, loc, v, other));
    }
    return v;
  };
  // A lane-strided loop over the splits carrying one f32.
  auto overSplits = [&](Value init,
                        llvm::function_ref<Value(Value, Value)> step) {
    auto loop = scf::ForOp::create(b, loc, lane, splits, c(32), init);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    scf::YieldOp::create(
        b, loc, step(loop.getInductionVar(), loop.getRegionIterArgs()[0]));
    return loop.getResult(0);
  };
  Value negInf = cf(-inf);
  Value mx = overSplits(negInf, [&](Value s, Value acc) -> Value {
    return arith::MaximumFOp::create(b, loc, acc, loadLse(s));
  });
  mx = warpReduce(mx, /*isMax=*/true);
  // Every split empty: exponentials against 0 instead of -inf (no NaN).
  Value allEmpty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                         mx, negInf);
  Value ref = arith::SelectOp::create(b, loc, allEmpty, cf(0.0), mx);
  Value cLog2e = cf(log2e);
  auto weight = [&](Value l, Value against) -> Value {
    Value x = arith::MulFOp::create(
        b, loc, arith::SubFOp::create(b, loc, l, against), cLog2e);
    return math::Exp2Op::create(b, loc, x, arith::FastMathFlags::afn);
  };
  Value sum = overSplits(cf(0.0), [&](Value s, Value acc) -> Value {
    return arith::AddFOp::create(b, loc, acc, weight(loadLse(s), ref));
  });
  sum = warpReduce(sum, /*isMax=*/false);
  Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sum,
                                      cf(0.0));
  Value logSum = arith::MulFOp::create(
      b, loc, math::Log2Op::create(b, loc, sum, arith::FastMathFlags::afn),
      cf(ln2));
  Value rowLse = arith::SelectOp::create(
      b, loc, empty, cf(inf), arith::AddFOp::create(b, loc, ref, logSum));

  // Where the row's O starts: (b, h, i) in bhsd or bshd order.
  Value oRow;
  if (!spec.bshd) {
    oRow = arith::MulIOp::create(b, loc, row, c(dv));
  } else {
    Value bIdx = arith::DivUIOp::create(b, loc, row, rowsPerBatch);
    Value hi = arith::RemUIOp::create(b, loc, row, rowsPerBatch);
    Value h = arith::DivUIOp::create(b, loc, hi, sq);
    Value i = arith::RemUIOp::create(b, loc, hi, sq);
    Value tok = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(
            b, loc,
            arith::AddIOp::create(
                b, loc, arith::MulIOp::create(b, loc, bIdx, sq), i),
            hq),
        h);
    oRow = arith::MulIOp::create(b, loc, tok, c(dv));
  }
  auto vec4 = VectorType::get({4}, f32);
  int64_t chunks = dv / 4; // dv is a multiple of 8
  Value partRow = arith::MulIOp::create(b, loc, first, c(dv));
  for (int64_t firstChunk = 0; firstChunk < chunks; firstChunk += 32) {
    Value chunk = arith::AddIOp::create(b, loc, lane, c(firstChunk));
    auto emitChunk = [&]() {
      Value col = arith::MulIOp::create(b, loc, chunk, c(4));
      Value zero = arith::ConstantOp::create(
          b, loc, vec4, DenseElementsAttr::get(vec4, b.getF32FloatAttr(0)));
      auto loop = scf::ForOp::create(b, loc, c(0), splits, c(1), zero);
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(loop.getBody());
        Value s = loop.getInductionVar();
        Value w = weight(loadLse(s), rowLse);
        Value at = arith::AddIOp::create(
            b, loc,
            arith::AddIOp::create(
                b, loc, partRow, arith::MulIOp::create(b, loc, s, c(dv))),
            col);
        Value part = vector::LoadOp::create(b, loc, vec4, oPart,
                                            ValueRange{at},
                                            /*nontemporal=*/false,
                                            llvm::MaybeAlign(16));
        Value wv = vector::BroadcastOp::create(b, loc, vec4, w);
        scf::YieldOp::create(
            b, loc,
            ValueRange{vector::FMAOp::create(b, loc, part, wv,
                                             loop.getRegionIterArgs()[0])});
      }
      Value out = loop.getResult(0);
      auto outVec = VectorType::get({4}, outTy);
      if (outTy != f32)
        out = arith::TruncFOp::create(b, loc, outVec, out);
      vector::StoreOp::create(
          b, loc, out, o,
          ValueRange{arith::AddIOp::create(b, loc, oRow, col)},
          /*nontemporal=*/false,
          llvm::MaybeAlign(4 * outTy.getIntOrFloatBitWidth() / 8));
    };
    if (firstChunk + 32 <= chunks) {
      emitChunk();
    } else {
      Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          chunk, c(chunks));
      auto ifOp = scf::IfOp::create(b, loc, valid, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      emitChunk();
    }
  }
  if (lse) {
    Value lane0 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                        c(0));
    auto ifOp = scf::IfOp::create(b, loc, lane0, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    memref::StoreOp::create(b, loc, rowLse, lse, ValueRange{row});
  }
  b.setInsertionPointToEnd(&func.getBody().front());
  gpu::ReturnOp::create(b, loc);
  return func;
}
