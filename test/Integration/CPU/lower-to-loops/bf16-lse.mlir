// bf16 in and out, LSE in f32.
//
// @reference is the same attention as linalg on tensors; main prints its
// results, then @fa2's, and fa2-compare compares the two halves.
// RUN: fa2-opt %s --fa2-to-cpu | %run_main > %t.0
// RUN: fa2-compare --bits --rtol 1.6e-2 %t.0 | FileCheck %s

// CHECK: fa2-compare: {{.*}} nan=0 bad=0{{$}}


func.func @reference(%q: tensor<1x2x17x8xbf16>, %k: tensor<1x2x33x8xbf16>, %v: tensor<1x2x33x8xbf16>) -> (tensor<1x2x17x8xbf16>, tensor<1x2x17xf32>) {
  %empty1 = tensor.empty() : tensor<1x2x17x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<1x2x17x8xbf16>) outs(%empty1 : tensor<1x2x17x8xf32>) {
  ^bb0(%in0: bf16, %out: f32):
    %c = arith.extf %in0 : bf16 to f32
    linalg.yield %c : f32
  } -> tensor<1x2x17x8xf32>
  %empty3 = tensor.empty() : tensor<1x2x33x8xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%k : tensor<1x2x33x8xbf16>) outs(%empty3 : tensor<1x2x33x8xf32>) {
  ^bb0(%in0: bf16, %out: f32):
    %c = arith.extf %in0 : bf16 to f32
    linalg.yield %c : f32
  } -> tensor<1x2x33x8xf32>
  %empty5 = tensor.empty() : tensor<1x2x33x8xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%v : tensor<1x2x33x8xbf16>) outs(%empty5 : tensor<1x2x33x8xf32>) {
  ^bb0(%in0: bf16, %out: f32):
    %c = arith.extf %in0 : bf16 to f32
    linalg.yield %c : f32
  } -> tensor<1x2x33x8xf32>
  %empty7 = tensor.empty() : tensor<1x2x17x33xf32>
  %cst8 = arith.constant 0.000000e+00 : f32
  %fill9 = linalg.fill ins(%cst8 : f32) outs(%empty7 : tensor<1x2x17x33xf32>) -> tensor<1x2x17x33xf32>
  %g10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%g2, %g4 : tensor<1x2x17x8xf32>, tensor<1x2x33x8xf32>) outs(%fill9 : tensor<1x2x17x33xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x2x17x33xf32>
  %empty11 = tensor.empty() : tensor<1x2x17x33xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g10 : tensor<1x2x17x33xf32>) outs(%empty11 : tensor<1x2x17x33xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %sc = arith.constant 0.25 : f32
    %r = arith.mulf %in0, %sc : f32
    linalg.yield %r : f32
  } -> tensor<1x2x17x33xf32>
  %empty13 = tensor.empty() : tensor<1x2x17xf32>
  %cst14 = arith.constant 0xFF800000 : f32
  %fill15 = linalg.fill ins(%cst14 : f32) outs(%empty13 : tensor<1x2x17xf32>) -> tensor<1x2x17xf32>
  %g16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g12 : tensor<1x2x17x33xf32>) outs(%fill15 : tensor<1x2x17xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<1x2x17xf32>
  %empty17 = tensor.empty() : tensor<1x2x17x33xf32>
  %g18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g12, %g16 : tensor<1x2x17x33xf32>, tensor<1x2x17xf32>) outs(%empty17 : tensor<1x2x17x33xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %d = arith.subf %in0, %in1 : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<1x2x17x33xf32>
  %empty19 = tensor.empty() : tensor<1x2x17xf32>
  %cst20 = arith.constant 0.000000e+00 : f32
  %fill21 = linalg.fill ins(%cst20 : f32) outs(%empty19 : tensor<1x2x17xf32>) -> tensor<1x2x17xf32>
  %g22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g18 : tensor<1x2x17x33xf32>) outs(%fill21 : tensor<1x2x17xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<1x2x17xf32>
  %empty23 = tensor.empty() : tensor<1x2x17x33xf32>
  %g24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g18, %g22 : tensor<1x2x17x33xf32>, tensor<1x2x17xf32>) outs(%empty23 : tensor<1x2x17x33xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.divf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<1x2x17x33xf32>
  %empty25 = tensor.empty() : tensor<1x2x17xf32>
  %g26 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g16, %g22 : tensor<1x2x17xf32>, tensor<1x2x17xf32>) outs(%empty25 : tensor<1x2x17xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %l = math.log %in1 : f32
    %r = arith.addf %l, %in0 : f32
    linalg.yield %r : f32
  } -> tensor<1x2x17xf32>
  %empty27 = tensor.empty() : tensor<1x2x17x8xf32>
  %cst28 = arith.constant 0.000000e+00 : f32
  %fill29 = linalg.fill ins(%cst28 : f32) outs(%empty27 : tensor<1x2x17x8xf32>) -> tensor<1x2x17x8xf32>
  %g30 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%g24, %g6 : tensor<1x2x17x33xf32>, tensor<1x2x33x8xf32>) outs(%fill29 : tensor<1x2x17x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x2x17x8xf32>
  %empty31 = tensor.empty() : tensor<1x2x17x8xbf16>
  %g32 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g30 : tensor<1x2x17x8xf32>) outs(%empty31 : tensor<1x2x17x8xbf16>) {
  ^bb0(%in0: f32, %out: bf16):
    %c = arith.truncf %in0 : f32 to bf16
    linalg.yield %c : bf16
  } -> tensor<1x2x17x8xbf16>
  return %g32, %g26 : tensor<1x2x17x8xbf16>, tensor<1x2x17xf32>
}

func.func @fa2(%q: tensor<1x2x17x8xbf16>, %k: tensor<1x2x33x8xbf16>, %v: tensor<1x2x33x8xbf16>) -> (tensor<1x2x17x8xbf16>, tensor<1x2x17xf32>) {
  %o, %l = fa2.attention %q, %k, %v scale(0.25) : tensor<1x2x17x8xbf16>, tensor<1x2x33x8xbf16>, tensor<1x2x33x8xbf16> -> tensor<1x2x17x8xbf16>, tensor<1x2x17xf32>
  return %o, %l : tensor<1x2x17x8xbf16>, tensor<1x2x17xf32>
}

func.func @main() {
  %empty1 = tensor.empty() : tensor<1x2x17x8xbf16>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty1 : tensor<1x2x17x8xbf16>) {
  ^bb0(%out: bf16):
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
    %rc = arith.truncf %r : f32 to bf16
    linalg.yield %rc : bf16
  } -> tensor<1x2x17x8xbf16>
  %empty3 = tensor.empty() : tensor<1x2x33x8xbf16>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty3 : tensor<1x2x33x8xbf16>) {
  ^bb0(%out: bf16):
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
    %rc = arith.truncf %r : f32 to bf16
    linalg.yield %rc : bf16
  } -> tensor<1x2x33x8xbf16>
  %empty5 = tensor.empty() : tensor<1x2x33x8xbf16>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty5 : tensor<1x2x33x8xbf16>) {
  ^bb0(%out: bf16):
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
    %rc = arith.truncf %r : f32 to bf16
    linalg.yield %rc : bf16
  } -> tensor<1x2x33x8xbf16>
  %r7:2 = call @reference(%g2, %g4, %g6) : (tensor<1x2x17x8xbf16>, tensor<1x2x33x8xbf16>, tensor<1x2x33x8xbf16>) -> (tensor<1x2x17x8xbf16>, tensor<1x2x17xf32>)
  %empty8 = tensor.empty() : tensor<1x2x17x8xf32>
  %g9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r7#0 : tensor<1x2x17x8xbf16>) outs(%empty8 : tensor<1x2x17x8xf32>) {
  ^bb0(%in0: bf16, %out: f32):
    %c = arith.extf %in0 : bf16 to f32
    linalg.yield %c : f32
  } -> tensor<1x2x17x8xf32>
  %bits10 = arith.bitcast %g9 : tensor<1x2x17x8xf32> to tensor<1x2x17x8xi32>
  %u11 = tensor.cast %bits10 : tensor<1x2x17x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u11) : (tensor<*xi32>) -> ()
  %bits12 = arith.bitcast %r7#1 : tensor<1x2x17xf32> to tensor<1x2x17xi32>
  %u13 = tensor.cast %bits12 : tensor<1x2x17xi32> to tensor<*xi32>
  call @printMemrefI32(%u13) : (tensor<*xi32>) -> ()
  %r14:2 = call @fa2(%g2, %g4, %g6) : (tensor<1x2x17x8xbf16>, tensor<1x2x33x8xbf16>, tensor<1x2x33x8xbf16>) -> (tensor<1x2x17x8xbf16>, tensor<1x2x17xf32>)
  %empty15 = tensor.empty() : tensor<1x2x17x8xf32>
  %g16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r14#0 : tensor<1x2x17x8xbf16>) outs(%empty15 : tensor<1x2x17x8xf32>) {
  ^bb0(%in0: bf16, %out: f32):
    %c = arith.extf %in0 : bf16 to f32
    linalg.yield %c : f32
  } -> tensor<1x2x17x8xf32>
  %bits17 = arith.bitcast %g16 : tensor<1x2x17x8xf32> to tensor<1x2x17x8xi32>
  %u18 = tensor.cast %bits17 : tensor<1x2x17x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u18) : (tensor<*xi32>) -> ()
  %bits19 = arith.bitcast %r14#1 : tensor<1x2x17xf32> to tensor<1x2x17xi32>
  %u20 = tensor.cast %bits19 : tensor<1x2x17xi32> to tensor<*xi32>
  call @printMemrefI32(%u20) : (tensor<*xi32>) -> ()
  return
}
func.func private @printMemrefI32(tensor<*xi32>)
