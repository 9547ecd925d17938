#!/usr/bin/env bash
# Lead call 5 (2026-12-05): exp2 off the MUFU (bench/ptx_exp2_emulation.py on
# the wgmma kernels of bench/build.sh --chip sm_90a --mma wgmma; .device-carry/emu
# = base / free / emu8 / emu4 / emu2 (the PTX rewritten) and c8 / c4 / c2 (fa2-opt schedule=exp2_on_fma=N) x bf16 d 64 / 128, causal and not).
# Why: call 4's Nsight profile of the 128-row d = 64 decode tile had the XU
# (MUFU) pipe 46% and the tensor pipe 44% busy of the active cycles, on a
# step whose H200 rate (~420 TFLOP/s) sits where the two add up, not where
# either saturates. Expectations, written before the call:
# - free (every ex2 a move; results wrong, timing only): d = 64 +15-30%,
#   d = 128 +5-15% -- the bound on what exp2 emulation can give.
# - emu4 (one exp2 in four on the FMA / integer pipes, 11 instructions each):
#   d = 64 +3-8%, d = 128 within +-3%; emu2 below emu4 (issue slots); emu8
#   between base and emu4. All emu* pass FlashAttention's rule. c4 / c8 / c2
#   as emu4 / emu8 / emu2 (the same counts; the compiler's picks are the
#   4th, 8th, ... score of each row).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
CUDNN=1 ROUNDS=3 SEQS=512,1024,2048,8192,16384 timeout 400 python3 bench/sweep.py .device-carry/emu /tmp/sw bf16 64,128 > $OUT/sweep.log 2>&1
el "sweep rc=$?"; cp /tmp/sw/* $OUT/ 2>/dev/null; grep -v "^\s*$" $OUT/sweep.log | tail -60 | cut -c1-200
# The 128-row decode tile with exp2_on_fma (bench/build-decode-variants.sh
# --set q16, .device-carry/var): FlashAttention's rule on every label; on an
# H100 these cells are at the memory (call 4: 89-100% of copy), so expected
# within +-2% there; on an H200 (compute-bound at d = 64) as the prefill's gain.
timeout 120 python3 bench/decode_variants.py --kernels .device-carry/var --out /tmp/vq --rounds 3 \
  --only q16-g8-d64,q16-g8-d128 --labels new,f4,f8 --cells 32768:8,131072:1 > $OUT/var-q16-fma.log 2>&1
el "decode rc=$?"; grep -E "^q16|  [a-z0-9@]+ " $OUT/var-q16-fma.log | cut -c1-140
