// RUN: fa2-opt %s --split-input-file --verify-diagnostics --fa2-to-cpu | FileCheck %s
//
// A memref in a memory space the pipeline cannot map to an LLVM address
// space. Upstream's LLVM type converter reports it with no location
// ("conversion of memref memory space ... failed") and leaves the IR half
// lowered, exit 0 (found by fa2-fuzz on extern-dynamic-shared-memory.mlir run
// through --fa2-to-cpu). fa2-to-cpu now refuses it at the first op that has
// it, before lowering anything: the CPU lowering maps only integer memory
// spaces. memory-spaces-ptx.mlir: the same inputs through fa2-to-ptx.

// Kernel code with workgroup memory, handed to the CPU pipeline.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @kernel(%i: index, %x: f32) kernel {
      // expected-error @+1 {{fa2-to-cpu: 'memref<?xi8, #gpu.address_space<workgroup>>' is in memory space #gpu.address_space<workgroup>, which the CPU lowering cannot map to an LLVM address space}}
      %smem = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %view = memref.view %smem[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64xf32, #gpu.address_space<workgroup>>
      memref.store %x, %view[%i] : memref<64xf32, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// Host code with a buffer in a GPU address space: neither pipeline's host
// lowering maps it. An argument without a use is reported at the function.
// expected-error @+1 {{fa2-to-cpu: 'memref<4xf32, #gpu.address_space<global>>' is in memory space #gpu.address_space<global>}}
func.func @host_global(%m: memref<4xf32, #gpu.address_space<global>>) {
  return
}

// -----

func.func @named_space(%m: memref<4xf32, "weird">, %x: f32) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{fa2-to-cpu: 'memref<4xf32, "weird">' is in memory space "weird", which the CPU lowering cannot map}}
  memref.store %x, %m[%c0] : memref<4xf32, "weird">
  return
}

// -----

// An integer memory space is an LLVM address space: the CPU lowering keeps it.
// CHECK-LABEL: llvm.func @integer_space(
// CHECK-SAME: !llvm.ptr<1>
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<1>
func.func @integer_space(%m: memref<4xf32, 1>, %x: f32) {
  %c0 = arith.constant 0 : index
  memref.store %x, %m[%c0] : memref<4xf32, 1>
  return
}
