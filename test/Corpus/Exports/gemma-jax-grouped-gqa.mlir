// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// Gemma's Attention.__call__ (google-deepmind/gemma, JAX, use_gqa) through
// jax.jit(...).lower() → StableHLO → stablehlo-legalize-to-linalg with
// enable-primitive-ops (linalg.map / reduce / broadcast / transpose):
//   query_scaled = query_proj * query_pre_attn_scalar        # 16 ** -0.5
//   q = query_scaled.reshape(B, T, K, G, H)
//   logits = einsum('BTKGH,BSKH->BTKGS', q, key_proj)        # dot_general:
//        [B, K, T, G, S] (batch dims first), then a transpose
//   logits = logits.reshape(B, T, K * G, S)
//   padded = jnp.where(expand_dims(attn_mask, -2), logits, K_MASK)
//   probs = jax.nn.softmax(padded, axis=-1)   # max(keepdims) / exp / sum
//   probs = probs.reshape(B, T, K, G, S)
//   encoded = einsum('BTKGS,BSKH->BTKGH', probs, value_proj).reshape(B, T, N, H)
// K_MASK = -2.3819763e38 is Gemma's finite fill; K/V are never repeated.
// B = 2, T = S = 8, 4 query heads in K = 2 groups of G = 2, head dim 16,
// the [B, T, N, H] layout (bshd).
//
// Issue 12 forms: 7 (grouped GQA einsums: the group dim is a second row
// dim), 8 (finite fill), and jnp's keepdims as reshape + broadcast_in_dim.
//
// Execution: attn_mask is causal for batch 0; batch 1 is a left-padded
// prompt whose first two query rows see no key (fully masked: the original
// gives the mean of V there).
// EXEC-CONST: 3 = dense<[[[true, false, false, false, false, false, false, false], [true, true, false, false, false, false, false, false], [true, true, true, false, false, false, false, false], [true, true, true, true, false, false, false, false], [true, true, true, true, true, false, false, false], [true, true, true, true, true, true, false, false], [true, true, true, true, true, true, true, false], [true, true, true, true, true, true, true, true]], [[false, false, false, false, false, false, false, false], [false, false, false, false, false, false, false, false], [false, false, true, false, false, false, false, false], [false, false, true, true, false, false, false, false], [false, false, true, true, true, false, false, false], [false, false, true, true, true, true, false, false], [false, false, true, true, true, true, true, false], [false, false, true, true, true, true, true, true]]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// Q [B, T, N, H] over K/V [B, S, K, H] in layout<bshd>: the group dim G
// folds back into the heads N = K·G through the module's own reshapes (query
// head k·G + g reads K/V head k, as the op's h / (Hq / Hkv) does), so no
// transpose is left; the bool mask broadcast over heads, the fill carried
// exactly.
// CHECK-LABEL: func.func public @gemma_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x4x16xf32>, %[[K:.*]]: tensor<2x8x2x16xf32>, %[[V:.*]]: tensor<2x8x2x16xf32>, %[[M:.*]]: tensor<2x8x8xi1>)
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK-NOT: linalg.transpose
// CHECK: %[[MH:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0], [1, 2], [3]] output_shape [2, 1, 8, 8]
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[MH]]) scale(2.500000e-01) fill(-2.38197{{[0-9]*}}E+38) layout<bshd> : tensor<2x8x4x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x1x8x8xi1> -> tensor<2x8x4x16xf32>
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK-NOT: linalg.reduce
// CHECK: return %[[O]]
#map = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2, d1, d3, d5)>
#map1 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d1, d5)>
#map2 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>
#map3 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2, d1, d3, d4)>
#map4 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d1, d5)>
#map5 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>
module @jit_attention attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @gemma_attention(%arg0: tensor<2x8x4x16xf32>, %arg1: tensor<2x8x2x16xf32>, %arg2: tensor<2x8x2x16xf32>, %arg3: tensor<2x8x8xi1>) -> (tensor<2x8x4x16xf32> {jax.result_info = ""}) {
    %cst = arith.constant dense<2.500000e-01> : tensor<2x8x4x16xf32>
    %cst_0 = arith.constant dense<-2.38197633E+38> : tensor<2x8x4x8xf32>
    %cst_1 = arith.constant 0xFF800000 : f32
    %cst_2 = arith.constant 0.000000e+00 : f32
    // query_scaled = query_proj * 16 ** -0.5
    %0 = tensor.empty() : tensor<2x8x4x16xf32>
    %mapped = linalg.map { arith.mulf } ins(%arg0, %cst : tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) outs(%0 : tensor<2x8x4x16xf32>)
    %expanded = tensor.expand_shape %mapped [[0], [1], [2, 3], [4]] output_shape [2, 8, 2, 2, 16] : tensor<2x8x4x16xf32> into tensor<2x8x2x2x16xf32>
    // einsum('BTKGH,BSKH->BTKGS'): dot_general to [B, K, T, G, S], transpose
    %1 = tensor.empty() : tensor<2x2x8x2x8xf32>
    %2 = linalg.fill ins(%cst_2 : f32) outs(%1 : tensor<2x2x8x2x8xf32>) -> tensor<2x2x8x2x8xf32>
    %3 = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%expanded, %arg1 : tensor<2x8x2x2x16xf32>, tensor<2x8x2x16xf32>) outs(%2 : tensor<2x2x8x2x8xf32>) {
    ^bb0(%in: f32, %in_10: f32, %out: f32):
      %20 = arith.mulf %in, %in_10 : f32
      %21 = arith.addf %out, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x2x8x2x8xf32>
    %4 = tensor.empty() : tensor<2x8x2x2x8xf32>
    %transposed = linalg.transpose ins(%3 : tensor<2x2x8x2x8xf32>) outs(%4 : tensor<2x8x2x2x8xf32>) permutation = [0, 2, 1, 3, 4]
    // logits.reshape(B, T, K * G, S)
    %collapsed = tensor.collapse_shape %transposed [[0], [1], [2, 3], [4]] : tensor<2x8x2x2x8xf32> into tensor<2x8x4x8xf32>
    // jnp.where(expand_dims(attn_mask, -2), logits, K_MASK)
    %expanded_3 = tensor.expand_shape %arg3 [[0], [1, 2], [3]] output_shape [2, 8, 1, 8] : tensor<2x8x8xi1> into tensor<2x8x1x8xi1>
    %collapsed_4 = tensor.collapse_shape %expanded_3 [[0], [1, 2], [3]] : tensor<2x8x1x8xi1> into tensor<2x8x8xi1>
    %5 = tensor.empty() : tensor<2x8x4x8xi1>
    %broadcasted = linalg.broadcast ins(%collapsed_4 : tensor<2x8x8xi1>) outs(%5 : tensor<2x8x4x8xi1>) dimensions = [2]
    %6 = tensor.empty() : tensor<2x8x4x8xf32>
    %mapped_5 = linalg.map ins(%broadcasted, %collapsed, %cst_0 : tensor<2x8x4x8xi1>, tensor<2x8x4x8xf32>, tensor<2x8x4x8xf32>) outs(%6 : tensor<2x8x4x8xf32>)
      (%in: i1, %in_10: f32, %in_11: f32, %init: f32) {
        %20 = arith.select %in, %in_10, %in_11 : f32
        linalg.yield %20 : f32
      }
    // jax.nn.softmax(axis=-1)
    %7 = tensor.empty() : tensor<2x8x4xf32>
    %8 = linalg.fill ins(%cst_1 : f32) outs(%7 : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
    %reduced = linalg.reduce ins(%mapped_5 : tensor<2x8x4x8xf32>) outs(%8 : tensor<2x8x4xf32>) dimensions = [3]
      (%in: f32, %init: f32) {
        %20 = arith.maximumf %in, %init : f32
        linalg.yield %20 : f32
      }
    %expanded_6 = tensor.expand_shape %reduced [[0], [1], [2, 3]] output_shape [2, 8, 4, 1] : tensor<2x8x4xf32> into tensor<2x8x4x1xf32>
    %collapsed_7 = tensor.collapse_shape %expanded_6 [[0], [1], [2, 3]] : tensor<2x8x4x1xf32> into tensor<2x8x4xf32>
    %broadcasted_8 = linalg.broadcast ins(%collapsed_7 : tensor<2x8x4xf32>) outs(%6 : tensor<2x8x4x8xf32>) dimensions = [3]
    %mapped_9 = linalg.map { arith.subf } ins(%mapped_5, %broadcasted_8 : tensor<2x8x4x8xf32>, tensor<2x8x4x8xf32>) outs(%6 : tensor<2x8x4x8xf32>)
    %mapped_10 = linalg.map { math.exp } ins(%mapped_9 : tensor<2x8x4x8xf32>) outs(%6 : tensor<2x8x4x8xf32>)
    %9 = linalg.fill ins(%cst_2 : f32) outs(%7 : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
    %reduced_11 = linalg.reduce ins(%mapped_10 : tensor<2x8x4x8xf32>) outs(%9 : tensor<2x8x4xf32>) dimensions = [3]
      (%in: f32, %init: f32) {
        %20 = arith.addf %in, %init : f32
        linalg.yield %20 : f32
      }
    %expanded_12 = tensor.expand_shape %reduced_11 [[0], [1], [2, 3]] output_shape [2, 8, 4, 1] : tensor<2x8x4xf32> into tensor<2x8x4x1xf32>
    %collapsed_13 = tensor.collapse_shape %expanded_12 [[0], [1], [2, 3]] : tensor<2x8x4x1xf32> into tensor<2x8x4xf32>
    %broadcasted_14 = linalg.broadcast ins(%collapsed_13 : tensor<2x8x4xf32>) outs(%6 : tensor<2x8x4x8xf32>) dimensions = [3]
    %mapped_15 = linalg.map { arith.divf } ins(%mapped_10, %broadcasted_14 : tensor<2x8x4x8xf32>, tensor<2x8x4x8xf32>) outs(%6 : tensor<2x8x4x8xf32>)
    // probs.reshape(B, T, K, G, S); einsum('BTKGS,BSKH->BTKGH'); reshape(B, T, N, H)
    %expanded_16 = tensor.expand_shape %mapped_15 [[0], [1], [2, 3], [4]] output_shape [2, 8, 2, 2, 8] : tensor<2x8x4x8xf32> into tensor<2x8x2x2x8xf32>
    %10 = tensor.empty() : tensor<2x2x8x2x16xf32>
    %11 = linalg.fill ins(%cst_2 : f32) outs(%10 : tensor<2x2x8x2x16xf32>) -> tensor<2x2x8x2x16xf32>
    %12 = linalg.generic {indexing_maps = [#map3, #map4, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%expanded_16, %arg2 : tensor<2x8x2x2x8xf32>, tensor<2x8x2x16xf32>) outs(%11 : tensor<2x2x8x2x16xf32>) {
    ^bb0(%in: f32, %in_10: f32, %out: f32):
      %20 = arith.mulf %in, %in_10 : f32
      %21 = arith.addf %out, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x2x8x2x16xf32>
    %13 = tensor.empty() : tensor<2x8x2x2x16xf32>
    %transposed_17 = linalg.transpose ins(%12 : tensor<2x2x8x2x16xf32>) outs(%13 : tensor<2x8x2x2x16xf32>) permutation = [0, 2, 1, 3, 4]
    %collapsed_18 = tensor.collapse_shape %transposed_17 [[0], [1], [2, 3], [4]] : tensor<2x8x2x2x16xf32> into tensor<2x8x4x16xf32>
    return %collapsed_18 : tensor<2x8x4x16xf32>
  }
}
