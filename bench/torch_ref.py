#===- bench/torch_ref.py - fa2.attention's semantics in PyTorch ------------===#
#
# The attention that fa2.attention defines (dialects/attention/AttentionOps.td),
# written with plain PyTorch ops so that nothing depends on which SDPA backend
# runs: GQA by repeating K/V heads, causal aligned bottom-right (key j visible
# to query i iff j <= i + Sk - Sq), i1 masks keep where true, float masks add,
# a fully masked row gives 0 and an LSE of +inf.
#
# upcast=True gives FlashAttention's "ref" (everything in f32);
# upcast=False gives its "ref_lowprec": the products in the inputs' precision
# (matmul results rounded to it), the softmax in f32 rounded back, as
# PyTorch's math path computes.
#
#===----------------------------------------------------------------------===#
import torch


def _bhsd(t, bshd):
    return t.transpose(-3, -2) if bshd else t


def attention_ref(q, k, v, scale, mask=None, causal=False, bshd=False, upcast=True):
    """Returns (o, lse): o in q's layout (f32 when upcast, else q's dtype),
    lse [..., Hq, Sq] in f32."""
    q, k, v = (_bhsd(t, bshd) for t in (q, k, v))
    dtype = q.dtype
    if upcast:
        q, k, v = q.float(), k.float(), v.float()
    hq, hkv = q.shape[-3], k.shape[-3]
    if hq != hkv:
        k = k.repeat_interleave(hq // hkv, dim=-3)
        v = v.repeat_interleave(hq // hkv, dim=-3)
    sq, sk = q.shape[-2], k.shape[-2]
    s = torch.matmul(q, k.transpose(-1, -2)) * scale
    if mask is not None:
        if mask.dtype == torch.bool:
            s = s.masked_fill(~mask, float("-inf"))
        else:
            s = s + (mask.float() if upcast else mask.to(s.dtype))
    if causal:
        i = torch.arange(sq, device=q.device).view(sq, 1)
        j = torch.arange(sk, device=q.device).view(1, sk)
        s = s.masked_fill(j > i + (sk - sq), float("-inf"))
    s32 = s.float()
    m = s32.amax(dim=-1, keepdim=True)
    empty = torch.isneginf(m)
    p = torch.exp(s32 - torch.where(empty, torch.zeros_like(m), m))
    total = p.sum(dim=-1, keepdim=True)
    p = torch.where(empty, torch.zeros_like(p), p / torch.where(empty, torch.ones_like(total), total))
    lse = torch.where(empty, torch.full_like(m, float("inf")), m + torch.log(total)).squeeze(-1)
    o = torch.matmul(p.to(v.dtype), v)
    if not upcast:
        o = o.to(dtype)
    return _bhsd(o, bshd), lse


def fa_rule(out, ref32, ref_lowprec, atol=1e-5):
    """FlashAttention's acceptance rule. Returns (passed, err, lowprec_err)."""
    err = (out.float() - ref32).abs().max().item()
    lp = (ref_lowprec.float() - ref32).abs().max().item()
    ok = bool(torch.isfinite(out.float()).all().item()) and err <= 2 * lp + atol * max(1.0, ref32.abs().max().item())
    return ok, err, lp
