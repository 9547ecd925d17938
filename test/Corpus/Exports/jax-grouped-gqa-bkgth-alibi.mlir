// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// Grouped GQA with the group dim before the query dim: a JAX model whose
// activations are [B, N, T, H] (heads first) splits the query heads as
// q.reshape(B, K, G, T, H), so that the einsums keep the group next to its
// K/V head, adds a per-head bias (ALiBi slopes times distances, one
// [N, T, S] table reshaped to [K, G, T, S]) and masks causally with
// jnp.finfo.min, through jax.jit(...).lower() → StableHLO →
// stablehlo-legalize-to-linalg with enable-primitive-ops:
//   q = (query * 16 ** -0.5).reshape(B, K, G, T, H)
//   logits = einsum('BKGTH,BKSH->BKGTS', q, key)   # dot_general, batch (B, K)
//   logits = logits + bias.reshape(K, G, T, S)     # broadcast over B
//   causal = iota(T)[:, None] >= iota(S)[None, :]
//   logits = jnp.where(causal, logits, jnp.finfo(jnp.float32).min)
//   probs = jax.nn.softmax(logits, axis=-1)
//   out = einsum('BKGTS,BKSH->BKGTH', probs, value).reshape(B, N, T, H)
// B = 2, K = 2 K/V heads, G = 2 (N = 4 query heads), T = S = 8, H = 16.
//
// Issue 12 forms: 7 (the group dim as a second row dim, here between the
// K/V head and the query), 6 (a float bias and a causal where on one
// chain), 8 (a finite fill).
//
// Execution: the module with a generated main runs (a) through upstream
// passes alone and (b) raised, then through --fa2-to-cpu; they must agree.
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// The query heads are [K, G] merged (query head k·2 + g reads K/V head k):
// Q, O and the bias table are taken as the module has them, [B, N, T, H]
// and [N, T, S]; the iota compare becomes `causal`; the finite fill stays
// (a float mask is added after it, and finfo.min absorbs the bias).
// CHECK-LABEL: func.func public @grouped_alibi_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[K:.*]]: tensor<2x2x8x16xf32>, %[[V:.*]]: tensor<2x2x8x16xf32>, %[[BIAS:.*]]: tensor<4x8x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK-NOT: math.exp
// CHECK-NOT: linalg.reduce
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[BIAS]]) scale(2.500000e-01) causal fill(-3.40282{{[0-9]*}}E+38) : tensor<2x4x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<4x8x8xf32> -> tensor<2x4x8x16xf32>
// CHECK-NEXT: return %[[O]]
#qmap = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>
#kmap = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>
#smap = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>
#pmap = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>
#vmap = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d4)>
#omap = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
module @jit_grouped_alibi_attention attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @grouped_alibi_attention(%arg0: tensor<2x4x8x16xf32>, %arg1: tensor<2x2x8x16xf32>, %arg2: tensor<2x2x8x16xf32>, %arg3: tensor<4x8x8xf32>) -> (tensor<2x4x8x16xf32> {jax.result_info = ""}) {
    %cst = arith.constant dense<2.500000e-01> : tensor<2x4x8x16xf32>
    %cst_0 = arith.constant dense<-3.40282347E+38> : tensor<2x2x2x8x8xf32>
    %cst_1 = arith.constant 0xFF800000 : f32
    %cst_2 = arith.constant 0.000000e+00 : f32
    // query * 16 ** -0.5, reshape(B, K, G, T, H)
    %0 = tensor.empty() : tensor<2x4x8x16xf32>
    %mapped = linalg.map { arith.mulf } ins(%arg0, %cst : tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) outs(%0 : tensor<2x4x8x16xf32>)
    %expanded = tensor.expand_shape %mapped [[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 8, 16] : tensor<2x4x8x16xf32> into tensor<2x2x2x8x16xf32>
    // einsum('BKGTH,BKSH->BKGTS'): batch dims (B, K) first, then G, T, S
    %1 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %2 = linalg.fill ins(%cst_2 : f32) outs(%1 : tensor<2x2x2x8x8xf32>) -> tensor<2x2x2x8x8xf32>
    %3 = linalg.generic {indexing_maps = [#qmap, #kmap, #smap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%expanded, %arg1 : tensor<2x2x2x8x16xf32>, tensor<2x2x8x16xf32>) outs(%2 : tensor<2x2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_9: f32, %out: f32):
      %20 = arith.mulf %in, %in_9 : f32
      %21 = arith.addf %out, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x2x2x8x8xf32>
    // logits + bias.reshape(K, G, T, S), broadcast over B
    %expanded_3 = tensor.expand_shape %arg3 [[0, 1], [2], [3]] output_shape [2, 2, 8, 8] : tensor<4x8x8xf32> into tensor<2x2x8x8xf32>
    %broadcasted = linalg.broadcast ins(%expanded_3 : tensor<2x2x8x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>) dimensions = [0]
    %mapped_4 = linalg.map { arith.addf } ins(%3, %broadcasted : tensor<2x2x2x8x8xf32>, tensor<2x2x2x8x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>)
    // causal = iota(T)[:, None] >= iota(S)[None, :]
    %4 = tensor.empty() : tensor<8x8xi1>
    %5 = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%4 : tensor<8x8xi1>) {
    ^bb0(%out: i1):
      %20 = linalg.index 0 : index
      %21 = arith.index_cast %20 : index to i32
      %22 = linalg.index 1 : index
      %23 = arith.index_cast %22 : index to i32
      %24 = arith.cmpi sge, %21, %23 : i32
      linalg.yield %24 : i1
    } -> tensor<8x8xi1>
    %6 = tensor.empty() : tensor<2x2x2x8x8xi1>
    %broadcasted_5 = linalg.broadcast ins(%5 : tensor<8x8xi1>) outs(%6 : tensor<2x2x2x8x8xi1>) dimensions = [0, 1, 2]
    %mapped_6 = linalg.map ins(%broadcasted_5, %mapped_4, %cst_0 : tensor<2x2x2x8x8xi1>, tensor<2x2x2x8x8xf32>, tensor<2x2x2x8x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>)
      (%in: i1, %in_9: f32, %in_10: f32, %init: f32) {
        %20 = arith.select %in, %in_9, %in_10 : f32
        linalg.yield %20 : f32
      }
    // jax.nn.softmax(axis=-1)
    %7 = tensor.empty() : tensor<2x2x2x8xf32>
    %8 = linalg.fill ins(%cst_1 : f32) outs(%7 : tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32>
    %reduced = linalg.reduce ins(%mapped_6 : tensor<2x2x2x8x8xf32>) outs(%8 : tensor<2x2x2x8xf32>) dimensions = [4]
      (%in: f32, %init: f32) {
        %20 = arith.maximumf %in, %init : f32
        linalg.yield %20 : f32
      }
    %broadcasted_7 = linalg.broadcast ins(%reduced : tensor<2x2x2x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>) dimensions = [4]
    %mapped_8 = linalg.map { arith.subf } ins(%mapped_6, %broadcasted_7 : tensor<2x2x2x8x8xf32>, tensor<2x2x2x8x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>)
    %mapped_9 = linalg.map { math.exp } ins(%mapped_8 : tensor<2x2x2x8x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>)
    %9 = linalg.fill ins(%cst_2 : f32) outs(%7 : tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32>
    %reduced_10 = linalg.reduce ins(%mapped_9 : tensor<2x2x2x8x8xf32>) outs(%9 : tensor<2x2x2x8xf32>) dimensions = [4]
      (%in: f32, %init: f32) {
        %20 = arith.addf %in, %init : f32
        linalg.yield %20 : f32
      }
    %broadcasted_11 = linalg.broadcast ins(%reduced_10 : tensor<2x2x2x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>) dimensions = [4]
    %mapped_12 = linalg.map { arith.divf } ins(%mapped_9, %broadcasted_11 : tensor<2x2x2x8x8xf32>, tensor<2x2x2x8x8xf32>) outs(%1 : tensor<2x2x2x8x8xf32>)
    // einsum('BKGTS,BKSH->BKGTH'), reshape(B, N, T, H)
    %10 = tensor.empty() : tensor<2x2x2x8x16xf32>
    %11 = linalg.fill ins(%cst_2 : f32) outs(%10 : tensor<2x2x2x8x16xf32>) -> tensor<2x2x2x8x16xf32>
    %12 = linalg.generic {indexing_maps = [#pmap, #vmap, #omap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%mapped_12, %arg2 : tensor<2x2x2x8x8xf32>, tensor<2x2x8x16xf32>) outs(%11 : tensor<2x2x2x8x16xf32>) {
    ^bb0(%in: f32, %in_9: f32, %out: f32):
      %20 = arith.mulf %in, %in_9 : f32
      %21 = arith.addf %out, %20 : f32
      linalg.yield %21 : f32
    } -> tensor<2x2x2x8x16xf32>
    %collapsed = tensor.collapse_shape %12 [[0], [1, 2], [3], [4]] : tensor<2x2x2x8x16xf32> into tensor<2x4x8x16xf32>
    return %collapsed : tensor<2x4x8x16xf32>
  }
}
