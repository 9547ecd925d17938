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
# timed in interleaved rounds (median of decode.bench_ms: the L2 flushed by
# a read before each call, --flush; every round's time is printed too),
# each call replayed from a CUDA graph (--timing graph, as decode.py's grid)
# or launched eagerly (--timing eager); each label is
# checked on that cell with FlashAttention's rule against an f32 reference
# (batch 0 only where the cell is large) and a NaN-poisoned O, before the
# timing and again on the timed launcher's O after it (a launch that wrote
# where it should not, or skipped its merge, fails there).
# Labels LABEL@i (the i-th --alt KIND/LABEL=EXPR) launch the same PTX with
# another num_splits expression. Writes variants.md and variants.csv.
#===----------------------------------------------------------------------===#
import argparse
import csv
import os
import sys

import decode  # noqa: F401  (imports torch with bench/ off the path first)
from decode import bench_ms, copy_gbps, graphed, load, make_inputs, run_fa2, sdpa_fns
import torch
from torch_ref import attention_ref, fa_rule

DECODE_CELLS = [(8192, 1), (32768, 1), (131072, 1), (8192, 8), (131072, 8)]
CHUNKED_CELLS = [(8192, 1), (8192, 4)]


def rounds_ms(fns, args):
    """Each of `fns` timed once per round in args.rounds interleaved rounds
    (drift hits them alike): name -> the rounds' milliseconds."""
    times = {n: [] for n in fns}
    for _ in range(args.rounds):
        for n, fn in fns.items():
            times[n].append(bench_ms(fn, args))
    return times


def write_results(out, lines, rows):
    with open(os.path.join(out, "variants.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    if rows:
        with open(os.path.join(out, "variants.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


def make_launcher(kern, q, k, v, expr):
    """run_fa2 with num_splits = expr (None: the manifest's rule)."""
    rule = kern.m.get("num_splits")
    if expr is not None:
        kern.m["num_splits"] = expr
    try:
        return run_fa2(kern, q, k, v)
    finally:
        if rule is not None:
            kern.m["num_splits"] = rule


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
    p.add_argument("--labels", default="", help="only these labels (comma-separated; LABEL@i follow LABEL)")
    p.add_argument("--flush", default="read", choices=("read", "zero"), help="as decode.py's --flush")
    p.add_argument("--timing", default="graph", choices=("graph", "eager"),
                   help="graph: each call replayed from a CUDA graph (decode.py's grid); eager: launched")
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
    rows = []
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
            fns, info, outs = {}, {}, {}
            makers = {}
            for label, kern in sorted(kernels.items()):
                if args.labels and label not in args.labels.split(","):
                    continue
                variants = [(label, None)] + [(f"{label}@{i}", e)
                                              for i, e in enumerate(alts.get(f"{kind}/{label}", []))]
                for name, expr in variants:
                    launch, o, _ = make_launcher(kern, q, k, v, expr)
                    ok, err, lp = fa_rule(o[:nb], ref, reflp)
                    info[name] = (ok, kern.last_env.get("num_splits", 1), err)
                    fns[name] = launch
                    outs[name] = o
                    makers[name] = (lambda kern=kern, expr=expr: make_launcher(kern, q, k, v, expr)[0])
            sdpa = sdpa_fns(q, k, v, any_k.scale, any_k.causal, sq, sk)
            fns.update(sdpa)
            makers.update({n: (lambda f=f: f) for n, f in sdpa.items()})
            graphs = []
            if args.timing == "graph":
                for n, make in makers.items():
                    made = {}

                    def keep(make=make, made=made):
                        made["fn"] = make()
                        return made["fn"]
                    replay, g = graphed(keep)
                    if replay is None:
                        print(f"  {n}: no CUDA graph ({g}); timed eager", flush=True)
                        continue
                    fns[n] = replay
                    graphs.append(g)
                    if n in outs:
                        # The captured launcher's own O (it owns its buffers).
                        outs[n] = made["fn"].buffers["o"]
            times = rounds_ms(fns, args)
            med = {n: sorted(t)[len(t) // 2] for n, t in times.items()}
            del graphs
            kv_bytes = (k.numel() + v.numel()) * k.element_size()
            best = min(med.get("flash", float("inf")), med.get("cudnn", float("inf")))
            head = f"{kind} sk={sk} b={batch} KV={kv_bytes / 1e6:.0f}MB flash {1000 * med.get('flash', float('nan')):.1f}us " \
                   f"cudnn {1000 * med.get('cudnn', float('nan')):.1f}us ({args.timing})"
            print(head, flush=True)
            lines.append(head)
            for n in sorted(info):
                ok, splits, err = info[n]
                # After the timing: the timed launcher's O still passes.
                ok_after, err_after, _ = fa_rule(outs[n][:nb], ref, reflp)
                t = med[n]
                line = (f"  {n:24s} {1000 * t:9.1f}us {kv_bytes / t / 1e6:6.0f} GB/s "
                        f"{100 * kv_bytes / t / 1e6 / copy_bw:4.0f}% copy  best/fa2 {best / t:5.2f}  "
                        f"flash/fa2 {med.get('flash', float('nan')) / t:5.2f}  splits={splits} "
                        f"{'PASS' if ok else 'FAIL'} err={err:.1e} after {'PASS' if ok_after else 'FAIL'}  "
                        f"rounds us {' '.join(f'{1000 * x:.1f}' for x in times[n])}")
                print(line, flush=True)
                lines.append(line)
                rows.append({"kind": kind, "label": n, "sk": sk, "batch": batch, "kv_mb": kv_bytes / 1e6,
                             "splits": splits, "us": 1000 * t, "pct_copy": 100 * kv_bytes / t / 1e6 / copy_bw,
                             "best_sdpa_us": 1000 * best, "ratio_best": best / t, "pass": ok,
                             "pass_after": ok_after, "timing": f"{args.timing}, flush {args.flush}",
                             "rounds_us": " ".join(f"{1000 * x:.2f}" for x in times[n]),
                             "flash_rounds_us": " ".join(f"{1000 * x:.2f}" for x in times.get("flash", [])),
                             "cudnn_rounds_us": " ".join(f"{1000 * x:.2f}" for x in times.get("cudnn", []))})
            del q, k, v, ref, reflp, fns, outs, makers
            torch.cuda.empty_cache()
            write_results(args.out, lines, rows)  # after every cell: a time limit keeps what ran
    write_results(args.out, lines, rows)

if __name__ == "__main__":
    sys.exit(main())
