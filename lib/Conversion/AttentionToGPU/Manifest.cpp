//===- Manifest.cpp - the JSON kernel manifest (schema version 1) ---------===//
//
// The parameter list mirrors how `convert-gpu-to-nvvm` expands the kernel's
// signature: each 1-D memref becomes (allocated ptr, aligned ptr, offset,
// size, stride), then one i32 per dynamic size. A runner that follows
// "params" in order builds the exact argument array of the PTX .entry.
//
//===----------------------------------------------------------------------===//

#include "fa2/Conversion/AttentionToGPU/Manifest.h"
#include "fa2/Conversion/AttentionToGPU/CombineBuilder.h"
#include "fa2/Conversion/AttentionToGPU/HopperKernelBuilder.h"
#include "fa2/Conversion/AttentionToGPU/SplitOperands.h"
#include "fa2/Dialect/Attention/IR/TensorLayout.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace fa2;
namespace json = llvm::json;

static std::string typeName(Type t) {
  if (t.isF16())
    return "f16";
  if (t.isBF16())
    return "bf16";
  if (t.isF32())
    return "f32";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

static json::Value dimValue(int64_t v) {
  if (ShapedType::isDynamic(v))
    return nullptr;
  return v;
}

/// The rows of one CTA row: seq_q, or G·seq_q with packed GQA rows.
static std::string rowsExpression(const AttentionKernelSpec &spec) {
  if (!spec.schedule.packGQA)
    return "seq_q";
  return std::to_string(spec.groupSize()) + " * seq_q";
}

SmallVector<std::string, 3>
fa2::gridExpressions(const AttentionKernelSpec &spec) {
  std::string x = "ceildiv(" + rowsExpression(spec) + ", " +
                  std::to_string(spec.schedule.blockM) + ")";
  if (spec.splitKV())
    x += " * num_splits";
  std::string bh =
      spec.schedule.packGQA ? "batch * heads_kv" : "batch * heads_q";
  // A persistent kernel: one CTA per tile up to one per SM of the chip's
  // largest part, or min_blocks_per_sm per SM (HopperKernelBuilder.cpp
  // loops over the rest).
  if (spec.schedule.persistent)
    return {"min(" + x + " * " + bh + ", " +
                std::to_string(
                    spec.schedule.persistentCTAs(spec.chip.smCount)) +
                ")",
            "1", "1"};
  if (!spec.foldBatchHeads)
    return {x, bh, "1"};
  // Spread over y and z, each at most 65535 (KernelBuilder.h); z never 0,
  // so y's division is defined even for an empty batch (then y = 0).
  std::string z = "ceildiv(" + bh + " + 1, " + std::to_string(kMaxGridY) + ")";
  return {x, "ceildiv(" + bh + ", " + z + ")", z};
}

/// The manifest of one kernel (see buildManifest).
static json::Object buildKernelManifest(const AttentionKernelSpec &spec);

json::Object fa2::buildManifest(const AttentionKernelSpec &spec) {
  if (spec.hasOneSplitKernel()) {
    // The split kernel's manifest, and `one_split`: the launch that replaces
    // it and its combine where num_splits evaluates to 1 (its buffers, q, k,
    // v, o[, lse][, mask], are among the split kernel's).
    json::Object m = buildKernelManifest(spec);
    json::Object unsplit = buildKernelManifest(spec.oneSplitKernel());
    json::Object oneSplit;
    for (StringRef key : {"kernel", "params", "grid", "block",
                          "dynamic_shared_memory_bytes", "schedule"})
      oneSplit[key] = std::move(*unsplit.get(key));
    m["one_split"] = std::move(oneSplit);
    return m;
  }
  if (spec.lengthVariants.empty())
    return buildKernelManifest(spec);
  // Length variants: the first kernel's manifest, every variant's buffers
  // (a runner allocates them all; each kernel's params name its own), and
  // `variants`, each kernel's launch with the seq_k range it serves.
  SmallVector<json::Object> kernels;
  for (unsigned i = 0; i < spec.lengthVariants.size(); ++i)
    kernels.push_back(buildKernelManifest(spec.lengthVariant(i)));
  json::Object m = kernels.front();
  json::Array variants;
  for (auto [v, range] : llvm::zip_equal(kernels, spec.lengthVariants)) {
    json::Object *buffers = m.getObject("buffers");
    for (auto &[name, buffer] : *v.getObject("buffers"))
      if (!buffers->get(name))
        (*buffers)[name] = buffer;
    json::Object variant;
    variant["when"] = json::Object{
        {"seq_k", json::Array{range.minSeqK,
                              range.unbounded() ? json::Value(nullptr)
                                                : json::Value(range.maxSeqK)}}};
    for (StringRef key : {"kernel", "params", "grid", "block",
                          "dynamic_shared_memory_bytes", "schedule"})
      variant[key] = std::move(*v.get(key));
    variants.push_back(std::move(variant));
  }
  m["variants"] = std::move(variants);
  return m;
}

static json::Object buildKernelManifest(const AttentionKernelSpec &spec) {
  json::Object m;
  m["version"] = kManifestVersion;
  m["kernel"] = spec.name;
  // The function the kernel was made from, as the input spelled it (the
  // kernel's name is that name mangled to a PTX identifier).
  m["function"] = spec.function;
  m["chip"] = spec.chip.name;
  m["dtype"] = typeName(spec.elementType);
  m["out_dtype"] = typeName(spec.outElementType);
  if (spec.f32Precision) {
    auto pieces = spec.operandPieces();
    m["f32_precision"] = json::Object{
        {"mode", stringifyF32Precision(*spec.f32Precision)},
        {"operand_pieces", pieces},
        {"products", static_cast<int64_t>(pieceProducts(pieces).size())},
        {"reason", f32PrecisionReason(*spec.f32Precision)}};
  }
  m["layout"] = spec.bshd ? "bshd" : "bhsd";
  m["causal"] = spec.causal;
  // Only where set, so that other kernels' manifests stay as they were.
  if (spec.window) {
    m["window_left"] = spec.window->first;
    m["window_right"] = spec.window->second;
  }
  if (spec.fill)
    m["fill"] = *spec.fill;
  m["scale"] = spec.scale;
  m["lse"] = spec.hasLse;

  json::Object dims;
  for (StringRef d : {"batch", "heads_q", "heads_kv", "seq_q", "seq_k",
                      "head_dim", "head_dim_v"})
    dims[d] = dimValue(spec.size(d));
  m["dims"] = std::move(dims);

  SmallVector<StringRef> buffers = {"q", "k", "v", "o"};
  if (spec.hasLse)
    buffers.push_back("lse");
  if (spec.hasMask())
    buffers.push_back("mask");
  // Split-KV scratch, which the runner allocates (uninitialized: every
  // element is written by the splits before the combine reads it).
  if (spec.splitKV()) {
    buffers.push_back("o_partial");
    buffers.push_back("lse_partial");
  }
  // The last-CTA combine's arrival counters: zero before the first launch
  // (each launch leaves them at zero again).
  if (spec.lastCTACombine())
    buffers.push_back("combine_counter");
  // The dynamic tile scheduler's counters: zero before the first launch
  // (the last CTA of each launch resets them).
  if (spec.schedule.dynamicTiles())
    buffers.push_back("tile_counter");
  json::Object bufs;
  for (StringRef buf : buffers) {
    SmallVector<std::string> shape = spec.bufferShape(buf);
    json::Array shapeJson;
    for (const std::string &d : shape)
      shapeJson.push_back(d);
    Type elem = spec.bufferType(buf).getElementType();
    json::Object b{{"dtype", typeName(elem)}, {"shape", std::move(shapeJson)}};
    bool counter = buf == "combine_counter" || buf == "tile_counter";
    if (buf == "o_partial" || buf == "lse_partial" || counter)
      b["scratch"] = true;
    if (counter)
      b["zero_init"] = true;
    bufs[buf] = std::move(b);
  }
  // The five parameters convert-gpu-to-nvvm makes of a 1-D memref.
  auto memrefParams = [&](json::Array &params, StringRef buf) {
    SmallVector<std::string> shape = spec.bufferShape(buf);
    std::string size = llvm::join(shape, " * ");
    auto param = [&](StringRef field, StringRef type) {
      return json::Object{{"name", (buf + "." + field).str()},
                          {"type", type.str()}};
    };
    json::Object alloc = param("allocated", "ptr");
    alloc["buffer"] = buf.str();
    json::Object aligned = param("aligned", "ptr");
    aligned["buffer"] = buf.str();
    json::Object offset = param("offset", "i64");
    offset["value"] = "0";
    json::Object sizeP = param("size", "i64");
    sizeP["value"] = size;
    json::Object stride = param("stride", "i64");
    stride["value"] = "1";
    params.push_back(std::move(alloc));
    params.push_back(std::move(aligned));
    params.push_back(std::move(offset));
    params.push_back(std::move(sizeP));
    params.push_back(std::move(stride));
  };
  json::Array params;
  SmallVector<StringRef> kernelBuffers = {"q", "k", "v", spec.outBuffer()};
  if (spec.schedule.wgmma()) {
    // The wgmma kernel reads Q, K and V (and with epilogue = tma_store
    // writes O) through tensor maps passed by value (128 bytes each): the
    // runner encodes them (cuTensorMapEncodeTiled) from these fields.
    for (StringRef buf : hopperTensorMaps(spec)) {
      SmallVector<std::string> shape = spec.bufferShape(buf); // 4 names
      // Index order [batch, heads, seq, dim] whatever the layout; strides
      // in elements as expressions of the buffer's dims (TensorLayout.h).
      Layout layout = spec.bshd ? Layout::BSHD : Layout::BHSD;
      std::string dim = shape[3], heads = shape[spec.bshd ? 2 : 1],
                  seq = shape[spec.bshd ? 1 : 2];
      // Packed GQA rows (bhsd): Q's (and O's) map has G·Sq rows per K/V
      // head, a group's query heads one after the other (head-major).
      if (spec.schedule.packGQA && (buf == "q" || buf == "o")) {
        heads = "heads_kv";
        seq = seq + " * " + std::to_string(spec.groupSize());
      }
      auto extent = [&](TensorDim d) -> std::string {
        return d == TensorDim::Head ? heads
               : d == TensorDim::Seq ? seq
                                     : dim;
      };
      auto times = [](std::string x, std::string y) { return x + " * " + y; };
      auto strideOf = [&](TensorDim d) {
        return stride<std::string>(layout, d, extent, times, "1");
      };
      std::string rowStride = strideOf(TensorDim::Seq);
      std::string headStride = strideOf(TensorDim::Head);
      std::string batchStride = strideOf(TensorDim::Batch);
      json::Array box;
      for (int64_t v : hopperBox(spec, buf))
        box.push_back(v);
      params.push_back(json::Object{
          {"name", (buf + ".tensor_map").str()},
          {"type", "tensor_map"},
          {"buffer", buf.str()},
          {"dims", json::Array{dim, seq, heads, "batch"}},
          {"strides", json::Array{rowStride, headStride, batchStride}},
          {"box", std::move(box)},
          {"swizzle", "128b"}});
    }
    kernelBuffers = {spec.outBuffer()};
  }
  if (spec.writesLse())
    kernelBuffers.push_back(spec.lseBuffer());
  if (spec.hasMask())
    kernelBuffers.push_back("mask");
  kernelBuffers.append(spec.finalBuffers());
  if (spec.schedule.dynamicTiles())
    kernelBuffers.push_back("tile_counter");
  for (StringRef buf : kernelBuffers)
    memrefParams(params, buf);
  for (const std::string &name : spec.dynamicSizeNames())
    params.push_back(
        json::Object{{"name", name}, {"type", "i32"}, {"value", name}});
  // A dynamic mask extent: the runner's mask is dense in the manifest's
  // shape, whose expression for that dim is the scores' name.
  for (const std::string &name : spec.dynamicMaskDimNames())
    params.push_back(json::Object{
        {"name", "mask." + name}, {"type", "i32"}, {"value", name}});
  m["buffers"] = std::move(bufs);
  m["params"] = std::move(params);

  json::Array grid;
  for (const std::string &g : gridExpressions(spec))
    grid.push_back(g);
  m["grid"] = std::move(grid);
  m["block"] = json::Array{spec.schedule.numThreads(), 1, 1};
  m["dynamic_shared_memory_bytes"] = spec.sharedMemoryBytes();
  if (!spec.mmaFallback.empty())
    m["mma_fallback"] = spec.mmaFallback;
  json::Object schedule;
  for (const ScheduleField &f : scheduleFields(spec.schedule))
    schedule[f.key] = std::visit(
        llvm::makeVisitor([](int64_t v) { return json::Value(v); },
                          [](bool v) { return json::Value(v); },
                          [](const std::string &v) { return json::Value(v); }),
        f.value);
  m["schedule"] = std::move(schedule);

  if (spec.splitKV()) {
    // The split count: a literal, or chosen at run time from the sizes and
    // the device's SM count (numKVSplits in Schedule.cpp).
    const GPUSchedule &s = spec.schedule;
    if (!ShapedType::isDynamic(spec.numSplits)) {
      m["num_splits"] = std::to_string(spec.numSplits);
    } else {
      std::string ctas = (s.packGQA ? "batch * heads_kv" : "batch * heads_q") +
                         std::string(" * ceildiv(") + rowsExpression(spec) +
                         ", " + std::to_string(s.blockM) + ")";
      std::string blocks =
          "ceildiv(seq_k, " + std::to_string(s.blockN) + ")";
      m["num_splits"] =
          numKVSplitsExpression(ctas, blocks, s.minBlocksPerSplit,
                                s.splitSlotsPerSM());
    }
    if (spec.lastCTACombine()) {
      // No second launch: the last split CTA of each row tile merges.
      m["combine"] = json::Object{{"mode", "last_cta"}};
      return m;
    }
    // The second launch, after the first on the same stream.
    json::Array cParams;
    SmallVector<StringRef> cBuffers = {"o_partial", "lse_partial", "o"};
    if (spec.hasLse)
      cBuffers.push_back("lse");
    for (StringRef buf : cBuffers)
      memrefParams(cParams, buf);
    for (const std::string &name : combineSizeNames(spec))
      cParams.push_back(
          json::Object{{"name", name}, {"type", "i32"}, {"value", name}});
    json::Object combine;
    combine["mode"] = "launch";
    combine["kernel"] = combineKernelName(spec);
    combine["params"] = std::move(cParams);
    combine["grid"] = json::Array{"ceildiv(batch * heads_q * seq_q, " +
                                      combineRowsPerCTAExpression(
                                          spec.headDimV) +
                                      ")",
                                  "1", "1"};
    combine["block"] = json::Array{32 * kCombineWarps, 1, 1};
    combine["dynamic_shared_memory_bytes"] = 0;
    if (programmaticCombine(spec))
      combine["programmatic_dependent_launch"] = true;
    // One split (num_splits = 1 at run time): the kernel wrote O and LSE
    // itself and this kernel returns at once; a host may leave it out.
    if (spec.writesOneSplitDirectly())
      combine["skip_at_one_split"] = true;
    m["combine"] = std::move(combine);
  }
  return m;
}

void fa2::completeManifest(json::Object &manifest, StringRef kernel,
                           StringRef format) {
  manifest["binary"] = (kernel + "." + format).str();
  manifest["format"] = format.str();
}

Attribute fa2::manifestAttr(MLIRContext *ctx, const json::Value &value) {
  Builder b(ctx);
  if (const json::Object *object = value.getAsObject()) {
    SmallVector<NamedAttribute> entries;
    for (const auto &[key, item] : *object)
      entries.push_back(b.getNamedAttr(key, manifestAttr(ctx, item)));
    return b.getDictionaryAttr(entries);
  }
  if (const json::Array *array = value.getAsArray()) {
    SmallVector<Attribute> items;
    for (const json::Value &item : *array)
      items.push_back(manifestAttr(ctx, item));
    return b.getArrayAttr(items);
  }
  if (std::optional<StringRef> str = value.getAsString())
    return b.getStringAttr(*str);
  if (std::optional<bool> flag = value.getAsBoolean())
    return b.getBoolAttr(*flag);
  if (value.getAsNull())
    return b.getUnitAttr();
  // Integers print as integers; so do integral doubles (JSON does not tell
  // them apart in print), so both may become i64.
  if (std::optional<int64_t> integer = value.getAsInteger())
    return b.getI64IntegerAttr(*integer);
  return b.getF64FloatAttr(*value.getAsNumber());
}

json::Value fa2::manifestJSON(Attribute attr) {
  if (auto dict = dyn_cast<DictionaryAttr>(attr)) {
    json::Object object;
    for (NamedAttribute entry : dict)
      object[entry.getName().getValue()] = manifestJSON(entry.getValue());
    return json::Value(std::move(object));
  }
  if (auto array = dyn_cast<ArrayAttr>(attr)) {
    json::Array items;
    for (Attribute item : array)
      items.push_back(manifestJSON(item));
    return json::Value(std::move(items));
  }
  if (auto str = dyn_cast<StringAttr>(attr))
    return str.getValue().str();
  if (auto flag = dyn_cast<BoolAttr>(attr))
    return flag.getValue();
  if (auto integer = dyn_cast<IntegerAttr>(attr))
    return integer.getInt();
  if (auto number = dyn_cast<FloatAttr>(attr))
    return number.getValueAsDouble();
  return nullptr;
}

llvm::Error fa2::writeManifest(const json::Object &manifest, StringRef kernel,
                               StringRef dir) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError(ec, "cannot create '" + dir + "'");
  SmallString<256> path(dir);
  llvm::sys::path::append(path, kernel + ".json");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return llvm::createStringError(ec, "cannot write '" + path + "'");
  os << llvm::formatv("{0:2}", json::Value(json::Object(manifest))) << "\n";
  return llvm::Error::success();
}
