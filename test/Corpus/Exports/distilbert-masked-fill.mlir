// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// DistilBERT's MultiHeadSelfAttention (HF transformers, eager) through
// torch.export and torch-mlir:
//   q = q / math.sqrt(dim_per_head)                      # scale on Q
//   scores = torch.matmul(q, k.transpose(2, 3))
//   mask = (mask == 0).view(bs, 1, 1, k_length).expand_as(scores)
//   scores = scores.masked_fill(mask, torch.tensor(torch.finfo(f32).min))
//   weights = softmax(scores, dim=-1); context = torch.matmul(weights, v)
//   context.transpose(1, 2).reshape(bs, -1, n_heads * dim_per_head)
// The fill is a 0-d constant tensor read through a map with no results; the
// integer attention_mask [B, S] is an input; softmax is torch-mlir's
// decomposition. B = 2, 2 heads, S = 8, head dim 16.
//
// Issue 12 forms: 2, 3, 4 and 8 (finite fill). A fully padded sequence masks
// every key of its rows: the original gives the mean of V there (every
// score is finfo.min), -inf semantics would give 0, so the raise must carry
// the fill: `fill(finfo.min)` with the keep-mask `attention_mask != 0`.
//
// Execution: the second sequence is fully padded.
// EXEC-CONST: 3 = dense<[[1, 1, 1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @distilbert_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x2x8x16xf32>, %[[K:.*]]: tensor<2x2x8x16xf32>, %[[V:.*]]: tensor<2x2x8x16xf32>, %[[AM:.*]]: tensor<2x8xi64>)
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%{{.*}}) scale(2.500000e-01) fill(-3.40282{{[0-9]*}}E+38) : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<{{[0-9x]*}}xi1> -> tensor<2x2x8x16xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: linalg.transpose ins(%[[O]] : tensor<2x2x8x16xf32>)
// CHECK: return
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1) -> (d0, d1)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> ()>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @distilbert_attention(%arg0: tensor<2x2x8x16xf32>, %arg1: tensor<2x2x8x16xf32>, %arg2: tensor<2x2x8x16xf32>, %arg3: tensor<2x8xi64>) -> tensor<2x8x32xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 4.000000e+00 : f32
    %cst_1 = arith.constant dense<-3.40282347E+38> : tensor<f32>
    %cst_2 = arith.constant 0xFF800000 : f32
    %c0_i64 = arith.constant 0 : i64
    // q = q / math.sqrt(16)
    %0 = tensor.empty() : tensor<2x2x8x16xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<2x2x8x16xf32>) outs(%0 : tensor<2x2x8x16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.divf %in, %cst_0 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x16xf32>
    // scores = torch.matmul(q, k.transpose(2, 3))
    %2 = tensor.empty() : tensor<2x2x16x8xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<2x2x8x16xf32>) outs(%2 : tensor<2x2x16x8xf32>) permutation = [0, 1, 3, 2]
    %collapsed = tensor.collapse_shape %1 [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %collapsed_3 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<2x2x16x8xf32> into tensor<4x16x8xf32>
    %3 = tensor.empty() : tensor<4x8x8xf32>
    %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %5 = linalg.batch_matmul ins(%collapsed, %collapsed_3 : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%4 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %expanded = tensor.expand_shape %5 [[0, 1], [2], [3]] output_shape [2, 2, 8, 8] : tensor<4x8x8xf32> into tensor<2x2x8x8xf32>
    // mask = (mask == 0).view(2, 1, 1, 8).expand_as(scores)
    %6 = tensor.empty() : tensor<2x8xi1>
    %7 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg3 : tensor<2x8xi64>) outs(%6 : tensor<2x8xi1>) {
    ^bb0(%in: i64, %out: i1):
      %30 = arith.cmpi eq, %in, %c0_i64 : i64
      linalg.yield %30 : i1
    } -> tensor<2x8xi1>
    %expanded_4 = tensor.expand_shape %7 [[0], [1, 2, 3]] output_shape [2, 1, 1, 8] : tensor<2x8xi1> into tensor<2x1x1x8xi1>
    %8 = tensor.empty() : tensor<2x2x8x8xi1>
    %9 = linalg.generic {indexing_maps = [#map2, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_4 : tensor<2x1x1x8xi1>) outs(%8 : tensor<2x2x8x8xi1>) {
    ^bb0(%in: i1, %out: i1):
      linalg.yield %in : i1
    } -> tensor<2x2x8x8xi1>
    // scores.masked_fill(mask, torch.tensor(finfo.min))
    %10 = tensor.empty() : tensor<2x2x8x8xf32>
    %11 = linalg.generic {indexing_maps = [#map, #map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %9, %cst_1 : tensor<2x2x8x8xf32>, tensor<2x2x8x8xi1>, tensor<f32>) outs(%10 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_9: i1, %in_10: f32, %out: f32):
      %30 = arith.select %in_9, %in_10, %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    // softmax(dim=-1)
    %12 = tensor.empty() : tensor<2x2x8x1xi64>
    %13 = linalg.fill ins(%c0_i64 : i64) outs(%12 : tensor<2x2x8x1xi64>) -> tensor<2x2x8x1xi64>
    %14 = tensor.empty() : tensor<2x2x8x1xf32>
    %15 = linalg.fill ins(%cst_2 : f32) outs(%14 : tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
    %16:2 = linalg.generic {indexing_maps = [#map, #map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%11 : tensor<2x2x8x8xf32>) outs(%15, %13 : tensor<2x2x8x1xf32>, tensor<2x2x8x1xi64>) {
    ^bb0(%in: f32, %out: f32, %out_9: i64):
      %30 = linalg.index 3 : index
      %31 = arith.index_cast %30 : index to i64
      %32 = arith.maximumf %in, %out : f32
      %33 = arith.cmpf ogt, %in, %out : f32
      %34 = arith.select %33, %31, %out_9 : i64
      linalg.yield %32, %34 : f32, i64
    } -> (tensor<2x2x8x1xf32>, tensor<2x2x8x1xi64>)
    %17 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%11, %16#0 : tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) outs(%10 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_9: f32, %out: f32):
      %30 = arith.subf %in, %in_9 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    %18 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%17 : tensor<2x2x8x8xf32>) outs(%10 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.exp %in : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    %19 = linalg.fill ins(%cst : f32) outs(%14 : tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
    %20 = linalg.generic {indexing_maps = [#map, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%18 : tensor<2x2x8x8xf32>) outs(%19 : tensor<2x2x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.addf %in, %out : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x1xf32>
    %21 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%18, %20 : tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) outs(%10 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_9: f32, %out: f32):
      %30 = arith.divf %in, %in_9 : f32
      linalg.yield %30 : f32
    } -> tensor<2x2x8x8xf32>
    // context = torch.matmul(weights, v)
    %collapsed_5 = tensor.collapse_shape %21 [[0, 1], [2], [3]] : tensor<2x2x8x8xf32> into tensor<4x8x8xf32>
    %collapsed_6 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %22 = tensor.empty() : tensor<4x8x16xf32>
    %23 = linalg.fill ins(%cst : f32) outs(%22 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %24 = linalg.batch_matmul ins(%collapsed_5, %collapsed_6 : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%23 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %expanded_7 = tensor.expand_shape %24 [[0, 1], [2], [3]] output_shape [2, 2, 8, 16] : tensor<4x8x16xf32> into tensor<2x2x8x16xf32>
    // unshape: context.transpose(1, 2).reshape(2, 8, 32)
    %25 = tensor.empty() : tensor<2x8x2x16xf32>
    %transposed_8 = linalg.transpose ins(%expanded_7 : tensor<2x2x8x16xf32>) outs(%25 : tensor<2x8x2x16xf32>) permutation = [0, 2, 1, 3]
    %collapsed_9 = tensor.collapse_shape %transposed_8 [[0], [1], [2, 3]] : tensor<2x8x2x16xf32> into tensor<2x8x32xf32>
    return %collapsed_9 : tensor<2x8x32xf32>
  }
}
