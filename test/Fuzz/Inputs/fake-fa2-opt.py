#!/usr/bin/env python3
#===- fake-fa2-opt.py - an fa2-opt that misbehaves on purpose --------------===#
#
# Stands in for fa2-opt in test/Fuzz/fuzz.test so that each of the fuzzer's
# outcomes is seen at least once: without a pass it echoes its input (every
# mutant "parses"), unless the input is what it printed for
# --fa2-lower-to-loops (then it "fails to verify"). With a pass:
#   --fa2-lower-to-gpu    dies of SIGSEGV                      -> crash
#   --fa2-to-cpu          an error without a location          -> unlocated
#   --fa2-lower-to-loops  prints IR that does not verify       -> invalid
#   --fa2-to-ptx          hangs                                -> timeout
#   anything else         echoes its input                     -> ok
#===----------------------------------------------------------------------===#
import os
import signal
import sys
import time

args = sys.argv[1:]
with open(args[-1], encoding="utf-8") as f:
    text = f.read()
passes = [a for a in args if a.startswith("--fa2-")]
if not passes:
    if "NOT VALID" in text:
        sys.stderr.write("input.mlir:1:1: error: does not verify\n")
        sys.exit(1)
    sys.stdout.write(text)
    sys.exit(0)
p = passes[0]
if p.startswith("--fa2-lower-to-gpu"):
    os.kill(os.getpid(), signal.SIGSEGV)
if p.startswith("--fa2-to-cpu"):
    sys.stderr.write("error: somewhere\n")
    sys.exit(1)
if p.startswith("--fa2-lower-to-loops"):
    sys.stdout.write("// NOT VALID\n")
    sys.exit(0)
if p.startswith("--fa2-to-ptx"):
    time.sleep(60)
sys.stdout.write(text)
