// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// The shape of a PyTorch export (torch-mlir style) of
// F.scaled_dot_product_attention with repeat_kv: q/k/v come as
// [B, S, H, D], GQA K/V are repeated by expand_shape + a broadcasting
// generic (constant-0 index) + collapse_shape, heads go first by transposes,
// batch×heads is collapsed for batch_matmul, the scores are divided by
// sqrt(D), and the output is expanded and transposed back to [B, S, H, D].
// The op reads the original tensors in layout<bshd> with 2 K/V heads.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @sdpa_bshd_gqa
// CHECK-SAME: (%[[Q:.*]]: tensor<2x32x8x16xf32>, %[[K:.*]]: tensor<2x32x2x16xf32>, %[[V:.*]]: tensor<2x32x2x16xf32>)
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) layout<bshd> : tensor<2x32x8x16xf32>, tensor<2x32x2x16xf32>, tensor<2x32x2x16xf32> -> tensor<2x32x8x16xf32>
// CHECK-NEXT: return %[[O]]
func.func @sdpa_bshd_gqa(%q: tensor<2x32x8x16xf32>, %k: tensor<2x32x2x16xf32>, %v: tensor<2x32x2x16xf32>) -> tensor<2x32x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %sqrt_d = arith.constant 4.0 : f32
  %eq = tensor.empty() : tensor<2x8x32x16xf32>
  %qt = linalg.transpose ins(%q : tensor<2x32x8x16xf32>) outs(%eq : tensor<2x8x32x16xf32>) permutation = [0, 2, 1, 3]
  %k5 = tensor.expand_shape %k [[0], [1], [2, 3], [4]] output_shape [2, 32, 2, 1, 16] : tensor<2x32x2x16xf32> into tensor<2x32x2x1x16xf32>
  %v5 = tensor.expand_shape %v [[0], [1], [2, 3], [4]] output_shape [2, 32, 2, 1, 16] : tensor<2x32x2x16xf32> into tensor<2x32x2x1x16xf32>
  %eb = tensor.empty() : tensor<2x32x2x4x16xf32>
  %kb = linalg.generic {indexing_maps = [affine_map<(b, s, g, r, d) -> (b, s, g, 0, d)>, affine_map<(b, s, g, r, d) -> (b, s, g, r, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k5 : tensor<2x32x2x1x16xf32>) outs(%eb : tensor<2x32x2x4x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x32x2x4x16xf32>
  %vb = linalg.generic {indexing_maps = [affine_map<(b, s, g, r, d) -> (b, s, g, 0, d)>, affine_map<(b, s, g, r, d) -> (b, s, g, r, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v5 : tensor<2x32x2x1x16xf32>) outs(%eb : tensor<2x32x2x4x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x32x2x4x16xf32>
  %kr = tensor.collapse_shape %kb [[0], [1], [2, 3], [4]] : tensor<2x32x2x4x16xf32> into tensor<2x32x8x16xf32>
  %vr = tensor.collapse_shape %vb [[0], [1], [2, 3], [4]] : tensor<2x32x2x4x16xf32> into tensor<2x32x8x16xf32>
  %ekt = tensor.empty() : tensor<2x8x16x32xf32>
  %kt = linalg.transpose ins(%kr : tensor<2x32x8x16xf32>) outs(%ekt : tensor<2x8x16x32xf32>) permutation = [0, 2, 3, 1]
  %vt = linalg.transpose ins(%vr : tensor<2x32x8x16xf32>) outs(%eq : tensor<2x8x32x16xf32>) permutation = [0, 2, 1, 3]
  %q3 = tensor.collapse_shape %qt [[0, 1], [2], [3]] : tensor<2x8x32x16xf32> into tensor<16x32x16xf32>
  %k3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x8x16x32xf32> into tensor<16x16x32xf32>
  %v3 = tensor.collapse_shape %vt [[0, 1], [2], [3]] : tensor<2x8x32x16xf32> into tensor<16x32x16xf32>
  %es = tensor.empty() : tensor<16x32x32xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<16x32x32xf32>) -> tensor<16x32x32xf32>
  %s = linalg.batch_matmul ins(%q3, %k3 : tensor<16x32x16xf32>, tensor<16x16x32xf32>) outs(%zs : tensor<16x32x32xf32>) -> tensor<16x32x32xf32>
  %s4 = tensor.expand_shape %s [[0, 1], [2], [3]] output_shape [2, 8, 32, 32] : tensor<16x32x32xf32> into tensor<2x8x32x32xf32>
  %e4 = tensor.empty() : tensor<2x8x32x32xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(b, h, i, j) -> (b, h, i, j)>, affine_map<(b, h, i, j) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s4 : tensor<2x8x32x32xf32>) outs(%e4 : tensor<2x8x32x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.divf %a, %sqrt_d : f32
    linalg.yield %r : f32
  } -> tensor<2x8x32x32xf32>
  %p4 = linalg.softmax dimension(3) ins(%x : tensor<2x8x32x32xf32>) outs(%e4 : tensor<2x8x32x32xf32>) -> tensor<2x8x32x32xf32>
  %p = tensor.collapse_shape %p4 [[0, 1], [2], [3]] : tensor<2x8x32x32xf32> into tensor<16x32x32xf32>
  %eo = tensor.empty() : tensor<16x32x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<16x32x16xf32>) -> tensor<16x32x16xf32>
  %o = linalg.batch_matmul ins(%p, %v3 : tensor<16x32x32xf32>, tensor<16x32x16xf32>) outs(%zo : tensor<16x32x16xf32>) -> tensor<16x32x16xf32>
  %o4 = tensor.expand_shape %o [[0, 1], [2], [3]] output_shape [2, 8, 32, 16] : tensor<16x32x16xf32> into tensor<2x8x32x16xf32>
  %eot = tensor.empty() : tensor<2x32x8x16xf32>
  %ot = linalg.transpose ins(%o4 : tensor<2x8x32x16xf32>) outs(%eot : tensor<2x32x8x16xf32>) permutation = [0, 2, 1, 3]
  return %ot : tensor<2x32x8x16xf32>
}
