//===- fa2-opt.cpp - mlir-opt with fa2's dialect, passes and pipelines ----===//
#include "fa2/InitAll.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  fa2::registerAllPasses();

  mlir::DialectRegistry registry;
  fa2::registerAllDialects(registry);
  // Every upstream dialect, with the external interface models (bufferization,
  // value bounds, ...) that fa2's inputs (func, linalg, tosa, tensor, arith,
  // math) and its lowerings (scf, memref, gpu, nvgpu, nvvm, llvm) rely on.
  mlir::registerAllDialects(registry);
  // Conversion to LLVM, transform-dialect extensions, translation to LLVM IR
  // and the NVVM target that serializes gpu.modules to PTX.
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "fa2 optimizer: FlashAttention-2 from tensor attention\n",
      registry));
}
