// RUN: fa2-opt %s --fa2-raise-attention=explain=true -o %t.raised.mlir 2>&1 | FileCheck %s --check-prefix=EXPLAIN
// RUN: FileCheck %s < %t.raised.mlir
//
// Slot Attention (Locatello et al. 2020; lucidrains/slot-attention's
// SlotAttention.forward, one iteration) through torch.export and
// torch-mlir. It looks like attention but normalizes over the *queries*
// (the slots compete for each input), then renormalizes over the inputs:
//   dots = torch.einsum('bid,bjd->bij', q, k) * scale    # q: slots
//   attn = dots.softmax(dim=1) + eps                      # over slots!
//   attn = attn / attn.sum(dim=-1, keepdim=True)
//   updates = torch.einsum('bjd,bij->bid', v, attn)
// B = 2, 4 slots, 8 inputs, dim 16. The einsums are bmm's (torch-mlir's
// einsum decomposition), the softmax is torch-mlir's (keepdim over dim 1).
//
// Negative: the softmax is over the wrong dim (and is followed by a second
// normalization): this must never be raised. The remark must say why.
//
// Execution: both paths must agree (nothing may be raised wrongly).
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// EXPLAIN: remark: not raised to fa2.attention:
// CHECK-LABEL: func.func @slot_attention_step
// CHECK-NOT: fa2.attention
// CHECK: math.exp
// CHECK-NOT: fa2.attention
// CHECK: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d0, d2)>
#map2 = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
module {
  func.func @slot_attention_step(%arg0: tensor<2x4x16xf32>, %arg1: tensor<2x8x16xf32>, %arg2: tensor<2x8x16xf32>) -> tensor<2x4x16xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 2.500000e-01 : f32
    %cst_1 = arith.constant 0xFF800000 : f32
    %cst_2 = arith.constant 9.99999993E-9 : f32
    %c0_i64 = arith.constant 0 : i64
    // dots = einsum('bid,bjd->bij', q, k) * scale
    %0 = tensor.empty() : tensor<2x16x8xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<2x8x16xf32>) outs(%0 : tensor<2x16x8xf32>) permutation = [0, 2, 1]
    %1 = tensor.empty() : tensor<2x4x8xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %3 = linalg.batch_matmul ins(%arg0, %transposed : tensor<2x4x16xf32>, tensor<2x16x8xf32>) outs(%2 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%3 : tensor<2x4x8xf32>) outs(%1 : tensor<2x4x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.mulf %in, %cst_0 : f32
      linalg.yield %20 : f32
    } -> tensor<2x4x8xf32>
    // dots.softmax(dim=1)
    %5 = tensor.empty() : tensor<2x8xi64>
    %6 = linalg.fill ins(%c0_i64 : i64) outs(%5 : tensor<2x8xi64>) -> tensor<2x8xi64>
    %7 = tensor.empty() : tensor<2x8xf32>
    %8 = linalg.fill ins(%cst_1 : f32) outs(%7 : tensor<2x8xf32>) -> tensor<2x8xf32>
    %9:2 = linalg.generic {indexing_maps = [#map, #map1, #map1], iterator_types = ["parallel", "reduction", "parallel"]} ins(%4 : tensor<2x4x8xf32>) outs(%8, %6 : tensor<2x8xf32>, tensor<2x8xi64>) {
    ^bb0(%in: f32, %out: f32, %out_3: i64):
      %20 = linalg.index 1 : index
      %21 = arith.index_cast %20 : index to i64
      %22 = arith.maximumf %in, %out : f32
      %23 = arith.cmpf ogt, %in, %out : f32
      %24 = arith.select %23, %21, %out_3 : i64
      linalg.yield %22, %24 : f32, i64
    } -> (tensor<2x8xf32>, tensor<2x8xi64>)
    %expanded = tensor.expand_shape %9#0 [[0, 1], [2]] output_shape [2, 1, 8] : tensor<2x8xf32> into tensor<2x1x8xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%4, %expanded : tensor<2x4x8xf32>, tensor<2x1x8xf32>) outs(%1 : tensor<2x4x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.subf %in, %in_3 : f32
      linalg.yield %20 : f32
    } -> tensor<2x4x8xf32>
    %11 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%10 : tensor<2x4x8xf32>) outs(%1 : tensor<2x4x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = math.exp %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x4x8xf32>
    %12 = tensor.empty() : tensor<2x1x8xf32>
    %13 = linalg.fill ins(%cst : f32) outs(%12 : tensor<2x1x8xf32>) -> tensor<2x1x8xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "reduction", "parallel"]} ins(%11 : tensor<2x4x8xf32>) outs(%13 : tensor<2x1x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.addf %in, %out : f32
      linalg.yield %20 : f32
    } -> tensor<2x1x8xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%11, %14 : tensor<2x4x8xf32>, tensor<2x1x8xf32>) outs(%1 : tensor<2x4x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.divf %in, %in_3 : f32
      linalg.yield %20 : f32
    } -> tensor<2x4x8xf32>
    // attn = attn + eps; attn = attn / attn.sum(dim=-1, keepdim=True)
    %16 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15 : tensor<2x4x8xf32>) outs(%1 : tensor<2x4x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.addf %in, %cst_2 : f32
      linalg.yield %20 : f32
    } -> tensor<2x4x8xf32>
    %17 = tensor.empty() : tensor<2x4x1xf32>
    %18 = linalg.fill ins(%cst : f32) outs(%17 : tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
    %19 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%16 : tensor<2x4x8xf32>) outs(%18 : tensor<2x4x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.addf %in, %out : f32
      linalg.yield %20 : f32
    } -> tensor<2x4x1xf32>
    %20 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%16, %19 : tensor<2x4x8xf32>, tensor<2x4x1xf32>) outs(%1 : tensor<2x4x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %21 = arith.divf %in, %in_3 : f32
      linalg.yield %21 : f32
    } -> tensor<2x4x8xf32>
    // updates = einsum('bjd,bij->bid', v, attn)
    %21 = tensor.empty() : tensor<2x4x16xf32>
    %22 = linalg.fill ins(%cst : f32) outs(%21 : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %23 = linalg.batch_matmul ins(%20, %arg2 : tensor<2x4x8xf32>, tensor<2x8x16xf32>) outs(%22 : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    return %23 : tensor<2x4x16xf32>
  }
}
