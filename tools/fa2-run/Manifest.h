//===- Manifest.h - the kernel manifest (schema version 1) ------*- C++ -*-===//
//
// The contract between fa2's compiler (`--fa2-lower-to-gpu`, `--fa2-to-ptx`
// with manifest-dir=DIR) and the runners: one JSON file per kernel that says
// what the kernel computes, the buffers it reads and writes, its parameters in
// .entry order, and how to launch it. The format is documented in
// docs/manifest.md; this reader rejects a manifest it cannot honour with a
// message naming the field, rather than launching a kernel with a guessed ABI.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_RUN_MANIFEST_H
#define FA2_RUN_MANIFEST_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fa2run {

/// I32: the last-CTA combine's counters only.
enum class DType { F16, BF16, F32, I1, I32 };
const char *dtypeName(DType t);
/// Bytes per element in device memory (i1 is one byte).
int64_t dtypeBytes(DType t);

/// TensorMap: a 128-byte CUtensorMap passed by value, which the runner
/// encodes for its buffer (docs/manifest.md).
enum class ParamType { Ptr, I32, I64, F32, TensorMap };

struct BufferSpec {
  DType dtype = DType::F16;
  /// Integer expressions over the names in "dims" (and num_splits).
  std::vector<std::string> shape;
  /// A split-KV partial (o_partial, lse_partial) or the last-CTA
  /// combine's counters (combine_counter): the runner allocates it, the
  /// first launch writes it, the combine reads it.
  bool scratch = false;
  /// Zero before the first launch (combine_counter): the runner clears it
  /// once, and the kernel must leave it zero after each launch.
  bool zeroInit = false;
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::I64;
  std::string buffer; // for ptr
  std::string value;  // an expression (i32/i64) or a literal (f32)
  // tensor_map: dims innermost first (expressions), byte-less element
  // strides of dims 1.. (expressions), the box (elements per dim).
  std::vector<std::string> mapDims, mapStrides;
  std::vector<int64_t> mapBox;
};

/// One kernel launch: the entry, its parameters in .entry order, its grid
/// and block (expressions) and its dynamic shared memory.
struct LaunchSpec {
  std::string kernel;
  std::vector<ParamSpec> params;
  std::string grid[3], block[3];
  int64_t dynamicSharedBytes = 0;
  /// A programmatic dependent launch (the combine's optional
  /// `programmatic_dependent_launch`): launched with the programmatic stream
  /// serialization attribute, it may start before the launch ahead of it
  /// on the stream has finished (the kernel waits for it itself).
  bool programmatic = false;
};

/// One length variant ("variants" in the manifest): the launch of the
/// kernel built for seq_k in [minSeqK, maxSeqK] (maxSeqK < 0: no upper
/// bound), and its schedule as printed.
struct LengthVariant {
  int64_t minSeqK = 0, maxSeqK = -1;
  LaunchSpec launch;
  std::string schedule;
};

/// The unsplit kernel of a split-KV manifest ("one_split").
struct OneSplitLaunch {
  LaunchSpec launch;
  std::string schedule;
};

/// The dimension names every manifest has; head_dim_v defaults to head_dim.
extern const char *const kDimNames[7];

struct Manifest {
  std::string path;       // the .json file
  std::string binaryPath; // resolved relative to the manifest
  std::string kernel, format, chip;
  DType dtype = DType::F16, outDtype = DType::F16;
  bool bshd = false, causal = false, lse = false;
  double scale = 0;
  /// The sliding window (keys i + Sk - Sq - left ... i + Sk - Sq + right),
  /// from the optional keys window_left/window_right.
  bool hasWindow = false;
  int64_t windowLeft = 0, windowRight = 0;
  /// The value of a removed score (optional key "fill"; -inf without it).
  bool hasFill = false;
  double fill = 0;
  /// f32 kernels: the precision policy ("accurate" or "fast", the optional
  /// key f32_precision.mode); empty for 16-bit inputs.
  std::string f32Precision;
  /// nullopt = dynamic: the command line must supply it.
  std::map<std::string, std::optional<int64_t>> dims;
  std::map<std::string, BufferSpec> buffers;
  std::vector<ParamSpec> params;
  std::string grid[3], block[3];
  int64_t dynamicSharedBytes = 0;
  /// Split-KV (docs/manifest.md, "Split-KV kernels"): the split count, an
  /// expression over the dims and `sm_count` that every other expression may
  /// name as `num_splits`; empty for a one-launch kernel. The fields above
  /// are then the first launch (the splits) and `combine` the second.
  std::string numSplits;
  bool hasCombine = false;
  LaunchSpec combine;
  /// Split-KV merged by the last split CTA of each row tile ("combine":
  /// {"mode": "last_cta"}): one launch, no combine kernel; the scratch
  /// `combine_counter` (i32, zero_init) counts the arrivals.
  bool lastCTACombine = false;
  std::string schedule; // printed as found, e.g. "block_m=128 block_n=64 ..."
  /// A kernel per seq_k range (docs/manifest.md, "Length variants"): the
  /// ranges follow each other from 0 and the last has no upper bound; the
  /// fields above are the first variant's. Empty: one kernel.
  std::vector<LengthVariant> variants;
  /// Split-KV with a combine launch: the launch that replaces both where
  /// num_splits evaluates to 1 ("one_split": the kernel unsplit).
  std::optional<OneSplitLaunch> oneSplit;
};

/// The variant of `m` whose range holds `seqK` (0 without variants).
size_t pickLengthVariant(const Manifest &m, int64_t seqK);

/// `m` with variant `i`'s kernel, launch and schedule in place of its own,
/// and no variants (`m` itself without variants).
Manifest withLengthVariant(const Manifest &m, size_t i);

/// `m` with its one-split launch in place of the split kernel and its
/// combine: no num_splits, no combine, no partials (`m` has a oneSplit).
Manifest withOneSplit(const Manifest &m);

/// Reads and validates a manifest. Every expression is parsed and its names
/// checked here, before any device work.
bool loadManifest(const std::string &path, Manifest &out, std::string &error);

/// Evaluates an integer expression: literals, names bound in `env`, + - * /
/// (floor division of non-negative values), ceildiv(a, b), min(a, b),
/// max(a, b), parentheses.
bool evalExpr(const std::string &expr, const std::map<std::string, int64_t> &env,
              int64_t &result, std::string &error);

} // namespace fa2run

#endif // FA2_RUN_MANIFEST_H
