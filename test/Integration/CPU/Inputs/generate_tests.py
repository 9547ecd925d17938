#!/usr/bin/env python3
# ===- generate_tests.py - writes the generated CPU differential tests ---=== #
#
# Writes test/Integration/CPU/*.mlir (except tosa.mlir) and
# test/Integration/CPU/lower-to-loops/*.mlir (except in-loop.mlir): each is an
# attention written in linalg (the forms fa2's raiser recognizes), a main that
# builds deterministic inputs (sin of the indices) and prints results as f32
# bit patterns, and the RUN lines. Edit the specs at the bottom and rerun:
#   python3 test/Integration/CPU/Inputs/generate_tests.py
#
# ===----------------------------------------------------------------------=== #
import os
import re

from input_bodies import bool_mask_body, sin_input_body

P = '"parallel"'
R = '"reduction"'


def T(shape, et):
    if not shape:
        return "tensor<%s>" % et
    return "tensor<%sx%s>" % ("x".join("?" if s is None else str(s) for s in shape), et)


def M(n, res):
    return "affine_map<(%s) -> (%s)>" % (", ".join("d%d" % i for i in range(n)), ", ".join(res))


def ident(n):
    return M(n, ["d%d" % i for i in range(n)])


class F:
    """Emits the body of one function."""

    def __init__(self):
        self.out = []
        self.n = 0

    def v(self, p="v"):
        self.n += 1
        return "%%%s%d" % (p, self.n)

    def line(self, s, ind=2):
        self.out.append(" " * ind + s)

    def empty(self, shape, et):
        e = self.v("empty")
        self.line("%s = tensor.empty() : %s" % (e, T(shape, et)))
        return e

    def fill(self, shape, et, val):
        e = self.empty(shape, et)
        c = self.v("cst")
        self.line("%s = arith.constant %s : %s" % (c, val, et))
        f = self.v("fill")
        t = T(shape, et)
        self.line("%s = linalg.fill ins(%s : %s) outs(%s : %s) -> %s" % (f, c, et, e, t, t))
        return f

    def generic(self, ins, outs, maps, iters, body_args, body, result_types):
        """ins/outs: lists of (value, shape, et). body: list of lines, last
        'linalg.yield ...'."""
        r = self.v("g")
        self.line("%s = linalg.generic {indexing_maps = [%s], iterator_types = [%s]}"
                  % (r, ", ".join(maps), ", ".join(iters)))
        s = "   "
        if ins:
            s += " ins(%s : %s)" % (", ".join(x[0] for x in ins), ", ".join(T(x[1], x[2]) for x in ins))
        s += " outs(%s : %s) {" % (", ".join(x[0] for x in outs), ", ".join(T(x[1], x[2]) for x in outs))
        self.line(s)
        ets = [x[2] for x in ins] + [x[2] for x in outs]
        self.line("^bb0(%s):" % ", ".join("%s: %s" % (a, t) for a, t in zip(body_args, ets)), 2)
        for b in body:
            self.line(b, 4)
        self.line("} -> %s" % ", ".join(result_types))
        return r

    def map_elementwise(self, ins, out_shape, out_et, in_maps, body):
        """Elementwise generic over out_shape; body gets arg names."""
        rank = len(out_shape)
        e = self.empty(out_shape, out_et)
        args = ["%%in%d" % i for i in range(len(ins))] + ["%out"]
        return self.generic(ins, [(e, out_shape, out_et)], in_maps + [ident(rank)], [P] * rank,
                            args, body(args), [T(out_shape, out_et)])

    def cast(self, x, shape, src, dst):
        if src == dst:
            return x
        op = "arith.extf" if src != "f32" else "arith.truncf"
        return self.map_elementwise([(x, shape, src)], shape, dst, [ident(len(shape))],
                                    lambda a: ["%%c = %s %s : %s to %s" % (op, a[0], src, dst),
                                               "linalg.yield %c : " + dst])


def gen_input(f, shape, et, seed):
    """amp * sin(sum_k c_k * i_k + phase), computed in f32, cast to et."""
    rank = len(shape)
    body = sin_input_body(rank, et, seed)
    e = f.empty(shape, et)
    return f.generic([], [(e, shape, et)], [ident(rank)], [P] * rank, ["%out"], body, [T(shape, et)])


def gen_bool_mask(f, shape, seed, kill_row=None):
    """mask[..., i, j] = (i*5 + j*3 + seed) % 7 != 0, and (optionally) row
    kill_row entirely false."""
    rank = len(shape)
    body = bool_mask_body(rank, seed)
    res = "%keep"
    if kill_row is not None:
        body += ["%%ck = arith.constant %d : index" % kill_row,
                 "%dead = arith.cmpi eq, %i, %ck : index",
                 "%false = arith.constant false",
                 "%keep2 = arith.select %dead, %false, %keep : i1"]
        res = "%keep2"
    body.append("linalg.yield %s : i1" % res)
    e = f.empty(shape, "i1")
    return f.generic([], [(e, shape, "i1")], [ident(rank)], [P] * rank, ["%out"], body, [T(shape, "i1")])


class Spec:
    def __init__(self, name, **kw):
        self.name = name
        self.batch = kw.get("batch", [2])
        self.hq = kw.get("hq", 4)
        self.hkv = kw.get("hkv", self.hq)
        self.sq = kw.get("sq", 24)
        self.sk = kw.get("sk", self.sq)
        self.d = kw.get("d", 16)
        self.dv = kw.get("dv", self.d)
        self.et = kw.get("et", "f32")
        self.out_et = kw.get("out_et", self.et)
        self.scale = kw.get("scale", 0.25)
        self.scale_form = kw.get("scale_form", "mul")  # mul | div
        self.mask = kw.get("mask")  # None | "float" | "bool"
        self.mask_shape = kw.get("mask_shape")  # default [sq, sk]
        self.kill_row = kw.get("kill_row")
        self.causal = kw.get("causal", False)
        self.window = kw.get("window")  # None | (left, right)
        self.fill = kw.get("fill")  # None (-inf) | a finite float, as masked_fill(..., fill)
        self.lse = kw.get("lse", False)
        self.softmax = kw.get("softmax", "linalg")  # linalg | decomposed | safe | torch_safe
        self.qk = kw.get("qk", "generic")  # generic | batch_matmul
        self.layout = kw.get("layout", "bhsd")


def fill_literal(v):
    """An f32 constant in MLIR syntax, exact (hex bits) for any finite value."""
    import struct
    return "0x%08X" % struct.unpack("<I", struct.pack("<f", v))[0]


def qkv_shape(s, h, seq, feat):
    if s.layout == "bhsd":
        return s.batch + [h, seq, feat]
    return s.batch + [seq, h, feat]


def emit_reference(s, fname):
    """The attention chain as linalg on tensors; returns the function text."""
    f = F()
    nb = len(s.batch)
    qs = qkv_shape(s, s.hq, s.sq, s.d)
    ks = qkv_shape(s, s.hkv, s.sk, s.d)
    vs = qkv_shape(s, s.hkv, s.sk, s.dv)
    os_ = qkv_shape(s, s.hq, s.sq, s.dv)
    args = ["%%q: %s" % T(qs, s.et), "%%k: %s" % T(ks, s.et), "%%v: %s" % T(vs, s.et)]
    ms = None
    if s.mask:
        ms = s.mask_shape or [s.sq, s.sk]
        args.append("%%m: %s" % T(ms, "i1" if s.mask == "bool" else "f32"))
    rtypes = [T(os_, s.out_et)]
    lse_shape = s.batch + [s.hq, s.sq]
    if s.lse:
        rtypes.append(T(lse_shape, "f32"))
    q, k, v = "%q", "%k", "%v"
    # Widen to f32.
    q = f.cast(q, qs, s.et, "f32")
    k = f.cast(k, ks, s.et, "f32")
    v = f.cast(v, vs, s.et, "f32")
    # bshd: transpose to bhsd first.
    if s.layout == "bshd":
        perm = list(range(nb)) + [nb + 1, nb, nb + 2]
        def tr(x, shape):
            ns = [shape[p] for p in perm]
            e = f.empty(ns, "f32")
            r = f.v("tr")
            f.line("%s = linalg.transpose ins(%s : %s) outs(%s : %s) permutation = [%s]"
                   % (r, x, T(shape, "f32"), e, T(ns, "f32"), ", ".join(map(str, perm))))
            return r, ns
        q, qs = tr(q, qs)
        k, ks = tr(k, ks)
        v, vs = tr(v, vs)
    # GQA: broadcast K/V heads.
    if s.hkv != s.hq:
        g = s.hq // s.hkv
        def bc(x, shape):
            ns = shape[:nb + 1] + [g] + shape[nb + 1:]
            e = f.empty(ns, "f32")
            r = f.v("bc")
            f.line("%s = linalg.broadcast ins(%s : %s) outs(%s : %s) dimensions = [%d]"
                   % (r, x, T(shape, "f32"), e, T(ns, "f32"), nb + 1))
            cs = shape[:nb] + [s.hq] + shape[nb + 1:]
            reassoc = [[i] for i in range(nb)] + [[nb, nb + 1], [nb + 2], [nb + 3]]
            c = f.v("col")
            f.line("%s = tensor.collapse_shape %s [%s] : %s into %s"
                   % (c, r, ", ".join("[%s]" % ", ".join(map(str, g_)) for g_ in reassoc), T(ns, "f32"), T(cs, "f32")))
            return c, cs
        k, ks = bc(k, ks)
        v, vs = bc(v, vs)
    # Scores [b..., h, i, j].
    ss = s.batch + [s.hq, s.sq, s.sk]
    rank = len(ss)
    if s.qk == "generic":
        init = f.fill(ss, "f32", "0.000000e+00")
        n = rank + 1
        b_ = ["d%d" % i for i in range(nb + 1)]
        i_, j_, d_ = "d%d" % (nb + 1), "d%d" % (nb + 2), "d%d" % (nb + 3)
        sc = f.generic([(q, qs, "f32"), (k, ks, "f32")], [(init, ss, "f32")],
                       [M(n, b_ + [i_, d_]), M(n, b_ + [j_, d_]), M(n, b_ + [i_, j_])],
                       [P] * rank + [R], ["%a", "%b", "%acc"],
                       ["%p = arith.mulf %a, %b : f32", "%s = arith.addf %acc, %p : f32",
                        "linalg.yield %s : f32"], [T(ss, "f32")])
    else:
        # batch_matmul on [B*H, S, D] with a transposed K.
        assert nb <= 1
        bh = (s.batch[0] if nb else 1) * s.hq
        def col3(x, shape):
            if nb == 0:
                return x
            c = f.v("c3")
            ns = [bh] + shape[nb + 1:]
            f.line("%s = tensor.collapse_shape %s [[0, 1], [2], [3]] : %s into %s" % (c, x, T(shape, "f32"), T(ns, "f32")))
            return c
        q3 = col3(q, qs)
        k3 = col3(k, ks)
        e = f.empty([bh, s.d, s.sk], "f32")
        kt = f.v("kt")
        f.line("%s = linalg.transpose ins(%s : %s) outs(%s : %s) permutation = [0, 2, 1]"
               % (kt, k3, T([bh, s.sk, s.d], "f32"), e, T([bh, s.d, s.sk], "f32")))
        init = f.fill([bh, s.sq, s.sk], "f32", "0.000000e+00")
        mm = f.v("bmm")
        f.line("%s = linalg.batch_matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
               % (mm, q3, kt, T([bh, s.sq, s.d], "f32"), T([bh, s.d, s.sk], "f32"), init,
                  T([bh, s.sq, s.sk], "f32"), T([bh, s.sq, s.sk], "f32")))
        sc = mm
        if nb:
            sc = f.v("e4")
            f.line("%s = tensor.expand_shape %s [[0, 1], [2], [3]] output_shape [%s] : %s into %s"
                   % (sc, mm, ", ".join(map(str, ss)), T([bh, s.sq, s.sk], "f32"), T(ss, "f32")))
    # Scale.
    if s.scale is not None:
        if s.scale_form == "mul":
            sc = f.map_elementwise([(sc, ss, "f32")], ss, "f32", [ident(rank)],
                                   lambda a: ["%%sc = arith.constant %s : f32" % repr(s.scale),
                                              "%%r = arith.mulf %s, %%sc : f32" % a[0], "linalg.yield %r : f32"])
        else:
            sc = f.map_elementwise([(sc, ss, "f32")], ss, "f32", [ident(rank)],
                                   lambda a: ["%%sc = arith.constant %s : f32" % repr(1.0 / s.scale),
                                              "%%r = arith.divf %s, %%sc : f32" % a[0], "linalg.yield %r : f32"])
    # A removed score: -inf, or the finite fill of masked_fill(mask, fill).
    removed = "0xFF800000" if s.fill is None else fill_literal(s.fill)
    # Mask, broadcast numpy-style from the right. With a finite fill, the
    # float mask is added after the positional masks (fa2.attention's order).
    float_mask_last = s.fill is not None
    if s.mask:
        mr = len(ms)
        res = []
        for t in range(mr):
            dim = rank - mr + t
            res.append("0" if ms[t] == 1 and ss[dim] != 1 else "d%d" % dim)
        mmap = M(rank, res)
        if s.mask == "float" and not float_mask_last:
            sc = f.map_elementwise([(sc, ss, "f32"), ("%m", ms, "f32")], ss, "f32", [ident(rank), mmap],
                                   lambda a: ["%%r = arith.addf %s, %s : f32" % (a[0], a[1]), "linalg.yield %r : f32"])
        elif s.mask == "bool":
            sc = f.map_elementwise([(sc, ss, "f32"), ("%m", ms, "i1")], ss, "f32", [ident(rank), mmap],
                                   lambda a: ["%%ninf = arith.constant %s : f32" % removed,
                                              "%%r = arith.select %s, %s, %%ninf : f32" % (a[1], a[0]),
                                              "linalg.yield %r : f32"])
    # Causal, bottom-right aligned: hide j > i + (Sk - Sq).
    if s.causal:
        off = s.sk - s.sq
        sc = f.map_elementwise([(sc, ss, "f32")], ss, "f32", [ident(rank)],
                               lambda a: ["%%i = linalg.index %d : index" % (rank - 2),
                                          "%%j = linalg.index %d : index" % (rank - 1),
                                          "%%off = arith.constant %d : index" % off,
                                          "%lim = arith.addi %i, %off : index",
                                          "%hide = arith.cmpi sgt, %j, %lim : index",
                                          "%%ninf = arith.constant %s : f32" % removed,
                                          "%%r = arith.select %%hide, %%ninf, %s : f32" % a[0],
                                          "linalg.yield %r : f32"])
    # Sliding window, on the same bottom-right diagonal: hide keys with
    # j - (i + Sk - Sq) outside [-left, right].
    if s.window:
        off = s.sk - s.sq
        left, right = s.window
        sc = f.map_elementwise([(sc, ss, "f32")], ss, "f32", [ident(rank)],
                               lambda a: ["%%i = linalg.index %d : index" % (rank - 2),
                                          "%%j = linalg.index %d : index" % (rank - 1),
                                          "%%off = arith.constant %d : index" % off,
                                          "%diag = arith.addi %i, %off : index",
                                          "%rel = arith.subi %j, %diag : index",
                                          "%%lo = arith.constant %d : index" % -left,
                                          "%%hi = arith.constant %d : index" % right,
                                          "%below = arith.cmpi slt, %rel, %lo : index",
                                          "%above = arith.cmpi sgt, %rel, %hi : index",
                                          "%hide = arith.ori %below, %above : i1",
                                          "%%ninf = arith.constant %s : f32" % removed,
                                          "%%r = arith.select %%hide, %%ninf, %s : f32" % a[0],
                                          "linalg.yield %r : f32"])
    if s.mask == "float" and float_mask_last:
        sc = f.map_elementwise([(sc, ss, "f32"), ("%m", ms, "f32")], ss, "f32", [ident(rank), mmap],
                               lambda a: ["%%r = arith.addf %s, %s : f32" % (a[0], a[1]), "linalg.yield %r : f32"])
    # Softmax over j.
    rs = ss[:-1]
    red_maps = [ident(rank), M(rank, ["d%d" % i for i in range(rank - 1)])]
    bcast = M(rank, ["d%d" % i for i in range(rank - 1)])
    lse = None
    if s.softmax in ("linalg", "torch_safe") and not s.lse:
        e = f.empty(ss, "f32")
        p = f.v("sm")
        f.line("%s = linalg.softmax dimension(%d) ins(%s : %s) outs(%s : %s) -> %s"
               % (p, rank - 1, sc, T(ss, "f32"), e, T(ss, "f32"), T(ss, "f32")))
        if s.softmax == "torch_safe":
            # PyTorch's _safe_softmax: where(all(x == -inf, -1, keepdim), 0,
            # softmax(x)); "all" is an andi reduction from true.
            tinit = f.fill(rs, "i1", "1")
            dead = f.generic([(sc, ss, "f32")], [(tinit, rs, "i1")], red_maps, [P] * (rank - 1) + [R],
                             ["%x", "%acc"], ["%ninf = arith.constant 0xFF800000 : f32",
                                              "%c = arith.cmpf oeq, %x, %ninf : f32",
                                              "%r = arith.andi %c, %acc : i1", "linalg.yield %r : i1"],
                             [T(rs, "i1")])
            keep = f.v("keepdim")
            reassoc = [[i] for i in range(rank - 2)] + [[rank - 2, rank - 1]]
            f.line("%s = tensor.expand_shape %s [%s] output_shape [%s] : %s into %s"
                   % (keep, dead, ", ".join("[%s]" % ", ".join(map(str, g_)) for g_ in reassoc),
                      ", ".join(map(str, rs + [1])), T(rs, "i1"), T(rs + [1], "i1")))
            p = f.map_elementwise([(keep, rs + [1], "i1"), (p, ss, "f32")], ss, "f32",
                                  [M(rank, ["d%d" % i for i in range(rank - 1)] + ["0"]), ident(rank)],
                                  lambda a: ["%zero = arith.constant 0.000000e+00 : f32",
                                             "%%r = arith.select %s, %%zero, %s : f32" % (a[0], a[1]),
                                             "linalg.yield %r : f32"])
    else:
        minit = f.fill(rs, "f32", "0xFF800000")
        mx = f.generic([(sc, ss, "f32")], [(minit, rs, "f32")], red_maps, [P] * (rank - 1) + [R],
                       ["%x", "%acc"], ["%r = arith.maximumf %x, %acc : f32", "linalg.yield %r : f32"],
                       [T(rs, "f32")])
        safe = s.softmax == "safe"
        def sub_exp(a):
            body = []
            m = a[1]
            if safe:
                # A fully masked row has max -inf: subtract 0 instead.
                body += ["%ninf = arith.constant 0xFF800000 : f32",
                         "%zero = arith.constant 0.000000e+00 : f32",
                         "%%dead = arith.cmpf oeq, %s, %%ninf : f32" % a[1],
                         "%%ms = arith.select %%dead, %%zero, %s : f32" % a[1]]
                m = "%ms"
            body += ["%%d = arith.subf %s, %s : f32" % (a[0], m), "%r = math.exp %d : f32", "linalg.yield %r : f32"]
            return body
        ex = f.map_elementwise([(sc, ss, "f32"), (mx, rs, "f32")], ss, "f32", [ident(rank), bcast], sub_exp)
        sinit = f.fill(rs, "f32", "0.000000e+00")
        sm = f.generic([(ex, ss, "f32")], [(sinit, rs, "f32")], red_maps, [P] * (rank - 1) + [R],
                       ["%x", "%acc"], ["%r = arith.addf %x, %acc : f32", "linalg.yield %r : f32"],
                       [T(rs, "f32")])
        def div(a):
            if safe:
                return ["%zero = arith.constant 0.000000e+00 : f32", "%one = arith.constant 1.000000e+00 : f32",
                        "%%dead = arith.cmpf oeq, %s, %%zero : f32" % a[1],
                        "%%den = arith.select %%dead, %%one, %s : f32" % a[1],
                        "%%r = arith.divf %s, %%den : f32" % a[0], "linalg.yield %r : f32"]
            return ["%%r = arith.divf %s, %s : f32" % (a[0], a[1]), "linalg.yield %r : f32"]
        p = f.map_elementwise([(ex, ss, "f32"), (sm, rs, "f32")], ss, "f32", [ident(rank), bcast], div)
        if s.lse:
            def lse_body(a):
                body = ["%%l = math.log %s : f32" % a[1], "%%r = arith.addf %%l, %s : f32" % a[0]]
                if safe:
                    body += ["%zero = arith.constant 0.000000e+00 : f32", "%pinf = arith.constant 0x7F800000 : f32",
                             "%%dead = arith.cmpf oeq, %s, %%zero : f32" % a[1],
                             "%r2 = arith.select %dead, %pinf, %r : f32", "linalg.yield %r2 : f32"]
                else:
                    body.append("linalg.yield %r : f32")
                return body
            lse = f.map_elementwise([(mx, rs, "f32"), (sm, rs, "f32")], rs, "f32",
                                    [ident(rank - 1), ident(rank - 1)], lse_body)
    # O = P V.
    ob = s.batch + [s.hq, s.sq, s.dv]
    init = f.fill(ob, "f32", "0.000000e+00")
    n = rank + 1
    b_ = ["d%d" % i for i in range(nb + 1)]
    i_, j_, e_ = "d%d" % (nb + 1), "d%d" % (nb + 2), "d%d" % (nb + 3)
    o = f.generic([(p, ss, "f32"), (v, vs, "f32")], [(init, ob, "f32")],
                  [M(n, b_ + [i_, j_]), M(n, b_ + [j_, e_]), M(n, b_ + [i_, e_])],
                  [P] * (rank - 1) + [R, P], ["%a", "%b", "%acc"],
                  ["%p = arith.mulf %a, %b : f32", "%s = arith.addf %acc, %p : f32", "linalg.yield %s : f32"],
                  [T(ob, "f32")])
    if s.layout == "bshd":
        perm = list(range(nb)) + [nb + 1, nb, nb + 2]
        ns = [ob[p_] for p_ in perm]
        e = f.empty(ns, "f32")
        r = f.v("tr")
        f.line("%s = linalg.transpose ins(%s : %s) outs(%s : %s) permutation = [%s]"
               % (r, o, T(ob, "f32"), e, T(ns, "f32"), ", ".join(map(str, perm))))
        o, ob = r, ns
    o = f.cast(o, ob, "f32", s.out_et)
    rets = [o] + ([lse] if s.lse else [])
    f.line("return %s : %s" % (", ".join(rets), ", ".join(rtypes)))
    head = "func.func @%s(%s) -> (%s) {" % (fname, ", ".join(args), ", ".join(rtypes))
    return "\n".join([head] + f.out + ["}"])


def dynify(shape, on):
    return [None] * len(shape) if on else shape


def emit_fa2(s, fname, dyn=False):
    qs = dynify(qkv_shape(s, s.hq, s.sq, s.d), dyn)
    ks = dynify(qkv_shape(s, s.hkv, s.sk, s.d), dyn)
    vs = dynify(qkv_shape(s, s.hkv, s.sk, s.dv), dyn)
    os_ = dynify(qkv_shape(s, s.hq, s.sq, s.dv), dyn)
    args = ["%%q: %s" % T(qs, s.et), "%%k: %s" % T(ks, s.et), "%%v: %s" % T(vs, s.et)]
    types = [T(qs, s.et), T(ks, s.et), T(vs, s.et)]
    opnds = "%q, %k, %v"
    if s.mask:
        ms = dynify(s.mask_shape or [s.sq, s.sk], dyn)
        mt = T(ms, "i1" if s.mask == "bool" else "f32")
        args.append("%%m: %s" % mt)
        types.append(mt)
        opnds += " mask(%m)"
    rtypes = [T(os_, s.out_et)] + ([T(dynify(s.batch + [s.hq, s.sq], dyn), "f32")] if s.lse else [])
    scale = s.scale if s.scale is not None else 1.0
    res = "%o, %l" if s.lse else "%o"
    attrs = " scale(%s)" % repr(float(scale))
    if s.causal:
        attrs += " causal"
    if s.window:
        attrs += " window(%d, %d)" % s.window
    if s.fill is not None:
        attrs += " fill(%s)" % repr(float(s.fill))
    if s.layout == "bshd":
        attrs += " layout<bshd>"
    return "\n".join([
        "func.func @%s(%s) -> (%s) {" % (fname, ", ".join(args), ", ".join(rtypes)),
        "  %s = fa2.attention %s%s : %s -> %s" % (res, opnds, attrs, ", ".join(types), ", ".join(rtypes)),
        "  return %s : %s" % (res, ", ".join(rtypes)),
        "}"])


def emit_main(s, callees, dyn_callees=()):
    f = F()
    qs = qkv_shape(s, s.hq, s.sq, s.d)
    ks = qkv_shape(s, s.hkv, s.sk, s.d)
    vs = qkv_shape(s, s.hkv, s.sk, s.dv)
    os_ = qkv_shape(s, s.hq, s.sq, s.dv)
    q = gen_input(f, qs, s.et, 1)
    k = gen_input(f, ks, s.et, 2)
    v = gen_input(f, vs, s.et, 3)
    ops = [q, k, v]
    types = [T(qs, s.et), T(ks, s.et), T(vs, s.et)]
    if s.mask:
        ms = s.mask_shape or [s.sq, s.sk]
        if s.mask == "bool":
            m = gen_bool_mask(f, ms, 0, s.kill_row)
            types.append(T(ms, "i1"))
        else:
            m = gen_input(f, ms, "f32", 4)
            types.append(T(ms, "f32"))
        ops.append(m)
    rtypes = [T(os_, s.out_et)] + ([T(s.batch + [s.hq, s.sq], "f32")] if s.lse else [])
    for callee in callees:
        r = f.v("r")
        nres = len(rtypes)
        names = [r] if nres == 1 else ["%s#%d" % (r, i) for i in range(nres)]
        cops, ctypes, crtypes = ops, types, rtypes
        if callee in dyn_callees:
            cops, ctypes = [], []
            for o, t in zip(ops, types):
                dt = re.sub(r"<[0-9x]+x", lambda m_: "<" + "?x" * m_.group(0).count("x"), t)
                c = f.v("dyn")
                f.line("%s = tensor.cast %s : %s to %s" % (c, o, t, dt))
                cops.append(c)
                ctypes.append(dt)
            crtypes = [re.sub(r"<[0-9x]+x", lambda m_: "<" + "?x" * m_.group(0).count("x"), t) for t in rtypes]
        f.line("%s%s = call @%s(%s) : (%s) -> (%s)" % (r, ":%d" % nres if nres > 1 else "", callee, ", ".join(cops),
                                                      ", ".join(ctypes), ", ".join(crtypes)))
        if callee in dyn_callees:
            newnames = []
            for name, rt, ct in zip(names, rtypes, crtypes):
                c = f.v("st")
                f.line("%s = tensor.cast %s : %s to %s" % (c, name, ct, rt))
                newnames.append(c)
            names = newnames
        for name, (shape, et) in zip(names, [(os_, s.out_et)] + ([(s.batch + [s.hq, s.sq], "f32")] if s.lse else [])):
            x = f.cast(name, shape, et, "f32")
            bits = f.v("bits")
            f.line("%s = arith.bitcast %s : %s to %s" % (bits, x, T(shape, "f32"), T(shape, "i32")))
            u = f.v("u")
            f.line("%s = tensor.cast %s : %s to tensor<*xi32>" % (u, bits, T(shape, "i32")))
            f.line("call @printMemrefI32(%s) : (tensor<*xi32>) -> ()" % u)
    f.line("return")
    return "\n".join(["func.func @main() {"] + f.out + ["}", "func.func private @printMemrefI32(tensor<*xi32>)"])

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = "%run_main"

TOL = {"f32": "", "f16": " --rtol 2e-3", "bf16": " --rtol 1.6e-2"}


def header_A(desc, et, extra_blocks=None, raised_checks=()):
    tol = TOL[et]
    lines = ["// " + l for l in desc.strip().split("\n")]
    to_cpu = "".join(' --to-cpu="block-q=%d block-k=%d"' % b for b in (extra_blocks or []))
    if to_cpu:
        to_cpu = ' --to-cpu=""' + to_cpu
    lines += [
        "//",
        "// (a) upstream passes alone; (b) fa2-raise-attention, then fa2-to-cpu",
        "// (test/Inputs/differential.py).",
        "// RUN: %%differential %%s %%t%s --compare=\"--bits%s\" | FileCheck %%s" % (to_cpu, tol),
        "// RUN: FileCheck %s --check-prefix=RAISED < %t.raised.mlir",
    ]
    lines += ["", "// RAISED-LABEL: func.func @attention", "// RAISED: fa2.attention"]
    lines += ["// RAISED-SAME: " + c for c in raised_checks]
    lines += ["// CHECK-COUNT-%d: fa2-compare: {{.*}} nan=0 bad=0{{$}}" % (1 + len(extra_blocks or [])),
              "// CHECK-NOT: fa2-compare", ""]
    return "\n".join(lines) + "\n"


def header_B(desc, et, blocks):
    tol = TOL[et]
    lines = ["// " + l for l in desc.strip().split("\n")]
    lines += ["//",
              "// @reference is the same attention as linalg on tensors; main prints its",
              "// results, then @fa2's, and fa2-compare compares the two halves."]
    for i, b in enumerate(blocks):
        opt = "" if b is None else "=\"block-q=%d block-k=%d\"" % b
        lines += ["// RUN: fa2-opt %%s --fa2-to-cpu%s | %s > %%t.%d" % (opt, RUNNER, i),
                  "// RUN: fa2-compare --bits%s %%t.%d | FileCheck %%s" % (tol, i)]
    lines += ["", "// CHECK: fa2-compare: {{.*}} nan=0 bad=0{{$}}", ""]
    return "\n".join(lines) + "\n"


A = [
    ("mha-scale", Spec("x", batch=[2], hq=4, sq=24, d=16, scale=0.25),
     "Multi-head attention, f32, scale 0.25 as a multiply, linalg.softmax.\n"
     "Also run with other block sizes: the loops change, the numbers do not.",
     [(5, 7), (1, 1)], []),
    ("batch-matmul-div-scale", Spec("x", batch=[], hq=6, sq=20, d=16, scale=0.25, scale_form="div", qk="batch_matmul"),
     "No batch dimension ([H, S, D]); QK^T by linalg.batch_matmul with a\n"
     "transposed K; the scale as a division by 4 = sqrt(16).", None, []),
    ("additive-mask", Spec("x", batch=[2], hq=2, sq=16, sk=24, d=8, mask="float"),
     "A float mask [Sq, Sk] added to the scaled scores (broadcast over batch and\n"
     "heads).", None, ["mask(", "tensor<16x24xf32>"]),
    ("bool-mask", Spec("x", batch=[2], hq=3, sq=18, sk=18, d=8, mask="bool", mask_shape=[2, 1, 18, 18]),
     "A bool mask [B, 1, Sq, Sk] (broadcast over heads) applied with select.", None, ["mask("]),
    ("causal", Spec("x", batch=[1], hq=2, sq=40, d=8, causal=True),
     "Causal masking written with linalg.index comparisons (Sq = Sk).", [(16, 8)], ["causal"]),
    ("causal-sq-ne-sk", Spec("x", batch=[2], hq=2, sq=20, sk=52, d=8, causal=True, scale=0.3),
     "Causal masking with Sq < Sk: key j is visible to query i iff\n"
     "j <= i + (Sk - Sq) (bottom-right alignment).", [(8, 16)], ["causal"]),
    ("gqa", Spec("x", batch=[2], hq=8, hkv=2, sq=12, sk=20, d=8),
     "Grouped-query attention: 8 query heads over 2 K/V heads, K and V\n"
     "repeated with linalg.broadcast + tensor.collapse_shape. The raised op reads\n"
     "the 2 K/V heads directly (no repeated copy).", None, ["tensor<2x8x12x8xf32>, tensor<2x2x20x8xf32>, tensor<2x2x20x8xf32>"]),
    ("f16", Spec("x", batch=[2], hq=2, sq=16, sk=24, d=16, et="f16"),
     "f16 inputs and output, softmax and accumulation in f32 (extf/truncf).\n"
     "Metric: relative error, floor 0.1; bound 2e-3 (two f16 ulps).", None,
     ["tensor<2x2x16x16xf16>, tensor<2x2x24x16xf16>, tensor<2x2x24x16xf16> -> tensor<2x2x16x16xf16>"]),
    ("bf16-causal", Spec("x", batch=[2], hq=2, sq=24, d=16, et="bf16", causal=True),
     "bf16 inputs and output, causal, softmax in f32.\n"
     "Metric: relative error, floor 0.1; bound 1.6e-2 (two bf16 ulps).", None,
     ["causal", "xbf16> -> tensor<2x2x24x16xbf16>"]),
    ("tails", Spec("x", batch=[1], hq=2, sq=37, sk=45, d=12, dv=10, causal=True),
     "Sizes that are not multiples of the blocks (Sq = 37, Sk = 45, D = 12,\n"
     "Dv = 10), causal, with the default blocks (16 x 32) and 8 x 16.", [(8, 16)], ["causal"]),
    ("decode-sq1", Spec("x", batch=[2], hq=4, sq=1, sk=50, d=16, causal=True),
     "Decoding: one query row against 50 keys, causal (the last query sees all\n"
     "keys).", None, ["causal"]),
    ("sk1", Spec("x", batch=[2], hq=2, sq=9, sk=1, d=8),
     "A single key: the softmax is 1 and the output is that key's value row.", None, []),
    ("fully-masked-row", Spec("x", batch=[1], hq=2, sq=12, sk=16, d=8, mask="bool", kill_row=5, softmax="safe", lse=True),
     "Query row 5 has every key masked. The softmax is written in its safe form\n"
     "(max -inf -> subtract 0, sum 0 -> divide by 1), which defines what fa2's\n"
     "contract promises: output 0 and LSE +inf for that row, never NaN.", None, []),
    ("torch-safe-softmax", Spec("x", batch=[2], hq=2, sq=10, sk=20, d=8, mask="bool", kill_row=3,
                                softmax="torch_safe"),
     "PyTorch's _safe_softmax: where(all(x == -inf, dim=-1, keepdim=True), 0,\n"
     "softmax(x)), with query row 3 fully masked by the bool mask. The reference\n"
     "gives 0 there (the NaN of linalg.softmax is replaced), as fa2 does.", None,
     ["mask(", "tensor<10x20xi1>"]),
    ("lse", Spec("x", batch=[2], hq=2, sq=14, sk=22, d=8, softmax="decomposed", lse=True),
     "The log-sum-exp returned beside the output: LSE = max + log(sum(exp(s - max))),\n"
     "softmax decomposed into max/sub/exp/sum/div generics.", None, ["-> tensor<2x2x14x8xf32>, tensor<2x2x14xf32>"]),
    ("bshd", Spec("x", batch=[2], hq=4, sq=10, sk=14, d=8, layout="bshd"),
     "Inputs and output in [B, S, H, D] (PyTorch/JAX export) with linalg.transpose\n"
     "to and from [B, H, S, D].", None, ["layout<bshd>"]),
    ("sliding-window", Spec("x", batch=[2], hq=2, sq=40, sk=56, d=8, causal=True, window=(6, 0)),
     "A causal sliding window written in the graph: scores with\n"
     "j - (i + Sk - Sq) outside [-6, 0] are set to -inf by linalg.index compares.\n"
     "Raised to causal window(6, 0); also with blocks smaller than the window.", [(8, 4)],
     ["causal window(6, 0)"]),
    ("sliding-window-fill", Spec("x", batch=[1], hq=2, sq=24, sk=24, d=8, window=(3, 2), mask="bool", kill_row=7,
                                 fill=-3.4028234663852886e38, softmax="decomposed"),
     "masked_fill(~keep, finfo(f32).min) with a two-sided window(3, 2) and a bool\n"
     "mask that removes row 7 entirely: that row is the mean of V.", [(4, 8)],
     ["window(3, 2) fill("]),
]

B = [
    ("mha", Spec("x"), "fa2.attention (MHA, f32) against its linalg twin, three block shapes.",
     [None, (5, 7), (24, 1)]),
    ("bshd-gqa-mask-causal-lse", Spec("x", batch=[2], hq=8, hkv=2, sq=19, sk=37, d=12, dv=20, mask="float",
                                      mask_shape=[1, 8, 1, 37], causal=True, lse=True, layout="bshd", softmax="safe"),
     "layout<bshd>, GQA 8/2, a float mask [1, Hq, 1, Sk] broadcast over batch and\n"
     "query rows, causal with Sq < Sk, Dv != D, and the LSE.", [None, (4, 8)]),
    ("no-batch-empty-rows", Spec("x", batch=[], hq=3, sq=29, sk=11, d=8, mask="bool", causal=True, lse=True,
                                 softmax="safe", kill_row=27),
     "No batch dimension, a bool mask [Sq, Sk] that hides all of row 27, causal\n"
     "with Sq > Sk so that rows 0..17 see no key: output 0 and LSE +inf there.", [None, (7, 3)]),
    ("two-batch-f16-in-f32-out", Spec("x", batch=[2, 3], hq=2, sq=9, sk=14, d=6, et="f16", out_et="f32",
                                      mask="bool", mask_shape=[3, 1, 9, 14]),
     "Two batch dimensions, f16 inputs with an f32 output, a bool mask [3, 1, Sq, Sk]\n"
     "broadcast over the first batch dimension and the heads.", [None, (4, 4)]),
    ("bf16-lse", Spec("x", batch=[1], hq=2, sq=17, sk=33, d=8, et="bf16", lse=True),
     "bf16 in and out, LSE in f32.", [None]),
    ("dynamic", Spec("x", batch=[2], hq=4, hkv=2, sq=11, sk=19, d=8, mask="bool", mask_shape=[1, 19], causal=True),
     "Every dimension dynamic (tensor<?x?x?x?>), GQA, and a bool mask\n"
     "tensor<?x?xi1> whose first dimension is 1 at run time, so it broadcasts\n"
     "over the query rows by a run-time check.", [None, (4, 8)]),
    ("window-causal", Spec("x", batch=[2], hq=2, sq=20, sk=52, d=8, causal=True, window=(5, 0), scale=0.3),
     "causal window(5, 0): query i sees keys i + (Sk - Sq) - 5 ... i + (Sk - Sq), Sq < Sk;\n"
     "the key loop starts at the window of the block's first row.", [None, (4, 8), (7, 3)]),
    ("window-sq-gt-sk-empty-rows", Spec("x", batch=[1], hq=2, sq=37, sk=29, d=8, window=(3, 6), lse=True,
                                        softmax="safe"),
     "A two-sided window(3, 6) without causal, Sq > Sk: row i keeps keys\n"
     "i - 11 ... i - 2, so rows 0 and 1 see none (output 0, LSE +inf).", [None, (5, 4)]),
    ("fill-window-bool-mask", Spec("x", batch=[2], hq=2, sq=19, sk=23, d=8, window=(3, 6), mask="bool",
                                   kill_row=4, fill=-3.4028234663852886e38, lse=True, softmax="decomposed"),
     "masked_fill(mask, finfo(f32).min): fill(-3.40e38) with window(3, 6) and a bool\n"
     "mask that removes all of row 4. No row is empty: row 4 is the mean of V,\n"
     "its LSE fill + log(Sk); every key block is visited.", [None, (4, 8)]),
    ("fill-causal-float-mask", Spec("x", batch=[1], hq=3, sq=30, sk=21, d=8, causal=True, mask="float",
                                    mask_shape=[30, 21], fill=-1e9, lse=True, softmax="decomposed"),
     "fill(-1e9), causal with Sq > Sk (rows 0..8 keep no key) and a float mask added\n"
     "after the fill: those rows are a softmax over -1e9 + mask.", [None, (8, 4)]),
]


def famA(name, s, desc, blocks, raised):
    body = "\n\n".join([emit_reference(s, "attention"), emit_main(s, ["attention"])]) + "\n"
    return header_A(desc, s.et, blocks, raised) + "\n" + body


def famB(name, s, desc, blocks):
    dyn = name == "dynamic"
    body = "\n\n".join([emit_reference(s, "reference"), emit_fa2(s, "fa2", dyn),
                        emit_main(s, ["reference", "fa2"], ("fa2",) if dyn else ())]) + "\n"
    return header_B(desc, s.et, blocks) + "\n" + body


if __name__ == "__main__":
    os.makedirs(ROOT + "/lower-to-loops", exist_ok=True)
    for name, s, desc, blocks, raised in A:
        open("%s/%s.mlir" % (ROOT, name), "w").write(famA(name, s, desc, blocks, raised))
    for name, s, desc, blocks in B:
        open("%s/lower-to-loops/%s.mlir" % (ROOT, name), "w").write(famB(name, s, desc, blocks))
