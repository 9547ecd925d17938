// The wgmma kernel's TMA-store epilogue (schedule field epilogue = tma_store,
// HopperKernelBuilder.cpp's storeOutputTile): O's tensor map after V's, the
// consumer warpgroup's O into shared memory (its Q tile, or with the
// persistent grid a tile of O's own), the proxy fence, one thread's bulk
// tensor stores, and the wait for their reads before the tile is reused.
// (A file of its own: the other ops of hopper-wgmma.mlir have no room for
// O's own tile with these fields.)
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,epilogue=tma_store,persistent=false" -verify-diagnostics | FileCheck %s --check-prefix=IR
// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma,epilogue=tma_store,persistent=false manifest-dir=%t" -verify-diagnostics -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_d128_0.ptx
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_d128_0.json
// RUN: rm -rf %t.own && fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma,epilogue=tma_store,block_n=128 manifest-dir=%t.own" -verify-diagnostics -o /dev/null
// RUN: FileCheck %s --check-prefix=OWN --input-file=%t.own/fa2_attention_d128_0.ptx
// RUN: FileCheck %s --check-prefix=OWNJSON --input-file=%t.own/fa2_attention_d128_0.json
// Asked for where it cannot be (the last two ops): a diagnostic at the op.
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,epilogue=stmatrix" 2>&1 | FileCheck %s --check-prefix=WORD

// Four maps (O's last), then O's buffer (the batch count is read off its
// size) and LSE; the host encodes O's map from O's allocation.
// IR-LABEL: gpu.func @fa2_attention_d128_0(%{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: memref<4194304xbf16>, %{{.*}}: memref<32768xf32>) kernel
// IR-SAME: epilogue = tma_store
// IR-SAME: fa2.tensor_map_params = array<i64: 0, 1, 2, 3>
// IR: nvvm.fence.proxy
// IR: nvgpu.tma.async.store
// IR: nvvm.cp.async.bulk.commit.group
// IR: nvvm.cp.async.bulk.wait_group 0 {read}
// IR-LABEL: func.func @d128
// IR-COUNT-4: call @fa2rtEncodeTensorMap
// IR: gpu.launch_func @fa2_attention_d128_0::@fa2_attention_d128_0 {{.*}} args({{.*}} : vector<16xi64>, {{.*}} : vector<16xi64>, {{.*}} : vector<16xi64>, {{.*}} : vector<16xi64>, {{.*}} : memref<4194304xbf16>, {{.*}} : memref<32768xf32>)

// The consumer, after its last P·V: the warpgroup's barrier (every warp's
// Q·Kᵀ done), O's 32-bit pairs into the (Q) tile, no store of O to global
// memory; the fence, the warpgroup's barrier (128
// threads), one bulk tensor store per 64 columns, the commit, and at the end
// the wait until the stores have read the tile.
// PTX: .param .align 64 .b8 fa2_attention_d128_0_param_3[128]
// PTX: wgmma.wait_group.sync.aligned 0
// PTX-NOT: st.global
// PTX: bar.sync {{.*}}, 128;
// PTX-NOT: st.global
// PTX: st.shared.b32
// PTX-NOT: st.global
// PTX: fence.proxy.async.shared::cta;
// PTX-NEXT: bar.sync {{.*}}, 128;
// PTX: cp.async.bulk.tensor.4d.global.shared::cta.tile.bulk_group
// PTX: cp.async.bulk.tensor.4d.global.shared::cta.tile.bulk_group
// PTX-NEXT: cp.async.bulk.commit_group;
// PTX: cp.async.bulk.wait_group.read 0;
// O's map: [dim, seq, heads, batch] (4-D, so a box clips at seq_q and never
// reaches the next head), 64 x 64 boxes.
// JSON: "name": "v.tensor_map"
// JSON: "box": [
// JSON-NEXT: 64,
// JSON-NEXT: 64,
// JSON-NEXT: 1,
// JSON-NEXT: 1
// JSON-NEXT: ],
// JSON-NEXT: "buffer": "o",
// JSON-NEXT: "dims": [
// JSON-NEXT: "head_dim_v",
// JSON-NEXT: "seq_q",
// JSON-NEXT: "heads_q",
// JSON-NEXT: "batch"
// JSON-NEXT: ],
// JSON-NEXT: "name": "o.tensor_map",
// JSON: "name": "o.allocated"
// JSON: "epilogue": "tma_store"
// The persistent grid: the producer loads the next tile's Q under the
// epilogue, so O has its own tile after the V stages (Q 32768 + 2 x (K + V)
// 131072 = 163840); the thread that stored the last tile's O waits for its
// reads before the warpgroup writes the next.
// OWN: cp.async.bulk.wait_group.read 0;
// OWN-NEXT: $L__
// OWN-NEXT: bar.sync {{.*}}, 128;
// OWN: st.shared.b32 [{{.*}}+163840]
// OWN: fence.proxy.async.shared::cta;
// OWN-NEXT: bar.sync {{.*}}, 128;
// OWN: cp.async.bulk.tensor.4d.global.shared::cta.tile.bulk_group
// OWN: cp.async.bulk.commit_group;
// OWN: cp.async.bulk.wait_group.read 0;
// OWNJSON: "dynamic_shared_memory_bytes": 197632
// OWNJSON: "persistent": true
// WORD: field 'epilogue' = stmatrix: expected registers (each thread stores its part of O) or tma_store (O through shared memory, stored by TMA)
func.func @d128(%q: tensor<2x16x1024x128xbf16>, %k: tensor<2x16x1024x128xbf16>, %v: tensor<2x16x1024x128xbf16>) -> (tensor<2x16x1024x128xbf16>, tensor<2x16x1024xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) : tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16> -> tensor<2x16x1024x128xbf16>, tensor<2x16x1024xf32>
  return %o, %lse : tensor<2x16x1024x128xbf16>, tensor<2x16x1024xf32>
}

// -----

// f32 O: no 16-bit tile to store (the registers epilogue serves it unless
// tma_store is asked for).
func.func @f32out(%q: tensor<2x16x1024x64xf16>, %k: tensor<2x16x1024x64xf16>, %v: tensor<2x16x1024x64xf16>) -> tensor<2x16x1024x64xf32> {
  // expected-error @+1 {{fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: epilogue = tma_store needs a 16-bit output (the TMA store copies O's tile in the output type), got f32}}
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<2x16x1024x64xf16>, tensor<2x16x1024x64xf16>, tensor<2x16x1024x64xf16> -> tensor<2x16x1024x64xf32>
  return %o : tensor<2x16x1024x64xf32>
}

// -----

// The persistent 128 x 176 tile with O's own: 246784 bytes.
func.func @own_too_big(%q: tensor<2x16x1024x128xbf16>, %k: tensor<2x16x1024x128xbf16>, %v: tensor<2x16x1024x128xbf16>) -> tensor<2x16x1024x128xbf16> {
  // expected-error @+1 {{fa2-lower-to-gpu: the schedule the op's fa2.schedule and the options ask for cannot run this kernel: the tiles need 246784 bytes of shared memory, more than sm_90a's 232448}}
  %o = fa2.attention %q, %k, %v scale(0.08838834764831845) {fa2.schedule = #fa2.schedule<block_n = 176, persistent = true>} : tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16> -> tensor<2x16x1024x128xbf16>
  return %o : tensor<2x16x1024x128xbf16>
}
