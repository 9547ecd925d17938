#!/usr/bin/env python3
# ===- fa2-compare.py - compare memrefs printed by mlir-runner -----------=== #
#
# Reads the memrefs that printMemref* printed (mlir-runner's stdout) from one
# or two files and compares a candidate against a reference, element by
# element. With two files, block i of the second is compared with block i of
# the first; with one file, its second half of blocks is compared with its
# first half.
#
# Metric: err = |x - r| / max(|r|, floor), i.e. the relative error, with
# values smaller than `floor` in magnitude compared in absolute terms scaled
# by 1/floor. An element is bad when err > rtol, or when exactly one of x and
# r is NaN, or when one is infinite and they differ. The summary line reads
#   fa2-compare: blocks=B elements=E max_rel=M nan=N bad=K
# and the exit status is 1 when K > 0, the shapes differ, or the reference is
# all zeros (a comparison against zeros proves little).
#
# With --bits the printed values are i32 bit patterns of f32 values (print
# them with arith.bitcast + printMemrefI32): printMemrefF32 keeps only six
# significant digits, too few to check 1e-5.
#
# With --exact E (a third file, the same function evaluated in f32) the rule
# is FlashAttention's instead (../../../shared/ANCHORS.md): per memref, the
# candidate passes when max|x - e| <= factor * max|r - e|, i.e. it is at
# most `factor` times as far from the f32 evaluation as the reference, the
# input's own low-precision evaluation, is. A memref that fails counts as
# bad; the summary line then also reads the two distances.
#
# ===----------------------------------------------------------------------=== #
import argparse
import math
import re
import struct
import sys

HEADER = re.compile(r"Memref\b.*?sizes = \[([0-9, ]*)\].*?data =", re.S)
NUMBER = re.compile(r"[-+]?(?:nan|inf|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)",
                    re.I)


def parse_blocks(text, bits):
    """Returns [(sizes, values)] for each printed memref, in order."""
    blocks = []
    pos = 0
    while True:
        m = HEADER.search(text, pos)
        if not m:
            break
        sizes = [int(s) for s in m.group(1).replace(" ", "").split(",") if s]
        # The data is a bracketed nest (or a single scalar for rank 0).
        i = m.end()
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text) and text[i] == "[":
            depth = 0
            j = i
            while j < len(text):
                if text[j] == "[":
                    depth += 1
                elif text[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            body = text[i:j + 1]
            pos = j + 1
        else:
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            body = text[i:end]
            pos = end
        values = []
        for tok in NUMBER.findall(body):
            if bits:
                v = int(tok)
                values.append(struct.unpack("<f", struct.pack("<i", v))[0])
            else:
                values.append(float(tok))
        count = 1
        for s in sizes:
            count *= s
        if count != len(values):
            sys.exit("fa2-compare: a memref of sizes %s printed %d values"
                     % (sizes, len(values)))
        blocks.append((sizes, values))
    return blocks


def compare(ref, out, rtol, floor):
    """Returns (max_rel, nan_count, bad_count, first_bad)."""
    max_rel = 0.0
    nans = bad = 0
    first = []
    for idx, (r, x) in enumerate(zip(ref, out)):
        if math.isnan(x):
            nans += 1
        if math.isnan(r) or math.isnan(x):
            ok = math.isnan(r) and math.isnan(x)
        elif math.isinf(r) or math.isinf(x):
            ok = r == x
        else:
            err = abs(x - r) / max(abs(r), floor)
            max_rel = max(max_rel, err)
            ok = err <= rtol
        if not ok:
            bad += 1
            if len(first) < 5:
                first.append((idx, r, x))
    return max_rel, nans, bad, first


def compare_with_exact(ref_blocks, out_blocks, exact_blocks, factor):
    """FlashAttention's rule, per memref: max|x - e| <= factor * max|r - e|."""
    if len(exact_blocks) != len(ref_blocks):
        sys.exit("fa2-compare: %d reference memrefs but %d exact ones"
                 % (len(ref_blocks), len(exact_blocks)))
    total = nans = bad = 0
    worst_out = worst_ref = 0.0
    for n, ((rs, rv), (xs, xv), (es, ev)) in enumerate(
            zip(ref_blocks, out_blocks, exact_blocks)):
        if not rs == xs == es:
            sys.exit("fa2-compare: memref %d has sizes %s, %s and %s in the "
                     "reference, candidate and exact files" % (n, rs, xs, es))
        if not any(v != 0 and math.isfinite(v) for v in ev):
            sys.exit("fa2-compare: the exact evaluation is all zeros")
        out_err = ref_err = 0.0
        for r, x, e in zip(rv, xv, ev):
            if math.isnan(x):
                nans += 1
            # A NaN or inf where the exact evaluation has none is infinitely
            # far from it.
            out_err = max(out_err, abs(x - e) if math.isfinite(x) else math.inf)
            ref_err = max(ref_err, abs(r - e) if math.isfinite(r) else math.inf)
        ok = out_err <= factor * ref_err
        print("memref %d: sizes=%s max|out-exact|=%.3e max|ref-exact|=%.3e %s"
              % (n, rs, out_err, ref_err, "ok" if ok else "FAILS"))
        bad += 0 if ok else 1
        total += len(rv)
        worst_out, worst_ref = max(worst_out, out_err), max(worst_ref, ref_err)
    print("fa2-compare: blocks=%d elements=%d max|out-exact|=%.3e "
          "max|ref-exact|=%.3e factor=%g nan=%d bad=%d"
          % (len(ref_blocks), total, worst_out, worst_ref, factor, nans, bad))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+", help="REF [OUT], or one file holding both")
    ap.add_argument("--rtol", type=float, default=1e-5,
                    help="largest allowed relative error (default 1e-5)")
    ap.add_argument("--floor", type=float, default=0.1,
                    help="magnitude below which errors are measured against "
                         "the floor instead of |ref| (default 0.1)")
    ap.add_argument("--bits", action="store_true",
                    help="values are f32 bit patterns printed as i32")
    ap.add_argument("--exact", metavar="FILE",
                    help="an f32 evaluation of the same function: compare "
                         "with FlashAttention's rule against it")
    ap.add_argument("--factor", type=float, default=2.0,
                    help="with --exact: how many times the reference's "
                         "distance the candidate may be (default 2)")
    args = ap.parse_args()
    if len(args.files) > 2:
        ap.error("expected one or two files")

    def read(path):
        with open(path) as f:
            return parse_blocks(f.read(), args.bits)

    if len(args.files) == 2:
        ref_blocks, out_blocks = read(args.files[0]), read(args.files[1])
    else:
        blocks = read(args.files[0])
        if len(blocks) % 2:
            sys.exit("fa2-compare: %d memrefs in one file, expected an even "
                     "count (references, then candidates)" % len(blocks))
        half = len(blocks) // 2
        ref_blocks, out_blocks = blocks[:half], blocks[half:]
    if not ref_blocks:
        sys.exit("fa2-compare: no memref found")
    if len(ref_blocks) != len(out_blocks):
        sys.exit("fa2-compare: %d reference memrefs but %d candidates"
                 % (len(ref_blocks), len(out_blocks)))

    if args.exact:
        return compare_with_exact(ref_blocks, out_blocks, read(args.exact),
                                  args.factor)

    total = nans = bad = 0
    max_rel = 0.0
    nonzero_ref = False
    for n, ((rs, rv), (xs, xv)) in enumerate(zip(ref_blocks, out_blocks)):
        if rs != xs:
            sys.exit("fa2-compare: memref %d has sizes %s in the reference but "
                     "%s in the candidate" % (n, rs, xs))
        nonzero_ref |= any(v != 0 and math.isfinite(v) for v in rv)
        m, nn, b, first = compare(rv, xv, args.rtol, args.floor)
        print("memref %d: sizes=%s max_rel=%.3e mismatches=%d"
              % (n, rs, m, b))
        for idx, r, x in first:
            print("  element %d: reference %r, candidate %r" % (idx, r, x))
        total += len(rv)
        nans += nn
        bad += b
        max_rel = max(max_rel, m)
    print("fa2-compare: blocks=%d elements=%d max_rel=%.3e nan=%d bad=%d"
          % (len(ref_blocks), total, max_rel, nans, bad))
    if not nonzero_ref:
        sys.exit("fa2-compare: the reference is all zeros")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
