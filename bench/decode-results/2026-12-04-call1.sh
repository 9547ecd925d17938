#!/usr/bin/env bash
# Lead call 1 (2026-12-04): the sm_90a decode kernels (wgmma on head-major
# packed GQA rows, split-KV, combine launch): fa2-run correctness and
# compute-sanitizer on test/Integration/CUDA/hopper-decode.test's kernels;
# then bench/decode.py's grid on the Sq = 16 G = 4/8 and Sq = 4 G = 8 cells,
# the wgmma kernel (grid/) beside main's mma.sync decode kernel
# (grid-other/, "other") and SDPA flash / cuDNN, 3 interleaved rounds.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
L=.device-carry/lead1; FR=$L/fa2-run
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
run() { # NAME SEQS KERNEL...
  local n=$1 seqs=$2; shift 2; local M=""; for k in "$@"; do M="$M --manifest $L/hd/$k"; done
  timeout 120 $FR --iters 0 --repeat 2 --seqs $seqs $M > $OUT/c-$n.log 2>&1
  el "$n rc=$?"; grep -E "FAIL|SUMMARY|num_splits=|nondetermin" $OUT/c-$n.log | head -12
}
run q16 16:1,16:16,16:131072,16:4096,16:777,16:3 h-d128-bf16-g8-q16-causal
run d64 16:1,16:131072,16:4096,16:100,16:9 h-d64-f16-g4-q16-causal
run g16 4:1,4:131072,4:4096,4:65 h-d128-f16-g16-q4
run q3 3:1,3:2,3:131072,3:4097 h-d128-bf16-g8-q3-causal
run q1 1:1,1:131072,1:4096,1:63 h-d64-bf16-g1-q1
timeout 90 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 $FR --iters 0 --guard-bytes 0 --seqs 16:777,16:3 --manifest $L/hd/h-d128-bf16-g8-q16-causal --manifest $L/hd/h-d64-f16-g4-q16-causal > $OUT/san.log 2>&1
el "memcheck rc=$?"
timeout 90 compute-sanitizer --tool racecheck --error-exitcode 9 $FR --iters 0 --seqs 16:777 --manifest $L/hd/h-d128-bf16-g8-q16-causal >> $OUT/san.log 2>&1
el "racecheck rc=$?"
timeout 90 compute-sanitizer --tool synccheck --error-exitcode 9 $FR --iters 0 --seqs 3:4097 --manifest $L/hd/h-d128-bf16-g8-q3-causal >> $OUT/san.log 2>&1
el "synccheck rc=$?"; grep -E "SUMMARY" $OUT/san.log
timeout 400 python3 bench/decode.py --kernels $L/dk --out $OUT/dec --only grid --rounds 3 --warmup-ms 3 --rep-ms 10 > $OUT/dec.log 2>&1
el "decode rc=$?"
grep -E "^grid|copy" $OUT/dec.log | sed 's/ diff=.*combine=/ /'
