//===- ExternDynamicSharedMemory.cpp - dynamic shared memory as extern ----===//
//
// `fa2-extern-dynamic-shared-memory` (Passes.td has the contract): the
// zero-sized shared-memory globals of `gpu.dynamic_shared_memory` become
// external declarations, so that the PTX names the launch's dynamic shared
// memory (`.extern .shared .b8 name[]`) instead of a demoted one-byte static
// variable that costs each CTA shared memory.
//
//===----------------------------------------------------------------------===//
#include "fa2/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2EXTERNDYNAMICSHAREDMEMORY
#include "fa2/Conversion/Passes.h.inc"
} // namespace fa2

using namespace mlir;

namespace {
struct FA2ExternDynamicSharedMemoryPass
    : public fa2::impl::FA2ExternDynamicSharedMemoryBase<
          FA2ExternDynamicSharedMemoryPass> {
  using FA2ExternDynamicSharedMemoryBase::FA2ExternDynamicSharedMemoryBase;

  void runOnOperation() override {
    for (auto global : getOperation().getOps<LLVM::GlobalOp>()) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      // What the dynamic shared memory lowering makes: a zero-sized shared
      // array without a value. Anything else keeps its definition.
      if (!array || array.getNumElements() != 0 ||
          global.getAddrSpace() !=
              static_cast<unsigned>(NVVM::NVVMMemorySpace::Shared) ||
          global.getValueOrNull() || !global.getInitializerRegion().empty() ||
          global.getLinkage() != LLVM::Linkage::Internal)
        continue;
      global.setLinkage(LLVM::Linkage::External);
    }
  }
};
} // namespace
