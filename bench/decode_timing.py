#!/usr/bin/env python3
#===- bench/decode_timing.py - one decode cell timed every way, one process --===#
#
# Runs ON the GPU machine over bench/build-decode.sh's kernels:
#
#   python3 bench/decode_timing.py --kernels DIR --out $OUT [--cells KERNEL:SK:BATCH,...]
#
# Why the same PTX timed 18.3 us eagerly (decode_variants.py) and 22.9 us
# from a CUDA graph (decode.py) at d = 128 G = 8 batch 1 8k: each cell's
# fa2 kernel and SDPA flash / cuDNN, in interleaved rounds, timed
#   eager   the call itself between events (do_bench: L2 flushed before each)
#   graph   the call captured once in a CUDA graph, the replay timed alike
#   kernel  the kernels' own durations as CUPTI records them (torch.profiler,
#           eager and graph), summed per call, L2 flushed before each call
# and fa2 also as the evening's variants run launched it ("stale"): a
# launcher whose scratch and counter tensors were dropped before two more
# launchers of the same kernel were made (Fa2Kernel kept only the latest
# launcher's buffers), so that its last-CTA counter may lie in memory torch
# gave to their NaN-filled scratch. After the timing, each fa2 launcher's O
# is checked again with FlashAttention's rule and "stale"'s counter is read.
# Writes timing.md.
#===----------------------------------------------------------------------===#
import argparse
import json
import os
import sys
import tempfile

import decode  # noqa: F401  (imports torch with bench/ off the path first)
from decode import bench_ms, graphed, make_inputs, run_fa2, sdpa_fns
from fa2_kernel import Fa2Kernel, find_manifests
import torch
from torch.profiler import ProfilerActivity, profile
from torch_ref import attention_ref, fa_rule

CELLS = ("bf16-d128-q1-g8:8192:1,bf16-d128-q1-g8:1024:1,bf16-d128-q1-g8:32768:1,"
         "bf16-d64-q1-g8:8192:1,bf16-d128-q1-g1:8192:1")


def kernel_events(prof):
    """The CUDA kernel events (CUPTI: name, ts, dur in us) of a finished
    torch.profiler run, in start order."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        prof.export_chrome_trace(f.name)
        trace = json.load(open(f.name))
    return sorted((e for e in trace.get("traceEvents", []) if e.get("cat") == "kernel"),
                  key=lambda e: e["ts"])


def kernel_us(fn, calls):
    """Median over `calls` calls of the summed CUPTI durations (us) of the
    kernels each call ran, the L2 flushed (a fill kernel) before each."""
    flush = torch.empty(256 << 20, dtype=torch.int8, device="cuda")
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            flush.zero_()
            fn()
        torch.cuda.synchronize()
    kernels = kernel_events(prof)
    per_call, cur, names = [], None, set()
    for e in kernels:
        if "fill" in e["name"].lower() or "zero" in e["name"].lower():
            if cur:
                per_call.append(cur)
            cur = []
            continue
        if cur is not None:
            cur.append(e["dur"])
            names.add(e["name"][:60])
    if cur:
        per_call.append(cur)
    sums = sorted(sum(c) for c in per_call if c)
    if not sums:
        return float("nan"), 0, names
    return sums[len(sums) // 2], max(len(c) for c in per_call), names


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernels", required=True)
    p.add_argument("--out", default=".")
    p.add_argument("--cells", default=CELLS)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup-ms", type=float, default=5)
    p.add_argument("--rep-ms", type=float, default=15)
    p.add_argument("--calls", type=int, default=30, help="calls profiled for the kernel durations")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    lines = [f"decode_timing.py: {torch.cuda.get_device_name()} torch {torch.__version__}"]
    print(lines[0], flush=True)
    for cell in args.cells.split(","):
        name, sk, batch = cell.split(":")
        sk, batch = int(sk), int(batch)
        path = find_manifests(os.path.join(args.kernels, "grid", name))[0]
        kern = Fa2Kernel(path)
        sq = kern.dims["seq_q"]
        gen = torch.Generator(device="cuda").manual_seed(batch * 1000003 + sk)
        q, k, v = make_inputs(kern, batch, sq, sk, gen)
        ref, _ = attention_ref(q, k, v, kern.scale, causal=kern.causal)
        reflp, _ = attention_ref(q, k, v, kern.scale, causal=kern.causal, upcast=False)
        eager, eager_o, _ = run_fa2(kern, q, k, v)
        fns = {"fa2_eager": eager}
        made = {}

        def make_fa2():
            made["fn"] = run_fa2(kern, q, k, v)[0]
            return made["fn"]
        replay, g_fa2 = graphed(make_fa2)
        fns["fa2_graph"] = replay
        graphs = [g_fa2]
        for n, f in sdpa_fns(q, k, v, kern.scale, kern.causal, sq, sk).items():
            fns[n + "_eager"] = f
            r, g = graphed(lambda f=f: f)
            if r is not None:
                fns[n + "_graph"] = r
                graphs.append(g)
        times = {n: [] for n in fns}
        for _ in range(args.rounds):
            for n, fn in fns.items():
                times[n].append(1000 * bench_ms(fn, args))
        cupti = {n: kernel_us(fns[n], args.calls) for n in
                 ("fa2_eager", "fa2_graph", "cudnn_eager", "cudnn_graph", "flash_graph")
                 if n in fns}
        # Last, apart from the launchers above (its writes land in memory it
        # no longer owns), "stale": the evening run's sequence (a label, then
        # its two --alt launchers of the same kernel), with the label's
        # scratch released as Fa2Kernel released it.
        stale, stale_o, _ = run_fa2(kern, q, k, v)
        stale_counter = kern.counters.get("combine_counter")
        counter_ptr = None if stale_counter is None else stale_counter.data_ptr()
        stale.buffers = {n: t for n, t in stale.buffers.items() if n in ("q", "k", "v", "o", "lse")}
        stale_counter = None
        rule = kern.m["num_splits"]
        others = []
        for n in ("16", "66"):
            kern.m["num_splits"] = n
            others.append(run_fa2(kern, q, k, v))
        kern.m["num_splits"] = rule
        fns["fa2_stale"] = stale
        times["fa2_stale"] = [1000 * bench_ms(stale, args) for _ in range(args.rounds)]
        cupti["fa2_stale"] = kernel_us(stale, args.calls)
        checks = {}
        for n, o in (("fa2_eager", eager_o), ("fa2_graph", made["fn"].buffers["o"]), ("fa2_stale", stale_o)):
            ok, err, _ = fa_rule(o, ref, reflp)
            checks[n] = f"{'PASS' if ok else 'FAIL'} err={err:.1e}"
        # Where the stale launcher's counter was: what is there now.
        if counter_ptr is not None:
            owner = [n for n, t in list(others[0][0].buffers.items()) + list(others[1][0].buffers.items())
                     if t.data_ptr() <= counter_ptr < t.data_ptr() + t.numel() * t.element_size()]
            checks["stale counter"] = f"now inside: {', '.join(owner) or 'no live launcher buffer'}"
        head = f"{name} sk={sk} b={batch}"
        print(head, flush=True)
        lines.append(head)
        for n in fns:
            t = times[n]
            c = cupti.get(n)
            line = (f"  {n:12s} median {sorted(t)[len(t) // 2]:8.2f} us  rounds {' '.join(f'{x:.2f}' for x in t)}"
                    + (f"  kernels {c[0]:8.2f} us ({c[1]} a call: {'; '.join(sorted(c[2]))})" if c else "")
                    + (f"  {checks[n]}" if n in checks else ""))
            print(line, flush=True)
            lines.append(line)
        if "stale counter" in checks:
            lines.append(f"  stale counter {checks['stale counter']}")
            print(lines[-1], flush=True)
        del graphs, fns, others, q, k, v, ref, reflp
        torch.cuda.empty_cache()
        with open(os.path.join(args.out, "timing.md"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
