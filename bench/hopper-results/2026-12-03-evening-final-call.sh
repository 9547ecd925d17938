#!/usr/bin/env bash
# Lead final call (2026-12-03 evening): the CUDA lit suite on main's kernels,
# the Hopper check (correctness grid, 72-cell grid, sanitizers), then the
# decode helper's owed checks of the online last-CTA merge: fa2-run at split
# counts other than the rule's (16, 66) and memcheck/racecheck at 66 splits.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
mkdir -p $OUT/suite $OUT/hopper $OUT/decode
OUT=$OUT/suite timeout 200 bash scripts/device-check.sh --jobs 8 > $OUT/suite/stdout.log 2>&1
el "suite rc=$?"
grep -E "^(FAIL|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|Timed" $OUT/suite/lit.log | tail -20
OUT=$OUT/hopper timeout 200 bash bench/hopper-check.sh run > $OUT/hopper/stdout.log 2>&1
el "hopper rc=$?"
tail -16 $OUT/hopper/stdout.log
export PATH=/usr/local/cuda/bin:$PATH
RUN=.device-carry/hopper/fa2-run; $RUN --help >/dev/null 2>&1 || RUN=/tmp/fr/bin/fa2-run
C=.device-carry/lead/V; S=/tmp/splits; mkdir -p $S
for k in q1-g8-d128 q1-g8-d64 q1-g4-d128; do
  for n in 16 66; do
    d=$S/$k-s$n; mkdir -p $d; cp $C/$k/new/*.ptx $d/
    for j in $C/$k/new/*.json; do
      python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["num_splits"]=sys.argv[2]; json.dump(m,open(sys.argv[3],"w"),indent=1)' $j $n $d/$(basename $j)
    done
  done
done
{
for d in $C/*/new $S/*; do
  for b in 1 3; do
    echo "== $d batch $b"; timeout 20 $RUN --batch $b --iters 0 --repeat 2 --seqs 1:1,1:777,1:8192,1:131072 --manifest $d 2>&1 | grep -E "SUMMARY|FAIL" | head -4; echo "rc=${PIPESTATUS[0]}"
  done
done
d=$S/q1-g8-d128-s66
timeout 40 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 $RUN --batch 1 --iters 0 --guard-bytes 0 --seqs 1:1,1:777,1:8192 --manifest $d 2>&1 | tail -2; echo "memcheck rc=${PIPESTATUS[0]}"
timeout 40 compute-sanitizer --tool racecheck --error-exitcode 9 $RUN --batch 1 --iters 0 --seqs 1:777,1:8192 --manifest $d 2>&1 | tail -2; echo "racecheck rc=${PIPESTATUS[0]}"
} > $OUT/decode/checks.log 2>&1
el "decode checks"; grep -E "^==|rc=|FAIL|SUMMARY" $OUT/decode/checks.log | head -60
