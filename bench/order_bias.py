#!/usr/bin/env python3
# bench/order_bias.py - does a kernel's time depend on where the benchmark
# puts it? Call 12 (2026-12-06, H100) timed two byte-identical kernels, loaded
# as two variants of bench/sweep.py, 3-8% apart in every round. This times
# copies of ONE kernel side by side with SDPA flash and cuDNN, in rounds
# whose order rotates, and separates three candidate causes:
#   A0..A3  the manifest loaded four times (four modules, four O/LSE buffers);
#   B1, B2  A0's module launched on two more O/LSE buffers;
#   the slot of each launch in its round (0 = first), over all contestants.
# usage: python3 bench/order_bias.py KDIR [ROUNDS]; KDIR as bench/build.sh's
# (KDIR/<dtype>-d<D>[-causal]/*.json). Prints per-contestant medians (TFLOP/s)
# and each slot's median time over the contestant's own median.
import sys, os, math, glob, statistics
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
import torch, torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from triton.testing import do_bench
from fa2_kernel import Fa2Kernel
from torch_ref import attention_ref, fa_rule
from run import rotated

kdir = sys.argv[1]
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 8
CELLS = [("bf16", 128, 1, 4096), ("bf16", 128, 1, 512), ("bf16", 64, 0, 1024), ("bf16", 128, 0, 8192)]
DT = {"bf16": torch.bfloat16, "f16": torch.float16}
ms = lambda fn: do_bench(fn, warmup=25, rep=100, return_mode="median")
for dt, d, causal, s in CELLS:
    h = 2048 // d; b = 16384 // s
    flops = 4 * b * h * s * s * d / (2 if causal else 1)
    g = torch.Generator(device="cuda").manual_seed(11 * s + d)
    q, k, v = (torch.randn(b, h, s, d, device="cuda", dtype=DT[dt], generator=g) for _ in range(3))
    sc = 1 / math.sqrt(d)
    mf = glob.glob(f"{kdir}/{dt}-d{d}{'-causal' if causal else ''}/*.json")[0]
    env = dict(batch=b, heads_q=h, heads_kv=h, seq_q=s, seq_k=s, head_dim=d, head_dim_v=d)
    fns = {}
    def sdpa(backend):
        def fn():
            with sdpa_kernel(backend):
                return F.scaled_dot_product_attention(q, k, v, is_causal=bool(causal), scale=sc)
        return fn
    fns["flash"] = sdpa(SDPBackend.FLASH_ATTENTION)
    fns["cudnn"] = sdpa(SDPBackend.CUDNN_ATTENTION)
    r32, _ = attention_ref(q[:1, :2], k[:1, :2], v[:1, :2], sc, causal=bool(causal))
    rlp, _ = attention_ref(q[:1, :2], k[:1, :2], v[:1, :2], sc, causal=bool(causal), upcast=False)
    bad = []
    kernels = [Fa2Kernel(mf) for _ in range(4)]
    def add(name, kk):
        o = torch.full((b, h, s, d), float("nan"), device="cuda", dtype=kk.out_dtype)
        lse = torch.empty((b, h, s), device="cuda", dtype=torch.float32) if kk.has_lse else None
        launch, o, lse = kk.launcher(q, k, v, out=o, lse=lse, env=env)
        launch(); torch.cuda.synchronize()
        ok, _, _ = fa_rule(o[:1, :2], r32, rlp)
        if not ok or torch.isnan(o).any().item():
            bad.append(name)
        fns[name] = launch
    for i, kk in enumerate(kernels):
        add(f"A{i}", kk)
    for i in (1, 2):
        add(f"B{i}", kernels[0])
    names = list(fns)
    times = {n: [] for n in names}
    slots = {n: [] for n in names}
    for r in range(ROUNDS):
        for slot, n in enumerate(rotated(names, r)):
            times[n].append(ms(fns[n])); slots[n].append(slot)
    med = {n: statistics.median(t) for n, t in times.items()}
    print(f"{dt} d={d} c={causal} s={s} kernel={kernels[0].last_kernel} "
          f"{'FAIL ' + ','.join(bad) if bad else 'checks PASS'}")
    print("  " + " | ".join(f"{n} {flops / med[n] / 1e9:6.1f}" for n in names))
    print("  spread over rounds (max/min time): " +
          " | ".join(f"{n} {max(t) / min(t):.3f}" for n, t in times.items()))
    by_slot = {}
    for n in names:
        for t, sl in zip(times[n], slots[n]):
            by_slot.setdefault(sl, []).append(t / med[n])
    print("  slot: time / own median: " +
          " ".join(f"{sl}:{statistics.median(v):.3f}" for sl, v in sorted(by_slot.items())))
    print("  A0 rounds (TFLOP/s): " + "/".join(f"{flops / t / 1e9:.0f}" for t in times["A0"]) +
          "  cudnn: " + "/".join(f"{flops / t / 1e9:.0f}" for t in times["cudnn"]), flush=True)
    del q, k, v, fns, kernels
    torch.cuda.empty_cache()
