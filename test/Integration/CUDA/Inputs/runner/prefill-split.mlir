// A chunked-prefill step on the mma.sync prefill tile (Sq = 512 of a cache
// of run-time length, 32 / 8 heads, batch dynamic): the keys split at run
// time, and a launch of one split runs the kernel unsplit (the manifest's
// "one_split"; runner/compiler-manifests.test).
func.func @chunk(%q: tensor<?x32x512x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x32x512x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) causal : tensor<?x32x512x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x512x128xbf16>
  return %o : tensor<?x32x512x128xbf16>
}
