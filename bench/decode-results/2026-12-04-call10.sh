#!/usr/bin/env bash
# Lead call 10 (2026-12-04, second session): the combine launch after call
# 9. Call 9 (a CTA per row, whole trips of clamped loads): the combine's own
# duration 2.5-2.7 us at 32-33 splits (was 9-10.5), but 29.4 us at 2 splits
# and 8192 rows (was 8.0) and 14.5 at 4 splits / 4096 rows (was 4.9). Now
# the rows of a CTA and the warps of a row follow the split count (one warp
# a row up to a warp trip of splits, four a row from three) and each load is
# predicated on its split. Staged as call 9 (.device-carry/lead6/new: the
# new kernels; .device-carry/lead5/base: call 7's). Expected: the combine
# at 32-33 splits as call 9's (2.5-3 us), at 2-4 splits with thousands of
# rows 2-4 us (at or under the old kernel's 3.3-8.0); the grid's launch-mode
# cells as fast as or faster than the old kernels in every cell (the same
# split kernels), batch-1 Sq 4 / 16 cells 5-8 us faster.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
OUT0=$OUT
OUT=$OUT0/suite bash scripts/device-check.sh --filter "decode|runtime|build-log|hopper-decode" --jobs 8 > $OUT0/suite.log 2>&1
el "suite rc=$?"; grep -E "Passed|Failed|Unsupported|FAIL:|^  fa2 ::" $OUT0/suite.log | tail -12
rm -rf $OUT0/suite
N=.device-carry/lead6/new
timeout 150 python3 bench/decode.py --kernels $N --out /tmp/chk --only check > $OUT0/check.log 2>&1
el "check rc=$?"; grep -cE "^check PASS" $OUT0/check.log; grep -E "^check (FAIL|ERROR)" $OUT0/check.log | head
K="$N/grid-other/bf16-d64-q1-g4:131072:1,$N/grid/bf16-d64-q4-g4:131072:1,$N/grid/bf16-d64-q16-g8:131072:1,$N/grid/bf16-d128-q16-g8:8192:8"
K="$K,$N/grid/bf16-d128-q4-g4:8192:8,$N/grid/bf16-d128-q16-g4:8192:8,$N/grid-other/bf16-d128-q1-g4:8192:1,$N/grid/bf16-d64-q4-g4:32768:1"
timeout 120 python3 bench/decode_kernels.py --plain --calls 30 --cells "$K" 2>&1 | grep -v -i warn > $OUT0/kernels.log
el "kernels rc=$?"; cat $OUT0/kernels.log
mkdir -p /tmp/ab && cp -r $N/grid /tmp/ab/grid && cp -r .device-carry/lead5/base/grid /tmp/ab/grid-other
timeout 280 python3 bench/decode.py --kernels /tmp/ab --out /tmp/abo --only grid --rounds 3 > $OUT0/grid.log 2>&1
el "grid rc=$?"; cp /tmp/abo/*.md /tmp/abo/*.csv $OUT0/ 2>/dev/null; tail -4 $OUT0/grid.log
