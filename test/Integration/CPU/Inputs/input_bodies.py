# ===- input_bodies.py - deterministic inputs for execution tests ---------=== #
#
# The body of a linalg.generic that fills a tensor with
#   sin(sum_k c_k * i_k + phase), computed in f32, truncated to `et`,
# where c_k and the phase depend on `seed`: smooth, never all zeros, and
# different per argument; and the body of an i1 mask
#   (5 * i + 3 * j + seed) % 7 != 0 over the last two indices. Shared by generate_tests.py (the differential CPU
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


def bool_mask_body(rank, seed):
    """Returns the lines of an i1 generic body up to %keep (no yield):
    (5 * i + 3 * j + seed) % 7 != 0 over the last two indices, so a row of 7
    or more keys is never fully masked."""
    return ["%%i = linalg.index %d : index" % (rank - 2),
            "%%j = linalg.index %d : index" % (rank - 1),
            "%c5 = arith.constant 5 : index", "%c3 = arith.constant 3 : index",
            "%%cs = arith.constant %d : index" % seed, "%c7 = arith.constant 7 : index",
            "%c0 = arith.constant 0 : index",
            "%a = arith.muli %i, %c5 : index", "%b = arith.muli %j, %c3 : index",
            "%ab = arith.addi %a, %b : index", "%abs = arith.addi %ab, %cs : index",
            "%r = arith.remui %abs, %c7 : index",
            "%keep = arith.cmpi ne, %r, %c0 : index"]
