//===- TileOps.h - the target building blocks behind one interface -*- C++ -*-===//
//
// The two building blocks a FlashAttention kernel asks of its target, as
// abstract interfaces the kernel emitter calls (upstream's NVGPU
// MmaSyncBuilder and Triton's per-variant MMA files play the same part):
//
//   TileCopy  a tile of rows of a global tensor into a shared tile,
//             asynchronously, in groups: issue, commit, wait
//             (AsyncCopyBuilder: cp.async; next: TMA with an mbarrier's
//             expect-tx and phase wait, Hopper/Tma.h)
//   TileMma   the thread's share of a tile product: where its accumulator
//             rows sit (RowFragments, what the online softmax reduces
//             over), the accumulator type, and multiply-accumulate
//             (MmaSyncBuilder: mma.sync m16n8k16; next: wgmma,
//             Hopper/Wgmma.h)
//
// What stays with each implementation is how its operands get there
// (ldmatrix fragments, shared-memory descriptors) and its tile walk; the
// kernel's algorithm (KernelTiling.h, OnlineSoftmax.h) sees only these.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_TILEOPS_H
#define FA2_CONVERSION_ATTENTIONTOGPU_TILEOPS_H

#include "fa2/Conversion/AttentionToGPU/OnlineSoftmax.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace fa2 {

struct SharedTileLayout;

/// Asynchronous copies of tiles from global into shared memory, grouped so
/// that a later wait can tell which have landed.
class TileCopy {
public:
  virtual ~TileCopy() = default;

  /// Issues the copy of `rows` rows of the global tensor `src` (row 0 at
  /// `srcBase` + `seqStart`·`srcRowStride`) into the shared tile `dst` at
  /// `dstBase`, laid out as `l`. Rows at or past `validRows` (an i32; null:
  /// every row is valid) and columns past the real head dim are
  /// zero-filled without reading global memory. Returns the copies'
  /// tokens, for commit.
  virtual llvm::SmallVector<mlir::Value>
  copyTile(mlir::Value src, mlir::Value srcBase, mlir::Value srcRowStride,
           mlir::Value seqStart, mlir::Value validRows, mlir::Value dst,
           mlir::Value dstBase, int64_t rows, const SharedTileLayout &l) = 0;
  /// Closes a group of issued copies; null without tokens (nothing to wait
  /// for).
  virtual mlir::Value commit(mlir::ValueRange tokens) = 0;
  /// Waits until at most `pending` committed groups (the newest) are still
  /// in flight; nothing where `group` is null (nothing was committed).
  virtual void wait(mlir::Value group, int32_t pending) = 0;
};

/// The matrix unit's tile product as the thread sees it.
class TileMma {
public:
  virtual ~TileMma() = default;

  /// Where the thread holds its accumulator rows for `tiles` row tiles,
  /// and which lanes share a row.
  virtual RowFragments rowFragments(int64_t tiles) = 0;
  /// One accumulator tile of the thread (f32).
  virtual mlir::VectorType accumulatorType() = 0;
  /// acc + a·b for operands held as `a.size()` pieces each (1 unless the
  /// operands are split); with `factor` (f32), the product is scaled by it
  /// before it is added.
  virtual mlir::Value multiplyAccumulate(llvm::ArrayRef<mlir::Value> a,
                                         llvm::ArrayRef<mlir::Value> b,
                                         mlir::Value acc,
                                         mlir::Value factor = {}) = 0;
};

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_TILEOPS_H
