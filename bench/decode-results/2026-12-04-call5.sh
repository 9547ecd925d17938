#!/usr/bin/env bash
# Lead call 5 (2026-12-04): wider K/V blocks for the sm_90a decode kernel's
# 128-row tile (fewer ring round trips and softmax steps per key; the d = 64
# G = 8 cells are bound by the tile's rate): d = 64 Bc = 192 (a) and 176 (b),
# d = 128 Bc = 176 (a), each beside the table's Bc = 128 ("other").
# Expected: +3..+8% at d = 64 from 8k keys batch 8, 0..+4% at d = 128.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
L=.device-carry/lead4; FR=$L/fa2-run
M=""; for k in $L/*/grid/*/; do M="$M --manifest $k"; done
timeout 120 $FR --iters 0 --batch 2 --repeat 2 --seqs 16:777,16:131072,16:5 $M > $OUT/c.log 2>&1
el "fa2-run rc=$?"; grep -E "FAIL|SUMMARY" $OUT/c.log | head
for v in a b; do
  timeout 200 python3 bench/decode.py --kernels $L/$v --out $OUT/$v --only grid --rounds 2 --warmup-ms 3 --rep-ms 10 --seqks 8192,32768,131072 > $OUT/$v.log 2>&1
  el "$v rc=$?"
  grep -E "^grid" $OUT/$v.log | sed 's/ diff=.*combine=/ /; s/ flash [0-9]* cudnn [0-9]* GB\/s//; s/ launch / /'
done
