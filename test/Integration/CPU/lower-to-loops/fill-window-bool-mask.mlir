// masked_fill(mask, finfo(f32).min): fill(-3.40e38) with window(3, 6) and a bool
// mask that removes all of row 4. No row is empty: row 4 is the mean of V,
// its LSE fill + log(Sk); every key block is visited.
//
// @reference is the same attention as linalg on tensors; main prints its
// results, then @fa2's, and fa2-compare compares the two halves.
// RUN: fa2-opt %s --fa2-to-cpu | %run_main > %t.0
// RUN: fa2-compare --bits %t.0 | FileCheck %s
// RUN: fa2-opt %s --fa2-to-cpu="block-q=4 block-k=8" | %run_main > %t.1
// RUN: fa2-compare --bits %t.1 | FileCheck %s

// CHECK: fa2-compare: {{.*}} nan=0 bad=0{{$}}


func.func @reference(%q: tensor<2x2x19x8xf32>, %k: tensor<2x2x23x8xf32>, %v: tensor<2x2x23x8xf32>, %m: tensor<19x23xi1>) -> (tensor<2x2x19x8xf32>, tensor<2x2x19xf32>) {
  %empty1 = tensor.empty() : tensor<2x2x19x23xf32>
  %cst2 = arith.constant 0.000000e+00 : f32
  %fill3 = linalg.fill ins(%cst2 : f32) outs(%empty1 : tensor<2x2x19x23xf32>) -> tensor<2x2x19x23xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x19x8xf32>, tensor<2x2x23x8xf32>) outs(%fill3 : tensor<2x2x19x23xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x2x19x23xf32>
  %empty5 = tensor.empty() : tensor<2x2x19x23xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g4 : tensor<2x2x19x23xf32>) outs(%empty5 : tensor<2x2x19x23xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %sc = arith.constant 0.25 : f32
    %r = arith.mulf %in0, %sc : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19x23xf32>
  %empty7 = tensor.empty() : tensor<2x2x19x23xf32>
  %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g6, %m : tensor<2x2x19x23xf32>, tensor<19x23xi1>) outs(%empty7 : tensor<2x2x19x23xf32>) {
  ^bb0(%in0: f32, %in1: i1, %out: f32):
    %ninf = arith.constant 0xFF7FFFFF : f32
    %r = arith.select %in1, %in0, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19x23xf32>
  %empty9 = tensor.empty() : tensor<2x2x19x23xf32>
  %g10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g8 : tensor<2x2x19x23xf32>) outs(%empty9 : tensor<2x2x19x23xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %off = arith.constant 4 : index
    %diag = arith.addi %i, %off : index
    %rel = arith.subi %j, %diag : index
    %lo = arith.constant -3 : index
    %hi = arith.constant 6 : index
    %below = arith.cmpi slt, %rel, %lo : index
    %above = arith.cmpi sgt, %rel, %hi : index
    %hide = arith.ori %below, %above : i1
    %ninf = arith.constant 0xFF7FFFFF : f32
    %r = arith.select %hide, %ninf, %in0 : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19x23xf32>
  %empty11 = tensor.empty() : tensor<2x2x19xf32>
  %cst12 = arith.constant 0xFF800000 : f32
  %fill13 = linalg.fill ins(%cst12 : f32) outs(%empty11 : tensor<2x2x19xf32>) -> tensor<2x2x19xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g10 : tensor<2x2x19x23xf32>) outs(%fill13 : tensor<2x2x19xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19xf32>
  %empty15 = tensor.empty() : tensor<2x2x19x23xf32>
  %g16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g10, %g14 : tensor<2x2x19x23xf32>, tensor<2x2x19xf32>) outs(%empty15 : tensor<2x2x19x23xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %d = arith.subf %in0, %in1 : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19x23xf32>
  %empty17 = tensor.empty() : tensor<2x2x19xf32>
  %cst18 = arith.constant 0.000000e+00 : f32
  %fill19 = linalg.fill ins(%cst18 : f32) outs(%empty17 : tensor<2x2x19xf32>) -> tensor<2x2x19xf32>
  %g20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%g16 : tensor<2x2x19x23xf32>) outs(%fill19 : tensor<2x2x19xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19xf32>
  %empty21 = tensor.empty() : tensor<2x2x19x23xf32>
  %g22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g16, %g20 : tensor<2x2x19x23xf32>, tensor<2x2x19xf32>) outs(%empty21 : tensor<2x2x19x23xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.divf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19x23xf32>
  %empty23 = tensor.empty() : tensor<2x2x19xf32>
  %g24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g14, %g20 : tensor<2x2x19xf32>, tensor<2x2x19xf32>) outs(%empty23 : tensor<2x2x19xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %l = math.log %in1 : f32
    %r = arith.addf %l, %in0 : f32
    linalg.yield %r : f32
  } -> tensor<2x2x19xf32>
  %empty25 = tensor.empty() : tensor<2x2x19x8xf32>
  %cst26 = arith.constant 0.000000e+00 : f32
  %fill27 = linalg.fill ins(%cst26 : f32) outs(%empty25 : tensor<2x2x19x8xf32>) -> tensor<2x2x19x8xf32>
  %g28 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%g22, %v : tensor<2x2x19x23xf32>, tensor<2x2x23x8xf32>) outs(%fill27 : tensor<2x2x19x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x2x19x8xf32>
  return %g28, %g24 : tensor<2x2x19x8xf32>, tensor<2x2x19xf32>
}

func.func @fa2(%q: tensor<2x2x19x8xf32>, %k: tensor<2x2x23x8xf32>, %v: tensor<2x2x23x8xf32>, %m: tensor<19x23xi1>) -> (tensor<2x2x19x8xf32>, tensor<2x2x19xf32>) {
  %o, %l = fa2.attention %q, %k, %v mask(%m) scale(0.25) window(3, 6) fill(-3.4028234663852886e+38) : tensor<2x2x19x8xf32>, tensor<2x2x23x8xf32>, tensor<2x2x23x8xf32>, tensor<19x23xi1> -> tensor<2x2x19x8xf32>, tensor<2x2x19xf32>
  return %o, %l : tensor<2x2x19x8xf32>, tensor<2x2x19xf32>
}

func.func @main() {
  %empty1 = tensor.empty() : tensor<2x2x19x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty1 : tensor<2x2x19x8xf32>) {
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
  } -> tensor<2x2x19x8xf32>
  %empty3 = tensor.empty() : tensor<2x2x23x8xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty3 : tensor<2x2x23x8xf32>) {
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
  } -> tensor<2x2x23x8xf32>
  %empty5 = tensor.empty() : tensor<2x2x23x8xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%empty5 : tensor<2x2x23x8xf32>) {
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
  } -> tensor<2x2x23x8xf32>
  %empty7 = tensor.empty() : tensor<19x23xi1>
  %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%empty7 : tensor<19x23xi1>) {
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
    %ck = arith.constant 4 : index
    %dead = arith.cmpi eq, %i, %ck : index
    %false = arith.constant false
    %keep2 = arith.select %dead, %false, %keep : i1
    linalg.yield %keep2 : i1
  } -> tensor<19x23xi1>
  %r9:2 = call @reference(%g2, %g4, %g6, %g8) : (tensor<2x2x19x8xf32>, tensor<2x2x23x8xf32>, tensor<2x2x23x8xf32>, tensor<19x23xi1>) -> (tensor<2x2x19x8xf32>, tensor<2x2x19xf32>)
  %bits10 = arith.bitcast %r9#0 : tensor<2x2x19x8xf32> to tensor<2x2x19x8xi32>
  %u11 = tensor.cast %bits10 : tensor<2x2x19x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u11) : (tensor<*xi32>) -> ()
  %bits12 = arith.bitcast %r9#1 : tensor<2x2x19xf32> to tensor<2x2x19xi32>
  %u13 = tensor.cast %bits12 : tensor<2x2x19xi32> to tensor<*xi32>
  call @printMemrefI32(%u13) : (tensor<*xi32>) -> ()
  %r14:2 = call @fa2(%g2, %g4, %g6, %g8) : (tensor<2x2x19x8xf32>, tensor<2x2x23x8xf32>, tensor<2x2x23x8xf32>, tensor<19x23xi1>) -> (tensor<2x2x19x8xf32>, tensor<2x2x19xf32>)
  %bits15 = arith.bitcast %r14#0 : tensor<2x2x19x8xf32> to tensor<2x2x19x8xi32>
  %u16 = tensor.cast %bits15 : tensor<2x2x19x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u16) : (tensor<*xi32>) -> ()
  %bits17 = arith.bitcast %r14#1 : tensor<2x2x19xf32> to tensor<2x2x19xi32>
  %u18 = tensor.cast %bits17 : tensor<2x2x19xi32> to tensor<*xi32>
  call @printMemrefI32(%u18) : (tensor<*xi32>) -> ()
  return
}
func.func private @printMemrefI32(tensor<*xi32>)
