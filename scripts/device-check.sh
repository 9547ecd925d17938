#!/usr/bin/env bash
#===- scripts/device-check.sh - the CUDA suite, ON the GPU machine --------===#
#
# Runs on a GPU machine that has CUDA (nvcc, compute-sanitizer, cmake, ninja,
# python3) but no MLIR, from the repository root, after the kernels were
# compiled elsewhere by scripts/build-gpu-kernels.sh into
# .device-carry/run/gpu-kernels (with lit and FileCheck staged beside it in
# .device-carry/run/llvm). With the device tool:
#
#   run(command="bash scripts/device-check.sh", carry=[".device-carry/run"])
#
# Steps: record the machine; build fa2-run standalone (tools/fa2-run, no
# MLIR); point a lit site config at it; run lit on test/Integration/CUDA;
# optionally the benchmark (bench/run.py). Logs go to $OUT (or build-dev/out).
#
# usage: scripts/device-check.sh [--filter REGEX] [--no-lit] [--sweep]
#                                [--bench] [--bench-args "ARGS"] [--jobs N]
#                                [--runtime-only]
# --sweep also runs fa2-run on every grid folder on its own (one log each in
# $OUT/sweep, one summary line each), so that one missing or failing kernel
# does not hide the others' results.
# --runtime-only runs only test/Integration/CUDA/runtime (compiled host code
# through libfa2-cuda-runtime, docs/runtime.md) on the libraries that
# test/Integration/CUDA/runtime/Inputs/build-libs.sh left in
# .device-carry/runtime, without building fa2-run; carry
# [".device-carry/run/llvm", ".device-carry/runtime"].
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$REPO/build-dev/out}
CARRY=$REPO/.device-carry/run
BUILD=$REPO/build-dev
FILTER=""
RUN_LIT=1
RUN_BENCH=0
RUN_SWEEP=0
BENCH_ARGS=""
JOBS=4
RUNTIME_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) FILTER=$2; shift 2 ;;
    --no-lit) RUN_LIT=0; shift ;;
    --sweep) RUN_SWEEP=1; shift ;;
    --bench) RUN_BENCH=1; shift ;;
    --bench-args) BENCH_ARGS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --runtime-only) RUNTIME_ONLY=1; shift ;;
    *) echo "device-check.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
STATUS=0
step() { echo; echo "=== $* ($(date -u +%T))"; }

step "machine"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
  nvcc --version | tail -1
  python3 -c 'import sys, torch, triton; print("python", sys.version.split()[0], "torch", torch.__version__, "triton", triton.__version__)' 2>&1
  which compute-sanitizer cmake ninja 2>&1
  ldconfig -p | grep -c libz3 | sed 's/^/libz3 entries: /'
} 2>&1 | tee "$OUT/machine.txt"

mkdir -p "$BUILD/bin" "$BUILD/lib"
if [ "$RUNTIME_ONLY" = 0 ]; then
  step "build fa2-run (standalone)"
  if ! { cmake -G Ninja -S "$REPO/tools/fa2-run" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
         ninja -C "$BUILD" >"$BUILD/build.log" 2>&1; }; then
    cat "$BUILD/build.log"; echo "device-check: fa2-run did not build"; exit 1
  fi
  "$BUILD/bin/fa2-run" --help | head -1
fi

KERNELS=$CARRY/gpu-kernels
if [ "$RUNTIME_ONLY" = 0 ] && [ ! -f "$KERNELS/mock/mock_attention.ptx" ]; then
  # nvcc is here too: the stand-in kernels can be rebuilt.
  mkdir -p "$KERNELS/mock"
  nvcc -ptx -arch=sm_90 "$REPO/test/Integration/CUDA/Inputs/mock/mock_attention.cu" \
    -o "$KERNELS/mock/mock_attention.ptx" && cp "$REPO"/test/Integration/CUDA/Inputs/mock/*.json "$KERNELS/mock/"
fi
echo "kernels: $(find "$KERNELS" -name '*.json' | wc -l) manifests under $KERNELS"

if [ "$RUN_LIT" = 1 ]; then
  step "lit test/Integration/CUDA"
  LLVM=$CARRY/llvm
  if [ ! -x "$LLVM/bin/FileCheck" ]; then
    echo "device-check: no FileCheck in $LLVM: run scripts/build-gpu-kernels.sh here first"; exit 1
  fi
  # FileCheck/not link libz3; unpack the carried copy when the image lacks it.
  if ! ldconfig -p | grep -q 'libz3.so.4 '; then
    mkdir -p /tmp/fa2-llvm-lib
    [ -f /tmp/fa2-llvm-lib/libz3.so.4 ] || xz -dc "$LLVM/lib/libz3.so.4.xz" >/tmp/fa2-llvm-lib/libz3.so.4
    export LD_LIBRARY_PATH=/tmp/fa2-llvm-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  "$LLVM/bin/FileCheck" --version | head -2
  mkdir -p "$BUILD/test/Integration/CUDA"
  cat >"$BUILD/test/lit.site.cfg.py" <<EOF
# Written by scripts/device-check.sh for this GPU machine.
config.fa2_src_root = "$REPO"
config.fa2_obj_root = "$BUILD"
config.fa2_tools_dir = "$BUILD/bin"
config.fa2_lib_dir = "$BUILD/lib"
config.llvm_tools_dir = "$LLVM/bin"
config.llvm_lib_dir = "$LLVM/lib"
config.cuda_root = "/usr/local/cuda"
lit_config.load_config(config, "$REPO/test/lit.cfg.py")
EOF
  LITARGS=(-sv -j "$JOBS" --param "gpu_kernels=$KERNELS")
  # lit's per-test timeout needs psutil.
  python3 -c 'import psutil' 2>/dev/null && LITARGS+=(--timeout 300)
  [ -n "$FILTER" ] && LITARGS+=(--filter "$FILTER")
  if [ "$RUNTIME_ONLY" = 1 ]; then
    LITARGS+=(--param "runtime_libs=$REPO/.device-carry/runtime")
    LIT_SUBDIR=/runtime
    mkdir -p "$BUILD/test/Integration/CUDA/runtime"
  fi
  PYTHONPATH=$LLVM/lit python3 -c 'import sys; from lit.main import main; sys.argv[0] = "lit"; main()' \
    "${LITARGS[@]}" "$BUILD/test/Integration/CUDA${LIT_SUBDIR:-}" 2>&1 | tee "$OUT/lit.log"
  [ "${PIPESTATUS[0]}" = 0 ] || STATUS=1
fi

if [ "$RUN_SWEEP" = 1 ]; then
  step "sweep: fa2-run on each grid folder"
  # One log for all (the device tool brings back at most 8 files).
  : >"$OUT/sweep.log"
  for dir in "$KERNELS"/grid/*/; do
    name=$(basename "$dir")
    seqs=1:1,1:1024,113:203,128:128,1023:1024,4096:4096,203:113,239:1
    case "$name" in other-*) seqs=1:1,113:203,1023:1024 ;; esac
    timeout 180 "$BUILD/bin/fa2-run" --manifest "$dir" --seqs "$seqs" --iters 5 --warmup 2 >/tmp/sweep-one.log 2>&1
    rc=$?
    { echo "##### $name rc=$rc"; cat /tmp/sweep-one.log; } >>"$OUT/sweep.log"
    printf '%-34s rc=%d %s | %s\n' "$name" "$rc" \
      "$(grep -o 'SUMMARY.*' /tmp/sweep-one.log || tail -1 /tmp/sweep-one.log)" \
      "max $(grep -o 'tflops=[0-9.]*' /tmp/sweep-one.log | sort -t= -k2 -g | tail -1)"
  done | tee -a "$OUT/sweep.log"
fi

if [ "$RUN_BENCH" = 1 ]; then
  step "benchmark"
  # shellcheck disable=SC2086
  PYTHONUNBUFFERED=1 python3 "$REPO/bench/run.py" --kernels "$CARRY/bench-kernels" --out "$OUT" $BENCH_ARGS 2>&1 |
    tee "$OUT/bench.log"
  [ "${PIPESTATUS[0]}" = 0 ] || STATUS=1
fi

step "done: status $STATUS"
exit $STATUS
