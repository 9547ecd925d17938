// The sm_90a decode schedule (getHopperDecodeSchedule): a decode step of at
// least 64 packed GQA rows takes the wgmma kernel on chip=sm_90a, its rows
// head-major (g·Sq + position) so that Q's tensor map reads a group's G·Sq
// rows as one tensor of that many rows per K/V head; split-KV with f32
// partials and the combine launch, the split count at run time for the CTAs
// an SM holds. Fewer rows, bshd, d = 256, combine = last_cta keep the
// mma.sync decode tile; mma = wgmma asks for the wgmma kernel at any count.
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a" | FileCheck %s
// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_g8q16_0.json
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_g8q16_0.ptx
// RUN: FileCheck %s --check-prefix=JSON64 --input-file=%t/fa2_attention_g4q16_d64_0.json
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma" | FileCheck %s --check-prefix=FORCED
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=combine=last_cta" | FileCheck %s --check-prefix=LAST
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90" | FileCheck %s --check-prefix=SM90
// The persistent grid on packed rows and split-KV (a field, not the
// table's choice): each CTA loops over (split, group, row tile) tiles, the
// host launches at most one CTA per SM.
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=persistent=true,producer_registers=40,consumer_registers=232" | FileCheck %s --check-prefix=PERSIST
// The dynamic tile scheduler is not for packed rows: the mma.sync decode
// tile stays.
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=persistent=true,tile_scheduler=dynamic" | FileCheck %s --check-prefix=DYNAMIC

// 128 packed rows (Sq = 16, G = 8): one 128 x 128 tile of two consumer
// warpgroups in ping-pong. Arguments: Q's, K's and V's maps, the partials,
// O for a one-split launch, seq_k and num_splits.
// CHECK-LABEL: gpu.module @fa2_attention_g8q16_0
// CHECK: gpu.func @fa2_attention_g8q16_0(%{{[^:]*}}: vector<16xi64>, %{{[^:]*}}: vector<16xi64>, %{{[^:]*}}: vector<16xi64>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: i32, %{{[^:]*}}: i32) kernel
// CHECK-SAME: block_m = 128, block_n = 128
// CHECK-SAME: combine = launch
// CHECK-SAME: kv_splits = auto
// CHECK-SAME: mma = wgmma
// CHECK-SAME: pack_gqa = true
// CHECK-SAME: ping_pong = true
// CHECK: nvvm.griddepcontrol launch_dependents
// The causal mask's query position of a head-major row: row % Sq.
// CHECK: arith.remui %{{.*}}, %c16 : index
// A split writes f32 partials; one split at run time writes O itself.
// CHECK: vector.store %{{.*}}, %{{.*}} : memref<?xbf16>, vector<2xbf16>
// CHECK: vector.store %{{.*}}, %{{.*}} : memref<?xf32>, vector<2xf32>
// CHECK: gpu.func @fa2_attention_g8q16_0_combine
// CHECK-LABEL: func.func @g8q16
// The split count fills one CTA per SM (132 slots), not the mma.sync
// tile's two.
// CHECK: arith.divui %c132{{.*}}, %{{.*}} : index
// Q's map: 16 · 8 = 128 rows per K/V head, 8 K/V heads; box rows 64.
// CHECK: %c1_i32 = arith.constant 1 : i32
// CHECK-NEXT: arith.constant 128 : i64
// CHECK-NEXT: %[[SEQ:.*]] = arith.index_castui %c128{{[_0-9]*}} : index to i64
// CHECK-NEXT: %[[HEADS:.*]] = arith.index_castui %c8 : index to i64
// CHECK: call @fa2rtEncodeTensorMap(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SEQ]], %[[HEADS]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c64_i32)
// CHECK: gpu.launch_func @fa2_attention_g8q16_0::@fa2_attention_g8q16_0
// CHECK: gpu.launch_func @fa2_attention_g8q16_0::@fa2_attention_g8q16_0_combine
// JSON: "num_splits": "max(1, ceildiv(ceildiv(seq_k, 128), max(1, ceildiv(ceildiv(seq_k, 128), max(1, min(min(1 * sm_count / max(batch * heads_kv * ceildiv(8 * seq_q, 128), 1), ceildiv(ceildiv(seq_k, 128), 4)), 128))))))",
// JSON: "dims": [
// JSON-NEXT: "head_dim",
// JSON-NEXT: "seq_q * 8",
// JSON-NEXT: "heads_kv",
// JSON-NEXT: "batch"
// JSON: "name": "q.tensor_map",
// JSON: "name": "o_partial.allocated",
// JSON: "name": "lse_partial.allocated",
// JSON: "name": "o.allocated",
// PTX: setmaxnreg.inc.sync.aligned.u32 240
// PTX: cp.async.bulk.tensor
// PTX: wgmma.mma_async
// SM90-LABEL: gpu.func @fa2_attention_g8q16_0(
// SM90-NOT: vector<16xi64>
// SM90-SAME: pack_gqa = true
// PERSIST-LABEL: gpu.func @fa2_attention_g8q16_0(
// PERSIST-SAME: pack_gqa = true
// PERSIST-SAME: persistent = true
// PERSIST: %[[TILES:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// PERSIST: scf.for %{{.*}} = %block_id_x to %[[TILES]] step %grid_dim_x
// PERSIST-LABEL: func.func @g8q16
// PERSIST: arith.minui %{{.*}}, %c132{{.*}} : index
// DYNAMIC-LABEL: gpu.func @fa2_attention_g8q16_0(
// DYNAMIC-NOT: vector<16xi64>
// DYNAMIC-SAME: pack_gqa = true
// LAST-LABEL: gpu.func @fa2_attention_g8q16_0(
// LAST-SAME: combine = last_cta
// LAST-NOT: mma = wgmma
// LAST-SAME: warps = 4
func.func @g8q16(%q: tensor<?x64x16x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x64x16x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831843) causal : tensor<?x64x16x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x64x16x128xbf16>
  return %o : tensor<?x64x16x128xbf16>
}

// -----

// 64 rows at d = 64: one consumer warpgroup, two CTAs per SM (264 split
// slots), with the LSE (its partials, and the op's for one split).
// CHECK-LABEL: gpu.func @fa2_attention_g4q16_d64_0(
// CHECK-SAME: memref<?xf32>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: memref<?xf16>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: i32, %{{[^:]*}}: i32) kernel
// CHECK-SAME: block_m = 64, block_n = 128
// CHECK-SAME: min_blocks_per_sm = 2
// CHECK-SAME: mma = wgmma
// CHECK-SAME: nvvm.minctasm = 2
// CHECK-LABEL: func.func @g4q16_d64
// CHECK: arith.divui %c264{{.*}}, %{{.*}} : index
// JSON64: "num_splits": "{{.*}}min(min(2 * sm_count
// JSON64: "seq_q * 4",
func.func @g4q16_d64(%q: tensor<?x32x16x64xf16>, %k: tensor<?x8x?x64xf16>, %v: tensor<?x8x?x64xf16>) -> (tensor<?x32x16x64xf16>, tensor<?x32x16xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) causal : tensor<?x32x16x64xf16>, tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16> -> tensor<?x32x16x64xf16>, tensor<?x32x16xf32>
  return %o, %lse : tensor<?x32x16x64xf16>, tensor<?x32x16xf32>
}

// -----

// 4 packed rows: the mma.sync decode tile by default; mma = wgmma takes the
// wgmma kernel's 64-row tile.
// CHECK-LABEL: gpu.func @fa2_attention_g4q1_0(
// CHECK-NOT: vector<16xi64>
// CHECK-SAME: block_m = 16
// FORCED-LABEL: gpu.func @fa2_attention_g4q1_0(
// FORCED-SAME: vector<16xi64>
// FORCED-SAME: block_m = 64
// FORCED-SAME: mma = wgmma
// FORCED-SAME: pack_gqa = true
func.func @g4q1(%q: tensor<?x32x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x32x1x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831843) : tensor<?x32x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1x128xbf16>
  return %o : tensor<?x32x1x128xbf16>
}

// -----

// bshd (a group's rows are not one box of Q's map) and d = 256 (no row in
// the table) keep the mma.sync decode tile.
// CHECK-LABEL: gpu.func @fa2_attention_bshd_0(
// CHECK-NOT: vector<16xi64>
// CHECK-SAME: pack_gqa = true
func.func @bshd(%q: tensor<?x16x64x128xbf16>, %k: tensor<?x?x8x128xbf16>, %v: tensor<?x?x8x128xbf16>) -> tensor<?x16x64x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831843) causal layout<bshd> : tensor<?x16x64x128xbf16>, tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16> -> tensor<?x16x64x128xbf16>
  return %o : tensor<?x16x64x128xbf16>
}

// -----

// CHECK-LABEL: gpu.func @fa2_attention_d256_0(
// CHECK-NOT: vector<16xi64>
// CHECK-SAME: pack_gqa = true
func.func @d256(%q: tensor<?x64x16x256xbf16>, %k: tensor<?x8x?x256xbf16>, %v: tensor<?x8x?x256xbf16>) -> tensor<?x64x16x256xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) causal : tensor<?x64x16x256xbf16>, tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16> -> tensor<?x64x16x256xbf16>
  return %o : tensor<?x64x16x256xbf16>
}
