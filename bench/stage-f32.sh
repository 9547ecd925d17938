#!/usr/bin/env bash
#===- bench/stage-f32.sh - stage bench/device-f32.sh's folder, HERE --------===#
#
# Compiles the corpus and the f32 kernels with this checkout's fa2-opt and
# copies them, the runner's sources and the scripts into DEST (default: the
# session checkout's .device-carry/f32, which the device tool carries):
#   bench/stage-f32.sh [DEST]; then on the GPU machine
#   run(command="bash .device-carry/f32/bench/device-f32.sh", carry=[".device-carry/f32"])
#===----------------------------------------------------------------------===#
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$REPO/.device-carry/f32}
rm -rf "$DEST" && mkdir -p "$DEST/bench"
cp -r "$REPO/tools/fa2-run" "$DEST/fa2-run"
cp "$REPO"/bench/{f32.py,fa2_kernel.py,check_sdpa.py,torch_ref.py,device-f32.sh} "$DEST/bench/"
"$REPO/bench/build-f32.sh" -o "$DEST/kernels"
"$REPO/scripts/build-gpu-kernels.sh" -o "$DEST/gk" --only corpus --no-tools >/dev/null
mv "$DEST/gk/corpus" "$DEST/corpus" && rm -rf "$DEST/gk"
ls "$DEST/corpus"
du -sh "$DEST"
