#!/usr/bin/env python3
# bench/profile.py - runs one benchmark cell's kernels a few times so that
# Nsight Compute can profile them: fa2's kernel (a manifest from bench/build.sh
# or bench/variants.sh) and, with --flash, SDPA's flash kernel on the same
# inputs. Run from the repository root, under ncu, e.g. (on the GPU machine):
#
#   ncu --clock-control none -k regex:fa2 -c 1 --set full -o $OUT/d128 \
#       python3 bench/profile.py .device-carry/perf/k/base/bf16-d128/*.json 8192
#   ncu -i $OUT/d128.ncu-rep --page source --print-source sass --csv > $OUT/d128-sass.csv
#
# usage: python3 bench/profile.py MANIFEST SEQ [--flash] [--launches N]
import math, os, sys
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
import torch, torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from fa2_kernel import Fa2Kernel

args = [a for a in sys.argv[1:] if not a.startswith("--")]
manifest, s = args[0], int(args[1])
launches = int(sys.argv[sys.argv.index("--launches") + 1]) if "--launches" in sys.argv else 3
kern = Fa2Kernel(manifest)
d = int(kern.dims["head_dim"])
h, b = 2048 // d, 16384 // s
dt = {"bf16": torch.bfloat16, "f16": torch.float16}[kern.m["dtype"]]
g = torch.Generator(device="cuda").manual_seed(7 * s + d + kern.causal)
q, k, v = (torch.randn(b, h, s, d, device="cuda", dtype=dt, generator=g) for _ in range(3))
env = kern.bind(batch=b, heads_q=h, heads_kv=h, seq_q=s, seq_k=s, head_dim=d, head_dim_v=d)
o = torch.full((b, h, s, d), float("nan"), device="cuda", dtype=kern.out_dtype)
lse = torch.empty((b, h, s), device="cuda", dtype=torch.float32) if kern.has_lse else None
launch, o, lse = kern.launcher(q, k, v, out=o, lse=lse, env=env)
for _ in range(launches):
    launch()
if "--flash" in sys.argv:
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        for _ in range(launches):
            F.scaled_dot_product_attention(q, k, v, is_causal=kern.causal, scale=1 / math.sqrt(d))
torch.cuda.synchronize()
assert not torch.isnan(o).any().item(), "fa2 left NaN in the output"
print(f"ran {launches} launches of {manifest} at seq {s}")
