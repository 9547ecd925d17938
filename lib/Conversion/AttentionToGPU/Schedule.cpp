//===- Schedule.cpp - FlashAttention-2 GPU schedules as data --------------===//
//
// The table below is the only place where tile sizes live. Its entries follow
// FlashAttention-2's forward kernel traits (Dao-AILab/flash-attention,
// kernel_traits + launch templates) and were checked with ptxas -v for spills;
// docs/gpu-schedule.md gives the reasoning per row.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/Schedule.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace fa2;

llvm::StringRef fa2::stringifySwizzle(SmemSwizzle swizzle) {
  switch (swizzle) {
  case SmemSwizzle::Xor:
    return "xor";
  case SmemSwizzle::Pad:
    return "pad";
  }
  return "?";
}

llvm::StringRef fa2::stringifyMmaKind(MmaKind kind) {
  switch (kind) {
  case MmaKind::MmaSync:
    return "mma_sync";
  case MmaKind::Wgmma:
    return "wgmma";
  }
  return "?";
}

llvm::StringRef fa2::stringifyCombineMode(CombineMode mode) {
  switch (mode) {
  case CombineMode::Launch:
    return "launch";
  case CombineMode::LastCTA:
    return "last_cta";
  }
  return "?";
}

llvm::StringRef fa2::stringifyTileScheduler(TileScheduler scheduler) {
  switch (scheduler) {
  case TileScheduler::Static:
    return "static";
  case TileScheduler::Dynamic:
    return "dynamic";
  }
  return "?";
}

llvm::StringRef fa2::stringifyHopperEpilogue(HopperEpilogue epilogue) {
  switch (epilogue) {
  case HopperEpilogue::Registers:
    return "registers";
  case HopperEpilogue::TmaStore:
    return "tma_store";
  }
  return "?";
}

std::optional<MmaKind> fa2::parseMmaKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<MmaKind>>(name)
      .Case("mma_sync", MmaKind::MmaSync)
      .Case("wgmma", MmaKind::Wgmma)
      .Default(std::nullopt);
}

/// The chips fa2 targets, in one place: the options, their errors and the
/// schedule all read this table.
///  - Opt-in dynamic shared memory per block (CUDA programming guide,
///    compute capabilities table): 163 KiB on sm_80/87, 99 KiB on sm_86/89,
///    227 KiB on sm_90.
///  - SM counts of each chip's largest part (A100 108, RTX 3090 Ti 84, Orin
///    16, RTX 4090 128, H100/H200 SXM 132): only the host code's split count
///    reads it, the manifest's runner asks the device.
static const ChipInfo kChips[] = {
    {"sm_80", 166912, 108}, {"sm_86", 101376, 84},  {"sm_87", 166912, 16},
    {"sm_89", 101376, 128}, {"sm_90", 232448, 132}, {"sm_90a", 232448, 132},
};

std::optional<ChipInfo> fa2::getChipInfo(llvm::StringRef chip) {
  for (const ChipInfo &info : kChips)
    if (info.name == chip)
      return info;
  return std::nullopt;
}

std::string fa2::knownChips() {
  std::string names;
  for (const ChipInfo &info : kChips)
    names += (names.empty() ? "" : ", ") + info.name;
  return names;
}

std::optional<OptionError> fa2::checkGPUOptions(const GPUOptions &o) {
  auto error = [](llvm::StringRef option, const llvm::Twine &value,
                  const llvm::Twine &message) {
    return OptionError{option.str(), value.str(), message.str()};
  };
  if (!getChipInfo(o.chip))
    return error("chip", o.chip,
                 "unknown chip (expected one of " + knownChips() + ")");
  std::string why;
  std::optional<llvm::SmallVector<ScheduleField>> fields =
      parseScheduleFields(o.schedule, why);
  if (!fields)
    return error("schedule", o.schedule, why);
  GPUSchedule scratch;
  if (std::optional<OptionError> bad = applyScheduleFields(scratch, *fields))
    return error("schedule", o.schedule,
                 "field '" + bad->option + "' = " + bad->value + ": " +
                     bad->message);
  if (!parseF32Precision(o.f32Precision))
    return error("f32-precision", o.f32Precision,
                 "expected accurate (split f16 operands, f32-level results), "
                 "fast (bf16 operands) or host (f32 ops stay on the CPU)");
  if (scratch.wgmma() && o.chip != "sm_90a")
    // wgmma and setmaxnreg exist only in sm_90a's architecture-specific
    // instruction set: plain sm_90 PTX cannot hold them.
    return error("schedule", o.schedule,
                 "field 'mma' = wgmma needs chip=sm_90a (got chip=" + o.chip +
                     ")");
  if (!o.manifestDir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(o.manifestDir))
      return error("manifest-dir", o.manifestDir,
                   "cannot create the folder: " + ec.message());
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Schedule fields by name
//===----------------------------------------------------------------------===//

namespace {
using FieldValue = std::variant<int64_t, bool, std::string>;

std::string printValue(const FieldValue &value) {
  return std::visit(
      llvm::makeVisitor([](int64_t v) { return std::to_string(v); },
                        [](bool v) { return std::string(v ? "true" : "false"); },
                        [](const std::string &v) { return v; }),
      value);
}

/// An integer in [lo, hi] that is a multiple of `multiple`, into `field`.
std::string setInt(const FieldValue &value, int64_t &field, int64_t lo,
                   int64_t hi, int64_t multiple = 1) {
  const int64_t *v = std::get_if<int64_t>(&value);
  if (!v || *v < lo || *v > hi || *v % multiple != 0) {
    std::string expected;
    llvm::raw_string_ostream os(expected);
    os << "expected " << (multiple > 1 ? "a multiple of " : "an integer ");
    if (multiple > 1)
      os << multiple << " ";
    os << "from " << lo << " to " << hi;
    return expected;
  }
  field = *v;
  return "";
}

std::string setBool(const FieldValue &value, bool &field) {
  const bool *v = std::get_if<bool>(&value);
  if (!v)
    return "expected true or false";
  field = *v;
  return "";
}

/// One field a schedule may be given by name: `set` stores a value in the
/// schedule or says what the field takes.
struct FieldSetter {
  llvm::StringLiteral key;
  std::string (*set)(GPUSchedule &s, const FieldValue &value);
};
} // namespace

/// The largest block sizes a schedule may ask for: a CTA holds at most 16
/// warps of 16-row m-tiles, and a K/V block larger than 256 keys exceeds
/// every chip's shared memory at the smallest head dim; the bound also keeps
/// sharedMemoryBytes far from overflowing.
static constexpr int64_t kMaxBlockM = 256, kMaxBlockN = 256;

/// Every field a user may set, by the name scheduleFields prints it under.
static const FieldSetter kFieldSetters[] = {
    {"block_m",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.blockM, 16, kMaxBlockM, 16);
     }},
    {"block_n",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.blockN, 16, kMaxBlockN, 16);
     }},
    {"warps",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.numWarps, 1, 16);
     }},
    {"stages",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.numStages, 1, 4);
     }},
    {"swizzle",
     [](GPUSchedule &s, const FieldValue &v) -> std::string {
       const std::string *word = std::get_if<std::string>(&v);
       if (word && *word == "xor")
         s.swizzle = SmemSwizzle::Xor;
       else if (word && *word == "pad")
         s.swizzle = SmemSwizzle::Pad;
       else
         return "expected xor or pad";
       return "";
     }},
    {"split_masked_loop",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.splitMaskedLoop);
     }},
    {"rescale_threshold",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.rescaleThreshold, -1, 16);
     }},
    {"min_blocks_per_sm",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.minBlocksPerSM, 0, 32);
     }},
    {"q_in_registers",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.qInRegisters);
     }},
    {"split_kv_copies",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.splitKVCopies);
     }},
    {"pack_gqa",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.packGQA);
     }},
    {"kv_splits",
     [](GPUSchedule &s, const FieldValue &v) -> std::string {
       const std::string *word = std::get_if<std::string>(&v);
       if (word && *word == "auto") {
         s.kvSplits = GPUSchedule::kKVSplitsAuto;
         return "";
       }
       if (!std::holds_alternative<int64_t>(v))
         return "expected auto (from the shapes and the SM count) or an "
                "integer from 1 to " +
                std::to_string(kMaxKVSplits);
       return setInt(v, s.kvSplits, 1, kMaxKVSplits);
     }},
    {"head_section_bytes",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.headSectionBytes, 0, int64_t(1) << 40);
     }},
    {"min_blocks_per_split",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.minBlocksPerSplit, 1, 1 << 20);
     }},
    {"combine",
     [](GPUSchedule &s, const FieldValue &v) -> std::string {
       const std::string *word = std::get_if<std::string>(&v);
       if (word && *word == "launch")
         s.combine = CombineMode::Launch;
       else if (word && *word == "last_cta")
         s.combine = CombineMode::LastCTA;
       else
         return "expected launch (a second kernel) or last_cta (the split "
                "CTA that finishes last merges)";
       return "";
     }},
    {"mma",
     [](GPUSchedule &s, const FieldValue &v) -> std::string {
       const std::string *word = std::get_if<std::string>(&v);
       std::optional<MmaKind> kind =
           word ? parseMmaKind(*word) : std::optional<MmaKind>();
       if (!kind)
         return "expected mma_sync (sm_80+) or wgmma (sm_90a)";
       s.mma = *kind;
       return "";
     }},
    {"overlap_softmax",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.overlapSoftmax);
     }},
    {"ping_pong",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.pingPong);
     }},
    {"persistent",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.persistent);
     }},
    {"tile_scheduler",
     [](GPUSchedule &s, const FieldValue &v) -> std::string {
       const std::string *word = std::get_if<std::string>(&v);
       if (word && *word == "static")
         s.tileScheduler = TileScheduler::Static;
       else if (word && *word == "dynamic")
         s.tileScheduler = TileScheduler::Dynamic;
       else
         return "expected static (CTA x runs tiles x, x + gridDim.x, ...) "
                "or dynamic (the next tile from an atomic counter)";
       return "";
     }},
    {"epilogue",
     [](GPUSchedule &s, const FieldValue &v) -> std::string {
       const std::string *word = std::get_if<std::string>(&v);
       if (word && *word == "registers")
         s.epilogue = HopperEpilogue::Registers;
       else if (word && *word == "tma_store")
         s.epilogue = HopperEpilogue::TmaStore;
       else
         return "expected registers (each thread stores its part of O) or "
                "tma_store (O through shared memory, stored by TMA)";
       return "";
     }},
    // setmaxnreg's operands: multiples of 8 from 24 to 256.
    {"producer_registers",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.producerRegisters, 24, 256, 8);
     }},
    {"consumer_registers",
     [](GPUSchedule &s, const FieldValue &v) {
       return setInt(v, s.consumerRegisters, 24, 256, 8);
     }},
    {"length_variants",
     [](GPUSchedule &s, const FieldValue &v) {
       return setBool(v, s.lengthVariants);
     }},
};

std::optional<OptionError>
fa2::applyScheduleFields(GPUSchedule &s, llvm::ArrayRef<ScheduleField> fields) {
  for (const ScheduleField &f : fields) {
    const FieldSetter *setter = llvm::find_if(
        kFieldSetters, [&](const FieldSetter &c) { return c.key == f.key; });
    if (setter == std::end(kFieldSetters)) {
      std::string known;
      for (const FieldSetter &c : kFieldSetters)
        known += (known.empty() ? "" : ", ") + c.key.str();
      return OptionError{f.key, printValue(f.value),
                         "unknown schedule field (expected one of " + known +
                             ")"};
    }
    std::string why = setter->set(s, f.value);
    if (!why.empty())
      return OptionError{f.key, printValue(f.value), why};
  }
  return std::nullopt;
}

std::optional<llvm::SmallVector<ScheduleField>>
fa2::parseScheduleFields(llvm::StringRef text, std::string &why) {
  llvm::SmallVector<ScheduleField> fields;
  if (text.trim().empty())
    return fields;
  llvm::SmallVector<llvm::StringRef> pairs;
  text.split(pairs, ',');
  auto isWord = [](llvm::StringRef w) {
    return !w.empty() && (llvm::isAlpha(w.front()) || w.front() == '_') &&
           llvm::all_of(w, [](char c) {
             return llvm::isAlnum(c) || c == '_' || c == '.' || c == '$';
           });
  };
  for (llvm::StringRef pair : pairs) {
    auto [key, value] = pair.split('=');
    key = key.trim();
    value = value.trim();
    if (!pair.contains('=') || !isWord(key) || value.empty()) {
      why = ("expected 'name = value' pairs separated by commas, got '" +
             pair.trim() + "'")
                .str();
      return std::nullopt;
    }
    if (findScheduleField(fields, key)) {
      why = ("field '" + key + "' given twice").str();
      return std::nullopt;
    }
    int64_t integer;
    if (!value.getAsInteger(10, integer))
      fields.push_back({key.str(), integer});
    else if (value == "true" || value == "false")
      fields.push_back({key.str(), value == "true"});
    else if (isWord(value))
      fields.push_back({key.str(), value.str()});
    else {
      why = ("field '" + key +
             "': a value is an integer, true, false or a word, got '" + value +
             "'")
                .str();
      return std::nullopt;
    }
  }
  return fields;
}

bool fa2::isHopperOnlyField(llvm::StringRef key) {
  return key == "mma" || key == "overlap_softmax" || key == "ping_pong" ||
         key == "persistent" || key == "tile_scheduler" || key == "epilogue" ||
         key == "producer_registers" || key == "consumer_registers" ||
         key == "length_variants";
}

const ScheduleField *
fa2::findScheduleField(llvm::ArrayRef<ScheduleField> fields,
                       llvm::StringRef key) {
  for (const ScheduleField &f : llvm::reverse(fields))
    if (f.key == key)
      return &f;
  return nullptr;
}

namespace {
/// One tile configuration of the schedule table.
struct Tiles {
  int64_t blockM, blockN, numWarps, numStages;
};
/// One row of the schedule table: used for head dims up to `maxHeadDim`.
/// The candidates are tried in order; the first whose shared memory fits the
/// chip is taken (the H100 always takes the first).
struct ScheduleRow {
  int64_t maxHeadDim;
  Tiles candidates[4];
  /// GPUSchedule::splitMaskedLoop.
  bool splitMaskedLoop;
  /// GPUSchedule::rescaleThreshold.
  int64_t rescaleThreshold;
  /// GPUSchedule::minBlocksPerSM.
  int64_t minBlocksPerSM;
  /// GPUSchedule::qInRegisters.
  bool qInRegisters;
  /// GPUSchedule::splitKVCopies.
  bool splitKVCopies;
};
} // namespace

/// FlashAttention-2's forward tiles (kBlockM x kBlockN, warps), re-measured
/// for this kernel on an H100 (docs/gpu-schedule.md and bench/NOTES.md have
/// the numbers). The S tile (kBlockM/warps x kBlockN) and the O accumulator
/// (kBlockM/warps x d) live in registers, so the larger the head dim, the
/// fewer rows per warp. Every row rescales lazily (threshold 2^8: +8% at
/// d = 128); Q stays in registers where they allow it (d <= 64: +2-4%).
static const ScheduleRow kScheduleTable[] = {
    // d <= 32: 128 x 128, 4 warps (FA2 d=32).
    {32,
     {{128, 128, 4, 2}, {128, 128, 4, 1}, {64, 64, 4, 2}, {64, 64, 4, 1}},
     true, 8, 0, true, false},
    // d <= 64: 128 x 64, 4 warps. FA2 takes 128 x 128; here that spills
    // (255 registers) and measured 3% slower (bench/NOTES.md: 128x128 with 4
    // or 8 warps, 256x64 and 256x32 all measured slower on an H100). The
    // split masked loop measured +2% (causal), +2% (non-causal, dynamic Sk).
    {64,
     {{128, 64, 4, 2}, {128, 64, 4, 1}, {64, 64, 4, 2}, {64, 64, 4, 1}},
     true, 8, 0, true, false},
    // d <= 128: 128 x 64, 4 warps (FA2 d=96/128); 8 warps, 128 x 32, 64 x 64
    // and 3 stages measured slower. The split masked loop spills here (40-52
    // bytes) and measured 5% slower. V's copies after the row max: +1%
    // (-0.5% at d = 64).
    {128,
     {{128, 64, 4, 2}, {128, 64, 4, 1}, {64, 64, 4, 2}, {64, 64, 4, 1}},
     false, 8, 0, false, true},
    // d <= 256: 128 x 64, 8 warps (FA2 d=192); 64 x 64, 4 warps (FA2 d=256)
    // where shared memory is short. V's copies after the row max: +2%.
    {256,
     {{128, 64, 8, 2}, {128, 64, 8, 1}, {64, 64, 4, 2}, {64, 64, 4, 1}},
     false, 8, 0, false, true},
};

SmemSwizzle fa2::chooseSwizzle(int64_t paddedDim) {
  return (paddedDim / 8) % 8 == 0 ? SmemSwizzle::Xor : SmemSwizzle::Pad;
}

SmemSwizzle fa2::effectiveSwizzle(int64_t paddedDim, SmemSwizzle swizzle) {
  if (swizzle == SmemSwizzle::Xor && (paddedDim / 8) % 8 != 0)
    return SmemSwizzle::Pad;
  return swizzle;
}

int64_t fa2::sharedRowStride(int64_t paddedDim, SmemSwizzle swizzle) {
  int64_t chunks = paddedDim / 8;
  if (effectiveSwizzle(paddedDim, swizzle) == SmemSwizzle::Pad &&
      chunks % 2 == 0)
    ++chunks;
  return chunks * 8;
}

llvm::SmallVector<ScheduleField> fa2::scheduleFields(const GPUSchedule &s) {
  llvm::SmallVector<ScheduleField> fields = {
      {"block_m", s.blockM},
      {"block_n", s.blockN},
      {"warps", s.numWarps},
      {"stages", s.numStages},
      {"swizzle", stringifySwizzle(s.swizzle).str()},
      {"split_masked_loop", s.splitMaskedLoop},
      {"rescale_threshold", s.rescaleThreshold},
      {"min_blocks_per_sm", s.minBlocksPerSM},
      {"q_in_registers", s.qInRegisters},
      {"split_kv_copies", s.splitKVCopies}};
  // Only where set, so that other kernels' manifests stay as they were.
  if (s.headSectionBytes)
    fields.push_back({"head_section_bytes", s.headSectionBytes});
  // The decode fields only where they are used, so that a prefill kernel's
  // attribute and manifest stay as they were.
  if (s.packGQA)
    fields.push_back({"pack_gqa", true});
  if (s.splitKV()) {
    if (s.kvSplits == GPUSchedule::kKVSplitsAuto)
      fields.push_back({"kv_splits", std::string("auto")});
    else
      fields.push_back({"kv_splits", s.kvSplits});
    fields.push_back({"min_blocks_per_split", s.minBlocksPerSplit});
    fields.push_back({"combine", stringifyCombineMode(s.combine).str()});
  }
  // The Hopper fields only on wgmma kernels (mma_sync is the default).
  if (s.wgmma()) {
    fields.push_back({"mma", stringifyMmaKind(s.mma).str()});
    fields.push_back({"producer_registers", s.producerRegisters});
    fields.push_back({"consumer_registers", s.consumerRegisters});
    fields.push_back({"overlap_softmax", s.overlapSoftmax});
    fields.push_back({"ping_pong", s.pingPong});
    fields.push_back({"persistent", s.persistent});
    // Only on persistent kernels, whose grid it describes.
    if (s.persistent)
      fields.push_back(
          {"tile_scheduler", stringifyTileScheduler(s.tileScheduler).str()});
    fields.push_back({"epilogue", stringifyHopperEpilogue(s.epilogue).str()});
    // Only where turned off, so that other kernels' manifests stay as
    // they were.
    if (!s.lengthVariants)
      fields.push_back({"length_variants", false});
  }
  return fields;
}

llvm::StringRef fa2::stringifyF32Precision(F32Precision precision) {
  switch (precision) {
  case F32Precision::Accurate:
    return "accurate";
  case F32Precision::Fast:
    return "fast";
  case F32Precision::Host:
    return "host";
  }
  llvm_unreachable("unknown F32Precision");
}

std::optional<F32Precision> fa2::parseF32Precision(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<F32Precision>>(name)
      .Case("accurate", F32Precision::Accurate)
      .Case("fast", F32Precision::Fast)
      .Case("host", F32Precision::Host)
      .Default(std::nullopt);
}

int64_t fa2::operandPieces(F32Precision precision) {
  return precision == F32Precision::Accurate ? 2 : 1;
}

GPUSchedule fa2::getDefaultSchedule(int64_t headDim, int64_t headDimV,
                                    const ChipInfo &chip, int64_t pieces) {
  int64_t d = std::max(headDim, headDimV);
  const ScheduleRow *row = &kScheduleTable[std::size(kScheduleTable) - 1];
  for (const ScheduleRow &r : kScheduleTable) {
    if (d <= r.maxHeadDim) {
      row = &r;
      break;
    }
  }
  GPUSchedule s;
  s.swizzle = chooseSwizzle(padHeadDim(headDim));
  s.splitMaskedLoop = row->splitMaskedLoop;
  s.rescaleThreshold = row->rescaleThreshold;
  s.minBlocksPerSM = row->minBlocksPerSM;
  s.qInRegisters = row->qInRegisters;
  s.splitKVCopies = row->splitKVCopies;
  // Split f32 operands (pieces > 1) hold every tile twice and load two Q
  // fragments per k-step: Q stays in shared memory, and the candidates end
  // with smaller tiles that fit two copies.
  if (pieces > 1)
    s.qInRegisters = false;
  static constexpr Tiles kSplitFallbacks[] = {
      {64, 32, 4, 1}, {32, 32, 2, 1}, {16, 16, 1, 1}};
  llvm::SmallVector<Tiles, 8> candidates(std::begin(row->candidates),
                                         std::end(row->candidates));
  if (pieces > 1)
    candidates.append(std::begin(kSplitFallbacks), std::end(kSplitFallbacks));
  // Chips with less shared memory (sm_86/89: 99 KiB) first drop the second
  // K/V buffer, then take smaller tiles.
  for (const Tiles &t : candidates) {
    s.blockM = t.blockM;
    s.blockN = t.blockN;
    s.numWarps = t.numWarps;
    s.numStages = t.numStages;
    if (sharedMemoryBytes(s, headDim, headDimV, pieces) <=
        chip.maxSharedBytes)
      break;
  }
  // Split operands: the pieces' fragments and the per-k-step sums next to
  // the accumulators spilled with two m16 tiles per warp (three bf16 pieces,
  // ptxas, sm_90: 120 bytes at d = 128, 2.4 KB at d = 64); with one m16 tile
  // per warp two f16 pieces take 255 registers and spill 4-12 bytes at
  // d = 64, 108-132 at d = 128 (the group scales need a warp per 16 rows
  // anyway: KernelEmitter::stageScaledGroup).
  if (pieces > 1 && s.blockM / s.numWarps > 16 && s.blockM / 16 <= 16)
    s.numWarps = s.blockM / 16;
  return s;
}

namespace {
/// One row of the sm_90a wgmma table: used for head dims up to maxHeadDim,
/// causal or not, and (maxSeqK > 0) only for a key length up to maxSeqK.
/// A static length takes the first row that matches; a dynamic one takes
/// each row of the run of ranges (the rows after the first match, up to the
/// next one without maxSeqK): one kernel per row, the host picks by seq_k
/// at launch (getHopperSchedules).
struct HopperRow {
  int64_t maxHeadDim;
  bool causal;
  int64_t maxSeqK;
  int64_t blockM, blockN, numStages;
  bool pingPong, persistent;
  TileScheduler tileScheduler = TileScheduler::Static;
  /// setmaxnreg's split, where it is not assignHopperRoles' (0: its).
  int64_t producerRegisters = 0, consumerRegisters = 0;
  /// How O is written (a tma_store row keeps registers where O's own tile
  /// would not fit: rowSchedule).
  HopperEpilogue epilogue = HopperEpilogue::Registers;
  /// CTAs per SM the entry registers are capped for (0: one).
  int64_t minBlocksPerSM = 0;
};
} // namespace

/// FlashAttention-3's forward tiles (hopper/tile_size.h) where this kernel
/// can take them, with a 2-stage K/V ring at every head dim. Registers
/// (assignHopperRoles): 2 consumer warpgroups (128 rows) start at 168 per
/// thread, the producer gives back to 24 and the consumers take 240
/// (128·24 + 256·240 <= 64K); 3 (192 rows) start at 128 and take 32/160.
/// Measured (H200, bf16, one process beside SDPA cuDNN;
/// bench/NOTES.md, Hopper section): ping-pong between the consumer
/// warpgroups +2-11% at d = 128 and +1-4% at d = 64, but -2..-7% at d = 256
/// (FA3 also ping-pongs only up to d = 128); 192 rows at d = 64 +5-15%
/// without a mask, but at causal 512-1k -6%, +8% at 8k (causal: 64-row
/// CTAs up to 2k keys, below). 3 stages: no gain.
/// d = 256 without a mask takes FA3's 128 x 80 (two stages of 80-key K and
/// V beside Q: 225 KiB; a fifth fewer K/V blocks, so fewer barrier round
/// trips and softmax steps per row, than 128 x 64). d = 128 without a mask
/// runs the persistent grid (the next tile's Q and K/V load under the last
/// P·V and the epilogue). The static round-robin of tiles loses to the
/// hardware's block dispatch on causal's uneven tiles from 2k keys (d = 64:
/// -9% at 2k, -18% at 8k) but wins at 512-1k (bench/NOTES.md, Hopper
/// session 3); the dynamic tile scheduler hands the heaviest tiles out
/// first and the next to whichever CTA finishes. Side by side (H200, bf16, fa2/cuDNN at 512 / 1k / 2k / 8k, 2026-12-03,
/// bench/hopper-results/2026-12-03-sweep-dynamic.log): d = 64 without a mask
/// persistent 0.89 / 0.91 / 1.02 / 1.10 against 0.82 / 0.79 / 0.93 / 1.10;
/// d = 64 causal with the dynamic tile scheduler and 56/224 registers (the
/// producer's 24 spilled 24 bytes; at 56, none) 0.84 / 0.84 / 0.87 / 1.02
/// against 0.70 / 0.78 / 0.88 / 1.05 without persistence and 0.82 / 0.84 /
/// 0.88 / 0.95 with the static one. d = 128 and 256 causal stay
/// non-persistent (dynamic: -8..-16% at 1k-2k there). Block_n, same
/// process (bench/hopper-results/2026-12-03-sweep-blockn.log): d = 128
/// without a mask 176 (FA3's) 0.83 / 0.90 / 0.95 / 1.03 against 128's
/// 0.85 / 0.91 / 0.95 / 0.86 (its 8k cell is low in that call; 1.16 the
/// call before), causal 176 -4..-11% at 512-2k: 128 stays; d = 256 causal
/// 80 0.80 / 0.87 / 0.95 / 1.03 against 64's 0.83 / 0.87 / 0.87 / 0.92.
/// The TMA-store epilogue (O through a shared tile of its own on these
/// persistent rows; bench/hopper-results/2026-12-03-sweep-epilogue.log, two
/// calls, fa2/cuDNN at 512 / 1k / 2k / 8k): d = 128 without a mask 128 x 128
/// with it 0.91-1.01 / 0.93-1.02 / 0.90 / 1.01-1.04 against 128 x 176 with
/// register stores 0.82 / 0.88-0.90 / 0.95 / 0.96-1.01 (176 leaves no room
/// for O's tile); d = 64 causal 0.85 / 0.84-0.88 / 0.85 / 0.89-1.07 against
/// 0.83 / 0.76-0.87 / 0.71 / 0.92-1.01. d = 64 without a mask (3 warpgroups:
/// 28 more bytes of spill) measured within noise. The rows without a persistent
/// grid write O into each warpgroup's Q tile (its Q·Kᵀ are done; racecheck,
/// synccheck and memcheck clean once the window starts past the mbarriers):
/// fa2/cuDNN at 512 / 2k / 4k / 8k / 16k, 3 rounds
/// (bench/hopper-results/2026-12-03-evening-sweep.md): d = 128 causal (f16)
/// 0.88 / 1.00 / 1.03 / 1.06 / 1.11 against 0.80 / 0.97 / 1.01 / 1.05 / 1.10
/// with register stores, d = 256 causal (bf16) 0.92 / 0.99 / 1.03 / 1.07 / 1.14
/// against 0.80 / 0.94 / 1.00 / 1.07 / 1.13, d = 256 without a mask (bf16) 0.92
/// / 0.98 / 0.99 / 1.01 / 1.06 against 0.82 / 0.97 / 1.01 / 1.01 / 1.09 (f16 at
/// 8k: -4%): +10-15% at 512, within a few % from 4k.
/// Ranges of seq_k (issue 15; one kernel per range where the length is
/// dynamic, chosen by the host at launch, like FA3's host dispatch). d = 64
/// causal: up to 2k keys 64 x 64 CTAs, three per SM (min_blocks_per_sm = 3:
/// 80 registers at entry, 24 / 136 after setmaxnreg; one CTA's prologue and
/// epilogue run under the other two's loops, and 64-row tiles waste less on
/// the diagonal), beyond it 192 x 112 (32/160), neither persistent, O in Q's
/// tile. Same process, 2 rounds, against the previous rows (persistent
/// dynamic 128 x 128 up to 1k keys, 128 x 128 beyond;
/// bench/hopper-results/2026-12-03-night.md): 64 x 64 x 3 +15..+21% at
/// 512-1k, +3..+10% at 2k (bf16 fa2/cuDNN 1.01 / 1.04 / 0.98 against 0.85 /
/// 0.90 / 0.95); 192 x 112 -2..+4% at 2k-4k, +5..+10% at 8k-16k (1.07 /
/// 1.07 against 0.99 / 1.00; the same files timed twice differed by up to 7%
/// in that call). Two 64-row CTAs per SM (128 registers at entry, 24/232;
/// 64 x 64 or 64 x 128) measured 1-18% under three; 64 x 64 x 3 without a
/// mask +1..+4% at 512, within that call's noise there (10%). 192 x 128 spills 12 bytes where
/// the op returns no LSE (bench/hopper-results/2026-12-03-evening-c192.md);
/// 192 x 112 and 64 x 64 x 3 spill in no form (to-ptx-ptxas-hopper.mlir).
/// d = 128 causal: up to 512 keys 64 x 64 CTAs, two per SM
/// (min_blocks_per_sm = 2: 128 registers at entry, 24 / 232; three do not
/// assemble at d = 128), beyond it 128 x 128 with ping-pong. Same process, 3
/// rounds, against main's one row (bench/hopper-results/2026-12-03-late.md,
/// call 2, P packed after the P·V wait in both): +8..+10% at 384 keys,
/// +24..+26% at 448 (one 64-key block against a half-empty 128-key one),
/// +5.4..+7.1% at 512 (fa2/cuDNN bf16 0.91, f16 0.91; was 0.85 / 0.86),
/// the same kernel timed twice within 0.8%; call 1 (cvts before the wait)
/// +0.3..+4.5% at 512, and at 640 / 768 / 1k 64 x 64 measured -5..+3% /
/// -7..+1% / -8..-3%.
/// d = 256: registers against tma_store from 4k keys measured +1..+4% in
/// one call and -10..+2% in the next (the same file), within the noise of
/// one kernel timed twice: tma_store stays.
/// Up to 512 keys without a mask at d = 64, and at d = 256 either way, the
/// rows below measured ahead twice (H200 2026-12-03 night / 2026-12-04, H100
/// 2026-12-05 call 9, 3 rounds each, bf16; bench/NOTES.md): d = 64 64 x 64
/// CTAs three per SM, not persistent (as the causal row), +1.4..+3.9% and
/// +4.5% at 512 against the 192-row persistent tile (whose last tile of a
/// head is a third empty there), 0..+0.3% at 1k, -8..-10% at 2k; d = 256
/// Bc = 64, +1.6..+3% and +3.0..+4.3% at 512 (6.4 blocks of 80 keys against
/// 8 of 64), at 1k-4k -3..-5% on the H200, +0.5..+2.9% on the H100.
static const HopperRow kHopperTable[] = {
    {64, false, 512, 64, 64, 2, false, false, TileScheduler::Static, 24, 136,
     HopperEpilogue::Registers, 3},
    {64, false, 0, 192, 128, 2, true, true},
    {64, true, 2048, 64, 64, 2, false, false, TileScheduler::Static, 24, 136,
     HopperEpilogue::TmaStore, 3},
    {64, true, 0, 192, 112, 2, true, false, TileScheduler::Static, 0, 0,
     HopperEpilogue::TmaStore},
    {128, false, 0, 128, 128, 2, true, true, TileScheduler::Static, 0, 0,
     HopperEpilogue::TmaStore},
    {128, true, 512, 64, 64, 2, false, false, TileScheduler::Static, 24, 232,
     HopperEpilogue::TmaStore, 2},
    {128, true, 0, 128, 128, 2, true, false, TileScheduler::Static, 0, 0,
     HopperEpilogue::TmaStore},
    {256, false, 512, 128, 64, 2, false, false, TileScheduler::Static, 0, 0,
     HopperEpilogue::TmaStore},
    {256, false, 0, 128, 80, 2, false, false, TileScheduler::Static, 0, 0,
     HopperEpilogue::TmaStore},
    {256, true, 512, 128, 64, 2, false, false, TileScheduler::Static, 0, 0,
     HopperEpilogue::TmaStore},
    {256, true, 0, 128, 80, 2, false, false, TileScheduler::Static, 0, 0,
     HopperEpilogue::TmaStore},
};

/// The schedule of one table row, or nullopt where its tiles do not fit
/// the chip's shared memory.
static std::optional<GPUSchedule> rowSchedule(const HopperRow &r,
                                              int64_t headDim,
                                              int64_t headDimV,
                                              const ChipInfo &chip) {
  GPUSchedule s;
  s.mma = MmaKind::Wgmma;
  s.blockM = r.blockM;
  s.blockN = r.blockN;
  s.numStages = r.numStages;
  assignHopperRoles(s);
  // FA3's intra-warpgroup overlap measured faster at every head dim
  // (H200, bf16, 8k: +4% d = 64, +14% d = 128, +17% causal, +5% d = 256;
  // bench/NOTES.md, Hopper section).
  s.overlapSoftmax = true;
  s.pingPong = r.pingPong;
  s.persistent = r.persistent;
  s.tileScheduler = r.tileScheduler;
  if (r.producerRegisters) {
    s.producerRegisters = r.producerRegisters;
    s.consumerRegisters = r.consumerRegisters;
  }
  // O rescaled lazily: only in blocks where some row of a warp grew past
  // 2^8 of its stale max (OnlineSoftmax::rescaleRows). Measured beside the
  // every-block rescale (H100, bf16, 3 rounds, same process;
  // bench/hopper-results/2026-12-05-call6.log): +2..+9% at d = 64 from 1k
  // keys, +1..+6% at d = 128, +1..+9% at d = 256, within 1% at 512 causal;
  // 4 measured within noise of 8.
  s.rescaleThreshold = 8;
  s.minBlocksPerSM = r.minBlocksPerSM;
  s.epilogue = r.epilogue;
  if (!outputTileFits(s, headDim, headDimV, chip))
    s.epilogue = HopperEpilogue::Registers;
  if (sharedMemoryBytes(s, headDim, headDimV) > chip.maxSharedBytes)
    return std::nullopt;
  return s;
}

llvm::SmallVector<HopperLengthVariant>
fa2::getHopperSchedules(int64_t headDim, int64_t headDimV, bool causal,
                        int64_t seqK, const ChipInfo &chip) {
  if (headDim != headDimV || headDim % 64 != 0 || headDim > 256)
    return {};
  // A negative seqK is dynamic (ShapedType::kDynamic): every row of the
  // first matching run of length ranges, up to its unbounded row.
  bool dynamic = seqK < 0;
  llvm::SmallVector<HopperLengthVariant> variants;
  int64_t minSeqK = 0;
  for (const HopperRow &r : kHopperTable) {
    if (headDim > r.maxHeadDim || r.causal != causal)
      continue;
    if (!dynamic && r.maxSeqK > 0 && seqK > r.maxSeqK)
      continue;
    std::optional<GPUSchedule> s = rowSchedule(r, headDim, headDimV, chip);
    if (!s)
      return {};
    variants.push_back({*s, minSeqK, r.maxSeqK > 0 ? r.maxSeqK : -1});
    if (!dynamic || r.maxSeqK == 0)
      break;
    minSeqK = r.maxSeqK + 1;
  }
  if (!variants.empty() && !variants.back().unbounded() && dynamic)
    llvm::reportFatalInternalError(
        "the Hopper table's length ranges end without an unbounded row");
  return variants;
}

bool fa2::sameScheduleFields(const GPUSchedule &a, const GPUSchedule &b) {
  llvm::SmallVector<ScheduleField> fa = scheduleFields(a),
                                   fb = scheduleFields(b);
  return llvm::equal(fa, fb, [](const ScheduleField &x,
                                const ScheduleField &y) {
    return x.key == y.key && x.value == y.value;
  });
}

bool fa2::outputTileFits(const GPUSchedule &s, int64_t headDim,
                         int64_t headDimV, const ChipInfo &chip) {
  return !s.ownOutputTile() ||
         sharedMemoryBytes(s, headDim, headDimV) <= chip.maxSharedBytes;
}

void fa2::assignHopperRoles(GPUSchedule &s) {
  int64_t groups = s.consumerWarpgroups();
  s.numWarps = 4 * (groups + 1);
  s.producerRegisters = groups <= 1 ? 56 : groups == 2 ? 24 : 32;
  s.consumerRegisters = groups <= 2 ? 240 : 160;
}

/// The decode table: packed rows up to 64 take the smallest tile of 16, 32
/// or 64 rows (one warp per 16 rows, every warp busy), except 5-8 rows at
/// d = 128, which take two warps (the second one's rows empty). Up to 128
/// rows take two 64-row tiles. Split-KV is chosen from the shapes
/// (kKVSplitsAuto).
/// A decode CTA does little arithmetic per byte: keeping bytes in flight is
/// its whole job, so each tile streams K/V through as many stages as fit
/// (three where three do not fit: two, then one).
namespace {
struct DecodeRow {
  int64_t maxRows, maxHeadDim, blockM, blockN, numStages, minBlocksPerSplit;
  CombineMode combine = CombineMode::Launch;
};
} // namespace
static const DecodeRow kDecodeTable[] = {
    // Every row's splits are merged by the combine launch (a programmatic
    // dependent launch; rows and warps a row from the split count). The
    // last-CTA merge (combine = last_cta: the last split CTA of a row tile
    // to arrive merges its rows; no second launch) was the table's for at
    // most 8 packed rows while the combine launch took one warp a row in
    // two passes (2026-12-03-rows.md, 2026-12-03-final.md). Against the
    // combine launch of today, same process, graph-replayed, 3 rounds
    // (H200, bench/decode-results/2026-12-04b-combine-modes.csv), the
    // launch's time over last_cta's: d = 64 batch 1 0.94-0.99 at 1k-32k,
    // 0.985-1.00 at 128k; batch 8 0.97-1.00; d = 128 batch 1 0.95-1.00,
    // batch 8 1.00-1.01 (Sq = 4 G = 1 1.005-1.02); batch 64 (one split)
    // equal.
    // 16 rows, one warp, d <= 64: Bc = 32 with 4 stages (37 KiB, 6 CTAs
    // per SM), 4 blocks (128 keys) per split; up to 8 packed rows (Sq = 1,
    // Sq = 4 with G = 1) Bc = 64 with 3 stages, 2 blocks (128 keys) per
    // split. Bc = 64 against Bc = 32 / 4 stages, same process,
    // graph-replayed, 3 rounds (bench/decode-results/2026-12-03-night.md),
    // G = 1 / G = 4 / Sq = 4: faster in 17 of 18 cells from 8k keys, every
    // round (128k batch 1 79.3 -> 77.7 us at G = 4, batch 8 -1.5..-2.5%),
    // 1% slower at G = 1 32k batch 1; at 1k keys 6-10% slower with 4
    // blocks per split (4 splits against 8), hence 2 (8 splits at 1k).
    // At G = 8 (8 rows in the one warp's m16 tile, as G = 4's 4 rows)
    // against the 32-row tile of two warps with Bc = 32 / 4 stages (the
    // table's while the last CTA merged, 4 rows a warp), one warp of 16
    // rows with Bc = 32 / 4 stages, same process, graph-replayed, 3 rounds
    // (2026-12-04c-call1.sh): 128k batch 8 492.3 -> 490.2 us, batch 1 69.9
    // -> 69.7, 8k 12.3 -> 12.1; in the same run G = 4's cell (the same K/V
    // bytes) took 480.1 us on Bc = 64 / 3 stages (cuDNN 478-480), hence
    // that tile at G = 8 too. Not yet timed against the 32-row tile on one
    // GPU; on an H100 (2026-12-05-call2-grid.md) G = 8 on it ran as G = 4
    // (128k batch 8 695.5 / 694.0 us, cuDNN 686.3; 8k batch 1 14.1 / 14.0).
    // d = 128, 5-8 packed rows (G = 8): a 32-row tile of two warps (chosen
    // when the last CTA merged, with both warps, 4 rows each; with the
    // combine launch one warp of 16 rows was 0.3-3% slower, call 1); the
    // second warp's rows are empty in the main loop. Against one warp of
    // 16 rows, both with last_cta, same process, graph-replayed, 3 rounds
    // (bench/decode-results/2026-12-03-night.md): faster in every cell and
    // round, d = 128 batch 1 1k 11.6 -> 10.7 us, 8k 22.6 -> 20.6, 32k 50.0 ->
    // 47.7, 128k 136.8 -> 134.3, batch 8 -0.2..-0.4%; d = 64 batch 1 8k 16.0
    // -> 15.2, 128k 79.6 -> 78.6, batch 8 -0.3..-0.8%. At d = 128 the tile
    // takes 57344 bytes: 4 CTAs an SM only without a static shared byte
    // (fa2-extern-dynamic-shared-memory); with one, 3 fit and batch 64's
    // one-split CTAs ran in two waves (8k 489.5 -> 580.3 us, 0.86x cuDNN;
    // 2026-12-03-night-splits.md).
    {8, 64, 16, 64, 3, 2},
    {16, 64, 16, 32, 4, 4},
    {4, 128, 16, 32, 3, 2},
    {8, 128, 32, 32, 3, 2},
    // d <= 128: Bc = 32 with 3 stages (51 KiB: 4 CTAs per SM), 2 blocks per
    // split. Against Bc = 64 / 3 stages (100 KiB, 2 per SM), Bc = 32 / 4
    // stages and 8 other choices, same process
    // (bench/decode-results/table-2026-12-02.md): the best or within 1% in
    // every cell of >= 256 MB, 0.99-1.00x cuDNN at batch 64 (Bc = 64: 0.95x
    // at 1k, Bc = 32 / 4 stages: 0.90-0.91x), +5% at batch 1, 8k.
    {16, 128, 16, 32, 3, 2},
    // Otherwise Bc = 64 with 3 stages, 2 blocks per split.
    {16, 256, 16, 64, 3, 2},
    {32, 256, 32, 64, 3, 2},
    {128, 256, 64, 64, 3, 2},
};
std::optional<GPUSchedule> fa2::getDecodeSchedule(int64_t rows,
                                                  int64_t headDim,
                                                  int64_t headDimV,
                                                  const ChipInfo &chip) {
  const DecodeRow *row = nullptr;
  int64_t d = std::max(headDim, headDimV);
  for (const DecodeRow &r : kDecodeTable) {
    if (rows <= r.maxRows && d <= r.maxHeadDim) {
      row = &r;
      break;
    }
  }
  if (!row)
    return std::nullopt;
  GPUSchedule s = getDefaultSchedule(headDim, headDimV, chip);
  s.blockM = row->blockM;
  s.numWarps = s.blockM / 16;
  s.blockN = row->blockN;
  s.packGQA = true;
  s.kvSplits = GPUSchedule::kKVSplitsAuto;
  s.minBlocksPerSplit = row->minBlocksPerSplit;
  s.combine = row->combine;
  // One m16 tile per warp: Q in registers costs d/16·4 registers.
  s.qInRegisters = true;
  for (int64_t stages = row->numStages; stages >= 1; --stages) {
    s.numStages = stages;
    if (sharedMemoryBytes(s, headDim, headDimV) <= chip.maxSharedBytes)
      break;
  }
  return s;
}

/// The sm_90a decode table. A decode step of G·Sq >= 64 packed rows does
/// 2·G·Sq FLOPs per K/V element (128 at Sq = 16, G = 8): at the copy
/// bandwidth that is 560 TFLOP/s at d = 128, beyond what mma.sync reaches
/// on an H200 (the mma.sync decode tile ran those cells at 48-59% of the
/// copy bandwidth, bench/decode-results/2026-12-03-late-final-grid.md).
/// The wgmma kernel takes them. From 128 rows: the prefill table's d = 128
/// tile, 128 x 128 with two consumer warpgroups in ping-pong, one CTA per
/// SM. Below: 64-row CTAs (one consumer warpgroup), two per SM (128
/// registers a thread at entry, 24 / 232 after setmaxnreg, as the d = 128
/// causal <= 512 row of kHopperTable), so one CTA's prologue, Q load and
/// epilogue run under the other's K/V stream; at d = 128 Bc = 64 keeps O
/// and S within those registers. The split count fills the CTAs an SM
/// holds (GPUSchedule::splitSlotsPerSM); a split takes at least 4 blocks,
/// since a warp-specialized CTA's setup (barriers, Q's copy, the
/// pipeline's fill) is longer than the mma.sync tile's. O goes out from
/// registers: a split CTA writes f32 partials, not O's type.
/// Measured (H200, bf16, causal, graph-replayed, same process, 2 rounds,
/// against the 64 x 64 x 2 CTAs at every row count;
/// bench/decode-results/2026-12-04-hopper-decode.md): 128 x 128 at Sq = 16
/// G = 8 d = 128 +11% at 1k batch 64, +25% 8k batch 64, +38% 32k batch 64,
/// +14% 128k batch 8 (4.3-4.6 TB/s, 102-108% of the copy), but -5..-20%
/// at batch 1 with the two-per-SM split count (twice the splits, two
/// waves); d = 64 +7..+25% from 8k batch 8. 64 x 128 x 3 at d = 64 G = 4
/// within 2% of 64 x 64 x 4 from batch 8, +38% at 8k batch 1.
/// A row of the sm_90a decode table: the Hopper table's row (its tile,
/// stages, ping-pong, registers, CTAs per SM; rowSchedule builds it) for
/// `minRows` packed rows and more, and the split's minimum blocks.
namespace {
struct HopperDecodeRow {
  HopperRow tile;
  int64_t minRows, minBlocksPerSplit;
};
} // namespace
static const HopperDecodeRow kHopperDecodeTable[] = {
    // Q 16 KiB + 2 stages of 16 KiB K and V: 80 KiB (one CTA by its 384
    // threads' registers).
    {{64, true, 0, 128, 128, 2, true, false}, 128, 4},
    // Q 8 KiB + 3 stages of 16 KiB K and V: 104 KiB a CTA, two per SM.
    {{64, true, 0, 64, 128, 3, false, false, TileScheduler::Static, 24, 232,
      HopperEpilogue::Registers, 2},
     0, 4},
    // Q 32 KiB + 2 stages of 32 KiB K and V: 160 KiB.
    {{128, true, 0, 128, 128, 2, true, false}, 128, 4},
    // Q 16 KiB + 2 stages of 16 KiB K and V: 80 KiB (3 stages, 112 KiB,
    // leave two CTAs no room for their barriers and alignment).
    {{128, true, 0, 64, 64, 2, false, false, TileScheduler::Static, 24, 232,
      HopperEpilogue::Registers, 2},
     0, 4},
};

std::optional<GPUSchedule> fa2::getHopperDecodeSchedule(int64_t rows,
                                                        int64_t headDim,
                                                        int64_t headDimV,
                                                        const ChipInfo &chip) {
  if (rows <= 0 || headDim != headDimV || headDim % 64 != 0)
    return std::nullopt;
  // (A decode row serves causal steps and others alike: its tile.causal
  // is not read.)
  for (const HopperDecodeRow &r : kHopperDecodeTable) {
    if (headDim > r.tile.maxHeadDim || rows < r.minRows)
      continue;
    std::optional<GPUSchedule> s = rowSchedule(r.tile, headDim, headDimV, chip);
    if (!s)
      return std::nullopt;
    s->packGQA = true;
    s->kvSplits = GPUSchedule::kKVSplitsAuto;
    s->minBlocksPerSplit = r.minBlocksPerSplit;
    s->combine = CombineMode::Launch;
    return s;
  }
  return std::nullopt;
}

/// The prefill tile splits the keys when one batch element's row tiles
/// (ceil(Sq/Br)·Hq) would leave at least half the CTA slots empty at batch 1
/// (two prefill CTAs fit an SM): a chunked-prefill step (Sq = 512 of an
/// 8k cache, Hq = 32) is 128 CTAs of 128 rows on 132 SMs, one per SM.
/// Measured there (bench/decode-results/variants-2026-12-02.md): 1.30x SDPA
/// flash at batch 1 with the run-time split count (2), 1.13x at batch 4
/// (count 1), against 0.95x / 1.07x without.
static constexpr int64_t kPrefillSplitMaxCTAsPerSM = 1;

int64_t fa2::getPrefillKVSplits(int64_t rowTileCTAs, const ChipInfo &chip) {
  if (rowTileCTAs <= 0 || rowTileCTAs > kPrefillSplitMaxCTAsPerSM * chip.smCount)
    return 1;
  return GPUSchedule::kKVSplitsAuto;
}

int64_t fa2::numKVSplits(int64_t ctas, int64_t numKVBlocks, int64_t smCount,
                         int64_t minBlocksPerSplit, int64_t slotsPerSM) {
  auto ceilDiv = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  // Full waves: as many splits as fit in the CTA slots (two per SM for the
  // mma.sync decode tile), rounded down (rounding up left a near-empty
  // second wave: 64 row tiles -> 5 splits = 320 CTAs for 264 slots on an
  // H200).
  int64_t forSMs = (slotsPerSM * smCount) / std::max<int64_t>(ctas, 1);
  int64_t forBlocks = ceilDiv(numKVBlocks, minBlocksPerSplit);
  int64_t count = std::max<int64_t>(
      1, std::min({forSMs, forBlocks, kMaxKVSplits}));
  // Equal splits: the fewest splits that keep the longest split's blocks
  // (the critical path) no longer. 33 splits of 128 blocks take 4 at most,
  // as 32 do; the 33rd costs a partial, a CTA and a merge trip (16 splits
  // a trip at d = 64 G = 4): Sq = 1 d = 64 8k batch 1 15.1 -> 14.7 us (G =
  // 4), 14.6 -> 14.2 (G = 1), same PTX, graph-replayed, 3 rounds
  // (bench/decode-results/2026-12-03-night-splits.md).
  int64_t longest = ceilDiv(numKVBlocks, count);
  return std::max<int64_t>(
      1, ceilDiv(numKVBlocks, std::max<int64_t>(longest, 1)));
}

std::string fa2::numKVSplitsExpression(llvm::StringRef ctas,
                                       llvm::StringRef kvBlocks,
                                       int64_t minBlocksPerSplit,
                                       int64_t slotsPerSM) {
  std::string count =
      ("max(1, min(min(" + llvm::Twine(slotsPerSM) + " * sm_count / max(" +
       ctas + ", 1), ceildiv(" +
       kvBlocks + ", " + llvm::Twine(minBlocksPerSplit) + ")), " +
       llvm::Twine(kMaxKVSplits) + "))")
          .str();
  // numKVSplits' equal splits.
  return ("max(1, ceildiv(" + kvBlocks + ", max(1, ceildiv(" + kvBlocks +
          ", " + count + "))))")
      .str();
}

int64_t fa2::sharedMemoryBytes(const GPUSchedule &s, int64_t headDim,
                               int64_t headDimV, int64_t pieces) {
  if (s.wgmma()) {
    // Unpadded 128-byte-swizzled tiles, plus 1 KiB to round the dynamic
    // window (16-byte aligned) up to the swizzle atom.
    int64_t elems = s.blockM * headDim +
                    s.numStages * s.blockN * (headDim + headDimV);
    // O's own tile (tma_store on the persistent grid).
    if (s.ownOutputTile())
      elems += s.blockM * headDimV;
    // The dynamic tile scheduler's slot: the next tile's index, which the
    // producer publishes to the consumers (16 bytes keep the alignment).
    return elems * 2 + 1024 + (s.dynamicTiles() ? 16 : 0);
  }
  int64_t qk = sharedRowStride(padHeadDim(headDim), s.swizzle);
  int64_t v = sharedRowStride(padHeadDim(headDimV), s.swizzle);
  int64_t elems = s.blockM * qk + s.numStages * s.blockN * (qk + v);
  // Split operands: one f32 factor per 16 rows and 64 columns of each K
  // and V tile (KernelEmitter's scale groups).
  int64_t groupFactors =
      pieces > 1 ? s.numStages * (s.blockN / 16) *
                       ((padHeadDim(headDim) + 63) / 64 +
                        (padHeadDim(headDimV) + 63) / 64)
                 : 0;
  return elems * 2 * pieces + groupFactors * 4;
}

/// Registers per thread a wgmma CTA starts with: ptxas's cap for the block
/// size at min_blocks_per_sm CTAs per SM (at least one), in 8s.
static int64_t hopperEntryRegisters(const GPUSchedule &s) {
  return (65536 / (s.numThreads() * s.ctasPerSM())) / 8 * 8;
}

std::string fa2::validateSchedule(const GPUSchedule &s, int64_t headDim,
                                  int64_t headDimV, const ChipInfo &chip,
                                  int64_t pieces) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (s.blockM <= 0 || s.blockN <= 0 || s.numWarps <= 0 || s.numStages <= 0)
    os << "block_m, block_n, warps and stages must be positive";
  else if (!s.wgmma() && s.blockM % (16 * s.numWarps) != 0)
    os << "block_m (" << s.blockM << ") must be a multiple of 16 x warps ("
       << 16 * s.numWarps << "): each warp owns whole m16 tiles";
  else if (!s.wgmma() && s.blockN % 16 != 0)
    os << "block_n (" << s.blockN
       << ") must be a multiple of 16 (one mma.sync k-step of P.V)";
  else if (s.numWarps > 16)
    os << "at most 16 warps per CTA, got " << s.numWarps;
  else if (s.numStages > 4)
    os << "at most 4 stages, got " << s.numStages;
  else if (s.rescaleThreshold < -1 || s.rescaleThreshold > 16)
    os << "rescale_threshold must be -1 (every block) or 0..16 (powers of "
          "two the probabilities may reach), got "
       << s.rescaleThreshold;
  else if (pieces > 1 && s.rescaleThreshold > 15)
    os << "rescale-threshold " << s.rescaleThreshold
       << " with split f32 operands: P up to 2^" << s.rescaleThreshold
       << " has no f16 pieces (f16 ends at 65504); at most 15";
  else if (s.minBlocksPerSM < 0 || s.minBlocksPerSM > 32)
    os << "min_blocks_per_sm must be 0..32, got " << s.minBlocksPerSM;
  else if (s.kvSplits < 0 || s.kvSplits > kMaxKVSplits)
    os << "kv_splits must be auto or 1.." << kMaxKVSplits << ", got "
       << s.kvSplits;
  else if (s.minBlocksPerSplit < 1)
    os << "a K/V split needs at least one block";
  else if (s.wgmma() && (s.blockM % 64 != 0 || s.blockM > 192))
    os << "block_m (" << s.blockM
       << ") must be 64, 128 or 192 with wgmma: 64 rows per consumer "
          "warpgroup, at most 3";
  else if (s.wgmma() && (s.blockN % 16 != 0 || s.blockN > 256))
    os << "block_n (" << s.blockN
       << ") must be a multiple of 16 up to 256 with wgmma (the n of "
          "Q·Kᵀ's m64nNk16, one k16 step of P·V per 16 keys)";
  else if (s.wgmma() && s.numWarps != 4 * (s.consumerWarpgroups() + 1))
    os << "warps (" << s.numWarps << ") must be " << 4 * (s.consumerWarpgroups() + 1)
       << " with wgmma: a producer warpgroup and one per 64 query rows";
  else if (s.wgmma() && s.numStages < 2)
    os << "wgmma kernels need at least 2 stages (the K/V ring)";
  else if (s.pingPong && (!s.wgmma() || !s.overlapSoftmax ||
                          s.consumerWarpgroups() < 2))
    os << "ping_pong needs mma = wgmma, overlap_softmax = true and at least "
          "2 consumer warpgroups (block_m >= 128): it orders the GEMM issues "
          "of the overlapped loop between warpgroups";
  else if (s.wgmma() &&
           128 * (s.producerRegisters +
                  s.consumerWarpgroups() * s.consumerRegisters) >
               s.numThreads() * hopperEntryRegisters(s))
    // setmaxnreg.inc waits until the pool has the registers: asking for
    // more than the CTA got at entry (64K / threads / min_blocks_per_sm,
    // in 8s) hangs it.
    os << "producer_registers (" << s.producerRegisters
       << ") + consumer_registers (" << s.consumerRegisters << ") x "
       << s.consumerWarpgroups() << " warpgroups need more than the "
       << hopperEntryRegisters(s) << " x " << s.numThreads() / 128
       << " registers per thread the CTA starts with (the consumers' "
          "setmaxnreg.inc would wait forever)";
  else if (s.wgmma() && s.ctasPerSM() > 1 &&
           (headDimV + s.blockN) / 2 > hopperEntryRegisters(s))
    // With .minnctapersm above 1, ptxas allocates every instruction within
    // the registers a thread starts with; setmaxnreg does not lift that
    // (H200, 2026-12-03: d = 256, 64 x 64, two CTAs per SM failed to load,
    // "Insufficient registers (128) to compile instruction ... register
    // target of 158"). A consumer thread holds its 64 rows' O and S
    // accumulators at once: head_dim_v / 2 + block_n / 2 registers.
    os << "min_blocks_per_sm = " << s.ctasPerSM()
       << " compiles the kernel for that many CTAs per SM, in which ptxas "
          "gives every instruction at most the "
       << hopperEntryRegisters(s)
       << " registers a thread starts with; a consumer thread's O and S "
          "accumulators alone need "
       << headDimV / 2 << " + " << s.blockN / 2;
  else if (s.persistent && !s.wgmma())
    os << "persistent needs mma = wgmma (the mma.sync kernel has one CTA "
          "per tile)";
  else if (s.epilogue == HopperEpilogue::TmaStore && !s.wgmma())
    os << "epilogue = tma_store needs mma = wgmma";
  else if (s.tileScheduler == TileScheduler::Dynamic && !s.persistent)
    os << "tile_scheduler = dynamic needs persistent = true (it hands out "
          "the tiles of a persistent grid)";
  else if (s.headSectionBytes && (s.persistent || s.packGQA || s.splitKV()))
    os << "head_section_bytes orders a grid of one CTA per query block and "
          "head; it does not apply to "
       << (s.persistent ? "a persistent grid"
           : s.packGQA  ? "packed GQA rows"
                        : "split-KV");
  else if (int64_t bytes = sharedMemoryBytes(s, headDim, headDimV, pieces);
           bytes > chip.maxSharedBytes)
    os << "the tiles need " << bytes << " bytes of shared memory"
       << (pieces > 1 ? " (" + std::to_string(pieces) +
                            " 16-bit pieces of each f32 tile)"
                      : std::string())
       << ", more than " << chip.name << "'s " << chip.maxSharedBytes;
  return why;
}
