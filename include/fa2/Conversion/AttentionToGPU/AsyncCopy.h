//===- AsyncCopy.h - cp.async tile copies into shared memory ----*- C++ -*-===//
//
// The copy building block of the mma.sync kernel: a tile of rows of a
// global tensor into a shared tile of 16-byte chunks with cp.async (sm_80+),
// zero-filling rows past the tensor and chunks past the head dim, and the
// commit/wait groups that pipeline the copies. The shared tile's format
// (SharedTileLayout) is the contract between these copies and the ldmatrix
// operand loads of MmaSync.h. AsyncCopyBuilder is the cp.async
// implementation of TileCopy (TileOps.h): its groups are commit groups,
// closed after their copies and waited for by count. Hopper's TMA copies
// (TmaCopyBuilder, Hopper/Tma.h) are the other: there a group is an
// mbarrier phase, opened with its bytes before the copies and waited for
// by parity.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_ASYNCCOPY_H
#define FA2_CONVERSION_ATTENTIONTOGPU_ASYNCCOPY_H

#include "fa2/Conversion/AttentionToGPU/KernelIR.h"
#include "fa2/Conversion/AttentionToGPU/Schedule.h"
#include "fa2/Conversion/AttentionToGPU/TileOps.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace fa2 {

/// Placement of one kind of shared tile (the kernel's Q/K share one, V has
/// its own): rows of 16-byte chunks (8 16-bit elements). With a multiple of
/// 8 chunks per row, chunk c of row r is stored at c ^ (r % 8), so that the
/// 8 rows an ldmatrix phase reads fall into 8 bank groups; other widths pad
/// each row to an odd number of chunks for the same effect.
struct SharedTileLayout {
  int64_t dim;       // real columns (head dim)
  int64_t paddedDim; // columns rounded up to 16 (one mma k-step)
  int64_t rowStride; // elements between rows
  SmemSwizzle swizzle;

  int64_t chunks() const { return paddedDim / 8; }
  int64_t realChunks() const { return dim / 8; }

  /// The layout of a tile of `dim` columns under the schedule's swizzle.
  static SharedTileLayout of(int64_t dim, SmemSwizzle scheduleSwizzle);
};

/// Builds cp.async copies for the `numThreads` threads of a CTA.
class AsyncCopyBuilder : public KernelIRBuilder, public TileCopy {
public:
  AsyncCopyBuilder(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tid,
                   int64_t numThreads);

  /// Element offset in a shared tile of chunk `chunk` of tile row `row`
  /// (`rowMod8` = row % 8, needed by the XOR swizzle).
  mlir::Value sharedOffset(const SharedTileLayout &l, mlir::Value row,
                           mlir::Value rowMod8, mlir::Value chunk);

  /// One chunk of a tile copy: its element offsets in the shared tile and
  /// in the global tensor, and whether it exists (an i1; null: always; a
  /// chunk that does not exist is zero-filled and reads nothing).
  using ChunkCopy = llvm::function_ref<void(
      mlir::Value dstOff, mlir::Value srcOff, mlir::Value valid)>;
  /// Walks the chunks this thread copies of `rows` rows of a global tensor
  /// (row 0 at `srcBase` + `seqStart`·`srcRowStride`) into the shared tile
  /// at `dstBase`: `copy` is called once per chunk. Tile rows at or past
  /// `validRows` (an i32; null: every row is valid) and chunks past the
  /// head dim are not valid.
  void forEachChunk(mlir::Value srcBase, mlir::Value srcRowStride,
                    mlir::Value seqStart, mlir::Value validRows,
                    mlir::Value dstBase, int64_t rows,
                    const SharedTileLayout &l, ChunkCopy copy);

  /// Whether tile row `r` (index) lies below `validRows` (an i32; null: every
  /// row is valid, and so is the result), compared in 32 bits.
  mlir::Value rowBelow(mlir::Value r, mlir::Value validRows);
  /// A chunk's validity: `rowValid` (an i1 or null) and, where `l` pads the
  /// head dim, chunk `ch` below its real chunks. Null when always valid.
  mlir::Value chunkValid(const SharedTileLayout &l, mlir::Value rowValid,
                         mlir::Value ch);

  /// Issues the copy of `rows` rows of the global tensor `src` (row 0 at
  /// `srcBase` + `seqStart`·`srcRowStride`) into the shared tile `dst` at
  /// `dstBase`, laid out as `l`: the tile walk (forEachChunk) with one
  /// copyChunk per chunk. Rows at or past `validRows` (an i32; null: every
  /// row is valid) and columns past the real head dim are zero-filled
  /// without reading global memory. Returns the copies' tokens, for commit.
  llvm::SmallVector<mlir::Value>
  copyTile(mlir::Value src, mlir::Value srcBase, mlir::Value srcRowStride,
           mlir::Value seqStart, mlir::Value validRows, mlir::Value dst,
           mlir::Value dstBase, int64_t rows, const SharedTileLayout &l);

  /// One 16-byte cp.async of chunk `srcOff` of `src` to `dstOff` of the
  /// shared `dst` (zero-filled where `valid`, an i1 or null, is false).
  /// Returns its token.
  mlir::Value copyChunk(mlir::Value dst, mlir::Value dstOff, mlir::Value src,
                        mlir::Value srcOff, mlir::Value valid);

  /// One cp.async commit group of `tokens`; none (a null value) without
  /// tokens: f32 tiles are staged by plain stores, and an empty
  /// device_async_create_group would not even print parseably (its empty
  /// operand list runs into the next line).
  CopyGroup commit(mlir::ValueRange tokens);
  /// cp.async.wait_group: until at most `pending` groups are in flight;
  /// nothing where no group was committed (a null token).
  void wait(const CopyGroup &group, int32_t pending) override;

private:
  mlir::Value tid;
  int64_t numThreads;
  mlir::Type tokenTy;
};

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_ASYNCCOPY_H
