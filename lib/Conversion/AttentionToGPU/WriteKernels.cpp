//===- WriteKernels.cpp - each gpu.binary's PTX or cubin into a folder ----===//
//
// `fa2-write-kernels`, the last pass of fa2-to-ptx: writes the object of each
// gpu.binary as DIR/<binary>.ptx or .cubin, beside the JSON manifests that
// fa2-lower-to-gpu wrote, for tools/fa2-run and other runners. The module is
// not changed.
//
//===----------------------------------------------------------------------===//
#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"
#include "fa2/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2WRITEKERNELS
#include "fa2/Conversion/Passes.h.inc"
} // namespace fa2

using namespace mlir;
using namespace fa2;


namespace {
struct FA2WriteKernelsPass
    : public fa2::impl::FA2WriteKernelsBase<FA2WriteKernelsPass> {
  using FA2WriteKernelsBase::FA2WriteKernelsBase;

  void runOnOperation() override {
    if (dir.empty())
      return;
    if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
      emitOptionError(&getContext(), getArgument(),
                      {"dir", dir, "cannot create the folder: " + ec.message()});
      return signalPassFailure();
    }
    getOperation().walk([&](gpu::BinaryOp binary) {
      for (Attribute attr : binary.getObjects()) {
        auto object = dyn_cast<gpu::ObjectAttr>(attr);
        if (!object)
          continue;
        StringRef ext;
        switch (object.getFormat()) {
        case gpu::CompilationTarget::Assembly:
          ext = ".ptx";
          break;
        case gpu::CompilationTarget::Binary:
          ext = ".cubin";
          break;
        case gpu::CompilationTarget::Fatbin:
          ext = ".fatbin";
          break;
        default:
          ext = ".bc";
          break;
        }
        SmallString<256> path(dir);
        llvm::sys::path::append(path, binary.getName() + ext);
        std::error_code ec;
        llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
        if (ec) {
          binary.emitError() << "fa2-write-kernels: cannot write '" << path
                             << "': " << ec.message();
          signalPassFailure();
          return;
        }
        os << object.getObject().getValue();
        // One object per binary: fa2's gpu.modules have one target.
        break;
      }
    });
  }
};
} // namespace
