#!/usr/bin/env python3
# ===- add_exec_main.py - make a corpus module executable -----------------=== #
#
# Writes the corpus module given as argument, plus a @main that builds
# deterministic inputs for the module's attention function (its first public
# func.func), calls it and prints every result as f32 bit patterns
# (printMemrefI32), to stdout. The corpus tests run the result twice, through
# upstream passes alone and through fa2-opt --fa2-raise-attention and
# --fa2-to-cpu, and compare the two with fa2-compare: the raised op must
# compute what the chain it replaced computed.
#
# Inputs, for an argument of shape [n_0, ..., n_r]:
#   float: sin(sum_k c_k * i_k + phase), computed in f32, truncated to the
#          argument's element type; c_k and phase differ per argument.
#   i1:    (5 * i + 3 * j + arg) % 7 != 0 over the last two indices, so a row
#          of 7 or more keys is never fully masked (a naive softmax gives NaN
#          there, fa2 gives 0: see docs/numerics.md).
# Dynamic dimensions take their sizes from a line of the corpus file
#   // EXEC-SHAPES: 2x4x12x16, 2x4x20x16, ...
# (one static shape per argument); the inputs are built static and
# tensor.cast to the argument types.
#
# ===----------------------------------------------------------------------=== #
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Integration", "CPU", "Inputs"))
from input_bodies import bool_mask_body, sin_input_body  # noqa: E402


def split_top(s):
    """Splits s at commas outside <>, () and []."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_tensor(t):
    m = re.fullmatch(r"tensor<((?:[0-9?]+x)*)([a-z0-9]+)>", t.strip())
    if not m:
        sys.exit("add_exec_main.py: unsupported type '%s'" % t)
    dims = [None if d == "?" else int(d) for d in m.group(1).split("x") if d]
    return dims, m.group(2)


def tensor_type(dims, et):
    return "tensor<%s%s>" % ("".join(("?" if d is None else str(d)) + "x" for d in dims), et)


def find_signature(text):
    """(name, [arg types], [result types]) of the first public func.func."""
    for m in re.finditer(r"func\.func\s+(private\s+)?@([\w$.]+)\s*\(", text):
        if m.group(1):
            continue
        # The argument list ends at the matching parenthesis.
        i, depth = m.end(), 1
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        args = split_top(text[m.end():i - 1])
        arg_types = [a.split(":", 1)[1].strip() for a in args]
        # Drop argument attributes ({...}) if any.
        arg_types = [re.sub(r"\s*\{.*\}$", "", a) for a in arg_types]
        rest = text[i:].lstrip()
        results = []
        if rest.startswith("->"):
            rest = rest[2:].lstrip()
            if rest.startswith("("):
                j, depth = 1, 1
                while depth:
                    depth += {"(": 1, ")": -1}.get(rest[j], 0)
                    j += 1
                results = split_top(rest[1:j - 1])
            else:
                results = [re.match(r"tensor<[^>]*>", rest).group(0)]
        return m.group(2), arg_types, results
    sys.exit("add_exec_main.py: no public func.func")


class Main:
    def __init__(self):
        self.lines = []
        self.n = 0

    def v(self, p):
        self.n += 1
        return "%%%s%d" % (p, self.n)

    def emit(self, s, ind=2):
        self.lines.append(" " * ind + s)

    def generic_out(self, dims, et, body):
        """A generic that writes a fresh static tensor from linalg.index."""
        rank = len(dims)
        t = tensor_type(dims, et)
        e = self.v("empty")
        self.emit("%s = tensor.empty() : %s" % (e, t))
        g = self.v("in")
        ids = ", ".join("d%d" % k for k in range(rank))
        self.emit("%s = linalg.generic {indexing_maps = [affine_map<(%s) -> (%s)>], "
                  "iterator_types = [%s]} outs(%s : %s) {"
                  % (g, ids, ids, ", ".join(['"parallel"'] * rank), e, t))
        self.emit("^bb0(%%out: %s):" % et)
        for b in body:
            self.emit(b, 4)
        self.emit("} -> %s" % t)
        return g

    def float_input(self, dims, et, seed):
        body = sin_input_body(len(dims), et, seed)
        return self.generic_out(dims, et, body)

    def bool_input(self, dims, seed):
        rank = len(dims)
        if rank < 2:
            sys.exit("add_exec_main.py: i1 arguments need rank >= 2")
        body = bool_mask_body(rank, seed) + ["linalg.yield %keep : i1"]
        return self.generic_out(dims, "i1", body)

    def print_result(self, value, dims, et):
        t = tensor_type(dims, et)
        if et != "f32":
            # Widen to f32 elementwise (dynamic sizes are fine for arith on tensors).
            w = self.v("wide")
            self.emit("%s = arith.extf %s : %s to %s" % (w, value, t, tensor_type(dims, "f32")))
            value, t = w, tensor_type(dims, "f32")
        bits = self.v("bits")
        self.emit("%s = arith.bitcast %s : %s to %s" % (bits, value, t, tensor_type(dims, "i32")))
        u = self.v("u")
        self.emit("%s = tensor.cast %s : %s to tensor<*xi32>" % (u, bits, tensor_type(dims, "i32")))
        self.emit("call @printMemrefI32(%s) : (tensor<*xi32>) -> ()" % u)


def main():
    path = sys.argv[1]
    text = open(path).read()
    name, arg_types, result_types = find_signature(text)
    shapes = None
    m = re.search(r"//\s*EXEC-SHAPES:\s*(.*)", text)
    if m:
        shapes = [[int(d) for d in s.strip().split("x")] for s in m.group(1).split(",")]
        if len(shapes) != len(arg_types):
            sys.exit("add_exec_main.py: EXEC-SHAPES names %d shapes for %d arguments"
                     % (len(shapes), len(arg_types)))
    f = Main()
    operands = []
    for idx, t in enumerate(arg_types):
        dims, et = parse_tensor(t)
        static = dims
        if None in dims:
            if not shapes:
                sys.exit("add_exec_main.py: %s has dynamic dims; add an EXEC-SHAPES line" % t)
            static = shapes[idx]
        seed = idx + 1
        val = f.bool_input(static, seed) if et == "i1" else f.float_input(static, et, seed)
        if static != dims:
            c = f.v("dyn")
            f.emit("%s = tensor.cast %s : %s to %s" % (c, val, tensor_type(static, et), t))
            val = c
        operands.append(val)
    r = f.v("r")
    nres = len(result_types)
    f.emit("%s%s = call @%s(%s) : (%s) -> (%s)"
           % (r, ":%d" % nres if nres > 1 else "", name, ", ".join(operands),
              ", ".join(arg_types), ", ".join(result_types)))
    for i, t in enumerate(result_types):
        dims, et = parse_tensor(t)
        f.print_result(r if nres == 1 else "%s#%d" % (r, i), dims, et)
    f.emit("return")
    main_text = "\n".join(["func.func @main() {"] + f.lines + ["}",
                           "func.func private @printMemrefI32(tensor<*xi32>)"]) + "\n"
    # Into the explicit module if there is one, else at the top level.
    stripped = text.rstrip()
    if re.search(r"^module\b", text, re.M):
        if not stripped.endswith("}"):
            sys.exit("add_exec_main.py: cannot find the end of the module")
        out = stripped[:-1] + main_text + "}\n"
    else:
        out = text + "\n" + main_text
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
