//===- MmaSync.h - mma.sync fragments, ldmatrix, multiply -------*- C++ -*-===//
//
// The matrix building block of the sm_80+ kernel (upstream's NVGPU
// MmaSyncBuilder and Triton's MMAv2 files play the same part): which lane
// holds which rows and columns of an m16n8k16 fragment, the ldmatrix loads
// of A and B fragments from a SharedTileLayout tile (AsyncCopy.h), and the
// warp-level multiply (nvgpu.mma.sync for f16; nvvm.mma.sync with packed
// i32 operands for bf16), also for operands held as several 16-bit pieces
// (SplitOperands.h).
//
// Fragment maps (PTX ISA, "Matrix Fragments for mma.m16n8k16"), with
// g = lane / 4 and t = lane % 4:
//   accumulator C/D (vector<2x2xf32>): element (i, e) is row g + 8i,
//                                      column 2t + e
//   A (vector<4x2xT>):  register q: rows g (+8 if q odd), columns 2t..2t+1
//                       (+8 if q >= 2): the accumulators of two n8 tiles
//                       side by side, converted to 16 bits, are an A
//                       fragment (P·V takes P from registers)
//   B (vector<2x2xT>):  register q: column g, rows 2t..2t+1 (+8 if q = 1)
// ldmatrix.x4: lanes 8i..8i+7 address the rows of 8x8 matrix i:
//   A (and V through .trans): matrix i = rows +8·(i%2), chunk +(i/2)
//   B (K):                    matrix i = rows +8·(i/2), chunk +(i%2)
// so that registers 0..3 are the fragments in PTX's order.
//
// MmaSyncBuilder is the mma.sync implementation of TileMma (TileOps.h):
// the kernel's row fragments, accumulators and multiply-accumulate go
// through that interface, with ldmatrix fragments as register operands
// (MmaOperand::registers); mma.sync is synchronous, so the interface's
// fence / commit / wait are its no-ops. WgmmaBuilder (Hopper/Wgmma.h) is
// the other implementation: its accumulators have this layout per warp
// (the same quads; RowFragments::wgmma), its operands are shared-memory
// descriptors or, for A, registers.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_MMASYNC_H
#define FA2_CONVERSION_ATTENTIONTOGPU_MMASYNC_H

#include "fa2/Conversion/AttentionToGPU/AsyncCopy.h"
#include "fa2/Conversion/AttentionToGPU/KernelIR.h"
#include "fa2/Conversion/AttentionToGPU/TileOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

namespace fa2 {

/// A lane of a warp as mma.sync and ldmatrix.x4 see it.
struct MmaSyncLanes {
  mlir::Value g;       // lane / 4: accumulator rows g, g + 8
  mlir::Value t;       // lane % 4: accumulator columns 2t, 2t + 1
  mlir::Value lane8;   // lane % 8: the row of an 8x8 matrix it addresses
  mlir::Value laneMid; // (lane / 8) % 2
  mlir::Value laneHi;  // lane / 16
};

/// The m16n8k16 fragment maps as offsets from a tile's origin.
struct MmaSyncFragments {
  /// Rows of an m tile, columns of an n tile, k of a k-step.
  static constexpr int64_t kM = 16, kN = 8, kK = 16;
  /// Row of accumulator element (half, ·) of m tile `mt`, minus g.
  static constexpr int64_t accRow(int64_t mt, int64_t half) {
    return mt * kM + 8 * half;
  }
  /// Column of accumulator element (·, e) of n tile `nt`, minus 2t.
  static constexpr int64_t accColumn(int64_t nt, int64_t e) {
    return nt * kN + e;
  }
};

/// Builds mma.sync m16n8k16 operand loads and multiplies on `elemTy`
/// (f16 or bf16) operands.
class MmaSyncBuilder : public KernelIRBuilder, public TileMma {
public:
  MmaSyncBuilder(mlir::OpBuilder &b, mlir::Location loc, mlir::Type elemTy)
      : KernelIRBuilder(b, loc), elemTy(elemTy) {}

  /// `tiles` m16 tiles per warp: rows g and g + 8 of each, a row in the 4
  /// lanes of a quad (RowFragments::mmaSync).
  RowFragments rowFragments(int64_t tiles) override;
  /// One m16n8 tile: vector<2x2xf32>; `n` must be 8 (kN).
  mlir::Type accumulatorType(int64_t n) override;
  /// An arith.constant of zeros of that type.
  mlir::Value zeroAccumulator(int64_t n) override;
  /// vector<2x2xf32> (the accumulator), vector<4x2xT> (A, or two B),
  /// vector<2x2xT> (B).
  mlir::VectorType accumulatorTileType();
  mlir::VectorType fragmentType();
  mlir::VectorType pairType();

  /// The lane's roles, from `lane` (tid % 32).
  MmaSyncLanes lanesOf(mlir::Value lane);
  /// The tile row a lane addresses in an ldmatrix.x4 of A fragments (and of
  /// V's B fragments, through .trans): lane8 + 8·laneMid; of K's B
  /// fragments: lane8 + 8·laneHi.
  mlir::Value ldmatrixRowA(const MmaSyncLanes &lanes);
  mlir::Value ldmatrixRowB(const MmaSyncLanes &lanes);

  /// A lane's element offset of the chunk an ldmatrix k-step reads, as a
  /// register part and a constant part.
  struct ChunkOffset {
    mlir::Value lane;
    int64_t constant;
  };
  /// The chunk offsets of k-steps 0..steps-1: chunk 2·step + laneChunk of a
  /// row whose index is ≡ lane8 (mod 8). Under XOR only the low 3 bits of
  /// the chunk are permuted, so steps st and st+4 differ by the constant 64
  /// elements: 4 live offsets at most, the rest are immediates.
  llvm::SmallVector<ChunkOffset>
  chunkOffsets(AsyncCopyBuilder &copies, const SharedTileLayout &l,
               mlir::Value lane8, mlir::Value laneChunk, int64_t steps);
  /// base + chunk + extra, with the constants summed last so that LLVM keeps
  /// base + chunk.lane as one loop-invariant register and folds the rest
  /// into ldmatrix's immediate offset.
  mlir::Value chunkAddress(mlir::Value base, const ChunkOffset &chunk,
                           int64_t extra);

  /// ldmatrix.x4 (transposed with `transpose`) of the shared `tile` at
  /// element `offset`: an A fragment, or the B fragments of two n8 tiles.
  mlir::Value ldmatrix(mlir::Value tile, mlir::Value offset, bool transpose);
  /// Rows `first` and `first+1` of a vector<4x2xT> as a vector<2x2xT>.
  mlir::Value pairOf(mlir::Value frag4, int64_t first);
  /// The B operands of one n16 tile for each operand piece: an ldmatrix.x4
  /// (transposed for V) at `offset + p·plane`, split into the two n8
  /// halves' register pairs, appended to b0 and b1.
  void loadBPieces(mlir::Value tile, mlir::Value laneBase,
                   const ChunkOffset &chunk, int64_t offset, int64_t plane,
                   bool transpose, int64_t pieces,
                   llvm::SmallVector<mlir::Value> &b0,
                   llvm::SmallVector<mlir::Value> &b1);

  /// One warp-level m16n8k16 multiply-accumulate: acc + a·bOp.
  mlir::Value mma(mlir::Value a, mlir::Value bOp, mlir::Value acc);
  /// a·b + acc for operands held as `a.size()` 16-bit pieces each: one mma
  /// per piece product (pieceProducts). Split operands sum their products
  /// from zero and add that to `acc` with one f32 add (round to nearest):
  /// the tensor cores add into their accumulator truncating (round toward
  /// zero), so the six mma per k-step of three bf16 pieces (the scheme
  /// before the f16 pieces) straight into S or O left a bias of one ulp of
  /// the accumulator per mma, 3-8x the f32 math path's error against f64
  /// (H200, bench/f32.py); from zero, each k-step's truncation is relative
  /// to its own, smaller, partial sum. With `factor` (f32), the sum is
  /// multiplied by it in the same rounding (an FMA): the inverse group
  /// scales of split operands.
  /// `a` and `bOps` are register operands (MmaOperand::registers): A
  /// fragments and B register pairs, one per piece.
  mlir::Value multiplyAccumulate(const MmaOperand &a, const MmaOperand &bOps,
                                 mlir::Value acc,
                                 mlir::Value factor = {}) override;

private:
  mlir::Type elemTy;
};

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_MMASYNC_H
