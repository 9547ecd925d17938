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

namespace fa2 {

/// Rows (batch, head, query) merged by one CTA of the combine kernel: one
/// warp per row.
constexpr int64_t kCombineRowsPerCTA = 4;

/// Splits whose partial O rows one lane loads before it waits for any of
/// them (the O loop's unroll factor): 33 splits (batch 1 on 132 SMs) are 3
/// trips.
constexpr int64_t kCombineUnroll = 16;

/// Whether the combine is a programmatic dependent launch (sm_90 and up):
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
/// ceildiv(batch·Hq·Sq, kCombineRowsPerCTA), 32·kCombineRowsPerCTA threads.
mlir::gpu::GPUFuncOp buildCombineKernel(mlir::OpBuilder &builder,
                                        mlir::Location loc,
                                        mlir::gpu::GPUModuleOp module,
                                        const AttentionKernelSpec &spec);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_COMBINEBUILDER_H
