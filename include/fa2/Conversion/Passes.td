//===- Passes.td - fa2 conversion passes -------------------*- tablegen -*-===//
#ifndef FA2_CONVERSION_PASSES_TD
#define FA2_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def FA2LowerToGPU : Pass<"fa2-lower-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower fa2.attention to a FlashAttention-2 GPU kernel";
  let description = [{
    Replaces each `fa2.attention` with a `gpu.launch_func` of a kernel in a
    `gpu.module` that follows FlashAttention-2's schedule: a grid over query
    blocks × batch·heads, warps that each own a slice of query rows, K/V
    blocks staged through shared memory with cp.async, tensor-core
    mma.sync fed by ldmatrix, online softmax in registers with exp2 and one
    final normalization. The schedule (tile sizes, warps, stages) is chosen
    per head dimension and chip; a non-zero option overrides it. An op the
    kernel cannot serve is left in place with a remark saying why.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::nvgpu::NVGPUDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::math::MathDialect", "::mlir::bufferization::BufferizationDialect"
  ];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "Target chip (sm_80, sm_86, sm_89, sm_90, sm_90a)">,
    Option<"blockM", "block-m", "int64_t", /*default=*/"0",
           "Query rows per CTA (0: the schedule's choice)">,
    Option<"blockN", "block-n", "int64_t", /*default=*/"0",
           "Keys per K/V block (0: the schedule's choice)">,
    Option<"numWarps", "warps", "int64_t", /*default=*/"0",
           "Warps per CTA (0: the schedule's choice)">,
    Option<"numStages", "stages", "int64_t", /*default=*/"0",
           "K/V shared-memory buffers (0: the schedule's choice)">,
    Option<"manifestDir", "manifest-dir", "std::string", /*default=*/"\"\"",
           "Write a JSON manifest per kernel into this directory">
  ];
}

#endif // FA2_CONVERSION_PASSES_TD
