#===- python/fa2_runtime.py - call fa2-compiled libraries from PyTorch ---===#
#
# Calls a library that scripts/fa2-compile.sh built, on PyTorch CUDA tensors,
# with ctypes only (docs/runtime.md):
#
#   import torch, fa2_runtime
#   lib = fa2_runtime.load("out/attention")          # the fa2-compile folder
#   o = lib.attention(q, k, v)                        # allocates the result
#   lib.attention(q, k, v, out=o)                     # or writes into `out`
#
# Each call checks the tensors against the entry point's signature
# (NAME.abi.json: dtype, static sizes, contiguity, device), passes their
# device pointers as MLIR memref descriptors to _mlir_ciface_<f>, on the
# current torch stream, and raises RuntimeError with the runtime's message if
# a CUDA call failed. Outputs are the entry's out-parameters (static shapes,
# allocated here unless given) followed by what it returns (dynamic shapes:
# allocated by the library, copied into a torch tensor, then freed).
#===----------------------------------------------------------------------===#
import ctypes
import json
import os

__all__ = ["load", "Library", "Function", "Descriptor"]

_DTYPES = {
    "f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64",
    "i1": "bool", "i8": "int8", "i32": "int32", "i64": "int64",
}


def _descriptor_type(rank):
    """ctypes struct of a ranked memref descriptor: {allocated, aligned,
    offset, sizes[rank], strides[rank]} (MLIR's C interface)."""
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank),
                   ("strides", ctypes.c_int64 * rank)]
    return type("MemRef%dD" % rank, (ctypes.Structure,), {"_fields_": fields})


Descriptor = _descriptor_type


def _describe(t):
    d = _descriptor_type(t.dim())()
    d.allocated = d.aligned = t.data_ptr()
    d.offset = 0
    for i, (n, s) in enumerate(zip(t.shape, t.stride())):
        d.sizes[i] = n
        d.strides[i] = s
    return d


class Function:
    """One entry point of a library: lib.NAME(*inputs, out=None)."""

    def __init__(self, lib, name, abi):
        self.lib, self.name, self.abi = lib, name, abi
        self.inputs = [a for a in abi["args"] if a.get("role") != "out"]
        self.outs = [a for a in abi["args"] if a.get("role") == "out"]
        self.results = abi["results"]
        for a in abi["args"] + self.results:
            if "dtype" not in a:
                raise TypeError("%s: argument of type %s is not a memref; "
                                "fa2_runtime passes tensors only" % (name, a["type"]))
        self.symbol = getattr(lib.handle, abi["symbol"])
        self.symbol.restype = None
        # Results: one descriptor, or a struct of them, by pointer first.
        if len(self.results) == 1:
            self.result_type = _descriptor_type(len(self.results[0]["shape"]))
        elif self.results:
            self.result_type = type("Results", (ctypes.Structure,), {"_fields_": [
                ("r%d" % i, _descriptor_type(len(r["shape"])))
                for i, r in enumerate(self.results)]})
        else:
            self.result_type = None

    def _check(self, t, spec, what):
        torch = self.lib.torch
        want = getattr(torch, _DTYPES[spec["dtype"]])
        if not isinstance(t, torch.Tensor):
            raise TypeError("%s: %s must be a torch.Tensor" % (self.name, what))
        if not t.is_cuda:
            raise ValueError("%s: %s must be a CUDA tensor (the entry takes "
                             "device pointers)" % (self.name, what))
        if t.dtype != want:
            raise TypeError("%s: %s has dtype %s, expected %s" % (self.name, what, t.dtype, want))
        if t.dim() != len(spec["shape"]) or any(
                s is not None and s != n for s, n in zip(spec["shape"], t.shape)):
            raise ValueError("%s: %s has shape %s, expected %s" % (
                self.name, what, tuple(t.shape),
                tuple("?" if s is None else s for s in spec["shape"])))
        if not t.is_contiguous():
            raise ValueError("%s: %s must be contiguous (row-major)" % (self.name, what))

    def __call__(self, *inputs, out=None):
        torch = self.lib.torch
        if len(inputs) != len(self.inputs):
            raise TypeError("%s takes %d tensors, got %d" % (self.name, len(self.inputs), len(inputs)))
        for i, (t, spec) in enumerate(zip(inputs, self.inputs)):
            self._check(t, spec, "input %d" % i)
        device = inputs[0].device if inputs else torch.device("cuda")
        if out is None:
            out = tuple(torch.empty([s for s in spec["shape"]],
                                    dtype=getattr(torch, _DTYPES[spec["dtype"]]),
                                    device=device) for spec in self.outs)
        elif isinstance(out, torch.Tensor):
            out = (out,)
        if len(out) != len(self.outs):
            raise TypeError("%s writes %d outputs, got %d" % (self.name, len(self.outs), len(out)))
        for i, (t, spec) in enumerate(zip(out, self.outs)):
            self._check(t, spec, "output %d" % i)
        descs = [_describe(t) for t in list(inputs) + list(out)]
        args = [ctypes.byref(d) for d in descs]
        result = self.result_type() if self.result_type else None
        if result is not None:
            args.insert(0, ctypes.byref(result))
        rt = self.lib.rt
        stream = torch.cuda.current_stream(device).cuda_stream
        previous = rt.fa2rtSetStream(ctypes.c_void_p(stream))
        try:
            self.symbol(*args)
            self.lib.check(self.name)
            returned = []
            if result is not None:
                descs = [result] if len(self.results) == 1 else [
                    getattr(result, "r%d" % i) for i in range(len(self.results))]
                for d, spec in zip(descs, self.results):
                    returned.append(self._adopt(d, spec, device, stream))
                self.lib.check(self.name)
        finally:
            rt.fa2rtSetStream(ctypes.c_void_p(previous))
        outputs = tuple(out) + tuple(returned)
        return outputs[0] if len(outputs) == 1 else outputs

    def _adopt(self, d, spec, device, stream):
        """A returned (library-allocated) buffer as a torch tensor."""
        torch = self.lib.torch
        rank = len(spec["shape"])
        shape = [d.sizes[i] for i in range(rank)]
        t = torch.empty(shape, dtype=getattr(torch, _DTYPES[spec["dtype"]]), device=device)
        nbytes = t.numel() * t.element_size()
        src = (d.aligned or 0) + d.offset * t.element_size()
        rt = self.lib.rt
        rt.mgpuMemcpy(ctypes.c_void_p(t.data_ptr()), ctypes.c_void_p(src),
                      ctypes.c_size_t(nbytes), ctypes.c_void_p(stream))
        rt.mgpuMemFree(ctypes.c_void_p(d.allocated), ctypes.c_void_p(stream))
        return t


class Library:
    """A folder written by scripts/fa2-compile.sh (or its libNAME.so)."""

    def __init__(self, path):
        import torch
        self.torch = torch
        if os.path.isdir(path):
            abis = [f for f in os.listdir(path) if f.endswith(".abi.json")]
            if len(abis) != 1:
                raise FileNotFoundError("%s: expected one NAME.abi.json, found %s" % (path, abis))
            folder, abi_file = path, os.path.join(path, abis[0])
        else:
            folder = os.path.dirname(os.path.abspath(path))
            name = os.path.basename(path)[3:-3]  # libNAME.so
            abi_file = os.path.join(folder, name + ".abi.json")
        with open(abi_file) as f:
            self.abi = json.load(f)
        # The runtime first, so that its error text is readable even if the
        # library's constructor (module load, PTX JIT) fails.
        torch.cuda.init()
        device = torch.cuda.current_device()
        torch.empty(1, device="cuda")  # a current context on this thread
        self.rt = ctypes.CDLL(os.path.join(folder, "libfa2-cuda-runtime.so"))
        self.rt.fa2rtSetStream.restype = ctypes.c_void_p
        self.rt.fa2rtSetStream.argtypes = [ctypes.c_void_p]
        self.rt.fa2rtGetLastError.restype = ctypes.c_char_p
        self.rt.fa2rtInit.argtypes = [ctypes.c_int]
        self.rt.mgpuMemcpy.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
        self.rt.mgpuMemFree.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        if self.rt.fa2rtInit(device) != 0:
            self.check("fa2rtInit")
            raise RuntimeError("fa2rtInit failed")
        self.handle = ctypes.CDLL(os.path.join(folder, self.abi["library"]))
        self.check("loading " + self.abi["library"])
        self.functions = {n: Function(self, n, a) for n, a in self.abi["functions"].items()}

    def check(self, what):
        err = self.rt.fa2rtGetLastError()
        if err:
            raise RuntimeError("%s: %s" % (what, err.decode()))

    def __getattr__(self, name):
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError("%s: no entry point %r (has: %s)" % (
            self.abi.get("library", "library"), name, ", ".join(sorted(functions))))

    def counters(self):
        """The runtime's call counters (launches, copies, ...), a dict."""
        names = ["launches", "copies", "copiesToHost", "allocs", "frees", "syncs",
                 "moduleLoads", "tensorMaps"]
        arr = (ctypes.c_ulonglong * len(names))()
        self.rt.fa2rtGetCounters(ctypes.byref(arr))
        return dict(zip(names, arr))


def load(path):
    """Loads a library that scripts/fa2-compile.sh wrote (its folder or .so)."""
    return Library(path)
