// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// TFGPT2Attention._attn (HF transformers, TensorFlow) converted to TFLite and
// legalized to TOSA (tf-opt --tfl-to-tosa-pipeline), after TF's constant
// folding:
//   w = tf.matmul(q, k, transpose_b=True) / tf.math.sqrt(16.0)
//   b = causal_attention_mask(nd, ns)        # a constant 1/0 triangle
//   w = w * b - 1e4 * (1 - b)                # folded: w * B - C, C = 1e4(1-B)
//   w = w + attention_mask                   # (1 - mask) * -10000, from input
//   w = stable_softmax(w)                    # tf.nn.softmax(w + 1e-9)
//   a = tf.matmul(w, v)
// tosa.matmul is rank 3, so [B, H, S, D] is reshaped to [B*H, S, D] around
// both products; the division is a multiplication by the folded reciprocal;
// TOSA's softmax keeps the reduced dim as 1.
// B = 2, 2 heads, S = 8, head dim 16.
//
// Issue 12 forms: 6 (a causal mask spelled w * B - C on constants, plus an
// additive padding mask: exactly `causal fill(-1.0e4) mask(padding)`), 8 (a
// finite fill), 3 (reshapes around the rank-3 matmul), 2 (TOSA keepdim).
// stable_softmax's + 1e-9 is a uniform shift that the softmax ignores up to
// rounding.
//
// Execution: the second sequence is left-padded by 3: its first three query
// rows see only padded keys.
// EXEC-CONST: 3 = dense<[[1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @tf_gpt2_attn
// CHECK-NOT: tosa.matmul
// CHECK-NOT: tosa.exp
// CHECK: %[[O:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(2.500000e-01) causal fill(-1.000000e+04) : {{.*}} -> tensor<{{2x2x8x16|4x8x16}}xf32>
// CHECK-NOT: tosa.matmul
// CHECK-NOT: tosa.exp
// CHECK-NOT: tosa.reduce_max
// CHECK: return
func.func @tf_gpt2_attn(%arg0: tensor<2x2x8x16xf32>, %arg1: tensor<2x2x8x16xf32>, %arg2: tensor<2x2x8x16xf32>, %arg3: tensor<2x8xi32>) -> tensor<2x2x8x16xf32> {
  %0 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %2 = "tosa.const"() <{values = dense<2.500000e-01> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %3 = "tosa.const"() <{values = dense<[[[[1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00]]]]> : tensor<1x1x8x8xf32>}> : () -> tensor<1x1x8x8xf32>
  %4 = "tosa.const"() <{values = dense<[[[[0.000000e+00, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04], [0.000000e+00, 0.000000e+00, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04], [0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+04, 1.000000e+04, 1.000000e+04, 1.000000e+04], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+04, 1.000000e+04, 1.000000e+04], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+04, 1.000000e+04], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+04], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x8x8xf32>}> : () -> tensor<1x1x8x8xf32>
  %5 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %6 = "tosa.const"() <{values = dense<-1.000000e+04> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %7 = "tosa.const"() <{values = dense<9.99999971E-10> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %8 = tosa.const_shape {values = dense<[4, 8, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %9 = tosa.reshape %arg0, %8 : (tensor<2x2x8x16xf32>, !tosa.shape<3>) -> tensor<4x8x16xf32>
  %10 = tosa.reshape %arg1, %8 : (tensor<2x2x8x16xf32>, !tosa.shape<3>) -> tensor<4x8x16xf32>
  %11 = tosa.transpose %10 {perms = array<i32: 0, 2, 1>} : (tensor<4x8x16xf32>) -> tensor<4x16x8xf32>
  %12 = tosa.matmul %9, %11, %1, %1 : (tensor<4x8x16xf32>, tensor<4x16x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x8x8xf32>
  %13 = tosa.mul %12, %2, %0 : (tensor<4x8x8xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<4x8x8xf32>
  %14 = tosa.const_shape {values = dense<[2, 2, 8, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %15 = tosa.reshape %13, %14 : (tensor<4x8x8xf32>, !tosa.shape<4>) -> tensor<2x2x8x8xf32>
  %16 = tosa.mul %15, %3, %0 : (tensor<2x2x8x8xf32>, tensor<1x1x8x8xf32>, tensor<1xi8>) -> tensor<2x2x8x8xf32>
  %17 = tosa.sub %16, %4 : (tensor<2x2x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<2x2x8x8xf32>
  %18 = tosa.cast %arg3 : (tensor<2x8xi32>) -> tensor<2x8xf32>
  %19 = tosa.const_shape {values = dense<[2, 1, 1, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %20 = tosa.reshape %18, %19 : (tensor<2x8xf32>, !tosa.shape<4>) -> tensor<2x1x1x8xf32>
  %21 = tosa.sub %5, %20 : (tensor<1x1x1x1xf32>, tensor<2x1x1x8xf32>) -> tensor<2x1x1x8xf32>
  %22 = tosa.mul %21, %6, %0 : (tensor<2x1x1x8xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<2x1x1x8xf32>
  %23 = tosa.add %17, %22 : (tensor<2x2x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x2x8x8xf32>
  %24 = tosa.add %23, %7 : (tensor<2x2x8x8xf32>, tensor<1x1x1x1xf32>) -> tensor<2x2x8x8xf32>
  %25 = tosa.reduce_max %24 {axis = 3 : i32} : (tensor<2x2x8x8xf32>) -> tensor<2x2x8x1xf32>
  %26 = tosa.sub %24, %25 : (tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) -> tensor<2x2x8x8xf32>
  %27 = tosa.exp %26 : (tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
  %28 = tosa.reduce_sum %27 {axis = 3 : i32} : (tensor<2x2x8x8xf32>) -> tensor<2x2x8x1xf32>
  %29 = tosa.reciprocal %28 : (tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
  %30 = tosa.mul %27, %29, %0 : (tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>, tensor<1xi8>) -> tensor<2x2x8x8xf32>
  %31 = tosa.const_shape {values = dense<[4, 8, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %32 = tosa.reshape %30, %31 : (tensor<2x2x8x8xf32>, !tosa.shape<3>) -> tensor<4x8x8xf32>
  %33 = tosa.reshape %arg2, %8 : (tensor<2x2x8x16xf32>, !tosa.shape<3>) -> tensor<4x8x16xf32>
  %34 = tosa.matmul %32, %33, %1, %1 : (tensor<4x8x8xf32>, tensor<4x8x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x8x16xf32>
  %35 = tosa.const_shape {values = dense<[2, 2, 8, 16]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %36 = tosa.reshape %34, %35 : (tensor<4x8x16xf32>, !tosa.shape<4>) -> tensor<2x2x8x16xf32>
  return %36 : tensor<2x2x8x16xf32>
}
