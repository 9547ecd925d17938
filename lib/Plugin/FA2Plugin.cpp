//===- FA2Plugin.cpp - fa2 as an mlir-opt dialect and pass plugin ----------===//
//
//   mlir-opt --load-dialect-plugin=FA2Plugin.so \
//            --load-pass-plugin=FA2Plugin.so --fa2-raise-attention in.mlir
//
//===----------------------------------------------------------------------===//
#include "fa2/InitAll.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "FA2", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            fa2::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "FA2", LLVM_VERSION_STRING,
          []() { fa2::registerAllPasses(); }};
}
