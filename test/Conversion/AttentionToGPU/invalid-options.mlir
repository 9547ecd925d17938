// Options no kernel can run with are errors located at the option (the
// pass's textual form as the file, the option's column), in one line, with
// no module printed, and the pass fails. A schedule the options ask for that
// one op's kernel cannot run is an error at that op, not a fallback.
// RUN: not fa2-opt %s --fa2-lower-to-gpu="block-m=48 pack-gqa=0 kv-splits=1" 2>&1 | FileCheck %s --check-prefix=BLOCKM --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --fa2-lower-to-gpu="block-n=24" 2>&1 | FileCheck %s --check-prefix=BLOCKN --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --fa2-lower-to-gpu="block-m=256 block-n=256 warps=8 pack-gqa=0 kv-splits=1" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not fa2-opt %s --fa2-lower-to-gpu="block-m=4611686018427387904" 2>&1 | FileCheck %s --check-prefix=HUGE
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_86" | FileCheck %s --check-prefix=SM86
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_75" 2>&1 | FileCheck %s --check-prefix=CHIP --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --fa2-lower-to-gpu="format=sass" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not fa2-opt %s --fa2-lower-to-gpu="swizzle=rot" 2>&1 | FileCheck %s --check-prefix=SWIZZLE
// RUN: not fa2-opt %s --fa2-lower-to-gpu="rescale-threshold=17" 2>&1 | FileCheck %s --check-prefix=RESCALE
// RUN: not fa2-opt %s --fa2-lower-to-gpu="min-blocks-per-sm=33" 2>&1 | FileCheck %s --check-prefix=MINBLOCKS
// RUN: touch %t.file && not fa2-opt %s --fa2-lower-to-gpu="manifest-dir=%t.file/m" 2>&1 | FileCheck %s --check-prefix=DIR
// RUN: not fa2-opt %s --fa2-lower-to-gpu="f32-precision=tf32" 2>&1 | FileCheck %s --check-prefix=PRECISION --implicit-check-not="see current operation"
// The chips --help lists are the chips the error lists.
// RUN: fa2-opt --help | FileCheck %s --check-prefix=HELP

// PRECISION: fa2-lower-to-gpu{f32-precision=tf32}:1:18: error: fa2-lower-to-gpu: option f32-precision='tf32': expected accurate (split bf16 operands, f32-level results), fast (bf16 operands) or host (f32 ops stay on the CPU)

// BLOCKM: invalid-options.mlir:[[# @LINE + 20]]:8: error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: block-m (48) must be a multiple of 16 x warps (128): each warp owns whole m16 tiles
// BLOCKM-NOT: remark
// BLOCKN: fa2-lower-to-gpu{block-n=24}:1:18: error: fa2-lower-to-gpu: option block-n='24': expected 0 (the schedule's) or a multiple of 16 up to 256
// SMEM: invalid-options.mlir:{{[0-9]+}}:8: error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: the tiles need 655360 bytes of shared memory, more than sm_90's 232448
// HUGE: fa2-lower-to-gpu{block-m=4611686018427387904}:1:18: error: fa2-lower-to-gpu: option block-m='4611686018427387904': expected 0 (the schedule's) or a multiple of 16 up to 256
// The head dim 256 tiles do not fit sm_86's 99 KiB twice: one K/V buffer, then 64 x 64 tiles.
// SM86: gpu.module @fa2_attention_attention_0 [#nvvm.target<O = 3, chip = "sm_86">]
// SM86: fa2.schedule = {block_m = 64 : i64, block_n = 64 : i64, min_blocks_per_sm = 0 : i64, q_in_registers = false, rescale_threshold = 8 : i64, split_kv_copies = true, stages = 1 : i64, swizzle = "xor", warps = 4 : i64}
// CHIP: fa2-lower-to-gpu{chip=sm_75}:1:18: error: fa2-lower-to-gpu: option chip='sm_75': unknown chip (expected one of sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
// CHIP-EMPTY:
// FORMAT: fa2-lower-to-gpu{format=sass}:1:18: error: fa2-lower-to-gpu: option format='sass': expected ptx or cubin
// SWIZZLE: fa2-lower-to-gpu{swizzle=rot}:1:18: error: fa2-lower-to-gpu: option swizzle='rot': expected xor or pad
// RESCALE: error: fa2-lower-to-gpu: option rescale-threshold='17': expected -2 (the schedule's), -1 (every block) or 0 to 16
// MINBLOCKS: error: fa2-lower-to-gpu: option min-blocks-per-sm='33': expected -1 (the schedule's) or 0 to 32
// DIR: fa2-lower-to-gpu{manifest-dir={{.*}}.file/m}:1:18: error: fa2-lower-to-gpu: option manifest-dir='{{.*}}.file/m': cannot create the folder: Not a directory
// HELP: --fa2-lower-to-gpu
// HELP: --chip=<string> {{.*}}(sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
// HELP: --fa2-to-ptx
// HELP: --chip=<string> {{.*}}sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a
func.func @attention(%q: tensor<1x2x128x256xf16>, %k: tensor<1x2x128x256xf16>, %v: tensor<1x2x128x256xf16>) -> tensor<1x2x128x256xf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) : tensor<1x2x128x256xf16>, tensor<1x2x128x256xf16>, tensor<1x2x128x256xf16> -> tensor<1x2x128x256xf16>
  return %o : tensor<1x2x128x256xf16>
}
