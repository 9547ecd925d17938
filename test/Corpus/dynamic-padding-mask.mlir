// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// Dynamic batch and sequence lengths ([?, H, ?, D]), an i1 key-padding mask
// [B, Sk] broadcast over heads and queries by the select's indexing map.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// The dynamic sizes for the run: B = 2, Sq = 12, Sk = 20.
// EXEC-SHAPES: 2x4x12x16, 2x4x20x16, 2x4x20x16, 2x20
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @dynamic_padding
// CHECK-SAME: (%[[Q:.*]]: tensor<?x4x?x16xf32>, %[[K:.*]]: tensor<?x4x?x16xf32>, %[[V:.*]]: tensor<?x4x?x16xf32>, %[[M:.*]]: tensor<?x?xi1>)
// CHECK: %[[M4:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0], [1, 2, 3]] output_shape [%{{.*}}, 1, 1, %{{.*}}] : tensor<?x?xi1> into tensor<?x1x1x?xi1>
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[M4]]) scale(2.500000e-01) : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x1x1x?xi1> -> tensor<?x4x?x16xf32>
// CHECK-NEXT: return %[[O]]
#id = affine_map<(b, h, i, j) -> (b, h, i, j)>
#pad = affine_map<(b, h, i, j) -> (b, j)>
func.func @dynamic_padding(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>, %m: tensor<?x?xi1>) -> tensor<?x4x?x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant 0.25 : f32
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x4x?x16xf32>
  %sq = tensor.dim %q, %c2 : tensor<?x4x?x16xf32>
  %sk = tensor.dim %k, %c2 : tensor<?x4x?x16xf32>
  %es = tensor.empty(%b, %sq, %sk) : tensor<?x4x?x?xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) outs(%zs : tensor<?x4x?x?xf32>) {
  ^bb0(%a: f32, %bb: f32, %acc: f32):
    %mm = arith.mulf %a, %bb : f32
    %r = arith.addf %acc, %mm : f32
    linalg.yield %r : f32
  } -> tensor<?x4x?x?xf32>
  %x = linalg.generic {indexing_maps = [#id, #pad, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<?x4x?x?xf32>, tensor<?x?xi1>) outs(%es : tensor<?x4x?x?xf32>) {
  ^bb0(%a: f32, %keep: i1, %o: f32):
    %t = arith.mulf %a, %scale : f32
    %r = arith.select %keep, %t, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<?x4x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%x : tensor<?x4x?x?xf32>) outs(%es : tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %eo = tensor.empty(%b, %sq) : tensor<?x4x?x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, e, j) -> (b, h, i, j)>, affine_map<(b, h, i, e, j) -> (b, h, j, e)>, affine_map<(b, h, i, e, j) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) outs(%zo : tensor<?x4x?x16xf32>) {
  ^bb0(%a: f32, %bb: f32, %acc: f32):
    %mm = arith.mulf %a, %bb : f32
    %r = arith.addf %acc, %mm : f32
    linalg.yield %r : f32
  } -> tensor<?x4x?x16xf32>
  return %o : tensor<?x4x?x16xf32>
}
