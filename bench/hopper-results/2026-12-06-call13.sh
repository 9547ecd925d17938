#!/usr/bin/env bash
# Lead call 13 (2026-12-06, fourth session): call 12 timed two byte-identical
# kernels (sweep variants n128 and tab at d = 128 causal from 1k keys) 1-8%
# apart, the same way in each of 3 rounds (tab, timed last in each round,
# slower). bench/order_bias.py times copies of one table kernel
# (.device-carry/hopper/K) in rotating order beside SDPA flash and cuDNN.
# Expectations, written before the call: if the slot in the round is the
# cause (clocks falling over a round of heavy kernels), the slot column
# rises by 2-8% from slot 0 to the last and the copies agree within 1%; if
# the module or buffer is the cause, A0..A3 / B1..B2 differ by up to 8% with
# no slot trend. Either way, bench/run.py (fa2 timed after flash and cuDNN
# in every round) would have been biased at most by what the slot column
# shows.
set -u
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,clocks.max.sm,power.limit --format=csv,noheader
timeout 300 python3 bench/order_bias.py .device-carry/hopper/K 8 2>&1 | tee $OUT/order-bias.log
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,power.draw,clocks_throttle_reasons.active --format=csv
# Then call 12's d = 128 causal cells, the table's kernels (a_tab) against
# s16 (head_section_bytes = 16 MiB; z_s16), bench/sweep.py now rotating
# the order every round (each kernel in every slot): expected s16 -4% at 1k,
# +0..+3% from 2k keys (call 12's s16 over n128, its neighbour).
mkdir -p /tmp/sw3; CAUSAL=1 CUDNN=1 ROUNDS=3 timeout 150 python3 bench/sweep.py .device-carry/perf/k2 /tmp/sw3 bf16,f16 128 > $OUT/sweep-d128.log 2>&1
echo "sweep rc=$?"; grep -E "^(bf16|f16)" $OUT/sweep-d128.log | cut -c1-200
# Last, the Hopper grid (bench/run.py, the table's kernels of 7c78fa7, which
# are call 11's: no table row changed) with the rotating order, 3 rounds:
# expected, if call 12's slot effect is real and fa2 (timed last in every
# round until now) lost by it, fa2/cuDNN up by that much on every cell;
# otherwise call 11's 50/72 >= 1.0 within its noise.
mkdir -p $OUT/grid
timeout 200 python3 bench/run.py --kernels .device-carry/hopper/K --out $OUT/grid --rounds 3 --rep-ms 50 --warmup-ms 10 > $OUT/grid.log 2>&1
echo "grid rc=$?"; rm -f $OUT/grid/bench.png; grep -E "GEMM|non-causal:" $OUT/grid.log | head -4
python3 - $OUT/grid/bench.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = [float(x["fa2/cuDNN"]) for x in rows]
print(f"cells {len(r)}, fa2 >= cuDNN on {sum(x >= 1.0 for x in r)}, min {min(r):.3f}, checks PASS {sum(x['check'] == 'PASS' for x in rows)}")
PY
