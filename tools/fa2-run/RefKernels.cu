//===- RefKernels.cu - fa2-run's independent reference attention ----------===//
//
// The reference that fa2's kernels are checked against. It shares no code and
// no algorithm with them: one CTA per query row, the exact softmax in two passes
// (max and sum first, then the normalized weights times V), precise expf/logf.
//
// It computes two answers from the same inputs in one launch:
//  * o32 / lse32: everything in f32 (FlashAttention's "ref"),
//  * olp: what PyTorch's math path computes in the inputs' own precision
//    (FlashAttention's "ref_lowprec"): the scores rounded to the element type
//    after scaling (and again after adding a float mask), the softmax weights
//    rounded after normalization, the output rounded once at the end.
// fa2-run then applies FlashAttention's rule:
//   max|out - o32| <= 2 * max|olp - o32| (+ a tiny absolute epsilon).
//
// For f32 inputs (fa2ref_attention_f64) the high answer is computed in f64
// (o32/lse32 hold doubles) and the low one is PyTorch's math path in f32
// (or, for kernels that round to bf16 by policy, in bf16 on bf16-rounded
// inputs): the same rule then compares an f32 kernel with f32 math.
//
// Semantics are fa2.attention's (AttentionOps.td): causal bottom-right
// (key j visible to query i iff j <= i + Sk - Sq), a sliding window (iff
// i + Sk - Sq - left <= j <= i + Sk - Sq + right), GQA (kv head =
// h / (Hq/Hkv)), i1 masks keep where true, float masks add, broadcast by zero
// strides. A removed score is -inf, or the finite fill: then every key is
// visited and a float mask is added to the fill. Without a fill a fully
// masked row gives 0 and an LSE of +inf.
//
//===----------------------------------------------------------------------===//
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "RefParams.h"

static __device__ __forceinline__ float loadElem(unsigned long long base,
                                                 long long i, int dtype) {
  if (dtype == FA2REF_F16)
    return __half2float(reinterpret_cast<const __half *>(base)[i]);
  if (dtype == FA2REF_BF16)
    return __bfloat162float(reinterpret_cast<const __nv_bfloat16 *>(base)[i]);
  return reinterpret_cast<const float *>(base)[i];
}

/// Rounds an f32 to the element type and back (identity for f32).
static __device__ __forceinline__ float roundTo(float x, int dtype) {
  if (dtype == FA2REF_F16)
    return __half2float(__float2half_rn(x));
  if (dtype == FA2REF_BF16)
    return __bfloat162float(__float2bfloat16_rn(x));
  return x;
}

/// Whether query i keeps key j by position (causal and window).
static __device__ __forceinline__ bool keptByPosition(const RefParams &p, long long i,
                                                      long long j) {
  const long long diag = i + p.seqK - p.seqQ;
  if (p.causal && j > diag)
    return false;
  if (p.hasWindow && (j < diag - p.windowLeft || j > diag + p.windowRight))
    return false;
  return true;
}

/// The precision of each answer: Hi is the high reference's arithmetic
/// (float, or double for f32 inputs); the low path rounds to lowDtype.
template <typename Hi> struct Precision;
template <> struct Precision<float> {
  static __device__ __forceinline__ int low(const RefParams &p) { return p.inDtype; }
  static __device__ __forceinline__ float exp(float x) { return expf(x); }
  static __device__ __forceinline__ float log(float x) { return logf(x); }
};
template <> struct Precision<double> {
  static __device__ __forceinline__ int low(const RefParams &p) { return p.lowDtype; }
  static __device__ __forceinline__ double exp(double x) { return ::exp(x); }
  static __device__ __forceinline__ double log(double x) { return ::log(x); }
};

/// Scores of keys [j0, j0 + n) for one query row i into s32/slp (shared).
/// One warp per key, lanes over the feature dimension, so that K is read in
/// coalesced rows.
template <typename Hi>
static __device__ void scoreChunk(const RefParams &p, const float *qs, long long i,
                                  long long kRow0, long long maskRow, int j0,
                                  int n, Hi *s32, float *slp) {
  const int low = Precision<Hi>::low(p);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int numWarps = FA2REF_THREADS / 32;
  for (int jj = warp; jj < n; jj += numWarps) {
    const long long j = j0 + jj;
    const long long kRow = kRow0 + j * p.kss;
    // dot: the high path's; dotl: the low path's (the same sum in f32 for
    // 16-bit inputs; for f32 inputs f32 arithmetic on the inputs rounded
    // to the low type).
    Hi dot = 0;
    float dotl = 0.f;
    for (int d = lane; d < p.headDim; d += 32) {
      const float kd = loadElem(p.k, kRow + d, p.inDtype);
      if (sizeof(Hi) == 8) {
        dot += (Hi)qs[d] * (Hi)kd;
        dotl = fmaf(roundTo(qs[d], low), roundTo(kd, low), dotl);
      } else {
        dot = fmaf(qs[d], kd, dot);
      }
    }
    for (int off = 16; off > 0; off /= 2) {
      dot += __shfl_xor_sync(0xffffffffu, dot, off);
      dotl += __shfl_xor_sync(0xffffffffu, dotl, off);
    }
    if (sizeof(Hi) == 4)
      dotl = (float)dot;
    if (lane != 0)
      continue;
    Hi s = dot * (Hi)p.scale;
    float sl = roundTo(dotl * p.scale, low);
    // A removed score is the fill (-inf without one). The low-precision
    // reference keeps the fill unrounded: a model in f16/bf16 would spell
    // its own finfo.min, and rounding f32's to bf16 would give -inf.
    const float removed = p.hasFill ? p.fill : -INFINITY;
    if (!keptByPosition(p, i, j)) {
      s = removed;
      sl = removed;
    }
    if (p.maskDtype != FA2REF_NONE) {
      const long long mi = maskRow + j * p.msj;
      if (p.maskDtype == FA2REF_I1) {
        if (reinterpret_cast<const unsigned char *>(p.mask)[mi] == 0) {
          s = removed;
          sl = removed;
        }
      } else {
        const float m = loadElem(p.mask, mi, p.maskDtype);
        s += m;
        sl = roundTo(sl + m, low);
      }
    }
    s32[jj] = s;
    slp[jj] = sl;
  }
}

/// Online (max, sum) update with one score; -inf scores contribute nothing.
template <typename T>
static __device__ __forceinline__ void onlineAdd(T s, T &m, T &l) {
  if (s == -INFINITY)
    return;
  if (s > m) {
    l = (m == -INFINITY ? T(0) : l * Precision<T>::exp(m - s)) + T(1);
    m = s;
  } else {
    l += Precision<T>::exp(s - m);
  }
}

/// Combines two partial (max, sum) pairs.
template <typename T>
static __device__ __forceinline__ void combine(T &m, T &l, T m2, T l2) {
  if (m2 == -INFINITY)
    return;
  if (m == -INFINITY) {
    m = m2;
    l = l2;
    return;
  }
  const T mx = m > m2 ? m : m2;
  l = l * Precision<T>::exp(m - mx) + l2 * Precision<T>::exp(m2 - mx);
  m = mx;
}

/// Block-wide combine of every thread's (m, l); all threads get the result.
template <typename T>
static __device__ void blockCombine(T &m, T &l, T *scratch) {
  for (int off = 16; off > 0; off /= 2) {
    const T m2 = __shfl_xor_sync(0xffffffffu, m, off);
    const T l2 = __shfl_xor_sync(0xffffffffu, l, off);
    combine(m, l, m2, l2);
  }
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0) {
    scratch[2 * warp] = m;
    scratch[2 * warp + 1] = l;
  }
  __syncthreads();
  m = -INFINITY;
  l = 0;
  for (int w = 0; w < FA2REF_THREADS / 32; ++w)
    combine(m, l, scratch[2 * w], scratch[2 * w + 1]);
  __syncthreads();
}

template <typename Hi> static __device__ void attention(const RefParams &p) {
  // Shared: s32 [FA2REF_CHUNK] of Hi (first: aligned for doubles), then
  // slp [FA2REF_CHUNK] and qs [headDim] of float.
  extern __shared__ double smemAligned[];
  Hi *s32 = reinterpret_cast<Hi *>(smemAligned);
  float *slp = reinterpret_cast<float *>(s32 + FA2REF_CHUNK);
  float *qs = slp + FA2REF_CHUNK;
  __shared__ Hi scratch[2 * FA2REF_THREADS / 32];
  __shared__ float scratchLow[2 * FA2REF_THREADS / 32];
  const int low = Precision<Hi>::low(p);

  const int i = blockIdx.x;
  // (batch, query head) over grid y and z, each at most 65535: bh = y +
  // gridDim.y * z; the CTAs of the rounded-up grid past batch * Hq have
  // nothing to do (the whole CTA returns, before any barrier).
  const long long bh = blockIdx.y + (long long)gridDim.y * blockIdx.z;
  if (bh >= (long long)p.batch * p.headsQ)
    return;
  const long long b = bh / p.headsQ;
  const int h = (int)(bh % p.headsQ);
  const int g = h / (p.headsQ / p.headsKV);
  const long long qRow = b * p.qsb + h * p.qsh + i * p.qss;
  const long long kRow0 = b * p.ksb + g * p.ksh;
  const long long vRow0 = b * p.vsb + g * p.vsh;
  const long long maskRow = b * p.msb + h * p.msh + i * p.msi;

  for (int d = threadIdx.x; d < p.headDim; d += FA2REF_THREADS)
    qs[d] = loadElem(p.q, qRow + d, p.inDtype);

  // Without a fill, keys outside [keyBegin, keyEnd) (past the causal limit or
  // outside the window) are -inf and never visited. With a fill every key
  // counts.
  long long limit = p.seqK, first = 0;
  if (!p.hasFill) {
    const long long diag = (long long)i + p.seqK - p.seqQ;
    if (p.causal)
      limit = diag + 1;
    if (p.hasWindow) {
      if (diag + p.windowRight + 1 < limit)
        limit = diag + p.windowRight + 1;
      first = diag - p.windowLeft;
    }
  }
  const int keyEnd = (int)(limit < 0 ? 0 : (limit > p.seqK ? p.seqK : limit));
  const int keyBegin = (int)(first < 0 ? 0 : (first > keyEnd ? keyEnd : first));
  __syncthreads();

  // Pass 1: the row max and the sum of exp(s - max), both precisions.
  Hi m32 = -INFINITY, l32 = 0;
  float mlp = -INFINITY, llp = 0.f;
  for (int j0 = keyBegin; j0 < keyEnd; j0 += FA2REF_CHUNK) {
    const int n = min(FA2REF_CHUNK, keyEnd - j0);
    scoreChunk(p, qs, i, kRow0, maskRow, j0, n, s32, slp);
    __syncthreads();
    for (int jj = threadIdx.x; jj < n; jj += FA2REF_THREADS) {
      onlineAdd(s32[jj], m32, l32);
      onlineAdd(slp[jj], mlp, llp);
    }
    __syncthreads();
  }
  blockCombine(m32, l32, scratch);
  blockCombine(mlp, llp, scratchLow);

  // Pass 2: normalized weights times V. Thread t owns output features
  // t, t + 128, ... so that V rows are read coalesced.
  Hi acc32[FA2REF_MAX_DV / FA2REF_THREADS] = {};
  float acclp[FA2REF_MAX_DV / FA2REF_THREADS] = {};
  for (int j0 = keyBegin; j0 < keyEnd; j0 += FA2REF_CHUNK) {
    const int n = min(FA2REF_CHUNK, keyEnd - j0);
    scoreChunk(p, qs, i, kRow0, maskRow, j0, n, s32, slp);
    __syncthreads();
    for (int jj = threadIdx.x; jj < n; jj += FA2REF_THREADS) {
      const Hi a = s32[jj];
      const float c = slp[jj];
      s32[jj] = (a == -INFINITY) ? Hi(0) : Precision<Hi>::exp(a - m32) / l32;
      slp[jj] = (c == -INFINITY) ? 0.f : roundTo(expf(c - mlp) / llp, low);
    }
    __syncthreads();
    for (int jj = 0; jj < n; ++jj) {
      const Hi w32 = s32[jj];
      const float wlp = slp[jj];
      const long long vRow = vRow0 + (long long)(j0 + jj) * p.vss;
#pragma unroll
      for (int r = 0; r < FA2REF_MAX_DV / FA2REF_THREADS; ++r) {
        const int dv = threadIdx.x + r * FA2REF_THREADS;
        if (dv < p.headDimV) {
          const float x = loadElem(p.v, vRow + dv, p.inDtype);
          acc32[r] = w32 * (Hi)x + acc32[r];
          acclp[r] = fmaf(wlp, roundTo(x, low), acclp[r]);
        }
      }
    }
    __syncthreads();
  }

  const long long outRow = ((long long)bh * p.seqQ + i) * p.headDimV;
#pragma unroll
  for (int r = 0; r < FA2REF_MAX_DV / FA2REF_THREADS; ++r) {
    const int dv = threadIdx.x + r * FA2REF_THREADS;
    if (dv < p.headDimV) {
      reinterpret_cast<Hi *>(p.o32)[outRow + dv] = acc32[r];
      float olow = roundTo(acclp[r], low);
      if (sizeof(Hi) == 8)
        olow = roundTo(olow, p.outDtype);
      reinterpret_cast<float *>(p.olp)[outRow + dv] = olow;
    }
  }
  if (threadIdx.x == 0)
    reinterpret_cast<Hi *>(p.lse32)[(long long)bh * p.seqQ + i] =
        (m32 == -INFINITY) ? Hi(INFINITY) : m32 + Precision<Hi>::log(l32);
}

/// 16-bit inputs: the high reference in f32, the low one in the inputs' type.
extern "C" __global__ void __launch_bounds__(FA2REF_THREADS)
    fa2ref_attention(RefParams p) {
  attention<float>(p);
}

/// f32 inputs: the high reference in f64, the low one per p.lowDtype.
extern "C" __global__ void __launch_bounds__(FA2REF_THREADS)
    fa2ref_attention_f64(RefParams p) {
  attention<double>(p);
}
