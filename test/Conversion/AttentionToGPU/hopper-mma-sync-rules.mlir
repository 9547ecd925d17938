// Where chip=sm_90a wants the wgmma kernel, the fields are judged by the
// kernel that serves the op: a field the mma.sync schedule cannot take
// (block_m = 64 with d = 256's 8 warps: "a multiple of 16 x warps") is no
// error when the wgmma kernel takes the op (one consumer warpgroup of 64
// rows), and where the wgmma kernel cannot serve it (head dims 256 and 128)
// the error names the mma.sync rule and why the wgmma kernel did not serve.
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=block_m=64" -verify-diagnostics | FileCheck %s
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90 schedule=block_m=64" 2>&1 | FileCheck %s --check-prefix=SM90

// (A dynamic seq_k: the table's two length ranges, the kernel for the longer
// keys first in the module.)
// CHECK-LABEL: gpu.func @fa2_attention_d256_0_v1(
// CHECK-SAME: #fa2.schedule<block_m = 64, block_n = 80, consumer_registers = 240, {{.*}}mma = wgmma, {{.*}}warps = 8>
// CHECK-LABEL: gpu.func @fa2_attention_d256_0(
// CHECK-SAME: #fa2.schedule<block_m = 64, block_n = 64, consumer_registers = 240, {{.*}}mma = wgmma, {{.*}}warps = 8>
// Plain sm_90 keeps mma.sync, whose rule refuses it.
// SM90: error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: block_m (64) must be a multiple of 16 x warps (128): each warp owns whole m16 tiles
func.func @d256(%q: tensor<?x8x?x256xbf16>) -> tensor<?x8x?x256xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.0625) : tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16> -> tensor<?x8x?x256xbf16>
  return %o : tensor<?x8x?x256xbf16>
}

// -----

func.func @dv128(%q: tensor<?x8x?x256xbf16>, %k: tensor<?x8x?x256xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x8x?x128xbf16> {
  // expected-error @+1 {{fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: block_m (64) must be a multiple of 16 x warps (128): each warp owns whole m16 tiles (and the wgmma kernel: equal head dims that are multiples of 64 up to 256 (whole 128-byte swizzle rows), got 256 and 128)}}
  %o = fa2.attention %q, %k, %v scale(0.0625) : tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x8x?x128xbf16>
  return %o : tensor<?x8x?x128xbf16>
}
