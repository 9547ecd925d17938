#!/usr/bin/env bash
#===- build-libs.sh - compile the runtime tests' libraries, here ---------===#
#
# The GPU machines have CUDA but no MLIR, so the libraries that
# test/Integration/CUDA/runtime runs there are compiled HERE with
# scripts/fa2-compile.sh, one folder each, into OUT (default
# .device-carry/runtime, carried to the GPU machine):
#
#   OUT/<corpus file>/   each module of test/Corpus/*.mlir
#   OUT/attention/       examples/attention.mlir (the README's example)
#   OUT/<input>/         two-attentions, host-op, dynamic-seq (Inputs/)
#   OUT/bench_entry      the entry-vs-bare-launch timer (bench_entry.cpp)
#   OUT/runtime_selftest the runtime's entries one by one (runtime_selftest.cpp)
#   OUT/BUILD.log        what compiled
#
# usage: build-libs.sh [-o OUT]
#===----------------------------------------------------------------------===#
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../../../.." && pwd)
OUT=$REPO/.device-carry/runtime
[ "${1:-}" = "-o" ] && OUT=$2
mkdir -p "$OUT"
LOG=$OUT/BUILD.log
: >"$LOG"
status=0
one() { # NAME SRC
  if "$REPO/scripts/fa2-compile.sh" "$2" -o "$OUT/$1" --name "$(echo "$1" | tr -c 'A-Za-z0-9_\n' '_')" >>"$LOG" 2>&1; then
    # What the GPU machine needs: the libraries, the ABI, the kernels.
    rm -f "$OUT/$1"/*.ll "$OUT/$1"/*.mlir "$OUT/$1"/*.log
    echo "built $1" | tee -a "$LOG"
  else
    echo "NOT BUILT $1 (see $LOG)" | tee -a "$LOG"; status=1
  fi
}
rm -rf "${OUT:?}"/*/
for f in "$REPO"/test/Corpus/*.mlir; do one "$(basename "$f" .mlir)" "$f"; done
one attention "$REPO/examples/attention.mlir"
for f in two-attentions host-op dynamic-seq; do one "$f" "$HERE/$f.mlir"; done
g++ -O2 -std=c++17 -I"$REPO/tools/fa2-cuda-runtime" -I/usr/local/cuda/include \
  "$HERE/bench_entry.cpp" -o "$OUT/bench_entry" -ldl -static-libstdc++ -static-libgcc >>"$LOG" 2>&1 ||
  { echo "NOT BUILT bench_entry" | tee -a "$LOG"; status=1; }
g++ -O2 -std=c++17 -I"$REPO/tools/fa2-cuda-runtime" -I/usr/local/cuda/include \
  "$HERE/runtime_selftest.cpp" -o "$OUT/runtime_selftest" -ldl -static-libstdc++ -static-libgcc >>"$LOG" 2>&1 ||
  { echo "NOT BUILT runtime_selftest" | tee -a "$LOG"; status=1; }
echo "build-libs: $(ls -d "$OUT"/*/ | wc -l) libraries in $OUT ($(du -sh "$OUT" | cut -f1))" | tee -a "$LOG"
exit $status
