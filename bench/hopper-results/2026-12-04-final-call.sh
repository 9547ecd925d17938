#!/usr/bin/env bash
# Lead final call (2026-12-04): the CUDA lit suite on this tree's kernels
# (with hopper-decode.test and the sm_90a decode step through its host code
# in runtime/gpu.test); the Hopper check with a 5-round grid beside SDPA
# flash / cuDNN; then the decode grid (bench/build-decode.sh for sm_90a: the
# wgmma decode kernel from 64 packed rows, beside the mma.sync decode tile as
# "other") and chunked prefill beside SDPA flash / cuDNN, graph-replayed,
# copy bandwidth in the same run, 3 rounds.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
mkdir -p $OUT/suite $OUT/hopper $OUT/decode
OUT=$OUT/suite timeout 260 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT|UNSUPPORTED):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
OUT=$OUT/hopper GRID_ROUNDS=5 timeout 330 bash bench/hopper-check.sh run > $OUT/hopper/stdout.log 2>&1
el "hopper rc=$?"
tail -16 $OUT/hopper/stdout.log
timeout 240 python3 bench/decode.py --kernels .device-carry/lead/decode-kernels --out $OUT/decode --only grid,chunked --rounds 3 --warmup-ms 3 --rep-ms 10 > $OUT/decode/stdout.log 2>&1
el "decode rc=$?"
grep -v Warning $OUT/decode/stdout.log | tail -14
