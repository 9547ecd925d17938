// fa2-fuzz (long run under ASan+UBSan): --fa2-to-cpu crashes inside an upstream rewrite pattern
// (PatternApplicator::matchAndRewrite in applyPatternsGreedily, libMLIR). Not investigated
// yet; not a lit test (Inputs is excluded). Reproduce: fa2-opt --fa2-to-cpu <this file>
// A dynamic-shaped result: allocated on the device and returned (the caller
// owns it); a private function keeps its C-less ABI; memref.copy between
// device buffers is a device copy.
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
    %c0 = arith.constant -1 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %a, %c0 : memref<?xf16>
    %t = memref.alloc(%n) : memref<?xf16>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?xf16>, %t : memref<?xf16>)
    memref.copy %t, %a : memref<?xf16> to memref<?xf16>
    return %t : memref<?xf16>
  }
  func.func private @helper(%a: memref<4xf32>) {
    return
  }
}
