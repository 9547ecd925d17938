#!/usr/bin/env bash
# Lead (2026-12-03 late): where ptxas puts the d = 128 consumer loop's P·V wait.
# PTX variants of bench/build.sh's bf16/f16 d = 128 non-causal kernels (main's
# fa2-opt), hand-edited by bench/hopper-results/2026-12-03-late-ptxv.py (bench/build.sh output -> k/{cur,keepP,nobr,both}):
#   keepP: after the loop's wgmma.wait_group 0, an xor of the 32 P registers
#          (A operands of the in-flight P·V) and a never-taken trap: P stays
#          live until the wait, so ptxas cannot hand its registers to the softmax;
#   nobr:  the mask branch after wait_group 1 made unconditional (no tail at
#          these lengths); both: the two.
# SASS: the loop's DEPBAR.LE gsb0 0x0 against its MUFU.EX2s; then a 3-round
# sweep beside SDPA flash / cuDNN (0cur = cur's files, timed first: noise).
set -uo pipefail
D=.device-carry/lead/ptxv; OUTA=$(cd "$OUT" && pwd)
export PATH=/usr/local/cuda/bin:$PATH PYTHONUNBUFFERED=1
for v in cur keepP nobr both; do for dt in bf16 f16; do
  f=$(ls $D/k/$v/$dt-d128/*.ptx); ptxas -arch=sm_90a $f -o /tmp/$v-$dt.cubin && cuobjdump -sass /tmp/$v-$dt.cubin > $OUTA/$v-$dt.sass
  python3 - $OUTA/$v-$dt.sass $v-$dt <<'PY'
import sys, re
L = open(sys.argv[1]).read().split("\n")
ev = []
for l in L:
    m = re.search(r"/\*([0-9a-f]{4,})\*/\s+(.*?);", l)
    if not m: continue
    a, ins = int(m.group(1), 16), m.group(2)
    if "DEPBAR" in ins or "HGMMA" in ins or "MUFU.EX2" in ins or "BAR.ARV" in ins or "BAR.SYNC" in ins or ins.startswith("BRA") or "@P" in ins and "BRA" in ins:
        ev.append((a, ins.split()[0] if "MUFU" not in ins else "EX2"))
# compress runs of EX2
out = []; 
for a, k in ev:
    if out and out[-1][1] == k == "EX2": out[-1][2] += 1
    else: out.append([a, k, 1])
print(sys.argv[2], " ".join(f"{a:x}:{k}" + (f"x{n}" if n > 1 else "") for a, k, n in out))
PY
done; done
mkdir -p /tmp/sw; cd $D && CUDNN=1 ROUNDS=3 SEQS=512,2048,8192,16384 CAUSAL=0 timeout 150 python3 bench/sweep.py k /tmp/sw bf16,f16 128 > $OUTA/sweep.log 2>&1 || true
echo sweep done; grep -E "^(bf16|f16) |rounds|Error|error" $OUTA/sweep.log | cut -c1-260
