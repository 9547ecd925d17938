#!/usr/bin/env bash
# Helper "decode", round 3 (2026-12-03 night), one call (carry .device-carry/decode3):
#  1. correctness of the candidate kernels (V/: d = 64 Bc = 64 / 3-4 stages,
#     the 2-warp 8-row merge m32): fa2-run at the rule's split count and at
#     16 / 66, batch 1 and 3; memcheck + racecheck on m32 d = 128 at 66 splits;
#  2. bench/decode_timing.py: the d = 128 G = 8 cells eager / graph / CUPTI
#     kernel durations / the evening's stale-launcher sequence, SDPA beside;
#  3. bench/decode_variants.py (graph-replayed, 3 rounds, per-round times,
#     O re-checked after timing): d = 64 <= 8-row kinds, then G = 8 d = 128.
#   bash .device-carry/decode3/run.sh
set -u
exec > >(tee "$OUT/run.log") 2>&1
C=$PWD/.device-carry/decode3
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
# Each step's limit: its own, and never past T0 + ${BUDGET:-205} s.
lim() { local left=$(( T0 + ${BUDGET:-205} - $(date +%s) )); [ "$left" -lt "$1" ] && echo $(( left > 5 ? left : 5 )) || echo "$1"; }
OUT=$(cd "$OUT" && pwd)
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
{ nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
  python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'; } 2>&1
cp $C/bench/*.py bench/
RUN=$C/fa2-run
if ! $RUN --help >/dev/null 2>&1; then
  el "carried fa2-run does not run here: building it"
  cmake -G Ninja -S tools/fa2-run -B /tmp/fr -DCMAKE_BUILD_TYPE=Release >/dev/null && ninja -C /tmp/fr >/dev/null 2>&1
  RUN=/tmp/fr/bin/fa2-run
fi
# 1. Correctness.
S=/tmp/splits; mkdir -p $S
for k in q1-g8-d128/m32 q1-g4-d64/n64s4; do
  for n in 16 66; do
    d=$S/${k//\//-}-s$n; mkdir -p $d; cp $C/V/$k/*.ptx $d/
    for j in $C/V/$k/*.json; do
      python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["num_splits"]=sys.argv[2]; json.dump(m,open(sys.argv[3],"w"),indent=1)' $j $n $d/$(basename $j)
    done
  done
done
{
for d in $C/V/q1-g8-d128/m32 $C/V/q1-g8-d64/m32 $C/V/q1-g4-d64/n64s4 $C/V/q1-g1-d64/n64s4 $C/V/q1-g8-d64/n64s4 $S/*; do
  for b in 3 $(case $d in *g8-d128*m32*) echo 1;; esac); do
    echo "== $d batch $b"; timeout 20 $RUN --batch $b --iters 0 --repeat 2 --seqs 1:1,1:777,1:8192,1:131072 --manifest $d 2>&1 | grep -E "SUMMARY|FAIL" | head -4; echo "rc=${PIPESTATUS[0]}"
  done
done
d=$C/V/q4-g1-d64/n64s4
echo "== $d batch 3"; timeout 20 $RUN --batch 3 --iters 0 --repeat 2 --seqs 4:4,4:777,4:8192,4:131072 --manifest $d 2>&1 | grep -E "SUMMARY|FAIL" | head -4; echo "rc=${PIPESTATUS[0]}"
d=$S/q1-g8-d128-m32-s66
timeout 20 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 $RUN --batch 1 --iters 0 --guard-bytes 0 --seqs 1:1,1:777,1:8192 --manifest $d 2>&1 | tail -2; echo "memcheck rc=${PIPESTATUS[0]}"
timeout 20 compute-sanitizer --tool racecheck --error-exitcode 9 $RUN --batch 1 --iters 0 --seqs 1:777,1:8192 --manifest $d 2>&1 | tail -2; echo "racecheck rc=${PIPESTATUS[0]}"
} > $OUT/checks.log 2>&1
el "checks"; grep -E "^==|rc=|FAIL|SUMMARY" $OUT/checks.log | paste - - - | head -40
# 2. Eager / graph / kernel durations.
timeout $(lim 40) python3 bench/decode_timing.py --kernels $C/K --out $OUT --cells bf16-d128-q1-g8:8192:1,bf16-d128-q1-g8:1024:1,bf16-d128-q1-g1:8192:1 2>&1 | grep -v Warning
el "timing rc=$?"
# 3. Variants, graph-replayed.
mkdir -p $OUT/v64 $OUT/v128
timeout $(lim 40) python3 bench/decode_variants.py --kernels $C/V --out $OUT/v128 --rounds 3 --only q1-g8-d128 \
  --cells 8192:1,32768:1,1024:1,131072:1,8192:8,131072:8 \
  --alt q1-g8-d128/new=16 --alt q1-g8-d128/new=49 --alt q1-g8-d128/new=66 2>&1 | grep -v Warning
el "variants d128 rc=$?"
timeout $(lim 95) python3 bench/decode_variants.py --kernels $C/V --out $OUT/v64 --rounds 3 \
  --only q1-g4-d64,q1-g8-d64,q1-g1-d64,q4-g1-d64 \
  --cells 131072:1,32768:1,131072:8,8192:1,32768:8,8192:8,1024:1 2>&1 | grep -v Warning
el "variants d64 rc=$?"

