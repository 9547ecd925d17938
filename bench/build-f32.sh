#!/usr/bin/env bash
#===- bench/build-f32.sh - compile the f32 kernels bench/f32.py runs -------===#
#
# Compiles, HERE (where fa2-opt is), one kernel per f32-precision (accurate,
# fast) x head dim (64, 128 by default) x causal or not: f32 Q/K/V/O in bhsd
# with every size but the head dim dynamic, scale 1/sqrt(d), an LSE, into
# OUT/<precision>-d<d>[-causal]/ (manifest + PTX). bench/f32.py runs them on
# the GPU machine beside SDPA's f32 backends.
#
# usage: bench/build-f32.sh [-o OUT] [--fa2-opt PATH] [--dims "64 128"]
#                           [--chip sm_90] [--precisions "accurate fast"]
#                           [--opts "schedule=block_n=32,stages=2"]  (more fa2-to-ptx
#                           options: schedule variants, bench/f32-variants.py)
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/.device-carry/f32/kernels
FA2_OPT=${FA2_OPT:-}
DIMS="64 128"
CHIP=sm_90
PRECISIONS="accurate fast"
OPTS=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    --fa2-opt) FA2_OPT=$2; shift 2 ;;
    --dims) DIMS=$2; shift 2 ;;
    --chip) CHIP=$2; shift 2 ;;
    --precisions) PRECISIONS=$2; shift 2 ;;
    --opts) OPTS=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench/build-f32.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$FA2_OPT" ] || FA2_OPT=$(ls -t "$REPO"/build*/bin/fa2-opt 2>/dev/null | head -1)
[ -x "$FA2_OPT" ] || { echo "bench/build-f32.sh: no fa2-opt (pass --fa2-opt)" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"
status=0
for prec in $PRECISIONS; do
  for d in $DIMS; do
    for causal in 0 1; do
      name="$prec-d$d$([ "$causal" = 1 ] && echo -causal)"
      t="tensor<?x?x?x${d}xf32>" l="tensor<?x?x?xf32>" attr=""
      [ "$causal" = 1 ] && attr=" causal"
      scale=$(python3 -c "print(repr(1.0 / $d ** 0.5))")
      src=$(mktemp --suffix=.mlir)
      cat >"$src" <<MLIR
func.func @f32_${prec}_d${d}_c${causal}(%q: $t, %k: $t, %v: $t) -> ($t, $l) {
  %o, %lse = fa2.attention %q, %k, %v scale($scale)$attr : $t, $t, $t -> $t, $l
  return %o, %lse : $t, $l
}
MLIR
      if "$FA2_OPT" "$src" --fa2-to-ptx="chip=$CHIP f32-precision=$prec $OPTS manifest-dir=$OUT/$name" \
           -o /dev/null 2>"$OUT/$name.log" && ls "$OUT/$name"/*.json >/dev/null 2>&1; then
        echo "bench/build-f32.sh: $name ok"
      else
        echo "bench/build-f32.sh: $name NOT BUILT"; cat "$OUT/$name.log"; status=1
      fi
      rm -f "$src"
    done
  done
done
exit $status
