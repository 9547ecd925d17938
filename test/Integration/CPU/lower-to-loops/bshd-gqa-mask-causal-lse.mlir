// layout<bshd>, GQA 8/2, a float mask [1, Hq, 1, Sk] broadcast over batch and
// query rows, causal with Sq < Sk, Dv != D, and the LSE.
//
// @reference is the same attention as linalg on tensors; main prints its
// results, then @fa2's, and fa2-compare compares the two halves.
// RUN: fa2-opt %s --fa2-to-cpu | %run_main > %t.0
// RUN: fa2-compare --bits %t.0 | FileCheck %s
// RUN: fa2-opt %s --fa2-to-cpu="block-q=4 block-k=8" | %run_main > %t.1
// RUN: fa2-compare --bits %t.1 | FileCheck %s

// CHECK: fa2-compare: {{.*}} nan=0 bad=0{{$}}


func.func @reference(%q: tensor<2x19x8x12xf32>, %k: tensor<2x37x2x12xf32>, %v: tensor<2x37x2x20xf32>, %m: tensor<1x8x1x37xf32>) -> (tensor<2x19x8x20xf32>, tensor<2x8x19xf32>) {
  %empty1 = tensor.empty() : tensor<2x8x19x12xf32>
  %tr2 = linalg.transpose ins(%q : tensor<2x19x8x12xf32>) outs(%empty1 : tensor<2x8x19x12xf32>) permutation = [0, 2, 1, 3]
  %empty3 = tensor.empty() : tensor<2x2x37x12xf32>
  %tr4 = linalg.transpose ins(%k : tensor<2x37x2x12xf32>) outs(%empty3 : tensor<2x2x37x12xf32>) permutation = [0, 2, 1, 3]
  %empty5 = tensor.empty() : tensor<2x2x37x20xf32>
  %tr6 = linalg.transpose ins(%v : tensor<2x37x2x20xf32>) outs(%empty5 : tensor<2x2x37x20xf32>) permutation = [0, 2, 1, 3]
  %empty7 = tensor.empty() : tensor<2x2x4x37x12xf32>
  %bc8 = linalg.broadcast ins(%tr4 : tensor<2x2x37x12xf32>) outs(%empty7 : tensor<2x2x4x37x12xf32>) dimensions = [2]
  %col9 = tensor.collapse_shape %bc8 [[0], [1, 2], [3], [4]] : tensor<2x2x4x37x12xf32> into tensor<2x8x37x12xf32>
  %empty10 = tensor.empty() : tensor<2x2x4x37x20xf32>
  %bc11 = linalg.broadcast ins(%tr6 : tensor<2x2x37x20xf32>) outs(%empty10 : tensor<2x2x4x37x20xf32>) dimensions = [2]
  %col12 = tensor.collapse_shape %bc11 [[0], [1, 2], [3], [4]] : tensor<2x2x4x37x20xf32> into tensor<2x8x37x20xf32>
  %empty13 = tensor.empty() : tensor<2x8x19x37xf32>
  %cst14 = arith.constant 0.000000e+00 : f32
  %fill15 = linalg.fill ins(%cst14 : f32) outs(%empty13 : tensor<2x8x19x37xf32>) -> tensor<2x8x19x37xf32>
  %g16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%tr2, %col9 : tensor<2x8x19x12xf32>, tensor<2x8x37x12xf32>) outs(%fill15 : tensor<2x8x19x37xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x19x37xf32>
  %empty17 = tensor.empty() : tensor<2x8x19x37xf32>
  %g18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g16 : tensor<2x8x19x37xf32>) outs(%empty17 : tensor<2x8x19x37xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %sc = arith.constant 0.25 : f32
    %r = arith.mulf %in0, %sc : f32
    linalg.yield %r : f32
  } -> tensor<2x8x19x37xf32>
  %empty19 = tensor.empty() : tensor<2x8x19x37xf32>
  %g20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g18, %m : tensor<2x8x19x37xf32>, tensor<1x8x1x37xf32>) outs(%empty19 : tensor<2x8x19x37xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.addf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<2x8x19x37xf32>
  %empty21 = tensor.empty() : tensor<2x8x19x37xf32>
  %g22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g20 : tensor<2x8x19x37xf32>) outs(%empty21 : tensor<2x8x19x37xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %off = arith.constant 18 : index
    %lim = arith.addi %i, %off : index
    %hide = arith.cmpi sgt, %j, %lim : index
    %ninf = arith.constant 0xFF800000 : f32
    %r = arith.select %hide, %ninf, %in0 : f32
    linalg.yield %r : f32
  } -> tensor<2x8x19x37xf32>
  %empty23 = tensor.empty() : tensor<2x8x19xf32>
  %cst24 = arith.constant 0xFF800000 : f32
  %fill25 = linalg.fill ins(%cst24 : f32) outs(%empty23 : tensor<2x8x19xf32>) -> tensor<2x8x19xf32>
  %g26 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g22 : tensor<2x8x19x37xf32>) outs(%fill25 : tensor<2x8x19xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x8x19xf32>
  %empty27 = tensor.empty() : tensor<2x8x19x37xf32>
  %g28 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g22, %g26 : tensor<2x8x19x37xf32>, tensor<2x8x19xf32>) outs(%empty27 : tensor<2x8x19x37xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.000000e+00 : f32
    %dead = arith.cmpf oeq, %in1, %ninf : f32
    %ms = arith.select %dead, %zero, %in1 : f32
    %d = arith.subf %in0, %ms : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<2x8x19x37xf32>
  %empty29 = tensor.empty() : tensor<2x8x19xf32>
  %cst30 = arith.constant 0.000000e+00 : f32
  %fill31 = linalg.fill ins(%cst30 : f32) outs(%empty29 : tensor<2x8x19xf32>) -> tensor<2x8x19xf32>
  %g32 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g28 : tensor<2x8x19x37xf32>) outs(%fill31 : tensor<2x8x19xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x8x19xf32>
  %empty33 = tensor.empty() : tensor<2x8x19x37xf32>
  %g34 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g28, %g32 : tensor<2x8x19x37xf32>, tensor<2x8x19xf32>) outs(%empty33 : tensor<2x8x19x37xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %zero = arith.constant 0.000000e+00 : f32
    %one = arith.constant 1.000000e+00 : f32
    %dead = arith.cmpf oeq, %in1, %zero : f32
    %den = arith.select %dead, %one, %in1 : f32
    %r = arith.divf %in0, %den : f32
    linalg.yield %r : f32
  } -> tensor<2x8x19x37xf32>
  %empty35 = tensor.empty() : tensor<2x8x19xf32>
  %g36 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g26, %g32 : tensor<2x8x19xf32>, tensor<2x8x19xf32>) outs(%empty35 : tensor<2x8x19xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %l = math.log %in1 : f32
    %r = arith.addf %l, %in0 : f32
    %zero = arith.constant 0.000000e+00 : f32
    %pinf = arith.constant 0x7F800000 : f32
    %dead = arith.cmpf oeq, %in1, %zero : f32
    %r2 = arith.select %dead, %pinf, %r : f32
    linalg.yield %r2 : f32
  } -> tensor<2x8x19xf32>
  %empty37 = tensor.empty() : tensor<2x8x19x20xf32>
  %cst38 = arith.constant 0.000000e+00 : f32
  %fill39 = linalg.fill ins(%cst38 : f32) outs(%empty37 : tensor<2x8x19x20xf32>) -> tensor<2x8x19x20xf32>
  %g40 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%g34, %col12 : tensor<2x8x19x37xf32>, tensor<2x8x37x20xf32>) outs(%fill39 : tensor<2x8x19x20xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x19x20xf32>
  %empty41 = tensor.empty() : tensor<2x19x8x20xf32>
  %tr42 = linalg.transpose ins(%g40 : tensor<2x8x19x20xf32>) outs(%empty41 : tensor<2x19x8x20xf32>) permutation = [0, 2, 1, 3]
  return %tr42, %g36 : tensor<2x19x8x20xf32>, tensor<2x8x19xf32>
}

func.func @fa2(%q: tensor<2x19x8x12xf32>, %k: tensor<2x37x2x12xf32>, %v: tensor<2x37x2x20xf32>, %m: tensor<1x8x1x37xf32>) -> (tensor<2x19x8x20xf32>, tensor<2x8x19xf32>) {
  %o, %l = fa2.attention %q, %k, %v mask(%m) scale(0.25) causal layout<bshd> : tensor<2x19x8x12xf32>, tensor<2x37x2x12xf32>, tensor<2x37x2x20xf32>, tensor<1x8x1x37xf32> -> tensor<2x19x8x20xf32>, tensor<2x8x19xf32>
  return %o, %l : tensor<2x19x8x20xf32>, tensor<2x8x19xf32>
}

func.func @main() {
  %empty1 = tensor.empty() : tensor<2x19x8x12xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty1 : tensor<2x19x8x12xf32>) {
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
  } -> tensor<2x19x8x12xf32>
  %empty3 = tensor.empty() : tensor<2x37x2x12xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty3 : tensor<2x37x2x12xf32>) {
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
  } -> tensor<2x37x2x12xf32>
  %empty5 = tensor.empty() : tensor<2x37x2x20xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty5 : tensor<2x37x2x20xf32>) {
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
  } -> tensor<2x37x2x20xf32>
  %empty7 = tensor.empty() : tensor<1x8x1x37xf32>
  %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty7 : tensor<1x8x1x37xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %n0 = arith.index_cast %i0 : index to i32
    %x0 = arith.sitofp %n0 : i32 to f32
    %k0 = arith.constant 0.5820 : f32
    %y0 = arith.mulf %x0, %k0 : f32
    %i1 = linalg.index 1 : index
    %n1 = arith.index_cast %i1 : index to i32
    %x1 = arith.sitofp %n1 : i32 to f32
    %k1 = arith.constant 0.9620 : f32
    %y1 = arith.mulf %x1, %k1 : f32
    %s1 = arith.addf %y0, %y1 : f32
    %i2 = linalg.index 2 : index
    %n2 = arith.index_cast %i2 : index to i32
    %x2 = arith.sitofp %n2 : i32 to f32
    %k2 = arith.constant 0.2420 : f32
    %y2 = arith.mulf %x2, %k2 : f32
    %s2 = arith.addf %s1, %y2 : f32
    %i3 = linalg.index 3 : index
    %n3 = arith.index_cast %i3 : index to i32
    %x3 = arith.sitofp %n3 : i32 to f32
    %k3 = arith.constant 0.4220 : f32
    %y3 = arith.mulf %x3, %k3 : f32
    %s3 = arith.addf %s2, %y3 : f32
    %ph = arith.constant 3.1800 : f32
    %z = arith.addf %s3, %ph : f32
    %r = math.sin %z : f32
    linalg.yield %r : f32
  } -> tensor<1x8x1x37xf32>
  %r9:2 = call @reference(%g2, %g4, %g6, %g8) : (tensor<2x19x8x12xf32>, tensor<2x37x2x12xf32>, tensor<2x37x2x20xf32>, tensor<1x8x1x37xf32>) -> (tensor<2x19x8x20xf32>, tensor<2x8x19xf32>)
  %bits10 = arith.bitcast %r9#0 : tensor<2x19x8x20xf32> to tensor<2x19x8x20xi32>
  %u11 = tensor.cast %bits10 : tensor<2x19x8x20xi32> to tensor<*xi32>
  call @printMemrefI32(%u11) : (tensor<*xi32>) -> ()
  %bits12 = arith.bitcast %r9#1 : tensor<2x8x19xf32> to tensor<2x8x19xi32>
  %u13 = tensor.cast %bits12 : tensor<2x8x19xi32> to tensor<*xi32>
  call @printMemrefI32(%u13) : (tensor<*xi32>) -> ()
  %r14:2 = call @fa2(%g2, %g4, %g6, %g8) : (tensor<2x19x8x12xf32>, tensor<2x37x2x12xf32>, tensor<2x37x2x20xf32>, tensor<1x8x1x37xf32>) -> (tensor<2x19x8x20xf32>, tensor<2x8x19xf32>)
  %bits15 = arith.bitcast %r14#0 : tensor<2x19x8x20xf32> to tensor<2x19x8x20xi32>
  %u16 = tensor.cast %bits15 : tensor<2x19x8x20xi32> to tensor<*xi32>
  call @printMemrefI32(%u16) : (tensor<*xi32>) -> ()
  %bits17 = arith.bitcast %r14#1 : tensor<2x8x19xf32> to tensor<2x8x19xi32>
  %u18 = tensor.cast %bits17 : tensor<2x8x19xi32> to tensor<*xi32>
  call @printMemrefI32(%u18) : (tensor<*xi32>) -> ()
  return
}
func.func private @printMemrefI32(tensor<*xi32>)
