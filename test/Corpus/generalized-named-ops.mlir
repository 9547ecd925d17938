// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// The output of `mlir-opt --linalg-generalize-named-ops` (Debian's
// /usr/lib/llvm-22/bin/mlir-opt) on a named-op attention: batch_matmul with a
// transposing indexing map, linalg.mul by a constant, linalg.add of a float
// mask, linalg.reduce / broadcast / sub / exp / reduce / broadcast / div,
// batch_matmul. Every op, fills included, is a linalg.generic here.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @named_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<4x32x16xf32>, %[[K:.*]]: tensor<4x32x16xf32>, %[[V:.*]]: tensor<4x32x16xf32>, %[[M:.*]]: tensor<4x32x32xf32>)
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]]) scale(2.500000e-01) : tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x32x32xf32> -> tensor<4x32x16xf32>
// CHECK-NEXT: return %[[O]]

#map = affine_map<(d0, d1, d2) -> ()>
#map1 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map5 = affine_map<(d0, d1) -> ()>
#map6 = affine_map<(d0, d1) -> (d0, d1)>
#map7 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map8 = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
module {
  func.func @named_attention(%arg0: tensor<4x32x16xf32>, %arg1: tensor<4x32x16xf32>, %arg2: tensor<4x32x16xf32>, %arg3: tensor<4x32x32xf32>) -> tensor<4x32x16xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 0xFF800000 : f32
    %cst_1 = arith.constant dense<2.500000e-01> : tensor<4x32x32xf32>
    %0 = tensor.empty() : tensor<4x32x32xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst : f32) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<4x32x32xf32>
    %2 = linalg.generic {indexing_maps = [#map2, #map3, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x32x16xf32>, tensor<4x32x16xf32>) outs(%1 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %18 = arith.mulf %in, %in_2 : f32
      %19 = arith.addf %out, %18 : f32
      linalg.yield %19 : f32
    } -> tensor<4x32x32xf32>
    %3 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%2, %cst_1 : tensor<4x32x32xf32>, tensor<4x32x32xf32>) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %18 = arith.mulf %in, %in_2 : f32
      linalg.yield %18 : f32
    } -> tensor<4x32x32xf32>
    %4 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%3, %arg3 : tensor<4x32x32xf32>, tensor<4x32x32xf32>) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %18 = arith.addf %in, %in_2 : f32
      linalg.yield %18 : f32
    } -> tensor<4x32x32xf32>
    %5 = tensor.empty() : tensor<4x32xf32>
    %6 = linalg.generic {indexing_maps = [#map5, #map6], iterator_types = ["parallel", "parallel"]} ins(%cst_0 : f32) outs(%5 : tensor<4x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<4x32xf32>
    %7 = linalg.generic {indexing_maps = [#map1, #map7], iterator_types = ["parallel", "parallel", "reduction"]} ins(%4 : tensor<4x32x32xf32>) outs(%6 : tensor<4x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.maximumf %in, %out : f32
      linalg.yield %18 : f32
    } -> tensor<4x32xf32>
    %8 = linalg.generic {indexing_maps = [#map7, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<4x32xf32>) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<4x32x32xf32>
    %9 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%4, %8 : tensor<4x32x32xf32>, tensor<4x32x32xf32>) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %18 = arith.subf %in, %in_2 : f32
      linalg.yield %18 : f32
    } -> tensor<4x32x32xf32>
    %10 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%9 : tensor<4x32x32xf32>) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = math.exp %in : f32
      linalg.yield %18 : f32
    } -> tensor<4x32x32xf32>
    %11 = linalg.generic {indexing_maps = [#map5, #map6], iterator_types = ["parallel", "parallel"]} ins(%cst : f32) outs(%5 : tensor<4x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<4x32xf32>
    %12 = linalg.generic {indexing_maps = [#map1, #map7], iterator_types = ["parallel", "parallel", "reduction"]} ins(%10 : tensor<4x32x32xf32>) outs(%11 : tensor<4x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.addf %in, %out : f32
      linalg.yield %18 : f32
    } -> tensor<4x32xf32>
    %13 = linalg.generic {indexing_maps = [#map7, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%12 : tensor<4x32xf32>) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<4x32x32xf32>
    %14 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%10, %13 : tensor<4x32x32xf32>, tensor<4x32x32xf32>) outs(%0 : tensor<4x32x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %18 = arith.divf %in, %in_2 : f32
      linalg.yield %18 : f32
    } -> tensor<4x32x32xf32>
    %15 = tensor.empty() : tensor<4x32x16xf32>
    %16 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst : f32) outs(%15 : tensor<4x32x16xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<4x32x16xf32>
    %17 = linalg.generic {indexing_maps = [#map2, #map8, #map4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%14, %arg2 : tensor<4x32x32xf32>, tensor<4x32x16xf32>) outs(%16 : tensor<4x32x16xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %18 = arith.mulf %in, %in_2 : f32
      %19 = arith.addf %out, %18 : f32
      linalg.yield %19 : f32
    } -> tensor<4x32x16xf32>
    return %17 : tensor<4x32x16xf32>
  }
}

