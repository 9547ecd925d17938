//===- KernelBuilder.h - FlashAttention-2 kernel as gpu/nvgpu IR -*- C++ -*-===//
//
// Everything the FlashAttention-2 kernel builder needs about one
// fa2.attention, gathered before any IR is built, and the entry points that
// build the gpu.func and the host-side launch.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_KERNELBUILDER_H
#define FA2_CONVERSION_ATTENTIONTOGPU_KERNELBUILDER_H

#include "fa2/Conversion/AttentionToGPU/Schedule.h"
#include "fa2/Dialect/Attention/IR/MaskSemantics.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace fa2 {

/// The static description of one attention kernel. Sizes are
/// `ShapedType::kDynamic` when they are only known at run time; such sizes
/// become i32 kernel arguments (see `dynamicSizeNames`).
struct AttentionKernelSpec {
  /// The scores' dims (batch·, heads_q, seq_q, seq_k) by the names the
  /// manifest and dynamicSizeNames use; a mask right-aligns to them.
  static constexpr llvm::StringLiteral kScoreDimNames[4] = {
      "batch", "heads_q", "seq_q", "seq_k"};

  std::string name;          // the gpu.module, the gpu.func and the PTX .entry
  std::string function;      // the function holding the op (name unmangled)
  mlir::Type elementType;    // Q, K, V in global memory: f16, bf16 or f32
  mlir::Type outElementType; // O: f16, bf16 or f32
  /// With f32 Q/K/V: how they meet the 16-bit tensor cores (the option
  /// f32-precision). None for f16/bf16 inputs.
  std::optional<F32Precision> f32Precision;
  bool bshd = false;         // [batch, seq, heads, dim] instead of bhsd
  bool causal = false;
  /// The sliding window [left, right] (MaskSemantics' clamped bounds), or
  /// none.
  std::optional<std::pair<int64_t, int64_t>> window;
  /// The finite value of a removed score, or none (-inf).
  std::optional<double> fill;
  bool hasLse = false;
  double scale = 1.0;
  /// The batch dimensions (any number), each static or dynamic.
  llvm::SmallVector<int64_t> batchDims;
  int64_t headsQ = 0, headsKV = 0, seqQ = 0, seqK = 0;
  int64_t headDim = 0, headDimV = 0; // always static
  GPUSchedule schedule;
  ChipInfo chip;
  /// batch·heads_q may exceed grid y's limit (it does, or is dynamic): the
  /// launch spreads it over grid y and z and the kernel reads
  /// bh = blockIdx.y + gridDim.y·blockIdx.z, clamped to batch·heads_q - 1
  /// (the grid is rounded up; the extra CTAs repeat the last head's work).
  bool foldBatchHeads = false;
  /// The mask operand's element type (i1, f16, bf16 or f32), or null without
  /// a mask. i1 masks are one byte per element in memory (LLVM's i1 store
  /// size), as the manifest says.
  mlir::Type maskElementType;
  /// The mask's extent along the scores' (batch, heads_q, seq_q, seq_k),
  /// right-aligned: 1 = broadcast (also for dims the mask does not have),
  /// a static size > 1 = one element per score index, kDynamic = 1 or the
  /// scores' size, decided at run time from an i32 kernel argument.
  llvm::SmallVector<int64_t, 4> maskDims;
  /// How many of the trailing (batch, heads_q, seq_q, seq_k) dims the mask's
  /// buffer spells out (its rank once leading unit batch dims are dropped).
  unsigned maskRank = 0;
  /// K/V splits (schedule.kvSplits resolved): 1 = none, the kernel writes O
  /// (and LSE); N > 1, or kDynamic (an i32 argument `num_splits`, computed
  /// by the launch from the sizes and the SM count), = the kernel writes
  /// partial O (f32, normalized) and LSE per split into the scratch buffers
  /// `o_partial` [batch, heads_q, seq_q, num_splits, head_dim_v] and
  /// `lse_partial` [batch, heads_q, seq_q, num_splits], which its combine
  /// kernel (CombineBuilder.h) merges into O and LSE.
  int64_t numSplits = 1;
  /// Why the wgmma kernel asked for (schedule field mma = wgmma) does not serve this
  /// op, which the mma.sync kernel then serves; empty otherwise.
  std::string mmaFallback;
  /// A dynamic seq_k whose Hopper table rows cover ranges of it: one
  /// kernel per entry, in the one gpu.module, shortest lengths first (the
  /// first is `schedule`, named `name`; entry i > 0 is `name`_v<i>), and
  /// the host launches the one whose range holds seq_k. Empty: one kernel.
  llvm::SmallVector<HopperLengthVariant> lengthVariants;
  /// The spec of length variant `i`'s kernel (one kernel, no variants).
  AttentionKernelSpec lengthVariant(unsigned i) const {
    AttentionKernelSpec v = *this;
    v.schedule = lengthVariants[i].schedule;
    if (i > 0)
      v.name += "_v" + std::to_string(i);
    v.lengthVariants.clear();
    return v;
  }

  bool splitKV() const { return numSplits != 1; }
  /// Split-KV merged by the split CTA that finishes last (schedule field
  /// combine = last_cta): the kernel also takes o[, lse] and the i32
  /// scratch `combine_counter` [batch, heads_q, seq_q] (zero before the
  /// first launch, zero again after each), and no combine kernel exists.
  bool lastCTACombine() const {
    return splitKV() && schedule.combine == CombineMode::LastCTA;
  }
  /// Whether the kernel writes an LSE buffer (the op's, or the partials').
  bool writesLse() const { return hasLse || splitKV(); }
  /// Query heads per K/V head (static when the schedule packs GQA rows).
  int64_t groupSize() const {
    return mlir::ShapedType::isDynamic(headsQ) ||
                   mlir::ShapedType::isDynamic(headsKV)
               ? mlir::ShapedType::kDynamic
               : headsQ / headsKV;
  }
  /// The name of the kernel's O and LSE buffers: "o"/"lse", or the
  /// partials' "o_partial"/"lse_partial" with split-KV.
  llvm::StringRef outBuffer() const { return splitKV() ? "o_partial" : "o"; }
  llvm::StringRef lseBuffer() const {
    return splitKV() ? "lse_partial" : "lse";
  }

  bool hasMask() const { return static_cast<bool>(maskElementType); }
  /// The element type of the shared tiles, the mma.sync operands and P:
  /// the inputs' own, or bf16 for f32 inputs.
  mlir::Type mmaElementType() const;
  /// The 16-bit pieces each operand is held as (1, or 2 for accurate f32).
  int64_t operandPieces() const {
    return f32Precision ? fa2::operandPieces(*f32Precision) : 1;
  }
  /// The op's masking semantics (causal, window, fill, mask kind).
  MaskSemantics maskSemantics() const;
  /// Split-KV with a run-time split count: a launch with one split (a batch
  /// that fills the GPU) writes O and LSE itself, no partials, so the
  /// kernel also takes o[, lse]; the merge (last CTA or combine kernel)
  /// then does nothing. The decode tile's kernels only: the prefill tile's
  /// launch-combine kernels have a kernel of their own for one split
  /// (hasOneSplitKernel).
  bool writesOneSplitDirectly() const {
    return splitKV() && mlir::ShapedType::isDynamic(numSplits) &&
           (schedule.packGQA || lastCTACombine());
  }
  /// The prefill tile's split with a run-time count (unpacked rows, the
  /// combine launched): where the count is 1 the host launches
  /// oneSplitKernel() instead, the op's kernel without the split (no
  /// partials, no combine). A second store path in the split kernel cost
  /// its 255 registers 20 more bytes of spill and the chunked step (8k
  /// keys) 3-7% on an H100, while at short keys the partials' round trip
  /// (f32 O written and read again) is most of the work: Sq = Sk = 512
  /// causal, batch 32, ran at 0.55x SDPA flash through the partials
  /// (bench/NOTES.md, 2026-12-06 fifth session).
  bool hasOneSplitKernel() const {
    return splitKV() && mlir::ShapedType::isDynamic(numSplits) &&
           !writesOneSplitDirectly() && !lastCTACombine();
  }
  /// The kernel a one-split launch of hasOneSplitKernel() runs: this one
  /// unsplit, named `name`_one_split.
  AttentionKernelSpec oneSplitKernel() const {
    AttentionKernelSpec v = *this;
    v.numSplits = 1;
    v.schedule.kvSplits = 1;
    v.name += "_one_split";
    return v;
  }
  /// Number of 1-D memref arguments (q, k, v, o, [lse], [mask]); with
  /// split-KV o and lse are the partials, followed by finalBuffers(); with
  /// the dynamic tile scheduler (wgmma,
  /// whose q, k, v are tensor maps) the i32 scratch `tile_counter` [2]
  /// (zero before the first launch, zero again after each).
  unsigned numBufferArgs() const {
    return 4 + (writesLse() ? 1 : 0) + (hasMask() ? 1 : 0) +
           finalBuffers().size() +
           (schedule.dynamicTiles() ? 1 : 0);
  }
  /// The split-KV kernel's buffers after the mask: o[, lse] (which the
  /// last split CTA merges into, or a one-split launch writes:
  /// lastCTACombine or writesOneSplitDirectly), then combine_counter
  /// (lastCTACombine). Empty otherwise.
  llvm::SmallVector<llvm::StringRef> finalBuffers() const {
    if (!lastCTACombine() && !writesOneSplitDirectly())
      return {};
    llvm::SmallVector<llvm::StringRef> buffers = {"o"};
    if (hasLse)
      buffers.push_back("lse");
    if (lastCTACombine())
      buffers.push_back("combine_counter");
    return buffers;
  }
  /// The scores' dim names whose mask extent is dynamic, in argument order:
  /// each is an i32 kernel argument after the dynamic sizes.
  llvm::SmallVector<std::string> dynamicMaskDimNames() const;

  /// Product of the batch dimensions, or kDynamic.
  int64_t batch() const;
  /// The sizes passed to the kernel as i32 arguments, in argument order:
  /// a subset of heads_q, heads_kv, seq_q, seq_k, num_splits.
  llvm::SmallVector<std::string> dynamicSizeNames() const;
  /// The size called `name` (one of the manifest's dims).
  int64_t size(llvm::StringRef name) const;
  /// Element counts of the 1-D buffers (kDynamic when any factor is).
  int64_t numElements(llvm::StringRef buffer) const;
  /// The shape of a buffer in the manifest's dim names (batch, heads_q, ...).
  llvm::SmallVector<std::string> bufferShape(llvm::StringRef buffer) const;
  /// The 1-D memref type of a kernel buffer argument.
  mlir::MemRefType bufferType(llvm::StringRef buffer) const;
  /// Bytes of dynamic shared memory the kernel uses.
  int64_t sharedMemoryBytes() const;
};

/// CUDA's limit on grid y and z.
constexpr int64_t kMaxGridY = 65535;

/// `name` spelled as a PTX identifier ([A-Za-z0-9_]; other bytes as _XX).
std::string mangleForPTX(llvm::StringRef name);

/// Reports an option no kernel can run with, located at the option in the
/// pass's textual form (`pass{option=value}:1:N`), without printing the
/// module.
void emitOptionError(mlir::MLIRContext *ctx, llvm::StringRef pass,
                     const OptionError &error);

/// Builds `gpu.func @<spec.name>` (a kernel) inside `module`, which must be
/// empty. Arguments: q, k, v, o[, lse][, mask] as 1-D memrefs (o_partial,
/// lse_partial with split-KV), then spec.finalBuffers(), then one i32 per
/// dynamic size, then one i32 per dynamic mask extent.
mlir::gpu::GPUFuncOp buildAttentionKernel(mlir::OpBuilder &builder,
                                          mlir::Location loc,
                                          mlir::gpu::GPUModuleOp module,
                                          const AttentionKernelSpec &spec);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_KERNELBUILDER_H
