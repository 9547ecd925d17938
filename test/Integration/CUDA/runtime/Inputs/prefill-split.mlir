// A chunked-prefill step on the mma.sync prefill tile (256 queries of a
// cache of run-time length, 8 heads, batch dynamic): the keys split at run
// time; where the count is 1 the host code launches the kernel unsplit
// (its _one_split kernel) and allocates no partials.
func.func @prefill_split(%q: tensor<?x8x256x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x8x256x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) causal : tensor<?x8x256x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x8x256x128xbf16>
  return %o : tensor<?x8x256x128xbf16>
}
