//===- Pipelines.cpp - fa2-to-cpu and fa2-to-ptx ---------------------------===//
#include "fa2/Pipelines/Pipelines.h"

#include "fa2/Pipelines/Passes.h"
#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"
#include "fa2/Conversion/Passes.h"
#include "fa2/Dialect/Attention/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ShapedOpInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// The value `v` takes once the canonicalizer has folded what it can: a
/// constant, or the fold of its defining op given the values of the operands
/// that fold to constants (`arith.subi %c0, %c1` is -1 to the greedy rewrite
/// driver before any pattern sees its user). The fold runs on a detached
/// clone, since folders may update an op in place. nullopt when unknown.
static std::optional<int64_t>
foldedInteger(Value v, DenseMap<Value, std::optional<int64_t>> &memo,
              unsigned depth = 8) {
  if (auto it = memo.find(v); it != memo.end())
    return it->second;
  std::optional<int64_t> result;
  auto finish = [&] { return memo[v] = result; };
  APInt constant;
  if (matchPattern(v, m_ConstantInt(&constant))) {
    if (constant.getSignificantBits() <= 64)
      result = constant.getSExtValue();
    return finish();
  }
  auto opResult = dyn_cast<OpResult>(v);
  if (!opResult || depth == 0)
    return finish();
  Operation *def = opResult.getOwner();
  if (def->getNumRegions() != 0 || !isPure(def))
    return finish();
  SmallVector<Attribute> operands;
  bool anyConstant = false;
  for (Value operand : def->getOperands()) {
    std::optional<int64_t> value;
    if (operand.getType().isIntOrIndex())
      value = foldedInteger(operand, memo, depth - 1);
    operands.push_back(value ? IntegerAttr::get(operand.getType(), *value)
                             : Attribute());
    anyConstant |= value.has_value();
  }
  if (!anyConstant)
    return finish();
  Operation *clone = def->clone();
  SmallVector<OpFoldResult> folded;
  if (succeeded(clone->fold(operands, folded)) &&
      folded.size() == def->getNumResults()) {
    OpFoldResult mine = folded[opResult.getResultNumber()];
    if (auto attr = dyn_cast_if_present<IntegerAttr>(
            dyn_cast_if_present<Attribute>(mine))) {
      if (attr.getValue().getSignificantBits() <= 64)
        result = attr.getValue().getSExtValue();
    } else if (auto forwarded = dyn_cast_if_present<Value>(mine)) {
      // A fold that forwards an operand (addi %x, 0 -> %x): the clone's
      // operands are the original's values; the clone's own results are not.
      if (forwarded.getDefiningOp() != clone)
        result = foldedInteger(forwarded, memo, depth - 1);
    }
  }
  clone->destroy();
  return finish();
}

/// IR that verifies but that an upstream pattern of the pipeline crashes on,
/// reported at the op. A `memref.dim`/`tensor.dim` of a dimension outside
/// [0, rank) is undefined behaviour, yet verifies; the GPU dialect's
/// `memref.dim(gpu.alloc)` canonicalization (registered whenever the GPU
/// dialect is loaded: always in fa2-to-ptx, in fa2-to-cpu on a module with a
/// gpu.module) rejects an index past the rank but indexes the shape with a
/// negative one, and tensor.dim becomes memref.dim when bufferized.
static LogicalResult checkUpstreamPreconditions(Operation *root,
                                                StringRef pipeline) {
  DenseMap<Value, std::optional<int64_t>> memo;
  bool failed = false;
  root->walk([&](ShapedDimOpInterface dimOp) {
    OpFoldResult dimension = dimOp.getDimension();
    std::optional<int64_t> index =
        isa<Value>(dimension)
            ? foldedInteger(cast<Value>(dimension), memo)
            : getConstantIntValue(dimension);
    if (!index)
      return;
    auto shaped = dyn_cast<ShapedType>(dimOp.getShapedValue().getType());
    bool ranked = shaped && shaped.hasRank();
    if (*index >= 0 && (!ranked || *index < shaped.getRank()))
      return;
    InFlightDiagnostic diag = dimOp->emitError()
                              << pipeline << ": '" << dimOp->getName()
                              << "' asks for dimension " << *index << " of ";
    if (ranked)
      diag << "a rank-" << shaped.getRank() << " ";
    diag << dimOp.getShapedValue().getType()
         << ": undefined behaviour, which the pipeline's upstream rewrites "
            "cannot take (they index the shape with it)";
    failed = true;
  });
  return failure(failed);
}

/// Whether the pipeline's LLVM type converters take a memref of memory space
/// `space`: host code maps only integer spaces (LLVM address spaces); inside a
/// gpu.module, fa2-to-ptx's NVVM lowering also maps `#gpu.address_space`.
static bool lowerableMemorySpace(Attribute space, bool inGPUModule,
                                 bool gpuPipeline) {
  if (!space || isa<IntegerAttr>(space))
    return true;
  return gpuPipeline && inGPUModule && isa<gpu::AddressSpaceAttr>(space);
}

/// A memref whose memory space the pipeline cannot map to an LLVM address
/// space, reported at its first op (or block's parent op). Upstream's type
/// converter reports it at no location and leaves the IR half lowered.
static LogicalResult checkMemorySpaces(Operation *root, StringRef pipeline) {
  bool gpuPipeline = pipeline == "fa2-to-ptx";
  auto unmapped = [&](Type type, bool inGPUModule) -> Attribute {
    Attribute space;
    if (auto ranked = dyn_cast<MemRefType>(type))
      space = ranked.getMemorySpace();
    else if (auto unranked = dyn_cast<UnrankedMemRefType>(type))
      space = unranked.getMemorySpace();
    return lowerableMemorySpace(space, inGPUModule, gpuPipeline) ? Attribute()
                                                                 : space;
  };
  WalkResult result = root->walk([&](Operation *op) {
    bool inGPUModule = op->getParentOfType<gpu::GPUModuleOp>() != nullptr;
    SmallVector<Type> types(op->getOperandTypes());
    llvm::append_range(types, op->getResultTypes());
    for (Region &region : op->getRegions())
      for (Block &block : region)
        llvm::append_range(types, block.getArgumentTypes());
    if (auto fn = dyn_cast<FunctionOpInterface>(op)) {
      llvm::append_range(types, fn.getArgumentTypes());
      llvm::append_range(types, fn.getResultTypes());
    }
    for (Type type : types) {
      Attribute space = unmapped(type, inGPUModule || isa<gpu::GPUModuleOp>(op));
      if (!space)
        continue;
      op->emitError() << pipeline << ": " << type << " is in memory space "
                      << space << ", which "
                      << (gpuPipeline ? "only kernel code (a gpu.module) can "
                                        "use, and only as #gpu.address_space"
                                      : "the CPU lowering cannot map to an "
                                        "LLVM address space (only integer "
                                        "memory spaces)");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// The first pass of fa2-to-cpu and fa2-to-ptx: an option no kernel can
/// run with is an error located at the option (the pipeline's textual form),
/// before anything is lowered, instead of a remark per op and a silent
/// fallback, or a failure reported at the module; so is a nested module,
/// which the pipeline's nested passes would not reach, and so is IR that an
/// upstream pass of the pipeline would crash on (checkUpstreamPreconditions)
/// or leave half lowered with an unlocated error (checkMemorySpaces): the
/// pipeline only hands upstream patterns IR they accept.
struct CheckPipelineInputPass
    : public PassWrapper<CheckPipelineInputPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckPipelineInputPass)
  CheckPipelineInputPass(std::string pipeline,
                         std::optional<fa2::OptionError> error)
      : pipeline(std::move(pipeline)), error(std::move(error)) {}
  StringRef getArgument() const final { return "fa2-check-pipeline-input"; }
  StringRef getDescription() const final {
    return "Reject the pipeline's options, and input its passes cannot take, "
           "before lowering anything";
  }
  void runOnOperation() override {
    if (error) {
      fa2::emitOptionError(&getContext(), pipeline, *error);
      return signalPassFailure();
    }
    // The pipeline's function- and gpu.module-level passes are nested under
    // the module it runs on: a nested module's ops would be left half
    // lowered. Say so at the nested module instead.
    WalkResult nested = getOperation()->walk([&](ModuleOp inner) {
      if (inner == getOperation())
        return WalkResult::advance();
      mlir::emitError(inner.getLoc())
          << pipeline
          << " lowers the functions of one module, not those of a nested "
             "builtin.module: run it on this module instead, e.g. "
             "--pass-pipeline='builtin.module(builtin.module("
          << pipeline << "))'";
      return WalkResult::interrupt();
    });
    if (nested.wasInterrupted())
      return signalPassFailure();
    if (failed(checkUpstreamPreconditions(getOperation(), pipeline)) ||
        failed(checkMemorySpaces(getOperation(), pipeline)))
      signalPassFailure();
  }
  std::string pipeline;
  std::optional<fa2::OptionError> error;
};
} // namespace

/// Block sizes of the CPU lowering: its scratch tiles (f32, blockQ x blockK
/// and blockQ x head dim) live on the stack.
static std::optional<fa2::OptionError>
checkCPUOptions(const fa2::ToCPUOptions &options) {
  constexpr int64_t kMaxBlock = 1024, kMaxTile = 65536;
  for (auto [name, value] : {std::pair<StringRef, int64_t>{"block-q",
                                                           options.blockQ},
                             {"block-k", options.blockK}})
    if (value < 1 || value > kMaxBlock)
      return fa2::OptionError{name.str(), std::to_string(value),
                              "expected 1 to " + std::to_string(kMaxBlock)};
  if (options.blockQ * options.blockK > kMaxTile)
    return fa2::OptionError{
        "block-q", std::to_string(options.blockQ),
        "block-q x block-k = " +
            std::to_string(options.blockQ * options.blockK) +
            " scores per block is more than the " + std::to_string(kMaxTile) +
            " the stack-allocated tile may hold"};
  return std::nullopt;
}

/// Tensor level, for the host: TOSA to linalg/arith/tensor, elementwise ops
/// on tensors to linalg, aggregated ops (linalg.softmax) to generics.
static void addHostTensorLoweringPasses(OpPassManager &pm) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(tosa::createTosaOptionalDecompositionsPass());
  fpm.addPass(tosa::createTosaToLinalgNamed());
  fpm.addPass(tosa::createTosaToLinalg());
  fpm.addPass(createTosaToArithPass());
  fpm.addPass(createTosaToTensorPass());
  fpm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(fa2::createFA2DecomposeAggregatedOps());
}

/// Bufferizes the whole module; function boundaries get identity layouts so
/// that mlir-runner's C interface and a caller's memrefs agree. Loops may
/// yield fresh buffers (an fa2.attention result, or a launch's output,
/// carried by a decoding loop).
static bufferization::OneShotBufferizePassOptions hostBufferizeOptions() {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  return bufferize;
}

/// Host loops and memrefs to the LLVM dialect. bf16 extf/truncf become
/// integer ops (arith-expand) since the host may lack native bf16 conversions;
/// f16 ones go to LLVM's fpext/fptrunc, which x86 lowers with F16C or
/// compiler-rt. With `gpuLaunches`, gpu.launch_func becomes runtime calls.
static void addHostToLLVMPasses(OpPassManager &pm, bool gpuLaunches = false) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  if (gpuLaunches)
    pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void fa2::buildToCPUPipeline(OpPassManager &pm, const ToCPUOptions &options) {
  pm.addPass(std::make_unique<CheckPipelineInputPass>(
      "fa2-to-cpu", checkCPUOptions(options)));
  addHostTensorLoweringPasses(pm);
  // fa2 ops to FlashAttention-2's loops.
  FA2LowerToLoopsOptions loops;
  loops.blockQ = options.blockQ;
  loops.blockK = options.blockK;
  pm.addPass(createFA2LowerToLoops(loops));
  pm.addPass(createCanonicalizerPass());

  pm.addPass(bufferization::createOneShotBufferizePass(hostBufferizeOptions()));
  bufferization::buildBufferDeallocationPipeline(pm);
  // Deallocation may clone a buffer that a loop carries; clones become
  // memref.alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  addHostToLLVMPasses(pm);
}

/// The host code's buffers (docs/runtime.md): static results become
/// out-parameters that the caller allocates, every buffer is freed when it
/// dies, and buffers live on the device (arguments, results, what kernels
/// use) except around host ops, which get host copies; one stream per call.
static void addHostMemoryPasses(OpPassManager &pm) {
  pm.addPass(fa2::createFA2ResultsToOutParams());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(fa2::createFA2PlaceDeviceMemory());
}

void fa2::buildToPTXPipeline(OpPassManager &pm, const ToPTXOptions &options) {
  GPUOptions gpuOptions;
  gpuOptions.chip = options.chip;
  gpuOptions.schedule = options.schedule;
  gpuOptions.manifestDir = options.manifestDir;
  gpuOptions.f32Precision = options.f32Precision;
  pm.addPass(std::make_unique<CheckPipelineInputPass>(
      "fa2-to-ptx", checkGPUOptions(gpuOptions)));

  // Tensor level: attention chains to fa2.attention, then each op the kernel
  // serves to a gpu.module + gpu.launch_func (the rest stays, with remarks).
  pm.addPass(createFA2RaiseAttention());
  FA2LowerToGPUOptions lower;
  lower.chip = options.chip;
  lower.f32Precision = options.f32Precision;
  lower.schedule = options.schedule;
  pm.addPass(createFA2LowerToGPU(lower));

  // Host: the rest of the tensor program, and every fa2.attention the kernel
  // cannot serve (f32 inputs, masks, odd head dims: each has a remark saying
  // why), run on the host with the same blocked algorithm rather than left
  // for bufferization to reject.
  addHostTensorLoweringPasses(pm);
  pm.addPass(createFA2LowerToLoops());
  pm.addPass(createCanonicalizerPass());

  // Host: bufferize around the launches; leftover linalg ops become loops.
  pm.addPass(bufferization::createOneShotBufferizePass(hostBufferizeOptions()));
  addHostMemoryPasses(pm);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());

  // Kernels: fast exp2/log2 (no libdevice), nvgpu and gpu ops to NVVM.
  {
    OpPassManager &gpm = pm.nest<gpu::GPUModuleOp>();
    gpm.addPass(createFA2GPUMathToNVVM());
    gpm.addPass(createSCFToControlFlowPass());
    gpm.addPass(createConvertNVGPUToNVVMPass());
    gpm.addPass(createConvertGpuOpsToNVVMOps());
    // No static byte for the dynamic shared memory's symbol (occupancy).
    gpm.addPass(createFA2ExternDynamicSharedMemory());
    // wgmma and mbarrier waits have no intrinsic: NVVM ops with a PTX
    // spelling become inline asm (no effect on mma.sync kernels).
    gpm.addPass(createConvertNVVMToLLVMPass());
    gpm.addPass(createFA2TensorMapParams());
    gpm.addPass(createCanonicalizerPass());
    gpm.addPass(createCSEPass());
  }

  // Host to LLVM, launches to runtime calls.
  addHostToLLVMPasses(pm, /*gpuLaunches=*/true);

  // Serialize: PTX text (no CUDA needed) or a cubin through ptxas.
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.cubin ? "bin" : "isa";
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  FA2WriteKernelsOptions write;
  write.dir = options.manifestDir;
  pm.addPass(createFA2WriteKernels(write));
}

void fa2::registerPipelines() {
  registerFA2PipelinesPasses();
  PassPipelineRegistration<ToCPUOptions>(
      "fa2-to-cpu",
      "Lower fa2 ops (blocked online softmax) and the rest of the module to "
      "LLVM for the host, runnable with mlir-runner",
      buildToCPUPipeline);
  PassPipelineRegistration<ToPTXOptions>(
      "fa2-to-ptx",
      "Raise attention, lower it to a FlashAttention-2 kernel and serialize "
      "the kernels to PTX in a gpu.binary, the host launching them",
      buildToPTXPipeline);
}
