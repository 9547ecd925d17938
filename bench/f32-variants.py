#!/usr/bin/env python3
#===- bench/f32-variants.py - schedule variants of the f32 kernels ---------===#
#
# Runs ON the GPU machine: every f32 kernel under --kernels/<variant>/<name>/
# (manifest + PTX, as bench/build-f32.sh writes them with extra fa2-to-ptx
# options) timed beside SDPA's efficient backend on bench cells (batch·seq =
# 16384, heads·d = 2048), in interleaved rounds, each checked first against
# the efficient backend (max |diff|) and against an f64 math reference on one
# small case (the error ratio to PyTorch's f32 math path).
#
#   python3 bench/f32-variants.py --kernels DIR [--seqs 2048,8192]
#===----------------------------------------------------------------------===#
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fa2_kernel import Fa2Kernel, find_manifests  # noqa: E402
from f32 import causal_ref  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernels", required=True)
    p.add_argument("--seqs", default="2048,8192")
    p.add_argument("--rounds", type=int, default=2)
    a = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    from triton.testing import do_bench
    dev = torch.device("cuda")
    kernels = {}
    for variant in sorted(os.listdir(a.kernels)):
        for path in find_manifests(os.path.join(a.kernels, variant)):
            k = Fa2Kernel(path)
            kernels.setdefault((int(k.dims["head_dim"]), k.causal), []).append((variant, k))
    for (d, causal), ks in sorted(kernels.items()):
        # Error on one FA pair against f64, beside PyTorch's f32 math path.
        gen = torch.Generator(device=dev).manual_seed(d + causal)
        q, k_, v = (torch.randn(2, 4, 1024, d, device=dev, generator=gen) for _ in range(3))
        ref = causal_ref(q.double(), k_.double(), v.double(), causal, 1 / math.sqrt(d))
        e32 = (causal_ref(q, k_, v, causal, 1 / math.sqrt(d)).double() - ref).abs().max().item()
        for variant, kern in ks:
            out = torch.full_like(q, float("nan"))
            kern(q, k_, v, out=out, env=kern.bind(batch=2, heads_q=4, heads_kv=4, seq_q=1024, seq_k=1024))
            torch.cuda.synchronize()
            e = (out.double() - ref).abs().max().item()
            print(f"variants: ERR d={d} causal={int(causal)} {variant}: fa2={e:.3e} math_f32={e32:.3e} "
                  f"ratio={e / e32:.2f} nan={int(torch.isnan(out).sum())}", flush=True)
        for s in map(int, a.seqs.split(",")):
            b, h = 16384 // s, 2048 // d
            flops = 4 * b * h * s * s * d / (2 if causal else 1)
            q, k_, v = (torch.randn(b, h, s, d, device=dev) for _ in range(3))
            fns = {"efficient": lambda: F.scaled_dot_product_attention(q, k_, v, is_causal=causal,
                                                                      scale=1 / math.sqrt(d))}
            with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
                ref = fns["efficient"]()
            diffs = {}
            for variant, kern in ks:
                launch, out, _ = kern.launcher(q, k_, v, out=torch.empty_like(q),
                                               env=kern.bind(batch=b, heads_q=h, heads_kv=h, seq_q=s, seq_k=s))
                launch()
                torch.cuda.synchronize()
                diffs[variant] = (out - ref).abs().max().item()
                fns[variant] = launch
            ms = {n: [] for n in fns}
            for _ in range(a.rounds):
                for n, fn in fns.items():
                    with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
                        ms[n].append(do_bench(fn, warmup=25, rep=100, return_mode="median"))
            tf = {n: flops / min(v) / 1e9 for n, v in ms.items()}
            line = " ".join(f"{n}={tf[n]:.1f}({tf[n] / tf['efficient']:.2f}x,diff={diffs.get(n, 0):.1e})"
                            for n in fns)
            print(f"variants: SPEED d={d} causal={int(causal)} seq={s} {line}", flush=True)
            del q, k_, v, fns, ref
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
