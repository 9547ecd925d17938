//===- AttentionToGPU.cpp - fa2.attention to a FlashAttention-2 GPU kernel ===//
//
// `fa2-lower-to-gpu` replaces each fa2.attention that the kernel can serve
// with a launch of its own FlashAttention-2 kernel:
//
//   %o, %lse = fa2.attention %q, %k, %v ...          (tensors, in a func)
//     ==>
//   gpu.module @fa2_attention_<func>_<i> [#nvvm.target<chip = ...>] {
//     gpu.func @fa2_attention_<func>_<i>(q, k, v, o[, lse]: 1-D memrefs,
//                                        dynamic sizes: i32) kernel
//   }
//   %qb = bufferization.to_buffer %q ; memref.collapse_shape (1-D)  (k, v too)
//   %ob = memref.alloc ; %lb = memref.alloc
//   gpu.launch_func @.../@... blocks in (ceildiv(Sq, Br), batch·Hq, 1)
//                              threads in (32·W, 1, 1)
//                              dynamic_shared_memory_size <bytes>
//   %o = bufferization.to_tensor %ob restrict writable
//
// The outputs are allocated with memref.alloc: the host code runs the
// launch through the CUDA runtime wrappers, which expect device-accessible
// buffers (managed memory, or registered with gpu.host_register); the
// manifest runner (tools/fa2-run) allocates its own device buffers and never
// runs the host code. docs/gpu-schedule.md has the reasoning.
//
// An op the kernel cannot serve stays as it is, with a remark saying why.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/CombineBuilder.h"
#include "fa2/Conversion/AttentionToGPU/Hopper/Tma.h"
#include "fa2/Conversion/AttentionToGPU/HopperKernelBuilder.h"
#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"
#include "fa2/Conversion/AttentionToGPU/Manifest.h"
#include "fa2/Conversion/AttentionToGPU/Schedule.h"
#include "fa2/Conversion/AttentionToGPU/SplitOperands.h"
#include "fa2/Conversion/Passes.h"
#include "fa2/Dialect/Attention/IR/AttentionDialect.h"
#include "fa2/Dialect/Attention/IR/AttentionOps.h"
#include "fa2/Dialect/Attention/IR/TensorLayout.h"

#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

namespace fa2 {
#define GEN_PASS_DEF_FA2LOWERTOGPU
#include "fa2/Conversion/Passes.h.inc"
} // namespace fa2

using namespace mlir;
using namespace fa2;

//===----------------------------------------------------------------------===//
// Matching: can the kernel serve this op?
//===----------------------------------------------------------------------===//

/// The fields of an op's `#fa2.schedule` (the dialect verified their form).
static SmallVector<ScheduleField> scheduleFieldsOf(ScheduleAttr schedule) {
  SmallVector<ScheduleField> fields;
  for (NamedAttribute field : schedule.getFields()) {
    std::string key = field.getName().str();
    if (auto flag = dyn_cast<BoolAttr>(field.getValue()))
      fields.push_back({key, flag.getValue()});
    else if (auto integer = dyn_cast<IntegerAttr>(field.getValue()))
      fields.push_back({key, integer.getInt()});
    else
      fields.push_back({key, cast<StringAttr>(field.getValue()).str()});
  }
  return fields;
}

/// A size known from either of two types (the verifier made them agree).
static int64_t mergeDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

/// The requested fields on a wgmma schedule (a Hopper table row's): warps
/// and registers per role follow block_m unless given (the row's registers
/// stand unless block_m changed), and a row's CTAs per SM, chosen with its
/// registers, lapse with them.
static std::optional<OptionError>
applyHopperFields(GPUSchedule &h, ArrayRef<ScheduleField> requested) {
  if (std::optional<OptionError> e = applyScheduleFields(h, requested))
    return e;
  GPUSchedule roles = h;
  assignHopperRoles(roles);
  if (!findScheduleField(requested, "warps"))
    h.numWarps = roles.numWarps;
  bool newRoles = findScheduleField(requested, "block_m");
  if (newRoles && !findScheduleField(requested, "producer_registers"))
    h.producerRegisters = roles.producerRegisters;
  if (newRoles && !findScheduleField(requested, "consumer_registers"))
    h.consumerRegisters = roles.consumerRegisters;
  if (newRoles && !findScheduleField(requested, "min_blocks_per_sm"))
    h.minBlocksPerSM = 0;
  return std::nullopt;
}

/// Reads everything the kernel needs from `op`, or says why the kernel cannot
/// serve it. Changes nothing.
///
/// `requested` are the schedule fields the user asked for (the `schedule`
/// option's, then the op's own `fa2.schedule`), applied in order over the
/// table's choice; a field they name that cannot be set is an error
/// reported at the op (`fieldError`), not a reason to leave the op.
static FailureOr<AttentionKernelSpec>
matchGPUAttention(AttentionOp op, const ChipInfo &chip,
                  F32Precision f32Precision,
                  ArrayRef<ScheduleField> requested, std::string &why,
                  std::optional<OptionError> &fieldError) {
  llvm::raw_string_ostream os(why);
  auto qTy = op.getQuery().getType();
  auto kTy = op.getKey().getType();
  auto vTy = op.getValue().getType();
  auto oTy = op.getOutput().getType();
  Type elem = qTy.getElementType();
  if (elem.isF32() && f32Precision == F32Precision::Host) {
    os << "f32 inputs are left for the CPU lowering (f32-precision=host)";
    return failure();
  }
  unsigned featPos = op.getFeatureDimPos();
  int64_t d = mergeDim(qTy.getDimSize(featPos), kTy.getDimSize(featPos));
  int64_t dv = mergeDim(vTy.getDimSize(featPos), oTy.getDimSize(featPos));
  if (ShapedType::isDynamic(d) || ShapedType::isDynamic(dv)) {
    os << "the head dimension must be static: the kernel's register tiles "
          "are sized by it";
    return failure();
  }
  if (d % 8 != 0 || dv % 8 != 0 || d > 256 || dv > 256 || d == 0 || dv == 0) {
    os << "head dims must be multiples of 8 up to 256 (16-byte cp.async "
          "chunks, O accumulators in registers), got "
       << d << " and " << dv;
    return failure();
  }
  double scale = op.getScaleAttr().getValueAsDouble();
  if (!(scale > 0.0)) {
    os << "the kernel folds the scale into exp2 after the row max, which "
          "needs a positive scale, got "
       << scale;
    return failure();
  }

  AttentionKernelSpec spec;
  spec.elementType = elem;
  spec.outElementType = oTy.getElementType();
  if (elem.isF32())
    spec.f32Precision = f32Precision;
  int64_t pieces = spec.operandPieces();
  spec.bshd = op.getLayout() == Layout::BSHD;
  spec.causal = op.getCausal();
  MaskSemantics masking = MaskSemantics::get(op);
  spec.window = masking.window;
  spec.fill = masking.fill;
  spec.hasLse = static_cast<bool>(op.getLse());
  spec.scale = scale;
  spec.headDim = d;
  spec.headDimV = dv;
  unsigned headPos = op.getHeadDimPos(), seqPos = op.getSeqDimPos();
  for (unsigned i = 0; i < op.getNumBatchDims(); ++i) {
    int64_t bd = mergeDim(qTy.getDimSize(i), oTy.getDimSize(i));
    bd = mergeDim(bd, mergeDim(kTy.getDimSize(i), vTy.getDimSize(i)));
    spec.batchDims.push_back(bd);
  }
  spec.headsQ = mergeDim(qTy.getDimSize(headPos), oTy.getDimSize(headPos));
  spec.seqQ = mergeDim(qTy.getDimSize(seqPos), oTy.getDimSize(seqPos));
  spec.headsKV = mergeDim(kTy.getDimSize(headPos), vTy.getDimSize(headPos));
  spec.seqK = mergeDim(kTy.getDimSize(seqPos), vTy.getDimSize(seqPos));
  if (auto lse = op.getLse()) {
    auto lTy = cast<RankedTensorType>(lse.getType());
    unsigned n = op.getNumBatchDims();
    spec.headsQ = mergeDim(spec.headsQ, lTy.getDimSize(n));
    spec.seqQ = mergeDim(spec.seqQ, lTy.getDimSize(n + 1));
  }
  spec.chip = chip;
  if (Value mask = op.getMask()) {
    auto mTy = cast<RankedTensorType>(mask.getType());
    // The op's type constraint limits the element type to i1, f16, bf16 and
    // f32, which the kernel all reads.
    Type mElem = mTy.getElementType();
    if (mTy.getRank() == 0) {
      os << "a rank-0 mask is not supported by the GPU kernel (it has no "
            "1-D buffer view)";
      return failure();
    }
    // Right-align the mask to the scores [batch..., Hq, Sq, Sk]. The kernel
    // indexes batch·Hq as one: a mask dim over one of several batch dims is
    // only supported when it is a static 1.
    unsigned nb = op.getNumBatchDims();
    int64_t rank = mTy.getRank();
    int64_t scoreRank = nb + 3;
    spec.maskDims.assign(4, 1);
    spec.maskRank = 0;
    for (int64_t k = 0; k < rank; ++k) {
      int64_t pos = scoreRank - rank + k; // position among the scores' dims
      int64_t d = mTy.getDimSize(k);
      if (pos < static_cast<int64_t>(nb)) {
        if (nb > 1) {
          if (d != 1) {
            os << "a mask over one of several batch dimensions must have "
                  "extent 1 there (the kernel indexes the batch as one)";
            return failure();
          }
          continue;
        }
        spec.maskDims[0] = d;
        spec.maskRank = std::max(spec.maskRank, 4u);
        continue;
      }
      unsigned logical = 1 + (pos - nb); // heads_q, seq_q, seq_k
      spec.maskDims[logical] = d;
      spec.maskRank = std::max(spec.maskRank, 4 - logical);
    }
    spec.maskElementType = mElem;
  }

  // Every size the kernel sees must fit its i32 size arguments and every
  // buffer's element count an int64 (the spec's products are unchecked).
  SmallVector<int64_t> staticSizes(spec.batchDims);
  llvm::append_range(staticSizes, ArrayRef<int64_t>{spec.headsQ, spec.headsKV,
                                                     spec.seqQ, spec.seqK});
  llvm::append_range(staticSizes, spec.maskDims);
  for (int64_t size : staticSizes) {
    if (ShapedType::isDynamic(size))
      continue;
    if (size == 0) {
      os << "the problem is statically empty (a size of 0): there is nothing "
            "for a kernel to compute and no launch";
      return failure();
    }
    if (size > std::numeric_limits<int32_t>::max()) {
      os << "a size of " << size
         << " does not fit the kernel's i32 sizes and indices (at most "
         << std::numeric_limits<int32_t>::max() << ")";
      return failure();
    }
  }
  SmallVector<Value> operands = {op.getQuery(), op.getKey(), op.getValue(),
                                 op.getOutput()};
  if (Value mask = op.getMask())
    operands.push_back(mask);
  if (Value lse = op.getLse())
    operands.push_back(lse);
  for (Value v : operands) {
    int64_t elems = 1;
    bool overflow = false;
    for (int64_t size : cast<ShapedType>(v.getType()).getShape())
      if (!ShapedType::isDynamic(size))
        overflow |= llvm::MulOverflow(elems, size, elems);
    if (overflow) {
      os << "the element count of a " << v.getType()
         << " overflows 64 bits";
      return failure();
    }
  }

  // Decode (few query rows per K/V head): packed GQA rows in a small row
  // tile and split-KV, the default for a decode or speculative step (Sq at
  // most kDecodeDefaultMaxSeqQ) whenever the head counts and Sq are static
  // (the row tile is sized by G·Sq) and G·Sq fits the decode table;
  // pack_gqa = true asks for it at any Sq, pack_gqa = false keeps the
  // prefill table. f32 inputs keep the prefill table (their operands are
  // staged through registers, which the packed Q copy does not do).
  int64_t group = spec.groupSize();
  bool packable = !ShapedType::isDynamic(group);
  auto requestedFlag = [&](StringRef key) {
    const ScheduleField *f = findScheduleField(requested, key);
    const bool *flag = f ? std::get_if<bool>(&f->value) : nullptr;
    return flag && *flag;
  };
  bool packGQA = requestedFlag("pack_gqa");
  // mma = wgmma asks for the sm_90a kernel (HopperKernelBuilder.h), which
  // has a table of its own (below); its fields do not apply to the mma.sync
  // schedule built first, which serves the op when the wgmma kernel cannot.
  const ScheduleField *mmaField = findScheduleField(requested, "mma");
  const std::string *mmaWord =
      mmaField ? std::get_if<std::string>(&mmaField->value) : nullptr;
  // Without the field, chip=sm_90a takes the wgmma kernel by default where
  // it serves the op (quietly keeping mma.sync where it does not). Plain
  // sm_90 keeps mma.sync: its PTX is forward compatible (JIT to later
  // chips), which wgmma/setmaxnreg code (sm_90a only) cannot be, and the
  // option says which one the user wants.
  bool wgmmaByDefault = !mmaWord && chip.name == "sm_90a";
  bool wantWgmma = (mmaWord && *mmaWord == "wgmma") || wgmmaByDefault;
  SmallVector<ScheduleField> syncFields;
  for (const ScheduleField &f : requested)
    if (!isHopperOnlyField(f.key))
      syncFields.push_back(f);
  std::optional<GPUSchedule> decode;
  const ScheduleField *packField = findScheduleField(requested, "pack_gqa");
  const bool *packAsked =
      packField ? std::get_if<bool>(&packField->value) : nullptr;
  bool packByDefault = !elem.isF32() && !ShapedType::isDynamic(spec.seqQ) &&
                       spec.seqQ <= kDecodeDefaultMaxSeqQ;
  if (packable && !ShapedType::isDynamic(spec.seqQ) &&
      (packAsked ? *packAsked : packByDefault))
    decode = getDecodeSchedule(group * spec.seqQ, d, dv, chip);
  // The requested fields on the wgmma decode schedule: all of them (its
  // fields are the Hopper kernel's), as on the prefill table's rows below.
  // sm_90a: a decode step of many packed rows (from kHopperDecodeMinRows;
  // any count with mma = wgmma) takes the wgmma kernel's decode schedule
  // where that kernel serves the op; otherwise the mma.sync decode tile.
  if (decode && wantWgmma && chip.name == "sm_90a" &&
      (mmaWord || group * spec.seqQ >= kHopperDecodeMinRows)) {
    if (std::optional<GPUSchedule> hopper =
            getHopperDecodeSchedule(group * spec.seqQ, d, dv, chip)) {
      // With the requested fields (combine = last_cta, say), as below.
      AttentionKernelSpec probe = spec;
      probe.schedule = *hopper;
      probe.numSplits = ShapedType::kDynamic;
      if (!applyHopperFields(probe.schedule, requested) &&
          validateSchedule(probe.schedule, d, dv, chip).empty() &&
          hopperKernelUnsupported(probe).empty())
        decode = hopper;
    }
  }
  GPUSchedule s = decode ? *decode : getDefaultSchedule(d, dv, chip, pieces);
  // Packed GQA rows and split-KV copy Q with cp.async and were never run
  // with f32 inputs: not for them yet.
  const ScheduleField *splits = findScheduleField(requested, "kv_splits");
  const int64_t *splitCount =
      splits ? std::get_if<int64_t>(&splits->value) : nullptr;
  if (elem.isF32() && (packGQA || (splitCount && *splitCount > 1))) {
    os << "no valid schedule: pack_gqa and kv_splits are not implemented "
          "for f32 inputs";
    return failure();
  }
  if (packGQA && !packable) {
    os << "no valid schedule: pack_gqa needs static head counts (the "
          "packed rows of a group are a compile-time mapping)";
    return failure();
  }
  // f32 inputs are staged through registers (stageF32Chunks): with Q's
  // fragments held too, the d = 64 fast kernel spilled 40 bytes (ptxas,
  // sm_90); without, none.
  if (elem.isF32())
    s.qInRegisters = false;
  if ((fieldError = s.wgmma() ? applyHopperFields(s, requested)
                              : applyScheduleFields(s, syncFields))) {
    os << "no valid schedule: field '" << fieldError->option << "' = "
       << fieldError->value << ": " << fieldError->message;
    return failure();
  }
  // XOR needs rows of a multiple of 8 chunks; other widths are padded.
  s.swizzle = effectiveSwizzle(padHeadDim(d), s.swizzle);
  // The prefill tile splits the keys (the count chosen at run time from the
  // shapes) where one batch element's row tiles leave the chip mostly idle:
  // a chunked-prefill step (Sq = 512 of a long cache). Needs the row tiles
  // static: Sq and the head counts; a requested kv_splits decides instead.
  bool prefillSplitChosen = false;
  if (!decode && !elem.isF32() && !splits &&
      !ShapedType::isDynamic(spec.seqQ) &&
      !ShapedType::isDynamic(s.packGQA ? spec.headsKV : spec.headsQ) &&
      s.blockM > 0) {
    int64_t rows = s.packGQA ? group * spec.seqQ : spec.seqQ;
    int64_t tiles = llvm::divideCeil(rows, s.blockM) *
                    (s.packGQA ? spec.headsKV : spec.headsQ);
    s.kvSplits = getPrefillKVSplits(tiles, chip);
    prefillSplitChosen = s.kvSplits != 1;
  }
  std::string bad = validateSchedule(s, d, dv, chip, pieces);
  // Where the wgmma kernel is wanted, fields that only the mma.sync
  // schedule cannot take (block_m = 64 with d = 256's 8 warps) are an error
  // only if that schedule is the one kept (below); tiles must be positive
  // for the sizes computed before then.
  bool tilesPositive = s.blockM > 0 && s.blockN > 0 && s.numWarps > 0 &&
                       s.numStages > 0;
  if (!bad.empty() && !(wantWgmma && tilesPositive)) {
    os << "no valid schedule: " << bad;
    return failure();
  }
  // batch·heads (batch·Hkv with packed rows) beyond grid y's limit (or
  // unknown until run time): the launch spreads it over grid y and z.
  int64_t batch = spec.batch();
  int64_t heads = s.packGQA ? spec.headsKV : spec.headsQ;
  spec.foldBatchHeads = ShapedType::isDynamic(batch) ||
                        ShapedType::isDynamic(heads) ||
                        batch * heads > kMaxGridY;
  // The number of K/V splits: the option's, or chosen from the shapes and
  // the SM count: now when every size it reads is static (a count of 1 is
  // no split: no scratch, no combine), else by the launch at run time. A
  // finite fill keeps one kernel (its clamped LSE is no weight to merge).
  if (spec.fill)
    s.kvSplits = 1;
  if (s.kvSplits == GPUSchedule::kKVSplitsAuto) {
    int64_t rows = s.packGQA && !ShapedType::isDynamic(spec.seqQ)
                       ? group * spec.seqQ
                       : spec.seqQ;
    if (!ShapedType::isDynamic(batch) && !ShapedType::isDynamic(heads) &&
        !ShapedType::isDynamic(rows) && !ShapedType::isDynamic(spec.seqK)) {
      int64_t ctas = batch * heads * llvm::divideCeil(rows, s.blockM);
      int64_t n = numKVSplits(ctas, llvm::divideCeil(spec.seqK, s.blockN),
                              chip.smCount, s.minBlocksPerSplit,
                              s.splitSlotsPerSM());
      s.kvSplits = n;
      spec.numSplits = n;
    } else {
      spec.numSplits = ShapedType::kDynamic;
    }
  } else {
    spec.numSplits = s.kvSplits;
  }
  spec.schedule = s;
  // The wgmma decode schedule with the split count just chosen.
  if (s.wgmma()) {
    std::string why = hopperKernelUnsupported(spec);
    if (!why.empty()) {
      os << "no valid schedule: " << why;
      return failure();
    }
  }
  // Why the wgmma kernel, where wanted, did not serve the op.
  std::string fallback;
  // (The wgmma decode schedule, where taken above, is already the op's.)
  if (wantWgmma && !spec.schedule.wgmma()) {
    // The wgmma kernel where it serves the op; otherwise the mma.sync
    // schedule above stays, and the remark and the manifest say why.
    // A prefill split chosen above (not asked for) is how the mma.sync
    // tile fills the chip when one batch element has few row tiles; the
    // wgmma kernel, which splits only packed rows, serves the op unsplit.
    // Without this, every op with static seq_q and heads of up to one row
    // tile an SM (Sq = 512 at 16 or 32 heads, dynamic batch) fell back to
    // mma.sync: 2.9x slower at Sq = 512, batch 32 (H100, bench/NOTES.md,
    // 2026-12-06).
    fallback = hopperKernelUnsupported(prefillSplitChosen
                                           ? spec.oneSplitKernel()
                                           : spec);
    if (fallback.empty() && chip.name != "sm_90a")
      fallback = "wgmma kernel: needs chip=sm_90a (wgmma and setmaxnreg are "
                 "sm_90a instructions), got " +
                 chip.name;
    SmallVector<HopperLengthVariant> variants;
    if (fallback.empty()) {
      variants = getHopperSchedules(d, dv, spec.causal, spec.seqK, chip);
      if (variants.empty())
        fallback = "wgmma kernel: no schedule for these head dims";
    }
    // The requested fields apply to every length range's schedule; ranges
    // whose schedules then agree merge into one kernel.
    SmallVector<HopperLengthVariant> kernels;
    std::string badHopper;
    for (HopperLengthVariant &variant : variants) {
      GPUSchedule *hopper = &variant.schedule;
      // By default, fields meant for the mma.sync schedule (warps = 2,
      // say) that the wgmma kernel cannot take keep the mma.sync kernel.
      if ((fieldError = applyHopperFields(*hopper, requested))) {
        os << "no valid schedule: field '" << fieldError->option << "' = "
           << fieldError->value << ": " << fieldError->message;
        return failure();
      }
      // Ping-pong orders the overlapped loop's GEMM issues between
      // warpgroups: the table's choice lapses (unless given) where the
      // fields leave no overlap or one consumer warpgroup.
      if (!findScheduleField(requested, "ping_pong") &&
          (!hopper->overlapSoftmax || hopper->consumerWarpgroups() < 2))
        hopper->pingPong = false;
      // Likewise the table's tile scheduler, where the fields leave no
      // persistent grid.
      if (!findScheduleField(requested, "tile_scheduler") &&
          !hopper->persistent)
        hopper->tileScheduler = TileScheduler::Static;
      // The table's TMA-store epilogue lapses where O is not 16-bit (a TMA
      // map of f32 O would need a second tile layout) or where, with the
      // fields, O's own tile no longer fits beside the others.
      bool outIs16Bit = spec.outElementType.isF16() ||
                        spec.outElementType.isBF16();
      if (hopper->tmaStore() && !findScheduleField(requested, "epilogue") &&
          (!outIs16Bit || !outputTileFits(*hopper, d, dv, chip)))
        hopper->epilogue = HopperEpilogue::Registers;
      if (hopper->tmaStore() && !outIs16Bit) {
        os << "no valid schedule: epilogue = tma_store needs a 16-bit output "
              "(the TMA store copies O's tile in the output type), got "
           << spec.outElementType;
        return failure();
      }
      badHopper = validateSchedule(*hopper, d, dv, chip);
      if (!badHopper.empty())
        break;
      if (!kernels.empty() &&
          sameScheduleFields(kernels.back().schedule, *hopper))
        kernels.back().maxSeqK = variant.maxSeqK;
      else
        kernels.push_back(variant);
    }
    if (!badHopper.empty()) {
      // Fields beyond mma itself: the user asked for a schedule that
      // cannot run.
      if (!wgmmaByDefault && requested.size() > 1) {
        os << "no valid schedule: " << badHopper;
        return failure();
      }
      fallback = "wgmma kernel: " + badHopper;
    } else if (!kernels.empty()) {
      // length_variants = false: one kernel, the longest keys' schedule.
      if (!kernels.back().schedule.lengthVariants)
        kernels.erase(kernels.begin(), kernels.end() - 1);
      spec.schedule = kernels.front().schedule;
      spec.numSplits = 1;
      if (kernels.size() > 1)
        spec.lengthVariants = std::move(kernels);
    }
    // Only an explicit mma = wgmma is told (remark, manifest) why not.
    if (!wgmmaByDefault)
      spec.mmaFallback = fallback;
  }
  if (!bad.empty() && !spec.schedule.wgmma()) {
    os << "no valid schedule: " << bad;
    if (wantWgmma && !fallback.empty())
      os << " (and the " << fallback << ")";
    return failure();
  }
  return spec;
}

//===----------------------------------------------------------------------===//
// Rewriting: kernel + host launch
//===----------------------------------------------------------------------===//

/// The 1-D view `flat` of a buffer `shaped`, cast to the kernel's argument
/// type (static when every size is).
static Value flatten(OpBuilder &b, Location loc, Value shaped,
                     MemRefType kernelType) {
  int64_t rank = cast<MemRefType>(shaped.getType()).getRank();
  Value flat = memref::CollapseShapeOp::create(
      b, loc, shaped,
      SmallVector<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, rank))});
  return b.createOrFold<memref::CastOp>(loc, kernelType, flat);
}

/// The buffer of a tensor operand (identity layout, read only).
static Value bufferOf(OpBuilder &b, Location loc, Value tensor) {
  auto tTy = cast<RankedTensorType>(tensor.getType());
  auto mTy = MemRefType::get(tTy.getShape(), tTy.getElementType());
  return bufferization::ToBufferOp::create(b, loc, mTy, tensor,
                                           /*read_only=*/true);
}

/// The size of dimension `dim` of `buffer` as an index value.
static Value dimOf(OpBuilder &b, Location loc, Value buffer, int64_t dim) {
  return b.createOrFold<memref::DimOp>(loc, buffer, dim);
}

/// Allocates a result buffer shaped like `type`, taking dynamic sizes from
/// `sizes` (one index value per dimension).
static Value allocResult(OpBuilder &b, Location loc, RankedTensorType type,
                         ArrayRef<Value> sizes) {
  auto mTy = MemRefType::get(type.getShape(), type.getElementType());
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dyn.push_back(sizes[i]);
  return memref::AllocOp::create(b, loc, mTy, dyn, b.getI64IntegerAttr(128));
}

/// The runtime's tensor-map encoder (tools/fa2-cuda-runtime): writes the
/// 128-byte CUtensorMap of a rank-4 [batch, heads, seq, dim]-indexed tensor
/// (strides in elements, innermost dim contiguous) with a box of 64 columns
/// by `boxRows` rows, 128-byte swizzle, into `out` (64-byte aligned).
static constexpr llvm::StringLiteral kEncodeTensorMap = "fa2rtEncodeTensorMap";

/// The 128 bytes of buffer `name`'s tensor map, as the wgmma kernel's
/// argument value (hopper::tensorMapValueType).
static Value tensorMapArgument(OpBuilder &b, Location loc, AttentionOp op,
                               const AttentionKernelSpec &spec, Value buffer,
                               StringRef name, Value batch, Value heads,
                               Value seq) {
  MLIRContext *ctx = b.getContext();
  auto i64 = b.getI64Type();
  auto i32 = b.getI32Type();
  auto module = op->getParentOfType<ModuleOp>();
  auto fnTy = b.getFunctionType(
      {i64, i64, i32, i64, i64, i64, i64, i64, i64, i64, i32}, {});
  if (!module.lookupSymbol(kEncodeTensorMap)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto decl = func::FuncOp::create(b, loc, kEncodeTensorMap, fnTy);
    decl.setPrivate();
  }
  auto cI64 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 64);
  };
  auto toI64 = [&](Value idx) -> Value {
    return arith::IndexCastUIOp::create(b, loc, i64, idx);
  };
  int64_t dim = name == "v" || name == "o" ? spec.headDimV : spec.headDim;
  // Element strides of (seq, heads, batch) in the op's layout.
  Layout layout = spec.bshd ? Layout::BSHD : Layout::BHSD;
  auto extent = [&](TensorDim d) -> Value {
    return d == TensorDim::Head  ? toI64(heads)
           : d == TensorDim::Seq ? toI64(seq)
                                 : cI64(dim);
  };
  auto times = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, loc, x, y);
  };
  auto strideOf = [&](TensorDim d) {
    return stride<Value>(layout, d, extent, times, cI64(1));
  };
  Value rowStride = strideOf(TensorDim::Seq);
  Value headStride = strideOf(TensorDim::Head);
  Value batchStride = strideOf(TensorDim::Batch);
  auto mapMemTy = MemRefType::get({16}, i64);
  Value map = memref::AllocaOp::create(b, loc, mapMemTy, ValueRange{},
                                       b.getI64IntegerAttr(64));
  Value out = toI64(memref::ExtractAlignedPointerAsIndexOp::create(b, loc, map));
  Value base =
      toI64(memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer));
  Type elemTy = name == "o" ? spec.outElementType : spec.elementType;
  int32_t dtype = elemTy.isBF16() ? 1 : 0;
  SmallVector<Value> callArgs = {
      out,
      base,
      arith::ConstantIntOp::create(b, loc, dtype, 32),
      cI64(dim),
      toI64(seq),
      toI64(heads),
      toI64(batch),
      rowStride,
      headStride,
      batchStride,
      arith::ConstantIntOp::create(b, loc, hopperBox(spec, name)[1], 32)};
  func::CallOp::create(b, loc, kEncodeTensorMap, TypeRange{}, callArgs);
  (void)ctx;
  return vector::LoadOp::create(
      b, loc, VectorType::get({16}, i64), map,
      ValueRange{arith::ConstantIndexOp::create(b, loc, 0)});
}

/// A zero_init scratch buffer of i32 counters (the last-CTA combine's, the
/// dynamic tile scheduler's): allocated as `allocTy` (with `size` where it is
/// dynamic), zeroed once on the stream, and passed as the kernel's `ty`.
static Value allocZeroedCounters(OpBuilder &b, Location loc, MemRefType ty,
                                 MemRefType allocTy, Value size) {
  Value counter = memref::AllocOp::create(
      b, loc, allocTy, size ? ValueRange{size} : ValueRange{},
      b.getI64IntegerAttr(128));
  gpu::MemsetOp::create(
      b, loc, Type(), ValueRange{}, counter,
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)));
  return b.createOrFold<memref::CastOp>(loc, ty, counter);
}

/// Replaces `op` by the launch of `kernels`: the one kernel, or (with
/// spec.lengthVariants) the one whose range holds the run-time seq_k; with
/// `oneSplit` (spec.hasOneSplitKernel()), that kernel where the run-time
/// split count is 1, else the split kernel and `combine`.
static void rewriteToLaunch(OpBuilder &b, AttentionOp op,
                            ArrayRef<gpu::GPUFuncOp> kernels,
                            gpu::GPUFuncOp combine, gpu::GPUFuncOp oneSplit,
                            const AttentionKernelSpec &opSpec) {
  Location loc = op.getLoc();
  b.setInsertionPoint(op);
  Value qBuf = bufferOf(b, loc, op.getQuery());
  Value kBuf = bufferOf(b, loc, op.getKey());
  Value vBuf = bufferOf(b, loc, op.getValue());
  Value q = flatten(b, loc, qBuf, opSpec.bufferType("q"));
  Value k = flatten(b, loc, kBuf, opSpec.bufferType("k"));
  Value v = flatten(b, loc, vBuf, opSpec.bufferType("v"));

  // Sizes of Q's dimensions, from its buffer.
  unsigned rank = op.getQuery().getType().getRank();
  unsigned nb = op.getNumBatchDims();
  unsigned headPos = op.getHeadDimPos(), seqPos = op.getSeqDimPos();
  SmallVector<Value> qSizes;
  for (unsigned i = 0; i < rank; ++i)
    qSizes.push_back(dimOf(b, loc, qBuf, i));

  auto oTy = op.getOutput().getType();
  Value oAlloc = allocResult(b, loc, oTy, qSizes);
  Value o = flatten(b, loc, oAlloc, opSpec.bufferType("o"));
  SmallVector<Value> args = {q, k, v, o};
  Value lAlloc, lse;
  if (Value lseResult = op.getLse()) {
    auto lTy = cast<RankedTensorType>(lseResult.getType());
    SmallVector<Value> lSizes(qSizes.begin(), qSizes.begin() + nb);
    lSizes.push_back(qSizes[headPos]);
    lSizes.push_back(qSizes[seqPos]);
    lAlloc = allocResult(b, loc, lTy, lSizes);
    lse = flatten(b, loc, lAlloc, opSpec.bufferType("lse"));
    args.push_back(lse);
  }
  SmallVector<Value> opArgs = args;
  // One launch of `kernel` (built for `spec`), with its own arguments and
  // grid.
  Value tileCounter;
  std::function<void(const AttentionKernelSpec &, gpu::GPUFuncOp)>
      launchKernel;
  launchKernel = [&](const AttentionKernelSpec &spec, gpu::GPUFuncOp kernel) {
    SmallVector<Value> args = opArgs;
    const GPUSchedule &s = spec.schedule;
    Value hq = qSizes[headPos], sq = qSizes[seqPos];
    Value hkv = dimOf(b, loc, kBuf, headPos), sk = dimOf(b, loc, kBuf, seqPos);
    Value batch = arith::ConstantIndexOp::create(b, loc, 1);
    for (unsigned i = 0; i < nb; ++i)
      batch = b.createOrFold<arith::MulIOp>(loc, batch, qSizes[i]);
    auto cIdx = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto ceilDiv = [&](Value x, int64_t y) {
      return b.createOrFold<arith::CeilDivUIOp>(loc, x, cIdx(y));
    };
    // Packed GQA rows: a CTA row tile covers G·Sq rows of one (batch, K/V
    // head); otherwise Sq rows of one (batch, query head).
    Value rows = s.packGQA ? b.createOrFold<arith::MulIOp>(
                                 loc, sq, cIdx(spec.groupSize()))
                           : sq;
    Value ctaHeads = s.packGQA ? hkv : hq;
    // Split-KV: the partials go to scratch, O and LSE come from the combine.
    Value numSplits, oPartAlloc, lsePartAlloc, oPartArg, lsePartArg;
    // The host's choice between the one-split kernel and the split launch.
    scf::IfOp splitChoice;
    if (spec.splitKV()) {
      if (!ShapedType::isDynamic(spec.numSplits)) {
        numSplits = cIdx(spec.numSplits);
      } else {
        // numKVSplits (Schedule.cpp) at run time, for the chip's SM count.
        Value ctas = b.createOrFold<arith::MulIOp>(
            loc, b.createOrFold<arith::MulIOp>(loc, batch, ctaHeads),
            ceilDiv(rows, s.blockM));
        Value forSMs = b.createOrFold<arith::DivUIOp>(
            loc, cIdx(s.splitSlotsPerSM() * spec.chip.smCount),
            b.createOrFold<arith::MaxUIOp>(loc, ctas, cIdx(1)));
        Value kvBlocks = ceilDiv(sk, s.blockN);
        Value forBlocks = ceilDiv(kvBlocks, s.minBlocksPerSplit);
        Value count = b.createOrFold<arith::MaxUIOp>(
            loc, cIdx(1),
            b.createOrFold<arith::MinUIOp>(
                loc, b.createOrFold<arith::MinUIOp>(loc, forSMs, forBlocks),
                cIdx(kMaxKVSplits)));
        // Equal splits: the fewest with the longest split no longer.
        Value longest = b.createOrFold<arith::MaxUIOp>(
            loc, b.createOrFold<arith::CeilDivUIOp>(loc, kvBlocks, count),
            cIdx(1));
        numSplits = b.createOrFold<arith::MaxUIOp>(
            loc, cIdx(1),
            b.createOrFold<arith::CeilDivUIOp>(loc, kvBlocks, longest));
      }
      if (oneSplit && spec.hasOneSplitKernel()) {
        // One split: the unsplit kernel, no scratch, no combine; else the
        // split kernel and its combine (the rest of this launch).
        Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            numSplits, cIdx(1));
        splitChoice = scf::IfOp::create(b, loc, TypeRange{}, isOne,
                                        /*withElseRegion=*/true);
        b.setInsertionPoint(splitChoice.thenBlock()->getTerminator());
        launchKernel(spec.oneSplitKernel(), oneSplit);
        b.setInsertionPoint(splitChoice.elseBlock()->getTerminator());
      }
      Value partRows = b.createOrFold<arith::MulIOp>(
          loc,
          b.createOrFold<arith::MulIOp>(
              loc, b.createOrFold<arith::MulIOp>(loc, batch, hq), sq),
          numSplits);
      auto alloc = [&](StringRef buffer, Value elems) {
        MemRefType ty = spec.bufferType(buffer);
        auto dynTy = MemRefType::get({ShapedType::kDynamic}, ty.getElementType());
        Value buf = memref::AllocOp::create(b, loc, dynTy, ValueRange{elems},
                                            b.getI64IntegerAttr(128));
        return std::make_pair(buf, b.createOrFold<memref::CastOp>(loc, ty, buf));
      };
      std::tie(oPartAlloc, oPartArg) = alloc(
          "o_partial",
          b.createOrFold<arith::MulIOp>(loc, partRows, cIdx(spec.headDimV)));
      std::tie(lsePartAlloc, lsePartArg) = alloc("lse_partial", partRows);
      args = {q, k, v, oPartArg, lsePartArg};
    }
    if (s.wgmma()) {
      // The kernel reads Q, K and V through tensor maps (by value): each is
      // encoded on the host by the runtime (fa2rtEncodeTensorMap) and passed
      // as its 128 bytes. Packed GQA rows (bhsd): Q's map has a row per
      // packed row, G·Sq of them per K/V head, head-major, as the group's
      // rows lie in Q.
      Value mapHeads = s.packGQA ? hkv : hq, mapSeq = rows;
      args = {tensorMapArgument(b, loc, op, spec, qBuf, "q", batch, mapHeads,
                                mapSeq),
              tensorMapArgument(b, loc, op, spec, kBuf, "k", batch, hkv, sk),
              tensorMapArgument(b, loc, op, spec, vBuf, "v", batch, hkv, sk)};
      // The TMA-store epilogue writes O through its map; O's buffer stays an
      // argument (the kernel reads the batch count off its size).
      if (s.tmaStore())
        args.push_back(tensorMapArgument(b, loc, op, spec, oAlloc, "o", batch,
                                         mapHeads, mapSeq));
      if (spec.splitKV()) {
        args.push_back(oPartArg);
        args.push_back(lsePartArg);
      } else {
        args.push_back(o);
        if (lse)
          args.push_back(lse);
      }
    }
    Value mBuf;
    if (Value mask = op.getMask()) {
      mBuf = bufferOf(b, loc, mask);
      args.push_back(flatten(b, loc, mBuf, spec.bufferType("mask")));
    }
    if (!spec.finalBuffers().empty()) {
      // O and LSE: the last split CTA of each row tile merges into them, or a
      // launch with one split writes them itself.
      args.push_back(o);
      if (lse)
        args.push_back(lse);
    }
    if (spec.lastCTACombine()) {
      // The tiles count their splits in `combine_counter`, zeroed here once
      // (each last CTA leaves its counter at 0 again).
      Value elems = b.createOrFold<arith::MulIOp>(
          loc, b.createOrFold<arith::MulIOp>(loc, batch, hq), sq);
      MemRefType ty = spec.bufferType("combine_counter");
      args.push_back(allocZeroedCounters(
          b, loc, ty,
          MemRefType::get({ShapedType::kDynamic}, ty.getElementType()),
          elems));
    }
    if (s.dynamicTiles())
      args.push_back(tileCounter);
    // A dynamic size the kernels take as an i32 parameter, by its manifest
    // name (the attention kernel's and the combine's are among these).
    auto sizeArg = [&](StringRef name) -> Value {
      Value size = llvm::StringSwitch<Value>(name)
                       .Case("heads_q", hq)
                       .Case("heads_kv", hkv)
                       .Case("seq_q", sq)
                       .Case("seq_k", sk)
                       .Case("num_splits", numSplits)
                       .Default(Value());
      if (!size)
        llvm::reportFatalInternalError(
            Twine("no launch value for the size '") + name + "'");
      return arith::IndexCastUIOp::create(b, loc, b.getI32Type(), size);
    };
    for (const std::string &name : spec.dynamicSizeNames())
      args.push_back(sizeArg(name));
    if (mBuf) {
      // The run-time extent of each dynamic mask dim (1 or the scores').
      int64_t mRank = cast<MemRefType>(mBuf.getType()).getRank();
      ArrayRef<StringLiteral> scoreDims(AttentionKernelSpec::kScoreDimNames);
      for (const std::string &name : spec.dynamicMaskDimNames()) {
        unsigned logical = llvm::find(scoreDims, name) - scoreDims.begin();
        int64_t dim = mRank - (4 - logical);
        Value extent = dimOf(b, loc, mBuf, dim);
        args.push_back(
            arith::IndexCastUIOp::create(b, loc, b.getI32Type(), extent));
      }
    }

    Value gridX = b.createOrFold<arith::CeilDivUIOp>(
        loc, rows, arith::ConstantIndexOp::create(b, loc, s.blockM));
    if (numSplits)
      gridX = b.createOrFold<arith::MulIOp>(loc, gridX, numSplits);
    Value batchHeads = ctaHeads;
    for (unsigned i = 0; i < nb; ++i)
      batchHeads = b.createOrFold<arith::MulIOp>(loc, batchHeads, qSizes[i]);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    // batch·Hq on grid y, or spread over y and z (each at most 65535, as
    // gridExpressions says): z = ceildiv(BH + 1, 65535), y = ceildiv(BH, z).
    // The kernel reads bh = y + gridDim.y·z and clamps the (< z) extra CTAs to
    // the last (batch, head), which they compute again.
    Value gridY = batchHeads, gridZ = one;
    if (s.persistent) {
      // One CTA per tile up to one per SM, or min_blocks_per_sm per SM
      // (gridExpressions says the same).
      gridX = b.createOrFold<arith::MinUIOp>(
          loc, b.createOrFold<arith::MulIOp>(loc, gridX, batchHeads),
          arith::ConstantIndexOp::create(
              b, loc, s.persistentCTAs(spec.chip.smCount)));
      gridY = one;
    } else if (spec.foldBatchHeads) {
      Value limit = arith::ConstantIndexOp::create(b, loc, kMaxGridY);
      gridZ = b.createOrFold<arith::CeilDivUIOp>(
          loc, b.createOrFold<arith::AddIOp>(loc, batchHeads, one), limit);
      gridY = b.createOrFold<arith::CeilDivUIOp>(loc, batchHeads, gridZ);
    }
    Value threads = arith::ConstantIndexOp::create(b, loc, s.numThreads());
    Value smem = arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                              spec.sharedMemoryBytes());
    auto launch = [&]() {
      gpu::LaunchFuncOp::create(b, loc, kernel,
                                gpu::KernelDim3{gridX, gridY, gridZ},
                                gpu::KernelDim3{threads, one, one}, smem, args);
      if (!combine || !spec.splitKV())
        return;
      // The combine: a CTA per few (batch, head, query) rows, after the
      // splits (same stream, in order).
      SmallVector<Value> cArgs = {oPartArg, lsePartArg, o};
      if (lse)
        cArgs.push_back(lse);
      for (const std::string &name : combineSizeNames(spec))
        cArgs.push_back(sizeArg(name));
      Value allRows = b.createOrFold<arith::MulIOp>(
          loc, b.createOrFold<arith::MulIOp>(loc, batch, hq), sq);
      Value cGrid = b.createOrFold<arith::CeilDivUIOp>(
          loc, allRows,
          emitCombineRowsPerCTA(b, loc, numSplits, spec.headDimV));
      Value cThreads = cIdx(32 * kCombineWarps);
      Value noSmem = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0);
      auto launchCombine = [&] {
        gpu::LaunchFuncOp::create(b, loc, combine,
                                  gpu::KernelDim3{cGrid, one, one},
                                  gpu::KernelDim3{cThreads, one, one}, noSmem,
                                  cArgs);
      };
      if (!spec.writesOneSplitDirectly()) {
        launchCombine();
        return;
      }
      // One split: the kernel wrote O and LSE, nothing to merge.
      scf::IfOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, numSplits,
                                one),
          [&](OpBuilder &, Location) {
            launchCombine();
            scf::YieldOp::create(b, loc);
          });
    };
    // The matcher left statically empty problems alone: a constant grid is
    // never empty here.
    if (matchPattern(gridX, m_Constant()) && matchPattern(gridY, m_Constant())) {
      launch();
    } else {
      // An empty grid is a launch error in CUDA: with no query row (or no
      // head) there is nothing to compute, so there is no launch either.
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value rows =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, gridX, zero);
      Value heads =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, gridY, zero);
      scf::IfOp::create(b, loc, arith::AndIOp::create(b, loc, rows, heads),
                        [&](OpBuilder &, Location) {
                          launch();
                          scf::YieldOp::create(b, loc);
                        });
    }
    if (splitChoice)
      b.setInsertionPointAfter(splitChoice);
  };
  // The dynamic tile scheduler's counters (tiles handed out, CTAs done),
  // zeroed here once: the last CTA to finish resets them. One buffer before
  // the choice of a length variant, shared by the variants that take it
  // (the manifest lists one).
  unsigned numVariants = std::max<size_t>(opSpec.lengthVariants.size(), 1);
  for (unsigned i = 0; i < numVariants && !tileCounter; ++i) {
    AttentionKernelSpec spec = opSpec.lengthVariants.empty()
                                   ? opSpec
                                   : opSpec.lengthVariant(i);
    if (spec.schedule.dynamicTiles()) {
      MemRefType ty = spec.bufferType("tile_counter");
      tileCounter = allocZeroedCounters(b, loc, ty, ty, {});
    }
  }
  if (opSpec.lengthVariants.empty()) {
    launchKernel(opSpec, kernels.front());
  } else {
    // The length variants: if seq_k <= max_0 launch kernel 0, else if
    // seq_k <= max_1 kernel 1, ..., else the last (unbounded) one.
    Value seqK = dimOf(b, loc, kBuf, seqPos);
    std::function<void(unsigned)> chooseFrom = [&](unsigned i) {
      if (i + 1 == kernels.size()) {
        launchKernel(opSpec.lengthVariant(i), kernels[i]);
        return;
      }
      Value fits = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ule, seqK,
          arith::ConstantIndexOp::create(b, loc,
                                         opSpec.lengthVariants[i].maxSeqK));
      scf::IfOp::create(
          b, loc, fits,
          [&](OpBuilder &, Location) {
            launchKernel(opSpec.lengthVariant(i), kernels[i]);
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &, Location) {
            chooseFrom(i + 1);
            scf::YieldOp::create(b, loc);
          });
    };
    chooseFrom(0);
  }

  // The scratch (oPartAlloc, lsePartAlloc, the counter) is freed by the host pipeline's
  // buffer deallocation, like every other memref.alloc: the launches are
  // synchronous, so it is dead after the combine.
  SmallVector<Value> results = {bufferization::ToTensorOp::create(
      b, loc, oTy, oAlloc, /*restrict=*/true, /*writable=*/true)};
  if (lAlloc)
    results.push_back(bufferization::ToTensorOp::create(
        b, loc, op.getLse().getType(), lAlloc, /*restrict=*/true,
        /*writable=*/true));
  op->replaceAllUsesWith(results);
  op->erase();
}

/// The schedule as an attribute on the kernel, for readers of the IR.
static ScheduleAttr scheduleAttr(Builder &b, const GPUSchedule &s) {
  SmallVector<NamedAttribute> attrs;
  for (const ScheduleField &f : scheduleFields(s)) {
    Attribute value = std::visit(
        llvm::makeVisitor(
            [&](int64_t v) -> Attribute { return b.getI64IntegerAttr(v); },
            [&](bool v) -> Attribute { return b.getBoolAttr(v); },
            [&](const std::string &v) -> Attribute {
              return b.getStringAttr(v);
            }),
        f.value);
    attrs.push_back(b.getNamedAttr(f.key, value));
  }
  return ScheduleAttr::get(b.getContext(), b.getDictionaryAttr(attrs));
}

std::string fa2::mangleForPTX(StringRef name) {
  // PTX identifiers are [a-zA-Z0-9_$] (the kernel names start with a
  // letter); every other byte, UTF-8 included, becomes _XX (hex). Collisions
  // with a name that was already spelled that way are resolved by the
  // caller's counter.
  std::string out;
  for (unsigned char ch : name) {
    if (llvm::isAlnum(ch) || ch == '_') {
      out.push_back(ch);
    } else {
      out.push_back('_');
      out += llvm::hexdigit(ch >> 4, /*LowerCase=*/true);
      out += llvm::hexdigit(ch & 15, /*LowerCase=*/true);
    }
  }
  // Long names keep their start and a hash of the whole: symbol names in
  // PTX and in the files the manifests name stay short.
  if (out.size() > 96)
    out = out.substr(0, 80) + "_" + llvm::utohexstr(llvm::xxh3_64bits(name));
  return out;
}

void fa2::emitOptionError(MLIRContext *ctx, StringRef pass,
                          const OptionError &error) {
  // The location is the option in the pass's textual form, e.g.
  // `fa2-lower-to-gpu{chip=sm_99}:1:18`: no op of the module is to blame,
  // so none is printed.
  std::string text =
      (pass + "{" + error.option + "=" + error.value + "}").str();
  Location loc = FileLineColLoc::get(ctx, text, 1, pass.size() + 2);
  mlir::emitError(loc) << pass << ": option " << error.option << "='"
                       << error.value << "': " << error.message;
}

namespace {
struct FA2LowerToGPUPass
    : public fa2::impl::FA2LowerToGPUBase<FA2LowerToGPUPass> {
  using FA2LowerToGPUBase::FA2LowerToGPUBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    FA2LowerToGPUBase::getDependentDialects(registry);
    // bf16 kernels call nvvm.mma.sync directly (see KernelBuilder.cpp); the
    // gpu.module carries an #nvvm.target.
    registry.insert<NVVM::NVVMDialect, LLVM::LLVMDialect>();
    // The host side leaves bufferization.to_buffer/to_tensor around the
    // launch for One-Shot Bufferize; upstream registers the models it needs
    // in mlir::registerAllDialects, which a tool embedding fa2 may not call.
    arith::registerBufferizableOpInterfaceExternalModels(registry);
    bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
        registry);
    linalg::registerBufferizableOpInterfaceExternalModels(registry);
    scf::registerBufferizableOpInterfaceExternalModels(registry);
    tensor::registerBufferizableOpInterfaceExternalModels(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    GPUOptions options;
    options.chip = chip;
    options.schedule = schedule;
    options.f32Precision = f32Precision;
    if (std::optional<OptionError> bad = checkGPUOptions(options)) {
      emitOptionError(&getContext(), getArgument(), *bad);
      return signalPassFailure();
    }
    std::optional<ChipInfo> chipInfo = getChipInfo(chip);
    F32Precision precision = *parseF32Precision(f32Precision);
    std::string unused;
    SmallVector<ScheduleField> optionFields =
        *parseScheduleFields(schedule, unused);

    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    // Each op's kernel goes into the builtin.module that holds it (a nested
    // module keeps its launches and kernels together); names are unique
    // across all of them, as the manifests of one run share a folder.
    SymbolTableCollection symbols;
    llvm::StringSet<> usedNames;
    llvm::StringMap<int64_t> counters;
    llvm::SetVector<Operation *> containers;
    // Each container's kernel manifests, by kernel name.
    llvm::MapVector<Operation *, SmallVector<NamedAttribute>> manifests;
    OpBuilder b(module.getContext());
    for (AttentionOp op : ops) {
      // The option's fields, then the op's own (the more specific wins).
      SmallVector<ScheduleField> requested = optionFields;
      auto opSchedule = op->getAttrOfType<ScheduleAttr>(
          FA2Dialect::getScheduleAttrName());
      if (opSchedule)
        llvm::append_range(requested, scheduleFieldsOf(opSchedule));
      // head_section_bytes orders a causal grid's query blocks by weight;
      // without a causal mask they weigh the same and the field lapses (a
      // `schedule` option serves a module's causal ops too).
      if (!op.getCausal())
        llvm::erase_if(requested, [](const ScheduleField &f) {
          return f.key == "head_section_bytes";
        });
      std::string why;
      std::optional<OptionError> fieldError;
      FailureOr<AttentionKernelSpec> spec = matchGPUAttention(
          op, *chipInfo, precision, requested, why, fieldError);
      if (failed(spec)) {
        if (!requested.empty() &&
            StringRef(why).starts_with("no valid schedule")) {
          // The user asked for this schedule: falling back to the CPU
          // would hide that it cannot run.
          mlir::emitError(op.getLoc())
              << "fa2-lower-to-gpu: the schedule "
              << (opSchedule ? "the op's fa2.schedule and the options ask for"
                             : "the options ask for")
              << " cannot run this kernel: "
              << StringRef(why).drop_front(strlen("no valid schedule: "));
          return signalPassFailure();
        }
        op.emitRemark() << "fa2-lower-to-gpu: not lowered to a GPU kernel: "
                        << why;
        continue;
      }
      auto parent = op->getParentOfType<ModuleOp>();
      // The kernel is named after the function of `parent` holding the op,
      // mangled to a PTX identifier (the manifest records the real name).
      Operation *top = op;
      while (top->getParentOp() != parent)
        top = top->getParentOp();
      std::string owner = "module";
      if (auto sym =
              top->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()))
        owner = sym.str();
      std::string mangled = mangleForPTX(owner);
      SymbolTable &table = symbols.getSymbolTable(parent);
      std::string name;
      do {
        name = "fa2_attention_" + mangled + "_" +
               std::to_string(counters[mangled]++);
      } while (table.lookup(name) || usedNames.contains(name));
      usedNames.insert(name);
      spec->name = name;
      spec->function = owner;
      if (spec->f32Precision)
        op.emitRemark() << "fa2-lower-to-gpu: f32 inputs on 16-bit tensor cores, "
                        << f32PrecisionReason(*spec->f32Precision);
      if (!spec->mmaFallback.empty())
        op.emitRemark() << "fa2-lower-to-gpu: mma = wgmma not used, the "
                           "mma.sync kernel serves this op: "
                        << spec->mmaFallback;

      b.setInsertionPoint(top);
      // wgmma kernels need PTX 8.0 (wgmma, setmaxnreg, TMA); the others
      // keep the target's default ISA version.
      bool wgmma = spec->schedule.wgmma();
      auto target = NVVM::NVVMTargetAttr::get(
          module.getContext(), /*optLevel=*/3, "nvptx64-nvidia-cuda",
          chipInfo->name, wgmma ? "+ptx80" : "");
      auto gpuModule = gpu::GPUModuleOp::create(b, op.getLoc(), name,
                                                ArrayRef<Attribute>{target});
      table.insert(gpuModule);
      containers.insert(parent);
      IRRewriter rewriter(module.getContext());
      auto buildKernel = [&](const AttentionKernelSpec &kernelSpec) {
        gpu::GPUFuncOp kernel =
            wgmma ? buildHopperAttentionKernel(b, op.getLoc(), gpuModule,
                                               kernelSpec)
                  : buildAttentionKernel(b, op.getLoc(), gpuModule,
                                         kernelSpec);
        kernel->setAttr(FA2Dialect::getScheduleAttrName(),
                        scheduleAttr(b, kernelSpec.schedule));
        // The builder leaves constants behind where it folded index math;
        // folding with no patterns removes them and merges the rest.
        (void)applyPatternsGreedily(kernel, FrozenRewritePatternSet());
        DominanceInfo dominance(kernel);
        eliminateCommonSubExpressions(rewriter, dominance, kernel);
        return kernel;
      };
      // One kernel, or one per length variant (the same gpu.module).
      SmallVector<gpu::GPUFuncOp> kernels;
      unsigned numKernels = std::max<size_t>(1, spec->lengthVariants.size());
      for (unsigned i = 0; i < numKernels; ++i)
        kernels.push_back(buildKernel(
            spec->lengthVariants.empty() ? *spec : spec->lengthVariant(i)));
      // The prefill tile's split: the op's kernel unsplit, for a launch
      // whose run-time count is 1.
      gpu::GPUFuncOp oneSplit;
      if (spec->hasOneSplitKernel())
        oneSplit = buildKernel(spec->oneSplitKernel());
      // Split-KV: the combine kernel, in the same gpu.module (one binary).
      gpu::GPUFuncOp combine;
      if (spec->splitKV() && !spec->lastCTACombine()) {
        combine = buildCombineKernel(b, op.getLoc(), gpuModule, *spec);
        (void)applyPatternsGreedily(combine, FrozenRewritePatternSet());
        DominanceInfo combineDominance(combine);
        eliminateCommonSubExpressions(rewriter, combineDominance, combine);
      }
      rewriteToLaunch(b, op, kernels, combine, oneSplit, *spec);

      manifests[parent].push_back(b.getNamedAttr(
          name, manifestAttr(module.getContext(), buildManifest(*spec))));
    }
    for (Operation *container : containers)
      container->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                         b.getUnitAttr());
    // The manifests wait in the IR for their binaries: fa2-write-kernels
    // names each one's file and writes it.
    for (auto &[container, entries] : manifests) {
      if (auto earlier = container->getAttrOfType<DictionaryAttr>(
              FA2Dialect::getManifestsAttrName()))
        entries.append(earlier.begin(), earlier.end());
      container->setAttr(FA2Dialect::getManifestsAttrName(),
                         b.getDictionaryAttr(entries));
    }
  }
};
} // namespace
