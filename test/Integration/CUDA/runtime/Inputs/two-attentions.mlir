// Two attentions in one function, the second reading the first's output:
// two kernels, the intermediate in device memory (gpu.alloc), no host copy.
func.func @two_attentions(%q: tensor<2x4x128x64xf16>, %k: tensor<2x4x128x64xf16>, %v: tensor<2x4x128x64xf16>) -> tensor<2x4x128x64xf16> {
  %o1 = fa2.attention %q, %k, %v scale(0.125) : tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16> -> tensor<2x4x128x64xf16>
  %o2 = fa2.attention %o1, %k, %v scale(0.125) causal : tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16> -> tensor<2x4x128x64xf16>
  return %o2 : tensor<2x4x128x64xf16>
}
