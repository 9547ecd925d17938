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
    are staged as 16-bit pieces under the `f32-precision` policy (accurate by
    default; a remark on each such op says which and why). An op the
    kernel cannot serve is left in place with a remark saying why. Each
    kernel's JSON manifest (docs/manifest.md) but for its binary file's name
    rides on the module holding it as an entry of `fa2.manifests`, for
    `fa2-write-kernels`.
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
           "How f32 Q/K/V meet the 16-bit tensor cores: accurate (two f16 "
           "pieces per scaled operand, three products: f32-level error), fast (bf16 "
           "operands: bf16-level error) or host (no GPU kernel: the CPU "
           "lowering)">
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

def FA2TensorMapParams : Pass<"fa2-tensor-map-params", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Make the Hopper kernels' tensor-map arguments by-value grid constants";
  let description = [{
    For each `llvm.func` kernel (after `convert-gpu-to-nvvm`) with a
    `fa2.tensor_map_params` attribute, turns each listed 128-byte argument
    (`vector<16xi64>`, the 128 bytes of a CUtensorMap) into an `!llvm.ptr`
    with `llvm.byval = !llvm.array<128 x i8>`, `llvm.align = 64` and
    `nvvm.grid_constant`: the PTX parameter stays `.param .align 64 .b8
    [128]` (the launch passes the same 128 bytes) and the kernel reads the
    map in parameter space, where TMA needs it, instead of a local copy.
    The casts from the argument to the tensor map type are replaced by the
    pointer. `gpu.func` can carry neither attribute, hence this pass.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::NVVM::NVVMDialect"];
}

def FA2ExternDynamicSharedMemory
    : Pass<"fa2-extern-dynamic-shared-memory", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Declare the kernels' dynamic shared memory extern, as CUDA's `extern __shared__`";
  let description = [{
    `convert-gpu-to-nvvm` gives `gpu.dynamic_shared_memory` an internal,
    zero-sized `llvm.mlir.global` in address space 3. The NVPTX back end
    demotes such a global into its one kernel as `.shared .b8 name;`: one
    byte of static shared memory, which ptxas rounds up and adds to every
    CTA's footprint, so a kernel whose dynamic shared memory exactly fills
    its share of an SM (four 56 KiB decode CTAs) fits one CTA fewer. This pass
    makes each such global an external declaration: the PTX says `.extern
    .shared .align A .b8 name[];`, the start of the launch's dynamic shared
    memory, with no static bytes. Run it after `convert-gpu-to-nvvm`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def FA2WriteKernels : Pass<"fa2-write-kernels", "::mlir::ModuleOp"> {
  let summary = "Write each gpu.binary's PTX or cubin and its manifest into a directory";
  let description = [{
    For each object of each `gpu.binary`, writes `DIR/<binary>.ptx`
    (assembly) or `DIR/<binary>.cubin` (binary), and beside it the kernel's
    JSON manifest `DIR/<binary>.json`: the entry `fa2-lower-to-gpu` left in
    the module's `fa2.manifests`, completed with the binary's file name and
    format, which only this pass knows. The `fa2.manifests` attributes are
    removed (also when no directory is given); a manifest whose kernel is
    still a `gpu.module` (not serialized) is an error.
  }];
  let options = [
    Option<"dir", "dir", "std::string", /*default=*/"\"\"",
           "Directory to write into (nothing is written when empty)">
  ];
}

#endif // FA2_CONVERSION_PASSES_TD
