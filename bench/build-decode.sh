#!/usr/bin/env bash
#===- bench/build-decode.sh - compile the decode benchmark's fa2 kernels ---===#
#
# Compiles, here with fa2-opt --fa2-to-ptx, the kernels bench/decode.py runs
# on the GPU machine: LLaMA-style decode steps, K/V heads 8, query heads
# 8·G, seq_q static (a decode step's query count is fixed by the serving
# loop), batch and seq_k dynamic (one kernel for every cache length):
#
#   OUT/grid/<dt>-d<d>-q<Sq>-g<G>/   Sq in {1, 4, 16}, G in {1, 4, 8},
#                                    d in {64, 128}, bf16; causal when Sq > 1
#                                    (bottom-right: the speculative rows);
#                                    chip=sm_90a (the H200): from 64 packed
#                                    rows the wgmma decode kernel
#   OUT/grid-other/<name>/           the grid's kernels another way: the
#                                    mma.sync decode tile where the grid's
#                                    is the wgmma kernel, else the other
#                                    combine mode (launch <-> last_cta)
#   OUT/check/<name>/                correctness only: f16, LSE, bshd, d = 256,
#                                    an i1 padding mask, split-KV on the
#                                    prefill tile with dynamic seq_q
#   OUT/chunked/                     chunked prefill, Sq = 512 static
#
#   bench/build-decode.sh [-o OUT] [--fa2-opt PATH]
#   device run: python3 bench/decode.py --kernels OUT --out $OUT
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/.device-carry/decode/decode-kernels
FA2_OPT=${FA2_OPT:-}
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    --fa2-opt) FA2_OPT=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "build-decode.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$FA2_OPT" ] || FA2_OPT=$(ls -t "$REPO"/build*/bin/fa2-opt 2>/dev/null | head -1)
rm -rf "$OUT" && mkdir -p "$OUT"
LOG=$OUT/BUILD.log
echo "build-decode.sh: fa2-opt=$FA2_OPT git=$(git -C "$REPO" rev-parse --short HEAD)" | tee "$LOG"
FAILED=0

. "$REPO/bench/decode-modules.sh"  # module, compile

src=$(mktemp --suffix=.mlir)
for d in 64 128; do
  for sq in 1 4 16; do
    for g in 1 4 8; do
      causal=0; [ "$sq" -gt 1 ] && causal=1
      name="bf16-d$d-q$sq-g$g"
      module "decode_${name//-/_}" bf16 $d $((8 * g)) 8 $sq $causal 0 bhsd 0 >"$src"
      compile "$src" "$OUT/grid/$name" "chip=sm_90a"  # the default schedule: decode
      # The same step another way (decode.py times both in each cell): the
      # mma.sync decode tile beside the wgmma kernel; else the other
      # combine mode, launch where the table says last_cta, and back.
      if grep -q '"mma": "wgmma"' "$OUT/grid/$name"/*.json 2>/dev/null; then
        compile "$src" "$OUT/grid-other/$name" "chip=sm_90a schedule=mma=mma_sync"
      else
        other=last_cta
        grep -q '"mode": "last_cta"' "$OUT/grid/$name"/*.json 2>/dev/null && other=launch
        compile "$src" "$OUT/grid-other/$name" "chip=sm_90a schedule=combine=$other"
      fi
    done
  done
done
# Correctness-only kernels.
module check_f16_lse_bshd f16 128 32 8 4 1 1 bshd 0 >"$src"; compile "$src" "$OUT/check/f16-lse-bshd-q4-g4" "schedule=pack_gqa=true"
module check_d256_lse bf16 256 64 8 1 0 1 bhsd 0 >"$src"; compile "$src" "$OUT/check/bf16-d256-lse-q1-g8" "schedule=pack_gqa=true"
module check_d64_g1_lse f16 64 8 8 8 1 1 bhsd 0 >"$src"; compile "$src" "$OUT/check/f16-d64-lse-q8-g1" "schedule=pack_gqa=true"
module check_mask bf16 128 32 8 1 0 1 bhsd 1 >"$src"; compile "$src" "$OUT/check/bf16-mask-lse-q1-g4" "schedule=pack_gqa=true"
# Split-KV on the prefill tile (unpacked rows), seq_q dynamic.
sed 's/x1x128xbf16>/x?x128xbf16>/g; s/x32x1xf32>/x32x?xf32>/g' <(module check_dyn_sq bf16 128 32 8 1 1 1 bhsd 0) >"$src"
compile "$src" "$OUT/check/bf16-split-dynsq-causal-lse" "schedule=kv_splits=auto"
# Chunked prefill: Sq = 512 of an 8k cache, causal bottom-right (the
# prefill table: 4·512 rows are too many for a decode tile; its 128 row
# tiles split the keys by default); -nosplit: the one-kernel prefill.
module chunked bf16 128 32 8 512 1 0 bhsd 0 >"$src"; compile "$src" "$OUT/chunked/bf16-d128-q512-g4"
compile "$src" "$OUT/chunked/bf16-d128-q512-g4-nosplit" "schedule=kv_splits=1"
# On sm_90a the wgmma kernel serves the step unsplit (its split is the
# mma.sync tile's; bench/NOTES.md, 2026-12-06).
compile "$src" "$OUT/chunked/bf16-d128-q512-g4-sm90a" "chip=sm_90a"
rm -f "$src"
echo "build-decode.sh: $(find "$OUT" -name '*.json' | wc -l) kernels in $OUT ($(du -sh "$OUT" | cut -f1))" | tee -a "$LOG"
exit $FAILED
