// Length variants (issue 15): where the sequence length is dynamic and the
// Hopper table has rows for ranges of seq_k (d = 64 causal: up to 1024 keys
// the persistent grid with the dynamic tile scheduler, beyond it 128-row
// CTAs without persistence), the op gets one kernel per range in its one
// gpu.module, the host launches the one whose range holds seq_k, and the
// manifest lists both under "variants". A static length takes its range's
// row alone; length_variants = false keeps one kernel (the longest keys'
// row); fields that make the ranges' schedules equal merge them.
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a" | FileCheck %s --check-prefix=IR
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="chip=sm_90a manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_dyn_0.json
// RUN: FileCheck %s --check-prefix=STATICJSON --input-file=%t/fa2_attention_long_0.json
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_dyn_0.ptx
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=length_variants=false" | FileCheck %s --check-prefix=OFF
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=persistent=false" | FileCheck %s --check-prefix=MERGED

// IR-LABEL: gpu.module @fa2_attention_dyn_0
// IR: gpu.func @fa2_attention_dyn_0_v1(
// IR-SAME: fa2.schedule = #fa2.schedule<block_m = 128, block_n = 128, {{.*}}persistent = false, ping_pong = true,
// IR: gpu.func @fa2_attention_dyn_0(
// IR-SAME: memref<2xi32>
// IR-SAME: fa2.schedule = #fa2.schedule<block_m = 128, block_n = 128, {{.*}}persistent = true, ping_pong = true, {{.*}}tile_scheduler = dynamic,
// IR-NOT: gpu.func
// IR-LABEL: func.func @dyn(
// IR: %[[K:.*]] = bufferization.to_buffer %arg1
// The tile counter (the persistent kernel's) is allocated and zeroed once,
// before the choice, so every variant could take the one buffer the
// manifest lists.
// IR: %[[COUNTER:.*]] = memref.alloc() {{.*}} : memref<2xi32>
// IR: gpu.memset %[[COUNTER]]
// IR: %[[SK:.*]] = memref.dim %[[K]], %c2{{.*}} : memref<?x16x?x64xbf16>
// IR: %[[SHORT:.*]] = arith.cmpi ule, %[[SK]], %c1024 : index
// IR: scf.if %[[SHORT]] {
// IR-NOT: @fa2_attention_dyn_0_v1
// IR: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks in
// IR-SAME: threads in (%c384,
// IR: } else {
// IR-NOT: @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks
// IR: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0_v1 blocks in
// IR-NOT: gpu.launch_func
// IR: return
// A static length: its range's row, one kernel, no branch on the length.
// IR-LABEL: gpu.module @fa2_attention_long_0
// IR: gpu.func @fa2_attention_long_0(
// IR-SAME: persistent = false
// IR-NOT: gpu.func
// IR-LABEL: func.func @long(
// IR-NOT: arith.cmpi ule
// IR: gpu.launch_func @fa2_attention_long_0::@fa2_attention_long_0 blocks in
// IR-NOT: gpu.launch_func
// IR: return

// The manifest: the first variant's launch at the top level, the buffers of
// both (tile_counter is the persistent kernel's), and the variants with
// their seq_k ranges (null: no upper bound).
// JSON: "buffers": {
// JSON: "tile_counter": {
// JSON: "kernel": "fa2_attention_dyn_0",
// JSON: "variants": [
// JSON: "kernel": "fa2_attention_dyn_0",
// JSON: "tile_counter.aligned"
// JSON: "persistent": true,
// JSON: "when": {
// JSON-NEXT: "seq_k": [
// JSON-NEXT: 0,
// JSON-NEXT: 1024
// JSON-NEXT: ]
// JSON: "kernel": "fa2_attention_dyn_0_v1",
// JSON-NOT: tile_counter
// JSON: "persistent": false,
// JSON: "when": {
// JSON-NEXT: "seq_k": [
// JSON-NEXT: 1025,
// JSON-NEXT: null
// JSON-NEXT: ]
// STATICJSON-NOT: "variants"
// STATICJSON: "kernel": "fa2_attention_long_0",
// STATICJSON-NOT: "variants"
// PTX-DAG: .visible .entry fa2_attention_dyn_0(
// PTX-DAG: .visible .entry fa2_attention_dyn_0_v1(

// OFF-LABEL: gpu.module @fa2_attention_dyn_0
// OFF: gpu.func @fa2_attention_dyn_0(
// OFF-SAME: length_variants = false{{.*}}persistent = false
// OFF-NOT: gpu.func
// OFF-LABEL: func.func @dyn(
// OFF-NOT: arith.cmpi ule
// OFF: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks
// OFF-NOT: gpu.launch_func
// OFF: return

// persistent = false on both rows leaves the same schedule (the first row's
// tile scheduler lapses): one kernel.
// MERGED-LABEL: gpu.module @fa2_attention_dyn_0
// MERGED: gpu.func @fa2_attention_dyn_0(
// MERGED-NOT: gpu.func
// MERGED-LABEL: func.func @dyn(
// MERGED-NOT: arith.cmpi ule
// MERGED: gpu.launch_func @fa2_attention_dyn_0::@fa2_attention_dyn_0 blocks
// MERGED-NOT: gpu.launch_func
// MERGED: return

func.func @dyn(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x16x?x64xbf16>, %v: tensor<?x16x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16> -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}

func.func @long(%q: tensor<1x16x2048x64xbf16>, %k: tensor<1x16x2048x64xbf16>, %v: tensor<1x16x2048x64xbf16>) -> tensor<1x16x2048x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<1x16x2048x64xbf16>, tensor<1x16x2048x64xbf16>, tensor<1x16x2048x64xbf16> -> tensor<1x16x2048x64xbf16>
  return %o : tensor<1x16x2048x64xbf16>
}
