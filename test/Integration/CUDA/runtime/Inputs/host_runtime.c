/*===- host_runtime.c - MLIR's GPU runtime ABI on host memory, for tests --===*\
|*                                                                            *|
|* A stand-in for libfa2-cuda-runtime where no GPU is: "device" memory is     *|
|* host memory, copies are memcpy, streams are null, and a kernel launch is  *|
|* an error. With it, host code whose ops all stay on the host (f32           *|
|* attention, the projections around it) runs end to end here under          *|
|* mlir-runner, host copies and all, so that runtime/host-emulation.test can  *|
|* check the data movement of fa2-place-device-memory without a GPU.         *|
|* Counts what it does and prints the counts at exit when                    *|
|* FA2_HOST_RUNTIME_STATS is set. Has fa2's C API too (fa2_cuda_runtime.h),   *|
|* so that python/fa2_runtime.py can drive a library linked against it.       *|
\*===----------------------------------------------------------------------===*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long allocs, frees, copies, live;

static void stats(void) {
  fprintf(stderr, "host_runtime: allocs=%ld frees=%ld copies=%ld live=%ld\n",
          allocs, frees, copies, live);
}

static void init(void) {
  static int done;
  if (!done && getenv("FA2_HOST_RUNTIME_STATS"))
    atexit(stats);
  done = 1;
}

void *mgpuModuleLoad(void *data, size_t size) { init(); return data; }
void *mgpuModuleLoadJIT(void *data, int opt, size_t size) { init(); return data; }
void mgpuModuleUnload(void *module) {}
void *mgpuModuleGetFunction(void *module, const char *name) { return (void *)name; }
void mgpuLaunchKernel(void *f, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t smem,
                      void *stream, void **params, void **extra, size_t n) {
  fprintf(stderr, "host_runtime: cannot launch kernel %s here\n", (const char *)f);
  exit(3);
}
void *mgpuStreamCreate(void) { init(); return NULL; }
void mgpuStreamDestroy(void *s) {}
void mgpuStreamSynchronize(void *s) {}
void *mgpuMemAlloc(uint64_t size, void *stream, int hostShared) {
  init();
  ++allocs, ++live;
  /* Poisoned, so that a host op reading a buffer nobody copied shows. */
  void *p = aligned_alloc(64, (size + 63) / 64 * 64 + 64);
  memset(p, 0xA5, (size + 63) / 64 * 64);
  return p;
}
void mgpuMemFree(void *p, void *stream) {
  if (p)
    ++frees, --live;
  free(p);
}
void mgpuMemcpy(void *dst, void *src, size_t size, void *stream) {
  ++copies;
  memcpy(dst, src, size);
}
void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream) {
  for (size_t i = 0; i < count; ++i)
    ((unsigned *)dst)[i] = value;
}
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  for (size_t i = 0; i < count; ++i)
    ((unsigned short *)dst)[i] = value;
}

/* fa2's C API: one thread, no errors. */
static void *stream_;
int fa2rtInit(int device) { init(); return 0; }
void *fa2rtSetStream(void *s) { void *old = stream_; stream_ = s; return old; }
void *fa2rtGetStream(void) { return stream_; }
const char *fa2rtGetLastError(void) { return NULL; }
int fa2rtSynchronize(void) { return 0; }
void fa2rtGetCounters(unsigned long long c[8]) {
  memset(c, 0, 8 * sizeof(*c));
  c[1] = copies, c[3] = allocs, c[4] = frees;
}
