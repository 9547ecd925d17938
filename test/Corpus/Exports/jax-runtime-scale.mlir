// RUN: fa2-opt %s --fa2-raise-attention=explain=true -o %t.raised.mlir 2>&1 | FileCheck %s --check-prefix=EXPLAIN
// RUN: FileCheck %s < %t.raised.mlir
//
// A JAX attention whose softmax scale is a traced argument (jax.jit(attn)
// called with `scale` as an array, as configurable-scale kernels' reference
// functions are), through StableHLO → stablehlo-legalize-to-linalg: the
// scalar arrives as a tensor<f32> argument and is broadcast by a generic
// whose input map has no results:
//   s = jnp.einsum('bhqd,bhkd->bhqk', q, k) * scale
//   p = jax.nn.softmax(s); o = jnp.einsum('bhqk,bhkd->bhqd', p, v)
// B = 2, 2 heads, 8 tokens, head dim 16.
//
// Issue 12 form: 9 (the scale as a runtime scalar). fa2.attention's scale is
// an attribute: without a scale operand this must not be raised, and the
// remark must say that the scale is not a constant. (If the op gains a scale
// operand, this test changes to check the raise.)
//
// Execution: scale = 0.25; the module runs (a) through upstream passes alone
// and (b) through fa2-opt --fa2-raise-attention and --fa2-to-cpu; the results
// must agree (nothing may be raised wrongly).
// EXEC-CONST: 3 = dense<2.500000e-01>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// EXPLAIN: remark: not raised to fa2.attention: {{.*}}scale{{.*}}
// CHECK-LABEL: func.func public @jax_runtime_scale
// CHECK-NOT: fa2.attention
// CHECK: math.exp
// CHECK-NOT: fa2.attention
// CHECK: return
#map = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#map1 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#map2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map6 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map7 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#map8 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#map9 = affine_map<(d0, d1, d2, d3) -> ()>
module @jit_attention_with_scale attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @jax_runtime_scale(%arg0: tensor<2x2x8x16xf32>, %arg1: tensor<2x2x8x16xf32>, %arg2: tensor<2x2x8x16xf32>, %arg3: tensor<f32>) -> (tensor<2x2x8x16xf32> {jax.result_info = ""}) {
    %cst_1 = arith.constant 0xFF800000 : f32
    %cst_2 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x2x8x8xf32>
    %1 = linalg.fill ins(%cst_2 : f32) outs(%0 : tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
    %2 = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) outs(%1 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.mulf %in, %in_3 : f32
      %21 = arith.addf %out, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x2x8x8xf32>
    // broadcast_in_dim(scale, dims = []) then multiply
    %bc = linalg.generic {indexing_maps = [#map9, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg3 : tensor<f32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %3 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%2, %bc : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.mulf %in, %in_3 : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %4 = tensor.empty() : tensor<2x2x8xf32>
    %5 = linalg.fill ins(%cst_1 : f32) outs(%4 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %6 = linalg.generic {indexing_maps = [#map3, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%3 : tensor<2x2x8x8xf32>) outs(%5 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.maximumf %out, %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8xf32>
    %expanded = tensor.expand_shape %6 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    %7 = linalg.generic {indexing_maps = [#map5, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x2x8x1xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %8 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%3, %7 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.subf %in, %in_3 : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %10 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%8 : tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = math.exp %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %11 = linalg.fill ins(%cst_2 : f32) outs(%4 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %12 = linalg.generic {indexing_maps = [#map3, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%10 : tensor<2x2x8x8xf32>) outs(%11 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.addf %out, %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8xf32>
    %expanded_3 = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    %13 = linalg.generic {indexing_maps = [#map5, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3 : tensor<2x2x8x1xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %14 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%10, %13 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.divf %in, %in_3 : f32
      linalg.yield %20 : f32
    } -> tensor<2x2x8x8xf32>
    %15 = tensor.empty() : tensor<2x2x8x16xf32>
    %16 = linalg.fill ins(%cst_2 : f32) outs(%15 : tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
    %17 = linalg.generic {indexing_maps = [#map6, #map7, #map8], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%14, %arg2 : tensor<2x2x8x8xf32>, tensor<2x2x8x16xf32>) outs(%16 : tensor<2x2x8x16xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.mulf %in, %in_3 : f32
      %21 = arith.addf %out, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x2x8x16xf32>
    return %17 : tensor<2x2x8x16xf32>
  }
}
