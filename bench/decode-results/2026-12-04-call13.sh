#!/usr/bin/env bash
# Lead call 13 (2026-12-04, second session): with the new combine launch
# (call 12's kernels), is the last-CTA merge still the better mode for the
# decode table's <= 8-row tiles? bench/build-decode.sh's grid-other holds
# each step in the other combine mode (launch where the table says
# last_cta, last_cta for the 16-row tiles), timed in the same rounds.
# Expectation (before the call; call 10 put the launch-mode step of d = 64
# Sq 1 G 4 128k batch 1 at a 64.6 us span against last_cta's 67.3 in call
# 7 and cuDNN's 64.7-66.0): launch 2-4% faster at batch 1 from 8k keys,
# within +-1% at batch 8 / 64 (4 / 1 splits), slower at 1k batch 1 (the
# second launch's fixed cost against a 10 us step); the 16-row tiles:
# last_cta slower than launch at batch 1 (one warp merges 16 rows).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
timeout 280 python3 bench/decode.py --kernels .device-carry/lead6/new --out /tmp/g --only grid --rounds 3 > $OUT/grid.log 2>&1
el "grid rc=$?"; cp /tmp/g/*.md /tmp/g/*.csv $OUT/ 2>/dev/null; grep -E "cells" $OUT/grid.log | tail -3
