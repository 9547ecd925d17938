// RUN: fa2-opt %s --split-input-file --verify-diagnostics
// Every message of fa2.attention's verifier, one case each.

func.func @rank_too_small(%q: tensor<8x16xf16>) -> tensor<8x16xf16> {
  // expected-error @+1 {{'fa2.attention' op expected query of rank >= 3 ([batch..., heads, seq, features] or [batch..., seq, heads, features]), got 2}}
  %o = fa2.attention %q, %q, %q scale(1.0) : tensor<8x16xf16>, tensor<8x16xf16>, tensor<8x16xf16> -> tensor<8x16xf16>
  return %o : tensor<8x16xf16>
}

// -----

func.func @rank_mismatch(%q: tensor<2x4x8x16xf16>, %k: tensor<4x8x16xf16>) -> tensor<2x4x8x16xf16> {
  // expected-error @+1 {{query, key and value must have the same rank, got 4, 3 and 4}}
  %o = fa2.attention %q, %k, %q scale(1.0) : tensor<2x4x8x16xf16>, tensor<4x8x16xf16>, tensor<2x4x8x16xf16> -> tensor<2x4x8x16xf16>
  return %o : tensor<2x4x8x16xf16>
}

// -----

func.func @element_type_mismatch(%q: tensor<4x8x16xf16>, %v: tensor<4x8x16xbf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{query, key and value must share one element type, got 'f16', 'f16' and 'bf16'}}
  %o = fa2.attention %q, %q, %v scale(1.0) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xbf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @integer_elements(%q: tensor<4x8x16xi8>) -> tensor<4x8x16xi8> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float values}}
  %o = fa2.attention %q, %q, %q scale(1.0) : tensor<4x8x16xi8>, tensor<4x8x16xi8>, tensor<4x8x16xi8> -> tensor<4x8x16xi8>
  return %o : tensor<4x8x16xi8>
}

// -----

func.func @batch_mismatch(%q: tensor<2x4x8x16xf16>, %k: tensor<3x4x8x16xf16>) -> tensor<2x4x8x16xf16> {
  // expected-error @+1 {{batch dimension 0 differs between query (2), key (3) and value (3)}}
  %o = fa2.attention %q, %k, %k scale(1.0) : tensor<2x4x8x16xf16>, tensor<3x4x8x16xf16>, tensor<3x4x8x16xf16> -> tensor<2x4x8x16xf16>
  return %o : tensor<2x4x8x16xf16>
}

// -----

func.func @kv_heads_mismatch(%q: tensor<4x8x16xf16>, %k: tensor<2x8x16xf16>, %v: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{key and value must have the same number of heads, got 2 and 4}}
  %o = fa2.attention %q, %k, %v scale(1.0) : tensor<4x8x16xf16>, tensor<2x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @kv_seq_mismatch(%q: tensor<4x8x16xf16>, %k: tensor<4x32x16xf16>, %v: tensor<4x33x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{key and value must have the same sequence length, got 32 and 33}}
  %o = fa2.attention %q, %k, %v scale(1.0) : tensor<4x8x16xf16>, tensor<4x32x16xf16>, tensor<4x33x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @qk_feature_mismatch(%q: tensor<4x8x16xf16>, %k: tensor<4x8x32xf16>) -> tensor<4x8x32xf16> {
  // expected-error @+1 {{query and key must have the same feature size, got 16 and 32}}
  %o = fa2.attention %q, %k, %k scale(1.0) : tensor<4x8x16xf16>, tensor<4x8x32xf16>, tensor<4x8x32xf16> -> tensor<4x8x32xf16>
  return %o : tensor<4x8x32xf16>
}

// -----

func.func @heads_not_multiple(%q: tensor<8x8x16xf16>, %k: tensor<3x8x16xf16>) -> tensor<8x8x16xf16> {
  // expected-error @+1 {{query heads (8) must be a multiple of key/value heads (3)}}
  %o = fa2.attention %q, %k, %k scale(1.0) : tensor<8x8x16xf16>, tensor<3x8x16xf16>, tensor<3x8x16xf16> -> tensor<8x8x16xf16>
  return %o : tensor<8x8x16xf16>
}

// -----

// In bshd the head dimension is the third from last.
func.func @heads_not_multiple_bshd(%q: tensor<8x6x16xf16>, %k: tensor<8x4x16xf16>) -> tensor<8x6x16xf16> {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4)}}
  %o = fa2.attention %q, %k, %k scale(1.0) layout<bshd> : tensor<8x6x16xf16>, tensor<8x4x16xf16>, tensor<8x4x16xf16> -> tensor<8x6x16xf16>
  return %o : tensor<8x6x16xf16>
}

// -----

func.func @output_shape(%q: tensor<4x8x16xf16>, %v: tensor<4x8x32xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{output shape must be [4, 8, 32] (the query's, with the value's feature size), got [4, 8, 16]}}
  %o = fa2.attention %q, %q, %v scale(1.0) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x32xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @mask_rank(%q: tensor<4x8x16xf16>, %m: tensor<1x1x4x8x8xf32>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{mask of rank 5 cannot broadcast to the scores [4, 8, 8] of rank 3}}
  %o = fa2.attention %q, %q, %q mask(%m) scale(1.0) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<1x1x4x8x8xf32> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @mask_dim(%q: tensor<4x8x16xf16>, %k: tensor<4x12x16xf16>, %m: tensor<8x7xi1>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{mask dimension 1 is 7 but must be 1 or 12 to broadcast to the scores [4, 8, 12]}}
  %o = fa2.attention %q, %k, %k mask(%m) scale(1.0) : tensor<4x8x16xf16>, tensor<4x12x16xf16>, tensor<4x12x16xf16>, tensor<8x7xi1> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @mask_element_type(%q: tensor<4x8x16xf16>, %m: tensor<8x8xi8>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{operand #3 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 1-bit signless integer values}}
  %o = fa2.attention %q, %q, %q mask(%m) scale(1.0) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<8x8xi8> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @lse_shape(%q: tensor<2x4x8x16xf16>) -> tensor<2x4x16xf32> {
  // expected-error @+1 {{lse shape must be [batch..., Hq, Sq] = [2, 4, 8], got [2, 4, 16]}}
  %o, %l = fa2.attention %q, %q, %q scale(1.0) : tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16> -> tensor<2x4x8x16xf16>, tensor<2x4x16xf32>
  return %l : tensor<2x4x16xf32>
}

// -----

func.func @lse_element_type(%q: tensor<4x8x16xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{result #1 must be ranked tensor of 32-bit float values}}
  %o, %l = fa2.attention %q, %q, %q scale(1.0) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>, tensor<4x8xf16>
  return %l : tensor<4x8xf16>
}

// -----

func.func @scale_not_finite(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{scale must be finite}}
  %o = fa2.attention %q, %q, %q scale(0x7F800000) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @window_negative(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{window bounds must be >= 0, got [-1, 0]}}
  %o = fa2.attention %q, %q, %q scale(1.0) causal window(-1, 0) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @window_negative_right(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{window bounds must be >= 0, got [2, -3]}}
  %o = fa2.attention %q, %q, %q scale(1.0) window(2, -3) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

// The custom form always has two bounds; the generic form can have others.
func.func @window_three_elements(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{window must have two elements [left, right], got 3}}
  %o = "fa2.attention"(%q, %q, %q) <{scale = 1.0 : f32, window = array<i64: 1, 2, 3>}> : (tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16>) -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @fill_nan(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{fill must be finite}}
  %o = fa2.attention %q, %q, %q scale(1.0) causal fill(0x7FF8000000000000) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @fill_neg_inf(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{fill must be finite}}
  %o = fa2.attention %q, %q, %q scale(1.0) causal fill(0xFFF0000000000000) : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @schedule_not_a_schedule(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{'fa2.attention' op expects 'fa2.schedule' to be a #fa2.schedule, got {block_m = 64 : i64}}}
  %o = fa2.attention %q, %q, %q scale(1.0) {fa2.schedule = {block_m = 64}} : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @unknown_fa2_attribute(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{'fa2.attention' op has an unknown fa2 attribute 'fa2.tiles'}}
  %o = fa2.attention %q, %q, %q scale(1.0) {fa2.tiles = 3} : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @schedule_field_twice(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{schedule field 'warps' given twice}}
  %o = fa2.attention %q, %q, %q scale(1.0) {fa2.schedule = #fa2.schedule<warps = 2, warps = 4>} : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

func.func @schedule_field_value(%q: tensor<4x8x16xf16>) -> tensor<4x8x16xf16> {
  // expected-error @+1 {{schedule field 'warps': expected an integer, true, false or a word}}
  %o = fa2.attention %q, %q, %q scale(1.0) {fa2.schedule = #fa2.schedule<warps = [2]>} : tensor<4x8x16xf16>, tensor<4x8x16xf16>, tensor<4x8x16xf16> -> tensor<4x8x16xf16>
  return %o : tensor<4x8x16xf16>
}

// -----

// fa2.manifests (fa2-lower-to-gpu's kernel manifests, for
// fa2-write-kernels) is one dictionary per kernel, on a builtin.module.
// expected-error @+1 {{'builtin.module' op expects 'fa2.manifests' on a builtin.module, a dictionary of one dictionary per kernel, got {attn = "attn.ptx"}}}
module attributes {fa2.manifests = {attn = "attn.ptx"}} {
}

// -----

// expected-error @+1 {{'func.func' op expects 'fa2.manifests' on a builtin.module}}
func.func @manifests_on_a_function() attributes {fa2.manifests = {attn = {kernel = "attn"}}} {
  return
}
