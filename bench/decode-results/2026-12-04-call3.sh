#!/usr/bin/env bash
# Lead call 3 (2026-12-04): more tiles of the sm_90a decode kernel, each
# (grid/) beside the new table's kernel (grid-other/, "other"), 2 rounds;
# b/bf16-d128-q16-g8 is the table's kernel twice (the call's noise).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
L=.device-carry/lead3; FR=$L/fa2-run
M=""; for k in $L/*/grid/*/; do M="$M --manifest $k"; done
timeout 120 $FR --iters 0 --batch 2 --repeat 2 --seqs 16:777,16:131072,16:5 $M > $OUT/c.log 2>&1
el "fa2-run rc=$?"; grep -E "FAIL|SUMMARY" $OUT/c.log | head
for v in a b; do
  timeout 200 python3 bench/decode.py --kernels $L/$v --out $OUT/$v --only grid --rounds 2 --warmup-ms 3 --rep-ms 10 > $OUT/$v.log 2>&1
  el "$v rc=$?"
  grep -E "^grid" $OUT/$v.log | sed 's/ diff=.*combine=/ /; s/ flash [0-9]* cudnn [0-9]* GB\/s//; s/ launch / /'
done
