#!/usr/bin/env python3
#===- bench/profile_decode.py - one decode kernel's launches, for ncu -------===#
#
# Runs ON the GPU machine: launches the kernel of one folder that
# bench/build-decode.sh or bench/build-decode-variants.sh wrote (its manifest
# and PTX; the combine too where the step has splits) on random inputs of
# one cell, a few times, so that Nsight Compute can profile them:
#
#   ncu --clock-control none -k regex:fa2_attention -c 1 --set full -o $OUT/q16 \
#       python3 bench/profile_decode.py .device-carry/dec/grid/bf16-d64-q16-g8 32768 8
#   ncu -i $OUT/q16.ncu-rep --page details > $OUT/q16-details.txt
#
# usage: python3 bench/profile_decode.py FOLDER SEQ_K BATCH [--launches N]
#===----------------------------------------------------------------------===#
import argparse

import decode  # noqa: F401  (imports torch with bench/ off the path first)
from decode import load, make_inputs, run_fa2
import torch

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("seq_k", type=int)
p.add_argument("batch", type=int)
p.add_argument("--launches", type=int, default=3)
args = p.parse_args()
kernels = load(args.folder)
if len(kernels) != 1:
    raise SystemExit(f"profile_decode.py: {args.folder} holds {len(kernels)} manifests, not one")
kern = next(iter(kernels.values()))
gen = torch.Generator(device="cuda").manual_seed(11)
q, k, v = make_inputs(kern, args.batch, kern.dims["seq_q"], args.seq_k, gen)
launch, o, _ = run_fa2(kern, q, k, v)
for _ in range(args.launches):
    launch()
torch.cuda.synchronize()
print(f"profile_decode.py: {kern.m['kernel']} seq_k={args.seq_k} batch={args.batch} "
      f"splits={kern.last_env.get('num_splits', 1)} launches={args.launches + 1} O finite={bool(o.isfinite().all())}")
