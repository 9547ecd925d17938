// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t schedule=pack_gqa=false,kv_splits=1" -o /dev/null
// RUN: FileCheck %s --check-prefix=GQA --input-file=%t/fa2_attention_gqa_0.json
// RUN: FileCheck %s --check-prefix=DYN --input-file=%t/fa2_attention_dynamic_0.json
// RUN: FileCheck %s --check-prefix=MASK --input-file=%t/fa2_attention_masked_0.json
// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t chip=sm_80 schedule=pack_gqa=false,kv_splits=1" -o /dev/null
// RUN: FileCheck %s --check-prefix=SM80 --input-file=%t/fa2_attention_gqa_0.json
// (schedule=pack_gqa=false,kv_splits=1: the one-kernel prefill schedule these checks describe; static head
// counts and seq_q would take the decode schedule by default, test/Conversion/AttentionToGPU/decode.mlir.)
// The kernel manifest, schema version 1 (docs/manifest.md): keys are printed
// in sorted order; "params" follows the PTX .entry parameters.

// GQA: "binary": "fa2_attention_gqa_0.ptx",
// GQA: "block": [
// GQA-NEXT: 128,
// GQA-NEXT: 1,
// GQA-NEXT: 1
// GQA: "buffers": {
// GQA-NEXT: "k": {
// GQA-NEXT: "dtype": "f16",
// GQA-NEXT: "shape": [
// GQA-NEXT: "batch",
// GQA-NEXT: "heads_kv",
// GQA-NEXT: "seq_k",
// GQA-NEXT: "head_dim"
// GQA: "lse": {
// GQA-NEXT: "dtype": "f32",
// GQA: "o": {
// GQA-NEXT: "dtype": "bf16",
// GQA: "causal": true,
// GQA-NEXT: "chip": "sm_90",
// GQA-NEXT: "dims": {
// GQA-NEXT: "batch": 6,
// GQA-NEXT: "head_dim": 64,
// GQA-NEXT: "head_dim_v": 64,
// GQA-NEXT: "heads_kv": 2,
// GQA-NEXT: "heads_q": 8,
// GQA-NEXT: "seq_k": 300,
// GQA-NEXT: "seq_q": 200
// GQA: "dtype": "f16",
// GQA-NEXT: "dynamic_shared_memory_bytes": 49152,
// GQA-NEXT: "format": "ptx",
// GQA-NEXT: "function": "gqa",
// GQA-NEXT: "grid": [
// GQA-NEXT: "ceildiv(seq_q, 128)",
// GQA-NEXT: "batch * heads_q",
// GQA-NEXT: "1"
// GQA: "kernel": "fa2_attention_gqa_0",
// GQA-NEXT: "layout": "bhsd",
// GQA-NEXT: "lse": true,
// GQA-NEXT: "out_dtype": "bf16",
// GQA-NEXT: "params": [
// GQA-NEXT: {
// GQA-NEXT: "buffer": "q",
// GQA-NEXT: "name": "q.allocated",
// GQA-NEXT: "type": "ptr"
// GQA: "name": "q.aligned",
// GQA: "name": "q.offset",
// GQA-NEXT: "type": "i64",
// GQA-NEXT: "value": "0"
// GQA: "name": "q.size",
// GQA-NEXT: "type": "i64",
// GQA-NEXT: "value": "batch * heads_q * seq_q * head_dim"
// GQA: "name": "q.stride",
// GQA: "name": "k.allocated",
// GQA: "name": "v.allocated",
// GQA: "name": "o.allocated",
// GQA: "name": "o.size",
// GQA-NEXT: "type": "i64",
// GQA-NEXT: "value": "batch * heads_q * seq_q * head_dim_v"
// GQA: "name": "lse.allocated",
// GQA: "name": "lse.size",
// GQA-NEXT: "type": "i64",
// GQA-NEXT: "value": "batch * heads_q * seq_q"
// GQA: "name": "lse.stride",
// GQA-NEXT: "type": "i64",
// GQA-NEXT: "value": "1"
// GQA-NEXT: }
// GQA-NEXT: ],
// GQA-NEXT: "scale": 0.125,
// GQA-NEXT: "schedule": {
// GQA-NEXT: "block_m": 128,
// GQA-NEXT: "block_n": 64,
// GQA-NEXT: "min_blocks_per_sm": 0,
// GQA-NEXT: "q_in_registers": true,
// GQA-NEXT: "rescale_threshold": 8,
// GQA-NEXT: "split_kv_copies": false,
// GQA-NEXT: "split_masked_loop": true,
// GQA-NEXT: "stages": 2,
// GQA-NEXT: "swizzle": "xor",
// GQA-NEXT: "warps": 4
// GQA-NEXT: },
// GQA-NEXT: "version": 1

// SM80: "binary": "fa2_attention_gqa_0.ptx",
// SM80: "chip": "sm_80",
// SM80: "format": "ptx",
func.func @gqa(%q: tensor<2x3x8x200x64xf16>, %k: tensor<2x3x2x300x64xf16>, %v: tensor<2x3x2x300x64xf16>) -> (tensor<2x3x8x200x64xbf16>, tensor<2x3x8x200xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) causal : tensor<2x3x8x200x64xf16>, tensor<2x3x2x300x64xf16>, tensor<2x3x2x300x64xf16> -> tensor<2x3x8x200x64xbf16>, tensor<2x3x8x200xf32>
  return %o, %lse : tensor<2x3x8x200x64xbf16>, tensor<2x3x8x200xf32>
}

// -----

// Dynamic sizes are null in "dims" and trail the buffers in "params" as i32;
// bshd buffers list the sequence before the heads. No LSE result: no buffer.
// DYN: "buffers": {
// DYN-NOT: "lse"
// DYN: "q": {
// DYN-NEXT: "dtype": "bf16",
// DYN-NEXT: "shape": [
// DYN-NEXT: "batch",
// DYN-NEXT: "seq_q",
// DYN-NEXT: "heads_q",
// DYN-NEXT: "head_dim"
// DYN: "dims": {
// DYN-NEXT: "batch": null,
// DYN-NEXT: "head_dim": 128,
// DYN-NEXT: "head_dim_v": 128,
// DYN-NEXT: "heads_kv": 4,
// DYN-NEXT: "heads_q": 4,
// DYN-NEXT: "seq_k": null,
// DYN-NEXT: "seq_q": null
// A dynamic batch: batch·heads_q may exceed grid y's limit, so it is spread
// over y and z (each <= 65535; z >= 1, so y's division is defined and y = 0
// when the batch is empty: nothing to launch).
// DYN: "grid": [
// DYN-NEXT: "ceildiv(seq_q, 128)",
// DYN-NEXT: "ceildiv(batch * heads_q, ceildiv(batch * heads_q + 1, 65535))",
// DYN-NEXT: "ceildiv(batch * heads_q + 1, 65535)"
// DYN-NEXT: ],
// DYN: "layout": "bshd",
// DYN-NEXT: "lse": false,
// DYN: "name": "o.stride",
// DYN-NEXT: "type": "i64",
// DYN-NEXT: "value": "1"
// DYN-NEXT: },
// DYN-NEXT: {
// DYN-NEXT: "name": "seq_q",
// DYN-NEXT: "type": "i32",
// DYN-NEXT: "value": "seq_q"
// DYN-NEXT: },
// DYN-NEXT: {
// DYN-NEXT: "name": "seq_k",
// DYN-NEXT: "type": "i32",
// DYN-NEXT: "value": "seq_k"
// DYN-NEXT: }
// DYN-NEXT: ],
func.func @dynamic(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x4x128xbf16>, %v: tensor<?x?x4x128xbf16>) -> tensor<?x?x4x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088) layout<bshd> : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16> -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}

// -----

// A mask [Hq, ?, 128] right-aligned to the scores: the buffer's shape names
// the scores' dims where the mask has their extent, a literal where only the
// mask's size is static (the runner then refuses another seq_k); the dynamic
// extent is an i32 parameter after the dynamic sizes.
// MASK: "buffers": {
// MASK: "mask": {
// MASK-NEXT: "dtype": "i1",
// MASK-NEXT: "shape": [
// MASK-NEXT: "heads_q",
// MASK-NEXT: "seq_q",
// MASK-NEXT: "128"
// MASK-NEXT: ]
// MASK: "buffer": "mask",
// MASK-NEXT: "name": "mask.allocated",
// MASK: "name": "mask.size",
// MASK-NEXT: "type": "i64",
// MASK-NEXT: "value": "heads_q * seq_q * 128"
// MASK: "name": "mask.stride",
// MASK: "name": "seq_q",
// MASK: "name": "seq_k",
// MASK: "name": "mask.seq_q",
// MASK-NEXT: "type": "i32",
// MASK-NEXT: "value": "seq_q"
// MASK-NEXT: }
// MASK-NEXT: ]
func.func @masked(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>, %m: tensor<4x?x128xi1>) -> tensor<2x4x?x64xf16> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.125) : tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<4x?x128xi1> -> tensor<2x4x?x64xf16>
  return %o : tensor<2x4x?x64xf16>
}
