//===- WriteKernels.cpp - each gpu.binary and its manifest into a folder --===//
//
// `fa2-write-kernels`, the last pass of fa2-to-ptx: writes the object of each
// gpu.binary as DIR/<binary>.ptx or .cubin and beside it the JSON manifest
// fa2-lower-to-gpu left in the module's `fa2.manifests`, completed with the
// binary's file and format, for tools/fa2-run and other runners. Only here
// is the binary's format known: the lowering does not have to be told it.
//
//===----------------------------------------------------------------------===//
#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"
#include "fa2/Conversion/AttentionToGPU/Manifest.h"
#include "fa2/Conversion/Passes.h"
#include "fa2/Dialect/Attention/IR/AttentionDialect.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2WRITEKERNELS
#include "fa2/Conversion/Passes.h.inc"
} // namespace fa2

using namespace mlir;
using namespace fa2;

/// The file extension of a gpu.object's format.
static StringRef extensionOf(gpu::CompilationTarget format) {
  switch (format) {
  case gpu::CompilationTarget::Assembly:
    return "ptx";
  case gpu::CompilationTarget::Binary:
    return "cubin";
  case gpu::CompilationTarget::Fatbin:
    return "fatbin";
  default:
    return "bc";
  }
}

/// The first object of `binary` (fa2's gpu.modules have one target).
static gpu::ObjectAttr firstObject(gpu::BinaryOp binary) {
  for (Attribute attr : binary.getObjects())
    if (auto object = dyn_cast<gpu::ObjectAttr>(attr))
      return object;
  return {};
}

namespace {
struct FA2WriteKernelsPass
    : public fa2::impl::FA2WriteKernelsBase<FA2WriteKernelsPass> {
  using FA2WriteKernelsBase::FA2WriteKernelsBase;

  void runOnOperation() override {
    if (!dir.empty()) {
      if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
        emitOptionError(
            &getContext(), getArgument(),
            {"dir", dir, "cannot create the folder: " + ec.message()});
        return signalPassFailure();
      }
      WalkResult result = getOperation().walk([&](Operation *op) {
        if (auto binary = dyn_cast<gpu::BinaryOp>(op))
          return succeeded(writeBinary(binary)) ? WalkResult::advance()
                                                : WalkResult::interrupt();
        if (auto module = dyn_cast<ModuleOp>(op))
          return succeeded(writeManifests(module)) ? WalkResult::advance()
                                                   : WalkResult::interrupt();
        return WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
    // Written (or not wanted): the manifests leave the IR, which goes on to
    // translation without them.
    getOperation().walk([](ModuleOp module) {
      module->removeAttr(FA2Dialect::getManifestsAttrName());
    });
  }

  LogicalResult writeBinary(gpu::BinaryOp binary) {
    gpu::ObjectAttr object = firstObject(binary);
    if (!object)
      return success();
    SmallString<256> path(dir);
    llvm::sys::path::append(path, binary.getName() + "." +
                                      extensionOf(object.getFormat()));
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (ec)
      return binary.emitError() << "fa2-write-kernels: cannot write '" << path
                                << "': " << ec.message();
    os << object.getObject().getValue();
    return success();
  }

  LogicalResult writeManifests(ModuleOp module) {
    auto manifests = module->getAttrOfType<DictionaryAttr>(
        FA2Dialect::getManifestsAttrName());
    if (!manifests)
      return success();
    for (NamedAttribute entry : manifests) {
      StringRef kernel = entry.getName().getValue();
      auto binary = dyn_cast_or_null<gpu::BinaryOp>(
          SymbolTable::lookupSymbolIn(module, kernel));
      gpu::ObjectAttr object = binary ? firstObject(binary) : nullptr;
      if (!object)
        return module.emitError()
               << "fa2-write-kernels: the manifest of kernel '" << kernel
               << "' has no gpu.binary to name (run gpu-module-to-binary "
                  "first)";
      llvm::json::Value manifest = manifestJSON(entry.getValue());
      llvm::json::Object *fields = manifest.getAsObject();
      completeManifest(*fields, kernel, extensionOf(object.getFormat()));
      if (llvm::Error err = writeManifest(*fields, kernel, dir))
        return module.emitError()
               << "fa2-write-kernels: " << llvm::toString(std::move(err));
    }
    return success();
  }
};
} // namespace
