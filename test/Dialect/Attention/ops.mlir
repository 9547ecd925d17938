// RUN: fa2-opt %s --split-input-file | FileCheck %s
// RUN: fa2-opt %s --split-input-file --mlir-print-op-generic | fa2-opt --split-input-file | FileCheck %s
// RUN: fa2-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS
// DIALECTS: Available Dialects: {{.*}}fa2
// Round trip of fa2.attention in its custom and generic forms.

// CHECK-LABEL: func.func @mha
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.250000e-01) : tensor<2x8x128x64xf16>, tensor<2x8x128x64xf16>, tensor<2x8x128x64xf16> -> tensor<2x8x128x64xf16>
func.func @mha(%q: tensor<2x8x128x64xf16>, %k: tensor<2x8x128x64xf16>, %v: tensor<2x8x128x64xf16>) -> tensor<2x8x128x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<2x8x128x64xf16>, tensor<2x8x128x64xf16>, tensor<2x8x128x64xf16> -> tensor<2x8x128x64xf16>
  return %o : tensor<2x8x128x64xf16>
}

// -----

// CHECK-LABEL: func.func @gqa_causal_lse
// CHECK: %[[O:.*]], %[[LSE:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.250000e-01) causal : {{.*}} -> tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
func.func @gqa_causal_lse(%q: tensor<2x8x100x64xbf16>, %k: tensor<2x2x130x64xbf16>, %v: tensor<2x2x130x64xbf16>) -> (tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) causal : tensor<2x8x100x64xbf16>, tensor<2x2x130x64xbf16>, tensor<2x2x130x64xbf16> -> tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
  return %o, %lse : tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
}

// -----

// CHECK-LABEL: func.func @bshd_float_mask
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(5.000000e-01) layout<bshd> : tensor<1x16x4x32xf32>, tensor<1x24x4x32xf32>, tensor<1x24x4x48xf32>, tensor<16x24xf32> -> tensor<1x16x4x48xf32>
func.func @bshd_float_mask(%q: tensor<1x16x4x32xf32>, %k: tensor<1x24x4x32xf32>, %v: tensor<1x24x4x48xf32>, %m: tensor<16x24xf32>) -> tensor<1x16x4x48xf32> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.5) layout<bshd> : tensor<1x16x4x32xf32>, tensor<1x24x4x32xf32>, tensor<1x24x4x48xf32>, tensor<16x24xf32> -> tensor<1x16x4x48xf32>
  return %o : tensor<1x16x4x48xf32>
}

// -----

// The default layout is elided when printed.
// CHECK-LABEL: func.func @explicit_default_layout
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.000000e+00) :
// CHECK-NOT: layout
func.func @explicit_default_layout(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %o = fa2.attention %q, %k, %v scale(1.0) layout<bhsd> : tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32> -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// Dynamic sizes, a bool mask broadcast over batch and heads, MQA, f16 in, f32 out.
// CHECK-LABEL: func.func @dynamic_bool_mask_mqa
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(1.250000e-01) causal : tensor<?x8x?x64xf16>, tensor<?x1x?x64xf16>, tensor<?x1x?x64xf16>, tensor<1x1x?x?xi1> -> tensor<?x8x?x64xf32>, tensor<?x8x?xf32>
func.func @dynamic_bool_mask_mqa(%q: tensor<?x8x?x64xf16>, %k: tensor<?x1x?x64xf16>, %v: tensor<?x1x?x64xf16>, %m: tensor<1x1x?x?xi1>) -> (tensor<?x8x?x64xf32>, tensor<?x8x?xf32>) {
  %o, %l = fa2.attention %q, %k, %v mask(%m) scale(0.125) causal : tensor<?x8x?x64xf16>, tensor<?x1x?x64xf16>, tensor<?x1x?x64xf16>, tensor<1x1x?x?xi1> -> tensor<?x8x?x64xf32>, tensor<?x8x?xf32>
  return %o, %l : tensor<?x8x?x64xf32>, tensor<?x8x?xf32>
}

// -----

// A causal sliding window with a finite fill (masked_fill(mask, finfo.min)).
// CHECK-LABEL: func.func @window_fill
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.250000e-01) causal window(3, 0) fill(-3.4028234663852886E+38) : tensor<2x8x128x64xf16>
func.func @window_fill(%q: tensor<2x8x128x64xf16>) -> tensor<2x8x128x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) causal window(3, 0) fill(-3.4028234663852886E+38) : tensor<2x8x128x64xf16>, tensor<2x8x128x64xf16>, tensor<2x8x128x64xf16> -> tensor<2x8x128x64xf16>
  return %o : tensor<2x8x128x64xf16>
}

// -----

// A two-sided window with a bool mask and bshd; fill alone, without causal.
// CHECK-LABEL: func.func @window_mask_bshd
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(5.000000e-01) window(4, 2) layout<bshd> : tensor<1x16x4x32xf32>
// CHECK-LABEL: func.func @fill_only
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(1.000000e+00) fill(-1.000000e+09) : tensor<4x8x16xf32>
func.func @window_mask_bshd(%q: tensor<1x16x4x32xf32>, %m: tensor<16x16xi1>) -> tensor<1x16x4x32xf32> {
  %o = fa2.attention %q, %q, %q mask(%m) scale(0.5) window(4, 2) layout<bshd> : tensor<1x16x4x32xf32>, tensor<1x16x4x32xf32>, tensor<1x16x4x32xf32>, tensor<16x16xi1> -> tensor<1x16x4x32xf32>
  return %o : tensor<1x16x4x32xf32>
}
func.func @fill_only(%q: tensor<4x8x16xf32>, %m: tensor<8x8xi1>) -> tensor<4x8x16xf32> {
  %o = fa2.attention %q, %q, %q mask(%m) scale(1.0) fill(-1.0e9) : tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<8x8xi1> -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// A schedule the GPU lowering must use for this op: integers, flags and
// words, printed back in name order (the generic form keeps it too).
// CHECK-LABEL: func.func @with_schedule
// CHECK: fa2.attention {{.*}} {fa2.schedule = #fa2.schedule<block_m = 64, kv_splits = auto, q_in_registers = false, rescale_threshold = -1, swizzle = pad>} : tensor<1x2x128x64xf16>
func.func @with_schedule(%q: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) {fa2.schedule = #fa2.schedule<swizzle = pad, block_m = 64, rescale_threshold = -1, q_in_registers = false, kv_splits = "auto">} : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}

// -----

// CHECK-LABEL: func.func @empty_schedule
// CHECK: fa2.attention {{.*}} {fa2.schedule = #fa2.schedule<>} :
func.func @empty_schedule(%q: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) {fa2.schedule = #fa2.schedule<>} : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}
