#!/usr/bin/env python3
# ===- check_python_helper.py - fa2_runtime.py without a GPU -------------=== #
#
# usage: check_python_helper.py BSHD_LIB_DIR DYNAMIC_PADDING_LIB_DIR
# Both folders hold fa2-compile.sh output for test/Corpus's bshd-pytorch-export
# and dynamic-padding-mask, linked against the host-memory stand-in runtime;
# torch is Inputs/fake_torch. Calls each entry through python/fa2_runtime.py
# (out-parameter allocated by the helper, then given with out=; a dynamic
# result returned by the library and adopted) and compares with a plain
# Python attention. Prints "check_python_helper: <fn> max_err=..." lines.
# ===----------------------------------------------------------------------=== #
import math
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "fake_torch"))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "..", "..", "python"))
import torch  # noqa: E402  (the stand-in)
import fa2_runtime  # noqa: E402

random.seed(1)


def fill(t):
    for i in range(t.numel()):
        t.buf[i] = random.uniform(-1, 1)
    return t


def at(t, idx):
    return t.buf[sum(i * s for i, s in zip(idx, t.stride()))]


def attention_row(scores, value):
    m = max(scores)
    p = [math.exp(x - m) for x in scores]
    z = sum(p)
    return [sum(p[j] * value(j, d) for j in range(len(p))) / z for d in range(16)]


lib = fa2_runtime.load(sys.argv[1])
fn = lib.sdpa_bshd_gqa
print("check_python_helper: sdpa_bshd_gqa args=%s" % [a["role"] for a in fn.abi["args"]])
q, k, v = fill(torch.empty([2, 32, 8, 16])), fill(torch.empty([2, 32, 2, 16])), fill(torch.empty([2, 32, 2, 16]))
o = fn(q, k, v)
o2 = torch.empty([2, 32, 8, 16])
same = fn(q, k, v, out=o2) is o2 and o.tolist() == o2.tolist()
err = 0.0
for b in range(2):
    for h in range(8):
        for i in range(32):
            s = [sum(at(q, (b, i, h, d)) * at(k, (b, j, h // 4, d)) for d in range(16)) / 4.0 for j in range(32)]
            row = attention_row(s, lambda j, d: at(v, (b, j, h // 4, d)))
            err = max(err, max(abs(r - at(o, (b, i, h, d))) for d, r in enumerate(row)))
print("check_python_helper: sdpa_bshd_gqa shape=%s out_given_same=%d max_err=%.1e" % (list(o.shape), same, err))

lib = fa2_runtime.load(sys.argv[2])
fn = lib.dynamic_padding
print("check_python_helper: dynamic_padding args=%s results=%d" % ([a["role"] for a in fn.abi["args"]], len(fn.results)))
q, k, v = fill(torch.empty([2, 4, 5, 16])), fill(torch.empty([2, 4, 7, 16])), fill(torch.empty([2, 4, 7, 16]))
m = torch.empty([2, 7], dtype=torch.bool)
for i in range(14):
    m.buf[i] = 1 if i % 3 else 0
o = fn(q, k, v, m)
err = 0.0
for b in range(2):
    for h in range(4):
        for i in range(5):
            s = [sum(at(q, (b, h, i, d)) * at(k, (b, h, j, d)) for d in range(16)) * 0.25
                 if at(m, (b, j)) else -math.inf for j in range(7)]
            row = attention_row(s, lambda j, d: at(v, (b, h, j, d)))
            err = max(err, max(abs(r - at(o, (b, h, i, d))) for d, r in enumerate(row)))
print("check_python_helper: dynamic_padding shape=%s max_err=%.1e" % (list(o.shape), err))
try:
    fn(q, k, v)
except TypeError as e:
    print("check_python_helper: error:", e)
