#!/usr/bin/env bash
# Lead call 19 (2026-12-06, fifth session): the final tree's fa2-run (its
# second-kernel loading folded into one helper after call 18) on decode.test
# and hopper-decode.test, which load combine and one-split kernels.
# Expected: 2 passed, 0 failed (as call 18).
set -u
export PATH=/usr/local/cuda/bin:$PATH
mkdir -p $OUT/suite
OUT=$OUT/suite timeout 250 bash scripts/device-check.sh --filter 'decode.test' --jobs 2 > $OUT/suite/stdout.log 2>&1
echo "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -10
