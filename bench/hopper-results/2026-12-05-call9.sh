#!/usr/bin/env bash
# Lead call 9 (2026-12-05, third session): what is left under cuDNN on the
# H100 (call 7): the short prefill cells and the Sq = 1 d = 64 decode cells.
# .device-carry/perf/k (bench/variants.sh, CHIP=sm_90a, bf16): base (the
# table's kernels); pst / pdy: persistent grids (static / dynamic tile
# scheduler) on the causal rows (d = 64 <= 2k: 64 x 64 three per SM; d = 128
# <= 512: 64 x 64 two per SM; pst / pdy d = 128 causal spill 28 / 32 bytes)
# and pdy on d = 64 / 128 without a mask (the table's static persistent);
# m64x3 (d = 64, no mask) and m64x2 (d = 128, no mask): 64-row CTAs, three /
# two per SM; bn64: d = 256 with Bc = 64.
# .device-carry/perf/var = bench/build-decode-variants.sh --set wg64.
# Expectations, written before the call: causal persistent +3-8% at 512-1k
# (a 64-row causal CTA at 512 keys runs 1-8 blocks of 64: its setup is a
# large share, and the persistent grid hides the next tile's Q/K/V under
# the last P·V and epilogue), 0..-3% at 2k; pdy on the non-causal rows within
# +-2% of static (equal tiles); m64x3 +1-4% at 512 (measured 2026-12-03
# night), -8% at 2k; m64x2 d = 128 +0-3% at 512; bn64 +2-3% at 512. Decode:
# the wgmma 64-row tiles within +-2% of the mma.sync tile on the >= 256 MB
# cells (both stream at the copy rate), behind it by 5-20% on the small
# batch-8 8k cell (a 256-thread CTA and TMA per 8-64 keys).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
P=.device-carry/perf
mkdir -p /tmp/sw
CUDNN=1 ROUNDS=3 SEQS=512,1024,2048 timeout 200 python3 bench/sweep.py $P/k /tmp/sw bf16 64,128,256 > $OUT/sweep.log 2>&1
el "sweep rc=$?"; grep -E "^bf16" $OUT/sweep.log | cut -c1-220
timeout 240 python3 bench/decode_variants.py --kernels $P/var --out /tmp/vq --rounds 3 \
  --only q1-g1-d64,q1-g4-d64,q1-g8-d64 --labels new,n64s4x3,n128s3x2,n128s4 \
  --cells 8192:8,32768:8,32768:64,131072:1,131072:8 > $OUT/var-wg64.log 2>&1
el "decode rc=$?"; grep -E "^q1|  [a-z0-9@]+ " $OUT/var-wg64.log | cut -c1-140
