# -*- Python -*-
# fa2's lit configuration: tests mirror lib/, one file per pass.
import os
import shutil
import subprocess

import lit.formats

config.name = "fa2"
config.test_format = lit.formats.ShTest(not lit.util.which("bash") is None)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "consumer", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "lit.local.cfg"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.fa2_obj_root, "test")

# fa2's tools first, then LLVM's (FileCheck, not, mlir-opt, mlir-runner).
config.environment["PATH"] = os.pathsep.join(
    [config.fa2_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
for var in ("HOME", "TMPDIR", "CUDA_VISIBLE_DEVICES"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

def shlib(name):
    return os.path.join(config.llvm_lib_dir, "lib" + name + ".so")

config.substitutions.append(("%fa2_src_root", config.fa2_src_root))
config.substitutions.append(("%fa2_obj_root", config.fa2_obj_root))
config.substitutions.append(("%fa2_plugin", os.path.join(config.fa2_lib_dir, "FA2Plugin.so")))
config.substitutions.append(("%mlir_runner_utils", shlib("mlir_runner_utils")))
config.substitutions.append(("%mlir_c_runner_utils", shlib("mlir_c_runner_utils")))
config.substitutions.append(("%cuda_root", config.cuda_root))

# Differential execution on the host (no GPU; CI runs it). %upstream_lower
# lowers a module to the LLVM dialect with upstream passes only (Debian's
# mlir-opt, no fa2 code): linalg.softmax is decomposed by the transform
# dialect's decompose_interface, TOSA goes to linalg, then bufferization,
# loops and LLVM. It is the reference that fa2-to-cpu's results are compared
# against. %run_main runs a lowered module's @main. %differential is the
# whole recipe (Inputs/differential.py): reference, raise, fa2-to-cpu with
# each block size asked for, fa2-compare.
_upstream_passes = [
    "transform-preload-library{transform-library-paths=%s}" % os.path.join(
        config.test_source_root, "Integration", "CPU", "Inputs", "decompose-softmax.mlir"),
    "transform-interpreter",
    "func.func(tosa-optional-decompositions,tosa-to-linalg-named,tosa-to-linalg,"
    "tosa-to-arith,tosa-to-tensor,convert-elementwise-to-linalg)",
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map}",
    "buffer-deallocation-pipeline",
    "func.func(convert-linalg-to-loops)",
    "expand-strided-metadata",
    "lower-affine",
    "arith-expand{include-bf16=true}",
    "convert-scf-to-cf",
    "convert-math-to-libm",
    "convert-math-to-llvm",
    "convert-arith-to-llvm",
    "convert-index-to-llvm",
    "finalize-memref-to-llvm",
    "convert-cf-to-llvm",
    "convert-func-to-llvm",
    "reconcile-unrealized-casts",
]
_upstream_pipeline = "builtin.module(%s)" % ",".join(_upstream_passes)
_runner_libs = "%s,%s" % (shlib("mlir_runner_utils"), shlib("mlir_c_runner_utils"))
config.substitutions.insert(0, ("%upstream_lower", "%s --pass-pipeline='%s'" % (
    os.path.join(config.llvm_tools_dir, "mlir-opt"), _upstream_pipeline)))
config.substitutions.insert(0, ("%run_main",
    "mlir-runner -e main -entry-point-result=void -shared-libs=" + _runner_libs))
config.substitutions.insert(0, ("%differential",
    "python3 %s --upstream-pipeline='%s' --runner-libs=%s" % (
        os.path.join(config.test_source_root, "Inputs", "differential.py"),
        _upstream_pipeline, _runner_libs)))

# A GPU is present when the driver answers; CI has none.
def has_gpu():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        return subprocess.run([smi, "-L"], capture_output=True, timeout=20).returncode == 0
    except Exception:
        return False

if has_gpu():
    config.available_features.add("gpu")
if os.path.exists(os.path.join(config.cuda_root, "bin", "ptxas")):
    config.available_features.add("ptxas")
