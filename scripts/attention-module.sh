#!/usr/bin/env bash
#===- scripts/attention-module.sh - one fa2.attention test module ---------===#
#
# Prints a func.func holding one fa2.attention, from its shape, element
# types and flags: the one writer of the modules that
# scripts/build-gpu-kernels.sh compiles for the CUDA suite and that
# bench/decode-modules.sh compiles for the decode benchmark.
#
# usage: scripts/attention-module.sh NAME --dtype f16|bf16|f32 --head-dim D
#            --heads-q HQ --heads-kv HKV [--seq-q SQ] [--seq-k SK] [--batch B]
#            [--causal] [--layout bhsd|bshd] [--mask none|i1|f16|pad] [--lse]
#            [--out-dtype T] [--attrs " window(L, R) fill(F)"]
#
# Sizes may be '?' (dynamic); seq-q and seq-k default to '?', batch to 2.
# Q is [B, HQ, SQ, D] (bshd: [B, SQ, HQ, D]), K and V the same with HKV and
# SK; O is Q's shape in --out-dtype (default: --dtype); with --lse the op
# also returns the LSE [B, HQ, SQ] in f32. Masks, right-aligned to the
# scores [B, HQ, SQ, SK]: i1 = [SQ, SK] booleans, f16 = [B, 1, SQ, SK]
# additive in --dtype, pad = [B, 1, 1, SK] booleans (a padding mask per
# sequence). --attrs goes after `causal` (sliding windows, fills). The
# scale is 1/sqrt(D).
#===----------------------------------------------------------------------===#
set -euo pipefail

usage() { sed -n '9,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
name=$1; shift
dt="" d="" hq="" hkv="" sq="?" sk="?" b=2 causal=0 layout=bhsd mask=none
lse=0 out_dt="" extra_attrs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dtype) dt=$2; shift 2 ;;
    --head-dim) d=$2; shift 2 ;;
    --heads-q) hq=$2; shift 2 ;;
    --heads-kv) hkv=$2; shift 2 ;;
    --seq-q) sq=$2; shift 2 ;;
    --seq-k) sk=$2; shift 2 ;;
    --batch) b=$2; shift 2 ;;
    --causal) causal=1; shift ;;
    --layout) layout=$2; shift 2 ;;
    --mask) mask=$2; shift 2 ;;
    --lse) lse=1; shift ;;
    --out-dtype) out_dt=$2; shift 2 ;;
    --attrs) extra_attrs=$2; shift 2 ;;
    *) echo "attention-module.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
if [ -z "$dt" ] || [ -z "$d" ] || [ -z "$hq" ] || [ -z "$hkv" ]; then
  echo "attention-module.sh: --dtype, --head-dim, --heads-q and --heads-kv are required" >&2
  usage
fi

attrs=""
if [ "$layout" = bshd ]; then
  qt="tensor<${b}x${sq}x${hq}x${d}x${dt}>"; kt="tensor<${b}x${sk}x${hkv}x${d}x${dt}>"
  attrs=" layout<bshd>"
elif [ "$layout" = bhsd ]; then
  qt="tensor<${b}x${hq}x${sq}x${d}x${dt}>"; kt="tensor<${b}x${hkv}x${sk}x${d}x${dt}>"
else
  echo "attention-module.sh: unknown layout '$layout'" >&2; exit 2
fi
ot=$qt
[ -n "$out_dt" ] && ot="${qt%x${dt}>}x${out_dt}>"
lt="tensor<${b}x${hq}x${sq}xf32>"
mt=""
case "$mask" in
  none) ;;
  i1) mt="tensor<${sq}x${sk}xi1>" ;;
  f16) mt="tensor<${b}x1x${sq}x${sk}x${dt}>" ;;
  pad) mt="tensor<${b}x1x1x${sk}xi1>" ;;
  *) echo "attention-module.sh: unknown mask '$mask'" >&2; exit 2 ;;
esac
margs="" mop="" mtype=""
if [ -n "$mt" ]; then margs=", %m: $mt"; mop=" mask(%m)"; mtype=", $mt"; fi
attrs="${extra_attrs}$attrs"
[ "$causal" = 1 ] && attrs=" causal$attrs"
scale=$(python3 -c "print(repr(1.0 / $d ** 0.5))")

if [ "$lse" = 1 ]; then
  cat <<MLIR
func.func @$name(%q: $qt, %k: $kt, %v: $kt$margs) -> ($ot, $lt) {
  %o, %lse = fa2.attention %q, %k, %v$mop scale($scale)$attrs : $qt, $kt, $kt$mtype -> $ot, $lt
  return %o, %lse : $ot, $lt
}
MLIR
else
  cat <<MLIR
func.func @$name(%q: $qt, %k: $kt, %v: $kt$margs) -> $ot {
  %o = fa2.attention %q, %k, %v$mop scale($scale)$attrs : $qt, $kt, $kt$mtype -> $ot
  return %o : $ot
}
MLIR
fi
