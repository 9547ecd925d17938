#!/usr/bin/env python3
#===- check_libs.py - run fa2-compiled libraries on the GPU, check them --===#
#
# For each library folder under --libs (scripts/fa2-compile.sh output: the
# host code of a module, compiled ahead with its kernels), calls every entry
# point through python/fa2_runtime.py on torch CUDA tensors, and checks each
# output against an independent torch reference of the module's math by
# FlashAttention's rule:
#
#   PASS iff all finite and max|out - ref| <= 2 * max|ref_lowprec - ref| + atol
#
# with ref in float64 and ref_lowprec the same math in the inputs' precision
# (f16/bf16 modules: torch in f16/bf16, as PyTorch's math path; f32 modules:
# torch in f32), atol = 1e-5 * max(1, max|ref|). LSE outputs: within
# 1e-3 * max(1, |ref|). Each entry is called twice (the second into outputs
# poisoned with NaN) and both calls must agree bitwise; the runtime's
# counters give the launches and copies of one call.
#
# A function may be checked at several input sizes (CASES: a list of makers).
#
# usage: check_libs.py --libs DIR [--only NAME,...]
# prints  check_libs: PASS lib=... fn=... inputs=QxK out0=... max_err=... bound=... launches=N copies=N
#         check_libs: SUMMARY cases=N passed=N failed=N
#===----------------------------------------------------------------------===#
import argparse
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "python"))
import fa2_runtime  # noqa: E402

F64 = torch.float64


def attn(q, k, v, scale, mask=None, causal=False, bias=None, dtype=F64, lse=False):
    """Attention over the last two dims of [.., S, D] tensors, in `dtype`:
    mask (bool, True = keep) and bias broadcast against the scores; causal is
    bottom-right aligned. f16/bf16: scores rounded, softmax in f32 rounded,
    P rounded, as PyTorch's math path."""
    q, k, v = q.to(dtype), k.to(dtype), v.to(dtype)
    s = (q @ k.transpose(-1, -2)) * scale
    if bias is not None:
        s = s + bias.to(dtype)
    sq, sk = s.shape[-2], s.shape[-1]
    if causal:
        keep = torch.ones(sq, sk, dtype=torch.bool, device=s.device).tril(sk - sq)
        s = s.masked_fill(~keep, -math.inf)
    if mask is not None:
        s = s.masked_fill(~mask, -math.inf)
    p = torch.softmax(s.float() if dtype in (torch.float16, torch.bfloat16) else s, dim=-1).to(dtype)
    o = p @ v
    if lse:
        return o, torch.logsumexp(s.to(F64 if dtype == F64 else torch.float32), dim=-1)
    return o


def gqa(k, hq):
    return k.repeat_interleave(hq // k.shape[1], dim=1)


def rand(*shape, dtype=torch.float32, gen=None):
    return (torch.rand(*shape, generator=gen, device="cuda", dtype=torch.float32) * 2 - 1).to(dtype)


# Each entry: name -> (inputs(gen), reference(inputs, dtype) -> outputs, kinds)
# kinds: "o" (checked by the rule) or "lse" (relative tolerance) per output.
def _sdpa_bshd_gqa(x, dt):
    q, k, v = (t.transpose(1, 2) for t in x)
    return (attn(q, gqa(k, 8), gqa(v, 8), 0.25, dtype=dt).transpose(1, 2),)


def _causal_iota(x, dt):
    q, k, v = x
    s = torch.arange(32, device="cuda")
    keep = ~(s[None, :] > s[:, None])  # masked where key > query
    return (attn(q, k, v, 0.25, mask=keep, dtype=dt),)


def _decode(x, dt):
    q, k, v = x
    return (attn(q, gqa(k, 8), gqa(v, 8), 0.176776695, dtype=dt),)


def _dynamic_padding(x, dt):
    q, k, v, m = x
    return (attn(q, k, v, 0.25, mask=m[:, None, None, :], dtype=dt),)


def _named(x, dt):
    q, k, v, bias = x
    return (attn(q, k, v, 0.25, bias=bias, dtype=dt),)


def _tosa_lse(x, dt):
    q, k, v, m = x
    o, lse = attn(q, k, v, 0.25, mask=m, dtype=dt, lse=True)
    return o, lse.unsqueeze(-1)


def _tosa(x, dt):
    q, k, v, bias = x  # bias [2,1,1,32] over the (2, 4) split of the batch 8
    o = attn(q.reshape(2, 4, 32, 16), k.reshape(2, 4, 32, 16), v.reshape(2, 4, 32, 16),
             0.25, bias=bias, dtype=dt)
    return (o.reshape(8, 32, 16),)


def _block(x, dt):
    xx, wq, wk, wv, wo = (t.to(dt) for t in x)
    heads = lambda t: t.reshape(16, 4, 16).transpose(0, 1)  # noqa: E731
    o = attn(heads(xx @ wq), heads(xx @ wk), heads(xx @ wv), 0.25, dtype=dt)
    return (o.transpose(0, 1).reshape(16, 64) @ wo + xx,)


def _f16(x, dt):
    return (attn(*x, 0.25, dtype=dt),)


def _example(x, dt):
    return (attn(*x, 0.125, dtype=dt),)


def _two(x, dt):
    q, k, v = x
    o1 = attn(q, k, v, 0.125, dtype=dt)
    if dt != F64:
        o1 = o1.to(q.dtype)
    return (attn(o1, k, v, 0.125, causal=True, dtype=dt),)


def _residual(x, dt):
    q, k, v = x
    o, lse = attn(q, k, v, 0.1767767, causal=True, dtype=dt, lse=True)
    if dt != F64:
        o = o.to(q.dtype)
    return (o.to(dt) + q.to(dt)), lse


def _dynamic_seq(x, dt):
    q, k, v = x
    return (attn(q, gqa(k, 8), gqa(v, 8), 0.125, causal=True, dtype=dt),)


def _prefill_split(x, dt):
    q, k, v = x
    return (attn(q, k, v, 0.08838834764831845, causal=True, dtype=dt),)


def _hopper_decode(x, dt):
    q, k, v = x
    return attn(q, gqa(k, 32), gqa(v, 32), 0.0883883476, causal=True, dtype=dt, lse=True)


H, BF, F = torch.float16, torch.bfloat16, torch.float32
CASES = {
    "sdpa_bshd_gqa": (lambda g: [rand(2, 32, 8, 16, gen=g), rand(2, 32, 2, 16, gen=g), rand(2, 32, 2, 16, gen=g)], _sdpa_bshd_gqa, "o"),
    "causal_iota": (lambda g: [rand(2, 4, 32, 16, gen=g) for _ in range(3)], _causal_iota, "o"),
    "decode_step": (lambda g: [rand(1, 8, 1, 32, gen=g), rand(1, 2, 64, 32, gen=g), rand(1, 2, 64, 32, gen=g)], _decode, "o"),
    "dynamic_padding": (lambda g: [rand(3, 4, 37, 16, gen=g), rand(3, 4, 53, 16, gen=g), rand(3, 4, 53, 16, gen=g),
                                   torch.rand(3, 53, generator=g, device="cuda") < 0.8], _dynamic_padding, "o"),
    "f16_attention": (lambda g: [rand(2, 4, 32, 16, dtype=H, gen=g) for _ in range(3)], _f16, "o"),
    "named_attention": (lambda g: [rand(4, 32, 16, gen=g) for _ in range(3)] + [rand(4, 32, 32, gen=g)], _named, "o"),
    "tosa_attention_lse": (lambda g: [rand(4, 32, 16, dtype=H, gen=g) for _ in range(3)] +
                           [torch.rand(1, 32, 32, generator=g, device="cuda") < 0.8], _tosa_lse, "o,lse"),
    "tosa_attention": (lambda g: [rand(8, 32, 16, gen=g) for _ in range(3)] + [rand(2, 1, 1, 32, gen=g)], _tosa, "o"),
    "attention_block": (lambda g: [rand(16, 64, gen=g)] + [rand(64, 64, gen=g) * 0.125 for _ in range(4)], _block, "o"),
    "attention": (lambda g: [rand(16, 128, 64, dtype=H, gen=g) for _ in range(3)], _example, "o"),
    "two_attentions": (lambda g: [rand(2, 4, 128, 64, dtype=H, gen=g) for _ in range(3)], _two, "o"),
    "attention_residual": (lambda g: [rand(2, 4, 96, 32, dtype=H, gen=g), rand(2, 4, 160, 32, dtype=H, gen=g),
                                      rand(2, 4, 160, 32, dtype=H, gen=g)], _residual, "o,lse"),
    # Both sides of the sm_90a kernel's seq_k ranges (d = 64 causal: one
    # kernel up to 2048 keys, another beyond; the host code picks), with tails.
    "dynamic_seq": ([lambda g, sq=sq, sk=sk: [rand(1, 8, sq, 64, dtype=BF, gen=g), rand(1, 2, sk, 64, dtype=BF, gen=g),
                                             rand(1, 2, sk, 64, dtype=BF, gen=g)]
                     for sq, sk in ((203, 250), (1000, 2048), (1000, 2049), (1100, 2500))], _dynamic_seq, "o"),
    # The prefill tile's run-time split (sm_90): 5 splits at batch 1 of 600
    # keys (the kernel, then the combine), one at batch 32 (the unsplit kernel
    # alone), a tail of seq_k in each.
    "prefill_split": ([lambda g, b=b, sk=sk: [rand(b, 8, 256, 128, dtype=BF, gen=g), rand(b, 8, sk, 128, dtype=BF, gen=g),
                                             rand(b, 8, sk, 128, dtype=BF, gen=g)]
                       for b, sk in ((1, 600), (32, 300))], _prefill_split, "o"),
    # The sm_90a decode kernel: one split (the kernel writes O and LSE), and
    # split-KV with the combine launch, a tail of seq_k in each.
    "hopper_decode": ([lambda g, b=b, sk=sk: [rand(b, 32, 16, 128, dtype=BF, gen=g), rand(b, 4, sk, 128, dtype=BF, gen=g),
                                             rand(b, 4, sk, 128, dtype=BF, gen=g)]
                       for b, sk in ((1, 200), (2, 4097), (1, 65537))], _hopper_decode, "o,lse"),
}


def check_output(out, ref, low, kind):
    out64 = out.to(F64)
    if not torch.isfinite(out64).all():
        return False, float("nan"), 0.0
    err = (out64 - ref).abs().max().item()
    if kind == "lse":
        bound = 1e-3 * max(1.0, ref.abs().max().item())
    else:
        bound = 2 * (low.to(F64) - ref).abs().max().item() + 1e-5 * max(1.0, ref.abs().max().item())
    return err <= bound, err, bound


def check_call(lib, name, fn_name, fn, make, ref_fn, kinds):
    """Calls FN twice on MAKE's inputs, prints its line; True iff it passed."""
    gen = torch.Generator(device="cuda").manual_seed(1234)
    x = make(gen)
    x_before = [t.clone() for t in x]
    # The inputs' sizes, where one function is called at several.
    shapes = "x".join(str(d) for d in x[0].shape) + ":" + "x".join(str(d) for d in x[1].shape)
    try:
        first = fn(*x)
        first = first if isinstance(first, tuple) else (first,)
        poisoned = tuple(torch.full_like(t, float("nan")) if t.is_floating_point() else t for t in first[:len(fn.outs)])
        c0 = lib.counters()
        second = fn(*x, out=poisoned) if fn.outs else fn(*x)
        torch.cuda.synchronize()
        c1 = lib.counters()
        second = second if isinstance(second, tuple) else (second,)
    except Exception as e:
        print("check_libs: FAIL lib=%s fn=%s inputs=%s: %s" % (name, fn_name, shapes, e))
        return False
    ref = ref_fn(x, F64)
    ref = ref if isinstance(ref, tuple) else (ref,)
    low_dt = x[0].dtype if x[0].dtype in (H, BF) else F
    low = ref_fn(x, low_dt)
    ok = all(torch.equal(a, b) for a, b in zip(x, x_before))
    same = all(torch.equal(a.view(torch.uint8) if a.dtype != torch.bool else a,
                           b.view(torch.uint8) if b.dtype != torch.bool else b) for a, b in zip(first, second))
    ok &= same
    parts = []
    for i, (o, r, lo, kind) in enumerate(zip(first, ref, low, kinds.split(","))):
        good, err, bound = check_output(o, r.to(F64), lo, kind)
        ok &= good and tuple(o.shape) == tuple(r.shape)
        parts.append("out%d=%s max_err=%.2e bound=%.2e" % (i, kind, err, bound))
    if len(first) != len(ref):
        ok = False
        parts.append("outputs=%d expected=%d" % (len(first), len(ref)))
    delta = {k: c1[k] - c0[k] for k in c1}
    print("check_libs: %s lib=%s fn=%s inputs=%s %s repeat_equal=%d inputs_unchanged=%d launches=%d copies=%d "
          "host_copies=%d allocs=%d syncs=%d" % (
              "PASS" if ok else "FAIL", name, fn_name, shapes, " ".join(parts), same,
              all(torch.equal(a, b) for a, b in zip(x, x_before)), delta["launches"],
              delta["copies"], delta["copiesToHost"], delta["allocs"], delta["syncs"]))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--libs", required=True)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    cases = passed = 0
    for name in sorted(os.listdir(args.libs)):
        folder = os.path.join(args.libs, name)
        if not os.path.isdir(folder) or (only and name not in only):
            continue
        try:
            lib = fa2_runtime.load(folder)
        except Exception as e:  # a library that does not load fails its cases
            cases += 1
            print("check_libs: FAIL lib=%s load: %s" % (name, e))
            continue
        for fn_name, fn in sorted(lib.functions.items()):
            if fn_name not in CASES:
                cases += 1
                print("check_libs: FAIL lib=%s fn=%s: no reference for it" % (name, fn_name))
                continue
            makers, ref_fn, kinds = CASES[fn_name]
            for make in (makers if isinstance(makers, list) else [makers]):
                cases += 1
                passed += check_call(lib, name, fn_name, fn, make, ref_fn, kinds)
    print("check_libs: SUMMARY cases=%d passed=%d failed=%d" % (cases, passed, cases - passed))
    return 0 if cases and passed == cases else 1


if __name__ == "__main__":
    sys.exit(main())
