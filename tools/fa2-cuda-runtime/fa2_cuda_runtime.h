/*===- fa2_cuda_runtime.h - fa2's runtime for its host code, C API -*- C -*-===*\
|*                                                                            *|
|* libfa2-cuda-runtime.so implements the part of MLIR's GPU runtime ABI       *|
|* (mgpuModuleLoad, mgpuLaunchKernel, mgpuMemAlloc, ...) that the host code   *|
|* of `fa2-opt --fa2-to-ptx` calls, over the CUDA driver API opened with      *|
|* dlopen. This header declares what it adds for the code that CALLS that     *|
|* host code (docs/runtime.md):                                               *|
|*                                                                            *|
|*  - the stream the host code runs on: every function of the compiled       *|
|*    library enqueues its kernels and copies on the calling thread's        *|
|*    stream (fa2rtSetStream; by default the legacy default stream 0), and   *|
|*    returns without waiting for them unless a host-side op needs their    *|
|*    results;                                                               *|
|*  - errors: MLIR's ABI functions return nothing, so the first CUDA error   *|
|*    of a thread is printed once to stderr and kept until read with         *|
|*    fa2rtGetLastError (then cleared).                                      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#ifndef FA2_CUDA_RUNTIME_H
#define FA2_CUDA_RUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Opens the driver and makes a context current on this thread (the current
 * one if there is one, else device `device`'s primary context, as the CUDA
 * runtime and PyTorch do). Returns 0, or -1 with fa2rtGetLastError() saying
 * why ("no CUDA driver: ...", "no CUDA GPU: ..."). */
int fa2rtInit(int device);

/* The stream that this thread's calls into compiled host code run on (a
 * CUstream; 0 is the legacy default stream). Returns the previous one. */
void *fa2rtSetStream(void *stream);
void *fa2rtGetStream(void);

/* The first error since the last call on this thread (NULL if none), and
 * clears it. The text stays valid until the next call from this thread. */
const char *fa2rtGetLastError(void);

/* Waits for this thread's stream. Returns 0, or -1 on a CUDA error. */
int fa2rtSynchronize(void);

/* Calls to the runtime so far on this process (launches, copies, allocations,
 * synchronizations), for tests that pin what host code does per call. */
struct fa2rtCounters {
  unsigned long long launches, copies, copiesToHost, allocs, frees, syncs,
      moduleLoads, tensorMaps;
};
void fa2rtGetCounters(struct fa2rtCounters *counters);

#ifdef __cplusplus
}
#endif

#endif /* FA2_CUDA_RUNTIME_H */
