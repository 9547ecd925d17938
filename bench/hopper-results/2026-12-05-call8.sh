#!/usr/bin/env bash
# Lead call 8 (2026-12-05, third session): the rows' sums of P from the P·V
# wgmma (row_sums_by_mma: a 64-column tile of ones after each V stage, P·V's
# n = dv + 8, l = its last columns) against the table's kernels (one f32 add
# per probability, quads reduced at the end).
# .device-carry/perf/k = base (the table's kernels) / rsm, bf16 d 64 / 128,
# causal and not (bench/variants.sh, CHIP=sm_90a); .device-carry/perf/var =
# bench/build-decode-variants.sh --set q16 (new / rsm for the decode tile).
# Why: calls 5-6 found the d = 64 / 128 loops bound by issue slots; the sums
# are 64 FADDs a thread per 128-key block (of ~300 instructions a thread per
# block at d = 64), while the tensor core's 8 more columns cost +12.5% of
# P·V at d = 64 (+6% at d = 128) on a tensor pipe ~45% busy.
# Expectations, written before the call: every rsm kernel passes
# FlashAttention's rule (l from the same rounded P as O: no worse), fa2-run's
# grid and compute-sanitizer (the ones' generic stores fenced for the async
# proxy: no race); rsm over base +4-10% at d = 64, +2-5% at d = 128, more at
# long sequences; the decode tile (memory-bound on an H100) within +-2%.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
P=.device-carry/perf; FR=$P/fa2-run
M=""; for k in $P/k/rsm/*/; do M="$M --manifest $k"; done
D=""; for k in $P/var/q16-g8-d*/rsm; do D="$D --manifest $k"; done
timeout 60 $FR --iters 0 --repeat 2 --seqs 1:1,1:1024,113:203,128:128,1023:1024,4096:4096,203:113,239:1,2100:2100 $M > $OUT/correct.log 2>&1
el "correct rc=$?"; grep -E "FAIL|SUMMARY" $OUT/correct.log | head -8
timeout 60 $FR --iters 0 --repeat 2 --batch 3 --seqs 16:1,16:77,16:4096,16:33000 $D > $OUT/correct-decode.log 2>&1
el "correct-decode rc=$?"; grep -E "FAIL|SUMMARY" $OUT/correct-decode.log | head -8
timeout 60 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 $FR --iters 0 --guard-bytes 0 --seqs 113:203,1:77 $M $D > $OUT/sanitize.log 2>&1
el "memcheck rc=$?"; grep -E "SUMMARY" $OUT/sanitize.log | tail -2
timeout 60 compute-sanitizer --tool racecheck --error-exitcode 9 $FR --iters 0 --seqs 113:203,16:77 $M $D >> $OUT/sanitize.log 2>&1
el "racecheck rc=$?"; grep -E "SUMMARY" $OUT/sanitize.log | tail -2
mkdir -p /tmp/sw
CUDNN=1 ROUNDS=3 SEQS=512,1024,2048,8192,16384 timeout 240 python3 bench/sweep.py $P/k /tmp/sw bf16 64,128 > $OUT/sweep.log 2>&1
el "sweep rc=$?"; grep -E "^bf16" $OUT/sweep.log | cut -c1-170
timeout 100 python3 bench/decode_variants.py --kernels $P/var --out /tmp/vq --rounds 3 \
  --only q16-g8-d64,q16-g8-d128 --labels new,rsm --cells 32768:8,131072:1 > $OUT/var-q16-rsm.log 2>&1
el "decode rc=$?"; grep -E "^q16|  [a-z0-9@]+ " $OUT/var-q16-rsm.log | cut -c1-140
