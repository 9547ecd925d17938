// The prefill tile splits the keys by itself where one batch element has at
// most one row tile an SM (ceil(Sq / 128) x Hq <= SMs; getPrefillKVSplits):
// the count from the shapes, at run time where the batch is dynamic. The
// wgmma kernel splits only packed rows, so on sm_90a that split lapses and
// the wgmma kernel serves the op unsplit (a torch.export with a dynamic
// batch and static lengths, and a chunked-prefill step); plain sm_90 (the
// mma.sync kernel) keeps it, and a split the options ask for is kept, with
// the remark saying why the wgmma kernel did not serve.
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a" | FileCheck %s --check-prefix=SM90A
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90" | FileCheck %s --check-prefix=SM90
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,kv_splits=2" 2>&1 | FileCheck %s --check-prefix=ASKED
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="chip=sm_90a manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t/fa2_attention_dynamic_batch_0.json

// Sq = 512, 16 heads, batch dynamic: 4 x 16 = 64 row tiles a batch element.
// (The schedule's fields print sorted: kv_splits would stand before mma.)
// SM90A-LABEL: gpu.func @fa2_attention_dynamic_batch_0(
// SM90A-NOT: kv_splits
// SM90A-SAME: mma = wgmma
// SM90A-NOT: gpu.func @fa2_attention_dynamic_batch_0_combine
// 1 x 32 heads x 512 queries of an 8k cache (GQA 4): 128 row tiles; the
// mma.sync tile would run 2 splits.
// SM90A-LABEL: gpu.func @fa2_attention_chunked_prefill_0(
// SM90A-SAME: mma = wgmma
// SM90A-NOT: gpu.func @fa2_attention_chunked_prefill_0_combine

// SM90-LABEL: gpu.func @fa2_attention_dynamic_batch_0(
// SM90-SAME: kv_splits = auto
// SM90: gpu.func @fa2_attention_dynamic_batch_0_combine
// SM90-LABEL: gpu.func @fa2_attention_chunked_prefill_0(
// SM90-SAME: kv_splits = 2
// SM90: gpu.func @fa2_attention_chunked_prefill_0_combine

// ASKED: remark: fa2-lower-to-gpu: mma = wgmma not used, the mma.sync kernel serves this op: wgmma kernel: packed GQA rows and split-KV only with its decode schedule
// ASKED-LABEL: gpu.func @fa2_attention_dynamic_batch_0(
// ASKED-SAME: kv_splits = 2

// (The manifest's keys print sorted: "combine" before "mma", "num_splits"
// after.)
// MANIFEST-NOT: "combine"
// MANIFEST: "mma": "wgmma"
// MANIFEST-NOT: "num_splits"
func.func @dynamic_batch(%q: tensor<?x16x512x128xbf16>, %k: tensor<?x16x512x128xbf16>, %v: tensor<?x16x512x128xbf16>) -> tensor<?x16x512x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088388) causal : tensor<?x16x512x128xbf16>, tensor<?x16x512x128xbf16>, tensor<?x16x512x128xbf16> -> tensor<?x16x512x128xbf16>
  return %o : tensor<?x16x512x128xbf16>
}

func.func @chunked_prefill(%q: tensor<1x32x512x128xbf16>, %k: tensor<1x8x8192x128xbf16>, %v: tensor<1x8x8192x128xbf16>) -> tensor<1x32x512x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088388) causal : tensor<1x32x512x128xbf16>, tensor<1x8x8192x128xbf16>, tensor<1x8x8192x128xbf16> -> tensor<1x32x512x128xbf16>
  return %o : tensor<1x32x512x128xbf16>
}
