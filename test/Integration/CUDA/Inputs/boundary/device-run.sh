#!/usr/bin/env bash
#===- device-run.sh - boundary-launch.test alone, ON the GPU machine -------===#
#
# The part of scripts/device-check.sh that boundary-launch.test needs (lit,
# FileCheck, the kernels), without building fa2-run (the test uses
# bench/fa2_kernel.py). Here, first:
#   bash test/Integration/CUDA/Inputs/boundary/build.sh build/bin/fa2-opt \
#        .device-carry/B/gpu-kernels/boundary
#   cp -r .device-carry/run/llvm .device-carry/B/llvm   # scripts/build-gpu-kernels.sh --only tools
# then with the device tool:
#   run(command="bash test/Integration/CUDA/Inputs/boundary/device-run.sh",
#       carry=[".device-carry/B"])
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../../../../.." && pwd)
CARRY=${CARRY:-$REPO/.device-carry/B}
OUT=${OUT:-$REPO/build-dev/out}
BUILD=$REPO/build-dev
mkdir -p "$OUT" "$BUILD/test/Integration/CUDA"
export PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/machine.txt"
LLVM=$CARRY/llvm
if ! ldconfig -p | grep -q 'libz3.so.4 '; then
  mkdir -p /tmp/fa2-llvm-lib
  [ -f /tmp/fa2-llvm-lib/libz3.so.4 ] || xz -dc "$LLVM/lib/libz3.so.4.xz" >/tmp/fa2-llvm-lib/libz3.so.4
  export LD_LIBRARY_PATH=/tmp/fa2-llvm-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
cat >"$BUILD/test/lit.site.cfg.py" <<CFG
config.fa2_src_root = "$REPO"
config.fa2_obj_root = "$BUILD"
config.fa2_tools_dir = "$BUILD/bin"
config.fa2_lib_dir = "$BUILD/lib"
config.llvm_tools_dir = "$LLVM/bin"
config.llvm_lib_dir = "$LLVM/lib"
config.cuda_root = "/usr/local/cuda"
lit_config.load_config(config, "$REPO/test/lit.cfg.py")
CFG
PYTHONPATH=$LLVM/lit python3 -c 'import sys; from lit.main import main; sys.argv[0] = "lit"; main()' \
  -sv --param "gpu_kernels=$CARRY/gpu-kernels" --filter boundary-launch "$BUILD/test/Integration/CUDA" 2>&1 |
  tee "$OUT/lit.log"
exit "${PIPESTATUS[0]}"
