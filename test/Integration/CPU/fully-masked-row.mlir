// Query row 5 has every key masked. The softmax is written in its safe form
// (max -inf -> subtract 0, sum 0 -> divide by 1), which defines what fa2's
// contract promises: output 0 and LSE +inf for that row, never NaN.
//
// (a) upstream passes alone; (b) fa2-raise-attention, then fa2-to-cpu
// (test/Inputs/differential.py).
// RUN: %differential %s %t --compare="--bits" | FileCheck %s
// RUN: FileCheck %s --check-prefix=RAISED < %t.raised.mlir

// RAISED-LABEL: func.func @attention
// RAISED: fa2.attention
// CHECK-COUNT-1: fa2-compare: {{.*}} nan=0 bad=0{{$}}
// CHECK-NOT: fa2-compare


func.func @attention(%q: tensor<1x2x12x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>, %m: tensor<12x16xi1>) -> (tensor<1x2x12x8xf32>, tensor<1x2x12xf32>) {
  %empty1 = tensor.empty() : tensor<1x2x12x16xf32>
  %cst2 = arith.constant 0.000000e+00 : f32
  %fill3 = linalg.fill ins(%cst2 : f32) outs(%empty1 : tensor<1x2x12x16xf32>) -> tensor<1x2x12x16xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x12x8xf32>, tensor<1x2x16x8xf32>) outs(%fill3 : tensor<1x2x12x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x2x12x16xf32>
  %empty5 = tensor.empty() : tensor<1x2x12x16xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g4 : tensor<1x2x12x16xf32>) outs(%empty5 : tensor<1x2x12x16xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %sc = arith.constant 0.25 : f32
    %r = arith.mulf %in0, %sc : f32
    linalg.yield %r : f32
  } -> tensor<1x2x12x16xf32>
  %empty7 = tensor.empty() : tensor<1x2x12x16xf32>
  %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g6, %m : tensor<1x2x12x16xf32>, tensor<12x16xi1>) outs(%empty7 : tensor<1x2x12x16xf32>) {
  ^bb0(%in0: f32, %in1: i1, %out: f32):
    %ninf = arith.constant 0xFF800000 : f32
    %r = arith.select %in1, %in0, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<1x2x12x16xf32>
  %empty9 = tensor.empty() : tensor<1x2x12xf32>
  %cst10 = arith.constant 0xFF800000 : f32
  %fill11 = linalg.fill ins(%cst10 : f32) outs(%empty9 : tensor<1x2x12xf32>) -> tensor<1x2x12xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g8 : tensor<1x2x12x16xf32>) outs(%fill11 : tensor<1x2x12xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<1x2x12xf32>
  %empty13 = tensor.empty() : tensor<1x2x12x16xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g8, %g12 : tensor<1x2x12x16xf32>, tensor<1x2x12xf32>) outs(%empty13 : tensor<1x2x12x16xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.000000e+00 : f32
    %dead = arith.cmpf oeq, %in1, %ninf : f32
    %ms = arith.select %dead, %zero, %in1 : f32
    %d = arith.subf %in0, %ms : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<1x2x12x16xf32>
  %empty15 = tensor.empty() : tensor<1x2x12xf32>
  %cst16 = arith.constant 0.000000e+00 : f32
  %fill17 = linalg.fill ins(%cst16 : f32) outs(%empty15 : tensor<1x2x12xf32>) -> tensor<1x2x12xf32>
  %g18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g14 : tensor<1x2x12x16xf32>) outs(%fill17 : tensor<1x2x12xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<1x2x12xf32>
  %empty19 = tensor.empty() : tensor<1x2x12x16xf32>
  %g20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g14, %g18 : tensor<1x2x12x16xf32>, tensor<1x2x12xf32>) outs(%empty19 : tensor<1x2x12x16xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %zero = arith.constant 0.000000e+00 : f32
    %one = arith.constant 1.000000e+00 : f32
    %dead = arith.cmpf oeq, %in1, %zero : f32
    %den = arith.select %dead, %one, %in1 : f32
    %r = arith.divf %in0, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x12x16xf32>
  %empty21 = tensor.empty() : tensor<1x2x12xf32>
  %g22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g12, %g18 : tensor<1x2x12xf32>, tensor<1x2x12xf32>) outs(%empty21 : tensor<1x2x12xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %l = math.log %in1 : f32
    %r = arith.addf %l, %in0 : f32
    %zero = arith.constant 0.000000e+00 : f32
    %pinf = arith.constant 0x7F800000 : f32
    %dead = arith.cmpf oeq, %in1, %zero : f32
    %r2 = arith.select %dead, %pinf, %r : f32
    linalg.yield %r2 : f32
  } -> tensor<1x2x12xf32>
  %empty23 = tensor.empty() : tensor<1x2x12x8xf32>
  %cst24 = arith.constant 0.000000e+00 : f32
  %fill25 = linalg.fill ins(%cst24 : f32) outs(%empty23 : tensor<1x2x12x8xf32>) -> tensor<1x2x12x8xf32>
  %g26 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%g20, %v : tensor<1x2x12x16xf32>, tensor<1x2x16x8xf32>) outs(%fill25 : tensor<1x2x12x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x2x12x8xf32>
  return %g26, %g22 : tensor<1x2x12x8xf32>, tensor<1x2x12xf32>
}

func.func @main() {
  %empty1 = tensor.empty() : tensor<1x2x12x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty1 : tensor<1x2x12x8xf32>) {
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
  } -> tensor<1x2x12x8xf32>
  %empty3 = tensor.empty() : tensor<1x2x16x8xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty3 : tensor<1x2x16x8xf32>) {
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
  } -> tensor<1x2x16x8xf32>
  %empty5 = tensor.empty() : tensor<1x2x16x8xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty5 : tensor<1x2x16x8xf32>) {
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
  } -> tensor<1x2x16x8xf32>
  %empty7 = tensor.empty() : tensor<12x16xi1>
  %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%empty7 : tensor<12x16xi1>) {
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
    %ck = arith.constant 5 : index
    %dead = arith.cmpi eq, %i, %ck : index
    %false = arith.constant false
    %keep2 = arith.select %dead, %false, %keep : i1
    linalg.yield %keep2 : i1
  } -> tensor<12x16xi1>
  %r9:2 = call @attention(%g2, %g4, %g6, %g8) : (tensor<1x2x12x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<12x16xi1>) -> (tensor<1x2x12x8xf32>, tensor<1x2x12xf32>)
  %bits10 = arith.bitcast %r9#0 : tensor<1x2x12x8xf32> to tensor<1x2x12x8xi32>
  %u11 = tensor.cast %bits10 : tensor<1x2x12x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u11) : (tensor<*xi32>) -> ()
  %bits12 = arith.bitcast %r9#1 : tensor<1x2x12xf32> to tensor<1x2x12xi32>
  %u13 = tensor.cast %bits12 : tensor<1x2x12xi32> to tensor<*xi32>
  call @printMemrefI32(%u13) : (tensor<*xi32>) -> ()
  return
}
func.func private @printMemrefI32(tensor<*xi32>)
