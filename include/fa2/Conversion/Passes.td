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
    per head dimension and chip from one table (Schedule.cpp); the
    `schedule` option and an op's own `fa2.schedule = #fa2.schedule<...>`
    override single fields, and each kernel carries the whole schedule it
    was built with as its `fa2.schedule`. f32 inputs
    are staged as bf16 pieces under the `f32-precision` policy (accurate by
    default; a remark on each such op says which and why). An op the
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
           "Target chip (sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)">,
    Option<"schedule", "schedule", "std::string", /*default=*/"\"\"",
           "Schedule fields over the table's choice for every op, as "
           "#fa2.schedule<...>'s body writes them, e.g. "
           "'block_m=64,stages=1,swizzle=pad' (see docs/gpu-schedule.md); an "
           "op's own fa2.schedule attribute goes over these">,
    Option<"f32Precision", "f32-precision", "std::string",
           /*default=*/"\"accurate\"",
           "How f32 Q/K/V meet the bf16 tensor cores: accurate (three bf16 "
           "pieces per operand, six products: f32-level error), fast (bf16 "
           "operands: bf16-level error) or host (no GPU kernel: the CPU "
           "lowering)">,
    Option<"manifestDir", "manifest-dir", "std::string", /*default=*/"\"\"",
           "Write a JSON manifest per kernel into this directory">,
    Option<"binaryFormat", "format", "std::string", /*default=*/"\"ptx\"",
           "The binary the manifest names: ptx or cubin">
  ];
}

def FA2GPUMathToNVVM : Pass<"fa2-gpu-math-to-nvvm", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Lower the kernel's f32 exp2/log2/fma to PTX's approximate instructions";
  let description = [{
    Rewrites f32 `math.exp2`, `math.log2` and `math.fma` inside GPU modules to
    the NVVM intrinsics of `ex2.approx.ftz.f32`, `lg2.approx.ftz.f32` and
    `fma.rn.f32`, as FlashAttention-2 compiled with fast math does. Run it
    before `convert-gpu-to-nvvm`, which would otherwise call libdevice
    (`__nv_exp2f`), a library fa2's PTX must not depend on.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def FA2WriteKernels : Pass<"fa2-write-kernels", "::mlir::ModuleOp"> {
  let summary = "Write each gpu.binary's PTX or cubin into a directory";
  let description = [{
    For each object of each `gpu.binary`, writes `DIR/<binary>.ptx`
    (assembly) or `DIR/<binary>.cubin` (binary), beside the JSON manifests
    that `fa2-lower-to-gpu` writes. The module is not changed.
  }];
  let options = [
    Option<"dir", "dir", "std::string", /*default=*/"\"\"",
           "Directory to write into (nothing is written when empty)">
  ];
}

#endif // FA2_CONVERSION_PASSES_TD
