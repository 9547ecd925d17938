#!/usr/bin/env bash
# Lead call 15 (prepared 2026-12-06 in the fourth session, run in the
# fifth with the patch applied to the tree; the CUDA lit suite appended:
# scripts/build-gpu-kernels.sh on the patched tree, 0 NOT BUILT, so the
# suite's decode.test runs the prefill split's direct write at one split).
# The prefill tile's run-time
# split writing O directly at one split (writesOneSplitDirectly for the
# launch-combine prefill kernel; it was off since 2026-12-03 for the
# chunked step). .device-carry/chunk2: fa2-run on decode.test's new kernel
# (unpacked prefill split, 16 splits at batch 1, one at batch 16) and the
# packed dynamic-seq_q one; .device-carry/perf/k5/direct (sm_90 mma.sync,
# Sq = Sk = 512, 16 heads, batch dynamic) beside old (the same without the
# direct write) and new (sm_90a's wgmma); the chunked step, split against
# direct. Staging (here): k5/direct and chunk2/chunked/*-sm90-direct with
# the patch (chip=sm_90, Sq = 512 static, batch dynamic; bench/variants.sh's
# module with 512 for ?), chunk2/chunked/*-sm90-split and chunk2/dk without
# it (scripts/build-gpu-kernels.sh --only decode), chunk2/fa2-run.
# Expected: fa2-run all PASS; direct 2.5-3x old at batch 32 (the mma.sync
# tile unsplit: 1.2-1.5x SDPA flash); chunked direct -5..-9% at batch 1
# (2026-12-03's measurement), +0..+10% at batch 4 (one split there).
# Suite: all pass (the 23 GPU tests; 25 with the two that need no GPU
# tools counted as unsupported there, as in call 7), in < 260 s.
# Last, what call 14 did not reach: d = 128 causal at 512 / 1k keys, the
# table's kernel (tab) beside stages = 3 (st3) and Bc = 32 / 48 / 96
# (.device-carry/perf/k3, built 2026-12-06 by bench/variants.sh). Expected
# (call 14's header): st3 0..+3% at 512, n32 -5..+2%, n48 -3..+3%, n96 -5..0%.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
C=.device-carry/chunk2
$C/fa2-run --iters 0 --repeat 2 --batch 1 --seqs 256:4096,256:256,256:300 --manifest $C/dk/d128-bf16-q256-prefill-split 2>&1 | grep -E "FAIL|SUMMARY"
$C/fa2-run --iters 0 --repeat 2 --batch 16 --seqs 256:4096,256:300 --manifest $C/dk/d128-bf16-q256-prefill-split 2>&1 | grep -E "FAIL|SUMMARY"
$C/fa2-run --iters 0 --seqs 1:1,1:131072,239:1,8:4096,113:203 --manifest $C/dk/d128-bf16-g4-causal 2>&1 | grep -E "FAIL|SUMMARY"
mkdir -p /tmp/s5 /tmp/ch
CAUSAL=1 CUDNN=1 ROUNDS=3 SEQS=512 timeout 40 python3 bench/sweep.py .device-carry/perf/k5 /tmp/s5 bf16 128 > $OUT/sweep-k5.log 2>&1
echo "k5 rc=$?"; grep -E "^(bf16|f16)" $OUT/sweep-k5.log | cut -c1-220
timeout 60 python3 bench/decode.py --kernels $C --out /tmp/ch --only chunked --rounds 2 > $OUT/chunked.log 2>&1
echo "chunked rc=$?"; grep -E "^chunked" $OUT/chunked.log | sort -u
el "measure done"
mkdir -p $OUT/suite
OUT=$OUT/suite timeout 300 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT|UNSUPPORTED):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -30
mkdir -p /tmp/s3
CAUSAL=1 CUDNN=1 ROUNDS=3 SEQS=512,1024 timeout 110 python3 bench/sweep.py .device-carry/perf/k3 /tmp/s3 bf16,f16 128 > $OUT/sweep-k3.log 2>&1
el "k3 rc=$?"; grep -E "^(bf16|f16)" $OUT/sweep-k3.log | cut -c1-260
