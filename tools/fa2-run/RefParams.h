//===- RefParams.h - parameters of fa2-run's reference kernel ---*- C++ -*-===//
//
// Shared by the host (fa2-run.cpp, compiled by the host C++ compiler) and the
// reference kernel (RefKernels.cu, compiled by nvcc), which receives this
// struct by value: plain C types only, so both compilers lay it out alike.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_RUN_REFPARAMS_H
#define FA2_RUN_REFPARAMS_H

/// Element type codes (inputs, masks).
enum {
  FA2REF_NONE = 0,
  FA2REF_F32 = 1,
  FA2REF_F16 = 2,
  FA2REF_BF16 = 3,
  FA2REF_I1 = 4, // one byte per element, 0 = masked out
};

/// Threads per CTA and keys per shared-memory chunk of the reference kernel.
enum { FA2REF_THREADS = 128, FA2REF_CHUNK = 256, FA2REF_MAX_DV = 512 };

/// One CTA per (query row, batch * query head), the latter over grid y and z
/// when it exceeds 65535 (fa2-run.cpp). Q, K and V are addressed by
/// element strides over (batch, head, seq) with the feature dimension
/// contiguous, which covers both bhsd and bshd. The mask is addressed by
/// strides over (batch, query head, query row, key), 0 where it broadcasts.
/// Outputs are f32 and dense in bhsd order: o32/olp [B, Hq, Sq, Dv], lse32
/// [B, Hq, Sq].
struct RefParams {
  unsigned long long q, k, v, mask;
  unsigned long long o32, olp, lse32;
  long long qsb, qsh, qss;
  long long ksb, ksh, kss;
  long long vsb, vsh, vss;
  long long msb, msh, msi, msj;
  int batch, headsQ, headsKV, seqQ, seqK, headDim, headDimV;
  int inDtype, maskDtype, causal;
  float scale;
  int pad;
  /// Sliding window: key j is kept for query i iff
  /// i + Sk - Sq - windowLeft <= j <= i + Sk - Sq + windowRight.
  long long windowLeft, windowRight;
  int hasWindow, hasFill;
  /// The value of a removed score when hasFill (else -inf).
  float fill;
  int pad2;
  /// Only read by fa2ref_attention_f64 (f32 inputs): the high reference is
  /// f64 (o32/lse32 then hold doubles), and the low-precision one is
  /// PyTorch's math path in `lowDtype` (FA2REF_F32: f32 arithmetic on the
  /// inputs; FA2REF_BF16: the inputs rounded to bf16 first, a bf16 model's
  /// math path), its output rounded to `outDtype` as the kernel's is.
  int lowDtype, outDtype;
};

#endif // FA2_RUN_REFPARAMS_H
