// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// Rotary embeddings from precomputed tables, then jax.nn.dot_product_attention
// (implementation='xla'), through jax.jit(...).lower() → StableHLO →
// stablehlo-legalize-to-linalg:
//   cos = jnp.take(cos_table, positions, axis=0)[:, :, None, :]   # gather
//   sin = jnp.take(sin_table, positions, axis=0)[:, :, None, :]
//   rope(x) = concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)
//             with x1, x2 = jnp.split(x, 2, -1)
//   o = jax.nn.dot_product_attention(rope(q), rope(k), v)
// The gathers are generics with no inputs whose bodies read the positions
// and the table with tensor.extract (jnp.take's default mode fills
// out-of-bounds rows with NaN: a bounds check and a select in the body).
// The attention itself is the spelling the matcher reads today
// (einsum BTNH,BSNH->BNTS, * scale, jax.nn.softmax, einsum BNTS,BSNH->BTNH).
// B = 2, 8 tokens, 2 heads of 16, tables [16, 8].
//
// Issue 12 form: 1 (tensor.extract bodies in the producers of Q and K: an
// opaque leaf, never a crash).
//
// Execution: positions are 0..7 and 4..11 (a continuation).
// EXEC-CONST: 5 = dense<[[0, 1, 2, 3, 4, 5, 6, 7], [4, 5, 6, 7, 8, 9, 10, 11]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func public @rope_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x2x16xf32>, %[[K:.*]]: tensor<2x8x2x16xf32>, %[[V:.*]]: tensor<2x8x2x16xf32>, %[[COS:.*]]: tensor<16x8xf32>, %[[SIN:.*]]: tensor<16x8xf32>, %[[POS:.*]]: tensor<2x8xi32>)
// CHECK: tensor.extract %[[COS]]
// CHECK: tensor.extract %[[SIN]]
// CHECK: %[[QR:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 8]
// CHECK: %[[KR:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 8]
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: %[[O:.*]] = fa2.attention %[[QR]], %[[KR]], %[[V]] scale(2.500000e-01) layout<bshd> : tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32> -> tensor<2x8x2x16xf32>
// CHECK-NEXT: return %[[O]]
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map3 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
#map4 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
#map5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map6 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map7 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map8 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d3)>
#map9 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2, d4)>
#map10 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
module @jit_rope_attention attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @rope_attention(%arg0: tensor<2x8x2x16xf32>, %arg1: tensor<2x8x2x16xf32>, %arg2: tensor<2x8x2x16xf32>, %arg3: tensor<16x8xf32>, %arg4: tensor<16x8xf32>, %arg5: tensor<2x8xi32>) -> (tensor<2x8x2x16xf32> {jax.result_info = ""}) {
    %c0 = arith.constant 0 : index
    %c15 = arith.constant 15 : index
    %c16_i32 = arith.constant 16 : i32
    %c0_i32 = arith.constant 0 : i32
    %cst = arith.constant 0x7FC00000 : f32
    %cst_0 = arith.constant dense<2.500000e-01> : tensor<2x2x8x8xf32>
    %cst_1 = arith.constant 0xFF800000 : f32
    %cst_2 = arith.constant 0.000000e+00 : f32
    // jnp.take(cos_table, positions, axis=0), jnp.take(sin_table, ...): gather
    %0 = tensor.empty() : tensor<2x8x8xf32>
    %1 = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel", "parallel", "parallel"]} outs(%0 : tensor<2x8x8xf32>) {
    ^bb0(%out: f32):
      %i0 = linalg.index 0 : index
      %i1 = linalg.index 1 : index
      %i2 = linalg.index 2 : index
      %p = tensor.extract %arg5[%i0, %i1] : tensor<2x8xi32>
      %lo = arith.cmpi sge, %p, %c0_i32 : i32
      %hi = arith.cmpi slt, %p, %c16_i32 : i32
      %ok = arith.andi %lo, %hi : i1
      %pi = arith.index_cast %p : i32 to index
      %pc0 = arith.maxsi %pi, %c0 : index
      %pc = arith.minsi %pc0, %c15 : index
      %x = tensor.extract %arg3[%pc, %i2] : tensor<16x8xf32>
      %r = arith.select %ok, %x, %cst : f32
      linalg.yield %r : f32
    } -> tensor<2x8x8xf32>
    %2 = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel", "parallel", "parallel"]} outs(%0 : tensor<2x8x8xf32>) {
    ^bb0(%out: f32):
      %i0 = linalg.index 0 : index
      %i1 = linalg.index 1 : index
      %i2 = linalg.index 2 : index
      %p = tensor.extract %arg5[%i0, %i1] : tensor<2x8xi32>
      %lo = arith.cmpi sge, %p, %c0_i32 : i32
      %hi = arith.cmpi slt, %p, %c16_i32 : i32
      %ok = arith.andi %lo, %hi : i1
      %pi = arith.index_cast %p : i32 to index
      %pc0 = arith.maxsi %pi, %c0 : index
      %pc = arith.minsi %pc0, %c15 : index
      %x = tensor.extract %arg4[%pc, %i2] : tensor<16x8xf32>
      %r = arith.select %ok, %x, %cst : f32
      linalg.yield %r : f32
    } -> tensor<2x8x8xf32>
    // [:, :, None, :] and broadcast_in_dim to [2, 8, 2, 8]
    %expanded = tensor.expand_shape %1 [[0], [1], [2, 3]] output_shape [2, 8, 1, 8] : tensor<2x8x8xf32> into tensor<2x8x1x8xf32>
    %expanded_3 = tensor.expand_shape %2 [[0], [1], [2, 3]] output_shape [2, 8, 1, 8] : tensor<2x8x8xf32> into tensor<2x8x1x8xf32>
    %3 = tensor.empty() : tensor<2x8x2x8xf32>
    %4 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x8x1x8xf32>) outs(%3 : tensor<2x8x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x8x2x8xf32>
    %5 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3 : tensor<2x8x1x8xf32>) outs(%3 : tensor<2x8x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x8x2x8xf32>
    // rope(q)
    %q1 = tensor.extract_slice %arg0[0, 0, 0, 0] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x16xf32> to tensor<2x8x2x8xf32>
    %q2 = tensor.extract_slice %arg0[0, 0, 0, 8] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x16xf32> to tensor<2x8x2x8xf32>
    %6 = linalg.generic {indexing_maps = [#map2, #map2, #map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q1, %q2, %4, %5 : tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>) outs(%3 : tensor<2x8x2x8xf32>) {
    ^bb0(%x1: f32, %x2: f32, %c: f32, %s: f32, %out: f32):
      %a = arith.mulf %x1, %c : f32
      %b = arith.mulf %x2, %s : f32
      %r = arith.subf %a, %b : f32
      linalg.yield %r : f32
    } -> tensor<2x8x2x8xf32>
    %7 = linalg.generic {indexing_maps = [#map2, #map2, #map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q1, %q2, %4, %5 : tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>) outs(%3 : tensor<2x8x2x8xf32>) {
    ^bb0(%x1: f32, %x2: f32, %c: f32, %s: f32, %out: f32):
      %a = arith.mulf %x2, %c : f32
      %b = arith.mulf %x1, %s : f32
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    } -> tensor<2x8x2x8xf32>
    %8 = tensor.empty() : tensor<2x8x2x16xf32>
    %inserted_slice = tensor.insert_slice %6 into %8[0, 0, 0, 0] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x8xf32> into tensor<2x8x2x16xf32>
    %inserted_slice_4 = tensor.insert_slice %7 into %inserted_slice[0, 0, 0, 8] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x8xf32> into tensor<2x8x2x16xf32>
    // rope(k)
    %k1 = tensor.extract_slice %arg1[0, 0, 0, 0] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x16xf32> to tensor<2x8x2x8xf32>
    %k2 = tensor.extract_slice %arg1[0, 0, 0, 8] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x16xf32> to tensor<2x8x2x8xf32>
    %9 = linalg.generic {indexing_maps = [#map2, #map2, #map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k1, %k2, %4, %5 : tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>) outs(%3 : tensor<2x8x2x8xf32>) {
    ^bb0(%x1: f32, %x2: f32, %c: f32, %s: f32, %out: f32):
      %a = arith.mulf %x1, %c : f32
      %b = arith.mulf %x2, %s : f32
      %r = arith.subf %a, %b : f32
      linalg.yield %r : f32
    } -> tensor<2x8x2x8xf32>
    %10 = linalg.generic {indexing_maps = [#map2, #map2, #map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k1, %k2, %4, %5 : tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>) outs(%3 : tensor<2x8x2x8xf32>) {
    ^bb0(%x1: f32, %x2: f32, %c: f32, %s: f32, %out: f32):
      %a = arith.mulf %x2, %c : f32
      %b = arith.mulf %x1, %s : f32
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    } -> tensor<2x8x2x8xf32>
    %inserted_slice_5 = tensor.insert_slice %9 into %8[0, 0, 0, 0] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x8xf32> into tensor<2x8x2x16xf32>
    %inserted_slice_6 = tensor.insert_slice %10 into %inserted_slice_5[0, 0, 0, 8] [2, 8, 2, 8] [1, 1, 1, 1] : tensor<2x8x2x8xf32> into tensor<2x8x2x16xf32>
    // logits = einsum('BTNH,BSNH->BNTS', q, k) * scale
    %11 = tensor.empty() : tensor<2x2x8x8xf32>
    %12 = linalg.fill ins(%cst_2 : f32) outs(%11 : tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
    %13 = linalg.generic {indexing_maps = [#map3, #map4, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%inserted_slice_4, %inserted_slice_6 : tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>) outs(%12 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %30 = arith.mulf %in, %in_7 : f32
      %31 = arith.addf %out, %30 : f32
      linalg.yield %31 : f32
    } -> tensor<2x2x8x8xf32>
    %14 = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13, %cst_0 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%11 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %30 = arith.mulf %in, %in_7 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    // jax.nn.softmax(logits, axis=-1)
    %15 = tensor.empty() : tensor<2x2x8xf32>
    %16 = linalg.fill ins(%cst_1 : f32) outs(%15 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %17 = linalg.generic {indexing_maps = [#map2, #map6], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%14 : tensor<2x2x8x8xf32>) outs(%16 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.maximumf %out, %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8xf32>
    %expanded_7 = tensor.expand_shape %17 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    %18 = linalg.generic {indexing_maps = [#map7, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_7 : tensor<2x2x8x1xf32>) outs(%11 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %19 = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%14, %18 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%11 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %30 = arith.subf %in, %in_7 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    %20 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%19 : tensor<2x2x8x8xf32>) outs(%11 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.exp %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    %21 = linalg.fill ins(%cst_2 : f32) outs(%15 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
    %22 = linalg.generic {indexing_maps = [#map2, #map6], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%20 : tensor<2x2x8x8xf32>) outs(%21 : tensor<2x2x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.addf %out, %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8xf32>
    %expanded_8 = tensor.expand_shape %22 [[0], [1], [2, 3]] output_shape [2, 2, 8, 1] : tensor<2x2x8xf32> into tensor<2x2x8x1xf32>
    %23 = linalg.generic {indexing_maps = [#map7, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_8 : tensor<2x2x8x1xf32>) outs(%11 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x8xf32>
    %24 = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%20, %23 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%11 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %30 = arith.divf %in, %in_7 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    // encoded = einsum('BNTS,BSNH->BTNH', probs, v)
    %25 = tensor.empty() : tensor<2x8x2x16xf32>
    %26 = linalg.fill ins(%cst_2 : f32) outs(%25 : tensor<2x8x2x16xf32>) -> tensor<2x8x2x16xf32>
    %27 = linalg.generic {indexing_maps = [#map8, #map9, #map10], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%24, %arg2 : tensor<2x2x8x8xf32>, tensor<2x8x2x16xf32>) outs(%26 : tensor<2x8x2x16xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %30 = arith.mulf %in, %in_7 : f32
      %31 = arith.addf %out, %30 : f32
      linalg.yield %31 : f32
    } -> tensor<2x8x2x16xf32>
    return %27 : tensor<2x8x2x16xf32>
  }
}
