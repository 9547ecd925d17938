#!/usr/bin/env bash
# Lead call 11 (2026-12-04, second session): the final tree's combine
# launch (call 10's, plus: only the splits that exist cost an exp2 and FMAs)
# through the whole CUDA suite, the decode checks, the split kernels'
# durations, and the decode grid (3 rounds) beside call 7's kernels (the
# session start's combine) in the same rounds. Staged as call 10
# (.device-carry/run, .device-carry/runtime, .device-carry/lead6/new,
# .device-carry/lead5/base). Expected: suite 0 failed; checks all PASS; the
# combine at 2 splits and 8192 rows 9.6 -> 7-8 us (call 10; the session
# start's 8.0); the grid's cells at or above the old kernels' (call 10's
# 2-split regressions of 2-6% gone), the batch-1 launch-mode cells up to
# 1.4x faster.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
OUT0=$OUT
OUT=$OUT0/suite bash scripts/device-check.sh --jobs 8 > $OUT0/suite.log 2>&1
el "suite rc=$?"; grep -E "Passed|Failed|Unsupported|FAIL:|^  fa2 ::" $OUT0/suite.log | tail -14
rm -rf $OUT0/suite
N=.device-carry/lead6/new
timeout 150 python3 bench/decode.py --kernels $N --out /tmp/chk --only check > $OUT0/check.log 2>&1
el "check rc=$?"; grep -cE "^check PASS" $OUT0/check.log; grep -E "^check (FAIL|ERROR)" $OUT0/check.log | head
K="$N/grid/bf16-d128-q16-g8:8192:8,$N/grid/bf16-d64-q16-g8:1024:8,$N/grid/bf16-d128-q16-g4:8192:8,$N/grid/bf16-d64-q4-g4:131072:1"
timeout 60 python3 bench/decode_kernels.py --plain --calls 30 --cells "$K" 2>&1 | grep -v -i warn > $OUT0/kernels.log
el "kernels rc=$?"; cat $OUT0/kernels.log
mkdir -p /tmp/ab && cp -r $N/grid /tmp/ab/grid && cp -r $N/chunked /tmp/ab/chunked && cp -r .device-carry/lead5/base/grid /tmp/ab/grid-other
timeout 300 python3 bench/decode.py --kernels /tmp/ab --out /tmp/abo --only grid,chunked --rounds 3 > $OUT0/grid.log 2>&1
el "grid rc=$?"; cp /tmp/abo/*.md /tmp/abo/*.csv $OUT0/ 2>/dev/null; grep -E "^chunked|cells" $OUT0/grid.log | tail -6
