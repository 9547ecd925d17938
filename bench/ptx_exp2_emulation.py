#!/usr/bin/env python3
#===- bench/ptx_exp2_emulation.py - a PTX experiment: exp2 off the MUFU ----===#
#
# Rewrites a kernel's `ex2.approx.ftz.f32 D, S;` instructions, one in every N,
# into exp2 computed on the FMA and integer pipes (FlashAttention-4's trick):
# 2^x = 2^j * p(f), j = round(x) by the 1.5 * 2^23 magic addend, f = x - j in
# [-0.5, 0.5], p a degree-3 polynomial (Chebyshev nodes; max relative error
# 1.0e-4 over [-30, 0], under bf16's 3.9e-3 rounding of P), 2^j added into
# the exponent bits; inputs below -125 (masked scores, -inf) give exactly 0.
# A NaN input does not give NaN (the MUFU's does): an experiment, not a
# lowering. --free instead replaces every ex2 by a move (wrong results: the
# time a kernel would take if its exponentials cost nothing).
#
#   python3 bench/ptx_exp2_emulation.py IN.ptx OUT.ptx --every 4
#   python3 bench/ptx_exp2_emulation.py IN.ptx OUT.ptx --free
#===----------------------------------------------------------------------===#
import argparse
import re

EX2 = re.compile(r"^(\s*)ex2\.approx\.ftz\.f32\s+(%\w+),\s*(%\w+);\s*$")

# The clamp (-125.0), the magic addend (1.5 * 2^23) and p's coefficients
# c3, c2, c1, c0 (f32 bit patterns).
LOW, MAGIC = "0fC2FA0000", "0f4B400000"
C3, C2, C1, C0 = "0f3D64B6AF", "0f3E78767C", "0f3F317169", "0f3F7FFB0E"


def emulated(indent, dst, src):
    body = [
        ".reg .b32 %xe<6>;", ".reg .pred %xq;",
        f"max.f32 %xe0, {src}, {LOW};",
        f"add.rn.f32 %xe1, %xe0, {MAGIC};",
        f"sub.rn.f32 %xe2, %xe1, {MAGIC};",
        "sub.rn.f32 %xe3, %xe0, %xe2;",
        f"fma.rn.f32 %xe4, %xe3, {C3}, {C2};",
        f"fma.rn.f32 %xe4, %xe4, %xe3, {C1};",
        f"fma.rn.f32 %xe4, %xe4, %xe3, {C0};",
        "shl.b32 %xe5, %xe1, 23;",
        "add.s32 %xe5, %xe5, %xe4;",
        f"setp.lt.f32 %xq, {src}, {LOW};",
        f"selp.b32 {dst}, 0, %xe5, %xq;",
    ]
    return [f"{indent}{{"] + [f"{indent}\t{x}" for x in body] + [f"{indent}}}"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("src")
    p.add_argument("dst")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--every", type=int, help="emulate one ex2 in every N (in PTX order)")
    g.add_argument("--free", action="store_true", help="every ex2 becomes a move")
    a = p.parse_args()
    out, seen, changed = [], 0, 0
    for line in open(a.src).read().split("\n"):
        m = EX2.match(line)
        if not m:
            out.append(line)
            continue
        indent, dst, src = m.groups()
        seen += 1
        if a.free:
            out.append(f"{indent}mov.b32 {dst}, {src};")
            changed += 1
        elif seen % a.every == 0:
            out.extend(emulated(indent, dst, src))
            changed += 1
        else:
            out.append(line)
    open(a.dst, "w").write("\n".join(out))
    print(f"{a.dst}: {changed} of {seen} ex2 rewritten")


if __name__ == "__main__":
    main()
