#!/usr/bin/env bash
# Lead call 14 (2026-12-06, fourth session).
# 1. The prefill split on sm_90a (this session): an op with static seq_q and
#    heads of at most one row tile an SM took the mma.sync tile with a
#    run-time K/V split on sm_90a; now the wgmma kernel serves it unsplit.
#    .device-carry/perf/k5: Sq = Sk = 512, 16 heads, d = 128 causal, batch
#    dynamic: new (chip=sm_90a's default now) against old (what it was:
#    mma.sync, kv_splits = auto). .device-carry/chunk/chunked: the chunked
#    prefill step (Sq = 512 of 8k keys, 32 / 8 heads, batch dynamic) built
#    for sm_90 (mma.sync, 2 splits at batch 1: the measured kernel)
#    and for sm_90a (now the wgmma kernel, unsplit).
#    Expected: new 1.4-1.7x old at 512 (the wgmma tile's rate against the
#    mma.sync tile's, a split at batch 32 being 1); chunked sm_90a 1.5-1.9x
#    SDPA flash at batch 4, 1.3-1.7x at batch 1 (128 CTAs, one wave), against
#    1.26 / 1.11x for the sm_90 kernel (call 7).
# 2. d = 128 causal, the table's 64 x 64 two per SM at <= 512 keys (the cell
#    furthest under cuDNN, 0.90): stages = 3 (st3; 2 x 113 KiB fills the SM's
#    shared memory), Bc = 32 / 48 / 96 (n32 / n48 / n96), 3 rotated rounds at 512 keys.
#    Expected: st3 0..+3% at 512 (a deeper ring for loops of 1-8 blocks),
#    n32 -5..+2%, n48 -3..+3%, n96 -5..0%.
set -u
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
mkdir -p /tmp/ch /tmp/s5 /tmp/s3
CAUSAL=1 CUDNN=1 ROUNDS=5 SEQS=512 timeout 60 python3 bench/sweep.py .device-carry/perf/k5 /tmp/s5 bf16,f16 128 > $OUT/sweep-k5.log 2>&1
echo "k5 rc=$?"; grep -E "^(bf16|f16)" $OUT/sweep-k5.log | cut -c1-200
timeout 150 python3 bench/decode.py --kernels .device-carry/chunk --out /tmp/ch --only chunked --rounds 3 > $OUT/chunked.log 2>&1
echo "chunked rc=$?"; grep -E "^chunked" $OUT/chunked.log
CAUSAL=1 CUDNN=1 ROUNDS=3 SEQS=512 timeout 100 python3 bench/sweep.py .device-carry/perf/k3 /tmp/s3 bf16,f16 128 > $OUT/sweep-k3.log 2>&1
echo "k3 rc=$?"; grep -E "^(bf16|f16)" $OUT/sweep-k3.log | cut -c1-260
