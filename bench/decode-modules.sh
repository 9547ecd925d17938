#===- bench/decode-modules.sh - fa2 modules of the decode benchmark -------===#
#
# Sourced by bench/build-decode.sh and bench/build-decode-variants.sh (with
# FA2_OPT, LOG and FAILED set):
#   module NAME DT D HQ HKV SQ CAUSAL LSE(0/1) LAYOUT(bhsd/bshd) MASK(0/1)
#     prints a func with one fa2.attention (batch and seq_k dynamic)
#   compile SRC DEST [OPTIONS]
#     fa2-opt --fa2-to-ptx into DEST (manifest + PTX), logged in LOG
#===----------------------------------------------------------------------===#
# module NAME DT D HQ HKV SQ CAUSAL LSE(0/1) LAYOUT(bhsd/bshd) MASK(0/1)
module() {
  local name=$1 dt=$2 d=$3 hq=$4 hkv=$5 sq=$6 causal=$7 lse=$8 layout=$9 mask=${10}
  local tq tk tl attrs="" scale
  if [ "$layout" = bshd ]; then
    tq="tensor<?x${sq}x${hq}x${d}x${dt}>"; tk="tensor<?x?x${hkv}x${d}x${dt}>"; attrs=" layout<bshd>"
  else
    tq="tensor<?x${hq}x${sq}x${d}x${dt}>"; tk="tensor<?x${hkv}x?x${d}x${dt}>"
  fi
  tl="tensor<?x${hq}x${sq}xf32>"
  [ "$causal" = 1 ] && attrs=" causal$attrs"
  scale=$(python3 -c "print(repr(1.0 / $d ** 0.5))")
  local margs="" mtype="" mop=""
  if [ "$mask" = 1 ]; then
    margs=", %m: tensor<?x1x1x?xi1>"; mop=" mask(%m)"; mtype=", tensor<?x1x1x?xi1>"
  fi
  if [ "$lse" = 1 ]; then
    cat <<MLIR
func.func @$name(%q: $tq, %k: $tk, %v: $tk$margs) -> ($tq, $tl) {
  %o, %lse = fa2.attention %q, %k, %v$mop scale($scale)$attrs : $tq, $tk, $tk$mtype -> $tq, $tl
  return %o, %lse : $tq, $tl
}
MLIR
  else
    cat <<MLIR
func.func @$name(%q: $tq, %k: $tk, %v: $tk$margs) -> $tq {
  %o = fa2.attention %q, %k, %v$mop scale($scale)$attrs : $tq, $tk, $tk$mtype -> $tq
  return %o : $tq
}
MLIR
  fi
}

compile() { # SRC DEST [OPTIONS]
  local tmp; tmp=$(mktemp -d)
  if "$FA2_OPT" "$1" --fa2-to-ptx="manifest-dir=$tmp ${3:-}" -o /dev/null >"$tmp/.out" 2>&1 &&
     ls "$tmp"/*.json >/dev/null 2>&1; then
    mkdir -p "$2" && cp "$tmp"/*.json "$tmp"/*.ptx "$2"/
    echo "  ok $2 ${3:-}" | tee -a "$LOG"
  else
    echo "  NOT BUILT $2 ${3:-}:" | tee -a "$LOG"; sed 's/^/    /' "$tmp/.out" | head -20 | tee -a "$LOG"
    FAILED=1
  fi
  rm -rf "$tmp"
}

