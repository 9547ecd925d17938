//===- mock_attention.cu - stand-in kernels with fa2's manifest ABI -------===//
//
// Kernels that take their arguments the way fa2's compiled kernels do (each
// buffer as a 1-D memref descriptor: allocated pointer, aligned pointer,
// offset, size, stride; then i32 sizes), so that fa2-run's loading, argument
// marshalling, checking and timing are tested without fa2's compiler. They
// compute attention with an online softmax, one warp per query row (not the
// reference's algorithm), and a few carry deliberate bugs that fa2-run (or
// compute-sanitizer) must catch:
//   mock_bug_last_key   ignores the last key           -> FAIL (bad > 0)
//   mock_bug_empty_nan  0/0 on fully masked rows       -> FAIL (NaN rows)
//   mock_bug_oob        writes one element past O      -> guard damaged
//   mock_bug_race       unsynchronized shared memory   -> racecheck hazard
// Built by scripts/build-gpu-kernels.sh: nvcc -ptx -arch=sm_90.
//
//===----------------------------------------------------------------------===//
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#define MEMREF(T, n) T *n##_alloc, T *n, long long n##_off, long long n##_size, long long n##_stride
#define SIZES int batch, int heads_q, int heads_kv, int seq_q, int seq_k

enum Bug { kNoBug, kLastKey, kEmptyNaN, kOOB, kRace };
enum Mask { kNoMask, kMaskI1, kMaskF32 };

template <typename T> __device__ float toF(T x);
template <> __device__ float toF<__half>(__half x) { return __half2float(x); }
template <> __device__ float toF<__nv_bfloat16>(__nv_bfloat16 x) { return __bfloat162float(x); }
template <typename T> __device__ T fromF(float x);
template <> __device__ __half fromF<__half>(float x) { return __float2half_rn(x); }
template <> __device__ __nv_bfloat16 fromF<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }

/// One warp per query row; lanes own head-dim slices of q and of the output.
/// Mask (when present) is [seq_q, seq_k] broadcast over batch and heads for
/// i1, and [heads_q, seq_q, seq_k] for f32.
template <typename T, int D, bool BSHD, bool CAUSAL, int MASK, int BUG>
__device__ __forceinline__ void attention(const T *q, const T *k, const T *v, T *o, float *lse,
                                          const void *mask, SIZES, float scale) {
  extern __shared__ float staged[]; // [4 warps][D]: q rows (+1 word: kRace)
  // A few bytes of static shared memory, so that a manifest asking for exactly
  // 48 KiB of dynamic shared memory exceeds the default limit.
  __shared__ volatile int entered;
  if (threadIdx.x == 0)
    entered = 1;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int i = blockIdx.x * 4 + warp;
  const int bh = blockIdx.y, b = bh / heads_q, h = bh % heads_q;
  const int g = h / (heads_q / heads_kv);
  if (BUG == kRace) {
    // Every warp writes and reads word 0 with no barrier: a hazard that does
    // not change the result.
    volatile float *shared = staged + 4 * D;
    shared[0] = (float)warp;
    if (shared[0] == 12345.f)
      scale += 1.f;
  }
  if (i >= seq_q)
    return;
  auto idx = [&](int s, int head, int heads, int seq, int d) -> long long {
    return BSHD ? (((long long)b * seq + s) * heads + head) * D + d
                : (((long long)b * heads + head) * seq + s) * D + d;
  };
  float *qs = staged + warp * D;
  for (int d = lane; d < D; d += 32)
    qs[d] = toF(q[idx(i, h, heads_q, seq_q, d)]);
  __syncwarp();
  constexpr int PER = (D + 31) / 32;
  float acc[PER];
  for (int c = 0; c < PER; ++c)
    acc[c] = 0.f;
  float m = -INFINITY, l = 0.f;
  int end = seq_k;
  if (CAUSAL)
    end = min(seq_k, max(0, i + seq_k - seq_q + 1));
  if (BUG == kLastKey)
    end = max(0, end - 1);
  for (int j = 0; j < end; ++j) {
    float part = 0.f;
    for (int d = lane; d < D; d += 32)
      part += qs[d] * toF(k[idx(j, g, heads_kv, seq_k, d)]);
    for (int off = 16; off; off /= 2)
      part += __shfl_xor_sync(0xffffffffu, part, off);
    float s = part * scale;
    if (MASK == kMaskI1 && !((const unsigned char *)mask)[(long long)i * seq_k + j])
      continue;
    if (MASK == kMaskF32)
      s += ((const float *)mask)[((long long)h * seq_q + i) * seq_k + j];
    if (s == -INFINITY)
      continue;
    const float mNew = fmaxf(m, s);
    const float alpha = __expf(m - mNew), p = __expf(s - mNew);
    l = l * alpha + p;
    for (int c = 0; c < PER; ++c) {
      const int d = lane + 32 * c;
      const float vv = d < D ? toF(v[idx(j, g, heads_kv, seq_k, d)]) : 0.f;
      acc[c] = acc[c] * alpha + p * vv;
    }
    m = mNew;
  }
  const float inv = (BUG == kEmptyNaN) ? 1.f / l : (l > 0.f ? 1.f / l : 0.f);
  for (int c = 0; c < PER; ++c) {
    const int d = lane + 32 * c;
    if (d < D)
      o[idx(i, h, heads_q, seq_q, d)] = fromF<T>(acc[c] * inv);
  }
  if (BUG == kOOB && lane == 0 && i == seq_q - 1 && bh == batch * heads_q - 1)
    o[(long long)batch * heads_q * seq_q * D] = fromF<T>(1.f);
  if (lane == 0 && lse)
    lse[(long long)bh * seq_q + i] = l > 0.f ? m + __logf(l) : INFINITY;
}

#define ENTRY(name, T, D, BSHD, CAUSAL, MASK, BUG)                                      \
  extern "C" __global__ void __launch_bounds__(128)                                    \
      name(MEMREF(T, q), MEMREF(T, k), MEMREF(T, v), MEMREF(T, o), MEMREF(float, lse),  \
           MEMREF(unsigned char, mask), SIZES, float scale) {                          \
    attention<T, D, BSHD, CAUSAL, MASK, BUG>(q + q_off, k + k_off, v + v_off, o + o_off, \
                                            lse + lse_off, mask + mask_off, batch,     \
                                            heads_q, heads_kv, seq_q, seq_k, scale);   \
  }

ENTRY(mock_f16_bhsd_d64, __half, 64, false, false, kNoMask, kNoBug)
ENTRY(mock_bf16_bshd_causal_d128, __nv_bfloat16, 128, true, true, kNoMask, kNoBug)
ENTRY(mock_f16_causal_d64, __half, 64, false, true, kNoMask, kNoBug)
ENTRY(mock_f16_mask_i1_d64, __half, 64, false, false, kMaskI1, kNoBug)
ENTRY(mock_bf16_mask_f32_d32, __nv_bfloat16, 32, false, false, kMaskF32, kNoBug)
ENTRY(mock_bug_last_key, __half, 64, false, false, kNoMask, kLastKey)
ENTRY(mock_bug_empty_nan, __half, 64, false, true, kNoMask, kEmptyNaN)
ENTRY(mock_bug_oob, __half, 64, false, false, kNoMask, kOOB)
ENTRY(mock_bug_race, __half, 64, false, false, kNoMask, kRace)
