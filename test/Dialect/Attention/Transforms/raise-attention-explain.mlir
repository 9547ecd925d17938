// RUN: fa2-opt %s --split-input-file --fa2-raise-attention=explain=true -verify-diagnostics
//
// Near misses get a remark on the op where matching stopped (the second
// contraction, or a softmax that no contraction consumes) naming the reason.

// A chain that is raised gets no remark.
func.func @batch_matmul_transposed_k(%q: tensor<4x16x8xf32>, %k: tensor<4x32x8xf32>, %v: tensor<4x32x8xf32>) -> tensor<4x16x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %d = arith.constant 2.0 : f32
  %e0 = tensor.empty() : tensor<4x16x32xf32>
  %z0 = linalg.fill ins(%cst : f32) outs(%e0 : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%q, %k : tensor<4x16x8xf32>, tensor<4x32x8xf32>) outs(%z0 : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %ss = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<4x16x32xf32>) outs(%e0 : tensor<4x16x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.divf %in, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%ss : tensor<4x16x32xf32>) outs(%e0 : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %e3 = tensor.empty() : tensor<4x16x8xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x16x32xf32>, tensor<4x32x8xf32>) outs(%z3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o : tensor<4x16x8xf32>
}

// -----

func.func @negative_softmax_over_queries(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: softmax reduces over dim 1 of the scores, but the second contraction contracts over dim 2 of them}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

func.func @negative_weights_returned(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> (tensor<8x16x8xf32>, tensor<8x16x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the result of 'linalg.softmax' in the chain is also used by 'func.return'}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o, %p : tensor<8x16x8xf32>, tensor<8x16x32xf32>
}

// -----

func.func @negative_pv_not_over_keys(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x16xf32>, %v: tensor<8x16x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: softmax reduces over dim 2 of the scores, but the second contraction contracts over dim 1 of them}}
  %o = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, k, m)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>]
       ins(%p, %v : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// No exp or reduction between the contractions: not a candidate, no remark.
func.func @negative_mlp(%x: tensor<16x32xf32>, %w1: tensor<32x64xf32>, %w2: tensor<64x32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<16x64xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<16x32xf32>, tensor<32x64xf32>) outs(%z0 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %zs = arith.constant dense<0.0> : tensor<16x64xf32>
  %a = linalg.max ins(%h, %zs : tensor<16x64xf32>, tensor<16x64xf32>) outs(%e0 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %e1 = tensor.empty() : tensor<16x32xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<16x64xf32>, tensor<64x32xf32>) outs(%z1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

func.func @negative_softmax_no_second_matmul(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>) -> tensor<8x16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  // expected-remark @below {{not raised to fa2.attention: the softmax over the scores of a contraction is not followed by a second contraction}}
  %p = linalg.softmax dimension(2) ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  return %p : tensor<8x16x32xf32>
}

// -----

// No exp or reduction between the contractions: not a candidate, no remark.
func.func @negative_no_softmax(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  %o = linalg.batch_matmul ins(%s, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
func.func @negative_mask_then_scale(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %sc = arith.constant 0.125 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    %r = arith.mulf %t, %sc : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the scale multiplies the additive mask too; fa2.attention adds the mask after scaling}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

func.func @negative_runtime_scale(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %c: f32) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %cs = tensor.splat %c : tensor<8x16x32xf32>
  %x = arith.mulf %s, %cs : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the scores are scaled by something that is not a finite non-zero constant}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// Logit soft-capping (tanh) is not part of fa2.attention.
func.func @negative_softcap(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %t = math.tanh %s : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%t : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the scores pass through 'math.tanh', which the matcher does not understand}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
// The i1 condition is computed inside the select's generic from an integer
// tensor: there is no i1 tensor to pass as the mask.
func.func @negative_mask_inside_select(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xi32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : i32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xi32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: i32, %o: f32):
    %keep = arith.cmpi ne, %b, %c0 : i32
    %r = arith.select %keep, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the boolean mask is computed inside the select and is not a tensor fa2.attention can take}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
// A boolean masked_fill with a finite value around an additive mask: the
// fill replaces the mask too, while fa2.attention fills, then adds.
func.func @negative_add_inside_finite_fill(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %fm: tensor<16x32xf32>, %bm: tensor<16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %fill = arith.constant -1.0e+09 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %fm, %bm : tensor<8x16x32xf32>, tensor<16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %f: f32, %b: i1, %o: f32):
    %t = arith.addf %a, %f : f32
    %r = arith.select %b, %t, %fill : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: an additive mask is applied before a finite masked_fill; fa2.attention fills first, then adds}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// The row max is returned too: the chain's intermediates are still needed.
func.func @negative_max_returned(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> (tensor<8x16x8xf32>, tensor<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %mx = linalg.reduce ins(%s : tensor<8x16x32xf32>) outs(%mi : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.maximumf %a, %acc : f32
      linalg.yield %r : f32
    }
  %mb = linalg.broadcast ins(%mx : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %d = arith.subf %s, %mb : tensor<8x16x32xf32>
  %ex = math.exp %d : tensor<8x16x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sm = linalg.reduce ins(%ex : tensor<8x16x32xf32>) outs(%si : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.addf %a, %acc : f32
      linalg.yield %r : f32
    }
  %sb = linalg.broadcast ins(%sm : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %p = arith.divf %ex, %sb : tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the result of 'linalg.reduce' in the chain is also used by 'func.return'}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o, %mx : tensor<8x16x8xf32>, tensor<8x16xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
// Not raised: the "guard" zeroes rows whose scores are all 0, not rows that
// are fully masked; softmax gives a uniform row there, fa2.attention would
// not give 0.
func.func @negative_guard_other_constant(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %true = arith.constant true
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<8x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %sm = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xi1>
  %ti = linalg.fill ins(%true : i1) outs(%er : tensor<8x16xi1>) -> tensor<8x16xi1>
  %all = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x16x32xf32>) outs(%ti : tensor<8x16xi1>) {
  ^bb0(%a: f32, %acc: i1):
    %c = arith.cmpf oeq, %a, %zero : f32
    %r = arith.andi %c, %acc : i1
    linalg.yield %r : i1
  } -> tensor<8x16xi1>
  %p = linalg.generic {indexing_maps = [#row, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%all, %sm : tensor<8x16xi1>, tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%dead: i1, %a: f32, %o: f32):
    %r = arith.select %dead, %zero, %a : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the softmax is replaced by 0 where a test that is not 'the row is fully masked' holds}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

#id = affine_map<(b, i, j) -> (b, i, j)>
#row = affine_map<(b, i, j) -> (b, i)>
// Not raised: the row sum is replaced by 2 where it equals 1 (e.g. a row
// with one visible key), which changes the result of live rows.
func.func @negative_sum_guard_not_zero(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %mx = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x16x32xf32>) outs(%mi : tensor<8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %ex = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mx : tensor<8x16x32xf32>, tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %mm: f32, %o: f32):
    %d = arith.subf %a, %mm : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ex : tensor<8x16x32xf32>) outs(%si : tensor<8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<8x16x32xf32>, tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %l: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %two = arith.constant 2.0 : f32
    %odd = arith.cmpf oeq, %l, %one : f32
    %den = arith.select %odd, %two, %l : f32
    %r = arith.divf %a, %den : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the softmax's row sum is replaced where a test that is not 'the row is fully masked' holds}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// An empty batch (found by fa2-fuzz): heads would be 0, which fa2.attention's
// verifier rejects; nothing to compute, the chain stays.
#id = affine_map<(b, i, j) -> (b, i, j)>
#mk = affine_map<(b, i, j) -> (i, j)>
func.func @negative_empty_batch(%q: tensor<0x16x0xf32>, %kt: tensor<0x0x32xf32>, %v: tensor<0x32x0xf32>, %m: tensor<16x32xi1>) -> tensor<0x16x0xf32> {
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -3.40282347E+38 : f32
  %e0 = tensor.empty() : tensor<0x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<0x16x32xf32>) -> tensor<0x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<0x16x0xf32>, tensor<0x0x32xf32>) outs(%z0 : tensor<0x16x32xf32>) -> tensor<0x16x32xf32>
  %x = linalg.generic {indexing_maps = [#id, #mk, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %m : tensor<0x16x32xf32>, tensor<16x32xi1>) outs(%e0 : tensor<0x16x32xf32>) {
  ^bb0(%a: f32, %b: i1, %o: f32):
    %r = arith.select %b, %low, %a : f32
    linalg.yield %r : f32
  } -> tensor<0x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<0x16x32xf32>) outs(%e0 : tensor<0x16x32xf32>) -> tensor<0x16x32xf32>
  %e3 = tensor.empty() : tensor<0x16x0xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<0x16x0xf32>) -> tensor<0x16x0xf32>
  // expected-remark @below {{not raised to fa2.attention: an operand has a dimension of size 0}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<0x16x32xf32>, tensor<0x32x0xf32>) outs(%z3 : tensor<0x16x0xf32>) -> tensor<0x16x0xf32>
  return %o : tensor<0x16x0xf32>
}

// -----

// A linalg.softmax whose init is the masked scores and whose input is not
// derived from them (found by fa2-fuzz; it dereferenced null).
#id = affine_map<(b, i, j) -> (b, i, j)>
func.func @negative_softmax_input_not_scores(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x17xf32>, %v: tensor<8x17x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %off = arith.constant 16 : index
  %e0 = tensor.empty() : tensor<8x16x17xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x17xf32>) -> tensor<8x16x17xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x17xf32>) outs(%z0 : tensor<8x16x17xf32>) -> tensor<8x16x17xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<8x16x17xf32>) outs(%e0 : tensor<8x16x17xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %lim = arith.addi %i, %off : index
    %c = arith.cmpi ule, %j, %lim : index
    %r = arith.select %c, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x17xf32>
  %p = linalg.softmax dimension(2) ins(%e0 : tensor<8x16x17xf32>) outs(%x : tensor<8x16x17xf32>) -> tensor<8x16x17xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: cannot follow the dimensions of the scores through 'linalg.softmax': its input does not come from the scores}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x17xf32>, tensor<8x17x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}
// -----

// A grouped einsum whose values vary along the group while the keys do not
// (Q[B,T,K,G,H]·K[B,S,K,H], then P·V[B,S,K,G,H]): the query heads [K, G]
// read one K head but G different V heads. fa2.attention's K and V have
// the same heads, so K would have to be repeated G times; the raiser only
// reads views and transposes, and leaves the chain.
#gq = affine_map<(b, t, k, g, s, h) -> (b, t, k, g, h)>
#gk = affine_map<(b, t, k, g, s, h) -> (b, s, k, h)>
#gs = affine_map<(b, t, k, g, s, h) -> (b, t, k, g, s)>
#gp = affine_map<(b, t, k, g, h, s) -> (b, t, k, g, s)>
#gv = affine_map<(b, t, k, g, h, s) -> (b, s, k, g, h)>
#go = affine_map<(b, t, k, g, h, s) -> (b, t, k, g, h)>
func.func @negative_grouped_values_vary_along_group(%q: tensor<2x8x2x2x16xf32>, %k: tensor<2x8x2x16xf32>, %v: tensor<2x8x2x2x16xf32>) -> tensor<2x8x2x2x16xf32> {
  %zero = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<2x8x2x2x8xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x8x2x2x8xf32>) -> tensor<2x8x2x2x8xf32>
  %s = linalg.generic {indexing_maps = [#gq, #gk, #gs], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x8x2x2x16xf32>, tensor<2x8x2x16xf32>) outs(%zs : tensor<2x8x2x2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x2x2x8xf32>
  %p = linalg.softmax dimension(4) ins(%s : tensor<2x8x2x2x8xf32>) outs(%es : tensor<2x8x2x2x8xf32>) -> tensor<2x8x2x2x8xf32>
  %eo = tensor.empty() : tensor<2x8x2x2x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x8x2x2x16xf32>) -> tensor<2x8x2x2x16xf32>
  // expected-remark @below {{not raised to fa2.attention: the second contraction ('linalg.generic') does not keep the row dimensions of the scores apart from the values' (a group dimension that V varies along and K does not)}}
  %o = linalg.generic {indexing_maps = [#gp, #gv, #go], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x8x2x2x8xf32>, tensor<2x8x2x2x16xf32>) outs(%zo : tensor<2x8x2x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x2x2x16xf32>
  return %o : tensor<2x8x2x2x16xf32>
}

// -----

// A grouped einsum with a bias that varies along the group G but not along
// the K/V head K: the op's mask broadcasts over heads as a whole (its head
// dim is 1 or Hq = K·G), so the bias would have to be copied K times.
#hq = affine_map<(b, t, k, g, s, h) -> (b, t, k, g, h)>
#hk = affine_map<(b, t, k, g, s, h) -> (b, s, k, h)>
#hs = affine_map<(b, t, k, g, s, h) -> (b, t, k, g, s)>
#hp = affine_map<(b, t, k, g, h, s) -> (b, t, k, g, s)>
#hv = affine_map<(b, t, k, g, h, s) -> (b, s, k, h)>
#ho = affine_map<(b, t, k, g, h, s) -> (b, t, k, g, h)>
#all5 = affine_map<(b, t, k, g, s) -> (b, t, k, g, s)>
#bias = affine_map<(b, t, k, g, s) -> (g, t, s)>
func.func @negative_grouped_bias_along_group_only(%q: tensor<2x8x2x2x16xf32>, %k: tensor<2x8x2x16xf32>, %v: tensor<2x8x2x16xf32>, %bias: tensor<2x8x8xf32>) -> tensor<2x8x2x2x16xf32> {
  %zero = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<2x8x2x2x8xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x8x2x2x8xf32>) -> tensor<2x8x2x2x8xf32>
  %s = linalg.generic {indexing_maps = [#hq, #hk, #hs], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x8x2x2x16xf32>, tensor<2x8x2x16xf32>) outs(%zs : tensor<2x8x2x2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x2x2x8xf32>
  %sb = linalg.generic {indexing_maps = [#all5, #bias, #all5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %bias : tensor<2x8x2x2x8xf32>, tensor<2x8x8xf32>) outs(%es : tensor<2x8x2x2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<2x8x2x2x8xf32>
  %p = linalg.softmax dimension(4) ins(%sb : tensor<2x8x2x2x8xf32>) outs(%es : tensor<2x8x2x2x8xf32>) -> tensor<2x8x2x2x8xf32>
  %eo = tensor.empty() : tensor<2x8x2x2x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x8x2x2x16xf32>) -> tensor<2x8x2x2x16xf32>
  // expected-remark @below {{not raised to fa2.attention: the mask varies along some but not all of the dimensions the query heads are merged from (the K/V head and the group dimensions)}}
  %o = linalg.generic {indexing_maps = [#hp, #hv, #ho], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x8x2x2x8xf32>, tensor<2x8x2x16xf32>) outs(%zo : tensor<2x8x2x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x8x2x2x16xf32>
  return %o : tensor<2x8x2x2x16xf32>
}

// -----

// XSoftmax's shape, but the zeroing after the softmax uses another mask than
// the finfo.min fill before it: rows the fill removes and the zeroing keeps
// average V in the original, so this is not fa2's -inf removal.
#xs = affine_map<(b, i, j) -> (b, i, j)>
func.func @negative_zeroing_another_mask(%q: tensor<4x8x16xf32>, %kt: tensor<4x16x8xf32>, %v: tensor<4x8x16xf32>, %drop: tensor<4x8x8xi1>, %zero_where: tensor<4x8x8xi1>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %min = arith.constant -3.40282347E+38 : f32
  %e = tensor.empty() : tensor<4x8x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%z : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %filled = linalg.generic {indexing_maps = [#xs, #xs, #xs], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %drop : tensor<4x8x8xf32>, tensor<4x8x8xi1>) outs(%e : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %d: i1, %o: f32):
    %r = arith.select %d, %min, %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%filled : tensor<4x8x8xf32>) outs(%e : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %pz = linalg.generic {indexing_maps = [#xs, #xs, #xs], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p, %zero_where : tensor<4x8x8xf32>, tensor<4x8x8xi1>) outs(%e : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %d: i1, %o: f32):
    %r = arith.select %d, %zero, %a : f32
    linalg.yield %r : f32
  } -> tensor<4x8x8xf32>
  %eo = tensor.empty() : tensor<4x8x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  // expected-remark @below {{not raised to fa2.attention: the softmax is replaced by 0 where a test that is not 'the row is fully masked' holds}}
  %o = linalg.batch_matmul ins(%pz, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%zo : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The forward labels stop at an op the matcher does not know.
func.func @negative_scores_through_unknown_op(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = tensor.extract_slice %s[0, 0, 0] [8, 16, 32] [1, 1, 1] : tensor<8x16x32xf32> to tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: cannot follow the dimensions of the scores through 'tensor.extract_slice': the matcher does not know this op}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// The scores plus their own transpose: the add's operands name its dims
// differently.
func.func @negative_scores_operands_disagree(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x16xf32>, %v: tensor<8x16x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x16xf32>) outs(%z0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %t = linalg.transpose ins(%s : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) permutation = [0, 2, 1]
  %x = arith.addf %s, %t : tensor<8x16x16xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x16xf32>) outs(%e0 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: cannot follow the dimensions of the scores through 'arith.addf': its operands disagree on which dimension is which}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x16xf32>, tensor<8x16x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// The query and key dims merged into one and split again: such a merge has
// no name (only a batch dim followed by row dims merges, as the query heads of
// a grouped einsum).
func.func @negative_scores_dims_merged(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %c = tensor.collapse_shape %s [[0], [1, 2]] : tensor<8x16x32xf32> into tensor<8x512xf32>
  %x = tensor.expand_shape %c [[0], [1, 2]] output_shape [8, 16, 32] : tensor<8x512xf32> into tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: cannot follow the dimensions of the scores through 'tensor.collapse_shape': it merges dimensions of the scores}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// A reshape of the scores that moves elements between dims (not only unit
// dims added or dropped).
func.func @negative_scores_reshaped(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %shape = tosa.const_shape {values = dense<[8, 32, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %r = tosa.reshape %s, %shape : (tensor<8x16x32xf32>, !tosa.shape<3>) -> tensor<8x32x16xf32>
  %back = tosa.const_shape {values = dense<[8, 16, 32]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %x = tosa.reshape %r, %back : (tensor<8x32x16xf32>, !tosa.shape<3>) -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: cannot follow the dimensions of the scores through 'tosa.reshape': it is not a reshape that only adds or drops unit dimensions}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// exp(s - sum_k s) / sum_k exp(...): the value subtracted before exp is a
// row sum, not the row max that keeps exp from overflowing.
func.func @negative_shift_not_row_max(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %sh_i = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sh_r = linalg.reduce ins(%s : tensor<8x16x32xf32>) outs(%sh_i : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.addf %a, %acc : f32
      linalg.yield %r : f32
    }
  %sh = linalg.broadcast ins(%sh_r : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %d = arith.subf %s, %sh : tensor<8x16x32xf32>
  %ex = math.exp %d : tensor<8x16x32xf32>
  %sm_i = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sm_r = linalg.reduce ins(%ex : tensor<8x16x32xf32>) outs(%sm_i : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.addf %a, %acc : f32
      linalg.yield %r : f32
    }
  %sm = linalg.broadcast ins(%sm_r : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %p = arith.divf %ex, %sm : tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the value subtracted before exp is not the row maximum of the softmax input}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// (exp(s) + 1) / sum_k (exp(s) + 1): normalized, but not by exp.
func.func @negative_numerator_not_exp(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %one = arith.constant dense<1.0> : tensor<8x16x32xf32>
  %ex = math.exp %s : tensor<8x16x32xf32>
  %y = arith.addf %ex, %one : tensor<8x16x32xf32>
  %sm_i = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sm_r = linalg.reduce ins(%y : tensor<8x16x32xf32>) outs(%sm_i : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.addf %a, %acc : f32
      linalg.yield %r : f32
    }
  %sm = linalg.broadcast ins(%sm_r : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %p = arith.divf %y, %sm : tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the softmax numerator is not an exp}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// exp(s) / sum_k exp(2s): the sum is not over the numerator.
func.func @negative_sum_of_other(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %two = arith.constant dense<2.0> : tensor<8x16x32xf32>
  %ex = math.exp %s : tensor<8x16x32xf32>
  %s2 = arith.mulf %s, %two : tensor<8x16x32xf32>
  %ex2 = math.exp %s2 : tensor<8x16x32xf32>
  %sm_i = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %sm_r = linalg.reduce ins(%ex2 : tensor<8x16x32xf32>) outs(%sm_i : tensor<8x16xf32>) dimensions = [2]
    (%a: f32, %acc: f32) {
      %r = arith.addf %a, %acc : f32
      linalg.yield %r : f32
    }
  %sm = linalg.broadcast ins(%sm_r : tensor<8x16xf32>) outs(%e0 : tensor<8x16x32xf32>) dimensions = [2]
  %p = arith.divf %ex, %sm : tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the softmax divides by a sum over something other than its numerator}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// The scores added to themselves.
func.func @negative_scores_added_to_themselves(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = arith.addf %s, %s : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the scores are added to a value that also depends on them}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// A cap by min(s, c) before the softmax (a soft cap in the shape of a
// clamp).
func.func @negative_scores_capped(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %cap = arith.constant dense<50.0> : tensor<8x16x32xf32>
  %x = arith.minimumf %s, %cap : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the scores go through 'min' before the softmax}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// c / s: the scores divide, they are not divided.
func.func @negative_scores_divisor(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %c = arith.constant dense<2.0> : tensor<8x16x32xf32>
  %x = arith.divf %c, %s : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the scores are a divisor}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// masked_fill with a tensor: the removed scores take values, not one
// constant.
func.func @negative_select_not_constant(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<8x16x32xi1>, %other: tensor<8x16x32xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %x = arith.select %m, %s, %other : tensor<8x16x32xi1>, tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: a select on the scores does not replace them by a constant}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// masked_fill(-inf) then a negative scale: the removed scores become +inf.
func.func @negative_scale_after_inf_mask(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<8x16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %ninf = arith.constant dense<0xFF800000> : tensor<8x16x32xf32>
  %neg = arith.constant dense<-1.0> : tensor<8x16x32xf32>
  %f = arith.select %m, %s, %ninf : tensor<8x16x32xi1>, tensor<8x16x32xf32>
  %x = arith.mulf %f, %neg : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: a non-positive scale is applied after a -inf mask}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// masked_fill(-3e38) then a scale of 10: the fill is no f32 once scaled.
func.func @negative_scaled_fill_overflows(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>, %m: tensor<8x16x32xi1>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %big = arith.constant dense<-3.0e+38> : tensor<8x16x32xf32>
  %ten = arith.constant dense<10.0> : tensor<8x16x32xf32>
  %f = arith.select %m, %s, %big : tensor<8x16x32xi1>, tensor<8x16x32xf32>
  %x = arith.mulf %f, %ten : tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: the fill value of a masked_fill overflows f32 once scaled}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}

// -----

// An index mask keeping 2 <= j - i <= 5: a band that misses the
// bottom-right diagonal (j - i = 16 here: seq_k - seq_q), which
// fa2.attention's window always contains. The message gives the bounds
// relative to that diagonal.
func.func @negative_band_off_diagonal(%q: tensor<8x16x8xf32>, %kt: tensor<8x8x32xf32>, %v: tensor<8x32x8xf32>) -> tensor<8x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16x32xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x8xf32>, tensor<8x8x32xf32>) outs(%z0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %c2 = arith.constant 2 : index
  %c5 = arith.constant 5 : index
  %ninf = arith.constant 0xFF800000 : f32
  %x = linalg.generic {indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) {
  ^bb0(%a: f32, %out: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %d = arith.subi %j, %i : index
    %lo = arith.cmpi sge, %d, %c2 : index
    %hi = arith.cmpi sle, %d, %c5 : index
    %keep = arith.andi %lo, %hi : i1
    %r = arith.select %keep, %a, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<8x16x32xf32>
  %p = linalg.softmax dimension(2) ins(%x : tensor<8x16x32xf32>) outs(%e0 : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  %e3 = tensor.empty() : tensor<8x16x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  // expected-remark @below {{not raised to fa2.attention: an index mask keeps a band of keys that does not contain the bottom-right diagonal (window bounds -14, -11)}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x16x32xf32>, tensor<8x32x8xf32>) outs(%z3 : tensor<8x16x8xf32>) -> tensor<8x16x8xf32>
  return %o : tensor<8x16x8xf32>
}
