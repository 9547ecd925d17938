//===- CudaRuntime.cpp - MLIR's GPU runtime ABI over the CUDA driver ------===//
//
// The host code of `fa2-opt --fa2-to-ptx` (and of any module lowered with
// upstream's gpu-to-llvm for CUDA) calls a small C ABI: mgpuModuleLoad*,
// mgpuModuleGetFunction, mgpuLaunchKernel, mgpuStream*, mgpuEvent*,
// mgpuMemAlloc/Free/cpy/set, mgpuTensorMapEncodeTiledMemref. LLVM ships it as
// libmlir_cuda_runtime, which Debian does not package; this file implements
// it (the part fa2 uses, plus the event and host-register entries), with:
//
//  * the driver opened with dlopen (libcuda.so.1), as fa2-run does: a library
//    linked against this runtime loads on a machine without a driver, and the
//    first call says "no CUDA driver" / "no CUDA GPU" instead of a loader
//    error;
//  * the calling thread's stream (fa2rtSetStream) in place of fresh streams:
//    mgpuStreamCreate hands it out and mgpuStreamDestroy never destroys it,
//    so compiled code runs in order with the caller's work (PyTorch's current
//    stream) and does not wait for it;
//  * stream-ordered allocation (cuMemAllocAsync) for the buffers the host
//    code allocates between kernels;
//  * copies that involve host memory complete before returning (the host
//    code reads or frees the host side right after);
//  * the dynamic shared-memory limit raised once per kernel when a launch
//    asks for more than the default 48 KiB (the default counts static shared
//    memory too: see docs/runner.md);
//  * errors recorded per thread (fa2rtGetLastError), printed once; with
//    FA2_CUDA_RUNTIME_ON_ERROR=exit the process exits with status 3 instead
//    (for mlir-runner, whose programs cannot read errors).
//
//===----------------------------------------------------------------------===//
#include "fa2_cuda_runtime.h"

#include <cuda.h>

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <string>
#include <unordered_map>

#define FA2RT_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

//===----------------------------------------------------------------------===//
// The driver, loaded at run time
//===----------------------------------------------------------------------===//

#define FA2RT_CUDA_FUNCTIONS(X)                                                \
  X(cuInit)                                                                    \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxGetCurrent)                                                           \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuLaunchKernelEx)                                                          \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuMemAlloc)                                                                \
  X(cuMemAllocAsync)                                                           \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemFreeAsync)                                                            \
  X(cuMemcpyAsync)                                                             \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemsetD16Async)                                                          \
  X(cuMemsetD32Async)                                                          \
  X(cuMemHostRegister)                                                         \
  X(cuMemHostUnregister)                                                       \
  X(cuPointerGetAttribute)                                                     \
  X(cuTensorMapEncodeTiled)                                                    \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)

struct Driver {
#define FA2RT_DECLARE(fn) decltype(&::fn) fn = nullptr;
  FA2RT_CUDA_FUNCTIONS(FA2RT_DECLARE)
#undef FA2RT_DECLARE
  bool loaded = false;
  std::string error; // why the driver is unusable, if it is
};

#define FA2RT_STRINGIZE(x) #x
#define FA2RT_SYMBOL(x) FA2RT_STRINGIZE(x)

/// Opens libcuda.so.1 and runs cuInit once per process.
const Driver &driver() {
  static Driver d = [] {
    Driver d;
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *why = dlerror();
      d.error = std::string("no CUDA driver: cannot open libcuda.so.1 (") +
                (why ? why : "unknown reason") +
                "); this machine has no NVIDIA driver or GPU";
      return d;
    }
    // cuda.h maps many names to versioned symbols (cuMemAlloc ->
    // cuMemAlloc_v2): expanding before stringizing looks up the symbol whose
    // signature the header declares.
#define FA2RT_RESOLVE(fn)                                                      \
  d.fn = reinterpret_cast<decltype(d.fn)>(dlsym(lib, FA2RT_SYMBOL(fn)));       \
  if (!d.fn) {                                                                 \
    d.error = std::string("the CUDA driver lacks ") + FA2RT_SYMBOL(fn) +       \
              " (driver too old?)";                                            \
    return d;                                                                  \
  }
    FA2RT_CUDA_FUNCTIONS(FA2RT_RESOLVE)
#undef FA2RT_RESOLVE
    CUresult r = d.cuInit(0);
    int count = 0;
    if (r == CUDA_SUCCESS)
      r = d.cuDeviceGetCount(&count);
    if (r != CUDA_SUCCESS || count == 0) {
      const char *name = nullptr;
      d.cuGetErrorName(r, &name);
      d.error = std::string("no CUDA GPU: the driver loaded but found no "
                            "usable device (") +
                (r != CUDA_SUCCESS ? (name ? name : "cuInit failed")
                                   : "0 devices") +
                ")";
      return d;
    }
    d.loaded = true;
    return d;
  }();
  return d;
}

//===----------------------------------------------------------------------===//
// Per-thread state: stream, error, context
//===----------------------------------------------------------------------===//

thread_local CUstream currentStream = nullptr;
thread_local std::string lastError;
thread_local std::string returnedError;
thread_local bool contextReady = false;
std::atomic<int> defaultDevice{0};
/// Bumped by every module unload: per-thread kernel caches drop older entries.
std::atomic<unsigned> unloadGeneration{0};

struct Counters {
  std::atomic<unsigned long long> launches{0}, copies{0}, copiesToHost{0},
      allocs{0}, frees{0}, syncs{0}, moduleLoads{0}, tensorMaps{0};
} counters;

/// FA2_CUDA_RUNTIME_TRACE=launches: every launch prints its kernel's name,
/// grid, block and dynamic shared memory on stderr (which kernel of a
/// library's length variants the host code picked, for one).
bool traceLaunches() {
  static const bool on = [] {
    const char *v = std::getenv("FA2_CUDA_RUNTIME_TRACE");
    return v && std::strcmp(v, "launches") == 0;
  }();
  return on;
}
/// The kernel the calling thread looked up last, by name: the host code
/// looks a kernel up right before each launch of it.
thread_local CUfunction lastLookedUp = nullptr;
thread_local const char *lastLookedUpName = nullptr;

void recordError(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void recordError(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  static const char *policy = std::getenv("FA2_CUDA_RUNTIME_ON_ERROR");
  bool first = lastError.empty();
  if (first) {
    lastError = buf;
    std::fprintf(stderr, "fa2-cuda-runtime: error: %s\n", buf);
  }
  if (policy && std::strcmp(policy, "exit") == 0) {
    std::fflush(stdout);
    std::_Exit(3);
  }
  if (policy && std::strcmp(policy, "abort") == 0)
    std::abort();
}

std::string describe(CUresult r) {
  const Driver &d = driver();
  const char *name = nullptr, *text = nullptr;
  if (d.cuGetErrorName)
    d.cuGetErrorName(r, &name);
  if (d.cuGetErrorString)
    d.cuGetErrorString(r, &text);
  std::string s = name ? name : "CUDA error " + std::to_string(int(r));
  if (text)
    s += std::string(" (") + text + ")";
  return s;
}

/// Checks a driver result; on failure records "<what> failed: <error>".
bool check(CUresult r, const char *what) {
  if (r == CUDA_SUCCESS)
    return true;
  recordError("%s failed: %s", what, describe(r).c_str());
  return false;
}

/// Makes sure the driver is loaded and this thread has a current context:
/// the one already current (PyTorch's), else the default device's primary
/// context. Returns the driver, or nullptr after recording why not.
const Driver *enter() {
  const Driver &d = driver();
  if (!d.loaded) {
    recordError("%s", d.error.c_str());
    return nullptr;
  }
  if (contextReady)
    return &d;
  CUcontext ctx = nullptr;
  if (!check(d.cuCtxGetCurrent(&ctx), "cuCtxGetCurrent"))
    return nullptr;
  if (!ctx) {
    CUdevice dev;
    int ordinal = defaultDevice.load();
    if (!check(d.cuDeviceGet(&dev, ordinal), "cuDeviceGet") ||
        !check(d.cuDevicePrimaryCtxRetain(&ctx, dev),
               "cuDevicePrimaryCtxRetain") ||
        !check(d.cuCtxSetCurrent(ctx), "cuCtxSetCurrent"))
      return nullptr;
  }
  contextReady = true;
  return &d;
}

/// Whether `p` is memory the host may read (pageable, pinned or managed) as
/// opposed to device memory.
bool isHostMemory(const Driver &d, const void *p) {
  unsigned int type = 0;
  CUresult r = d.cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                       reinterpret_cast<CUdeviceptr>(p));
  if (r != CUDA_SUCCESS)
    return true; // not known to CUDA: pageable host memory
  if (type == CU_MEMORYTYPE_HOST)
    return true;
  int managed = 0;
  if (d.cuPointerGetAttribute(&managed, CU_POINTER_ATTRIBUTE_IS_MANAGED,
                              reinterpret_cast<CUdeviceptr>(p)) ==
          CUDA_SUCCESS &&
      managed)
    return true;
  return false;
}

/// The dynamic shared memory each kernel was opened up to.
std::mutex smemMutex;
std::unordered_map<CUfunction, int32_t> smemLimit;

/// Tensor maps by content, so that a call with the same tensors reuses the
/// device copy instead of allocating one per launch.
struct TensorMapKey {
  unsigned char bytes[sizeof(CUtensorMap)];
  bool operator==(const TensorMapKey &o) const {
    return std::memcmp(bytes, o.bytes, sizeof(bytes)) == 0;
  }
};
struct TensorMapHash {
  size_t operator()(const TensorMapKey &k) const {
    size_t h = 1469598103934665603ull;
    for (unsigned char b : k.bytes)
      h = (h ^ b) * 1099511628211ull;
    return h;
  }
};
std::mutex tensorMapMutex;
std::unordered_map<TensorMapKey, CUdeviceptr, TensorMapHash> tensorMaps;

CUmodule loadModule(const void *data, size_t size, int optLevel, bool jit) {
  const Driver *d = enter();
  if (!d)
    return nullptr;
  counters.moduleLoads++;
  CUmodule module = nullptr;
  if (!jit) {
    (void)size;
    check(d->cuModuleLoadData(&module, data), "cuModuleLoadData");
    return module;
  }
  char log[8192] = {0};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, reinterpret_cast<void *>(uintptr_t(sizeof(log))),
                    reinterpret_cast<void *>(uintptr_t(optLevel < 0 ? 4
                                                       : optLevel > 4 ? 4
                                                                      : optLevel))};
  CUresult r = d->cuModuleLoadDataEx(&module, data, 3, options, values);
  if (r != CUDA_SUCCESS) {
    recordError("cuModuleLoadDataEx (PTX JIT) failed: %s%s%s",
                describe(r).c_str(), log[0] ? "; JIT log: " : "", log);
    return nullptr;
  }
  return module;
}

} // namespace

//===----------------------------------------------------------------------===//
// fa2's C API (fa2_cuda_runtime.h)
//===----------------------------------------------------------------------===//

FA2RT_EXPORT int fa2rtInit(int device) {
  defaultDevice.store(device);
  return enter() ? 0 : -1;
}

FA2RT_EXPORT void *fa2rtSetStream(void *stream) {
  void *old = currentStream;
  currentStream = static_cast<CUstream>(stream);
  return old;
}

FA2RT_EXPORT void *fa2rtGetStream(void) { return currentStream; }

FA2RT_EXPORT const char *fa2rtGetLastError(void) {
  if (lastError.empty())
    return nullptr;
  returnedError.swap(lastError);
  lastError.clear();
  return returnedError.c_str();
}

FA2RT_EXPORT int fa2rtSynchronize(void) {
  const Driver *d = enter();
  if (!d)
    return -1;
  return check(d->cuStreamSynchronize(currentStream), "cuStreamSynchronize")
             ? 0
             : -1;
}

FA2RT_EXPORT void fa2rtGetCounters(struct fa2rtCounters *c) {
  c->launches = counters.launches;
  c->copies = counters.copies;
  c->copiesToHost = counters.copiesToHost;
  c->allocs = counters.allocs;
  c->frees = counters.frees;
  c->syncs = counters.syncs;
  c->moduleLoads = counters.moduleLoads;
  c->tensorMaps = counters.tensorMaps;
}

//===----------------------------------------------------------------------===//
// MLIR's GPU runtime ABI (what mlir/lib/Conversion/GPUCommon and
// mlir/lib/Target/LLVMIR/Dialect/GPU/SelectObjectAttr.cpp emit calls to)
//===----------------------------------------------------------------------===//

/// A cubin or fatbin (the gpu.binary's object, embedded by the host code's
/// global constructor).
FA2RT_EXPORT CUmodule mgpuModuleLoad(void *data, size_t size) {
  return loadModule(data, size, -1, /*jit=*/false);
}

/// PTX text, compiled by the driver's JIT; the JIT log comes with a failure.
FA2RT_EXPORT CUmodule mgpuModuleLoadJIT(void *data, int optLevel,
                                        size_t size) {
  return loadModule(data, size, optLevel, /*jit=*/true);
}

FA2RT_EXPORT void mgpuModuleUnload(CUmodule module) {
  // Runs from the host code's global destructor, possibly after the driver
  // shut down at process exit: errors are not worth reporting then.
  const Driver &d = driver();
  if (module && d.loaded) {
    {
      std::lock_guard<std::mutex> lock(smemMutex);
      smemLimit.clear();
      unloadGeneration.fetch_add(1);
    }
    d.cuModuleUnload(module);
  }
}

FA2RT_EXPORT CUfunction mgpuModuleGetFunction(CUmodule module,
                                              const char *name) {
  const Driver *d = enter();
  if (!d)
    return nullptr;
  if (!module) {
    recordError("kernel '%s': its module is not loaded (an earlier error "
                "above says why)",
                name);
    return nullptr;
  }
  // The host code looks its kernel up at every launch, by a name that is a
  // constant of the library: a small per-thread cache keyed by (module,
  // name pointer) saves the driver's lookup.
  struct Slot {
    CUmodule module;
    const char *name;
    CUfunction f;
    unsigned generation;
  };
  thread_local Slot cache[8] = {};
  Slot &slot = cache[(reinterpret_cast<uintptr_t>(name) >> 3) & 7];
  unsigned generation = unloadGeneration.load(std::memory_order_relaxed);
  if (slot.module == module && slot.name == name &&
      slot.generation == generation) {
    lastLookedUp = slot.f;
    lastLookedUpName = name;
    return slot.f;
  }
  CUfunction f = nullptr;
  CUresult r = d->cuModuleGetFunction(&f, module, name);
  if (r != CUDA_SUCCESS) {
    recordError("cuModuleGetFunction('%s') failed: %s", name,
                describe(r).c_str());
    return nullptr;
  }
  slot = {module, name, f, generation};
  lastLookedUp = f;
  lastLookedUpName = name;
  return f;
}

/// Raises the kernel's dynamic shared-memory limit to what the launch asks
/// for (once per kernel and size), whenever it asks for any: the default
/// 48 KiB limit counts static shared memory too, so 48 KiB dynamic plus any
/// static fails to launch without it (docs/runner.md).
static bool prepareSharedMemory(const Driver &d, CUfunction f, int32_t smem) {
  if (smem <= 0)
    return true;
  // The common case, a kernel launched again: no lock.
  thread_local CUfunction lastFunction = nullptr;
  thread_local int32_t lastLimit = 0;
  thread_local unsigned lastGeneration = 0;
  if (f == lastFunction && smem <= lastLimit &&
      lastGeneration == unloadGeneration.load(std::memory_order_relaxed))
    return true;
  std::lock_guard<std::mutex> lock(smemMutex);
  int32_t &limit = smemLimit[f];
  lastGeneration = unloadGeneration.load(std::memory_order_relaxed);
  if (limit >= smem) {
    lastFunction = f;
    lastLimit = limit;
    return true;
  }
  CUresult r = d.cuFuncSetAttribute(
      f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem);
  if (r != CUDA_SUCCESS) {
    recordError("cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, %d) "
                "failed: %s",
                smem, describe(r).c_str());
    return false;
  }
  limit = smem;
  lastFunction = f;
  lastLimit = smem;
  return true;
}

/// The checks before a launch: a driver, a kernel, its shared memory
/// raised. Null when the launch must not happen (the error is recorded).
static const Driver *beginLaunch(CUfunction f, intptr_t gx, intptr_t gy,
                                 intptr_t gz, intptr_t bx, intptr_t by,
                                 intptr_t bz, int32_t smem) {
  const Driver *d = enter();
  if (!d)
    return nullptr;
  if (!f) {
    recordError("launch of a kernel that was not found (see above)");
    return nullptr;
  }
  if (!prepareSharedMemory(*d, f, smem))
    return nullptr;
  counters.launches.fetch_add(1, std::memory_order_relaxed);
  if (traceLaunches())
    std::fprintf(stderr,
                 "fa2-cuda-runtime: launch %s grid %ld x %ld x %ld block %ld "
                 "x %ld x %ld smem %d\n",
                 f == lastLookedUp && lastLookedUpName ? lastLookedUpName
                                                       : "(unnamed)",
                 long(gx), long(gy), long(gz), long(bx), long(by), long(bz),
                 int(smem));
  return d;
}

FA2RT_EXPORT void mgpuLaunchKernel(CUfunction f, intptr_t gx, intptr_t gy,
                                   intptr_t gz, intptr_t bx, intptr_t by,
                                   intptr_t bz, int32_t smem, CUstream stream,
                                   void **params, void **extra,
                                   size_t /*paramsCount*/) {
  const Driver *d = beginLaunch(f, gx, gy, gz, bx, by, bz, smem);
  if (!d)
    return;
  CUresult r = d->cuLaunchKernel(f, unsigned(gx), unsigned(gy), unsigned(gz),
                                 unsigned(bx), unsigned(by), unsigned(bz),
                                 unsigned(smem), stream, params, extra);
  if (r != CUDA_SUCCESS)
    recordError("cuLaunchKernel failed: %s (grid %ld x %ld x %ld, block %ld x "
                "%ld x %ld, %d bytes of dynamic shared memory)",
                describe(r).c_str(), long(gx), long(gy), long(gz), long(bx),
                long(by), long(bz), int(smem));
}

FA2RT_EXPORT void mgpuLaunchClusterKernel(
    CUfunction f, intptr_t cx, intptr_t cy, intptr_t cz, intptr_t gx,
    intptr_t gy, intptr_t gz, intptr_t bx, intptr_t by, intptr_t bz,
    int32_t smem, CUstream stream, void **params, void **extra,
    size_t /*paramsCount*/) {
  const Driver *d = beginLaunch(f, gx, gy, gz, bx, by, bz, smem);
  if (!d)
    return;
  CUlaunchConfig config = {};
  config.gridDimX = unsigned(gx);
  config.gridDimY = unsigned(gy);
  config.gridDimZ = unsigned(gz);
  config.blockDimX = unsigned(bx);
  config.blockDimY = unsigned(by);
  config.blockDimZ = unsigned(bz);
  config.sharedMemBytes = unsigned(smem);
  config.hStream = stream;
  CUlaunchAttribute attr = {};
  attr.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attr.value.clusterDim.x = unsigned(cx);
  attr.value.clusterDim.y = unsigned(cy);
  attr.value.clusterDim.z = unsigned(cz);
  config.attrs = &attr;
  config.numAttrs = 1;
  check(d->cuLaunchKernelEx(&config, f, params, extra), "cuLaunchKernelEx");
}

/// The host code's "new stream" is the calling thread's stream: compiled
/// functions run in order with the caller's work.
FA2RT_EXPORT CUstream mgpuStreamCreate() {
  enter();
  return currentStream;
}

/// Never destroys: every stream handed out belongs to the caller.
FA2RT_EXPORT void mgpuStreamDestroy(CUstream) {}

FA2RT_EXPORT void mgpuStreamSynchronize(CUstream stream) {
  const Driver *d = enter();
  if (!d)
    return;
  counters.syncs++;
  check(d->cuStreamSynchronize(stream), "cuStreamSynchronize");
}

FA2RT_EXPORT void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  const Driver *d = enter();
  if (d)
    check(d->cuStreamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
}

FA2RT_EXPORT CUevent mgpuEventCreate() {
  const Driver *d = enter();
  CUevent e = nullptr;
  if (d)
    check(d->cuEventCreate(&e, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  return e;
}

FA2RT_EXPORT void mgpuEventDestroy(CUevent e) {
  const Driver *d = enter();
  if (d && e)
    check(d->cuEventDestroy(e), "cuEventDestroy");
}

FA2RT_EXPORT void mgpuEventSynchronize(CUevent e) {
  const Driver *d = enter();
  if (d)
    check(d->cuEventSynchronize(e), "cuEventSynchronize");
}

FA2RT_EXPORT void mgpuEventRecord(CUevent e, CUstream stream) {
  const Driver *d = enter();
  if (d)
    check(d->cuEventRecord(e, stream), "cuEventRecord");
}

/// Device memory, stream-ordered (freed memory is reused without a device
/// synchronization); managed memory when the host code asks for host-shared.
FA2RT_EXPORT void *mgpuMemAlloc(uint64_t size, CUstream stream,
                                bool isHostShared) {
  const Driver *d = enter();
  if (!d || size == 0)
    return nullptr;
  counters.allocs++;
  CUdeviceptr p = 0;
  if (isHostShared) {
    check(d->cuMemAllocManaged(&p, size, CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged");
  } else if (d->cuMemAllocAsync(&p, size, stream) != CUDA_SUCCESS) {
    p = 0;
    if (!check(d->cuMemAlloc(&p, size), "cuMemAlloc"))
      recordError("could not allocate %llu bytes of device memory",
                  (unsigned long long)size);
  }
  return reinterpret_cast<void *>(p);
}

FA2RT_EXPORT void mgpuMemFree(void *ptr, CUstream stream) {
  const Driver *d = enter();
  if (!d || !ptr)
    return;
  counters.frees++;
  CUdeviceptr p = reinterpret_cast<CUdeviceptr>(ptr);
  int managed = 0;
  d->cuPointerGetAttribute(&managed, CU_POINTER_ATTRIBUTE_IS_MANAGED, p);
  if (managed) {
    check(d->cuStreamSynchronize(stream), "cuStreamSynchronize");
    check(d->cuMemFree(p), "cuMemFree");
    return;
  }
  check(d->cuMemFreeAsync(p, stream), "cuMemFreeAsync");
}

/// Any direction (unified addressing). A copy into host memory is complete
/// when this returns: the host code reads it next.
FA2RT_EXPORT void mgpuMemcpy(void *dst, void *src, size_t size,
                             CUstream stream) {
  const Driver *d = enter();
  if (!d || size == 0)
    return;
  counters.copies++;
  if (!check(d->cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                              reinterpret_cast<CUdeviceptr>(src), size, stream),
             "cuMemcpyAsync"))
    return;
  if (isHostMemory(*d, dst) || isHostMemory(*d, src)) {
    counters.copiesToHost++;
    counters.syncs++;
    check(d->cuStreamSynchronize(stream), "cuStreamSynchronize");
  }
}

FA2RT_EXPORT void mgpuMemset32(void *dst, unsigned int value, size_t count,
                               CUstream stream) {
  const Driver *d = enter();
  if (d && count)
    check(d->cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                              stream),
          "cuMemsetD32Async");
}

FA2RT_EXPORT void mgpuMemset16(void *dst, unsigned short value, size_t count,
                               CUstream stream) {
  const Driver *d = enter();
  if (d && count)
    check(d->cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                              stream),
          "cuMemsetD16Async");
}

FA2RT_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  defaultDevice.store(device);
}

/// A ranked memref descriptor: {allocated, aligned, offset, sizes[rank],
/// strides[rank]}.
struct Descriptor {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[1];
};

FA2RT_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *desc,
                                            int64_t elementSize) {
  const Driver *d = enter();
  if (!d)
    return;
  auto *m = static_cast<Descriptor *>(desc);
  int64_t n = 1;
  for (int64_t i = 0; i < rank; ++i)
    n *= m->sizesAndStrides[i];
  check(d->cuMemHostRegister(m->aligned + m->offset * elementSize,
                             size_t(n * elementSize), 0),
        "cuMemHostRegister");
}

FA2RT_EXPORT void mgpuMemHostUnregisterMemRef(int64_t /*rank*/, void *desc,
                                              int64_t elementSize) {
  const Driver *d = enter();
  if (!d)
    return;
  auto *m = static_cast<Descriptor *>(desc);
  check(d->cuMemHostUnregister(m->aligned + m->offset * elementSize),
        "cuMemHostUnregister");
}

/// A TMA descriptor for a ranked memref (row-major sizes and strides in
/// elements), in device memory for the kernel to read. Identical descriptors
/// share one device copy.
FA2RT_EXPORT void *mgpuTensorMapEncodeTiledMemref(
    int64_t rank, void *desc, int64_t dataType, int64_t interleave,
    int64_t swizzle, int64_t l2Promotion, int64_t oobFill, int64_t *box) {
  const Driver *d = enter();
  if (!d)
    return nullptr;
  if (rank < 1 || rank > 5) {
    recordError("tensor map of rank %ld (1 to 5 supported)", long(rank));
    return nullptr;
  }
  // Element sizes of CUtensorMapDataType 0..12 (uint8 ... tfloat32_ftz).
  static const int elementBytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  if (dataType < 0 || dataType > 12) {
    recordError("tensor map with unknown data type %ld", long(dataType));
    return nullptr;
  }
  auto *m = static_cast<Descriptor *>(desc);
  const int64_t *sizes = m->sizesAndStrides, *strides = sizes + rank;
  // The driver's order is innermost first.
  cuuint64_t dims[5], byteStrides[4];
  cuuint32_t boxDims[5], elementStrides[5];
  for (int64_t i = 0; i < rank; ++i) {
    dims[i] = cuuint64_t(sizes[rank - 1 - i]);
    boxDims[i] = cuuint32_t(box[rank - 1 - i]);
    elementStrides[i] = 1;
  }
  for (int64_t i = 0; i + 1 < rank; ++i)
    byteStrides[i] =
        cuuint64_t(strides[rank - 2 - i] * elementBytes[dataType]);
  CUtensorMap map;
  void *base = m->aligned + m->offset * elementBytes[dataType];
  CUresult r = d->cuTensorMapEncodeTiled(
      &map, CUtensorMapDataType(dataType), cuuint32_t(rank), base, dims,
      byteStrides, boxDims, elementStrides, CUtensorMapInterleave(interleave),
      CUtensorMapSwizzle(swizzle), CUtensorMapL2promotion(l2Promotion),
      CUtensorMapFloatOOBfill(oobFill));
  if (r != CUDA_SUCCESS) {
    recordError("cuTensorMapEncodeTiled failed: %s (rank %ld, data type %ld)",
                describe(r).c_str(), long(rank), long(dataType));
    return nullptr;
  }
  TensorMapKey key;
  std::memcpy(key.bytes, &map, sizeof(map));
  std::lock_guard<std::mutex> lock(tensorMapMutex);
  auto it = tensorMaps.find(key);
  if (it != tensorMaps.end())
    return reinterpret_cast<void *>(it->second);
  if (tensorMaps.size() >= 4096) {
    // Kernels in flight may still read the old copies.
    check(d->cuCtxSynchronize(), "cuCtxSynchronize");
    for (auto &entry : tensorMaps)
      d->cuMemFree(entry.second);
    tensorMaps.clear();
  }
  CUdeviceptr p = 0;
  if (!check(d->cuMemAlloc(&p, sizeof(map)), "cuMemAlloc") ||
      !check(d->cuMemcpyHtoD(p, &map, sizeof(map)), "cuMemcpyHtoD"))
    return nullptr;
  counters.tensorMaps++;
  tensorMaps.emplace(key, p);
  return reinterpret_cast<void *>(p);
}

/// The tensor map of fa2's wgmma kernels (AttentionToGPU.cpp,
/// tensorMapArgument), written by value into `out` (128 bytes, 64-byte
/// aligned, host memory: the launch passes the bytes as the kernel
/// parameter). The tensor is [batch, heads, seq, dim]-indexed 16-bit data
/// at `base` (device memory) with the given element strides, the dim
/// contiguous; the box is 64 columns (one 128-byte swizzle row) by
/// `boxRows` rows of one head; rows past the tensor read zeros.
FA2RT_EXPORT void fa2rtEncodeTensorMap(void *out, void *base, int32_t bf16,
                                       int64_t dim, int64_t seq, int64_t heads,
                                       int64_t batch, int64_t rowStride,
                                       int64_t headStride, int64_t batchStride,
                                       int32_t boxRows) {
  const Driver *d = enter();
  if (!d)
    return;
  cuuint64_t dims[4] = {cuuint64_t(dim), cuuint64_t(seq), cuuint64_t(heads),
                        cuuint64_t(batch)};
  cuuint64_t byteStrides[3] = {cuuint64_t(rowStride * 2),
                               cuuint64_t(headStride * 2),
                               cuuint64_t(batchStride * 2)};
  cuuint32_t boxDims[4] = {64, cuuint32_t(boxRows), 1, 1};
  cuuint32_t elementStrides[4] = {1, 1, 1, 1};
  CUresult r = d->cuTensorMapEncodeTiled(
      static_cast<CUtensorMap *>(out),
      bf16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 : CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
      4, base, dims, byteStrides, boxDims, elementStrides,
      CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
      CU_TENSOR_MAP_L2_PROMOTION_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS)
    recordError("cuTensorMapEncodeTiled failed: %s (fa2 tensor map, dims "
                "%ld x %ld x %ld x %ld)",
                describe(r).c_str(), long(dim), long(seq), long(heads),
                long(batch));
}
