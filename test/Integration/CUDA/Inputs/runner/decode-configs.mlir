// Decode steps as a serving loop exports them (one query per sequence, a
// KV cache of run-time length, GQA groups of 4), compiled with pack_gqa = true:
// split-KV kernels whose manifests carry num_splits, the partials and the
// combine launch. Used by runner/compiler-manifests.test and
// build-gpu-kernels.sh.

// LLaMA-3-8B-shaped decode: Hq 32, Hkv 8, d 128, bf16, batch and cache
// length dynamic, LSE: num_splits is an expression over sm_count.
func.func @decode_gqa4_dyn(%q: tensor<?x32x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> (tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) : tensor<?x32x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
}

// A static 4-query speculative step over a 4096-key cache, causal
// bottom-right, f16, d 64: num_splits is a literal.
func.func @decode_spec4_static(%q: tensor<2x16x4x64xf16>, %k: tensor<2x4x4096x64xf16>, %v: tensor<2x4x4096x64xf16>) -> tensor<2x16x4x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<2x16x4x64xf16>, tensor<2x4x4096x64xf16>, tensor<2x4x4096x64xf16> -> tensor<2x16x4x64xf16>
  return %o : tensor<2x16x4x64xf16>
}
