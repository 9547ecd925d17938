#!/usr/bin/env bash
#===- scripts/build-gpu-kernels.sh - compile the CUDA tests' kernels ahead -===#
#
# The GPU machines have CUDA but no MLIR, so fa2's kernels for the CUDA lit
# suite (test/Integration/CUDA) are compiled HERE, with fa2-opt --fa2-to-ptx,
# into one folder that travels to the GPU machine (the device tool's `carry`)
# and that the tests read as %gpu_kernels:
#
#   OUT/mock/     stand-in kernels with fa2's manifest ABI (nvcc -ptx), testing
#                 fa2-run itself
#   OUT/grid/<config>/   one fa2 kernel per folder: d x dtype x heads x causal
#                 (x layout, mask, lse), sequence lengths dynamic
#   OUT/hopper/<config>/  sm_90a wgmma kernels (mma = wgmma): d 64/128/256,
#                 f16/bf16, MHA/GQA/MQA, causal, bshd
#   OUT/decode/<config>/  split-KV decode kernels (pack_gqa = true): GQA groups,
#                 d, causal speculative steps, bshd, a padding mask
#   OUT/corpus/<file>-<n>/  each module of test/Corpus/*.mlir that fa2 lowers
#   OUT/boundary/ launches on CUDA's limits (batch·heads > 65535, an empty
#                 batch, a mangled name): test/Integration/CUDA/Inputs/boundary
#   OUT/BUILD.log what compiled, and every remark of what did not: a grid
#                 kernel fa2 must lower that did not is a line "NOT BUILT",
#                 which test/Integration/CUDA/build-log.test fails on (and
#                 this script exits 1); one fa2 may leave to a remark (head
#                 dims that are no multiple of 8) is "not lowered (allowed)"
#
# It also stages what lit needs on the GPU machine beside it
# (.device-carry/run/llvm: lit, FileCheck, not, count and the libz3 they
# link), unless --no-tools.
#
# usage: scripts/build-gpu-kernels.sh [-o OUT] [--fa2-opt PATH] [--chip sm_90]
#                                     [--only mock|grid|hopper|decode|corpus|boundary|tools]... [--no-tools]
#                                     [--static-seqs]
# --static-seqs compiles one kernel per (seq_q, seq_k) of the grid instead of
# one with dynamic lengths (for a lowering that has no dynamic shapes yet);
# fa2-run skips the pairs a static kernel does not have.
#===----------------------------------------------------------------------===#
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/.device-carry/run/gpu-kernels
TOOLS=$REPO/.device-carry/run/llvm
FA2_OPT=${FA2_OPT:-}
NVCC=${NVCC:-/usr/local/cuda/bin/nvcc}
CHIP=sm_90
ONLY=()
STAGE_TOOLS=1
STATIC_SEQS=0
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    --fa2-opt) FA2_OPT=$2; shift 2 ;;
    --chip) CHIP=$2; shift 2 ;;
    --only) ONLY+=("$2"); shift 2 ;;
    --no-tools) STAGE_TOOLS=0; shift ;;
    --static-seqs) STATIC_SEQS=1; shift ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "build-gpu-kernels.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
want() { [ ${#ONLY[@]} -eq 0 ] && return 0; for o in "${ONLY[@]}"; do [ "$o" = "$1" ] && return 0; done; return 1; }

if [ -z "$FA2_OPT" ]; then
  # The most recently built fa2-opt of any build folder.
  FA2_OPT=$(ls -t "$REPO"/build*/bin/fa2-opt 2>/dev/null | head -1)
fi
mkdir -p "$OUT"
LOG=$OUT/BUILD.log
# A full build starts the log afresh; --only adds to it.
[ ${#ONLY[@]} -eq 0 ] && : > "$LOG"
log() { echo "$*" | tee -a "$LOG"; }
log "build-gpu-kernels: $(date -u +%FT%TZ) chip=$CHIP fa2-opt=${FA2_OPT:-none} git=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)"

#===----------------------------------------------------------------------===#
# Stand-in kernels
#===----------------------------------------------------------------------===#
if want mock; then
  MOCK=$REPO/test/Integration/CUDA/Inputs/mock
  rm -rf "$OUT/mock" && mkdir -p "$OUT/mock"
  if "$NVCC" -ptx -arch="$CHIP" "$MOCK/mock_attention.cu" -o "$OUT/mock/mock_attention.ptx" 2>>"$LOG"; then
    cp "$MOCK"/*.json "$OUT/mock/"
    log "mock: $(ls "$OUT/mock"/*.json | wc -l) manifests"
  else
    log "mock: nvcc FAILED"
  fi
fi

#===----------------------------------------------------------------------===#
# fa2 kernels
#===----------------------------------------------------------------------===#

# module NAME DTYPE D HQ HKV CAUSAL(0/1) LAYOUT(bhsd/bshd) MASK(none/i1/f16/pad) LSE(0/1) SQ SK [B]
# (pad: an i1 padding mask per sequence, [B, 1, 1, SK])
# prints a module with one fa2.attention (scripts/attention-module.sh); SQ/SK
# may be '?'. $MASK_ATTRS, if set, goes after `causal` (e.g.
# " window(100, 0) fill(-1e9)"); $OUT_DTYPE, if set, is O's element type.
module() {
  local args=("$1" --dtype "$2" --head-dim "$3" --heads-q "$4" --heads-kv "$5"
              --layout "$7" --mask "$8" --seq-q "${10}" --seq-k "${11}" --batch "${12:-2}")
  [ "$6" = 1 ] && args+=(--causal)
  [ "$9" = 1 ] && args+=(--lse)
  [ -n "${OUT_DTYPE:-}" ] && args+=(--out-dtype "$OUT_DTYPE")
  [ -n "${MASK_ATTRS:-}" ] && args+=(--attrs "$MASK_ATTRS")
  bash "$REPO/scripts/attention-module.sh" "${args[@]}"
}

# compile SRC DEST: fa2-opt --fa2-to-ptx into DEST (with the pass options in
# $COMPILE_OPTIONS, e.g. " schedule=pack_gqa=true"); returns 0 iff a manifest came out. fa2-opt's remarks and errors are left in $ERRORS for the log.
ERRORS=$(mktemp)
compile() {
  local src=$1 dest=$2 tmp
  tmp=$(mktemp -d)
  if "$FA2_OPT" "$src" --fa2-to-ptx="chip=$CHIP manifest-dir=$tmp${F32_PRECISION:+ f32-precision=$F32_PRECISION}${COMPILE_OPTIONS:-}" \
       -o /dev/null >"$tmp/.out" 2>&1 &&
     ls "$tmp"/*.json >/dev/null 2>&1; then
    mkdir -p "$dest"
    cp "$tmp"/* "$dest"/
    rm -rf "$tmp"
    return 0
  fi
  # The remark (why fa2 left the op) first, then at most 12 lines of the rest.
  { grep 'remark:' "$tmp/.out"; grep -v 'remark:' "$tmp/.out" | head -12; } | sed 's/^/    /' >"$ERRORS"
  rm -rf "$tmp"
  return 1
}

# build NAME DTYPE D HQ HKV CAUSAL LAYOUT MASK LSE: one folder OUT/grid/NAME.
# The kernel must build unless ALLOWED_TO_FAIL is set (to the reason).
BUILD_STATUS=0
not_built() {
  if [ -n "${ALLOWED_TO_FAIL:-}" ]; then
    log "grid: $1 not lowered (allowed: $ALLOWED_TO_FAIL)"
  else
    log "grid: $1 NOT BUILT"; BUILD_STATUS=1
  fi
  cat "$ERRORS" >>"$LOG"
}
SEQ_PAIRS="1:1 1:1024 113:203 128:128 1023:1024 4096:4096 203:113 239:1"
build() {
  local name=$1; shift
  local src dest=$OUT/grid/$name
  src=$(mktemp --suffix=.mlir)
  rm -rf "$dest"
  if [ "$STATIC_SEQS" = 0 ]; then
    module "k_${name//-/_}" "$@" '?' '?' >"$src"
    if compile "$src" "$dest"; then log "grid: $name ok"; else not_built "$name"; fi
  else
    local ok=0 pair sq sk
    for pair in $SEQ_PAIRS; do
      sq=${pair%:*}; sk=${pair#*:}
      module "k_${name//-/_}_${sq}_${sk}" "$@" "$sq" "$sk" >"$src"
      if compile "$src" "$dest.tmp"; then ok=$((ok + 1)); fi
    done
    [ -d "$dest.tmp" ] && mv "$dest.tmp" "$dest"
    log "grid: $name $ok static kernels"
  fi
  cp "$src" "$OUT/grid/$name.mlir" 2>/dev/null || true
  rm -f "$src"
}

if want grid; then
  # (grep reads all of --help: with pipefail, grep -q would SIGPIPE fa2-opt.)
  if [ -z "$FA2_OPT" ] || ! "$FA2_OPT" --help 2>/dev/null | grep -c -- "--fa2-to-ptx" >/dev/null; then
    log "grid: NOT BUILT: no fa2-opt with --fa2-to-ptx (build it, or pass --fa2-opt)"
    BUILD_STATUS=1
  else
    rm -rf "$OUT/grid" && mkdir -p "$OUT/grid"
    # The main grid: d 64 and 128, f16/bf16, MHA/GQA/MQA, causal or not.
    for d in 64 128; do
      for dt in f16 bf16; do
        for heads in mha:4:4 gqa:8:2 mqa:4:1; do
          IFS=: read -r hn hq hkv <<<"$heads"
          build "d$d-$dt-$hn" "$dt" "$d" "$hq" "$hkv" 0 bhsd none 1
          build "d$d-$dt-$hn-causal" "$dt" "$d" "$hq" "$hkv" 1 bhsd none 1
        done
      done
    done
    # Every other head dimension fa2 may support (FlashAttention's test list
    # plus every multiple of 8 up to 256); what it cannot do stays a remark.
    for d in 8 16 24 32 40 48 56 59 72 80 88 96 104 111 112 120 136 144 152 160 168 176 184 \
             192 200 208 216 224 232 240 248 256; do
      allowed=""
      (( d % 8 != 0 )) && allowed="head dim $d is no multiple of 8"
      ALLOWED_TO_FAIL=$allowed build "other-d$d-f16-gqa" f16 "$d" 8 2 0 bhsd none 1
      ALLOWED_TO_FAIL=$allowed build "other-d$d-bf16-mha-causal" bf16 "$d" 4 4 1 bhsd none 1
    done
    # Layout, masks, no LSE.
    build d64-f16-gqa-bshd f16 64 8 2 0 bshd none 1
    build d128-bf16-gqa-bshd-causal bf16 128 8 2 1 bshd none 1
    build d64-f16-mha-mask-i1 f16 64 4 4 0 bhsd i1 1
    build d64-bf16-gqa-mask-float bf16 64 8 2 0 bhsd f16 1
    build d128-f16-mha-causal-mask-i1 f16 128 4 4 1 bhsd i1 1
    build d64-f16-mha-nolse f16 64 4 4 0 bhsd none 0
    # Sliding windows and finite fills (test/Integration/CUDA/window-fill.test).
    MASK_ATTRS=" window(100, 0)" build d64-f16-mha-causal-window f16 64 4 4 1 bhsd none 1
    MASK_ATTRS=" window(37, 50)" build d128-bf16-gqa-bshd-window bf16 128 8 2 0 bshd none 1
    MASK_ATTRS=" fill(-1.0E+9)" build d64-f16-mha-causal-mask-i1-fill f16 64 4 4 1 bhsd i1 1
    MASK_ATTRS=" window(20, 10) fill(-3.4028234663852886E+38)" build d128-bf16-gqa-window-mask-float-fill bf16 128 8 2 0 bhsd f16 1
    # f32 inputs under the precision policy (test/Integration/CUDA/f32.test):
    # accurate (the default) and fast; f32 in with a bf16 output.
    for d in 64 128; do
      build "d$d-f32-mha" f32 "$d" 4 4 0 bhsd none 1
      build "d$d-f32-gqa-causal" f32 "$d" 8 2 1 bhsd none 1
      F32_PRECISION=fast build "d$d-f32-fast-mha" f32 "$d" 4 4 0 bhsd none 1
      F32_PRECISION=fast build "d$d-f32-fast-gqa-causal" f32 "$d" 8 2 1 bhsd none 1
    done
    OUT_DTYPE=bf16 build d64-f32-bf16out-mha-causal f32 64 4 4 1 bhsd none 1
    build d128-f32-gqa-bshd-mask-float f32 128 8 2 0 bshd f16 1
    # The other-d folders together, for one sweep.
    mkdir -p "$OUT/grid-other"
    for dir in "$OUT"/grid/other-*/; do
      [ -d "$dir" ] || continue
      for j in "$dir"*.json; do
        n=$(basename "$dir")
        python3 - "$j" "$OUT/grid-other" "$n" <<'EOF'
import json, os, shutil, sys
src, dest, prefix = sys.argv[1:]
m = json.load(open(src))
binary = os.path.join(os.path.dirname(src), m["binary"])
m["binary"] = prefix + "-" + os.path.basename(m["binary"])
shutil.copy(binary, os.path.join(dest, m["binary"]))
json.dump(m, open(os.path.join(dest, prefix + "-" + os.path.basename(src)), "w"), indent=1)
EOF
      done
    done
    log "grid: $(ls -d "$OUT"/grid/*/ 2>/dev/null | wc -l) folders built"
  fi
fi

#===----------------------------------------------------------------------===#
# Decode kernels (test/Integration/CUDA/decode.test): packed GQA rows and
# split-KV (pack_gqa = true), seq_q static as a serving loop fixes it (or dynamic),
# seq_k dynamic; each folder must hold a split-KV manifest (a "combine").
#===----------------------------------------------------------------------===#
# decode NAME DTYPE D HQ HKV CAUSAL LAYOUT MASK LSE SQ: OUT/decode/NAME, with
# schedule=pack_gqa=true plus the schedule fields in $DECODE_FIELDS
decode() {
  local name=$1 src dest=$OUT/decode/$1; shift
  src=$(mktemp --suffix=.mlir)
  module "k_${name//-/_}" "$@" '?' >"$src"
  if COMPILE_OPTIONS=" schedule=pack_gqa=true${DECODE_FIELDS:-}" compile "$src" "$dest"; then
    if grep -q '"combine"' "$dest"/*.json; then
      log "decode: $name ok"
    else
      log "decode: $name NOT BUILT (no split-KV manifest)"; BUILD_STATUS=1
    fi
  else
    log "decode: $name NOT BUILT"; BUILD_STATUS=1; cat "$ERRORS" >>"$LOG"
  fi
  cp "$src" "$OUT/decode/$name.mlir" 2>/dev/null || true
  rm -f "$src"
}
#===----------------------------------------------------------------------===#
# Hopper (sm_90a) wgmma kernels (schedule=mma=wgmma): OUT/hopper/<config>,
# sequence lengths dynamic.
# Each must come out as a wgmma kernel ("mma": "wgmma" in its manifest): a
# fallback to mma.sync is a NOT BUILT line, as a missing kernel is.
# $HOPPER_FIELDS, if set, adds schedule fields (",overlap_softmax=false").
#===----------------------------------------------------------------------===#
if want hopper; then
  rm -rf "$OUT/hopper" && mkdir -p "$OUT/hopper"
  hopper() { # NAME DTYPE D HQ HKV CAUSAL LAYOUT LSE
    local name=$1 src dest=$OUT/hopper/$1; shift
    src=$(mktemp --suffix=.mlir)
    module "h_${name//-/_}" "$1" "$2" "$3" "$4" "$5" "$6" none "$7" '?' '?' >"$src"
    if CHIP=sm_90a COMPILE_OPTIONS=" schedule=mma=wgmma${HOPPER_FIELDS:-}" compile "$src" "$dest" &&
       grep -q '"mma": "wgmma"' "$dest"/*.json; then
      log "hopper: $name ok"
    else
      log "hopper: $name NOT BUILT"; BUILD_STATUS=1
      cat "$ERRORS" >>"$LOG"; grep -h mma_fallback "$dest"/*.json >>"$LOG" 2>/dev/null
    fi
    cp "$src" "$OUT/hopper/$name.mlir"; rm -f "$src"
  }
  for d in 64 128 256; do
    for dt in f16 bf16; do
      hopper "d$d-$dt-mha" "$dt" "$d" 4 4 0 bhsd 1
      hopper "d$d-$dt-gqa-causal" "$dt" "$d" 8 2 1 bhsd 1
    done
  done
  hopper d64-f16-gqa-bshd f16 64 8 2 0 bshd 1
  hopper d128-bf16-gqa-bshd-causal bf16 128 8 2 1 bshd 1
  hopper d128-f16-mqa-causal f16 128 4 1 1 bhsd 0
  # Heads in sections of 1.5 MiB of K/V (head_section_bytes): at 1024 keys
  # 3 heads a section (16 heads: five of 3, the last of 1), at 203 keys 15
  # and 1, from 3072 keys one head a section.
  HOPPER_FIELDS="${HOPPER_FIELDS:-},head_section_bytes=1572864" \
    hopper d128-bf16-gqa-causal-sections bf16 128 8 2 1 bhsd 1
fi

if want decode; then
  rm -rf "$OUT/decode" && mkdir -p "$OUT/decode"
  if [ -z "$FA2_OPT" ]; then
    log "decode: NOT BUILT: no fa2-opt"; BUILD_STATUS=1
  else
    # GQA groups 1/4/8, d 64/128 (and 256), f16/bf16, LSE or not.
    decode d64-f16-g1-q1 f16 64 4 4 0 bhsd none 1 1
    decode d128-bf16-g4-q1 bf16 128 8 2 0 bhsd none 1 1
    decode d128-f16-g8-q1-nolse f16 128 16 2 0 bhsd none 0 1
    decode d64-bf16-g8-q1 bf16 64 16 2 0 bhsd none 1 1
    decode d256-bf16-g4-q1 bf16 256 8 2 0 bhsd none 1 1
    # Speculative / chunked steps: causal bottom-right, seq_q static or not.
    decode d128-bf16-g4-q8-causal bf16 128 8 2 1 bhsd none 1 8
    decode d64-f16-g8-q4-causal f16 64 16 2 1 bhsd none 1 4
    # With seq_q dynamic the decode table cannot size the row tile: the
    # prefill tile, packed and split (kv_splits = auto: the count from the shapes),
    # for FA's (239, 1) and (1, 128k) pairs in one kernel.
    DECODE_FIELDS=",kv_splits=auto" decode d128-bf16-g4-causal bf16 128 8 2 1 bhsd none 1 '?'
    # The prefill tile's own split (getPrefillKVSplits: static seq_q and
    # heads, at most one row tile an SM; the count at run time from the
    # batch and seq_k): unpacked rows, the combine launch, batch dynamic.
    # prefill_split NAME SEQ_K PATTERN: built, split, unpacked, and its
    # manifest holding PATTERN.
    prefill_split() {
      local src dest="$OUT/decode/$1"
      src=$(mktemp --suffix=.mlir)
      module "k_${1//-/_}" bf16 128 8 8 1 bhsd none 1 256 "$2" '?' >"$src"
      if compile "$src" "$dest" && grep -q "$3" "$dest"/*.json &&
         ! grep -q '"pack_gqa": true' "$dest"/*.json; then
        log "decode: $1 ok"
      else
        log "decode: $1 NOT BUILT (no unpacked split manifest with $3)"; BUILD_STATUS=1
        cat "$ERRORS" >>"$LOG"
      fi
      rm -f "$src"
    }
    # A launch of one split runs the kernel unsplit ("one_split").
    prefill_split d128-bf16-q256-prefill-split '?' '"one_split"'
    # The same with static keys (512).
    prefill_split d128-bf16-q256-k512-prefill-split 512 '"one_split"'
    # Layout and a padding mask per sequence.
    decode d128-bf16-g4-q1-bshd bf16 128 8 2 0 bshd none 1 1
    decode d128-bf16-g4-q1-pad bf16 128 8 2 0 bhsd pad 1 1
    # The last-CTA combine (no second launch; the table takes the combine
    # launch) on one warp's 4 rows, two warps' 8 rows (without LSE) and
    # 32 causal rows, and on the prefill tile's 4 warps with seq_q dynamic.
    DECODE_FIELDS=",combine=last_cta" decode d128-bf16-g4-q1-last bf16 128 8 2 0 bhsd none 1 1
    DECODE_FIELDS=",combine=last_cta" decode d128-f16-g8-q1-nolse-last f16 128 16 2 0 bhsd none 0 1
    DECODE_FIELDS=",combine=last_cta" decode d64-f16-g8-q4-causal-last f16 64 16 2 1 bhsd none 1 4
    DECODE_FIELDS=",kv_splits=auto,combine=last_cta" decode d128-bf16-g4-causal-last bf16 128 8 2 1 bhsd none 1 '?'
    # sm_90a (test/Integration/CUDA/hopper-decode.test): from 64 packed
    # rows the decode step takes the wgmma kernel by default (head-major
    # packed rows through Q's tensor map, split-KV, the combine launch);
    # fewer rows with mma = wgmma. Each must come out as a wgmma split-KV
    # kernel: an mma.sync manifest is a NOT BUILT line.
    hdecode() { # NAME DTYPE D HQ HKV CAUSAL LSE SQ [FIELDS] [BATCH]
      local name=$1 src dest=$OUT/decode/$1
      src=$(mktemp --suffix=.mlir)
      module "k_${name//-/_}" "$2" "$3" "$4" "$5" "$6" bhsd none "$7" "$8" '?' "${10:-2}" >"$src"
      if CHIP=sm_90a COMPILE_OPTIONS="${9:+ schedule=$9}" compile "$src" "$dest" &&
         grep -q '"mma": "wgmma"' "$dest"/*.json && grep -q '"combine"' "$dest"/*.json; then
        log "decode: $name ok"
      else
        log "decode: $name NOT BUILT (no wgmma split-KV manifest)"; BUILD_STATUS=1
        cat "$ERRORS" >>"$LOG"
      fi
      cp "$src" "$OUT/decode/$name.mlir"; rm -f "$src"
    }
    hdecode h-d128-bf16-g8-q16-causal bf16 128 16 2 1 1 16
    hdecode h-d64-f16-g4-q16-causal f16 64 8 2 1 0 16
    hdecode h-d128-f16-g16-q4 f16 128 32 2 0 1 4
    hdecode h-d128-bf16-g8-q3-causal bf16 128 16 2 1 1 3 mma=wgmma
    hdecode h-d64-bf16-g1-q1 bf16 64 2 2 0 1 1 mma=wgmma
    # The persistent grid over (split, group, row tile), batch dynamic (more
    # tiles than CTAs at batch 64).
    hdecode h-d128-bf16-g8-q16-causal-persistent bf16 128 64 8 1 1 16 \
      persistent=true,producer_registers=40,consumer_registers=232 '?' 
    log "decode: $(ls "$OUT"/decode/*/*.json 2>/dev/null | wc -l) manifests"
  fi
fi

if want corpus; then
  rm -rf "$OUT/corpus"
  if [ -z "$FA2_OPT" ] || ! [ -d "$REPO/test/Corpus" ]; then
    log "corpus: SKIPPED (no fa2-opt or no test/Corpus)"
  else
    mkdir -p "$OUT/corpus"
    n_ok=0
    while IFS= read -r f; do
      base=$(basename "$f" .mlir)
      # One module per `// -----` piece.
      tmpd=$(mktemp -d)
      python3 - "$f" "$tmpd" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for i, piece in enumerate(re.split(r"^// -----\s*$", text, flags=re.M)):
    open(f"{sys.argv[2]}/{i}.mlir", "w").write(piece)
EOF
      for piece in "$tmpd"/*.mlir; do
        i=$(basename "$piece" .mlir)
        if compile "$piece" "$OUT/corpus/$base-$i"; then
          n_ok=$((n_ok + 1)); cp "$piece" "$OUT/corpus/$base-$i/source.mlir"
          log "corpus: $base-$i ok"
        else
          log "corpus: $base-$i not lowered"; cat "$ERRORS" >>"$LOG"
        fi
      done
      rm -rf "$tmpd"
    done < <(find "$REPO/test/Corpus" -name '*.mlir' | sort)
    log "corpus: $n_ok modules lowered to kernels"
  fi
fi

#===----------------------------------------------------------------------===#
# Launches on CUDA's limits (boundary-launch.test, runner-big-batch-heads.test)
#===----------------------------------------------------------------------===#
if want boundary; then
  if [ -z "$FA2_OPT" ]; then
    log "boundary: NOT BUILT: no fa2-opt"; BUILD_STATUS=1
  elif bash "$REPO/test/Integration/CUDA/Inputs/boundary/build.sh" "$FA2_OPT" "$OUT/boundary" >>"$LOG" 2>&1; then
    log "boundary: $(ls "$OUT"/boundary/*/*.json | wc -l) manifests"
  else
    log "boundary: NOT BUILT (test/Integration/CUDA/Inputs/boundary/build.sh failed)"; BUILD_STATUS=1
  fi
fi

#===----------------------------------------------------------------------===#
# lit and FileCheck for the GPU machine
#===----------------------------------------------------------------------===#
if want tools && { [ "$STAGE_TOOLS" = 1 ] || [ ${#ONLY[@]} -gt 0 ]; }; then
  LLVM=/usr/lib/llvm-22
  mkdir -p "$TOOLS/bin" "$TOOLS/lib"
  cp "$LLVM/bin/FileCheck" "$LLVM/bin/not" "$LLVM/bin/count" "$TOOLS/bin/"
  rm -rf "$TOOLS/lit" && cp -r "$LLVM/utils/lit" "$TOOLS/lit"
  find "$TOOLS/lit" -name __pycache__ -prune -exec rm -rf {} +
  # FileCheck and not link libz3 (through libLLVMSupport); the GPU image may
  # not have it. Compressed: it is 23 MB of the 64 MB a call may carry.
  z3=$(ldd "$LLVM/bin/FileCheck" | awk '/libz3/ {print $3}')
  if [ -n "$z3" ] && [ ! -f "$TOOLS/lib/libz3.so.4.xz" ]; then
    xz -T2 -6 -c "$z3" >"$TOOLS/lib/libz3.so.4.xz"
  fi
  log "tools: staged in $TOOLS ($(du -sh "$TOOLS" | cut -f1))"
fi
log "build-gpu-kernels: done; $(du -sh "$OUT" | cut -f1) in $OUT"
if [ "$BUILD_STATUS" != 0 ]; then
  log "build-gpu-kernels: FAILED: kernels that must build did not (NOT BUILT above)"
fi
exit "$BUILD_STATUS"
