//===- CombineBuilder.h - split-KV combine kernel as gpu IR -----*- C++ -*-===//
//
// The second kernel of a split-KV launch: it merges the partial outputs that
// the attention kernel's splits wrote to scratch, weighting each by its
// log-sum-exp, into O and LSE.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_COMBINEBUILDER_H
#define FA2_CONVERSION_ATTENTIONTOGPU_COMBINEBUILDER_H

#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"

#include <functional>

namespace fa2 {

/// Warps of a combine kernel CTA. Its rows and the warps each row takes
/// depend on the split count (emitCombineRowsPerCTA).
constexpr int64_t kCombineWarps = 4;

/// Splits whose partial O rows one lane loads before it waits for any of
/// them (a trip's unroll factor), in the combine kernel and in the
/// last-CTA merges.
constexpr int64_t kCombineUnroll = 16;

/// A combine kernel row of at most 4 splits a group (2-4 splits at 8-64
/// rows a batch element) loads this many a trip instead of kCombineUnroll.
constexpr int64_t kCombineFewUnroll = 4;

/// The most 4-column partial chunks a lane of the combine kernel loads in
/// one trip (perLane chunks of each of its unrolled splits: 32 vector
/// loads, 128 registers, at d = 256).
constexpr int64_t kCombineLoadsInFlight = 32;

/// The same for a lane of the last-CTA merge of rows side by side
/// (emitLastCTACombine, which has no other work left): 48, 6 splits of the
/// 8 chunks a lane of 4 takes at d = 128 G = 8, 255 registers without a
/// spill on sm_90.
constexpr int64_t kLastCTALoadsInFlight = 48;

/// Splits one warp of the combine kernel loads in one trip at head dim
/// `headDimV` (its split groups' unrolled splits): 32 at d = 64, 16 at
/// d = 128 and 256.
int64_t combineSplitsPerWarpTrip(int64_t headDimV);

/// Rows one combine CTA merges, for `numSplits` splits (index; the kernel
/// and the host compute it alike): kCombineWarps / W, W = min(kCombineWarps,
/// ceildiv(numSplits, combineSplitsPerWarpTrip)) warps a row: four rows of
/// one warp for a few splits, one row of every warp for a batch-1 decode
/// step's 33 (one trip of loads either way).
mlir::Value emitCombineRowsPerCTA(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value numSplits, int64_t headDimV);

/// emitCombineRowsPerCTA as a manifest expression of num_splits.
std::string combineRowsPerCTAExpression(int64_t headDimV);

/// Whether the combine is a programmatic dependent launch (a combine
/// kernel, sm_90 and up):
/// the splits signal `griddepcontrol.launch_dependents` as they start, so
/// that a launch with the programmatic stream serialization attribute puts
/// the combine's CTAs on the GPU while the splits run (no launch gap), and
/// the combine waits in `griddepcontrol.wait` for the splits to finish and
/// their memory to be visible. Launched without the attribute, both
/// instructions do nothing: the launches are ordered as any two.
bool programmaticCombine(const AttentionKernelSpec &spec);

/// The combine kernel's name for the attention kernel `spec.name`.
std::string combineKernelName(const AttentionKernelSpec &spec);

/// The i32 sizes the combine kernel takes, in argument order: the dynamic
/// ones among heads_q, seq_q and num_splits.
llvm::SmallVector<std::string> combineSizeNames(const AttentionKernelSpec &spec);

/// Builds `gpu.func @<combineKernelName(spec)>` into `module` (beside the
/// attention kernel). Arguments: o_partial, lse_partial, o[, lse] as 1-D
/// memrefs, then the combineSizeNames as i32. Grid x =
/// ceildiv(batch·Hq·Sq, emitCombineRowsPerCTA), 32·kCombineWarps threads.
mlir::gpu::GPUFuncOp buildCombineKernel(mlir::OpBuilder &builder,
                                        mlir::Location loc,
                                        mlir::gpu::GPUModuleOp module,
                                        const AttentionKernelSpec &spec);

/// What one row merge reads and writes (emitCombineRow).
struct CombineRowOperands {
  /// The kernel's buffers: the partials, O and the LSE (null without one).
  mlir::Value oPartial, lsePartial, o, lse;
  /// f32 shared memory of kMaxKVSplits weights per warp, and the warp
  /// (index) whose row of it this merge uses.
  mlir::Value weights, warp;
  /// heads_q, seq_q and the split count (index).
  mlir::Value headsQ, seqQ, numSplits;
  /// The warp merges more than one row with the same weights (a
  /// __syncwarp before it overwrites them).
  bool reusesWeights = false;
  /// Lanes per row: 32 (the warp merges one row: two passes, the L_s
  /// reduced with shuffles into shared weights, then the partials), or 16 /
  /// 8 / 4 (the warp merges 2 / 4 / 8 rows side by side, each lane group of
  /// lanesPerRow lanes one row, in one pass over the splits with a running
  /// maximum and no shared weights; the row index and rowValid are then the
  /// group's).
  int64_t lanesPerRow = 32;
  /// i1: whether this lane group's row exists (its stores are skipped
  /// otherwise; its loads read `row`, which must be a row that exists).
  /// Null: it does.
  mlir::Value rowValid;
};

/// Merges the splits of one (batch, head, query) row `row` (index into the
/// LSE's batch·Hq·Sq rows) by their LSE into O and LSE: one warp, `lane`
/// its lane. The last-CTA combine calls it (the combine kernel has its own
/// merge of a row by several warps, emitCombineKernelRows).
void emitCombineRow(mlir::OpBuilder &b, mlir::Location loc,
                    const AttentionKernelSpec &spec,
                    const CombineRowOperands &ops, mlir::Value row,
                    mlir::Value lane);

/// What the last-CTA combine needs from the attention kernel.
struct LastCTACombineOperands {
  /// The merge's buffers and sizes (warp is set here).
  CombineRowOperands rows;
  /// The i32 arrival counters and this row tile's element of them.
  mlir::Value counter, counterSlot;
  /// i1: whether this CTA counts (false for the repeated CTAs of a grid
  /// folded into y and z); null = every CTA counts.
  mlir::Value counts;
  mlir::Value tid;
  /// The tile's first row and the rows of its (batch, head or group).
  mlir::Value m0, rowsTotal;
  /// The LSE row (batch·Hq·Sq index) of tile row `m0 + r`.
  std::function<mlir::Value(mlir::Value)> tileRowToRow;
};

/// Rows a warp of the last-CTA merge merges side by side (1, 2, 4 or 8):
/// up to 8 of the tile's rows per warp where they are known statically
/// (a G = 8 decode step's 8 packed rows in one pass, not two), so that
/// their loads wait together (the online merge of rows side by side uses
/// no shared memory; one row per warp uses its kMaxKVSplits f32 weights).
int64_t lastCTARowsPerPass(const AttentionKernelSpec &spec);

/// The end of a split CTA with spec.lastCTACombine(): after its partials
/// are stored, every thread fences (gpu scope), the CTA synchronizes, thread
/// 0 adds 1 to its row tile's counter, and a bar.red.or tells every thread
/// whether this CTA was the last of the tile's splits to arrive. That CTA
/// resets the counter to 0, fences, and merges the tile's rows with
/// emitCombineRow (warp w: rows w, w + warps, ...), reusing the start of
/// `rows.weights` (dynamic shared memory the loop no longer reads).
void emitLastCTACombine(mlir::OpBuilder &b, mlir::Location loc,
                        const AttentionKernelSpec &spec,
                        const LastCTACombineOperands &ops);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_COMBINEBUILDER_H
