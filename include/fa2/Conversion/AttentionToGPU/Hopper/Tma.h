//===- Tma.h - Hopper tensor-memory copies, mbarriers, roles ----*- C++ -*-===//
//
// sm_90's bulk tensor copies (TMA: cp.async.bulk.tensor, one thread moves a
// whole box of a tensor described by a 128-byte tensor map) completing on
// shared-memory mbarriers, and what a warp-specialized kernel needs around
// them: a ring of full/empty barrier pairs, one elected thread, the
// warpgroup index made uniform, and register reallocation between roles
// (setmaxnreg, sm_90a).
//
// Tensor maps are kernel parameters passed by value (CUDA's
// __grid_constant__ CUtensorMap). A gpu.func can declare neither llvm.byval
// nor nvvm.grid_constant, and gpu.launch_func wants the host operand's type
// to be the argument's: so the kernel takes each map as a 128-byte value
// (tensorMapValueType, which the host launch passes as the 128 bytes
// themselves), listed in the function attribute kTensorMapParamsAttr, and
// the pass fa2-tensor-map-params (TensorMapParams.cpp) turns those
// parameters into `!llvm.ptr {llvm.byval, nvvm.grid_constant}` once
// convert-gpu-to-nvvm has made the kernel an llvm.func: the PTX parameter
// is then `.param .align 64 .b8 [128]` and TMA reads the map in place.
//
// TmaCopyBuilder is the TMA implementation of TileCopy (TileOps.h): a
// CopyGroup is a phase of one of the kernel's mbarriers, opened before its
// copies by an arrival that expects their bytes, completed by the copies,
// waited for by its parity. The ring's other half (consumers releasing a
// stage: arrive; the producer waiting for the release: waitParity) is
// buffer ownership, not copy completion, and stays with the free functions.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_HOPPER_TMA_H
#define FA2_CONVERSION_ATTENTIONTOGPU_HOPPER_TMA_H

#include "fa2/Conversion/AttentionToGPU/KernelIR.h"
#include "fa2/Conversion/AttentionToGPU/TileOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace fa2::hopper {

/// The kernel attribute listing its tensor-map parameters (an i64 array of
/// argument positions, which are also the PTX parameter positions: the
/// kernel puts them first).
constexpr llvm::StringLiteral kTensorMapParamsAttr = "fa2.tensor_map_params";

/// The type of a tensor map as a kernel argument value: vector<16xi64>.
mlir::Type tensorMapValueType(mlir::MLIRContext *ctx);

/// The nvgpu type of a tensor map whose box is `box` (outermost first, as a
/// memref shape) of `elemTy`, 128-byte swizzle, zero fill out of bounds.
mlir::Type tensorMapType(mlir::MLIRContext *ctx,
                         llvm::ArrayRef<int64_t> box, mlir::Type elemTy);

/// The kernel argument `param` (a tensorMapValueType value) seen as the
/// tensor map type `mapTy`.
mlir::Value castTensorMap(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value param, mlir::Type mapTy);

/// A group of `count` mbarriers in shared memory (a static array).
mlir::Value createBarriers(mlir::OpBuilder &b, mlir::Location loc,
                           int64_t count);
/// mbarrier.init of barrier `index` for `arrivals` arrivals per phase.
void initBarrier(mlir::OpBuilder &b, mlir::Location loc, mlir::Value barriers,
                 mlir::Value index, int64_t arrivals);
/// One arrival that also expects `bytes` of copies to complete the phase.
void arriveExpectBytes(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value barriers, mlir::Value index, int64_t bytes);
/// One plain arrival (a consumer releasing a buffer).
void arrive(mlir::OpBuilder &b, mlir::Location loc, mlir::Value barriers,
            mlir::Value index);
/// Waits until the phase of parity `parity` (an i1) of barrier `index` has
/// completed. A fresh barrier counts its (never run) phase of parity 1 as
/// complete, so producers wait on "empty" with the flipped parity.
void waitParity(mlir::OpBuilder &b, mlir::Location loc, mlir::Value barriers,
                mlir::Value index, mlir::Value parity);

/// A TMA load of the box at `coords` (innermost first: column, row, ...) of
/// the tensor map `map` into the shared tile `dst`, completing on barrier
/// `index` of `barriers`.
void loadBox(mlir::OpBuilder &b, mlir::Location loc, mlir::Value map,
             llvm::ArrayRef<mlir::Value> coords, mlir::Value barriers,
             mlir::Value index, mlir::Value dst);

/// fence.proxy.async.shared::cta: this thread's generic-proxy writes to
/// shared memory become visible to the async proxy (a TMA store reading
/// them), once a barrier orders the fence before the store's issue.
void fenceSharedToAsyncProxy(mlir::OpBuilder &b, mlir::Location loc);

/// prefetch.tensormap: the map's 128 bytes into the copy engine's cache.
void prefetchTensorMap(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value map);

/// The warpgroup of the calling thread (tid / 128), uniform across the warp
/// (a shuffle from lane 0) so that role branches stay warp-uniform for the
/// compiler too.
mlir::Value warpgroupIndex(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value tid);
/// One lane of the calling warp (elect.sync): an i1.
mlir::Value electOne(mlir::OpBuilder &b, mlir::Location loc);
/// setmaxnreg.inc / .dec to `registers` per thread, executed by a whole
/// warpgroup (needs a register cap at entry: nvvm.minctasm with the block
/// size).
void setMaxRegisters(mlir::OpBuilder &b, mlir::Location loc,
                     int64_t registers, bool increase);

/// Named barrier `id` (an i32, 1..15; 0 is the CTA barrier) of `threads`
/// threads: wait until that many have arrived or waited (bar.sync), or
/// arrive without waiting (bar.arrive). Executed by whole warps.
void namedBarrierSync(mlir::OpBuilder &b, mlir::Location loc, mlir::Value id,
                      int64_t threads);
void namedBarrierArrive(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value id, int64_t threads);

/// The i64 shared-window byte address of a shared memref's first element
/// (for wgmma descriptors).
mlir::Value sharedAddress(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value smem);

/// Builds TMA box copies into shared memory that complete on the mbarrier
/// array `barriers` (createBarriers).
class TmaCopyBuilder : public KernelIRBuilder, public TileCopy {
public:
  TmaCopyBuilder(mlir::OpBuilder &b, mlir::Location loc, mlir::Value barriers)
      : KernelIRBuilder(b, loc), barriers(barriers) {}

  /// Opens `group`'s phase for `bytes` bytes of copies: the barrier's one
  /// arrival of the phase, which also adds the bytes the phase then waits
  /// for (mbarrier.arrive.expect_tx), issued before the group's copies.
  void expectBytes(const CopyGroup &group, int64_t bytes);
  /// Issues the copy of the box at `coords` (innermost first: column, row,
  /// ...) of the tensor map `map` into the shared tile `dst`, completing
  /// on `group`'s barrier.
  void copyBox(mlir::Value map, llvm::ArrayRef<mlir::Value> coords,
               const CopyGroup &group, mlir::Value dst);
  /// Waits until `group`'s phase (of its parity) has completed; `pending`
  /// must be 0.
  void wait(const CopyGroup &group, int32_t pending) override;

  /// The other direction, shared to global (the epilogue's TMA store):
  /// issues the store of the shared tile `src` to the box at `coords`
  /// (innermost first) of `map`. Out-of-bounds parts of the box are not
  /// written. The stores issued since the last commit form a bulk group.
  void storeBox(mlir::Value map, llvm::ArrayRef<mlir::Value> coords,
                mlir::Value src);
  /// cp.async.bulk.commit_group: closes the issuing thread's bulk group.
  void commitStores();
  /// cp.async.bulk.wait_group.read: waits until at most `pending` of the
  /// issuing thread's bulk groups still read their shared sources (the
  /// tiles may then be overwritten; the global writes may still be in
  /// flight, and complete before the kernel's end).
  void waitStoresRead(int32_t pending);

private:
  mlir::Value barriers;
};

} // namespace fa2::hopper

#endif // FA2_CONVERSION_ATTENTIONTOGPU_HOPPER_TMA_H
