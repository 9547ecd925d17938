// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=pack_gqa=false,kv_splits=1" -verify-diagnostics | FileCheck %s
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu | fa2-opt --verify-each -o /dev/null
// (schedule=pack_gqa=false,kv_splits=1: the one-kernel prefill schedule these checks describe; static head
// counts and seq_q would take the decode schedule by default, test/Conversion/AttentionToGPU/decode.mlir.)
// Launches within CUDA's limits for any size (issue 18), names that are PTX
// identifiers, and kernels beside the launch of a nested module.

// batch·heads = 4100·16 = 65600 > 65535: spread over grid y and z
// (z = ceildiv(65601, 65535) = 2, y = ceildiv(65600, 2) = 32800); the kernel
// reads bh = y + gridDim.y·z, clamped to 65599.
// CHECK-LABEL: gpu.module @fa2_attention_big_bh_0
// CHECK: %[[BY:.*]] = gpu.block_id y
// CHECK: %[[BZ:.*]] = gpu.block_id z
// CHECK: %[[NY:.*]] = gpu.grid_dim y
// CHECK: %[[OFF:.*]] = arith.muli %[[NY]], %[[BZ]]
// CHECK: %[[BH:.*]] = arith.addi %[[BY]], %[[OFF]]
// CHECK: arith.minui %[[BH]], %c65599
// CHECK-LABEL: func.func @big_bh
// CHECK: gpu.launch_func @fa2_attention_big_bh_0::@fa2_attention_big_bh_0 blocks in (%{{[^,]*}}, %c32800, %c2{{(_[0-9]+)?}})
func.func @big_bh(%q: tensor<4100x16x8x64xf16>, %k: tensor<4100x16x40x64xf16>, %v: tensor<4100x16x40x64xf16>) -> tensor<4100x16x8x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<4100x16x8x64xf16>, tensor<4100x16x40x64xf16>, tensor<4100x16x40x64xf16> -> tensor<4100x16x8x64xf16>
  return %o : tensor<4100x16x8x64xf16>
}

// -----

// Static batch·heads within the limit: grid y alone, as before.
// CHECK-LABEL: gpu.module @fa2_attention_small_bh_0
// CHECK-NOT: gpu.block_id z
// CHECK-LABEL: func.func @small_bh
// CHECK: gpu.launch_func {{.*}} blocks in (%{{[^,]*}}, %c65520, %c1{{(_[0-9]+)?}})
func.func @small_bh(%q: tensor<4095x16x8x64xf16>) -> tensor<4095x16x8x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) : tensor<4095x16x8x64xf16>, tensor<4095x16x8x64xf16>, tensor<4095x16x8x64xf16> -> tensor<4095x16x8x64xf16>
  return %o : tensor<4095x16x8x64xf16>
}

// -----

// A dynamic batch: the split is computed at run time, batch·heads in the
// kernel is o's size / (Sq·Dv), and nothing is launched when it is 0.
// CHECK-LABEL: gpu.module @fa2_attention_dyn_batch_0
// CHECK: gpu.func @fa2_attention_dyn_batch_0(%{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf16>, %[[O:.*]]: memref<?xf16>)
// CHECK: %[[BY:.*]] = gpu.block_id y
// CHECK: %[[BZ:.*]] = gpu.block_id z
// CHECK: %[[NY:.*]] = gpu.grid_dim y
// CHECK: %[[OFF:.*]] = arith.muli %[[NY]], %[[BZ]]
// CHECK: %[[BHI:.*]] = arith.addi %[[BY]], %[[OFF]]
// 8192 = Sq·Dv = 128·64.
// CHECK: %[[OSIZE:.*]] = memref.dim %[[O]], %c0
// CHECK: %[[BH:.*]] = arith.divui %[[OSIZE]], %c8192
// CHECK: %[[LAST:.*]] = arith.{{addi|subi}} %[[BH]], %c{{-1|1}}
// CHECK: arith.minui %[[BHI]], %[[LAST]]
// CHECK-LABEL: func.func @dyn_batch
// CHECK: %[[B:.*]] = memref.dim %{{.*}}, %c0
// CHECK: %[[BH:.*]] = arith.muli %[[B]], %c8
// CHECK: %[[BH1:.*]] = arith.addi %[[BH]], %c1{{.*}}
// CHECK: %[[Z:.*]] = arith.ceildivui %[[BH1]], %c65535
// CHECK: %[[Y:.*]] = arith.ceildivui %[[BH]], %[[Z]]
// CHECK: arith.cmpi ne, %[[Y]], %c0
// CHECK: scf.if
// CHECK-NEXT: gpu.launch_func {{.*}} blocks in (%{{[^,]*}}, %[[Y]], %[[Z]])
func.func @dyn_batch(%q: tensor<?x8x128x64xf16>) -> tensor<?x8x128x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) : tensor<?x8x128x64xf16>, tensor<?x8x128x64xf16>, tensor<?x8x128x64xf16> -> tensor<?x8x128x64xf16>
  return %o : tensor<?x8x128x64xf16>
}

// -----

// A static empty problem is not launched (nor compiled): the CPU lowering
// returns its empty result.
// CHECK-LABEL: func.func @negative_empty_batch
// CHECK: fa2.attention
// CHECK-NOT: gpu.launch_func
func.func @negative_empty_batch(%q: tensor<0x8x128x64xf16>) -> tensor<0x8x128x64xf16> {
  // expected-remark @+1 {{not lowered to a GPU kernel: the problem is statically empty (a size of 0): there is nothing for a kernel to compute and no launch}}
  %o = fa2.attention %q, %q, %q scale(0.125) : tensor<0x8x128x64xf16>, tensor<0x8x128x64xf16>, tensor<0x8x128x64xf16> -> tensor<0x8x128x64xf16>
  return %o : tensor<0x8x128x64xf16>
}

// -----

// A static 0 beside a dynamic size: no collapse_shape of an empty buffer.
// CHECK-LABEL: func.func @negative_zero_beside_dynamic
// CHECK-NOT: memref.collapse_shape
func.func @negative_zero_beside_dynamic(%q: tensor<?x8x0x64xf16>, %k: tensor<?x8x?x64xf16>) -> tensor<?x8x0x64xf16> {
  // expected-remark @+1 {{the problem is statically empty}}
  %o = fa2.attention %q, %k, %k scale(0.125) : tensor<?x8x0x64xf16>, tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16> -> tensor<?x8x0x64xf16>
  return %o : tensor<?x8x0x64xf16>
}

// -----

// Static sizes the kernel's i32 sizes cannot hold stay on the CPU.
// CHECK-LABEL: func.func @negative_sk_2_31
// CHECK-NOT: gpu.launch_func
func.func @negative_sk_2_31(%q: tensor<1x1x16x64xf16>, %k: tensor<1x1x2147483648x64xf16>) -> tensor<1x1x16x64xf16> {
  // expected-remark @+1 {{a size of 2147483648 does not fit the kernel's i32 sizes and indices (at most 2147483647)}}
  %o = fa2.attention %q, %k, %k scale(0.125) : tensor<1x1x16x64xf16>, tensor<1x1x2147483648x64xf16>, tensor<1x1x2147483648x64xf16> -> tensor<1x1x16x64xf16>
  return %o : tensor<1x1x16x64xf16>
}

// -----

// A mask whose element count overflows 64 bits.
// CHECK-LABEL: func.func @negative_huge_mask
// CHECK-NOT: gpu.launch_func
func.func @negative_huge_mask(%q: tensor<?x?x?x64xf16>, %m: tensor<2147483647x2147483647x2147483647x2147483647xi1>) -> tensor<?x?x?x64xf16> {
  // expected-remark @+1 {{the element count of a tensor<2147483647x2147483647x2147483647x2147483647xi1> overflows 64 bits}}
  %o = fa2.attention %q, %q, %q mask(%m) scale(0.125) : tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<2147483647x2147483647x2147483647x2147483647xi1> -> tensor<?x?x?x64xf16>
  return %o : tensor<?x?x?x64xf16>
}

// -----

// A function name that is no PTX identifier: the kernel's name is mangled
// (every byte outside [A-Za-z0-9_] as _XX).
// CHECK: gpu.module @fa2_attention_torch_2djit_2dexport_0
// CHECK-LABEL: func.func @"torch-jit-export"
// CHECK: gpu.launch_func @fa2_attention_torch_2djit_2dexport_0::@fa2_attention_torch_2djit_2dexport_0
func.func @"torch-jit-export"(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// CHECK: gpu.module @fa2_attention_attn_201_e6_b3_a8_e6_84_8f_0
func.func @"attn 1\E6\B3\A8\E6\84\8F"(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// An attention in a nested module: its kernel, its launch, its manifest and
// the gpu.container_module attribute all belong to that module.
// CHECK: module {
// CHECK-NOT: gpu.module
// CHECK: module @inner attributes {fa2.manifests = {fa2_attention_f_0 = {{{.*}}}}, gpu.container_module}
// CHECK: gpu.module @fa2_attention_f_0
// CHECK: func.func @f
// CHECK: gpu.launch_func @fa2_attention_f_0::@fa2_attention_f_0
module {
  module @inner {
    func.func @f(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
      %o = fa2.attention %q, %q, %q scale(0.125) : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
      return %o : tensor<1x2x64x64xf16>
    }
  }
}
