// A decoding-style loop in a function with device arguments: its first
// iteration argument is the argument %q, so the loop runs on a host copy of
// it made at the entry (f32: the attention stays on the host), and the
// result goes to the caller's out-parameter. main calls it with host
// constants. Three steps of O = softmax(0.5 · Q Kᵀ) V, Q <- O (as
// test/Integration/CPU/lower-to-loops/in-loop.mlir).
func.func @decode(%q: tensor<1x2x2xf32>, %k: tensor<1x3x2xf32>, %v: tensor<1x3x2xf32>) -> tensor<1x2x2xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %q) -> tensor<1x2x2xf32> {
    %o = fa2.attention %acc, %k, %v scale(0.5) : tensor<1x2x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32> -> tensor<1x2x2xf32>
    scf.yield %o : tensor<1x2x2xf32>
  }
  return %r : tensor<1x2x2xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %q = arith.constant dense<[[[1.0, 0.0], [0.0, 1.0]]]> : tensor<1x2x2xf32>
  %k = arith.constant dense<[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]]> : tensor<1x3x2xf32>
  %v = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]> : tensor<1x3x2xf32>
  %r = func.call @decode(%q, %k, %v) : (tensor<1x2x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> tensor<1x2x2xf32>
  %u = tensor.cast %r : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
