// fa2-fuzz: --fa2-raise-attention builds an fa2.attention that fa2's own
// verifier rejects ("query heads (0) must be a multiple of key/value heads
// (0)"): the merged batch·heads dimension of the batch_matmul chain is 0.
// The raiser should leave the chain with a remark. For the raiser's owner;
// not a lit test (Inputs is excluded). Reproduce with:
//   fa2-opt --fa2-raise-attention --verify-each test/Fuzz/Inputs/raiser-invalid-1.mlir
#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
func.func @masked_fill_lowest(%q: tensor<0x16x0xf32>, %kt: tensor<0x0x32xf32>, %v: tensor<0x32x0xf32>, %m: tensor<16x32xi1>) -> tensor<0x16x0xf32> {
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -3.40282347E+38 : f32
  %e0 = tensor.empty() : tensor<0x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<0x16x32xf32>) -> tensor<0x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<0x16x0xf32>, tensor<0x0x32xf32>) outs(%z0 : tensor<0x16x32xf32>) -> tensor<0x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<0x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<0x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %low, %a : f32
    linalg.yield %r : f32
  } -> tensor<0x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<0x16x32xf32>) outs(%e0 : tensor<0x16x32xf32>) -> tensor<0x16x32xf32>
  %e3 = tensor.empty() : tensor<0x16x0xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<0x16x0xf32>) -> tensor<0x16x0xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<0x16x32xf32>, tensor<0x32x0xf32>) outs(%z3 : tensor<0x16x0xf32>) -> tensor<0x16x0xf32>
  return %o : tensor<0x16x0xf32>
}
