#!/usr/bin/env bash
# Helper "decode", round 4 (2026-12-03 night), one call (carry .device-carry/decode4):
#  1. decode_variants.py (graph-replayed, 3 rounds, O checked before/after):
#     the table's Sq = 1 kernels at the rule's split count (2 CTAs per SM) and
#     @0 3 CTAs per SM, @1 4 per SM, @2 (d = 64) 4 blocks per split;
#  2. decode.py's grid pass on the round-3 kernels (F/grid), d = 64 first,
#     with --num-splits-alt sm:3 beside.
set -u
exec > >(tee "$OUT/run.log") 2>&1
C=$PWD/.device-carry/decode4
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
lim() { local left=$(( T0 + ${BUDGET:-120} - $(date +%s) )); [ "$left" -lt "$1" ] && echo $(( left > 5 ? left : 5 )) || echo "$1"; }
OUT=$(cd "$OUT" && pwd)
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
cp $C/bench/*.py bench/
alts() {  # --alt args for KIND/new from its manifest rule
  python3 - "$C/V/$1/new" "$1" "$2" <<'PY'
import json, glob, sys
m = json.load(open(glob.glob(sys.argv[1] + "/*.json")[0]))
r = m["num_splits"]
alts = [r.replace("2 * sm_count", "3 * sm_count"), r.replace("2 * sm_count", "4 * sm_count")]
if sys.argv[3] == "blocks":
    assert ", 2)), 128" in r
    alts.append(r.replace(", 2)), 128", ", 4)), 128"))
print(" ".join(f"--alt={sys.argv[2]}/new={a.replace(' ', '')}" for a in alts))
PY
}
mkdir -p $OUT/v64 $OUT/v128 $OUT/grid
A64="$(alts q1-g4-d64 blocks) $(alts q1-g1-d64 blocks)"
A128="$(alts q1-g4-d128 no) $(alts q1-g1-d128 no)"
echo "$A64"; echo "$A128"
timeout $(lim 50) python3 bench/decode_variants.py --kernels $C/V --out $OUT/v64 --rounds 3 --only q1-g4-d64,q1-g1-d64 \
  --cells 131072:1,131072:8,32768:1,32768:8,8192:1,1024:1 $A64 2>&1 | grep -v Warning
el "variants d64 rc=$?"
timeout $(lim 20) python3 bench/decode_variants.py --kernels $C/V --out $OUT/v128 --rounds 3 --only q1-g4-d128,q1-g1-d128 \
  --cells 131072:8,131072:1 $A128 2>&1 | grep -v Warning
el "variants d128 rc=$?"
timeout $(lim 100) python3 bench/decode.py --kernels $C/F --out $OUT/grid --only grid --rounds 2 --num-splits-alt sm:3 2>&1 \
  | grep -v Warning
el "grid rc=$?"
