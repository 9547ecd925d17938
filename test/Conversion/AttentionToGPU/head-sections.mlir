// RUN: fa2-opt %s --fa2-lower-to-gpu="schedule=head_section_bytes=16777216,pack_gqa=false,kv_splits=1" | FileCheck %s
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="chip=sm_90a manifest-dir=%t schedule=head_section_bytes=16777216" -o /dev/null
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t/fa2_attention_static_heads_0.json
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,persistent=true,head_section_bytes=16777216" 2>&1 | FileCheck %s --check-prefix=PERSIST
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=head_section_bytes=16777216,pack_gqa=true" 2>&1 | FileCheck %s --check-prefix=PACKED
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=head_section_bytes=16777216,pack_gqa=false,kv_splits=4" 2>&1 | FileCheck %s --check-prefix=SPLITKV
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=head_section_bytes=-1" 2>&1 | FileCheck %s --check-prefix=RANGE

// head_section_bytes (FlashAttention-3's L2 swizzle of a causal grid): the
// CTA at launch place L = x + gridDim.x · y takes head
// first + (L mod C·T) mod heads and query-block rank (L mod C·T) / heads,
// where T = gridDim.x query blocks, C = max(1, bytes / (seq_k · (d + dv) ·
// element bytes)) heads a section, first = (L / C·T) · C, and heads =
// min(C, gridDim.y - first) (the last section may be short). Rank 0 is the
// heaviest block, gridDim.x - 1 - rank.

// 3 x 16 heads, 1024 keys of d = 128 bf16: 512 KiB of K/V a head, sections
// of 32 heads; the second one holds 16.
// CHECK-LABEL: gpu.func @fa2_attention_static_heads_0
// CHECK-SAME: head_section_bytes = 16777216
// CHECK: %[[BX:.*]] = gpu.block_id x
// CHECK: %[[BY:.*]] = gpu.block_id y
// CHECK: %[[GX:.*]] = gpu.grid_dim x
// CHECK: %[[GY:.*]] = gpu.grid_dim y
// CHECK: %[[YT:.*]] = arith.muli %[[GX]], %[[BY]]
// CHECK: %[[PLACE:.*]] = arith.addi %[[BX]], %[[YT]]
// CHECK: %[[SECPLACES:.*]] = arith.muli %[[GX]], %c32
// CHECK: %[[SEC:.*]] = arith.divui %[[PLACE]], %[[SECPLACES]]
// CHECK: %[[FIRST:.*]] = arith.muli %[[SEC]], %c32
// CHECK: %[[REST:.*]] = arith.remui %[[PLACE]], %[[SECPLACES]]
// CHECK: %[[LEFT:.*]] = arith.subi %[[GY]], %[[FIRST]]
// CHECK: %[[HEADS:.*]] = arith.minui %[[LEFT]], %c32
// CHECK: %[[RANK:.*]] = arith.divui %[[REST]], %[[HEADS]]
// CHECK: %[[INSEC:.*]] = arith.remui %[[REST]], %[[HEADS]]
// CHECK: %[[BH:.*]] = arith.addi %[[FIRST]], %[[INSEC]]
// CHECK: %[[LAST:.*]] = arith.subi %[[GX]], %c1
// CHECK: %[[QB:.*]] = arith.subi %[[LAST]], %[[RANK]]
// The (batch, head) pair and the first query row come from the remapped
// values.
// CHECK: arith.divui %[[BH]], %c16
// CHECK: arith.remui %[[BH]], %c16
// CHECK: arith.muli %[[QB]], %c128
func.func @static_heads(%q: tensor<3x16x1024x128xbf16>, %k: tensor<3x16x1024x128xbf16>, %v: tensor<3x16x1024x128xbf16>) -> tensor<3x16x1024x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088388) causal : tensor<3x16x1024x128xbf16>, tensor<3x16x1024x128xbf16>, tensor<3x16x1024x128xbf16> -> tensor<3x16x1024x128xbf16>
  return %o : tensor<3x16x1024x128xbf16>
}

// A dynamic seq_k sizes the sections at run time: 16 MiB over seq_k x 256
// bytes (d = 64 f16), at least one head, never a division by zero; the
// heads are counted on the folded grid (batch · heads over y and z).
// CHECK-LABEL: gpu.func @fa2_attention_dynamic_keys_0
// CHECK: %[[BPK:.*]] = arith.muli %{{.*}}, %c256
// CHECK: %[[NZ:.*]] = arith.maxui %[[BPK]], %c1
// CHECK: %[[C0:.*]] = arith.divui %c16777216, %[[NZ]]
// CHECK: %[[C:.*]] = arith.maxui %[[C0]], %c1
// CHECK: %[[SP:.*]] = arith.muli %[[C]], %{{.*}}grid_dim_x
// CHECK: arith.divui %{{.*}}, %[[SP]]
func.func @dynamic_keys(%q: tensor<?x8x?x64xf16>, %k: tensor<?x8x?x64xf16>, %v: tensor<?x8x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// Without a causal mask every query block weighs the same: the field
// lapses (the kernel's schedule does not name it) and the grid keeps its
// order (block x is the query block, y the head).
// CHECK-LABEL: gpu.func @fa2_attention_no_mask_0
// CHECK-SAME: #fa2.schedule<
// CHECK-NOT: head_section_bytes
// CHECK: %[[NBX:.*]] = gpu.block_id x
// CHECK: %[[NBY:.*]] = gpu.block_id y
// CHECK-NOT: grid_dim
// CHECK: arith.divui %[[NBY]], %c16
// CHECK-NOT: grid_dim
// CHECK: arith.muli %[[NBX]], %c128
func.func @no_mask(%q: tensor<3x16x1024x128xbf16>, %k: tensor<3x16x1024x128xbf16>, %v: tensor<3x16x1024x128xbf16>) -> tensor<3x16x1024x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088388) : tensor<3x16x1024x128xbf16>, tensor<3x16x1024x128xbf16>, tensor<3x16x1024x128xbf16> -> tensor<3x16x1024x128xbf16>
  return %o : tensor<3x16x1024x128xbf16>
}

// The wgmma kernel takes the field over its table row's, and its manifest
// says so.
// MANIFEST: "head_section_bytes": 16777216,
// MANIFEST: "mma": "wgmma",

// PERSIST: error: {{.*}}head_section_bytes orders a grid of one CTA per query block and head; it does not apply to a persistent grid
// PACKED: error: {{.*}}head_section_bytes orders a grid of one CTA per query block and head; it does not apply to packed GQA rows
// SPLITKV: error: {{.*}}head_section_bytes orders a grid of one CTA per query block and head; it does not apply to split-KV
// RANGE: field 'head_section_bytes' = -1
