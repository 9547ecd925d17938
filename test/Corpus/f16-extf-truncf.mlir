// RUN: fa2-opt %s --fa2-raise-attention | FileCheck %s
//
// Mixed precision as frameworks lower it: f16 Q/K/V extended to f32 inside
// generics, the scores and the softmax in f32, P truncated to f16 for the
// second matmul (f16 × f16 accumulated in f32), the output truncated to f16.
//
// Execution: the module with a generated main (Inputs/add_exec_main.py) runs
// (a) through upstream passes alone and (b) raised, then through
// --fa2-to-cpu; the results must agree.
// f16 output: bound 2e-3 (two f16 ulps, see docs/numerics.md).
// RUN: %differential %s %t --exec-main="%add_exec_main" --compare="--bits --rtol 2e-3" | FileCheck %s --check-prefix=EXEC
// RUN: FileCheck %s --check-prefix=EXEC-RAISED < %t.raised.mlir
// EXEC-RAISED: = fa2.attention
// EXEC: fa2-compare: {{.*}} nan=0 bad=0{{$}}

// CHECK-LABEL: func.func @f16_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x32x16xf16>, %[[K:.*]]: tensor<2x4x32x16xf16>, %[[V:.*]]: tensor<2x4x32x16xf16>)
// CHECK-NEXT: %[[O:.*]] = fa2.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) : tensor<2x4x32x16xf16>, tensor<2x4x32x16xf16>, tensor<2x4x32x16xf16> -> tensor<2x4x32x16xf16>
// CHECK-NEXT: return %[[O]]
#id = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row = affine_map<(b, h, i, j) -> (b, h, i)>
func.func @f16_attention(%q: tensor<2x4x32x16xf16>, %k: tensor<2x4x32x16xf16>, %v: tensor<2x4x32x16xf16>) -> tensor<2x4x32x16xf16> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant 0.25 : f32
  %es = tensor.empty() : tensor<2x4x32x32xf32>
  %eh = tensor.empty() : tensor<2x4x32x32xf16>
  %er = tensor.empty() : tensor<2x4x32xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x32x32xf32>) -> tensor<2x4x32x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x4x32x16xf16>, tensor<2x4x32x16xf16>) outs(%zs : tensor<2x4x32x32xf32>) {
  ^bb0(%a: f16, %b: f16, %acc: f32):
    %af = arith.extf %a : f16 to f32
    %bf = arith.extf %b : f16 to f32
    %m = arith.mulf %af, %bf : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x32x32xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %mx = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%s : tensor<2x4x32x32xf32>) outs(%mi : tensor<2x4x32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %x = arith.mulf %a, %scale : f32
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x4x32xf32>
  %ex = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %mx : tensor<2x4x32x32xf32>, tensor<2x4x32xf32>) outs(%es : tensor<2x4x32x32xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %x = arith.mulf %a, %scale : f32
    %d = arith.subf %x, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<2x4x32x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %sm = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<2x4x32x32xf32>) outs(%si : tensor<2x4x32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x4x32xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex, %sm : tensor<2x4x32x32xf32>, tensor<2x4x32xf32>) outs(%eh : tensor<2x4x32x32xf16>) {
  ^bb0(%a: f32, %b: f32, %o: f16):
    %r = arith.divf %a, %b : f32
    %t = arith.truncf %r : f32 to f16
    linalg.yield %t : f16
  } -> tensor<2x4x32x32xf16>
  %eo = tensor.empty() : tensor<2x4x32x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x32x16xf32>) -> tensor<2x4x32x16xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, e, j) -> (b, h, i, j)>, affine_map<(b, h, i, e, j) -> (b, h, j, e)>, affine_map<(b, h, i, e, j) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x4x32x32xf16>, tensor<2x4x32x16xf16>) outs(%zo : tensor<2x4x32x16xf32>) {
  ^bb0(%a: f16, %b: f16, %acc: f32):
    %af = arith.extf %a : f16 to f32
    %bf = arith.extf %b : f16 to f32
    %m = arith.mulf %af, %bf : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x32x16xf32>
  %eoh = tensor.empty() : tensor<2x4x32x16xf16>
  %oh = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o : tensor<2x4x32x16xf32>) outs(%eoh : tensor<2x4x32x16xf16>) {
  ^bb0(%a: f32, %b: f16):
    %t = arith.truncf %a : f32 to f16
    linalg.yield %t : f16
  } -> tensor<2x4x32x16xf16>
  return %oh : tensor<2x4x32x16xf16>
}
