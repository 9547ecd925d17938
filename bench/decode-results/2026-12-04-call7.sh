#!/usr/bin/env bash
# Lead call 7 (2026-12-04, second session): where the missing decode cells'
# time goes, and tile variants for them. Staged here: bench/build-decode.sh
# -o .device-carry/lead5/base; variants DIR/<v>/grid/<name> (the variant)
# beside DIR/<v>/grid-other/<name> (the table's kernel), timed in the same
# rounds by decode.py.
# Expectations (written before the call):
# - per kernel (decode_kernels.py): at 128k batch 1 d = 64 the launch-mode
#   combine costs 3-5 us of kernel plus 2-3 us of gap (launch 85.8 against
#   last_cta 78.4 us at Sq = 1); the 16-row tile's split kernel ~6 us longer
#   than the 4-row tile's (Bc = 32 / 4 stages against 64 / 3).
# - d = 64, 16 rows (Sq 4 G 4, Sq 16 G 1), Bc = 64 / 3 stages (n64s3): 128k
#   batch 1 87 -> 80-82 us, 32k batch 1 +-3%, batch 8 +-2%; n64s4 = n64s3
#   +-1%; with last_cta (n64s3l) ~1 us faster than n64s3 at 128k batch 1.
# - d = 128, 16 rows, 4 stages (s4): 8k batch 8 +1-3%; Bc = 64 (n64s3, two
#   CTAs an SM) +-3%. Sq 4 G 8 (32 rows) Bc = 32 / 4 stages: 1k b64 +0-3%.
# - wgmma 128 rows, Bc = 64 / 4 stages (n64s4): d = 128 8k b8 +5-10%, 1k b64
#   +0-5%; d = 64 s3 / s4 / n64s4 +-3% (the 128 x 128 tile's rate binds).
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
L=.device-carry/lead5; B=$L/base/grid; O=$L/base/grid-other
K="$B/bf16-d64-q1-g4:131072:1,$O/bf16-d64-q1-g4:131072:1,$B/bf16-d64-q4-g4:131072:1,$O/bf16-d64-q4-g4:131072:1"
K="$K,$L/n64s3/grid/bf16-d64-q4-g4:131072:1,$L/n64s3l/grid/bf16-d64-q4-g4:131072:1"
K="$K,$B/bf16-d64-q16-g8:131072:1,$B/bf16-d128-q16-g8:1024:64,$B/bf16-d128-q16-g8:8192:8,$B/bf16-d128-q4-g8:1024:64"
timeout 150 python3 bench/decode_kernels.py --calls 30 --cells "$K" > $OUT/kernels.log 2>&1
el "kernels rc=$?"; cat $OUT/kernels.log
run() { # VARIANT SEQKS BATCHES
  timeout 150 python3 bench/decode.py --kernels $L/$1 --out /tmp/o-$1 --only grid --rounds 3 --warmup-ms 3 --rep-ms 10 \
    --seqks $2 --batches $3 >> $OUT/variants.log 2>&1
  el "$1 rc=$?"
}
run n64s3 8192,32768,131072 1,8
run n64s4 32768,131072 1,8
run n64s3l 32768,131072 1,8
run s4 1024,8192,32768 8,64
run n64s3 1024,8192,32768 8,64
run n32s4 1024,8192 8,64
run n64s4 1024,8192,32768 8,64
run s3 8192,32768,131072 1,8,64
grep -E "^grid|copy" $OUT/variants.log | sed 's/ diff=.*combine=/ /; s/ flash [0-9]* cudnn [0-9]* GB\/s//'
