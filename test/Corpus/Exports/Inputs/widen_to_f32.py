#!/usr/bin/env python3
# ===- widen_to_f32.py - an f32 evaluation of a low-precision module -----=== #
#
# Reads a module made executable by add_exec_main.py and writes the same
# module with the entry function (the one `main` calls) computing in f32:
# every bf16/f16 type in it becomes f32, casts between equal types become
# identities (minimumf(x, x)), and `main` widens the arguments it generated
# in bf16/f16 (the same values) with arith.extf before the call and prints
# the f32 result unrounded. Its output is the "exact" evaluation that
# fa2-compare --exact measures the input's own low-precision evaluation and
# fa2's against (FlashAttention's rule, docs/numerics.md).
#
# ===----------------------------------------------------------------------=== #
import re
import sys

LOW = re.compile(r"(?<![A-Za-wyz0-9_])b?f16\b")  # xbf16 in shapes too


def widen_hex(match):
    # A bf16 bit pattern 0xABCD is the f32 pattern 0xABCD0000.
    return "0x%s0000 : f32" % match.group(1)


def main():
    text = open(sys.argv[1]).read()
    call = re.search(r"^(\s*)(%\S+) = call @([\w.$-]+)\((.*?)\) : \((.*?)\) -> \((.*?)\)$",
                     text, re.M)
    if not call:
        sys.exit("widen_to_f32.py: no call in main")
    indent, result, name, args, arg_types, res_types = call.groups()
    if "," in res_types:
        sys.exit("widen_to_f32.py: the entry returns more than one value")

    # The entry function: from its signature to the brace that closes it.
    lines = text.split("\n")
    start = next((i for i, l in enumerate(lines)
                  if re.match(r"\s*func\.func (public )?@%s\(" % re.escape(name), l)),
                 None)
    if start is None:
        sys.exit("widen_to_f32.py: no function @%s" % name)
    fn_indent = re.match(r"\s*", lines[start]).group(0)
    end = next(i for i in range(start + 1, len(lines)) if lines[i] == fn_indent + "}")
    body = "\n".join(lines[start:end + 1])
    if re.search(r"0x[0-9A-Fa-f]+ : f16\b", body):
        sys.exit("widen_to_f32.py: f16 hex constants are not handled")
    body = re.sub(r"0x([0-9A-Fa-f]{4}) : bf16\b", widen_hex, body)
    body = LOW.sub("f32", body)
    body = re.sub(r"arith\.(?:extf|truncf) (%[\w.#]+) : (\S+) to \2(?=\s|$)",
                  r"arith.minimumf \1, \1 : \2", body)
    lines[start:end + 1] = body.split("\n")
    text = "\n".join(lines)

    # The call: widen the low-precision arguments first.
    call = re.search(r"^(\s*)(%\S+) = call @([\w.$-]+)\((.*?)\) : \((.*?)\) -> \((.*?)\)$",
                     text, re.M)
    arg_list = [a.strip() for a in args.split(",")]
    type_list = [t.strip() for t in re.split(r",\s*(?=tensor|f|i|bf|index)", arg_types)]
    pre = []
    new_args = []
    for i, (a, t) in enumerate(zip(arg_list, type_list)):
        if LOW.search(t):
            w = "%%widened_arg%d" % i
            pre.append("%s%s = arith.extf %s : %s to %s" % (indent, w, a, t, LOW.sub("f32", t)))
            new_args.append(w)
        else:
            new_args.append(a)
    new_call = "%s%s = call @%s(%s) : (%s) -> (%s)" % (
        indent, result, name, ", ".join(new_args), LOW.sub("f32", arg_types),
        LOW.sub("f32", res_types))
    text = text[:call.start()] + "\n".join(pre + [new_call]) + text[call.end():]
    # The result was widened for printing; it is f32 already.
    text = re.sub(r"arith\.extf %s : (\S+) to (\S+)" % re.escape(result),
                  r"arith.minimumf %s, %s : \2" % (result, result), text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
