#!/usr/bin/env bash
# helper hopper (round 6, issue 15), second H200 call.
# 1. fa2-run --repeat 2 on every hopper correctness kernel rebuilt with P packed
#    after the P·V wait and the d = 128 causal <= 512 row (hk2/, 15 kernels);
#    memcheck + racecheck + synccheck on two of them (short seq_q).
# 2. SASS of the pack d = 128 non-causal kernel (where WARPGROUP.DEPBAR lands).
# 3. sweep, 3 interleaved rounds, bf16 + f16: kP/ tab (main), 0tab (same files),
#    pack (main + P packed after the wait), packnew (pack + the <= 512 row, d128c):
#    d = 128/256 at 512/2k/8k; d = 128 causal at 384/448; d = 64 at 2k/8k.
# run(command="bash .device-carry/hopper6/run2.sh", carry=[".device-carry/hopper6"])
set -uo pipefail
H=.device-carry/hopper6; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"; OUTA=$(cd "$OUT" && pwd)
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s]"; }
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader 2>&1
FR=$(pwd)/$H/fa2-run; chmod +x "$FR"
L=$OUTA/checks; mkdir -p $L
mf() { for k in "$@"; do printf -- "--manifest %s " "$k"; done; }
SQ=1:1,239:1,113:203,1:77,511:512,512:512,513:513,777:999,1023:1024,2049:2049,4096:4096
echo "=== correctness + sanitizers $(el)"
timeout 100 "$FR" --iters 0 --repeat 2 --seqs $SQ $(mf $H/hk2/d64-* $H/hk2/d256-*) >"$L/c-a.log" 2>&1 & P1=$!
timeout 100 "$FR" --iters 0 --repeat 2 --seqs $SQ $(mf $H/hk2/d128-*) >"$L/c-b.log" 2>&1 & P2=$!
timeout 80 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 "$FR" --iters 0 --guard-bytes 0 --seqs 1:77,113:203,512:512,513:513,1000:1000 $(mf $H/hk2/d128-bf16-mha $H/hk2/d128-bf16-gqa-causal) >"$L/m.log" 2>&1 & P3=$!
timeout 100 compute-sanitizer --tool racecheck --racecheck-report hazard --error-exitcode 9 "$FR" --iters 0 --seqs 1:77,113:203,100:700 $(mf $H/hk2/d128-bf16-mha $H/hk2/d128-bf16-gqa-causal) >"$L/r.log" 2>&1 & P4=$!
timeout 80 compute-sanitizer --tool synccheck --error-exitcode 9 "$FR" --iters 0 --seqs 113:203,100:700 $(mf $H/hk2/d128-bf16-mha $H/hk2/d128-bf16-gqa-causal) >"$L/s.log" 2>&1 & P5=$!
( cuobjdump --dump-sass $H/sass/pack-d128-bf16-nc.cubin > "$OUTA/pack-d128-bf16-nc.sass" 2>&1 ) & P6=$!
for p in P1 P2 P3 P4 P5 P6; do wait ${!p}; echo "$p rc=$? $(el)"; done
for f in $L/c-*.log; do echo "--- $f"; grep -cE "PASS" $f; grep -E "FAIL|SUMMARY|nondeterministic=[1-9]" $f | tail -3; done
for f in $L/m.log $L/r.log $L/s.log; do echo "--- $f"; grep -E "HAZARD|ERROR SUMMARY|RACECHECK SUMMARY|FAIL" $f | tail -4; done
grep -n "WARPGROUP.DEPBAR\|HGMMA.*gsb0\|F2FP" "$OUTA/pack-d128-bf16-nc.sass" | head -60 | cut -c1-90
cd $H
export CUDNN=1 ROUNDS=3
mkdir -p /tmp/s1 /tmp/s2 /tmp/s3
echo "=== sweep d128/256 $(el)"
SEQS=512,2048,8192 CAUSAL=0,1 timeout 130 python3 bench/sweep.py kP /tmp/s1 bf16,f16 128,256 >"$OUTA/sweep1.log" 2>&1
echo "sweep1 rc=$? $(el)"; grep -E "^(bf16|f16) |Error|error" "$OUTA/sweep1.log" | cut -c1-200
echo "=== sweep d128 causal short $(el)"
SEQS=384,448 CAUSAL=1 timeout 30 python3 bench/sweep.py kP /tmp/s2 bf16,f16 128 >"$OUTA/sweep2.log" 2>&1
echo "sweep2 rc=$? $(el)"; grep -E "^(bf16|f16) |Error|error" "$OUTA/sweep2.log" | cut -c1-200
echo "=== sweep d64 $(el)"
SEQS=2048,8192 CAUSAL=0,1 timeout 45 python3 bench/sweep.py kP /tmp/s3 bf16,f16 64 >"$OUTA/sweep3.log" 2>&1
echo "sweep3 rc=$? $(el)"; grep -E "^(bf16|f16) |Error|error" "$OUTA/sweep3.log" | cut -c1-200
for i in 1 2 3; do cp /tmp/s$i/sweep.json "$OUTA/sweep$i.json" 2>/dev/null; done
cd "$OUTA" && tar czf checks.tgz checks && rm -rf checks
echo "=== done $(el)"
