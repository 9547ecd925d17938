// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// A causal mask built the way exporters spell torch.triu: two iota tensors
// (linalg.index cast to i64), a broadcasting compare "key > query" into an
// i1 [S, S] tensor, and masked_fill(mask, -inf) as a select after the scale.
// With Sq = Sk this is exactly fa2's causal triangle: the mask disappears.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @causal_iota
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x32x16xf32>, %[[K:.*]]: tensor<2x4x32x16xf32>, %[[V:.*]]: tensor<2x4x32x16xf32>)
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) causal : tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32> -> tensor<2x4x32x16xf32>
// CHECK-NEXT: return %[[O]]
#id = affine_map<(b, h, i, j) -> (b, h, i, j)>
#m2 = affine_map<(b, h, i, j) -> (i, j)>
func.func @causal_iota(%q: tensor<2x4x32x16xf32>, %k: tensor<2x4x32x16xf32>, %v: tensor<2x4x32x16xf32>) -> tensor<2x4x32x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant 0.25 : f32
  %ei = tensor.empty() : tensor<32xi64>
  %iota = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>], iterator_types = ["parallel"]} outs(%ei : tensor<32xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<32xi64>
  %em = tensor.empty() : tensor<32x32xi1>
  %mask = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%iota, %iota : tensor<32xi64>, tensor<32xi64>) outs(%em : tensor<32x32xi1>) {
  ^bb0(%qi: i64, %kj: i64, %o: i1):
    %c = arith.cmpi sgt, %kj, %qi : i64
    linalg.yield %c : i1
  } -> tensor<32x32xi1>
  %es = tensor.empty() : tensor<2x4x32x32xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x32x32xf32>) -> tensor<2x4x32x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>) outs(%zs : tensor<2x4x32x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x32x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #m2, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %mask : tensor<2x4x32x32xf32>, tensor<32x32xi1>) outs(%es : tensor<2x4x32x32xf32>) {
  ^bb0(%a: f32, %c: i1, %o: f32):
    %t = arith.mulf %a, %scale : f32
    %r = arith.select %c, %ninf, %t : f32
    linalg.yield %r : f32
  } -> tensor<2x4x32x32xf32>
  %p = linalg.softmax dimension(3) ins(%x : tensor<2x4x32x32xf32>) outs(%es : tensor<2x4x32x32xf32>) -> tensor<2x4x32x32xf32>
  %eo = tensor.empty() : tensor<2x4x32x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x32x16xf32>) -> tensor<2x4x32x16xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, e, j) -> (b, h, i, j)>, affine_map<(b, h, i, e, j) -> (b, h, j, e)>, affine_map<(b, h, i, e, j) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x4x32x32xf32>, tensor<2x4x32x16xf32>) outs(%zo : tensor<2x4x32x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x32x16xf32>
  return %o : tensor<2x4x32x16xf32>
}
