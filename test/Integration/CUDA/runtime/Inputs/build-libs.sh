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
#   OUT/<input>/         two-attentions, host-op, dynamic-seq, prefill-split
#                        (Inputs/)
#   OUT/*-sm90a/         the example, two-attentions and dynamic-seq for
#                        chip=sm_90a: the Hopper kernel, whose tensor maps
#                        the host code encodes (fa2rtEncodeTensorMap) and,
#                        for dynamic-seq, one kernel per seq_k range that the
#                        host code picks at run time (length variants);
#                        hopper-decode: the wgmma decode kernel (packed
#                        rows' tensor map, split count, partials, combine)
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
one() { # NAME SRC [fa2-compile.sh options]
  local name=$1 src=$2; shift 2
  if "$REPO/scripts/fa2-compile.sh" "$src" -o "$OUT/$name" --name "$(echo "$name" | tr -c 'A-Za-z0-9_\n' '_')" "$@" >>"$LOG" 2>&1; then
    # What the GPU machine needs: the libraries, the ABI, the kernels.
    rm -f "$OUT/$name"/*.ll "$OUT/$name"/*.mlir "$OUT/$name"/*.log
    echo "built $name" | tee -a "$LOG"
  else
    echo "NOT BUILT $name (see $LOG)" | tee -a "$LOG"; status=1
  fi
}
rm -rf "${OUT:?}"/*/
for f in "$REPO"/test/Corpus/*.mlir; do one "$(basename "$f" .mlir)" "$f"; done
one attention "$REPO/examples/attention.mlir"
for f in two-attentions host-op dynamic-seq prefill-split; do one "$f" "$HERE/$f.mlir"; done
one attention-sm90a "$REPO/examples/attention.mlir" --chip sm_90a
for f in two-attentions dynamic-seq; do one "$f-sm90a" "$HERE/$f.mlir" --chip sm_90a; done
one hopper-decode-sm90a "$HERE/hopper-decode.mlir" --chip sm_90a
g++ -O2 -std=c++17 -I"$REPO/tools/fa2-cuda-runtime" -I/usr/local/cuda/include \
  "$HERE/bench_entry.cpp" -o "$OUT/bench_entry" -ldl -static-libstdc++ -static-libgcc >>"$LOG" 2>&1 ||
  { echo "NOT BUILT bench_entry" | tee -a "$LOG"; status=1; }
g++ -O2 -std=c++17 -I"$REPO/tools/fa2-cuda-runtime" -I/usr/local/cuda/include \
  "$HERE/runtime_selftest.cpp" -o "$OUT/runtime_selftest" -ldl -static-libstdc++ -static-libgcc >>"$LOG" 2>&1 ||
  { echo "NOT BUILT runtime_selftest" | tee -a "$LOG"; status=1; }
echo "build-libs: $(ls -d "$OUT"/*/ | wc -l) libraries in $OUT ($(du -sh "$OUT" | cut -f1))" | tee -a "$LOG"
exit $status
