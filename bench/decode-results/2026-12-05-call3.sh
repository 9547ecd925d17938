#!/usr/bin/env bash
# Lead call 3 (2026-12-05): call 2's grid and chunked prefill again, asked
# of an H200 (call 2 got an H100), same kernels (ffaa280), read flush, 3
# rounds. Expected: as call 2 in ratios (d = 64 Sq = 1 at 0.98-1.00x, the
# rest >= 1.0x); % copy ~90-97% at 268 MB.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name --format=csv,noheader
timeout 400 python3 bench/decode.py --kernels .device-carry/dec --out /tmp/g --only grid,chunked --rounds 3 > $OUT/grid.log 2>&1
el "grid rc=$?"; cp /tmp/g/decode.md /tmp/g/decode.csv $OUT/ 2>/dev/null; grep -E "^cells|^chunked" /tmp/g/decode.md
