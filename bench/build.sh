#!/usr/bin/env bash
#===- bench/build.sh - compile the benchmark's fa2 kernels (here, with MLIR) ===#
#
# Compiles, with fa2-opt --fa2-to-ptx, one kernel per (dtype, head dim,
# causal) of the benchmark grid: bf16 and f16; d = 64, 128, 256; heads =
# 2048 / d; batch and sequence length dynamic, so that one kernel serves every
# seq (batch = 16384 / seq). Output: .device-carry/run/bench-kernels/<config>/,
# carried to the GPU machine, where bench/run.py runs them against PyTorch's
# SDPA:
#
#   bench/build.sh
#   device run:  python3 bench/run.py --kernels .device-carry/run/bench-kernels --out $OUT
#                (or: bash scripts/device-check.sh --no-lit --bench)
#
# usage: bench/build.sh [-o OUT] [--fa2-opt PATH] [--chip sm_90] [--static]
#                       [--mma mma_sync|wgmma]
# --static compiles one kernel per seq instead (static batch and seq), for a
# lowering without dynamic shapes. --mma wgmma (with --chip sm_90a) builds
# the Hopper kernels (HopperKernelBuilder.cpp) with schedule=mma=wgmma, plus
# the schedule fields in $SCHEDULE_FIELDS if set (",overlap_softmax=false").
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/.device-carry/run/bench-kernels
FA2_OPT=${FA2_OPT:-}
CHIP=sm_90
STATIC=0
MMA=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    --fa2-opt) FA2_OPT=$2; shift 2 ;;
    --chip) CHIP=$2; shift 2 ;;
    --static) STATIC=1; shift ;;
    --mma) MMA=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "bench/build.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$FA2_OPT" ] || FA2_OPT=$(ls -t "$REPO"/build*/bin/fa2-opt 2>/dev/null | head -1)
if [ -z "$FA2_OPT" ] || ! "$FA2_OPT" --help 2>/dev/null | grep -c -- "--fa2-to-ptx" >/dev/null; then
  echo "bench/build.sh: no fa2-opt with --fa2-to-ptx (pass --fa2-opt)" >&2
  exit 1
fi
rm -rf "$OUT" && mkdir -p "$OUT"
LOG=$OUT/BUILD.log
echo "bench/build.sh: $(date -u +%FT%TZ) fa2-opt=$FA2_OPT chip=$CHIP${MMA:+ mma=$MMA${SCHEDULE_FIELDS:-}} git=$(git -C "$REPO" rev-parse --short HEAD)" | tee "$LOG"

# module NAME DTYPE D H CAUSAL B S: bhsd, as torch's SDPA takes it.
module() {
  local name=$1 dt=$2 d=$3 h=$4 causal=$5 b=$6 s=$7
  local t="tensor<${b}x${h}x${s}x${d}x${dt}>" l="tensor<${b}x${h}x${s}xf32>" attr=""
  [ "$causal" = 1 ] && attr=" causal"
  local scale
  scale=$(python3 -c "print(repr(1.0 / $d ** 0.5))")
  cat <<EOF
func.func @$name(%q: $t, %k: $t, %v: $t) -> ($t, $l) {
  %o, %lse = fa2.attention %q, %k, %v scale($scale)$attr : $t, $t, $t -> $t, $l
  return %o, %lse : $t, $l
}
EOF
}

compile() { # SRC DEST
  local tmp
  tmp=$(mktemp -d)
  local t0=$(date +%s.%N)
  if "$FA2_OPT" "$1" --fa2-to-ptx="chip=$CHIP manifest-dir=$tmp${MMA:+ schedule=mma=$MMA${SCHEDULE_FIELDS:-}}" -o /dev/null >"$tmp/.out" 2>&1 &&
     ls "$tmp"/*.json >/dev/null 2>&1; then
    mkdir -p "$2" && cp "$tmp"/* "$2"/
    echo "  ok $(basename "$2") ($(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')") s)" | tee -a "$LOG"
  else
    echo "  NOT BUILT $(basename "$2"):" | tee -a "$LOG"
    sed 's/^/    /' "$tmp/.out" | head -20 | tee -a "$LOG"
  fi
  rm -rf "$tmp"
}

src=$(mktemp --suffix=.mlir)
for dt in bf16 f16; do
  for d in 64 128 256; do
    h=$((2048 / d))
    for causal in 0 1; do
      name="$dt-d$d$([ "$causal" = 1 ] && echo -causal)"
      if [ "$STATIC" = 0 ]; then
        module "bench_${name//-/_}" "$dt" "$d" "$h" "$causal" '?' '?' >"$src"
        compile "$src" "$OUT/$name"
      else
        for s in 512 1024 2048 4096 8192 16384; do
          module "bench_${name//-/_}_$s" "$dt" "$d" "$h" "$causal" $((16384 / s)) "$s" >"$src"
          compile "$src" "$OUT/$name/s$s"
        done
      fi
    done
  done
done
rm -f "$src"
echo "bench/build.sh: $(find "$OUT" -name '*.json' | wc -l) kernels in $OUT ($(du -sh "$OUT" | cut -f1))" | tee -a "$LOG"
