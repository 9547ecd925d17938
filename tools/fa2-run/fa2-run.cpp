//===- fa2-run.cpp - run and check fa2's GPU kernels ----------------------===//
//
// Loads a kernel that fa2 compiled (PTX or cubin) through its JSON manifest,
// fills the inputs from a seed, poisons the outputs, launches it with the CUDA
// driver API and checks the result against an independent reference kernel
// (RefKernels.cu) with FlashAttention's rule:
//
//   PASS  iff  max|out - ref32| <= 2 * max|ref_lowprec - ref32| + atol
//
// where ref32 is the attention in f32 and ref_lowprec the same computation in
// the inputs' precision (what PyTorch's math path gives). The LSE is checked
// against ref32's within a stated relative tolerance; fully masked rows must
// give exactly 0 and an LSE of +inf. It also times the kernel with CUDA events
// and can check that repeated runs are bitwise equal.
//
// Output (one line per case, FileCheck-able):
//   fa2-run: PASS max_err=... ref_lowprec_err=... bad=0 ... kernel=... sq=...
//   fa2-run: TIME median_ms=... tflops=... kernel=...
//   fa2-run: SUMMARY cases=N passed=N failed=0 skipped=0
// Exit status: 0 all passed, 1 a check failed, 2 bad usage or manifest,
// 3 a CUDA error (no driver or GPU, load or launch failure).
//
//===----------------------------------------------------------------------===//
#include "CudaDriver.h"
#include "Manifest.h"
#include "RefParams.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

extern const unsigned char fa2RefKernelsFatbin[];
extern const size_t fa2RefKernelsFatbin_size;

using namespace fa2run;

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

enum ExitCode { kExitPass = 0, kExitFail = 1, kExitUsage = 2, kExitCuda = 3 };

[[noreturn]] static void die(int code, const char *fmt, ...) {
  std::fflush(stdout);
  std::fprintf(stderr, "fa2-run: error: ");
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "\n");
  std::exit(code);
}

/// Every driver call goes through this: a failure names what was being done.
static void check(CUresult result, const std::string &what) {
  if (result != CUDA_SUCCESS)
    die(kExitCuda, "%s: %s", what.c_str(), cuda::describe(result).c_str());
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

struct Options {
  std::vector<std::string> manifests;
  std::string kernelFilter;
  std::map<std::string, int64_t> dims; // from --batch, --seq-q, ...
  std::vector<std::pair<int64_t, int64_t>> seqs;
  uint64_t seed = 1;
  bool normal = false;
  double scaleInputs = 1.0;
  int iters = 20, warmup = 3, repeat = 1, device = 0;
  bool check = true, fullyMaskedRow = false, verbose = false;
  double maskKeep = 0.8, maskNegInf = 0.05;
  double atol = -1;     // < 0: 1e-5 * max(1, max|ref32|)
  double lseRtol = 1e-3;
  bool lseRtolGiven = false;
  int64_t guardBytes = 4096;
};

static const char *kUsage =
    "usage: fa2-run --manifest FILE|DIR [options]\n"
    "Runs fa2 kernels described by JSON manifests and checks them against an\n"
    "independent f32 reference with FlashAttention's rule.\n"
    "  --manifest P        a manifest .json, or a directory: every *.json in it\n"
    "                      (repeatable)\n"
    "  --kernel S          with a directory, only kernels whose name contains S\n"
    "  --batch/--heads-q/--heads-kv/--seq-q/--seq-k/--head-dim/--head-dim-v N\n"
    "                      values of dynamic (null) dimensions; a value that\n"
    "                      differs from a static one skips that kernel\n"
    "  --seqs SQ:SK,...    run each (seq_q, seq_k) pair in turn\n"
    "  --seed N            input seed (default 1)\n"
    "  --dist uniform|normal  inputs uniform(-1,1) (default) or normal(0,1)\n"
    "  --scale-inputs X    multiply Q, K, V by X (large-magnitude inputs)\n"
    "  --fully-masked-row  mask out every key of query row seq_q/2 (needs a mask)\n"
    "  --mask-keep P       probability that an i1 mask keeps a score (0.8)\n"
    "  --check/--no-check  compare with the reference (default: check)\n"
    "  --atol X            absolute slack of the rule (default 1e-5*max(1,|ref|);\n"
    "                      1e-7*max(1,|ref|) for f32 inputs)\n"
    "  --lse-rtol X        LSE tolerance, relative to max(1,|lse|) (default 1e-3;\n"
    "                      2^-6 for f32 kernels of f32_precision fast)\n"
    "  --repeat N          run N times, poisoning in between; outputs must be\n"
    "                      bitwise equal\n"
    "  --iters N           timed launches, median reported (default 20; 0: none)\n"
    "  --warmup N          untimed launches before timing (default 3)\n"
    "  --guard-bytes N     guard zone after each output, checked after the run\n"
    "                      (default 4096; 0 under compute-sanitizer memcheck)\n"
    "  --device N          CUDA device ordinal (default 0)\n"
    "  --verbose           print the kernel's launch configuration and the\n"
    "                      first wrong elements and rows of O and LSE\n";

static int64_t parseInt(const std::string &flag, const std::string &s) {
  char *end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0')
    die(kExitUsage, "%s expects an integer, not '%s'", flag.c_str(), s.c_str());
  return v;
}

static double parseDouble(const std::string &flag, const std::string &s) {
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0')
    die(kExitUsage, "%s expects a number, not '%s'", flag.c_str(), s.c_str());
  return v;
}

static Options parseOptions(int argc, char **argv) {
  Options o;
  static const std::map<std::string, std::string> dimFlags = {
      {"--batch", "batch"},       {"--heads-q", "heads_q"},
      {"--heads-kv", "heads_kv"}, {"--seq-q", "seq_q"},
      {"--seq-k", "seq_k"},       {"--head-dim", "head_dim"},
      {"--head-dim-v", "head_dim_v"}};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool hasValue = false;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      hasValue = true;
    }
    auto next = [&]() -> std::string {
      if (hasValue)
        return value;
      if (i + 1 >= argc)
        die(kExitUsage, "%s expects a value", arg.c_str());
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--manifest") {
      o.manifests.push_back(next());
    } else if (arg == "--kernel") {
      o.kernelFilter = next();
    } else if (dimFlags.count(arg)) {
      int64_t v = parseInt(arg, next());
      if (v < 1)
        die(kExitUsage, "%s must be at least 1", arg.c_str());
      o.dims[dimFlags.at(arg)] = v;
    } else if (arg == "--seqs") {
      std::stringstream ss(next());
      std::string pair;
      while (std::getline(ss, pair, ',')) {
        size_t colon = pair.find(':');
        if (colon == std::string::npos)
          die(kExitUsage, "--seqs expects SQ:SK pairs, not '%s'", pair.c_str());
        int64_t sq = parseInt("--seqs", pair.substr(0, colon));
        int64_t sk = parseInt("--seqs", pair.substr(colon + 1));
        if (sq < 1 || sk < 1)
          die(kExitUsage, "--seqs: lengths must be at least 1");
        o.seqs.push_back({sq, sk});
      }
    } else if (arg == "--seed") {
      o.seed = static_cast<uint64_t>(parseInt(arg, next()));
    } else if (arg == "--dist") {
      std::string d = next();
      if (d != "uniform" && d != "normal")
        die(kExitUsage, "--dist is uniform or normal, not '%s'", d.c_str());
      o.normal = d == "normal";
    } else if (arg == "--scale-inputs") {
      o.scaleInputs = parseDouble(arg, next());
    } else if (arg == "--fully-masked-row") {
      o.fullyMaskedRow = true;
    } else if (arg == "--mask-keep") {
      o.maskKeep = parseDouble(arg, next());
    } else if (arg == "--check") {
      o.check = true;
    } else if (arg == "--no-check") {
      o.check = false;
    } else if (arg == "--atol") {
      o.atol = parseDouble(arg, next());
    } else if (arg == "--lse-rtol") {
      o.lseRtol = parseDouble(arg, next());
      o.lseRtolGiven = true;
    } else if (arg == "--repeat") {
      o.repeat = static_cast<int>(parseInt(arg, next()));
      if (o.repeat < 1)
        die(kExitUsage, "--repeat must be at least 1");
    } else if (arg == "--iters") {
      o.iters = static_cast<int>(parseInt(arg, next()));
    } else if (arg == "--warmup") {
      o.warmup = static_cast<int>(parseInt(arg, next()));
    } else if (arg == "--device") {
      o.device = static_cast<int>(parseInt(arg, next()));
    } else if (arg == "--guard-bytes") {
      o.guardBytes = parseInt(arg, next());
      if (o.guardBytes < 0)
        die(kExitUsage, "--guard-bytes must not be negative");
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else {
      die(kExitUsage, "unknown option '%s' (see --help)", argv[i]);
    }
  }
  if (o.manifests.empty())
    die(kExitUsage, "no --manifest given (see --help)");
  if (!o.seqs.empty() && (o.dims.count("seq_q") || o.dims.count("seq_k")))
    die(kExitUsage, "give either --seqs or --seq-q/--seq-k, not both");
  return o;
}

/// Expands directories into their *.json files (sorted), applying --kernel.
static std::vector<Manifest> loadManifests(const Options &opts) {
  std::vector<std::string> paths;
  for (const std::string &p : opts.manifests) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0)
      die(kExitUsage, "manifest '%s' does not exist", p.c_str());
    if (!S_ISDIR(st.st_mode)) {
      paths.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    if (DIR *dir = opendir(p.c_str())) {
      while (dirent *e = readdir(dir)) {
        std::string name = e->d_name;
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)
          found.push_back(p + (p.back() == '/' ? "" : "/") + name);
      }
      closedir(dir);
    }
    if (found.empty())
      die(kExitUsage, "directory '%s' holds no *.json manifest", p.c_str());
    std::sort(found.begin(), found.end());
    paths.insert(paths.end(), found.begin(), found.end());
  }
  std::vector<Manifest> result;
  for (const std::string &path : paths) {
    Manifest m;
    std::string error;
    if (!loadManifest(path, m, error))
      die(kExitUsage, "bad manifest '%s': %s", path.c_str(), error.c_str());
    if (!opts.kernelFilter.empty() && m.kernel.find(opts.kernelFilter) == std::string::npos)
      continue;
    if (access(m.binaryPath.c_str(), R_OK) != 0)
      die(kExitUsage, "bad manifest '%s': cannot read its binary '%s'", path.c_str(),
          m.binaryPath.c_str());
    // Dynamic dimensions must come from the command line.
    for (const auto &kv : m.dims) {
      if (kv.second || opts.dims.count(kv.first))
        continue;
      const bool isSeq = kv.first == "seq_q" || kv.first == "seq_k";
      if (isSeq && !opts.seqs.empty())
        continue;
      std::string flag = "--" + kv.first;
      std::replace(flag.begin(), flag.end(), '_', '-');
      die(kExitUsage, "manifest '%s': dimension '%s' is dynamic: give %s%s", path.c_str(),
          kv.first.c_str(), flag.c_str(), isSeq ? " or --seqs" : "");
    }
    result.push_back(std::move(m));
  }
  if (result.empty())
    die(kExitUsage, "no manifest matches --kernel '%s'", opts.kernelFilter.c_str());
  return result;
}

//===----------------------------------------------------------------------===//
// Host numerics
//===----------------------------------------------------------------------===//

static uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
  if (a >= 0x7f800000u)
    return sign | (a > 0x7f800000u ? 0x7e00u : 0x7c00u);
  if (a >= 0x477ff000u) // >= 65520 rounds to infinity
    return sign | 0x7c00u;
  if (a < 0x38800000u) { // below 2^-14: subnormal, in units of 2^-24
    float af;
    std::memcpy(&af, &a, 4);
    return sign | static_cast<uint16_t>(std::nearbyint(af * 16777216.0f));
  }
  uint32_t h = (((a >> 23) - 112) << 10) | ((a & 0x7fffffu) >> 13);
  uint32_t rest = a & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1)))
    ++h;
  return static_cast<uint16_t>(sign | h);
}

static float halfToFloat(uint16_t h) {
  uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float f;
  if (e == 0)
    f = std::ldexp(static_cast<float>(m), -24);
  else if (e == 31)
    f = m ? NAN : INFINITY;
  else {
    uint32_t x = ((e + 112) << 23) | (m << 13);
    std::memcpy(&f, &x, 4);
  }
  return (h & 0x8000) ? -f : f;
}

static uint16_t floatToBF16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((x >> 16) | 0x40);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1)) >> 16);
}

static float bf16ToFloat(uint16_t h) {
  uint32_t x = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

static void storeElem(std::vector<uint8_t> &buf, int64_t i, DType t, float v) {
  switch (t) {
  case DType::F16: {
    uint16_t h = floatToHalf(v);
    std::memcpy(&buf[i * 2], &h, 2);
    break;
  }
  case DType::BF16: {
    uint16_t h = floatToBF16(v);
    std::memcpy(&buf[i * 2], &h, 2);
    break;
  }
  case DType::F32:
    std::memcpy(&buf[i * 4], &v, 4);
    break;
  case DType::I1:
    buf[i] = v != 0.f;
    break;
  case DType::I32: {
    int32_t x = static_cast<int32_t>(v);
    std::memcpy(&buf[i * 4], &x, 4);
    break;
  }
  }
}

static float loadElem(const std::vector<uint8_t> &buf, int64_t i, DType t) {
  uint16_t h;
  float f;
  switch (t) {
  case DType::F16:
    std::memcpy(&h, &buf[i * 2], 2);
    return halfToFloat(h);
  case DType::BF16:
    std::memcpy(&h, &buf[i * 2], 2);
    return bf16ToFloat(h);
  case DType::F32:
    std::memcpy(&f, &buf[i * 4], 4);
    return f;
  case DType::I1:
    return buf[i] ? 1.f : 0.f;
  case DType::I32: {
    int32_t x;
    std::memcpy(&x, &buf[i * 4], 4);
    return static_cast<float>(x);
  }
  }
  return 0;
}

/// A counter-based generator: element i of tensor `stream` depends only on
/// (seed, stream, i), so inputs do not change with the order of generation.
static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
static double uniform01(uint64_t seed, uint64_t stream, uint64_t i) {
  uint64_t r = mix(mix(seed * 0x100000001b3ull + stream) ^ mix(i));
  return static_cast<double>(r >> 11) * 0x1.0p-53;
}

/// The NaN bit pattern written into outputs before a launch; an element still
/// holding it afterwards was never written. A NaN with a payload (signaling
/// for f32 and bf16, quiet for f16):
/// the GPU's arithmetic and conversions only produce the canonical quiet NaN
/// (0x7fffffff, 0x7fff for f16/bf16), so a NaN the kernel wrote is told apart
/// from a store it skipped.
static uint32_t poisonBits(DType t) { return t == DType::F32 ? 0x7fbfffffu : 0x7fbfu; }

//===----------------------------------------------------------------------===//
// Device buffers
//===----------------------------------------------------------------------===//

/// Output buffers get a guard zone after them, filled with a pattern that a
/// kernel writing past its end would disturb.
/// --guard-bytes: 0 lets compute-sanitizer see writes past the end instead.
static size_t kGuardBytes = 4096;
static constexpr unsigned char kGuardByte = 0xA5;

struct DeviceBuffer {
  CUdeviceptr ptr = 0;
  size_t bytes = 0; // without the guard
  std::string name;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer() {
    if (ptr)
      cuda::cuMemFree(ptr);
  }
  void allocate(const std::string &n, size_t b) {
    name = n;
    bytes = b;
    check(cuda::cuMemAlloc(&ptr, std::max<size_t>(bytes, 1) + kGuardBytes),
          "allocating " + std::to_string(bytes) + " bytes for buffer '" + name + "'");
  }
  void upload(const std::vector<uint8_t> &host) {
    check(cuda::cuMemcpyHtoD(ptr, host.data(), bytes), "copying buffer '" + name + "' to the GPU");
  }
  std::vector<uint8_t> download() const {
    std::vector<uint8_t> host(bytes);
    check(cuda::cuMemcpyDtoH(host.data(), ptr, bytes), "copying buffer '" + name + "' from the GPU");
    return host;
  }
  void poison(DType t) {
    if (dtypeBytes(t) == 4)
      check(cuda::cuMemsetD32(ptr, poisonBits(t), bytes / 4), "poisoning '" + name + "'");
    else
      check(cuda::cuMemsetD16(ptr, static_cast<unsigned short>(poisonBits(t)), bytes / 2),
            "poisoning '" + name + "'");
    if (kGuardBytes)
      check(cuda::cuMemsetD8(ptr + bytes, kGuardByte, kGuardBytes), "filling the guard of '" + name + "'");
  }
  /// `n` i32 counters that start at zero (a zero_init scratch buffer), with
  /// the guard filled.
  void allocateZeroedCounters(const std::string &n, int64_t count) {
    allocate(n, static_cast<size_t>(count) * 4);
    check(cuda::cuMemsetD32(ptr, 0, static_cast<size_t>(count)), "zeroing '" + name + "'");
    if (kGuardBytes)
      check(cuda::cuMemsetD8(ptr + bytes, kGuardByte, kGuardBytes), "filling the guard of '" + name + "'");
  }
  /// How many of the i32 counters are not zero (a launch must leave them 0).
  size_t nonzeroCounters() const {
    std::vector<uint8_t> host = download();
    size_t n = 0;
    for (size_t i = 0; i < bytes / 4; ++i)
      n += loadElem(host, static_cast<int64_t>(i), DType::I32) != 0.f;
    return n;
  }
  /// Number of guard bytes that no longer hold the pattern.
  size_t guardDamage() const {
    if (!kGuardBytes)
      return 0;
    std::vector<unsigned char> g(kGuardBytes);
    check(cuda::cuMemcpyDtoH(g.data(), ptr + bytes, kGuardBytes), "reading the guard of '" + name + "'");
    return static_cast<size_t>(std::count_if(g.begin(), g.end(), [](unsigned char c) { return c != kGuardByte; }));
  }
};

//===----------------------------------------------------------------------===//
// One case: a manifest with every dimension bound
//===----------------------------------------------------------------------===//

struct Dims {
  int64_t batch, headsQ, headsKV, seqQ, seqK, headDim, headDimV;
};

struct Verdict {
  bool pass = true;
  std::string line;
};

static std::string fmt(const char *f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

/// Shape of a buffer with the dims bound, checked against what the semantics
/// imply (after dropping leading 1s, e.g. when the module had no batch dims).
static std::vector<int64_t> evalShape(const Manifest &m, const std::string &name,
                                      const std::map<std::string, int64_t> &env) {
  std::vector<int64_t> shape;
  for (const std::string &e : m.buffers.at(name).shape) {
    int64_t v;
    std::string error;
    if (!evalExpr(e, env, v, error))
      die(kExitUsage, "manifest '%s': buffers.%s.shape: %s", m.path.c_str(), name.c_str(), error.c_str());
    if (v < 1)
      die(kExitUsage, "manifest '%s': buffers.%s.shape: '%s' is %lld", m.path.c_str(),
          name.c_str(), e.c_str(), static_cast<long long>(v));
    shape.push_back(v);
  }
  return shape;
}

static std::string shapeStr(const std::vector<int64_t> &s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "x" : "") + std::to_string(s[i]);
  return r;
}

static void expectShape(const Manifest &m, const std::string &name,
                        const std::vector<int64_t> &got, std::vector<int64_t> want) {
  auto strip = [](std::vector<int64_t> s) {
    size_t k = 0;
    while (k + 1 < s.size() && s[k] == 1)
      ++k;
    return std::vector<int64_t>(s.begin() + k, s.end());
  };
  if (strip(got) != strip(want))
    die(kExitUsage, "manifest '%s': buffer '%s' has shape %s but the dims and layout imply %s",
        m.path.c_str(), name.c_str(), shapeStr(got).c_str(), shapeStr(want).c_str());
}

static int64_t product(const std::vector<int64_t> &s) {
  int64_t p = 1;
  for (int64_t v : s)
    p *= v;
  return p;
}

static int refDtype(DType t) {
  switch (t) {
  case DType::F16:
    return FA2REF_F16;
  case DType::BF16:
    return FA2REF_BF16;
  case DType::F32:
    return FA2REF_F32;
  case DType::I1:
    return FA2REF_I1;
  case DType::I32:
    break; // never an input (Manifest.cpp)
  }
  return FA2REF_NONE;
}

struct LoadedKernel {
  CUmodule module = nullptr;
  CUfunction function = nullptr;
  /// Split-KV: the second launch, from the same binary.
  CUfunction combine = nullptr;
  /// Split-KV with "one_split": the kernel launched alone at one split.
  CUfunction oneSplit = nullptr;
};

static LoadedKernel loadKernel(const Manifest &m, const Options &opts) {
  std::ifstream in(m.binaryPath, std::ios::binary);
  if (!in)
    die(kExitUsage, "manifest '%s': cannot read binary '%s'", m.path.c_str(), m.binaryPath.c_str());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string image = ss.str();
  if (m.format == "ptx")
    image.push_back('\0');
  char log[8192] = {0}, info[8192] = {0};
  CUjit_option keys[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                         CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, reinterpret_cast<void *>(sizeof log), info,
                    reinterpret_cast<void *>(sizeof info)};
  LoadedKernel k;
  CUresult r = cuda::cuModuleLoadDataEx(&k.module, image.data(), 4, keys, values);
  if (r != CUDA_SUCCESS)
    die(kExitCuda, "loading '%s' (%s for %s): %s%s%s", m.binaryPath.c_str(), m.format.c_str(),
        m.chip.empty() ? "?" : m.chip.c_str(), cuda::describe(r).c_str(),
        log[0] ? "\nJIT log:\n" : "", log);
  r = cuda::cuModuleGetFunction(&k.function, k.module, m.kernel.c_str());
  if (r != CUDA_SUCCESS)
    die(kExitCuda, "'%s' has no kernel named '%s' (the manifest's \"kernel\"): %s",
        m.binaryPath.c_str(), m.kernel.c_str(), cuda::describe(r).c_str());
  int regs = 0, staticSmem = 0, local = 0, maxThreads = 0;
  const std::string attr = "reading the attributes of kernel '" + m.kernel + "'";
  check(cuda::cuFuncGetAttribute(&regs, CU_FUNC_ATTRIBUTE_NUM_REGS, k.function), attr);
  check(cuda::cuFuncGetAttribute(&staticSmem, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, k.function), attr);
  check(cuda::cuFuncGetAttribute(&local, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, k.function), attr);
  check(cuda::cuFuncGetAttribute(&maxThreads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, k.function), attr);
  // The 48 KiB default limit is on static + dynamic shared memory together, so
  // a kernel asking for exactly 48 KiB dynamic with a few static bytes needs
  // the attribute too: set it whenever there is dynamic shared memory.
  if (m.dynamicSharedBytes > 0) {
    r = cuda::cuFuncSetAttribute(k.function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                 static_cast<int>(m.dynamicSharedBytes));
    if (r != CUDA_SUCCESS)
      die(kExitCuda, "kernel '%s' asks for %lld bytes of dynamic shared memory (+%d static), "
          "which this GPU refuses: %s", m.kernel.c_str(),
          static_cast<long long>(m.dynamicSharedBytes), staticSmem, cuda::describe(r).c_str());
  }
  std::printf("fa2-run: kernel %s dtype=%s out=%s layout=%s causal=%d lse=%d scale=%g "
              "regs=%d static_smem=%d dyn_smem=%lld local_bytes=%d schedule={%s}\n",
              m.kernel.c_str(), dtypeName(m.dtype), dtypeName(m.outDtype),
              m.bshd ? "bshd" : "bhsd", m.causal, m.lse, m.scale, regs, staticSmem,
              static_cast<long long>(m.dynamicSharedBytes), local, m.schedule.c_str());
  if (opts.verbose)
    std::printf("fa2-run:   binary=%s max_threads=%d\n", m.binaryPath.c_str(), maxThreads);
  // A second kernel of the binary (`field` names it in the manifest), with
  // its dynamic shared memory allowed.
  auto secondKernel = [&](const LaunchSpec &launch, const char *field, const char *what) {
    CUfunction f = nullptr;
    CUresult r = cuda::cuModuleGetFunction(&f, k.module, launch.kernel.c_str());
    if (r != CUDA_SUCCESS)
      die(kExitCuda, "'%s' has no kernel named '%s' (the manifest's \"%s\"): %s",
          m.binaryPath.c_str(), launch.kernel.c_str(), field, cuda::describe(r).c_str());
    if (launch.dynamicSharedBytes > 0) {
      r = cuda::cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                   static_cast<int>(launch.dynamicSharedBytes));
      if (r != CUDA_SUCCESS)
        die(kExitCuda, "%s kernel '%s' asks for %lld bytes of dynamic shared memory, "
            "which this GPU refuses: %s", what, launch.kernel.c_str(),
            static_cast<long long>(launch.dynamicSharedBytes), cuda::describe(r).c_str());
    }
    return f;
  };
  if (m.hasCombine) {
    k.combine = secondKernel(m.combine, "combine.kernel", "combine");
    std::printf("fa2-run: split-KV: num_splits=%s, combine kernel %s%s\n", m.numSplits.c_str(),
                m.combine.kernel.c_str(),
                m.combine.programmatic ? " (programmatic dependent launch)" : "");
  }
  if (m.lastCTACombine)
    std::printf("fa2-run: split-KV: num_splits=%s, combined by the last CTA of each row tile "
                "(combine_counter)\n", m.numSplits.c_str());
  if (m.oneSplit) {
    k.oneSplit = secondKernel(m.oneSplit->launch, "one_split.kernel", "one-split");
    std::printf("fa2-run: split-KV: at one split kernel %s alone\n",
                m.oneSplit->launch.kernel.c_str());
  }
  return k;
}

/// Fills an input tensor of `n` elements on the host.
static std::vector<uint8_t> makeInput(int64_t n, DType t, uint64_t seed, uint64_t stream,
                                      const Options &opts) {
  std::vector<uint8_t> buf(n * dtypeBytes(t));
  for (int64_t i = 0; i < n; ++i) {
    double x;
    if (opts.normal) {
      double u1 = uniform01(seed, stream, 2 * i), u2 = uniform01(seed, stream, 2 * i + 1);
      x = std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
    } else {
      x = 2.0 * uniform01(seed, stream, i) - 1.0;
    }
    storeElem(buf, i, t, static_cast<float>(x * opts.scaleInputs));
  }
  return buf;
}

struct MaskInfo {
  bool present = false;
  DType dtype = DType::I1;
  std::vector<int64_t> shape;     // as in the manifest
  int64_t sb = 0, sh = 0, si = 0, sj = 0; // strides over (b, h, i, j), 0 = broadcast
  int64_t rowDim = -1;            // size of the mask's seq_q dim (1 if broadcast)
};

static MaskInfo maskLayout(const Manifest &m, const std::map<std::string, int64_t> &env,
                           const Dims &d) {
  MaskInfo info;
  if (!m.buffers.count("mask"))
    return info;
  info.present = true;
  info.dtype = m.buffers.at("mask").dtype;
  info.shape = evalShape(m, "mask", env);
  const int64_t scores[4] = {d.batch, d.headsQ, d.seqQ, d.seqK};
  int64_t strides[4] = {0, 0, 0, 0};
  int64_t stride = 1;
  const int rank = static_cast<int>(info.shape.size());
  for (int k = rank - 1; k >= 0; --k) {
    const int pos = 4 - rank + k;
    const int64_t size = info.shape[k];
    if (size != 1 && size != scores[pos])
      die(kExitUsage, "manifest '%s': mask dimension %d is %lld, neither 1 nor the scores' %lld",
          m.path.c_str(), k, static_cast<long long>(size), static_cast<long long>(scores[pos]));
    strides[pos] = size == 1 ? 0 : stride;
    stride *= size;
  }
  info.sb = strides[0];
  info.sh = strides[1];
  info.si = strides[2];
  info.sj = strides[3];
  info.rowDim = rank >= 2 ? info.shape[rank - 2] : 1;
  return info;
}

static std::vector<uint8_t> makeMask(const MaskInfo &mi, const Dims &d, const Options &opts) {
  const int64_t n = product(mi.shape);
  std::vector<uint8_t> buf(n * dtypeBytes(mi.dtype));
  for (int64_t i = 0; i < n; ++i) {
    double u = uniform01(opts.seed, 4, i);
    float v;
    if (mi.dtype == DType::I1) {
      v = u < opts.maskKeep ? 1.f : 0.f;
    } else if (u < opts.maskNegInf) {
      v = -INFINITY;
    } else {
      v = static_cast<float>(4.0 * uniform01(opts.seed, 5, i) - 2.0);
    }
    storeElem(buf, i, mi.dtype, v);
  }
  if (opts.fullyMaskedRow) {
    if (mi.rowDim != d.seqQ || d.seqQ == 1)
      die(kExitUsage, "--fully-masked-row: the mask must have a seq_q dimension of size seq_q > 1 "
          "(its shape is %s)", shapeStr(mi.shape).c_str());
    const int64_t row = d.seqQ / 2;
    const int64_t cols = mi.shape.back() == 1 ? 1 : mi.shape.back();
    // Every element whose row index is `row` (over all broadcast batch/head
    // positions) masks everything.
    const int64_t rowsTotal = n / cols;
    for (int64_t r = 0; r < rowsTotal; ++r) {
      if (r % d.seqQ != row)
        continue;
      for (int64_t c = 0; c < cols; ++c)
        storeElem(buf, r * cols + c, mi.dtype, mi.dtype == DType::I1 ? 0.f : -INFINITY);
    }
  }
  return buf;
}

struct CaseResult {
  enum { Pass, Fail, Skip } status = Pass;
};

/// The reference kernels: f32 (16-bit inputs) and f64 (f32 inputs).
struct RefKernels {
  CUfunction f32, f64;
};

static CaseResult runCase(const Manifest &m, const LoadedKernel &kernel, const RefKernels &refs,
                          const Options &opts, int64_t seqQ, int64_t seqK, bool seqGiven,
                          int smCount) {
  CaseResult result;
  // Bind every dimension: static ones from the manifest, dynamic ones from the
  // command line; a command-line value that differs from a static one skips.
  std::map<std::string, int64_t> env;
  std::map<std::string, int64_t> given = opts.dims;
  if (seqGiven) {
    given["seq_q"] = seqQ;
    given["seq_k"] = seqK;
  }
  for (const auto &kv : m.dims) {
    auto g = given.find(kv.first);
    if (kv.second) {
      if (g != given.end() && g->second != *kv.second) {
        std::printf("fa2-run: SKIP kernel=%s: %s is %lld in the manifest, %lld asked\n",
                    m.kernel.c_str(), kv.first.c_str(), static_cast<long long>(*kv.second),
                    static_cast<long long>(g->second));
        result.status = CaseResult::Skip;
        return result;
      }
      env[kv.first] = *kv.second;
    } else {
      if (g == given.end()) {
        std::string flag = "--" + kv.first;
        std::replace(flag.begin(), flag.end(), '_', '-');
        die(kExitUsage, "manifest '%s': dimension '%s' is dynamic: give %s%s", m.path.c_str(),
            kv.first.c_str(), flag.c_str(),
            (kv.first == "seq_q" || kv.first == "seq_k") ? " or --seqs" : "");
      }
      env[kv.first] = g->second;
    }
  }
  Dims d{env["batch"], env["heads_q"], env["heads_kv"], env["seq_q"],
         env["seq_k"], env["head_dim"], env["head_dim_v"]};
  // Split-KV: the split count first (it may read the SM count), then a name
  // for every other expression.
  int64_t numSplits = 0;
  if (!m.numSplits.empty()) {
    std::map<std::string, int64_t> withSMs = env;
    withSMs["sm_count"] = smCount;
    std::string error;
    if (!evalExpr(m.numSplits, withSMs, numSplits, error))
      die(kExitUsage, "manifest '%s': num_splits: %s", m.path.c_str(), error.c_str());
    if (numSplits < 1)
      die(kExitUsage, "manifest '%s': num_splits is %lld (sm_count %d)", m.path.c_str(),
          static_cast<long long>(numSplits), smCount);
    env["num_splits"] = numSplits;
    if (numSplits == 1 && m.oneSplit) {
      // The unsplit kernel alone, no partials, no combine.
      std::printf("fa2-run: one split: kernel %s\n", m.oneSplit->launch.kernel.c_str());
      LoadedKernel alone;
      alone.module = kernel.module;
      alone.function = kernel.oneSplit;
      return runCase(withOneSplit(m), alone, refs, opts, seqQ, seqK, seqGiven, smCount);
    }
  }
  if (d.headsQ % d.headsKV != 0)
    die(kExitUsage, "manifest '%s': heads_q (%lld) is not a multiple of heads_kv (%lld)",
        m.path.c_str(), static_cast<long long>(d.headsQ), static_cast<long long>(d.headsKV));
  if (d.headDimV > FA2REF_MAX_DV)
    die(kExitUsage, "head_dim_v %lld exceeds the reference kernel's %d",
        static_cast<long long>(d.headDimV), FA2REF_MAX_DV);

  // Buffers, with shapes checked against the semantics.
  const bool bshd = m.bshd;
  auto seqHead = [&](int64_t s, int64_t h, int64_t f) {
    return bshd ? std::vector<int64_t>{d.batch, s, h, f} : std::vector<int64_t>{d.batch, h, s, f};
  };
  expectShape(m, "q", evalShape(m, "q", env), seqHead(d.seqQ, d.headsQ, d.headDim));
  expectShape(m, "k", evalShape(m, "k", env), seqHead(d.seqK, d.headsKV, d.headDim));
  expectShape(m, "v", evalShape(m, "v", env), seqHead(d.seqK, d.headsKV, d.headDimV));
  expectShape(m, "o", evalShape(m, "o", env), seqHead(d.seqQ, d.headsQ, d.headDimV));
  if (m.lse)
    expectShape(m, "lse", evalShape(m, "lse", env), {d.batch, d.headsQ, d.seqQ});
  MaskInfo mask = maskLayout(m, env, d);
  if (opts.fullyMaskedRow && !mask.present)
    die(kExitUsage, "--fully-masked-row needs a kernel with a mask operand");

  const int64_t nQ = d.batch * d.headsQ * d.seqQ * d.headDim;
  const int64_t nK = d.batch * d.headsKV * d.seqK * d.headDim;
  const int64_t nV = d.batch * d.headsKV * d.seqK * d.headDimV;
  const int64_t nO = d.batch * d.headsQ * d.seqQ * d.headDimV;
  const int64_t nRows = d.batch * d.headsQ * d.seqQ;

  std::map<std::string, DeviceBuffer> bufs;
  std::map<std::string, std::vector<uint8_t>> hostIn;
  hostIn["q"] = makeInput(nQ, m.dtype, opts.seed, 1, opts);
  hostIn["k"] = makeInput(nK, m.dtype, opts.seed, 2, opts);
  hostIn["v"] = makeInput(nV, m.dtype, opts.seed, 3, opts);
  if (mask.present)
    hostIn["mask"] = makeMask(mask, d, opts);
  for (auto &kv : hostIn) {
    bufs[kv.first].allocate(kv.first, kv.second.size());
    bufs[kv.first].upload(kv.second);
  }
  bufs["o"].allocate("o", nO * dtypeBytes(m.outDtype));
  if (m.lse)
    bufs["lse"].allocate("lse", nRows * 4);
  // Split-KV scratch: partial O and LSE per split, sized by the manifest and
  // checked against their meaning. They get a guard zone like the outputs
  // and are poisoned before each run: a partial the first launch does not
  // write, or one the combine reads past, shows up as NaN or guard damage.
  std::vector<std::string> scratch;
  if (m.hasCombine) {
    expectShape(m, "o_partial", evalShape(m, "o_partial", env),
                {d.batch, d.headsQ, d.seqQ, numSplits, d.headDimV});
    expectShape(m, "lse_partial", evalShape(m, "lse_partial", env),
                {d.batch, d.headsQ, d.seqQ, numSplits});
    bufs["o_partial"].allocate("o_partial", nO * numSplits * 4);
    bufs["lse_partial"].allocate("lse_partial", nRows * numSplits * 4);
    scratch = {"o_partial", "lse_partial"};
  }
  // The last-CTA combine: the same partials, and one arrival counter per
  // row tile, zeroed once here; every launch must leave it zero (the last
  // CTA of a tile resets it), which is checked after the runs.
  if (m.lastCTACombine) {
    expectShape(m, "o_partial", evalShape(m, "o_partial", env),
                {d.batch, d.headsQ, d.seqQ, numSplits, d.headDimV});
    expectShape(m, "lse_partial", evalShape(m, "lse_partial", env),
                {d.batch, d.headsQ, d.seqQ, numSplits});
    expectShape(m, "combine_counter", evalShape(m, "combine_counter", env),
                {d.batch, d.headsQ, d.seqQ});
    bufs["o_partial"].allocate("o_partial", nO * numSplits * 4);
    bufs["lse_partial"].allocate("lse_partial", nRows * numSplits * 4);
    bufs["combine_counter"].allocateZeroedCounters("combine_counter", nRows);
    scratch = {"o_partial", "lse_partial"};
  }
  // The dynamic tile scheduler's counters (tiles handed out, CTAs done),
  // zeroed once here; every launch must leave them zero (its last CTA
  // resets them), which is checked after the runs.
  const bool tileCounter = m.buffers.count("tile_counter") != 0;
  if (tileCounter) {
    expectShape(m, "tile_counter", evalShape(m, "tile_counter", env), {2});
    bufs["tile_counter"].allocateZeroedCounters("tile_counter", 2);
  }

  // Each launch's arguments, in .entry order.
  // A by-value tensor map: CUtensorMap's 128 bytes, 64-byte aligned.
  struct alignas(64) MapBytes {
    unsigned char bytes[128];
  };
  struct Args {
    std::vector<uint64_t> slots;
    std::vector<MapBytes> maps;
    std::vector<void *> ptrs;
  };
  auto buildArgs = [&](const std::vector<ParamSpec> &params) {
    Args a;
    a.slots.resize(params.size());
    a.maps.resize(params.size());
    a.ptrs.resize(params.size());
    std::vector<uint64_t> &slots = a.slots;
    auto eval = [&](const ParamSpec &p, const std::string &e) {
      int64_t v;
      std::string error;
      if (!evalExpr(e, env, v, error))
        die(kExitUsage, "manifest '%s': parameter '%s': %s", m.path.c_str(), p.name.c_str(), error.c_str());
      return v;
    };
    for (size_t i = 0; i < params.size(); ++i) {
      const ParamSpec &p = params[i];
      a.ptrs[i] = &slots[i];
      if (p.type == ParamType::Ptr) {
        slots[i] = bufs.at(p.buffer).ptr;
        continue;
      }
      if (p.type == ParamType::TensorMap) {
        // The kernel parameter is the map itself (__grid_constant__):
        // kernelParams[i] points at its 128 bytes.
        DType dt = m.buffers.at(p.buffer).dtype;
        if (dt != DType::F16 && dt != DType::BF16)
          die(kExitUsage, "manifest '%s': tensor map '%s' of a %s buffer (16-bit only)",
              m.path.c_str(), p.name.c_str(), dtypeName(dt));
        size_t rank = p.mapDims.size();
        cuuint64_t dims[5], strides[4];
        cuuint32_t box[5], elemStrides[5];
        for (size_t k = 0; k < rank; ++k) {
          dims[k] = static_cast<cuuint64_t>(eval(p, p.mapDims[k]));
          box[k] = static_cast<cuuint32_t>(p.mapBox[k]);
          elemStrides[k] = 1;
        }
        for (size_t k = 0; k + 1 < rank; ++k)
          strides[k] = static_cast<cuuint64_t>(eval(p, p.mapStrides[k])) * 2;
        CUresult r = cuda::cuTensorMapEncodeTiled(
            reinterpret_cast<CUtensorMap *>(a.maps[i].bytes),
            dt == DType::BF16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 : CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
            static_cast<cuuint32_t>(rank), reinterpret_cast<void *>(bufs.at(p.buffer).ptr), dims,
            strides, box, elemStrides, CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
            CU_TENSOR_MAP_L2_PROMOTION_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
        if (r != CUDA_SUCCESS)
          die(kExitUsage, "manifest '%s': cuTensorMapEncodeTiled for '%s': %s", m.path.c_str(),
              p.name.c_str(), cuda::describe(r).c_str());
        a.ptrs[i] = a.maps[i].bytes;
        continue;
      }
      if (p.type == ParamType::F32) {
        float f = std::strtof(p.value.c_str(), nullptr);
        std::memcpy(&slots[i], &f, 4);
        continue;
      }
      int64_t v;
      std::string error;
      if (!evalExpr(p.value, env, v, error))
        die(kExitUsage, "manifest '%s': parameter '%s': %s", m.path.c_str(), p.name.c_str(), error.c_str());
      if (p.type == ParamType::I32) {
        if (v < INT32_MIN || v > INT32_MAX)
          die(kExitUsage, "parameter '%s' = %lld does not fit in i32", p.name.c_str(), static_cast<long long>(v));
        int32_t v32 = static_cast<int32_t>(v);
        std::memcpy(&slots[i], &v32, 4);
      } else {
        std::memcpy(&slots[i], &v, 8);
      }
    }
    return a;
  };
  struct Dims3 {
    unsigned grid[3], block[3];
  };
  auto launchDims = [&](const std::string (&gridExprs)[3], const std::string (&blockExprs)[3]) {
    Dims3 l;
    for (int i = 0; i < 3; ++i) {
      int64_t g, b;
      std::string error;
      if (!evalExpr(gridExprs[i], env, g, error) || !evalExpr(blockExprs[i], env, b, error))
        die(kExitUsage, "manifest '%s': grid/block: %s", m.path.c_str(), error.c_str());
      if (g < 1 || g > (i == 0 ? INT32_MAX : 65535) || b < 1 || b > 1024)
        die(kExitUsage, "manifest '%s': launch dimension %d out of range: grid %lld, block %lld",
            m.path.c_str(), i, static_cast<long long>(g), static_cast<long long>(b));
      l.grid[i] = static_cast<unsigned>(g);
      l.block[i] = static_cast<unsigned>(b);
    }
    return l;
  };
  Args args = buildArgs(m.params);
  Dims3 dims = launchDims(m.grid, m.block);
  Args combineArgs;
  Dims3 combineDims{};
  if (m.hasCombine) {
    combineArgs = buildArgs(m.combine.params);
    combineDims = launchDims(m.combine.grid, m.combine.block);
  }
  auto launchOne = [&](CUfunction f, const std::string &name, const Dims3 &l, int64_t smem,
                       Args &a, CUstream stream, bool programmatic = false) {
    CUresult r;
    if (programmatic) {
      // The combine's CTAs may start while the splits run; it waits for
      // them in griddepcontrol.wait (docs/manifest.md).
      CUlaunchAttribute attr{};
      attr.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
      attr.value.programmaticStreamSerializationAllowed = 1;
      CUlaunchConfig config{};
      config.gridDimX = l.grid[0];
      config.gridDimY = l.grid[1];
      config.gridDimZ = l.grid[2];
      config.blockDimX = l.block[0];
      config.blockDimY = l.block[1];
      config.blockDimZ = l.block[2];
      config.sharedMemBytes = static_cast<unsigned>(smem);
      config.hStream = stream;
      config.attrs = &attr;
      config.numAttrs = 1;
      r = cuda::cuLaunchKernelEx(&config, f, a.ptrs.data(), nullptr);
    } else {
      r = cuda::cuLaunchKernel(f, l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1],
                               l.block[2], static_cast<unsigned>(smem), stream, a.ptrs.data(),
                               nullptr);
    }
    if (r != CUDA_SUCCESS)
      die(kExitCuda, "launching '%s' (grid %ux%ux%u, block %ux%ux%u, %lld bytes dynamic shared "
          "memory) failed: %s", name.c_str(), l.grid[0], l.grid[1], l.grid[2], l.block[0],
          l.block[1], l.block[2], static_cast<long long>(smem), cuda::describe(r).c_str());
  };
  // Both launches on one stream: the combine starts after the splits finish.
  auto launch = [&](CUstream stream) {
    launchOne(kernel.function, m.kernel, dims, m.dynamicSharedBytes, args, stream);
    if (m.hasCombine)
      launchOne(kernel.combine, m.combine.kernel, combineDims, m.combine.dynamicSharedBytes,
                combineArgs, stream, m.combine.programmatic);
  };
  if (opts.verbose || m.hasCombine || m.lastCTACombine)
    std::printf("fa2-run:   launch grid %ux%ux%u%s\n", dims.grid[0], dims.grid[1], dims.grid[2],
                m.hasCombine ? fmt(", num_splits=%lld (sm_count %d), combine grid %ux%ux%u",
                                   (long long)numSplits, smCount, combineDims.grid[0],
                                   combineDims.grid[1], combineDims.grid[2]).c_str()
                : m.lastCTACombine
                    ? fmt(", num_splits=%lld (sm_count %d), combined by the last CTA of each row tile",
                          (long long)numSplits, smCount).c_str()
                    : "");
  auto sync = [&](const char *what) {
    CUresult r = cuda::cuCtxSynchronize();
    if (r != CUDA_SUCCESS)
      die(kExitCuda, "kernel '%s' failed while running (%s): %s", m.kernel.c_str(), what,
          cuda::describe(r).c_str());
  };

  std::string caseDesc = fmt("kernel=%s b=%lld hq=%lld hkv=%lld sq=%lld sk=%lld d=%lld dv=%lld "
                             "%s causal=%d%s",
                             m.kernel.c_str(), (long long)d.batch, (long long)d.headsQ,
                             (long long)d.headsKV, (long long)d.seqQ, (long long)d.seqK,
                             (long long)d.headDim, (long long)d.headDimV, dtypeName(m.dtype),
                             m.causal, mask.present ? (std::string(" mask=") + dtypeName(mask.dtype)).c_str() : "");
  if (m.hasWindow)
    caseDesc += fmt(" window=%lld,%lld", (long long)m.windowLeft, (long long)m.windowRight);
  if (m.hasFill)
    caseDesc += fmt(" fill=%g", m.fill);

  // The checked run: poison, launch, read back.
  bufs["o"].poison(m.outDtype);
  if (m.lse)
    bufs["lse"].poison(DType::F32);
  for (const std::string &name : scratch)
    bufs[name].poison(DType::F32);
  launch(nullptr);
  sync("checked run");
  std::vector<uint8_t> out = bufs["o"].download();
  std::vector<uint8_t> lse = m.lse ? bufs["lse"].download() : std::vector<uint8_t>();
  size_t guard = bufs["o"].guardDamage() + (m.lse ? bufs["lse"].guardDamage() : 0);
  for (const std::string &name : scratch)
    guard += bufs[name].guardDamage();
  size_t inputsChanged = 0;
  for (auto &kv : hostIn)
    if (bufs[kv.first].download() != kv.second)
      ++inputsChanged;

  // Repeats: every run must give the same bits.
  int differingRuns = 0;
  for (int r = 1; r < opts.repeat; ++r) {
    bufs["o"].poison(m.outDtype);
    if (m.lse)
      bufs["lse"].poison(DType::F32);
    for (const std::string &name : scratch)
      bufs[name].poison(DType::F32);
    launch(nullptr);
    sync("repeat run");
    if (bufs["o"].download() != out || (m.lse && bufs["lse"].download() != lse))
      ++differingRuns;
  }

  // The last-CTA combine leaves every counter at zero (else the next
  // launch would merge too early or never).
  size_t countersLeft = 0;
  if (m.lastCTACombine) {
    countersLeft += bufs["combine_counter"].nonzeroCounters();
    guard += bufs["combine_counter"].guardDamage();
  }
  if (tileCounter) {
    countersLeft += bufs["tile_counter"].nonzeroCounters();
    guard += bufs["tile_counter"].guardDamage();
  }
  bool pass = guard == 0 && inputsChanged == 0 && differingRuns == 0 && countersLeft == 0;
  std::string detail;
  if (opts.check) {
    // The reference, on the same device buffers.
    // f32 inputs: the high reference is f64 (FlashAttention's rule with
    // PyTorch's f32 math path as the low-precision answer).
    const bool ref64 = m.dtype == DType::F32;
    const size_t hiBytes = ref64 ? 8 : 4;
    DeviceBuffer o32, olp, lse32;
    o32.allocate("ref o32", nO * hiBytes);
    olp.allocate("ref olp", nO * 4);
    lse32.allocate("ref lse32", nRows * hiBytes);
    RefParams rp{};
    rp.q = bufs["q"].ptr;
    rp.k = bufs["k"].ptr;
    rp.v = bufs["v"].ptr;
    rp.mask = mask.present ? bufs["mask"].ptr : 0;
    rp.o32 = o32.ptr;
    rp.olp = olp.ptr;
    rp.lse32 = lse32.ptr;
    auto strides = [&](int64_t s, int64_t h, int64_t f, long long &sb, long long &sh, long long &ss) {
      sb = s * h * f;
      sh = bshd ? f : s * f;
      ss = bshd ? h * f : f;
    };
    strides(d.seqQ, d.headsQ, d.headDim, rp.qsb, rp.qsh, rp.qss);
    strides(d.seqK, d.headsKV, d.headDim, rp.ksb, rp.ksh, rp.kss);
    strides(d.seqK, d.headsKV, d.headDimV, rp.vsb, rp.vsh, rp.vss);
    rp.msb = mask.sb;
    rp.msh = mask.sh;
    rp.msi = mask.si;
    rp.msj = mask.sj;
    rp.batch = (int)d.batch;
    rp.headsQ = (int)d.headsQ;
    rp.headsKV = (int)d.headsKV;
    rp.seqQ = (int)d.seqQ;
    rp.seqK = (int)d.seqK;
    rp.headDim = (int)d.headDim;
    rp.headDimV = (int)d.headDimV;
    rp.inDtype = refDtype(m.dtype);
    rp.maskDtype = mask.present ? refDtype(mask.dtype) : FA2REF_NONE;
    // A fast f32 kernel rounds its operands to bf16 by policy: its
    // low-precision comparison is a bf16 model's math path.
    rp.lowDtype = m.f32Precision == "fast" ? FA2REF_BF16 : FA2REF_F32;
    rp.outDtype = refDtype(m.outDtype);
    rp.causal = m.causal;
    rp.scale = static_cast<float>(m.scale);
    rp.hasWindow = m.hasWindow;
    rp.windowLeft = m.windowLeft;
    rp.windowRight = m.windowRight;
    rp.hasFill = m.hasFill;
    // The fill in f32, saturating as fa2.attention's lowerings round it.
    rp.fill = static_cast<float>(std::max(-3.4028234663852886e38, std::min(3.4028234663852886e38, m.fill)));
    void *refArgs[] = {&rp};
    const unsigned smem = static_cast<unsigned>((d.headDim + FA2REF_CHUNK) * 4 + FA2REF_CHUNK * hiBytes);
    // One CTA per query row (grid x) and per (batch, query head), spread
    // over grid y and z when batch * Hq exceeds grid y's 65535 (as fa2's
    // kernels do, docs/manifest.md): z = ceil(BH / 65535), y = ceil(BH / z);
    // the kernel's CTAs past BH return at once.
    const int64_t batchHeads = d.batch * d.headsQ;
    const int64_t refGridZ = (batchHeads + 65534) / 65535;
    const int64_t refGridY = (batchHeads + refGridZ - 1) / refGridZ;
    if (refGridZ > 65535 || d.seqQ > INT32_MAX)
      die(kExitUsage, "batch * heads_q = %lld, seq_q = %lld: more CTAs than a CUDA grid holds",
          (long long)batchHeads, (long long)d.seqQ);
    check(cuda::cuLaunchKernel(ref64 ? refs.f64 : refs.f32, static_cast<unsigned>(d.seqQ), static_cast<unsigned>(refGridY),
                               static_cast<unsigned>(refGridZ), FA2REF_THREADS, 1, 1, smem, nullptr,
                               refArgs, nullptr),
          "launching the reference kernel");
    check(cuda::cuCtxSynchronize(), "running the reference kernel");
    std::vector<uint8_t> h32 = o32.download(), hlp = olp.download(), hlse = lse32.download();
    // The high reference as doubles, whichever precision computed it.
    auto widen = [&](const std::vector<uint8_t> &raw, int64_t n) {
      std::vector<double> out(n);
      for (int64_t i = 0; i < n; ++i) {
        if (ref64) {
          std::memcpy(&out[i], &raw[i * 8], 8);
        } else {
          float f;
          std::memcpy(&f, &raw[i * 4], 4);
          out[i] = f;
        }
      }
      return out;
    };
    const std::vector<double> hi32 = widen(h32, nO), hiLse = widen(hlse, nRows);
    const double *r32 = hi32.data();
    const float *rlp = reinterpret_cast<const float *>(hlp.data());
    const double *rlse = hiLse.data();

    double maxRef = 0, lpErr = 0;
    int64_t lpNonFinite = 0;
    for (int64_t i = 0; i < nO; ++i) {
      maxRef = std::max(maxRef, std::fabs((double)r32[i]));
      double e = std::fabs((double)rlp[i] - r32[i]);
      if (std::isfinite(e))
        lpErr = std::max(lpErr, e);
      else
        ++lpNonFinite;
    }
    // The slack where the low-precision error is 0 (seq_k = 1): 1e-5 for
    // 16-bit inputs, 1e-7 (under 2 ulps of f32 at 1) for f32 inputs.
    const double atol = opts.atol >= 0 ? opts.atol : (ref64 ? 1e-7 : 1e-5) * std::max(1.0, maxRef);
    const double threshold = 2.0 * lpErr + atol;
    // The LSE is a score plus a log: a fast f32 kernel's scores come from Q
    // and K rounded to bf16 (2^-9 relative each), so its LSE is held to
    // 2^-6 relative unless --lse-rtol says otherwise.
    const double lseRtol =
        opts.lseRtolGiven || m.f32Precision != "fast" ? opts.lseRtol : 0x1p-6;
    const uint32_t poison = poisonBits(m.outDtype), lsePoison = poisonBits(DType::F32);
    const int64_t eb = dtypeBytes(m.outDtype);
    double maxErr = 0, lseErr = 0;
    int64_t bad = 0, unwritten = 0, nanWritten = 0, lseBad = 0, lseUnwritten = 0, lseNan = 0,
            emptyRows = 0, badRows = 0;
    // What an element holds when it is wrong: the poison (never written), a
    // NaN the kernel wrote, or a number.
    auto kindOf = [](bool unwrittenElem, float v) {
      return unwrittenElem ? "unwritten" : std::isnan(v) ? "nan" : "value";
    };
    for (int64_t row = 0; row < nRows; ++row) {
      const int64_t bh = row / d.seqQ, i = row % d.seqQ;
      const int64_t b = bh / d.headsQ, h = bh % d.headsQ;
      const bool empty = std::isinf(rlse[row]) && rlse[row] > 0;
      emptyRows += empty;
      const int64_t outRow = bshd ? (b * d.seqQ + i) * d.headsQ + h : row;
      int64_t rowBad = 0, rowUnwritten = 0, rowNan = 0;
      for (int64_t c = 0; c < d.headDimV; ++c) {
        const int64_t oi = outRow * d.headDimV + c;
        uint32_t bits = 0;
        std::memcpy(&bits, &out[oi * eb], eb);
        const bool isPoison = bits == poison;
        const float got = loadElem(out, oi, m.outDtype);
        rowUnwritten += isPoison;
        rowNan += !isPoison && std::isnan(got);
        const double want = r32[row * d.headDimV + c];
        const double e = std::fabs((double)got - want);
        if (!std::isfinite(got) || (empty && got != 0.f) || e > threshold) {
          ++bad;
          ++rowBad;
          if (opts.verbose && bad <= 5)
            std::printf("fa2-run:   bad o[b=%lld h=%lld i=%lld c=%lld] = %g (%s, bits 0x%x), ref32 %g, "
                        "lowprec %g\n",
                        (long long)b, (long long)h, (long long)i, (long long)c, got,
                        kindOf(isPoison, got), bits, want, rlp[row * d.headDimV + c]);
        }
        if (std::isfinite(e))
          maxErr = std::max(maxErr, e);
        else
          maxErr = INFINITY;
      }
      unwritten += rowUnwritten;
      nanWritten += rowNan;
      bool rowLseBad = false;
      uint32_t lseBits = 0;
      float lseGot = 0;
      if (m.lse) {
        std::memcpy(&lseBits, &lse[row * 4], 4);
        std::memcpy(&lseGot, &lse[row * 4], 4);
        const bool isPoison = lseBits == lsePoison;
        lseUnwritten += isPoison;
        lseNan += !isPoison && std::isnan(lseGot);
        const double want = rlse[row];
        const double e = std::fabs((double)lseGot - want);
        if (empty)
          rowLseBad = !(std::isinf(lseGot) && lseGot > 0);
        else
          rowLseBad = !std::isfinite(lseGot) || e > lseRtol * std::max(1.0, std::fabs((double)want));
        if (rowLseBad) {
          ++lseBad;
          if (opts.verbose && lseBad <= 5)
            std::printf("fa2-run:   bad lse[b=%lld h=%lld i=%lld] = %g (%s, bits 0x%x), ref32 %g\n",
                        (long long)b, (long long)h, (long long)i, lseGot, kindOf(isPoison, lseGot),
                        lseBits, want);
        }
        if (!empty) {
          if (std::isfinite(e))
            lseErr = std::max(lseErr, e);
          else
            lseErr = INFINITY;
        }
      }
      // Whole rows: which rows of which tiles go wrong tells a per-thread
      // fault (one row per tile) from a per-element one.
      if (rowBad || rowLseBad) {
        ++badRows;
        if (opts.verbose && badRows <= 16)
          std::printf("fa2-run:   bad row b=%lld h=%lld i=%lld: o bad=%lld unwritten=%lld nan=%lld, lse %s\n",
                      (long long)b, (long long)h, (long long)i, (long long)rowBad,
                      (long long)rowUnwritten, (long long)rowNan,
                      !m.lse ? "none" : !rowLseBad ? "ok" : kindOf(lseBits == lsePoison, lseGot));
      }
    }
    pass = pass && bad == 0 && lseBad == 0;
    detail = fmt("max_err=%.3e ref_lowprec_err=%.3e bad=%lld unwritten=%lld lse_err=%.3e "
                 "lse_bad=%lld empty_rows=%lld",
                 maxErr, lpErr, (long long)bad, (long long)unwritten, lseErr, (long long)lseBad,
                 (long long)emptyRows);
    // NaNs the kernel wrote (not the poison) and the LSE's unwritten rows,
    // only when there are some (the fields above are the stable line).
    if (nanWritten || lseUnwritten || lseNan)
      detail += fmt(" nan=%lld lse_unwritten=%lld lse_nan=%lld", (long long)nanWritten,
                    (long long)lseUnwritten, (long long)lseNan);
    if (badRows)
      detail += fmt(" bad_rows=%lld", (long long)badRows);
    if (lpNonFinite)
      detail += fmt(" lowprec_nonfinite=%lld", (long long)lpNonFinite);
    if (ref64)
      detail += fmt(" ref=f64 lowprec=%s precision=%s", rp.lowDtype == FA2REF_BF16 ? "bf16" : "f32",
                    m.f32Precision.empty() ? "unknown" : m.f32Precision.c_str());
    detail += " ";
  }
  if (m.lastCTACombine || tileCounter)
    detail += fmt("counters_left=%zu ", countersLeft);
  std::printf("fa2-run: %s %sguard_bytes=%zu inputs_changed=%zu repeats=%d nondeterministic=%d %s\n",
              opts.check ? (pass ? "PASS" : "FAIL") : (pass ? "RAN" : "FAIL"), detail.c_str(), guard,
              inputsChanged, opts.repeat, differingRuns, caseDesc.c_str());

  // Timing: per-launch events, median after warm-up.
  if (opts.iters > 0) {
    for (int i = 0; i < opts.warmup; ++i)
      launch(nullptr);
    std::vector<CUevent> events(2 * opts.iters);
    for (CUevent &e : events)
      check(cuda::cuEventCreate(&e, CU_EVENT_DEFAULT), "creating a CUDA event");
    for (int i = 0; i < opts.iters; ++i) {
      check(cuda::cuEventRecord(events[2 * i], nullptr), "recording an event");
      launch(nullptr);
      check(cuda::cuEventRecord(events[2 * i + 1], nullptr), "recording an event");
    }
    sync("timed runs");
    std::vector<float> ms(opts.iters);
    for (int i = 0; i < opts.iters; ++i)
      check(cuda::cuEventElapsedTime(&ms[i], events[2 * i], events[2 * i + 1]), "reading an event");
    for (CUevent &e : events)
      check(cuda::cuEventDestroy(e), "destroying an event");
    std::sort(ms.begin(), ms.end());
    const double median = opts.iters % 2 ? ms[opts.iters / 2]
                                         : 0.5 * (ms[opts.iters / 2 - 1] + ms[opts.iters / 2]);
    double flops = 4.0 * d.batch * d.headsQ * d.seqQ * d.seqK * d.headDim;
    if (m.causal)
      flops /= 2;
    std::printf("fa2-run: TIME median_ms=%.4f min_ms=%.4f tflops=%.2f iters=%d %s\n", median, ms[0],
                flops / (median * 1e-3) / 1e12, opts.iters, caseDesc.c_str());
  }
  result.status = pass ? CaseResult::Pass : CaseResult::Fail;
  return result;
}

int main(int argc, char **argv) {
  Options opts = parseOptions(argc, argv);
  kGuardBytes = static_cast<size_t>(opts.guardBytes);
  // Everything that can be checked without a GPU is checked first.
  std::vector<Manifest> manifests = loadManifests(opts);

  std::string error;
  if (!cuda::load(error))
    die(kExitCuda, "%s", error.c_str());
  CUresult r = cuda::cuInit(0);
  if (r == CUDA_ERROR_NO_DEVICE)
    die(kExitCuda, "no CUDA GPU found (cuInit: %s)", cuda::describe(r).c_str());
  check(r, "initializing the CUDA driver (cuInit)");
  int count = 0;
  check(cuda::cuDeviceGetCount(&count), "counting CUDA devices");
  if (count == 0)
    die(kExitCuda, "no CUDA GPU found");
  if (opts.device < 0 || opts.device >= count)
    die(kExitUsage, "--device %d: this machine has %d GPU(s)", opts.device, count);
  CUdevice dev;
  check(cuda::cuDeviceGet(&dev, opts.device), "getting the CUDA device");
  char name[256] = {0};
  check(cuda::cuDeviceGetName(name, sizeof name, dev), "reading the device name");
  int major = 0, minor = 0, driver = 0;
  check(cuda::cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
        "reading the compute capability");
  check(cuda::cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
        "reading the compute capability");
  check(cuda::cuDriverGetVersion(&driver), "reading the driver version");
  int smCount = 0;
  check(cuda::cuDeviceGetAttribute(&smCount, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev),
        "reading the multiprocessor count");
  CUcontext ctx;
  check(cuda::cuDevicePrimaryCtxRetain(&ctx, dev), "creating a CUDA context");
  check(cuda::cuCtxSetCurrent(ctx), "making the CUDA context current");
  std::printf("fa2-run: device %d: %s (sm_%d%d), driver %d.%d\n", opts.device, name, major, minor,
              driver / 1000, (driver % 1000) / 10);

  CUmodule refModule;
  check(cuda::cuModuleLoadData(&refModule, fa2RefKernelsFatbin), "loading the reference kernels");
  RefKernels ref;
  check(cuda::cuModuleGetFunction(&ref.f32, refModule, "fa2ref_attention"), "finding the reference kernel");
  check(cuda::cuModuleGetFunction(&ref.f64, refModule, "fa2ref_attention_f64"),
        "finding the f64 reference kernel");

  int passed = 0, failed = 0, skipped = 0;
  for (const Manifest &manifest : manifests) {
    // One kernel, or one per length variant (each launched for the cases
    // whose seq_k its range holds).
    std::vector<Manifest> forms;
    std::vector<LoadedKernel> loaded;
    for (size_t i = 0; i < std::max<size_t>(1, manifest.variants.size()); ++i) {
      forms.push_back(withLengthVariant(manifest, i));
      loaded.push_back(loadKernel(forms.back(), opts));
    }
    std::vector<std::pair<int64_t, int64_t>> cases = opts.seqs;
    bool seqGiven = !cases.empty();
    if (!seqGiven)
      cases.push_back({0, 0});
    for (auto [sq, sk] : cases) {
      // Without --seqs, a static seq_k (variants need a dynamic one).
      const std::optional<int64_t> &staticSk = manifest.dims.at("seq_k");
      size_t variant = pickLengthVariant(manifest, seqGiven || !staticSk ? sk : *staticSk);
      if (!manifest.variants.empty()) {
        const LengthVariant &lv = manifest.variants[variant];
        std::printf("fa2-run: length variant %zu (seq_k %lld..%s): kernel %s\n", variant,
                    static_cast<long long>(lv.minSeqK),
                    lv.maxSeqK < 0 ? "" : std::to_string(lv.maxSeqK).c_str(),
                    lv.launch.kernel.c_str());
      }
      const Manifest &m = forms[variant];
      const LoadedKernel &k = loaded[variant];
      switch (runCase(m, k, ref, opts, sq, sk, seqGiven, smCount).status) {
      case CaseResult::Pass:
        ++passed;
        break;
      case CaseResult::Fail:
        ++failed;
        break;
      case CaseResult::Skip:
        ++skipped;
        break;
      }
    }
    for (const LoadedKernel &k : loaded)
      check(cuda::cuModuleUnload(k.module), "unloading '" + manifest.binaryPath + "'");
  }
  std::printf("fa2-run: SUMMARY cases=%d passed=%d failed=%d skipped=%d\n", passed + failed,
              passed, failed, skipped);
  if (passed + failed == 0)
    die(kExitUsage, "no case ran: every kernel was skipped");
  return failed ? kExitFail : kExitPass;
}
