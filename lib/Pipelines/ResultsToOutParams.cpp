//===- ResultsToOutParams.cpp - static results become out-parameters ------===//
//
// `fa2-results-to-out-params`, the first step of fa2-to-ptx's host code on
// buffers (docs/runtime.md): a function whose memref results all have static
// shapes takes them as out-parameters that the caller allocates, public
// functions included, since those are the entry points a program calls.
//
//===----------------------------------------------------------------------===//
#include "fa2/Pipelines/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2RESULTSTOOUTPARAMS
#include "fa2/Pipelines/Passes.h.inc"
} // namespace fa2

using namespace mlir;

namespace {
/// gpu.launch_func declares no memory effects, and buffer deallocation
/// rejects ops with unknown ones: the launch reads and writes each memref it
/// passes to its kernel.
struct LaunchFuncEffects
    : public MemoryEffectOpInterface::ExternalModel<LaunchFuncEffects,
                                                    gpu::LaunchFuncOp> {
  void getEffects(Operation *op,
                  SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                      &effects) const {
    for (OpOperand &operand : cast<gpu::LaunchFuncOp>(op)
                                  .getKernelOperandsMutable())
      if (isa<BaseMemRefType>(operand.get().getType())) {
        effects.emplace_back(MemoryEffects::Read::get(), &operand);
        effects.emplace_back(MemoryEffects::Write::get(), &operand);
      }
  }
};

struct ResultsToOutParamsPass
    : public fa2::impl::FA2ResultsToOutParamsBase<ResultsToOutParamsPass> {
  void getDependentDialects(DialectRegistry &registry) const override {
    FA2ResultsToOutParamsBase::getDependentDialects(registry);
    // For the buffer deallocation that follows in fa2-to-ptx.
    registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
      gpu::LaunchFuncOp::attachInterface<LaunchFuncEffects>(*ctx);
    });
  }
  void runOnOperation() override {
    bufferization::BufferResultsToOutParamsOpts options;
    options.filterFn = [](func::FuncOp *func) {
      if (func->isExternal())
        return false;
      return llvm::all_of(func->getResultTypes(), [](Type t) {
        auto m = dyn_cast<MemRefType>(t);
        return !m || m.hasStaticShape();
      });
    };
    options.hoistStaticAllocs = true;
    options.addResultAttribute = true; // the signature fa2-compile.sh reads
    options.modifyPublicFunctions = true;
    if (failed(bufferization::promoteBufferResultsToOutParams(getOperation(),
                                                              options)))
      signalPassFailure();
  }
};
} // namespace
