// d = 64 causal with a dynamic length on sm_90a: a kernel per seq_k range
// (the manifest's "variants"; runner/compiler-manifests.test).
func.func @dyn(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x16x?x64xbf16>, %v: tensor<?x16x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16> -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}
