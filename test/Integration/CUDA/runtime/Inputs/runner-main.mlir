// For mlir-runner: main fills Q, K, V on the host, calls @attention (device
// arguments: the host code copies main's buffers to the device and back) and
// prints the first row of the output.
func.func @attention(%q: tensor<2x64x32xf16>, %k: tensor<2x64x32xf16>, %v: tensor<2x64x32xf16>) -> tensor<2x64x32xf16> {
  %o = fa2.attention %q, %k, %v scale(0.1767767) : tensor<2x64x32xf16>, tensor<2x64x32xf16>, tensor<2x64x32xf16> -> tensor<2x64x32xf16>
  return %o : tensor<2x64x32xf16>
}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %c = arith.constant dense<0.5> : tensor<2x64x32xf16>
  %o = func.call @attention(%c, %c, %c) : (tensor<2x64x32xf16>, tensor<2x64x32xf16>, tensor<2x64x32xf16>) -> tensor<2x64x32xf16>
  %row = tensor.extract_slice %o[0, 0, 0] [1, 1, 32] [1, 1, 1] : tensor<2x64x32xf16> to tensor<1x1x32xf16>
  %e = tensor.empty() : tensor<1x1x32xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%row : tensor<1x1x32xf16>) outs(%e : tensor<1x1x32xf32>) {
  ^bb0(%x: f16, %y: f32):
    %z = arith.extf %x : f16 to f32
    linalg.yield %z : f32
  } -> tensor<1x1x32xf32>
  %u = tensor.cast %f : tensor<1x1x32xf32> to tensor<*xf32>
  func.call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
