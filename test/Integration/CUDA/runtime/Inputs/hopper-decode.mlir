// A speculative decode step of a LLaMA-3-8B-shaped layer (32 query heads on
// 4 K/V heads here, d = 128, bf16, Sq = 16 causal bottom-right) with its
// LSE, batch and cache length known only at run time. On chip=sm_90a its
// 128 packed rows per K/V head take the wgmma decode kernel: the host code
// encodes Q's tensor map with a group's G·Sq rows per K/V head, computes the
// split count from batch and seq_k, allocates the f32 partials and launches
// the combine after the splits (none with one split).
func.func @hopper_decode(%q: tensor<?x32x16x128xbf16>, %k: tensor<?x4x?x128xbf16>, %v: tensor<?x4x?x128xbf16>) -> (tensor<?x32x16x128xbf16>, tensor<?x32x16xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831843) causal : tensor<?x32x16x128xbf16>, tensor<?x4x?x128xbf16>, tensor<?x4x?x128xbf16> -> tensor<?x32x16x128xbf16>, tensor<?x32x16xf32>
  return %o, %lse : tensor<?x32x16x128xbf16>, tensor<?x32x16xf32>
}
