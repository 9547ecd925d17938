#!/usr/bin/env bash
# Lead call 6 (2026-12-04): the sm_90a decode kernel on a persistent grid
# (static tile scheduler over (split, group, row tile); the next tile's Q and
# K/V load under the last P·V and the epilogue), 40 producer registers, beside
# the table's grid of row tiles ("other"), 2 rounds. Expected: +5..+15% on the
# 268 MB steps at batch 64 (1k keys: 4 waves of 128-row tiles), 0% where the
# tiles fit one wave (batch 1 and 8).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
L=.device-carry/lead5; FR=$L/fa2-run
M=""; for k in $L/p/grid/*/; do M="$M --manifest $k"; done
timeout 100 $FR --iters 0 --batch 64 --repeat 2 --seqs 16:1024,16:3 $M > $OUT/c.log 2>&1; el "fa2-run b64 rc=$?"
timeout 100 $FR --iters 0 --batch 2 --repeat 2 --seqs 16:131072,16:777,16:1 $M >> $OUT/c.log 2>&1; el "fa2-run b2 rc=$?"
grep -E "FAIL|SUMMARY" $OUT/c.log | head
timeout 120 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 $FR --iters 0 --batch 8 --guard-bytes 0 --seqs 16:4097 $M > $OUT/san.log 2>&1; el "memcheck rc=$?"
timeout 120 compute-sanitizer --tool racecheck --error-exitcode 9 $FR --iters 0 --batch 8 --seqs 16:777 --manifest $L/p/grid/bf16-d128-q16-g8 >> $OUT/san.log 2>&1; el "racecheck rc=$?"
grep -E "SUMMARY" $OUT/san.log
timeout 200 python3 bench/decode.py --kernels $L/p --out $OUT/p --only grid --rounds 2 --warmup-ms 3 --rep-ms 10 > $OUT/p.log 2>&1
el "grid rc=$?"
grep -E "^grid" $OUT/p.log | sed 's/ diff=.*combine=/ /; s/ flash [0-9]* cudnn [0-9]* GB\/s//; s/ launch / /'
