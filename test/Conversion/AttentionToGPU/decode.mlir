// Decode schedules (the default for 16-bit inputs with static head counts
// and seq_q; pack_gqa=false keeps the prefill kernel): packed GQA rows in a
// small row tile, split-KV with a combine kernel, the split count at run
// time (dynamic seq_k) or at compile time (static shapes); and split-KV on
// the prefill tile for a chunked-prefill step.
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu | FileCheck %s
// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=DYN --input-file=%t/fa2_attention_decode_dynamic_0.json
// RUN: FileCheck %s --check-prefix=STATIC --input-file=%t/fa2_attention_decode_static_0.json
// RUN: FileCheck %s --check-prefix=EQUAL --input-file=%t/fa2_attention_decode_static_equal_0.json
// RUN: FileCheck %s --check-prefix=WIDE --input-file=%t/fa2_attention_decode_wide_batch_0.json
// RUN: FileCheck %s --check-prefix=CHUNK --input-file=%t/fa2_attention_chunked_prefill_0.json
// RUN: FileCheck %s --check-prefix=LONG --input-file=%t/fa2_attention_long_chunk_0.json
// RUN: FileCheck %s --check-prefix=SHORTK --input-file=%t/fa2_attention_dynamic_batch_prefill_0.json
// RUN: FileCheck %s --check-prefix=LAST --input-file=%t/fa2_attention_decode_last_cta_0.json
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu | sed -n '/gpu.module @fa2_attention_decode_g8_last_cta_0/,/func.func @decode_g8_last_cta/p' \
// RUN:   | grep -oE 'step %c12|memref\.load|vector\.(load|fma)|math\.exp2|scf\.yield' | uniq -c | awk '{$1=$1};1' | tr '\n' ' ' | FileCheck %s --check-prefix=TRIP
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu | sed -n '/gpu.func @fa2_attention_decode_dynamic_0_combine/,/gpu.return/p' \
// RUN:   | awk -f %S/Inputs/combine-ops.awk | FileCheck %s --check-prefix=COMBINE
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu | sed -n '/gpu.func @fa2_attention_decode_g8_d64_0_combine/,/gpu.return/p' \
// RUN:   | awk -f %S/Inputs/combine-ops.awk | FileCheck %s --check-prefix=COMBINE64
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=pack_gqa=false" | FileCheck %s --check-prefix=OFF
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=pack_gqa=false,kv_splits=1" | FileCheck %s --check-prefix=ONE

// Sq = 1, 32 query heads on 8 K/V heads: 4 packed rows in a 16-row tile
// (one warp; d = 128: 32-key blocks in 3 stages, at least 2 blocks per
// split); the host computes the split count from batch and seq_k for
// 132 SMs (2·132 = 264 CTA slots, divided by the row tiles and rounded
// down: full waves), allocates the partials and launches the combine after
// the splits (combine = launch, the table's; the op asks for it too, and
// the next case for the last-CTA merge).
// The kernel also takes O and LSE: a launch with one split (num_splits = 1,
// a batch that fills the GPU) writes them itself, and the host then leaves
// the combine out (the combine returns at once if launched anyway).
// CHECK-LABEL: gpu.module @fa2_attention_decode_dynamic_0
// CHECK: gpu.func @fa2_attention_decode_dynamic_0(%{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: i32, %{{[^:]*}}: i32) kernel
// CHECK-SAME: block_m = 16, block_n = 32
// CHECK-SAME: kv_splits = auto
// CHECK-SAME: min_blocks_per_split = 2
// CHECK-SAME: pack_gqa = true
// CHECK-SAME: stages = 3
// CHECK-SAME: warps = 1
// The splits let the combine (a programmatic dependent launch on sm_90)
// start before anything else.
// CHECK-NOT: gpu.thread_id
// CHECK: nvvm.griddepcontrol launch_dependents
// The combine: four warps a CTA, W = min(4, ceildiv(splits, 16)) warps a
// row (a warp loads 16 splits a trip at d = 128: one split group of 32
// lanes, a 4-column chunk each), 4 / W rows a CTA; the row's groups take
// splits g, g + groups, ..., each load predicated on its split existing;
// the warps of a row meet in shared memory (4 x 130 floats). It reads
// nothing before the splits are done. (The order of its loads and
// arithmetic: COMBINE below.)
// CHECK: gpu.func @fa2_attention_decode_dynamic_0_combine(%{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xf32>, %[[NS:.*]]: i32) workgroup(%[[W:.*]] : memref<520xf32, #gpu.address_space<workgroup>>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-NOT: memref.load
// CHECK: %[[NSI:.*]] = arith.index_castui %[[NS]] : i32 to index
// CHECK-NEXT: %[[MANY:.*]] = arith.cmpi ne, %[[NSI]], %c1 : index
// CHECK-NEXT: scf.if %[[MANY]] {
// CHECK-NEXT: nvvm.griddepcontrol wait
// CHECK: %[[WARPS:.*]] = arith.ceildivui %[[NSI]], %c16 : index
// CHECK-NEXT: %[[CAPPED:.*]] = arith.minui %[[WARPS]], %c4 : index
// CHECK-NEXT: %[[ROWS:.*]] = arith.divui %c4, %[[CAPPED]] : index
// CHECK-NEXT: %[[PERROW:.*]] = arith.divui %c4, %[[ROWS]] : index
// CHECK: %[[BID:.*]] = gpu.block_id x
// CHECK-NEXT: arith.muli %[[BID]], %[[ROWS]] : index
// CHECK: %[[STEP:.*]] = arith.muli %[[PERROW]], %c16 : index
// CHECK: scf.for %{{.*}} = %c0 to %[[NSI]] step %[[STEP]]
// CHECK-NOT: scf.for
// CHECK-COUNT-16: arith.cmpi ult, %{{.*}}, %[[NSI]]
// CHECK-NOT: scf.for
// CHECK: scf.yield
// CHECK: arith.cmpi ugt, %[[PERROW]], %c1
// CHECK: vector.store %{{.*}}, %[[W]]
// CHECK: gpu.barrier
// The combine's order (Inputs/combine-ops.awk): a row of at most 4
// splits a group takes trips of 4, else of 16 (two loops under one if);
// a trip loads its splits' L_s and partial chunks (2 loads under each
// split's if) before any arithmetic on them, rescales to the new maximum
// and weighs each split (an exp2 and an FMA); after the loop, where a row
// has several warps, each warp's first group stores its state, one
// barrier, and the row's other warps' states are merged in (a loop: two
// weights, one FMA each) before O and the LSE are stored. At d = 64 (the
// G = 8 step with combine = launch) a warp is two groups of 16 lanes, which
// meet through 6 xor shuffles (maximum, sum, 4 columns) first.
// COMBINE: {{^}}2 if 1 for 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 2 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 for 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 2 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 2 if 1 store-state 1 if 2 store-state 1 barrier 1 for 3 load-state 2 exp2 1 fma 1 if 1 store 1 if 1 store{{$}}
// COMBINE64: {{^}}2 if 1 for 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 2 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 for 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 1 if 2 load 2 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 1 exp2 1 fma 6 shuffle 2 exp2 1 fma 2 if 1 store-state 1 if 2 store-state 1 barrier 1 for 3 load-state 2 exp2 1 fma 1 if 1 store{{$}}
// CHECK-LABEL: func.func @decode_dynamic
// CHECK: %[[FORSMS:.*]] = arith.divui %c264{{.*}}, %{{.*}} : index
// CHECK: %[[MIN:.*]] = arith.minui %[[FORSMS]], %{{.*}} : index
// CHECK: %[[CAP:.*]] = arith.minui %[[MIN]], %c128
// CHECK: %[[COUNT:.*]] = arith.maxui %[[CAP]], %c1
// Equal splits: the fewest splits whose longest split is no longer.
// CHECK: %[[LONGEST:.*]] = arith.ceildivui %[[BLOCKS:.*]], %[[COUNT]] : index
// CHECK: %[[LONGEST1:.*]] = arith.maxui %[[LONGEST]], %c1
// CHECK: %[[FEWEST:.*]] = arith.ceildivui %[[BLOCKS]], %[[LONGEST1]] : index
// CHECK: %[[SPLITS:.*]] = arith.maxui %[[FEWEST]], %c1
// CHECK: %[[OPART:.*]] = memref.alloc(%{{.*}}) {alignment = 128 : i64} : memref<?xf32>
// CHECK: %[[LPART:.*]] = memref.alloc(%{{.*}}) {alignment = 128 : i64} : memref<?xf32>
// CHECK: gpu.launch_func @fa2_attention_decode_dynamic_0::@fa2_attention_decode_dynamic_0 blocks in (%[[SPLITS]],
// CHECK-SAME: args(%{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %[[OPART]] : memref<?xf32>, %[[LPART]] : memref<?xf32>, %{{[^:]*}} : memref<?xbf16>, %{{[^:]*}} : memref<?xf32>, %{{[^:]*}} : i32, %{{[^:]*}} : i32)
// CHECK: %[[NOTONE:.*]] = arith.cmpi ne, %[[SPLITS]], %c1{{.*}} : index
// CHECK-NEXT: scf.if %[[NOTONE]] {
// CHECK-NEXT: gpu.launch_func @fa2_attention_decode_dynamic_0::@fa2_attention_decode_dynamic_0_combine
// CHECK-SAME: threads in (%c128
// CHECK-SAME: args(%[[OPART]] : memref<?xf32>, %[[LPART]] : memref<?xf32>

// DYN: "combine": {
// DYN-NEXT: "block": [
// DYN-NEXT: 128,
// DYN: "grid": [
// DYN-NEXT: "ceildiv(batch * heads_q * seq_q, 4 / min(4, ceildiv(num_splits, 16)))",
// DYN: "kernel": "fa2_attention_decode_dynamic_0_combine",
// DYN: "name": "num_splits",
// DYN: "programmatic_dependent_launch": true,
// DYN-NEXT: "skip_at_one_split": true
// DYN: "ceildiv(4 * seq_q, 16) * num_splits",
// DYN-NEXT: "ceildiv(batch * heads_kv, ceildiv(batch * heads_kv + 1, 65535))",
// DYN: "num_splits": "max(1, ceildiv(ceildiv(seq_k, 32), max(1, ceildiv(ceildiv(seq_k, 32), max(1, min(min(2 * sm_count / max(batch * heads_kv * ceildiv(4 * seq_q, 16), 1), ceildiv(ceildiv(seq_k, 32), 2)), 128))))))",
// DYN: "name": "o_partial.size",
// DYN-NEXT: "type": "i64",
// DYN-NEXT: "value": "batch * heads_q * seq_q * num_splits * head_dim_v"
// DYN: "name": "seq_k",
// DYN-NEXT: "type": "i32",
// DYN: "name": "num_splits",
// DYN-NEXT: "type": "i32",
// DYN-NEXT: "value": "num_splits"
// DYN: "pack_gqa": true

// pack_gqa=false: the prefill table (one CTA row per query head), whose own
// rule still splits the keys of 32 row tiles; with kv_splits=1 too, the
// one-kernel prefill path: no scratch, no combine anywhere.
// OFF-LABEL: gpu.func @fa2_attention_decode_dynamic_0(
// OFF-SAME: kernel
// OFF-SAME: block_m = 128
// OFF-SAME: kv_splits = auto
// OFF-NOT: pack_gqa
// OFF: gpu.func @fa2_attention_decode_dynamic_0_combine(
// ONE-NOT: pack_gqa
// ONE-NOT: kv_splits
// ONE-NOT: _combine
// ONE-LABEL: gpu.func @fa2_attention_decode_dynamic_0(
// ONE-SAME: memref<?xbf16>, %{{.*}}: memref<?xf32>, %{{.*}}: i32) kernel
// ONE-SAME: block_m = 128
// ONE-NOT: pack_gqa
// ONE-NOT: kv_splits
// ONE-NOT: _combine
// ONE: func.func @decode_f32
func.func @decode_dynamic(%q: tensor<?x32x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> (tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) {fa2.schedule = #fa2.schedule<combine = launch>} : tensor<?x32x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
}

// -----

// The same step with combine = last_cta (the op's schedule field): no
// combine kernel. Each split CTA stores its
// partials, fences (gpu scope), synchronizes, and thread 0 counts the CTA
// in its row tile's counter; bar.red.or tells the CTA whether it arrived
// last, and that CTA resets the counter to 0, fences again and merges the
// tile's 4 rows side by side into O and LSE (one pass over the splits with
// a running maximum: no shuffles, unlike the combine kernel). The host
// zeroes the counters once before the launch. With batch dynamic the grid
// is folded into y and z, whose repeated CTAs do not count.
// CHECK-LABEL: gpu.module @fa2_attention_decode_last_cta_0
// CHECK: gpu.func @fa2_attention_decode_last_cta_0(%{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %[[OP:.*]]: memref<?xf32>, %[[LP:.*]]: memref<?xf32>, %[[O:.*]]: memref<?xbf16>, %[[L:.*]]: memref<?xf32>, %[[CNT:.*]]: memref<?xi32>, %{{.*}}: i32, %{{.*}}: i32) kernel
// CHECK-SAME: combine = last_cta
// CHECK-NOT: griddepcontrol
// CHECK: memref.store %{{.*}}, %[[LP]]
// CHECK: nvvm.memory.barrier <gpu>
// CHECK-NEXT: nvvm.barrier0
// CHECK-NEXT: %[[TID0:.*]] = arith.cmpi eq, %thread_id_x, %c0 : index
// CHECK-NEXT: %[[T0:.*]] = arith.andi %[[TID0]], %{{.*}} : i1
// CHECK: scf.if %[[T0]] -> (i1) {
// CHECK: %[[OLD:.*]] = memref.atomic_rmw addi %c1_i32, %[[CNT]][%[[SLOT:.*]]] : (i32, memref<?xi32>) -> i32
// CHECK: scf.if
// CHECK-NEXT: memref.store %c0_i32, %[[CNT]][%[[SLOT]]]
// CHECK: nvvm.barrier #nvvm.reduction<or>
// CHECK: scf.if
// CHECK-NEXT: nvvm.memory.barrier <gpu>
// CHECK: scf.for
// CHECK: memref.load %[[LP]]
// CHECK-NOT: gpu.shuffle
// CHECK: vector.load %[[OP]][
// CHECK-NOT: gpu.shuffle
// CHECK: vector.store %{{.*}}, %[[O]]
// CHECK: memref.store %{{.*}}, %[[L]]
// CHECK: gpu.return
// CHECK-NOT: _combine
// CHECK-LABEL: func.func @decode_last_cta
// CHECK: %[[C:.*]] = memref.alloc(%{{.*}}) {alignment = 128 : i64} : memref<?xi32>
// CHECK: gpu.memset %[[C]], %c0_i32
// CHECK: gpu.launch_func @fa2_attention_decode_last_cta_0::@fa2_attention_decode_last_cta_0
// CHECK-SAME: %[[C]] : memref<?xi32>
// CHECK-NOT: gpu.launch_func
// CHECK: return
// LAST: "combine_counter": {
// LAST-NEXT: "dtype": "i32",
// LAST-NEXT: "scratch": true,
// LAST-NEXT: "shape": [
// LAST-NEXT: "batch",
// LAST-NEXT: "heads_q",
// LAST-NEXT: "seq_q"
// LAST-NEXT: ],
// LAST-NEXT: "zero_init": true
// LAST: "combine": {
// LAST-NEXT: "mode": "last_cta"
// LAST-NEXT: },
// LAST: "name": "lse.stride",
// LAST: "name": "combine_counter.allocated",
// LAST: "name": "num_splits",
// LAST: "combine": "last_cta",
func.func @decode_last_cta(%q: tensor<?x32x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> (tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) {fa2.schedule = #fa2.schedule<combine = last_cta>} : tensor<?x32x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
}

// -----

// G = 8 (64 query heads on 8 K/V heads, Sq = 1): 8 packed rows, the
// table's 32-row tile of two warps (the second warp's rows are empty in
// the main loop) with combine = last_cta (the op's), so that both merge: warp w
// takes rows 4w .. 4w + 3 (lastCTARowsPerPass), side by side: lane group
// lane / 8 takes a row, and each lane merges its 4 chunks of 4 columns in
// one pass over the splits with a running maximum (no shuffles, no shared
// weights, no warp barrier before the loop): 12 splits a trip, the trip's
// 12 L_s and 48 partial loads first, then the rescale (the old maximum's
// and the 12 splits' exp2) and the 48 FMAs, so no load waits behind
// arithmetic (prefix TRIP reads the loop body in order).
// A launch with one split (num_splits = 1: a batch that fills the GPU)
// writes O (bf16) and LSE directly and skips the partials, the counter and
// the merge; more splits store the f32 partials and go through the merge.
// CHECK-LABEL: gpu.module @fa2_attention_decode_g8_last_cta_0
// CHECK: gpu.func @fa2_attention_decode_g8_last_cta_0(%{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %[[OP:.*]]: memref<?xf32>, %[[LP:.*]]: memref<?xf32>, %[[O:.*]]: memref<?xbf16>, %[[L:.*]]: memref<?xf32>, %[[CNT:.*]]: memref<?xi32>, %{{.*}}: i32, %[[NS:.*]]: i32) kernel
// CHECK-SAME: block_m = 32
// CHECK-SAME: combine = last_cta
// CHECK-SAME: warps = 2
// CHECK: %[[GROUP:.*]] = arith.divui %{{.*}}, %c8 : index
// CHECK: %[[SPLITS:.*]] = arith.index_cast{{.*}} %[[NS]] : i32 to index
// CHECK: %[[SINGLE:.*]] = arith.cmpi eq, %[[SPLITS]], %c1 : index
// CHECK: scf.if %[[SINGLE]] {
// CHECK-NOT: %[[OP]]
// CHECK-COUNT-16: vector.store %{{.*}}, %[[O]][%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// CHECK-NOT: %[[OP]]
// CHECK: memref.store %{{.*}}, %[[L]][%{{.*}}] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: } else {
// CHECK-NOT: %[[O]]
// CHECK-COUNT-16: vector.store %{{.*}}, %[[OP]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// CHECK-NOT: %[[O]]
// CHECK: memref.store %{{.*}}, %[[LP]][%{{.*}}] : memref<?xf32>
// CHECK: %[[MANY:.*]] = arith.cmpi ne, %[[SPLITS]], %c1 : index
// CHECK-NEXT: scf.if %[[MANY]] {
// CHECK: nvvm.memory.barrier <gpu>
// CHECK-NEXT: nvvm.barrier0
// CHECK: memref.atomic_rmw addi %c1_i32, %[[CNT]]
// CHECK: nvvm.barrier #nvvm.reduction<or>
// CHECK: scf.if
// CHECK-NEXT: nvvm.memory.barrier <gpu>
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %{{.*}}, %c4 : index
// CHECK-NEXT: scf.for %{{.*}} = %[[FIRST]] to %c8 step %c8 {
// CHECK-NEXT: arith.addi %{{.*}}, %[[GROUP]] : index
// CHECK-NOT: gpu.shuffle
// CHECK-NOT: nvvm.bar.warp.sync
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c12 iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, f32, f32) {
// CHECK-COUNT-48: vector.load %{{.*}} : memref<?xf32>, vector<4xf32>
// CHECK-NOT: vector.load
// CHECK: scf.yield
// CHECK: vector.store
// CHECK: gpu.return
// CHECK-NOT: _combine
// TRIP: {{^| }}1 step %c12 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 1 memref.load 4 vector.load 2 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 math.exp2 4 vector.fma 1 scf.yield
// CHECK-LABEL: func.func @decode_g8_last_cta
// CHECK: gpu.launch_func @fa2_attention_decode_g8_last_cta_0::@fa2_attention_decode_g8_last_cta_0
// CHECK-NOT: gpu.launch_func
// CHECK: return
func.func @decode_g8_last_cta(%q: tensor<?x64x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> (tensor<?x64x1x128xbf16>, tensor<?x64x1xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) {fa2.schedule = #fa2.schedule<combine = last_cta>} : tensor<?x64x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x64x1x128xbf16>, tensor<?x64x1xf32>
  return %o, %lse : tensor<?x64x1x128xbf16>, tensor<?x64x1xf32>
}

// -----

// G = 8 at d = 64: unlike d = 128, one warp of 16 rows (8 of them packed
// heads, as G = 4's 4), 64-key blocks in 3 stages (G = 4's row of the
// table), and the table's combine launch: no counter, no last-CTA merge in
// the split kernel (COMBINE64 reads the combine).
// CHECK-LABEL: gpu.module @fa2_attention_decode_g8_d64_0
// CHECK: gpu.func @fa2_attention_decode_g8_d64_0(
// CHECK-SAME: block_m = 16, block_n = 64, combine = launch,
// CHECK-SAME: stages = 3
// CHECK-SAME: warps = 1
// CHECK-NOT: memref.atomic_rmw
// CHECK-NOT: nvvm.barrier #nvvm.reduction<or>
// CHECK: gpu.return
// CHECK: gpu.func @fa2_attention_decode_g8_d64_0_combine(
// CHECK-LABEL: func.func @decode_g8_d64
// CHECK: gpu.launch_func @fa2_attention_decode_g8_d64_0::@fa2_attention_decode_g8_d64_0
// CHECK: gpu.launch_func @fa2_attention_decode_g8_d64_0::@fa2_attention_decode_g8_d64_0_combine
func.func @decode_g8_d64(%q: tensor<?x64x1x64xbf16>, %k: tensor<?x8x?x64xbf16>, %v: tensor<?x8x?x64xbf16>) -> tensor<?x64x1x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<?x64x1x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16> -> tensor<?x64x1x64xbf16>
  return %o : tensor<?x64x1x64xbf16>
}

// -----

// Static shapes: the split count is fixed now (batch 1, 8 K/V heads, one
// row tile each: 264 / 8 = 33 splits of 4096 blocks, 125 at most each,
// which 32 splits would not keep), no i32 argument;
// the partials are 1·32·4·33·128 and 1·32·4·33 floats.
// CHECK-LABEL: gpu.func @fa2_attention_decode_static_0(
// CHECK-SAME: %{{.*}}: memref<540672xf32>, %{{.*}}: memref<4224xf32>) kernel
// STATIC: "ceildiv(4 * seq_q, 16) * num_splits",
// STATIC-NEXT: "batch * heads_kv",
// STATIC-NEXT: "1"
// STATIC: "num_splits": "33",
// STATIC: "kv_splits": 33,
func.func @decode_static(%q: tensor<1x32x4x128xf16>, %k: tensor<1x8x131072x128xf16>, %v: tensor<1x8x131072x128xf16>) -> tensor<1x32x4x128xf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) causal : tensor<1x32x4x128xf16>, tensor<1x8x131072x128xf16>, tensor<1x8x131072x128xf16> -> tensor<1x32x4x128xf16>
  return %o : tensor<1x32x4x128xf16>
}

// -----

// Equal splits: 33 splits (264 / 8) of 128 blocks of 64 keys (d = 64, Bc =
// 64) take 4 blocks at most, as 32 do: 32, one partial, CTA and merge trip
// fewer; the partials are 1·32·1·32·64 and 1·32·1·32 floats.
// CHECK-LABEL: gpu.func @fa2_attention_decode_static_equal_0(
// CHECK-SAME: %{{.*}}: memref<65536xf32>, %{{.*}}: memref<1024xf32>{{.*}}) kernel
// EQUAL: "num_splits": "32",
// EQUAL: "kv_splits": 32,
func.func @decode_static_equal(%q: tensor<1x32x1x64xbf16>, %k: tensor<1x8x8192x64xbf16>, %v: tensor<1x8x8192x64xbf16>) -> tensor<1x32x1x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x32x1x64xbf16>, tensor<1x8x8192x64xbf16>, tensor<1x8x8192x64xbf16> -> tensor<1x32x1x64xbf16>
  return %o : tensor<1x32x1x64xbf16>
}

// -----

// Enough CTAs without a split (64 · 8 row tiles > 264): packed rows, one
// kernel, no scratch and no combine. d = 64 with 4 packed rows streams
// 64-key blocks through 3 stages.
// WIDE-NOT: "combine"
// WIDE-NOT: "num_splits"
// WIDE-NOT: "o_partial"
// WIDE: "block_n": 64,
// WIDE-NOT: "kv_splits"
// WIDE: "pack_gqa": true
// WIDE: "stages": 3,
// CHECK-LABEL: gpu.func @fa2_attention_decode_wide_batch_0(
// CHECK-NOT: _combine
// CHECK: gpu.return
func.func @decode_wide_batch(%q: tensor<64x32x1x64xbf16>, %k: tensor<64x8x512x64xbf16>, %v: tensor<64x8x512x64xbf16>) -> tensor<64x32x1x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<64x32x1x64xbf16>, tensor<64x8x512x64xbf16>, tensor<64x8x512x64xbf16> -> tensor<64x32x1x64xbf16>
  return %o : tensor<64x32x1x64xbf16>
}

// -----

// Chunked prefill: Sq = 512 static of a cache of run-time length, 32 query
// heads: 4·32 = 128 row tiles of the prefill table (4·512 packed rows are
// too many for the decode table), at most one per SM of 132: the keys are
// split, the count at run time (2 at batch 1). Unlike the decode tile's
// kernels, the split kernel takes no O (a direct-write epilogue spilled here
// and measured 3-9% slower on the 8k step): a launch of one split runs the
// kernel unsplit instead (the manifest's one_split), which takes O.
// CHECK-LABEL: gpu.func @fa2_attention_chunked_prefill_0_one_split(
// CHECK-SAME: %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: i32) kernel
// CHECK-SAME: block_m = 128
// CHECK-NOT: kv_splits
// CHECK-LABEL: gpu.func @fa2_attention_chunked_prefill_0(
// CHECK-SAME: %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: i32, %{{[^:]*}}: i32) kernel
// CHECK-SAME: block_m = 128
// CHECK-SAME: kv_splits = auto
// CHECK-NOT: pack_gqa
// CHECK: gpu.func @fa2_attention_chunked_prefill_0_combine(
// CHUNK: "kernel": "fa2_attention_chunked_prefill_0_combine",
// CHUNK-NOT: "skip_at_one_split"
// CHUNK: "dims": {
// CHUNK: "num_splits": "max(1, ceildiv(ceildiv(seq_k, 64), max(1, ceildiv(ceildiv(seq_k, 64), max(1, min(min(2 * sm_count / max(batch * heads_q * ceildiv(seq_q, 128), 1), ceildiv(ceildiv(seq_k, 64), 2)), 128))))))",
// CHUNK: "one_split": {
// CHUNK: "kernel": "fa2_attention_chunked_prefill_0_one_split",
// CHUNK-NOT: "pack_gqa"
// CHUNK: "kv_splits": "auto",
// OFF-LABEL: gpu.func @fa2_attention_chunked_prefill_0(
// OFF-SAME: kv_splits = auto
func.func @chunked_prefill(%q: tensor<?x32x512x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x32x512x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) causal : tensor<?x32x512x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x512x128xbf16>
  return %o : tensor<?x32x512x128xbf16>
}

// -----

// A torch.export with a dynamic batch and static lengths (Sq = Sk = 512,
// 16 heads: 64 row tiles a batch element) splits the keys at batches 1 and
// 2; from batch 3 the count is 1, where the partials' round trip was most
// of the work (0.55x SDPA flash at batch 32 on an H100): the host launches
// the kernel unsplit there, and only the split launch allocates partials
// and runs the combine.
// CHECK-LABEL: gpu.func @fa2_attention_dynamic_batch_prefill_0_one_split(
// CHECK-SAME: %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>, %{{[^:]*}}: memref<?xbf16>) kernel
// CHECK-LABEL: gpu.func @fa2_attention_dynamic_batch_prefill_0(
// CHECK-SAME: %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: memref<?xf32>, %{{[^:]*}}: i32) kernel
// CHECK-SAME: kv_splits = auto
// CHECK: gpu.func @fa2_attention_dynamic_batch_prefill_0_combine(
// CHECK-LABEL: func.func @dynamic_batch_prefill(
// CHECK: %[[UNSPLIT:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK-NEXT: scf.if %[[UNSPLIT]] {
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch_func @fa2_attention_dynamic_batch_prefill_0::@fa2_attention_dynamic_batch_prefill_0_one_split
// CHECK-NOT: gpu.launch_func
// CHECK: } else {
// CHECK: memref.alloc({{.*}}) {alignment = 128 : i64} : memref<?xf32>
// CHECK: gpu.launch_func @fa2_attention_dynamic_batch_prefill_0::@fa2_attention_dynamic_batch_prefill_0 {{.*}} args({{.*}} : memref<?xf32>, {{.*}} : memref<?xf32>, {{.*}} : i32)
// CHECK: gpu.launch_func @fa2_attention_dynamic_batch_prefill_0::@fa2_attention_dynamic_batch_prefill_0_combine
// The one-split launch's params take O, and no partial.
// SHORTK: "combine": {
// SHORTK-NOT: "skip_at_one_split"
// SHORTK: "one_split": {
// SHORTK: "grid": [
// SHORTK-NEXT: "ceildiv(seq_q, 128)",
// SHORTK: "kernel": "fa2_attention_dynamic_batch_prefill_0_one_split",
// SHORTK-NOT: "o_partial
// SHORTK: "name": "o.allocated",
// SHORTK-NOT: "o_partial
// SHORTK: "schedule": {
func.func @dynamic_batch_prefill(%q: tensor<?x16x512x128xbf16>, %k: tensor<?x16x512x128xbf16>, %v: tensor<?x16x512x128xbf16>) -> tensor<?x16x512x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) causal : tensor<?x16x512x128xbf16>, tensor<?x16x512x128xbf16>, tensor<?x16x512x128xbf16> -> tensor<?x16x512x128xbf16>
  return %o : tensor<?x16x512x128xbf16>
}

// -----

// Sq = 1024: 8·32 = 256 row tiles already fill the chip's two CTAs per
// SM at batch 1: no split.
// CHECK-LABEL: gpu.func @fa2_attention_long_chunk_0(
// CHECK-NOT: kv_splits
// CHECK-NOT: _combine
// CHECK: gpu.return
// LONG-NOT: "num_splits"
// LONG-NOT: "combine"
func.func @long_chunk(%q: tensor<?x32x1024x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x32x1024x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) causal : tensor<?x32x1024x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1024x128xbf16>
  return %o : tensor<?x32x1024x128xbf16>
}

// -----

// f32 inputs keep the prefill table (no packed rows, no split).
// CHECK-LABEL: gpu.func @fa2_attention_decode_f32_0(
// CHECK-SAME: block_m =
// CHECK-NOT: pack_gqa
// CHECK-NOT: kv_splits
// CHECK-NOT: _combine
// CHECK: gpu.return
func.func @decode_f32(%q: tensor<2x32x1x64xf32>, %k: tensor<2x8x256x64xf32>, %v: tensor<2x8x256x64xf32>) -> tensor<2x32x1x64xf32> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<2x32x1x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32> -> tensor<2x32x1x64xf32>
  return %o : tensor<2x32x1x64xf32>
}
