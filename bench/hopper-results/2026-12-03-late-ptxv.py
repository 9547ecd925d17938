# Lead, 2026-12-03 late: PTX variants of the d = 128 consumer loop, made from bench/build.sh output
# (python3 2026-12-03-late-ptxv.py KDIR OUTDIR), run by 2026-12-03-late-ptxv.sh.
import re, sys, os, shutil, glob
src_dir, out_root = sys.argv[1], sys.argv[2]   # src_dir: bench/build.sh output (12 kernels)
def variants(ptx):
    L = ptx.split("\n")
    # the consumer loop: its wgmma.wait_group 1 (S ready), the mask branch after it,
    # and the wait_group 0 of the loop's softmax block (P·V done)
    w1 = [i for i, l in enumerate(L) if "wgmma.wait_group.sync.aligned \t1;" in l]
    assert len(w1) == 1, w1
    w1 = w1[0]
    br = next(i for i in range(w1, w1 + 20) if re.match(r"\s*@%p\d+ bra \t\$L__BB\d+_\d+;", L[i]))
    target = re.search(r"(\$L__BB\d+_\d+)", L[br]).group(1)
    lab = next(i for i, l in enumerate(L) if l.startswith(target + ":"))
    w0 = next(i for i in range(lab, len(L)) if "wgmma.wait_group.sync.aligned \t0;" in L[i])
    # the P registers: A operands of the loop's P·V wgmmas (RS form: "{...}, {%rA, %rB, %rC, %rD}, %rd")
    pregs = []
    for l in L[w1 - 400:w1]:
        m = re.search(r"\}, \{(%r\d+), (%r\d+), (%r\d+), (%r\d+)\}, %rd", l)
        if m: pregs += list(m.groups())
    assert len(pregs) >= 16, pregs
    xs = [f"xor.b32 t, {pregs[0]}, {pregs[1]};"] + [f"xor.b32 t, t, {r};" for r in pregs[2:]]
    keep = ["{", ".reg .b32 t;", ".reg .pred q;"] + xs + ["setp.eq.u32 q, t, 2143289345;", "@q trap;", "}"]
    v1 = L[:w0 + 1] + keep + L[w0 + 1:]
    v2 = list(L); v2[br] = f"\tbra.uni \t{target};"
    v3 = v2[:w0 + 1] + keep + v2[w0 + 1:]
    return {"keepP": v1, "nobr": v2, "both": v3}, len(pregs)
for name in ("bf16-d128", "f16-d128"):
    for ptxf in glob.glob(f"{src_dir}/{name}/*.ptx"):
        vs, n = variants(open(ptxf).read())
        print(name, "P regs", n)
        for vn, lines in vs.items():
            d = f"{out_root}/{vn}/{name}"; os.makedirs(d, exist_ok=True)
            for f in glob.glob(f"{src_dir}/{name}/*"): shutil.copy(f, d)
            open(f"{d}/{os.path.basename(ptxf)}", "w").write("\n".join(lines))
        d = f"{out_root}/cur/{name}"; os.makedirs(d, exist_ok=True)
        for f in glob.glob(f"{src_dir}/{name}/*"): shutil.copy(f, d)
