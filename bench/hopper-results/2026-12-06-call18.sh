#!/usr/bin/env bash
# Lead call 18 (2026-12-06, fifth session): decode.test with its new
# memcheck lines on the prefill tile's split (3 splits at batch 1; one at
# batch 16, the unsplit kernel alone), the tree of this commit's parent plus
# that test. Expected: decode.test PASS, 0 memcheck errors.
set -u
export PATH=/usr/local/cuda/bin:$PATH
mkdir -p $OUT/suite
OUT=$OUT/suite timeout 280 bash scripts/device-check.sh --filter 'decode.test' --jobs 2 > $OUT/suite/stdout.log 2>&1
echo "suite rc=$?"
grep -E "^(PASS|FAIL|UNRESOLVED|TIMEOUT|UNSUPPORTED):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -10
