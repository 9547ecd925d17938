//===- TensorMapParams.cpp - by-value tensor maps on Hopper kernels -------===//
//
// `fa2-tensor-map-params` (Passes.td has the contract): the 128-byte
// tensor-map arguments of the wgmma kernels become by-value grid-constant
// pointers, as CUDA spells `const __grid_constant__ CUtensorMap`.
//
//===----------------------------------------------------------------------===//
#include "fa2/Conversion/AttentionToGPU/Hopper/Tma.h"
#include "fa2/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2TENSORMAPPARAMS
#include "fa2/Conversion/Passes.h.inc"
} // namespace fa2

using namespace mlir;

/// Replaces every cast chain from `from` that ends in `ptr`'s type by `ptr`.
static void replaceCastsToPointer(Value from, Value ptr) {
  SmallVector<Operation *> users(from.getUsers().begin(),
                                 from.getUsers().end());
  for (Operation *user : users) {
    auto cast = dyn_cast<UnrealizedConversionCastOp>(user);
    if (!cast || cast->getNumResults() != 1)
      continue;
    Value result = cast->getResult(0);
    if (result.getType() == ptr.getType())
      result.replaceAllUsesWith(ptr);
    else
      replaceCastsToPointer(result, ptr);
  }
}

namespace {
struct FA2TensorMapParamsPass
    : public fa2::impl::FA2TensorMapParamsBase<FA2TensorMapParamsPass> {
  using FA2TensorMapParamsBase::FA2TensorMapParamsBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto ptrTy = LLVM::LLVMPointerType::get(ctx);
    auto bytesTy = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), 128);
    WalkResult result = getOperation().walk([&](LLVM::LLVMFuncOp func) {
      auto params =
          func->getAttrOfType<DenseI64ArrayAttr>(fa2::hopper::kTensorMapParamsAttr);
      if (!params)
        return WalkResult::advance();
      if (func.isExternal()) {
        func.emitError("fa2-tensor-map-params: a kernel declaration has no "
                       "body to rewrite");
        return WalkResult::interrupt();
      }
      Block &entry = func.getBody().front();
      SmallVector<Type> inputs(func.getFunctionType().getParams());
      for (int64_t i : params.asArrayRef()) {
        if (i < 0 || i >= static_cast<int64_t>(inputs.size()) ||
            inputs[i] != LLVM::getVectorType(IntegerType::get(ctx, 64), 16)) {
          func.emitError("fa2-tensor-map-params: argument ")
              << i << " is not a 128-byte tensor map (vector<16xi64>)";
          return WalkResult::interrupt();
        }
        BlockArgument arg = entry.getArgument(i);
        // The casts to the tensor-map type, which the nvgpu lowering turned
        // into casts to !llvm.ptr, now read the pointer itself; any other
        // use of the 128 bytes reads them through it.
        arg.setType(ptrTy);
        replaceCastsToPointer(arg, arg);
        inputs[i] = ptrTy;
        func.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                        TypeAttr::get(bytesTy));
        func.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                        IntegerAttr::get(IntegerType::get(ctx, 64), 64));
        func.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                        UnitAttr::get(ctx));
      }
      func.setFunctionType(LLVM::LLVMFunctionType::get(
          func.getFunctionType().getReturnType(), inputs));
      func->removeAttr(fa2::hopper::kTensorMapParamsAttr);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
