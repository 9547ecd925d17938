#!/usr/bin/env python3
# ===- time_raise.py - time one fa2-opt run and bound it ------------------=== #
#
# Usage: time_raise.py --max-cpu-seconds T [--min-bytes N] INPUT -- CMD...
# Runs CMD, prints
#   raise: input=<bytes> bytes wall=<s> s cpu=<s> s
# and fails when CMD fails, when CPU time (user + sys of CMD) exceeds T, or
# when INPUT is smaller than N bytes (the module must stay real-sized). The
# bound is on CPU time, not wall time, so that a loaded CI machine (lit runs
# tests in parallel on 2 cores) does not make the test flaky; wall time is
# printed for the record.
#
# ===----------------------------------------------------------------------=== #
import argparse
import os
import resource
import subprocess
import sys
import time


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("time_raise.py: missing -- before the command")
    cut = argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-cpu-seconds", type=float, required=True)
    ap.add_argument("--min-bytes", type=int, default=0)
    ap.add_argument("input")
    a = ap.parse_args(argv[:cut])
    cmd = argv[cut + 1:]
    size = os.path.getsize(a.input)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.call(cmd)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print("raise: input=%d bytes wall=%.2f s cpu=%.2f s" % (size, wall, cpu))
    if rc != 0:
        sys.exit("time_raise.py: the command failed with status %d" % rc)
    if size < a.min_bytes:
        sys.exit("time_raise.py: the input has %d bytes, fewer than %d" % (size, a.min_bytes))
    if cpu > a.max_cpu_seconds:
        sys.exit("time_raise.py: %.2f s of CPU time, over the bound of %.2f s" % (cpu, a.max_cpu_seconds))


if __name__ == "__main__":
    main()
