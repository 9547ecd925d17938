# ===- input_bodies.py - deterministic inputs for execution tests ---------=== #
#
# The body of a linalg.generic that fills a tensor with
#   sin(sum_k c_k * i_k + phase), computed in f32, truncated to `et`,
# where c_k and the phase depend on `seed`: smooth, never all zeros, and
# different per argument. Shared by generate_tests.py (the differential CPU
# tests) and test/Corpus/Inputs/add_exec_main.py (executing the corpus).
#
# ===----------------------------------------------------------------------=== #

COEFS = [0.37, 1.13, 0.71, 0.29, 0.53, 0.91, 0.19]


def sin_input_body(rank, et, seed):
    """Returns the generic body's lines (block argument %out), ending in
    linalg.yield."""
    body, acc = [], None
    for k in range(rank):
        body += ["%%i%d = linalg.index %d : index" % (k, k),
                 "%%n%d = arith.index_cast %%i%d : index to i32" % (k, k),
                 "%%x%d = arith.sitofp %%n%d : i32 to f32" % (k, k),
                 "%%k%d = arith.constant %.4f : f32" % (k, COEFS[(k + seed) % len(COEFS)] + 0.013 * seed),
                 "%%y%d = arith.mulf %%x%d, %%k%d : f32" % (k, k, k)]
        if acc is None:
            acc = "%%y%d" % k
        else:
            body.append("%%s%d = arith.addf %s, %%y%d : f32" % (k, acc, k))
            acc = "%%s%d" % k
    body += ["%%ph = arith.constant %.4f : f32" % (0.1 + 0.77 * seed),
             "%%z = arith.addf %s, %%ph : f32" % (acc or "%ph"),
             "%r = math.sin %z : f32"]
    res = "%r"
    if et != "f32":
        body.append("%%rc = arith.truncf %%r : f32 to %s" % et)
        res = "%rc"
    body.append("linalg.yield %s : %s" % (res, et))
    return body
