#!/usr/bin/env bash
# helper hopper (round 6, issue 15), one H200 call.
# 1. Correctness and sanitizers (in parallel, before any timing):
#    fa2-run --repeat 2 on the rebuilt d = 128 causal hopper kernels (hk/: v0 the new
#    64 x 64 row, two CTAs per SM, up to 512 keys; v1 128 x 128 beyond), lengths on
#    both sides of 512, 1:1, 239:1, odd; on the sweep's own kernels (kS/new, kD/m64:
#    d = 256 block_m 64, bench modules with LSE); memcheck + racecheck on v0 (small
#    batch / seq_q so racecheck ends).
# 2. SASS of the table's d = 128 non-causal kernel (cubin assembled here, sm_90a).
# 3. bench/sweep.py beside SDPA cuDNN and flash, 3 interleaved rounds, bf16 + f16:
#    kS/ d = 128 causal at 384/512/640/768/1k: tab (main's table), 0tab (the same
#    files: the call's noise), new (main + the <= 512 row), m64x2 (64 x 64 x 2 at
#    every length); kD/ d = 256 at 512/1k causal and not: tab, 0tab, m64 (block_m 64).
# run(command="bash .device-carry/hopper6/run.sh", carry=[".device-carry/hopper6"])
set -uo pipefail
H=.device-carry/hopper6; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"; OUTA=$(cd "$OUT" && pwd)
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s]"; }
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader 2>&1
FR=$(pwd)/$H/fa2-run; chmod +x "$FR"
L=$OUTA/checks; mkdir -p $L
mf() { for k in "$@"; do printf -- "--manifest %s " "$k"; done; }
SQ=1:1,239:1,113:203,1:77,383:384,511:512,512:512,512:513,513:513,640:640,777:999,1023:1024,2048:2048
SQB=1:1,239:1,113:203,511:512,512:512,513:513,777:999,1024:1024
echo "=== correctness + sanitizers $(el)"
timeout 100 "$FR" --iters 0 --repeat 2 --seqs $SQ $(mf $H/hk/*) >"$L/c-hk.log" 2>&1 & P1=$!
timeout 100 "$FR" --iters 0 --repeat 2 --seqs $SQB $(mf $H/kS/new/* $H/kD/m64/*) >"$L/c-bench.log" 2>&1 & P2=$!
K=$H/hk/d128-bf16-gqa-causal
timeout 80 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 "$FR" --iters 0 --guard-bytes 0 --seqs 1:77,113:203,511:512,512:512,513:513 --manifest $K >"$L/m-hk.log" 2>&1 & P3=$!
timeout 100 compute-sanitizer --tool racecheck --racecheck-report hazard --error-exitcode 9 "$FR" --iters 0 --seqs 1:77,113:203,100:512 --manifest $K >"$L/r-hk.log" 2>&1 & P4=$!
timeout 80 compute-sanitizer --tool synccheck --error-exitcode 9 "$FR" --iters 0 --seqs 113:203,100:512 --manifest $K >"$L/s-hk.log" 2>&1 & P5=$!
( cuobjdump --dump-sass $H/sass/d128-bf16-nc.cubin > "$OUTA/d128-bf16-nc.sass" 2>&1 ) & P6=$!
for p in P1 P2 P3 P4 P5 P6; do wait ${!p}; echo "$p rc=$? $(el)"; done
for f in $L/c-*.log; do echo "--- $f"; grep -cE "PASS" $f; grep -E "FAIL|SUMMARY|nondeterministic" $f | tail -3; grep -E "length variant" $f | sort | uniq -c; done
for f in $L/m-*.log $L/r-*.log $L/s-*.log; do echo "--- $f"; grep -E "HAZARD|ERROR SUMMARY|RACECHECK SUMMARY|FAIL|PASS" $f | tail -6; done
wc -l "$OUTA/d128-bf16-nc.sass"
echo "=== sweep d128 causal $(el)"
cd $H
export CUDNN=1 ROUNDS=3
mkdir -p /tmp/sS /tmp/sD
SEQS=384,512,640,768,1024 CAUSAL=1 timeout 150 python3 bench/sweep.py kS /tmp/sS bf16,f16 128 >"$OUTA/sweepS.log" 2>&1
echo "sweepS rc=$? $(el)"; grep -E "^(bf16|f16) |Error|error" "$OUTA/sweepS.log" | cut -c1-220 | head -20
echo "=== sweep d256 $(el)"
SEQS=512,1024 CAUSAL=0,1 timeout 100 python3 bench/sweep.py kD /tmp/sD bf16,f16 256 >"$OUTA/sweepD.log" 2>&1
echo "sweepD rc=$? $(el)"; grep -E "^(bf16|f16) |Error|error" "$OUTA/sweepD.log" | cut -c1-220 | head -10
cp /tmp/sS/sweep.json "$OUTA/sweepS.json" 2>/dev/null; cp /tmp/sD/sweep.json "$OUTA/sweepD.json" 2>/dev/null
cd "$OUTA" && tar czf checks.tgz checks && rm -rf checks
echo "=== done $(el)"
