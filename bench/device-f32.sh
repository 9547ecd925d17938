#!/usr/bin/env bash
#===- bench/device-f32.sh - f32 kernels on the GPU machine, one call -------===#
#
# Runs ON the GPU machine, from a folder staged by bench/stage-f32.sh (here):
#   fa2-run/   the runner's sources (built standalone: no MLIR there)
#   corpus/    every module of test/Corpus, compiled by fa2-opt --fa2-to-ptx
#   kernels/   bench/build-f32.sh's f32 kernels (accurate/fast x d x causal)
#   bench/     f32.py and fa2_kernel.py
# In order: fa2-run on the corpus (f64 reference for f32 kernels); fa2-run on
# every f32 kernel over FlashAttention's (seq_q, seq_k) pairs, MHA and GQA,
# repeats bitwise equal, large inputs; compute-sanitizer memcheck and
# racecheck at a tail shape; bench/f32.py (error vs f64 beside PyTorch's f32
# math path; speed beside SDPA's f32 backends). Logs go to $OUT.
#===----------------------------------------------------------------------===#
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out}
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
status=0
step() { echo; echo "=== $* ($(date -u +%T))"; }
step machine
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
step "build fa2-run"
if ! { cmake -G Ninja -S fa2-run -B build-dev -DCMAKE_BUILD_TYPE=Release >/dev/null &&
       ninja -C build-dev >"$OUT/build.log" 2>&1; }; then
  cat "$OUT/build.log"; echo "device-f32: fa2-run did not build"; exit 1
fi
R=build-dev/bin/fa2-run
step "corpus (static shapes, one case each)"
{ $R --iters 0 --repeat 3 $(for d in corpus/*/; do grep -q ': null' "$d"*.json || printf -- '--manifest %s ' "$d"; done)
  $R --iters 0 --batch 2 --seqs 113:203,256:256 \
    $(for d in corpus/*/; do grep -q ': null' "$d"*.json && printf -- '--manifest %s ' "$d"; done); } 2>&1 | tee "$OUT/corpus.log" | grep -E "FAIL|SUMMARY|error"
[ "$(grep -c 'failed=0' "$OUT/corpus.log")" = 2 ] || status=1
step "corpus through check_sdpa.py (torch SDPA, f64 reference for f32)"
python3 bench/check_sdpa.py --seqs 113:203,256:256 corpus 2>&1 | tee "$OUT/check_sdpa.log" | grep -E "FAIL|SUMMARY|Error|error" || status=1
grep -q "failed=0" "$OUT/check_sdpa.log" || status=1
step "f32 kernels: FA's seq pairs, MHA and GQA"
SEQS=1:1,1:1024,113:203,128:217,113:211,108:256,256:512,512:256,1023:1024,1024:1023,2048:2048
for k in kernels/*/; do
  $R --manifest "$k" --batch 2 --heads-q 6 --heads-kv 6 --seqs $SEQS --iters 0 --repeat 2
  $R --manifest "$k" --batch 1 --heads-q 8 --heads-kv 2 --seqs 113:203,1024:1024 --iters 0 --dist normal
  $R --manifest "$k" --batch 1 --heads-q 4 --heads-kv 4 --seqs 256:256 --iters 0 --scale-inputs 30
done 2>&1 | tee "$OUT/grid.log" | grep -E "FAIL|SUMMARY|error" || true
grep -q "FAIL\|error" "$OUT/grid.log" && status=1
grep "PASS" "$OUT/grid.log" | awk '{for(i=1;i<=NF;i++){if($i~/^max_err=/)e=$i; if($i~/^ref_lowprec_err=/)l=$i; if($i~/^kernel=/)k=$i; if($i~/^sq=/)s=$i; if($i~/^sk=/)t=$i}; print k, s, t, e, l}' > "$OUT/grid-errors.txt"
step "compute-sanitizer"
for tool in memcheck racecheck; do
  for k in kernels/accurate-d64-causal kernels/fast-d128; do
    compute-sanitizer --tool $tool --error-exitcode 9 $R --manifest $k --batch 1 --heads-q 2 --heads-kv 1 \
      --seqs 113:203 --iters 0 --guard-bytes 0 2>&1 | tail -3
    [ "${PIPESTATUS[0]}" = 0 ] || { echo "device-f32: $tool FAILED on $k"; status=1; }
  done
done 2>&1 | tee "$OUT/sanitizer.log"
grep -q FAILED "$OUT/sanitizer.log" && status=1
step "bench/f32.py"
python3 bench/f32.py --kernels kernels --out "$OUT" ${F32_ARGS:-} 2>&1 | tee "$OUT/f32.log" | grep -v "^f32.py: \(ERR PASS\|SPEED\)" || status=1
echo "device-f32: status $status"
exit $status
