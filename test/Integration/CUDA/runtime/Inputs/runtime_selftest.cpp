//===- runtime_selftest.cpp - libfa2-cuda-runtime's entries, one by one ---===//
//
// Calls the runtime's ABI directly, as host code would, and prints one line
// per check (FileCheck-able), on the GPU machine:
//
//   runtime_selftest RUNTIME.so PTX            everything below
//   runtime_selftest RUNTIME.so --expect-none  only fa2rtInit, for a process
//                                              that sees no GPU
//
//  * allocation on a stream, memset, copies device->host;
//  * a tensor map (TMA descriptor) for a 2-D f16 memref: in device memory,
//    equal to the driver's own encoding, one copy for equal descriptors;
//  * module load (PTX JIT) and lookup; a launch the driver rejects (a block
//    of 2048 threads) names its grid, block and shared memory; PTX that does
//    not compile comes back with the JIT log.
//===----------------------------------------------------------------------===//
#include "fa2_cuda_runtime.h"

#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <string>

template <typename F> F sym(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (!p) {
    std::printf("selftest: FAIL missing %s\n", name);
    std::exit(1);
  }
  return reinterpret_cast<F>(p);
}

int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  void *rt = dlopen(argv[1], RTLD_NOW);
  if (!rt) {
    std::printf("selftest: FAIL %s\n", dlerror());
    return 1;
  }
  auto init = sym<int (*)(int)>(rt, "fa2rtInit");
  auto lastError = sym<const char *(*)()>(rt, "fa2rtGetLastError");
  int r = init(0);
  const char *err = lastError();
  std::printf("selftest: init=%d error=%s\n", r, err ? err : "none");
  if (std::strcmp(argv[2], "--expect-none") == 0)
    return r == 0 ? 1 : 0;
  if (r != 0)
    return 1;

  auto setStream = sym<void *(*)(void *)>(rt, "fa2rtSetStream");
  auto streamCreate = sym<void *(*)()>(rt, "mgpuStreamCreate");
  auto memAlloc = sym<void *(*)(uint64_t, void *, bool)>(rt, "mgpuMemAlloc");
  auto memFree = sym<void (*)(void *, void *)>(rt, "mgpuMemFree");
  auto memset32 = sym<void (*)(void *, unsigned, size_t, void *)>(rt, "mgpuMemset32");
  auto memcpy_ = sym<void (*)(void *, void *, size_t, void *)>(rt, "mgpuMemcpy");
  auto loadJIT = sym<void *(*)(void *, int, size_t)>(rt, "mgpuModuleLoadJIT");
  auto getFunction = sym<void *(*)(void *, const char *)>(rt, "mgpuModuleGetFunction");
  auto launch = sym<void (*)(void *, intptr_t, intptr_t, intptr_t, intptr_t, intptr_t,
                             intptr_t, int32_t, void *, void **, void **, size_t)>(
      rt, "mgpuLaunchKernel");
  auto tensorMap = sym<void *(*)(int64_t, void *, int64_t, int64_t, int64_t, int64_t,
                                 int64_t, int64_t *)>(rt, "mgpuTensorMapEncodeTiledMemref");
  void *cuda = dlopen("libcuda.so.1", RTLD_NOW);
  auto cuMemcpyDtoH_ = sym<decltype(&::cuMemcpyDtoH_v2)>(cuda, "cuMemcpyDtoH_v2");
  auto cuTensorMapEncodeTiled_ =
      sym<decltype(&::cuTensorMapEncodeTiled)>(cuda, "cuTensorMapEncodeTiled");

  // The stream a caller sets is the one the host code gets.
  setStream(reinterpret_cast<void *>(0x1234));
  void *s = streamCreate();
  setStream(nullptr);
  std::printf("selftest: stream=%s\n", s == reinterpret_cast<void *>(0x1234) ? "caller's" : "other");

  // Memory.
  const size_t n = 1 << 18;
  void *d = memAlloc(n * 4, nullptr, false);
  memset32(d, 0x3f800000u, n, nullptr);
  float *h = new float[n];
  memcpy_(h, d, n * 4, nullptr); // complete on return: no synchronization here
  bool ok = d != nullptr;
  for (size_t i = 0; i < n; ++i)
    ok &= h[i] == 1.0f;
  err = lastError();
  std::printf("selftest: memory %s error=%s\n", ok ? "ok" : "BAD", err ? err : "none");

  // A tensor map over a 64 x 128 f16 memref, boxes of 64 x 64.
  struct {
    void *allocated, *aligned;
    int64_t offset, sizes[2], strides[2];
  } desc = {d, d, 0, {64, 128}, {128, 1}};
  int64_t box[2] = {64, 64};
  void *map = tensorMap(2, &desc, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 0,
                        CU_TENSOR_MAP_SWIZZLE_128B, 0, 0, box);
  void *again = tensorMap(2, &desc, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 0,
                          CU_TENSOR_MAP_SWIZZLE_128B, 0, 0, box);
  CUtensorMap onDevice, expected;
  cuuint64_t dims[2] = {128, 64}, strides[1] = {256};
  cuuint32_t boxDims[2] = {64, 64}, elems[2] = {1, 1};
  CUresult e = cuTensorMapEncodeTiled_(&expected, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 2, d, dims,
                                       strides, boxDims, elems, CU_TENSOR_MAP_INTERLEAVE_NONE,
                                       CU_TENSOR_MAP_SWIZZLE_128B,
                                       CU_TENSOR_MAP_L2_PROMOTION_NONE,
                                       CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  bool same = map && e == CUDA_SUCCESS &&
              cuMemcpyDtoH_(&onDevice, reinterpret_cast<CUdeviceptr>(map), sizeof(onDevice)) ==
                  CUDA_SUCCESS &&
              std::memcmp(&onDevice, &expected, sizeof(onDevice)) == 0;
  err = lastError();
  std::printf("selftest: tensor map %s, %s copy for an equal descriptor, error=%s\n",
              same ? "equals the driver's" : "DIFFERS", again == map ? "one" : "another",
              err ? err : "none");

  // A real kernel, launched wrong.
  std::ifstream file(argv[2]);
  std::stringstream ptx;
  ptx << file.rdbuf();
  std::string text = ptx.str();
  void *module = loadJIT(const_cast<char *>(text.c_str()), 3, text.size() + 1);
  std::string name = text.substr(text.find(".entry ") + 7);
  name = name.substr(0, name.find('('));
  void *f = getFunction(module, name.c_str());
  err = lastError();
  std::printf("selftest: kernel %s %s error=%s\n", name.c_str(), f ? "found" : "MISSING",
              err ? err : "none");
  // Valid storage behind every parameter: the launch must fail on the
  // block size, not on the arguments.
  static int64_t scratch[64][8] = {};
  void *params[64];
  for (int i = 0; i < 64; ++i)
    params[i] = scratch[i];
  launch(f, 3, 2, 1, 2048, 1, 1, 49152, nullptr, params, nullptr, 0);
  err = lastError();
  std::printf("selftest: bad launch error=%s\n", err ? err : "none");

  // PTX that does not compile.
  char bad[] = ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k() { bogus; }\n";
  void *none = loadJIT(bad, 3, sizeof(bad));
  err = lastError();
  std::printf("selftest: bad PTX module=%s error=%s\n", none ? "loaded" : "null",
              err ? err : "none");

  memFree(d, nullptr);
  delete[] h;
  err = lastError();
  std::printf("selftest: done error=%s\n", err ? err : "none");
  return 0;
}
