// RUN: fa2-opt %s --pass-pipeline='builtin.module(gpu.module(fa2-gpu-math-to-nvvm))' | FileCheck %s

// In a kernel, f32 exp2/log2 become PTX's approximate instructions and f32
// fma becomes llvm.intr.fma; other widths (and host code) stay math ops for
// the upstream lowering.
module attributes {gpu.container_module} {
  // CHECK-LABEL: gpu.func @softmax_step
  gpu.module @kernels {
    gpu.func @softmax_step(%x: f32, %m: f32, %l: f32, %h: f16) kernel {
      // CHECK: %[[E:.+]] = llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"(%{{.*}}) : (f32) -> f32
      %d = arith.subf %x, %m : f32
      %e = math.exp2 %d : f32
      // CHECK: llvm.call_intrinsic "llvm.nvvm.lg2.approx.ftz.f"(%{{.*}}) : (f32) -> f32
      %g = math.log2 %l : f32
      // CHECK: llvm.intr.fma(%[[E]], %{{.*}}, %{{.*}}) : (f32, f32, f32) -> f32
      %f = math.fma %e, %g, %l : f32
      // CHECK: math.exp2 %{{.*}} : f16
      %eh = math.exp2 %h : f16
      // CHECK-NOT: math.exp2 {{.*}} : f32
      // CHECK-NOT: math.log2
      // CHECK-NOT: math.fma
      // CHECK: gpu.return
      gpu.return
    }
  }
  // CHECK-LABEL: func.func @host
  // CHECK: math.exp2 %{{.*}} : f32
  func.func @host(%x: f32) -> f32 {
    %e = math.exp2 %x : f32
    return %e : f32
  }
}
