//===- AsyncCopy.cpp - cp.async tile copies into shared memory ------------===//
//
// AsyncCopyBuilder's definitions (AsyncCopy.h).
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/AsyncCopy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

using namespace mlir;
using namespace fa2;

SharedTileLayout SharedTileLayout::of(int64_t dim,
                                      SmemSwizzle scheduleSwizzle) {
  SharedTileLayout l;
  l.dim = dim;
  l.paddedDim = padHeadDim(dim);
  l.swizzle = effectiveSwizzle(l.paddedDim, scheduleSwizzle);
  l.rowStride = sharedRowStride(l.paddedDim, scheduleSwizzle);
  return l;
}

AsyncCopyBuilder::AsyncCopyBuilder(OpBuilder &b, Location loc, Value tid,
                                   int64_t numThreads)
    : KernelIRBuilder(b, loc), tid(tid), numThreads(numThreads),
      tokenTy(nvgpu::DeviceAsyncTokenType::get(b.getContext())) {}

Value AsyncCopyBuilder::sharedOffset(const SharedTileLayout &l, Value row,
                                     Value rowMod8, Value chunk) {
  Value rowOff = mulc(row, l.rowStride);
  if (l.swizzle == SmemSwizzle::Xor)
    chunk = b.createOrFold<arith::XOrIOp>(loc, chunk, rowMod8);
  return add(rowOff, mulc(chunk, 8));
}

Value AsyncCopyBuilder::rowBelow(Value r, Value validRows) {
  if (!validRows)
    return {};
  return cmp(arith::CmpIPredicate::slt,
             arith::IndexCastOp::create(b, loc, b.getI32Type(), r), validRows);
}

Value AsyncCopyBuilder::chunkValid(const SharedTileLayout &l, Value rowValid,
                                   Value ch) {
  if (l.realChunks() == l.chunks())
    return rowValid;
  Value colValid = cmp(arith::CmpIPredicate::ult, ch, c(l.realChunks()));
  return rowValid ? arith::AndIOp::create(b, loc, rowValid, colValid).getResult()
                  : colValid;
}

void AsyncCopyBuilder::forEachChunk(Value srcBase, Value srcRowStride,
                                    Value seqStart, Value validRows,
                                    Value dstBase, int64_t rows,
                                    const SharedTileLayout &l, ChunkCopy copy) {
  int64_t chunks = l.chunks();
  int64_t total = rows * chunks, threads = numThreads;
  int64_t iters = (total + threads - 1) / threads;
  bool staticColumn = threads % chunks == 0;
  // With a thread count that is a multiple of the chunks per row, each thread
  // always copies the same column: its chunk and the bound check are hoisted.
  Value colOfThread, rowOfThread;
  if (staticColumn) {
    colOfThread = remc(tid, chunks);
    rowOfThread = divc(tid, chunks);
  }
  // Rows past `validRows` and chunks past the head dim read nothing
  // (src-elements 0, cp.async zero-fills). Their addresses may point past the
  // tensor: with src-size 0 the copy does not access global memory, as in
  // Triton's and CUTLASS's zero-fill loads. The row test is in 32 bits: one
  // compare per copy instead of a 64-bit pair.
  Value srcTile = add(srcBase, mul(seqStart, srcRowStride));
  auto i32Ty = b.getI32Type();
  // `rowsLeft`, when given, is validRows - rowOfThread (i32): row
  // rowOfThread + k is valid iff rowsLeft > k, a compare with an immediate.
  Value rowsLeft;
  auto predicate = [&](Value r, Value ch,
                       std::optional<int64_t> k = std::nullopt) -> Value {
    Value rowValid =
        validRows && k && rowsLeft
            ? cmp(arith::CmpIPredicate::sgt, rowsLeft,
                  arith::ConstantIntOp::create(b, loc, *k, 32))
            : rowBelow(r, validRows);
    return chunkValid(l, rowValid, ch);
  };
  if (staticColumn) {
    // Thread-invariant parts first, so that every copy of the tile adds a
    // constant (an immediate offset when the row stride is static).
    int64_t rowsPerRound = threads / chunks;
    Value srcThread =
        add(srcTile, add(mul(rowOfThread, srcRowStride), mulc(colOfThread, 8)));
    bool sameRowMod8 = rowsPerRound % 8 == 0;
    Value dstThread =
        add(dstBase,
            sharedOffset(l, rowOfThread, remc(rowOfThread, 8), colOfThread));
    if (validRows)
      rowsLeft = b.createOrFold<arith::SubIOp>(
          loc, validRows,
          arith::IndexCastOp::create(b, loc, i32Ty, rowOfThread));
    for (int64_t it = 0; it < iters; ++it) {
      Value r = addc(rowOfThread, it * rowsPerRound);
      Value srcOff, dstOff;
      if ((it + 1) * threads > total) {
        // A partial last round: threads past the tile repeat its last row
        // (the same bytes to the same place).
        r = arith::MinUIOp::create(b, loc, r, c(rows - 1));
        srcOff = add(srcTile, add(mul(r, srcRowStride), mulc(colOfThread, 8)));
        dstOff = add(dstBase, sharedOffset(l, r, remc(r, 8), colOfThread));
      } else {
        srcOff = add(srcThread, mulc(srcRowStride, it * rowsPerRound));
        dstOff = sameRowMod8 ? addc(dstThread, it * rowsPerRound * l.rowStride)
                             : add(dstBase,
                                   sharedOffset(l, r, remc(r, 8), colOfThread));
      }
      std::optional<int64_t> k;
      if ((it + 1) * threads <= total)
        k = it * rowsPerRound;
      copy(dstOff, srcOff, predicate(r, colOfThread, k));
    }
    return;
  }
  for (int64_t it = 0; it < iters; ++it) {
    Value idx = addc(tid, it * threads);
    // In a last, partial round the threads past the tile repeat the last
    // chunk: the same bytes to the same place, so no guard is needed.
    if ((it + 1) * threads > total)
      idx = arith::MinUIOp::create(b, loc, idx, c(total - 1));
    Value r = divc(idx, chunks), ch = remc(idx, chunks);
    Value srcOff = add(srcTile, add(mul(r, srcRowStride), mulc(ch, 8)));
    Value dstOff = add(dstBase, sharedOffset(l, r, remc(r, 8), ch));
    copy(dstOff, srcOff, predicate(r, ch));
  }
}

SmallVector<Value>
AsyncCopyBuilder::copyTile(Value src, Value srcBase, Value srcRowStride,
                           Value seqStart, Value validRows, Value dst,
                           Value dstBase, int64_t rows,
                           const SharedTileLayout &l) {
  SmallVector<Value> tokens;
  forEachChunk(srcBase, srcRowStride, seqStart, validRows, dstBase, rows, l,
               [&](Value dstOff, Value srcOff, Value valid) {
                 tokens.push_back(copyChunk(dst, dstOff, src, srcOff, valid));
               });
  return tokens;
}

Value AsyncCopyBuilder::copyChunk(Value dst, Value dstOff, Value src,
                                  Value srcOff, Value valid) {
  Value srcElems = valid ? select(valid, c(8), c(0)) : Value();
  return nvgpu::DeviceAsyncCopyOp::create(
      b, loc, tokenTy, dst, ValueRange{dstOff}, src, ValueRange{srcOff},
      b.getIndexAttr(8), srcElems, b.getUnitAttr());
}

CopyGroup AsyncCopyBuilder::commit(ValueRange tokens) {
  if (tokens.empty())
    return {};
  return CopyGroup::committed(
      nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, tokenTy, tokens));
}

void AsyncCopyBuilder::wait(const CopyGroup &group, int32_t pending) {
  assert(!group.barrier && "a cp.async group is a commit group");
  if (group.token)
    nvgpu::DeviceAsyncWaitOp::create(b, loc, group.token,
                                     b.getI32IntegerAttr(pending));
}
