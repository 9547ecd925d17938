#!/usr/bin/env bash
#===- quickstart.sh - set up, build, and compile the bundled example ------===#
# Raises the attention in examples/attention.mlir to fa2.attention, lowers it
# for the CPU and runs it there, and compiles it to a FlashAttention-2 PTX
# kernel with its manifest. Usage: scripts/quickstart.sh [example.mlir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FA2_BUILD_DIR:-$root/build}
example=${1:-$root/examples/attention.mlir}
out=$root/out/$(basename "$example" .mlir)
"$root/scripts/setup.sh" "$build"
export PATH=$build/bin:/usr/lib/llvm-22/bin:$PATH
mkdir -p "$out/kernels"

fa2-opt --fa2-raise-attention "$example" -o "$out/raised.mlir"
echo "raised:   $out/raised.mlir"
grep -E "fa2.attention" "$out/raised.mlir" | sed 's/^ */  /'

fa2-opt --fa2-to-cpu "$out/raised.mlir" -o "$out/cpu.llvm.mlir"
echo "cpu:      $out/cpu.llvm.mlir (LLVM dialect, for mlir-runner)"
if grep -q "func.func @main" "$example"; then
  mlir-runner "$out/cpu.llvm.mlir" -e main -entry-point-result=void \
    -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
    > "$out/cpu.run.txt"
  echo "cpu run:  $out/cpu.run.txt"
fi

fa2-opt "--fa2-to-ptx=chip=sm_90 manifest-dir=$out/kernels" "$example" -o "$out/gpu.mlir"
echo "gpu:      $out/gpu.mlir (host code + gpu.binary with PTX)"
for m in "$out"/kernels/*.json; do
  [[ -e $m ]] && echo "kernel:   $m"
done
