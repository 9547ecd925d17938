//===- TileOps.h - the target building blocks behind one interface -*- C++ -*-===//
//
// The two building blocks a FlashAttention kernel asks of its target, as
// abstract interfaces the kernel emitters call (upstream's NVGPU
// MmaSyncBuilder and Triton's per-variant MMA files play the same part):
//
//   TileMma   the thread's share of a tile product: where its accumulator
//             rows sit (RowFragments, what the online softmax reduces
//             over), the accumulator of n columns, multiply(-accumulate)
//             of two operand handles (MmaOperand), and the issue / commit
//             / wait of an asynchronous unit
//               MmaSyncBuilder (MmaSync.h): mma.sync m16n8k16, ldmatrix
//                 fragments in registers, synchronous
//               WgmmaBuilder (Hopper/Wgmma.h): wgmma m64nNk16, shared-memory
//                 descriptors (SS) or register fragments for A (RS), issued
//                 asynchronously in commit groups
//   TileCopy  the completion of asynchronous copies into shared memory,
//             tracked as CopyGroups
//               AsyncCopyBuilder (AsyncCopy.h): cp.async chunks of a
//                 thread's rows; a group is a commit group, closed after
//                 its copies, waited for by how many newer groups may
//                 stay in flight
//               TmaCopyBuilder (Hopper/Tma.h): one thread's tensor-map box
//                 copies; a group is an mbarrier phase, opened before its
//                 copies with the bytes they bring, waited for by parity
//
// The split follows the hardware and the two projects: Triton lowers
// MMAv2 and WGMMA in separate files behind one dot op (WGMMA's operands are
// shared-memory descriptors or registers, its waits name the operands that
// must stay untouched: warp_group_dot_wait), and upstream NVGPU has
// separate ops for cp.async groups (device_async_create_group / wait) and
// TMA (tma.async.load on an mbarrier, arrive.expect_tx, try_wait.parity).
// So what the kernels share through these interfaces is the product
// (operands as handles, accumulators as types) and the wait for copies;
// how operands reach registers or descriptors, and how a copy addresses
// its source (a thread's chunks of rows; a tensor map's box), stay with
// each implementation, called by the kernel that knows its tiles.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_TILEOPS_H
#define FA2_CONVERSION_ATTENTIONTOGPU_TILEOPS_H

#include "fa2/Conversion/AttentionToGPU/OnlineSoftmax.h"

#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace fa2 {

/// A group of asynchronous copies into shared memory that complete
/// together, as its builder tracks it.
struct CopyGroup {
  /// cp.async: the commit group (null: nothing was committed, nothing to
  /// wait for).
  mlir::Value token;
  /// TMA: the mbarrier (an index into the kernel's barrier array) whose
  /// phase completes when the group's bytes have landed, and the parity
  /// (an i1) of that phase, which a wait names.
  mlir::Value barrier, parity;

  static CopyGroup committed(mlir::Value token) { return {token, {}, {}}; }
  static CopyGroup phase(mlir::Value barrier, mlir::Value parity) {
    return {{}, barrier, parity};
  }
};

/// Waits for asynchronous copies into shared memory.
class TileCopy {
public:
  virtual ~TileCopy() = default;

  /// Waits until `group`'s copies have landed: a commit group until at
  /// most `pending` groups (the newest) are still in flight; an mbarrier
  /// phase until it has completed (`pending` 0: a phase completes whole).
  virtual void wait(const CopyGroup &group, int32_t pending) = 0;
};

/// Which dimension of a shared-memory operand tile is contiguous: K (the
/// reduction dim; Q and K of Q·Kᵀ) or M/N (V of P·V, whose rows are keys).
enum class OperandMajor { K, MN };

/// One operand of a tile product as the matrix unit reads it: fragments in
/// registers (mma.sync's ldmatrix results, one per 16-bit piece of a split
/// operand; wgmma RS's A, four b32 registers) or a shared-memory matrix
/// descriptor (wgmma's SS operands and RS's B).
struct MmaOperand {
  enum class Source { Registers, Shared };
  Source source = Source::Registers;
  /// Registers: the fragments; Shared: the descriptor alone.
  llvm::SmallVector<mlir::Value, 4> values;
  /// Shared: which dimension of the tile is contiguous.
  OperandMajor major = OperandMajor::K;

  static MmaOperand registers(llvm::ArrayRef<mlir::Value> fragments) {
    MmaOperand op;
    op.values.assign(fragments.begin(), fragments.end());
    return op;
  }
  static MmaOperand shared(mlir::Value descriptor, OperandMajor major) {
    MmaOperand op;
    op.source = Source::Shared;
    op.values.push_back(descriptor);
    op.major = major;
    return op;
  }
};

/// The matrix unit's tile product as the thread sees it. A synchronous
/// unit (mma.sync) has its results when multiplyAccumulate returns, and
/// fence / commit / wait do nothing; an asynchronous one (wgmma) only
/// issues there, and its accumulators may be read, and its register
/// operands rewritten, only after a wait that covers their group and the
/// fences that order the reads after it.
class TileMma {
public:
  virtual ~TileMma() = default;

  /// Where the thread holds its accumulator rows for `tiles` row tiles,
  /// and which lanes share a row.
  virtual RowFragments rowFragments(int64_t tiles) = 0;
  /// The thread's f32 accumulator of one product of `n` columns.
  virtual mlir::Type accumulatorType(int64_t n) = 0;
  /// That accumulator holding zeros.
  virtual mlir::Value zeroAccumulator(int64_t n) = 0;
  /// acc + a·b (a k-step). Operands held in `a.values.size()` 16-bit
  /// pieces each (split operands) sum every piece product; with `factor`
  /// (f32), the product is scaled by it before it is added.
  virtual mlir::Value multiplyAccumulate(const MmaOperand &a,
                                         const MmaOperand &b, mlir::Value acc,
                                         mlir::Value factor = {}) = 0;
  /// a·b into a fresh accumulator of `n` columns (the first k-step).
  virtual mlir::Value multiply(const MmaOperand &a, const MmaOperand &b,
                               int64_t n) {
    return multiplyAccumulate(a, b, zeroAccumulator(n));
  }

  /// Before the first product issued after other instructions wrote its
  /// register operands or accumulator (wgmma.fence).
  virtual void fence() {}
  /// Closes the products issued since the last commit into a group.
  virtual void commit() {}
  /// Waits until at most `pending` committed groups (the newest) are in
  /// flight.
  virtual void wait(int64_t pending) { (void)pending; }
  /// `acc` as read after the last wait: the compiler may not move its
  /// reads above that wait.
  virtual mlir::Value fenceAccumulator(mlir::Value acc) { return acc; }
  /// Register operands kept alive, and their registers untouched, until
  /// the last wait (the groups that read them have finished).
  virtual llvm::SmallVector<mlir::Value>
  fenceOperands(llvm::ArrayRef<mlir::Value> values) {
    return llvm::SmallVector<mlir::Value>(values.begin(), values.end());
  }
};

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_TILEOPS_H
