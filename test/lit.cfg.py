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
