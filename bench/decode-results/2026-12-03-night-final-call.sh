#!/usr/bin/env bash
# Lead verification call (2026-12-03 night, after fa2-extern-dynamic-shared-memory
# and the d = 128 G = 8 32-row decode tile back in the table): the CUDA lit
# suite on the rebuilt kernels (every PTX changed in its shared-memory
# declaration), the 32-row tile against one warp of 16 rows at d = 128 G = 8
# (same process, graph-replayed, 3 rounds, checked before and after timing),
# then the decode grid + chunked prefill on bench/build-decode.sh's kernels.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1
mkdir -p $OUT/suite $OUT/smem $OUT/decode
OUT=$OUT/suite timeout 200 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):" -A30 $OUT/suite/lit.log | grep -E "error:|FAIL" | head -20
timeout 90 python3 bench/decode_variants.py --kernels .device-carry/lead/S --out $OUT/smem --rounds 3 --warmup-ms 3 --rep-ms 10 --cells 1024:1,8192:1,32768:1,131072:1,8192:8,131072:8,1024:64,8192:64,32768:64 > $OUT/smem/stdout.log 2>&1
el "smem rc=$?"
grep -v Warning $OUT/smem/stdout.log | tail -24
timeout 130 python3 bench/decode.py --kernels .device-carry/lead/decode-kernels --out $OUT/decode --only grid,chunked --rounds 2 --warmup-ms 3 --rep-ms 10 > $OUT/decode/stdout.log 2>&1
el "decode rc=$?"
grep -E "^cells|^chunked" $OUT/decode/decode.md
rm -f $OUT/suite/machine.txt
