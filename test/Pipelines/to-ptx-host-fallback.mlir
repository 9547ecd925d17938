// RUN: fa2-opt %s --split-input-file --fa2-to-ptx 2>/dev/null | FileCheck %s
// RUN: fa2-opt %s --split-input-file --fa2-to-ptx 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK
//
// What the kernel cannot serve stays correct: the op gets a remark saying why,
// and fa2-to-ptx runs it on the host with the blocked CPU algorithm, so the
// result is still a module of LLVM ops with no fa2 op and no gpu.binary.

// A negative scale (the kernel folds the scale after the row max).
// REMARK: to-ptx-host-fallback.mlir:{{[0-9]+}}:8: remark: fa2-lower-to-gpu: not lowered to a GPU kernel: the kernel folds the scale into exp2 after the row max, which needs a positive scale, got -1.250000e-01
// CHECK-LABEL: llvm.func @negative_scale
// CHECK-NOT:   fa2.attention
// CHECK:       {{llvm.intr.exp|llvm.call @expf}}
// CHECK-NOT:   {{gpu.binary|gpu.launch_func|mgpuLaunchKernel}}
func.func @negative_scale(%q: tensor<2x64x32xf32>) -> tensor<2x64x32xf32> {
  %o = fa2.attention %q, %q, %q scale(-0.125) : tensor<2x64x32xf32>, tensor<2x64x32xf32>, tensor<2x64x32xf32> -> tensor<2x64x32xf32>
  return %o : tensor<2x64x32xf32>
}

// -----

// A masked op the GPU kernel cannot serve (head dim 36 is not a multiple of
// 8) still runs, mask and all, through the CPU lowering.
// REMARK: to-ptx-host-fallback.mlir:{{[0-9]+}}:8: remark: fa2-lower-to-gpu: not lowered to a GPU kernel: head dims must be multiples of 8 up to 256 {{.*}} got 36 and 36
// CHECK-LABEL: llvm.func @masked_f16_d36
// CHECK-NOT:   fa2.attention
// CHECK-NOT:   {{gpu.binary|gpu.launch_func|mgpuLaunchKernel}}
func.func @masked_f16_d36(%q: tensor<2x64x36xf16>, %m: tensor<64x64xi1>) -> tensor<2x64x36xf16> {
  %o = fa2.attention %q, %q, %q mask(%m) scale(0.125) : tensor<2x64x36xf16>, tensor<2x64x36xf16>, tensor<2x64x36xf16>, tensor<64x64xi1> -> tensor<2x64x36xf16>
  return %o : tensor<2x64x36xf16>
}
