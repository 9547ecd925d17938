// fa2-fuzz: --fa2-raise-attention crashes (null dereference in
// ExprBuilder::computeLabels from matchWith/matchAttention): the softmax's
// init (outs) is the masked scores, its input (ins) is an empty tensor not
// derived from them. Valid IR. For the raiser's owner; not a lit test (the
// folder is excluded), reproduce with:
//   fa2-opt --fa2-raise-attention test/Fuzz/Inputs/raiser-crash-1.mlir
#id = affine_map<(b, i, j) -> (b, i, j)>
func.func @softmax_input_not_scores(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x17xf32>, %v: tensor<8x17x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %off = arith.constant 16 : index
  %e0 = tensor.empty() : tensor<8x16x17xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x17xf32>) -> tensor<8x16x17xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x17xf32>) outs(%z0 : tensor<8x16x17xf32>) -> tensor<8x16x17xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<8x16x17xf32>) outs(%e0 : tensor<8x16x17xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %lim = arith.addi %i, %off : index
    %c = arith.cmpi ule, %j, %lim : index
    %r = arith.select %c, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x17xf32>
  %p = linalg.softmax dimension(2) ins(%e0 : tensor<8x16x17xf32>) outs(%x : tensor<8x16x17xf32>) -> tensor<8x16x17xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x17xf32>, tensor<8x17x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}
