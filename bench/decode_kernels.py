#!/usr/bin/env python3
#===- bench/decode_kernels.py - where a decode step's time goes, per kernel --===#
#
# Runs ON the GPU machine:
#
#   python3 bench/decode_kernels.py --cells DIR:SK:BATCH,... [--calls 40]
#
# For each cell (DIR: a folder of one fa2 manifest + PTX, e.g. a
# bench/build-decode.sh grid/<name>), the step replayed from a CUDA graph
# under torch.profiler, beside SDPA's cuDNN backend on the same inputs:
# per call, each kernel's CUPTI duration (the split kernel, the combine
# launch) and the span from the first kernel's start to the last one's end,
# medians over --calls replays. The span minus the kernels is what the
# launch boundary costs (the combine's wait for the split grid). With
# --plain, a kernel pair with a programmatic combine launch is also timed
# with the combine as a plain launch (PROGRAMMATIC=0, bench/fa2_kernel.py):
# the combine's own duration, apart from its wait.
#===----------------------------------------------------------------------===#
import argparse
import os
import sys

import decode  # noqa: F401  (imports torch with bench/ off the path first)
from decode import graphed, make_inputs, run_fa2, sdpa_fns
from decode_timing import kernel_events
from fa2_kernel import Fa2Kernel, find_manifests
import torch
from torch.profiler import ProfilerActivity, profile


def per_kernel(replay, calls):
    """Median CUPTI duration (us) of each kernel name over `calls` replays,
    the median span (first start to last end) of a replay, and the kernel
    count a replay runs."""
    replay()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            replay()
            torch.cuda.synchronize()
    ev = kernel_events(prof)
    n = len(ev) // calls if calls else 0
    if n == 0:
        return {}, float("nan"), 0
    by_name, spans = {}, []
    for c in range(calls):
        group = ev[c * n:(c + 1) * n]
        spans.append(max(e["ts"] + e["dur"] for e in group) - group[0]["ts"])
        for e in group:
            by_name.setdefault(e["name"][:48], []).append(e["dur"])
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return {k: med(v) for k, v in by_name.items()}, med(spans), n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cells", required=True, help="DIR:SK:BATCH,...")
    p.add_argument("--calls", type=int, default=40)
    p.add_argument("--plain", action="store_true", help="also time the combine as a plain launch")
    args = p.parse_args()
    for cell in args.cells.split(","):
        folder, sk, batch = cell.rsplit(":", 2)
        sk, batch = int(sk), int(batch)
        kern = Fa2Kernel(find_manifests(folder)[0])
        sq = kern.dims["seq_q"]
        gen = torch.Generator(device="cuda").manual_seed(batch * 1000003 + sk)
        q, k, v = make_inputs(kern, batch, sq, sk, gen)
        rows, graphs = [], []
        programmatic = bool((kern.combine or {}).get("programmatic_dependent_launch"))
        for who, pdl in (("fa2", "1"), ("plain", "0")):
            if pdl == "0" and not (args.plain and programmatic):
                continue
            os.environ["PROGRAMMATIC"] = pdl
            replay, g = graphed(lambda: run_fa2(kern, q, k, v)[0])
            graphs.append(g)
            if replay is not None:
                rows.append((who,) + per_kernel(replay, args.calls))
        os.environ["PROGRAMMATIC"] = "1"
        cudnn = sdpa_fns(q, k, v, kern.scale, kern.causal, sq, sk).get("cudnn")
        if cudnn is not None:
            r2, _g2 = graphed(lambda: cudnn)
            if r2 is not None:
                rows.append(("cudnn",) + per_kernel(r2, args.calls))
        splits = kern.last_env.get("num_splits", 1)
        print(f"{folder} sk={sk} b={batch} splits={splits}", flush=True)
        for who, kernels, span, n in rows:
            ks = "; ".join(f"{name} {us:.1f}" for name, us in kernels.items())
            print(f"  {who:6s} span {span:7.1f} us, {n} kernels, sum {sum(kernels.values()):7.1f}: {ks}",
                  flush=True)
        del q, k, v, graphs
        torch.cuda.empty_cache()


if __name__ == "__main__":
    sys.exit(main())
