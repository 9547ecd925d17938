#!/usr/bin/env python3
#===- bench/decode.py - fa2 decode (split-KV, packed GQA) vs PyTorch SDPA ---===#
#
# Runs ON the GPU machine, after bench/build-decode.sh compiled the kernels
# here:
#
#   python3 bench/decode.py --kernels DIR --out $OUT [--quick]
#
# One process, the same inputs for every backend:
#   1. the device-to-device copy bandwidth (torch copy_ of 2 GiB, bytes read
#      plus written), the ceiling the decode numbers are set against;
#   2. correctness of every kernel under DIR on FlashAttention's seq pairs
#      that its static seq_q allows ((1,1), (1,128k), (239,1), (8,4096)
#      causal, ...): NaN-poisoned O and LSE, FlashAttention's rule against
#      an f32 reference (max|out - ref| <= 2 max|lowprec - ref| + eps), LSE
#      within 1e-3 relative, +inf exactly where a row is empty, a second
#      launch bitwise equal;
#   3. the decode grid: Sq in {1, 4, 16}, GQA group G in {1, 4, 8} (8 K/V
#      heads), d in {64, 128}, seq_k 1k..128k, batch 1..64: GB/s of K/V read
#      by fa2, SDPA flash and cuDNN (enable_gqa; Sq > 1 causal bottom-right
#      through causal_lower_right), % of the copy bandwidth, fa2 over the
#      faster of the two; median of do_bench's method (bench_ms: the L2
#      flushed by a read before each call, --flush) in interleaved rounds,
#      each backend's call replayed from a CUDA graph (--timing graph: the
#      GPU's time; SDPA's eager call costs more CPU than a small step takes);
#   4. schedule variants (grid under DIR/variant) on a sub-grid;
#   5. chunked prefill (Sq = 512, Sk = 8k, causal) against SDPA flash.
# Writes decode.csv and decode.md to --out, prints the tables last.
#===----------------------------------------------------------------------===#
import argparse
import csv
import math
import os
import re
import sys
import time

# bench/ holds a profile.py, which shadows the standard library's `profile`
# that torch._dynamo imports (through cProfile) when causal_lower_right is
# imported: import torch with this script's folder off the path first.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.attention import SDPBackend, sdpa_kernel  # noqa: E402
from torch.nn.attention.bias import causal_lower_right  # noqa: E402

sys.path.insert(0, _HERE)
from fa2_kernel import Fa2Kernel, find_manifests  # noqa: E402
from torch_ref import attention_ref, fa_rule  # noqa: E402
from run import rotated  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--kernels", required=True)
    p.add_argument("--out", default=".")
    p.add_argument("--seqks", default="1024,8192,32768,131072")
    p.add_argument("--batches", default="1,8,64")
    p.add_argument("--max-kv-gb", type=float, default=18.0)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--warmup-ms", type=float, default=10)
    p.add_argument("--rep-ms", type=float, default=30)
    p.add_argument("--only", default="", help="check,grid,variant,chunked (default all)")
    p.add_argument("--other-combine", default="grid-other",
                   help="folder under --kernels with the grid's kernels built with the other "
                        "combine mode (launch <-> last_cta), timed beside each grid cell")
    p.add_argument("--sanitize", action="store_true", help="one small case per check kernel, no timing")
    p.add_argument("--num-splits-alt", default="",
                   help="also time fa2 with this num_splits expression, or 'ceil' for the rule "
                        "before full waves, or 'sm:N' for N CTAs per SM instead of 2 (same PTX: another "
                        "split count at launch)")
    p.add_argument("--grid-filter", default="", help="only grid kernels whose folder name contains this")
    p.add_argument("--timing", default="graph", choices=("graph", "eager"),
                   help="graph: every backend's call captured once in a CUDA graph and timed as a "
                        "replay (the GPU's time, not Python's: SDPA's eager call costs 50-100 us of "
                        "CPU, more than a small decode step); eager: the calls themselves")
    p.add_argument("--flush", default="read", choices=("read", "zero"),
                   help="the L2 flush before each timed call: read a 256 MB buffer (clean lines), or "
                        "zero it as triton's do_bench does (dirty lines the timed call writes back: "
                        "~12 us on every backend's step, bench/NOTES.md)")
    p.add_argument("--eager-sdpa", action="store_true",
                   help="with --timing graph, also time SDPA's eager calls (flash_eager, cudnn_eager)")
    return p.parse_args()


_L2_FLUSH = {}


def l2_flush(kind):
    """Evicts the L2 (50 MB on the H200) before a timed call by touching a
    256 MB buffer. `zero` writes it, as triton's do_bench does: the L2 is
    then full of dirty lines, and the timed call that follows writes them
    back to DRAM while it reads, up to 50 MB of traffic that is not its
    own (~12 us at the copy bandwidth, on every backend alike). `read`
    reads it (a max reduction): the L2 holds clean lines of the buffer,
    and the timed call's DRAM traffic is its own."""
    if "buf" not in _L2_FLUSH:
        _L2_FLUSH["buf"] = torch.ones(64 << 20, dtype=torch.int32, device="cuda")
    buf = _L2_FLUSH["buf"]
    if kind == "zero":
        buf.zero_()
    else:
        buf.max()


def bench_ms(fn, args):
    """Median milliseconds of `fn`, do_bench's method with the flush
    --flush chooses: a few calls estimate its time, warm-up calls for
    --warmup-ms, then calls for --rep-ms, each after an L2 flush and
    between its own pair of events."""
    kind = getattr(args, "flush", "read")
    fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(5):
        l2_flush(kind)
        fn()
    end.record()
    torch.cuda.synchronize()
    estimate = max(start.elapsed_time(end) / 5, 1e-3)
    warmups = max(1, int(args.warmup_ms / estimate))
    reps = max(1, int(args.rep_ms / estimate))
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for _ in range(warmups):
        fn()
    for i in range(reps):
        l2_flush(kind)
        starts[i].record()
        fn()
        ends[i].record()
    torch.cuda.synchronize()
    times = sorted(s.elapsed_time(e) for s, e in zip(starts, ends))
    return times[len(times) // 2]



def median_ms(fns, args):
    """Median milliseconds of each of `fns`, timed in args.rounds interleaved
    rounds (every function once per round, so drift hits them alike; the
    order rotated every round, run.py's `rotated`, so that no one keeps a
    slot of the round)."""
    times = {n: [] for n in fns}
    for r in range(args.rounds):
        for n in rotated(list(fns), r):
            times[n].append(bench_ms(fns[n], args))
    return {n: sorted(t)[len(t) // 2] for n, t in times.items()}

def graphed(make_fn):
    """`make_fn()` called on a side stream returns the function to capture
    (fa2's launcher binds the stream it is made on); warmed up there, then
    captured once in a CUDA graph. Returns (replay, graph), or (None, why)
    where the capture fails (the caller times the eager call instead)."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    graph = torch.cuda.CUDAGraph()
    try:
        with torch.cuda.stream(side):
            fn = make_fn()
            fn()
            fn()  # lazy initialization (cuDNN plans) before the capture
            side.synchronize()
            graph.capture_begin()
            try:
                fn()
            finally:
                graph.capture_end()
        torch.cuda.current_stream().wait_stream(side)
        graph.replay()
        torch.cuda.synchronize()
        return graph.replay, graph
    except Exception as e:  # noqa: BLE001 - any capture failure falls back to eager
        torch.cuda.synchronize()
        return None, f"{type(e).__name__}: {str(e)[:120]}"


def copy_gbps(args):
    n = 1 << 30  # 2 GiB of bf16
    a = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    b = torch.empty_like(a)
    ms = bench_ms(lambda: b.copy_(a), args)
    del a, b
    return 2 * 2 * n / ms / 1e6


def load(folder):
    out = {}
    for path in find_manifests(folder):
        k = Fa2Kernel(path)
        out[os.path.basename(os.path.dirname(path))] = k
    return out


def make_inputs(kern, batch, sq, sk, gen):
    dims = kern.dims
    hq, hkv, d = dims["heads_q"], dims["heads_kv"], dims["head_dim"]
    dev = "cuda"
    if kern.bshd:
        qs, ks = (batch, sq, hq, d), (batch, sk, hkv, d)
    else:
        qs, ks = (batch, hq, sq, d), (batch, hkv, sk, d)
    q = torch.randn(qs, device=dev, dtype=kern.dtype, generator=gen)
    k = torch.randn(ks, device=dev, dtype=kern.dtype, generator=gen)
    v = torch.randn(ks, device=dev, dtype=kern.dtype, generator=gen)
    return q, k, v


def run_fa2(kern, q, k, v, mask=None):
    env = kern.env_from(q, k, v)
    o = torch.full(kern.shape("o", env), float("nan"), device="cuda", dtype=kern.out_dtype)
    lse = torch.full(kern.shape("lse", env), float("nan"), device="cuda") if kern.has_lse else None
    launch, o, lse = kern.launcher(q, k, v, mask=mask, out=o, lse=lse, env=env)
    for t in kern.scratch.values():  # poison the scratch too: the splits must write it all
        t.fill_(float("nan"))
    launch()
    torch.cuda.synchronize()
    return launch, o, lse


def check_case(kern, name, batch, sq, sk, seed, results, repeat=True):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    q, k, v = make_inputs(kern, batch, sq, sk, gen)
    mask = None
    if "mask" in kern.m["buffers"]:
        # A padding mask per sequence: sequence b keeps its first len_b keys
        # (one sequence keeps none: an empty row).
        lens = torch.randint(0, sk + 1, (batch,), device="cuda", generator=gen)
        lens[0] = sk
        if batch > 1:
            lens[1] = 0
        mask = (torch.arange(sk, device="cuda").view(1, sk) < lens.view(batch, 1)).view(batch, 1, 1, sk)
    launch, o, lse = run_fa2(kern, q, k, v, mask)
    ref, lse32 = attention_ref(q, k, v, kern.scale, mask=mask, causal=kern.causal, bshd=kern.bshd)
    reflp, _ = attention_ref(q, k, v, kern.scale, mask=mask, causal=kern.causal, bshd=kern.bshd, upcast=False)
    ok, err, lp = fa_rule(o, ref, reflp)
    detail = f"err={err:.2e} lowprec={lp:.2e}"
    if lse is not None:
        empty = torch.isinf(lse32)
        finite = ~empty
        lse_err = (lse[finite] - lse32[finite]).abs().max().item() if finite.any() else 0.0
        inf_ok = bool(torch.equal(torch.isposinf(lse), empty))
        ok = ok and inf_ok and lse_err <= 1e-3 * max(1.0, lse32[finite].abs().max().item() if finite.any() else 1.0)
        detail += f" lse_err={lse_err:.2e} inf_ok={inf_ok}"
    if repeat:
        o1 = o.clone()
        launch()
        torch.cuda.synchronize()
        same = bool(torch.equal(o1, o))
        ok = ok and same
        detail += f" repeat_equal={same}"
    # The last-CTA combine leaves every arrival counter at zero.
    left = sum(int(t.count_nonzero().item()) for t in kern.counters.values())
    if kern.counters:
        ok = ok and left == 0
        detail += f" counters_left={left}"
    splits = kern.last_env.get("num_splits", 1)
    results.append(dict(kernel=name, batch=batch, sq=sq, sk=sk, splits=splits, ok=ok, detail=detail))
    print(f"check {'PASS' if ok else 'FAIL'} {name} b={batch} sq={sq} sk={sk} splits={splits} {detail}", flush=True)
    del q, k, v, o, lse, ref, reflp


def checks(kernels, args):
    results = []
    seed = 0
    for name, kern in sorted(kernels.items()):
        sq_static = kern.dims["seq_q"]
        pairs = []
        if sq_static is None:
            pairs = [(239, 1), (113, 203), (1, 1), (8, 4096), (1023, 1024)]
        else:
            pairs = [(sq_static, sk) for sk in (1, 3, 203, 4096, 131072)]
            if sq_static > 1:
                pairs.append((sq_static, sq_static - 1))  # bottom-right: some rows empty
        if args.sanitize:
            pairs = pairs[:2] + [pairs[3]] if len(pairs) > 3 else pairs
        for sq, sk in pairs:
            for batch in ((1, 3) if sk <= 4096 else (1,)):
                seed += 1
                try:
                    check_case(kern, name, batch, sq, sk, seed, results, repeat=not args.sanitize)
                except Exception as e:
                    results.append(dict(kernel=name, batch=batch, sq=sq, sk=sk, ok=False, detail=f"ERROR {e}"))
                    print(f"check ERROR {name} b={batch} sq={sq} sk={sk}: {type(e).__name__}: {e}", flush=True)
                torch.cuda.empty_cache()
    return results


def sdpa_fns(q, k, v, scale, causal, sq, sk):
    fns = {}
    for name, backend in (("flash", SDPBackend.FLASH_ATTENTION), ("cudnn", SDPBackend.CUDNN_ATTENTION)):
        def fn(backend=backend):
            with sdpa_kernel(backend):
                if causal and sq > 1:
                    if sq == sk:
                        return F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale, enable_gqa=True)
                    return F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(sq, sk),
                                                          scale=scale, enable_gqa=True)
                return F.scaled_dot_product_attention(q, k, v, scale=scale, enable_gqa=True)
        try:
            fn()
            torch.cuda.synchronize()
            fns[name] = fn
        except Exception as e:
            print(f"  sdpa {name} unavailable: {type(e).__name__}: {str(e)[:100]}", flush=True)
    return fns


def combine_mode(kern):
    """The manifest's combine: none, launch or last_cta."""
    c = kern.m.get("combine")
    return "none" if c is None else c.get("mode", "launch")


def time_cell(kern, batch, sk, args, with_sdpa=True, other=None):
    other_kern = other
    sq = kern.dims["seq_q"]
    gen = torch.Generator(device="cuda").manual_seed(batch * 1000003 + sk)
    q, k, v = make_inputs(kern, batch, sq, sk, gen)
    launch, o, _ = run_fa2(kern, q, k, v)
    fns = {"fa2": launch}
    if other is not None:
        # The same cell with the other combine mode, same inputs, same
        # process: the last-CTA merge against the combine launch.
        other_launch, other_o, _ = run_fa2(other, q, k, v)
        fns["fa2_other"] = other_launch
        d_other = (other_o.float() - o.float()).abs().max().item()
        left = sum(int(t.count_nonzero().item()) for t in list(kern.counters.values()) +
                   list(other.counters.values()))
        if not d_other < 0.05 or left:
            print(f"  other combine: output differs by {d_other:.3g}, counters left {left}", flush=True)
    alt_splits = None
    if getattr(args, "num_splits_alt", "") and "num_splits" in kern.m:
        # Another split rule on the same kernel: num_splits is a launch
        # argument of a dynamic-seq_k kernel, so only the manifest changes.
        rule = kern.m["num_splits"]
        if args.num_splits_alt == "ceil":
            # The rule before full waves: 2·SMs / CTAs rounded up.
            alt = re.sub(r"2 \* sm_count / max\((.*?), 1\)", r"ceildiv(2 * sm_count, max(\1, 1))", rule)
        elif re.fullmatch(r"sm:\d+", args.num_splits_alt):
            # N CTAs per SM instead of the rule's 2 (same blocks per split).
            alt = rule.replace("2 * sm_count", args.num_splits_alt[3:] + " * sm_count")
        else:
            alt = args.num_splits_alt
        kern.m["num_splits"] = alt
        try:
            alt_launch, alt_o, _ = run_fa2(kern, q, k, v)
            alt_splits = kern.last_env["num_splits"]
            fns["fa2_alt"] = alt_launch
            diff_alt = (alt_o.float() - o.float()).abs().max().item()
            if not diff_alt < 0.05:
                print(f"  alt rule: output differs from the manifest rule's by {diff_alt:.3g}", flush=True)
        finally:
            kern.m["num_splits"] = rule
        launch, o, _ = run_fa2(kern, q, k, v)  # last_env back to the manifest's rule
        fns["fa2"] = launch
    if with_sdpa:
        fns.update(sdpa_fns(q, k, v, kern.scale, kern.causal, sq, sk))
    # A quick agreement check against the fastest backend's output.
    diff = float("nan")
    if "cudnn" in fns or "flash" in fns:
        other = (fns.get("cudnn") or fns.get("flash"))()
        diff = (other.float() - o.float()).abs().max().item()
    graphs = []
    if getattr(args, "timing", "eager") == "graph":
        # Each backend's call as a CUDA graph replay: what the GPU takes,
        # the same for fa2 (a ctypes launch, ~10 us of Python) and SDPA
        # (sdpa_kernel's context and the dispatcher, 50-100 us of Python
        # per call on the H200 host, more than do_bench's L2 flush hides).
        # fa2's launchers are made again on the capture stream.
        makers = {"fa2": lambda: run_fa2(kern, q, k, v)[0]}
        if other_kern is not None:
            makers["fa2_other"] = lambda: run_fa2(other_kern, q, k, v)[0]
        for n in ("flash", "cudnn"):
            if n in fns:
                makers[n] = (lambda f=fns[n]: f)
        eager = {n: fns[n] for n in ("flash", "cudnn") if n in fns}
        for n, make in makers.items():
            replay, g = graphed(make)
            if replay is None:
                print(f"  {n}: no CUDA graph ({g}); timed eager", flush=True)
                continue
            fns[n] = replay
            graphs.append(g)
        if getattr(args, "eager_sdpa", False):
            fns.update({n + "_eager": f for n, f in eager.items()})
    med = median_ms(fns, args)
    del graphs
    kv_bytes = (k.numel() + v.numel()) * k.element_size()
    del q, k, v, o
    torch.cuda.empty_cache()
    if alt_splits is not None:
        med["alt_splits"] = alt_splits
    return med, kv_bytes, diff, kern.last_env.get("num_splits", 1)


def write_csv(rows, out):
    with open(os.path.join(out, "decode.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
        w.writeheader()
        w.writerows(rows)


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    only = set(args.only.split(",")) if args.only else {"check", "grid", "variant", "chunked"}
    print(f"decode.py: {torch.cuda.get_device_name()} torch {torch.__version__} "
          f"SMs {torch.cuda.get_device_properties(0).multi_processor_count}", flush=True)
    lines = []
    check_results = []
    if "check" in only:
        for sub in (("check",) if args.sanitize else ("check", "grid")):
            folder = os.path.join(args.kernels, sub)
            if os.path.isdir(folder):
                kernels = load(folder)
                if sub == "grid" and not args.sanitize:
                    # The grid's kernels on fewer pairs: sk 1, 203, 128k.
                    pass
                check_results += checks(kernels, args)
        npass = sum(r["ok"] for r in check_results)
        lines.append(f"checks: {npass}/{len(check_results)} PASS")
        print(lines[-1], flush=True)
        if args.sanitize:
            return
    copy_bw = copy_gbps(args)
    print(f"decode.py: device-to-device copy {copy_bw:.0f} GB/s", flush=True)
    rows = []
    if "grid" in only:
        kernels = load(os.path.join(args.kernels, "grid"))
        other_dir = os.path.join(args.kernels, args.other_combine)
        others = load(other_dir) if args.other_combine and os.path.isdir(other_dir) else {}
        for name, kern in sorted(kernels.items(), key=lambda kv: (kv[1].dims["head_dim"], kv[1].dims["seq_q"],
                                                                    kv[1].dims["heads_q"])):
            if args.grid_filter and not any(f in name for f in args.grid_filter.split(",")):
                continue
            for sk in map(int, args.seqks.split(",")):
                for batch in map(int, args.batches.split(",")):
                    kvb = 2 * batch * kern.dims["heads_kv"] * sk * kern.dims["head_dim"] * 2
                    if kvb > args.max_kv_gb * 1e9:
                        continue
                    med, kv_bytes, diff, splits = time_cell(kern, batch, sk, args, other=others.get(name))
                    alt_splits = med.pop("alt_splits", None)
                    gbps = {n: kv_bytes / t / 1e6 for n, t in med.items()}
                    best = max(gbps.get("flash", 0), gbps.get("cudnn", 0))
                    row = dict(kernel=name, d=kern.dims["head_dim"], sq=kern.dims["seq_q"],
                               g=kern.dims["heads_q"] // kern.dims["heads_kv"], sk=sk, batch=batch,
                               kv_mb=kv_bytes / 1e6, splits=splits,
                               fa2_gbps=gbps["fa2"], flash_gbps=gbps.get("flash", float("nan")),
                               cudnn_gbps=gbps.get("cudnn", float("nan")),
                               pct_copy=100 * gbps["fa2"] / copy_bw,
                               ratio_best=gbps["fa2"] / best if best else float("nan"), maxdiff=diff,
                               fa2_us=1000 * med["fa2"], combine=combine_mode(kern),
                               cudnn_us=1000 * med.get("cudnn", float("nan")))
                    if "fa2_other" in med:
                        row.update(other_gbps=gbps["fa2_other"], other_us=1000 * med["fa2_other"])
                    row["timing"] = f"{args.timing}, flush {args.flush}"
                    for n in ("flash", "cudnn"):
                        if n + "_eager" in med:
                            row[n + "_eager_us"] = 1000 * med[n + "_eager"]
                            row[n + "_us"] = 1000 * med[n]
                    rows.append(row)
                    write_csv(rows, args.out)  # each cell as it comes: a run cut short keeps them
                    if alt_splits is not None:
                        row.update(alt_splits=alt_splits, alt_gbps=gbps["fa2_alt"])
                        print(f"  alt rule: splits={alt_splits} {gbps['fa2_alt']:.0f} GB/s vs "
                              f"{gbps['fa2']:.0f} GB/s with splits={splits}", flush=True)
                    print(f"grid {name} sk={sk} b={batch} KV={kv_bytes/1e6:.0f}MB splits={splits}: "
                          f"fa2 {row['fa2_gbps']:.0f} flash {row['flash_gbps']:.0f} cudnn {row['cudnn_gbps']:.0f} GB/s "
                          f"({row['pct_copy']:.0f}% copy, {row['ratio_best']:.2f}x best) diff={diff:.2e} "
                          f"combine={row['combine']}"
                          + (f" other {row['other_gbps']:.0f} GB/s" if "other_gbps" in row else "")
                          + (f" cudnn eager {row['cudnn_eager_us']:.1f} us graph {row['cudnn_us']:.1f} us"
                             if "cudnn_eager_us" in row else ""), flush=True)
    vrows = []
    if "variant" in only and os.path.isdir(os.path.join(args.kernels, "variant")):
        kernels = load(os.path.join(args.kernels, "variant"))
        base = load(os.path.join(args.kernels, "grid"))
        for name, kern in sorted(kernels.items()):
            if not ("-q1-" in name or "-q16-g8" in name):
                continue
            for sk, batch in ((131072, 1), (8192, 64)):
                med, kv_bytes, _, splits = time_cell(kern, batch, sk, args, with_sdpa=False)
                bname = name.rsplit("-", 1)[0]
                bmed, _, _, bsplits = time_cell(base[bname], batch, sk, args, with_sdpa=False)
                vrows.append(dict(variant=name, sk=sk, batch=batch, gbps=kv_bytes / med["fa2"] / 1e6,
                                  base_gbps=kv_bytes / bmed["fa2"] / 1e6, splits=splits))
                print(f"variant {name} sk={sk} b={batch}: {vrows[-1]['gbps']:.0f} GB/s vs default "
                      f"{vrows[-1]['base_gbps']:.0f} (splits {splits} / {bsplits})", flush=True)
    if "chunked" in only and os.path.isdir(os.path.join(args.kernels, "chunked")):
        for name, kern in load(os.path.join(args.kernels, "chunked")).items():
            for batch in (1, 4):
                sk = 8192
                med, kv_bytes, diff, _ = time_cell(kern, batch, sk, args)
                sq, hq, d = 512, kern.dims["heads_q"], kern.dims["head_dim"]
                # causal bottom-right: row i sees Sk - Sq + i + 1 keys
                flops = 4 * batch * hq * d * sum(sk - sq + i + 1 for i in range(sq))
                tf = {n: flops / t / 1e9 for n, t in med.items()}
                lines.append(f"chunked prefill {name} b={batch} Sq=512 Sk=8k causal: fa2 {tf['fa2']:.0f} "
                             f"flash {tf.get('flash', float('nan')):.0f} cudnn {tf.get('cudnn', float('nan')):.0f} "
                             f"TFLOP/s, fa2/flash {tf['fa2'] / tf.get('flash', float('nan')):.2f} diff={diff:.2e}")
                print(lines[-1], flush=True)
    if rows and "other_gbps" in rows[0]:
        # The last-CTA merge against the combine launch, same cells.
        lines.append("")
        lines.append("| d | Sq | G | Sk | batch | splits | default | launch us | last_cta us | last_cta/launch | "
                     "cuDNN us | best-of-two/best SDPA |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            if "other_us" not in r:
                continue
            lc = r["fa2_us"] if r["combine"] == "last_cta" else r["other_us"]
            la = r["other_us"] if r["combine"] == "last_cta" else r["fa2_us"]
            lines.append(f"| {r['d']} | {r['sq']} | {r['g']} | {r['sk']} | {r['batch']} | {r['splits']} | "
                         f"{r['combine']} | {la:.1f} | {lc:.1f} | {la / lc:.2f} | {r['cudnn_us']:.1f} | "
                         f"{max(r['fa2_gbps'], r['other_gbps']) / max(r['flash_gbps'], r['cudnn_gbps']):.2f} |")
    if rows:
        write_csv(rows, args.out)
    md = [f"copy bandwidth {copy_bw:.0f} GB/s; timing: {args.timing}"
          + (" (every backend's call replayed from a CUDA graph)" if args.timing == "graph" else "")
          + f"; L2 flush before each call: {args.flush}", "",
          "| d | Sq | G | Sk | batch | K/V MB | splits | fa2 GB/s | flash | cuDNN | % copy | fa2/best |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['d']} | {r['sq']} | {r['g']} | {r['sk']} | {r['batch']} | {r['kv_mb']:.0f} | {r['splits']} | "
                  f"{r['fa2_gbps']:.0f} | {r['flash_gbps']:.0f} | {r['cudnn_gbps']:.0f} | {r['pct_copy']:.0f} | "
                  f"{r['ratio_best']:.2f} |")
    if rows:
        big = [r for r in rows if r["kv_mb"] >= 256]
        small = [r for r in rows if r["kv_mb"] < 256]
        md.append("")
        md.append(f"cells >= 256 MB: {len(big)}; >= 80% copy: {sum(r['pct_copy'] >= 80 for r in big)}; "
                  f">= 1.0x best: {sum(r['ratio_best'] >= 1.0 for r in big)}; "
                  f"min ratio {min((r['ratio_best'] for r in big), default=float('nan')):.2f}")
        md.append(f"cells < 256 MB: {len(small)}; >= 1.0x best: {sum(r['ratio_best'] >= 1.0 for r in small)}; "
                  f"min ratio {min((r['ratio_best'] for r in small), default=float('nan')):.2f}")
    for v in vrows:
        md.append(f"variant {v['variant']} sk={v['sk']} b={v['batch']}: {v['gbps']:.0f} vs {v['base_gbps']:.0f} GB/s")
    md += lines
    with open(os.path.join(args.out, "decode.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
