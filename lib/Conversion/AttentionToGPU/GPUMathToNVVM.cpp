//===- GPUMathToNVVM.cpp - the kernels' f32 exp2/log2/fma to PTX ----------===//
//
// `fa2-gpu-math-to-nvvm`: inside GPU modules, f32 math.exp2 and math.log2
// become ex2.approx.ftz / lg2.approx.ftz and math.fma becomes llvm.fma, as
// FlashAttention-2 compiled with fast math does. convert-gpu-to-nvvm would
// otherwise call libdevice (__nv_exp2f), which fa2's PTX must not need.
//
//===----------------------------------------------------------------------===//
#include "fa2/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2GPUMATHTONVVM
#include "fa2/Conversion/Passes.h.inc"
} // namespace fa2

using namespace mlir;

/// Replaces a unary f32 math op by a call of an NVVM intrinsic.
static void replaceByIntrinsic(RewriterBase &rewriter, Operation *op,
                               StringRef intrinsic) {
  rewriter.setInsertionPoint(op);
  auto call = LLVM::CallIntrinsicOp::create(
      rewriter, op->getLoc(), op->getResult(0).getType(),
      rewriter.getStringAttr(intrinsic), op->getOperands());
  rewriter.replaceOp(op, call.getResults());
}

namespace {
struct FA2GPUMathToNVVMPass
    : public fa2::impl::FA2GPUMathToNVVMBase<FA2GPUMathToNVVMPass> {
  using FA2GPUMathToNVVMBase::FA2GPUMathToNVVMBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<math::Exp2Op, math::Log2Op, math::FmaOp>(op) &&
          op->getResult(0).getType().isF32())
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (isa<math::Exp2Op>(op)) {
        replaceByIntrinsic(rewriter, op, "llvm.nvvm.ex2.approx.ftz.f");
      } else if (isa<math::Log2Op>(op)) {
        replaceByIntrinsic(rewriter, op, "llvm.nvvm.lg2.approx.ftz.f");
      } else {
        rewriter.setInsertionPoint(op);
        rewriter.replaceOpWithNewOp<LLVM::FMAOp>(
            op, op->getOperand(0), op->getOperand(1), op->getOperand(2));
      }
    }
  }
};
} // namespace
