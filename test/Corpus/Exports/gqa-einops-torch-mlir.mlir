// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// scaled_dot_product_gqa (fkodom/grouped-query-attention-pytorch, einops)
// with is_causal=True through torch.export and torch-mlir:
//   q, k, v = rearrange(x, "b n h d -> b h n d")
//   q = q / d ** 0.5
//   q = rearrange(q, "b (h g) n d -> b g h n d", g=2)
//   sim = einsum(q, k, "b g h n d, b h s d -> b g h n s")   # K never repeated
//   mask = ones(b, n, s, bool).tril_()
//   sim.masked_fill_(~rearrange(mask, "b n s -> b () () n s"), finfo.min)
//   out = einsum(softmax(sim, -1), v, "b g h n s, b h s d -> b g h n d")
//   out = rearrange(out, "b g h n d -> b n (h g) d")
// torch-mlir's einsum decomposition permutes each operand to [batch | rows |
// contraction], folds b·h into the bmm batch and g·n into its rows, and
// unfolds after: the group dim is a second row dim, merged with the query
// dim around the bmm. B = 2, 8 tokens, 4 query heads in 2 groups over 2 K/V
// heads, head dim 16.
//
// Issue 12 forms: 7 (grouped GQA einsums, torch spelling), 3 (rows folded
// around the bmm), 2, 4, and a causal masked_fill(finfo.min) (fill not
// observable: no row is empty).
//
// Execution: the module with a generated main (../Inputs/add_exec_main.py)
// runs (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// 4 query heads over the 2 un-repeated K/V heads: the group g is folded
// into the heads through the views the module already has (query head
// h·2 + g reads K/V head h, the einops "(h g)" order), the causal mask over
// n becomes `causal` (its finite fill is dropped: every row keeps its
// diagonal key), and nothing of the chain or of the einsum's permutes is
// left.
// CHECK-LABEL: func.func @scaled_dot_product_gqa
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x4x16xf32>, %[[K:.*]]: tensor<2x8x2x16xf32>, %[[V:.*]]: tensor<2x8x2x16xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.transpose
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) causal layout<bshd> : tensor<2x8x4x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32> -> tensor<2x8x4x16xf32>
// CHECK-NEXT: return %[[O]]
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, 0, d3, d4)>
#map3 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#map4 = affine_map<(d0, d1, d2, d3, d4) -> ()>
#map5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map6 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, 0)>
module {
  func.func @scaled_dot_product_gqa(%arg0: tensor<2x8x4x16xf32>, %arg1: tensor<2x8x2x16xf32>, %arg2: tensor<2x8x2x16xf32>) -> tensor<2x8x4x16xf32> {
    %zero = arith.constant 0.000000e+00 : f32
    %cst_4 = arith.constant 4.000000e+00 : f32
    %cst_min = arith.constant dense<-3.40282347E+38> : tensor<f32>
    %ninf = arith.constant 0xFF800000 : f32
    %c0_i64 = arith.constant 0 : i64
    %true = arith.constant true
    %false = arith.constant false
    // rearrange(x, "b n h d -> b h n d")
    %1 = tensor.empty() : tensor<2x4x8x16xf32>
    %transposed2 = linalg.transpose ins(%arg0 : tensor<2x8x4x16xf32>) outs(%1 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
    %3 = tensor.empty() : tensor<2x2x8x16xf32>
    %transposed4 = linalg.transpose ins(%arg1 : tensor<2x8x2x16xf32>) outs(%3 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    %5 = tensor.empty() : tensor<2x2x8x16xf32>
    %transposed6 = linalg.transpose ins(%arg2 : tensor<2x8x2x16xf32>) outs(%5 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    // query = query / scale
    %7 = tensor.empty() : tensor<2x4x8x16xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%transposed2 : tensor<2x4x8x16xf32>) outs(%7 : tensor<2x4x8x16xf32>) {
    ^bb0(%in0: f32, %out: f32):
      %r = arith.divf %in0, %cst_4 : f32
      linalg.yield %r : f32
    } -> tensor<2x4x8x16xf32>
    // rearrange(query, "b (h g) n d -> b g h n d", g=2)
    %expanded9 = tensor.expand_shape %8 [[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 8, 16] : tensor<2x4x8x16xf32> into tensor<2x2x2x8x16xf32>
    %10 = tensor.empty() : tensor<2x2x2x8x16xf32>
    %transposed11 = linalg.transpose ins(%expanded9 : tensor<2x2x2x8x16xf32>) outs(%10 : tensor<2x2x2x8x16xf32>) permutation = [0, 2, 1, 3, 4]
    // einsum("b g h n d, b h s d -> b g h n s"): torch-mlir permutes to [b, h | g, n | d],
    // folds the batch and row dims, runs one bmm and unfolds
    %12 = tensor.empty() : tensor<2x2x2x8x16xf32>
    %transposed13 = linalg.transpose ins(%transposed11 : tensor<2x2x2x8x16xf32>) outs(%12 : tensor<2x2x2x8x16xf32>) permutation = [0, 2, 1, 3, 4]
    %collapsed14 = tensor.collapse_shape %transposed13 [[0, 1], [2, 3], [4]] : tensor<2x2x2x8x16xf32> into tensor<4x16x16xf32>
    %15 = tensor.empty() : tensor<2x2x16x8xf32>
    %transposed16 = linalg.transpose ins(%transposed4 : tensor<2x2x8x16xf32>) outs(%15 : tensor<2x2x16x8xf32>) permutation = [0, 1, 3, 2]
    %collapsed17 = tensor.collapse_shape %transposed16 [[0, 1], [2], [3]] : tensor<2x2x16x8xf32> into tensor<4x16x8xf32>
    %18 = tensor.empty() : tensor<4x16x8xf32>
    %19 = linalg.fill ins(%zero : f32) outs(%18 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
    %20 = linalg.batch_matmul ins(%collapsed14, %collapsed17 : tensor<4x16x16xf32>, tensor<4x16x8xf32>) outs(%19 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
    %expanded21 = tensor.expand_shape %20 [[0, 1], [2, 3], [4]] output_shape [2, 2, 2, 8, 8] : tensor<4x16x8xf32> into tensor<2x2x2x8x8xf32>
    %22 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %transposed23 = linalg.transpose ins(%expanded21 : tensor<2x2x2x8x8xf32>) outs(%22 : tensor<2x2x2x8x8xf32>) permutation = [0, 2, 1, 3, 4]
    // mask = torch.ones((b, n, s), dtype=torch.bool).tril_(); rearrange(mask, "b n s -> b () () n s")
    %24 = tensor.empty() : tensor<2x8x8xi1>
    %25 = linalg.fill ins(%true : i1) outs(%24 : tensor<2x8x8xi1>) -> tensor<2x8x8xi1>
    %26 = tensor.empty() : tensor<2x8x8xi1>
    %27 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%25 : tensor<2x8x8xi1>) outs(%26 : tensor<2x8x8xi1>) {
    ^bb0(%in0: i1, %out: i1):
      %i = linalg.index 1 : index
      %ii = arith.index_cast %i : index to i64
      %j = linalg.index 2 : index
      %jj = arith.index_cast %j : index to i64
      %d = arith.subi %jj, %ii : i64
      %c = arith.cmpi sle, %d, %c0_i64 : i64
      %r = arith.select %c, %in0, %false : i1
      linalg.yield %r : i1
    } -> tensor<2x8x8xi1>
    %expanded28 = tensor.expand_shape %27 [[0, 1, 2], [3], [4]] output_shape [2, 1, 1, 8, 8] : tensor<2x8x8xi1> into tensor<2x1x1x8x8xi1>
    // similarity.masked_fill_(~mask, torch.finfo(similarity.dtype).min)
    %29 = tensor.empty() : tensor<2x1x1x8x8xi1>
    %30 = linalg.generic {indexing_maps = [#map2, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded28 : tensor<2x1x1x8x8xi1>) outs(%29 : tensor<2x1x1x8x8xi1>) {
    ^bb0(%in0: i1, %out: i1):
      %r = arith.xori %in0, %true : i1
      linalg.yield %r : i1
    } -> tensor<2x1x1x8x8xi1>
    %31 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %32 = linalg.generic {indexing_maps = [#map3, #map2, #map4, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%transposed23, %30, %cst_min : tensor<2x2x2x8x8xf32>, tensor<2x1x1x8x8xi1>, tensor<f32>) outs(%31 : tensor<2x2x2x8x8xf32>) {
    ^bb0(%in0: f32, %in1: i1, %in2: f32, %out: f32):
      %r = arith.select %in1, %in2, %in0 : f32
      linalg.yield %r : f32
    } -> tensor<2x2x2x8x8xf32>
    // attention = F.softmax(similarity, dim=-1)
    %33 = tensor.empty() : tensor<2x2x2x8xi64>
    %34 = linalg.fill ins(%c0_i64 : i64) outs(%33 : tensor<2x2x2x8xi64>) -> tensor<2x2x2x8xi64>
    %35 = tensor.empty() : tensor<2x2x2x8xf32>
    %36 = linalg.fill ins(%ninf : f32) outs(%35 : tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32>
    %37:2 = linalg.generic {indexing_maps = [#map3, #map5, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%32 : tensor<2x2x2x8x8xf32>) outs(%36, %34 : tensor<2x2x2x8xf32>, tensor<2x2x2x8xi64>) {
    ^bb0(%in: f32, %out: f32, %out_0: i64):
      %j = linalg.index 4 : index
      %ji = arith.index_cast %j : index to i64
      %mx = arith.maximumf %in, %out : f32
      %gt = arith.cmpf ogt, %in, %out : f32
      %sel = arith.select %gt, %ji, %out_0 : i64
      linalg.yield %mx, %sel : f32, i64
    } -> (tensor<2x2x2x8xf32>, tensor<2x2x2x8xi64>)
    %38 = tensor.expand_shape %37#0 [[0], [1], [2], [3, 4]] output_shape [2, 2, 2, 8, 1] : tensor<2x2x2x8xf32> into tensor<2x2x2x8x1xf32>
    %39 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %40 = linalg.generic {indexing_maps = [#map3, #map6, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%32, %38 : tensor<2x2x2x8x8xf32>, tensor<2x2x2x8x1xf32>) outs(%39 : tensor<2x2x2x8x8xf32>) {
    ^bb0(%in0: f32, %in1: f32, %out: f32):
      %r = arith.subf %in0, %in1 : f32
      linalg.yield %r : f32
    } -> tensor<2x2x2x8x8xf32>
    %41 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %42 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%40 : tensor<2x2x2x8x8xf32>) outs(%41 : tensor<2x2x2x8x8xf32>) {
    ^bb0(%in0: f32, %out: f32):
      %r = math.exp %in0 : f32
      linalg.yield %r : f32
    } -> tensor<2x2x2x8x8xf32>
    %43 = tensor.empty() : tensor<2x2x2x8x1xf32>
    %44 = linalg.fill ins(%zero : f32) outs(%43 : tensor<2x2x2x8x1xf32>) -> tensor<2x2x2x8x1xf32>
    %45 = linalg.generic {indexing_maps = [#map3, #map6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%42 : tensor<2x2x2x8x8xf32>) outs(%44 : tensor<2x2x2x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.addf %in, %out : f32
      linalg.yield %r : f32
    } -> tensor<2x2x2x8x1xf32>
    %46 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %47 = linalg.generic {indexing_maps = [#map3, #map6, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%42, %45 : tensor<2x2x2x8x8xf32>, tensor<2x2x2x8x1xf32>) outs(%46 : tensor<2x2x2x8x8xf32>) {
    ^bb0(%in0: f32, %in1: f32, %out: f32):
      %r = arith.divf %in0, %in1 : f32
      linalg.yield %r : f32
    } -> tensor<2x2x2x8x8xf32>
    // einsum(attention, value, "b g h n s, b h s d -> b g h n d")
    %48 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %transposed49 = linalg.transpose ins(%47 : tensor<2x2x2x8x8xf32>) outs(%48 : tensor<2x2x2x8x8xf32>) permutation = [0, 2, 1, 3, 4]
    %collapsed50 = tensor.collapse_shape %transposed49 [[0, 1], [2, 3], [4]] : tensor<2x2x2x8x8xf32> into tensor<4x16x8xf32>
    %collapsed51 = tensor.collapse_shape %transposed6 [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %52 = tensor.empty() : tensor<4x16x16xf32>
    %53 = linalg.fill ins(%zero : f32) outs(%52 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %54 = linalg.batch_matmul ins(%collapsed50, %collapsed51 : tensor<4x16x8xf32>, tensor<4x8x16xf32>) outs(%53 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %expanded55 = tensor.expand_shape %54 [[0, 1], [2, 3], [4]] output_shape [2, 2, 2, 8, 16] : tensor<4x16x16xf32> into tensor<2x2x2x8x16xf32>
    %56 = tensor.empty() : tensor<2x2x2x8x16xf32>
    %transposed57 = linalg.transpose ins(%expanded55 : tensor<2x2x2x8x16xf32>) outs(%56 : tensor<2x2x2x8x16xf32>) permutation = [0, 2, 1, 3, 4]
    // rearrange(out, "b g h n d -> b n (h g) d")
    %58 = tensor.empty() : tensor<2x8x2x2x16xf32>
    %transposed59 = linalg.transpose ins(%transposed57 : tensor<2x2x2x8x16xf32>) outs(%58 : tensor<2x8x2x2x16xf32>) permutation = [0, 3, 2, 1, 4]
    %collapsed60 = tensor.collapse_shape %transposed59 [[0], [1], [2, 3], [4]] : tensor<2x8x2x2x16xf32> into tensor<2x8x4x16xf32>
    return %collapsed60 : tensor<2x8x4x16xf32>
  }
}

