//===- CudaDriver.h - the CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// fa2-run opens libcuda.so.1 with dlopen instead of linking it, so that the
// tool starts on a machine with no driver (CI, the compile hosts): the
// manifest checks still run there, and a missing driver or GPU is reported in
// one clear line instead of a loader error. The entry points are the ones that
// cuda.h names (its macros map e.g. cuMemAlloc to cuMemAlloc_v2), resolved
// once by cuda::load().
//
//===----------------------------------------------------------------------===//
#ifndef FA2_RUN_CUDADRIVER_H
#define FA2_RUN_CUDADRIVER_H

#include <cuda.h>

#include <string>

namespace fa2run {
namespace cuda {

#define FA2_CUDA_FUNCTIONS(X)                                                  \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuMemAlloc)                                                                \
  X(cuMemFree)                                                                 \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemcpyDtoH)                                                              \
  X(cuMemsetD8)                                                                \
  X(cuMemsetD16)                                                               \
  X(cuMemsetD32)                                                               \
  X(cuModuleLoadData)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncGetAttribute)                                                        \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuLaunchKernelEx)                                                          \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuEventElapsedTime)                                                        \
  X(cuTensorMapEncodeTiled)                                                    \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)

#define FA2_CUDA_DECLARE(fn) extern decltype(&::fn) fn;
FA2_CUDA_FUNCTIONS(FA2_CUDA_DECLARE)
#undef FA2_CUDA_DECLARE

/// Opens the driver library and resolves every entry point. On failure returns
/// false with a message saying what is missing.
bool load(std::string &error);

/// "CUDA_ERROR_X (description)" for a result code.
std::string describe(CUresult result);

} // namespace cuda
} // namespace fa2run

#endif // FA2_RUN_CUDADRIVER_H
