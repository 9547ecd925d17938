#!/usr/bin/env bash
# For the lead (optional, ~60 s + start): racecheck and synccheck of the
# tma_store epilogue with O in Q's tile (d256-bf16-mha, d128-bf16-gqa-bshd-causal)
# and with O's own tile (d128-bf16-mha, d64-f16-gqa-causal), kernels of
# hopper 615478b (window past the mbarriers), plus fa2-run's grid on all 15.
# run(command="bash .device-carry/hopper/run.sh", carry=[".device-carry/hopper"])
set -uo pipefail
H=.device-carry/hopper; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
FR=$H/fa2-run; M=""; for k in "$H"/hk/*/; do M="$M --manifest $k"; done
timeout 40 "$FR" --iters 0 --repeat 2 --seqs 1:1,113:203,1023:1024,203:113,239:1,2100:2100 $M >"$OUT/correct.log" 2>&1
echo "correct rc=$?"; grep -E "FAIL|SUMMARY" "$OUT/correct.log" | head -5
for k in d256-bf16-mha d128-bf16-gqa-bshd-causal d128-bf16-mha d64-f16-gqa-causal; do
  for tool in racecheck synccheck; do
    timeout 30 compute-sanitizer --tool $tool --error-exitcode 9 "$FR" --iters 0 --seqs 113:203,1:77 --manifest $H/hk/$k >"$OUT/one.log" 2>&1; rc=$?; cat "$OUT/one.log" >>"$OUT/$tool.log"
    echo "$tool $k rc=$rc $(grep -E "SUMMARY" "$OUT/one.log" | tr '\n' ' ')"
  done
done; rm -f "$OUT/one.log"
