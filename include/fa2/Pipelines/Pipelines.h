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
  Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("Schedule fields over the table's choice, as "
                     "#fa2.schedule<...>'s body writes them, e.g. "
                     "'block_m=64,stages=1' (docs/gpu-schedule.md)"),
      llvm::cl::init("")};
  Option<std::string> f32Precision{
      *this, "f32-precision",
      llvm::cl::desc("f32 inputs: accurate (three bf16 pieces, f32-level "
                     "error; the default), fast (bf16 operands) or host (on "
                     "the CPU)"),
      llvm::cl::init("accurate")};
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
