// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// A JAX attention whose Python code computes more than it returns (the
// forward of a custom_vjp keeping the log-sum-exp for its backward, and an
// argmax kept for inspection), traced by jax.jit: the unused values stay in
// the jaxpr and in the lowered StableHLO, then stablehlo-legalize-to-linalg:
//   s = jnp.einsum('bhqd,bhkd->bhqk', q, k) * 0.125
//   m = jnp.max(s, -1, keepdims=True); p = jnp.exp(s - m)
//   l = jnp.sum(p, -1, keepdims=True)
//   lse = m + jnp.log(l)                 # unused
//   top = jnp.argmax(s, -1)              # unused: a variadic reduce, one
//                                        # generic with two results
//   o = jnp.einsum('bhqk,bhkd->bhqd', p / l, v)
// B = 2, 2 heads, 8 tokens, head dim 16.
//
// Issue 12 form: 4 (dead side computations beside the softmax). After the
// raise nothing of the chain may stay, the dead log-sum-exp and argmax of
// the scores included: the function is the op and its return (CHECK-NEXT).
//
// Execution: the module with a generated main (../Inputs/add_exec_main.py)
// runs (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func public @jax_attention_fwd
// CHECK-SAME: (%[[Q:.*]]: tensor<2x2x8x16xf32>, %[[K:.*]]: tensor<2x2x8x16xf32>, %[[V:.*]]: tensor<2x2x8x16xf32>)
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(1.250000e-01) : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32> -> tensor<2x2x8x16xf32>
// CHECK-NEXT: return %[[O]]
#map = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#map1 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#map2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map6 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map7 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#map8 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
module @jit_attention_fwd attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @jax_attention_fwd(%arg0: tensor<2x2x8x16xf32>, %arg1: tensor<2x2x8x16xf32>, %arg2: tensor<2x2x8x16xf32>) -> (tensor<2x2x8x16xf32> {jax.result_info = ""}) {
    %cst = arith.constant dense<1.250000e-01> : tensor<2x2x8x8xf32>
    %cst_0 = arith.constant 0xFF800000 : f32
    %cst_1 = arith.constant 0.000000e+00 : f32
    %c0_i32 = arith.constant 0 : i32
    %0 = tensor.empty() : tensor<2x2x8x8xf32>
    %1 = linalg.fill ins(%cst_1 : f32) outs(%0 : tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
    %2 = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) outs(%1 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.mulf %in, %in_3 : f32
      %31 = arith.addf %out, %30 : f32
      linalg.yield %31 : f32
    } -> tensor<2x2x8x8xf32>
    %3 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%2, %cst : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.mulf %in, %in_3 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    // m = jnp.max(s, -1, keepdims=True)
    %4 = tensor.empty() : tensor<2x2x8xf32>
    %5 = linalg.fill ins(%cst_0 : f32) outs(%4 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %6 = linalg.generic {indexing_maps = [#map3, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%3 : tensor<2x2x8x8xf32>) outs(%5 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.maximumf %out, %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8xf32>
    %expanded = tensor.expand_shape %6 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    %7 = linalg.generic {indexing_maps = [#map5, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x2x8x1xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    // p = jnp.exp(s - m); l = jnp.sum(p, -1, keepdims=True)
    %8 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%3, %7 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.subf %in, %in_3 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    %9 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%8 : tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.exp %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    %10 = linalg.fill ins(%cst_1 : f32) outs(%4 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %11 = linalg.generic {indexing_maps = [#map3, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%9 : tensor<2x2x8x8xf32>) outs(%10 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.addf %out, %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8xf32>
    %expanded_2 = tensor.expand_shape %11 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    // lse = m + jnp.log(l)   (unused)
    %12 = tensor.empty() : tensor<2x2x8x1xf32>
    %13 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_2 : tensor<2x2x8x1xf32>) outs(%12 : tensor<2x2x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.log %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x1xf32>
    %14 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %13 : tensor<2x2x8x1xf32>, tensor<2x2x8x1xf32>) outs(%12 : tensor<2x2x8x1xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.addf %in, %in_3 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x1xf32>
    // top = jnp.argmax(s, -1)   (unused): reduce over (value, index) pairs
    %15 = tensor.empty() : tensor<2x2x8xi32>
    %16 = linalg.fill ins(%c0_i32 : i32) outs(%15 : tensor<2x2x8xi32>) -> tensor<2x2x8xi32>
    %17:2 = linalg.generic {indexing_maps = [#map3, #map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%3 : tensor<2x2x8x8xf32>) outs(%5, %16 : tensor<2x2x8xf32>, tensor<2x2x8xi32>) {
    ^bb0(%in: f32, %out: f32, %out_3: i32):
      %30 = linalg.index 3 : index
      %31 = arith.index_cast %30 : index to i32
      %32 = arith.cmpf ogt, %in, %out : f32
      %33 = arith.cmpf oeq, %in, %out : f32
      %34 = arith.cmpi slt, %31, %out_3 : i32
      %35 = arith.andi %33, %34 : i1
      %36 = arith.ori %32, %35 : i1
      %37 = arith.select %36, %in, %out : f32
      %38 = arith.select %36, %31, %out_3 : i32
      linalg.yield %37, %38 : f32, i32
    } -> (tensor<2x2x8xf32>, tensor<2x2x8xi32>)
    // o = jnp.einsum('bhqk,bhkd->bhqd', p / l, v)
    %18 = linalg.generic {indexing_maps = [#map5, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_2 : tensor<2x2x8x1xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %19 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9, %18 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%0 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.divf %in, %in_3 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    %20 = tensor.empty() : tensor<2x2x8x16xf32>
    %21 = linalg.fill ins(%cst_1 : f32) outs(%20 : tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
    %22 = linalg.generic {indexing_maps = [#map6, #map7, #map8], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%19, %arg2 : tensor<2x2x8x8xf32>, tensor<2x2x8x16xf32>) outs(%21 : tensor<2x2x8x16xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.mulf %in, %in_3 : f32
      %31 = arith.addf %out, %30 : f32
      linalg.yield %31 : f32
    } -> tensor<2x2x8x16xf32>
    return %22 : tensor<2x2x8x16xf32>
  }
}
