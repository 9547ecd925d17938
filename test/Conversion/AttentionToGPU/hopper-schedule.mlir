// The sm_90a wgmma schedule table and its fields ping_pong and persistent
// (HopperKernelBuilder.cpp): the table's rows per head dim and causal flag,
// the named-barrier ping-pong in the PTX where the table turns it on (and
// not where it does not), the persistent grid in the launch and the
// manifest, and the schedules that must be refused.
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma" | FileCheck %s --check-prefix=TABLE
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=PINGPONG --input-file=%t/fa2_attention_d128_0.ptx
// RUN: FileCheck %s --check-prefix=PINGPONG3 --input-file=%t/fa2_attention_d64_0.ptx
// RUN: FileCheck %s --check-prefix=NOPINGPONG --input-file=%t/fa2_attention_d256_0.ptx
// RUN: FileCheck %s --check-prefix=GRID --input-file=%t/fa2_attention_d256_0.json
// RUN: FileCheck %s --check-prefix=TPGRID --input-file=%t/fa2_attention_d128_0.json
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,persistent=true" | FileCheck %s --check-prefix=PERSIST
// RUN: rm -rf %t.p && fa2-opt %s --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma,persistent=true manifest-dir=%t.p" -o /dev/null
// RUN: FileCheck %s --check-prefix=PGRID --input-file=%t.p/fa2_attention_d128_0.json
// RUN: FileCheck %s --check-prefix=PPTX --input-file=%t.p/fa2_attention_d128_0.ptx
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,overlap_softmax=false,ping_pong=true" 2>&1 | FileCheck %s --check-prefix=NOOVERLAP
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,block_m=64,ping_pong=true" 2>&1 | FileCheck %s --check-prefix=ONEWG
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,producer_registers=32" 2>&1 | FileCheck %s --check-prefix=REGS
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,block_m=64,block_n=64,persistent=true,min_blocks_per_sm=2,producer_registers=24,consumer_registers=232" 2>&1 | FileCheck %s --check-prefix=MINCTA
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,persistent=false,tile_scheduler=dynamic" 2>&1 | FileCheck %s --check-prefix=DYNSTATIC
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,tile_scheduler=lpt" 2>&1 | FileCheck %s --check-prefix=TSKIND
// block_n: any multiple of 16 keys (the n of Q·Kᵀ's m64nNk16; P·V takes
// 16 keys per k-step), up to 256.
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,block_n=48" | FileCheck %s --check-prefix=N48
// Without the field, a schedule with no overlap or one consumer warpgroup
// drops the table's ping-pong instead of failing.
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,overlap_softmax=false" | FileCheck %s --check-prefix=LAPSE

// d = 64 without a mask: FA3's 192 rows (3 consumer warpgroups, 32/160
// registers) with ping-pong on the persistent grid; causal takes 64 x 64
// CTAs, three per SM (one consumer warpgroup, 24/136 registers), up to 2048
// keys and 192 x 112 (32/160) beyond, neither persistent (a dynamic length
// gets both kernels: hopper-length-variants.mlir); d = 128 ping-pongs, and without a mask runs the
// (static) persistent grid with 128-key blocks (FA3's 176 leave no room for
// O's shared tile); every row but d = 64 without a mask stores O by TMA
// (the persistent ones from O's own tile, the others from Q's); d = 256
// does not ping-pong, and beyond 512 keys takes FA3's 128 x 80 tile.
// TABLE-LABEL: gpu.func @fa2_attention_d64_0
// TABLE-SAME: #fa2.schedule<block_m = 192, block_n = 128, consumer_registers = 160, {{.*}}overlap_softmax = true, persistent = true, ping_pong = true, producer_registers = 32, {{.*}}tile_scheduler = static, warps = 16>
// TABLE: gpu.launch_func @fa2_attention_d64_0::@fa2_attention_d64_0 blocks in (%c132{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c512,
// TABLE-LABEL: gpu.func @fa2_attention_d64_causal_0
// TABLE-SAME: memref<4194304xbf16>) kernel
// TABLE-SAME: #fa2.schedule<block_m = 192, block_n = 112, consumer_registers = 160, epilogue = tma_store, {{.*}}persistent = false, ping_pong = true, producer_registers = 32, {{.*}}warps = 16>
// 22 query blocks x 16 heads.
// TABLE: gpu.launch_func @fa2_attention_d64_causal_0::@fa2_attention_d64_causal_0 blocks in (%c22{{(_[0-9]+)?}}, %c16{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c512,
// TABLE-LABEL: gpu.func @fa2_attention_d64_causal_short_0
// TABLE-SAME: memref<33554432xbf16>) kernel
// TABLE-SAME: #fa2.schedule<block_m = 64, block_n = 64, consumer_registers = 136, epilogue = tma_store, min_blocks_per_sm = 3, {{.*}}persistent = false, ping_pong = false, producer_registers = 24, {{.*}}warps = 8>
// 8 query blocks x 1024 batch·heads.
// TABLE: gpu.launch_func @fa2_attention_d64_causal_short_0::@fa2_attention_d64_causal_short_0 blocks in (%c8{{(_[0-9]+)?}}, %c1024{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c256,
// TABLE-LABEL: gpu.func @fa2_attention_d64_causal_dynamic_0_v1
// TABLE-SAME: #fa2.schedule<block_m = 192, block_n = 112, {{.*}}persistent = false, ping_pong = true,
// TABLE-LABEL: gpu.func @fa2_attention_d64_causal_dynamic_0(
// TABLE-SAME: #fa2.schedule<block_m = 64, block_n = 64, {{.*}}min_blocks_per_sm = 3, {{.*}}persistent = false, ping_pong = false,
// TABLE-LABEL: gpu.func @fa2_attention_d128_0
// TABLE-SAME: #fa2.schedule<block_m = 128, block_n = 128, {{.*}}epilogue = tma_store, {{.*}}persistent = true, ping_pong = true,
// 8 query blocks x 32 batch·heads = 256 tiles on 132 CTAs.
// TABLE: gpu.launch_func @fa2_attention_d128_0::@fa2_attention_d128_0 blocks in (%c132{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c384,
// TABLE-LABEL: gpu.func @fa2_attention_d256_0
// TABLE-SAME: #fa2.schedule<block_m = 128, block_n = 80, {{.*}}epilogue = tma_store, {{.*}}persistent = false, ping_pong = false,
// Q (128 x 256) and two stages of 80-key K and V (80 x 256 each), 16-bit,
// and 1 KiB to align the window: 230400 bytes (H200: 232448 at most).
// TABLE: gpu.launch_func @fa2_attention_d256_0::@fa2_attention_d256_0 blocks in (%c8{{(_[0-9]+)?}}, %c128{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c384, {{.*}} dynamic_shared_memory_size %c230400_i32
// Up to 512 keys: d = 64 without a mask takes 64 x 64 CTAs three per SM, not
// persistent, O from registers; d = 256 (either way) 64-key blocks.
// TABLE-LABEL: gpu.func @fa2_attention_d64_short_0
// TABLE-SAME: #fa2.schedule<block_m = 64, block_n = 64, consumer_registers = 136, epilogue = registers, min_blocks_per_sm = 3, {{.*}}persistent = false, ping_pong = false, producer_registers = 24, {{.*}}warps = 8>
// 8 query blocks x 1024 batch·heads.
// TABLE: gpu.launch_func @fa2_attention_d64_short_0::@fa2_attention_d64_short_0 blocks in (%c8{{(_[0-9]+)?}}, %c1024{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c256,
// TABLE-LABEL: gpu.func @fa2_attention_d256_short_0
// TABLE-SAME: #fa2.schedule<block_m = 128, block_n = 64, {{.*}}epilogue = tma_store, {{.*}}persistent = false, ping_pong = false,
// TABLE-LABEL: gpu.func @fa2_attention_d256_causal_short_0
// TABLE-SAME: #fa2.schedule<block_m = 128, block_n = 64, {{.*}}epilogue = tma_store, {{.*}}persistent = false, ping_pong = false,

// Ping-pong: the last warpgroup seeds barrier 1; each warpgroup waits on its
// barrier (1 + w, 256 threads) before issuing its GEMMs and arrives on the
// next one's after.
// PINGPONG: bar.arrive 1, 256;
// PINGPONG: bar.sync {{.*}}, 256;
// PINGPONG: wgmma.mma_async
// PINGPONG: bar.arrive {{.*}}, 256;
// PINGPONG: wgmma.wait_group.sync.aligned 1
// PINGPONG3: .maxntid 512, 1, 1
// PINGPONG3: bar.sync {{.*}}, 256;
// NOPINGPONG: wgmma.mma_async
// NOPINGPONG-NOT: bar.arrive
// NOPINGPONG-NOT: bar.sync {{.*}}, 256;
// GRID: "grid": [
// GRID-NEXT: "ceildiv(seq_q, 128)",
// GRID-NEXT: "batch * heads_q",
// TPGRID: "grid": [
// TPGRID-NEXT: "min(ceildiv(seq_q, 128) * batch * heads_q, 132)",
// TPGRID: "persistent": true

// Persistent: one CTA per tile up to one per SM (132 on an H100/H200 SXM),
// each stepping through tiles by the grid's size; the Q-empty barrier is
// one more mbarrier (1 + 4 x 2 stages + 1 = 10, 80 bytes).
// PERSIST: gpu.launch_func @fa2_attention_d64_0::@fa2_attention_d64_0 blocks in (%c132{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}})
// PERSIST: gpu.launch_func @fa2_attention_d128_0::@fa2_attention_d128_0 blocks in (%c132{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}})
// PGRID: "grid": [
// PGRID-NEXT: "min(ceildiv(seq_q, 128) * batch * heads_q, 132)",
// PGRID-NEXT: "1",
// PGRID-NEXT: "1"
// PGRID: "persistent": true
// PPTX: .shared .align 8 .b8 __mbarrier[80];
// PPTX: %nctaid.x

// NOOVERLAP: ping_pong needs mma = wgmma, overlap_softmax = true and at least 2 consumer warpgroups
// ONEWG: ping_pong needs mma = wgmma, overlap_softmax = true and at least 2 consumer warpgroups
// The first op to fail is d = 64 causal at 512 keys: its row's three CTAs
// per SM cap the entry at 80 registers a thread (65536 / (256 x 3), in 8s).
// REGS: producer_registers (32) + consumer_registers (136) x 1 warpgroups need more than the 80 x 2 registers per thread the CTA starts with
// Two 64-row CTAs per SM: 128 registers a thread in every instruction
// (.minnctapersm), which d = 64 and d = 128 fit (their O and S accumulators
// take 64 and 96 registers; both ran on the H200) and d = 256 does not (160;
// its PTX failed to load there: "Insufficient registers (128)").
// MINCTA-NOT: error
// MINCTA: hopper-schedule.mlir:{{[0-9]+}}:{{[0-9]+}}: error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: min_blocks_per_sm = 2 compiles the kernel for that many CTAs per SM, in which ptxas gives every instruction at most the 128 registers a thread starts with; a consumer thread's O and S accumulators alone need 128 + 32
// MINCTA-NEXT: scale(0.0625) : tensor<16x8x1024x256xbf16>
// MINCTA-NOT: error
// DYNSTATIC: tile_scheduler = dynamic needs persistent = true
// TSKIND: field 'tile_scheduler' = lpt: expected static (CTA x runs tiles x, x + gridDim.x, ...) or dynamic (the next tile from an atomic counter)
// N48-LABEL: gpu.func @fa2_attention_d64_0
// N48-SAME: block_n = 48,
// N48: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 48, k = 16>
// LAPSE-LABEL: gpu.func @fa2_attention_d128_0
// LAPSE-SAME: overlap_softmax = false, persistent = true, ping_pong = false,

func.func @d64(%q: tensor<2x32x1024x64xbf16>) -> tensor<2x32x1024x64xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) : tensor<2x32x1024x64xbf16>, tensor<2x32x1024x64xbf16>, tensor<2x32x1024x64xbf16> -> tensor<2x32x1024x64xbf16>
  return %o : tensor<2x32x1024x64xbf16>
}
func.func @d64_causal(%q: tensor<1x16x4096x64xbf16>) -> tensor<1x16x4096x64xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) causal : tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16> -> tensor<1x16x4096x64xbf16>
  return %o : tensor<1x16x4096x64xbf16>
}
func.func @d64_causal_short(%q: tensor<32x32x512x64xbf16>) -> tensor<32x32x512x64xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) causal : tensor<32x32x512x64xbf16>, tensor<32x32x512x64xbf16>, tensor<32x32x512x64xbf16> -> tensor<32x32x512x64xbf16>
  return %o : tensor<32x32x512x64xbf16>
}
func.func @d64_causal_dynamic(%q: tensor<32x32x?x64xbf16>) -> tensor<32x32x?x64xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) causal : tensor<32x32x?x64xbf16>, tensor<32x32x?x64xbf16>, tensor<32x32x?x64xbf16> -> tensor<32x32x?x64xbf16>
  return %o : tensor<32x32x?x64xbf16>
}
func.func @d128(%q: tensor<2x16x1024x128xbf16>) -> tensor<2x16x1024x128xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.08838834764831845) : tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16> -> tensor<2x16x1024x128xbf16>
  return %o : tensor<2x16x1024x128xbf16>
}
func.func @d256(%q: tensor<16x8x1024x256xbf16>) -> tensor<16x8x1024x256xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.0625) : tensor<16x8x1024x256xbf16>, tensor<16x8x1024x256xbf16>, tensor<16x8x1024x256xbf16> -> tensor<16x8x1024x256xbf16>
  return %o : tensor<16x8x1024x256xbf16>
}
func.func @d64_short(%q: tensor<32x32x512x64xbf16>) -> tensor<32x32x512x64xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) : tensor<32x32x512x64xbf16>, tensor<32x32x512x64xbf16>, tensor<32x32x512x64xbf16> -> tensor<32x32x512x64xbf16>
  return %o : tensor<32x32x512x64xbf16>
}
func.func @d256_short(%q: tensor<32x8x512x256xbf16>) -> tensor<32x8x512x256xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.0625) : tensor<32x8x512x256xbf16>, tensor<32x8x512x256xbf16>, tensor<32x8x512x256xbf16> -> tensor<32x8x512x256xbf16>
  return %o : tensor<32x8x512x256xbf16>
}
func.func @d256_causal_short(%q: tensor<32x8x512x256xbf16>) -> tensor<32x8x512x256xbf16> {
  %o = fa2.attention %q, %q, %q scale(0.0625) causal : tensor<32x8x512x256xbf16>, tensor<32x8x512x256xbf16>, tensor<32x8x512x256xbf16> -> tensor<32x8x512x256xbf16>
  return %o : tensor<32x8x512x256xbf16>
}
