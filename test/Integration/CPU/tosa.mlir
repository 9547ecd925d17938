// Attention written in TOSA ([H, S, D], no batch dimension): tosa.transpose,
// tosa.matmul, a scale by tosa.mul, softmax as reduce_max/sub/exp/reduce_sum/
// reciprocal/mul, tosa.matmul. The inputs are generated in linalg.
//
// (a) upstream passes alone; (b) fa2-raise-attention, then fa2-to-cpu.
// RUN: %upstream_lower %s | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils > %t.ref
// RUN: fa2-opt %s --fa2-raise-attention -o %t.raised.mlir
// RUN: FileCheck %s --check-prefix=RAISED < %t.raised.mlir
// RUN: fa2-opt %t.raised.mlir --fa2-to-cpu | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils > %t.fa2
// RUN: fa2-compare --bits %t.ref %t.fa2 | FileCheck %s

// RAISED-LABEL: func.func @attention
// RAISED: fa2.attention
// CHECK: fa2-compare: {{.*}} nan=0 bad=0{{$}}


func.func @attention(%q: tensor<4x12x8xf32>, %k: tensor<4x20x8xf32>, %v: tensor<4x20x8xf32>) -> tensor<4x12x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %scale = "tosa.const"() <{values = dense<0.35355339> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<4x20x8xf32>) -> tensor<4x8x20xf32>
  %s = tosa.matmul %q, %kt, %zp, %zp : (tensor<4x12x8xf32>, tensor<4x8x20xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x12x20xf32>
  %ss = tosa.mul %s, %scale, %shift : (tensor<4x12x20xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<4x12x20xf32>
  %mx = tosa.reduce_max %ss {axis = 2 : i32} : (tensor<4x12x20xf32>) -> tensor<4x12x1xf32>
  %d = tosa.sub %ss, %mx : (tensor<4x12x20xf32>, tensor<4x12x1xf32>) -> tensor<4x12x20xf32>
  %e = tosa.exp %d : (tensor<4x12x20xf32>) -> tensor<4x12x20xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<4x12x20xf32>) -> tensor<4x12x1xf32>
  %r = tosa.reciprocal %sum : (tensor<4x12x1xf32>) -> tensor<4x12x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<4x12x20xf32>, tensor<4x12x1xf32>, tensor<1xi8>) -> tensor<4x12x20xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<4x12x20xf32>, tensor<4x20x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x12x8xf32>
  return %o : tensor<4x12x8xf32>
}

func.func @main() {
  %empty1 = tensor.empty() : tensor<4x12x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%empty1 : tensor<4x12x8xf32>) {
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
    %ph = arith.constant 0.8700 : f32
    %z = arith.addf %s2, %ph : f32
    %r = math.sin %z : f32
    linalg.yield %r : f32
  } -> tensor<4x12x8xf32>
  %empty3 = tensor.empty() : tensor<4x20x8xf32>
  %g4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%empty3 : tensor<4x20x8xf32>) {
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
    %ph = arith.constant 1.6400 : f32
    %z = arith.addf %s2, %ph : f32
    %r = math.sin %z : f32
    linalg.yield %r : f32
  } -> tensor<4x20x8xf32>
  %empty5 = tensor.empty() : tensor<4x20x8xf32>
  %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%empty5 : tensor<4x20x8xf32>) {
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
    %ph = arith.constant 2.4100 : f32
    %z = arith.addf %s2, %ph : f32
    %r = math.sin %z : f32
    linalg.yield %r : f32
  } -> tensor<4x20x8xf32>
  %r7 = call @attention(%g2, %g4, %g6) : (tensor<4x12x8xf32>, tensor<4x20x8xf32>, tensor<4x20x8xf32>) -> (tensor<4x12x8xf32>)
  %bits8 = arith.bitcast %r7 : tensor<4x12x8xf32> to tensor<4x12x8xi32>
  %u9 = tensor.cast %bits8 : tensor<4x12x8xi32> to tensor<*xi32>
  call @printMemrefI32(%u9) : (tensor<*xi32>) -> ()
  return
}
func.func private @printMemrefI32(tensor<*xi32>)
