// The plainest attention chain: batch_matmul, scale, linalg.softmax, batch_matmul.
func.func @attention(%q: tensor<4x16x8xf32>, %kt: tensor<4x8x16xf32>, %v: tensor<4x16x8xf32>) -> tensor<4x16x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %scale = arith.constant dense<0.353553385> : tensor<4x16x16xf32>
  %e0 = tensor.empty() : tensor<4x16x16xf32>
  %z0 = linalg.fill ins(%cst : f32) outs(%e0 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<4x16x8xf32>, tensor<4x8x16xf32>) outs(%z0 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %e1 = tensor.empty() : tensor<4x16x16xf32>
  %ss = linalg.mul ins(%s, %scale : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%e1 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %e2 = tensor.empty() : tensor<4x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%ss : tensor<4x16x16xf32>) outs(%e2 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %e3 = tensor.empty() : tensor<4x16x8xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x16x16xf32>, tensor<4x16x8xf32>) outs(%z3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o : tensor<4x16x8xf32>
}
