// RUN: fa2-opt %s --split-input-file --fa2-raise-attention | FileCheck %s
// RUN: fa2-opt %s --split-input-file --fa2-raise-attention --fa2-raise-attention | FileCheck %s
//
// --fa2-raise-attention on TOSA: tosa.matmul, tosa.transpose, tosa.reshape,
// the elementwise and reduction ops of a decomposed softmax, tosa.cast and
// tosa.select all meet the same matcher as linalg.

// tosa.matmul + tosa.transpose of K, a constant scale, the decomposed
// softmax with reduce_max/sub/exp/reduce_sum/reciprocal/mul.
// CHECK-LABEL: func.func @tosa_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<8x16x32xf32>, %[[K:.*]]: tensor<8x16x32xf32>, %[[V:.*]]: tensor<8x16x32xf32>)
// CHECK-NOT: tosa.matmul
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(0.1767766{{[0-9]*}}) : tensor<8x16x32xf32>, tensor<8x16x32xf32>, tensor<8x16x32xf32> -> tensor<8x16x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @tosa_attention(%q: tensor<8x16x32xf32>, %k: tensor<8x16x32xf32>, %v: tensor<8x16x32xf32>) -> tensor<8x16x32xf32> {
  %azp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<8x16x32xf32>) -> tensor<8x32x16xf32>
  %s = tosa.matmul %q, %kt, %azp, %azp : (tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x16xf32>
  %c = "tosa.const"() <{values = dense<0.176776695> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ss = tosa.mul %s, %c, %shift : (tensor<8x16x16xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<8x16x16xf32>
  %m = tosa.reduce_max %ss {axis = 2 : i32} : (tensor<8x16x16xf32>) -> tensor<8x16x1xf32>
  %d = tosa.sub %ss, %m : (tensor<8x16x16xf32>, tensor<8x16x1xf32>) -> tensor<8x16x16xf32>
  %e = tosa.exp %d : (tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<8x16x16xf32>) -> tensor<8x16x1xf32>
  %r = tosa.reciprocal %sum : (tensor<8x16x1xf32>) -> tensor<8x16x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<8x16x16xf32>, tensor<8x16x1xf32>, tensor<1xi8>) -> tensor<8x16x16xf32>
  %o = tosa.matmul %p, %v, %azp, %azp : (tensor<8x16x16xf32>, tensor<8x16x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x32xf32>
  return %o : tensor<8x16x32xf32>
}

// -----

// 3-D tosa.matmul over [B*H, S, D]; the scores reshaped to [B, H, Sq, Sk] for a
// [B, 1, 1, Sk] padding mask and back: the op is 4-D, Q/K/V are expanded
// views, the output is collapsed back.
// CHECK-LABEL: func.func @tosa_reshape_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<8x16x8xf32>, %[[K:.*]]: tensor<8x16x8xf32>, %[[V:.*]]: tensor<8x16x8xf32>, %[[M:.*]]: tensor<2x1x1x16xf32>)
// CHECK-NOT: tosa.
// CHECK-DAG: %[[Q4:.*]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 16, 8]
// CHECK-DAG: %[[K4:.*]] = tensor.expand_shape %[[K]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 16, 8]
// CHECK-DAG: %[[V4:.*]] = tensor.expand_shape %[[V]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 16, 8]
// CHECK: %[[O:.*]] = fa2.attention %[[Q4]], %[[K4]], %[[V4]] mask(%[[M]]) scale(0.353553{{[0-9]*}}) : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x1x1x16xf32> -> tensor<2x4x16x8xf32>
// CHECK: %[[O3:.*]] = tensor.collapse_shape %[[O]] {{\[\[}}0, 1], [2], [3]] : tensor<2x4x16x8xf32> into tensor<8x16x8xf32>
// CHECK-NOT: tosa.
// CHECK: return %[[O3]]
func.func @tosa_reshape_mask(%q: tensor<8x16x8xf32>, %k: tensor<8x16x8xf32>, %v: tensor<8x16x8xf32>, %m: tensor<2x1x1x16xf32>) -> tensor<8x16x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<8x16x8xf32>) -> tensor<8x8x16xf32>
  %s = tosa.matmul %q, %kt, %zp, %zp : (tensor<8x16x8xf32>, tensor<8x8x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x16xf32>
  %c = "tosa.const"() <{values = dense<0.353553385> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %ss = tosa.mul %s, %c, %shift : (tensor<8x16x16xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<8x16x16xf32>
  %shape4 = tosa.const_shape {values = dense<[2, 4, 16, 16]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s4 = tosa.reshape %ss, %shape4 : (tensor<8x16x16xf32>, !tosa.shape<4>) -> tensor<2x4x16x16xf32>
  %x4 = tosa.add %s4, %m : (tensor<2x4x16x16xf32>, tensor<2x1x1x16xf32>) -> tensor<2x4x16x16xf32>
  %shape3 = tosa.const_shape {values = dense<[8, 16, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %x = tosa.reshape %x4, %shape3 : (tensor<2x4x16x16xf32>, !tosa.shape<3>) -> tensor<8x16x16xf32>
  %mx = tosa.reduce_max %x {axis = 2 : i32} : (tensor<8x16x16xf32>) -> tensor<8x16x1xf32>
  %d = tosa.sub %x, %mx : (tensor<8x16x16xf32>, tensor<8x16x1xf32>) -> tensor<8x16x16xf32>
  %e = tosa.exp %d : (tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<8x16x16xf32>) -> tensor<8x16x1xf32>
  %r = tosa.reciprocal %sum : (tensor<8x16x1xf32>) -> tensor<8x16x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<8x16x16xf32>, tensor<8x16x1xf32>, tensor<1xi8>) -> tensor<8x16x16xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<8x16x16xf32>, tensor<8x16x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// f16 operands cast to f32, a boolean mask via tosa.select(mask, x, -inf),
// the output cast back to f16 and the LSE (max + log(sum)) returned.
// CHECK-LABEL: func.func @tosa_f16_select_lse
// CHECK-SAME: (%[[Q:.*]]: tensor<4x16x8xf16>, %[[KT:.*]]: tensor<4x8x16xf16>, %[[V:.*]]: tensor<4x16x8xf16>, %[[M:.*]]: tensor<1x16x16xi1>)
// CHECK-NOT: tosa.
// CHECK: %[[K:.*]] = linalg.transpose ins(%[[KT]] : tensor<4x8x16xf16>)
// CHECK: %[[O:.*]], %[[LSE:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]]) scale(1.000000e+00) : tensor<4x16x8xf16>, tensor<4x16x8xf16>, tensor<4x16x8xf16>, tensor<1x16x16xi1> -> tensor<4x16x8xf16>, tensor<4x16xf32>
// CHECK: %[[L:.*]] = tensor.expand_shape %[[LSE]] {{\[\[}}0], [1, 2]] output_shape [4, 16, 1]
// CHECK-NOT: tosa.
// CHECK: return %[[O]], %[[L]]
func.func @tosa_f16_select_lse(%q: tensor<4x16x8xf16>, %kt: tensor<4x8x16xf16>, %v: tensor<4x16x8xf16>, %m: tensor<1x16x16xi1>) -> (tensor<4x16x8xf16>, tensor<4x16x1xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ninf = "tosa.const"() <{values = dense<0xFF800000> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %qf = tosa.cast %q : (tensor<4x16x8xf16>) -> tensor<4x16x8xf32>
  %kf = tosa.cast %kt : (tensor<4x8x16xf16>) -> tensor<4x8x16xf32>
  %vf = tosa.cast %v : (tensor<4x16x8xf16>) -> tensor<4x16x8xf32>
  %s = tosa.matmul %qf, %kf, %zp, %zp : (tensor<4x16x8xf32>, tensor<4x8x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x16x16xf32>
  %x = tosa.select %m, %s, %ninf : (tensor<1x16x16xi1>, tensor<4x16x16xf32>, tensor<1x1x1xf32>) -> tensor<4x16x16xf32>
  %mx = tosa.reduce_max %x {axis = 2 : i32} : (tensor<4x16x16xf32>) -> tensor<4x16x1xf32>
  %d = tosa.sub %x, %mx : (tensor<4x16x16xf32>, tensor<4x16x1xf32>) -> tensor<4x16x16xf32>
  %e = tosa.exp %d : (tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<4x16x16xf32>) -> tensor<4x16x1xf32>
  %r = tosa.reciprocal %sum : (tensor<4x16x1xf32>) -> tensor<4x16x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<4x16x16xf32>, tensor<4x16x1xf32>, tensor<1xi8>) -> tensor<4x16x16xf32>
  %o = tosa.matmul %p, %vf, %zp, %zp : (tensor<4x16x16xf32>, tensor<4x16x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x16x8xf32>
  %oh = tosa.cast %o : (tensor<4x16x8xf32>) -> tensor<4x16x8xf16>
  %lg = tosa.log %sum : (tensor<4x16x1xf32>) -> tensor<4x16x1xf32>
  %lse = tosa.add %mx, %lg : (tensor<4x16x1xf32>, tensor<4x16x1xf32>) -> tensor<4x16x1xf32>
  return %oh, %lse : tensor<4x16x8xf16>, tensor<4x16x1xf32>
}

// -----

// Not raised: the softmax reduces over the queries (axis 1).
// CHECK-LABEL: func.func @negative_tosa_softmax_over_queries
// CHECK-NOT: fa2.attention
// CHECK: tosa.reduce_max %{{.*}} {axis = 1 : i32}
// CHECK-NOT: fa2.attention
func.func @negative_tosa_softmax_over_queries(%q: tensor<8x16x32xf32>, %k: tensor<8x16x32xf32>, %v: tensor<8x16x32xf32>) -> tensor<8x16x32xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<8x16x32xf32>) -> tensor<8x32x16xf32>
  %s = tosa.matmul %q, %kt, %zp, %zp : (tensor<8x16x32xf32>, tensor<8x32x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x16xf32>
  %m = tosa.reduce_max %s {axis = 1 : i32} : (tensor<8x16x16xf32>) -> tensor<8x1x16xf32>
  %d = tosa.sub %s, %m : (tensor<8x16x16xf32>, tensor<8x1x16xf32>) -> tensor<8x16x16xf32>
  %e = tosa.exp %d : (tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %sum = tosa.reduce_sum %e {axis = 1 : i32} : (tensor<8x16x16xf32>) -> tensor<8x1x16xf32>
  %r = tosa.reciprocal %sum : (tensor<8x1x16xf32>) -> tensor<8x1x16xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<8x16x16xf32>, tensor<8x1x16xf32>, tensor<1xi8>) -> tensor<8x16x16xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<8x16x16xf32>, tensor<8x16x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x32xf32>
  return %o : tensor<8x16x32xf32>
}

// -----

// A safe softmax in TOSA: select(reduce_all(x == -inf), 0, softmax(x)) over
// a float mask that may hide whole rows.
// CHECK-LABEL: func.func @tosa_safe_softmax
// CHECK-SAME: (%[[Q:.*]]: tensor<8x16x8xf32>, %[[K:.*]]: tensor<8x16x8xf32>, %[[V:.*]]: tensor<8x16x8xf32>, %[[M:.*]]: tensor<16x16xf32>)
// CHECK-NOT: tosa.reduce_all
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %{{.*}}, %[[V]] mask(%[[M]]) scale(1.000000e+00) : tensor<8x16x8xf32>, tensor<8x16x8xf32>, tensor<8x16x8xf32>, tensor<16x16xf32> -> tensor<8x16x8xf32>
// CHECK-NOT: tosa.reduce_all
// CHECK: return %[[O]]
func.func @tosa_safe_softmax(%q: tensor<8x16x8xf32>, %k: tensor<8x16x8xf32>, %v: tensor<8x16x8xf32>, %m: tensor<16x16xf32>) -> tensor<8x16x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ninf = "tosa.const"() <{values = dense<0xFF800000> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<8x16x8xf32>) -> tensor<8x8x16xf32>
  %s = tosa.matmul %q, %kt, %zp, %zp : (tensor<8x16x8xf32>, tensor<8x8x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x16xf32>
  %shape3 = tosa.const_shape {values = dense<[1, 16, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %m3 = tosa.reshape %m, %shape3 : (tensor<16x16xf32>, !tosa.shape<3>) -> tensor<1x16x16xf32>
  %x = tosa.add %s, %m3 : (tensor<8x16x16xf32>, tensor<1x16x16xf32>) -> tensor<8x16x16xf32>
  %mx = tosa.reduce_max %x {axis = 2 : i32} : (tensor<8x16x16xf32>) -> tensor<8x16x1xf32>
  %d = tosa.sub %x, %mx : (tensor<8x16x16xf32>, tensor<8x16x1xf32>) -> tensor<8x16x16xf32>
  %e = tosa.exp %d : (tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<8x16x16xf32>) -> tensor<8x16x1xf32>
  %r = tosa.reciprocal %sum : (tensor<8x16x1xf32>) -> tensor<8x16x1xf32>
  %p0 = tosa.mul %e, %r, %shift : (tensor<8x16x16xf32>, tensor<8x16x1xf32>, tensor<1xi8>) -> tensor<8x16x16xf32>
  %masked = tosa.equal %x, %ninf : (tensor<8x16x16xf32>, tensor<1x1x1xf32>) -> tensor<8x16x16xi1>
  %dead = tosa.reduce_all %masked {axis = 2 : i32} : (tensor<8x16x16xi1>) -> tensor<8x16x1xi1>
  %p = tosa.select %dead, %zero, %p0 : (tensor<8x16x1xi1>, tensor<1x1x1xf32>, tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<8x16x16xf32>, tensor<8x16x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}
