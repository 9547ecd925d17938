#!/usr/bin/env python3
#===- bench/decode_variants.py - decode/chunked schedule variants, one process ===#
#
# Runs ON the GPU machine over the folders bench/build-decode-variants.sh
# wrote (KERNELS/<cell-kind>/<label>/):
#
#   python3 bench/decode_variants.py --kernels DIR --out $OUT
#
# For each cell (decode: batch, seq_k; chunked: batch at Sq = 512, Sk = 8k)
# every label of the cell kind and SDPA flash / cuDNN run on the same inputs,
# timed in interleaved rounds (median of triton's do_bench); each label is
# checked first on that cell with FlashAttention's rule against an f32
# reference (batch 0 only where the cell is large) and a NaN-poisoned O.
# Labels LABEL@i (the i-th --alt KIND/LABEL=EXPR) launch the same PTX with
# another num_splits expression.
#===----------------------------------------------------------------------===#
import argparse
import os
import sys

import decode  # noqa: F401  (imports torch with bench/ off the path first)
from decode import copy_gbps, load, make_inputs, median_ms, run_fa2, sdpa_fns
import torch
from torch_ref import attention_ref, fa_rule

DECODE_CELLS = [(8192, 1), (32768, 1), (131072, 1), (8192, 8), (131072, 8)]
CHUNKED_CELLS = [(8192, 1), (8192, 4)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernels", required=True)
    p.add_argument("--out", default=".")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup-ms", type=float, default=5)
    p.add_argument("--rep-ms", type=float, default=15)
    p.add_argument("--alt", action="append", default=[],
                   help="KIND/LABEL=EXPR: also time KIND/LABEL with num_splits = EXPR (as LABEL@i, i-th --alt)")
    p.add_argument("--only", default="", help="cell kinds, comma-separated, run in this order")
    p.add_argument("--cells", default="", help="decode cells SK:BATCH,... instead of the default list")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print(f"decode_variants.py: {torch.cuda.get_device_name()} torch {torch.__version__}", flush=True)
    copy_bw = copy_gbps(args)
    print(f"copy {copy_bw:.0f} GB/s", flush=True)
    alts = {}
    for a in args.alt:
        label, expr = a.split("=", 1)
        alts.setdefault(label, []).append(expr)
    lines = [f"copy bandwidth {copy_bw:.0f} GB/s"]
    # --only's kinds in its order (the ones that matter first, where a
    # time limit may cut the run short); else every kind, sorted.
    kinds = args.only.split(",") if args.only else sorted(os.listdir(args.kernels))
    for kind in kinds:
        folder = os.path.join(args.kernels, kind)
        if not os.path.isdir(folder):
            continue
        kernels = load(folder)
        chunked = kind == "chunked"
        cells = DECODE_CELLS
        if args.cells:
            cells = [tuple(int(x) for x in c.split(":")) for c in args.cells.split(",")]
        for sk, batch in (CHUNKED_CELLS if chunked else cells):
            any_k = next(iter(kernels.values()))
            sq = any_k.dims["seq_q"]
            gen = torch.Generator(device="cuda").manual_seed(7 * sk + batch)
            q, k, v = make_inputs(any_k, batch, sq, sk, gen)
            nb = 1 if batch * sk > 65536 else batch
            ref, _ = attention_ref(q[:nb], k[:nb], v[:nb], any_k.scale, causal=any_k.causal)
            reflp, _ = attention_ref(q[:nb], k[:nb], v[:nb], any_k.scale, causal=any_k.causal, upcast=False)
            fns, info = {}, {}
            for label, kern in sorted(kernels.items()):
                variants = [(label, None)] + [(f"{label}@{i}", e)
                                              for i, e in enumerate(alts.get(f"{kind}/{label}", []))]
                for name, expr in variants:
                    rule = kern.m.get("num_splits")
                    if expr is not None:
                        kern.m["num_splits"] = expr
                    try:
                        launch, o, _ = run_fa2(kern, q, k, v)
                    finally:
                        if rule is not None:
                            kern.m["num_splits"] = rule
                    ok, err, lp = fa_rule(o[:nb], ref, reflp)
                    info[name] = (ok, kern.last_env.get("num_splits", 1), err)
                    fns[name] = launch
            fns.update(sdpa_fns(q, k, v, any_k.scale, any_k.causal, sq, sk))
            med = median_ms(fns, args)
            kv_bytes = (k.numel() + v.numel()) * k.element_size()
            best = min(med.get("flash", float("inf")), med.get("cudnn", float("inf")))
            head = f"{kind} sk={sk} b={batch} KV={kv_bytes / 1e6:.0f}MB flash {1000 * med.get('flash', float('nan')):.1f}us " \
                   f"cudnn {1000 * med.get('cudnn', float('nan')):.1f}us"
            print(head, flush=True)
            lines.append(head)
            for n in sorted(info):
                ok, splits, err = info[n]
                t = med[n]
                line = (f"  {n:24s} {1000 * t:9.1f}us {kv_bytes / t / 1e6:6.0f} GB/s "
                        f"{100 * kv_bytes / t / 1e6 / copy_bw:4.0f}% copy  best/fa2 {best / t:5.2f}  "
                        f"flash/fa2 {med.get('flash', float('nan')) / t:5.2f}  splits={splits} "
                        f"{'PASS' if ok else 'FAIL'} err={err:.1e}")
                print(line, flush=True)
                lines.append(line)
            del q, k, v, ref, reflp, fns
            torch.cuda.empty_cache()
    with open(os.path.join(args.out, "variants.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
