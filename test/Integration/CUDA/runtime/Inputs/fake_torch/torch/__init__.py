# ===- fake_torch/torch - a stand-in for torch over host memory ----------=== #
#
# Just enough of torch's API for python/fa2_runtime.py (tensors with
# data_ptr/shape/stride/dtype, torch.empty, torch.cuda's current device and
# stream), over ctypes buffers: with the host-memory stand-in runtime
# (host_runtime.c) it lets python-helper.test check the helper's marshalling
# (descriptors, out-parameters, returned results) where there is no GPU and no
# torch. Tensors say is_cuda=True: their "device" memory is host memory.
# ===----------------------------------------------------------------------=== #
import ctypes, math
class dtype:
    def __init__(self, name, size, ct): self.name, self.size, self.ct = name, size, ct
    def __repr__(self): return "torch." + self.name
float16 = dtype("float16", 2, ctypes.c_uint16); bfloat16 = dtype("bfloat16", 2, ctypes.c_uint16)
float32 = dtype("float32", 4, ctypes.c_float); float64 = dtype("float64", 8, ctypes.c_double)
bool = dtype("bool", 1, ctypes.c_uint8); int8 = dtype("int8", 1, ctypes.c_int8)
int32 = dtype("int32", 4, ctypes.c_int32); int64 = dtype("int64", 8, ctypes.c_int64)
class device:
    def __init__(self, s): self.s = s
class Tensor:
    def __init__(self, shape, dt):
        self.shape, self.dtype = tuple(shape), dt
        self.buf = (dt.ct * max(1, math.prod(self.shape)))()
        self.is_cuda, self.device = True, device("cuda")
    def data_ptr(self): return ctypes.addressof(self.buf)
    def dim(self): return len(self.shape)
    def stride(self):
        s, r = [], 1
        for n in reversed(self.shape): s.append(r); r *= n
        return tuple(reversed(s))
    def is_contiguous(self): return True
    def numel(self): return math.prod(self.shape)
    def element_size(self): return self.dtype.size
    def is_floating_point(self): return self.dtype.name.startswith(("float", "bfloat"))
    def tolist(self): return list(self.buf)[:self.numel()]
def empty(shape, dtype=float32, device=None):
    if isinstance(shape, int): shape = [shape]
    return Tensor(shape, dtype)
class _Stream: cuda_stream = 0
class cuda:
    @staticmethod
    def init(): pass
    @staticmethod
    def current_device(): return 0
    @staticmethod
    def current_stream(device=None): return _Stream()
