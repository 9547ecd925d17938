#!/usr/bin/env bash
# helper hopper (round 6) staged it; the lead ran it (21:40 UTC, 95 s wall + the start):
# bench/hopper-results/2026-12-03-late-rescale-before-pv.patch:
# O's rescale issued before block j-1's P·V (FA3's rescale_o), so that after the P·V
# wait only the cvts of P touch registers; question: does ptxas then place
# WARPGROUP.DEPBAR.LE gsb0, 0x0 after the exponentials (SASS), and does it pay?
# 1. fa2-run --repeat 2 on the 15 hopper kernels built with the patch (hk3/), memcheck,
#    racecheck (short seq_q). 2. SASS of rs d = 128 non-causal: where the DEPBARs sit.
# 3. sweep kR/: cur (the committed tree), 0cur (same files), rs (the patch), 3 rounds,
#    d = 128 / 256 at 512 / 2k / 8k (rs d = 256 causal spills 12 bytes: expect a loss there).
# run(command="bash .device-carry/hopper6/run3.sh", carry=[".device-carry/hopper6"])
set -uo pipefail
H=.device-carry/hopper6; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"; OUTA=$(cd "$OUT" && pwd)
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s]"; }
FR=$(pwd)/$H/fa2-run; chmod +x "$FR"
L=$OUTA/checks; mkdir -p $L
mf() { for k in "$@"; do printf -- "--manifest %s " "$k"; done; }
SQ=1:1,239:1,113:203,1:77,511:512,512:512,513:513,777:999,1023:1024,2049:2049,4096:4096
timeout 100 "$FR" --iters 0 --repeat 2 --seqs $SQ $(mf $H/hk3/*) >"$L/c.log" 2>&1 & P1=$!
timeout 80 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 "$FR" --iters 0 --guard-bytes 0 --seqs 1:77,113:203,513:513 $(mf $H/hk3/d128-bf16-mha $H/hk3/d128-bf16-gqa-causal) >"$L/m.log" 2>&1 & P2=$!
timeout 100 compute-sanitizer --tool racecheck --racecheck-report hazard --error-exitcode 9 "$FR" --iters 0 --seqs 113:203,100:700 $(mf $H/hk3/d128-bf16-mha $H/hk3/d128-bf16-gqa-causal) >"$L/r.log" 2>&1 & P3=$!
( cuobjdump --dump-sass $H/sass/rs-d128-bf16-nc.cubin > "$OUTA/rs-d128-bf16-nc.sass" 2>&1 ) & P4=$!
for p in P1 P2 P3 P4; do wait ${!p}; echo "$p rc=$? $(el)"; done
grep -E "SUMMARY" $L/c.log; grep -E "ERROR SUMMARY|RACECHECK SUMMARY" $L/m.log $L/r.log
grep -n "WARPGROUP.DEPBAR\|HGMMA.*gsb0\|MUFU.EX2" "$OUTA/rs-d128-bf16-nc.sass" | awk '/DEPBAR|gsb0/ || ++n%16==1' | cut -c1-90 | head -60
cd $H; export CUDNN=1 ROUNDS=3; mkdir -p /tmp/sR
SEQS=512,2048,8192 CAUSAL=0,1 timeout 130 python3 bench/sweep.py kR /tmp/sR bf16,f16 128,256 >"$OUTA/sweepR.log" 2>&1
echo "sweepR rc=$? $(el)"; grep -E "^(bf16|f16) |Error|error" "$OUTA/sweepR.log" | cut -c1-200
cp /tmp/sR/sweep.json "$OUTA/sweepR.json" 2>/dev/null
cd "$OUTA" && tar czf checks.tgz checks && rm -rf checks; echo "=== done $(el)"
