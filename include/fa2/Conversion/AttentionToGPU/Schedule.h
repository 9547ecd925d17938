//===- Schedule.h - FlashAttention-2 GPU schedules as data ------*- C++ -*-===//
//
// The tile sizes, warp count, pipeline depth and shared-memory swizzle of the
// FlashAttention-2 kernel are one struct, chosen from a table per head
// dimension and chip. The kernel builder reads nothing else; the pass options
// override single fields; the manifest prints the struct.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_SCHEDULE_H
#define FA2_CONVERSION_ATTENTIONTOGPU_SCHEDULE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace fa2 {

/// How a K/V/Q tile row is placed in shared memory so that the 8 row
/// addresses of one ldmatrix phase hit 8 different 16-byte bank groups.
enum class SmemSwizzle {
  /// 16-byte chunk c of row r lives at chunk c ^ (r % 8): rows with a
  /// multiple of 8 chunks (head dims 64, 128, 192, 256).
  Xor,
  /// Rows padded to an odd number of 16-byte chunks: every other head dim.
  Pad,
};

llvm::StringRef stringifySwizzle(SmemSwizzle swizzle);

/// Which tensor-core instruction family the kernel is built on.
enum class MmaKind {
  /// sm_80+: warp-level mma.sync fed by ldmatrix, cp.async copies, every
  /// warp both copying and computing (KernelBuilder.cpp).
  MmaSync,
  /// sm_90a: warpgroup wgmma.mma_async, TMA copies into an mbarrier ring,
  /// a producer warpgroup and consumer warpgroups of 64 query rows each
  /// (HopperKernelBuilder.cpp).
  Wgmma,
};

llvm::StringRef stringifyMmaKind(MmaKind kind);

/// How a split-KV kernel's partials are merged (the schedule field
/// `combine`).
enum class CombineMode {
  /// A second kernel (CombineBuilder.h), launched after the splits (on
  /// sm_90 as a programmatic dependent launch).
  Launch,
  /// No second launch: each split CTA writes its partials, fences, and
  /// counts itself in the scratch buffer `combine_counter`; the CTA that
  /// arrives last merges the row tile's splits (the combine kernel's row
  /// merge) and resets the counter to 0 for the next launch.
  LastCTA,
};

llvm::StringRef stringifyCombineMode(CombineMode mode);

/// How a persistent wgmma grid hands out its tiles (the schedule field
/// `tile_scheduler`).
enum class TileScheduler {
  /// Round-robin: CTA x runs tiles x, x + gridDim.x, ...
  Static,
  /// FlashAttention-3's: a CTA's first tile is blockIdx.x, each next one
  /// gridDim.x + an atomic increment of the scratch counter `tile_counter`
  /// (tiles heaviest first when causal), so a CTA that finishes early takes
  /// more; the last CTA to finish resets the counters to 0.
  Dynamic,
};

llvm::StringRef stringifyTileScheduler(TileScheduler scheduler);

/// How the wgmma kernel writes O.
enum class HopperEpilogue {
  /// Each consumer thread stores its accumulator pairs to global memory
  /// (4-byte stores, rows past seq_q skipped).
  Registers,
  /// FlashAttention-3's: the consumer warpgroup writes its 64 rows of O
  /// (in the output type) into a 128-byte-swizzled shared tile, one elected
  /// thread stores the tile with TMA (cp.async.bulk.tensor, clipped at
  /// seq_q by the map's bounds). Needs a 16-bit output.
  TmaStore,
};

llvm::StringRef stringifyHopperEpilogue(HopperEpilogue epilogue);
std::optional<MmaKind> parseMmaKind(llvm::StringRef name);

/// What the kernel builder needs to know about the chip.
struct ChipInfo {
  std::string name;           // sm_80 ... sm_90a
  int64_t maxSharedBytes = 0; // per CTA, with the opt-in attribute
  /// Multiprocessors of the chip's largest part (H100/H200 SXM: 132). Only
  /// the host code's split-KV count uses it: a manifest leaves the count as
  /// an expression over `sm_count`, which the runner reads off the device.
  int64_t smCount = 0;
};

/// Returns the chip's limits, or nullopt for a chip fa2 does not target.
std::optional<ChipInfo> getChipInfo(llvm::StringRef chip);

/// The chips fa2 targets, as the options and their --help spell them
/// ("sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a").
std::string knownChips();

/// How the kernel serves f32 Q/K/V on 16-bit tensor cores (the option
/// `f32-precision`). Both stage Q, K and V into shared memory as 16-bit
/// pieces (register loads and conversions instead of cp.async) and accumulate
/// in f32 (SplitOperands.h has the arithmetic, docs/numerics.md the bounds).
enum class F32Precision {
  /// Each f32 operand is scaled by a power of two per group of 16 rows and
  /// 64 columns (Q: of a warp's m16 tile; K, V: of 16 keys of a block; P:
  /// 2^(15 - rescale threshold) throughout) and split into two f16 pieces (x = hi + lo up to 2^-22
  /// relative), and each product is the three piece products hi·hi, hi·lo,
  /// lo·hi (the dropped lo·lo weighs 2^-22): f32-level results on the f16
  /// mma.sync, for Q·Kᵀ and for P·V alike. It replaced three bf16 pieces and
  /// six products (2^-24): half the mma and two thirds of the shared memory
  /// for a measured error still within FlashAttention's rule against
  /// PyTorch's f32 math path (bench/results-f32).
  Accurate,
  /// Q, K, V and P rounded to bf16 once (round to nearest even), one mma per
  /// product: bf16 operand error, about 2^-9 relative per operand.
  Fast,
  /// No GPU kernel: f32 ops stay for the CPU lowering (with a remark), as
  /// before the policy existed; for host-only runs of f32 modules.
  Host,
};

llvm::StringRef stringifyF32Precision(F32Precision precision);
std::optional<F32Precision> parseF32Precision(llvm::StringRef name);
/// The 16-bit pieces each f32 operand is split into under `precision`.
int64_t operandPieces(F32Precision precision);

/// The GPU options of fa2-lower-to-gpu and fa2-to-ptx as the user gave them.
struct GPUOptions {
  std::string chip = "sm_90";
  /// fa2-to-ptx's folder for kernels and manifests (fa2-write-kernels').
  std::string manifestDir;
  std::string f32Precision = "accurate";
  /// Schedule fields over the table's choice, as `#fa2.schedule<...>`'s body
  /// writes them ("block_m = 64, stages = 1"); empty = the table's.
  std::string schedule;
};

/// An option the user cannot have: its name, its value and why.
struct OptionError {
  std::string option, value, message;
};

/// The first option of `options` that no kernel could run with (an unknown
/// chip, a schedule field that does not exist or a value out of
/// its range, a manifest folder that cannot be created), before any op is
/// looked at. Whether a schedule fits one op's head dims is
/// validateSchedule's question.
std::optional<OptionError> checkGPUOptions(const GPUOptions &options);

/// One FlashAttention-2 schedule.
struct GPUSchedule {
  int64_t blockM = 0; // query rows per CTA (Br)
  int64_t blockN = 0; // keys per K/V block (Bc)
  int64_t numWarps = 0;
  int64_t numStages = 0; // K/V shared-memory buffers; 1 = no overlap
  SmemSwizzle swizzle = SmemSwizzle::Xor;
  /// Kernels with a mask (causal, or an Sk that is not a multiple of the
  /// block): run the K/V blocks that need no mask in a loop of their own,
  /// without mask arithmetic (a second copy of the loop body, which costs
  /// registers: off where it made ptxas spill).
  bool splitMaskedLoop = false;
  /// Lazy rescaling of the output accumulator. Each row keeps a reference
  /// max; when no row of a warp has a score more than 2^rescaleThreshold
  /// above its reference (in exp2 units), the block's probabilities are taken
  /// relative to the stale reference (so they stay below 2^threshold) and
  /// the multiplication of O by exp2(m_old - m_new) is skipped. -1 rescales
  /// in every block, as FlashAttention-2 does.
  int64_t rescaleThreshold = -1;
  /// Keep each warp's Q fragments in registers for the whole kernel (one
  /// ldmatrix per fragment instead of one per K/V block): 8·d/16 registers
  /// per thread at 32 rows per warp, affordable up to d = 64.
  bool qInRegisters = false;
  /// CTAs that must fit on one SM at once (ptxas budgets registers for it);
  /// 0 lets ptxas choose.
  int64_t minBlocksPerSM = 0;
  /// Issue the K copies of block j+stages-1 after the mma.sync of Q·K_jᵀ and
  /// its V copies only after the row max (before the exponentials), one
  /// commit group still; otherwise both go after Q·K_jᵀ. Spreads the copies'
  /// address arithmetic over the iteration.
  bool splitKVCopies = false;
  /// Packed GQA rows (decode): the Hq/Hkv query heads that share a K/V head,
  /// times Sq, are the rows of one CTA tile (row p = query position p / G of
  /// head p % G of the group), so each K/V tile is read once per group.
  /// Needs static head counts.
  bool packGQA = false;
  /// Split-KV (decode): the K/V blocks of a row tile are divided among
  /// this many CTAs, each writing a partial O and its LSE to scratch, and a
  /// combine kernel merges them by LSE. 1 = no split; kKVSplitsAuto (written
  /// `kv_splits = auto`) = the count is chosen from the shapes and the SM
  /// count (numKVSplits), at compile time when the shapes are static, at
  /// run time otherwise.
  int64_t kvSplits = 1;
  static constexpr int64_t kKVSplitsAuto = 0;
  /// A split covers at least this many K/V blocks.
  int64_t minBlocksPerSplit = 2;
  /// Split-KV: how the partials are merged (CombineMode).
  CombineMode combine = CombineMode::Launch;
  /// Causal grids of one head per CTA row (neither packed GQA rows nor
  /// split-KV; not persistent): 0 keeps each head's query blocks together,
  /// heaviest first, head after head. Otherwise the heads are taken in
  /// sections whose K/V takes at most this many bytes, and within a
  /// section the heaviest query block of every head runs first, then the
  /// next heaviest of every head, ... (FlashAttention-3's L2 swizzle), so
  /// that the last wave of every section, and of the grid, is made of the
  /// lightest blocks while a section's K/V stays in L2. Lapses without a
  /// causal mask. No table row sets it: on the H100 (2026-12-06, bench/
  /// NOTES.md) 16 MiB measured -2..-12% up to 512-2k keys and within the
  /// noise (+0..+2%) beyond.
  int64_t headSectionBytes = 0;
  /// The tensor-core family. With Wgmma, numWarps counts the producer
  /// warpgroup's 4 warps too, and blockM is 64 rows per consumer
  /// warpgroup.
  MmaKind mma = MmaKind::MmaSync;
  /// Wgmma: registers per thread after setmaxnreg, for the producer
  /// warpgroup (TMA issue only) and for each consumer warpgroup.
  int64_t producerRegisters = 0, consumerRegisters = 0;
  /// Wgmma: FlashAttention-3's intra-warpgroup overlap: block j's Q·Kᵀ and
  /// block j-1's P·V are issued together, and block j's softmax runs
  /// while P·V is in flight (P·V lags one block behind Q·Kᵀ).
  bool overlapSoftmax = false;
  /// Wgmma: FlashAttention-3's ping-pong between consumer warpgroups: each
  /// warpgroup issues its GEMMs only between a named-barrier wait for the
  /// previous warpgroup's issue and an arrival for the next, so the
  /// warpgroups take turns on the tensor cores and one's softmax runs under
  /// another's GEMMs. Needs overlapSoftmax and 2 or 3 consumer warpgroups.
  bool pingPong = false;
  /// Wgmma: a persistent grid of at most one CTA per SM, each looping over
  /// query tiles (static round-robin; causal: the heaviest first), so that
  /// the producer loads the next tile's Q, K and V under the last tile's
  /// final P·V and epilogue instead of a fresh CTA starting cold.
  bool persistent = false;
  /// Wgmma, persistent: how the CTAs get their tiles (TileScheduler).
  TileScheduler tileScheduler = TileScheduler::Static;
  /// Wgmma: how O leaves the kernel (HopperEpilogue).
  HopperEpilogue epilogue = HopperEpilogue::Registers;
  /// Wgmma, dynamic seq_k: where the Hopper table has rows for ranges of
  /// the key length, one kernel per row and the host launches the one
  /// whose range holds seq_k (getHopperSchedules). False: one kernel, the
  /// row for the longest keys.
  bool lengthVariants = true;

  bool splitKV() const { return kvSplits != 1; }
  bool wgmma() const { return mma == MmaKind::Wgmma; }
  /// A persistent grid fed by the atomic tile counter.
  bool dynamicTiles() const {
    return persistent && tileScheduler == TileScheduler::Dynamic;
  }
  bool tmaStore() const {
    return wgmma() && epilogue == HopperEpilogue::TmaStore;
  }
  /// Wgmma, tma_store: O has a shared tile of its own (beside Q's), because
  /// the persistent grid's producer loads the next tile's Q into Q's tile
  /// under the epilogue; otherwise the epilogue reuses Q's tile, which the
  /// warpgroup's last Q·Kᵀ has finished reading.
  bool ownOutputTile() const { return tmaStore() && persistent; }
  /// Wgmma: warpgroups of 64 query rows (the producer is one more).
  int64_t consumerWarpgroups() const { return blockM / 64; }
  /// The CTAs one SM holds at once that the kernel is built for:
  /// min_blocks_per_sm, at least one (the wgmma kernel's entry registers and
  /// `.minnctapersm`, the persistent grid's size).
  int64_t ctasPerSM() const { return std::max<int64_t>(1, minBlocksPerSM); }
  /// Split-KV: the CTA slots per SM the split count fills (numKVSplits):
  /// two for the mma.sync decode tile (which fits more; measured best,
  /// Schedule.cpp), the CTAs per SM for the wgmma kernel.
  int64_t splitSlotsPerSM() const { return wgmma() ? ctasPerSM() : 2; }
  /// Persistent: the most CTAs the grid launches on `smCount` SMs.
  int64_t persistentCTAs(int64_t smCount) const {
    return smCount * ctasPerSM();
  }
  int64_t numThreads() const { return numWarps * 32; }
  /// Query rows owned by each warp for the whole kernel.
  int64_t rowsPerWarp() const { return blockM / numWarps; }
  /// m16 tiles per warp.
  int64_t mTilesPerWarp() const { return rowsPerWarp() / 16; }
};

/// One field of a schedule as `#fa2.schedule` (on an op or a kernel), the
/// `schedule` option and the manifest write it: a number, a flag or a word.
struct ScheduleField {
  std::string key;
  std::variant<int64_t, bool, std::string> value;
};

/// The fields of `s` that the kernel attribute and the manifest print, in
/// one list so that the two cannot drift apart. Every field a user may set
/// (applyScheduleFields) is printed, except the decode fields of a kernel
/// that does not use them.
llvm::SmallVector<ScheduleField> scheduleFields(const GPUSchedule &s);

/// Sets the fields named in `fields` on `s`, in order. Returns the first
/// field whose name is unknown or whose value is out of its range, with why
/// (OptionError's option is the field's name), and leaves `s` partly set
/// then. Ranges are those of any kernel; whether the result fits an op's
/// head dims and the chip is validateSchedule's question.
std::optional<OptionError>
applyScheduleFields(GPUSchedule &s, llvm::ArrayRef<ScheduleField> fields);

/// Parses the `schedule` option's text, `name = value` pairs separated by
/// commas (the body of `#fa2.schedule<...>`: a value is an integer, `true`,
/// `false` or a word), into fields; an empty text is no field.
std::optional<llvm::SmallVector<ScheduleField>>
parseScheduleFields(llvm::StringRef text, std::string &why);

/// Whether `key` is a field of the wgmma kernel only (mma,
/// overlap_softmax, ping_pong, persistent, tile_scheduler, epilogue,
/// producer_registers, consumer_registers, length_variants): the mma.sync
/// schedule ignores it.
bool isHopperOnlyField(llvm::StringRef key);

/// The value of field `key` in `fields` (the last one given), if present.
const ScheduleField *findScheduleField(llvm::ArrayRef<ScheduleField> fields,
                                       llvm::StringRef key);

/// The table entry for a head dimension (Q/K) and value dimension on `chip`,
/// before any override. Head dims are rounded up to the next entry.
/// `pieces` is the number of bf16 copies of each operand tile in shared
/// memory (operandPieces; 1 for 16-bit inputs).
GPUSchedule getDefaultSchedule(int64_t headDim, int64_t headDimV,
                               const ChipInfo &chip, int64_t pieces = 1);

/// One wgmma schedule for the key lengths minSeqK..maxSeqK (inclusive;
/// a negative maxSeqK: no upper bound).
struct HopperLengthVariant {
  GPUSchedule schedule;
  int64_t minSeqK = 0, maxSeqK = -1;
  bool unbounded() const { return maxSeqK < 0; }
};

/// The sm_90a wgmma schedules for a head dimension (Q/K) and value
/// dimension, causal or not, and the key length: one for a static length
/// (the first row whose range holds it), and for a dynamic one (seqK
/// negative, as ShapedType::kDynamic) one per row of the table's length
/// ranges, shortest first, the last unbounded (a single one where the
/// table has no ranges here). Empty where no row serves them (the head
/// dims must be equal multiples of 64 up to 256: whole 128-byte swizzle
/// atoms). Rows: tile M (64 per consumer warpgroup), N, stages, ping-pong,
/// persistent; registers per role from tile M.
llvm::SmallVector<HopperLengthVariant>
getHopperSchedules(int64_t headDim, int64_t headDimV, bool causal,
                   int64_t seqK, const ChipInfo &chip);

/// Whether two schedules print the same fields (the same kernel).
bool sameScheduleFields(const GPUSchedule &a, const GPUSchedule &b);

/// Sets a wgmma schedule's numWarps and registers per role from its
/// consumer warpgroups (blockM / 64), after an option changed blockM: the
/// producer's and consumers' registers must fit the 64K register file
/// (FlashAttention-3's splits: 1 warpgroup 56/240, 2: 24/240, 3: 32/160).
void assignHopperRoles(GPUSchedule &s);

/// The decode schedule (packed GQA rows, split-KV) for `rows` = G·Sq packed
/// query rows, or nullopt when the prefill table serves better (more rows
/// than a 64-row tile holds twice). Row tiles of 16/32/64 rows, one warp per
/// 16 rows; block-n, stages and the split's minimum blocks from the decode
/// table. The default wherever the head counts and Sq are static and Sq is
/// at most kDecodeDefaultMaxSeqQ (pack_gqa = false: the prefill table).
std::optional<GPUSchedule> getDecodeSchedule(int64_t rows, int64_t headDim,
                                             int64_t headDimV,
                                             const ChipInfo &chip);

/// The sm_90a decode schedule (the wgmma kernel with packed GQA rows in
/// the head-major order a bhsd tensor map reads, split-KV merged by the
/// combine launch) for `rows` = G·Sq packed rows, or nullopt where its
/// table has no row for the head dims (unequal, or past 128: at d = 256 the
/// O accumulators alone exceed the 128 registers two CTAs per SM start
/// with). The op takes it by default from kHopperDecodeMinRows rows.
std::optional<GPUSchedule> getHopperDecodeSchedule(int64_t rows,
                                                   int64_t headDim,
                                                   int64_t headDimV,
                                                   const ChipInfo &chip);
/// Packed rows from which a decode step takes the wgmma kernel by default
/// (mma = wgmma asks for it at any count).
constexpr int64_t kHopperDecodeMinRows = 64;

/// Steps of at most this many query positions take the decode schedule by
/// default (decode and speculative steps: the measured grid has Sq 1, 4,
/// 16); longer ones only with pack_gqa = true.
constexpr int64_t kDecodeDefaultMaxSeqQ = 16;

/// The prefill schedule's kvSplits for `rowTileCTAs` = ceil(Sq/Br)·Hq (one
/// batch element's row tiles, static): kKVSplitsAuto (split-KV, the count
/// from the shapes) when they leave the chip mostly idle at batch 1, else 1.
int64_t getPrefillKVSplits(int64_t rowTileCTAs, const ChipInfo &chip);

/// The number of K/V splits for `ctas` row-tile CTAs (batch·Hkv·row tiles)
/// over `numKVBlocks` K/V blocks on `smCount` multiprocessors: as many as
/// fill `slotsPerSM` CTAs per SM (GPUSchedule::splitSlotsPerSM) in full
/// waves (slotsPerSM·smCount / ctas, rounded down),
/// each split at least `minBlocksPerSplit` blocks, at most
/// kMaxKVSplits, at least 1; then the fewest splits whose longest split
/// is no longer (equal splits: 33 of 128 blocks take 4 at most, so 32).
/// Three spellings of one formula: this one
/// (static shapes), numKVSplitsExpression (the manifest) and the host IR
/// (AttentionToGPU.cpp), which must agree.
int64_t numKVSplits(int64_t ctas, int64_t numKVBlocks, int64_t smCount,
                    int64_t minBlocksPerSplit, int64_t slotsPerSM);
constexpr int64_t kMaxKVSplits = 128;
/// numKVSplits as a manifest expression over `sm_count`, `ctas` and
/// `kv_blocks` (expressions themselves).
std::string numKVSplitsExpression(llvm::StringRef ctas,
                                  llvm::StringRef kvBlocks,
                                  int64_t minBlocksPerSplit,
                                  int64_t slotsPerSM);

/// The swizzle that keeps ldmatrix free of bank conflicts for rows of
/// `paddedDim` f16/bf16 elements (a multiple of 16).
SmemSwizzle chooseSwizzle(int64_t paddedDim);

/// The swizzle a tile of `paddedDim` columns really gets: XOR needs a
/// multiple of 8 chunks per row, so other widths fall back to padding.
SmemSwizzle effectiveSwizzle(int64_t paddedDim, SmemSwizzle swizzle);

/// Head dims rounded up to what one mma.sync k-step consumes (16).
inline int64_t padHeadDim(int64_t d) { return (d + 15) / 16 * 16; }

/// Elements between consecutive rows of a shared tile holding `paddedDim`
/// columns under `swizzle`.
int64_t sharedRowStride(int64_t paddedDim, SmemSwizzle swizzle);

/// Dynamic shared memory (bytes) the kernel needs: the Q tile plus
/// `numStages` K and V tiles, 2-byte elements, each held `pieces` times
/// (the 16-bit pieces of f32 operands, operandPieces); split operands
/// (pieces > 1) add one f32 factor per 16 rows and 64 columns of each K and
/// V tile.
int64_t sharedMemoryBytes(const GPUSchedule &s, int64_t headDim,
                          int64_t headDimV, int64_t pieces = 1);

/// Whether the wgmma kernel's shared tiles fit the chip where O has a tile of
/// its own (GPUSchedule::ownOutputTile; true otherwise): where they do not,
/// the table's tma_store epilogue lapses to register stores.
bool outputTileFits(const GPUSchedule &s, int64_t headDim, int64_t headDimV,
                    const ChipInfo &chip);

/// Why `s` cannot run (an empty string when it can): divisibility of the
/// tiles by the mma shapes and warps, and the chip's shared memory.
std::string validateSchedule(const GPUSchedule &s, int64_t headDim,
                             int64_t headDimV, const ChipInfo &chip,
                             int64_t pieces = 1);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_SCHEDULE_H
