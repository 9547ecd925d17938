//===- HopperKernelBuilder.h - the sm_90a warp-specialized kernel -*- C++ -*-=//
//
// The attention kernel on Hopper's own instructions (schedule field
// mma = wgmma): TMA copies into an mbarrier-guarded K/V ring issued by a
// producer warpgroup, consumer warpgroups of 64 query rows each computing
// S = Q·Kᵀ by SS wgmma and O += P·V by RS wgmma (P from the softmax's
// registers). The tiling (grid over query blocks × batch·heads, the K/V
// range, the per-block mask decision) and the online softmax are
// FlashAttention-2's, as in KernelBuilder.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_HOPPERKERNELBUILDER_H
#define FA2_CONVERSION_ATTENTIONTOGPU_HOPPERKERNELBUILDER_H

#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"

#include <string>

namespace fa2 {

/// Why the wgmma kernel cannot serve `spec` (its schedule aside), or an
/// empty string when it can: 16-bit inputs, equal head dims that are
/// multiples of 64 up to 256, no mask operand, window or fill, no packed
/// GQA rows or split-KV. The mma.sync kernel serves the rest.
std::string hopperKernelUnsupported(const AttentionKernelSpec &spec);

/// Names of the kernel's tensor-map parameters, in order: each is a
/// 128-byte CUtensorMap passed by value (docs/manifest.md, "tensor_map").
/// O's map (the TMA-store epilogue) follows V's.
llvm::SmallVector<llvm::StringRef, 4>
hopperTensorMaps(const AttentionKernelSpec &spec);

/// Builds `gpu.func @<spec.name>` inside `module` (empty). Arguments: the
/// tensor maps of q, k, v[, o] (128-byte values,
/// hopper::tensorMapValueType; o with epilogue = tma_store), then o[, lse]
/// as 1-D memrefs, then one i32 per dynamic size.
mlir::gpu::GPUFuncOp buildHopperAttentionKernel(mlir::OpBuilder &builder,
                                                mlir::Location loc,
                                                mlir::gpu::GPUModuleOp module,
                                                const AttentionKernelSpec &spec);

/// The box (in elements, innermost first: columns, rows, 1, 1) each TMA
/// copy of `buffer` ("q", "k", "v" or "o") moves: 64 columns (one 128-byte
/// swizzle row) by the rows of one consumer warpgroup (q, o) or one K/V
/// block.
llvm::SmallVector<int64_t, 4> hopperBox(const AttentionKernelSpec &spec,
                                        llvm::StringRef buffer);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_HOPPERKERNELBUILDER_H
