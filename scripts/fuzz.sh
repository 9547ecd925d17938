#!/usr/bin/env bash
#===- scripts/fuzz.sh - the long fuzz run of fa2-opt -----------------------===#
#
# Mutates the test inputs and runs them through every fa2 pass and pipeline
# (tools/fa2-fuzz/fa2-fuzz.py), by default 20000 runs, optionally with a
# build instrumented by AddressSanitizer and UBSan:
#
#   scripts/fuzz.sh                       # fa2-opt of build/ (or FA2_BUILD_DIR)
#   scripts/fuzz.sh --sanitize            # configures+builds build-san first
#   scripts/fuzz.sh --runs 50000 --seed 7 --jobs 2 --out fuzz-out
#
# Reproducers of every crash / timeout / invalid output / unlocated error go
# to --out (default fuzz-out/); the last line is the fuzzer's SUMMARY; exit
# status 1 when any run was bad. CI runs a bounded version (test/Fuzz).
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FA2_BUILD_DIR:-$REPO/build}
RUNS=20000
SEED=1
JOBS=1
OUT=$REPO/fuzz-out
SANITIZE=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) SANITIZE=1; shift ;;
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done
if [ "$SANITIZE" = 1 ]; then
  [ -n "${FA2_BUILD_DIR:-}" ] || BUILD=$REPO/build-san
  cmake -G Ninja -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    "-DFA2_SANITIZE=address;undefined" >/dev/null || exit 1
  ninja -C "$BUILD" fa2-opt || exit 1
fi
FA2_OPT=$BUILD/bin/fa2-opt
[ -x "$FA2_OPT" ] || { echo "fuzz.sh: no $FA2_OPT (build first, or --build DIR)" >&2; exit 1; }
mkdir -p "$OUT"
echo "fuzz.sh: $(date -u +%FT%TZ) git $(git -C "$REPO" rev-parse --short HEAD) fa2-opt=$FA2_OPT runs=$RUNS seed=$SEED"
# allow_user_poisoning=0: see Runner in tools/fa2-fuzz/fa2-fuzz.py.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allow_user_poisoning=0}
exec python3 "$REPO/tools/fa2-fuzz/fa2-fuzz.py" --fa2-opt "$FA2_OPT" --seed "$SEED" --runs "$RUNS" \
  --jobs "$JOBS" --out "$OUT" --minimize --progress 1000 "${EXTRA[@]}"
