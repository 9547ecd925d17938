#!/usr/bin/env bash
# Lead final call (2026-12-03 night): the CUDA lit suite on main's kernels
# (decode.test, hopper.test, runtime/gpu.test with the sm_90a libraries), the
# Hopper check (correctness grid, sanitizers, the 72-cell grid beside SDPA),
# then the decode grid and chunked prefill on bench/build-decode.sh's kernels
# beside SDPA flash / cuDNN (graph-replayed, copy bandwidth in the same run).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1
mkdir -p $OUT/suite $OUT/hopper $OUT/decode
OUT=$OUT/suite timeout 230 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
OUT=$OUT/hopper timeout 220 bash bench/hopper-check.sh run > $OUT/hopper/stdout.log 2>&1
el "hopper rc=$?"
tail -16 $OUT/hopper/stdout.log
timeout 150 python3 bench/decode.py --kernels .device-carry/lead/decode-kernels --out $OUT/decode --only grid,chunked --rounds 2 --warmup-ms 3 --rep-ms 10 > $OUT/decode/stdout.log 2>&1
el "decode rc=$?"
grep -v Warning $OUT/decode/stdout.log | tail -12
