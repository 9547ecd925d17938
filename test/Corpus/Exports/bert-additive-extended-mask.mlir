// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// BertSelfAttention (HF transformers, eager) with get_extended_attention_mask,
// through torch.export and torch-mlir:
//   q, k, v = Linear(hidden) (with bias); transpose_for_scores: view + permute
//   scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(16)
//   ext = (1.0 - attention_mask[:, None, None, :].to(f32)) * finfo.min
//   probs = softmax(scores + ext, dim=-1)
//   ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(B, S, 32)
// softmax here is torch-mlir's other spelling: aten.amax(keepdim) as one
// reduction into [..., 1] through an output map ending in the constant 0.
// B = 2, S = 8, hidden 32, 2 heads of 16.
//
// Issue 12 forms: 2, 3 and 8 (a finite additive mask). A fully padded
// sequence makes every score of its rows exactly finfo.min: the original
// gives the mean of V there; the float mask must stay an ordinary addend
// (no fill, no -inf semantics).
//
// Execution: the second sequence is fully padded.
// EXEC-CONST: 7 = dense<[[1, 1, 1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// The heads may stay in [B, S, H, D] (layout<bshd>, no transposes) or not.
// CHECK-LABEL: func.func @bert_self_attention
// CHECK: arith.sitofp
// CHECK: arith.subf
// CHECK: %[[EXT:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: %[[O:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[EXT]]) scale(2.500000e-01){{( layout<bshd>)?}} : {{.*}}, tensor<2x1x1x8xf32> -> tensor<{{2x2x8x16|2x8x2x16}}xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: return
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1, d0)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map3 = affine_map<(d0, d1, d2) -> (d2)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
#map6 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @bert_self_attention(%arg0: tensor<2x8x32xf32>, %arg1: tensor<32x32xf32>, %arg2: tensor<32xf32>, %arg3: tensor<32x32xf32>, %arg4: tensor<32xf32>, %arg5: tensor<32x32xf32>, %arg6: tensor<32xf32>, %arg7: tensor<2x8xi64>) -> tensor<2x8x32xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 4.000000e+00 : f32
    %cst_1 = arith.constant 1.000000e+00 : f32
    %cst_2 = arith.constant -3.40282347E+38 : f32
    %cst_3 = arith.constant 0xFF800000 : f32
    // query / key / value: aten.linear with bias
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x8x32xf32> into tensor<16x32xf32>
    %0 = tensor.empty() : tensor<32x32xf32>
    %1 = tensor.empty() : tensor<16x32xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %3 = tensor.empty() : tensor<2x8x32xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg1 : tensor<32x32xf32>) outs(%0 : tensor<32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<32x32xf32>
    %5 = linalg.matmul ins(%collapsed, %4 : tensor<16x32xf32>, tensor<32x32xf32>) outs(%2 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %expanded = tensor.expand_shape %5 [[0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xf32> into tensor<2x8x32xf32>
    %6 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded, %arg2 : tensor<2x8x32xf32>, tensor<32xf32>) outs(%3 : tensor<2x8x32xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x8x32xf32>
    %7 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg3 : tensor<32x32xf32>) outs(%0 : tensor<32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<32x32xf32>
    %8 = linalg.matmul ins(%collapsed, %7 : tensor<16x32xf32>, tensor<32x32xf32>) outs(%2 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %expanded_4 = tensor.expand_shape %8 [[0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xf32> into tensor<2x8x32xf32>
    %9 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_4, %arg4 : tensor<2x8x32xf32>, tensor<32xf32>) outs(%3 : tensor<2x8x32xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x8x32xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg5 : tensor<32x32xf32>) outs(%0 : tensor<32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<32x32xf32>
    %11 = linalg.matmul ins(%collapsed, %10 : tensor<16x32xf32>, tensor<32x32xf32>) outs(%2 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %expanded_5 = tensor.expand_shape %11 [[0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xf32> into tensor<2x8x32xf32>
    %12 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_5, %arg6 : tensor<2x8x32xf32>, tensor<32xf32>) outs(%3 : tensor<2x8x32xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x8x32xf32>
    // transpose_for_scores: .view(2, 8, 2, 16).permute(0, 2, 1, 3)
    %expanded_6 = tensor.expand_shape %6 [[0], [1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<2x8x32xf32> into tensor<2x8x2x16xf32>
    %13 = tensor.empty() : tensor<2x2x8x16xf32>
    %transposed = linalg.transpose ins(%expanded_6 : tensor<2x8x2x16xf32>) outs(%13 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    %expanded_7 = tensor.expand_shape %9 [[0], [1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<2x8x32xf32> into tensor<2x8x2x16xf32>
    %transposed_8 = linalg.transpose ins(%expanded_7 : tensor<2x8x2x16xf32>) outs(%13 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    %expanded_9 = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<2x8x32xf32> into tensor<2x8x2x16xf32>
    %transposed_10 = linalg.transpose ins(%expanded_9 : tensor<2x8x2x16xf32>) outs(%13 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    // extended_attention_mask = (1.0 - attention_mask[:, None, None, :].to(f32)) * finfo.min
    %expanded_11 = tensor.expand_shape %arg7 [[0], [1, 2, 3]] output_shape [2, 1, 1, 8] : tensor<2x8xi64> into tensor<2x1x1x8xi64>
    %14 = tensor.empty() : tensor<2x1x1x8xf32>
    %15 = linalg.generic {indexing_maps = [#map5, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_11 : tensor<2x1x1x8xi64>) outs(%14 : tensor<2x1x1x8xf32>) {
    ^bb0(%in: i64, %out: f32):
      %40 = arith.sitofp %in : i64 to f32
      linalg.yield %40 : f32
    } -> tensor<2x1x1x8xf32>
    %16 = linalg.generic {indexing_maps = [#map5, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%15 : tensor<2x1x1x8xf32>) outs(%14 : tensor<2x1x1x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.subf %cst_1, %in : f32
      linalg.yield %40 : f32
    } -> tensor<2x1x1x8xf32>
    %17 = linalg.generic {indexing_maps = [#map5, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%16 : tensor<2x1x1x8xf32>) outs(%14 : tensor<2x1x1x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.mulf %in, %cst_2 : f32
      linalg.yield %40 : f32
    } -> tensor<2x1x1x8xf32>
    // attention_scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(16) + ext
    %18 = tensor.empty() : tensor<2x2x16x8xf32>
    %transposed_12 = linalg.transpose ins(%transposed_8 : tensor<2x2x8x16xf32>) outs(%18 : tensor<2x2x16x8xf32>) permutation = [0, 1, 3, 2]
    %collapsed_13 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %collapsed_14 = tensor.collapse_shape %transposed_12 [[0, 1], [2], [3]] : tensor<2x2x16x8xf32> into tensor<4x16x8xf32>
    %19 = tensor.empty() : tensor<4x8x8xf32>
    %20 = linalg.fill ins(%cst : f32) outs(%19 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %21 = linalg.batch_matmul ins(%collapsed_13, %collapsed_14 : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%20 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %expanded_15 = tensor.expand_shape %21 [[0, 1], [2], [3]] output_shape [2, 2, 8, 8] : tensor<4x8x8xf32> into tensor<2x2x8x8xf32>
    %22 = tensor.empty() : tensor<2x2x8x8xf32>
    %23 = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_15 : tensor<2x2x8x8xf32>) outs(%22 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.divf %in, %cst_0 : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %24 = linalg.generic {indexing_maps = [#map4, #map5, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%23, %17 : tensor<2x2x8x8xf32>, tensor<2x1x1x8xf32>) outs(%22 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    // softmax(dim=-1): amax(keepdim) -> sub -> exp -> sum(keepdim) -> div
    %25 = tensor.empty() : tensor<2x2x8x1xf32>
    %26 = linalg.fill ins(%cst_3 : f32) outs(%25 : tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
    %27 = linalg.generic {indexing_maps = [#map4, #map6], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%24 : tensor<2x2x8x8xf32>) outs(%26 : tensor<2x2x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.maximumf %in, %out : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x1xf32>
    %28 = linalg.generic {indexing_maps = [#map4, #map6, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%24, %27 : tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) outs(%22 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.subf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %29 = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%28 : tensor<2x2x8x8xf32>) outs(%22 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = math.exp %in : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %30 = linalg.fill ins(%cst : f32) outs(%25 : tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
    %31 = linalg.generic {indexing_maps = [#map4, #map6], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%29 : tensor<2x2x8x8xf32>) outs(%30 : tensor<2x2x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.addf %in, %out : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x1xf32>
    %32 = linalg.generic {indexing_maps = [#map4, #map6, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%29, %31 : tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) outs(%22 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.divf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    // context = torch.matmul(probs, v).permute(0, 2, 1, 3).view(2, 8, 32)
    %collapsed_16 = tensor.collapse_shape %32 [[0, 1], [2], [3]] : tensor<2x2x8x8xf32> into tensor<4x8x8xf32>
    %collapsed_17 = tensor.collapse_shape %transposed_10 [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %33 = tensor.empty() : tensor<4x8x16xf32>
    %34 = linalg.fill ins(%cst : f32) outs(%33 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %35 = linalg.batch_matmul ins(%collapsed_16, %collapsed_17 : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%34 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %expanded_18 = tensor.expand_shape %35 [[0, 1], [2], [3]] output_shape [2, 2, 8, 16] : tensor<4x8x16xf32> into tensor<2x2x8x16xf32>
    %36 = tensor.empty() : tensor<2x8x2x16xf32>
    %transposed_19 = linalg.transpose ins(%expanded_18 : tensor<2x2x8x16xf32>) outs(%36 : tensor<2x8x2x16xf32>) permutation = [0, 2, 1, 3]
    %collapsed_20 = tensor.collapse_shape %transposed_19 [[0], [1], [2, 3]] : tensor<2x8x2x16xf32> into tensor<2x8x32xf32>
    return %collapsed_20 : tensor<2x8x32xf32>
  }
}
