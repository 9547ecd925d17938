#!/usr/bin/env python3
# bench/sweep.py - times several fa2 kernel variants (bench/variants.sh) per cell
# beside SDPA flash, in one process, in ROUNDS interleaved rounds (env, default 3),
# and checks each with FlashAttention's rule. Run from the repository root.
# usage: python3 sweep.py KDIR OUTDIR [dtypes] [dims]
# env: ROUNDS; SEQS (default 512,...,16384); CAUSAL (default 0,1); CUDNN=1 also
# times SDPA's cuDNN backend and prints each variant's ratio to it (x/cuDNN).
import sys, os, math, glob, time, json
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
import torch, torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from triton.testing import do_bench
from fa2_kernel import Fa2Kernel
from torch_ref import attention_ref, fa_rule
from run import rotated
kdir, out = sys.argv[1], sys.argv[2]
dts = sys.argv[3].split(",") if len(sys.argv) > 3 else ["bf16"]
dims = [int(x) for x in sys.argv[4].split(",")] if len(sys.argv) > 4 else [64, 128]
DT = {"bf16": torch.bfloat16, "f16": torch.float16}
variants = sorted(os.listdir(kdir))
kern = {}
for v in variants:
    for mf in glob.glob(f"{kdir}/{v}/*/*.json"):
        k = Fa2Kernel(mf); kern[(v, k.m["dtype"], int(k.dims["head_dim"]), k.causal)] = k
rows = []; t0 = time.time()
ms = lambda fn: do_bench(fn, warmup=25, rep=100, return_mode="median")
ROUNDS = int(os.environ.get("ROUNDS", "3"))
SEQS = [int(x) for x in os.environ.get("SEQS", "512,1024,2048,4096,8192,16384").split(",")]
CAUSALS = [bool(int(x)) for x in os.environ.get("CAUSAL", "0,1").split(",")]
CUDNN = os.environ.get("CUDNN", "0") == "1"
for dt in dts:
  for d in dims:
    h = 2048 // d
    for causal in CAUSALS:
      for s in SEQS:
        b = 16384 // s; flops = 4*b*h*s*s*d/(2 if causal else 1)
        g = torch.Generator(device="cuda").manual_seed(7*s + d + causal)
        q, k, v = (torch.randn(b, h, s, d, device="cuda", dtype=DT[dt], generator=g) for _ in range(3))
        sc = 1/math.sqrt(d)
        hs = slice(0, 2)
        r32, _ = attention_ref(q[:1,hs], k[:1,hs], v[:1,hs], sc, causal=causal)
        rlp, _ = attention_ref(q[:1,hs], k[:1,hs], v[:1,hs], sc, causal=causal, upcast=False)
        fns = {}
        def flash_fn():
            with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=sc)
        fns["flash"] = flash_fn
        if CUDNN:
            def cudnn_fn():
                with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
                    return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=sc)
            fns["cudnn"] = cudnn_fn
        oks = {}
        # A length variant's kernel (manifest "variants") is marked by its
        # suffix (v1, ...) in the line.
        used = {}
        for var in variants:
            kk = kern.get((var, dt, d, causal))
            if kk is None: continue
            env = kk.bind(batch=b, heads_q=h, heads_kv=h, seq_q=s, seq_k=s, head_dim=d, head_dim_v=d)
            o = torch.full((b,h,s,d), float("nan"), device="cuda", dtype=kk.out_dtype)
            lse = torch.empty((b,h,s), device="cuda", dtype=torch.float32) if kk.has_lse else None
            launch, o, lse = kk.launcher(q, k, v, out=o, lse=lse, env=env)
            launch(); torch.cuda.synchronize()
            used[var] = kk.last_kernel[len(kk.name):].lstrip("_")
            ok, err, lp = fa_rule(o[:1,hs], r32, rlp)
            oks[var] = ok and not torch.isnan(o).any().item()
            fns[var] = launch
        # ROUNDS interleaved rounds, the order rotated (and reversed every
        # other round) so that each kernel takes every slot (run.py's
        # rotated); the median of each kernel's medians.
        times = {n: [] for n in fns}
        for r in range(ROUNDS):
            for n in rotated(list(fns), r):
                times[n].append(ms(fns[n]))
        med = {n: sorted(t)[len(t)//2] for n, t in times.items()}
        fl = flops/med["flash"]/1e9
        cu = flops/med["cudnn"]/1e9 if CUDNN else float("nan")
        line = f"{dt} d={d} c={int(causal)} s={s:5d} flash={fl:6.1f}" + (f" cudnn={cu:6.1f}" if CUDNN else "")
        for var in variants:
            if var not in fns: continue
            t = flops/med[var]/1e9
            rows.append(dict(dt=dt, d=d, causal=int(causal), s=s, var=var, kernel=used[var], fa2=t, flash=fl, cudnn=cu,
                             ratio=t/fl, ratio_cudnn=t/cu, ok=bool(oks[var]),
                             rounds=[flops/x/1e9 for x in times[var]]))
            line += f" | {var} {t:6.1f} {t/fl:.3f}" + (f" {t/cu:.3f}c" if CUDNN else "") + (f" {used[var]}" if used[var] else "") + ('' if oks[var] else ' FAIL')
        print(line, f"[{time.time()-t0:.0f}s]", flush=True)
        # Each round's TFLOP/s (a variant's wins must hold in every round).
        print("  rounds:", " | ".join(n + " " + "/".join(f"{flops/x/1e9:.1f}" for x in times[n])
                                      for n in fns), flush=True)
        del q, k, v; torch.cuda.empty_cache()
json.dump(rows, open(os.path.join(out, "sweep.json"), "w"))
# summary: min ratio per (variant, d, causal)
print("SUMMARY min/mean ratio per variant")
keys = sorted({(r["var"], r["dt"], r["d"], r["causal"]) for r in rows})
for key in keys:
    rr = [r["ratio"] for r in rows if (r["var"], r["dt"], r["d"], r["causal"]) == key]
    rc = [r["ratio_cudnn"] for r in rows if (r["var"], r["dt"], r["d"], r["causal"]) == key]
    bad = sum(1 for r in rows if (r["var"], r["dt"], r["d"], r["causal"]) == key and not r["ok"])
    print(f"{key[0]:18s} {key[1]} d{key[2]} c{key[3]} /flash min {min(rr):.3f} mean {sum(rr)/len(rr):.3f}"
          + (f" /cudnn min {min(rc):.3f} mean {sum(rc)/len(rc):.3f}" if CUDNN else "") + f" fails {bad}")
