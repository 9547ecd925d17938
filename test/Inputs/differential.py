#!/usr/bin/env python3
# ===- differential.py - fa2's differential execution recipe, once -------=== #
#
# The lit substitution %differential (test/lit.cfg.py) runs this script. It is
# the recipe every differential CPU test follows, so that a test states only
# what differs (its input, block sizes, tolerance):
#
#   1. [--exec-main GEN] GEN INPUT > TMP.exec.mlir: a @main that builds inputs,
#      calls the module and prints its results (test/Corpus/Inputs/
#      add_exec_main.py); without it INPUT has its own @main.
#   2. the reference: the module lowered by upstream passes alone (Debian's
#      mlir-opt with --upstream-pipeline, no fa2 code), run by mlir-runner
#      > TMP.ref
#   3. fa2-opt --fa2-raise-attention -o TMP.raised.mlir (the test FileChecks
#      that file for the raised op)
#   4. for each --to-cpu OPTIONS (default: one run with none):
#      fa2-opt TMP.raised.mlir --fa2-to-cpu[="OPTIONS"] | mlir-runner
#      > TMP.fa2.<i>, then fa2-compare COMPARE-ARGS TMP.ref TMP.fa2.<i>,
#      whose summary line goes to stdout for FileCheck.
#
# Any step that fails fails the test, with the step named on stderr.
#
# ===----------------------------------------------------------------------=== #
import argparse
import shlex
import subprocess
import sys


def run(step, cmd, stdout=None, stdin=None):
    proc = subprocess.run(cmd, stdout=stdout, stdin=stdin, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit("differential: %s failed (exit %d): %s" %
                 (step, proc.returncode, " ".join(shlex.quote(c) for c in cmd)))
    return proc


def execute(step, lower_cmd, runner, out_path):
    """lower_cmd | runner > out_path, each failure reported as `step`."""
    lowered = run(step + " (lowering)", lower_cmd, stdout=subprocess.PIPE)
    with open(out_path, "w") as out:
        proc = subprocess.run(runner, input=lowered.stdout, stdout=out,
                              stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit("differential: %s (mlir-runner) failed (exit %d)" %
                 (step, proc.returncode))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("input")
    p.add_argument("tmp", help="prefix of the files written (lit's %%t)")
    p.add_argument("--exec-main", help="generator of the @main (a command)")
    p.add_argument("--to-cpu", action="append",
                   help="options of one --fa2-to-cpu run ('' for none)")
    p.add_argument("--compare", default="--bits",
                   help="fa2-compare's arguments (default: --bits)")
    p.add_argument("--upstream-pipeline", required=True)
    p.add_argument("--runner-libs", required=True)
    a = p.parse_args()

    runner = ["mlir-runner", "-e", "main", "-entry-point-result=void",
              "-shared-libs=" + a.runner_libs]
    source = a.input
    if a.exec_main:
        source = a.tmp + ".exec.mlir"
        with open(source, "w") as out:
            run("the @main generator", shlex.split(a.exec_main) + [a.input], stdout=out)

    execute("the upstream reference",
            ["mlir-opt", "--pass-pipeline=" + a.upstream_pipeline, source],
            runner, a.tmp + ".ref")
    run("fa2-raise-attention",
        ["fa2-opt", source, "--fa2-raise-attention", "-o", a.tmp + ".raised.mlir"])
    for i, opts in enumerate(a.to_cpu or [""]):
        flag = "--fa2-to-cpu" + ("=" + opts if opts else "")
        out = "%s.fa2.%d" % (a.tmp, i)
        execute("fa2-to-cpu%s" % (" " + opts if opts else ""),
                ["fa2-opt", a.tmp + ".raised.mlir", flag], runner, out)
        cmp = run("fa2-compare", ["fa2-compare"] + shlex.split(a.compare) +
                  [a.tmp + ".ref", out], stdout=subprocess.PIPE)
        sys.stdout.write(cmp.stdout)


if __name__ == "__main__":
    main()
