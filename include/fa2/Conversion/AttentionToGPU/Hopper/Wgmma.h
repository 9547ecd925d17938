//===- Wgmma.h - Hopper warpgroup MMA building blocks -----------*- C++ -*-===//
//
// sm_90a's asynchronous warpgroup MMA (wgmma.mma_async) as IR builders: the
// shared-memory matrix descriptors of 128-byte-swizzled tiles, the SS form
// (both operands in shared memory, nvvm.wgmma.mma_async), the RS form (A from
// registers, an llvm.inline_asm: MLIR 22 has no op for it), the accumulator
// as an LLVM struct of f32, and the fence / commit / wait that order them.
//
// The m64nN f32 accumulator of a warpgroup holds, in thread (warp w of the
// warpgroup, lane l), element i at row 16w + l/4 + 8·((i%4)/2) and column
// 8·(i/4) + 2·(l%4) + i%2: n8 tile i/4 of mma.sync's m16n8 C layout. So an
// accumulator is N/8 mma.sync tiles side by side, and the RS A operand of
// k16 slice kk is the 16-bit pairs of its elements [8kk, 8kk+8).
//
// WgmmaBuilder is the wgmma implementation of TileMma (TileOps.h): its
// operands are MmaOperands holding a descriptor (SS; B of RS) or A's four
// b32 registers (RS), its products are only issued, and the kernel orders
// them with the interface's fence / commit / wait and the operand fences.
// The free functions below are the instructions it is built from.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_HOPPER_WGMMA_H
#define FA2_CONVERSION_ATTENTIONTOGPU_HOPPER_WGMMA_H

#include "fa2/Conversion/AttentionToGPU/KernelIR.h"
#include "fa2/Conversion/AttentionToGPU/TileOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace fa2::hopper {

/// Bytes of one row of a 128-byte-swizzled tile: 64 16-bit elements. Tiles
/// wider than that are stored as side-by-side sub-tiles of 64 columns.
constexpr int64_t kSwizzleBytes = 128;
/// The swizzle pattern repeats every 8 rows: tiles start 1024-byte aligned.
constexpr int64_t kSwizzleAtomBytes = 8 * kSwizzleBytes;

/// The 64-bit wgmma matrix descriptor of a 128-byte-swizzled tile starting
/// at `smemAddress` (an i64 shared-window byte address, 1024-byte aligned):
/// start >> 4 in bits 0-13, the leading byte offset >> 4 in 16-29, the
/// stride byte offset >> 4 in 32-45, swizzle mode 1 (128 B) in 62-63.
/// K-major: LBO unused (1), SBO = 1024 (8-row groups). MN-major: LBO = bytes
/// between 64-element M/N sub-tiles, SBO = 1024 (8 K-rows).
mlir::Value matrixDescriptor(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value smemAddress, int64_t leadingBytes,
                             int64_t strideBytes);

/// `desc` moved by `bytes` (a multiple of 16) inside its tile: K-major k16
/// steps are +32 B within a 128-byte row, MN-major ones +16 rows (2048 B).
mlir::Value advanceDescriptor(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value desc, int64_t bytes);

/// The f32 accumulator of one m64nN wgmma: N/2 f32 per thread.
mlir::Type accumulatorType(mlir::MLIRContext *ctx, int64_t n);
/// An accumulator of zeros.
mlir::Value zeroAccumulator(mlir::OpBuilder &b, mlir::Location loc, int64_t n);
/// The accumulator's N/2 elements, and back.
llvm::SmallVector<mlir::Value> accumulatorElements(mlir::OpBuilder &b,
                                                   mlir::Location loc,
                                                   mlir::Value acc);
mlir::Value accumulatorFromElements(mlir::OpBuilder &b, mlir::Location loc,
                                    llvm::ArrayRef<mlir::Value> elems);

/// acc (+)= A·B for one k16 step, both operands in shared memory (SS): A is
/// a K-major m64k16 tile, B a k16nN tile of `bMajor`. With `accumulate`
/// false the accumulator's input is ignored (scale-d = 0).
mlir::Value mmaSS(mlir::OpBuilder &b, mlir::Location loc, mlir::Value acc,
                  mlir::Value descA, mlir::Value descB, int64_t n,
                  mlir::Type elemTy, bool accumulate, OperandMajor bMajor);

/// acc += A·B for one k16 step with A from registers (RS): `a` are the four
/// b32 registers of the m64k16 A fragment (packPair), B a k16nN tile in
/// shared memory of `bMajor`. An llvm.inline_asm whose accumulators are
/// tied outputs: nvvm.wgmma.mma_async takes A only as a descriptor.
mlir::Value mmaRS(mlir::OpBuilder &b, mlir::Location loc, mlir::Value acc,
                  llvm::ArrayRef<mlir::Value> a, mlir::Value descB, int64_t n,
                  mlir::Type elemTy, OperandMajor bMajor);

/// Two f32 rounded to `elemTy` (f16/bf16) and packed into one b32 register,
/// `lo` in the low half: one register of a wgmma / mma.sync A fragment.
mlir::Value packPair(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lo,
                     mlir::Value hi, mlir::Type elemTy);

/// The RS A fragment of k16 slice `kk` of an m64nN accumulator's elements
/// (f32, converted to `elemTy`): registers (8kk+2m, 8kk+2m+1), m = 0..3.
llvm::SmallVector<mlir::Value, 4> fragmentOfSlice(mlir::OpBuilder &b,
                                                  mlir::Location loc,
                                                  llvm::ArrayRef<mlir::Value> p,
                                                  int64_t kk,
                                                  mlir::Type elemTy);

/// `values` (f32 or i32 registers) passed through an empty side-effecting
/// asm that reads and rewrites them: placed right after a wgmma.wait_group,
/// it keeps the compiler from reading an accumulator before the wait or
/// reusing an A fragment's registers while a wgmma may still read them
/// (CUTLASS's warpgroup_fence_operand).
llvm::SmallVector<mlir::Value> fenceOperands(mlir::OpBuilder &b,
                                             mlir::Location loc,
                                             llvm::ArrayRef<mlir::Value> values);
/// fenceOperands on every element of an accumulator.
mlir::Value fenceAccumulator(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value acc);

/// wgmma.fence: before the first wgmma that reads registers (accumulators,
/// A fragments) written by other instructions.
void fence(mlir::OpBuilder &b, mlir::Location loc);
/// wgmma.commit_group: the wgmmas issued since the last commit form a group.
void commitGroup(mlir::OpBuilder &b, mlir::Location loc);
/// wgmma.wait_group: until at most `pending` groups are in flight.
void waitGroup(mlir::OpBuilder &b, mlir::Location loc, int64_t pending);

/// Builds wgmma m64nNk16 products of `elemTy` (f16 or bf16) operands into
/// f32 accumulators, for the warpgroup of the calling thread.
class WgmmaBuilder : public KernelIRBuilder, public TileMma {
public:
  WgmmaBuilder(mlir::OpBuilder &b, mlir::Location loc, mlir::Type elemTy)
      : KernelIRBuilder(b, loc), elemTy(elemTy) {}

  /// One m64 tile per warpgroup: rows g and g + 8 of the warp's 16, in the
  /// lanes of a quad (RowFragments::wgmma); `tiles` must be 1.
  RowFragments rowFragments(int64_t tiles) override;
  /// The m64nN accumulator: an LLVM struct of N/2 f32.
  mlir::Type accumulatorType(int64_t n) override;
  mlir::Value zeroAccumulator(int64_t n) override;
  /// Issues acc + a·b: SS where `a` is a descriptor (K-major), RS where it
  /// is four b32 registers; `b` is a descriptor of its OperandMajor. N is
  /// the accumulator's. No `factor`: split operands are mma.sync's.
  mlir::Value multiplyAccumulate(const MmaOperand &a, const MmaOperand &b,
                                 mlir::Value acc,
                                 mlir::Value factor = {}) override;
  /// SS: issues a·b with scale-d = 0 (the accumulator's registers are not
  /// read); RS: acc = 0, then multiplyAccumulate.
  mlir::Value multiply(const MmaOperand &a, const MmaOperand &b,
                       int64_t n) override;

  void fence() override;
  void commit() override;
  void wait(int64_t pending) override;
  mlir::Value fenceAccumulator(mlir::Value acc) override;
  llvm::SmallVector<mlir::Value>
  fenceOperands(llvm::ArrayRef<mlir::Value> values) override;

  /// The accumulator's N/2 elements (element i: row wgmmaRow(i) of the
  /// thread, column 8·(i/4) + 2t + i%2), and back.
  llvm::SmallVector<mlir::Value> accumulatorElements(mlir::Value acc);
  mlir::Value accumulatorFromElements(llvm::ArrayRef<mlir::Value> elems);
  /// The four registers of the RS A operand of k16 slice `kk` of
  /// accumulator elements `p` (f32, rounded to the element type):
  /// fragmentOfSlice.
  llvm::SmallVector<mlir::Value, 4>
  sliceFragment(llvm::ArrayRef<mlir::Value> p, int64_t kk);

private:
  mlir::Type elemTy;
};

} // namespace fa2::hopper

#endif // FA2_CONVERSION_ATTENTIONTOGPU_HOPPER_WGMMA_H
