// Every dimension dynamic (tensor<?x?x?x?>), GQA, and a bool mask
// tensor<?x?xi1> whose first dimension is 1 at run time, so it broadcasts
// over the query rows by a run-time check.
//
// @reference is the same attention as linalg on tensors; main prints its
// results, then @fa2's, and fa2-compare compares the two halves.
// RUN: fa2-opt %s --fa2-to-cpu | %run_main > %t.0
// RUN: fa2-compare --bits %t.0 | FileCheck %s
// RUN: fa2-opt %s --fa2-to-cpu="block-q=4 block-k=8" | %run_main > %t.1
// RUN: fa2-compare --bits %t.1 | FileCheck %s

// CHECK: fa2-compare: {{.*}} nan=0 bad=0{{$}}


func.func @reference(%q: tensor<2x4x11x8xf32>, %k: tensor<2x2x19x8xf32>, %v: tensor<2x2x19x8xf32>, %m: tensor<1x19xi1>) -> (tensor<2x4x11x8xf32>) {
  %empty1 = tensor.empty() : tensor<2x2x2x19x8xf32>
  %bc2 = linalg.broadcast ins(%k : tensor<2x2x19x8xf32>) outs(%empty1 : tensor<2x2x2x19x8xf32>) dimensions = [2]
  %col3 = tensor.collapse_shape %bc2 [[0], [1, 2], [3], [4]] : tensor<2x2x2x19x8xf32> into tensor<2x4x19x8xf32>
  %empty4 = tensor.empty() : tensor<2x2x2x19x8xf32>
  %bc5 = linalg.broadcast ins(%v : tensor<2x2x19x8xf32>) outs(%empty4 : tensor<2x2x2x19x8xf32>) dimensions = [2]
  %col6 = tensor.collapse_shape %bc5 [[0], [1, 2], [3], [4]] : tensor<2x2x2x19x8xf32> into tensor<2x4x19x8xf32>
  %empty7 = tensor.empty() : tensor<2x4x11x19xf32>
  %cst8 = arith.constant 0.000000e+00 : f32
  %fill9 = linalg.fill ins(%cst8 : f32) outs(%empty7 : tensor<2x4x11x19xf32>) -> tensor<2x4x11x19xf32>
  %g10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %col3 : tensor<2x4x11x8xf32>, tensor<2x4x19x8xf32>) outs(%fill9 : tensor<2x4x11x19xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x11x19xf32>
  %empty11 = tensor.empty() : tensor<2x4x11x19xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g10 : tensor<2x4x11x19xf32>) outs(%empty11 : tensor<2x4x11x19xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %sc = arith.constant 0.25 : f32
    %r = arith.mulf %in0, %sc : f32
    linalg.yield %r : f32
  } -> tensor<2x4x11x19xf32>
  %empty13 = tensor.empty() : tensor<2x4x11x19xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g12, %m : tensor<2x4x11x19xf32>, tensor<1x19xi1>) outs(%empty13 : tensor<2x4x11x19xf32>) {
  ^bb0(%in0: f32, %in1: i1, %out: f32):
    %ninf = arith.constant 0xFF800000 : f32
    %r = arith.select %in1, %in0, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<2x4x11x19xf32>
  %empty15 = tensor.empty() : tensor<2x4x11x19xf32>
  %g16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g14 : tensor<2x4x11x19xf32>) outs(%empty15 : tensor<2x4x11x19xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %off = arith.constant 8 : index
    %lim = arith.addi %i, %off : index
    %hide = arith.cmpi sgt, %j, %lim : index
    %ninf = arith.constant 0xFF800000 : f32
    %r = arith.select %hide, %ninf, %in0 : f32
    linalg.yield %r : f32
  } -> tensor<2x4x11x19xf32>
  %empty17 = tensor.empty() : tensor<2x4x11x19xf32>
  %sm18 = linalg.softmax dimension(3) ins(%g16 : tensor<2x4x11x19xf32>) outs(%empty17 : tensor<2x4x11x19xf32>) -> tensor<2x4x11x19xf32>
  %empty19 = tensor.empty() : tensor<2x4x11x8xf32>
  %cst20 = arith.constant 0.000000e+00 : f32
  %fill21 = linalg.fill ins(%cst20 : f32) outs(%empty19 : tensor<2x4x11x8xf32>) -> tensor<2x4x11x8xf32>
  %g22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%sm18, %col6 : tensor<2x4x11x19xf32>, tensor<2x4x19x8xf32>) outs(%fill21 : tensor<2x4x11x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x11x8xf32>
  return %g22 : tensor<2x4x11x8xf32>
}

func.func @fa2(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %m: tensor<?x?xi1>) -> (tensor<?x?x?x?xf32>) {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.25) causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?xi1> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @main() {
  %empty1 = tensor.empty() : tensor<2x4x11x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty1 : tensor<2x4x11x8xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %n0 = arith.index_cast %i0 : index to i32
    %x0 = arith.sitofp %n0 : i32 to f32
    %k0 = arith.constant 1.1430 : f32
    %y0 = arith.mulf %x0, %k0 : f32
    %i1 = linalg.index 1 : index
    %n1 = arith.index_cast %i1 : index to i32
    %x1 = arith.sitofp %n1 : i32 to f32
    %k1 = arith.constant 0.7230 : f32
    %y1 = arith.mulf %x1, %k1 : f32
    %s1 = arith.addf %y0, %y1 : f32
    %i2 = linalg.index 2 : index
    %n2 = arith.index_cast %i2 : index to i32
    %x2 = arith.sitofp %n2 : i32 to f32
    %k2 = arith.constant 0.3030 : f32
    %y2 = arith.mulf %x2, %k2 : f32
    %s2 = arith.addf %s1, %y2 : f32
    %i3 = linalg.index 3 : index
    %n3 = arith.index_cast %i3 : index to i32
    %x3 = arith.sitofp %n3 : i32 to f32
    %k3 = arith.constant 0.5430 : f32
    %y3 = arith.mulf %x3, %k3 : f32
    %s3 = arith.addf %s2, %y3 : f32
    %ph = arith.constant 0.8700 : f32
    %z = arith.addf %s3, %ph : f32
    %r = math.sin %z : f32
    linalg.yield %r : f32
  } -> tensor<2x4x11x8xf32>
  %empty3 = tensor.empty() : tensor<2x2x19x8xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty3 : tensor<2x2x19x8xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %n0 = arith.index_cast %i0 : index to i32
    %x0 = arith.sitofp %n0 : i32 to f32
    %k0 = arith.constant 0.7360 : f32
    %y0 = arith.mulf %x0, %k0 : f32
    %i1 = linalg.index 1 : index
    %n1 = arith.index_cast %i1 : index to i32
    %x1 = arith.sitofp %n1 : i32 to f32
    %k1 = arith.constant 0.3160 : f32
    %y1 = arith.mulf %x1, %k1 : f32
    %s1 = arith.addf %y0, %y1 : f32
    %i2 = linalg.index 2 : index
    %n2 = arith.index_cast %i2 : index to i32
    %x2 = arith.sitofp %n2 : i32 to f32
    %k2 = arith.constant 0.5560 : f32
    %y2 = arith.mulf %x2, %k2 : f32
    %s2 = arith.addf %s1, %y2 : f32
    %i3 = linalg.index 3 : index
    %n3 = arith.index_cast %i3 : index to i32
    %x3 = arith.sitofp %n3 : i32 to f32
    %k3 = arith.constant 0.9360 : f32
    %y3 = arith.mulf %x3, %k3 : f32
    %s3 = arith.addf %s2, %y3 : f32
    %ph = arith.constant 1.6400 : f32
    %z = arith.addf %s3, %ph : f32
    %r = math.sin %z : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19x8xf32>
  %empty5 = tensor.empty() : tensor<2x2x19x8xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty5 : tensor<2x2x19x8xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %n0 = arith.index_cast %i0 : index to i32
    %x0 = arith.sitofp %n0 : i32 to f32
    %k0 = arith.constant 0.3290 : f32
    %y0 = arith.mulf %x0, %k0 : f32
    %i1 = linalg.index 1 : index
    %n1 = arith.index_cast %i1 : index to i32
    %x1 = arith.sitofp %n1 : i32 to f32
    %k1 = arith.constant 0.5690 : f32
    %y1 = arith.mulf %x1, %k1 : f32
    %s1 = arith.addf %y0, %y1 : f32
    %i2 = linalg.index 2 : index
    %n2 = arith.index_cast %i2 : index to i32
    %x2 = arith.sitofp %n2 : i32 to f32
    %k2 = arith.constant 0.9490 : f32
    %y2 = arith.mulf %x2, %k2 : f32
    %s2 = arith.addf %s1, %y2 : f32
    %i3 = linalg.index 3 : index
    %n3 = arith.index_cast %i3 : index to i32
    %x3 = arith.sitofp %n3 : i32 to f32
    %k3 = arith.constant 0.2290 : f32
    %y3 = arith.mulf %x3, %k3 : f32
    %s3 = arith.addf %s2, %y3 : f32
    %ph = arith.constant 2.4100 : f32
    %z = arith.addf %s3, %ph : f32
    %r = math.sin %z : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19x8xf32>
  %empty7 = tensor.empty() : tensor<1x19xi1>
  %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%empty7 : tensor<1x19xi1>) {
  ^bb0(%out: i1):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c5 = arith.constant 5 : index
    %c3 = arith.constant 3 : index
    %cs = arith.constant 0 : index
    %c7 = arith.constant 7 : index
    %c0 = arith.constant 0 : index
    %a = arith.muli %i, %c5 : index
    %b = arith.muli %j, %c3 : index
    %ab = arith.addi %a, %b : index
    %abs = arith.addi %ab, %cs : index
    %r = arith.remui %abs, %c7 : index
    %keep = arith.cmpi ne, %r, %c0 : index
    linalg.yield %keep : i1
  } -> tensor<1x19xi1>
  %r9 = call @reference(%g2, %g4, %g6, %g8) : (tensor<2x4x11x8xf32>, tensor<2x2x19x8xf32>, tensor<2x2x19x8xf32>, tensor<1x19xi1>) -> (tensor<2x4x11x8xf32>)
  %bits10 = arith.bitcast %r9 : tensor<2x4x11x8xf32> to tensor<2x4x11x8xi32>
  %u11 = tensor.cast %bits10 : tensor<2x4x11x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u11) : (tensor<*xi32>) -> ()
  %dyn13 = tensor.cast %g2 : tensor<2x4x11x8xf32> to tensor<?x?x?x?xf32>
  %dyn14 = tensor.cast %g4 : tensor<2x2x19x8xf32> to tensor<?x?x?x?xf32>
  %dyn15 = tensor.cast %g6 : tensor<2x2x19x8xf32> to tensor<?x?x?x?xf32>
  %dyn16 = tensor.cast %g8 : tensor<1x19xi1> to tensor<?x?xi1>
  %r12 = call @fa2(%dyn13, %dyn14, %dyn15, %dyn16) : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?xi1>) -> (tensor<?x?x?x?xf32>)
  %st17 = tensor.cast %r12 : tensor<?x?x?x?xf32> to tensor<2x4x11x8xf32>
  %bits18 = arith.bitcast %st17 : tensor<2x4x11x8xf32> to tensor<2x4x11x8xi32>
  %u19 = tensor.cast %bits18 : tensor<2x4x11x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u19) : (tensor<*xi32>) -> ()
  return
}
func.func private @printMemrefI32(tensor<*xi32>)
