//===- KernelBuilder.cpp - the FlashAttention-2 kernel as gpu/nvgpu IR ----===//
//
// Builds FlashAttention-2's forward kernel (arXiv 2307.08691, Algorithm 1 with
// section 3.2's partitioning) as one gpu.func. One CTA per (query block,
// batch·head):
//
//   block_id.x = query block (Br rows; causal: counted from the last, so
//                the heaviest CTAs start first), block_id.y = batch · Hq + h
//   K/V head = h / (Hq / Hkv)                       GQA/MQA without copies
//   W warps; warp w owns query rows [w·Br/W, (w+1)·Br/W) for the whole kernel
//
//   Q tile  --cp.async--> shared (once)
//   for each K/V block j (causal: only up to the diagonal):
//     K_j, V_j --cp.async--> shared, `stages` buffers: block j+stages-1 is in
//                          flight while block j is computed
//     S  = Q·K_jᵀ          mma.sync m16n8k16, f32 accumulators in registers,
//                          Q and K fragments by ldmatrix
//     S  = -inf where masked (only in blocks that need it: the tail block and
//          the diagonal blocks of a causal kernel)
//     m' = max(m, rowmax S)                 (quad shuffles: 4 lanes per row)
//     P  = exp2(S·c - m'·c), c = scale·log2 e    (one FMA, then ex2)
//     l  = l·exp2(m·c - m'·c) + rowsum P    (thread-partial sums)
//     O  = O·exp2(m·c - m'·c) + P·V_j       P in registers as the A operand,
//                                          V fragments by ldmatrix.trans
//   O /= quad-sum(l) (once; an empty row divides by 1 and stays 0)
//   LSE = m·scale + ln l  (+inf for an empty row)
//
// S and P never touch shared memory: the m16n8k16 accumulator layout of
// S = Q·Kᵀ is exactly the A-operand layout of P·V once converted to 16 bits.
//
// Shared tiles are rows of 16-byte chunks. With a multiple of 8 chunks per
// row, chunk c of row r is stored at c ^ (r % 8), so the 8 rows an ldmatrix
// phase reads fall into 8 different bank groups; other widths pad each row to
// an odd number of chunks for the same effect.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"
#include "fa2/Conversion/AttentionToGPU/AsyncCopy.h"
#include "fa2/Conversion/AttentionToGPU/CombineBuilder.h"
#include "fa2/Conversion/AttentionToGPU/KernelIR.h"
#include "fa2/Conversion/AttentionToGPU/KernelTiling.h"
#include "fa2/Conversion/AttentionToGPU/MmaSync.h"
#include "fa2/Conversion/AttentionToGPU/OnlineSoftmax.h"
#include "fa2/Conversion/AttentionToGPU/SplitOperands.h"
#include "fa2/Conversion/AttentionToGPU/TileOps.h"
#include "fa2/Dialect/Attention/IR/TensorLayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <functional>
#include <limits>
#include <optional>

using namespace mlir;
using namespace fa2;

//===----------------------------------------------------------------------===//
// AttentionKernelSpec
//===----------------------------------------------------------------------===//

int64_t AttentionKernelSpec::batch() const {
  int64_t n = 1;
  for (int64_t d : batchDims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    n *= d;
  }
  return n;
}

SmallVector<std::string> AttentionKernelSpec::dynamicSizeNames() const {
  SmallVector<std::string> names;
  for (StringRef name : {"heads_q", "heads_kv", "seq_q", "seq_k", "num_splits"})
    if (ShapedType::isDynamic(size(name)))
      names.push_back(name.str());
  return names;
}

SmallVector<std::string> AttentionKernelSpec::dynamicMaskDimNames() const {
  SmallVector<std::string> names;
  if (!hasMask())
    return names;
  for (auto [i, d] : llvm::enumerate(maskDims))
    if (ShapedType::isDynamic(d))
      names.push_back(kScoreDimNames[i].str());
  return names;
}

int64_t AttentionKernelSpec::size(StringRef name) const {
  if (name == "batch")
    return batch();
  std::optional<int64_t> s = llvm::StringSwitch<std::optional<int64_t>>(name)
                                 .Case("heads_q", headsQ)
                                 .Case("heads_kv", headsKV)
                                 .Case("seq_q", seqQ)
                                 .Case("seq_k", seqK)
                                 .Case("head_dim", headDim)
                                 .Case("head_dim_v", headDimV)
                                 .Case("num_splits", numSplits)
                                 .Default(std::nullopt);
  // A name no dim has is a bug here, not a size to guess.
  if (!s)
    llvm::reportFatalInternalError("AttentionKernelSpec: no dim named '" +
                                   name + "'");
  return *s;
}

SmallVector<std::string>
AttentionKernelSpec::bufferShape(StringRef buffer) const {
  auto bhsd = [&](StringRef h, StringRef s, StringRef d) {
    if (bshd)
      return SmallVector<std::string>{"batch", s.str(), h.str(), d.str()};
    return SmallVector<std::string>{"batch", h.str(), s.str(), d.str()};
  };
  if (buffer == "q")
    return bhsd("heads_q", "seq_q", "head_dim");
  if (buffer == "k")
    return bhsd("heads_kv", "seq_k", "head_dim");
  if (buffer == "v")
    return bhsd("heads_kv", "seq_k", "head_dim_v");
  if (buffer == "o")
    return bhsd("heads_q", "seq_q", "head_dim_v");
  if (buffer == "lse")
    return {"batch", "heads_q", "seq_q"};
  // Split-KV scratch: one row per (batch, head, query) as the LSE, the
  // splits of a row next to each other (the combine reads them together).
  if (buffer == "o_partial")
    return {"batch", "heads_q", "seq_q", "num_splits", "head_dim_v"};
  if (buffer == "lse_partial")
    return {"batch", "heads_q", "seq_q", "num_splits"};
  // One arrival counter per row tile (batch, heads, ceil(rows / Br)): at
  // most one per (batch, query head, query), whatever the tile.
  if (buffer == "combine_counter")
    return {"batch", "heads_q", "seq_q"};
  // The dynamic tile scheduler's counters: tiles handed out, CTAs done.
  if (buffer == "tile_counter")
    return {"2"};
  if (buffer == "mask") {
    // Right-aligned to the scores: "1" where broadcast, the scores' name
    // where the extent is theirs (dynamic: the runner's value is passed as
    // the extent too), a literal where only the mask's size is static.
    SmallVector<std::string> shape;
    for (unsigned i = 4 - maskRank; i < 4; ++i) {
      int64_t d = maskDims[i];
      if (d == 1)
        shape.push_back("1");
      else if (ShapedType::isDynamic(d) || size(kScoreDimNames[i]) == d)
        shape.push_back(kScoreDimNames[i].str());
      else
        shape.push_back(std::to_string(d));
    }
    return shape;
  }
  llvm::reportFatalInternalError("AttentionKernelSpec: no buffer named '" +
                                 buffer + "'");
}

int64_t AttentionKernelSpec::numElements(StringRef buffer) const {
  int64_t n = 1;
  for (const std::string &dim : bufferShape(buffer)) {
    int64_t s;
    if (!llvm::to_integer(dim, s))
      s = size(dim);
    if (ShapedType::isDynamic(s))
      return ShapedType::kDynamic;
    n *= s;
  }
  return n;
}

MemRefType AttentionKernelSpec::bufferType(StringRef buffer) const {
  // bufferShape fails on a name no buffer has.
  int64_t n = numElements(buffer);
  Type elem = elementType; // q, k, v
  if (buffer == "o")
    elem = outElementType;
  else if (buffer == "lse" || buffer == "o_partial" ||
           buffer == "lse_partial")
    elem = Float32Type::get(elementType.getContext());
  else if (buffer == "mask")
    elem = maskElementType;
  else if (buffer == "combine_counter" || buffer == "tile_counter")
    elem = IntegerType::get(elementType.getContext(), 32);
  // A dynamic extent may be 1 at run time even where the scores' size is
  // static: the buffer's size is then only known at run time.
  if (buffer == "mask" && llvm::any_of(maskDims, ShapedType::isDynamic))
    n = ShapedType::kDynamic;
  return MemRefType::get({n}, elem);
}

MaskSemantics AttentionKernelSpec::maskSemantics() const {
  MaskSemantics m;
  m.causal = causal;
  m.window = window;
  m.fill = fill;
  if (hasMask())
    m.maskOperand = maskElementType.isInteger(1)
                        ? MaskSemantics::MaskOperand::Bool
                        : MaskSemantics::MaskOperand::Additive;
  return m;
}

int64_t AttentionKernelSpec::sharedMemoryBytes() const {
  return fa2::sharedMemoryBytes(schedule, headDim, headDimV, operandPieces());
}

Type AttentionKernelSpec::mmaElementType() const {
  if (elementType.isF32())
    return pieceElementType(elementType.getContext(), *f32Precision);
  return elementType;
}

//===----------------------------------------------------------------------===//
// Kernel emitter
//===----------------------------------------------------------------------===//

namespace {

/// Emits the kernel body. Loops over tiles that the hardware fixes (m16
/// tiles per warp, n8 tiles of a block, k16 steps of the head dim) are
/// unrolled here in C++: their trip counts are schedule constants and their
/// accumulators must stay in registers.
class KernelEmitter : KernelIRBuilder {
public:
  KernelEmitter(OpBuilder &b, Location loc, const AttentionKernelSpec &spec,
                gpu::GPUFuncOp func)
      : KernelIRBuilder(b, loc), spec(spec), s(spec.schedule), func(func),
        mmaSync(b, loc, spec.mmaElementType()), mma(mmaSync),
        tiling(b, loc, spec) {
    ctx = b.getContext();
    elemTy = spec.mmaElementType();
    pieces = spec.operandPieces();
    // P is at most 2^threshold under lazy rescaling (1 when every block
    // rescales): P·2^pShift stays below 2^15, inside f16's range.
    if (pieces > 1)
      pShift = 15 - std::max<int64_t>(s.rescaleThreshold, 0);
    f32Ty = b.getF32Type();
    idxTy = b.getIndexType();
    qk = makeLayout(spec.headDim);
    vl = makeLayout(spec.headDimV);
    MT = s.mTilesPerWarp();
    NT = s.blockN / 8;
    NO = vl.paddedDim / 8;
    sem = spec.maskSemantics();
    initFill();
  }

  void emit();
  /// lastCTACombine: counts this CTA in its row tile's counter and, in
  /// the CTA that arrives last, merges the tile's splits (CombineBuilder).
  void emitLastCTAMerge(const CTAWork &work, Value Hq, Value Hkv);

private:
  SharedTileLayout makeLayout(int64_t dim) {
    return SharedTileLayout::of(dim, s.swizzle);
  }

  /// The size `name` as an index value: a constant or the kernel argument.
  Value sizeValue(StringRef name);

  /// Issues the cp.async copies of `rows` rows of a global tensor, starting
  /// at sequence position `seqStart`, into the shared tile at `dstBase`.
  /// Tile rows at or past `validRows` (an i32; null: every row is valid) and
  /// chunks past the head dim are zero-filled (src-elements 0). Returns the
  /// copies' tokens (none for f32 inputs, which stageF32Chunks converts
  /// through registers).
  SmallVector<Value> copyTile(Value src, Value srcBase, Value srcRowStride,
                              Value seqStart, Value validRows, Value dst,
                              Value dstBase, int64_t rows,
                              const SharedTileLayout &l);

  /// One 8-element chunk of an f32 tile: where it is read and written, and
  /// whether it exists (an i1; null: always).
  struct F32Chunk {
    Value srcOff, dstOff, valid;
  };
  /// f32 inputs: loads each chunk of `src` into registers, splits it into
  /// the 16-bit pieces and stores piece p at its `dstOff` + p·plane of the
  /// shared tile `dst` (zeros where it does not exist). No cp.async: the
  /// copy converts, so it goes through registers. The loads of a group of
  /// chunks are all issued before the first store waits for its data.
  void stageF32Chunks(Value src, Value dst, ArrayRef<F32Chunk> chunks);
  /// Split f32 operands: stages scale group (`row0`, `colGroup`) of an f32
  /// tile whose row 0 is at `srcTile` (16 rows from row0, an index, by
  /// kScaleChunks chunks), by the calling warp alone: loads it (zeros for
  /// rows at or past `validRows`, an i32 or null, and for padding chunks),
  /// takes the warp's largest |x| (redux.sync, no barrier), scales it by
  /// groupScale's power of two and stores the two f16 pieces a plane apart.
  /// Returns the group's inverse factor times 2^-extraShift, for the f32
  /// accumulation of its products.
  Value stageScaledGroup(Value src, Value srcTile, Value srcRowStride,
                         Value validRows, Value dst, Value dstBase,
                         Value row0, int64_t colGroup,
                         const SharedTileLayout &l, int64_t extraShift);
  /// Loads the f32 chunks (zeros where a chunk does not exist), all issued
  /// before the first is used.
  SmallVector<Value> loadF32Chunks(Value src, ArrayRef<F32Chunk> chunks);
  /// Elements between the pieces of the shared tile `dst` (sQ, sK or sV).
  int64_t planeOf(Value dst) {
    return dst == sQ ? qPlane : dst == sK ? kPlane : vPlane;
  }
  /// With packed GQA rows: the Q tile's rows [m0, m0 + Br) of the group's
  /// G·Sq rows, row p being query position p / G of head p % G; rows at or
  /// past `validRows` (i32; null: all valid) are zero-filled.
  SmallVector<Value> copyPackedQTile(Value validRows);

  //===--- the row mapping (packed GQA rows, split-KV partials) -------===//
  /// The query position of tile row `row` (m0 + local row): the row itself,
  /// or row / G with packed GQA rows.
  Value queryPos(Value row) { return tiling.queryPos(row); }
  /// The row of the LSE buffer [batch·Hq·Sq] of tile row `row`, relative to
  /// lseBase: the row itself, or (row % G)·Sq + row / G when packed.
  Value lseRow(Value row) {
    if (!s.packGQA)
      return row;
    return add(mul(remc(row, spec.groupSize()), Sq), queryPos(row));
  }
  /// Where tile row `row`'s O (or O partial) row starts; `partial` =
  /// false: its row of O itself (a split-KV kernel's one-split launch).
  Value oRowOffset(Value row, bool partial) {
    if (partial)
      return mulc(tiling.partialRow(add(lseBase, lseRow(row)), work),
                  spec.headDimV);
    if (!s.packGQA)
      return add(oBase, mul(row, oRow));
    return add(oBase, add(mul(remc(row, spec.groupSize()), oHeadStride),
                          mul(queryPos(row), oRow)));
  }
  Value oRowOffset(Value row) { return oRowOffset(row, spec.splitKV()); }
  /// The LSE (or LSE partial) element of tile row `row`.
  Value lseOffset(Value row, bool partial) {
    if (partial)
      return tiling.partialRow(add(lseBase, lseRow(row)), work);
    return add(lseBase, lseRow(row));
  }
  Value lseOffset(Value row) { return lseOffset(row, spec.splitKV()); }
  /// A split-KV kernel launched with one split (batch large enough to fill
  /// the GPU without splitting; i1, null otherwise): each CTA is its row
  /// tile's only split, so it writes O and LSE itself, rounded as the
  /// merge would (the merge of one split weighs it exactly 1), and skips
  /// the partials, the counter and the merge.
  Value oneSplit;
  /// O and LSE (null without one) themselves, for oneSplit.
  Value oFinal, lseFinal;
  /// Rows of the whole problem for this (batch, head or group): Sq, or G·Sq.
  Value rowsTotal;
  /// Packed rows: distance between the rows of consecutive heads of a
  /// group in Q and O (bhsd Sq·d, bshd d).
  Value qHeadStride, oHeadStride;
  /// Split-KV: this CTA's split and the number of splits.
  Value splitIdx, numSplitsV;
  /// The mask's head stride (0 when it broadcasts over heads).
  Value maskSh;

  /// Which tiles of a K/V block copyKVBlock copies.
  enum class KVTiles { K, V, Both };
  /// Copies the K and/or V tile of block `j` into buffer `buf`. With
  /// `exists` (i1), a block that does not exist is zero-filled without
  /// reading global memory.
  SmallVector<Value> copyKVBlock(Value j, Value buf, Value exists = {},
                                 KVTiles tiles = KVTiles::Both);

  //===--- emit()'s phases, in the order it calls them ----------------===//
  /// The buffer arguments: q, k, v, o (or o_partial), [lse], [mask].
  void bindBuffers();
  /// Thread -> warp and mma.sync lane roles; the sizes; the CTA's work
  /// (query block, batch·head, split) and the warp's first row.
  void mapThreads();
  /// Where row 0 of the CTA's (batch, head) starts in Q, K, V, O and LSE,
  /// and the distance between rows.
  void locateGlobalTiles();
  /// The mask operand's strides over (b, h, i, j) (0 where it broadcasts)
  /// and the CTA's (b, h) base.
  void locateMask();
  /// Q | K x stages | V x stages [| split operands' factors] as views of
  /// the dynamic shared memory; O's staging tile (sO) where it has one.
  void carveSharedMemory();
  /// The per-lane ldmatrix offsets of the Q, K and V tiles.
  void computeLdmatrixOffsets();
  /// Q's copy (split operands: its staging), the first stages-1 K/V
  /// blocks, and Q's fragments where they stay in registers.
  void emitPrologue();
  /// Copies K and/or V of block `j` into buffer `buf`; a block past the
  /// visited range is zero-filled without reading global memory.
  SmallVector<Value> issueKVTiles(Value j, Value buf, KVTiles tiles);
  /// issueKVTiles of both tiles as one commit group.
  CopyGroup issueKVBlock(Value j, Value buf);
  /// The K/V loop (KernelTiling::loopParts: one or two scf.for): the
  /// state after the last visited block.
  OnlineSoftmaxState emitKVLoops();
  /// One scf.for over `part`'s blocks from `inits`; returns its results.
  OnlineSoftmaxState emitKVLoop(const KVLoopPart &part,
                                const OnlineSoftmaxState &inits);
  /// The body of the K/V loop for block `j`: wait, S = Q·K_jᵀ, prefetch,
  /// mask, online softmax, O += P·V_j, yield.
  void emitKVStep(Value j, ValueRange carried, BlockMask masked);
  /// S with the mask operand and, per `masked`, the positional (causal,
  /// window, Sk tail) mask of block `j`.
  SmallVector<SmallVector<Value>> maskBlock(SmallVector<SmallVector<Value>> S,
                                            Value j, BlockMask masked);
  /// P = exp2(S·c - ref·c), l += rowsum P (thread-partial) and O += P·V for
  /// the V tile in buffer `buf`, one k-step (16 keys) at a time: the
  /// accumulators of n8 tiles 2kk and 2kk+1 form the A fragment of k-step
  /// kk once converted to 16 bits, so each P value dies right after its
  /// conversion instead of the whole P tile living in f32 registers.
  OnlineSoftmaxState accumulatePV(OnlineSoftmaxStep step, Value buf);
  /// One normalization per row, then O (or its staging in sO) and LSE.
  void emitEpilogue(const OnlineSoftmaxState &result);
  /// The epilogue of row `half` of m tile `mt` of the thread.
  void writeRow(const OnlineSoftmaxState &result, int64_t mt, int64_t half);
  /// 16-bit O staged in sO: the warp's rows to global memory, 16 bytes per
  /// lane.
  void copyStagedOut();

  /// O's element type as the kernel writes it: f32 partials with split-KV
  /// (the combine rounds once), else O's own.
  Type outputType() const {
    return spec.splitKV() ? f32Ty : spec.outElementType;
  }
  /// The index in OnlineSoftmaxState::O of n8 tile `no` of m tile `mt`.
  int64_t oTile(int64_t mt, int64_t no) const { return mt * NO + no; }

  /// S = Q·K_jᵀ for the warp's rows: MT x NT accumulators.
  SmallVector<SmallVector<Value>> computeScores(Value kBufOffset, Value buf);
  /// The Q fragments of k-step ks and m-tile mt, from shared memory (piece
  /// `piece` of split f32 operands).
  Value loadQFragment(int64_t ks, int64_t mt, int64_t piece = 0);
  /// Q fragments held in registers for the whole kernel ([ks][mt], the
  /// first piece only); empty when every block reloads them from shared
  /// memory.
  SmallVector<SmallVector<Value>> qFragments;
  /// S with the mask operand applied: -inf where an i1 mask is false, plus
  /// mask/scale (the scores are still unscaled) for a float mask.
  SmallVector<SmallVector<Value>>
  applyMaskOperand(const SmallVector<SmallVector<Value>> &S, Value kvStart);
  /// S with -inf where key j is masked for the row.
  SmallVector<SmallVector<Value>>
  maskScores(const SmallVector<SmallVector<Value>> &S, Value kvStart);
  /// maskScores for kernels with a sliding window or a finite fill: the
  /// causal/window bounds of MaskSemantics remove a score (to the fill,
  /// -inf by default), keys past Sk are -inf.
  SmallVector<SmallVector<Value>>
  maskScoresWindowFill(const SmallVector<SmallVector<Value>> &S,
                       Value kvStart);
  /// The value of a removed score in the kernel's unscaled units.
  Value removedScore() {
    return fillUnscaled ? cf(*fillUnscaled)
                        : cf(-std::numeric_limits<double>::infinity());
  }
  /// Chooses fillUnscaled (and fillClamp) from the op's fill.
  void initFill();

  /// Which scores the op keeps.
  MaskSemantics sem;
  /// The fill divided by the scale (the kernel's scores are unscaled until
  /// the exponentials), after clamping |fill| to fillClamp; none without a
  /// fill.
  std::optional<double> fillUnscaled;
  /// Set when |fill| was larger than the clamp: the bound.
  std::optional<double> fillClamp;

  const AttentionKernelSpec &spec;
  const GPUSchedule &s;
  gpu::GPUFuncOp func;
  MLIRContext *ctx;
  Type elemTy, f32Ty, idxTy;
  /// The mma.sync/ldmatrix building block, and the cp.async one (made once
  /// the thread index exists). The kernel's algorithm reaches them through
  /// TileMma (`mma`) and TileCopy (`copier()`), TileOps.h; what is
  /// particular to them (ldmatrix fragments, the tile walk, chunk copies,
  /// commit groups) through these.
  MmaSyncBuilder mmaSync;
  std::optional<AsyncCopyBuilder> copies;
  TileMma &mma;
  TileCopy &copier() { return *copies; }
  /// The grid and the K/V range.
  KernelTiling tiling;
  /// The 16-bit pieces each operand tile is held as (spec.operandPieces): the
  /// pieces of a tile are `pieces` consecutive copies of it in shared memory,
  /// qPlane/kPlane/vPlane elements apart.
  int64_t pieces = 1;
  int64_t qPlane = 0, kPlane = 0, vPlane = 0;
  /// Split operands: P is split as P·2^pShift (see the constructor).
  int64_t pShift = 0;
  /// Split operands: the inverse factor of each K and V group of 16 rows,
  /// per stage (f32, kFactorSlot / vFactorSlot), written by the warp that
  /// staged the group, read by all after the barrier that publishes the
  /// block; and the warp's own Q factors, one per m16 tile.
  Value sFactors;
  SmallVector<SmallVector<Value>> qInverse; // [mt][column group]
  /// A scale group is 16 rows by (at most) kScaleChunks chunks of 8
  /// columns: 32 f32 registers per lane while a warp stages it, and within
  /// one group's products the factor is uniform (K, Q: per k-step; V: per
  /// n8 tile of O).
  static constexpr int64_t kScaleChunks = 8;
  static int64_t colGroups(const SharedTileLayout &l) {
    return (l.chunks() + kScaleChunks - 1) / kScaleChunks;
  }
  int64_t kvRowGroups() const { return s.blockN / 16; }
  /// Slots: every K group of every stage, then every V group.
  Value kFactorSlot(Value buf, Value rowGroup, int64_t colGroup) {
    return addc(add(mulc(buf, kvRowGroups() * colGroups(qk)),
                    mulc(rowGroup, colGroups(qk))),
                colGroup);
  }
  Value vFactorSlot(Value buf, Value rowGroup, int64_t colGroup) {
    return addc(add(mulc(buf, kvRowGroups() * colGroups(vl)),
                    mulc(rowGroup, colGroups(vl))),
                s.numStages * kvRowGroups() * colGroups(qk) + colGroup);
  }
  SharedTileLayout qk, vl;
  /// m16 tiles per warp, n8 tiles of a K/V block, n8 tiles of O.
  int64_t MT, NT, NO;

  // Values available once the prologue is built.
  Value tid, warp, lane8, laneMid, laneHi, g, t;
  MmaSyncLanes lanes;
  Value Hq, Hkv, Sq, Sk;
  /// The CTA's query block, (batch, head) and split (mapThreads).
  CTAWork work;
  /// The K/V blocks the CTA visits and the bounds of the masked ones.
  KVBlockRange kvRange;
  /// Every row of every Q tile is inside the tensor (no row tests).
  bool qAllValid = false;
  /// The Q tile's commit group (null for f32 inputs, staged by stores).
  CopyGroup qGroup;
  /// The online softmax of the thread's rows (built with the K/V loop).
  std::optional<OnlineSoftmax> softmax;
  Value m0, warpRow0;
  Value qGlobal, kGlobal, vGlobal, oGlobal, lseGlobal, maskGlobal;
  // The mask element of score (b, h, i, j) is at maskBase + i·maskSi +
  // j·maskSj (maskBase holds this CTA's b and h).
  Value maskBase, maskSi, maskSj;
  Value qBase, qRow, kBase, kRow, vBase, vRow, oBase, oRow, lseBase;
  Value sQ, sK, sV;
  // The Q tile's bytes seen as the output's element type (O is staged there).
  Value sO;
  // Per-lane ldmatrix offsets.
  Value qLaneOffset, kLaneOffset, vLaneOffset;
  SmallVector<MmaSyncBuilder::ChunkOffset> qkChunkA, qkChunkB, vChunkA;
};

} // namespace

Value KernelEmitter::sizeValue(StringRef name) {
  int64_t v = spec.size(name);
  if (!ShapedType::isDynamic(v))
    return c(v);
  SmallVector<std::string> names = spec.dynamicSizeNames();
  unsigned firstSizeArg = spec.numBufferArgs();
  for (auto [i, n] : llvm::enumerate(names))
    if (n == name)
      return arith::IndexCastUIOp::create(b, loc, idxTy,
                                          func.getArgument(firstSizeArg + i));
  llvm_unreachable("dynamic size without a kernel argument");
}

SmallVector<Value> KernelEmitter::copyTile(Value src, Value srcBase,
                                           Value srcRowStride, Value seqStart,
                                           Value validRows, Value dst,
                                           Value dstBase, int64_t rows,
                                           const SharedTileLayout &l) {
  if (!spec.elementType.isF32())
    return copies->copyTile(src, srcBase, srcRowStride, seqStart, validRows,
                             dst, dstBase, rows, l);
  // f32 chunks convert through registers: the same tile walk, its chunks
  // collected and staged in groups (stageF32Chunks).
  SmallVector<F32Chunk> f32Chunks;
  copies->forEachChunk(srcBase, srcRowStride, seqStart, validRows, dstBase,
                       rows, l, [&](Value dstOff, Value srcOff, Value valid) {
                         f32Chunks.push_back({srcOff, dstOff, valid});
                       });
  stageF32Chunks(src, dst, f32Chunks);
  return {};
}

SmallVector<Value> KernelEmitter::loadF32Chunks(Value src,
                                                ArrayRef<F32Chunk> group) {
  auto chunkTy = VectorType::get({8}, f32Ty);
  auto load = [&](Value srcOff) -> Value {
    // Rows are 16-byte aligned (docs/manifest.md): two 16-byte loads.
    return vector::LoadOp::create(b, loc, chunkTy, src, ValueRange{srcOff},
                                  /*nontemporal=*/false, llvm::MaybeAlign(16));
  };
  SmallVector<Value> loaded;
  for (const F32Chunk &chunk : group) {
    if (!chunk.valid) {
      loaded.push_back(load(chunk.srcOff));
      continue;
    }
    // Rows past the tensor and padding chunks read nothing (their address
    // may lie past the buffer) and stage zeros, as cp.async's zero-fill.
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{chunkTy}, chunk.valid,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, loc, load(chunk.srcOff));
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    Value zeros = arith::ConstantOp::create(
        b, loc, chunkTy, DenseElementsAttr::get(chunkTy, b.getF32FloatAttr(0)));
    scf::YieldOp::create(b, loc, zeros);
    loaded.push_back(ifOp.getResult(0));
  }
  return loaded;
}

void KernelEmitter::stageF32Chunks(Value src, Value dst,
                                   ArrayRef<F32Chunk> chunks) {
  int64_t plane = planeOf(dst);
  // Four chunks (32 registers) in flight at a time: one chunk at a time
  // left each load's whole latency between two stores, all of a d = 128
  // tile at once would hold 64 registers next to the accumulators.
  constexpr size_t kInFlight = 4;
  for (size_t first = 0; first < chunks.size(); first += kInFlight) {
    ArrayRef<F32Chunk> group =
        chunks.slice(first, std::min(kInFlight, chunks.size() - first));
    SmallVector<Value> loaded = loadF32Chunks(src, group);
    for (auto [chunk, x] : llvm::zip_equal(group, loaded))
      for (auto [p, piece] :
           llvm::enumerate(splitToPieces(b, loc, x, pieces, elemTy)))
        vector::StoreOp::create(b, loc, piece, dst,
                                ValueRange{addc(chunk.dstOff, p * plane)},
                                /*nontemporal=*/false, llvm::MaybeAlign(16));
  }
}

Value KernelEmitter::stageScaledGroup(Value src, Value srcTile,
                                      Value srcRowStride, Value validRows,
                                      Value dst, Value dstBase, Value row0,
                                      int64_t colGroup,
                                      const SharedTileLayout &l,
                                      int64_t extraShift) {
  // 16 rows of `chunks` chunks over the warp's 32 lanes: chunk lane + 32i
  // (an even count: head dims are padded to 16, so the rounds are whole).
  int64_t firstChunk = colGroup * kScaleChunks;
  int64_t chunks = std::min(kScaleChunks, l.chunks() - firstChunk);
  int64_t realChunks = l.realChunks();
  int64_t total = 16 * chunks;
  assert(total % 32 == 0 && "16 rows of an even number of chunks");
  auto i32Ty = b.getI32Type();
  Value lane = remc(tid, 32);
  SmallVector<F32Chunk> group;
  for (int64_t first = 0; first < total; first += 32) {
    Value idx = addc(lane, first);
    Value r = add(row0, divc(idx, chunks));
    Value ch = addc(remc(idx, chunks), firstChunk);
    Value valid;
    if (validRows)
      valid = cmp(arith::CmpIPredicate::slt,
                  arith::IndexCastOp::create(b, loc, i32Ty, r), validRows);
    if (realChunks < firstChunk + chunks) {
      Value colValid = cmp(arith::CmpIPredicate::ult, ch, c(realChunks));
      valid = valid ? arith::AndIOp::create(b, loc, valid, colValid).getResult()
                    : colValid;
    }
    group.push_back({add(srcTile, add(mul(r, srcRowStride), mulc(ch, 8))),
                     add(dstBase, copies->sharedOffset(l, r, remc(r, 8), ch)),
                     valid});
  }
  SmallVector<Value> loaded = loadF32Chunks(src, group);
  // The largest |x| of the group as bits: |x| compares as an unsigned
  // integer (NaN above inf), so one integer max per lane and one redux.
  auto bitsTy = VectorType::get({8}, i32Ty);
  Value absMask = arith::ConstantOp::create(
      b, loc, bitsTy, DenseElementsAttr::get(bitsTy, b.getI32IntegerAttr(
                                                         0x7fffffff)));
  Value laneMax;
  for (Value x : loaded) {
    Value bits = arith::AndIOp::create(
        b, loc, vector::BitCastOp::create(b, loc, bitsTy, x), absMask);
    Value m = vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXUI,
                                          bits);
    laneMax = laneMax ? arith::MaxUIOp::create(b, loc, laneMax, m).getResult()
                      : m;
  }
  Value warpMax = NVVM::ReduxOp::create(b, loc, i32Ty, laneMax,
                                        NVVM::ReduxKind::UMAX, allLanes());
  GroupScale scale = groupScale(b, loc, warpMax, extraShift);
  auto chunkTy = VectorType::get({8}, f32Ty);
  Value scaleVec = vector::BroadcastOp::create(b, loc, chunkTy, scale.scale);
  int64_t plane = planeOf(dst);
  for (auto [chunk, x] : llvm::zip_equal(group, loaded)) {
    // A power of two: exact, unless x underflows (|x| < 2^-97 scaled up
    // never does; scaled down, x is below 2^-126 of the group's largest).
    Value scaled = fmul(x, scaleVec);
    for (auto [p, piece] :
         llvm::enumerate(splitToPieces(b, loc, scaled, pieces, elemTy)))
      vector::StoreOp::create(b, loc, piece, dst,
                              ValueRange{addc(chunk.dstOff, p * plane)},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
  }
  return scale.inverse;
}

SmallVector<Value> KernelEmitter::copyPackedQTile(Value validRows) {
  // Once per CTA: the per-row head/position arithmetic is not worth
  // hoisting as copyTile does for K/V.
  int64_t chunks = qk.chunks();
  int64_t total = s.blockM * chunks, threads = s.numThreads();
  int64_t group = spec.groupSize();
  SmallVector<Value> tokens;
  for (int64_t first = 0; first < total; first += threads) {
    Value idx = addc(tid, first);
    if (first + threads > total)
      idx = arith::MinUIOp::create(b, loc, idx, c(total - 1));
    Value r = divc(idx, chunks), ch = remc(idx, chunks);
    Value row = add(m0, r);
    Value srcOff = add(add(qBase, add(mul(remc(row, group), qHeadStride),
                                      mul(divc(row, group), qRow))),
                       mulc(ch, 8));
    Value dstOff = copies->sharedOffset(qk, r, remc(r, 8), ch);
    Value valid = copies->chunkValid(qk, copies->rowBelow(r, validRows), ch);
    tokens.push_back(copies->copyChunk(sQ, dstOff, qGlobal, srcOff, valid));
  }
  return tokens;
}

SmallVector<Value> KernelEmitter::copyKVBlock(Value j, Value buf,
                                              Value exists, KVTiles tiles) {
  Value kvStart = mulc(j, s.blockN);
  bool allValid =
      !ShapedType::isDynamic(spec.seqK) && spec.seqK % s.blockN == 0;
  auto i32Ty = b.getI32Type();
  // Keys of the block inside the tensor (Sk - kvStart < 2^31: Sk is an i32),
  // none when the block does not exist.
  Value validRows;
  if (!allValid)
    validRows = arith::IndexCastOp::create(b, loc, i32Ty, sub(Sk, kvStart));
  if (exists)
    validRows = select(exists,
                       validRows ? validRows
                                 : arith::ConstantIntOp::create(
                                       b, loc, s.blockN, 32).getResult(),
                       arith::ConstantIntOp::create(b, loc, 0, 32));
  SmallVector<Value> toks;
  if (pieces > 1) {
    // Split operands: a group of 16 keys is staged by one warp (its scale
    // needs no barrier), K's groups by the first half of the warps and V's
    // by the second, so that staging both costs every warp the same.
    int64_t half = s.numWarps / 2;
    auto stageGroups = [&](Value src, Value srcBase, Value srcRow, Value dst,
                           const SharedTileLayout &l, int64_t firstWarp,
                           int64_t warps, bool isV) {
      Value srcTile = add(srcBase, mul(kvStart, srcRow));
      Value dstBase = mulc(buf, s.blockN * l.rowStride);
      // Below firstWarp the unsigned difference wraps past `warps`.
      Value rel = sub(warp, c(firstWarp));
      Value mine = cmp(arith::CmpIPredicate::ult, rel, c(warps));
      // Row groups round-robin over the warps, each warp all the column
      // groups of its rows, one after the other.
      for (int64_t first = 0; first < kvRowGroups(); first += warps) {
        Value rowGroup = addc(rel, first);
        Value stages = mine;
        if (first + warps > kvRowGroups())
          stages = arith::AndIOp::create(
              b, loc, mine,
              cmp(arith::CmpIPredicate::ult, rowGroup, c(kvRowGroups())));
        scf::IfOp::create(b, loc, stages, [&](OpBuilder &, Location) {
          for (int64_t cg = 0; cg < colGroups(l); ++cg) {
            Value inverse = stageScaledGroup(
                src, srcTile, srcRow, validRows, dst, dstBase,
                mulc(rowGroup, 16), cg, l, isV ? pShift : 0);
            memref::StoreOp::create(
                b, loc, inverse, sFactors,
                ValueRange{isV ? vFactorSlot(buf, rowGroup, cg)
                               : kFactorSlot(buf, rowGroup, cg)});
          }
          scf::YieldOp::create(b, loc);
        });
      }
    };
    if (tiles != KVTiles::V)
      stageGroups(kGlobal, kBase, kRow, sK, qk, 0, std::max<int64_t>(half, 1),
                  /*isV=*/false);
    if (tiles != KVTiles::K)
      stageGroups(vGlobal, vBase, vRow, sV, vl, half, s.numWarps - half,
                  /*isV=*/true);
    return toks;
  }
  if (tiles != KVTiles::V)
    toks = copyTile(kGlobal, kBase, kRow, kvStart, validRows, sK,
                    mulc(buf, s.blockN * qk.rowStride), s.blockN, qk);
  if (tiles != KVTiles::K)
    toks.append(copyTile(vGlobal, vBase, vRow, kvStart, validRows, sV,
                         mulc(buf, s.blockN * vl.rowStride), s.blockN, vl));
  return toks;
}

Value KernelEmitter::loadQFragment(int64_t ks, int64_t mt, int64_t piece) {
  Value off = mmaSync.chunkAddress(qLaneOffset, qkChunkA[ks],
                                   mt * 16 * qk.rowStride + piece * qPlane);
  return mmaSync.ldmatrix(sQ, off, /*transpose=*/false);
}

SmallVector<SmallVector<Value>> KernelEmitter::computeScores(Value kBufOffset,
                                                            Value buf) {
  Value zero = mma.zeroAccumulator(MmaSyncFragments::kN);
  SmallVector<SmallVector<Value>> S(MT, SmallVector<Value>(NT, zero));
  Value kLane = add(kBufOffset, kLaneOffset);
  // Split operands: S's unscaling factor per m16 tile (Q's group) and n16
  // tile (K's group of 16 keys), applied to each k-step's products.
  // factor[mt][np][cg], cg the column group of the k-step.
  SmallVector<SmallVector<SmallVector<Value>>> factor(
      MT, SmallVector<SmallVector<Value>>(NT / 2));
  if (pieces > 1) {
    for (int64_t np = 0; np < NT / 2; ++np) {
      for (int64_t cg = 0; cg < colGroups(qk); ++cg) {
        Value kInverse = memref::LoadOp::create(
            b, loc, sFactors, ValueRange{kFactorSlot(buf, c(np), cg)});
        for (int64_t mt = 0; mt < MT; ++mt)
          factor[mt][np].push_back(fmul(qInverse[mt][cg], kInverse));
      }
    }
  }
  auto factorOf = [&](int64_t mt, int64_t np, int64_t ks) {
    return pieces > 1 ? factor[mt][np][ks * 2 / kScaleChunks] : Value();
  };
  for (int64_t ks = 0; ks < qk.paddedDim / 16; ++ks) {
    // qa[mt][piece]: Q's fragments (in registers: one piece only, which the
    // schedule allows for unsplit operands alone).
    SmallVector<SmallVector<Value>> qa(MT);
    for (int64_t mt = 0; mt < MT; ++mt)
      for (int64_t p = 0; p < pieces; ++p)
        qa[mt].push_back(qFragments.empty() || p > 0 ? loadQFragment(ks, mt, p)
                                                     : qFragments[ks][mt]);
    for (int64_t np = 0; np < NT / 2; ++np) {
      SmallVector<Value> b0, b1;
      mmaSync.loadBPieces(sK, kLane, qkChunkB[ks], np * 16 * qk.rowStride,
                          kPlane,
                          /*transpose=*/false, pieces, b0, b1);
      for (int64_t mt = 0; mt < MT; ++mt) {
        MmaOperand a = MmaOperand::registers(qa[mt]);
        S[mt][2 * np] =
            mma.multiplyAccumulate(a, MmaOperand::registers(b0),
                                   S[mt][2 * np], factorOf(mt, np, ks));
        S[mt][2 * np + 1] =
            mma.multiplyAccumulate(a, MmaOperand::registers(b1),
                                   S[mt][2 * np + 1], factorOf(mt, np, ks));
      }
    }
  }
  return S;
}

SmallVector<SmallVector<Value>>
KernelEmitter::maskScores(const SmallVector<SmallVector<Value>> &S,
                          Value kvStart) {
  // Key kvStart + nt·8 + 2t + e is visible to query row r iff it is below
  // limit(r) = Sk, or min(Sk, r + Sk - Sq + 1) when causal (bottom-right
  // alignment). Comparing nt·8 + e against rel = limit(r) - 2t - kvStart
  // leaves one compare and one select per score.
  //
  // With dynamic sequence lengths rel is computed in 32 bits (the lengths
  // are i32 kernel arguments): the loop-invariant limit(r) - 2t then take
  // half the registers, which removed a 24-byte spill of the d = 128 causal
  // kernel and measured +3% (bench/NOTES.md). With static lengths ptxas
  // allocates the 64-bit form without spilling and spills the 32-bit one
  // (56 bytes at d = 128 causal), so static kernels keep 64 bits.
  bool narrow =
      ShapedType::isDynamic(spec.seqQ) || ShapedType::isDynamic(spec.seqK);
  auto i32Ty = b.getI32Type();
  Value negInf = cf(-std::numeric_limits<double>::infinity());
  Value twoT = mulc(t, 2);
  Value kvRel = narrow
                    ? Value(arith::IndexCastOp::create(b, loc, i32Ty, kvStart))
                    : kvStart;
  auto constRel = [&](int64_t v) -> Value {
    return narrow ? Value(arith::ConstantIntOp::create(b, loc, v, 32)) : c(v);
  };
  SmallVector<SmallVector<Value>> out = S;
  for (int64_t mt = 0; mt < MT; ++mt) {
    SmallVector<Value> rel(2);
    for (int64_t half = 0; half < 2; ++half) {
      Value row =
          queryPos(add(m0, addc(warpRow0, MmaSyncFragments::accRow(mt, half))));
      Value limit = Sk;
      if (spec.causal)
        limit =
            arith::MinSIOp::create(b, loc, Sk, addc(sub(add(row, Sk), Sq), 1));
      Value lim;
      if (narrow) {
        // limit(r) >= 0 keeps limit - 2t - kvStart inside i32 (kvStart < Sk
        // < 2^31); a negative limit hides the same keys as 0.
        limit = arith::MaxSIOp::create(b, loc, limit, c(0));
        lim = arith::IndexCastOp::create(b, loc, i32Ty, sub(limit, twoT));
      } else {
        lim = sub(limit, twoT);
      }
      rel[half] = b.createOrFold<arith::SubIOp>(loc, lim, kvRel);
    }
    for (int64_t nt = 0; nt < NT; ++nt) {
      SmallVector<Value> vals;
      for (int64_t half = 0; half < 2; ++half)
        for (int64_t e = 0; e < 2; ++e) {
          Value keep = cmp(arith::CmpIPredicate::sgt, rel[half],
                           constRel(MmaSyncFragments::accColumn(nt, e)));
          vals.push_back(select(keep, extract(S[mt][nt], {half, e}), negInf));
        }
      out[mt][nt] = vector::FromElementsOp::create(
          b, loc, VectorType::get({2, 2}, f32Ty), vals);
    }
  }
  return out;
}

void KernelEmitter::initFill() {
  if (!spec.fill)
    return;
  // The scores stay unscaled (raw Q·K) until the exponentials, so the fill
  // enters as fill / scale, and exp2 sees (s - ref)·scale·log2 e. Both must
  // stay finite in f32: |fill| is clamped to B = 2^100·min(1, scale). That
  // changes no output: a removed score weighs exp(fill - m) = 0 against any
  // kept score m > -2^99 either way, and a row of removed scores only is
  // the same softmax whatever the common fill (float-mask values below
  // 2^76 vanish in f32 next to either fill). Only such a row's LSE,
  // fill + log Σ..., would read the clamp: the epilogue writes the fill.
  double bound = std::ldexp(1.0, 100) * std::min(1.0, spec.scale);
  double fill = *spec.fill;
  if (std::fabs(fill) > bound) {
    fillClamp = bound;
    fill = fill < 0 ? -bound : bound;
  }
  fillUnscaled = fill / spec.scale;
}

SmallVector<SmallVector<Value>>
KernelEmitter::maskScoresWindowFill(const SmallVector<SmallVector<Value>> &S,
                                    Value kvStart) {
  // Key kvStart + nt·8 + 2t + e of row r is kept by position iff
  // lower(r) <= key < upper(r), with lower(r) = r + Sk - Sq + lo and
  // upper(r) = r + Sk - Sq + hi + 1 (MaskSemantics' diagonal bounds), both
  // clamped to [0, Sk] so that the 32-bit differences below cannot
  // overflow; as in maskScores, each compare is of nt·8 + e against a
  // per-row value. Keys past Sk are -inf; removed keys inside are the fill
  // (-inf without one).
  auto i32Ty = b.getI32Type();
  std::optional<int64_t> lo = sem.diagLo(), hi = sem.diagHi();
  Value removed = removedScore();
  Value negInf = cf(-std::numeric_limits<double>::infinity());
  bool tail = ShapedType::isDynamic(spec.seqK) || spec.seqK % s.blockN != 0;
  Value twoT = mulc(t, 2);
  Value base = arith::IndexCastOp::create(b, loc, i32Ty, add(kvStart, twoT));
  auto clampToSk = [&](Value v) {
    return arith::MinSIOp::create(b, loc, Sk,
                                  arith::MaxSIOp::create(b, loc, v, c(0)));
  };
  auto rel = [&](Value bound) -> Value {
    return arith::SubIOp::create(
        b, loc, arith::IndexCastOp::create(b, loc, i32Ty, clampToSk(bound)),
        base);
  };
  auto i32c = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 32);
  };
  SmallVector<SmallVector<Value>> out = S;
  for (int64_t mt = 0; mt < MT; ++mt) {
    Value relLo[2], relHi[2], relSk[2];
    for (int64_t half = 0; half < 2; ++half) {
      Value row =
          queryPos(add(m0, addc(warpRow0, MmaSyncFragments::accRow(mt, half))));
      Value diag = sub(add(row, Sk), Sq);
      // Bounds past ±2^48 (MaskSemantics' clamp) stay far inside i64.
      if (lo)
        relLo[half] = rel(addc(diag, *lo));
      if (hi)
        relHi[half] = rel(addc(diag, *hi + 1));
      // Keys past Sk: the clamped upper bound removes them (to -inf)
      // unless there is none, or removal gives the fill.
      if (tail && (sem.fill || !hi))
        relSk[half] = rel(Sk);
    }
    for (int64_t nt = 0; nt < NT; ++nt) {
      SmallVector<Value> vals;
      for (int64_t half = 0; half < 2; ++half)
        for (int64_t e = 0; e < 2; ++e) {
          int64_t k = MmaSyncFragments::accColumn(nt, e);
          Value keep;
          auto both = [&](Value x) {
            keep = keep ? arith::AndIOp::create(b, loc, keep, x).getResult()
                        : x;
          };
          if (lo) // lower - base <= k
            both(cmp(arith::CmpIPredicate::sle, relLo[half], i32c(k)));
          if (hi) // k < upper - base
            both(cmp(arith::CmpIPredicate::sgt, relHi[half], i32c(k)));
          Value v = extract(S[mt][nt], {half, e});
          if (keep)
            v = select(keep, v, removed);
          if (relSk[half]) // keys past Sk do not exist
            v = select(cmp(arith::CmpIPredicate::sgt, relSk[half], i32c(k)),
                       v, negInf);
          vals.push_back(v);
        }
      out[mt][nt] = vector::FromElementsOp::create(
          b, loc, VectorType::get({2, 2}, f32Ty), vals);
    }
  }
  return out;
}

SmallVector<SmallVector<Value>>
KernelEmitter::applyMaskOperand(const SmallVector<SmallVector<Value>> &S,
                                Value kvStart) {
  // Rows past Sq and keys past Sk exist in the tiles; their mask reads are
  // clamped to the last row/key (always in bounds: a launched CTA has
  // Sq >= 1, and a K/V block exists only when Sk >= 1). Such keys are set to
  // -inf afterwards by maskScores and such rows are never stored.
  Value negInf = cf(-std::numeric_limits<double>::infinity());
  Value lastRow = sub(Sq, c(1)), lastKey = sub(Sk, c(1));
  Type maskTy = spec.maskElementType;
  Value invScale = cf(1.0 / spec.scale);
  Value removed = spec.fill ? removedScore() : negInf;
  SmallVector<SmallVector<Value>> out = S;
  for (int64_t mt = 0; mt < MT; ++mt) {
    SmallVector<Value> rowOff(2);
    for (int64_t half = 0; half < 2; ++half) {
      Value tileRow =
          add(m0, addc(warpRow0, MmaSyncFragments::accRow(mt, half)));
      Value row = arith::MinUIOp::create(b, loc, queryPos(tileRow), lastRow);
      rowOff[half] = add(maskBase, mul(row, maskSi));
      // Packed rows: each row's own head of the group.
      if (s.packGQA)
        rowOff[half] =
            add(rowOff[half], mul(remc(tileRow, spec.groupSize()), maskSh));
    }
    for (int64_t nt = 0; nt < NT; ++nt) {
      SmallVector<Value> vals;
      for (int64_t half = 0; half < 2; ++half)
        for (int64_t e = 0; e < 2; ++e) {
          Value key = add(kvStart,
                          addc(mulc(t, 2), MmaSyncFragments::accColumn(nt, e)));
          key = arith::MinUIOp::create(b, loc, key, lastKey);
          Value off = add(rowOff[half], mul(key, maskSj));
          Value m = memref::LoadOp::create(b, loc, maskGlobal, ValueRange{off});
          Value sv = extract(S[mt][nt], {half, e});
          if (maskTy.isInteger(1)) {
            vals.push_back(select(m, sv, removed));
          } else {
            if (!maskTy.isF32())
              m = arith::ExtFOp::create(b, loc, f32Ty, m);
            vals.push_back(fadd(sv, fmul(m, invScale)));
          }
        }
      out[mt][nt] = vector::FromElementsOp::create(
          b, loc, VectorType::get({2, 2}, f32Ty), vals);
    }
  }
  return out;
}

void KernelEmitter::emit() {
  b.setInsertionPointToStart(&func.getBody().front());
  bindBuffers();
  // Split-KV: the combine may be launched now (programmaticCombine; it
  // waits for this grid to finish before it reads the partials).
  if (programmaticCombine(spec))
    NVVM::GriddepcontrolOp::create(b, loc,
                                   NVVM::GridDepActionKind::launch_dependents);
  mapThreads();
  locateGlobalTiles();
  if (spec.hasMask())
    locateMask();
  carveSharedMemory();
  computeLdmatrixOffsets();
  // The visited K/V blocks and the bounds of the masked ones: skipped
  // blocks are outside [kvRange.begin, kvRange.end).
  kvRange = tiling.kvRange(work, Sq, Sk);
  emitPrologue();
  OnlineSoftmaxState result = emitKVLoops();
  if (spec.writesOneSplitDirectly()) {
    // The split count is the launch's: one split (a batch that fills the
    // GPU) writes O and LSE directly, with no partials and no merge (the
    // combine kernel, if any, returns at once).
    unsigned first = 4 + (spec.writesLse() ? 1 : 0) + (spec.hasMask() ? 1 : 0);
    oFinal = func.getArgument(first);
    if (spec.hasLse)
      lseFinal = func.getArgument(first + 1);
    oneSplit = cmp(arith::CmpIPredicate::eq, numSplitsV, c(1));
  }
  emitEpilogue(result);
  if (sO)
    copyStagedOut();
  if (spec.lastCTACombine()) {
    if (!oneSplit) {
      emitLastCTAMerge(work, Hq, Hkv);
    } else {
      // Uniform over the CTA: the merge's barriers see every thread.
      scf::IfOp::create(
          b, loc, cmp(arith::CmpIPredicate::ne, numSplitsV, c(1)),
          [&](OpBuilder &, Location) {
            emitLastCTAMerge(work, Hq, Hkv);
            scf::YieldOp::create(b, loc);
          });
    }
  }
  gpu::ReturnOp::create(b, loc);
}

void KernelEmitter::bindBuffers() {
  qGlobal = func.getArgument(0);
  kGlobal = func.getArgument(1);
  vGlobal = func.getArgument(2);
  oGlobal = func.getArgument(3);
  if (spec.writesLse())
    lseGlobal = func.getArgument(4);
  if (spec.hasMask())
    maskGlobal = func.getArgument(4 + (spec.writesLse() ? 1 : 0));
}

void KernelEmitter::mapThreads() {
  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  copies.emplace(b, loc, tid, s.numThreads());
  Value lane = remc(tid, 32);
  warp = divc(tid, 32);
  lanes = mmaSync.lanesOf(lane);
  g = lanes.g; // row within an m16 half-tile
  t = lanes.t; // column pair within an n8 tile
  lane8 = lanes.lane8;
  laneMid = lanes.laneMid;
  laneHi = lanes.laneHi;

  Hq = sizeValue("heads_q");
  Hkv = sizeValue("heads_kv");
  Sq = sizeValue("seq_q");
  Sk = sizeValue("seq_k");

  // Which query block, (batch, head) and split this CTA computes.
  work = tiling.decodeGrid(
      Hq, Hkv, Sq, [&](StringRef name) { return sizeValue(name); }, qGlobal,
      oGlobal);
  rowsTotal = work.rowsTotal;
  splitIdx = work.splitIdx;
  numSplitsV = work.numSplits;
  m0 = work.m0;
  warpRow0 = add(mulc(warp, s.rowsPerWarp()), g);
}

void KernelEmitter::locateGlobalTiles() {
  // Row 0 of the CTA's (batch, head) in Q, K, V, O and LSE, and the
  // distance between rows, from the op's layout (TensorLayout.h). Q and O
  // start from batch·Hq + h as the grid decoded it (bh).
  Layout layout = spec.bshd ? Layout::BSHD : Layout::BHSD;
  Value D = c(spec.headDim), Dv = c(spec.headDimV);
  // A buffer's extents (heads, seq, feature); the batch's is never asked.
  using Extent = std::function<Value(TensorDim)>;
  auto extents = [](Value heads, Value seq, Value feature) -> Extent {
    return [=](TensorDim d) {
      return d == TensorDim::Head  ? heads
             : d == TensorDim::Seq ? seq
                                   : feature;
    };
  };
  Extent qExtent = extents(Hq, Sq, D), kExtent = extents(Hkv, Sk, D),
         vExtent = extents(Hkv, Sk, Dv), oExtent = extents(Hq, Sq, Dv);
  // Index arithmetic in which a null value adds nothing (an index 0: a row
  // start's seq and feature) and scales by nothing (an extent 1: LSE's
  // feature).
  auto plus = [&](Value x, Value y) { return y ? add(x, y) : x; };
  auto times = [&](Value x, Value y) { return y ? mul(x, y) : x; };
  auto rowStart = [&](const TensorIndex<Value> &at, const Extent &extent) {
    return offset<Value>(layout, at, extent, plus, times);
  };
  // Row and head strides are never the innermost dim's (no `one` needed).
  auto strideOf = [&](TensorDim d, const Extent &extent) {
    return stride<Value>(layout, d, extent, times, Value());
  };
  TensorIndex<Value> qoRow0{work.batchIdx, work.h, {}, {}, work.bh};
  TensorIndex<Value> kvRow0{work.batchIdx, work.hkv};
  qBase = rowStart(qoRow0, qExtent);
  qRow = strideOf(TensorDim::Seq, qExtent);
  kBase = rowStart(kvRow0, kExtent);
  kRow = strideOf(TensorDim::Seq, kExtent);
  vBase = rowStart(kvRow0, vExtent);
  vRow = strideOf(TensorDim::Seq, vExtent);
  oBase = rowStart(qoRow0, oExtent);
  oRow = strideOf(TensorDim::Seq, oExtent);
  if (s.packGQA) {
    qHeadStride = strideOf(TensorDim::Head, qExtent);
    oHeadStride = strideOf(TensorDim::Head, oExtent);
  }
  // LSE [batch, heads_q, seq_q]: a bhsd tensor of one feature.
  lseBase = offset<Value>(Layout::BHSD, qoRow0, extents(Hq, Sq, Value()),
                          plus, times);
}

void KernelEmitter::locateMask() {
  // Row-major strides of the mask over (b, h, i, j), right to left; a
  // broadcast extent (1) has stride 0. A dynamic extent is an i32 argument
  // that is either 1 or the scores' size.
  // Dynamic extents are arguments in (b, h, i, j) order; strides are built
  // right to left, so the argument index is counted from the end.
  unsigned nextArg = spec.numBufferArgs() + spec.dynamicSizeNames().size() +
                     spec.dynamicMaskDimNames().size();
  Value strides[4];
  Value running = c(1);
  for (int p = 3; p >= 0; --p) {
    int64_t d = spec.maskDims[p];
    if (d == 1) {
      strides[p] = c(0);
      continue;
    }
    if (!ShapedType::isDynamic(d)) {
      strides[p] = running;
      running = mulc(running, d);
      continue;
    }
    Value extent = arith::IndexCastUIOp::create(b, loc, idxTy,
                                                func.getArgument(--nextArg));
    Value unit = cmp(arith::CmpIPredicate::eq, extent, c(1));
    strides[p] = select(unit, c(0), running);
    running = mul(running, extent);
  }
  maskBase = add(mul(work.batchIdx, strides[0]), mul(work.h, strides[1]));
  maskSh = strides[1];
  maskSi = strides[2];
  maskSj = strides[3];
}

void KernelEmitter::carveSharedMemory() {
  // Q | K x stages | V x stages [| split operands' factors].
  auto wgSpace = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto dynTy = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                               MemRefLayoutAttrInterface{}, wgSpace);
  Value smem = gpu::DynamicSharedMemoryOp::create(b, loc, dynTy);
  int64_t qElems = s.blockM * qk.rowStride;
  int64_t kElems = s.numStages * s.blockN * qk.rowStride;
  int64_t vElems = s.numStages * s.blockN * vl.rowStride;
  auto view = [&](int64_t byteOffset, int64_t elems, Type elem) -> Value {
    auto ty =
        MemRefType::get({elems}, elem, MemRefLayoutAttrInterface{}, wgSpace);
    return memref::ViewOp::create(b, loc, ty, smem, c(byteOffset),
                                  ValueRange{});
  };
  // Split f32 operands: each tile `pieces` times, the pieces of a tile
  // adjacent (planeOf).
  qPlane = qElems;
  kPlane = kElems;
  vPlane = vElems;
  sQ = view(0, pieces * qElems, elemTy);
  // 16-bit outputs go out through shared memory: each warp writes its
  // normalized rows into its own rows of the Q tile (no other warp reads
  // them), then copies them to global memory 16 bytes per lane, whole rows
  // per instruction, instead of one 4-byte store per fragment pair (half a
  // 32-byte sector each). f32 outputs, and O rows wider than a Q row, are
  // stored from registers (sO stays null).
  if (!spec.splitKV() && spec.outElementType.getIntOrFloatBitWidth() == 16 &&
      vl.paddedDim <= qk.paddedDim && spec.headDimV % 8 == 0)
    sO = spec.outElementType == elemTy ? sQ
                                       : view(0, qElems, spec.outElementType);
  sK = view(pieces * qElems * 2, pieces * kElems, elemTy);
  sV = view(pieces * (qElems + kElems) * 2, pieces * vElems, elemTy);
  if (pieces > 1)
    sFactors = view(pieces * (qElems + kElems + vElems) * 2,
                    s.numStages * kvRowGroups() *
                        (colGroups(qk) + colGroups(vl)),
                    f32Ty);
}

void KernelEmitter::computeLdmatrixOffsets() {
  // ldmatrix.x4: lanes 8i..8i+7 address the rows of 8x8 matrix i.
  //  A (Q, and V through .trans): matrix i = rows +8·(i%2), chunk +(i/2)
  //  B (K):                        matrix i = rows +8·(i/2), chunk +(i%2)
  // so that registers 0..3 are the mma fragments in PTX's order.
  Value rowA = mmaSync.ldmatrixRowA(lanes);
  Value rowB = mmaSync.ldmatrixRowB(lanes);
  qLaneOffset = mulc(add(mulc(warp, s.rowsPerWarp()), rowA), qk.rowStride);
  kLaneOffset = mulc(rowB, qk.rowStride);
  vLaneOffset = mulc(rowA, vl.rowStride);
  auto chunkOffsets = [&](const SharedTileLayout &l, Value laneChunk,
                          int64_t steps) {
    return mmaSync.chunkOffsets(*copies, l, lane8, laneChunk, steps);
  };
  qkChunkA = chunkOffsets(qk, laneHi, qk.paddedDim / 16);
  qkChunkB = chunkOffsets(qk, laneMid, qk.paddedDim / 16);
  vChunkA = chunkOffsets(vl, laneHi, vl.paddedDim / 16);
}

void KernelEmitter::emitPrologue() {
  // Every row of every Q tile is inside the tensor: no row tests on the Q
  // copies nor on the O/LSE stores.
  int64_t staticRows = spec.seqQ;
  if (s.packGQA && !ShapedType::isDynamic(spec.seqQ))
    staticRows = spec.seqQ * spec.groupSize();
  qAllValid = !ShapedType::isDynamic(staticRows) && staticRows % s.blockM == 0;
  // Rows of the Q tile inside the tensor (m0 < Sq in every launched CTA).
  Value qValidRows =
      qAllValid ? Value()
                : Value(arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                                   sub(rowsTotal, m0)));
  SmallVector<Value> qToks;
  if (pieces > 1) {
    // Split operands: each warp stages its own m16 tiles (the only rows its
    // ldmatrix reads), one group scale each, kept in registers.
    Value qTile = add(qBase, mul(m0, qRow));
    qInverse.resize(MT);
    for (int64_t mt = 0; mt < MT; ++mt)
      for (int64_t cg = 0; cg < colGroups(qk); ++cg)
        qInverse[mt].push_back(stageScaledGroup(
            qGlobal, qTile, qRow, qValidRows, sQ, c(0),
            addc(mulc(warp, s.rowsPerWarp()), mt * 16), cg, qk,
            /*extraShift=*/0));
  } else {
    qToks = s.packGQA ? copyPackedQTile(qValidRows)
                      : copyTile(qGlobal, qBase, qRow, m0, qValidRows, sQ,
                                 c(0), s.blockM, qk);
  }
  qGroup = copies->commit(qToks);
  // The first stages-1 K/V blocks.
  for (int64_t st = 0; st + 1 < s.numStages; ++st) {
    if (kvRange.begin) {
      Value j = addc(kvRange.begin, st);
      issueKVBlock(j, remc(j, s.numStages));
    } else {
      issueKVBlock(c(st), c(st));
    }
  }
  if (s.qInRegisters) {
    // Q in registers: wait for the Q group only (the K/V groups issued
    // after it may stay in flight), then every warp loads its fragments
    // once instead of once per K/V block.
    copier().wait(qGroup, s.numStages - 1);
    gpu::BarrierOp::create(b, loc);
    qFragments.resize(qk.paddedDim / 16);
    for (int64_t ks = 0; ks < qk.paddedDim / 16; ++ks)
      for (int64_t mt = 0; mt < MT; ++mt)
        qFragments[ks].push_back(loadQFragment(ks, mt));
  }
}

SmallVector<Value> KernelEmitter::issueKVTiles(Value j, Value buf,
                                               KVTiles tiles) {
  // Exactly one group per K/V block, so that cp.async.wait_group counts
  // stay uniform. A block past the range's end is "copied" with src-size 0
  // (no global access) rather than skipped by a branch: the copies then sit
  // in the loop body's basic block, where ptxas can interleave them with
  // the mma.sync.
  Value exists = cmp(arith::CmpIPredicate::slt, j, kvRange.end);
  return copyKVBlock(j, buf, exists, tiles);
}

CopyGroup KernelEmitter::issueKVBlock(Value j, Value buf) {
  return copies->commit(issueKVTiles(j, buf, KVTiles::Both));
}

OnlineSoftmaxState KernelEmitter::emitKVLoops() {
  // The online softmax of the rows this thread holds: mma.sync's
  // accumulator fragments, a row in the 4 lanes of a quad.
  softmax.emplace(b, loc, mma.rowFragments(MT),
                  OnlineSoftmaxParams{spec.scale, s.rescaleThreshold,
                                      /*finiteFill=*/spec.fill.has_value()});
  OnlineSoftmaxState state = softmax->initialState(NO);
  // The K/V loop as one or two scf.for (KernelTiling::loopParts); the split
  // point is built here.
  for (const KVLoopPart &part : tiling.loopParts(kvRange))
    state = emitKVLoop(part, state);
  return state;
}

OnlineSoftmaxState KernelEmitter::emitKVLoop(const KVLoopPart &part,
                                             const OnlineSoftmaxState &inits) {
  auto loop = scf::ForOp::create(b, loc, part.begin, part.end, c(1),
                                 inits.flatten());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    emitKVStep(loop.getInductionVar(), loop.getRegionIterArgs(), part.mask);
  }
  b.setInsertionPointAfter(loop);
  return OnlineSoftmaxState::fromFlat(loop.getResults(), MT * NO);
}

void KernelEmitter::emitKVStep(Value j, ValueRange carried, BlockMask masked) {
  OnlineSoftmaxState state = OnlineSoftmaxState::fromFlat(carried, MT * NO);
  Value buf = c(0);
  if (s.numStages == 1) {
    copier().wait(copies->commit(copyKVBlock(j, c(0))), 0);
    gpu::BarrierOp::create(b, loc);
  } else {
    // Block j's group is complete once at most stages-2 newer groups are
    // pending; the barrier then also tells every warp that block j-1's
    // buffer is free, and block j+stages-1 is issued into it.
    copier().wait(qGroup, s.numStages - 2);
    gpu::BarrierOp::create(b, loc);
    buf = remc(j, s.numStages);
  }

  // S = Q·K_jᵀ.
  SmallVector<SmallVector<Value>> S =
      computeScores(mulc(buf, s.blockN * qk.rowStride), buf);
  // Block j+stages-1 goes into the buffer block j-1 used, free since the
  // barrier. Issued after the mma.sync of Q·K_jᵀ, as FlashAttention-2
  // does, not right after the barrier: the ldmatrix of K_j then leave
  // first, and the copies' address arithmetic and register reads fall
  // into the mma chain instead of in front of it (+1-2%, bench/NOTES.md).
  // With splitKVCopies only K's copies go here, V's after the row max.
  bool prefetch = s.numStages > 1;
  Value next, nextBuf;
  SmallVector<Value> nextTokens;
  if (prefetch) {
    next = addc(j, s.numStages - 1);
    nextBuf = remc(next, s.numStages);
    nextTokens = issueKVTiles(next, nextBuf,
                              s.splitKVCopies ? KVTiles::K : KVTiles::Both);
    if (!s.splitKVCopies)
      copies->commit(nextTokens);
  }
  // Masked, then the online softmax and O += P·V_j.
  S = maskBlock(S, j, masked);
  OnlineSoftmaxStep step = softmax->rescale(S, state);
  if (prefetch && s.splitKVCopies) {
    nextTokens.append(issueKVTiles(next, nextBuf, KVTiles::V));
    copies->commit(nextTokens);
  }
  state = accumulatePV(step, buf);
  if (s.numStages == 1)
    gpu::BarrierOp::create(b, loc); // buffer 0 is overwritten next

  scf::YieldOp::create(b, loc, state.flatten());
}

SmallVector<SmallVector<Value>>
KernelEmitter::maskBlock(SmallVector<SmallVector<Value>> S, Value j,
                         BlockMask masked) {
  Value kvStart = mulc(j, s.blockN);
  // The mask operand applies to every block, before the causal/tail masks
  // (which then hide the clamped reads past Sk). With a finite fill a float
  // mask is added after them, to the fill too (fa2.attention's order); -inf
  // past Sk stays -inf.
  bool maskOperandLast =
      spec.fill && spec.hasMask() && !spec.maskElementType.isInteger(1);
  if (spec.hasMask() && !maskOperandLast)
    S = applyMaskOperand(S, kvStart);
  auto positional = [&](const SmallVector<SmallVector<Value>> &S) {
    return spec.window || spec.fill ? maskScoresWindowFill(S, kvStart)
                                    : maskScores(S, kvStart);
  };
  if (masked == BlockMask::Always) {
    S = positional(S);
  } else if (masked == BlockMask::PerBlock) {
    Value needMask = tiling.needsMask(kvRange, j, kvStart);
    SmallVector<Type> types(MT * NT,
                            mma.accumulatorType(MmaSyncFragments::kN));
    auto ifOp = scf::IfOp::create(b, loc, types, needMask,
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      SmallVector<Value> flat;
      for (auto &row : positional(S))
        flat.append(row.begin(), row.end());
      scf::YieldOp::create(b, loc, flat);
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      SmallVector<Value> same;
      for (auto &row : S)
        same.append(row.begin(), row.end());
      scf::YieldOp::create(b, loc, same);
    }
    for (int64_t mt = 0; mt < MT; ++mt)
      for (int64_t nt = 0; nt < NT; ++nt)
        S[mt][nt] = ifOp.getResult(mt * NT + nt);
  }
  if (maskOperandLast)
    S = applyMaskOperand(S, kvStart);
  return S;
}

OnlineSoftmaxState KernelEmitter::accumulatePV(OnlineSoftmaxStep step,
                                               Value buf) {
  softmax->beginExponentials(step);
  auto fragTy = VectorType::get({4, 2}, elemTy);
  OnlineSoftmaxState &state = step.state;
  Value vBuf = add(mulc(buf, s.blockN * vl.rowStride), vLaneOffset);
  for (int64_t kk = 0; kk < NT / 2; ++kk) {
    // pa[mt][piece]: P's A fragments, P split like the other operands.
    SmallVector<SmallVector<Value>> pa(MT);
    for (int64_t mt = 0; mt < MT; ++mt) {
      SmallVector<SmallVector<Value>> elems(pieces);
      Value rowSum[2];
      for (int64_t q = 0; q < 4; ++q) {
        // Fragment register q: rows g (+8 if q odd), keys 2t.. (+8 if q>=2).
        int64_t nt = 2 * kk + q / 2, half = q % 2, r = mt * 2 + half;
        for (int64_t e = 0; e < 2; ++e) {
          Value p = softmax->probability(step, r, nt * 2 + e);
          rowSum[half] = softmax->sumInto(rowSum[half], p);
          if (pieces == 1) {
            elems[0].push_back(arith::TruncFOp::create(b, loc, elemTy, p));
          } else {
            // P·2^pShift < 2^15: its f16 pieces keep 22 bits down to
            // P = 2^(-3 - pShift); the factor leaves with V's inverse.
            Value shifted = fmul(p, cf(std::ldexp(1.0, pShift)));
            for (auto [k, piece] : llvm::enumerate(
                     splitToPieces(b, loc, shifted, pieces, elemTy)))
              elems[k].push_back(piece);
          }
        }
      }
      for (int64_t half = 0; half < 2; ++half)
        state.l[mt * 2 + half] = fadd(state.l[mt * 2 + half], rowSum[half]);
      for (int64_t k = 0; k < pieces; ++k)
        pa[mt].push_back(
            vector::FromElementsOp::create(b, loc, fragTy, elems[k]));
    }
    // Split operands: V's groups of these 16 keys (one per column group),
    // times 2^-pShift.
    SmallVector<Value> vInverse;
    for (int64_t cg = 0; pieces > 1 && cg < colGroups(vl); ++cg)
      vInverse.push_back(memref::LoadOp::create(
          b, loc, sFactors, ValueRange{vFactorSlot(buf, c(kk), cg)}));
    for (int64_t np = 0; np < NO / 2; ++np) {
      Value vFactor = pieces > 1 ? vInverse[np * 2 / kScaleChunks] : Value();
      SmallVector<Value> b0, b1;
      mmaSync.loadBPieces(sV, vBuf, vChunkA[np], kk * 16 * vl.rowStride,
                          vPlane,
                          /*transpose=*/true, pieces, b0, b1);
      for (int64_t mt = 0; mt < MT; ++mt) {
        MmaOperand a = MmaOperand::registers(pa[mt]);
        Value &o0 = state.O[oTile(mt, 2 * np)];
        o0 = mma.multiplyAccumulate(a, MmaOperand::registers(b0), o0, vFactor);
        Value &o1 = state.O[oTile(mt, 2 * np + 1)];
        o1 = mma.multiplyAccumulate(a, MmaOperand::registers(b1), o1, vFactor);
      }
    }
  }
  return state;
}

void KernelEmitter::emitEpilogue(const OnlineSoftmaxState &result) {
  // The last iterations issued zero-fill copies for blocks past the range's
  // end (src-size 0, no global access); they still write shared memory, and
  // must land before the CTA exits and its shared memory goes to the next
  // CTA.
  copier().wait(qGroup, 0);
  softmax->beginEpilogue();
  if (sO)
    NVVM::SyncWarpOp::create(b, loc, allLanes()); // the warp's last Q reads
  for (int64_t mt = 0; mt < MT; ++mt)
    for (int64_t half = 0; half < 2; ++half)
      writeRow(result, mt, half);
}

void KernelEmitter::writeRow(const OnlineSoftmaxState &result, int64_t mt,
                             int64_t half) {
  Value posInf = cf(std::numeric_limits<double>::infinity());
  // Split-KV partials are f32 (the combine rounds once).
  Type outTy = outputType();
  bool stageO = static_cast<bool>(sO);
  Value mFinal = result.m[mt * 2 + half];
  Value lSum = softmax->rowTotal(result.l[mt * 2 + half]);
  // A row that saw no visible key has l = 0: O stays 0, LSE is +inf.
  Value empty;
  Value inv = softmax->normalizer(lSum, empty);
  Value row = addc(warpRow0, MmaSyncFragments::accRow(mt, half));
  Value globalRow = add(m0, row);
  auto normalizedAs = [&](int64_t no, Type ty) {
    Value acc = result.O[oTile(mt, no)];
    SmallVector<Value> vals;
    for (int64_t e = 0; e < 2; ++e) {
      Value v = fmul(extract(acc, {half, e}), inv);
      if (ty != f32Ty)
        v = arith::TruncFOp::create(b, loc, ty, v);
      vals.push_back(v);
    }
    return vector::FromElementsOp::create(b, loc, VectorType::get({2}, ty),
                                          vals);
  };
  auto normalized = [&](int64_t no) { return normalizedAs(no, outTy); };
  if (stageO) {
    // Row `row` of the Q tile, chunk no, elements 2t and 2t+1: the 8 rows of
    // a store fall into 8 bank groups under the swizzle.
    Value rowMod8 = remc(row, 8);
    for (int64_t no = 0; no < spec.headDimV / 8; ++no) {
      Value off =
          add(copies->sharedOffset(qk, row, rowMod8, c(no)), mulc(t, 2));
      vector::StoreOp::create(b, loc, normalized(no), sO, ValueRange{off});
    }
  }

  // partial: the split's f32 row of O_partial and its LSE partial;
  // else the row of O in O's type and the op's LSE (lseBuf null: none).
  auto storeRowTo = [&](bool partial, Value oBuf, Value lseBuf) {
    Type ty = partial ? f32Ty : spec.outElementType;
    Value rowOff = oRowOffset(globalRow, partial);
    for (int64_t no = 0; !stageO && no < spec.headDimV / 8; ++no) {
      Value off = add(rowOff, addc(mulc(t, 2), no * 8));
      // Column 2t + 8·no: the pair is aligned to its own size.
      vector::StoreOp::create(
          b, loc, normalizedAs(no, ty), oBuf, ValueRange{off},
          /*nontemporal=*/false,
          llvm::MaybeAlign(2 * ty.getIntOrFloatBitWidth() / 8));
    }
    if (lseBuf) {
      Value lse = softmax->logSumExp(mFinal, lSum);
      // An empty row's partial weighs nothing in the combine (-inf); the
      // op's LSE of an empty row is +inf.
      lse = select(empty,
                   partial ? cf(-std::numeric_limits<double>::infinity())
                           : posInf,
                   lse);
      if (fillClamp) {
        // A row of clamped fills only: its LSE is fill + log Σ..., which is
        // the fill in f32 (|fill| > 2^76 · every other term).
        bool negative = *spec.fill < 0;
        Value far = arith::CmpFOp::create(
            b, loc,
            negative ? arith::CmpFPredicate::OLT : arith::CmpFPredicate::OGT,
            lse, cf(negative ? -*fillClamp / 2 : *fillClamp / 2));
        lse = select(far, cf(sem.fillF32()), lse);
      }
      Value first = cmp(arith::CmpIPredicate::eq, t, c(0));
      scf::IfOp::create(b, loc, first, [&](OpBuilder &, Location) {
        memref::StoreOp::create(b, loc, lse, lseBuf,
                                ValueRange{lseOffset(globalRow, partial)});
        scf::YieldOp::create(b, loc);
      });
    }
  };
  auto storeRow = [&](OpBuilder &, Location) {
    Value lseBuf = spec.writesLse() ? lseGlobal : Value();
    if (!oneSplit) {
      storeRowTo(spec.splitKV(), oGlobal, lseBuf);
      return;
    }
    scf::IfOp::create(
        b, loc, oneSplit,
        [&](OpBuilder &, Location) {
          storeRowTo(/*partial=*/false, oFinal, lseFinal);
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &, Location) {
          storeRowTo(/*partial=*/true, oGlobal, lseBuf);
          scf::YieldOp::create(b, loc);
        });
  };
  if (stageO && !spec.writesLse())
    return;
  if (qAllValid) {
    storeRow(b, loc);
  } else {
    Value inside = cmp(arith::CmpIPredicate::ult, globalRow, rowsTotal);
    scf::IfOp::create(b, loc, inside, [&](OpBuilder &bb, Location l) {
      storeRow(bb, l);
      scf::YieldOp::create(b, loc);
    });
  }
}

void KernelEmitter::copyStagedOut() {
  // The warp's rows, 16 bytes per lane: a row of C chunks takes C lanes,
  // 32 / C rows per round (or C / 32 rounds per row).
  NVVM::SyncWarpOp::create(b, loc, allLanes());
  Value lane = remc(tid, 32);
  Value warpRowBase = mulc(warp, s.rowsPerWarp());
  int64_t chunks = spec.headDimV / 8;
  int64_t total = s.rowsPerWarp() * chunks;
  auto chunkTy = VectorType::get({8}, outputType());
  for (int64_t first = 0; first < total; first += 32) {
    Value idx = addc(lane, first);
    Value inTile = total - first >= 32
                       ? Value()
                       : cmp(arith::CmpIPredicate::ult, idx, c(total));
    Value r = divc(idx, chunks), ch = remc(idx, chunks);
    Value row = add(warpRowBase, r);
    Value globalRow = add(m0, row);
    Value ok = inTile;
    if (!qAllValid) {
      Value inside = cmp(arith::CmpIPredicate::ult, globalRow, rowsTotal);
      ok = ok ? arith::AndIOp::create(b, loc, ok, inside).getResult() : inside;
    }
    auto copyChunk = [&](OpBuilder &, Location) {
      Value src = copies->sharedOffset(qk, row, remc(row, 8), ch);
      Value v = vector::LoadOp::create(b, loc, chunkTy, sO, ValueRange{src},
                                       /*nontemporal=*/false,
                                       llvm::MaybeAlign(16));
      Value dst = add(oRowOffset(globalRow), mulc(ch, 8));
      vector::StoreOp::create(b, loc, v, oGlobal, ValueRange{dst},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    };
    if (!ok) {
      copyChunk(b, loc);
    } else {
      scf::IfOp::create(b, loc, ok, [&](OpBuilder &bb, Location l) {
        copyChunk(bb, l);
        scf::YieldOp::create(b, loc);
      });
    }
  }
}

void KernelEmitter::emitLastCTAMerge(const CTAWork &work, Value Hq,
                                     Value Hkv) {
  // The row tile's counter: (batch, CTA head) · row tiles + tile; there
  // are at most batch·Hq·Sq tiles (combine_counter's size).
  Value ctaHeads = s.packGQA ? Hkv : Hq;
  Value ctaHead = s.packGQA ? work.hkv : work.h;
  Value cta = add(mul(work.batchIdx, ctaHeads), ctaHead);
  Value tiles = b.createOrFold<arith::CeilDivUIOp>(loc, rowsTotal,
                                                   c(s.blockM));
  LastCTACombineOperands ops;
  ops.counterSlot = add(mul(cta, tiles), work.qBlock);
  // A grid folded into y and z repeats the last (batch, head)'s CTAs: the
  // repeats write the same partials but must not count.
  if (spec.foldBatchHeads) {
    Value raw = add(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y),
                    mul(gpu::GridDimOp::create(b, loc, gpu::Dimension::y),
                        gpu::BlockIdOp::create(b, loc, gpu::Dimension::z)));
    ops.counts = cmp(arith::CmpIPredicate::eq, raw, cta);
  }
  unsigned first = 4 + (spec.writesLse() ? 1 : 0) + (spec.hasMask() ? 1 : 0);
  ops.rows.oPartial = oGlobal;
  ops.rows.lsePartial = lseGlobal;
  ops.rows.o = func.getArgument(first);
  if (spec.hasLse)
    ops.rows.lse = func.getArgument(first + 1);
  ops.counter = func.getArgument(first + (spec.hasLse ? 2 : 1));
  // The one-row merge's weights (numWarps · kMaxKVSplits f32; rows merged
  // side by side need none) reuse the start of the dynamic shared memory,
  // which no warp reads once the merge's barrier has passed.
  auto wgSpace = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface{}, wgSpace));
  ops.rows.weights = memref::ViewOp::create(
      b, loc,
      MemRefType::get({s.numWarps * kMaxKVSplits},
                      f32Ty,
                      MemRefLayoutAttrInterface{}, wgSpace),
      smem, c(0), ValueRange{});
  ops.rows.headsQ = Hq;
  ops.rows.seqQ = Sq;
  ops.rows.numSplits = numSplitsV;
  ops.tid = tid;
  ops.m0 = m0;
  ops.rowsTotal = rowsTotal;
  ops.tileRowToRow = [&](Value row) { return add(lseBase, lseRow(row)); };
  emitLastCTACombine(b, loc, spec, ops);
}

gpu::GPUFuncOp fa2::buildAttentionKernel(OpBuilder &builder, Location loc,
                                         gpu::GPUModuleOp module,
                                         const AttentionKernelSpec &spec) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  SmallVector<Type> argTypes = {spec.bufferType("q"), spec.bufferType("k"),
                                spec.bufferType("v"),
                                spec.bufferType(spec.outBuffer())};
  if (spec.writesLse())
    argTypes.push_back(spec.bufferType(spec.lseBuffer()));
  if (spec.hasMask())
    argTypes.push_back(spec.bufferType("mask"));
  for (StringRef buffer : spec.finalBuffers())
    argTypes.push_back(spec.bufferType(buffer));
  size_t numI32 =
      spec.dynamicSizeNames().size() + spec.dynamicMaskDimNames().size();
  for (size_t i = 0; i < numI32; ++i)
    argTypes.push_back(builder.getI32Type());
  auto fnTy = builder.getFunctionType(argTypes, {});
  auto func = gpu::GPUFuncOp::create(builder, loc, spec.name, fnTy);
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  // The block size is a schedule constant: telling the backend lets it
  // budget registers for exactly this many threads.
  func.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {static_cast<int32_t>(spec.schedule.numThreads()), 1, 1}));
  // PTX's .minnctapersm: ptxas then keeps the registers per thread low
  // enough for this many CTAs on one SM.
  if (spec.schedule.minBlocksPerSM > 0)
    func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                  builder.getI32IntegerAttr(
                      static_cast<int32_t>(spec.schedule.minBlocksPerSM)));
  KernelEmitter(builder, loc, spec, func).emit();
  return func;
}
