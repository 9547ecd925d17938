//===- bench_entry.cpp - host entry point vs bare kernel launch -----------===//
//
// Measures what the compiled host code costs per call over launching its
// kernel directly, on the bundled example (examples/attention.mlir compiled
// by scripts/fa2-compile.sh: one f16 kernel, 16 x 128 x 64):
//
//   entry  _mlir_ciface_attention(&q, &k, &v, &o)       (fa2-cuda-runtime)
//   bare   cuLaunchKernel(f, grid, block, smem, stream, params)
//
// on the same device buffers, kernel (loaded from the manifest's PTX) and
// stream. Two numbers each, median of interleaved rounds:
//   issue_us  CPU time per call, 100 calls between synchronizations (fewer
//             than the launch queue holds, so no call waits for the GPU);
//   e2e_us    wall time per call over 2000 back-to-back calls and one final
//             synchronization (what a model loop sees).
// Prints "bench_entry: entry issue_us=... e2e_us=..." and the same for
// "bare", then "bench_entry: OVERHEAD issue_us=... e2e_us=...".
//
// Built on the compile host (g++, cuda.h; libcuda opened with dlopen), run
// on the GPU machine: bench_entry LIBDIR
//===----------------------------------------------------------------------===//
#include "fa2_cuda_runtime.h"

#include <cuda.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {
struct Desc3 {
  void *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
};
using Entry = void (*)(Desc3 *, Desc3 *, Desc3 *, Desc3 *);

void *need(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (!p) {
    std::fprintf(stderr, "bench_entry: missing symbol %s\n", name);
    std::exit(3);
  }
  return p;
}

#define DRV(name) reinterpret_cast<decltype(&::name)>(need(cuda, #name))
#define CHECK(x)                                                               \
  do {                                                                         \
    CUresult r_ = (x);                                                         \
    if (r_ != CUDA_SUCCESS) {                                                  \
      std::fprintf(stderr, "bench_entry: %s failed: %d\n", #x, int(r_));       \
      std::exit(3);                                                            \
    }                                                                          \
  } while (0)

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_entry LIBDIR\n");
    return 2;
  }
  std::string dir = argv[1];
  void *rt = dlopen((dir + "/libfa2-cuda-runtime.so").c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!rt) {
    std::fprintf(stderr, "bench_entry: %s\n", dlerror());
    return 3;
  }
  auto init = reinterpret_cast<int (*)(int)>(need(rt, "fa2rtInit"));
  auto setStream = reinterpret_cast<void *(*)(void *)>(need(rt, "fa2rtSetStream"));
  auto lastError = reinterpret_cast<const char *(*)()>(need(rt, "fa2rtGetLastError"));
  if (init(0) != 0) {
    std::fprintf(stderr, "bench_entry: %s\n", lastError());
    return 3;
  }
  void *lib = dlopen((dir + "/libattention.so").c_str(), RTLD_NOW);
  if (!lib) {
    std::fprintf(stderr, "bench_entry: %s\n", dlerror());
    return 3;
  }
  auto entry = reinterpret_cast<Entry>(need(lib, "_mlir_ciface_attention"));

  void *cuda = dlopen("libcuda.so.1", RTLD_NOW);
  auto cuMemAlloc_ = DRV(cuMemAlloc_v2);
  auto cuMemsetD16_ = DRV(cuMemsetD16_v2);
  auto cuModuleLoadData_ = DRV(cuModuleLoadData);
  auto cuModuleGetFunction_ = DRV(cuModuleGetFunction);
  auto cuFuncSetAttribute_ = DRV(cuFuncSetAttribute);
  auto cuLaunchKernel_ = DRV(cuLaunchKernel);
  auto cuStreamCreate_ = DRV(cuStreamCreate);
  auto cuStreamSynchronize_ = DRV(cuStreamSynchronize);

  const int64_t n = 16 * 128 * 64;
  CUdeviceptr buf[4];
  for (CUdeviceptr &b : buf) {
    CHECK(cuMemAlloc_(&b, n * 2));
    CHECK(cuMemsetD16_(b, 0x3800, n)); // 0.5
  }
  CUstream stream;
  CHECK(cuStreamCreate_(&stream, CU_STREAM_NON_BLOCKING));
  setStream(stream);

  // The bare kernel: the manifest's PTX, its 20 parameters (5 per buffer).
  std::ifstream ptxFile(dir + "/kernels/fa2_attention_attention_0.ptx");
  std::stringstream ptx;
  ptx << ptxFile.rdbuf();
  CUmodule module;
  CHECK(cuModuleLoadData_(&module, ptx.str().c_str()));
  CUfunction f;
  CHECK(cuModuleGetFunction_(&f, module, "fa2_attention_attention_0"));
  const int smem = 49152;
  CHECK(cuFuncSetAttribute_(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem));
  struct {
    void *allocated, *aligned;
    int64_t offset, size, stride;
  } flat[4];
  std::vector<void *> params;
  for (int i = 0; i < 4; ++i) {
    flat[i] = {reinterpret_cast<void *>(buf[i]), reinterpret_cast<void *>(buf[i]), 0, n, 1};
    params.insert(params.end(), {&flat[i].allocated, &flat[i].aligned,
                                 &flat[i].offset, &flat[i].size, &flat[i].stride});
  }
  auto bare = [&] {
    CHECK(cuLaunchKernel_(f, 1, 16, 1, 128, 1, 1, smem, stream, params.data(), nullptr));
  };
  Desc3 d[4];
  for (int i = 0; i < 4; ++i)
    d[i] = {reinterpret_cast<void *>(buf[i]), reinterpret_cast<void *>(buf[i]), 0,
            {16, 128, 64}, {128 * 64, 64, 1}};
  auto viaEntry = [&] { entry(&d[0], &d[1], &d[2], &d[3]); };

  auto issue = [&](auto &&call) {
    double t0 = now();
    for (int i = 0; i < 100; ++i)
      call();
    double t1 = now();
    CHECK(cuStreamSynchronize_(stream));
    return (t1 - t0) / 100 * 1e6;
  };
  auto e2e = [&](auto &&call) {
    CHECK(cuStreamSynchronize_(stream));
    double t0 = now();
    for (int i = 0; i < 2000; ++i)
      call();
    CHECK(cuStreamSynchronize_(stream));
    return (now() - t0) / 2000 * 1e6;
  };
  for (int i = 0; i < 200; ++i) {
    bare();
    viaEntry();
  }
  CHECK(cuStreamSynchronize_(stream));
  std::vector<double> ei, bi, ee, be;
  for (int round = 0; round < 15; ++round) {
    ei.push_back(issue(viaEntry));
    bi.push_back(issue(bare));
    ee.push_back(e2e(viaEntry));
    be.push_back(e2e(bare));
  }
  if (const char *err = lastError()) {
    std::fprintf(stderr, "bench_entry: runtime error: %s\n", err);
    return 3;
  }
  std::printf("bench_entry: entry issue_us=%.3f e2e_us=%.3f\n", median(ei), median(ee));
  std::printf("bench_entry: bare issue_us=%.3f e2e_us=%.3f\n", median(bi), median(be));
  std::printf("bench_entry: OVERHEAD issue_us=%.3f e2e_us=%.3f\n",
              median(ei) - median(bi), median(ee) - median(be));
  return 0;
}
