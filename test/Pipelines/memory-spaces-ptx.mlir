// RUN: fa2-opt %s --split-input-file --verify-diagnostics --fa2-to-ptx -o /dev/null
//
// memory-spaces.mlir's inputs through fa2-to-ptx: kernel code (a gpu.module)
// may use #gpu.address_space, which the NVVM lowering maps; host code takes
// buffers in the default memory space only, since it stages them between host
// and device. Each is refused at the op, never with upstream's unlocated
// "conversion of memref memory space ... failed" (--verify-diagnostics fails
// on any diagnostic not expected here, an unlocated one included).

// Workgroup memory in kernel code passes the check; this gpu.module has no
// target, which the GPU pipeline then says at the gpu.module.
module attributes {gpu.container_module} {
  // expected-error @+1 {{the module has no target attributes}}
  gpu.module @kernels {
    gpu.func @kernel(%i: index, %x: f32) kernel {
      %smem = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %view = memref.view %smem[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64xf32, #gpu.address_space<workgroup>>
      memref.store %x, %view[%i] : memref<64xf32, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// expected-error @+1 {{fa2-to-ptx: 'memref<4xf32, #gpu.address_space<global>>' is in memory space #gpu.address_space<global>, which only kernel code (a gpu.module) can use}}
func.func @host_global(%m: memref<4xf32, #gpu.address_space<global>>) {
  return
}

// -----

// A memory space no lowering knows, in kernel code: not #gpu.address_space.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @kernel(%m: memref<4xf32, "weird">, %x: f32) kernel {
      %c0 = arith.constant 0 : index
      // expected-error @+1 {{fa2-to-ptx: 'memref<4xf32, "weird">' is in memory space "weird", which only kernel code (a gpu.module) can use, and only as #gpu.address_space}}
      memref.store %x, %m[%c0] : memref<4xf32, "weird">
      gpu.return
    }
  }
}

// -----

// An integer memory space passes the check; the placer of host buffers says
// what it needs.
func.func @integer_space(%m: memref<4xf32, 1>, %x: f32) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{fa2-to-ptx: cannot make a host copy of a device buffer of type 'memref<4xf32, 1>' (an identity layout in the default memory space needed)}}
  memref.store %x, %m[%c0] : memref<4xf32, 1>
  return
}
