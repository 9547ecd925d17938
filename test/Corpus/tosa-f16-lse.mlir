// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// TOSA as a frontend emits it for a training-style forward: f16 Q/K/V cast to
// f32, tosa.matmul with a transposed K, a [1, Sq, Sk] boolean mask applied by
// tosa.select(mask, scores, -inf), the scale after the mask, and the row
// log-sum-exp (max + log(sum)) returned next to the f16 output.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// f16 output: bound 2e-3 (two f16 ulps, see docs/numerics.md).
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits --rtol 2e-3" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @tosa_attention_lse
// CHECK-SAME: (%[[Q:.*]]: tensor<4x32x16xf16>, %[[K:.*]]: tensor<4x32x16xf16>, %[[V:.*]]: tensor<4x32x16xf16>, %[[M:.*]]: tensor<1x32x32xi1>)
// CHECK-NEXT: %[[O:.*]], %[[LSE:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]]) scale(2.500000e-01) : tensor<4x32x16xf16>, tensor<4x32x16xf16>, tensor<4x32x16xf16>, tensor<1x32x32xi1> -> tensor<4x32x16xf16>, tensor<4x32xf32>
// CHECK-NEXT: %[[L:.*]] = tensor.expand_shape %[[LSE]] {{\[\[}}0], [1, 2]] output_shape [4, 32, 1] : tensor<4x32xf32> into tensor<4x32x1xf32>
// CHECK-NEXT: return %[[O]], %[[L]]
func.func @tosa_attention_lse(%q: tensor<4x32x16xf16>, %k: tensor<4x32x16xf16>, %v: tensor<4x32x16xf16>, %m: tensor<1x32x32xi1>) -> (tensor<4x32x16xf16>, tensor<4x32x1xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ninf = "tosa.const"() <{values = dense<0xFF800000> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %c = "tosa.const"() <{values = dense<0.25> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %qf = tosa.cast %q : (tensor<4x32x16xf16>) -> tensor<4x32x16xf32>
  %kf = tosa.cast %k : (tensor<4x32x16xf16>) -> tensor<4x32x16xf32>
  %vf = tosa.cast %v : (tensor<4x32x16xf16>) -> tensor<4x32x16xf32>
  %kt = tosa.transpose %kf {perms = array<i32: 0, 2, 1>} : (tensor<4x32x16xf32>) -> tensor<4x16x32xf32>
  %s = tosa.matmul %qf, %kt, %zp, %zp : (tensor<4x32x16xf32>, tensor<4x16x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x32x32xf32>
  %sm = tosa.select %m, %s, %ninf : (tensor<1x32x32xi1>, tensor<4x32x32xf32>, tensor<1x1x1xf32>) -> tensor<4x32x32xf32>
  %x = tosa.mul %sm, %c, %shift : (tensor<4x32x32xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<4x32x32xf32>
  %mx = tosa.reduce_max %x {axis = 2 : i32} : (tensor<4x32x32xf32>) -> tensor<4x32x1xf32>
  %d = tosa.sub %x, %mx : (tensor<4x32x32xf32>, tensor<4x32x1xf32>) -> tensor<4x32x32xf32>
  %e = tosa.exp %d : (tensor<4x32x32xf32>) -> tensor<4x32x32xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<4x32x32xf32>) -> tensor<4x32x1xf32>
  %r = tosa.reciprocal %sum : (tensor<4x32x1xf32>) -> tensor<4x32x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<4x32x32xf32>, tensor<4x32x1xf32>, tensor<1xi8>) -> tensor<4x32x32xf32>
  %o = tosa.matmul %p, %vf, %zp, %zp : (tensor<4x32x32xf32>, tensor<4x32x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x32x16xf32>
  %oh = tosa.cast %o : (tensor<4x32x16xf32>) -> tensor<4x32x16xf16>
  %lg = tosa.log %sum : (tensor<4x32x1xf32>) -> tensor<4x32x1xf32>
  %lse = tosa.add %mx, %lg : (tensor<4x32x1xf32>, tensor<4x32x1xf32>) -> tensor<4x32x1xf32>
  return %oh, %lse : tensor<4x32x16xf16>, tensor<4x32x1xf32>
}
