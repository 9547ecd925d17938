#!/usr/bin/env bash
# Lead call 10 (2026-12-05, third session): the tree with the Hopper table's
# 512-key rows (477e98a: d = 64 without a mask 64 x 64 three per SM, d = 256
# Bc = 64). The CUDA lit suite on this tree's kernels (hopper.test: the
# correctness grid, both length variants of the dynamic kernels, sanitizers,
# repeat-run determinism); the Hopper check with a 3-round grid beside SDPA
# flash / cuDNN and the bf16 GEMM. (DECODE=1: the decode grid, unchanged
# kernels.)
# Expectations, written before the call: suite all pass; the grid's 512
# cells at d = 64 without a mask +3-5% over call 7 (0.91 -> ~0.95 of cuDNN),
# d = 256 +2-4% (0.95-0.96 -> ~0.98); every other cell within call 7's noise;
# >= cuDNN on 51-53 of 72 on an H100.
# The steps are call 7's (the same script body ran): run it.
exec bash "$(dirname "$0")/2026-12-05-call7.sh" "$@"
