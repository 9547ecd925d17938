#!/usr/bin/env python3
# ===- add_exec_main.py - make an exporter-corpus module executable -------=== #
#
# ../../Inputs/add_exec_main.py, plus one thing real exports need: arguments
# whose values matter, such as an i64 `attention_mask` [B, S] of 0/1 tokens
# (with a fully padded sequence, to reach fully masked rows) or the
# position ids of a rotary lookup. A line
#   // EXEC-CONST: 3 = dense<[[1, 1, 0, 0], [0, 0, 0, 0]]>
# makes argument 3 (counting from 0) that constant, of the argument's type,
# instead of the generated sin / i1 pattern. Integer arguments need one.
# JAX's `func.func public @...` (with jax.* result attributes) is accepted
# as the entry too.
#
# ===----------------------------------------------------------------------=== #
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Inputs"))
import add_exec_main as base  # noqa: E402


def main():
    text = open(sys.argv[1]).read()
    consts = {}
    for m in re.finditer(r"//\s*EXEC-CONST:\s*(\d+)\s*=\s*(.*)", text):
        consts[int(m.group(1))] = m.group(2).strip()
    orig_find = base.find_signature
    base.find_signature = lambda s: orig_find(
        re.sub(r"\s*\{jax\.[^}]*\}", "", s.replace("func.func public @", "func.func @")))
    _, arg_types, _ = base.find_signature(text)
    orig_float, orig_bool = base.Main.float_input, base.Main.bool_input

    def constant(self, dims, et, seed, orig):
        idx = seed - 1
        if idx not in consts:
            if et not in ("f16", "bf16", "f32", "i1"):
                sys.exit("add_exec_main.py: argument %d (%s) needs an EXEC-CONST line"
                         % (idx, arg_types[idx]))
            return orig(self, dims, et, seed) if et != "i1" else orig(self, dims, seed)
        c = self.v("const")
        self.emit("%s = arith.constant %s : %s" % (c, consts[idx], base.tensor_type(dims, et)))
        return c

    base.Main.float_input = lambda self, dims, et, seed: constant(self, dims, et, seed, orig_float)
    base.Main.bool_input = lambda self, dims, seed: constant(self, dims, "i1", seed, orig_bool)
    base.main()


if __name__ == "__main__":
    main()
