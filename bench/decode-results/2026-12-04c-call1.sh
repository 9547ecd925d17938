#!/usr/bin/env bash
# Lead call 1 (2026-12-04, third session): the decode table with the
# combine launch for every row (the <= 8-row tiles took the last-CTA merge)
# through the CUDA suite and the decode checks; the benchmark's L2 flush
# (triton do_bench's zero_ of 256 MB against a read of it) on the same
# cells in one process each; the <= 8-row tiles launch / last_cta / one
# warp of 16 rows at G = 8 (decode_variants.py).
# Expected: suite 0 failed; checks all PASS. Flush: the zero flush leaves
# ~50 MB of dirty L2 lines that the timed call writes back while it reads
# (~12 us at the copy bandwidth): with the read flush every backend's
# 268 MB step ~10-12 us shorter (fa2 d = 64 Sq 1 G 4 128k batch 1 79 ->
# ~67-69 us, cuDNN 78 -> ~66), the 1k-key batch-1 steps ~1-2 us shorter
# (their 2 MB of K/V leave few dirty lines to evict), the copy bandwidth
# within 1% (2 GiB). Variants: new (launch) 0.94-1.00x last's time at
# batch 1 (call 13), w16launch within 1% of new at G = 8.
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
for fl in zero read; do
  timeout 100 python3 bench/decode.py --kernels $N --out /tmp/fl-$fl --only grid --rounds 3 --flush $fl \
    --grid-filter q1-g4 --seqks 1024,131072 --batches 1,8 > /tmp/flush-$fl.log 2>&1
  el "flush $fl rc=$?"; cp /tmp/fl-$fl/decode.csv $OUT0/flush-$fl.csv 2>/dev/null
  (echo "== flush $fl"; tail -n 30 /tmp/flush-$fl.log) >> $OUT0/flush.log
done
K="$N/grid/bf16-d64-q1-g4:131072:1,$N/grid/bf16-d128-q4-g8:1024:64"
timeout 40 python3 bench/decode_kernels.py --calls 30 --cells "$K" 2>&1 | grep -v -i warn > $OUT0/kernels.log
el "kernels rc=$?"; cat $OUT0/kernels.log
timeout 200 python3 bench/decode_variants.py --kernels .device-carry/var --out /tmp/var --rounds 3 \
  --cells 1024:1,8192:1,131072:1,131072:8 > $OUT0/variants.log 2>&1
el "variants rc=$?"; cp /tmp/var/variants.md $OUT0/ 2>/dev/null; tail -n 45 /tmp/var/variants.md
