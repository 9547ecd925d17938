//===- Pipelines.h - fa2's named pass pipelines -----------------*- C++ -*-===//
//
// The entry points for other projects: build fa2's pipelines into your own
// PassManager, or register them by name for a textual pipeline.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_PIPELINES_PIPELINES_H
#define FA2_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace fa2 {

/// Options of `fa2-to-cpu`.
struct ToCPUOptions : public mlir::PassPipelineOptions<ToCPUOptions> {
  Option<int64_t> blockQ{*this, "block-q", llvm::cl::desc("Query rows per block"),
                         llvm::cl::init(16)};
  Option<int64_t> blockK{*this, "block-k", llvm::cl::desc("Keys per block"),
                         llvm::cl::init(32)};
};

/// Lowers a module of func/linalg/tensor/arith/math/tosa ops and fa2 ops to
/// the LLVM dialect for the host, ready for mlir-runner. It lowers the fa2 ops
/// it finds with the blocked online-softmax algorithm; it does not raise.
void buildToCPUPipeline(mlir::OpPassManager &pm, const ToCPUOptions &options);

/// Options of `fa2-to-ptx`.
struct ToPTXOptions : public mlir::PassPipelineOptions<ToPTXOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a"),
                           llvm::cl::init("sm_90")};
  Option<bool> cubin{*this, "cubin",
                     llvm::cl::desc("Assemble to a cubin with ptxas instead of PTX"),
                     llvm::cl::init(false)};
  Option<std::string> manifestDir{
      *this, "manifest-dir",
      llvm::cl::desc("Write a JSON manifest per kernel into this directory"),
      llvm::cl::init("")};
  Option<int64_t> blockM{*this, "block-m",
                         llvm::cl::desc("Query rows per CTA (0: the schedule's)"),
                         llvm::cl::init(0)};
  Option<int64_t> blockN{*this, "block-n",
                         llvm::cl::desc("Keys per K/V block (0: the schedule's)"),
                         llvm::cl::init(0)};
  Option<int64_t> warps{*this, "warps",
                        llvm::cl::desc("Warps per CTA (0: the schedule's)"),
                        llvm::cl::init(0)};
  Option<int64_t> stages{*this, "stages",
                         llvm::cl::desc("K/V buffers (0: the schedule's)"),
                         llvm::cl::init(0)};
  Option<std::string> swizzle{
      *this, "swizzle",
      llvm::cl::desc("Shared-memory layout: xor or pad (empty: the schedule's)"),
      llvm::cl::init("")};
  Option<int64_t> rescaleThreshold{
      *this, "rescale-threshold",
      llvm::cl::desc("Rescale O only when a row max grew by more than 2^N "
                     "(-1: every block; -2: the schedule's)"),
      llvm::cl::init(-2)};
  Option<int64_t> qInRegisters{
      *this, "q-in-registers",
      llvm::cl::desc("Q fragments in registers (1) or reloaded per block (0); "
                     "-1: the schedule's"),
      llvm::cl::init(-1)};
  Option<int64_t> splitKVCopies{
      *this, "split-kv-copies",
      llvm::cl::desc("V's copies after the row max (1) or with K's (0); -1: "
                     "the schedule's"),
      llvm::cl::init(-1)};
  Option<int64_t> packGQA{
      *this, "pack-gqa",
      llvm::cl::desc("Pack a GQA group's query heads into one row tile (1) "
                     "or not (0); -1: the schedule's"),
      llvm::cl::init(-1)};
  Option<int64_t> kvSplits{
      *this, "kv-splits",
      llvm::cl::desc("K/V splits per row tile (1: none; 0: from the shapes "
                     "and SM count; -1: the schedule's)"),
      llvm::cl::init(-1)};
  Option<int64_t> minBlocksPerSM{
      *this, "min-blocks-per-sm",
      llvm::cl::desc("CTAs per SM to budget registers for (0: ptxas's; -1: "
                     "the schedule's)"),
      llvm::cl::init(-1)};
  Option<std::string> f32Precision{
      *this, "f32-precision",
      llvm::cl::desc("f32 inputs: accurate (three bf16 pieces, f32-level "
                     "error; the default), fast (bf16 operands) or host (on "
                     "the CPU)"),
      llvm::cl::init("accurate")};
  Option<std::string> mma{
      *this, "mma",
      llvm::cl::desc("Tensor-core family: mma_sync or wgmma (chip=sm_90a); "
                     "empty: the schedule's choice (mma_sync)"),
      llvm::cl::init("")};
  Option<int64_t> wgmmaOverlap{
      *this, "wgmma-overlap",
      llvm::cl::desc("wgmma kernels: overlap a block's softmax with the "
                     "previous block's P.V (1) or not (0); -1: the "
                     "schedule's choice"),
      llvm::cl::init(-1)};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit whose ptxas assembles cubins"),
      llvm::cl::init("/usr/local/cuda")};
};

/// Raises attention in an input module, lowers it to a FlashAttention-2 kernel
/// and the rest of the module to LLVM, and serializes the kernels into a
/// `gpu.binary` holding PTX (or a cubin).
void buildToPTXPipeline(mlir::OpPassManager &pm, const ToPTXOptions &options);

/// Registers `fa2-to-cpu` and `fa2-to-ptx` with the textual pipeline parser.
void registerPipelines();

} // namespace fa2

#endif // FA2_PIPELINES_PIPELINES_H
