// Options no kernel can run with are errors located at the option (the
// pass's textual form as the file, the option's column), in one line, with
// no module printed, and the pass fails. A schedule the options ask for that
// one op's kernel cannot run is an error at that op, not a fallback.
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=block_m=48,pack_gqa=false,kv_splits=1" 2>&1 | FileCheck %s --check-prefix=BLOCKM --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=block_n=24" 2>&1 | FileCheck %s --check-prefix=BLOCKN --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=block_m=256,block_n=256,warps=8,pack_gqa=false,kv_splits=1" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=block_m=4611686018427387904" 2>&1 | FileCheck %s --check-prefix=HUGE
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_86" | FileCheck %s --check-prefix=SM86
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_75" 2>&1 | FileCheck %s --check-prefix=CHIP --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=swizzle=rot" 2>&1 | FileCheck %s --check-prefix=SWIZZLE
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=rescale_threshold=17" 2>&1 | FileCheck %s --check-prefix=RESCALE
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=min_blocks_per_sm=33" 2>&1 | FileCheck %s --check-prefix=MINBLOCKS
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,consumer_registers=250" 2>&1 | FileCheck %s --check-prefix=REGS
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=hmma" 2>&1 | FileCheck %s --check-prefix=MMA
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=tile=64" 2>&1 | FileCheck %s --check-prefix=UNKNOWN --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=block_m" 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=q_in_registers=1" 2>&1 | FileCheck %s --check-prefix=FLAG
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=kv_splits=0" 2>&1 | FileCheck %s --check-prefix=SPLITS
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=combine=fused" 2>&1 | FileCheck %s --check-prefix=COMBINE
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=stages=2,stages=1" 2>&1 | FileCheck %s --check-prefix=TWICE
// fa2-lower-to-gpu writes no files (manifests go out through fa2-write-kernels' dir):
// RUN: not fa2-opt %s --fa2-lower-to-gpu="manifest-dir=%t" 2>&1 | FileCheck %s --check-prefix=DIR
// RUN: not fa2-opt %s --fa2-lower-to-gpu="f32-precision=tf32" 2>&1 | FileCheck %s --check-prefix=PRECISION --implicit-check-not="see current operation"
// The chips --help lists are the chips the error lists.
// RUN: fa2-opt --help | FileCheck %s --check-prefix=HELP

// PRECISION: fa2-lower-to-gpu{f32-precision=tf32}:1:18: error: fa2-lower-to-gpu: option f32-precision='tf32': expected accurate (split f16 operands, f32-level results), fast (bf16 operands) or host (f32 ops stay on the CPU)

// BLOCKM: invalid-options.mlir:[[# @LINE + 26]]:8: error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: block_m (48) must be a multiple of 16 x warps (128): each warp owns whole m16 tiles
// BLOCKM-NOT: remark
// BLOCKN: fa2-lower-to-gpu{schedule=block_n=24}:1:18: error: fa2-lower-to-gpu: option schedule='block_n=24': field 'block_n' = 24: expected a multiple of 16 from 16 to 256
// SMEM: invalid-options.mlir:{{[0-9]+}}:8: error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: the tiles need 655360 bytes of shared memory, more than sm_90's 232448
// HUGE: fa2-lower-to-gpu{schedule=block_m=4611686018427387904}:1:18: error: fa2-lower-to-gpu: option schedule='block_m=4611686018427387904': field 'block_m' = 4611686018427387904: expected a multiple of 16 from 16 to 256
// The head dim 256 tiles do not fit sm_86's 99 KiB twice: one K/V buffer, then 64 x 64 tiles.
// SM86: gpu.module @fa2_attention_attention_0 [#nvvm.target<O = 3, chip = "sm_86">]
// SM86: fa2.schedule = #fa2.schedule<block_m = 64, block_n = 64, min_blocks_per_sm = 0, q_in_registers = false, rescale_threshold = 8, split_kv_copies = true, split_masked_loop = false, stages = 1, swizzle = xor, warps = 4>
// CHIP: fa2-lower-to-gpu{chip=sm_75}:1:18: error: fa2-lower-to-gpu: option chip='sm_75': unknown chip (expected one of sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
// CHIP-EMPTY:
// SWIZZLE: fa2-lower-to-gpu{schedule=swizzle=rot}:1:18: error: fa2-lower-to-gpu: option schedule='swizzle=rot': field 'swizzle' = rot: expected xor or pad
// RESCALE: error: fa2-lower-to-gpu: option schedule='rescale_threshold=17': field 'rescale_threshold' = 17: expected an integer from -1 to 16
// MINBLOCKS: error: fa2-lower-to-gpu: option schedule='min_blocks_per_sm=33': field 'min_blocks_per_sm' = 33: expected an integer from 0 to 32
// UNKNOWN: fa2-lower-to-gpu{schedule=tile=64}:1:18: error: fa2-lower-to-gpu: option schedule='tile=64': field 'tile' = 64: unknown schedule field (expected one of block_m, block_n, warps, stages, swizzle, split_masked_loop, rescale_threshold, min_blocks_per_sm, q_in_registers, split_kv_copies, pack_gqa, kv_splits, head_section_bytes, min_blocks_per_split, combine, mma, overlap_softmax, ping_pong, persistent, tile_scheduler, epilogue, producer_registers, consumer_registers, length_variants)
// UNKNOWN-EMPTY:
// SYNTAX: error: fa2-lower-to-gpu: option schedule='block_m': expected 'name = value' pairs separated by commas, got 'block_m'
// FLAG: error: fa2-lower-to-gpu: option schedule='q_in_registers=1': field 'q_in_registers' = 1: expected true or false
// SPLITS: error: fa2-lower-to-gpu: option schedule='kv_splits=0': field 'kv_splits' = 0: expected an integer from 1 to 128
// COMBINE: error: fa2-lower-to-gpu: option schedule='combine=fused': field 'combine' = fused: expected launch (a second kernel) or last_cta (the split CTA that finishes last merges)
// TWICE: error: fa2-lower-to-gpu: option schedule='stages=2,stages=1': field 'stages' given twice
// DIR: error: <Pass-Options-Parser>: no such option manifest-dir
// HELP: --fa2-lower-to-gpu
// HELP: --chip=<string> {{.*}}(sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
// HELP: --fa2-to-ptx
// HELP: --chip=<string> {{.*}}sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a
func.func @attention(%q: tensor<1x2x128x256xf16>, %k: tensor<1x2x128x256xf16>, %v: tensor<1x2x128x256xf16>) -> tensor<1x2x128x256xf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) : tensor<1x2x128x256xf16>, tensor<1x2x128x256xf16>, tensor<1x2x128x256xf16> -> tensor<1x2x128x256xf16>
  return %o : tensor<1x2x128x256xf16>
}

// REGS: option schedule='mma=wgmma,consumer_registers=250': field 'consumer_registers' = 250: expected a multiple of 8 from 24 to 256
// MMA: option schedule='mma=hmma': field 'mma' = hmma: expected mma_sync (sm_80+) or wgmma (sm_90a)
