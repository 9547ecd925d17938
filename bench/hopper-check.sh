#!/usr/bin/env bash
#===- bench/hopper-check.sh - the sm_90a wgmma kernels on one H200 call ----===#
#
# Two halves, so that one device call checks and times the Hopper table:
#
#   here:        bench/hopper-check.sh stage [--fa2-opt PATH]
#   device run:  run(command="bash bench/hopper-check.sh run",
#                    carry=[".device-carry/hopper"])
#
# stage compiles, into .device-carry/hopper/: K/ (bench/build.sh --chip sm_90a
# --mma wgmma: one kernel per dtype, d, causal, dynamic batch and seq), hk/
# (scripts/build-gpu-kernels.sh's hopper/ correctness kernels, as
# test/Integration/CUDA/hopper.test runs them) and fa2-run (tools/fa2-run,
# standalone; glibc <= 2.36, so it also runs on the device image; `run`
# builds it there if it does not). run, on the H200, most important first,
# each step under a timeout and logging into $OUT: fa2-run on the correctness
# grid (FlashAttention's rule, LSE, bitwise repeats; 4096:4096 and 2100:2100
# put more tiles than CTAs on the persistent kernels); bench/run.py's 72-cell
# grid beside SDPA flash and cuDNN with the bf16 GEMM in the same process
# (grid/bench.{md,csv}); compute-sanitizer memcheck and racecheck on four
# kernels (d = 256 128 x 80, d = 128 persistent, d = 64 GQA causal, d = 128
# GQA bshd causal) at tail shapes. About 90 s on the machine with one grid
# round (GRID_ROUNDS=1, the default), 30 s more per further round.
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
H=.device-carry/hopper
cd "$REPO"
case "${1:-}" in
stage)
  FA2_OPT=$(ls -t build*/bin/fa2-opt 2>/dev/null | head -1)
  [ "${2:-}" = --fa2-opt ] && FA2_OPT=$3
  rm -rf "$H" && mkdir -p "$H"
  SCHEDULE_FIELDS="" bash bench/build.sh -o "$H/K" --chip sm_90a --mma wgmma --fa2-opt "$FA2_OPT" | tail -1
  tmp=$(mktemp -d)
  bash scripts/build-gpu-kernels.sh --fa2-opt "$FA2_OPT" -o "$tmp" --no-tools --only hopper | tail -1
  mkdir -p "$H/hk" && for k in "$tmp"/hopper/*/; do cp -r "$k" "$H/hk/"; done
  cmake -G Ninja -S tools/fa2-run -B "$tmp/fr" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    ninja -C "$tmp/fr" >/dev/null && cp "$tmp/fr/bin/fa2-run" "$H/fa2-run"
  rm -rf "$tmp"
  du -sh "$H"
  ;;
run)
  OUT=${OUT:-$REPO/build-dev/out}; mkdir -p "$OUT"
  export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
  T0=$(date +%s); el() { echo "[$(( $(date +%s) - T0 ))s]"; }
  nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader 2>&1
  FR=$H/fa2-run
  if ! "$FR" --help >/dev/null 2>&1; then
    cmake -G Ninja -S tools/fa2-run -B /tmp/fr -DCMAKE_BUILD_TYPE=Release >/dev/null &&
      ninja -C /tmp/fr >/dev/null; FR=/tmp/fr/bin/fa2-run
  fi
  M=""; for k in "$H"/hk/*/; do M="$M --manifest $k"; done
  echo "=== correctness $(el)"
  timeout 60 "$FR" --iters 0 --repeat 2 --seqs 1:1,1:1024,113:203,128:128,1023:1024,4096:4096,203:113,239:1,2100:2100 $M >"$OUT/correct.log" 2>&1
  echo "rc=$?"; grep -E "FAIL|SUMMARY" "$OUT/correct.log" | head -8
  echo "=== grid $(el)"
  mkdir -p "$OUT/grid"
  # GRID_ROUNDS interleaved rounds, the median counts: one round (about 35 s)
  # leaves cells near 1.0 flipping between calls; five take about 2.5 min.
  timeout $(( 60 + 40 * ${GRID_ROUNDS:-1} )) python3 bench/run.py --kernels "$H/K" --out "$OUT/grid" --rounds "${GRID_ROUNDS:-1}" --rep-ms 50 --warmup-ms 10 >"$OUT/grid.log" 2>&1
  echo "grid rc=$?"; grep -E "GEMM|non-causal:" "$OUT/grid.log" | head -4; rm -f "$OUT/grid/bench.png"
  S="--manifest $H/hk/d256-bf16-mha --manifest $H/hk/d128-bf16-mha --manifest $H/hk/d64-f16-gqa-causal --manifest $H/hk/d128-bf16-gqa-bshd-causal"
  echo "=== memcheck $(el)"
  timeout 60 compute-sanitizer --tool memcheck --padding 4096 --error-exitcode 9 "$FR" --iters 0 --guard-bytes 0 --seqs 113:203,1:77,2100:2100 $S >"$OUT/sanitize.log" 2>&1
  echo "memcheck rc=$?"; grep -E "SUMMARY" "$OUT/sanitize.log"
  echo "=== racecheck $(el)"
  timeout 60 compute-sanitizer --tool racecheck --error-exitcode 9 "$FR" --iters 0 --seqs 113:203,1:77 $S >>"$OUT/sanitize.log" 2>&1
  echo "racecheck rc=$?"; grep -E "SUMMARY" "$OUT/sanitize.log" | tail -2
  echo "=== done $(el)"
  ;;
*)
  sed -n '2,22p' "$0"; exit 2 ;;
esac
