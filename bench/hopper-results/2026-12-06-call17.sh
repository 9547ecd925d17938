#!/usr/bin/env bash
# Lead call 17 (2026-12-06, fifth session): the prefill tile's one-split
# kernel (b76cdd4: a launch whose run-time split count is 1 runs the op's
# kernel unsplit, no partials, no combine).
# 1. The CUDA lit suite on this tree (scripts/build-gpu-kernels.sh, the
#    runtime libraries of runtime/Inputs/build-libs.sh): expected 25 passed,
#    6 unsupported, 0 failed; decode.test's one-split lines (batch 16, and
#    batch 32 of 512 static keys) and runtime/gpu.test's prefill-split (5
#    splits at batch 1: 2 launches, 3 allocations; one at batch 32: 1 launch,
#    1 allocation) PASS.
# 2. Sq = Sk = 512 causal d = 128, batch dynamic (32 in the sweep), sm_90:
#    `one` (this tree) beside `old` (partials and combine at one split,
#    98.9 TFLOP/s in call 15) and `direct` (the split kernel writing O,
#    207.7). Expected: one 210-240 (the unsplit mma.sync tile, 1.2-1.3x
#    SDPA flash), >= direct.
# 3. The chunked step (Sq = 512 of 8k, seq_k dynamic, sm_90): `one` against
#    `split` (call 15: 349 / 371 TFLOP/s at batch 1 / 4) and `direct` (324 /
#    361). Expected: one = split within 2% at batch 1 (the same split
#    kernel, 2 splits), within 2% at batch 4 (one split: the unsplit kernel,
#    371 in call 16's nosplit row).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
mkdir -p $OUT/suite /tmp/s5 /tmp/ch
OUT=$OUT/suite timeout 240 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
CAUSAL=1 CUDNN=1 ROUNDS=3 SEQS=512 timeout 60 python3 bench/sweep.py .device-carry/perf/k5 /tmp/s5 bf16,f16 128 > $OUT/sweep-k5.log 2>&1
el "k5 rc=$?"; grep -E "^(bf16|f16)" $OUT/sweep-k5.log | cut -c1-240
timeout 90 python3 bench/decode.py --kernels .device-carry/chunk3 --out /tmp/ch --only chunked --rounds 3 > $OUT/chunked.log 2>&1
el "chunked rc=$?"; grep -E "^chunked" $OUT/chunked.log | sort -u
