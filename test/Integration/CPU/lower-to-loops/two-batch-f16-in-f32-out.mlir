// Two batch dimensions, f16 inputs with an f32 output, a bool mask [3, 1, Sq, Sk]
// broadcast over the first batch dimension and the heads.
//
// @reference is the same attention as linalg on tensors; main prints its
// results, then @fa2's, and fa2-compare compares the two halves.
// RUN: fa2-opt %s --fa2-to-cpu | %run_main > %t.0
// RUN: fa2-compare --bits --rtol 2e-3 %t.0 | FileCheck %s
// RUN: fa2-opt %s --fa2-to-cpu="block-q=4 block-k=4" | %run_main > %t.1
// RUN: fa2-compare --bits --rtol 2e-3 %t.1 | FileCheck %s

// CHECK: fa2-compare: {{.*}} nan=0 bad=0{{$}}


func.func @reference(%q: tensor<2x3x2x9x6xf16>, %k: tensor<2x3x2x14x6xf16>, %v: tensor<2x3x2x14x6xf16>, %m: tensor<3x1x9x14xi1>) -> (tensor<2x3x2x9x6xf32>) {
  %empty1 = tensor.empty() : tensor<2x3x2x9x6xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<2x3x2x9x6xf16>) outs(%empty1 : tensor<2x3x2x9x6xf32>) {
  ^bb0(%in0: f16, %out: f32):
    %c = arith.extf %in0 : f16 to f32
    linalg.yield %c : f32
  } -> tensor<2x3x2x9x6xf32>
  %empty3 = tensor.empty() : tensor<2x3x2x14x6xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k : tensor<2x3x2x14x6xf16>) outs(%empty3 : tensor<2x3x2x14x6xf32>) {
  ^bb0(%in0: f16, %out: f32):
    %c = arith.extf %in0 : f16 to f32
    linalg.yield %c : f32
  } -> tensor<2x3x2x14x6xf32>
  %empty5 = tensor.empty() : tensor<2x3x2x14x6xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v : tensor<2x3x2x14x6xf16>) outs(%empty5 : tensor<2x3x2x14x6xf32>) {
  ^bb0(%in0: f16, %out: f32):
    %c = arith.extf %in0 : f16 to f32
    linalg.yield %c : f32
  } -> tensor<2x3x2x14x6xf32>
  %empty7 = tensor.empty() : tensor<2x3x2x9x14xf32>
  %cst8 = arith.constant 0.000000e+00 : f32
  %fill9 = linalg.fill ins(%cst8 : f32) outs(%empty7 : tensor<2x3x2x9x14xf32>) -> tensor<2x3x2x9x14xf32>
  %g10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%g2, %g4 : tensor<2x3x2x9x6xf32>, tensor<2x3x2x14x6xf32>) outs(%fill9 : tensor<2x3x2x9x14xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x2x9x14xf32>
  %empty11 = tensor.empty() : tensor<2x3x2x9x14xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%g10 : tensor<2x3x2x9x14xf32>) outs(%empty11 : tensor<2x3x2x9x14xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %sc = arith.constant 0.25 : f32
    %r = arith.mulf %in0, %sc : f32
    linalg.yield %r : f32
  } -> tensor<2x3x2x9x14xf32>
  %empty13 = tensor.empty() : tensor<2x3x2x9x14xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%g12, %m : tensor<2x3x2x9x14xf32>, tensor<3x1x9x14xi1>) outs(%empty13 : tensor<2x3x2x9x14xf32>) {
  ^bb0(%in0: f32, %in1: i1, %out: f32):
    %ninf = arith.constant 0xFF800000 : f32
    %r = arith.select %in1, %in0, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<2x3x2x9x14xf32>
  %empty15 = tensor.empty() : tensor<2x3x2x9x14xf32>
  %sm16 = linalg.softmax dimension(4) ins(%g14 : tensor<2x3x2x9x14xf32>) outs(%empty15 : tensor<2x3x2x9x14xf32>) -> tensor<2x3x2x9x14xf32>
  %empty17 = tensor.empty() : tensor<2x3x2x9x6xf32>
  %cst18 = arith.constant 0.000000e+00 : f32
  %fill19 = linalg.fill ins(%cst18 : f32) outs(%empty17 : tensor<2x3x2x9x6xf32>) -> tensor<2x3x2x9x6xf32>
  %g20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%sm16, %g6 : tensor<2x3x2x9x14xf32>, tensor<2x3x2x14x6xf32>) outs(%fill19 : tensor<2x3x2x9x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x2x9x6xf32>
  return %g20 : tensor<2x3x2x9x6xf32>
}

func.func @fa2(%q: tensor<2x3x2x9x6xf16>, %k: tensor<2x3x2x14x6xf16>, %v: tensor<2x3x2x14x6xf16>, %m: tensor<3x1x9x14xi1>) -> (tensor<2x3x2x9x6xf32>) {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.25) : tensor<2x3x2x9x6xf16>, tensor<2x3x2x14x6xf16>, tensor<2x3x2x14x6xf16>, tensor<3x1x9x14xi1> -> tensor<2x3x2x9x6xf32>
  return %o : tensor<2x3x2x9x6xf32>
}

func.func @main() {
  %empty1 = tensor.empty() : tensor<2x3x2x9x6xf16>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      outs(%empty1 : tensor<2x3x2x9x6xf16>) {
  ^bb0(%out: f16):
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
    %i4 = linalg.index 4 : index
    %n4 = arith.index_cast %i4 : index to i32
    %x4 = arith.sitofp %n4 : i32 to f32
    %k4 = arith.constant 0.9230 : f32
    %y4 = arith.mulf %x4, %k4 : f32
    %s4 = arith.addf %s3, %y4 : f32
    %ph = arith.constant 0.8700 : f32
    %z = arith.addf %s4, %ph : f32
    %r = math.sin %z : f32
    %rc = arith.truncf %r : f32 to f16
    linalg.yield %rc : f16
  } -> tensor<2x3x2x9x6xf16>
  %empty3 = tensor.empty() : tensor<2x3x2x14x6xf16>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      outs(%empty3 : tensor<2x3x2x14x6xf16>) {
  ^bb0(%out: f16):
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
    %i4 = linalg.index 4 : index
    %n4 = arith.index_cast %i4 : index to i32
    %x4 = arith.sitofp %n4 : i32 to f32
    %k4 = arith.constant 0.2160 : f32
    %y4 = arith.mulf %x4, %k4 : f32
    %s4 = arith.addf %s3, %y4 : f32
    %ph = arith.constant 1.6400 : f32
    %z = arith.addf %s4, %ph : f32
    %r = math.sin %z : f32
    %rc = arith.truncf %r : f32 to f16
    linalg.yield %rc : f16
  } -> tensor<2x3x2x14x6xf16>
  %empty5 = tensor.empty() : tensor<2x3x2x14x6xf16>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      outs(%empty5 : tensor<2x3x2x14x6xf16>) {
  ^bb0(%out: f16):
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
    %i4 = linalg.index 4 : index
    %n4 = arith.index_cast %i4 : index to i32
    %x4 = arith.sitofp %n4 : i32 to f32
    %k4 = arith.constant 0.4090 : f32
    %y4 = arith.mulf %x4, %k4 : f32
    %s4 = arith.addf %s3, %y4 : f32
    %ph = arith.constant 2.4100 : f32
    %z = arith.addf %s4, %ph : f32
    %r = math.sin %z : f32
    %rc = arith.truncf %r : f32 to f16
    linalg.yield %rc : f16
  } -> tensor<2x3x2x14x6xf16>
  %empty7 = tensor.empty() : tensor<3x1x9x14xi1>
  %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty7 : tensor<3x1x9x14xi1>) {
  ^bb0(%out: i1):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
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
  } -> tensor<3x1x9x14xi1>
  %r9 = call @reference(%g2, %g4, %g6, %g8) : (tensor<2x3x2x9x6xf16>, tensor<2x3x2x14x6xf16>, tensor<2x3x2x14x6xf16>, tensor<3x1x9x14xi1>) -> (tensor<2x3x2x9x6xf32>)
  %bits10 = arith.bitcast %r9 : tensor<2x3x2x9x6xf32> to tensor<2x3x2x9x6xi32>
  %u11 = tensor.cast %bits10 : tensor<2x3x2x9x6xi32> to tensor<*xi32>
  call @printMemrefI32(%u11) : (tensor<*xi32>) -> ()
  %r12 = call @fa2(%g2, %g4, %g6, %g8) : (tensor<2x3x2x9x6xf16>, tensor<2x3x2x14x6xf16>, tensor<2x3x2x14x6xf16>, tensor<3x1x9x14xi1>) -> (tensor<2x3x2x9x6xf32>)
  %bits13 = arith.bitcast %r12 : tensor<2x3x2x9x6xf32> to tensor<2x3x2x9x6xi32>
  %u14 = tensor.cast %bits13 : tensor<2x3x2x9x6xi32> to tensor<*xi32>
  call @printMemrefI32(%u14) : (tensor<*xi32>) -> ()
  return
}
func.func private @printMemrefI32(tensor<*xi32>)
