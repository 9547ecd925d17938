// RUN: fa2-opt %s --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm,fa2-extern-dynamic-shared-memory))' | FileCheck %s
// RUN: fa2-opt %s --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm))' | FileCheck %s --check-prefix=UPSTREAM

// The dynamic shared memory's symbol becomes a declaration (PTX: `.extern
// .shared .b8 name[]`, no static byte); a shared array with a size and a
// global of another address space keep their definitions.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    // CHECK-DAG: llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
    // UPSTREAM-DAG: llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
    // CHECK-DAG: llvm.mlir.global internal @barriers() {addr_space = 3 : i32} : !llvm.array<4 x i64>
    llvm.mlir.global internal @barriers() {addr_space = 3 : i32} : !llvm.array<4 x i64>
    // CHECK-DAG: llvm.mlir.global internal @empty_global() {addr_space = 1 : i32} : !llvm.array<0 x i8>
    llvm.mlir.global internal @empty_global() {addr_space = 1 : i32} : !llvm.array<0 x i8>
    gpu.func @kernel(%i: index, %x: f32) kernel {
      %smem = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %view = memref.view %smem[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64xf32, #gpu.address_space<workgroup>>
      memref.store %x, %view[%i] : memref<64xf32, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}
