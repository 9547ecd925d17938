//===- DecomposeAggregatedOps.cpp - linalg.softmax to generics on tensors -===//
//
// `fa2-decompose-aggregated-ops`, the first host step of fa2-to-cpu and
// fa2-to-ptx after TOSA is lowered: aggregated ops (linalg.softmax) become the
// generics their decomposeOperation builds, so that bufferization and
// convert-linalg-to-loops see only ops they lower.
//
//===----------------------------------------------------------------------===//
#include "fa2/Pipelines/Passes.h"

#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/PatternMatch.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2DECOMPOSEAGGREGATEDOPS
#include "fa2/Pipelines/Passes.h.inc"
} // namespace fa2

using namespace mlir;

namespace {
struct DecomposeAggregatedOpsPass
    : public fa2::impl::FA2DecomposeAggregatedOpsBase<
          DecomposeAggregatedOpsPass> {
  void getDependentDialects(DialectRegistry &registry) const override {
    FA2DecomposeAggregatedOpsBase::getDependentDialects(registry);
    arith::registerBufferizableOpInterfaceExternalModels(registry);
    arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
    bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
        registry);
    cf::registerBufferizableOpInterfaceExternalModels(registry);
    cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
    linalg::registerBufferizableOpInterfaceExternalModels(registry);
    memref::registerAllocationOpInterfaceExternalModels(registry);
    scf::registerBufferizableOpInterfaceExternalModels(registry);
    scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
    tensor::registerBufferizableOpInterfaceExternalModels(registry);
  }
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> ops;
    getOperation()->walk([&](linalg::AggregatedOpInterface op) {
      // On memrefs the decomposition has no results to replace with.
      if (op->getNumResults() > 0 &&
          llvm::all_of(op->getResultTypes(), llvm::IsaPred<TensorType>))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : ops) {
      // linalg.softmax verifies on any element type, but its decomposition
      // builds float ops (maxnumf, exp, divf) and crashes on integers.
      if (auto softmax = dyn_cast<linalg::SoftmaxOp>(op.getOperation())) {
        Type elem = softmax.getInputOperandType().getElementType();
        if (!isa<FloatType>(elem)) {
          mlir::emitError(op->getLoc())
              << "fa2: linalg.softmax on " << elem
              << " elements cannot be lowered: softmax is defined on "
                 "floating-point types only";
          return signalPassFailure();
        }
      }
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> values = op.decomposeOperation(rewriter);
      if (failed(values)) {
        op->emitError("fa2-to-cpu: cannot decompose this op");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *values);
    }
  }
};
} // namespace
