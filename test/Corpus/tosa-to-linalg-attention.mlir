// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// Upstream lowering of a TOSA attention: the output of
//   mlir-opt --pass-pipeline="builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg))"
// (Debian's /usr/lib/llvm-22/bin/mlir-opt) on this TOSA function:
//   %kt = tosa.transpose %k {perms = [0, 2, 1]}; %s = tosa.matmul %q, %kt
//   %ss = tosa.mul %s, 0.25; reshape [8,32,32] -> [2,4,32,32]; tosa.add %mask
//   reshape back; reduce_max / sub / exp / reduce_sum / reciprocal / mul
//   %o = tosa.matmul %p, %v
// Batch×heads (8 = 2×4) is split around the [B, 1, 1, Sk] padding mask.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @tosa_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<8x32x16xf32>, %[[K:.*]]: tensor<8x32x16xf32>, %[[V:.*]]: tensor<8x32x16xf32>, %[[M:.*]]: tensor<2x1x1x32xf32>)
// CHECK-DAG: %[[Q4:.*]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 32, 16]
// CHECK-DAG: %[[K4:.*]] = tensor.expand_shape %[[K]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 32, 16]
// CHECK-DAG: %[[V4:.*]] = tensor.expand_shape %[[V]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 32, 16]
// CHECK: %[[O:.*]] = fa2.attention %[[Q4]], %[[K4]], %[[V4]] mask(%[[M]]) scale(2.500000e-01) : tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>, tensor<2x1x1x32xf32> -> tensor<2x4x32x16xf32>
// CHECK: %[[O3:.*]] = tensor.collapse_shape %[[O]] {{\[\[}}0, 1], [2], [3]] : tensor<2x4x32x16xf32> into tensor<8x32x16xf32>
// CHECK-NOT: linalg.
// CHECK: return %[[O3]]

#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (0, 0, 0)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
#map4 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
module {
  func.func @tosa_attention(%arg0: tensor<8x32x16xf32>, %arg1: tensor<8x32x16xf32>, %arg2: tensor<8x32x16xf32>, %arg3: tensor<2x1x1x32xf32>) -> tensor<8x32x16xf32> {
    %0 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %1 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = tensor.empty() : tensor<8x16x32xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<8x32x16xf32>) outs(%2 : tensor<8x16x32xf32>) permutation = [0, 2, 1] 
    %cst = arith.constant 0.000000e+00 : f32
    %3 = tensor.empty() : tensor<8x32x32xf32>
    %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<8x32x32xf32>) -> tensor<8x32x32xf32>
    %5 = linalg.batch_matmul ins(%arg0, %transposed : tensor<8x32x16xf32>, tensor<8x16x32xf32>) outs(%4 : tensor<8x32x32xf32>) -> tensor<8x32x32xf32>
    %6 = "tosa.const"() <{values = dense<2.500000e-01> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %7 = tensor.empty() : tensor<8x32x32xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %6 : tensor<8x32x32xf32>, tensor<1x1x1xf32>) outs(%7 : tensor<8x32x32xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %30 = arith.mulf %in, %in_5 : f32
      linalg.yield %30 : f32
    } -> tensor<8x32x32xf32>
    %9 = tosa.const_shape  {values = dense<[2, 4, 32, 32]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %10 = tosa.reshape %8, %9 : (tensor<8x32x32xf32>, !tosa.shape<4>) -> tensor<2x4x32x32xf32>
    %11 = tensor.empty() : tensor<2x4x32x32xf32>
    %12 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%10, %arg3 : tensor<2x4x32x32xf32>, tensor<2x1x1x32xf32>) outs(%11 : tensor<2x4x32x32xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %30 = arith.addf %in, %in_5 : f32
      linalg.yield %30 : f32
    } -> tensor<2x4x32x32xf32>
    %13 = tosa.const_shape  {values = dense<[8, 32, 32]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %14 = tosa.reshape %12, %13 : (tensor<2x4x32x32xf32>, !tosa.shape<3>) -> tensor<8x32x32xf32>
    %15 = tensor.empty() : tensor<8x32xf32>
    %cst_0 = arith.constant -3.40282347E+38 : f32
    %16 = linalg.fill ins(%cst_0 : f32) outs(%15 : tensor<8x32xf32>) -> tensor<8x32xf32>
    %reduced = linalg.reduce ins(%14 : tensor<8x32x32xf32>) outs(%16 : tensor<8x32xf32>) dimensions = [2] 
      (%in: f32, %init: f32) {
        %30 = arith.maximumf %in, %init : f32
        linalg.yield %30 : f32
      }
    %expanded = tensor.expand_shape %reduced [[0], [1, 2]] output_shape [8, 32, 1] : tensor<8x32xf32> into tensor<8x32x1xf32>
    %17 = tensor.empty() : tensor<8x32x32xf32>
    %18 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%14, %expanded : tensor<8x32x32xf32>, tensor<8x32x1xf32>) outs(%17 : tensor<8x32x32xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %30 = arith.subf %in, %in_5 : f32
      linalg.yield %30 : f32
    } -> tensor<8x32x32xf32>
    %19 = tensor.empty() : tensor<8x32x32xf32>
    %20 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%18 : tensor<8x32x32xf32>) outs(%19 : tensor<8x32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %30 = math.exp %in : f32
      linalg.yield %30 : f32
    } -> tensor<8x32x32xf32>
    %21 = tensor.empty() : tensor<8x32xf32>
    %cst_1 = arith.constant 0.000000e+00 : f32
    %22 = linalg.fill ins(%cst_1 : f32) outs(%21 : tensor<8x32xf32>) -> tensor<8x32xf32>
    %reduced_2 = linalg.reduce ins(%20 : tensor<8x32x32xf32>) outs(%22 : tensor<8x32xf32>) dimensions = [2] 
      (%in: f32, %init: f32) {
        %30 = arith.addf %in, %init : f32
        linalg.yield %30 : f32
      }
    %expanded_3 = tensor.expand_shape %reduced_2 [[0], [1, 2]] output_shape [8, 32, 1] : tensor<8x32xf32> into tensor<8x32x1xf32>
    %23 = tensor.empty() : tensor<8x32x1xf32>
    %24 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_3 : tensor<8x32x1xf32>) outs(%23 : tensor<8x32x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_5 = arith.constant 1.000000e+00 : f32
      %30 = arith.divf %cst_5, %in : f32
      linalg.yield %30 : f32
    } -> tensor<8x32x1xf32>
    %25 = tensor.empty() : tensor<8x32x32xf32>
    %26 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%20, %24 : tensor<8x32x32xf32>, tensor<8x32x1xf32>) outs(%25 : tensor<8x32x32xf32>) {
    ^bb0(%in: f32, %in_5: f32, %out: f32):
      %30 = arith.mulf %in, %in_5 : f32
      linalg.yield %30 : f32
    } -> tensor<8x32x32xf32>
    %cst_4 = arith.constant 0.000000e+00 : f32
    %27 = tensor.empty() : tensor<8x32x16xf32>
    %28 = linalg.fill ins(%cst_4 : f32) outs(%27 : tensor<8x32x16xf32>) -> tensor<8x32x16xf32>
    %29 = linalg.batch_matmul ins(%26, %arg2 : tensor<8x32x32xf32>, tensor<8x32x16xf32>) outs(%28 : tensor<8x32x16xf32>) -> tensor<8x32x16xf32>
    return %29 : tensor<8x32x16xf32>
  }
}

