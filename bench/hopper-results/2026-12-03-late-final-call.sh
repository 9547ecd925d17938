#!/usr/bin/env bash
# Lead final call (2026-12-03 late): the CUDA lit suite on main's kernels;
# the persistent wgmma kernel at min_blocks_per_sm = 2 (390eb00, never run on
# a GPU before: 64 x 64 tiles, 264 CTAs for 132 SMs; 4096:4096 puts more
# tiles than CTAs) under fa2-run, memcheck and racecheck; the Hopper check
# with a 5-round grid beside SDPA flash / cuDNN; then the decode grid and
# chunked prefill on bench/build-decode.sh's kernels beside SDPA flash /
# cuDNN (graph-replayed, copy bandwidth in the same run), 3 rounds.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
mkdir -p $OUT/suite $OUT/hopper $OUT/decode $OUT/pmb
OUT=$OUT/suite timeout 230 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
FR=.device-carry/hopper/fa2-run
M=""; for k in .device-carry/lead/pmb/*/; do M="$M --manifest $k"; done
timeout 60 $FR --iters 0 --repeat 2 --seqs 1:1,113:203,239:1,1023:1024,2100:2100,4096:4096 $M > $OUT/pmb/correct.log 2>&1
el "pmb fa2-run rc=$?"; grep -cE "PASS" $OUT/pmb/correct.log; grep -E "FAIL|SUMMARY|nondeterministic" $OUT/pmb/correct.log | tail -4
S="--manifest .device-carry/lead/pmb/d64-bf16-gqa-causal --manifest .device-carry/lead/pmb/d128-bf16-mha"
timeout 60 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 $FR --iters 0 --guard-bytes 0 --seqs 113:203,2100:2100 $S > $OUT/pmb/sanitize.log 2>&1
el "pmb memcheck rc=$?"
timeout 60 compute-sanitizer --tool racecheck --racecheck-report hazard --error-exitcode 9 $FR --iters 0 --seqs 113:203,1000:1000 $S >> $OUT/pmb/sanitize.log 2>&1
el "pmb racecheck rc=$?"; grep -E "SUMMARY" $OUT/pmb/sanitize.log
OUT=$OUT/hopper GRID_ROUNDS=5 timeout 330 bash bench/hopper-check.sh run > $OUT/hopper/stdout.log 2>&1
el "hopper rc=$?"
tail -16 $OUT/hopper/stdout.log
timeout 200 python3 bench/decode.py --kernels .device-carry/lead/decode-kernels --out $OUT/decode --only grid,chunked --rounds 3 --warmup-ms 3 --rep-ms 10 > $OUT/decode/stdout.log 2>&1
el "decode rc=$?"
grep -v Warning $OUT/decode/stdout.log | tail -12
