// RUN: fa2-opt %s --split-input-file --fa2-raise-attention | FileCheck %s
//
// How the raiser combines the masks of one chain into what fa2.attention
// expresses (causal, window, fill, one mask operand), and what it leaves.

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
// A float mask inside a -inf masked_fill: one f32 mask operand,
// select(keep, mask, -inf), built beside the op.
// CHECK-LABEL: func.func @float_and_bool_masks
// CHECK-SAME: %[[FM:[a-z0-9]*]]: tensor<16x32xf32>, %[[BM:[a-z0-9]*]]: tensor<16x32xi1>)
// CHECK-NOT: linalg.batch_matmul
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[FM]], %[[BM]] : tensor<16x32xf32>, tensor<16x32xi1>)
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-NOT: linalg.batch_matmul
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]]) scale(1.000000e+00) : {{.*}}, tensor<16x32xf32> -> tensor<8x16x8xf32>
// CHECK-NOT: linalg.softmax
func.func @float_and_bool_masks(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %fm: tensor<16x32xf32>, %bm: tensor<16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %fm, %bm : tensor<8x16x32xf32>, tensor<16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %f: f32, %b: i1, %o: f32):
    %t = arith.addf %a, %f : f32
    %r = arith.select %b, %t, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
// Mistral's sliding window written as |i - j| < 4 together with j <= i:
// causal and window(3, 0).
// CHECK-LABEL: func.func @abs_window_and_causal
// CHECK-NOT: linalg.index
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.000000e+00) causal window(3, 0) : tensor<8x16x8xf32>, tensor<8x16x8xf32>, tensor<8x16x8xf32> -> tensor<8x16x8xf32>
// CHECK-NOT: linalg.index
func.func @abs_window_and_causal(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x16xf32>, %v: tensor<8x16x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %w = arith.constant 4 : i64
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %ii = arith.index_cast %i : index to i64
    %jj = arith.index_cast %j : index to i64
    %d = arith.subi %ii, %jj : i64
    %ad = math.absi %d : i64
    %near = arith.cmpi slt, %ad, %w : i64
    %past = arith.cmpi sle, %jj, %ii : i64
    %keep = arith.andi %near, %past : i1
    %r = arith.select %keep, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
// Causal with finfo.min on a square problem: every row keeps its diagonal
// and exp(min - max) is 0, so the fill is -inf's equal and is not kept
// (the kernels keep skipping masked blocks).
// CHECK-LABEL: func.func @causal_lowest_square
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.000000e+00) causal : tensor<8x16x8xf32>, tensor<8x16x8xf32>, tensor<8x16x8xf32> -> tensor<8x16x8xf32>
func.func @causal_lowest_square(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x16xf32>, %v: tensor<8x16x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -3.40282347E+38 : f32
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %keep = arith.cmpi ule, %j, %i : index
    %r = arith.select %keep, %a, %low : f32
    linalg.yield %r : f32
  } -> tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
// The same causal finfo.min with a key-padding mask: rows can lose every
// key, so the fill is kept.
// CHECK-LABEL: func.func @causal_lowest_with_padding
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(1.000000e+00) causal fill(-3.40282{{[0-9]*}}E+38) : {{.*}}tensor<16x16xi1> -> tensor<8x16x8xf32>
func.func @causal_lowest_with_padding(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x16xf32>, %v: tensor<8x16x8xf32>, %pad: tensor<16x16xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -3.40282347E+38 : f32
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %x = linalg.generic {indexing_maps = [#id, affine_map<(b, i, j) -> (i, j)>, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %pad : tensor<8x16x16xf32>, tensor<16x16xi1>) outs(%e0 : tensor<8x16x16xf32>) {
  ^bb0(%a: f32, %k: i1, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %c = arith.cmpi ule, %j, %i : index
    %keep = arith.andi %c, %k : i1
    %r = arith.select %keep, %a, %low : f32
    linalg.yield %r : f32
  } -> tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// A linalg.softmax whose init is the scores but whose input is another
// tensor (valid IR): not attention, and no crash.
// CHECK-LABEL: func.func @negative_softmax_init_is_scores
// CHECK: linalg.softmax
// CHECK-NOT: fa2.attention
func.func @negative_softmax_init_is_scores(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x16xf32>, %v: tensor<8x16x8xf32>, %other: tensor<8x16x16xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%other : tensor<8x16x16xf32>) outs(%s : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}
