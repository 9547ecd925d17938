// A minimal reproducer of the crash deberta-v2-c2p-gather.mlir hits (not a
// test: Inputs/ is excluded): a generic that gathers from another contraction
// of Q with tensor.extract, added to the scores. fa2-opt --fa2-raise-attention
// dies with SIGSEGV in ExprBuilder::build (AttentionMatcher.cpp) as of
// 2026-12-02.
#id = affine_map<(b, h, i, j) -> (b, h, i, j)>
#ij = affine_map<(b, h, i, j) -> (0, 0, i, j)>
func.func @deberta(%q: tensor<2x2x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %posk: tensor<2x2x16x16xf32>, %idx: tensor<1x1x8x8xi64>) -> tensor<2x2x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 6.92820311 : f32
  %es = tensor.empty() : tensor<2x2x8x8xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) outs(%zs : tensor<2x2x8x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %acc: f32):
    %mm = arith.mulf %a, %bb : f32
    %r = arith.addf %acc, %mm : f32
    linalg.yield %r : f32
  } -> tensor<2x2x8x8xf32>
  %ec = tensor.empty() : tensor<2x2x8x16xf32>
  %zc = linalg.fill ins(%zero : f32) outs(%ec : tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
  %c2p = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %posk : tensor<2x2x8x16xf32>, tensor<2x2x16x16xf32>) outs(%zc : tensor<2x2x8x16xf32>) {
  ^bb0(%a: f32, %bb: f32, %acc: f32):
    %mm = arith.mulf %a, %bb : f32
    %r = arith.addf %acc, %mm : f32
    linalg.yield %r : f32
  } -> tensor<2x2x8x16xf32>
  %g = linalg.generic {indexing_maps = [#ij, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%idx : tensor<1x1x8x8xi64>) outs(%es : tensor<2x2x8x8xf32>) {
  ^bb0(%in: i64, %o: f32):
    %b = linalg.index 0 : index
    %h = linalg.index 1 : index
    %i = linalg.index 2 : index
    %ii = arith.index_cast %in : i64 to index
    %e = tensor.extract %c2p[%b, %h, %i, %ii] : tensor<2x2x8x16xf32>
    linalg.yield %e : f32
  } -> tensor<2x2x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s, %g : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%es : tensor<2x2x8x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %t = arith.addf %a, %c : f32
    %r = arith.divf %t, %scale : f32
    linalg.yield %r : f32
  } -> tensor<2x2x8x8xf32>
  %p = linalg.softmax dimension(3) ins(%x : tensor<2x2x8x8xf32>) outs(%es : tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
  %eo = tensor.empty() : tensor<2x2x8x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, e, j) -> (b, h, i, j)>, affine_map<(b, h, i, e, j) -> (b, h, j, e)>, affine_map<(b, h, i, e, j) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x2x8x8xf32>, tensor<2x2x8x16xf32>) outs(%zo : tensor<2x2x8x16xf32>) {
  ^bb0(%a: f32, %bb: f32, %acc: f32):
    %mm = arith.mulf %a, %bb : f32
    %r = arith.addf %acc, %mm : f32
    linalg.yield %r : f32
  } -> tensor<2x2x8x16xf32>
  return %o : tensor<2x2x8x16xf32>
}
