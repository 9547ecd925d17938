#!/usr/bin/env bash
# Lead call 8 (2026-12-04, second session): the combine launch's tail. Call 7
# (CUPTI, graph replay) put the split kernel of d = 64 Sq 4 G 4 128k batch 1
# at 65.4 us and the combine's end 10.2 us later, where cuDNN's reduction
# kernel ends 3.6 us after its main kernel. Each launch-mode cell timed with
# the programmatic combine (as the grid runs it) and as a plain launch.
# Expected: the plain combine's own duration 2-4 us, so most of the tail is
# the programmatic wait (griddepcontrol.wait on a grid that is already
# resident), and a plain launch ends 3-6 us sooner.
set -u
export PYTHONUNBUFFERED=1 PATH=/usr/local/cuda/bin:$PATH
L=.device-carry/lead5; B=$L/base/grid; O=$L/base/grid-other
K="$O/bf16-d64-q1-g4:131072:1,$B/bf16-d64-q4-g4:131072:1,$B/bf16-d64-q16-g8:131072:1,$B/bf16-d128-q16-g8:8192:8"
K="$K,$B/bf16-d128-q4-g4:8192:8,$B/bf16-d128-q16-g4:8192:8,$O/bf16-d128-q1-g4:8192:1,$B/bf16-d64-q4-g4:32768:1"
timeout 200 python3 bench/decode_kernels.py --plain --calls 30 --cells "$K" 2>&1 | grep -v Warn
