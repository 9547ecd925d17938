// RUN: fa2-opt %s --split-input-file --fa2-place-device-memory | FileCheck %s
//
// fa2-place-device-memory, the host code's calling convention
// (docs/runtime.md): memref arguments are device memory; a buffer a kernel
// uses first lives on the device (gpu.alloc); host ops get host copies of
// device buffers, copied back when written; a host buffer a kernel needs is
// copied to the device around the launch, and back only if the kernel writes
// it; everything on the one stream of `gpu.wait async`, nothing waits at the
// end; public functions get the C interface.

// A kernel's output read by a host op: the output on the device, copied to
// the host once for the add; the add's operands are host copies; only the
// written one (%out) is copied back.
// CHECK-LABEL: func.func @kernel_then_host
// CHECK-SAME: (%[[A:.*]]: memref<16xf16>, %[[OUT:.*]]: memref<16xf16>) attributes {llvm.emit_c_interface}
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK: %[[T:.*]], %{{.*}} = gpu.alloc async [%[[S]]] () : memref<16xf16>
// CHECK: gpu.launch_func async [%[[S]]] @k::@k {{.*}} args(%[[A]] : memref<16xf16>, %[[T]] : memref<16xf16>)
// CHECK-DAG: gpu.memcpy async [%[[S]]] %[[HT:.*]], %[[T]] : memref<16xf16>, memref<16xf16>
// CHECK-DAG: gpu.memcpy async [%[[S]]] %[[HA:.*]], %[[A]] : memref<16xf16>, memref<16xf16>
// CHECK-DAG: gpu.memcpy async [%[[S]]] %[[HO:.*]], %[[OUT]] : memref<16xf16>, memref<16xf16>
// CHECK: linalg.add ins(%[[HT]], %[[HA]] : memref<16xf16>, memref<16xf16>) outs(%[[HO]] : memref<16xf16>)
// CHECK-NOT: gpu.memcpy async [%[[S]]] %[[A]]
// CHECK-NOT: gpu.memcpy async [%[[S]]] %[[T]]
// CHECK: gpu.memcpy async [%[[S]]] %[[OUT]], %[[HO]]
// CHECK-NOT: gpu.memcpy async [%[[S]]] %[[A]]
// CHECK: gpu.dealloc async [%[[S]]] %[[T]]
// CHECK-NOT: gpu.wait
// CHECK: return
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%a: memref<16xf16>, %o: memref<16xf16>) kernel {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<16xf16>
      memref.store %x, %o[%c0] : memref<16xf16>
      gpu.return
    }
  }
  func.func @kernel_then_host(%a: memref<16xf16>, %out: memref<16xf16>) {
    %c1 = arith.constant 1 : index
    %t = memref.alloc() : memref<16xf16>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<16xf16>, %t : memref<16xf16>)
    linalg.add ins(%t, %a : memref<16xf16>, memref<16xf16>) outs(%out : memref<16xf16>)
    memref.dealloc %t : memref<16xf16>
    return
  }
}

// -----

// A host op's result read by a kernel: the buffer stays on the host, a
// device copy exists around the launch, and is not copied back (the kernel
// only reads its first argument).
// CHECK-LABEL: func.func @host_then_kernel
// CHECK-SAME: (%[[A:.*]]: memref<16xf16>, %[[OUT:.*]]: memref<16xf16>)
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK: %[[T:.*]] = memref.alloc() : memref<16xf16>
// CHECK: gpu.memcpy async [%[[S]]] %[[HA:.*]], %[[A]]
// CHECK: linalg.negf ins(%[[HA]] : memref<16xf16>) outs(%[[T]] : memref<16xf16>)
// CHECK: %[[D:.*]], %{{.*}} = gpu.alloc async [%[[S]]] () : memref<16xf16>
// CHECK: gpu.memcpy async [%[[S]]] %[[D]], %[[T]]
// CHECK: gpu.launch_func async [%[[S]]] @k::@k {{.*}} args(%[[D]] : memref<16xf16>, %[[OUT]] : memref<16xf16>)
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.dealloc async [%[[S]]] %[[D]]
// CHECK: memref.dealloc %[[T]]
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%a: memref<16xf16>, %o: memref<16xf16>) kernel {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<16xf16>
      memref.store %x, %o[%c0] : memref<16xf16>
      gpu.return
    }
  }
  func.func @host_then_kernel(%a: memref<16xf16>, %out: memref<16xf16>) {
    %c1 = arith.constant 1 : index
    %t = memref.alloc() : memref<16xf16>
    linalg.negf ins(%a : memref<16xf16>) outs(%t : memref<16xf16>)
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%t : memref<16xf16>, %out : memref<16xf16>)
    memref.dealloc %t : memref<16xf16>
    return
  }
}

// -----

// A dynamic-shaped result: allocated on the device and returned (the caller
// owns it); a private function keeps its C-less ABI; memref.copy between
// device buffers is a device copy.
// CHECK-LABEL: func.func @returned
// CHECK-SAME: (%[[A:.*]]: memref<?xf16>) -> memref<?xf16> attributes {llvm.emit_c_interface}
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK: %[[T:.*]], %{{.*}} = gpu.alloc async [%[[S]]] (%{{.*}}) : memref<?xf16>
// CHECK: gpu.launch_func async [%[[S]]]
// CHECK: gpu.memcpy async [%[[S]]] %[[T]], %[[A]]
// CHECK-NOT: memref.copy
// CHECK: return %[[T]]
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: llvm.emit_c_interface
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%a: memref<?xf16>, %o: memref<?xf16>) kernel {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<?xf16>
      memref.store %x, %o[%c0] : memref<?xf16>
      gpu.return
    }
  }
  func.func @returned(%a: memref<?xf16>) -> memref<?xf16> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %a, %c0 : memref<?xf16>
    %t = memref.alloc(%n) : memref<?xf16>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?xf16>, %t : memref<?xf16>)
    memref.copy %a, %t : memref<?xf16> to memref<?xf16>
    return %t : memref<?xf16>
  }
  func.func private @helper(%a: memref<4xf32>) {
    return
  }
}

// -----

// A loop whose first iteration argument is a device argument: a host copy
// made at the entry carries it (the host op in the loop reads host memory),
// freed at the return.
// CHECK-LABEL: func.func @carried_argument
// CHECK-SAME: (%[[A:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>)
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK: %[[H:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK: gpu.memcpy async [%[[S]]] %[[H]], %[[A]]
// CHECK: %[[R:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[H]]) -> (memref<4xf32>)
// CHECK:   linalg.negf ins(%[[ACC]] : memref<4xf32>)
// CHECK: gpu.memcpy async [%[[S]]] %[[OUT]], %[[R]]
// CHECK: memref.dealloc %[[H]]
// CHECK-NEXT: return
func.func @carried_argument(%a: memref<4xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %a) -> (memref<4xf32>) {
    %n = memref.alloc() : memref<4xf32>
    linalg.negf ins(%acc : memref<4xf32>) outs(%n : memref<4xf32>)
    scf.yield %n : memref<4xf32>
  }
  memref.copy %r, %out : memref<4xf32> to memref<4xf32>
  return
}
