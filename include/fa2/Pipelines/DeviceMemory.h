//===- DeviceMemory.h - fa2-to-ptx's host code: where buffers live -*- C++ -*-===//
//
// The two passes that give the host code of fa2-to-ptx its calling
// convention (docs/runtime.md): static-shaped results become out-parameters,
// and every buffer lives on the device unless a host op needs it.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_PIPELINES_DEVICEMEMORY_H
#define FA2_PIPELINES_DEVICEMEMORY_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace fa2 {

/// `fa2-results-to-out-params`: each function with a body whose memref
/// results are all static-shaped gets them as trailing out-parameters (the
/// caller allocates), the buffer the function returned becoming that
/// parameter when it was allocated in the function. Functions with a
/// dynamic-shaped result keep returning it.
std::unique_ptr<mlir::Pass> createResultsToOutParamsPass();

/// `fa2-place-device-memory` (lib/Pipelines/DeviceMemory.cpp).
std::unique_ptr<mlir::Pass> createPlaceDeviceMemoryPass();

} // namespace fa2

#endif // FA2_PIPELINES_DEVICEMEMORY_H
