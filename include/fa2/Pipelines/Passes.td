//===- Passes.td - the passes of fa2's pipelines -----------*- tablegen -*-===//
//
// Steps of fa2-to-cpu and fa2-to-ptx that are not about attention: each is
// registered on its own so that a pipeline of another project can reuse it
// and a test can run it alone.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_PIPELINES_PASSES_TD
#define FA2_PIPELINES_PASSES_TD

include "mlir/Pass/PassBase.td"

def FA2DecomposeAggregatedOps : Pass<"fa2-decompose-aggregated-ops"> {
  let summary = "Decompose linalg aggregated ops (linalg.softmax) on tensors";
  let description = [{
    Replaces every op with tensor results that implements
    `linalg::AggregatedOpInterface` (`linalg.softmax` above all) by the ops
    its `decomposeOperation` builds, so that the rest of the host pipeline
    only sees `linalg.generic`, fills and named contractions. A softmax on
    integers is an error at the op (its decomposition builds float ops).

    It also declares the interface models that One-Shot Bufferize and buffer
    deallocation need later in fa2-to-cpu and fa2-to-ptx: upstream registers
    them in `mlir::registerAllDialects`, which a tool embedding these
    pipelines may not call.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def FA2ResultsToOutParams
    : Pass<"fa2-results-to-out-params", "::mlir::ModuleOp"> {
  let summary = "Static-shaped memref results become out-parameters that "
                "the caller allocates (public functions too)";
  let description = [{
    The calling convention of fa2-to-ptx's host code (docs/runtime.md): a
    function whose memref results all have static shapes takes them as
    trailing out-parameters (marked so that scripts/fa2-compile.sh can write
    the C signature); dynamic-shaped results stay results. Also declares
    `gpu.launch_func`'s memory effects (it reads and writes each memref it
    passes), which the buffer deallocation that follows needs.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

def FA2PlaceDeviceMemory : Pass<"fa2-place-device-memory", "::mlir::ModuleOp"> {
  let summary = "Host code of fa2-to-ptx: device-memory calling convention, "
                "gpu.alloc for kernel-only buffers, host copies around host "
                "ops, one stream per call";
  let description = [{
    Memref arguments and results are device memory; buffers only kernels,
    copies and calls touch become `gpu.alloc`; every other op that touches
    memory runs on the host and gets host copies of what it reads and
    writes; everything is enqueued on the stream `gpu.wait async` yields at
    the entry. Public functions get `llvm.emit_c_interface`. See
    docs/runtime.md.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

#endif // FA2_PIPELINES_PASSES_TD
