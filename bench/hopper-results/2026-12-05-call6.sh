#!/usr/bin/env bash
# Lead call 6 (2026-12-05): O rescaled lazily in the wgmma kernel
# (rescale_threshold = 8 / 4: OnlineSoftmax::rescaleRows now honours the
# field; before, the wgmma kernel rescaled every block whatever it said).
# .device-carry/rs = base (the table's kernels, byte-identical to main's) /
# r8 / r4 x bf16 d 64 / 128 / 256, causal and not; .device-carry/var =
# bench/build-decode-variants.sh --set q16 (new / r8 for the decode tile).
# Why: call 5 found the d = 64 / 128 loops bound by issue slots (emulating
# exp2 on the FMA pipe lost everywhere; removing the exponentials gained
# 8-15%). The rescale is a multiplication per O element per block (d = 64:
# 32 FMULs a thread for 64 scores; d = 128: 64 for 64), plus the row max's
# shuffles and alpha's exp2; lazily (the mma.sync kernel's way, +8% there
# at d = 128) they run only in the blocks where some row of the warp grew.
# Expectations, written before the call: r8 +3-6% at d = 128 and d = 256,
# +2-4% at d = 64, most at long sequences, within +-2% at 512 causal; r4
# within 1% of r8; every variant passes FlashAttention's rule; the decode
# tile (H100: memory-bound) within +-2%.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
mkdir -p /tmp/sw
CUDNN=1 ROUNDS=3 SEQS=512,1024,2048,8192,16384 timeout 300 python3 bench/sweep.py .device-carry/rs /tmp/sw bf16 64,128,256 > $OUT/sweep.log 2>&1
el "sweep rc=$?"; grep -E "^bf16" $OUT/sweep.log | cut -c1-170
timeout 100 python3 bench/decode_variants.py --kernels .device-carry/var --out /tmp/vq --rounds 3 \
  --only q16-g8-d64,q16-g8-d128 --labels new,r8 --cells 32768:8,131072:1 > $OUT/var-q16-r8.log 2>&1
el "decode rc=$?"; grep -E "^q16|  [a-z0-9@]+ " $OUT/var-q16-r8.log | cut -c1-140
