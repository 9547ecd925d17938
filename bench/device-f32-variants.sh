#!/usr/bin/env bash
#===- bench/device-f32-variants.sh - f32 accurate schedule variants, one call ===#
#
# Runs ON the GPU machine. A trimmed bench/device-f32.sh plus the schedule
# variants of the accurate kernels: bench/f32.py (error vs f64 beside
# PyTorch's f32 math path; speed beside SDPA's f32 backends, --rounds 2),
# bench/f32-variants.py, fa2-run on the corpus and on the accurate kernels
# (FA's pairs, GQA, inputs x30), compute-sanitizer memcheck/racecheck on the
# accurate kernels. Staged HERE by:
#   DEST=<checkout>/.device-carry/f32
#   bench/stage-f32.sh $DEST && cp bench/{f32-variants.py,device-f32-variants.sh} $DEST/bench/
#   bench/build-f32.sh -o $DEST/variants/default --precisions accurate
#   bench/build-f32.sh -o $DEST/variants/bn32 --precisions accurate --opts "schedule=block_n=32"
#   bench/build-f32.sh -o $DEST/variants/s1 --precisions accurate --dims 128 --opts "schedule=stages=1"
#   (and any older build's kernels under $DEST/variants/<name>/)
# then: run(command="bash .device-carry/f32/bench/device-f32-variants.sh", carry=[".device-carry/f32"])
#===----------------------------------------------------------------------===#
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out}; mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
step() { echo; echo "=== $* ($(date -u +%T))"; }
step machine; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
(cmake -G Ninja -S fa2-run -B build-dev -DCMAKE_BUILD_TYPE=Release >/dev/null && ninja -C build-dev >"$OUT/build.log" 2>&1; echo "fa2-run build rc $?") > "$OUT/buildrc.log" 2>&1 &
BPID=$!
step f32.py
python3 bench/f32.py --kernels kernels --out "$OUT" --rounds 2 2>&1 | tee "$OUT/f32.log" | grep -v "^f32.py: \(ERR PASS\|SPEED\)"
step variants
python3 bench/f32-variants.py --kernels variants --seqs 4096 2>&1 | tee "$OUT/variants.log"
wait $BPID; cat "$OUT/buildrc.log"
R=build-dev/bin/fa2-run
step corpus
{ $R --iters 0 --repeat 3 $(for d in corpus/*/; do grep -q ': null' "$d"*.json || printf -- '--manifest %s ' "$d"; done)
  $R --iters 0 --batch 2 --seqs 113:203,256:256 $(for d in corpus/*/; do grep -q ': null' "$d"*.json && printf -- '--manifest %s ' "$d"; done); } > "$OUT/corpus.log" 2>&1
grep -E "FAIL|SUMMARY|error" "$OUT/corpus.log"
step grid
SEQS=1:1,1:1024,113:203,128:217,113:211,108:256,256:512,512:256,1023:1024,1024:1023,2048:2048
for k in kernels/accurate-*/; do
  $R --manifest "$k" --batch 2 --heads-q 6 --heads-kv 6 --seqs $SEQS --iters 0 --repeat 2
  $R --manifest "$k" --batch 1 --heads-q 8 --heads-kv 2 --seqs 113:203,1024:1024 --iters 0 --dist normal
  $R --manifest "$k" --batch 1 --heads-q 4 --heads-kv 4 --seqs 256:256 --iters 0 --scale-inputs 30
done > "$OUT/grid.log" 2>&1
grep -E "FAIL|SUMMARY|error" "$OUT/grid.log"
step sanitizer
compute-sanitizer --tool memcheck --error-exitcode 9 $R --manifest kernels/accurate-d128 --batch 1 --heads-q 2 --heads-kv 1 --seqs 113:203 --iters 0 --guard-bytes 0 2>&1 | tail -2
compute-sanitizer --tool racecheck --error-exitcode 9 $R --manifest kernels/accurate-d128-causal --batch 1 --heads-q 2 --heads-kv 1 --seqs 113:203 --iters 0 --guard-bytes 0 2>&1 | tail -2
compute-sanitizer --tool memcheck --error-exitcode 9 $R --manifest kernels/accurate-d64-causal --batch 1 --heads-q 2 --heads-kv 1 --seqs 113:203 --iters 0 --guard-bytes 0 2>&1 | tail -2
step done
