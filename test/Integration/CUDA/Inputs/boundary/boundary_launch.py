#!/usr/bin/env python3
#===- boundary_launch.py - fa2's launches on CUDA's limits, on the GPU -----===#
#
# Runs the kernels of build.sh through their manifests (bench/fa2_kernel.py)
# at the sizes where a launch meets CUDA's limits, and checks each with
# FlashAttention's rule against torch SDPA (bench/check_sdpa.py's mapping of
# fa2's semantics): max|fa2 - ref32| <= 2 max|sdpa_lowprec - ref32| + atol.
#   - the manifest's grid must be within CUDA's limits (x < 2^31, y and z
#     <= 65535) for every size; a grid with a 0 means "nothing to launch",
#     which must happen exactly when the problem is empty;
#   - every output is written (O is poisoned with NaN first), LSE within
#     1e-3 of torch's f32 log-sum-exp;
#   - the mangled kernel's manifest names the function it came from.
# usage: boundary_launch.py KERNELS_DIR   (the build.sh output)
#===----------------------------------------------------------------------===#
import os
import sys

import torch

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 5))
sys.path.insert(0, os.path.join(REPO, "bench"))
from check_sdpa import sdpa  # noqa: E402
from fa2_kernel import Fa2Kernel, eval_expr, find_manifests  # noqa: E402
from torch.nn.attention import SDPBackend  # noqa: E402
from torch_ref import attention_ref  # noqa: E402

LIMITS = (2 ** 31 - 1, 65535, 65535)


def run_case(path, given, label):
    k = Fa2Kernel(path)
    env = k.bind(**{n: v for n, v in given.items() if k.dims.get(n) is None})
    grid = [eval_expr(g, env) for g in k.m["grid"]]
    within = all(0 <= g <= lim for g, lim in zip(grid, LIMITS))
    empty = env["batch"] * env["heads_q"] * env["seq_q"] == 0
    dev = torch.device("cuda")
    gen = torch.Generator(device=dev).manual_seed(1234)
    q, kk, v = ((torch.rand(k.shape(n, env), generator=gen, device=dev) * 2 - 1).to(k.dtype)
                for n in ("q", "k", "v"))
    o = torch.full(k.shape("o", env), float("nan"), device=dev, dtype=k.out_dtype)
    lse = torch.full(k.shape("lse", env), float("nan"), device=dev) if k.has_lse else None
    launched = 0 not in grid
    if launched:
        k(q, kk, v, out=o, lse=lse, env=env)
    torch.cuda.synchronize()
    ok = within and launched == (not empty)
    msg = f"grid={tuple(grid)} launched={int(launched)}"
    if not empty:
        q4, k4, v4 = (t.reshape([-1] + list(t.shape[-3:])) for t in (q, kk, v))
        o4 = o.reshape(q4.shape[:-1] + (o.shape[-1],))
        ref32 = sdpa(q4, k4, v4, None, k.causal, k.scale, k.bshd, upcast=True, backend=SDPBackend.MATH)
        low = sdpa(q4, k4, v4, None, k.causal, k.scale, k.bshd, upcast=False)
        err = (o4.float() - ref32).abs().max().item()
        low_err = (low.float() - ref32).abs().max().item()
        finite = bool(torch.isfinite(o4.float()).all().item())
        ok = ok and finite and err <= 2 * low_err + 1e-5 * max(1.0, ref32.abs().max().item())
        msg += f" err={err:.3e} sdpa_err={low_err:.3e} all_written={int(finite)}"
        if lse is not None:
            _, own_lse = attention_ref(q4, k4, v4, k.scale, causal=k.causal, bshd=k.bshd)
            lse4 = lse.reshape(own_lse.shape)
            fin = torch.isfinite(own_lse)
            lse_err = (lse4[fin] - own_lse[fin]).abs().max().item() if fin.any() else 0.0
            ok = ok and lse_err <= 1e-3 * max(1.0, own_lse[fin].abs().max().item() if fin.any() else 1.0) \
                and bool((lse4[~fin] == float("inf")).all().item())
            msg += f" lse_err={lse_err:.3e}"
        del ref32, low
    dims = " ".join(f"{n}={env[n]}" for n in ("batch", "heads_q", "heads_kv", "seq_q", "seq_k"))
    print(f"boundary: {'PASS' if ok else 'FAIL'} {label} kernel={k.name} function={k.m.get('function')} "
          f"{msg} {dims}", flush=True)
    del q, kk, v, o, lse
    torch.cuda.empty_cache()
    return ok


def main():
    root = sys.argv[1]
    one = lambda sub: find_manifests(os.path.join(root, sub))[0]  # noqa: E731
    cases = [
        (one("big-bh"), {}, "static batch*heads=65600"),
        (one("dynamic"), dict(batch=21851, heads_q=3, heads_kv=3, seq_q=3, seq_k=17),
         "dynamic batch*heads=65553"),
        (one("dynamic"), dict(batch=2, heads_q=4, heads_kv=2, seq_q=113, seq_k=203), "dynamic ordinary"),
        (one("dynamic"), dict(batch=0, heads_q=3, heads_kv=3, seq_q=5, seq_k=9), "dynamic empty batch"),
        (one("mangled"), dict(seq_q=113, seq_k=203), "mangled name"),
    ]
    passed = sum(run_case(p, g, label) for p, g, label in cases)
    print(f"boundary: SUMMARY cases={len(cases)} passed={passed} failed={len(cases) - passed}")
    return 0 if passed == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
