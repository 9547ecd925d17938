// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu -verify-diagnostics | FileCheck %s
// Ops the kernel cannot serve stay as valid IR, each with a remark saying why.

// CHECK-LABEL: func.func @negative_rank0_mask
// CHECK: fa2.attention {{.*}} mask
func.func @negative_rank0_mask(%q: tensor<1x2x64x64xf16>, %m: tensor<f16>) -> tensor<1x2x64x64xf16> {
  // expected-remark @+1 {{a rank-0 mask is not supported by the GPU kernel (it has no 1-D buffer view)}}
  %o = fa2.attention %q, %q, %q mask(%m) scale(0.125) : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<f16> -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// CHECK-LABEL: func.func @negative_mask_over_two_batch_dims
// CHECK: fa2.attention {{.*}} mask
func.func @negative_mask_over_two_batch_dims(%q: tensor<2x3x2x64x64xf16>, %m: tensor<3x1x64x64xi1>) -> tensor<2x3x2x64x64xf16> {
  // expected-remark @+1 {{a mask over one of several batch dimensions must have extent 1 there (the kernel indexes the batch as one)}}
  %o = fa2.attention %q, %q, %q mask(%m) scale(0.125) : tensor<2x3x2x64x64xf16>, tensor<2x3x2x64x64xf16>, tensor<2x3x2x64x64xf16>, tensor<3x1x64x64xi1> -> tensor<2x3x2x64x64xf16>
  return %o : tensor<2x3x2x64x64xf16>
}

// -----

// CHECK-LABEL: func.func @negative_dynamic_head_dim
// CHECK: fa2.attention
func.func @negative_dynamic_head_dim(%q: tensor<1x2x64x?xf16>, %k: tensor<1x2x64x?xf16>, %v: tensor<1x2x64x?xf16>) -> tensor<1x2x64x?xf16> {
  // expected-remark @+1 {{the head dimension must be static}}
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x64x?xf16>, tensor<1x2x64x?xf16>, tensor<1x2x64x?xf16> -> tensor<1x2x64x?xf16>
  return %o : tensor<1x2x64x?xf16>
}

// -----

// CHECK-LABEL: func.func @negative_head_dim_not_multiple_of_8
// CHECK: fa2.attention
func.func @negative_head_dim_not_multiple_of_8(%q: tensor<1x2x64x20xf16>, %k: tensor<1x2x64x20xf16>, %v: tensor<1x2x64x20xf16>) -> tensor<1x2x64x20xf16> {
  // expected-remark @+1 {{head dims must be multiples of 8 up to 256 (16-byte cp.async chunks, O accumulators in registers), got 20 and 20}}
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x64x20xf16>, tensor<1x2x64x20xf16>, tensor<1x2x64x20xf16> -> tensor<1x2x64x20xf16>
  return %o : tensor<1x2x64x20xf16>
}

// -----

// CHECK-LABEL: func.func @negative_head_dim_too_large
// CHECK: fa2.attention
func.func @negative_head_dim_too_large(%q: tensor<1x2x64x320xbf16>, %k: tensor<1x2x64x320xbf16>, %v: tensor<1x2x64x320xbf16>) -> tensor<1x2x64x320xbf16> {
  // expected-remark @+1 {{got 320 and 320}}
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x64x320xbf16>, tensor<1x2x64x320xbf16>, tensor<1x2x64x320xbf16> -> tensor<1x2x64x320xbf16>
  return %o : tensor<1x2x64x320xbf16>
}

// -----

// CHECK-LABEL: func.func @negative_non_positive_scale
// CHECK: fa2.attention
func.func @negative_non_positive_scale(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-remark @+1 {{needs a positive scale, got -1}}
  %o = fa2.attention %q, %k, %v scale(-1.0) : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// One op served, one not: the module keeps both forms.
// CHECK: gpu.module @fa2_attention_mixed_0
// CHECK-LABEL: func.func @mixed
// CHECK: gpu.launch_func @fa2_attention_mixed_0::@fa2_attention_mixed_0
// CHECK: fa2.attention {{.*}} : tensor<1x2x64x36xf16>
func.func @mixed(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %q36: tensor<1x2x64x36xf16>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x36xf16>) {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
  // expected-remark @+1 {{head dims must be multiples of 8 up to 256}}
  %o36 = fa2.attention %q36, %q36, %q36 scale(0.125) : tensor<1x2x64x36xf16>, tensor<1x2x64x36xf16>, tensor<1x2x64x36xf16> -> tensor<1x2x64x36xf16>
  return %o, %o36 : tensor<1x2x64x64xf16>, tensor<1x2x64x36xf16>
}
