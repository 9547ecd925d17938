//===- KernelTiling.h - the kernel's grid and K/V loop ----------*- C++ -*-===//
//
// The target-independent tiling of FlashAttention-2's forward kernel, as
// data the kernel emitters iterate:
//
//   grid:   x = query block (causal: the heaviest first) [· K/V split],
//           y (·z when folded) = batch·heads, or (batch, K/V head) with
//           packed GQA rows                            -> CTAWork
//   loop:   K/V blocks [begin, end) of the CTA's rows: the visible key
//           range of MaskSemantics (blocks outside are skipped), cut to
//           this CTA's split with split-KV              -> KVBlockRange
//   blocks: each visited block is unmasked (every key visible to every
//           row, none past Sk) or masked; the loop is one scf.for testing
//           each block, or two (unmasked, then masked)  -> KVLoopPart
//
// Nothing here depends on the matrix unit: the mma.sync emitter
// (KernelBuilder.cpp) and the wgmma one (HopperKernelBuilder.cpp) both
// decode their grid and K/V range here; the wgmma one's persistent grid
// (a loop over linear tile indices per CTA) too (workOf, persistentTile).
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_KERNELTILING_H
#define FA2_CONVERSION_ATTENTIONTOGPU_KERNELTILING_H

#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"
#include "fa2/Conversion/AttentionToGPU/KernelIR.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace fa2 {

/// What one CTA computes, decoded from its block index.
struct CTAWork {
  /// The query block (row tile) and its first row m0 (rows of the
  /// problem: query positions, or G·Sq packed rows).
  mlir::Value qBlock, m0;
  /// Rows of the whole problem for this (batch, head or group): Sq, or G·Sq.
  mlir::Value rowsTotal;
  /// Split-KV: this CTA's split and the number of splits (null without).
  mlir::Value splitIdx, numSplits;
  /// The (batch, query head) of row 0 (with packed rows: the group's first
  /// head), its batch, query head and K/V head.
  mlir::Value bh, batchIdx, h, hkv;
};

/// How the kernel treats a visited K/V block's scores.
enum class BlockMask {
  /// No positional or tail mask (blocks every key of which is visible to
  /// every row of the CTA).
  None,
  /// The mask, unconditionally.
  Always,
  /// A uniform branch per block on KVBlockRange::needsMask.
  PerBlock,
};

/// The K/V blocks a CTA visits, and which of them need the mask.
struct KVBlockRange {
  /// The first block (null: 0) and the end of the range.
  mlir::Value begin, end;
  /// Whether any visited block may need a mask (the Sk tail, or a
  /// positional mask).
  bool anyMask = false;
  /// Block j needs a mask iff (j+1)·Bc > maskFrom ...
  mlir::Value maskFrom;
  /// ... or j·Bc < maskBelow (null without a lower diagonal bound).
  mlir::Value maskBelow;
};

/// One scf.for of the K/V loop: blocks [begin, end), masked as `mask`
/// says. The parts run one after the other, the state flowing through.
struct KVLoopPart {
  mlir::Value begin, end;
  BlockMask mask;
};

/// Builds the grid decoding and the K/V range of `spec`'s kernel.
class KernelTiling : public KernelIRBuilder {
public:
  KernelTiling(mlir::OpBuilder &b, mlir::Location loc,
               const AttentionKernelSpec &spec)
      : KernelIRBuilder(b, loc), spec(spec), s(spec.schedule),
        sem(spec.maskSemantics()) {}

  /// Decodes the CTA's work from its block index. `sizeValue` gives a size
  /// by its manifest name (num_splits is asked for only with split-KV);
  /// `q`, `o` are the kernel's Q and O buffers (the y/z fold reads
  /// batch·heads from their sizes when the batch is dynamic).
  CTAWork decodeGrid(mlir::Value Hq, mlir::Value Hkv, mlir::Value Sq,
                     llvm::function_ref<mlir::Value(llvm::StringRef)> sizeValue,
                     mlir::Value q, mlir::Value o);

  /// GPUSchedule::headSectionBytes: renumbers the CTA at (x = `qBlock`,
  /// `bh`) of a causal grid of `numQBlocks` x `numBH` so that each section
  /// of heads runs its heads' heaviest query blocks first. Sets `qBlock` to
  /// the block's rank by weight (0 = the heaviest) and `bh` to its head.
  void orderByHeadSections(mlir::Value &qBlock, mlir::Value &bh,
                           mlir::Value numQBlocks, mlir::Value numBH,
                           mlir::Value Sk);

  /// batch·Hq, the number of (batch, head) pairs: a constant with a static
  /// batch, else read off the size of `o` (or `q`, whose rows are what
  /// packed GQA rows and split-KV count) over Sq·d.
  mlir::Value batchHeads(mlir::Value Hq, mlir::Value Sq, mlir::Value q,
                         mlir::Value o);

  /// A persistent grid's work: tile `tile` of `numTiles` =
  /// ceildiv(Sq, Br)·batch·Hq (neither packed GQA rows nor split-KV). The
  /// query blocks of one batch·head are consecutive tiles (their CTAs share
  /// its K/V in L2), as the grid's x; causal: tile t is batch·head t % BH's
  /// (t / BH)-th heaviest query block, so that every CTA starts on the
  /// longest K/V ranges.
  ///
  /// Decode (packed GQA rows or split-KV; `numSplits` null without
  /// split-KV): tile = (split·BH + group)·QB + row tile, BH = batch·Hkv
  /// packed groups (else batch·Hq), QB = ceil(rows / Br): a group's row
  /// tiles on consecutive tiles, the splits outermost.
  CTAWork workOf(mlir::Value tile, mlir::Value numTiles, mlir::Value Hq,
                 mlir::Value Hkv, mlir::Value Sq,
                 mlir::Value numSplits = mlir::Value());

  /// A persistent grid's loop: this CTA's tiles blockIdx.x, + gridDim.x,
  /// ... below `numTiles`, carrying `inits`. `body` builds one tile from
  /// its index and the carried values, and returns the next carried values.
  void persistentTile(
      mlir::Value numTiles, mlir::ValueRange inits,
      llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value tile,
                                                         mlir::ValueRange)>
          body);

  /// The query position of row `row` of the problem: the row itself, or
  /// with packed GQA rows row / G (position-major: the mma.sync decode
  /// tile's order, query head row % G) or row % Sq (head-major: the wgmma
  /// kernel's, headMajorRows).
  mlir::Value queryPos(mlir::Value row);
  /// Split-KV: the row of the scratch partials (o_partial, lse_partial:
  /// [batch, heads_q, seq_q, num_splits, ...]) where `work`'s split writes
  /// the row whose LSE element is `lseRow`: lseRow·S + split.
  mlir::Value partialRow(mlir::Value lseRow, const CTAWork &work);
  /// Whether packed GQA rows are head-major (row = g·Sq + position, Sq
  /// static): the order in which a group's rows are consecutive in a bhsd
  /// tensor, so that one tensor-map box of the wgmma kernel reads them
  /// (HopperKernelBuilder.cpp), and the order of the LSE and of the
  /// split-KV scratch.
  bool headMajorRows() const { return s.packGQA && s.wgmma(); }

  /// The visited K/V blocks of `work`'s rows (MaskSemantics' diagonal
  /// bounds; the split's share with split-KV) and the mask bounds.
  KVBlockRange kvRange(const CTAWork &work, mlir::Value Sq, mlir::Value Sk);

  /// The loops over `range`: one testing each block (PerBlock, or None
  /// without any mask), or, where the schedule splits the masked loop and
  /// no lower bound needs masked blocks at the start, the unmasked blocks
  /// then the masked ones. Builds the split point; call it right before the
  /// loops are built.
  llvm::SmallVector<KVLoopPart, 2> loopParts(const KVBlockRange &range);

  /// Whether block j (its first key `kvStart` = j·Bc) needs the mask (an
  /// i1): the per-block test of BlockMask::PerBlock. `kvStart` is read only
  /// with a lower diagonal bound (range.maskBelow); null otherwise is fine.
  mlir::Value needsMask(const KVBlockRange &range, mlir::Value j,
                        mlir::Value kvStart);

private:
  /// The smallest query position among the rows of the tile starting at
  /// row `m0` (a lower bound where the tile's rows are head-major).
  mlir::Value firstQueryPos(mlir::Value m0);
  /// The (batch, K/V head) of packed group `group` (batch·Hkv + K/V head),
  /// its first query head and (batch, head), and the row tile's first row,
  /// into `w`.
  void decodePackedGroup(CTAWork &w, mlir::Value qBlock, mlir::Value group,
                         mlir::Value Hq, mlir::Value Hkv);
  /// The (batch, query head, K/V head) of batch·head `bh` (no packed rows),
  /// and the query block's first row, into `w`.
  void decodeHeads(CTAWork &w, mlir::Value qBlock, mlir::Value bh,
                   mlir::Value Hq, mlir::Value Hkv);

  const AttentionKernelSpec &spec;
  const GPUSchedule &s;
  MaskSemantics sem;
};

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_KERNELTILING_H
