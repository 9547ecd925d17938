#!/usr/bin/env python3
#===- tools/fa2-fuzz/fa2-fuzz.py - mutate fa2's tests through every pass ---===#
#
# A deterministic mutation fuzzer for fa2-opt (Python 3 standard library only).
# It reads the .mlir inputs of the test suite, splits them at `// -----`,
# mutates each chunk (shapes, element types, attributes, operand order,
# deleted/duplicated ops, function names, module nesting, literals), keeps the
# mutants that parse and verify, runs each through one of fa2's passes or
# pipelines (with random, sometimes invalid, options) and classifies the run:
#
#   ok          exit 0 and the output re-parses and verifies
#   diagnostic  exit 1 and every `error:` carries a real file:line:col (not 0:0)
#   unlocated   an `error:` without a location (or at 0:0), or exit 1 without one
#   crash       a signal, an exit status other than 0/1, `LLVM ERROR`,
#               `PLEASE submit a bug report`, a sanitizer report
#   timeout     the run outlived --timeout
#   invalid     exit 0 but the output does not re-parse/verify
#                (fa2-opt --verify-each, no pass)
#
# A mutant that does not parse and verify is "rejected" (not a run); one that
# crashes fa2-opt's parser/verifiers is a crash, unless it has no fa2 op and
# upstream mlir-opt crashes on it too ("upstream": MLIR's bug, not fa2's,
# counted and saved apart). A crash that --fa2-raise-attention alone
# reproduces is flagged as the raiser's.
#
# Every run is a separate MLIR context: mutants of one pass go to fa2-opt in
# batches through --split-input-file (one context per chunk, as lit's tests
# do); a batch that crashes, times out or is ambiguous is re-run one chunk at
# a time, so every outcome is attributed to one (mutant, pass) pair.
# Passes run with --verify-each=false so that IR a pass leaves invalid is
# caught as "invalid" by the re-verification, not reported as a diagnostic.
#
#   fa2-fuzz.py --fa2-opt build/bin/fa2-opt --seed 1 --runs 500 [--jobs 2]
#               [--out DIR] [--timeout 60] [--time-limit S] [--minimize]
#
# Prints one line per bad run (`fa2-fuzz: CRASH ...`) with the reproducer
# saved under --out, then `fa2-fuzz: SUMMARY runs=N ok=.. diagnostic=..
# unlocated=.. crash=.. timeout=.. invalid=.. rejected=..`. Exit status 1 when
# any run crashed, timed out, produced invalid output or an unlocated error.
#===----------------------------------------------------------------------===#
import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

SPLIT = "// -----"
BAD = ("crash", "timeout", "invalid", "unlocated")
CRASH_MARKERS = ("LLVM ERROR", "PLEASE submit a bug report", "Stack dump:",
                 "ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                 "Assertion `", "UNREACHABLE executed", "terminate called")
ERROR_RE = re.compile(r"(?:^|\s)error:")
LOCATED_RE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): error:")

#===----------------------------------------------------------------------===#
# Seeds
#===----------------------------------------------------------------------===#


def load_seeds(roots):
    """Every chunk of every .mlir file under `roots`, without lit/FileCheck
    comment lines (they are comments anyway, but they bloat the mutants)."""
    seeds = []
    files = []
    for root in roots:
        if os.path.isfile(root):
            files.append(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(".mlir"):
                    files.append(os.path.join(dirpath, f))
    for path in files:
        if "/Fuzz/" in path or os.path.basename(path).startswith("crash-"):
            # The fuzzer's own reproducers, and inputs the suite keeps as
            # known crashes (an XFAIL test runs each), are not seeds: every
            # mutant of them would report the same known crash.
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for i, chunk in enumerate(re.split(r"^// -----.*$", text, flags=re.M)):
            lines = [l for l in chunk.splitlines()
                     if not re.match(r"\s*//\s*(RUN|CHECK|[A-Z0-9-]+:|expected-)", l)]
            body = "\n".join(l for l in lines if "expected-" not in l).strip()
            if body and ("func.func" in body or "module" in body):
                seeds.append((f"{os.path.relpath(path)}#{i}", body + "\n"))
    return seeds

#===----------------------------------------------------------------------===#
# Mutators: each takes (rng, text) and returns new text (or None).
#===----------------------------------------------------------------------===#

SHAPED_RE = re.compile(r"\b(tensor|memref|vector)<([^<>]*?)>")
DIM_VALUES = [0, 1, 2, 3, 5, 7, 8, 16, 17, 24, 40, 63, 64, 96, 100, 128, 255, 256, 257, 512, 4096,
              65535, 65536, 65537, 2 ** 20, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 62, "?"]
ELEM_TYPES = ["f16", "bf16", "f32", "f64", "i1", "i8", "i16", "i32", "i64", "f8E4M3FN", "index",
              "complex<f32>", "tf32"]
FLOATS = ["0.0", "-0.0", "1.0", "-1.0", "0.125", "1.0e-30", "3.0e38", "-3.0e38", "1.0e300",
          "0x7FC00000", "0x7F800000", "0xFF800000", "0xFFFFFFFF", "65504.0", "-65504.0", "2.5"]
INTS = [0, 1, -1, 2, 3, 4, 7, 64, 65535, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 62, -(2 ** 63)]
FUNC_NAMES = ["torch-jit-export", "attn-1", "attn 1", "main.graph", "\u6ce8\u610f\u529b", "caf\u00e9",
              "$x", "1x", "_", "a/b\\\\c", "fa2_attention_main_0", "a" * 300, "@", "x-y z\u00e9",
              "__nv_exp2f", "ptx.entry", "%weird"]
SHAPE_SEP = re.compile(r"x")


def _shape_dims(body):
    """The dims of a shaped type body `2x8x?x64xf16` (None for the element type)."""
    parts = body.split("x")
    dims = []
    for p in parts:
        if re.fullmatch(r"\d+|\?", p):
            dims.append(p)
        else:
            break
    return dims, "x".join(parts[len(dims):])


def _rewrite_shapes(text, fn):
    def repl(m):
        kind, body = m.group(1), m.group(2)
        if "," in body or not re.match(r"[\d?]", body):
            return m.group(0)
        dims, elem = _shape_dims(body)
        if not dims:
            return m.group(0)
        new = fn(dims, elem)
        if new is None:
            return m.group(0)
        dims, elem = new
        return f"{kind}<{'x'.join(list(dims) + [elem])}>"
    return SHAPED_RE.sub(repl, text)


def mut_dim_global(rng, text):
    """One static size, everywhere it appears as a dim, becomes another."""
    sizes = sorted({d for m in SHAPED_RE.finditer(text) for d in _shape_dims(m.group(2))[0]})
    if not sizes:
        return None
    old = rng.choice(sizes)
    new = str(rng.choice(DIM_VALUES))
    out = _rewrite_shapes(text, lambda dims, e: ([new if d == old else d for d in dims], e))
    # Keep literal uses of the size (tensor.empty/reshape constants) in step.
    if old != "?" and new != "?" and rng.random() < 0.5:
        out = re.sub(rf"(arith\.constant\s+){old}(\s*:\s*index)", rf"\g<1>{new}\2", out)
    return out


def mut_dim_one(rng, text):
    """One dim of one shaped type changes."""
    ms = [m for m in SHAPED_RE.finditer(text) if _shape_dims(m.group(2))[0]]
    if not ms:
        return None
    m = rng.choice(ms)
    dims, elem = _shape_dims(m.group(2))
    i = rng.randrange(len(dims))
    dims[i] = str(rng.choice(DIM_VALUES))
    return text[:m.start()] + f"{m.group(1)}<{'x'.join(dims + [elem])}>" + text[m.end():]


def mut_rank(rng, text):
    """A leading dim added to or removed from every shaped type of one shape."""
    ms = [m for m in SHAPED_RE.finditer(text) if _shape_dims(m.group(2))[0]]
    if not ms:
        return None
    target = rng.choice(ms).group(2)
    add = rng.random() < 0.5
    extra = str(rng.choice([1, 2, 3, "?"]))

    def fn(dims, elem):
        if "x".join(dims + [elem]) != target:
            return None
        if add:
            return [extra] + dims, elem
        return (dims[1:], elem) if len(dims) > 1 else None
    return _rewrite_shapes(text, fn)


def mut_elem_type(rng, text):
    """An element type changes in every shaped type (or in one)."""
    elems = sorted({_shape_dims(m.group(2))[1] for m in SHAPED_RE.finditer(text)} - {""})
    if not elems:
        return None
    old = rng.choice(elems)
    new = rng.choice(ELEM_TYPES)
    if rng.random() < 0.7:
        out = _rewrite_shapes(text, lambda d, e: (d, new if e == old else e))
        if rng.random() < 0.6:
            # Scalars and constants of that type too.
            out = re.sub(rf"(:\s*){re.escape(old)}\b", rf"\g<1>{new}", out)
        return out
    return _rewrite_one_elem(rng, text, new)


def _rewrite_one_elem(rng, text, new):
    ms = [m for m in SHAPED_RE.finditer(text) if _shape_dims(m.group(2))[0]]
    if not ms:
        return None
    m = rng.choice(ms)
    dims, _ = _shape_dims(m.group(2))
    return text[:m.start()] + f"{m.group(1)}<{'x'.join(dims + [new])}>" + text[m.end():]


def mut_fa2_attrs(rng, text):
    """fa2.attention's attributes: scale, causal, layout, window, fill."""
    lines = text.splitlines()
    idx = [i for i, l in enumerate(lines) if "fa2.attention" in l and " : " in l]
    if not idx:
        return mut_float(rng, text)
    i = rng.choice(idx)
    l = lines[i]
    r = rng.random()
    if r < 0.3:
        l = re.sub(r"scale\([^)]*\)", f"scale({rng.choice(FLOATS)})", l)
    elif r < 0.5:
        l = l.replace(" causal", "") if " causal" in l else re.sub(r"(scale\([^)]*\))", r"\1 causal", l)
    elif r < 0.7:
        if "layout<" in l:
            l = re.sub(r"layout<\w+>", rng.choice(["layout<bhsd>", "layout<bshd>", ""]), l)
        else:
            l = re.sub(r"(scale\([^)]*\)(?: causal)?)", r"\1 layout<bshd>", l)
    elif r < 0.85:
        w = f" window({rng.choice(INTS[:7])}, {rng.choice(INTS[:7])})"
        l = re.sub(r"(scale\([^)]*\)(?: causal)?)", r"\1" + w, l)
    else:
        l = re.sub(r"(scale\([^)]*\)(?: causal)?)", rf"\1 fill({rng.choice(FLOATS)})", l)
    lines[i] = l
    return "\n".join(lines) + "\n"


def mut_float(rng, text):
    """A float literal (a scale constant, a mask fill) becomes an extreme."""
    ms = list(re.finditer(r"(?<![\w.])-?\d+\.\d*(?:[eE][-+]?\d+)?|0x[0-9A-Fa-f]{4,16}", text))
    if not ms:
        return None
    m = rng.choice(ms)
    return text[:m.start()] + rng.choice(FLOATS) + text[m.end():]


def mut_int(rng, text):
    """An integer literal outside shapes (constants, dimensions = [..],
    permutations, indices) changes."""
    ms = [m for m in re.finditer(r"(?<![\w.%#@x<?])-?\d+(?![\w.x>])", text)]
    if not ms:
        return None
    m = rng.choice(ms)
    return text[:m.start()] + str(rng.choice(INTS)) + text[m.end():]


def mut_swap_operands(rng, text):
    """Two SSA operands of one op change places."""
    lines = text.splitlines()
    cand = []
    for i, l in enumerate(lines):
        rhs = l.split("=", 1)[1] if "=" in l and not l.strip().startswith("func.func") else l
        uses = list(re.finditer(r"%[\w.$-]+(?:#\d+)?", rhs))
        if len(uses) >= 2:
            cand.append((i, len(l) - len(rhs), uses))
    if not cand:
        return None
    i, off, uses = rng.choice(cand)
    a, b = rng.sample(range(len(uses)), 2)
    if uses[a].group(0) == uses[b].group(0):
        return None
    ua, ub = sorted([uses[a], uses[b]], key=lambda m: m.start())
    l = lines[i]
    s, t = off + ua.start(), off + ub.start()
    l = l[:s] + ub.group(0) + l[s + len(ua.group(0)):t] + ua.group(0) + l[t + len(ub.group(0)):]
    lines[i] = l
    return "\n".join(lines) + "\n"


def _op_lines(lines):
    return [i for i, l in enumerate(lines)
            if l.strip() and not l.strip().startswith(("func.func", "}", "//", "module", "^", "return",
                                                      "func.return", "linalg.yield", "scf.yield",
                                                      "gpu.return", "tensor.yield"))]


def mut_delete_op(rng, text):
    """An op disappears; its results' uses take another value of the same
    type when one is defined above (else the mutant is rejected)."""
    lines = text.splitlines()
    ops = _op_lines(lines)
    if not ops:
        return None
    i = rng.choice(ops)
    m = re.match(r"\s*(%[\w.$-]+)(?::\d+)?\s*=", lines[i])
    del lines[i]
    if m:
        # Another SSA value defined before: block arguments or results.
        before = "\n".join(lines[:i])
        names = [n for n in re.findall(r"(%[\w.$-]+)\s*[:=,]", before) if n != m.group(1)]
        if names:
            sub = rng.choice(names)
            rest = "\n".join(lines[i:])
            rest = re.sub(re.escape(m.group(1)) + r"(?![\w.$-])", sub, rest)
            lines = lines[:i] + rest.split("\n")
    return "\n".join(lines) + "\n"


def mut_duplicate_op(rng, text):
    """An op is repeated under a new result name; a later use may take it."""
    lines = text.splitlines()
    ops = [i for i in _op_lines(lines) if re.match(r"\s*%[\w.$-]+(:\d+)?\s*=", lines[i])]
    if not ops:
        return None
    i = rng.choice(ops)
    m = re.match(r"(\s*)(%[\w.$-]+)((?::\d+)?\s*=.*)", lines[i])
    new = m.group(2) + "_dup"
    lines.insert(i + 1, m.group(1) + new + m.group(3))
    if rng.random() < 0.6:
        later = [j for j in range(i + 2, len(lines)) if re.search(re.escape(m.group(2)) + r"(?![\w.$-])",
                                                                     lines[j])]
        if later:
            j = rng.choice(later)
            lines[j] = re.sub(re.escape(m.group(2)) + r"(?![\w.$-])", new, lines[j], count=1)
    return "\n".join(lines) + "\n"


def mut_swap_lines(rng, text):
    """Two neighbouring ops change places (a use may move above its def)."""
    lines = text.splitlines()
    ops = _op_lines(lines)
    pairs = [i for i in ops if i + 1 in ops]
    if not pairs:
        return None
    i = rng.choice(pairs)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "\n".join(lines) + "\n"


def _quote_symbol(name):
    if re.fullmatch(r"[A-Za-z_][\w$.]*", name):
        return "@" + name
    return '@"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mut_func_name(rng, text):
    """A function (and every reference to it) gets a name that is no PTX
    identifier: dashes, spaces, non-ASCII, a name fa2 itself generates."""
    names = re.findall(r"func\.func\s+(?:private\s+|public\s+|nested\s+)?@([\w$.]+|\"[^\"]*\")", text)
    if not names:
        return None
    old = rng.choice(names)
    new = _quote_symbol(rng.choice(FUNC_NAMES))
    if old.startswith('"'):
        return text.replace("@" + old, new)
    return re.sub(r"@" + re.escape(old) + r"(?![\w$.])", lambda _: new, text)


def mut_nest(rng, text):
    """The chunk goes into a nested builtin.module (named or not, once or twice)."""
    name = rng.choice(["", " @inner", ' @"in-ner"'])
    out = f"module{name} {{\n{text}}}\n"
    if rng.random() < 0.3:
        out = f"module @outer {{\n{out}}}\n"
    if rng.random() < 0.3:
        # A second copy beside it, under another name.
        out = out + f"module @second {{\n{text}}}\n"
    return out


def mut_cross(rng, text, other):
    """A function of another seed is appended (two attentions per module)."""
    if other is None or "module" in other.split("\n", 1)[0]:
        return None
    return text + other


MUTATORS = [(mut_dim_global, 6), (mut_dim_one, 2), (mut_rank, 1), (mut_elem_type, 4),
            (mut_fa2_attrs, 3), (mut_float, 2), (mut_int, 3), (mut_swap_operands, 3),
            (mut_delete_op, 3), (mut_duplicate_op, 2), (mut_swap_lines, 1), (mut_func_name, 3),
            (mut_nest, 2)]


def mutate(rng, seeds):
    name, text = rng.choice(seeds)
    applied = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        if rng.random() < 0.05:
            new = mut_cross(rng, text, rng.choice(seeds)[1])
            fn_name = "cross"
        else:
            fn = rng.choices([m for m, _ in MUTATORS], weights=[w for _, w in MUTATORS])[0]
            new = fn(rng, text)
            fn_name = fn.__name__[4:]
        if new is not None and new != text:
            text = new
            applied.append(fn_name)
    return name, applied, text

#===----------------------------------------------------------------------===#
# Passes and pipelines, with random options (some invalid on purpose).
#===----------------------------------------------------------------------===#

# Schedule fields reach the GPU passes through one option, `schedule`; each
# entry here is one field (valid or not), and pick_pass joins the fields it
# picks into one `schedule=` option.
SCHEDULE_FIELDS = ["block_m=64", "block_m=48", "block_m=0", "block_m=-64", "block_m=4611686018427387904",
                   "block_n=32", "block_n=8", "block_n=1073741824", "warps=8", "warps=3", "warps=64",
                   "stages=1", "stages=3", "stages=9", "swizzle=pad", "swizzle=xor", "swizzle=zig",
                   "rescale_threshold=-1", "rescale_threshold=99", "q_in_registers=false",
                   "split_kv_copies=true", "min_blocks_per_sm=2", "min_blocks_per_sm=99",
                   "pack_gqa=true", "kv_splits=auto", "kv_splits=3", "kv_splits=0", "split_masked_loop=1",
                   "tile=64", "block_m"]
# (fa2-lower-to-gpu writes no files: the manifest folder is fa2-to-ptx's.)
GPU_OPTS = ["chip=sm_80", "chip=sm_86", "chip=sm_89", "chip=sm_90a", "chip=sm_99", "chip="] + \
           ["schedule=" + f for f in SCHEDULE_FIELDS]
CPU_OPTS = ["block-q=16", "block-q=1", "block-q=7", "block-q=0", "block-q=-1", "block-q=1048576",
            "block-q=4611686018427387904", "block-k=32", "block-k=3", "block-k=0", "block-k=1099511627776"]
PTX_OPTS = ["chip=sm_80", "chip=sm_86", "chip=sm_90a", "chip=sm_100", "manifest-dir={tmp}/m",
            "manifest-dir={tmp}/file/m"] + ["schedule=" + f for f in SCHEDULE_FIELDS]

# (name, options it may take, weight, cost class)
PASSES = [
    ("fa2-raise-attention", ["explain=true", "explain=false"], 6),
    ("fa2-lower-to-loops", CPU_OPTS, 4),
    ("fa2-lower-to-gpu", GPU_OPTS, 5),
    ("fa2-to-cpu", CPU_OPTS, 3),
    ("fa2-to-ptx", PTX_OPTS, 3),
    ("fa2-gpu-math-to-nvvm", [], 1),
    ("fa2-write-kernels", ["dir={tmp}/k"], 1),
    ("fa2-raise-attention,fa2-lower-to-loops", [], 2),
    ("fa2-raise-attention,fa2-lower-to-gpu", [], 3),
]


def pick_pass(rng, tmp):
    """The fa2-opt arguments of one run: a pass or pipeline, maybe options."""
    name, opts, _ = rng.choices(PASSES, weights=[w for _, _, w in PASSES])[0]
    if "," in name:
        return [f"--{p}" for p in name.split(",")]
    chosen, seen = [], set()
    if opts and rng.random() < 0.45:
        fields = []
        for o in rng.sample(opts, min(len(opts), rng.choice([1, 1, 2, 3]))):
            if o.startswith("schedule="):
                fields.append(o[len("schedule="):])
            elif o.split("=")[0] not in seen:
                seen.add(o.split("=")[0])
                chosen.append(o.replace("{tmp}", tmp))
        if fields:
            chosen.append("schedule=" + ",".join(fields))
    return [f"--{name}" + ("=" + " ".join(sorted(chosen)) if chosen else "")]


#===----------------------------------------------------------------------===#
# Running fa2-opt
#===----------------------------------------------------------------------===#


class Runner:
    def __init__(self, fa2_opt, timeout, workdir):
        self.fa2_opt = fa2_opt
        self.timeout = timeout
        self.workdir = workdir
        self.env = dict(os.environ)
        # allow_user_poisoning=0: fa2's instrumented code inlines LLVM's
        # BumpPtrAllocator, which poisons arena memory that Debian's
        # uninstrumented libMLIR then uses legitimately ("use-after-poison"
        # false positives in the StorageUniquer). Leaks are not crashes.
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0:allow_user_poisoning=0")
        self.env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        self.env["LLVM_DISABLE_CRASH_REPORT"] = "1"
        self.env["LLVM_DISABLE_SYMBOLIZATION"] = "1"

    def run(self, args, text, timeout, tool=None):
        """(returncode or 'timeout', stdout, stderr)"""
        fd, path = tempfile.mkstemp(suffix=".mlir", dir=self.workdir)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            p = subprocess.run([tool or self.fa2_opt] + args + [path], capture_output=True, timeout=timeout,
                               env=self.env)
            rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), \
                p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc, out, err = "timeout", "", (e.stderr or b"").decode("utf-8", "replace")
        finally:
            os.unlink(path)
        return rc, out, err.replace(path, "input.mlir")


def crashed(rc, err):
    if rc == "timeout":
        return False
    if rc not in (0, 1):
        return True
    return any(m in err for m in CRASH_MARKERS)


def error_lines(err):
    return [l for l in err.splitlines() if ERROR_RE.search(l) and "runtime error:" not in l]


def all_located(err):
    for l in error_lines(err):
        m = LOCATED_RE.match(l)
        if not m or (m.group("line") == "0" and m.group("col") == "0"):
            return False
    return True


def classify_one(runner, pass_args, text):
    """Outcome of one (mutant, pass) run: (kind, detail)."""
    rc, out, err = runner.run(["--verify-each=false"] + pass_args + ["--mlir-disable-threading"], text,
                              runner.timeout)
    if rc == "timeout":
        return "timeout", ""
    if crashed(rc, err):
        return "crash", crash_signature(rc, err)
    if rc == 1:
        if not error_lines(err):
            return "unlocated", "exit 1 without an error"
        if not all_located(err):
            return "unlocated", next(l for l in error_lines(err)
                                     if not LOCATED_RE.match(l) or ":0:0:" in l)[:200]
        return "diagnostic", ""
    if not all_located(err):
        return "unlocated", "exit 0 with an unlocated error"
    vrc, _, verr = runner.run(["--verify-each"], out, runner.timeout)
    if vrc != 0:
        if crashed(vrc, verr):
            return "crash", "re-parsing the output: " + crash_signature(vrc, verr)
        return "invalid", (error_lines(verr) or ["?"])[0][:200]
    return "ok", ""


def raiser_crash(runner, text):
    """Whether the raiser alone crashes on `text` (reported separately: the
    raiser's reproducers go to its owner)."""
    rc, _, err = runner.run(["--fa2-raise-attention"], text, runner.timeout)
    return crashed(rc, err)


def crash_signature(rc, err):
    for m in CRASH_MARKERS:
        for l in err.splitlines():
            if m in l:
                return l.strip()[:200]
    return f"exit status {rc}"


def join_chunks(texts):
    """The --split-input-file input of `texts` and the first line of each."""
    starts, lines, parts = [], 1, []
    for t in texts:
        t = t.rstrip("\n") + "\n"
        starts.append(lines)
        parts.append(t)
        lines += t.count("\n") + 1
    return ("// -----\n").join(parts), starts


def chunk_of_errors(err, starts):
    """{chunk index: first error line} for errors located in the input, or
    None when an error cannot be attributed (no location, another file)."""
    found = {}
    for l in error_lines(err):
        m = LOCATED_RE.match(l)
        if not m or m.group("file") != "input.mlir" or m.group("line") == "0":
            return None
        line = int(m.group("line"))
        i = max(j for j, st in enumerate(starts) if st <= line)
        found.setdefault(i, l)
    return found


def split_outputs(out):
    return re.split(r"^// -----$\n?", out, flags=re.M)


def classify_batch(runner, pass_args, texts):
    """Outcomes of len(texts) runs with one fa2-opt per batch
    (--split-input-file: a context per chunk, diagnostics located by line);
    anything that cannot be attributed to one chunk is re-run alone."""
    if len(texts) == 1:
        return [classify_one(runner, pass_args, texts[0])]
    alone = lambda i: classify_one(runner, pass_args, texts[i])  # noqa: E731
    joined, starts = join_chunks(texts)
    rc, out, err = runner.run(["--split-input-file", f"--output-split-marker={SPLIT}", "--verify-each=false",
                               "--mlir-disable-threading"] + pass_args, joined,
                              runner.timeout * max(2, len(texts) // 2))
    if rc == "timeout" or crashed(rc, err):
        return [alone(i) for i in range(len(texts))]
    errors = chunk_of_errors(err, starts)
    outs = split_outputs(out)
    if errors is None or len(outs) != len(texts) or (rc == 1) != bool(errors):
        return [alone(i) for i in range(len(texts))]
    result = [None] * len(texts)
    good = []
    for i in range(len(texts)):
        if i in errors:
            result[i] = ("diagnostic", "")
        elif not outs[i].strip():
            result[i] = alone(i)  # no output and no error: look closer
        else:
            good.append(i)
    if good:
        vjoined, vstarts = join_chunks([outs[i] for i in good])
        vrc, _, verr = runner.run(["--split-input-file", f"--output-split-marker={SPLIT}", "--verify-each"],
                                  vjoined, runner.timeout * max(2, len(good) // 2))
        bad = chunk_of_errors(verr, vstarts) if vrc != "timeout" and not crashed(vrc, verr) else None
        if bad is None:
            for i in good:
                result[i] = alone(i)
        else:
            for k, i in enumerate(good):
                result[i] = alone(i) if k in bad else ("ok", "")
    return result


def without_fa2_functions(text):
    """`text` without its top-level functions that use an fa2 op (mlir-opt
    cannot parse those), or None when nothing without fa2 ops is left."""
    has_fa2 = lambda t: re.search(r"\bfa2\.\w", re.sub(r"//.*", "", t))
    if not has_fa2(text):
        return text
    kept, block = [], None
    for line in text.split("\n"):
        if block is None and line.startswith("func.func"):
            block = [line]
        elif block is not None:
            block.append(line)
        else:
            kept.append(line)
        if block is not None and line == "}":
            if not has_fa2("\n".join(block)):
                kept.extend(block)
            block = None
    rest = "\n".join(kept + (block or []))
    return None if has_fa2(rest) or "func.func" not in rest else rest


def upstream_crash(runner, text):
    """Whether upstream mlir-opt crashes on `text` as well: a crash of MLIR's
    own parser or verifiers (e.g. a linalg named op on `index` elements, or
    on complex operands with a float init), not fa2's; such a mutant never
    parsed and verified. The functions that use fa2 ops are left out of what
    mlir-opt is given (it cannot parse them); if it crashes on the rest, the
    crash is MLIR's."""
    rest = without_fa2_functions(text)
    if not runner.mlir_opt or rest is None:
        return False
    rc, _, err = runner.run([], rest, runner.timeout, tool=runner.mlir_opt)
    return crashed(rc, err)


def valid_inputs(runner, texts):
    """Which mutants parse and verify (no pass), fa2-opt crashes while
    parsing/verifying, and how many crash upstream MLIR too."""
    joined, starts = join_chunks(texts)
    rc, out, err = runner.run(["--split-input-file", f"--output-split-marker={SPLIT}"], joined,
                              runner.timeout * 2)
    if rc != "timeout" and not crashed(rc, err):
        errors = chunk_of_errors(err, starts)
        if errors is not None and len(split_outputs(out)) == len(texts):
            return [i not in errors for i in range(len(texts))], []
    res, crashes = [], []
    for t in texts:
        rc, _, err = runner.run([], t, runner.timeout)
        if crashed(rc, err) or rc == "timeout":
            if rc != "timeout" and upstream_crash(runner, t):
                crashes.append((t, None))
            else:
                crashes.append((t, "parse: " + (crash_signature(rc, err) if rc != "timeout" else "timeout")))
            res.append(False)
        else:
            res.append(rc == 0 and not error_lines(err))
    return res, crashes


#===----------------------------------------------------------------------===#
# Minimizing a reproducer (line-based delta debugging)
#===----------------------------------------------------------------------===#


def minimize(runner, pass_args, text, kind, detail, budget_s=120):
    start = time.time()

    def still(t):
        if time.time() - start > budget_s:
            return False
        vrc, _, verr = runner.run([], t, runner.timeout)
        if vrc != 0:
            return False
        k, d = classify_one(runner, pass_args, t)
        return k == kind and (kind != "crash" or d.split(":")[0] == detail.split(":")[0])
    lines = text.splitlines()
    n = 2
    while len(lines) >= 2 and time.time() - start < budget_s:
        chunk = max(1, len(lines) // n)
        removed = False
        for i in range(0, len(lines), chunk):
            cand = lines[:i] + lines[i + chunk:]
            if cand and still("\n".join(cand) + "\n"):
                lines = cand
                n = max(n - 1, 2)
                removed = True
                break
        if not removed:
            if chunk == 1:
                break
            n = min(len(lines), n * 2)
    return "\n".join(lines) + "\n"

#===----------------------------------------------------------------------===#
# Driver
#===----------------------------------------------------------------------===#


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    p = argparse.ArgumentParser(description="fa2-opt mutation fuzzer")
    p.add_argument("--fa2-opt", default=shutil.which("fa2-opt") or os.path.join(repo, "build/bin/fa2-opt"))
    p.add_argument("--mlir-opt", default=shutil.which("mlir-opt") or "/usr/lib/llvm-22/bin/mlir-opt",
                   help="upstream mlir-opt: a mutant (without fa2 ops) that crashes it too is upstream's")
    p.add_argument("--seeds", nargs="*", default=[os.path.join(repo, "test"), os.path.join(repo, "examples")])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=500, help="runs to classify (valid mutants x pass)")
    p.add_argument("--batch", type=int, default=16, help="mutants per fa2-opt process")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--timeout", type=float, default=60, help="seconds per run")
    p.add_argument("--time-limit", type=float, default=0, help="stop after this many seconds (0: none)")
    p.add_argument("--out", default=None, help="where reproducers go (default: a temporary folder)")
    p.add_argument("--minimize", action="store_true", help="minimize each reproducer (line deltas)")
    p.add_argument("--passes", default="", help="comma-separated subset of pass names")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--progress", type=int, default=0, help="print the counts every N runs (0: never)")
    args = p.parse_args()

    seeds = load_seeds(args.seeds)
    if not seeds:
        print("fa2-fuzz: error: no seed inputs")
        return 2
    global PASSES
    if args.passes:
        keep = set(args.passes.split(";"))
        PASSES = [x for x in PASSES if x[0] in keep]
    out_dir = args.out or tempfile.mkdtemp(prefix="fa2-fuzz-")
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="fa2-fuzz-work-")
    # An option pointing below a regular file cannot be created: a manifest-dir error.
    open(os.path.join(work, "file"), "w").close()
    runner = Runner(args.fa2_opt, args.timeout, work)
    runner.mlir_opt = args.mlir_opt if os.path.exists(args.mlir_opt) else None
    rng = random.Random(args.seed)
    counts = collections.Counter()
    by_pass = collections.defaultdict(collections.Counter)
    bad_seen = set()
    started = time.time()
    print(f"fa2-fuzz: seed={args.seed} runs={args.runs} seeds={len(seeds)} fa2-opt={args.fa2_opt}", flush=True)

    def report(kind, detail, pass_args, text, origin):
        key = (kind, re.sub(r"0x[0-9a-f]+|\d+", "N", detail), (pass_args or ["parse"])[0].split("=")[0])
        digest = hashlib.sha1((" ".join(pass_args) + text).encode()).hexdigest()[:10]
        path = os.path.join(out_dir, f"{kind}-{digest}.mlir")
        if key in bad_seen and not args.minimize:
            return
        first = key not in bad_seen
        bad_seen.add(key)
        if args.minimize and first:
            text = minimize(runner, pass_args, text, kind, detail)
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"// fa2-fuzz {kind}: {detail}\n// from {origin}\n"
                    f"// RUN: fa2-opt {' '.join(pass_args)} %s\n{text}")
        print(f"fa2-fuzz: {kind.upper()} {' '.join(pass_args)}: {detail} ({origin}) -> {path}", flush=True)
        if kind == "crash" and pass_args and raiser_crash(runner, text):
            print(f"fa2-fuzz: (the crash is in --fa2-raise-attention alone)", flush=True)

    # One batch = one pass (with its options) and --batch mutants; batches
    # are generated in order from the seed, so a run is reproducible whatever
    # --jobs is.
    generated = 0
    total = 0

    def batches():
        nonlocal generated
        while True:
            pass_args = pick_pass(rng, work)
            items = []
            for _ in range(args.batch):
                origin, applied, text = mutate(rng, seeds)
                generated += 1
                items.append((f"{origin} {'+'.join(applied) or 'unmutated'} #{generated}", text))
            yield pass_args, items

    def account(recs):
        nonlocal total
        for kind, detail, pa, text, origin, n_rej in recs:
            if kind is None:
                counts["rejected"] += n_rej
                continue
            if kind == "upstream":
                # Upstream MLIR crashes on the mutant before any fa2 code
                # runs: not a run of fa2; counted, and saved once per kind.
                counts["upstream"] += 1
                counts["rejected"] += 1
                report("upstream", "mlir-opt crashes too", [], text, origin)
                continue
            counts[kind] += 1
            total += 1
            if args.progress and total % args.progress == 0:
                print(f"fa2-fuzz: progress runs={total} " +
                      " ".join(f"{k}={counts[k]}" for k in ("ok", "diagnostic") + BAD) +
                      f" seconds={time.time() - started:.0f}", flush=True)
            by_pass[(pa[0] if pa else "parse").split("=")[0]][kind] += 1
            if kind in BAD:
                report(kind, detail, pa, text, origin)

    gen = batches()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = collections.deque()
        while total < args.runs and not (args.time_limit and time.time() - started > args.time_limit):
            while len(futures) < args.jobs:
                pass_args, items = next(gen)
                futures.append(pool.submit(_flush_items, runner, pass_args, items))
            account(futures.popleft().result())
        for f in futures:
            account(f.result())
    elapsed = time.time() - started
    if not args.quiet:
        for name in sorted(by_pass):
            c = by_pass[name]
            print(f"fa2-fuzz: pass {name}: " + " ".join(f"{k}={c[k]}" for k in
                                                     ("ok", "diagnostic") + BAD), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"fa2-fuzz: SUMMARY runs={sum(counts[k] for k in ('ok', 'diagnostic') + BAD)} "
          + " ".join(f"{k}={counts[k]}" for k in ("ok", "diagnostic") + BAD + ("rejected", "upstream"))
          + f" mutants={generated} seconds={elapsed:.0f} reproducers={out_dir}", flush=True)
    return 1 if any(counts[k] for k in BAD) else 0


def _flush_items(runner, key, items):
    """Runs one batch: records for the main thread to count (kind None: the
    number of mutants that did not parse or verify)."""
    recs = []
    ok, crashes = valid_inputs(runner, [t for _, t in items])
    for t, why in crashes:
        if why is None:
            recs.append(("upstream", "", [], t, "parser", 0))
        else:
            recs.append(("crash", why, [], t, "parser", 0))
    good = [it for it, g in zip(items, ok) if g]
    recs.append((None, "", [], "", "", len(ok) - len(good)))
    if good:
        for (origin, text), (kind, detail) in zip(good, classify_batch(runner, list(key),
                                                                      [t for _, t in good])):
            recs.append((kind, detail, list(key), text, origin, 0))
    return recs


if __name__ == "__main__":
    sys.exit(main())
