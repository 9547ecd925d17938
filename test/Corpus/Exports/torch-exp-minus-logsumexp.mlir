// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
// Attention on [B*H, S, D] (fairseq's MultiheadAttention layout: q already
// multiplied by `scaling`) with the softmax written in log space,
//   w = torch.bmm(q * 0.25, k.transpose(1, 2))
//   p = torch.exp(w - torch.logsumexp(w, -1, keepdim=True))
//   o = torch.bmm(p, v)
// through torch.export(...).run_decompositions() (the core-ATen
// decomposition of logsumexp:
//   maxes = amax(w, -1, keepdim); maxes = masked_fill(|maxes| == inf, 0)
//   lse = log(sum(exp(w - maxes), -1, keepdim)) + maxes)
// and torch-mlir (keepdim reductions through output maps ending in 0).
// B*H = 4, S = 8, head dim 16.
//
// Issue 12 forms: 5 (softmax as exp(x - logsumexp(x)), with the infinite-max
// guard) and 2 (keepdim reductions).
//
// Execution: the module with a generated main (../Inputs/add_exec_main.py)
// runs (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%exports_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @logspace_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<4x8x16xf32>, %[[K:.*]]: tensor<4x8x16xf32>, %[[V:.*]]: tensor<4x8x16xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: %[[O:.*]] = fa2.attention %[[Q]], %{{.*}}, %[[V]] scale(2.500000e-01) : tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32> -> tensor<4x8x16xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: return %[[O]]
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
module {
  func.func @logspace_attention(%arg0: tensor<4x8x16xf32>, %arg1: tensor<4x8x16xf32>, %arg2: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 2.500000e-01 : f32
    %cst_1 = arith.constant 0xFF800000 : f32
    %cst_2 = arith.constant 0x7F800000 : f32
    // q * scaling
    %0 = tensor.empty() : tensor<4x8x16xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<4x8x16xf32>) outs(%0 : tensor<4x8x16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.mulf %in, %cst_0 : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x16xf32>
    // w = torch.bmm(q, k.transpose(1, 2))
    %2 = tensor.empty() : tensor<4x16x8xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<4x8x16xf32>) outs(%2 : tensor<4x16x8xf32>) permutation = [0, 2, 1]
    %3 = tensor.empty() : tensor<4x8x8xf32>
    %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %5 = linalg.batch_matmul ins(%1, %transposed : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%4 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    // maxes = amax(w, -1, keepdim=True); maxes.masked_fill(|maxes| == inf, 0)
    %6 = tensor.empty() : tensor<4x8x1xf32>
    %7 = linalg.fill ins(%cst_1 : f32) outs(%6 : tensor<4x8x1xf32>) -> tensor<4x8x1xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%5 : tensor<4x8x8xf32>) outs(%7 : tensor<4x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.maximumf %in, %out : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x1xf32>
    %9 = tensor.empty() : tensor<4x8x1xi1>
    %10 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8 : tensor<4x8x1xf32>) outs(%9 : tensor<4x8x1xi1>) {
    ^bb0(%in: f32, %out: i1):
      %30 = math.absf %in : f32
      %31 = arith.cmpf oeq, %30, %cst_2 : f32
      linalg.yield %31 : i1
    } -> tensor<4x8x1xi1>
    %11 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8, %10 : tensor<4x8x1xf32>, tensor<4x8x1xi1>) outs(%6 : tensor<4x8x1xf32>) {
    ^bb0(%in: f32, %in_3: i1, %out: f32):
      %30 = arith.select %in_3, %cst, %in : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x1xf32>
    // lse = log(sum(exp(w - maxes), -1, keepdim=True)) + maxes
    %12 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %11 : tensor<4x8x8xf32>, tensor<4x8x1xf32>) outs(%3 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.subf %in, %in_3 : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x8xf32>
    %13 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%12 : tensor<4x8x8xf32>) outs(%3 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.exp %in : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x8xf32>
    %14 = linalg.fill ins(%cst : f32) outs(%6 : tensor<4x8x1xf32>) -> tensor<4x8x1xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%13 : tensor<4x8x8xf32>) outs(%14 : tensor<4x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = arith.addf %in, %out : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x1xf32>
    %16 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15 : tensor<4x8x1xf32>) outs(%6 : tensor<4x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.log %in : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x1xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%16, %11 : tensor<4x8x1xf32>, tensor<4x8x1xf32>) outs(%6 : tensor<4x8x1xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.addf %in, %in_3 : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x1xf32>
    // p = torch.exp(w - lse)
    %18 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %17 : tensor<4x8x8xf32>, tensor<4x8x1xf32>) outs(%3 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %30 = arith.subf %in, %in_3 : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x8xf32>
    %19 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%18 : tensor<4x8x8xf32>) outs(%3 : tensor<4x8x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.exp %in : f32
      linalg.yield %30 : f32
    } -> tensor<4x8x8xf32>
    // o = torch.bmm(p, v)
    %20 = linalg.fill ins(%cst : f32) outs(%0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    %21 = linalg.batch_matmul ins(%19, %arg2 : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%20 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
    return %21 : tensor<4x8x16xf32>
  }
}
