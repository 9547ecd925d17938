#!/usr/bin/env bash
# Lead call 16 (2026-12-06, fifth session): the decode grid, not rerun on an
# H200 since 2026-12-05's call 3 (call 7's ran on an H100). Kernels:
# bench/build-decode.sh on this session's tree (the one-split direct write
# in every run-time split; the chunked sm_90 kernel has it too now).
# Expected (H200): K/V >= 256 MB 110/117 at >= 80% of the copy as in call 3
# (the seven under are the 128-row wgmma tile's compute-bound Sq = 16, G = 8
# cells); >= 1.0x the faster SDPA backend on ~102/117, min >= 0.99; < 256 MB
# min >= 0.98; chunked prefill sm_90a 2.2-2.4x flash (call 14c, H100).
# First the CUDA lit suite on the tree of 5f09de7 (scripts/build-gpu-kernels.sh,
# 0 NOT BUILT; the runtime libraries of runtime/Inputs/build-libs.sh carried
# this time): expected 25 passed, 6 unsupported, 0 failed; decode.test's new
# static-key prefill split (4 / 2 / 1 splits, the last written directly) PASS.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
mkdir -p $OUT/decode $OUT/suite
OUT=$OUT/suite timeout 240 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
timeout 330 python3 bench/decode.py --kernels .device-carry/decode/decode-kernels --out $OUT/decode --only grid,chunked --rounds 3 --warmup-ms 3 --rep-ms 10 > $OUT/decode/stdout.log 2>&1
el "decode rc=$?"
grep -v Warning $OUT/decode/stdout.log | tail -16
