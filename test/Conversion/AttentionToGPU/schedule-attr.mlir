// An op's own fa2.schedule: its fields go over the table's choice and over
// the `schedule` option's, for that op only; the kernel carries the whole
// schedule it was built with. (Errors: schedule-attr-invalid.mlir.)
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu | FileCheck %s
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=block_m=128,stages=1" | FileCheck %s --check-prefix=OPTION

// The first op asks for 64-row tiles of 2 warps, the second asks for
// nothing: the table's 128 x 64, 4 warps, 2 stages (d = 64).
// CHECK-LABEL: gpu.func @fa2_attention_two_ops_0
// CHECK-SAME: fa2.schedule = #fa2.schedule<block_m = 64, block_n = 64, min_blocks_per_sm = 0, q_in_registers = true, rescale_threshold = 8, split_kv_copies = false, split_masked_loop = true, stages = 2, swizzle = xor, warps = 2>
// CHECK-SAME: known_block_size = array<i32: 64, 1, 1>
// CHECK-LABEL: gpu.func @fa2_attention_two_ops_1
// CHECK-SAME: fa2.schedule = #fa2.schedule<block_m = 128, block_n = 64, min_blocks_per_sm = 0, q_in_registers = true, rescale_threshold = 8, split_kv_copies = false, split_masked_loop = true, stages = 2, swizzle = xor, warps = 4>
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// The option's block_m = 128 and stages = 1 reach both ops; the first op's
// own block_m = 64 wins over the option's.
// OPTION-LABEL: gpu.func @fa2_attention_two_ops_0
// OPTION-SAME: fa2.schedule = #fa2.schedule<block_m = 64, {{.*}}, stages = 1, swizzle = xor, warps = 2>
// OPTION-LABEL: gpu.func @fa2_attention_two_ops_1
// OPTION-SAME: fa2.schedule = #fa2.schedule<block_m = 128, {{.*}}, stages = 1, swizzle = xor, warps = 4>
// No fa2.attention is left, and the op's request is not copied anywhere
// else: the launches replace both ops.
// CHECK-LABEL: func.func @two_ops
// CHECK-NOT: fa2.attention
// CHECK-NOT: #fa2.schedule
// CHECK: return
func.func @two_ops(%q: tensor<1x2x128x64xf16>) -> (tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>) {
  %a = fa2.attention %q, %q, %q scale(0.125) {fa2.schedule = #fa2.schedule<block_m = 64, warps = 2>} : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  %b = fa2.attention %q, %q, %q scale(0.125) : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %a, %b : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>
}
