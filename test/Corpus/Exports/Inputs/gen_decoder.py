#!/usr/bin/env python3
# ===- gen_decoder.py - a LLaMA-style decoder as torch-mlir writes it -----=== #
#
# Prints an N-layer LLaMA-style decoder (prefill with a KV cache) the way
# torch.export + torch-mlir's torch-backend-to-linalg-on-tensors pipeline
# writes it: one linalg.generic per aten op (size-1 dims indexed by the
# constant 0), parameters and caches lifted to function arguments, aten.linear
# as a transposing generic + linalg.matmul on the collapsed tokens, and per
# layer:
#   RMSNorm (pow / mean(keepdim) / +eps / rsqrt / mul / weight)
#   q/k/v projections, .view(...).transpose(1, 2)
#   rotary embeddings: cos/sin = cache[position_ids] (aten.index.Tensor: a
#     generic whose body reads the table with tensor.extract, computed once
#     for all layers), rotate_half as extract_slice / negf / insert_slice
#   KV cache: torch.cat([past, new], dim=2) as tensor.empty + insert_slice
#     (the updated caches are also returned)
#   GQA: repeat_kv as a broadcasting generic + collapse_shape
#   scores: transpose, collapse_shape -> linalg.batch_matmul -> expand_shape,
#     / sqrt(head_dim), + the causal mask (full(finfo.min) above the
#     bottom-right diagonal, computed once)
#   softmax(dtype=f32): extf, max.dim(keepdim) with its argmax result, sub,
#     exp, sum(keepdim, output map ending in the constant 0), div, truncf
#   P @ V, transpose back, o_proj, residual add
#   RMSNorm, SwiGLU MLP (silu(gate) * up, down), residual add
# then the final RMSNorm. Every layer holds exactly one attention.
#
# Usage: gen_decoder.py [--layers N] [--seq S] [--past P] [--hidden E]
#                       [--heads H] [--kv-heads G] [--head-dim D]
#                       [--ffn F] [--dtype bf16|f32]
# Defaults: 32 layers of LLaMA-3-8B's shapes (E 4096, 32 heads over 8 K/V
# heads of 128, FFN 14336), bf16, 64 new tokens after 192 cached ones.
#
# ===----------------------------------------------------------------------=== #
import argparse
import math


def T(shape, et):
    return "tensor<%s%s>" % ("".join("%dx" % d for d in shape), et)


class Emitter:
    def __init__(self):
        self.lines = []
        self.n = 0
        self.maps = {}

    def v(self, p=""):
        self.n += 1
        return "%%%s%d" % (p, self.n)

    def m(self, text):
        """Alias for an affine map, like mlir-opt prints them (#map, #map1...)."""
        if text not in self.maps:
            self.maps[text] = "#map%s" % (len(self.maps) or "")
        return self.maps[text]

    def emit(self, s):
        self.lines.append("    " + s)

    def ids(self, r):
        return ", ".join("d%d" % i for i in range(r))

    def map_of(self, rank, exprs):
        return self.m("affine_map<(%s) -> (%s)>" % (self.ids(rank), ", ".join(exprs)))

    def bmap(self, in_shape, out_shape):
        """torch-mlir's elementwise input map: right-aligned, size-1 dims -> 0."""
        r = len(out_shape)
        off = r - len(in_shape)
        return self.map_of(r, ["0" if d == 1 else "d%d" % (i + off) for i, d in enumerate(in_shape)])

    def idmap(self, r):
        return self.map_of(r, ["d%d" % i for i in range(r)])

    def empty(self, shape, et):
        e = self.v()
        self.emit("%s = tensor.empty() : %s" % (e, T(shape, et)))
        return e

    def generic(self, ins, out_shape, out_et, body, out_init=None, maps=None):
        """ins: [(value, shape, et)]; body: lines using %in0.. and %out."""
        r = len(out_shape)
        init = out_init or self.empty(out_shape, out_et)
        in_maps = maps or [self.bmap(s, out_shape) for _, s, _ in ins]
        res = self.v()
        all_maps = ", ".join(in_maps + [self.idmap(r)])
        its = ", ".join(['"parallel"'] * r)
        ins_s = ""
        if ins:
            ins_s = " ins(%s : %s)" % (", ".join(x for x, _, _ in ins), ", ".join(T(s, e) for _, s, e in ins))
        self.emit("%s = linalg.generic {indexing_maps = [%s], iterator_types = [%s]}%s outs(%s : %s) {"
                  % (res, all_maps, its, ins_s, init, T(out_shape, out_et)))
        args = ", ".join(["%%in%d: %s" % (i, e) for i, (_, _, e) in enumerate(ins)] + ["%%out: %s" % out_et])
        self.lines.append("    ^bb0(%s):" % args)
        for b in body:
            self.emit("  " + b)
        self.emit("} -> %s" % T(out_shape, out_et))
        return res

    def unary(self, x, shape, et, op, out_et=None):
        out_et = out_et or et
        line = op if op.startswith("%r =") else "%%r = %s : %s" % (op, out_et)
        return self.generic([(x, shape, et)], shape, out_et, [line, "linalg.yield %%r : %s" % out_et])

    def binary(self, a, sa, b, sb, shape, et, op):
        return self.generic([(a, sa, et), (b, sb, et)], shape, et,
                            ["%%r = %s %%in0, %%in1 : %s" % (op, et), "linalg.yield %%r : %s" % et])

    def scalar_op(self, x, shape, et, op, c, rev=False):
        lhs = ("%s, %%in0" % c) if rev else ("%%in0, %s" % c)
        return self.generic([(x, shape, et)], shape, et,
                            ["%%r = %s %s : %s" % (op, lhs, et), "linalg.yield %%r : %s" % et])

    def reduce_keepdim(self, x, shape, et, init_val, op):
        """Reduction over the last dim into [..., 1] through a map ending in 0."""
        r = len(shape)
        oshape = shape[:-1] + [1]
        e = self.empty(oshape, et)
        f = self.v()
        self.emit("%s = linalg.fill ins(%s : %s) outs(%s : %s) -> %s" % (f, init_val, et, e, T(oshape, et), T(oshape, et)))
        res = self.v()
        omap = self.map_of(r, ["d%d" % i for i in range(r - 1)] + ["0"])
        its = ", ".join(['"parallel"'] * (r - 1) + ['"reduction"'])
        self.emit("%s = linalg.generic {indexing_maps = [%s, %s], iterator_types = [%s]} ins(%s : %s) outs(%s : %s) {"
                  % (res, self.idmap(r), omap, its, x, T(shape, et), f, T(oshape, et)))
        self.lines.append("    ^bb0(%%in: %s, %%out: %s):" % (et, et))
        self.emit("  %%r = %s %%in, %%out : %s" % (op, et))
        self.emit("  linalg.yield %%r : %s" % et)
        self.emit("} -> %s" % T(oshape, et))
        return res

    def max_dim_keepdim(self, x, shape, et):
        """aten.max.dim(keepdim=True): one generic, max and argmax, then expand_shape."""
        r = len(shape)
        oshape = shape[:-1]
        ei = self.empty(oshape, "i64")
        fi = self.v()
        self.emit("%s = linalg.fill ins(%%c0_i64 : i64) outs(%s : %s) -> %s" % (fi, ei, T(oshape, "i64"), T(oshape, "i64")))
        ev = self.empty(oshape, et)
        fv = self.v()
        self.emit("%s = linalg.fill ins(%%ninf : %s) outs(%s : %s) -> %s" % (fv, et, ev, T(oshape, et), T(oshape, et)))
        res = self.v()
        omap = self.map_of(r, ["d%d" % i for i in range(r - 1)])
        its = ", ".join(['"parallel"'] * (r - 1) + ['"reduction"'])
        self.emit("%s:2 = linalg.generic {indexing_maps = [%s, %s, %s], iterator_types = [%s]} ins(%s : %s) outs(%s, %s : %s, %s) {"
                  % (res, self.idmap(r), omap, omap, its, x, T(shape, et), fv, fi, T(oshape, et), T(oshape, "i64")))
        self.lines.append("    ^bb0(%%in: %s, %%out: %s, %%out_0: i64):" % (et, et))
        self.emit("  %%j = linalg.index %d : index" % (r - 1))
        self.emit("  %ji = arith.index_cast %j : index to i64")
        self.emit("  %%mx = arith.maximumf %%in, %%out : %s" % et)
        self.emit("  %%gt = arith.cmpf ogt, %%in, %%out : %s" % et)
        self.emit("  %sel = arith.select %gt, %ji, %out_0 : i64")
        self.emit("  linalg.yield %%mx, %%sel : %s, i64" % et)
        self.emit("} -> (%s, %s)" % (T(oshape, et), T(oshape, "i64")))
        ex = self.v()
        reassoc = ", ".join("[%d]" % i for i in range(r - 2)) + (", " if r > 2 else "") + "[%d, %d]" % (r - 2, r - 1)
        self.emit("%s = tensor.expand_shape %s#0 [%s] output_shape [%s] : %s into %s"
                  % (ex, res, reassoc, ", ".join(str(d) for d in shape[:-1] + [1]), T(oshape, et), T(shape[:-1] + [1], et)))
        return ex

    def linear(self, x, tokens, din, dout, w, et):
        """aten.linear(x [1, S, din], w [dout, din]) without bias."""
        c = self.v("collapsed")
        self.emit("%s = tensor.collapse_shape %s [[0, 1], [2]] : %s into %s" % (c, x, T([1, tokens, din], et), T([tokens, din], et)))
        wt = self.generic([(w, [dout, din], et)], [din, dout], et, ["linalg.yield %in0 : " + et],
                          maps=[self.m("affine_map<(d0, d1) -> (d1, d0)>")])
        e = self.empty([tokens, dout], et)
        f = self.v()
        self.emit("%s = linalg.fill ins(%%zero : %s) outs(%s : %s) -> %s" % (f, et, e, T([tokens, dout], et), T([tokens, dout], et)))
        mm = self.v()
        self.emit("%s = linalg.matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (mm, c, wt, T([tokens, din], et), T([din, dout], et), f, T([tokens, dout], et), T([tokens, dout], et)))
        ex = self.v("expanded")
        self.emit("%s = tensor.expand_shape %s [[0, 1], [2]] output_shape [1, %d, %d] : %s into %s"
                  % (ex, mm, tokens, dout, T([tokens, dout], et), T([1, tokens, dout], et)))
        return ex

    def bmm4(self, a, sa, b, sb, et):
        """torch.matmul on 4-D: collapse batch dims, batch_matmul, expand."""
        B, H, M, K = sa
        N = sb[3]
        ca, cb = self.v("collapsed"), self.v("collapsed")
        self.emit("%s = tensor.collapse_shape %s [[0, 1], [2], [3]] : %s into %s" % (ca, a, T(sa, et), T([B * H, M, K], et)))
        self.emit("%s = tensor.collapse_shape %s [[0, 1], [2], [3]] : %s into %s" % (cb, b, T(sb, et), T([B * H, K, N], et)))
        e = self.empty([B * H, M, N], et)
        f = self.v()
        self.emit("%s = linalg.fill ins(%%zero : %s) outs(%s : %s) -> %s" % (f, et, e, T([B * H, M, N], et), T([B * H, M, N], et)))
        mm = self.v()
        self.emit("%s = linalg.batch_matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (mm, ca, cb, T([B * H, M, K], et), T([B * H, K, N], et), f, T([B * H, M, N], et), T([B * H, M, N], et)))
        ex = self.v("expanded")
        self.emit("%s = tensor.expand_shape %s [[0, 1], [2], [3]] output_shape [%d, %d, %d, %d] : %s into %s"
                  % (ex, mm, B, H, M, N, T([B * H, M, N], et), T([B, H, M, N], et)))
        return ex

    def transpose(self, x, shape, perm, et):
        out = [shape[p] for p in perm]
        e = self.empty(out, et)
        t = self.v("transposed")
        self.emit("%s = linalg.transpose ins(%s : %s) outs(%s : %s) permutation = [%s]"
                  % (t, x, T(shape, et), e, T(out, et), ", ".join(map(str, perm))))
        return t


def rmsnorm(g, x, S, E, w, et):
    shape = [1, S, E]
    xf = g.unary(x, shape, et, "%%r = arith.extf %%in0 : %s to f32" % et, "f32") if et != "f32" else x
    sq = g.unary(xf, shape, "f32", "math.powf %in0, %two")
    sm = g.reduce_keepdim(sq, shape, "f32", "%zero_f32", "arith.addf")
    mean = g.scalar_op(sm, [1, S, 1], "f32", "arith.divf", "%hidden_f32")
    eps = g.scalar_op(mean, [1, S, 1], "f32", "arith.addf", "%eps")
    rs = g.unary(eps, [1, S, 1], "f32", "math.rsqrt %in0")
    y = g.binary(xf, shape, rs, [1, S, 1], shape, "f32", "arith.mulf")
    yc = g.unary(y, shape, "f32", "%%r = arith.truncf %%in0 : f32 to %s" % et, et) if et != "f32" else y
    return g.binary(w, [E], yc, shape, shape, et, "arith.mulf")


def rotate(g, x, shape, cos, sin, et):
    """x * cos + rotate_half(x) * sin; cos/sin [1, 1, S, D]."""
    B, H, S, D = shape
    half = [B, H, S, D // 2]
    xc = g.binary(x, shape, cos, [1, 1, S, D], shape, et, "arith.mulf")
    x1, x2 = g.v("extracted_slice"), g.v("extracted_slice")
    g.emit("%s = tensor.extract_slice %s[0, 0, 0, 0] [%d, %d, %d, %d] [1, 1, 1, 1] : %s to %s" % (x1, x, B, H, S, D // 2, T(shape, et), T(half, et)))
    g.emit("%s = tensor.extract_slice %s[0, 0, 0, %d] [%d, %d, %d, %d] [1, 1, 1, 1] : %s to %s" % (x2, x, D // 2, B, H, S, D // 2, T(shape, et), T(half, et)))
    n2 = g.unary(x2, half, et, "arith.negf %in0")
    e = g.empty(shape, et)
    i1, i2 = g.v("inserted_slice"), g.v("inserted_slice")
    g.emit("%s = tensor.insert_slice %s into %s[0, 0, 0, 0] [%d, %d, %d, %d] [1, 1, 1, 1] : %s into %s" % (i1, n2, e, B, H, S, D // 2, T(half, et), T(shape, et)))
    g.emit("%s = tensor.insert_slice %s into %s[0, 0, 0, %d] [%d, %d, %d, %d] [1, 1, 1, 1] : %s into %s" % (i2, x1, i1, D // 2, B, H, S, D // 2, T(half, et), T(shape, et)))
    rs = g.binary(i2, shape, sin, [1, 1, S, D], shape, et, "arith.mulf")
    return g.binary(xc, shape, rs, shape, shape, et, "arith.addf")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--past", type=int, default=192)
    ap.add_argument("--hidden", type=int, default=4096)
    ap.add_argument("--heads", type=int, default=32)
    ap.add_argument("--kv-heads", type=int, default=8)
    ap.add_argument("--head-dim", type=int, default=128)
    ap.add_argument("--ffn", type=int, default=14336)
    ap.add_argument("--max-pos", type=int, default=8192)
    ap.add_argument("--dtype", default="bf16", choices=["bf16", "f16", "f32"])
    a = ap.parse_args()
    L, S, P, E, H, G, D, F, et = (a.layers, a.seq, a.past, a.hidden, a.heads, a.kv_heads,
                                  a.head_dim, a.ffn, a.dtype)
    Sk = P + S
    R = H // G
    g = Emitter()

    # Arguments: input embeddings, rotary caches, per layer 9 weights and the
    # past K/V, the final norm's weight.
    args = [("%inputs_embeds", [1, S, E]), ("%cos_cached", [a.max_pos, D]), ("%sin_cached", [a.max_pos, D])]
    for l in range(L):
        args += [("%%l%d_input_layernorm" % l, [E]), ("%%l%d_q_proj" % l, [H * D, E]),
                 ("%%l%d_k_proj" % l, [G * D, E]), ("%%l%d_v_proj" % l, [G * D, E]),
                 ("%%l%d_o_proj" % l, [E, H * D]), ("%%l%d_post_attention_layernorm" % l, [E]),
                 ("%%l%d_gate_proj" % l, [F, E]), ("%%l%d_up_proj" % l, [F, E]),
                 ("%%l%d_down_proj" % l, [E, F]),
                 ("%%l%d_past_key" % l, [1, G, P, D]), ("%%l%d_past_value" % l, [1, G, P, D])]
    args += [("%norm", [E])]
    results = []

    g.emit("%%zero = arith.constant 0.000000e+00 : %s" % et)
    g.emit("%zero_f32 = arith.constant 0.000000e+00 : f32")
    g.emit("%ninf = arith.constant 0xFF800000 : f32")
    g.emit("%min = arith.constant -3.40282347E+38 : f32")
    g.emit("%two = arith.constant 2.000000e+00 : f32")
    g.emit("%%hidden_f32 = arith.constant %.6e : f32" % E)
    g.emit("%eps = arith.constant 9.99999974E-6 : f32")
    g.emit("%one = arith.constant 1.000000e+00 : " + et)
    g.emit("%%sqrt_d = arith.constant %s : %s" % (repr(float(math.sqrt(D))), et))
    g.emit("%c0_i64 = arith.constant 0 : i64")
    g.emit("%%cP_i64 = arith.constant %d : i64" % P)
    g.emit("%%cmax_i64 = arith.constant %d : i64" % a.max_pos)

    # position_ids = cache_position = torch.arange(P, P + S)[None]
    pos = g.generic([], [S], "i64", ["%i = linalg.index 0 : index", "%ii = arith.index_cast %i : index to i64",
                                     "%r = arith.addi %ii, %cP_i64 : i64", "linalg.yield %r : i64"])
    pos2 = g.v("expanded")
    g.emit("%s = tensor.expand_shape %s [[0, 1]] output_shape [1, %d] : %s into %s" % (pos2, pos, S, T([S], "i64"), T([1, S], "i64")))
    # cos/sin = cached[position_ids] (aten.index.Tensor), .unsqueeze(1)
    tabs = []
    for tab in ("%cos_cached", "%sin_cached"):
        x = g.generic([(pos2, [1, S], "i64")], [1, S, D], et,
                      ["%neg = arith.cmpi slt, %in0, %c0_i64 : i64", "%wrap = arith.addi %in0, %cmax_i64 : i64",
                       "%sel = arith.select %neg, %wrap, %in0 : i64", "%idx = arith.index_cast %sel : i64 to index",
                       "%j = linalg.index 2 : index",
                       "%%x = tensor.extract %s[%%idx, %%j] : %s" % (tab, T([a.max_pos, D], et)), "linalg.yield %%x : %s" % et],
                      maps=[g.m("affine_map<(d0, d1, d2) -> (d0, d1)>")])
        u = g.v("expanded")
        g.emit("%s = tensor.expand_shape %s [[0, 1], [2], [3]] output_shape [1, 1, %d, %d] : %s into %s" % (u, x, S, D, T([1, S, D], et), T([1, 1, S, D], et)))
        tabs.append(u)
    cos, sin = tabs
    # causal_mask = full((S, Sk), finfo.min) masked to j > i + P, [None, None]
    mf = g.empty([S, Sk], "f32")
    mfill = g.v()
    g.emit("%s = linalg.fill ins(%%min : f32) outs(%s : %s) -> %s" % (mfill, mf, T([S, Sk], "f32"), T([S, Sk], "f32")))
    cm = g.generic([(mfill, [S, Sk], "f32")], [S, Sk], "f32",
                   ["%i = linalg.index 0 : index", "%ii = arith.index_cast %i : index to i64",
                    "%j = linalg.index 1 : index", "%jj = arith.index_cast %j : index to i64",
                    "%lim = arith.addi %ii, %cP_i64 : i64", "%gt = arith.cmpi sgt, %jj, %lim : i64",
                    "%r = arith.select %gt, %in0, %zero_f32 : f32", "linalg.yield %r : f32"])
    cm4 = g.v("expanded")
    g.emit("%s = tensor.expand_shape %s [[0, 1, 2], [3]] output_shape [1, 1, %d, %d] : %s into %s" % (cm4, cm, S, Sk, T([S, Sk], "f32"), T([1, 1, S, Sk], "f32")))

    h = "%inputs_embeds"
    for l in range(L):
        g.lines.append("    // layer %d" % l)
        x = rmsnorm(g, h, S, E, "%%l%d_input_layernorm" % l, et)
        q = g.linear(x, S, E, H * D, "%%l%d_q_proj" % l, et)
        k = g.linear(x, S, E, G * D, "%%l%d_k_proj" % l, et)
        v = g.linear(x, S, E, G * D, "%%l%d_v_proj" % l, et)
        heads = []
        for t, n in ((q, H), (k, G), (v, G)):
            ex = g.v("expanded")
            g.emit("%s = tensor.expand_shape %s [[0], [1], [2, 3]] output_shape [1, %d, %d, %d] : %s into %s"
                   % (ex, t, S, n, D, T([1, S, n * D], et), T([1, S, n, D], et)))
            heads.append(g.transpose(ex, [1, S, n, D], [0, 2, 1, 3], et))
        q, k, v = heads
        q = rotate(g, q, [1, H, S, D], cos, sin, et)
        k = rotate(g, k, [1, G, S, D], cos, sin, et)
        # past_key_value.update: torch.cat([past, new], dim=2)
        caches = []
        for new, past in ((k, "%%l%d_past_key" % l), (v, "%%l%d_past_value" % l)):
            e = g.empty([1, G, Sk, D], et)
            i1, i2 = g.v("inserted_slice"), g.v("inserted_slice")
            g.emit("%s = tensor.insert_slice %s into %s[0, 0, 0, 0] [1, %d, %d, %d] [1, 1, 1, 1] : %s into %s"
                   % (i1, past, e, G, P, D, T([1, G, P, D], et), T([1, G, Sk, D], et)))
            g.emit("%s = tensor.insert_slice %s into %s[0, 0, %d, 0] [1, %d, %d, %d] [1, 1, 1, 1] : %s into %s"
                   % (i2, new, i1, P, G, S, D, T([1, G, S, D], et), T([1, G, Sk, D], et)))
            caches.append(i2)
            results.append((i2, [1, G, Sk, D]))
        # repeat_kv: [:, :, None].expand(1, G, R, Sk, D).reshape(1, H, Sk, D)
        reps = []
        for c in caches:
            ex = g.v("expanded")
            g.emit("%s = tensor.expand_shape %s [[0], [1, 2], [3], [4]] output_shape [1, %d, 1, %d, %d] : %s into %s"
                   % (ex, c, G, Sk, D, T([1, G, Sk, D], et), T([1, G, 1, Sk, D], et)))
            b = g.generic([(ex, [1, G, 1, Sk, D], et)], [1, G, R, Sk, D], et, ["linalg.yield %%in0 : %s" % et])
            co = g.v("collapsed")
            g.emit("%s = tensor.collapse_shape %s [[0], [1, 2], [3], [4]] : %s into %s"
                   % (co, b, T([1, G, R, Sk, D], et), T([1, H, Sk, D], et)))
            reps.append(co)
        kr, vr = reps
        kt = g.transpose(kr, [1, H, Sk, D], [0, 1, 3, 2], et)
        s = g.bmm4(q, [1, H, S, D], kt, [1, H, D, Sk], et)
        s = g.scalar_op(s, [1, H, S, Sk], et, "arith.divf", "%sqrt_d")
        sf = g.unary(s, [1, H, S, Sk], et, "%%r = arith.extf %%in0 : %s to f32" % et, "f32") if et != "f32" else s
        sm = g.binary(sf, [1, H, S, Sk], cm4, [1, 1, S, Sk], [1, H, S, Sk], "f32", "arith.addf")
        mx = g.max_dim_keepdim(sm, [1, H, S, Sk], "f32")
        d = g.binary(sm, [1, H, S, Sk], mx, [1, H, S, 1], [1, H, S, Sk], "f32", "arith.subf")
        ex = g.unary(d, [1, H, S, Sk], "f32", "math.exp %in0")
        su = g.reduce_keepdim(ex, [1, H, S, Sk], "f32", "%zero_f32", "arith.addf")
        p = g.binary(ex, [1, H, S, Sk], su, [1, H, S, 1], [1, H, S, Sk], "f32", "arith.divf")
        pc = g.unary(p, [1, H, S, Sk], "f32", "%%r = arith.truncf %%in0 : f32 to %s" % et, et) if et != "f32" else p
        o = g.bmm4(pc, [1, H, S, Sk], vr, [1, H, Sk, D], et)
        ot = g.transpose(o, [1, H, S, D], [0, 2, 1, 3], et)
        oc = g.v("collapsed")
        g.emit("%s = tensor.collapse_shape %s [[0], [1], [2, 3]] : %s into %s" % (oc, ot, T([1, S, H, D], et), T([1, S, H * D], et)))
        op = g.linear(oc, S, H * D, E, "%%l%d_o_proj" % l, et)
        h = g.binary(h, [1, S, E], op, [1, S, E], [1, S, E], et, "arith.addf")
        # MLP: down(silu(gate(x)) * up(x))
        x = rmsnorm(g, h, S, E, "%%l%d_post_attention_layernorm" % l, et)
        gt = g.linear(x, S, E, F, "%%l%d_gate_proj" % l, et)
        up = g.linear(x, S, E, F, "%%l%d_up_proj" % l, et)
        si = g.generic([(gt, [1, S, F], et)], [1, S, F], et,
                       ["%%n = arith.negf %%in0 : %s" % et, "%%e = math.exp %%n : %s" % et,
                        "%%a = arith.addf %%e, %%one : %s" % et, "%%r = arith.divf %%in0, %%a : %s" % et,
                        "linalg.yield %%r : %s" % et])
        gu = g.binary(si, [1, S, F], up, [1, S, F], [1, S, F], et, "arith.mulf")
        dn = g.linear(gu, S, F, E, "%%l%d_down_proj" % l, et)
        h = g.binary(h, [1, S, E], dn, [1, S, E], [1, S, E], et, "arith.addf")
    out = rmsnorm(g, h, S, E, "%norm", et)
    results.insert(0, (out, [1, S, E]))

    print("// Generated by test/Corpus/Exports/Inputs/gen_decoder.py %d layers, %s." % (L, et))
    for text, alias in sorted(g.maps.items(), key=lambda kv: int(kv[1][4:] or 0)):
        print("%s = %s" % (alias, text))
    print("module {")
    print("  func.func @decoder(%s) -> (%s) {" % (
        ", ".join("%s: %s" % (n, T(s, et)) for n, s in args),
        ", ".join(T(s, et if i else et) for i, (_, s) in enumerate(results))))
    print("\n".join(g.lines))
    print("    return %s : %s" % (", ".join(r for r, _ in results), ", ".join(T(s, et) for _, s in results)))
    print("  }")
    print("}")


if __name__ == "__main__":
    main()
