// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s

// WhisperAttention (HF transformers, eager, decoder self-attention) through
// torch.export and torch-mlir:
//   q = self.q_proj(h) * self.scaling                  # scale on Q, with bias
//   q, k, v = _shape(...).view(bsz * heads, -1, head_dim)
//   w = torch.bmm(q, k.transpose(1, 2))
//   w = w.view(bsz, heads, tgt, src) + attention_mask   # view around the add
//   w = w.view(bsz * heads, tgt, src)
//   w = softmax(w, dim=-1)                              # torch-mlir's, rank 3
//   o = torch.bmm(w, v).view(bsz, heads, tgt, hd).transpose(1, 2).reshape(...)
// attention_mask [B, 1, T, S] is an input of the module (the model prepares
// it). B = 2, T = S = 8, embed 32, 2 heads of 16.
//
// Issue 12 forms: 2 (rank-3 keepdim reductions), 3 (the scores viewed as
// [B, H, T, S] for the mask and back to [B*H, T, S]), 4 (max + argmax).
//
// Execution: the module with a generated main (../Inputs/add_exec_main.py)
// runs (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// The op is 4-D (the mask is [B, 1, T, S]), in either layout; the mask
// operand is the input mask or a view of it.
// CHECK-LABEL: func.func @whisper_self_attention
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// The scaling sits in q_proj's own generic (bias add, then * 0.25), so Q is
// read as that product and the op's scale is 1.
// CHECK: %[[O:.*]] = fa2.attention %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) scale(1.000000e+00){{( layout<bshd>)?}} : {{.*}}xf32> -> tensor<{{2x2x8x16|2x8x2x16}}xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: arith.maximumf
// CHECK: return
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1, d0)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map3 = affine_map<(d0, d1, d2) -> (d2)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
#map6 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map7 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
module {
  func.func @whisper_self_attention(%arg0: tensor<2x8x32xf32>, %arg1: tensor<32x32xf32>, %arg2: tensor<32xf32>, %arg3: tensor<32x32xf32>, %arg4: tensor<32x32xf32>, %arg5: tensor<32xf32>, %arg6: tensor<2x1x8x8xf32>) -> tensor<2x8x32xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 2.500000e-01 : f32
    %cst_1 = arith.constant 0xFF800000 : f32
    %c0_i64 = arith.constant 0 : i64
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x8x32xf32> into tensor<16x32xf32>
    %0 = tensor.empty() : tensor<32x32xf32>
    %1 = tensor.empty() : tensor<16x32xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %3 = tensor.empty() : tensor<2x8x32xf32>
    // q = self.q_proj(h) * self.scaling
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
    %7 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<2x8x32xf32>) outs(%3 : tensor<2x8x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.mulf %in, %cst_0 : f32
      linalg.yield %40 : f32
    } -> tensor<2x8x32xf32>
    // k = self.k_proj(h) (no bias), v = self.v_proj(h)
    %8 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg3 : tensor<32x32xf32>) outs(%0 : tensor<32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<32x32xf32>
    %9 = linalg.matmul ins(%collapsed, %8 : tensor<16x32xf32>, tensor<32x32xf32>) outs(%2 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %expanded_2 = tensor.expand_shape %9 [[0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xf32> into tensor<2x8x32xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg4 : tensor<32x32xf32>) outs(%0 : tensor<32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<32x32xf32>
    %11 = linalg.matmul ins(%collapsed, %10 : tensor<16x32xf32>, tensor<32x32xf32>) outs(%2 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %expanded_3 = tensor.expand_shape %11 [[0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xf32> into tensor<2x8x32xf32>
    %12 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_3, %arg5 : tensor<2x8x32xf32>, tensor<32xf32>) outs(%3 : tensor<2x8x32xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x8x32xf32>
    // _shape(x).view(4, -1, 16): view(2, 8, 2, 16).transpose(1, 2) -> [4, 8, 16]
    %expanded_4 = tensor.expand_shape %7 [[0], [1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<2x8x32xf32> into tensor<2x8x2x16xf32>
    %13 = tensor.empty() : tensor<2x2x8x16xf32>
    %transposed = linalg.transpose ins(%expanded_4 : tensor<2x8x2x16xf32>) outs(%13 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    %collapsed_5 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %expanded_6 = tensor.expand_shape %expanded_2 [[0], [1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<2x8x32xf32> into tensor<2x8x2x16xf32>
    %transposed_7 = linalg.transpose ins(%expanded_6 : tensor<2x8x2x16xf32>) outs(%13 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    %collapsed_8 = tensor.collapse_shape %transposed_7 [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    %expanded_9 = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<2x8x32xf32> into tensor<2x8x2x16xf32>
    %transposed_10 = linalg.transpose ins(%expanded_9 : tensor<2x8x2x16xf32>) outs(%13 : tensor<2x2x8x16xf32>) permutation = [0, 2, 1, 3]
    %collapsed_11 = tensor.collapse_shape %transposed_10 [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
    // attn_weights = torch.bmm(q, k.transpose(1, 2))
    %14 = tensor.empty() : tensor<4x16x8xf32>
    %transposed_12 = linalg.transpose ins(%collapsed_8 : tensor<4x8x16xf32>) outs(%14 : tensor<4x16x8xf32>) permutation = [0, 2, 1]
    %15 = tensor.empty() : tensor<4x8x8xf32>
    %16 = linalg.fill ins(%cst : f32) outs(%15 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %17 = linalg.batch_matmul ins(%collapsed_5, %transposed_12 : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%16 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    // attn_weights.view(2, 2, 8, 8) + attention_mask, .view(4, 8, 8)
    %expanded_13 = tensor.expand_shape %17 [[0, 1], [2], [3]] output_shape [2, 2, 8, 8] : tensor<4x8x8xf32> into tensor<2x2x8x8xf32>
    %18 = tensor.empty() : tensor<2x2x8x8xf32>
    %19 = linalg.generic {indexing_maps = [#map4, #map5, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_13, %arg6 : tensor<2x2x8x8xf32>, tensor<2x1x8x8xf32>) outs(%18 : tensor<2x2x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.addf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<2x2x8x8xf32>
    %collapsed_14 = tensor.collapse_shape %19 [[0, 1], [2], [3]] : tensor<2x2x8x8xf32> into tensor<4x8x8xf32>
    // softmax(dim=-1)
    %20 = tensor.empty() : tensor<4x8xi64>
    %21 = linalg.fill ins(%c0_i64 : i64) outs(%20 : tensor<4x8xi64>) -> tensor<4x8xi64>
    %22 = tensor.empty() : tensor<4x8xf32>
    %23 = linalg.fill ins(%cst_1 : f32) outs(%22 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %24:2 = linalg.generic {indexing_maps = [#map2, #map6, #map6], iterator_types = ["parallel", "parallel", "reduction"]} ins(%collapsed_14 : tensor<4x8x8xf32>) outs(%23, %21 : tensor<4x8xf32>, tensor<4x8xi64>) {
    ^bb0(%in: f32, %out: f32, %out_20: i64):
      %40 = linalg.index 2 : index
      %41 = arith.index_cast %40 : index to i64
      %42 = arith.maximumf %in, %out : f32
      %43 = arith.cmpf ogt, %in, %out : f32
      %44 = arith.select %43, %41, %out_20 : i64
      linalg.yield %42, %44 : f32, i64
    } -> (tensor<4x8xf32>, tensor<4x8xi64>)
    %expanded_15 = tensor.expand_shape %24#0 [[0], [1, 2]] output_shape [4, 8, 1] : tensor<4x8xf32> into tensor<4x8x1xf32>
    %25 = linalg.generic {indexing_maps = [#map2, #map7, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%collapsed_14, %expanded_15 : tensor<4x8x8xf32>, tensor<4x8x1xf32>) outs(%15 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.subf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<4x8x8xf32>
    %26 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%25 : tensor<4x8x8xf32>) outs(%15 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = math.exp %in : f32
      linalg.yield %40 : f32
    } -> tensor<4x8x8xf32>
    %27 = tensor.empty() : tensor<4x8x1xf32>
    %28 = linalg.fill ins(%cst : f32) outs(%27 : tensor<4x8x1xf32>) -> tensor<4x8x1xf32>
    %29 = linalg.generic {indexing_maps = [#map2, #map7], iterator_types = ["parallel", "parallel", "reduction"]} ins(%26 : tensor<4x8x8xf32>) outs(%28 : tensor<4x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %40 = arith.addf %in, %out : f32
      linalg.yield %40 : f32
    } -> tensor<4x8x1xf32>
    %30 = linalg.generic {indexing_maps = [#map2, #map7, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%26, %29 : tensor<4x8x8xf32>, tensor<4x8x1xf32>) outs(%15 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %in_20: f32, %out: f32):
      %40 = arith.divf %in, %in_20 : f32
      linalg.yield %40 : f32
    } -> tensor<4x8x8xf32>
    // attn_output = torch.bmm(attn_probs, v).view(2, 2, 8, 16).transpose(1, 2).reshape(2, 8, 32)
    %31 = tensor.empty() : tensor<4x8x16xf32>
    %32 = linalg.fill ins(%cst : f32) outs(%31 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %33 = linalg.batch_matmul ins(%30, %collapsed_11 : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%32 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %expanded_16 = tensor.expand_shape %33 [[0, 1], [2], [3]] output_shape [2, 2, 8, 16] : tensor<4x8x16xf32> into tensor<2x2x8x16xf32>
    %34 = tensor.empty() : tensor<2x8x2x16xf32>
    %transposed_17 = linalg.transpose ins(%expanded_16 : tensor<2x2x8x16xf32>) outs(%34 : tensor<2x8x2x16xf32>) permutation = [0, 2, 1, 3]
    %collapsed_18 = tensor.collapse_shape %transposed_17 [[0], [1], [2, 3]] : tensor<2x8x2x16xf32> into tensor<2x8x32xf32>
    return %collapsed_18 : tensor<2x8x32xf32>
  }
}
