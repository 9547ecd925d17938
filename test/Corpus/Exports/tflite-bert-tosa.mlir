// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// tf.keras MultiHeadAttention as BERT uses it, converted to TFLite and
// legalized to TOSA (tf-opt --tfl-to-tosa-pipeline), the way that pipeline
// writes it:
//   query = query * (1 / sqrt(16))                 # Keras scales Q first
//   scores = einsum("aecd,abcd->acbe", key, query)  # TFLite: transposes,
//            reshape to rank 3, tosa.matmul, reshape back to [B, N, T, S]
//   adder = (1.0 - cast(input_mask, f32)) * -1e9   # Keras' masked softmax
//   probs = softmax(scores + adder)   # reduce_max (keeps the dim as 1),
//                                     # sub, exp, reduce_sum, reciprocal, mul
//   out = einsum("acbe,aecd->abcd", probs, value)
// B = 2, S = 8, 2 heads of 16, Q/K/V in [B, S, N, H].
//
// Issue 12 forms: 2 (TOSA reductions keep the reduced dim as 1), 3 (scores
// reshaped around the rank-3 matmul), 8 (a finite additive -1e9 mask). A
// fully padded sequence makes every score of its rows -1e9 after rounding:
// the mask must stay an ordinary addend.
//
// Execution: the second sequence is fully padded.
// EXEC-CONST: 3 = dense<[[1, 1, 1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0, 0]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @keras_mha
// CHECK-NOT: tosa.matmul
// CHECK-NOT: tosa.exp
// CHECK-NOT: tosa.reduce_max
// CHECK: %[[O:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(2.500000e-01){{( layout<bshd>)?}} : {{.*}}, tensor<2x1x1x8xf32> -> tensor<{{2x2x8x16|2x8x2x16}}xf32>
// CHECK-NOT: tosa.matmul
// CHECK-NOT: tosa.exp
// CHECK-NOT: tosa.reduce_max
// CHECK: return
func.func @keras_mha(%arg0: tensor<2x8x2x16xf32>, %arg1: tensor<2x8x2x16xf32>, %arg2: tensor<2x8x2x16xf32>, %arg3: tensor<2x8xi32>) -> tensor<2x8x2x16xf32> {
  %0 = "tosa.const"() <{values = dense<2.500000e-01> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %1 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %3 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %4 = "tosa.const"() <{values = dense<-1.000000e+09> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %5 = tosa.mul %arg0, %0, %1 : (tensor<2x8x2x16xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<2x8x2x16xf32>
  %6 = tosa.transpose %5 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x8x2x16xf32>) -> tensor<2x2x8x16xf32>
  %7 = tosa.transpose %arg1 {perms = array<i32: 0, 2, 3, 1>} : (tensor<2x8x2x16xf32>) -> tensor<2x2x16x8xf32>
  %8 = tosa.const_shape {values = dense<[4, 8, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %9 = tosa.reshape %6, %8 : (tensor<2x2x8x16xf32>, !tosa.shape<3>) -> tensor<4x8x16xf32>
  %10 = tosa.const_shape {values = dense<[4, 16, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %11 = tosa.reshape %7, %10 : (tensor<2x2x16x8xf32>, !tosa.shape<3>) -> tensor<4x16x8xf32>
  %12 = tosa.matmul %9, %11, %2, %2 : (tensor<4x8x16xf32>, tensor<4x16x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x8x8xf32>
  %13 = tosa.const_shape {values = dense<[2, 2, 8, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %14 = tosa.reshape %12, %13 : (tensor<4x8x8xf32>, !tosa.shape<4>) -> tensor<2x2x8x8xf32>
  %15 = tosa.cast %arg3 : (tensor<2x8xi32>) -> tensor<2x8xf32>
  %16 = tosa.const_shape {values = dense<[2, 1, 1, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %17 = tosa.reshape %15, %16 : (tensor<2x8xf32>, !tosa.shape<4>) -> tensor<2x1x1x8xf32>
  %18 = tosa.sub %3, %17 : (tensor<1x1x1x1xf32>, tensor<2x1x1x8xf32>) -> tensor<2x1x1x8xf32>
  %19 = tosa.mul %18, %4, %1 : (tensor<2x1x1x8xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<2x1x1x8xf32>
  %20 = tosa.add %14, %19 : (tensor<2x2x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x2x8x8xf32>
  %21 = tosa.reduce_max %20 {axis = 3 : i32} : (tensor<2x2x8x8xf32>) -> tensor<2x2x8x1xf32>
  %22 = tosa.sub %20, %21 : (tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) -> tensor<2x2x8x8xf32>
  %23 = tosa.exp %22 : (tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
  %24 = tosa.reduce_sum %23 {axis = 3 : i32} : (tensor<2x2x8x8xf32>) -> tensor<2x2x8x1xf32>
  %25 = tosa.reciprocal %24 : (tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
  %26 = tosa.mul %23, %25, %1 : (tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>, tensor<1xi8>) -> tensor<2x2x8x8xf32>
  %27 = tosa.const_shape {values = dense<[4, 8, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %28 = tosa.reshape %26, %27 : (tensor<2x2x8x8xf32>, !tosa.shape<3>) -> tensor<4x8x8xf32>
  %29 = tosa.transpose %arg2 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x8x2x16xf32>) -> tensor<2x2x8x16xf32>
  %30 = tosa.reshape %29, %8 : (tensor<2x2x8x16xf32>, !tosa.shape<3>) -> tensor<4x8x16xf32>
  %31 = tosa.matmul %28, %30, %2, %2 : (tensor<4x8x8xf32>, tensor<4x8x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x8x16xf32>
  %32 = tosa.const_shape {values = dense<[2, 2, 8, 16]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %33 = tosa.reshape %31, %32 : (tensor<4x8x16xf32>, !tosa.shape<4>) -> tensor<2x2x8x16xf32>
  %34 = tosa.transpose %33 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x2x8x16xf32>) -> tensor<2x8x2x16xf32>
  return %34 : tensor<2x8x2x16xf32>
}
