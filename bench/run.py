#!/usr/bin/env python3
#===- bench/run.py - fa2 vs PyTorch SDPA (FlashAttention-2, cuDNN) ---------===#
#
# Runs ON the GPU machine, after bench/build.sh compiled fa2's kernels here:
#
#   python3 bench/run.py --kernels .device-carry/run/bench-kernels --out $OUT
#
# In one process and on the same inputs, for each configuration of the grid
# (bf16 and f16; head dim 64, 128, 256; causal or not; seq 512 .. 16k at
# batch * seq = 16384 tokens and heads * head_dim = 2048):
#   * fa2's kernel, launched through its manifest (fa2_kernel.py),
#   * torch SDPA with the flash backend (FlashAttention-2) and the cuDNN one,
# checks fa2's output (FlashAttention's rule against an f32 reference on a
# slice of heads, and the largest difference to each backend), times each
# with triton.testing.do_bench (median) in --rounds interleaved rounds
# whose order rotates (flash, cuDNN, fa2; then cuDNN, fa2, flash; ...; odd
# rounds reversed: each takes every slot of a round; the median of the
# rounds counts, so that neither clock drift during a run nor a slot of
# the round favours anyone; bench/NOTES.md, 2026-12-06), and prints a
# table of TFLOP/s with
# the fa2/FA2 and fa2/cuDNN ratios, a summary per (dtype, d, causal), and
# the bf16 8192^3 GEMM (torch.matmul) timed in the same process before and
# after the grid, the ceiling the attention numbers are set against; writes
# bench.csv, bench.md and bench.png to --out. FLOPs = 4 * b * h * s^2 * d,
# halved when causal.
#
#===----------------------------------------------------------------------===#
import argparse
import csv
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fa2_kernel import Fa2Kernel, find_manifests  # noqa: E402
from torch_ref import attention_ref, fa_rule  # noqa: E402

TOKENS = 16384
HIDDEN = 2048
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernels", required=True, help="folder of fa2 manifests (bench/build.sh)")
    p.add_argument("--out", default=".", help="folder for bench.csv/.md/.png")
    p.add_argument("--dtypes", default="bf16,f16")
    p.add_argument("--dims", default="64,128,256")
    p.add_argument("--seqs", default="512,1024,2048,4096,8192,16384")
    p.add_argument("--causal", default="0,1")
    p.add_argument("--check-heads", type=int, default=2,
                   help="heads of batch 0 checked against the f32 reference")
    p.add_argument("--warmup-ms", type=float, default=25)
    p.add_argument("--rep-ms", type=float, default=100)
    p.add_argument("--rounds", type=int, default=5,
                   help="interleaved timing rounds per configuration (median)")
    return p.parse_args()


def rotated(names, r):
    """Round r's order of `names`: rotated by r, reversed when r is odd, so
    that over the rounds each name takes the first, last and middle slots
    (bench/NOTES.md, 2026-12-06: a kernel's time in one process moved with
    its slot in the round)."""
    k = r % len(names)
    order = names[k:] + names[:k]
    return order[::-1] if r % 2 else order


def bench_ms(fn, args):
    from triton.testing import do_bench
    return do_bench(fn, warmup=args.warmup_ms, rep=args.rep_ms, return_mode="median")


def index_kernels(folder):
    """(dtype, head_dim, causal) -> [Fa2Kernel], from the manifests' own fields."""
    table = {}
    for path in find_manifests(folder):
        try:
            k = Fa2Kernel(path)
        except Exception as e:  # a manifest we cannot load is reported, not fatal
            print(f"run.py: skipping {path}: {e}")
            continue
        key = (k.m["dtype"], int(k.dims["head_dim"]), k.causal)
        table.setdefault(key, []).append(k)
    return table


def pick(kernels, **dims):
    for k in kernels or []:
        try:
            return k, k.bind(**dims)
        except ValueError:
            continue
    return None, None


def gemm_tflops(args):
    """bf16 8192^3 matrix product on random data (the practical ceiling of
    the card's tensor cores), median of do_bench."""
    n = 8192
    a, b = (torch.randn(n, n, device="cuda", dtype=torch.bfloat16) for _ in range(2))
    ms = bench_ms(lambda: torch.matmul(a, b), args)
    del a, b
    return 2 * n ** 3 / ms / 1e9


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    print(f"run.py: {torch.cuda.get_device_name()} torch {torch.__version__}")
    table = index_kernels(args.kernels)
    print(f"run.py: {sum(len(v) for v in table.values())} fa2 kernels: "
          + ", ".join(f"{dt}/d{d}/{'causal' if c else 'full'}" for dt, d, c in sorted(table)))
    gemm = [gemm_tflops(args)]
    print(f"run.py: bf16 GEMM 8192^3: {gemm[0]:.1f} TFLOP/s")
    rows = []
    t_start = time.time()
    for dt_name in args.dtypes.split(","):
        dtype = DTYPES[dt_name]
        for d in map(int, args.dims.split(",")):
            h = HIDDEN // d
            for causal in (bool(int(c)) for c in args.causal.split(",")):
                for s in map(int, args.seqs.split(",")):
                    b = TOKENS // s
                    row = dict(dtype=dt_name, d=d, causal=int(causal), seq=s, batch=b, heads=h)
                    flops = 4 * b * h * s * s * d / (2 if causal else 1)
                    gen = torch.Generator(device=dev).manual_seed(1000 * d + s + causal)
                    q, k, v = (torch.randn(b, h, s, d, device=dev, dtype=dtype, generator=gen)
                               for _ in range(3))
                    scale = 1.0 / math.sqrt(d)
                    outs = {}
                    timed = {}  # name -> launch function, timed in rounds below
                    # torch SDPA backends
                    for name, backend in (("flash", SDPBackend.FLASH_ATTENTION),
                                          ("cudnn", SDPBackend.CUDNN_ATTENTION)):
                        def fn(backend=backend):
                            with sdpa_kernel(backend):
                                return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale)
                        try:
                            outs[name] = fn()
                            timed[name] = fn
                        except Exception as e:
                            print(f"run.py: {name} failed at {row}: {e}")
                    # fa2
                    kern, env = pick(table.get((dt_name, d, causal)), batch=b, heads_q=h, heads_kv=h,
                                     seq_q=s, seq_k=s, head_dim=d, head_dim_v=d)
                    row["check"] = "no kernel"
                    if kern is not None:
                        try:
                            o = torch.full((b, h, s, d), float("nan"), device=dev, dtype=kern.out_dtype)
                            lse = torch.empty((b, h, s), device=dev, dtype=torch.float32) if kern.has_lse else None
                            launch, o, lse = kern.launcher(q, k, v, out=o, lse=lse, env=env)
                            launch()
                            torch.cuda.synchronize()
                            # FlashAttention's rule on a slice: batch 0, the first heads.
                            hs = slice(0, min(h, args.check_heads))
                            qs, ks, vs = q[:1, hs], k[:1, hs], v[:1, hs]
                            ref32, lse32 = attention_ref(qs, ks, vs, scale, causal=causal)
                            reflp, _ = attention_ref(qs, ks, vs, scale, causal=causal, upcast=False)
                            ok, err, lp = fa_rule(o[:1, hs], ref32, reflp)
                            if lse is not None:
                                lse_err = (lse[:1, hs] - lse32).abs().max().item()
                                ok = ok and lse_err <= 1e-3 * max(1.0, lse32.abs().max().item())
                                row["lse_err"] = lse_err
                            row.update(err=err, lowprec_err=lp)
                            for name in ("flash", "cudnn"):
                                if name in outs:
                                    row[name + "_err"] = (outs[name][:1, hs].float() - ref32).abs().max().item()
                                    row["diff_" + name] = (o.float() - outs[name].float()).abs().max().item()
                            row["check"] = "PASS" if ok else "FAIL"
                            timed["fa2"] = launch
                            del ref32, reflp, lse32
                        except Exception as e:
                            row["check"] = f"ERROR {type(e).__name__}: {e}"[:120]
                    times = {name: [] for name in timed}
                    for r in range(max(1, args.rounds)):
                        for name in rotated(list(timed), r):
                            times[name].append(bench_ms(timed[name], args))
                    for name in ("flash", "cudnn", "fa2"):
                        t = sorted(times.get(name, []))
                        row[name + "_tflops"] = flops / t[len(t) // 2] / 1e9 if t else float("nan")
                    row["fa2/FA2"] = row["fa2_tflops"] / row["flash_tflops"]
                    row["fa2/cuDNN"] = row["fa2_tflops"] / row["cudnn_tflops"]
                    rows.append(row)
                    print(f"run.py: {dt_name} d={d} causal={int(causal)} seq={s}: fa2 {row['fa2_tflops']:.1f} "
                          f"FA2 {row['flash_tflops']:.1f} cuDNN {row['cudnn_tflops']:.1f} TFLOP/s  "
                          f"{row['check']} err={row.get('err', float('nan')):.2e} "
                          f"lowprec={row.get('lowprec_err', float('nan')):.2e} "
                          f"[{time.time() - t_start:.0f}s]", flush=True)
                    del q, k, v, outs
                    torch.cuda.empty_cache()
    gemm.append(gemm_tflops(args))
    print(f"run.py: bf16 GEMM 8192^3 after the grid: {gemm[1]:.1f} TFLOP/s")
    write_outputs(rows, args.out, gemm)


def summary(rows, gemm):
    """Markdown lines: fa2/FA2 per (dtype, d, causal) over the seqs, and
    bf16 d = 128 at 8k against the GEMM."""
    lines = ["| dtype | d | causal | fa2/FA2 min | mean | max | cells >= 1.1 | checks |",
             "|---|---|---|---|---|---|---|---|"]
    groups = {}
    for r in rows:
        groups.setdefault((r["dtype"], r["d"], r["causal"]), []).append(r)
    for (dt, d, c), sel in groups.items():
        ratios = [r["fa2/FA2"] for r in sel]
        ok = sum(1 for r in sel if r["check"] == "PASS")
        lines.append(f"| {dt} | {d} | {c} | {min(ratios):.3f} | {sum(ratios) / len(ratios):.3f} | "
                     f"{max(ratios):.3f} | {sum(1 for x in ratios if x >= 1.1)}/{len(ratios)} | "
                     f"{ok}/{len(sel)} PASS |")
    peak = max(gemm)  # the ceiling: the better of the two measurements
    lines.append("")
    lines.append(f"bf16 GEMM 8192^3 in this process: {gemm[0]:.1f} TFLOP/s before the grid, "
                 f"{gemm[-1]:.1f} after.")
    for r in rows:
        if (r["dtype"], r["d"], r["causal"], r["seq"]) == ("bf16", 128, 0, 8192):
            lines.append(f"bf16 d = 128, seq 8k, non-causal: fa2 {r['fa2_tflops']:.1f} TFLOP/s = "
                         f"{100 * r['fa2_tflops'] / peak:.1f}% of the faster GEMM (FA2 "
                         f"{100 * r['flash_tflops'] / peak:.1f}%, cuDNN {100 * r['cudnn_tflops'] / peak:.1f}%).")
    return lines


def write_outputs(rows, out, gemm):
    keys = ["dtype", "d", "causal", "seq", "batch", "heads", "fa2_tflops", "flash_tflops", "cudnn_tflops",
            "fa2/FA2", "fa2/cuDNN", "check", "err", "lowprec_err", "lse_err", "flash_err", "cudnn_err",
            "diff_flash", "diff_cudnn"]
    with open(os.path.join(out, "bench.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    lines = ["| dtype | d | causal | seq | fa2 | FA2 (SDPA flash) | cuDNN | fa2/FA2 | fa2/cuDNN | check |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['dtype']} | {r['d']} | {r['causal']} | {r['seq']} | {r['fa2_tflops']:.1f} | "
                     f"{r['flash_tflops']:.1f} | {r['cudnn_tflops']:.1f} | {r['fa2/FA2']:.2f} | "
                     f"{r['fa2/cuDNN']:.2f} | {r['check']} |")
    table = "\n".join(lines)
    summ = "\n".join(summary(rows, gemm))
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write("TFLOP/s, FLOPs = 4*b*h*s^2*d (halved when causal); batch*seq = 16384, heads*d = 2048; "
                "median of triton.testing.do_bench.\n\n" + summ + "\n\n" + table + "\n")
    print(table)
    print(summ)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        combos = sorted({(r["dtype"], r["d"]) for r in rows})
        fig, axes = plt.subplots(1, len(combos), figsize=(4.2 * len(combos), 3.8), squeeze=False)
        for ax, (dt, d) in zip(axes[0], combos):
            for causal, style in ((0, "-"), (1, "--")):
                sel = [r for r in rows if r["dtype"] == dt and r["d"] == d and r["causal"] == causal]
                if not sel:
                    continue
                xs = [r["seq"] for r in sel]
                for key, color, label in (("fa2_tflops", "C0", "fa2"), ("flash_tflops", "C1", "SDPA flash"),
                                          ("cudnn_tflops", "C2", "cuDNN")):
                    ax.plot(xs, [r[key] for r in sel], style, color=color, marker="o", ms=3,
                            label=f"{label}{' causal' if causal else ''}")
            ax.set_xscale("log", base=2)
            ax.set_title(f"{dt}, d={d}")
            ax.set_xlabel("seq (batch*seq = 16384)")
            ax.set_ylabel("TFLOP/s")
            ax.grid(alpha=0.3)
        axes[0][0].legend(fontsize=6)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "bench.png"), dpi=110)
    except Exception as e:
        print(f"run.py: no plot: {e}")


if __name__ == "__main__":
    main()
