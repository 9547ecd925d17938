#!/usr/bin/env bash
# Lead call 4 (2026-12-04): d = 64 without a mask at 512-2k keys, where the
# table's 192-row tile leaves its last tile a third full (512 = 2.67 x 192,
# 1k = 5.33 x 192: 11% of the rows computed for nothing): 128-row tiles
# (m128: the table's other fields; m128r: producer 56 / consumers 224
# registers, as m128 spills 16 bytes at 24) beside the table (tab, and the
# same files again as 0tab: the call's noise), SDPA flash and cuDNN, 3 rounds.
# And d = 256 without a mask, Bc = 64 (bn64) against the table's 80 (512
# keys = 6.4 blocks of 80: the last one 40% full).
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
mkdir -p $OUT/s64 $OUT/s256
mkdir -p /tmp/k64 /tmp/k256
for v in tab 0tab m128 m128r; do mkdir -p /tmp/k64/$v; cp -r .device-carry/perf/k/$v/*-d64 /tmp/k64/$v/; done
for v in tab 0tab bn64; do mkdir -p /tmp/k256/$v; cp -r .device-carry/perf/k/$v/*-d256 /tmp/k256/$v/; done
ROUNDS=3 SEQS=512,1024,2048 CAUSAL=0 CUDNN=1 timeout 200 python3 bench/sweep.py /tmp/k64 $OUT/s64 bf16,f16 64 2>&1 | grep -v Warning | tail -14
ROUNDS=3 SEQS=512,1024,2048,4096 CAUSAL=0 CUDNN=1 timeout 200 python3 bench/sweep.py /tmp/k256 $OUT/s256 bf16,f16 256 2>&1 | grep -v Warning | tail -18
