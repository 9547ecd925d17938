#!/usr/bin/env python3
#===- bench/check_sdpa.py - fa2's kernels against torch SDPA ---------------===#
#
# End-to-end check ON the GPU machine: each kernel (a manifest, or every
# manifest under a folder) runs on random inputs, and so does
# torch.nn.functional.scaled_dot_product_attention on the same tensors:
#   ref32  = SDPA on the inputs upcast to f32 (math backend),
#   sdpa   = SDPA in the inputs' precision (whatever backend torch picks),
# and FlashAttention's rule decides:  max|fa2 - ref32| <= 2 max|sdpa - ref32|.
# fa2's semantics are mapped onto SDPA's explicitly: bshd is transposed, GQA
# uses enable_gqa, causal with seq_q != seq_k becomes a bottom-right boolean
# mask (SDPA's is_causal is top-left), and rows SDPA leaves NaN because every
# key is masked are compared with fa2's 0. The LSE is checked against
# bench/torch_ref.py's f32 log-sum-exp.
#
#   python3 bench/check_sdpa.py KERNELS... [--seqs 113:203,1024:1024] [--batch 2]
# Prints one "check_sdpa: PASS|FAIL ..." line per case and a SUMMARY; exit 1
# on any failure.
#
#===----------------------------------------------------------------------===#
import argparse
import os
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fa2_kernel import DIM_NAMES, Fa2Kernel, find_manifests  # noqa: E402
from torch_ref import attention_ref  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kernels", nargs="+", help="manifest files or folders")
    p.add_argument("--seqs", default="113:203,1024:1024", help="SQ:SK pairs for dynamic lengths")
    p.add_argument("--batch", type=int, default=2, help="batch, when dynamic")
    p.add_argument("--heads", type=int, default=8, help="heads_q, when dynamic (heads_kv = heads_q)")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def make_inputs(k, env, gen, dev):
    bufs = {}
    for name in ("q", "k", "v"):
        bufs[name] = (torch.rand(k.shape(name, env), generator=gen, device=dev) * 2 - 1).to(k.dtype)
    if "mask" in k.m["buffers"]:
        spec = k.m["buffers"]["mask"]
        shape = k.shape("mask", env)
        if spec["dtype"] == "i1":
            bufs["mask"] = torch.rand(shape, generator=gen, device=dev) < 0.8
        else:
            m = torch.rand(shape, generator=gen, device=dev) * 4 - 2
            m = m.masked_fill(torch.rand(shape, generator=gen, device=dev) < 0.05, float("-inf"))
            bufs["mask"] = m.to(torch.float16 if spec["dtype"] == "f16" else
                                torch.bfloat16 if spec["dtype"] == "bf16" else torch.float32)
    return bufs


def positional_ref(q, k, v, mask, kern, upcast):
    """fa2.attention's semantics written out, for what SDPA cannot say: a
    sliding window and a finite fill (a removed score becomes the fill, a
    float mask is added to it too; every key then counts). In the inputs'
    precision, or in f64 when upcast."""
    if kern.bshd:
        q, k, v = (t.transpose(-3, -2) for t in (q, k, v))
    dt = torch.float64 if upcast else q.dtype
    q, k, v = q.to(dt), k.to(dt), v.to(dt)
    if q.shape[-3] != k.shape[-3]:
        rep = q.shape[-3] // k.shape[-3]
        k, v = k.repeat_interleave(rep, dim=-3), v.repeat_interleave(rep, dim=-3)
    s = torch.matmul(q, k.transpose(-1, -2)) * kern.scale
    sq, sk = s.shape[-2], s.shape[-1]
    i = torch.arange(sq, device=q.device).view(sq, 1)
    j = torch.arange(sk, device=q.device).view(1, sk)
    diag = i + (sk - sq)
    keep = torch.ones(sq, sk, dtype=torch.bool, device=q.device)
    if kern.causal:
        keep &= j <= diag
    if kern.m.get("window_left") is not None:
        keep &= (j >= diag - kern.m["window_left"]) & (j <= diag + kern.m["window_right"])
    fill = kern.m.get("fill")
    removed = float("-inf") if fill is None else max(min(fill, torch.finfo(dt).max), -torch.finfo(dt).max)
    if mask is not None and mask.dtype == torch.bool:
        keep = keep & mask
    s = s.masked_fill(~keep, removed)
    if mask is not None and mask.dtype != torch.bool:
        s = s + mask.to(dt)
    o = torch.matmul(torch.softmax(s, dim=-1), v)
    o = torch.nan_to_num(o, nan=0.0)
    return o.transpose(-3, -2) if kern.bshd else o


def sdpa(q, k, v, mask, causal, scale, bshd, upcast, backend=None):
    """fa2's semantics through SDPA. Returns o in q's layout. Upcast: f32,
    or f64 for f32 inputs (their reference is f64, FA's rule then compares
    the kernel with SDPA's f32)."""
    if bshd:
        q, k, v = (t.transpose(-3, -2) for t in (q, k, v))
    if upcast:
        wide = torch.float64 if q.dtype == torch.float32 else torch.float32
        q, k, v = q.to(wide), k.to(wide), v.to(wide)
    sq, sk = q.shape[-2], k.shape[-2]
    attn_mask = None
    if mask is not None:
        attn_mask = mask if mask.dtype == torch.bool else mask.to(q.dtype)
    if causal:
        i = torch.arange(sq, device=q.device).view(sq, 1)
        j = torch.arange(sk, device=q.device).view(1, sk)
        keep = j <= i + (sk - sq)
        if attn_mask is None:
            attn_mask = keep
        elif attn_mask.dtype == torch.bool:
            attn_mask = attn_mask & keep
        else:
            attn_mask = attn_mask.masked_fill(~keep, float("-inf"))
    # Fold several batch dims: SDPA takes any leading dims.
    kwargs = dict(attn_mask=attn_mask, scale=scale, enable_gqa=q.shape[-3] != k.shape[-3])
    if backend is not None:
        with sdpa_kernel(backend):
            o = F.scaled_dot_product_attention(q, k, v, **kwargs)
    else:
        o = F.scaled_dot_product_attention(q, k, v, **kwargs)
    o = torch.nan_to_num(o, nan=0.0)
    return o.transpose(-3, -2) if bshd else o


def main():
    args = parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    pairs = [tuple(map(int, p.split(":"))) for p in args.seqs.split(",")]
    paths = [p for k in args.kernels for p in find_manifests(k)]
    if not paths:
        print("check_sdpa: error: no manifest found")
        return 2
    passed = failed = 0
    for path in paths:
        k = Fa2Kernel(path)
        seen = set()
        for sq, sk in pairs:
            given = {"seq_q": sq, "seq_k": sk, "batch": args.batch, "heads_q": args.heads,
                     "heads_kv": args.heads}
            given = {n: v for n, v in given.items() if k.dims.get(n) is None}
            env = k.bind(**given)
            key = tuple(env[n] for n in DIM_NAMES)
            if key in seen:  # static lengths: one case is enough
                continue
            seen.add(key)
            gen = torch.Generator(device=dev).manual_seed(args.seed + sq * 7919 + sk)
            bufs = make_inputs(k, env, gen, dev)
            q, kk, v, mask = bufs["q"], bufs["k"], bufs["v"], bufs.get("mask")
            o = torch.full(k.shape("o", env), float("nan"), device=dev, dtype=k.out_dtype)
            lse = torch.full(k.shape("lse", env), float("nan"), device=dev) if k.has_lse else None
            k(q, kk, v, mask=mask, out=o, lse=lse, env=env)
            torch.cuda.synchronize()
            shape4 = lambda t: t.reshape([-1] + list(t.shape[-3:]))  # noqa: E731
            q4, k4, v4 = shape4(q), shape4(kk), shape4(v)
            o4 = o.reshape(q4.shape[:-1] + (o.shape[-1],))
            m4 = None
            if mask is not None:
                m4 = mask
            if k.m.get("window_left") is not None or k.m.get("fill") is not None:
                ref32 = positional_ref(q4, k4, v4, m4, k, upcast=True)
                low = positional_ref(q4, k4, v4, m4, k, upcast=False)
            else:
                ref32 = sdpa(q4, k4, v4, m4, k.causal, k.scale, k.bshd, upcast=True, backend=SDPBackend.MATH)
                low = sdpa(q4, k4, v4, m4, k.causal, k.scale, k.bshd, upcast=False)
            own32, own_lse = attention_ref(q4, k4, v4, k.scale, mask=m4, causal=k.causal, bshd=k.bshd)
            ref32 = ref32.double()
            err = (o4.double() - ref32).abs().max().item()
            sdpa_err = (low.double() - ref32).abs().max().item()
            diff = (o4.float() - low.float()).abs().max().item()
            self_err = (own32.double() - ref32).abs().max().item()
            # A fast f32 kernel rounds to bf16 by policy: its low-precision
            # comparison is SDPA in bf16 on the same inputs.
            if k.m.get("f32_precision", {}).get("mode") == "fast":
                rounded = [t.bfloat16() if t is not None and t.dtype == torch.float32 else t
                           for t in (q4, k4, v4)]
                low16 = sdpa(*rounded, m4, k.causal, k.scale, k.bshd, upcast=False) \
                    if k.m.get("window_left") is None and k.m.get("fill") is None \
                    else positional_ref(*rounded, m4, k, upcast=False)
                sdpa_err = (low16.double() - ref32).abs().max().item()
            atol = (1e-7 if k.dtype == torch.float32 else 1e-5) * max(1.0, ref32.abs().max().item())
            ok = bool(torch.isfinite(o4.float()).all().item()) and err <= 2 * sdpa_err + atol
            msg = f"err={err:.3e} sdpa_err={sdpa_err:.3e} diff_sdpa={diff:.3e} torch_ref_vs_sdpa32={self_err:.1e}"
            if lse is not None:
                lse4 = lse.reshape(own_lse.shape)
                finite = torch.isfinite(own_lse)
                lse_err = (lse4[finite] - own_lse[finite]).abs().max().item() if finite.any() else 0.0
                empty_ok = bool((lse4[~finite] == float("inf")).all().item())
                ok = ok and empty_ok and lse_err <= 1e-3 * max(1.0, own_lse[finite].abs().max().item()
                                                               if finite.any() else 1.0)
                msg += f" lse_err={lse_err:.3e} empty_rows={int((~finite).sum().item())}"
            dims = " ".join(f"{n}={env[n]}" for n in DIM_NAMES)
            print(f"check_sdpa: {'PASS' if ok else 'FAIL'} {msg} kernel={k.name} {k.m['dtype']} "
                  f"{k.m['layout']} causal={int(k.causal)} {dims} ({os.path.relpath(path)})", flush=True)
            passed += ok
            failed += not ok
    print(f"check_sdpa: SUMMARY cases={passed + failed} passed={passed} failed={failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
