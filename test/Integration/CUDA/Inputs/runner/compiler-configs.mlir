// One fa2.attention per configuration the GPU lowering serves, each compiled
// by --fa2-to-ptx into a kernel and a manifest that fa2-run must accept
// (runner/compiler-manifests.test). Sequence lengths are dynamic where the
// kernels take them so; one function is fully static and one has a name that
// is no PTX identifier.

func.func @mha_f16_causal_lse(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>) -> (tensor<2x4x?x64xf16>, tensor<2x4x?xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) causal : tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16> -> tensor<2x4x?x64xf16>, tensor<2x4x?xf32>
  return %o, %lse : tensor<2x4x?x64xf16>, tensor<2x4x?xf32>
}

func.func @gqa_bf16_bshd(%q: tensor<1x?x8x128xbf16>, %k: tensor<1x?x2x128xbf16>, %v: tensor<1x?x2x128xbf16>) -> tensor<1x?x8x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) layout<bshd> : tensor<1x?x8x128xbf16>, tensor<1x?x2x128xbf16>, tensor<1x?x2x128xbf16> -> tensor<1x?x8x128xbf16>
  return %o : tensor<1x?x8x128xbf16>
}

func.func @bool_mask_causal(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>, %m: tensor<?x?xi1>) -> tensor<2x4x?x64xf16> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.125) causal : tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<?x?xi1> -> tensor<2x4x?x64xf16>
  return %o : tensor<2x4x?x64xf16>
}

func.func @padding_mask_float_fill(%q: tensor<2x8x?x128xbf16>, %k: tensor<2x2x?x128xbf16>, %v: tensor<2x2x?x128xbf16>, %m: tensor<2x1x?x?xbf16>) -> tensor<2x8x?x128xbf16> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.08838834764831845) window(20, 10) fill(-3.4028234663852886E+38) : tensor<2x8x?x128xbf16>, tensor<2x2x?x128xbf16>, tensor<2x2x?x128xbf16>, tensor<2x1x?x?xbf16> -> tensor<2x8x?x128xbf16>
  return %o : tensor<2x8x?x128xbf16>
}

func.func @d256_static(%q: tensor<1x2x77x256xf16>, %k: tensor<1x2x300x256xf16>, %v: tensor<1x2x300x256xf16>) -> tensor<1x2x77x256xf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) causal : tensor<1x2x77x256xf16>, tensor<1x2x300x256xf16>, tensor<1x2x300x256xf16> -> tensor<1x2x77x256xf16>
  return %o : tensor<1x2x77x256xf16>
}

func.func @"torch-jit-export"(%q: tensor<?x32x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> (tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) : tensor<?x32x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
}
