#!/usr/bin/env bash
# Lead call 2 (2026-12-04): tiles of the sm_90a decode kernel on the
# compute-bound cells (Sq = 16, G = 8: 128 packed rows; G = 4 at d = 64),
# each variant (grid/) beside the table's 64 x 64 kernel (grid-other/,
# "other") and SDPA flash / cuDNN in one process, 2 interleaved rounds;
# fa2-run on each variant first.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
L=.device-carry/lead2; FR=$L/fa2-run
M=""; for k in $L/*/grid/*/; do M="$M --manifest $k"; done
timeout 120 $FR --iters 0 --batch 2 --repeat 2 --seqs 16:777,16:131072,16:5 $M > $OUT/c.log 2>&1
el "fa2-run rc=$?"; grep -E "FAIL|SUMMARY" $OUT/c.log | head
for v in v128 vbn vd; do
  timeout 200 python3 bench/decode.py --kernels $L/$v --out $OUT/$v --only grid --rounds 2 --warmup-ms 3 --rep-ms 10 > $OUT/$v.log 2>&1
  el "$v rc=$?"
  grep -E "^grid" $OUT/$v.log | sed 's/ diff=.*combine=/ /; s/ flash [0-9]* cudnn [0-9]* GB\/s//'
done
