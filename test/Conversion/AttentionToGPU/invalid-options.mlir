// Schedules the kernel cannot run and targets it does not know.
// RUN: fa2-opt %s --fa2-lower-to-gpu="block-m=48" 2>&1 | FileCheck %s --check-prefix=BLOCKM
// RUN: fa2-opt %s --fa2-lower-to-gpu="block-n=24" 2>&1 | FileCheck %s --check-prefix=BLOCKN
// RUN: fa2-opt %s --fa2-lower-to-gpu="block-m=256 block-n=256 warps=8" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_86" | FileCheck %s --check-prefix=SM86
// RUN: not fa2-opt %s --fa2-lower-to-gpu="chip=sm_75" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not fa2-opt %s --fa2-lower-to-gpu="format=sass" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not fa2-opt %s --fa2-lower-to-gpu="swizzle=rot" 2>&1 | FileCheck %s --check-prefix=SWIZZLE
// RUN: fa2-opt %s --fa2-lower-to-gpu="rescale-threshold=17" 2>&1 | FileCheck %s --check-prefix=RESCALE
// RUN: fa2-opt %s --fa2-lower-to-gpu="min-blocks-per-sm=33" 2>&1 | FileCheck %s --check-prefix=MINBLOCKS

// BLOCKM: remark: fa2-lower-to-gpu: not lowered to a GPU kernel: no valid schedule: block-m (48) must be a multiple of 16 x warps (128): each warp owns whole m16 tiles
// BLOCKM-LABEL: func.func @attention
// BLOCKM: fa2.attention
// BLOCKM-NOT: gpu.launch_func
// BLOCKN: remark: fa2-lower-to-gpu: not lowered to a GPU kernel: no valid schedule: block-n (24) must be a multiple of 16
// SMEM: remark: {{.*}}no valid schedule: the tiles need 655360 bytes of shared memory, more than sm_90's 232448
// The head dim 256 tiles do not fit sm_86's 99 KiB twice: one K/V buffer, then 64 x 64 tiles.
// SM86: gpu.module @fa2_attention_attention_0 [#nvvm.target<O = 3, chip = "sm_86">]
// SM86: fa2.schedule = {block_m = 64 : i64, block_n = 64 : i64, min_blocks_per_sm = 0 : i64, q_in_registers = false, rescale_threshold = 8 : i64, split_kv_copies = true, stages = 1 : i64, swizzle = "xor", warps = 4 : i64}
// CHIP: error: fa2-lower-to-gpu: unknown chip 'sm_75' (expected sm_80, sm_86, sm_87, sm_89, sm_90 or sm_90a)
// FORMAT: error: fa2-lower-to-gpu: format must be ptx or cubin, got 'sass'
// SWIZZLE: error: fa2-lower-to-gpu: swizzle must be xor or pad, got 'rot'
// RESCALE: remark: {{.*}}no valid schedule: rescale-threshold must be -1 (every block) or 0..16 (powers of two the probabilities may reach), got 17
// RESCALE-NOT: gpu.launch_func
// MINBLOCKS: remark: {{.*}}no valid schedule: min-blocks-per-sm must be 0..32, got 33
func.func @attention(%q: tensor<1x2x128x256xf16>, %k: tensor<1x2x128x256xf16>, %v: tensor<1x2x128x256xf16>) -> tensor<1x2x128x256xf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) : tensor<1x2x128x256xf16>, tensor<1x2x128x256xf16>, tensor<1x2x128x256xf16> -> tensor<1x2x128x256xf16>
  return %o : tensor<1x2x128x256xf16>
}
