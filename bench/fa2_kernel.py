#===- bench/fa2_kernel.py - launch an fa2 kernel on torch tensors ----------===#
#
# Loads a kernel that fa2 compiled (PTX or cubin) through its JSON manifest
# (docs/manifest.md) with CuPy, and launches it on PyTorch tensors' memory, on
# PyTorch's current stream: the benchmark and the SDPA comparison run fa2's
# kernels and torch's in one process, on the same inputs.
#
#===----------------------------------------------------------------------===#
import ctypes
import json
import os
import re
import warnings

import cupy
import numpy as np
import torch

_TORCH_DTYPES = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32,
                 "i1": torch.bool, "i32": torch.int32}
DIM_NAMES = ("batch", "heads_q", "heads_kv", "seq_q", "seq_k", "head_dim", "head_dim_v")


def torch_dtype(name):
    return _TORCH_DTYPES[name]


def eval_expr(expr, env):
    """Evaluates a manifest expression: integers, dim names, + - * / (floor),
    ceildiv(a, b), min(a, b), max(a, b), parentheses."""
    expr = str(expr)
    if not re.fullmatch(r"[A-Za-z0-9_+\-*/(), ]*", expr):
        raise ValueError(f"bad manifest expression {expr!r}")
    code = expr.replace("/", "//")
    return int(eval(code, {"__builtins__": {}},
                    dict(env, ceildiv=lambda a, b: -(-a // b), min=min, max=max)))


_STREAMS = {}

# CUtensorMapDataType of the 16-bit inputs (cuda.h).
_TMAP_DTYPES = {torch.float16: 6, torch.bfloat16: 9}
_LIBCUDA = None


def _libcuda():
    global _LIBCUDA
    if _LIBCUDA is None:
        import ctypes as C
        cu = C.CDLL("libcuda.so.1")
        vp, u32 = C.c_void_p, C.c_uint32
        cu.cuTensorMapEncodeTiled.argtypes = [vp, C.c_int, u32, vp, vp, vp, vp, vp,
                                              C.c_int, C.c_int, C.c_int, C.c_int]
        cu.cuLaunchKernel.argtypes = [vp, u32, u32, u32, u32, u32, u32, u32, vp, vp, vp]
        _LIBCUDA = cu
    return _LIBCUDA


class TensorMap:
    """A 128-byte CUtensorMap (64-byte aligned host memory) of a manifest
    "tensor_map" parameter (docs/manifest.md), encoded for `tensor`."""

    def __init__(self, param, tensor, env):
        import ctypes as C
        self.raw = np.zeros(256, np.uint8)
        off = (-self.raw.ctypes.data) % 64
        self.ptr = self.raw.ctypes.data + off
        esize = tensor.element_size()
        dims = [eval_expr(e, env) for e in param["dims"]]
        strides = [eval_expr(e, env) * esize for e in param["strides"]]
        box = [int(x) for x in param["box"]]
        if param.get("swizzle") != "128b":
            raise ValueError(f"tensor map swizzle {param.get('swizzle')} unsupported")
        r = _libcuda().cuTensorMapEncodeTiled(
            C.c_void_p(self.ptr), _TMAP_DTYPES[tensor.dtype], len(dims),
            C.c_void_p(tensor.data_ptr()), (C.c_uint64 * len(dims))(*dims),
            (C.c_uint64 * len(strides))(*strides), (C.c_uint32 * len(box))(*box),
            (C.c_uint32 * len(box))(*([1] * len(box))), 0, 3, 0, 0)
        if r != 0:
            raise RuntimeError(f"cuTensorMapEncodeTiled failed ({r}) for {param['name']}: "
                               f"dims {dims} strides {strides} box {box}")


def _driver_launch(function, grid, block, args, smem, stream_handle):
    """cuLaunchKernel with each parameter's bytes: a TensorMap passes its 128
    bytes by value (a __grid_constant__ parameter), which CuPy's launcher
    cannot express."""
    import ctypes as C
    keep, ptrs = [], []
    for a in args:
        if isinstance(a, TensorMap):
            ptrs.append(C.c_void_p(a.ptr))
            continue
        if isinstance(a, np.uint64):
            o = C.c_uint64(int(a))
        elif isinstance(a, np.int64):
            o = C.c_int64(int(a))
        elif isinstance(a, np.int32):
            o = C.c_int32(int(a))
        elif isinstance(a, np.float32):
            o = C.c_float(float(a))
        else:
            raise TypeError(f"kernel argument {a!r}")
        keep.append(o)
        ptrs.append(C.c_void_p(C.addressof(o)))
    params = (C.c_void_p * len(ptrs))(*ptrs)
    r = _libcuda().cuLaunchKernel(C.c_void_p(function), *grid, *block, smem,
                                  C.c_void_p(stream_handle), params, None)
    if r != 0:
        raise RuntimeError(f"cuLaunchKernel failed ({r})")


class _LaunchAttr(ctypes.Structure):  # CUlaunchAttribute: id, pad to 8, 64-byte value
    _fields_ = [("id", ctypes.c_int), ("pad", ctypes.c_char * 4), ("value", ctypes.c_int * 16)]


class _LaunchConfig(ctypes.Structure):  # CUlaunchConfig
    _fields_ = [("grid", ctypes.c_uint * 3), ("block", ctypes.c_uint * 3), ("smem", ctypes.c_uint),
                ("stream", ctypes.c_void_p), ("attrs", ctypes.POINTER(_LaunchAttr)),
                ("num_attrs", ctypes.c_uint)]


def _programmatic_launcher(function, grid, block, args, smem, stream_handle):
    """A function that launches `function` with cuLaunchKernelEx and the
    programmatic stream serialization attribute (a manifest's
    combine.programmatic_dependent_launch): the kernel may start while the
    launch before it on the stream still runs, and waits for it in
    griddepcontrol.wait. The config and the parameters are built here, once:
    building them per launch cost ~100 us of Python, more than a small
    decode step."""
    C = ctypes
    cu = _libcuda()
    cu.cuLaunchKernelEx.argtypes = [C.c_void_p, C.c_void_p, C.c_void_p, C.c_void_p]
    attr = _LaunchAttr()
    attr.id = 6  # CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION
    attr.value[0] = 1
    cfg = _LaunchConfig((C.c_uint * 3)(*grid), (C.c_uint * 3)(*block), smem,
                        C.c_void_p(stream_handle), C.pointer(attr), 1)
    kinds = {np.uint64: C.c_uint64, np.int64: C.c_int64, np.int32: C.c_int32}
    keep = []
    for a in args:
        if type(a) not in kinds:
            raise TypeError(f"combine argument {a!r}")
        keep.append(kinds[type(a)](int(a)))
    params = (C.c_void_p * len(keep))(*[C.addressof(o) for o in keep])
    cfg_ptr, fn = C.c_void_p(C.addressof(cfg)), C.c_void_p(function)

    def launch():
        r = cu.cuLaunchKernelEx(cfg_ptr, fn, params, None)
        if r != 0:
            raise RuntimeError(f"cuLaunchKernelEx failed ({r})")
    launch.keep = (attr, cfg, keep, params)  # alive as long as the launcher
    return launch


def _cupy_stream(handle):
    """CuPy's view of a torch stream, made once per handle (ExternalStream is
    deprecated in CuPy 14 in favour of Stream.from_external, which wants an
    object with __cuda_stream__; the handle is all torch gives here)."""
    if handle not in _STREAMS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            _STREAMS[handle] = cupy.cuda.ExternalStream(handle)
    return _STREAMS[handle]


class Fa2Kernel:
    """One manifest: `kernel(q, k, v, mask=None)` returns (o, lse or None)."""

    def __init__(self, manifest_path):
        self.path = manifest_path
        with open(manifest_path) as f:
            self.m = json.load(f)
        m = self.m
        if m.get("version") != 1:
            raise ValueError(f"{manifest_path}: manifest version {m.get('version')} is not 1")
        self.name = m["kernel"]
        self.dtype = torch_dtype(m["dtype"])
        self.out_dtype = torch_dtype(m["out_dtype"])
        self.bshd = m["layout"] == "bshd"
        self.causal = bool(m["causal"])
        self.scale = float(m["scale"])
        self.has_lse = bool(m["lse"])
        self.dims = m["dims"]
        binary = os.path.join(os.path.dirname(manifest_path), m["binary"])
        self.module = cupy.RawModule(path=binary)
        self.function = self.module.get_function(self.name)
        self.smem = int(m["dynamic_shared_memory_bytes"])
        # The default 48 KiB limit counts static shared memory too: raise the
        # dynamic limit whenever the kernel has any.
        if self.smem > 0:
            self.function.max_dynamic_shared_size_bytes = self.smem
        # Split-KV: a second launch (the combine) and scratch buffers
        # (docs/manifest.md); num_splits may depend on the SM count.
        # With "mode": "last_cta" there is no second launch: the last split
        # CTA of each row tile merges, counting in the zero_init scratch
        # combine_counter (which every launch leaves at zero).
        self.combine = m.get("combine")
        if self.combine is not None and self.combine.get("mode", "launch") == "last_cta":
            self.combine = None
            self.last_cta = True
        else:
            self.last_cta = False
        if self.combine is not None:
            self.combine_function = self.module.get_function(self.combine["kernel"])
        self.sm_count = torch.cuda.get_device_properties(0).multi_processor_count

    @staticmethod
    def _args(params, bufs, env, name):
        args = []
        for p in params:
            ty = p["type"]
            if ty == "ptr":
                args.append(np.uint64(bufs[p["buffer"]].data_ptr()))
            elif ty == "i32":
                args.append(np.int32(eval_expr(p["value"], env)))
            elif ty == "i64":
                args.append(np.int64(eval_expr(p["value"], env)))
            elif ty == "f32":
                args.append(np.float32(float(p["value"])))
            elif ty == "tensor_map":
                args.append(TensorMap(p, bufs[p["buffer"]], env))
            else:
                raise ValueError(f"{name}: parameter {p['name']} has unknown type {ty}")
        return tuple(args)

    def bind(self, **given):
        """The dims with dynamic (null) ones taken from `given`; a given value
        that contradicts a static one raises."""
        env = {}
        for name in DIM_NAMES:
            static = self.dims.get(name, self.dims.get("head_dim") if name == "head_dim_v" else None)
            if static is None:
                if name not in given:
                    raise ValueError(f"{self.name}: dimension {name} is dynamic: give it")
                env[name] = int(given[name])
            else:
                if name in given and int(given[name]) != int(static):
                    raise ValueError(f"{self.name}: {name} is {static}, not {given[name]}")
                env[name] = int(static)
        return env

    def shape(self, buffer, env):
        return [eval_expr(e, env) for e in self.m["buffers"][buffer]["shape"]]

    def __call__(self, q, k, v, mask=None, out=None, lse=None, env=None):
        """Launches on torch tensors (contiguous, in the manifest's layout and
        dtypes). `env` binds the dims; by default they are read off q and k."""
        launch, out, lse = self.launcher(q, k, v, mask=mask, out=out, lse=lse, env=env)
        launch()
        return out, lse

    def launcher(self, q, k, v, mask=None, out=None, lse=None, env=None):
        """Builds the argument list once and returns (launch, out, lse): timing
        `launch()` then measures the kernel, not the evaluation of the
        manifest's expressions in Python (which would leave the GPU idle
        between launches at small sizes)."""
        if env is None:
            env = self.env_from(q, k, v)
        env = dict(env)
        if "num_splits" in self.m:
            env["num_splits"] = eval_expr(self.m["num_splits"], dict(env, sm_count=self.sm_count))
        bufs = {"q": q, "k": k, "v": v}
        if "mask" in self.m["buffers"]:
            if mask is None:
                raise ValueError(f"{self.name} takes a mask")
            bufs["mask"] = mask
        if out is None:
            out = torch.empty(self.shape("o", env), dtype=self.out_dtype, device=q.device)
        bufs["o"] = out
        if self.has_lse:
            if lse is None:
                lse = torch.empty(self.shape("lse", env), dtype=torch.float32, device=q.device)
            bufs["lse"] = lse
        for name, t in bufs.items():
            want = int(np.prod(self.shape(name, env)))
            if not t.is_contiguous() or t.numel() != want:
                raise ValueError(f"{self.name}: buffer {name} must be contiguous with {want} elements")
        # "one_split": where num_splits is 1, the unsplit kernel alone (no
        # partials, no combine) in place of the split kernel.
        one_split = self.m.get("one_split") if env.get("num_splits") == 1 else None
        for name, b in self.m["buffers"].items():
            if one_split is not None and name in ("o_partial", "lse_partial"):
                continue
            if b.get("scratch"):
                make = torch.zeros if b.get("zero_init") else torch.empty
                bufs[name] = make(self.shape(name, env), dtype=torch_dtype(b["dtype"]),
                                  device=q.device)
        # scratch: what the kernel writes before it reads (poison it freely);
        # counters: zero_init scratch, zero before and after every launch.
        self.scratch = {n: t for n, t in bufs.items() if self.m["buffers"][n].get("scratch")
                        and not self.m["buffers"][n].get("zero_init")}
        self.counters = {n: t for n, t in bufs.items() if self.m["buffers"][n].get("zero_init")}
        # Length variants (docs/manifest.md): the launch of the kernel whose
        # seq_k range holds this call's; last_kernel says which one.
        fields = one_split if one_split is not None else self.length_variant(env["seq_k"])
        name = self.last_kernel = fields["kernel"]
        args = self._args(fields["params"], bufs, env, name)
        grid = tuple(eval_expr(g, env) for g in fields["grid"])
        block = tuple(eval_expr(b, env) for b in fields["block"])
        stream = _cupy_stream(torch.cuda.current_stream().cuda_stream)
        function, smem = self.function, self.smem
        if fields is not self.m:
            function = self.module.get_function(name)
            smem = int(fields["dynamic_shared_memory_bytes"])
            if smem > 0:
                function.max_dynamic_shared_size_bytes = smem
        second = None
        # "skip_at_one_split": with one split the kernel wrote O and LSE
        # itself and the combine would return at once: leave it out.
        skip_combine = (self.combine is not None and self.combine.get("skip_at_one_split")
                        and env.get("num_splits") == 1)
        if self.combine is not None and not skip_combine and one_split is None:
            c = self.combine
            second = (self.combine_function,
                      tuple(eval_expr(g, env) for g in c["grid"]),
                      tuple(eval_expr(b, env) for b in c["block"]),
                      self._args(c["params"], bufs, env, c["kernel"]),
                      int(c["dynamic_shared_memory_bytes"]))
        self.last_env = env
        # PROGRAMMATIC=0 in the environment: the combine as a plain launch
        # (the same kernels; for timing the difference).
        programmatic = (second is not None and bool(self.combine.get("programmatic_dependent_launch"))
                        and os.environ.get("PROGRAMMATIC", "1") != "0")

        by_value = any(isinstance(a, TensorMap) for a in args)
        stream_handle = torch.cuda.current_stream().cuda_stream
        if programmatic:
            f2, g2, b2, a2, s2 = second
            second_pdl = _programmatic_launcher(f2.kernel.ptr, g2, b2, a2, s2, stream_handle)
        cu_function = self._driver_function(name, smem) if by_value else None

        def launch():
            with stream:
                if by_value:
                    _driver_launch(cu_function, grid, block, args, smem, stream_handle)
                else:
                    function(grid, block, args, shared_mem=smem)
                if programmatic:
                    second_pdl()
                elif second is not None:
                    f2, g2, b2, a2, s2 = second
                    f2(g2, b2, a2, shared_mem=s2)
        # The launch owns every buffer it writes: the arguments are raw
        # addresses, and self.scratch / self.counters hold only the latest
        # launcher's. Without this, a launcher made before another of the
        # same kernel wrote into freed memory that torch handed to later
        # tensors: a last-CTA counter no longer zero skipped the merge and
        # timed ~4 us fast (decode-results/2026-12-03-night.md).
        launch.buffers = bufs
        return launch, out, lse

    def length_variant(self, seq_k):
        """The launch fields (kernel, params, grid, block, shared memory) for
        `seq_k`: the manifest's own, or its length variant whose range holds
        seq_k."""
        for variant in self.m.get("variants", []):
            hi = variant["when"]["seq_k"][1]
            if hi is None or seq_k <= hi:
                return variant
        return self.m

    def _driver_function(self, name, smem):
        """Kernel `name` as a CUfunction of the current context, loaded through
        the driver (for launches CuPy cannot express)."""
        functions = self.__dict__.setdefault("_cu_functions", {})
        if name not in functions:
            import ctypes as C
            cu = _libcuda()
            binary = os.path.join(os.path.dirname(self.path), self.m["binary"])
            data = open(binary, "rb").read() + b"\0"
            mod, fn = C.c_void_p(), C.c_void_p()
            for what, r in (("cuModuleLoadData", lambda: cu.cuModuleLoadData(C.byref(mod), data)),
                            ("cuModuleGetFunction",
                             lambda: cu.cuModuleGetFunction(C.byref(fn), mod, name.encode()))):
                err = r()
                if err != 0:
                    raise RuntimeError(f"{what} failed ({err}) for {name}")
            if smem > 0:
                # CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
                err = cu.cuFuncSetAttribute(fn, 8, smem)
                if err != 0:
                    raise RuntimeError(f"cuFuncSetAttribute failed ({err}) for {name}")
            functions[name] = (mod, fn.value)
        return functions[name][1]

    def env_from(self, q, k, v):
        """Binds the dims from the tensors' shapes (bhsd or bshd, any number
        of leading batch dims folded into one)."""
        def split(t):
            b = int(np.prod(t.shape[:-3])) if t.dim() > 3 else 1
            if self.bshd:
                return b, t.shape[-2], t.shape[-3], t.shape[-1]  # b, heads, seq, feat
            return b, t.shape[-3], t.shape[-2], t.shape[-1]
        b, hq, sq, d = split(q)
        _, hkv, sk, _ = split(k)
        dv = v.shape[-1]
        given = dict(batch=b, heads_q=hq, heads_kv=hkv, seq_q=sq, seq_k=sk, head_dim=d,
                     head_dim_v=dv)
        return self.bind(**given)


def find_manifests(path):
    """A manifest file, or every *.json under a folder (recursively), sorted."""
    if os.path.isfile(path):
        return [path]
    found = []
    for root, _, files in os.walk(path):
        found += [os.path.join(root, f) for f in files if f.endswith(".json")]
    return sorted(found)
