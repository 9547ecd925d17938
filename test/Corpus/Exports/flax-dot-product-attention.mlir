// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// flax.linen.dot_product_attention (JAX) through jax.jit(...).lower() →
// StableHLO → stablehlo-legalize-to-linalg (generic ops):
//   query = query / jnp.sqrt(16)                      # a splat divisor
//   w = jnp.einsum('...qhd,...khd->...hqk', query, key)  # one dot_general
//   w = jnp.where(mask, w, jnp.finfo(f32).min)        # big_neg, finite
//   w = jax.nn.softmax(w)    # reduce max, reshape to [..., 1],
//                            # broadcast_in_dim back (map ending in 0), ...
//   out = jnp.einsum('...hqk,...khd->...qhd', w, value)  # + a transpose
// The mask [B, 1, Q, K] is flax's make_attention_mask(query_pad, key_pad):
// a padded query row masks every key. B = 2, 8 tokens, 2 heads of 16,
// [B, S, H, D] operands.
//
// Issue 12 forms: 2 (jnp keepdims as reshape + broadcast_in_dim) and 8
// (finite fill with fully masked rows: the original gives the mean of V
// there; -inf semantics would give 0).
//
// Execution: 6 and 3 valid tokens; rows of padded queries are fully masked.
// EXEC-CONST: 3 = dense<[[[[true, true, true, true, true, true, false, false], [true, true, true, true, true, true, false, false], [true, true, true, true, true, true, false, false], [true, true, true, true, true, true, false, false], [true, true, true, true, true, true, false, false], [true, true, true, true, true, true, false, false], [false, false, false, false, false, false, false, false], [false, false, false, false, false, false, false, false]]], [[[true, true, true, false, false, false, false, false], [true, true, true, false, false, false, false, false], [true, true, true, false, false, false, false, false], [false, false, false, false, false, false, false, false], [false, false, false, false, false, false, false, false], [false, false, false, false, false, false, false, false], [false, false, false, false, false, false, false, false], [false, false, false, false, false, false, false, false]]]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func public @flax_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x2x16xf32>, %[[K:.*]]: tensor<2x8x2x16xf32>, %[[V:.*]]: tensor<2x8x2x16xf32>, %[[M:.*]]: tensor<2x1x8x8xi1>)
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]]) scale(2.500000e-01) fill(-3.40282{{[0-9]*}}E+38) layout<bshd> : tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x1x8x8xi1> -> tensor<2x8x2x16xf32>
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: return %[[O]]
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
#map2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
#map3 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map6 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map7 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#map8 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d3)>
module @jit_dot_product_attention attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @flax_attention(%arg0: tensor<2x8x2x16xf32>, %arg1: tensor<2x8x2x16xf32>, %arg2: tensor<2x8x2x16xf32>, %arg3: tensor<2x1x8x8xi1>) -> (tensor<2x8x2x16xf32> {jax.result_info = ""}) {
    %cst = arith.constant dense<4.000000e+00> : tensor<2x8x2x16xf32>
    %cst_0 = arith.constant dense<-3.40282347E+38> : tensor<2x2x8x8xf32>
    %cst_1 = arith.constant 0xFF800000 : f32
    %cst_2 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x8x2x16xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>) outs(%0 : tensor<2x8x2x16xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %20 = arith.divf %in, %in_5 : f32
      linalg.yield %20 : f32
    } -> tensor<2x8x2x16xf32>
    %2 = tensor.empty() : tensor<2x2x8x8xf32>
    %3 = linalg.fill ins(%cst_2 : f32) outs(%2 : tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
    %4 = linalg.generic {indexing_maps = [#map1, #map2, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%1, %arg1 : tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>) outs(%3 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %20 = arith.mulf %in, %in_5 : f32
      %21 = arith.addf %out, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x2x8x8xf32>
    %5 = tensor.empty() : tensor<2x2x8x8xi1>
    %6 = linalg.generic {indexing_maps = [#map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg3 : tensor<2x1x8x8xi1>) outs(%5 : tensor<2x2x8x8xi1>) {
    ^bb0(%in: i1, %out: i1):
      linalg.yield %in : i1
    } -> tensor<2x2x8x8xi1>
    %7 = linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%6, %4, %cst_0 : tensor<2x2x8x8xi1>, tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%2 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: i1, %in_5: f32, %in_6: f32, %out: f32):
      %20 = arith.select %in, %in_5, %in_6 : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %8 = tensor.empty() : tensor<2x2x8xf32>
    %9 = linalg.fill ins(%cst_1 : f32) outs(%8 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%7 : tensor<2x2x8x8xf32>) outs(%9 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.maximumf %out, %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8xf32>
    %expanded = tensor.expand_shape %10 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    %11 = linalg.generic {indexing_maps = [#map6, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x2x8x1xf32>) outs(%2 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %12 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7, %11 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%2 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %20 = arith.subf %in, %in_5 : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %13 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%12 : tensor<2x2x8x8xf32>) outs(%2 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = math.exp %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %14 = linalg.fill ins(%cst_2 : f32) outs(%8 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%13 : tensor<2x2x8x8xf32>) outs(%14 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.addf %out, %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8xf32>
    %expanded_3 = tensor.expand_shape %15 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    %16 = linalg.generic {indexing_maps = [#map6, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3 : tensor<2x2x8x1xf32>) outs(%2 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13, %16 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%2 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %20 = arith.divf %in, %in_5 : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %18 = tensor.empty() : tensor<2x2x8x16xf32>
    %19 = linalg.fill ins(%cst_2 : f32) outs(%18 : tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
    %20 = linalg.generic {indexing_maps = [#map7, #map8, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%17, %arg2 : tensor<2x2x8x8xf32>, tensor<2x8x2x16xf32>) outs(%19 : tensor<2x2x8x16xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %21 = arith.mulf %in, %in_5 : f32
      %22 = arith.addf %out, %21 : f32
      linalg.yield %22 : f32
    } -> tensor<2x2x8x16xf32>
    %transposed = linalg.transpose ins(%20 : tensor<2x2x8x16xf32>) outs(%0 : tensor<2x8x2x16xf32>) permutation = [0, 2, 1, 3]
    return %transposed : tensor<2x8x2x16xf32>
  }
}
