#!/usr/bin/env bash
# Lead call 4 (2026-12-05, new session): the 128-row wgmma decode tile
# (Sq = 16, G = 8) that call 3's H200 grid left under 80% of the copy at
# d = 64 (72-80% from 8k batch 64 / 32k batch 8 up) and at d = 128 1k batch
# 64 (73%). Kernels: bench/build-decode-variants.sh --set q16 (.device-carry/var).
# Expectations, written before the call:
# - Arithmetic: at d = 64 a 128-key K+V stage is 32 KiB; at 77% of the copy
#   an SM consumes one every ~1.3 us, so a 2-stage ring has about one stage
#   in flight for one stage's compute time, near the loaded DRAM latency. At
#   d = 128 a stage is 64 KiB for twice the compute: those cells reach
#   98-107%. If the ring is what limits, s3 / s4 are +5-10% at d = 64 from
#   32k batch 8 (over 80%); a 2026-12-04 call found 3 stages within +-3% at
#   d = 64 (zero flush), in which case the profile (tensor / MUFU pipes,
#   stall reasons) says what does limit.
# - n64s4 within +-3%; nopp -5..-10%; m64 (64-row CTAs, two per SM) -5..-15%;
#   pers within +-3% but +2-4% at batch 64 (four waves of CTAs).
# - d = 128 1k batch 64 (8 blocks a CTA, one split): pers +4% (as 2026-12-04),
#   s3 within +-3%: the setup of each CTA is what the cell lacks.
set -u
T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 python3 bench/decode_variants.py --kernels .device-carry/var --out /tmp/v64 --rounds 3 \
  --only q16-g8-d64 --cells 8192:64,32768:8,131072:1,131072:8 > $OUT/var-d64.log 2>&1
el "d64 rc=$?"; grep -E "^q16|  [a-z0-9@]+ " $OUT/var-d64.log | cut -c1-150
timeout 100 python3 bench/decode_variants.py --kernels .device-carry/var --out /tmp/v128 --rounds 3 \
  --only q16-g8-d128 --cells 1024:64,8192:8 > $OUT/var-d128.log 2>&1
el "d128 rc=$?"; grep -E "^q16|  [a-z0-9@]+ " $OUT/var-d128.log | cut -c1-150
timeout 150 ncu --clock-control none -k regex:'g8_d64_0$' -c 1 --set full -o /tmp/q16 \
  python3 bench/profile_decode.py .device-carry/var/q16-g8-d64/new 32768 8 > $OUT/ncu.log 2>&1
el "ncu rc=$?"; tail -3 $OUT/ncu.log
ncu -i /tmp/q16.ncu-rep --page details > $OUT/q16-details.txt 2>&1
ncu -i /tmp/q16.ncu-rep --page raw --csv 2>/dev/null | python3 -c "
import csv,sys
r=list(csv.reader(sys.stdin)); h,u,v=r[0],r[1],r[2]
keep=('smsp__pcsamp_warps_issue_stalled','sm__pipe','sm__inst_executed_pipe','dram__throughput','gpu__time_duration','smsp__issue_active','sm__throughput','l1tex__throughput','lts__t_sectors_srcunit_tex_op_read_lookup')
for a,b,c in zip(h,u,v):
    if a.startswith(keep): print(a,c,b)" > $OUT/q16-raw.txt 2>&1
el "done"; wc -l $OUT/*.txt
