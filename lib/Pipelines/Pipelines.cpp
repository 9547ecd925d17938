//===- Pipelines.cpp - fa2-to-cpu and fa2-to-ptx ---------------------------===//
// SKELETON: being written.
#include "fa2/Pipelines/Pipelines.h"

#include "fa2/Conversion/Passes.h"
#include "fa2/Dialect/Attention/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void fa2::buildToCPUPipeline(OpPassManager &pm, const ToCPUOptions &options) {
  FA2LowerToLoopsOptions loops;
  loops.blockQ = options.blockQ;
  loops.blockK = options.blockK;
  pm.addPass(createFA2LowerToLoops(loops));
}

void fa2::buildToPTXPipeline(OpPassManager &pm, const ToPTXOptions &options) {
  pm.addPass(createFA2RaiseAttention());
}

void fa2::registerPipelines() {
  PassPipelineRegistration<ToCPUOptions>(
      "fa2-to-cpu",
      "Lower fa2 ops (blocked online softmax) and the rest of the module to "
      "LLVM for the host, runnable with mlir-runner",
      buildToCPUPipeline);
  PassPipelineRegistration<ToPTXOptions>(
      "fa2-to-ptx",
      "Raise attention, lower it to a FlashAttention-2 kernel and serialize "
      "the kernels to PTX in a gpu.binary, the host launching them",
      buildToPTXPipeline);
}
