// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// One decode step (Sq = 1) of grouped-query attention over a K/V cache:
// 8 query heads, 2 K/V heads repeated 4× by broadcast + collapse (repeat_kv),
// generic contractions over [b, h, s, d], f32 softmax as linalg.softmax.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @decode_step
// CHECK-SAME: (%[[Q:.*]]: tensor<1x8x1x32xf32>, %[[K:.*]]: tensor<1x2x64x32xf32>, %[[V:.*]]: tensor<1x2x64x32xf32>)
// CHECK-NOT: linalg.broadcast
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(0.17677{{[0-9]*}}) : tensor<1x8x1x32xf32>, tensor<1x2x64x32xf32>, tensor<1x2x64x32xf32> -> tensor<1x8x1x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @decode_step(%q: tensor<1x8x1x32xf32>, %kcache: tensor<1x2x64x32xf32>, %vcache: tensor<1x2x64x32xf32>) -> tensor<1x8x1x32xf32> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 0.176776695 : f32
  %eb = tensor.empty() : tensor<1x2x4x64x32xf32>
  %kb = linalg.broadcast ins(%kcache : tensor<1x2x64x32xf32>) outs(%eb : tensor<1x2x4x64x32xf32>) dimensions = [2]
  %vb = linalg.broadcast ins(%vcache : tensor<1x2x64x32xf32>) outs(%eb : tensor<1x2x4x64x32xf32>) dimensions = [2]
  %k = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<1x2x4x64x32xf32> into tensor<1x8x64x32xf32>
  %v = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<1x2x4x64x32xf32> into tensor<1x8x64x32xf32>
  %es = tensor.empty() : tensor<1x8x1x64xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x8x1x64xf32>) -> tensor<1x8x1x64xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x8x1x32xf32>, tensor<1x8x64x32xf32>) outs(%zs : tensor<1x8x1x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x8x1x64xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(b, h, i, j) -> (b, h, i, j)>, affine_map<(b, h, i, j) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<1x8x1x64xf32>) outs(%es : tensor<1x8x1x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.mulf %a, %scale : f32
    linalg.yield %r : f32
  } -> tensor<1x8x1x64xf32>
  %p = linalg.softmax dimension(3) ins(%x : tensor<1x8x1x64xf32>) outs(%es : tensor<1x8x1x64xf32>) -> tensor<1x8x1x64xf32>
  %eo = tensor.empty() : tensor<1x8x1x32xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x8x1x32xf32>) -> tensor<1x8x1x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, e, j) -> (b, h, i, j)>, affine_map<(b, h, i, e, j) -> (b, h, j, e)>, affine_map<(b, h, i, e, j) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x8x1x64xf32>, tensor<1x8x64x32xf32>) outs(%zo : tensor<1x8x1x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x8x1x32xf32>
  return %o : tensor<1x8x1x32xf32>
}
