// RUN: fa2-opt %s --split-input-file --fa2-raise-attention | FileCheck %s
// Idempotent: a second run changes nothing.
// RUN: fa2-opt %s --split-input-file --fa2-raise-attention > %t.once
// RUN: fa2-opt %t.once --split-input-file --fa2-raise-attention > %t.twice
// RUN: diff %t.once %t.twice
// RUN: fa2-opt %s --split-input-file --fa2-raise-attention --fa2-raise-attention | FileCheck %s
//
// --fa2-raise-attention on linalg, tensor and arith/math forms: every chain
// becomes one fa2.attention with the right scale, mask, causal flag, GQA
// heads, layout and types, and the chain is erased. @negative_* functions
// are left alone (their remarks are in raise-attention-explain.mlir).

// batch_matmul whose indexing_maps read K as [b, n, k]; the scale divides by a
// scalar captured in the generic's body.
// CHECK-LABEL: func.func @batch_matmul_transposed_k
// CHECK-SAME: (%[[Q:.*]]: tensor<4x16x8xf32>, %[[K:.*]]: tensor<4x32x8xf32>, %[[V:.*]]: tensor<4x32x8xf32>)
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(5.000000e-01) : tensor<4x16x8xf32>, tensor<4x32x8xf32>, tensor<4x32x8xf32> -> tensor<4x16x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @batch_matmul_transposed_k(%q: tensor<4x16x8xf32>, %k: tensor<4x32x8xf32>, %v: tensor<4x32x8xf32>) -> tensor<4x16x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %d = arith.constant 2.0 : f32
  %e0 = tensor.empty() : tensor<4x16x32xf32>
  %z0 = linalg.fill ins(%cst : f32) outs(%e0 : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%q, %k : tensor<4x16x8xf32>, tensor<4x32x8xf32>) outs(%z0 : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %ss = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<4x16x32xf32>) outs(%e0 : tensor<4x16x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %in, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%ss : tensor<4x16x32xf32>) outs(%e0 : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %e3 = tensor.empty() : tensor<4x16x8xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x16x32xf32>, tensor<4x32x8xf32>) outs(%z3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o : tensor<4x16x8xf32>
}

// -----

// Plain 2-D matmuls, no scale: a unit head dim is added around the op and K
// (given as Kᵀ) is transposed.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[Q:.*]]: tensor<16x8xf32>, %[[KT:.*]]: tensor<8x32xf32>, %[[V:.*]]: tensor<32x8xf32>)
// CHECK-DAG: %[[Q3:.*]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1], [2]] output_shape [1, 16, 8]
// CHECK-DAG: %[[K:.*]] = linalg.transpose ins(%[[KT]] : tensor<8x32xf32>) {{.*}} permutation = [1, 0]
// CHECK-DAG: %[[K3:.*]] = tensor.expand_shape %[[K]]
// CHECK-DAG: %[[V3:.*]] = tensor.expand_shape %[[V]]
// CHECK: %[[O:.*]] = fa2.attention %[[Q3]], %[[K3]], %[[V3]] scale(1.000000e+00) : tensor<1x16x8xf32>, tensor<1x32x8xf32>, tensor<1x32x8xf32> -> tensor<1x16x8xf32>
// CHECK: %[[O2:.*]] = tensor.collapse_shape %[[O]] {{\[\[}}0, 1], [2]] : tensor<1x16x8xf32> into tensor<16x8xf32>
// CHECK: return %[[O2]]
func.func @matmul_2d(%q: tensor<16x8xf32>, %kt: tensor<8x32xf32>, %v: tensor<32x8xf32>) -> tensor<16x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e0 = tensor.empty() : tensor<16x32xf32>
  %z0 = linalg.fill ins(%cst : f32) outs(%e0 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %s = linalg.matmul ins(%q, %kt : tensor<16x8xf32>, tensor<8x32xf32>) outs(%z0 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<16x32xf32>) outs(%e0 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %e3 = tensor.empty() : tensor<16x8xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %o = linalg.matmul ins(%p, %v : tensor<16x32xf32>, tensor<32x8xf32>) outs(%z3 : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// -----

#q = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#k = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#s = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#id4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row4 = affine_map<(b, h, i, j) -> (b, h, i)>
#p = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#v = affine_map<(b, h, i, e, j) -> (b, h, j, e)>
#o = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
// 4-D generics everywhere: the decomposed softmax (max, exp(x - max), sum,
// div) and a splat-constant scale.
// CHECK-LABEL: func.func @generic_bhsd
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x16x8xf32>, %[[K:.*]]: tensor<2x4x32x8xf32>, %[[V:.*]]: tensor<2x4x32x16xf32>)
// CHECK-NOT: linalg.generic
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] scale(1.250000e-01) : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x16xf32> -> tensor<2x4x16x16xf32>
// CHECK-NOT: linalg.generic
func.func @generic_bhsd(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x32x8xf32>, %v: tensor<2x4x32x16xf32>) -> tensor<2x4x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<0.125> : tensor<2x4x16x32xf32>
  %es = tensor.empty() : tensor<2x4x16x32xf32>
  %er = tensor.empty() : tensor<2x4x16xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x16x32xf32>) -> tensor<2x4x16x32xf32>
  %s = linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>) outs(%zs : tensor<2x4x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %scale : tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>) outs(%es : tensor<2x4x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16x32xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %mx = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x : tensor<2x4x16x32xf32>) outs(%mi : tensor<2x4x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16xf32>
  %ex = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %mx : tensor<2x4x16x32xf32>, tensor<2x4x16xf32>) outs(%es : tensor<2x4x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<2x4x16x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %sm = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<2x4x16x32xf32>) outs(%si : tensor<2x4x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16xf32>
  %pr = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex, %sm : tensor<2x4x16x32xf32>, tensor<2x4x16xf32>) outs(%es : tensor<2x4x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16x32xf32>
  %eo = tensor.empty() : tensor<2x4x16x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %out = linalg.generic {indexing_maps = [#p, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%pr, %v : tensor<2x4x16x32xf32>, tensor<2x4x32x16xf32>) outs(%zo : tensor<2x4x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16x16xf32>
  return %out : tensor<2x4x16x16xf32>
}

// -----

#q = affine_map<(b, h, i, j, d) -> (b, i, h, d)>
#k = affine_map<(b, h, i, j, d) -> (b, j, h, d)>
#s = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#p = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#v = affine_map<(b, h, i, e, j) -> (b, j, h, e)>
#o = affine_map<(b, h, i, e, j) -> (b, i, h, e)>
// [b, s, h, d] operands read directly by the generics give layout<bshd>; the
// scale is a tensor.splat multiplied with arith.mulf on tensors.
// CHECK-LABEL: func.func @generic_bshd
// CHECK-SAME: (%[[Q:.*]]: tensor<2x16x4x8xf32>, %[[K:.*]]: tensor<2x32x4x8xf32>, %[[V:.*]]: tensor<2x32x4x8xf32>
// CHECK-NOT: linalg.softmax
// CHECK-NOT: linalg.transpose
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) layout<bshd> : tensor<2x16x4x8xf32>, tensor<2x32x4x8xf32>, tensor<2x32x4x8xf32> -> tensor<2x16x4x8xf32>
// CHECK-NOT: linalg.softmax
func.func @generic_bshd(%q: tensor<2x16x4x8xf32>, %k: tensor<2x32x4x8xf32>, %v: tensor<2x32x4x8xf32>) -> tensor<2x16x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<2x4x16x32xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x16x32xf32>) -> tensor<2x4x16x32xf32>
  %s = linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x16x4x8xf32>, tensor<2x32x4x8xf32>) outs(%zs : tensor<2x4x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16x32xf32>
  %sc = arith.constant 0.25 : f32
  %splat = tensor.splat %sc : tensor<2x4x16x32xf32>
  %x = arith.mulf %s, %splat : tensor<2x4x16x32xf32>
  %pr = linalg.softmax dimension(3) ins(%x : tensor<2x4x16x32xf32>) outs(%es : tensor<2x4x16x32xf32>) -> tensor<2x4x16x32xf32>
  %eo = tensor.empty() : tensor<2x16x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32>
  %out = linalg.generic {indexing_maps = [#p, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%pr, %v : tensor<2x4x16x32xf32>, tensor<2x32x4x8xf32>) outs(%zo : tensor<2x16x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x16x4x8xf32>
  return %out : tensor<2x16x4x8xf32>
}

// -----

// K·Qᵀ then a transpose of the scores; softmax from linalg.reduce,
// linalg.broadcast, linalg.sub/exp, reciprocal × mul.
// CHECK-LABEL: func.func @kq_then_transpose
// CHECK-SAME: (%[[Q:.*]]: tensor<8x16x8xf32>, %[[KT:.*]]: tensor<8x8x32xf32>, %[[V:.*]]: tensor<8x32x8xf32>)
// CHECK-NOT: linalg.reduce
// CHECK-NOT: linalg.batch_matmul
// CHECK: %[[K:.*]] = linalg.transpose ins(%[[KT]] {{.*}} permutation = [0, 2, 1]
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] scale(1.000000e+00) : tensor<8x16x8xf32>, tensor<8x32x8xf32>, tensor<8x32x8xf32> -> tensor<8x16x8xf32>
// CHECK-NOT: linalg.reduce
// CHECK-NOT: linalg.batch_matmul
func.func @kq_then_transpose(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %one = arith.constant 1.0 : f32
  %qt_e = tensor.empty() : tensor<8x8x16xf32>
  %qt = linalg.transpose ins(%q : tensor<8x16x8xf32>) outs(%qt_e : tensor<8x8x16xf32>) permutation = [0, 2, 1]
  %k_e = tensor.empty() : tensor<8x32x8xf32>
  %k = linalg.transpose ins(%kt : tensor<8x8x32xf32>) outs(%k_e : tensor<8x32x8xf32>) permutation = [0, 2, 1]
  %e0 = tensor.empty() : tensor<8x32x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x32x16xf32>) -> tensor<8x32x16xf32>
  %st = linalg.batch_matmul ins(%k, %qt : tensor<8x32x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x32x16xf32>) -> tensor<8x32x16xf32>
  %e1 = tensor.empty() : tensor<8x16x32xf32>
  %s = linalg.transpose ins(%st : tensor<8x32x16xf32>) outs(%e1 : tensor<8x16x32xf32>) permutation = [0, 2, 1]
  %er = tensor.empty() : tensor<8x16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %mx = linalg.reduce ins(%s : tensor<8x16x32xf32>) outs(%mi : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.maxnumf %a, %acc : f32
      linalg.yield %r : f32
    }
  %mb = linalg.broadcast ins(%mx : tensor<8x16xf32>) outs(%e1 : tensor<8x16x32xf32>) dimensions = [2]
  %d = linalg.sub ins(%s, %mb : tensor<8x16x32xf32>, tensor<8x16x32xf32>) outs(%e1 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %ex = linalg.exp ins(%d : tensor<8x16x32xf32>) outs(%e1 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sm = linalg.reduce ins(%ex : tensor<8x16x32xf32>) outs(%si : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.addf %a, %acc : f32
      linalg.yield %r : f32
    }
  %rc = linalg.reciprocal ins(%sm : tensor<8x16xf32>) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %rb = linalg.broadcast ins(%rc : tensor<8x16xf32>) outs(%e1 : tensor<8x16x32xf32>) dimensions = [2]
  %pr = linalg.mul ins(%ex, %rb : tensor<8x16x32xf32>, tensor<8x16x32xf32>) outs(%e1 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%pr, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// arith/math on whole tensors, the log-sum-exp form exp(x - (max + log sum))
// of the softmax, and that log-sum-exp returned: it becomes the op's LSE.
// CHECK-LABEL: func.func @math_on_tensors_lse
// CHECK-NOT: math.exp
// CHECK: %[[O:.*]], %[[LSE:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(5.000000e-01) : {{.*}} -> tensor<8x16x8xf32>, tensor<8x16xf32>
// CHECK: %[[L3:.*]] = tensor.expand_shape %[[LSE]] {{\[\[}}0], [1, 2]] output_shape [8, 16, 1]
// CHECK-NOT: math.exp
// CHECK: return %[[O]], %[[L3]]
func.func @math_on_tensors_lse(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> (tensor<8x16x8xf32>, tensor<8x16x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %c = arith.constant dense<0.5> : tensor<8x16x32xf32>
  %x = arith.mulf %s, %c : tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %mx = linalg.reduce ins(%x : tensor<8x16x32xf32>) outs(%mi : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.maximumf %a, %acc : f32
      linalg.yield %r : f32
    }
  %mb = linalg.broadcast ins(%mx : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %d = arith.subf %x, %mb : tensor<8x16x32xf32>
  %ex = math.exp %d : tensor<8x16x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sm = linalg.reduce ins(%ex : tensor<8x16x32xf32>) outs(%si : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.addf %a, %acc : f32
      linalg.yield %r : f32
    }
  %lg = math.log %sm : tensor<8x16xf32>
  %lse = arith.addf %mx, %lg : tensor<8x16xf32>
  %lb = linalg.broadcast ins(%lse : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %d2 = arith.subf %x, %lb : tensor<8x16x32xf32>
  %pr = math.exp %d2 : tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%pr, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %lse3 = tensor.expand_shape %lse [[0], [1, 2]] output_shape [8, 16, 1] : tensor<8x16xf32> into tensor<8x16x1xf32>
  return %o, %lse3 : tensor<8x16x8xf32>, tensor<8x16x1xf32>
}

// -----

// f16 operands, f32 softmax, P truncated to f16, the output truncated to
// f16: the op takes the f16 tensors and returns f16.
// CHECK-LABEL: func.func @f16_extf_truncf
// CHECK-SAME: (%[[Q:.*]]: tensor<8x16x8xf16>, %[[K:.*]]: tensor<8x32x8xf16>, %[[V:.*]]: tensor<8x32x8xf16>)
// CHECK-NOT: arith.truncf
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(1.000000e+00) : tensor<8x16x8xf16>, tensor<8x32x8xf16>, tensor<8x32x8xf16> -> tensor<8x16x8xf16>
// CHECK-NOT: arith.truncf
// CHECK: return %[[O]]
func.func @f16_extf_truncf(%q: tensor<8x16x8xf16>, %k: tensor<8x32x8xf16>, %v: tensor<8x32x8xf16>) -> tensor<8x16x8xf16> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%q, %k : tensor<8x16x8xf16>, tensor<8x32x8xf16>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %ph = arith.truncf %p : tensor<8x16x32xf32> to tensor<8x16x32xf16>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%ph, %v : tensor<8x16x32xf16>, tensor<8x32x8xf16>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %oh = arith.truncf %o : tensor<8x16x8xf32> to tensor<8x16x8xf16>
  return %oh : tensor<8x16x8xf16>
}

// -----

// Operands extended with arith.extf, Q pre-scaled by a constant: the op reads
// the f16 tensors, the scale moves onto the op, the f32 output stays f32.
// CHECK-LABEL: func.func @extf_operands_scaled_q
// CHECK-SAME: (%[[Q:.*]]: tensor<8x16x8xf16>, %[[K:.*]]: tensor<8x32x8xf16>, %[[V:.*]]: tensor<8x32x8xf16>)
// CHECK-NOT: arith.extf
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] scale(0.35355{{[0-9]*}}) : tensor<8x16x8xf16>, tensor<8x32x8xf16>, tensor<8x32x8xf16> -> tensor<8x16x8xf32>
// CHECK-NOT: arith.extf
func.func @extf_operands_scaled_q(%q: tensor<8x16x8xf16>, %k: tensor<8x32x8xf16>, %v: tensor<8x32x8xf16>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %qf = arith.extf %q : tensor<8x16x8xf16> to tensor<8x16x8xf32>
  %kf = arith.extf %k : tensor<8x32x8xf16> to tensor<8x32x8xf32>
  %vf = arith.extf %v : tensor<8x32x8xf16> to tensor<8x32x8xf32>
  %c = arith.constant dense<0.3535533> : tensor<8x16x8xf32>
  %qs = arith.mulf %qf, %c : tensor<8x16x8xf32>
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%qs, %kf : tensor<8x16x8xf32>, tensor<8x32x8xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %vf : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
// Additive float mask [Sq, Sk] broadcast over batch×heads by the generic's
// indexing map, added after the scale.
// CHECK-LABEL: func.func @float_mask_arg
// CHECK-SAME: %[[M:[a-z0-9]*]]: tensor<16x32xf32>)
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]]) scale(1.250000e-01) : tensor<8x16x8xf32>, tensor<8x32x8xf32>, tensor<8x32x8xf32>, tensor<16x32xf32> -> tensor<8x16x8xf32>
func.func @float_mask_arg(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %sc = arith.constant 0.125 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.mulf %a, %sc : f32
    %r = arith.addf %t, %b : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#mb = affine_map<(b, h, i, j) -> (b, i, j)>
// batch×heads collapsed for the 3-D matmuls and split again around a
// select(mask, x, -inf) with a [B, Sq, Sk] i1 mask: the op is 4-D and the mask
// gets a unit head dim.
// CHECK-LABEL: func.func @bool_mask_select
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x16x8xf32>, %[[KT:.*]]: tensor<2x4x8x32xf32>, %[[V:.*]]: tensor<2x4x32x8xf32>, %[[M:.*]]: tensor<2x16x32xi1>)
// CHECK-NOT: linalg.softmax
// CHECK-DAG: %[[K:.*]] = linalg.transpose ins(%[[KT]] {{.*}} permutation = [0, 1, 3, 2]
// CHECK-DAG: %[[M4:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0], [1, 2], [3]] output_shape [2, 1, 16, 32]
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[M4]]) scale(1.000000e+00) : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32>, tensor<2x1x16x32xi1> -> tensor<2x4x16x8xf32>
// CHECK-NOT: linalg.softmax
func.func @bool_mask_select(%q: tensor<2x4x16x8xf32>, %kt: tensor<2x4x8x32xf32>, %v: tensor<2x4x32x8xf32>, %m: tensor<2x16x32xi1>) -> tensor<2x4x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %qc = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x4x16x8xf32> into tensor<8x16x8xf32>
  %kc = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x4x8x32xf32> into tensor<8x8x32xf32>
  %vc = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x4x32x8xf32> into tensor<8x32x8xf32>
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%qc, %kc : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s4 = tensor.expand_shape %s [[0, 1], [2], [3]] output_shape [2, 4, 16, 32] : tensor<8x16x32xf32> into tensor<2x4x16x32xf32>
  %e4 = tensor.empty() : tensor<2x4x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id4, #mb, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s4, %m : tensor<2x4x16x32xf32>, tensor<2x16x32xi1>) outs(%e4 : tensor<2x4x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<2x4x16x32xf32>
  %p4 = linalg.softmax dimension(3) ins(%x : tensor<2x4x16x32xf32>) outs(%e4 : tensor<2x4x16x32xf32>) -> tensor<2x4x16x32xf32>
  %p = tensor.collapse_shape %p4 [[0, 1], [2], [3]] : tensor<2x4x16x32xf32> into tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %vc : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o4 = tensor.expand_shape %o [[0, 1], [2], [3]] output_shape [2, 4, 16, 8] : tensor<8x16x8xf32> into tensor<2x4x16x8xf32>
  return %o4 : tensor<2x4x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
// masked_fill: select(mask, lowest, x) keeps the scores where the mask is
// false, so the op gets its negation. The lowest finite value is a finite
// fill: a fully masked row averages V, as the original does.
// CHECK-LABEL: func.func @masked_fill_lowest
// CHECK-SAME: %[[M:[a-z0-9]*]]: tensor<16x32xi1>)
// CHECK: %[[NOT:.*]] = linalg.generic {{.*}} ins(%[[M]] : tensor<16x32xi1>)
// CHECK: arith.xori
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[NOT]]) scale(1.000000e+00) {{.*}}fill{{.*}}-3.40282{{[0-9]*}}E+38{{.*}} : {{.*}}, tensor<16x32xi1> -> tensor<8x16x8xf32>
func.func @masked_fill_lowest(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -3.40282347E+38 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %low, %a : f32
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
// Causal from linalg.index in the scores' generic, Sq = 16 < Sk = 32:
// keep j <= i + 16 is exactly the bottom-right triangle.
// CHECK-LABEL: func.func @causal_index_bottom_right
// CHECK-NOT: linalg.index
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.000000e+00) causal : tensor<8x16x8xf32>, tensor<8x32x8xf32>, tensor<8x32x8xf32> -> tensor<8x16x8xf32>
// CHECK-NOT: linalg.index
func.func @causal_index_bottom_right(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %off = arith.constant 16 : index
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %lim = arith.addi %i, %off : index
    %c = arith.cmpi ule, %j, %lim : index
    %r = arith.select %c, %a, %ninf : f32
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
#mk = affine_map<(b, i, j) -> (i, j)>
#id2 = affine_map<(i, j) -> (i, j)>
// The top-left triangle j <= i with Sq != Sk is not fa2's causal: the mask
// tensor is kept and passed as the mask operand.
// CHECK-LABEL: func.func @triangle_not_bottom_right
// CHECK-NOT: causal
// CHECK: %[[MASK:.*]] = linalg.generic
// CHECK: linalg.index
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[MASK]]) scale(1.000000e+00) :
// CHECK-NOT: causal
func.func @triangle_not_bottom_right(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %em = tensor.empty() : tensor<16x32xf32>
  %mask = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%em : tensor<16x32xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c = arith.cmpi sgt, %j, %i : index
    %r = arith.select %c, %ninf, %zero : f32
    linalg.yield %r : f32
  } -> tensor<16x32xf32>
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %mask : tensor<8x16x32xf32>, tensor<16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
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
#mk = affine_map<(b, i, j) -> (i, j)>
#id2 = affine_map<(i, j) -> (i, j)>
// The same mask tensor with Sq = Sk is causal; the "+ 0" is dropped.
// CHECK-LABEL: func.func @causal_mask_tensor_plus_zero
// CHECK-NOT: linalg.generic
// CHECK: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.000000e+00) causal : tensor<8x32x8xf32>, tensor<8x32x8xf32>, tensor<8x32x8xf32> -> tensor<8x32x8xf32>
// CHECK-NOT: linalg.generic
func.func @causal_mask_tensor_plus_zero(%q: tensor<8x32x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x32x8xf32> {
  %zero = arith.constant 0.0 : f32
  %zeros = arith.constant dense<0.0> : tensor<8x32x32xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %em = tensor.empty() : tensor<32x32xf32>
  %mask = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%em : tensor<32x32xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c = arith.cmpi sgt, %j, %i : index
    %r = arith.select %c, %ninf, %zero : f32
    linalg.yield %r : f32
  } -> tensor<32x32xf32>
  %e0 = tensor.empty() : tensor<8x32x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x32x32xf32>) -> tensor<8x32x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x32x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x32x32xf32>) -> tensor<8x32x32xf32>
  %s0 = linalg.add ins(%s, %zeros : tensor<8x32x32xf32>, tensor<8x32x32xf32>) outs(%e0 : tensor<8x32x32xf32>) -> tensor<8x32x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s0, %mask : tensor<8x32x32xf32>, tensor<32x32xf32>) outs(%e0 : tensor<8x32x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8x32x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x32x32xf32>) outs(%e0 : tensor<8x32x32xf32>) -> tensor<8x32x32xf32>
  %e3 = tensor.empty() : tensor<8x32x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x32x8xf32>) -> tensor<8x32x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x32x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x32x8xf32>) -> tensor<8x32x8xf32>
  return %o : tensor<8x32x8xf32>
}

// -----

// GQA: K/V [B, 2, S, D] broadcast to [B, 2, 4, S, D] and collapsed to 8 heads
// become native Hkv = 2, with no copy left.
// CHECK-LABEL: func.func @gqa_broadcast_collapse
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x16x8xf32>, %[[K:.*]]: tensor<2x2x32x8xf32>, %[[V:.*]]: tensor<2x2x32x8xf32>)
// CHECK-NOT: linalg.broadcast
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] scale(1.000000e+00) : tensor<2x8x16x8xf32>, tensor<2x2x32x8xf32>, tensor<2x2x32x8xf32> -> tensor<2x8x16x8xf32>
// CHECK-NOT: linalg.broadcast
func.func @gqa_broadcast_collapse(%q: tensor<2x8x16x8xf32>, %k: tensor<2x2x32x8xf32>, %v: tensor<2x2x32x8xf32>) -> tensor<2x8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ek = tensor.empty() : tensor<2x2x4x32x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x2x32x8xf32>) outs(%ek : tensor<2x2x4x32x8xf32>) dimensions = [2]
  %vb = linalg.broadcast ins(%v : tensor<2x2x32x8xf32>) outs(%ek : tensor<2x2x4x32x8xf32>) dimensions = [2]
  %kr = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<2x2x4x32x8xf32> into tensor<2x8x32x8xf32>
  %vr = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<2x2x4x32x8xf32> into tensor<2x8x32x8xf32>
  %e0 = tensor.empty() : tensor<2x8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kr : tensor<2x8x16x8xf32>, tensor<2x8x32x8xf32>) outs(%z0 : tensor<2x8x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x16x32xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x8x16x32xf32>) outs(%e0 : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  %e3 = tensor.empty() : tensor<2x8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x8x16x8xf32>) -> tensor<2x8x16x8xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, e, j) -> (b, h, i, j)>, affine_map<(b, h, i, e, j) -> (b, h, j, e)>, affine_map<(b, h, i, e, j) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %vr : tensor<2x8x16x32xf32>, tensor<2x8x32x8xf32>) outs(%z3 : tensor<2x8x16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x16x8xf32>
  return %o : tensor<2x8x16x8xf32>
}

// -----

// MQA: K read through a constant-0 head index, V through a TOSA broadcast add
// of zeros: Hkv = 1.
// CHECK-LABEL: func.func @mqa_constant_index
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x16x8xf32>, %[[K:.*]]: tensor<2x1x32x8xf32>, %[[V:.*]]: tensor<2x1x32x8xf32>)
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(1.000000e+00) : tensor<2x8x16x8xf32>, tensor<2x1x32x8xf32>, tensor<2x1x32x8xf32> -> tensor<2x8x16x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @mqa_constant_index(%q: tensor<2x8x16x8xf32>, %k: tensor<2x1x32x8xf32>, %v: tensor<2x1x32x8xf32>) -> tensor<2x8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ek = tensor.empty() : tensor<2x8x32x8xf32>
  %kb = linalg.generic {indexing_maps = [affine_map<(b, h, j, d) -> (b, 0, j, d)>, affine_map<(b, h, j, d) -> (b, h, j, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%k : tensor<2x1x32x8xf32>) outs(%ek : tensor<2x8x32x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x8x32x8xf32>
  %zeros = arith.constant dense<0.0> : tensor<2x8x32x8xf32>
  %vb = tosa.add %v, %zeros : (tensor<2x1x32x8xf32>, tensor<2x8x32x8xf32>) -> tensor<2x8x32x8xf32>
  %e0 = tensor.empty() : tensor<2x8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kb : tensor<2x8x16x8xf32>, tensor<2x8x32x8xf32>) outs(%z0 : tensor<2x8x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x16x32xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x8x16x32xf32>) outs(%e0 : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  %e3 = tensor.empty() : tensor<2x8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x8x16x8xf32>) -> tensor<2x8x16x8xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, e, j) -> (b, h, i, j)>, affine_map<(b, h, i, e, j) -> (b, h, j, e)>, affine_map<(b, h, i, e, j) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %vb : tensor<2x8x16x32xf32>, tensor<2x8x32x8xf32>) outs(%z3 : tensor<2x8x16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x16x8xf32>
  return %o : tensor<2x8x16x8xf32>
}

// -----

// Dynamic batch and sequence lengths.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x8xf32>, %[[K:.*]]: tensor<?x?x8xf32>, %[[V:.*]]: tensor<?x?x8xf32>)
// CHECK-NOT: linalg.softmax
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] scale(1.000000e+00) : tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
// CHECK-NOT: linalg.softmax
func.func @dynamic(%q: tensor<?x?x8xf32>, %k: tensor<?x?x8xf32>, %v: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %q, %c0 : tensor<?x?x8xf32>
  %sq = tensor.dim %q, %c1 : tensor<?x?x8xf32>
  %sk = tensor.dim %k, %c1 : tensor<?x?x8xf32>
  %e0 = tensor.empty(%b, %sq, %sk) : tensor<?x?x?xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%q, %k : tensor<?x?x8xf32>, tensor<?x?x8xf32>) outs(%z0 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<?x?x?xf32>) outs(%e0 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %e3 = tensor.empty(%b, %sq) : tensor<?x?x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x?x?xf32>, tensor<?x?x8xf32>) outs(%z3 : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %o : tensor<?x?x8xf32>
}

// -----

// PyTorch-like: [B, S, H, D] tensors transposed to [B, H, S, D], repeat_kv
// (broadcast + reshape) for GQA, batch×heads collapsed: the op reads the
// [S, H, D] views in layout<bshd> with 2 K/V heads.
// CHECK-LABEL: func.func @bshd_gqa_transposes
// CHECK-SAME: (%[[Q:.*]]: tensor<1x16x8x8xf32>, %[[K:.*]]: tensor<1x16x2x8xf32>, %[[V:.*]]: tensor<1x16x2x8xf32>)
// CHECK-DAG: %[[Q3:.*]] = tensor.collapse_shape %[[Q]] {{\[\[}}0, 1], [2], [3]]
// CHECK-DAG: %[[K3:.*]] = tensor.collapse_shape %[[K]] {{\[\[}}0, 1], [2], [3]]
// CHECK-DAG: %[[V3:.*]] = tensor.collapse_shape %[[V]] {{\[\[}}0, 1], [2], [3]]
// CHECK: %[[O:.*]] = fa2.attention %[[Q3]], %[[K3]], %[[V3]] scale(0.353553{{[0-9]*}}) layout<bshd> : tensor<16x8x8xf32>, tensor<16x2x8xf32>, tensor<16x2x8xf32> -> tensor<16x8x8xf32>
// CHECK-NEXT: %[[O4:.*]] = tensor.expand_shape %[[O]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 16, 8, 8]
// CHECK-NEXT: return %[[O4]]
func.func @bshd_gqa_transposes(%q: tensor<1x16x8x8xf32>, %k: tensor<1x16x2x8xf32>, %v: tensor<1x16x2x8xf32>) -> tensor<1x16x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %eq = tensor.empty() : tensor<1x8x16x8xf32>
  %qt = linalg.transpose ins(%q : tensor<1x16x8x8xf32>) outs(%eq : tensor<1x8x16x8xf32>) permutation = [0, 2, 1, 3]
  %ekb = tensor.empty() : tensor<1x16x2x4x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<1x16x2x8xf32>) outs(%ekb : tensor<1x16x2x4x8xf32>) dimensions = [3]
  %vb = linalg.broadcast ins(%v : tensor<1x16x2x8xf32>) outs(%ekb : tensor<1x16x2x4x8xf32>) dimensions = [3]
  %kr = tensor.collapse_shape %kb [[0], [1], [2, 3], [4]] : tensor<1x16x2x4x8xf32> into tensor<1x16x8x8xf32>
  %vr = tensor.collapse_shape %vb [[0], [1], [2, 3], [4]] : tensor<1x16x2x4x8xf32> into tensor<1x16x8x8xf32>
  %ekt = tensor.empty() : tensor<1x8x8x16xf32>
  %kt = linalg.transpose ins(%kr : tensor<1x16x8x8xf32>) outs(%ekt : tensor<1x8x8x16xf32>) permutation = [0, 2, 3, 1]
  %vt = linalg.transpose ins(%vr : tensor<1x16x8x8xf32>) outs(%eq : tensor<1x8x16x8xf32>) permutation = [0, 2, 1, 3]
  %qc = tensor.collapse_shape %qt [[0, 1], [2], [3]] : tensor<1x8x16x8xf32> into tensor<8x16x8xf32>
  %kc = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x8x8x16xf32> into tensor<8x8x16xf32>
  %vc = tensor.collapse_shape %vt [[0, 1], [2], [3]] : tensor<1x8x16x8xf32> into tensor<8x16x8xf32>
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%qc, %kc : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %c = arith.constant dense<0.353553385> : tensor<8x16x16xf32>
  %x = arith.mulf %s, %c : tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %vc : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o4 = tensor.expand_shape %o [[0, 1], [2], [3]] output_shape [1, 8, 16, 8] : tensor<8x16x8xf32> into tensor<1x8x16x8xf32>
  %eo = tensor.empty() : tensor<1x16x8x8xf32>
  %ot = linalg.transpose ins(%o4 : tensor<1x8x16x8xf32>) outs(%eo : tensor<1x16x8x8xf32>) permutation = [0, 2, 1, 3]
  return %ot : tensor<1x16x8x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
// A non-splat constant additive mask; K pre-scaled by a division.
// CHECK-LABEL: func.func @constant_mask_scaled_k
// CHECK-SAME: (%[[Q:.*]]: tensor<8x4x8xf32>, %[[K:.*]]: tensor<8x4x8xf32>, %[[V:.*]]: tensor<8x4x8xf32>)
// CHECK: %[[M:.*]] = arith.constant dense<{{.*}}> : tensor<4x4xf32>
// CHECK: fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]]) scale(2.500000e-01) : tensor<8x4x8xf32>, tensor<8x4x8xf32>, tensor<8x4x8xf32>, tensor<4x4xf32> -> tensor<8x4x8xf32>
func.func @constant_mask_scaled_k(%q: tensor<8x4x8xf32>, %k: tensor<8x4x8xf32>, %v: tensor<8x4x8xf32>) -> tensor<8x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %four = arith.constant dense<4.0> : tensor<8x4x8xf32>
  %m = arith.constant dense<[[0.0, -1.0, -2.0, -3.0], [0.5, 0.0, -1.0, -2.0], [1.0, 0.5, 0.0, -1.0], [1.5, 1.0, 0.5, 0.0]]> : tensor<4x4xf32>
  %ks = arith.divf %k, %four : tensor<8x4x8xf32>
  %e0 = tensor.empty() : tensor<8x4x4xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x4x4xf32>) -> tensor<8x4x4xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%q, %ks : tensor<8x4x8xf32>, tensor<8x4x8xf32>) outs(%z0 : tensor<8x4x4xf32>) -> tensor<8x4x4xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x4x4xf32>, tensor<4x4xf32>) outs(%e0 : tensor<8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8x4x4xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x4x4xf32>) outs(%e0 : tensor<8x4x4xf32>) -> tensor<8x4x4xf32>
  %e3 = tensor.empty() : tensor<8x4x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x4x8xf32>) -> tensor<8x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x4x4xf32>, tensor<8x4x8xf32>) outs(%z3 : tensor<8x4x8xf32>) -> tensor<8x4x8xf32>
  return %o : tensor<8x4x8xf32>
}

// -----

// Not raised: softmax over the query axis (dim 1) while the second contraction contracts the keys.
// CHECK-LABEL: func.func @negative_softmax_over_queries
// CHECK-NOT: fa2.attention
// CHECK: linalg.softmax dimension(1)
// CHECK-NOT: fa2.attention
func.func @negative_softmax_over_queries(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// Not raised: the attention weights are returned too.
// CHECK-LABEL: func.func @negative_weights_returned
// CHECK-NOT: fa2.attention
// CHECK: linalg.softmax
// CHECK-NOT: fa2.attention
func.func @negative_weights_returned(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> (tensor<8x16x8xf32>, tensor<8x16x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o, %p : tensor<8x16x8xf32>, tensor<8x16x32xf32>
}

// -----

// Not raised: the second contraction contracts P over the queries, not the keys.
// CHECK-LABEL: func.func @negative_pv_not_over_keys
// CHECK-NOT: fa2.attention
// CHECK: linalg.softmax
// CHECK-NOT: fa2.attention
func.func @negative_pv_not_over_keys(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x16xf32>, %v: tensor<8x16x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, k, m)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%p, %v : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// Not raised: matmul → relu → matmul.
// CHECK-LABEL: func.func @negative_mlp
// CHECK-NOT: fa2.attention
// CHECK: linalg.max
// CHECK-NOT: fa2.attention
func.func @negative_mlp(%x: tensor<16x32xf32>, %w1: tensor<32x64xf32>, %w2: tensor<64x32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<16x64xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<16x32xf32>, tensor<32x64xf32>) outs(%z0 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %zs = arith.constant dense<0.0> : tensor<16x64xf32>
  %a = linalg.max ins(%h, %zs : tensor<16x64xf32>, tensor<16x64xf32>) outs(%e0 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %e1 = tensor.empty() : tensor<16x32xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<16x64xf32>, tensor<64x32xf32>) outs(%z1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// Not raised: softmax with no second contraction.
// CHECK-LABEL: func.func @negative_softmax_no_second_matmul
// CHECK-NOT: fa2.attention
// CHECK: linalg.softmax
// CHECK-NOT: fa2.attention
func.func @negative_softmax_no_second_matmul(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>) -> tensor<8x16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  return %p : tensor<8x16x32xf32>
}

// -----

// Not raised: two contractions with nothing between them.
// CHECK-LABEL: func.func @negative_no_softmax
// CHECK-NOT: fa2.attention
// CHECK: linalg.batch_matmul
// CHECK-NOT: fa2.attention
func.func @negative_no_softmax(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%s, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
// Not raised: the scale multiplies the additive mask too: fa2.attention adds the mask after scaling.
// CHECK-LABEL: func.func @negative_mask_then_scale
// CHECK-NOT: fa2.attention
// CHECK: linalg.softmax
// CHECK-NOT: fa2.attention
func.func @negative_mask_then_scale(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %sc = arith.constant 0.125 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    %r = arith.mulf %t, %sc : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// Not raised: the scale is a function argument, not a constant.
// CHECK-LABEL: func.func @negative_runtime_scale
// CHECK-NOT: fa2.attention
// CHECK: linalg.softmax
// CHECK-NOT: fa2.attention
func.func @negative_runtime_scale(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %c: f32) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %cs = tensor.splat %c : tensor<8x16x32xf32>
  %x = arith.mulf %s, %cs : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
#id2 = affine_map<(b, i) -> (b, i)>
// The guarded ("safe") softmax: the row max is replaced by 0 where it is
// -inf, the row sum by 1 where it is 0, and the LSE by +inf where the sum is
// 0. That is exactly fa2.attention's contract for fully masked rows, so the
// chain is raised, LSE included.
// CHECK-LABEL: func.func @safe_softmax_guards
// CHECK-SAME: %[[M:[a-z0-9]*]]: tensor<16x32xi1>)
// CHECK-NOT: linalg.generic
// CHECK: %[[O:.*]], %[[LSE:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]]) scale(1.250000e-01) : tensor<8x16x8xf32>, tensor<8x32x8xf32>, tensor<8x32x8xf32>, tensor<16x32xi1> -> tensor<8x16x8xf32>, tensor<8x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[O]], %[[LSE]]
func.func @safe_softmax_guards(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xi1>) -> (tensor<8x16x8xf32>, tensor<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %c = arith.constant 0.125 : f32
    %sc = arith.mulf %a, %c : f32
    %r = arith.select %b, %sc, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %mx = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x16x32xf32>) outs(%mi : tensor<8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %ex = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mx : tensor<8x16x32xf32>, tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %mm: f32, %o: f32):
    %dead = arith.cmpf oeq, %mm, %ninf : f32
    %sh = arith.select %dead, %zero, %mm : f32
    %d = arith.subf %a, %sh : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ex : tensor<8x16x32xf32>) outs(%si : tensor<8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<8x16x32xf32>, tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %l: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    // Operands swapped and negated: select(sum != 0, sum, 1).
    %live = arith.cmpf une, %l, %zero : f32
    %den = arith.select %live, %l, %one : f32
    %r = arith.divf %a, %den : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %lse = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%mx, %sum : tensor<8x16xf32>, tensor<8x16xf32>) outs(%er : tensor<8x16xf32>) {
  ^bb0(%mm: f32, %l: f32, %o: f32):
    %pinf = arith.constant 0x7F800000 : f32
    %lg = math.log %l : f32
    %r = arith.addf %mm, %lg : f32
    %dead = arith.cmpf oeq, %zero, %l : f32
    %r2 = arith.select %dead, %pinf, %r : f32
    linalg.yield %r2 : f32
  } -> tensor<8x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o, %lse : tensor<8x16x8xf32>, tensor<8x16xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
#row1 = affine_map<(b, i, j) -> (b, i, 0)>
// PyTorch's _safe_softmax: where(all(x == -inf, dim=-1, keepdim), 0,
// softmax(x)), the "all" a linalg reduction with arith.andi from true,
// keepdim an expand_shape.
// CHECK-LABEL: func.func @torch_safe_softmax
// CHECK-SAME: %[[M:[a-z0-9]*]]: tensor<16x32xi1>)
// CHECK-NOT: arith.andi
// CHECK-NOT: linalg.softmax
// CHECK: %[[O:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]]) scale(1.000000e+00) : tensor<8x16x8xf32>, tensor<8x32x8xf32>, tensor<8x32x8xf32>, tensor<16x32xi1> -> tensor<8x16x8xf32>
// CHECK-NOT: arith.andi
// CHECK-NOT: linalg.softmax
// CHECK: return %[[O]]
func.func @torch_safe_softmax(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %true = arith.constant true
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %sm = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %eb = tensor.empty() : tensor<8x16x32xi1>
  %isinf = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<8x16x32xf32>) outs(%eb : tensor<8x16x32xi1>) {
  ^bb0(%a: f32, %o: i1):
    %c = arith.cmpf oeq, %a, %ninf : f32
    linalg.yield %c : i1
  } -> tensor<8x16x32xi1>
  %er = tensor.empty() : tensor<8x16xi1>
  %ti = linalg.fill ins(%true : i1) outs(%er : tensor<8x16xi1>) -> tensor<8x16xi1>
  %all = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%isinf : tensor<8x16x32xi1>) outs(%ti : tensor<8x16xi1>) {
  ^bb0(%a: i1, %acc: i1):
    %r = arith.andi %a, %acc : i1
    linalg.yield %r : i1
  } -> tensor<8x16xi1>
  %allk = tensor.expand_shape %all [[0], [1, 2]] output_shape [8, 16, 1] : tensor<8x16xi1> into tensor<8x16x1xi1>
  %p = linalg.generic {indexing_maps = [#row1, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%allk, %sm : tensor<8x16x1xi1>, tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%dead: i1, %a: f32, %o: f32):
    %r = arith.select %dead, %zero, %a : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
// The same guard as "any key visible": select(any(x != -inf), softmax, 0),
// the "any" an arith.ori reduction from false folded into the select's
// generic.
// CHECK-LABEL: func.func @safe_softmax_any_visible
// CHECK-NOT: arith.ori
// CHECK: %[[O:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(1.000000e+00) : {{.*}} -> tensor<8x16x8xf32>
// CHECK-NOT: arith.ori
// CHECK: return %[[O]]
func.func @safe_softmax_any_visible(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %false = arith.constant false
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %sm = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xi1>
  %fi = linalg.fill ins(%false : i1) outs(%er : tensor<8x16xi1>) -> tensor<8x16xi1>
  %any = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x16x32xf32>) outs(%fi : tensor<8x16xi1>) {
  ^bb0(%a: f32, %acc: i1):
    %c = arith.cmpf one, %a, %ninf : f32
    %r = arith.ori %acc, %c : i1
    linalg.yield %r : i1
  } -> tensor<8x16xi1>
  %p = linalg.generic {indexing_maps = [#row, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%any, %sm : tensor<8x16xi1>, tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%live: i1, %a: f32, %o: f32):
    %r = arith.select %live, %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
// Not raised: the "guard" zeroes rows whose scores are all 0, not rows that
// are fully masked; softmax gives a uniform row there, fa2.attention would
// not give 0.
// CHECK-LABEL: func.func @negative_guard_other_constant
// CHECK-NOT: fa2.attention
// CHECK: linalg.softmax
// CHECK-NOT: fa2.attention
func.func @negative_guard_other_constant(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %true = arith.constant true
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %sm = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xi1>
  %ti = linalg.fill ins(%true : i1) outs(%er : tensor<8x16xi1>) -> tensor<8x16xi1>
  %all = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x16x32xf32>) outs(%ti : tensor<8x16xi1>) {
  ^bb0(%a: f32, %acc: i1):
    %c = arith.cmpf oeq, %a, %zero : f32
    %r = arith.andi %c, %acc : i1
    linalg.yield %r : i1
  } -> tensor<8x16xi1>
  %p = linalg.generic {indexing_maps = [#row, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%all, %sm : tensor<8x16xi1>, tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%dead: i1, %a: f32, %o: f32):
    %r = arith.select %dead, %zero, %a : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
// Not raised: the row sum is replaced by 2 where it equals 1 (e.g. a row
// with one visible key), which changes the result of live rows.
// CHECK-LABEL: func.func @negative_sum_guard_not_zero
// CHECK-NOT: fa2.attention
// CHECK: math.exp
// CHECK-NOT: fa2.attention
func.func @negative_sum_guard_not_zero(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %mx = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x16x32xf32>) outs(%mi : tensor<8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %ex = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mx : tensor<8x16x32xf32>, tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %mm: f32, %o: f32):
    %d = arith.subf %a, %mm : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ex : tensor<8x16x32xf32>) outs(%si : tensor<8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<8x16x32xf32>, tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %l: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %two = arith.constant 2.0 : f32
    %odd = arith.cmpf oeq, %l, %one : f32
    %den = arith.select %odd, %two, %l : f32
    %r = arith.divf %a, %den : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}
