#!/usr/bin/env bash
# Lead call 14b (2026-12-06): call 14 cut to what 270 s of device time allow
# (most of it the machine's start): its first step only, 3 rounds. Header
# and expectations: 2026-12-06-call14.sh (new 1.4-1.7x old at 512).
export PYTHONUNBUFFERED=1
mkdir -p /tmp/s5
CAUSAL=1 CUDNN=1 ROUNDS=3 SEQS=512 timeout 40 python3 bench/sweep.py .device-carry/perf/k5 /tmp/s5 bf16,f16 128 > $OUT/sweep-k5.log 2>&1
echo "k5 rc=$?"; grep -E "^(bf16|f16)" $OUT/sweep-k5.log | cut -c1-200
