// Sequence lengths known only at run time: the output is returned, allocated
// by the library on the caller's stream (the caller frees it), and a call
// with no query row launches nothing.
func.func @dynamic_seq(%q: tensor<1x8x?x64xbf16>, %k: tensor<1x2x?x64xbf16>, %v: tensor<1x2x?x64xbf16>) -> tensor<1x8x?x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<1x8x?x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16> -> tensor<1x8x?x64xbf16>
  return %o : tensor<1x8x?x64xbf16>
}
