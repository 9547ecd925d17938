// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// MistralAttention (HF transformers, eager) with the model's 4-D mask
// (_prepare_4d_causal_attention_mask_with_cache_position, sliding_window),
// through torch.export and torch-mlir:
//   mask = torch.full((S, S), finfo.min)
//   diag = torch.arange(S) > cache_position.reshape(-1, 1)
//   diag |= torch.arange(S) <= (cache_position.reshape(-1, 1) - sliding_window)
//   mask *= diag; mask = mask[None, None].expand(B, 1, -1, -1)
//   k, v = repeat_kv(k, 2), repeat_kv(v, 2)
//   w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(8) + mask
//   out = torch.matmul(softmax(w, dim=-1, dtype=f32), v).transpose(1, 2)
// sliding_window = 3: query i sees keys i-2 .. i. `mask *= diag` multiplies
// by the bool converted to f32 inside the body (torch's type promotion).
// B = 1 (every size-1 dim read through the constant 0), S = 8, 4 query heads
// over 2 K/V heads, head dim 8; q and k arrive rotated.
//
// Issue 12 forms: 2, 3, 4 and 6 (sliding window + causal in one additive
// finfo.min mask): exactly `causal window(2, 0)` (with or without
// `causal`; the finite fill is not observable since no row is empty).
//
// Execution: the module with a generated main (../Inputs/add_exec_main.py)
// runs (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @mistral_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x8x8xf32>, %[[K:.*]]: tensor<1x2x8x8xf32>, %[[V:.*]]: tensor<1x2x8x8xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// The op may be raised on the bmm's merged [batch·heads] (GQA's h / (Hq/Hkv)
// rule is the same on merged heads) or on [batch, heads].
// CHECK: %[[O:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(0.353553{{[0-9]*}}) {{(causal )?}}window(2, 0){{( fill\(-3.40282[0-9]*E\+38\))?}} : tensor<{{1x4|4}}x8x8xf32>, tensor<{{1x2|2}}x8x8xf32>, tensor<{{1x2|2}}x8x8xf32> -> tensor<{{1x4|4}}x8x8xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: linalg.transpose ins(%{{.*}} : tensor<{{1x4x8x8|4x8x8}}xf32>)
// CHECK: return
#map = affine_map<(d0) -> (d0)>
#map1 = affine_map<(d0, d1) -> (d1)>
#map2 = affine_map<(d0, d1) -> (d0, 0)>
#map3 = affine_map<(d0, d1) -> (d0, d1)>
#map4 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map6 = affine_map<(d0, d1, d2, d3, d4) -> (0, d1, 0, d3, d4)>
#map7 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#map8 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#map9 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map10 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>
#map11 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @mistral_attention(%arg0: tensor<1x4x8x8xf32>, %arg1: tensor<1x2x8x8xf32>, %arg2: tensor<1x2x8x8xf32>) -> tensor<1x8x32xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant -3.40282347E+38 : f32
    %cst_1 = arith.constant 2.82842708 : f32
    %cst_2 = arith.constant 0xFF800000 : f32
    %c0_i64 = arith.constant 0 : i64
    %c3_i64 = arith.constant 3 : i64
    // causal_mask = torch.full((8, 8), finfo.min)
    %0 = tensor.empty() : tensor<8x8xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<8x8xf32>) -> tensor<8x8xf32>
    // torch.arange(8) (keys), cache_position = torch.arange(0, 8)
    %2 = tensor.empty() : tensor<8xi64>
    %3 = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel"]} outs(%2 : tensor<8xi64>) {
    ^bb0(%out: i64):
      %40 = linalg.index 0 : index
      %41 = arith.index_cast %40 : index to i64
      linalg.yield %41 : i64
    } -> tensor<8xi64>
    %4 = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel"]} outs(%2 : tensor<8xi64>) {
    ^bb0(%out: i64):
      %40 = linalg.index 0 : index
      %41 = arith.index_cast %40 : index to i64
      %42 = arith.addi %41, %c0_i64 : i64
      linalg.yield %42 : i64
    } -> tensor<8xi64>
    %expanded = tensor.expand_shape %4 [[0, 1]] output_shape [8, 1] : tensor<8xi64> into tensor<8x1xi64>
    // diagonal_attend_mask = arange > cache_position.reshape(-1, 1)
    %5 = tensor.empty() : tensor<8x8xi1>
    %6 = linalg.generic {indexing_maps = [#map1, #map2, #map3], iterator_types = ["parallel", "parallel"]} ins(%3, %expanded : tensor<8xi64>, tensor<8x1xi64>) outs(%5 : tensor<8x8xi1>) {
    ^bb0(%in: i64, %in_20: i64, %out: i1):
      %40 = arith.cmpi sgt, %in, %in_20 : i64
      linalg.yield %40 : i1
    } -> tensor<8x8xi1>
    // sliding_attend_mask = arange <= (cache_position.reshape(-1, 1) - 3)
    %7 = tensor.empty() : tensor<8x1xi64>
    %8 = linalg.generic {indexing_maps = [#map2, #map3], iterator_types = ["parallel", "parallel"]} ins(%expanded : tensor<8x1xi64>) outs(%7 : tensor<8x1xi64>) {
    ^bb0(%in: i64, %out: i64):
      %40 = arith.subi %in, %c3_i64 : i64
      linalg.yield %40 : i64
    } -> tensor<8x1xi64>
    %9 = linalg.generic {indexing_maps = [#map1, #map2, #map3], iterator_types = ["parallel", "parallel"]} ins(%3, %8 : tensor<8xi64>, tensor<8x1xi64>) outs(%5 : tensor<8x8xi1>) {
    ^bb0(%in: i64, %in_20: i64, %out: i1):
      %40 = arith.cmpi sle, %in, %in_20 : i64
      linalg.yield %40 : i1
    } -> tensor<8x8xi1>
    // diagonal_attend_mask.bitwise_or_(sliding_attend_mask)
    %10 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel"]} ins(%6, %9 : tensor<8x8xi1>, tensor<8x8xi1>) outs(%5 : tensor<8x8xi1>) {
    ^bb0(%in: i1, %in_20: i1, %out: i1):
      %40 = arith.ori %in, %in_20 : i1
      linalg.yield %40 : i1
    } -> tensor<8x8xi1>
    // causal_mask *= diagonal_attend_mask
    %11 = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel"]} ins(%1, %10 : tensor<8x8xf32>, tensor<8x8xi1>) outs(%0 : tensor<8x8xf32>) {
    ^bb0(%in: f32, %in_20: i1, %out: f32):
      %40 = arith.uitofp %in_20 : i1 to f32
      %41 = arith.mulf %in, %40 : f32
      linalg.yield %41 : f32
    } -> tensor<8x8xf32>
    // causal_mask[None, None, :, :].expand(1, 1, -1, -1)
    %expanded_3 = tensor.expand_shape %11 [[0, 1, 2], [3]] output_shape [1, 1, 8, 8] : tensor<8x8xf32> into tensor<1x1x8x8xf32>
    %12 = tensor.empty() : tensor<1x1x8x8xf32>
    %13 = linalg.generic {indexing_maps = [#map4, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_3 : tensor<1x1x8x8xf32>) outs(%12 : tensor<1x1x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x1x8x8xf32>
    // repeat_kv(k, 2), repeat_kv(v, 2)
    %expanded_4 = tensor.expand_shape %arg1 [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 8] : tensor<1x2x8x8xf32> into tensor<1x2x1x8x8xf32>
    %14 = tensor.empty() : tensor<1x2x2x8x8xf32>
    %15 = linalg.generic {indexing_maps = [#map6, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_4 : tensor<1x2x1x8x8xf32>) outs(%14 : tensor<1x2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x2x2x8x8xf32>
    %collapsed = tensor.collapse_shape %15 [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x8xf32> into tensor<1x4x8x8xf32>
    %expanded_5 = tensor.expand_shape %arg2 [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 8] : tensor<1x2x8x8xf32> into tensor<1x2x1x8x8xf32>
    %16 = linalg.generic {indexing_maps = [#map6, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded_5 : tensor<1x2x1x8x8xf32>) outs(%14 : tensor<1x2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x2x2x8x8xf32>
    %collapsed_6 = tensor.collapse_shape %16 [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x8xf32> into tensor<1x4x8x8xf32>
    // attn_weights = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(8) + causal_mask
    %17 = tensor.empty() : tensor<1x4x8x8xf32>
    %transposed = linalg.transpose ins(%collapsed : tensor<1x4x8x8xf32>) outs(%17 : tensor<1x4x8x8xf32>) permutation = [0, 1, 3, 2]
    %collapsed_7 = tensor.collapse_shape %arg0 [[0, 1], [2], [3]] : tensor<1x4x8x8xf32> into tensor<4x8x8xf32>
    %collapsed_8 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<1x4x8x8xf32> into tensor<4x8x8xf32>
    %18 = tensor.empty() : tensor<4x8x8xf32>
    %19 = linalg.fill ins(%cst : f32) outs(%18 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %20 = linalg.batch_matmul ins(%collapsed_7, %collapsed_8 : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%19 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %expanded_9 = tensor.expand_shape %20 [[0, 1], [2], [3]] output_shape [1, 4, 8, 8] : tensor<4x8x8xf32> into tensor<1x4x8x8xf32>
    %21 = linalg.generic {indexing_maps = [#map8, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_9 : tensor<1x4x8x8xf32>) outs(%17 : tensor<1x4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.divf %in, %cst_1 : f32
      linalg.yield %40 : f32
    } -> tensor<1x4x8x8xf32>
    %22 = linalg.generic {indexing_maps = [#map8, #map4, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%21, %13 : tensor<1x4x8x8xf32>, tensor<1x1x8x8xf32>) outs(%17 : tensor<1x4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<1x4x8x8xf32>
    // softmax(dim=-1, dtype=f32)
    %23 = tensor.empty() : tensor<1x4x8xi64>
    %24 = linalg.fill ins(%c0_i64 : i64) outs(%23 : tensor<1x4x8xi64>) -> tensor<1x4x8xi64>
    %25 = tensor.empty() : tensor<1x4x8xf32>
    %26 = linalg.fill ins(%cst_2 : f32) outs(%25 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
    %27:2 = linalg.generic {indexing_maps = [#map5, #map9, #map9], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%22 : tensor<1x4x8x8xf32>) outs(%26, %24 : tensor<1x4x8xf32>, tensor<1x4x8xi64>) {
    ^bb0(%in: f32, %out: f32, %out_20: i64):
      %40 = linalg.index 3 : index
      %41 = arith.index_cast %40 : index to i64
      %42 = arith.maximumf %in, %out : f32
      %43 = arith.cmpf ogt, %in, %out : f32
      %44 = arith.select %43, %41, %out_20 : i64
      linalg.yield %42, %44 : f32, i64
    } -> (tensor<1x4x8xf32>, tensor<1x4x8xi64>)
    %expanded_10 = tensor.expand_shape %27#0 [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
    %28 = linalg.generic {indexing_maps = [#map8, #map10, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%22, %expanded_10 : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%17 : tensor<1x4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.subf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<1x4x8x8xf32>
    %29 = linalg.generic {indexing_maps = [#map8, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%28 : tensor<1x4x8x8xf32>) outs(%17 : tensor<1x4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = math.exp %in : f32
      linalg.yield %40 : f32
    } -> tensor<1x4x8x8xf32>
    %30 = tensor.empty() : tensor<1x4x8x1xf32>
    %31 = linalg.fill ins(%cst : f32) outs(%30 : tensor<1x4x8x1xf32>) -> tensor<1x4x8x1xf32>
    %32 = linalg.generic {indexing_maps = [#map5, #map11], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%29 : tensor<1x4x8x8xf32>) outs(%31 : tensor<1x4x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.addf %in, %out : f32
      linalg.yield %40 : f32
    } -> tensor<1x4x8x1xf32>
    %33 = linalg.generic {indexing_maps = [#map8, #map10, #map5], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%29, %32 : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%17 : tensor<1x4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.divf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<1x4x8x8xf32>
    // attn_output = torch.matmul(attn_weights, v).transpose(1, 2).reshape(1, 8, 32)
    %collapsed_11 = tensor.collapse_shape %33 [[0, 1], [2], [3]] : tensor<1x4x8x8xf32> into tensor<4x8x8xf32>
    %collapsed_12 = tensor.collapse_shape %collapsed_6 [[0, 1], [2], [3]] : tensor<1x4x8x8xf32> into tensor<4x8x8xf32>
    %34 = linalg.batch_matmul ins(%collapsed_11, %collapsed_12 : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%19 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %expanded_13 = tensor.expand_shape %34 [[0, 1], [2], [3]] output_shape [1, 4, 8, 8] : tensor<4x8x8xf32> into tensor<1x4x8x8xf32>
    %35 = tensor.empty() : tensor<1x8x4x8xf32>
    %transposed_14 = linalg.transpose ins(%expanded_13 : tensor<1x4x8x8xf32>) outs(%35 : tensor<1x8x4x8xf32>) permutation = [0, 2, 1, 3]
    %collapsed_15 = tensor.collapse_shape %transposed_14 [[0], [1], [2, 3]] : tensor<1x8x4x8xf32> into tensor<1x8x32xf32>
    return %collapsed_15 : tensor<1x8x32xf32>
  }
}
