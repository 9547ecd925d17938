#!/usr/bin/env bash
#===- bench/build-decode-variants.sh - decode/chunked schedule variants ----===#
#
# Compiles, here, the kernels bench/decode_variants.py times side by side on
# the GPU machine: each variant's folder holds one manifest + PTX.
#
#   OUT/<cell-kind>/<label>/   cell kinds: q1-g4, q1-g8, q4-g4, q16-g8 (d 128
#                              bf16 decode, batch and seq_k dynamic) and
#                              chunked (Sq = 512, causal bottom-right, Hq 32,
#                              Hkv 8, d 128 bf16)
#
# Labels: "base" is compiled by BASE_OPT (another fa2-opt, e.g. the parent
# commit's), every other label by FA2_OPT with the options in the table below
# (the schedule option's syntax; a BASE_OPT from before it took pack-gqa=1,
# kv-splits=N, ... as in this file's first version).
#
# --set wg64: Sq = 1 d = 64 at G 1/4/8, the table's mma.sync tile against
# the wgmma kernel's 64-row tile (TMA-fed) at three ring shapes.
# --set d64: Sq = 1 d = 64 decode at G 1/4/8 (q1-g<G>-d64) with Bc / stages
# choices beside the table's (and "base" from BASE_OPT).
# --set splits: Sq = 1 d = 128 at G 1/4/8 (q1-g<G>-d128), the table's tile
# ("new", and "base" from BASE_OPT: time them at other split counts with
# decode_variants.py --alt) and Bc
# = 32 / 4 stages at G = 8: the same K/V bytes with 1, 4 and 8 rows to merge
# separate the main loop's time from the last CTA's merge.
# --set table: instead, Sq = 1 G = 4 decode at d 64 and 128 (cell kinds
# q1-g4-d64, q1-g4-d128) with the decode tile's Bc / stages choices, for the
# schedule table (CTAs per SM from the shared memory each takes).
#
# --set streaming: Sq = 1 G = 1 / 4 at d = 64 and 128, the table's kernel only
# (for decode_variants.py --alt split counts).
#
# --set night: the d = 64 Bc / stages choices at every cell kind of the
# table's <= 8-row d = 64 row (q1-g1/g4/g8-d64, q4-g1-d64), and at G = 8
# (q1-g8-d64, q1-g8-d128) the 8-row merge by two warps (m32).
#
# --set launch: the table's <= 8-row tiles (the combine launch) against the
# last-CTA merge, and one warp of 16 rows at G = 8.
#
# --set smem: d = 128 G = 8, the table's 32-row tile of two warps against one
# warp of 16 rows (w16), once the PTX has no static shared byte.
#
# --set q16: the sm_90a wgmma decode tile at 128 packed rows (Sq = 16, G = 8,
# causal) at d = 64 and 128: the table's 128 x 128 / 2 stages ("new") against
# deeper K/V rings (s3, s4), Bc = 64 (n64s4), no ping-pong, 64-row CTAs two
# per SM (m64), the persistent grid and O rescaled lazily (r8).
#
#   bench/build-decode-variants.sh -o OUT --fa2-opt PATH [--base-opt PATH] [--set table|d64|wg64|splits|night|streaming|smem|launch|q16]
#   device run: python3 bench/decode_variants.py --kernels OUT --out $OUT
#===----------------------------------------------------------------------===#
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/.device-carry/decode/variants
FA2_OPT=$(ls -t "$REPO"/build*/bin/fa2-opt 2>/dev/null | head -1)
BASE_OPT=""
SET=schedules
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    --fa2-opt) FA2_OPT=$2; shift 2 ;;
    --base-opt) BASE_OPT=$2; shift 2 ;;
    --set) SET=$2; shift 2 ;;
    -h|--help) sed -n '2,46p' "$0"; exit 0 ;;
    *) echo "build-decode-variants.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
rm -rf "$OUT" && mkdir -p "$OUT"
LOG=$OUT/BUILD.log
FAILED=0
echo "build-decode-variants.sh: fa2-opt=$FA2_OPT base=$BASE_OPT git=$(git -C "$REPO" rev-parse --short HEAD)" | tee "$LOG"
. "$REPO/bench/decode-modules.sh"

# variant CELL LABEL OPTIONS [BASE_OPTIONS]  (LABEL base: BASE_OPT with
# BASE_OPTIONS, in the options' spelling before the schedule option)
src=$(mktemp --suffix=.mlir)
variant() {
  local opt=$FA2_OPT options=$3
  if [ "$2" = base ]; then
    [ -n "$BASE_OPT" ] || return 0
    opt=$BASE_OPT options=${4:-}
  fi
  FA2_OPT=$opt compile "$src" "$OUT/$1/$2" "$options"
}
# The end of every set: the module file goes, the count is logged, and the
# exit status says whether any variant failed to build.
finish() {
  rm -f "$src"
  echo "build-decode-variants.sh: $(find "$OUT" -name '*.json' | wc -l) kernels" | tee -a "$LOG"
  exit $FAILED
}
if [ "$SET" = launch ]; then
  # The table's <= 8-row tiles with its combine launch ("new") against the
  # same tiles with the last-CTA merge ("last", the table's until the
  # combine launch took a CTA per few rows), and at G = 8 one warp of 16
  # rows ("w16launch": the table's 32-row tile has its second warp from
  # the last CTA's merge). Time with decode_variants.py; correctness with
  # decode.py's checks.
  for cell in q1-g1-d64 q1-g4-d64 q1-g8-d64 q4-g1-d64 q1-g1-d128 q1-g4-d128 q1-g8-d128 q4-g1-d128; do
    sq=${cell#q}; sq=${sq%%-*}; g=${cell#*-g}; g=${g%%-*}; d=${cell##*-d}
    causal=0; [ "$sq" -gt 1 ] && causal=1
    module "decode_q${sq}_g${g}_d$d" bf16 "$d" $((8 * g)) 8 "$sq" $causal 0 bhsd 0 >"$src"
    variant "$cell" new "schedule=pack_gqa=true"
    variant "$cell" last "schedule=pack_gqa=true,combine=last_cta"
    [ "$g" = 8 ] && variant "$cell" w16launch "schedule=pack_gqa=true,block_m=16,warps=1"
  done
  finish
fi
if [ "$SET" = q16 ]; then
  for d in 64 128; do
    cell=q16-g8-d$d
    module "decode_q16_g8_d$d" bf16 "$d" 64 8 16 1 0 bhsd 0 >"$src"
    variant "$cell" new "chip=sm_90a"
    variant "$cell" s3 "chip=sm_90a schedule=stages=3"
    # (4 stages at d = 128 do not fit: the fields would fall back to mma.sync.)
    [ "$d" = 64 ] && variant "$cell" s4 "chip=sm_90a schedule=stages=4"
    variant "$cell" nopp "chip=sm_90a schedule=ping_pong=false"
    variant "$cell" pers "chip=sm_90a schedule=persistent=true"
    # (f4 / f8, exp2_on_fma = 4 / 8, of call 5 need
    # bench/hopper-results/2026-12-05-exp2-on-fma.patch.) O rescaled lazily
    # (r8: rescale_threshold = 8).
    variant "$cell" r8 "chip=sm_90a schedule=rescale_threshold=8"
    if [ "$d" = 64 ]; then
      variant "$cell" n64s4 "chip=sm_90a schedule=block_n=64,stages=4"
      variant "$cell" m64 "chip=sm_90a schedule=block_m=64,stages=3,ping_pong=false,producer_registers=24,consumer_registers=232,min_blocks_per_sm=2"
    fi
  done
  finish
fi
if [ "$SET" = wg64 ]; then
  # Sq = 1 at d = 64, G = 1 / 4 / 8 (the cells 0.3-1.3% behind cuDNN on the
  # H100, both at 98-102% of the copy): the table's mma.sync tile ("new",
  # 16 rows, Bc = 64, 3 stages, cp.async from one warp) against the wgmma
  # kernel's 64-row tile, K/V streamed by TMA from a producer warp: Bc = 64
  # x 4 stages three CTAs per SM (n64s4x3), Bc = 128 x 3 stages two per SM
  # (n128s3x2), Bc = 128 x 4 stages one per SM (n128s4).
  for g in 1 4 8; do
    cell=q1-g$g-d64
    module "decode_q1_g${g}_d64" bf16 64 $((8 * g)) 8 1 0 0 bhsd 0 >"$src"
    variant "$cell" new "chip=sm_90a"
    w="chip=sm_90a schedule=mma=wgmma,pack_gqa=true,block_m=64,ping_pong=false,persistent=false"
    variant "$cell" n64s4x3 "$w,block_n=64,stages=4,producer_registers=24,consumer_registers=136,min_blocks_per_sm=3"
    variant "$cell" n128s3x2 "$w,block_n=128,stages=3,producer_registers=24,consumer_registers=232,min_blocks_per_sm=2"
    variant "$cell" n128s4 "$w,block_n=128,stages=4"
  done
  finish
fi
if [ "$SET" = d64 ]; then
  # Sq = 1 at d = 64 (the cells 2-3% behind cuDNN at 128k batch 1 and batch
  # 8): the table's Bc = 32 / 4 stages ("new") against Bc = 64 / 3-4 stages
  # and Bc = 128 / 2 stages, G = 1, 4, 8 (last_cta, as the table).
  for g in 1 4 8; do
    cell=q1-g$g-d64
    module "decode_q1_g${g}_d64" bf16 64 $((8 * g)) 8 1 0 0 bhsd 0 >"$src"
    variant "$cell" base "" "schedule=pack_gqa=true"
    variant "$cell" new "schedule=pack_gqa=true"
    for ns in 64s3 64s4 128s2; do
      variant "$cell" "n$ns" "schedule=pack_gqa=true,block_n=${ns%s*},stages=${ns#*s}"
    done
  done
  finish
fi
if [ "$SET" = night ]; then
  # The d = 64 tile (Bc = 32 / 4 stages, "new") against Bc = 64 / 3-4
  # stages at every table cell of <= 8 packed rows at d = 64 (Sq = 1 G 1 /
  # 4 / 8 and Sq = 4 G = 1 share the table's row); and the 8-row last-CTA
  # merge by two warps of 4 rows (m32: a 32-row tile, 2 warps, the second
  # warp's rows empty) against one warp of 8 at d = 64 and 128.
  for cell in q1-g1-d64 q1-g4-d64 q1-g8-d64 q4-g1-d64 q1-g8-d128; do
    sq=${cell#q}; sq=${sq%%-*}; g=${cell#*-g}; g=${g%%-*}; d=${cell##*-d}
    causal=0; [ "$sq" -gt 1 ] && causal=1
    module "decode_q${sq}_g${g}_d$d" bf16 "$d" $((8 * g)) 8 "$sq" $causal 0 bhsd 0 >"$src"
    variant "$cell" new "schedule=pack_gqa=true"
    if [ "$d" = 64 ]; then
      for ns in 64s3 64s4; do
        variant "$cell" "n$ns" "schedule=pack_gqa=true,block_n=${ns%s*},stages=${ns#*s}"
      done
    fi
    [ "$g" = 8 ] && variant "$cell" m32 "schedule=pack_gqa=true,block_m=32,warps=2"
  done
  finish
fi
if [ "$SET" = smem ]; then
  # d = 128 G = 8 (8 packed rows): the table's 32-row tile of two warps
  # (57344 bytes of shared memory: 4 CTAs an SM once the PTX has no static
  # shared byte) against one warp of 16 rows (w16).
  cell=q1-g8-d128
  module "decode_q1_g8_d128" bf16 128 64 8 1 0 0 bhsd 0 >"$src"
  variant "$cell" new "schedule=pack_gqa=true"
  variant "$cell" w16 "schedule=pack_gqa=true,block_m=16,warps=1"
  finish
fi
if [ "$SET" = streaming ]; then
  # The streaming-bound Sq = 1 cells (d = 64 G = 1 / 4, Bc = 64 / 3 stages;
  # d = 128 G = 1 / 4, Bc = 32 / 3 stages): the table's kernel ("new") only,
  # timed at other split counts with decode_variants.py --alt (3 and 4 CTAs
  # per SM instead of 2; 4 blocks per split instead of 2).
  for cell in q1-g1-d64 q1-g4-d64 q1-g1-d128 q1-g4-d128; do
    g=${cell#*-g}; g=${g%%-*}; d=${cell##*-d}
    module "decode_q1_g${g}_d$d" bf16 "$d" $((8 * g)) 8 1 0 0 bhsd 0 >"$src"
    variant "$cell" new "schedule=pack_gqa=true"
  done
  finish
fi
if [ "$SET" = splits ]; then
  for g in 1 4 8; do
    cell=q1-g$g-d128
    module "decode_q1_g${g}_d128" bf16 128 $((8 * g)) 8 1 0 0 bhsd 0 >"$src"
    variant "$cell" base "" "schedule=pack_gqa=true"
    variant "$cell" new "schedule=pack_gqa=true"
    [ "$g" = 8 ] && variant "$cell" n32s4 "schedule=pack_gqa=true,block_n=32,stages=4"
  done
  finish
fi
if [ "$SET" = table ]; then
  for d in 64 128; do
    cell=q1-g4-d$d
    module "decode_q1_g4_d$d" bf16 $d 32 8 1 0 0 bhsd 0 >"$src"
    variant "$cell" base "" "schedule=pack_gqa=true"
    variant "$cell" new "schedule=pack_gqa=true"
    for ns in 32s2 32s3 32s4 32s6 64s2 64s3 64s4 128s2; do
      variant "$cell" "n$ns" "schedule=pack_gqa=true,block_n=${ns%s*},stages=${ns#*s}"
    done
  done
  finish
fi
for cell in q1-g4 q1-g8 q4-g4 q16-g8; do
  sq=${cell#q}; sq=${sq%%-*}; g=${cell#*-g}
  causal=0; [ "$sq" -gt 1 ] && causal=1
  module "decode_q${sq}_g${g}" bf16 128 $((8 * g)) 8 "$sq" $causal 0 bhsd 0 >"$src"
  variant "$cell" base "" "pack-gqa=1"
  variant "$cell" new "schedule=pack_gqa=true"
  if [ "$cell" = q1-g4 ]; then
    # 3 CTAs per SM (68 KiB of shared memory): time with a 3·SMs split rule.
    variant "$cell" new-s2 "schedule=pack_gqa=true,stages=2"
    variant "$cell" new-n32s4 "schedule=pack_gqa=true,block_n=32,stages=4"
  fi
done
module chunked bf16 128 32 8 512 1 0 bhsd 0 >"$src"
variant chunked base "" ""
variant chunked split2 "schedule=kv_splits=2"
variant chunked split3 "schedule=kv_splits=3"
variant chunked split4 "schedule=kv_splits=4"
variant chunked auto "schedule=kv_splits=auto"
variant chunked packed-auto "schedule=pack_gqa=true,kv_splits=auto"
variant chunked m64 "schedule=block_m=64"
variant chunked m64-split2 "schedule=block_m=64,kv_splits=2"
finish
