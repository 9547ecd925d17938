// RUN: fa2-opt %s --fa2-raise-attention=explain=true -o %t.raised.mlir 2> %t.remarks
// RUN: cat %t.remarks %t.raised.mlir | FileCheck %s
// DebertaV2's DisentangledSelfAttention (HF transformers, eager,
// pos_att_type = ["c2p"], position_buckets = -1, att_span = 4) with XSoftmax,
// through torch.export and torch-mlir, on [B*H, S, D] heads:
//   scale = sqrt(16 * 2)
//   scores = torch.bmm(q, k.transpose(-1, -2) / scale)
//   c2p = torch.bmm(q, pos_key_layer.repeat(B, 1, 1).transpose(-1, -2))
//   c2p_pos = torch.clamp(relative_pos + att_span, 0, 2 * att_span - 1)
//   c2p = torch.gather(c2p, -1, c2p_pos.expand(B * H, S, S))   # tensor.extract
//   scores = (scores + c2p / scale).view(B, H, S, S)
//   mask = ext * ext.squeeze(-2).unsqueeze(-1)   # ext = attention_mask[:, None, None, :]
//   probs = XSoftmax(scores, mask, -1):
//           masked_fill(~mask, finfo.min) → softmax → masked_fill(~mask, 0)
//   ctx = torch.bmm(probs.view(B * H, S, S), v)
// torch.gather is a generic whose body reads the c2p scores (the result of
// another contraction of Q) with tensor.extract. B = 2, 2 heads, S = 8,
// head dim 16.
//
// Issue 12 form 1: a body with tensor.extract inside the scores' expression
// must be an opaque leaf (a mask term the matcher does not model): never a
// crash, never a wrong raise. Raised: the relative bias and the keep-mask
// become one float mask, and XSoftmax's zeroing after the finfo.min fill is
// exactly fa2's empty-row rule; the results must agree.
//
// Execution: the second sequence is padded after 5 tokens: its last 3 query
// rows are fully masked (XSoftmax gives 0 there).
// EXEC-CONST: 4 = dense<[[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0, 0]]>
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// Remarks first (none), then the module. XSoftmax's second masked_fill
// zeroes exactly the scores the first one removed, with finfo.min, which
// underflows next to any kept score: P is 0 there either way, and a fully
// removed row is 0, which is fa2.attention without a fill. So it is raised
// with no fill, the relative bias (the gather, an opaque leaf, divided by
// the scale) and the keep mask combined into one float mask that is -inf
// where a score is removed.
// CHECK-NOT: remark
// CHECK-LABEL: func.func @deberta_c2p_attention
// CHECK: tensor.extract
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x2x8x8xf32>, tensor<2x1x8x8xi1>)
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: arith.select %{{.*}}, %{{.*}}, %[[NINF]] : f32
// CHECK: = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]]) scale(0.176776692) : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x8xf32> -> tensor<2x2x8x16xf32>
// CHECK-NOT: math.exp
// CHECK: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map3 = affine_map<(d0) -> (d0)>
#map4 = affine_map<(d0, d1) -> (d0)>
#map5 = affine_map<(d0, d1) -> (d1)>
#map6 = affine_map<(d0, d1) -> (d0, d1)>
#map7 = affine_map<(d0, d1, d2) -> (0, d1, d2)>
#map8 = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
#map9 = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, 0)>
#map10 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map11 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
module {
  func.func @deberta_c2p_attention(%arg0: tensor<4x8x16xf32>, %arg1: tensor<4x8x16xf32>, %arg2: tensor<4x8x16xf32>, %arg3: tensor<2x8x16xf32>, %arg4: tensor<2x8xi64>) -> tensor<4x8x16xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 5.65685415 : f32
    %cst_1 = arith.constant -3.40282347E+38 : f32
    %cst_2 = arith.constant 0xFF800000 : f32
    %c0_i64 = arith.constant 0 : i64
    %c4_i64 = arith.constant 4 : i64
    %c7_i64 = arith.constant 7 : i64
    %true = arith.constant true
    // attention_scores = torch.bmm(q, k.transpose(-1, -2) / scale)
    %0 = tensor.empty() : tensor<4x16x8xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<4x8x16xf32>) outs(%0 : tensor<4x16x8xf32>) permutation = [0, 2, 1]
    %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%transposed : tensor<4x16x8xf32>) outs(%0 : tensor<4x16x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.divf %in, %cst_0 : f32
      linalg.yield %40 : f32
    } -> tensor<4x16x8xf32>
    %2 = tensor.empty() : tensor<4x8x8xf32>
    %3 = linalg.fill ins(%cst : f32) outs(%2 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %4 = linalg.batch_matmul ins(%arg0, %1 : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%3 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    // pos_key_layer.repeat(2, 1, 1); c2p_att = torch.bmm(q, pos_key_layer.transpose(-1, -2))
    %expanded = tensor.expand_shape %arg3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
    %5 = tensor.empty() : tensor<2x2x8x16xf32>
    %6 = linalg.generic {indexing_maps = [#map11, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x2x8x16xf32>) outs(%5 : tensor<2x2x8x16xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<2x2x8x16xf32>
    %collapsed = tensor.collapse_shape %6 [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %transposed_3 = linalg.transpose ins(%collapsed : tensor<4x8x16xf32>) outs(%0 : tensor<4x16x8xf32>) permutation = [0, 2, 1]
    %7 = linalg.batch_matmul ins(%arg0, %transposed_3 : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%3 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    // relative_pos = build_relative_position(8, 8): q_ids[:, None] - k_ids[None, :]
    %8 = tensor.empty() : tensor<8xi64>
    %9 = linalg.generic {indexing_maps = [#map3], iterator_types = ["parallel"]} outs(%8 : tensor<8xi64>) {
    ^bb0(%out: i64):
      %40 = linalg.index 0 : index
      %41 = arith.index_cast %40 : index to i64
      linalg.yield %41 : i64
    } -> tensor<8xi64>
    %10 = tensor.empty() : tensor<8x8xi64>
    %11 = linalg.generic {indexing_maps = [#map4, #map5, #map6], iterator_types = ["parallel", "parallel"]} ins(%9, %9 : tensor<8xi64>, tensor<8xi64>) outs(%10 : tensor<8x8xi64>) {
    ^bb0(%in: i64, %in_10: i64, %out: i64):
      %40 = arith.subi %in, %in_10 : i64
      linalg.yield %40 : i64
    } -> tensor<8x8xi64>
    // c2p_pos = torch.clamp(relative_pos + att_span, 0, 2 * att_span - 1)
    %12 = linalg.generic {indexing_maps = [#map6, #map6], iterator_types = ["parallel", "parallel"]} ins(%11 : tensor<8x8xi64>) outs(%10 : tensor<8x8xi64>) {
    ^bb0(%in: i64, %out: i64):
      %40 = arith.addi %in, %c4_i64 : i64
      %41 = arith.maxsi %40, %c0_i64 : i64
      %42 = arith.minsi %41, %c7_i64 : i64
      linalg.yield %42 : i64
    } -> tensor<8x8xi64>
    %expanded_4 = tensor.expand_shape %12 [[0, 1], [2]] output_shape [1, 8, 8] : tensor<8x8xi64> into tensor<1x8x8xi64>
    %13 = tensor.empty() : tensor<4x8x8xi64>
    %14 = linalg.generic {indexing_maps = [#map7, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_4 : tensor<1x8x8xi64>) outs(%13 : tensor<4x8x8xi64>) {
    ^bb0(%in: i64, %out: i64):
      linalg.yield %in : i64
    } -> tensor<4x8x8xi64>
    // c2p_att = torch.gather(c2p_att, dim=-1, index=c2p_pos)
    %15 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%14 : tensor<4x8x8xi64>) outs(%2 : tensor<4x8x8xf32>) {
    ^bb0(%in: i64, %out: f32):
      %40 = arith.index_cast %in : i64 to index
      %41 = linalg.index 0 : index
      %42 = linalg.index 1 : index
      %extracted = tensor.extract %7[%41, %42, %40] : tensor<4x8x8xf32>
      linalg.yield %extracted : f32
    } -> tensor<4x8x8xf32>
    // score += c2p_att / scale; attention_scores = (attention_scores + score).view(2, 2, 8, 8)
    %16 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15 : tensor<4x8x8xf32>) outs(%2 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.divf %in, %cst_0 : f32
      linalg.yield %40 : f32
    } -> tensor<4x8x8xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%4, %16 : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%2 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %in_10: f32, %out: f32):
      %40 = arith.addf %in, %in_10 : f32
      linalg.yield %40 : f32
    } -> tensor<4x8x8xf32>
    %expanded_5 = tensor.expand_shape %17 [[0, 1], [2], [3]] output_shape [2, 2, 8, 8] : tensor<4x8x8xf32> into tensor<2x2x8x8xf32>
    // mask = ext * ext.squeeze(-2).unsqueeze(-1); rmask = ~mask.bool()
    %expanded_6 = tensor.expand_shape %arg4 [[0], [1, 2, 3]] output_shape [2, 1, 1, 8] : tensor<2x8xi64> into tensor<2x1x1x8xi64>
    %expanded_7 = tensor.expand_shape %arg4 [[0], [1, 2, 3]] output_shape [2, 1, 8, 1] : tensor<2x8xi64> into tensor<2x1x8x1xi64>
    %18 = tensor.empty() : tensor<2x1x8x8xi1>
    %19 = linalg.generic {indexing_maps = [#map8, #map9, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_6, %expanded_7 : tensor<2x1x1x8xi64>, tensor<2x1x8x1xi64>) outs(%18 : tensor<2x1x8x8xi1>) {
    ^bb0(%in: i64, %in_10: i64, %out: i1):
      %40 = arith.muli %in, %in_10 : i64
      %41 = arith.cmpi ne, %40, %c0_i64 : i64
      %42 = arith.xori %41, %true : i1
      linalg.yield %42 : i1
    } -> tensor<2x1x8x8xi1>
    // XSoftmax: masked_fill(rmask, finfo.min), softmax(-1), masked_fill(rmask, 0)
    %20 = tensor.empty() : tensor<2x2x8x8xf32>
    %21 = linalg.generic {indexing_maps = [#map2, #map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_5, %19 : tensor<2x2x8x8xf32>, tensor<2x1x8x8xi1>) outs(%20 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_10: i1, %out: f32):
      %40 = arith.select %in_10, %cst_1, %in : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %22 = tensor.empty() : tensor<2x2x8x1xi64>
    %23 = linalg.fill ins(%c0_i64 : i64) outs(%22 : tensor<2x2x8x1xi64>) -> tensor<2x2x8x1xi64>
    %24 = tensor.empty() : tensor<2x2x8x1xf32>
    %25 = linalg.fill ins(%cst_2 : f32) outs(%24 : tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
    %26:2 = linalg.generic {indexing_maps = [#map2, #map10, #map10], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%21 : tensor<2x2x8x8xf32>) outs(%25, %23 : tensor<2x2x8x1xf32>, tensor<2x2x8x1xi64>) {
    ^bb0(%in: f32, %out: f32, %out_10: i64):
      %40 = linalg.index 3 : index
      %41 = arith.index_cast %40 : index to i64
      %42 = arith.maximumf %in, %out : f32
      %43 = arith.cmpf ogt, %in, %out : f32
      %44 = arith.select %43, %41, %out_10 : i64
      linalg.yield %42, %44 : f32, i64
    } -> (tensor<2x2x8x1xf32>, tensor<2x2x8x1xi64>)
    %27 = linalg.generic {indexing_maps = [#map2, #map10, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%21, %26#0 : tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) outs(%20 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_10: f32, %out: f32):
      %40 = arith.subf %in, %in_10 : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %28 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%27 : tensor<2x2x8x8xf32>) outs(%20 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = math.exp %in : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %29 = linalg.fill ins(%cst : f32) outs(%24 : tensor<2x2x8x1xf32>) -> tensor<2x2x8x1xf32>
    %30 = linalg.generic {indexing_maps = [#map2, #map10], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%28 : tensor<2x2x8x8xf32>) outs(%29 : tensor<2x2x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.addf %in, %out : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x1xf32>
    %31 = linalg.generic {indexing_maps = [#map2, #map10, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%28, %30 : tensor<2x2x8x8xf32>, tensor<2x2x8x1xf32>) outs(%20 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_10: f32, %out: f32):
      %40 = arith.divf %in, %in_10 : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %32 = linalg.generic {indexing_maps = [#map2, #map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%31, %19 : tensor<2x2x8x8xf32>, tensor<2x1x8x8xi1>) outs(%20 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_10: i1, %out: f32):
      %40 = arith.select %in_10, %cst, %in : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    // context_layer = torch.bmm(attention_probs.view(4, 8, 8), v)
    %collapsed_8 = tensor.collapse_shape %32 [[0, 1], [2], [3]] : tensor<2x2x8x8xf32> into tensor<4x8x8xf32>
    %33 = tensor.empty() : tensor<4x8x16xf32>
    %34 = linalg.fill ins(%cst : f32) outs(%33 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %35 = linalg.batch_matmul ins(%collapsed_8, %arg2 : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%34 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    return %35 : tensor<4x8x16xf32>
  }
}
