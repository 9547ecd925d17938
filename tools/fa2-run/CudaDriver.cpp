//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//
#include "CudaDriver.h"

#include <dlfcn.h>

namespace fa2run {
namespace cuda {

#define FA2_CUDA_DEFINE(fn) decltype(&::fn) fn = nullptr;
FA2_CUDA_FUNCTIONS(FA2_CUDA_DEFINE)
#undef FA2_CUDA_DEFINE

// cuda.h #defines many entry points to their versioned symbols (cuMemAlloc ->
// cuMemAlloc_v2); expanding the name before stringizing looks up the symbol
// whose signature the header declares.
#define FA2_STRINGIZE(x) #x
#define FA2_SYMBOL(x) FA2_STRINGIZE(x)

bool load(std::string &error) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    error = std::string("no CUDA driver: cannot open libcuda.so.1 (") +
            (why ? why : "unknown reason") +
            "); this machine has no NVIDIA driver or GPU";
    return false;
  }
#define FA2_CUDA_RESOLVE(fn)                                                   \
  fn = reinterpret_cast<decltype(fn)>(dlsym(lib, FA2_SYMBOL(fn)));             \
  if (!fn) {                                                                   \
    error = std::string("the CUDA driver lacks ") + FA2_SYMBOL(fn) +           \
            " (driver too old?)";                                              \
    return false;                                                              \
  }
  FA2_CUDA_FUNCTIONS(FA2_CUDA_RESOLVE)
#undef FA2_CUDA_RESOLVE
  return true;
}

std::string describe(CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName)
    cuGetErrorName(result, &name);
  if (cuGetErrorString)
    cuGetErrorString(result, &text);
  std::string s = name ? name : ("CUDA error " + std::to_string(static_cast<int>(result)));
  if (text)
    s += std::string(" (") + text + ")";
  return s;
}

} // namespace cuda
} // namespace fa2run
