// Length variants (issue 15): where the sequence length is dynamic and the
// Hopper table has rows for ranges of seq_k (d = 64 causal: up to 2048 keys
// 64 x 64 CTAs, three per SM (min_blocks_per_sm = 3: the entry registers
// capped for three), beyond it 192 x 112 CTAs; neither persistent), the op
// gets one kernel per range in its one gpu.module, the host launches the one
// whose range holds seq_k, and the manifest lists both under "variants". A
// static length takes its range's row alone; length_variants = false keeps
// one kernel (the longest keys' row); fields that make the ranges' schedules
// equal merge them; fields apply to every range (persistent = true with the
// dynamic tile scheduler: both kernels take the one tile counter).
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a" | FileCheck %s --check-prefix=IR
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="chip=sm_90a manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_dyn_0.json
// RUN: FileCheck %s --check-prefix=STATICJSON --input-file=%t/fa2_attention_long_0.json
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_dyn_0.ptx
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=length_variants=false" | FileCheck %s --check-prefix=OFF
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=persistent=false,block_m=128,block_n=128,ping_pong=true" | FileCheck %s --check-prefix=MERGED
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=persistent=true,tile_scheduler=dynamic" | FileCheck %s --check-prefix=COUNTER
// RUN: rm -rf %t.p && fa2-opt %s --fa2-to-ptx="chip=sm_90a schedule=persistent=true,tile_scheduler=dynamic manifest-dir=%t.p" -o /dev/null
// RUN: FileCheck %s --check-prefix=PGRID --input-file=%t.p/fa2_attention_dyn_0.json

// IR-LABEL: gpu.module @fa2_attention_dyn_0
// IR: gpu.func @fa2_attention_dyn_0_v1(
// IR-SAME: fa2.schedule = #fa2.schedule<block_m = 192, block_n = 112, consumer_registers = 160, {{.*}}min_blocks_per_sm = 0, {{.*}}persistent = false, ping_pong = true, producer_registers = 32,
// IR: gpu.func @fa2_attention_dyn_0(
// IR-NOT: memref<2xi32>
// IR-SAME: fa2.schedule = #fa2.schedule<block_m = 64, block_n = 64, consumer_registers = 136, epilogue = tma_store, min_blocks_per_sm = 3, {{.*}}persistent = false, ping_pong = false, producer_registers = 24,
// IR-NOT: gpu.func
// IR-LABEL: func.func @dyn(
// IR: %[[K:.*]] = bufferization.to_buffer %arg1
// IR: %[[SK:.*]] = memref.dim %[[K]], %c2{{.*}} : memref<?x16x?x64xbf16>
// IR: %[[SHORT:.*]] = arith.cmpi ule, %[[SK]], %c2048 : index
// IR: scf.if %[[SHORT]] {
// IR-NOT: @fa2_attention_dyn_0_v1
// IR: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks in
// IR-SAME: threads in (%c256,
// IR: } else {
// IR-NOT: @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks
// IR: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0_v1 blocks in
// IR-SAME: threads in (%c512,
// IR-NOT: gpu.launch_func
// IR: return
// A static length: its range's row, one kernel, no branch on the length.
// IR-LABEL: gpu.module @fa2_attention_long_0
// IR: gpu.func @fa2_attention_long_0(
// IR-SAME: block_m = 192, block_n = 112
// IR-NOT: gpu.func
// IR-LABEL: func.func @long(
// IR-NOT: arith.cmpi ule
// IR: gpu.launch_func @fa2_attention_long_0::@fa2_attention_long_0 blocks in
// IR-NOT: gpu.launch_func
// IR: return

// The manifest: the first variant's launch at the top level and the
// variants with their seq_k ranges (null: no upper bound); neither kernel is
// persistent, so no tile counter.
// JSON-NOT: tile_counter
// JSON: "kernel": "fa2_attention_dyn_0",
// JSON: "variants": [
// JSON: "kernel": "fa2_attention_dyn_0",
// JSON: "min_blocks_per_sm": 3,
// JSON: "when": {
// JSON-NEXT: "seq_k": [
// JSON-NEXT: 0,
// JSON-NEXT: 2048
// JSON-NEXT: ]
// JSON: "block": [
// JSON-NEXT: 512,
// JSON: "kernel": "fa2_attention_dyn_0_v1",
// JSON: "when": {
// JSON-NEXT: "seq_k": [
// JSON-NEXT: 2049,
// JSON-NEXT: null
// JSON-NEXT: ]
// JSON-NOT: tile_counter
// STATICJSON-NOT: "variants"
// STATICJSON: "kernel": "fa2_attention_long_0",
// STATICJSON-NOT: "variants"
// The entry register cap for three CTAs of 256 threads (85 registers a
// thread, in 8s: 80), which setmaxnreg redistributes as 24 / 136.
// PTX-DAG: .visible .entry fa2_attention_dyn_0(
// PTX-DAG: .visible .entry fa2_attention_dyn_0_v1(
// PTX-DAG: .minnctapersm 3
// PTX-DAG: setmaxnreg.inc.sync.aligned.u32 136;

// OFF-LABEL: gpu.module @fa2_attention_dyn_0
// OFF: gpu.func @fa2_attention_dyn_0(
// OFF-SAME: block_m = 192, block_n = 112, {{.*}}length_variants = false{{.*}}persistent = false
// OFF-NOT: gpu.func
// OFF-LABEL: func.func @dyn(
// OFF-NOT: arith.cmpi ule
// OFF: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks
// OFF-NOT: gpu.launch_func
// OFF: return

// The tile 128 x 128 with ping-pong on both rows leaves the same schedule
// (block_m sets both rows' registers, and the first row's three CTAs per SM
// lapse with them): one kernel.
// MERGED-LABEL: gpu.module @fa2_attention_dyn_0
// MERGED: gpu.func @fa2_attention_dyn_0(
// MERGED-SAME: block_m = 128, block_n = 128, {{.*}}min_blocks_per_sm = 0,
// MERGED-NOT: gpu.func
// MERGED-LABEL: func.func @dyn(
// MERGED-NOT: arith.cmpi ule
// MERGED: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks
// MERGED-NOT: gpu.launch_func
// MERGED: return

// Both ranges persistent with the dynamic tile scheduler (different tiles):
// the tile counter is allocated and zeroed once, before the choice, so
// either kernel takes the one buffer the manifest lists; each grid is one
// CTA per tile up to min_blocks_per_sm per SM (3 x 132 for the short
// range's 64-row CTAs, 132 for the other).
// PGRID: "variants": [
// PGRID: "min(ceildiv(seq_q, 64) * batch * heads_q, 396)",
// PGRID: "kernel": "fa2_attention_dyn_0",
// PGRID: "min(ceildiv(seq_q, 192) * batch * heads_q, 132)",
// PGRID: "kernel": "fa2_attention_dyn_0_v1",
// COUNTER-LABEL: gpu.module @fa2_attention_dyn_0
// COUNTER: gpu.func @fa2_attention_dyn_0_v1(
// COUNTER-SAME: memref<2xi32>
// COUNTER-SAME: tile_scheduler = dynamic
// COUNTER: gpu.func @fa2_attention_dyn_0(
// COUNTER-SAME: memref<2xi32>
// COUNTER-SAME: tile_scheduler = dynamic
// COUNTER-LABEL: func.func @dyn(
// COUNTER: %[[COUNTER:.*]] = memref.alloc() {{.*}} : memref<2xi32>
// COUNTER: gpu.memset %[[COUNTER]]
// COUNTER: scf.if
// COUNTER-NOT: memref.alloc(
// COUNTER: %[[GRID0:.*]] = arith.minui %{{.*}}, %c396 : index
// COUNTER-NOT: memref.alloc(
// COUNTER: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks in (%[[GRID0]],
// COUNTER-SAME: %[[COUNTER]]
// COUNTER: } else {
// COUNTER-NOT: memref.alloc(
// COUNTER: %[[GRID1:.*]] = arith.minui %{{.*}}, %c132 : index
// COUNTER-NOT: memref.alloc(
// COUNTER: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0_v1 blocks in (%[[GRID1]],
// COUNTER-SAME: %[[COUNTER]]

func.func @dyn(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x16x?x64xbf16>, %v: tensor<?x16x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16> -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}

func.func @long(%q: tensor<1x16x4096x64xbf16>, %k: tensor<1x16x4096x64xbf16>, %v: tensor<1x16x4096x64xbf16>) -> tensor<1x16x4096x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16> -> tensor<1x16x4096x64xbf16>
  return %o : tensor<1x16x4096x64xbf16>
}
