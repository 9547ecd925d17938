#!/usr/bin/env bash
#===- bench/variants.sh - compile schedule variants for bench/sweep.py -----===#
#
# Compiles one benchmark kernel per (dtype, head dim, causal) with the given
# fa2-to-ptx options into .device-carry/perf/k/VARIANT/<dtype>-d<D>[-causal]/
# (dynamic batch and seq, bhsd, with LSE: the modules bench/build.sh makes)
# and prints ptxas's registers and spill per kernel. bench/sweep.py then times
# every variant beside SDPA flash in one device call (bench/NOTES.md):
#
#   bench/variants.sh build/bin/fa2-opt lazy "schedule=rescale_threshold=8" "64 128" "0 1" "bf16 f16"
#   device run (carry .device-carry/perf and the repository's bench/):
#     python3 bench/sweep.py .device-carry/perf/k $OUT bf16,f16 64,128
#
# usage: bench/variants.sh FA2OPT VARIANT "OPTIONS" ["DIMS"] ["CAUSALS"] ["DTYPES"]
# CHIP=sm_90a (env, default sm_90) builds for that chip (the wgmma kernels:
# OPTIONS "schedule=mma=wgmma,..."); ptxas assembles for the same chip.
#===----------------------------------------------------------------------===#
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
FA2=$1; VAR=$2; OPTS=$3; DIMS=${4:-"64 128"}; CAUS=${5:-"0 1"}; DTS=${6:-"bf16"}
OUT=$REPO/.device-carry/perf/k/$VAR
CHIP=${CHIP:-sm_90}
for dt in $DTS; do for d in $DIMS; do for causal in $CAUS; do
  h=$((2048 / d)); name="$dt-d$d$([ "$causal" = 1 ] && echo -causal)"
  t="tensor<?x${h}x?x${d}x${dt}>"; l="tensor<?x${h}x?xf32>"; attr=""
  [ "$causal" = 1 ] && attr=" causal"
  scale=$(python3 -c "print(repr(1.0 / $d ** 0.5))")
  src=$(mktemp --suffix=.mlir); tmp=$(mktemp -d)
  cat > "$src" <<EOM
func.func @bench_$(echo "$name" | tr - _)(%q: $t, %k: $t, %v: $t) -> ($t, $l) {
  %o, %lse = fa2.attention %q, %k, %v scale($scale)$attr : $t, $t, $t -> $t, $l
  return %o, %lse : $t, $l
}
EOM
  if "$FA2" "$src" --fa2-to-ptx="chip=$CHIP manifest-dir=$tmp $OPTS" -o /dev/null >"$tmp/.log" 2>&1; then
    mkdir -p "$OUT/$name" && cp "$tmp"/*.json "$tmp"/*.ptx "$OUT/$name/"
    sp=$(/usr/local/cuda/bin/ptxas -arch=$CHIP -v "$tmp"/*.ptx -o /dev/null 2>&1 |
         grep -o "[0-9]* bytes spill stores\|Used [0-9]* registers" | tr '\n' ' ')
    echo "$VAR $name: $sp"
  else
    echo "$VAR $name: FAILED"; head -5 "$tmp/.log"
  fi
  rm -rf "$src" "$tmp"
done; done; done
