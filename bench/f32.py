#!/usr/bin/env python3
#===- bench/f32.py - fa2's f32 kernels: error vs f64, speed vs SDPA f32 ----===#
#
# Runs ON the GPU machine, on kernels compiled here by bench/build-f32.sh
# (f32 Q/K/V under f32-precision=accurate and =fast, dynamic lengths):
#
#   python3 bench/f32.py --kernels .device-carry/f32/kernels --out $OUT
#
# Two tables, one process, the same inputs for every contender:
#
# 1. Error (FlashAttention's shape grid: d in the compiled kernels, causal or
#    not, (seq_q, seq_k) from FA's test_flash_attn_output pairs). The
#    reference is SDPA's math path in f64 on the same (f32) inputs. For each
#    case: max|fa2 - ref64| beside max|math_f32 - ref64| (SDPA math in f32,
#    allow_tf32 off: PyTorch's f32 math path) and, for the fast mode, beside
#    max|math_bf16 - ref64| (a bf16 model's math path on the inputs rounded to
#    bf16, which is what fast promises to be within). The ratio fa2/math must
#    be <= 2 (FA's rule) for accurate vs f32 math and for fast vs bf16 math.
#
# 2. Speed (bench grid: batch * seq = 16384 tokens, heads * d = 2048, d in
#    64/128, causal or not): fa2 accurate, fa2 fast, SDPA's efficient backend
#    (CUTLASS memory-efficient attention: 3xTF32 tensor cores for f32) and
#    its math backend in f32, timed with triton's do_bench (median) in
#    interleaved rounds; TFLOP/s (4·b·h·s²·d, halved when causal) and the
#    ratios to the fastest SDPA f32 backend.
#
# Prints both tables last and writes f32-error.csv / f32-speed.csv to --out.
#===----------------------------------------------------------------------===#
import argparse
import csv
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fa2_kernel import Fa2Kernel, find_manifests  # noqa: E402

# FlashAttention's test_flash_attn_output (seqlen_q, seqlen_k) pairs.
FA_SEQS = [(113, 203), (128, 217), (113, 211), (108, 256), (256, 512), (512, 256),
           (1024, 1024), (1023, 1024), (1024, 1023), (2048, 2048)]
TOKENS = 16384
HIDDEN = 2048


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernels", required=True)
    p.add_argument("--out", default=".")
    p.add_argument("--error-seqs", default=",".join(f"{a}:{b}" for a, b in FA_SEQS))
    p.add_argument("--speed-seqs", default="1024,2048,4096,8192")
    p.add_argument("--speed-dims", default="64,128")
    p.add_argument("--batch", type=int, default=4, help="batch of the error grid")
    p.add_argument("--heads", type=int, default=6, help="query heads of the error grid")
    p.add_argument("--warmup-ms", type=float, default=25)
    p.add_argument("--rep-ms", type=float, default=100)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--math-max-bytes", type=float, default=12e9,
                   help="skip the math backend where its f32 score matrix is larger")
    p.add_argument("--skip-speed", action="store_true")
    return p.parse_args()


def index(folder):
    """(precision, d, causal) -> Fa2Kernel for the f32 kernels in `folder`."""
    table = {}
    for path in find_manifests(folder):
        k = Fa2Kernel(path)
        prec = k.m.get("f32_precision", {}).get("mode")
        if k.m["dtype"] != "f32" or prec is None or k.m.get("out_dtype") != "f32":
            continue
        if "mask" in k.m["buffers"] or k.bshd:
            continue
        table[(prec, int(k.dims["head_dim"]), k.causal)] = k
    return table


def sdpa(q, k, v, causal, backend, scale):
    with sdpa_kernel(backend):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale)


def causal_ref(q, k, v, causal, scale):
    """SDPA's is_causal is top-left aligned; fa2's causal is bottom-right
    (key j visible to query i iff j <= i + Sk - Sq). The math path with an
    explicit bottom-right mask, in the inputs' dtype."""
    if not causal:
        return sdpa(q, k, v, False, SDPBackend.MATH, scale)
    sq, sk = q.shape[-2], k.shape[-2]
    i = torch.arange(sq, device=q.device)[:, None]
    j = torch.arange(sk, device=q.device)[None, :]
    keep = j <= i + (sk - sq)
    with sdpa_kernel(SDPBackend.MATH):
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=scale)
    # Rows with no visible key: fa2.attention's answer is 0 (SDPA's is NaN).
    empty = ~keep.any(-1)
    if empty.any():
        o[..., empty, :] = 0
    return o


def error_table(args, table):
    rows = []
    dev = torch.device("cuda")
    for (prec, d, causal), kern in sorted(table.items()):
        for pair in args.error_seqs.split(","):
            sq, sk = map(int, pair.split(":"))
            b, h = args.batch, args.heads
            hkv = kern.dims["heads_kv"] or h
            hq = kern.dims["heads_q"] or h
            gen = torch.Generator(device=dev).manual_seed(7 * sq + sk + d + causal)
            q = torch.randn(b, hq, sq, d, device=dev, generator=gen)
            k = torch.randn(b, hkv, sk, d, device=dev, generator=gen)
            v = torch.randn(b, hkv, sk, d, device=dev, generator=gen)
            scale = kern.scale
            env = kern.bind(batch=b, heads_q=hq, heads_kv=hkv, seq_q=sq, seq_k=sk)
            out = torch.full((b, hq, sq, d), float("nan"), device=dev)
            kern(q, k, v, out=out, env=env)
            torch.cuda.synchronize()
            rep = hq // hkv
            k_, v_ = (t.repeat_interleave(rep, dim=1) for t in (k, v))
            ref64 = causal_ref(q.double(), k_.double(), v_.double(), causal, scale)
            m32 = causal_ref(q, k_, v_, causal, scale)
            m16 = causal_ref(q.bfloat16(), k_.bfloat16(), v_.bfloat16(), causal, scale)
            err = lambda o: (o.double() - ref64).abs().max().item()  # noqa: E731
            e_fa2, e_m32, e_m16 = err(out), err(m32), err(m16)
            unwritten = int(torch.isnan(out).sum().item())
            base = e_m32 if prec == "accurate" else e_m16
            ratio = e_fa2 / base if base > 0 else (0.0 if e_fa2 == 0 else math.inf)
            ok = unwritten == 0 and math.isfinite(e_fa2) and ratio <= 2.0
            rows.append(dict(precision=prec, d=d, causal=int(causal), seq_q=sq, seq_k=sk, batch=b,
                             heads_q=hq, heads_kv=hkv, fa2_err=e_fa2, math_f32_err=e_m32,
                             math_bf16_err=e_m16, ratio=ratio, unwritten=unwritten, ok=int(ok)))
            print(f"f32.py: ERR {'PASS' if ok else 'FAIL'} {prec} d={d} causal={int(causal)} "
                  f"sq={sq} sk={sk} fa2={e_fa2:.3e} math_f32={e_m32:.3e} math_bf16={e_m16:.3e} "
                  f"ratio={ratio:.2f} unwritten={unwritten}", flush=True)
    return rows


def speed_table(args, table):
    from triton.testing import do_bench
    dev = torch.device("cuda")
    rows = []
    for d in map(int, args.speed_dims.split(",")):
        h = HIDDEN // d
        for causal in (False, True):
            for s in map(int, args.speed_seqs.split(",")):
                b = TOKENS // s
                flops = 4 * b * h * s * s * d / (2 if causal else 1)
                gen = torch.Generator(device=dev).manual_seed(s + d + causal)
                q, k, v = (torch.randn(b, h, s, d, device=dev, generator=gen) for _ in range(3))
                scale = 1.0 / math.sqrt(d)
                fns = {}
                # SDPA's is_causal (top-left) equals fa2's bottom-right when sq == sk.
                fns["efficient"] = lambda: sdpa(q, k, v, causal, SDPBackend.EFFICIENT_ATTENTION, scale)
                if b * h * s * s * 4 * 2 <= args.math_max_bytes:
                    fns["math"] = lambda: sdpa(q, k, v, causal, SDPBackend.MATH, scale)
                checks = {}
                ref = fns["efficient"]().double()
                for prec in ("accurate", "fast"):
                    kern = table.get((prec, d, causal))
                    if kern is None:
                        continue
                    if abs(kern.scale - scale) > 1e-6 * scale:
                        print(f"f32.py: {kern.name}: scale {kern.scale} is not 1/sqrt({d}): skipped")
                        continue
                    env = kern.bind(batch=b, heads_q=h, heads_kv=h, seq_q=s, seq_k=s)
                    out = torch.empty_like(q)
                    launch, out, _ = kern.launcher(q, k, v, out=out, env=env)
                    launch()
                    torch.cuda.synchronize()
                    checks[prec] = (out.double() - ref).abs().max().item()
                    fns[prec] = launch
                ms = {n: [] for n in fns}
                for _ in range(args.rounds):
                    for n, fn in fns.items():
                        ms[n].append(do_bench(fn, warmup=args.warmup_ms, rep=args.rep_ms,
                                              return_mode="median"))
                tf = {n: flops / sorted(v)[len(v) // 2] / 1e9 for n, v in ms.items()}
                best_sdpa = max(tf[n] for n in ("efficient", "math") if n in tf)
                row = dict(d=d, causal=int(causal), seq=s, batch=b, heads=h,
                           accurate=tf.get("accurate", 0.0), fast=tf.get("fast", 0.0),
                           efficient=tf["efficient"], math=tf.get("math", 0.0),
                           accurate_ratio=tf.get("accurate", 0.0) / best_sdpa,
                           fast_ratio=tf.get("fast", 0.0) / best_sdpa,
                           accurate_vs_eff=checks.get("accurate", math.nan),
                           fast_vs_eff=checks.get("fast", math.nan))
                rows.append(row)
                print(f"f32.py: SPEED d={d} causal={int(causal)} seq={s} accurate={row['accurate']:.1f} "
                      f"fast={row['fast']:.1f} efficient={row['efficient']:.1f} math={row['math']:.1f} "
                      f"TFLOP/s acc/best={row['accurate_ratio']:.2f} fast/best={row['fast_ratio']:.2f} "
                      f"maxdiff_vs_eff acc={row['accurate_vs_eff']:.2e} fast={row['fast_vs_eff']:.2e}",
                      flush=True)
                del q, k, v, fns, ref
                torch.cuda.empty_cache()
    return rows


def write_csv(path, rows):
    if not rows:
        return
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    # PyTorch's f32 math path must be f32: no TF32 in its matmuls.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"f32.py: {torch.cuda.get_device_name()} torch {torch.__version__}")
    table = index(args.kernels)
    print("f32.py: kernels: " + ", ".join(f"{p}/d{d}/{'causal' if c else 'full'}" for p, d, c in sorted(table)))
    if not table:
        sys.exit("f32.py: no f32 kernels found")
    err = error_table(args, table)
    write_csv(os.path.join(args.out, "f32-error.csv"), err)
    speed = [] if args.skip_speed else speed_table(args, table)
    write_csv(os.path.join(args.out, "f32-speed.csv"), speed)
    print("\n| precision | d | causal | cases | max fa2 err | max math f32 err | max math bf16 err | worst ratio | pass |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups = {}
    for r in err:
        groups.setdefault((r["precision"], r["d"], r["causal"]), []).append(r)
    for key, rs in sorted(groups.items()):
        print(f"| {key[0]} | {key[1]} | {key[2]} | {len(rs)} | {max(r['fa2_err'] for r in rs):.2e} | "
              f"{max(r['math_f32_err'] for r in rs):.2e} | {max(r['math_bf16_err'] for r in rs):.2e} | "
              f"{max(r['ratio'] for r in rs):.2f} | {sum(r['ok'] for r in rs)}/{len(rs)} |")
    if speed:
        print("\n| d | causal | seq | fa2 accurate | fa2 fast | SDPA efficient | SDPA math | accurate/best | fast/best |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in speed:
            print(f"| {r['d']} | {r['causal']} | {r['seq']} | {r['accurate']:.1f} | {r['fast']:.1f} | "
                  f"{r['efficient']:.1f} | {r['math']:.1f} | {r['accurate_ratio']:.2f} | {r['fast_ratio']:.2f} |")
    failed = sum(1 - r["ok"] for r in err)
    print(f"f32.py: SUMMARY error_cases={len(err)} failed={failed} speed_cells={len(speed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
