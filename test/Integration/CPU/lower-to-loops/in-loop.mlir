// fa2.attention inside a loop that carries its result (as a decoding loop
// does): the lowering's scratch tiles and result buffers must work when the
// op runs repeatedly, and fa2-to-cpu must accept a loop that yields a fresh
// buffer. The expected numbers come from a direct evaluation of the formula
// (three steps of O = softmax(0.5 · Q Kᵀ) V, Q <- O) in Python.
// RUN: fa2-opt %s --fa2-to-cpu | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | FileCheck %s
// RUN: fa2-opt %s --fa2-to-cpu="block-q=1 block-k=2" | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | FileCheck %s

// CHECK:      sizes = [1, 2, 2]
// CHECK-NEXT: {{\[\[\[}}4.56074, 5.56074],
// CHECK-NEXT: {{\[}}4.57492, 5.57492]]]
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %q = arith.constant dense<[[[1.0, 0.0], [0.0, 1.0]]]> : tensor<1x2x2xf32>
  %k = arith.constant dense<[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]]> : tensor<1x3x2xf32>
  %v = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]> : tensor<1x3x2xf32>
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %q) -> tensor<1x2x2xf32> {
    %o = fa2.attention %acc, %k, %v scale(0.5) : tensor<1x2x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32> -> tensor<1x2x2xf32>
    scf.yield %o : tensor<1x2x2xf32>
  }
  %u = tensor.cast %r : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
