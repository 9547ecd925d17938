#!/usr/bin/env python3
#===- bench/decode_pdl.py - split-KV combine: programmatic launch or not --===#
#
# Runs ON the GPU machine over bench/build-decode.sh's kernels:
#
#   python3 bench/decode_pdl.py --kernels DIR [--out $OUT]
#
# Times each split-KV decode kernel of DIR/grid named by --kernels-filter on
# a few cells twice in one process, the combine launched with the
# programmatic stream serialization attribute ("pdl", the manifest's
# combine.programmatic_dependent_launch) and as a plain launch ("plain"),
# beside SDPA flash and cuDNN (interleaved rounds, median of do_bench).
# Both launches must give the same bits, checked first.
#===----------------------------------------------------------------------===#
import argparse
import os
import sys

import decode  # noqa: F401  (imports torch with bench/ off the path first)
from decode import load, make_inputs, median_ms, run_fa2, sdpa_fns
import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernels", required=True)
    p.add_argument("--out", default=".")
    p.add_argument("--filter", default="bf16-d128-q1-g4,bf16-d64-q1-g1,bf16-d128-q4-g8")
    p.add_argument("--cells", default="1024:1,8192:1,32768:1,131072:1,8192:8")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup-ms", type=float, default=3)
    p.add_argument("--rep-ms", type=float, default=10)
    args = p.parse_args()
    kernels = load(os.path.join(args.kernels, "grid"))
    lines = []
    for name in args.filter.split(","):
        kern = kernels[name]
        for cell in args.cells.split(","):
            sk, batch = (int(x) for x in cell.split(":"))
            sq = kern.dims["seq_q"]
            gen = torch.Generator(device="cuda").manual_seed(sk + batch)
            q, k, v = make_inputs(kern, batch, sq, sk, gen)
            fns = {}
            outs = {}
            for label, flag in (("pdl", "1"), ("plain", "0")):
                os.environ["PROGRAMMATIC"] = flag
                launch, o, _ = run_fa2(kern, q, k, v)
                outs[label] = o.clone()
                fns[label] = launch
            os.environ.pop("PROGRAMMATIC")
            same = torch.equal(outs["pdl"], outs["plain"])
            fns.update(sdpa_fns(q, k, v, kern.scale, kern.causal, sq, sk))
            med = median_ms(fns, args)
            best = min(med["flash"], med["cudnn"])
            line = (f"{name} sk={sk} b={batch} splits={kern.last_env.get('num_splits', 1)} "
                    f"pdl {1000 * med['pdl']:.1f}us plain {1000 * med['plain']:.1f}us "
                    f"flash {1000 * med['flash']:.1f}us cudnn {1000 * med['cudnn']:.1f}us "
                    f"best/pdl {best / med['pdl']:.3f} best/plain {best / med['plain']:.3f} "
                    f"same_bits={same}")
            print(line, flush=True)
            lines.append(line)
            del q, k, v, fns, outs
            torch.cuda.empty_cache()
    with open(os.path.join(args.out, "pdl.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
