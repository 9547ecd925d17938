// A field of an op's fa2.schedule that does not exist, a value out of its
// range, or a schedule that cannot run that op is an error at the op (the
// user asked for it: no fallback to the CPU), and the pass fails.
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-gpu 2>&1 | FileCheck %s --implicit-check-not="see current operation"

// CHECK: schedule-attr-invalid.mlir:[[# @LINE + 2]]:8: error: fa2-lower-to-gpu: the schedule the op's fa2.schedule and the options ask for cannot run this kernel: field 'tile_m' = 64: unknown schedule field (expected one of block_m, {{.*}})
func.func @unknown_field(%q: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) {fa2.schedule = #fa2.schedule<tile_m = 64>} : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}

// -----

// CHECK: schedule-attr-invalid.mlir:[[# @LINE + 2]]:8: error: fa2-lower-to-gpu: the schedule the op's fa2.schedule and the options ask for cannot run this kernel: block_m (48) must be a multiple of 16 x warps (64): each warp owns whole m16 tiles
func.func @cannot_run(%q: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) {fa2.schedule = #fa2.schedule<block_m = 48>} : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}

// -----

// A word where a number is wanted.
// CHECK: schedule-attr-invalid.mlir:[[# @LINE + 2]]:8: error: fa2-lower-to-gpu: {{.*}}field 'stages' = two: expected an integer from 1 to 4
func.func @bad_value(%q: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) {fa2.schedule = #fa2.schedule<stages = two>} : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}
