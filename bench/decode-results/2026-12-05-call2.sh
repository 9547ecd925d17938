#!/usr/bin/env bash
# Lead call 2 (2026-12-05): the tree of ffaa280 (combine launch for every
# row; G = 8 at d = 64 on G = 4's 16-row Bc = 64 / 3-stage tile) through the
# CUDA suite and decode.py's checks; the whole decode grid and chunked
# prefill with the read flush, 3 rounds (issue 14's table); and the table's
# <= 8-row kernels with an L2 prefetch hint on every cp.async
# (.L2::128B / .L2::256B, the PTX edited here with sed: labels l2p128 /
# l2p256 beside "new").
# Expected: suite 0 failed (25 passed / 6 unsupported); checks all PASS.
# Grid: d = 64 Sq = 1 G = 8 128k batch 8 ~480 us (492 before; cuDNN ~480),
# the other cells as call 1 (launch table). L2 hint: the d = 64 128k cells
# 0-2% faster with 256B (the split kernel streams 2.4% behind cuDNN's main
# kernel), 1k cells within noise, d = 128 within 1%.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
OUT0=$OUT
OUT=$OUT0/suite bash scripts/device-check.sh --jobs 8 > $OUT0/suite.log 2>&1
el "suite rc=$?"; grep -E "Passed|Failed|Unsupported|FAIL:|^  fa2 ::" $OUT0/suite.log | tail -14
rm -rf $OUT0/suite
N=.device-carry/dec
timeout 150 python3 bench/decode.py --kernels $N --out /tmp/chk --only check > $OUT0/check.log 2>&1
el "check rc=$?"; grep -cE "^check PASS" $OUT0/check.log; grep -E "^check (FAIL|ERROR)" $OUT0/check.log | head
timeout 220 python3 bench/decode_variants.py --kernels .device-carry/var --out /tmp/var --rounds 3 \
  --cells 1024:1,8192:1,131072:1,131072:8 > $OUT0/variants.log 2>&1
el "variants rc=$?"; cp /tmp/var/variants.md $OUT0/ 2>/dev/null; tail -n 40 /tmp/var/variants.md
timeout 280 python3 bench/decode.py --kernels $N --out /tmp/g --only grid,chunked --rounds 3 > $OUT0/grid.log 2>&1
el "grid rc=$?"; cp /tmp/g/decode.md /tmp/g/decode.csv $OUT0/ 2>/dev/null; tail -n 12 $OUT0/grid.log
