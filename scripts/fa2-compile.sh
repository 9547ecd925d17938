#!/usr/bin/env bash
#===- scripts/fa2-compile.sh - a module to a shared library, ahead of time -===#
#
# Compiles an MLIR module (tensor level: func, linalg, TOSA, ...) with fa2's
# FlashAttention-2 kernels into a shared library with C entry points, on a
# machine with Debian's LLVM/MLIR 22 and no GPU:
#
#   fa2-opt --fa2-to-ptx    host code (LLVM dialect) + gpu.binary (PTX)
#   mlir-translate          LLVM IR (the PTX embedded, loaded by a constructor)
#   llc                     a PIC object
#   g++ -shared             libNAME.so, linked to libfa2-cuda-runtime.so
#
# usage: scripts/fa2-compile.sh IN.mlir -o OUTDIR [--name NAME] [--chip sm_90]
#                               [--fa2-opt PATH] [--runtime PATH]
#                               [--options "fa2-to-ptx options"]
#
# OUTDIR gets (self-contained: carry the folder, load libNAME.so):
#   libNAME.so               one _mlir_ciface_<f> per public function
#   libfa2-cuda-runtime.so   the runtime it links (found through $ORIGIN)
#   NAME.abi.json            each entry point's arguments and results
#   kernels/                 each kernel's PTX and JSON manifest (fa2-run)
#   NAME.mlir, NAME.ll       the host code, for reading
#
# The calling convention (docs/runtime.md): every memref is device memory;
# static-shaped results are trailing out-parameters the caller allocates; a
# dynamic-shaped result is returned, allocated by the library, freed by the
# caller with mgpuMemFree; everything runs on the thread's stream
# (fa2rtSetStream). python/fa2_runtime.py calls such a library on torch
# tensors.
#===----------------------------------------------------------------------===#
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
LLVM_BIN=${LLVM_BIN:-/usr/lib/llvm-22/bin}
IN="" OUT="" NAME="" CHIP=sm_90 FA2_OPT=${FA2_OPT:-} RUNTIME="" OPTIONS=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    --name) NAME=$2; shift 2 ;;
    --chip) CHIP=$2; shift 2 ;;
    --fa2-opt) FA2_OPT=$2; shift 2 ;;
    --runtime) RUNTIME=$2; shift 2 ;;
    --options) OPTIONS=$2; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    -*) echo "fa2-compile: unknown option '$1'" >&2; exit 2 ;;
    *) [ -z "$IN" ] || { echo "fa2-compile: one input only" >&2; exit 2; }; IN=$1; shift ;;
  esac
done
[ -n "$IN" ] && [ -n "$OUT" ] || { echo "usage: fa2-compile.sh IN.mlir -o OUTDIR [--name NAME]" >&2; exit 2; }
[ -f "$IN" ] || { echo "fa2-compile: no file '$IN'" >&2; exit 2; }
NAME=${NAME:-$(basename "$IN" .mlir | tr -c 'A-Za-z0-9_\n' '_')}
# The most recently built fa2-opt and runtime of any build folder.
[ -n "$FA2_OPT" ] || FA2_OPT=$(ls -t "$REPO"/build*/bin/fa2-opt 2>/dev/null | head -1)
[ -n "$RUNTIME" ] || RUNTIME=${FA2_CUDA_RUNTIME:-}; [ -n "$RUNTIME" ] || RUNTIME=$(ls -t "$REPO"/build*/lib/libfa2-cuda-runtime.so 2>/dev/null | head -1)
[ -x "$FA2_OPT" ] || { echo "fa2-compile: no fa2-opt (build it, or --fa2-opt PATH)" >&2; exit 2; }
[ -f "$RUNTIME" ] || { echo "fa2-compile: no libfa2-cuda-runtime.so (ninja -C build fa2-cuda-runtime, or --runtime PATH)" >&2; exit 2; }

mkdir -p "$OUT/kernels"
rm -f "$OUT/kernels"/*.json "$OUT/kernels"/*.ptx "$OUT/kernels"/*.cubin
HOST=$OUT/$NAME.mlir
# The IR after fa2-place-device-memory gives the entry points' types.
"$FA2_OPT" "$IN" --fa2-to-ptx="chip=$CHIP manifest-dir=$OUT/kernels $OPTIONS" \
  -mlir-print-ir-after=fa2-place-device-memory -o "$HOST" 2>"$OUT/$NAME.log" || {
  grep -v '^//\|^ \|^module\|^}' "$OUT/$NAME.log" >&2 || true
  echo "fa2-compile: fa2-opt failed (log: $OUT/$NAME.log)" >&2; exit 1; }
grep 'remark:' "$OUT/$NAME.log" >&2 || true

python3 - "$OUT/$NAME.log" "$OUT/$NAME.abi.json" "$NAME" <<'EOF'
# The public func.func signatures after fa2-place-device-memory, as JSON.
import json, re, sys
log, out, name = sys.argv[1:]
text = open(log).read()
dump = text[text.find("IR Dump After"):]
funcs = {}
ty = r"memref<([^>]*)>"
# (The arguments non-greedily: several results are parenthesized, and a
# greedy match took them for arguments, leaving "results" empty.)
for m in re.finditer(r"^  func\.func (?:(public|private|nested) )?@([\w$.]+)\((.*?)\)(?: -> (.*?))?(?: attributes \{(.*)\})? \{$",
                     dump, re.M):
    vis, fname, args, results, attrs = m.groups()
    if vis in ("private", "nested") or "llvm.emit_c_interface" not in (attrs or ""):
        continue
    def parse(t):
        mm = re.fullmatch(ty, t.strip())
        if not mm:
            return {"type": t.strip()}
        *dims, dtype = mm.group(1).split("x")
        return {"shape": [None if d == "?" else int(d) for d in dims], "dtype": dtype}
    entry = {"symbol": "_mlir_ciface_" + fname, "args": [], "results": []}
    for a in re.finditer(r"%[\w$.]+: (memref<[^>]*>|[\w<>.]+)( \{[^}]*\})?", args):
        d = parse(a.group(1))
        d["role"] = "out" if a.group(2) and "bufferize.result" in a.group(2) else "in"
        entry["args"].append(d)
    if results:
        r = results.strip()
        if r.startswith("(") and r.endswith(")"):
            r = r[1:-1]
        entry["results"] = [parse(x) for x in re.findall(r"memref<[^>]*>|[\w<>.]+", r)]
    funcs[fname] = entry
json.dump({"version": 1, "library": "lib%s.so" % name, "functions": funcs}, open(out, "w"), indent=1)
print("fa2-compile: %d entry points: %s" % (len(funcs), ", ".join(sorted(funcs))))
EOF

"$LLVM_BIN/mlir-translate" --mlir-to-llvmir "$HOST" -o "$OUT/$NAME.ll"
"$LLVM_BIN/llc" -O2 -filetype=obj -relocation-model=pic "$OUT/$NAME.ll" -o "$OUT/$NAME.o"
cp "$RUNTIME" "$OUT/libfa2-cuda-runtime.so"
# libgcc statically (f16/bf16 conversions), libm and libc from the system.
g++ -shared -o "$OUT/lib$NAME.so" "$OUT/$NAME.o" -L"$OUT" -l:libfa2-cuda-runtime.so \
  -Wl,-rpath,'$ORIGIN' -Wl,--no-undefined -static-libgcc -lm
rm -f "$OUT/$NAME.o"
echo "fa2-compile: $OUT/lib$NAME.so ($(ls "$OUT"/kernels/*.json 2>/dev/null | wc -l) kernels; $(ldd "$OUT/lib$NAME.so" | grep -c '=>') libraries: $(ldd "$OUT/lib$NAME.so" | awk '/=>/{print $1}' | tr '\n' ' '))"
