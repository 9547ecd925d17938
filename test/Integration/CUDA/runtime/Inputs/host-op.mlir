// An attention on the GPU whose output feeds an op left on the host (the
// residual add): the kernel writes device memory, the host code copies it to
// the host for the add and the sum back to the caller's device buffer; the
// LSE goes straight from the kernel to its out-parameter.
func.func @attention_residual(%q: tensor<2x4x96x32xf16>, %k: tensor<2x4x160x32xf16>, %v: tensor<2x4x160x32xf16>) -> (tensor<2x4x96x32xf16>, tensor<2x4x96xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.1767767) causal : tensor<2x4x96x32xf16>, tensor<2x4x160x32xf16>, tensor<2x4x160x32xf16> -> tensor<2x4x96x32xf16>, tensor<2x4x96xf32>
  %e = tensor.empty() : tensor<2x4x96x32xf16>
  %r = linalg.add ins(%o, %q : tensor<2x4x96x32xf16>, tensor<2x4x96x32xf16>) outs(%e : tensor<2x4x96x32xf16>) -> tensor<2x4x96x32xf16>
  return %r, %lse : tensor<2x4x96x32xf16>, tensor<2x4x96xf32>
}
