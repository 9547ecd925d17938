#!/usr/bin/env bash
#===- build.sh - the boundary-launch kernels of boundary-launch.test -------===#
#
# Compiles, here (where fa2-opt is), the kernels whose launches sit on CUDA's
# limits, into OUT (default .device-carry/run/gpu-kernels/boundary):
#   big-bh/    static batch 4100 x 16 heads = 65600 CTAs of batch·heads:
#              more than grid y's 65535, spread over grid y and z
#   dynamic/   every size dynamic (batch, heads, seqs), bf16 d = 128, causal,
#              LSE: batch·heads above 65535, and an empty batch, at run time
#   mangled/   a function called torch-jit-export (not a PTX identifier)
# usage: build.sh FA2_OPT [OUT]
#===----------------------------------------------------------------------===#
set -euo pipefail
FA2_OPT=$1
REPO=$(cd "$(dirname "$0")/../../../../.." && pwd)
OUT=${2:-$REPO/.device-carry/run/gpu-kernels/boundary}
rm -rf "$OUT" && mkdir -p "$OUT"
compile() { # NAME: module on stdin
  local src="$OUT/$1.mlir"
  cat >"$src"
  "$FA2_OPT" "$src" --fa2-to-ptx="chip=sm_90 manifest-dir=$OUT/$1" -o /dev/null
  echo "boundary: $1: $(ls "$OUT/$1"/*.json)"
}
compile big-bh <<'MLIR'
func.func @big_bh(%q: tensor<4100x16x8x64xf16>, %k: tensor<4100x16x40x64xf16>, %v: tensor<4100x16x40x64xf16>) -> tensor<4100x16x8x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<4100x16x8x64xf16>, tensor<4100x16x40x64xf16>, tensor<4100x16x40x64xf16> -> tensor<4100x16x8x64xf16>
  return %o : tensor<4100x16x8x64xf16>
}
MLIR
compile dynamic <<'MLIR'
func.func @dynamic(%q: tensor<?x?x?x128xbf16>, %k: tensor<?x?x?x128xbf16>, %v: tensor<?x?x?x128xbf16>) -> (tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) causal : tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16> -> tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>
}
MLIR
compile mangled <<'MLIR'
func.func @"torch-jit-export"(%q: tensor<2x8x?x64xf16>, %k: tensor<2x2x?x64xf16>, %v: tensor<2x2x?x64xf16>) -> (tensor<2x8x?x64xf16>, tensor<2x8x?xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) causal : tensor<2x8x?x64xf16>, tensor<2x2x?x64xf16>, tensor<2x2x?x64xf16> -> tensor<2x8x?x64xf16>, tensor<2x8x?xf32>
  return %o, %lse : tensor<2x8x?x64xf16>, tensor<2x8x?xf32>
}
MLIR
