// Multi-head attention as an exporter writes it: 2 batches x 8 heads merged into
// one batch dimension, K transposed by linalg.transpose, f16 matmuls
// accumulating in f32, scale by 1/sqrt(64), linalg.softmax, f16 probabilities.
// scripts/quickstart.sh raises it to one fa2.attention and compiles that for
// the CPU and to a FlashAttention-2 PTX kernel.
func.func @attention(%q: tensor<16x128x64xf16>, %k: tensor<16x128x64xf16>,
                     %v: tensor<16x128x64xf16>) -> tensor<16x128x64xf16> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 0.125 : f32

  %kt_init = tensor.empty() : tensor<16x64x128xf16>
  %kt = linalg.transpose ins(%k : tensor<16x128x64xf16>)
                         outs(%kt_init : tensor<16x64x128xf16>) permutation = [0, 2, 1]

  %s_init = tensor.empty() : tensor<16x128x128xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<16x128x128xf32>) -> tensor<16x128x128xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<16x128x64xf16>, tensor<16x64x128xf16>)
                           outs(%s_zero : tensor<16x128x128xf32>) -> tensor<16x128x128xf32>

  %scaled = linalg.generic {
      indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (b, i, j)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<16x128x128xf32>) outs(%s_init : tensor<16x128x128xf32>) {
    ^bb0(%x: f32, %out: f32):
      %y = arith.mulf %x, %scale : f32
      linalg.yield %y : f32
  } -> tensor<16x128x128xf32>

  %p = linalg.softmax dimension(2) ins(%scaled : tensor<16x128x128xf32>)
                                   outs(%s_init : tensor<16x128x128xf32>) -> tensor<16x128x128xf32>

  %p16_init = tensor.empty() : tensor<16x128x128xf16>
  %p16 = linalg.generic {
      indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (b, i, j)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p : tensor<16x128x128xf32>) outs(%p16_init : tensor<16x128x128xf16>) {
    ^bb0(%x: f32, %out: f16):
      %y = arith.truncf %x : f32 to f16
      linalg.yield %y : f16
  } -> tensor<16x128x128xf16>

  %o_init = tensor.empty() : tensor<16x128x64xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<16x128x64xf32>) -> tensor<16x128x64xf32>
  %o = linalg.batch_matmul ins(%p16, %v : tensor<16x128x128xf16>, tensor<16x128x64xf16>)
                           outs(%o_zero : tensor<16x128x64xf32>) -> tensor<16x128x64xf32>

  %o16_init = tensor.empty() : tensor<16x128x64xf16>
  %o16 = linalg.generic {
      indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (b, i, j)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%o : tensor<16x128x64xf32>) outs(%o16_init : tensor<16x128x64xf16>) {
    ^bb0(%x: f32, %out: f16):
      %y = arith.truncf %x : f32 to f16
      linalg.yield %y : f16
  } -> tensor<16x128x64xf16>
  return %o16 : tensor<16x128x64xf16>
}
