#===- bench/decode-modules.sh - fa2 modules of the decode benchmark -------===#
#
# Sourced by bench/build-decode.sh and bench/build-decode-variants.sh (with
# FA2_OPT, LOG and FAILED set):
#   module NAME DT D HQ HKV SQ CAUSAL LSE(0/1) LAYOUT(bhsd/bshd) MASK(0/1)
#     prints a func with one fa2.attention (batch and seq_k dynamic)
#   compile SRC DEST [OPTIONS]
#     fa2-opt --fa2-to-ptx into DEST (manifest + PTX), logged in LOG
#===----------------------------------------------------------------------===#
# module NAME DT D HQ HKV SQ CAUSAL LSE(0/1) LAYOUT(bhsd/bshd) MASK(0/1):
# scripts/attention-module.sh with batch and seq_k dynamic, MASK 1 = a
# padding mask per sequence [?, 1, 1, ?] (i1)
DECODE_MODULES_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module() {
  local args=("$1" --dtype "$2" --head-dim "$3" --heads-q "$4" --heads-kv "$5"
              --seq-q "$6" --seq-k '?' --batch '?' --layout "$9")
  [ "$7" = 1 ] && args+=(--causal)
  [ "$8" = 1 ] && args+=(--lse)
  [ "${10}" = 1 ] && args+=(--mask pad)
  bash "$DECODE_MODULES_REPO/scripts/attention-module.sh" "${args[@]}"
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

