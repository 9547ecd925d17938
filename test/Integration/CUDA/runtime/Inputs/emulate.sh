#!/usr/bin/env bash
#===- emulate.sh - a corpus module's host code on host memory, vs fa2-to-cpu ===#
#
# usage: emulate.sh MODULE.mlir TMP HOST_RUNTIME.so RUNNER_LIBS RTOL
# The module with a generated main (test/Corpus/Inputs/add_exec_main.py) runs
# (a) through fa2-to-cpu and (b) through fa2-to-ptx's host code, the
# device-memory convention and all, against the host-memory stand-in
# runtime; prints fa2-compare's verdict on (a) vs (b) and the stand-in's
# counts (allocations, frees, copies, buffers still live at exit).
#===----------------------------------------------------------------------===#
set -euo pipefail
module=$1 tmp=$2 hostrt=$3 libs=$4 rtol=$5
root=$(cd "$(dirname "$0")/../../../../.." && pwd)
python3 "$root/test/Corpus/Inputs/add_exec_main.py" "$module" >"$tmp.exec.mlir"
fa2-opt "$tmp.exec.mlir" --fa2-to-cpu | mlir-runner -e main -entry-point-result=void -shared-libs="$libs" >"$tmp.ref"
fa2-opt "$tmp.exec.mlir" --fa2-to-ptx=f32-precision=host -o "$tmp.ptx.mlir" 2>/dev/null
FA2_HOST_RUNTIME_STATS=1 mlir-runner "$tmp.ptx.mlir" -e main -entry-point-result=void \
  -shared-libs="$hostrt,$libs" >"$tmp.out" 2>"$tmp.stats"
echo "emulate: $(basename "$module") $(fa2-compare --bits --rtol "$rtol" "$tmp.ref" "$tmp.out" | tail -1) $(grep host_runtime: "$tmp.stats")"
