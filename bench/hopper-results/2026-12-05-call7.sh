#!/usr/bin/env bash
# Lead call 7 (2026-12-05): the tree with rescale_threshold = 8 on every
# wgmma row (a403e0a). The CUDA lit suite on this tree's kernels (hopper.test:
# the correctness grid, sanitizers, repeat-run determinism); the Hopper
# check with a 3-round grid beside SDPA flash / cuDNN and the bf16 GEMM; the
# decode grid (3 rounds, read flush) and chunked prefill.
# Expectations, written before the call: suite all pass; Hopper grid min
# above 0.89 (call 6 on an H100: r8 +2..+13% over the table's kernels), >=
# cuDNN on more than 31/72 cells (2026-12-04's call: 31); decode: the Sq = 16
# G = 8 d = 64 cells (compute-bound on the H200) +2-5%, the rest within noise.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
mkdir -p $OUT/suite $OUT/hopper $OUT/decode
if [ "${DECODE:-0}" = 0 ]; then
OUT=$OUT/suite timeout 240 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT|UNSUPPORTED):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
OUT=$OUT/hopper GRID_ROUNDS=3 timeout 240 bash bench/hopper-check.sh run > $OUT/hopper/stdout.log 2>&1
el "hopper rc=$?"
tail -16 $OUT/hopper/stdout.log
fi
[ "${DECODE:-0}" = 1 ] || exit 0
# The decode grid as the second call on the warm machine (DECODE=1).
timeout 420 python3 bench/decode.py --kernels .device-carry/dec --out /tmp/g --only grid,chunked --rounds 3 > $OUT/decode/stdout.log 2>&1
el "decode rc=$?"; cp /tmp/g/decode.md /tmp/g/decode.csv $OUT/decode/ 2>/dev/null
grep -E "^cells|^chunked" /tmp/g/decode.md
