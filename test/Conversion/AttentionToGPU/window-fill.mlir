// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu | FileCheck %s
// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=WIN --input-file=%t/fa2_attention_window_0.json
// RUN: FileCheck %s --check-prefix=FILL --input-file=%t/fa2_attention_fill_0.json
// RUN: FileCheck %s --check-prefix=PLAIN --input-file=%t/fa2_attention_plain_0.json
// Sliding windows and finite fills on the GPU (docs/numerics.md, promises 6
// and 7): the manifest carries window_left/window_right/fill only where the
// op has them; a window kernel starts its K/V loop at the first row's window
// and masks blocks at both edges; a fill kernel visits every block and
// takes exp2((s - m)·c).

// WIN: "causal": true,
// WIN: "window_left": 100,
// WIN-NEXT: "window_right": 0
// CHECK-LABEL: gpu.func @fa2_attention_window_0
// The first block: (max(0, m0 + Sk - Sq - 100)) / Bc, at most the last one.
// CHECK:       %[[EDGE:.*]] = arith.addi %{{.*}}, %c-100 : index
// CHECK-NEXT:  %[[LO:.*]] = arith.maxsi %[[EDGE]], %{{.*}} : index
// CHECK:       %[[FIRST:.*]] = arith.divui %[[LO]], %{{.*}} : index
// CHECK:       %[[BEGIN:.*]] = arith.minsi %{{.*}}, %[[FIRST]] : index
// CHECK:       scf.for %{{.*}} = %[[BEGIN]] to
// A block is masked past the first row's diagonal or before the last row's window.
// CHECK:         %[[NEED:.*]] = arith.ori %{{.*}}, %{{.*}} : i1
// CHECK-NEXT:    scf.if %[[NEED]]
func.func @window(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>) -> tensor<2x4x?x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal window(100, 0) : tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16> -> tensor<2x4x?x64xf16>
  return %o : tensor<2x4x?x64xf16>
}

// -----

// FILL: "causal": true,
// FILL: "fill": -1000000000,
// FILL-NOT: window
// CHECK-LABEL: gpu.func @fa2_attention_fill_0
// The removed scores are fill / scale = -8e9 (the scores are unscaled).
// CHECK-DAG:   arith.constant -8.000000e+09 : f32
// Every block: the loop runs from 0 to ceildiv(Sk, Bc).
// CHECK:       %[[NUM:.*]] = arith.ceildivui
// CHECK:       scf.for %{{.*}} = %{{.*}} to %[[NUM]]
// CHECK:         arith.subf
// CHECK:         math.exp2
func.func @fill(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>) -> tensor<2x4x?x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal fill(-1.0e9) : tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16> -> tensor<2x4x?x64xf16>
  return %o : tensor<2x4x?x64xf16>
}

// -----

// PLAIN: "causal": true,
// PLAIN-NOT: "fill"
// PLAIN-NOT: "window_left"
func.func @plain(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>) -> tensor<2x4x?x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16> -> tensor<2x4x?x64xf16>
  return %o : tensor<2x4x?x64xf16>
}
