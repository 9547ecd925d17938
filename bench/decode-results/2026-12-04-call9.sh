#!/usr/bin/env bash
# Lead call 9 (2026-12-04, second session): the combine launch with a CTA
# per row (split groups, every load of a trip before its arithmetic).
# Staged here: scripts/build-gpu-kernels.sh (.device-carry/run),
# runtime/Inputs/build-libs.sh (.device-carry/runtime), bench/build-decode.sh
# -o .device-carry/lead6/new; .device-carry/lead5/base = the kernels before
# (call 7's). Expected (before the call): the combine kernel's own duration
# 9-10.5 us -> 2-3 us at 32-33 splits, 6.3 -> ~2 at 16, 3.3-4.9 -> ~2 at 4;
# the launch-mode steps as many us faster: d = 64 Sq 4 G 4 / Sq 16 G 1 at
# 128k batch 1 87 -> ~80 us (72% -> ~78% of the copy), Sq 16 G 8 d = 128
# 8k batch 8 87 -> ~81 us; batch-1 launch-mode cells 20-35% faster at 1k-32k.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
OUT0=$OUT
OUT=$OUT0/suite bash scripts/device-check.sh --filter "decode|runtime|build-log" --jobs 8 > $OUT0/suite.log 2>&1
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
