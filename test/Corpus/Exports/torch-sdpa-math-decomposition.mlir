// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s

// F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
// through torch.export(...).run_decompositions() and torch-mlir: the math
// path (aten::_scaled_dot_product_attention_math), as PyTorch spells it:
//   s = sqrt(1 / sqrt(E))                       # scale split over Q and K
//   q = q * s
//   mask = ones(L, S, bool).tril()
//   mask = where(mask.logical_not(), -inf, 0.0)  # convert_boolean_attn_mask
//   k, v = k.repeat_interleave(2, -3), v.repeat_interleave(2, -3)
//   attn = matmul(q, k.transpose(-2, -1) * s) + mask
//   attn = _safe_softmax(attn, -1): softmax, then
//          where(all(attn == -inf, -1, keepdim), 0, softmax)
//   out = matmul(attn, v)
// B = 2, 4 query heads over 2 K/V heads, L = S = 8, E = 8.
//
// Issue 12 forms: 2, 3, 4, and the scale split over both operands plus the
// fully-masked-row guard of _safe_softmax (exactly fa2's rule for empty
// rows). Exactly `scale(1 / sqrt(8)) causal` on the un-repeated K/V.
//
// Execution: the module with a generated main (../Inputs/add_exec_main.py)
// runs (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @sdpa_math
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x8xf32>, %[[K:.*]]: tensor<2x2x8x8xf32>, %[[V:.*]]: tensor<2x2x8x8xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(0.35355{{[0-9]*}}) causal : tensor<2x4x8x8xf32>, tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32> -> tensor<2x4x8x8xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK-NOT: arith.andi
// CHECK: return %[[O]]
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1) -> (d0, d1)>
#map2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#map3 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @sdpa_math(%arg0: tensor<2x4x8x8xf32>, %arg1: tensor<2x2x8x8xf32>, %arg2: tensor<2x2x8x8xf32>) -> tensor<2x4x8x8xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 0.594603539 : f32
    %cst_1 = arith.constant 0xFF800000 : f32
    %true = arith.constant true
    %false = arith.constant false
    %c0_i64 = arith.constant 0 : i64
    // query = query * sqrt(scale)
    %0 = tensor.empty() : tensor<2x4x8x8xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<2x4x8x8xf32>) outs(%0 : tensor<2x4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.mulf %in, %cst_0 : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x8xf32>
    // attn_mask = ones(8, 8, bool).tril(); where(attn_mask.logical_not(), -inf, 0.0)
    %2 = tensor.empty() : tensor<8x8xi1>
    %3 = linalg.fill ins(%true : i1) outs(%2 : tensor<8x8xi1>) -> tensor<8x8xi1>
    %4 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%3 : tensor<8x8xi1>) outs(%2 : tensor<8x8xi1>) {
    ^bb0(%in: i1, %out: i1):
      %40 = linalg.index 0 : index
      %41 = arith.index_cast %40 : index to i64
      %42 = linalg.index 1 : index
      %43 = arith.index_cast %42 : index to i64
      %44 = arith.subi %43, %41 : i64
      %45 = arith.cmpi sle, %44, %c0_i64 : i64
      %46 = arith.select %45, %in, %false : i1
      linalg.yield %46 : i1
    } -> tensor<8x8xi1>
    %5 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<8x8xi1>) outs(%2 : tensor<8x8xi1>) {
    ^bb0(%in: i1, %out: i1):
      %40 = arith.xori %in, %true : i1
      linalg.yield %40 : i1
    } -> tensor<8x8xi1>
    %6 = tensor.empty() : tensor<8x8xf32>
    %7 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%5 : tensor<8x8xi1>) outs(%6 : tensor<8x8xf32>) {
    ^bb0(%in: i1, %out: f32):
      %40 = arith.select %in, %cst_1, %cst : f32
      linalg.yield %40 : f32
    } -> tensor<8x8xf32>
    // key.repeat_interleave(2, -3), value.repeat_interleave(2, -3)
    %expanded = tensor.expand_shape %arg1 [[0], [1, 2], [3], [4]] output_shape [2, 2, 1, 8, 8] : tensor<2x2x8x8xf32> into tensor<2x2x1x8x8xf32>
    %8 = tensor.empty() : tensor<2x2x2x8x8xf32>
    %9 = linalg.generic {indexing_maps = [#map2, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x2x1x8x8xf32>) outs(%8 : tensor<2x2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x2x8x8xf32>
    %collapsed = tensor.collapse_shape %9 [[0], [1, 2], [3], [4]] : tensor<2x2x2x8x8xf32> into tensor<2x4x8x8xf32>
    %expanded_2 = tensor.expand_shape %arg2 [[0], [1, 2], [3], [4]] output_shape [2, 2, 1, 8, 8] : tensor<2x2x8x8xf32> into tensor<2x2x1x8x8xf32>
    %10 = linalg.generic {indexing_maps = [#map2, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_2 : tensor<2x2x1x8x8xf32>) outs(%8 : tensor<2x2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x2x8x8xf32>
    %collapsed_3 = tensor.collapse_shape %10 [[0], [1, 2], [3], [4]] : tensor<2x2x2x8x8xf32> into tensor<2x4x8x8xf32>
    // attn = matmul(query, key.transpose(-2, -1) * sqrt(scale))
    %transposed = linalg.transpose ins(%collapsed : tensor<2x4x8x8xf32>) outs(%0 : tensor<2x4x8x8xf32>) permutation = [0, 1, 3, 2]
    %11 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%transposed : tensor<2x4x8x8xf32>) outs(%0 : tensor<2x4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.mulf %in, %cst_0 : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x8xf32>
    %collapsed_4 = tensor.collapse_shape %1 [[0, 1], [2], [3]] : tensor<2x4x8x8xf32> into tensor<8x8x8xf32>
    %collapsed_5 = tensor.collapse_shape %11 [[0, 1], [2], [3]] : tensor<2x4x8x8xf32> into tensor<8x8x8xf32>
    %12 = tensor.empty() : tensor<8x8x8xf32>
    %13 = linalg.fill ins(%cst : f32) outs(%12 : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
    %14 = linalg.batch_matmul ins(%collapsed_4, %collapsed_5 : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%13 : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
    %expanded_6 = tensor.expand_shape %14 [[0, 1], [2], [3]] output_shape [2, 4, 8, 8] : tensor<8x8x8xf32> into tensor<2x4x8x8xf32>
    // attn.add_(attn_mask)
    %15 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_6, %7 : tensor<2x4x8x8xf32>, tensor<8x8xf32>) outs(%0 : tensor<2x4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x8xf32>
    // _safe_softmax(attn, -1): softmax ...
    %16 = tensor.empty() : tensor<2x4x8x1xi64>
    %17 = linalg.fill ins(%c0_i64 : i64) outs(%16 : tensor<2x4x8x1xi64>) -> tensor<2x4x8x1xi64>
    %18 = tensor.empty() : tensor<2x4x8x1xf32>
    %19 = linalg.fill ins(%cst_1 : f32) outs(%18 : tensor<2x4x8x1xf32>) -> tensor<2x4x8x1xf32>
    %20:2 = linalg.generic {indexing_maps = [#map, #map5, #map5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%15 : tensor<2x4x8x8xf32>) outs(%19, %17 : tensor<2x4x8x1xf32>, tensor<2x4x8x1xi64>) {
    ^bb0(%in: f32, %out: f32, %out_20: i64):
      %40 = linalg.index 3 : index
      %41 = arith.index_cast %40 : index to i64
      %42 = arith.maximumf %in, %out : f32
      %43 = arith.cmpf ogt, %in, %out : f32
      %44 = arith.select %43, %41, %out_20 : i64
      linalg.yield %42, %44 : f32, i64
    } -> (tensor<2x4x8x1xf32>, tensor<2x4x8x1xi64>)
    %21 = linalg.generic {indexing_maps = [#map, #map5, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%15, %20#0 : tensor<2x4x8x8xf32>, tensor<2x4x8x1xf32>) outs(%0 : tensor<2x4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.subf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x8xf32>
    %22 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%21 : tensor<2x4x8x8xf32>) outs(%0 : tensor<2x4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = math.exp %in : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x8xf32>
    %23 = linalg.fill ins(%cst : f32) outs(%18 : tensor<2x4x8x1xf32>) -> tensor<2x4x8x1xf32>
    %24 = linalg.generic {indexing_maps = [#map, #map5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%22 : tensor<2x4x8x8xf32>) outs(%23 : tensor<2x4x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.addf %in, %out : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x1xf32>
    %25 = linalg.generic {indexing_maps = [#map, #map5, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%22, %24 : tensor<2x4x8x8xf32>, tensor<2x4x8x1xf32>) outs(%0 : tensor<2x4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.divf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x8xf32>
    // ... masked_rows = all(attn == -inf, -1, keepdim=True); where(masked_rows, 0, softmax)
    %26 = tensor.empty() : tensor<2x4x8x8xi1>
    %27 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%15 : tensor<2x4x8x8xf32>) outs(%26 : tensor<2x4x8x8xi1>) {
    ^bb0(%in: f32, %out: i1):
      %40 = arith.cmpf oeq, %in, %cst_1 : f32
      linalg.yield %40 : i1
    } -> tensor<2x4x8x8xi1>
    %28 = tensor.empty() : tensor<2x4x8x1xi1>
    %29 = linalg.fill ins(%true : i1) outs(%28 : tensor<2x4x8x1xi1>) -> tensor<2x4x8x1xi1>
    %30 = linalg.generic {indexing_maps = [#map, #map5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%27 : tensor<2x4x8x8xi1>) outs(%29 : tensor<2x4x8x1xi1>) {
    ^bb0(%in: i1, %out: i1):
      %40 = arith.andi %in, %out : i1
      linalg.yield %40 : i1
    } -> tensor<2x4x8x1xi1>
    %31 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
    %32 = linalg.generic {indexing_maps = [#map5, #map, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%30, %31, %25 : tensor<2x4x8x1xi1>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) outs(%0 : tensor<2x4x8x8xf32>) {
    ^bb0(%in: i1, %in_20: f32, %in_21: f32, %out: f32):
      %40 = arith.select %in, %in_20, %in_21 : f32
      linalg.yield %40 : f32
    } -> tensor<2x4x8x8xf32>
    // matmul(attn, value)
    %collapsed_7 = tensor.collapse_shape %32 [[0, 1], [2], [3]] : tensor<2x4x8x8xf32> into tensor<8x8x8xf32>
    %collapsed_8 = tensor.collapse_shape %collapsed_3 [[0, 1], [2], [3]] : tensor<2x4x8x8xf32> into tensor<8x8x8xf32>
    %33 = linalg.batch_matmul ins(%collapsed_7, %collapsed_8 : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%13 : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
    %expanded_9 = tensor.expand_shape %33 [[0, 1], [2], [3]] output_shape [2, 4, 8, 8] : tensor<8x8x8xf32> into tensor<2x4x8x8xf32>
    return %expanded_9 : tensor<2x4x8x8xf32>
  }
}
