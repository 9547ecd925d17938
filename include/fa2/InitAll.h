//===- InitAll.h - register everything fa2 provides -------------*- C++ -*-===//
//
// One call each for a tool that wants fa2: the dialect, the passes and the
// pipelines.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_INITALL_H
#define FA2_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace fa2 {
/// Adds the fa2 dialect to `registry`.
void registerAllDialects(mlir::DialectRegistry &registry);
/// Registers fa2's passes and pipelines with MLIR's global registries.
void registerAllPasses();
} // namespace fa2

#endif // FA2_INITALL_H
