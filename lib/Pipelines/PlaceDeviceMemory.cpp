//===- PlaceDeviceMemory.cpp - fa2-to-ptx's host code: where buffers live ===//
//
// `fa2-place-device-memory`, the last step of fa2-to-ptx on buffers, fixes
// the calling convention of the host code (docs/runtime.md):
//
//  * Every memref argument of a function with a body is DEVICE memory (a
//    PyTorch CUDA tensor, a cuMemAlloc'd buffer), and so is every memref a
//    function returns. Static-shaped results have become out-parameters
//    (buffer-results-to-out-params) that the caller allocates; a dynamic-shaped
//    result is allocated by the function with the runtime's stream-ordered
//    allocator and owned by the caller (free it with mgpuMemFree).
//  * Kernels (gpu.launch_func) read and write device memory. A buffer that
//    only kernels, copies and calls touch becomes a gpu.alloc.
//  * Every other op that touches memory runs on the host, so it gets host
//    copies: the device buffer is copied to a host buffer before the run of
//    ops that uses it, and back after it when those ops may write it. A host
//    buffer that a kernel or a call needs is copied to a fresh device buffer
//    around that use. Copies cover the whole allocation (its "root": the
//    argument or allocation the view chain starts from); views are rebuilt on
//    the copy.
//  * Everything the function enqueues runs on ONE stream, the one that
//    `gpu.wait async` at the entry yields: with fa2's runtime that is the
//    calling thread's stream (fa2rtSetStream), so kernels run in order with
//    the caller's work. Nothing waits at the end: a function whose work is all
//    on the GPU returns as soon as it is enqueued; copies into host memory are
//    complete when the runtime returns from them, so host ops see their data.
//  * Public functions get llvm.emit_c_interface (the _mlir_ciface_ entry
//    points with memref descriptors).
//
//===----------------------------------------------------------------------===//
#include "fa2/Pipelines/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace fa2 {
#define GEN_PASS_DEF_FA2PLACEDEVICEMEMORY
#include "fa2/Pipelines/Passes.h.inc"
} // namespace fa2

using namespace mlir;

namespace {

/// Where one value's memory lives, and the ops that lead there from its root.
struct Rooted {
  Value root;
  SmallVector<Operation *> chain; // view ops, root first
};

/// Follows view ops back to the buffer they view.
static Rooted rootOf(Value v) {
  Rooted r;
  while (Operation *def = v.getDefiningOp()) {
    Value src;
    if (auto view = dyn_cast<ViewLikeOpInterface>(def);
        view && def->getNumResults() >= 1 && def->getResult(0) == v)
      src = view.getViewSource();
    else if (auto meta = dyn_cast<memref::ExtractStridedMetadataOp>(def);
             meta && meta.getBaseBuffer() == v)
      src = meta.getSource();
    if (!src || !isa<BaseMemRefType>(src.getType()))
      break;
    r.chain.push_back(def);
    v = src;
  }
  std::reverse(r.chain.begin(), r.chain.end());
  r.root = v;
  return r;
}

/// Ops that only read a memref's descriptor or make a view of it.
static bool isMetadataOnly(Operation *op) {
  return isa<ViewLikeOpInterface, memref::DimOp, memref::ExtractStridedMetadataOp,
             memref::ExtractAlignedPointerAsIndexOp, memref::RankOp>(op);
}

/// Calls `fn` on every use of `root` and of the views of it (through ops
/// that only read metadata) by an op that is not such a view; stops when
/// `fn` returns true, and returns whether it did.
static bool anyUseThroughViews(Value root, function_ref<bool(OpOperand &)> fn) {
  SmallVector<Value> work = {root};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isMetadataOnly(user)) {
        for (Value r : user->getResults())
          if (isa<BaseMemRefType>(r.getType()))
            work.push_back(r);
        continue;
      }
      if (fn(use))
        return true;
    }
  }
  return false;
}

/// A memref the placer can allocate a host or device twin of: identity
/// layout, default memory space (gpu.alloc and memref.alloc of the host code
/// make nothing else).
static bool isPlainBuffer(Type t) {
  auto m = dyn_cast<MemRefType>(t);
  return m && m.getLayout().isIdentity() && !m.getMemorySpace();
}

/// A call to a function with a body in this module: its memref arguments
/// follow the convention (device memory).
static bool isDeviceCall(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  if (!call)
    return false;
  auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      call, call.getCalleeAttr());
  return callee && !callee.isExternal();
}

/// A loop or branch (scf.for, scf.while, scf.if, ...) or the terminator that
/// feeds its region's arguments or results (scf.yield, scf.condition): the
/// memrefs it takes live on as other values.
static bool carriesOperands(Operation *op) {
  return isa<RegionBranchOpInterface, RegionBranchTerminatorOpInterface>(op) &&
         !isa<func::ReturnOp>(op);
}

/// How an op uses a memref operand.
enum class Use { None, Device, Host };

static Use useKind(OpOperand &operand) {
  Operation *op = operand.getOwner();
  if (!isa<BaseMemRefType>(operand.get().getType()))
    return Use::None;
  if (isMetadataOnly(op))
    return Use::None;
  if (isa<gpu::LaunchFuncOp, func::ReturnOp>(op) || isDeviceCall(op))
    return Use::Device;
  if (Dialect *dialect = op->getDialect();
      dialect && isa<gpu::GPUDialect>(dialect))
    return Use::None; // gpu.memcpy, gpu.dealloc: any memory
  return Use::Host;
}

/// Whether `op` may write `v`.
/// Whether `op` may have an effect `isKind` on `v`; ops that do not say
/// may.
static bool mayAffect(Operation *op, Value v,
                      function_ref<bool(MemoryEffects::Effect *)> isKind) {
  if (isMemoryEffectFree(op))
    return false;
  auto iface = dyn_cast<MemoryEffectOpInterface>(op);
  if (!iface)
    return true;
  SmallVector<MemoryEffects::EffectInstance> effects;
  iface.getEffects(effects);
  for (auto &e : effects)
    if (isKind(e.getEffect()) && (!e.getValue() || e.getValue() == v))
      return true;
  return false;
}

static bool isWriteOrFree(MemoryEffects::Effect *e) {
  return isa<MemoryEffects::Write, MemoryEffects::Free>(e);
}
static bool isRead(MemoryEffects::Effect *e) {
  return isa<MemoryEffects::Read>(e);
}

static bool mayWrite(Operation *op, Value v) {
  return mayAffect(op, v, isWriteOrFree);
}

class Placer {
public:
  Placer(func::FuncOp func) : func(func), b(func.getContext()) {}

  LogicalResult run();

private:
  bool isDevice(Value v) {
    Value root = rootOf(v).root;
    if (auto arg = dyn_cast<BlockArgument>(root))
      return arg.getOwner() == &func.getBody().front();
    Operation *def = root.getDefiningOp();
    return isa<gpu::AllocOp>(def) || isDeviceCall(def);
  }

  /// `v`'s view chain rebuilt on `newRoot`, right before `before`.
  Value rebuild(const Rooted &r, Value newRoot, Operation *before) {
    if (r.chain.empty())
      return newRoot;
    IRMapping map;
    map.map(r.root, newRoot);
    b.setInsertionPoint(before);
    Value last;
    for (Operation *view : r.chain) {
      Operation *clone = b.clone(*view, map);
      last = clone->getResult(0);
    }
    return last;
  }

  /// A buffer shaped like `like` (identity layout), host or device.
  FailureOr<Value> allocLike(Location loc, Value like, bool device) {
    auto type = dyn_cast<MemRefType>(like.getType());
    if (!type || !isPlainBuffer(type))
      return failure();
    SmallVector<Value> dyn;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        dyn.push_back(memref::DimOp::create(b, loc, like, i));
    if (!device)
      return memref::AllocOp::create(b, loc, type, dyn,
                                     b.getI64IntegerAttr(64))
          .getResult();
    return gpu::AllocOp::create(b, loc, type, tokenType(), {stream}, dyn,
                                ValueRange{})
        .getMemref();
  }

  Type tokenType() { return gpu::AsyncTokenType::get(func.getContext()); }

  void copy(Location loc, Value dst, Value src) {
    gpu::MemcpyOp::create(b, loc, tokenType(), {stream}, dst, src);
  }

  LogicalResult convertDeviceAllocs();
  LogicalResult stageHostUses(Block &block, Value root);
  LogicalResult stageForDevice(OpOperand &operand);
  LogicalResult makeAsync();

  func::FuncOp func;
  OpBuilder b;
  Value stream;
  /// Host copies this pass frees itself.
  llvm::SmallPtrSet<Value, 4> ownedStaging;
};

/// memref.alloc becomes gpu.alloc when a kernel, a device call or a return
/// uses it (through views) before any host op does: a kernel's output that a
/// host op reads later is then copied to the host once, where placing it on
/// the host would copy it to the device and back around the launch.
LogicalResult Placer::convertDeviceAllocs() {
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp a) { allocs.push_back(a); });
  for (memref::AllocOp alloc : allocs) {
    if (!isPlainBuffer(alloc.getType()))
      continue;
    bool host = false, device = false, carried = false;
    // The first use in program order, as its ancestor in the alloc's block.
    Block *block = alloc->getBlock();
    Operation *first = nullptr;
    bool firstIsDevice = false;
    auto note = [&](Operation *user, bool isDevice) {
      Operation *anc = block->findAncestorOpInBlock(*user);
      if (!anc)
        return;
      if (!first || anc->isBeforeInBlock(first) ||
          (anc == first && isDevice && !firstIsDevice)) {
        first = anc;
        firstIsDevice = isDevice;
      }
    };
    anyUseThroughViews(alloc.getResult(), [&](OpOperand &use) {
      Operation *user = use.getOwner();
      if (auto c = dyn_cast<memref::CopyOp>(user)) {
        if (!isPlainBuffer(c.getSource().getType()) ||
            !isPlainBuffer(c.getTarget().getType())) {
          host = true;
          note(user, false);
        }
        return false;
      }
      if (isa<memref::DeallocOp>(user))
        return false;
      if (carriesOperands(user)) {
        // Carried through a loop or branch: stays on the host, copied to
        // the device around each kernel that uses it.
        carried = true;
        return false;
      }
      Use kind = useKind(use);
      host |= kind == Use::Host;
      device |= kind == Use::Device;
      if (kind != Use::None)
        note(user, kind == Use::Device);
      return false;
    });
    if (carried || !device || (host && !firstIsDevice))
      continue;
    b.setInsertionPoint(alloc);
    auto g = gpu::AllocOp::create(b, alloc.getLoc(), alloc.getType(),
                                  tokenType(), {stream},
                                  alloc.getDynamicSizes(),
                                  alloc.getSymbolOperands());
    alloc.replaceAllUsesWith(g.getMemref());
    alloc.erase();
  }
  return success();
}

/// Host copies for the host uses of device buffer `root` in `block` (and
/// below): one copy per run of ops that use `root` on the host only.
LogicalResult Placer::stageHostUses(Block &block, Value root) {
  // Each op of the block: which uses of `root` its subtree holds.
  struct Entry {
    Operation *op;
    bool host = false, device = false;
  };
  SmallVector<Entry> entries;
  for (Operation &op : block) {
    Entry e{&op};
    op.walk([&](Operation *inner) {
      for (OpOperand &operand : inner->getOpOperands()) {
        if (!isa<BaseMemRefType>(operand.get().getType()))
          continue;
        if (rootOf(operand.get()).root != root)
          continue;
        Use kind = useKind(operand);
        if (auto c = dyn_cast<gpu::MemcpyOp>(inner); c) {
          (void)c;
          kind = Use::Device;
        }
        if (isa<gpu::DeallocOp>(inner))
          kind = Use::Device;
        e.host |= kind == Use::Host;
        e.device |= kind == Use::Device;
      }
    });
    entries.push_back(e);
  }

  size_t i = 0;
  while (i < entries.size()) {
    Entry &e = entries[i];
    if (e.host && e.device) {
      // Both kinds in one subtree: stage inside it.
      for (Region &region : e.op->getRegions())
        for (Block &inner : region)
          if (failed(stageHostUses(inner, root)))
            return failure();
      if (e.op->getNumRegions() == 0)
        return e.op->emitError("fa2-to-ptx: an op that uses one buffer both "
                               "on the host and on the device");
      ++i;
      continue;
    }
    if (!e.host) {
      ++i;
      continue;
    }
    // A run of ops with host uses and no device use of `root`.
    size_t last = i;
    for (size_t j = i + 1; j < entries.size() && !entries[j].device; ++j)
      if (entries[j].host)
        last = j;
    Operation *first = entries[i].op, *end = entries[last].op;
    Location loc = first->getLoc();
    b.setInsertionPoint(first);
    FailureOr<Value> host = allocLike(loc, root, /*device=*/false);
    if (failed(host))
      return first->emitError("fa2-to-ptx: cannot make a host copy of a "
                              "device buffer of type ")
             << root.getType()
             << " (an identity layout in the default memory space needed)";
    copy(loc, *host, root);
    bool written = false;
    for (size_t j = i; j <= last; ++j) {
      entries[j].op->walk([&](Operation *inner) {
        for (OpOperand &operand : inner->getOpOperands()) {
          if (!isa<BaseMemRefType>(operand.get().getType()) ||
              useKind(operand) != Use::Host)
            continue;
          Rooted r = rootOf(operand.get());
          if (r.root != root)
            continue;
          written |= mayWrite(inner, operand.get());
          operand.set(rebuild(r, *host, inner));
        }
      });
    }
    b.setInsertionPointAfter(end);
    if (written)
      copy(loc, root, *host);
    memref::DeallocOp::create(b, loc, *host);
    i = last + 1;
  }
  return success();
}

/// Whether block argument `arg` of a kernel or function body may have an
/// effect `isKind` (through views); unknown ops may.
static bool argMayBeAffected(BlockArgument arg,
                             function_ref<bool(MemoryEffects::Effect *)> isKind) {
  return anyUseThroughViews(arg, [&](OpOperand &use) {
    return mayAffect(use.getOwner(), use.get(), isKind);
  });
}

/// The body argument that `operand` of a kernel launch or call binds to, if
/// the body is in this module.
static BlockArgument calleeArgument(OpOperand &operand) {
  Operation *user = operand.getOwner();
  if (auto launch = dyn_cast<gpu::LaunchFuncOp>(user)) {
    auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
        launch, launch.getKernel());
    unsigned first = launch.getKernelOperands().getBeginOperandIndex();
    unsigned i = operand.getOperandNumber() - first;
    if (!kernel || kernel.isExternal() || i >= kernel.getNumArguments())
      return {};
    return kernel.getArgument(i);
  }
  if (auto call = dyn_cast<func::CallOp>(user)) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    unsigned i = operand.getOperandNumber();
    if (!callee || callee.isExternal() || i >= callee.getNumArguments())
      return {};
    return callee.getArgument(i);
  }
  return {};
}

/// Whether the kernel or function that `user` launches or calls may read
/// its operand `operand`.
static bool calleeMayRead(OpOperand &operand) {
  BlockArgument arg = calleeArgument(operand);
  return !arg || argMayBeAffected(arg, isRead);
}

/// Whether the kernel or function that `user` launches or calls may write
/// its operand `operand`.
static bool calleeMayWrite(OpOperand &operand) {
  BlockArgument arg = calleeArgument(operand);
  return !arg || argMayBeAffected(arg, isWriteOrFree);
}

/// A constant memref.global: nothing may write it.
static bool isConstantGlobal(Value root) {
  auto get = root.getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return false;
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      get, get.getNameAttr());
  return global && global.getConstant();
}

/// A kernel, a device call or a return that gets a host buffer: a device copy
/// around it (copied back after a kernel or call that may write it).
LogicalResult Placer::stageForDevice(OpOperand &operand) {
  Operation *user = operand.getOwner();
  Rooted r = rootOf(operand.get());
  Location loc = user->getLoc();
  bool writes = !isa<func::ReturnOp>(user) && calleeMayWrite(operand);
  b.setInsertionPoint(user);
  FailureOr<Value> dev = allocLike(loc, r.root, /*device=*/true);
  if (failed(dev))
    return user->emitError("fa2-to-ptx: cannot move a host buffer of type ")
           << r.root.getType()
           << " to the device (an identity layout in the default memory space "
              "needed)";
  // What the kernel or callee does not read is not copied in: in fa2-to-ptx
  // such an operand is an op's result (a kernel's O or LSE, an
  // out-parameter), written whole.
  if (isa<func::ReturnOp>(user) || calleeMayRead(operand))
    copy(loc, *dev, r.root);
  operand.set(rebuild(r, *dev, user));
  if (isa<func::ReturnOp>(user)) {
    // The caller owns the returned device buffer; the host one dies here.
    if (r.root.getDefiningOp<memref::AllocOp>() && !ownedStaging.count(r.root))
      memref::DeallocOp::create(b, loc, r.root);
    return success();
  }
  b.setInsertionPointAfter(user);
  if (writes && !isConstantGlobal(r.root))
    copy(loc, r.root, *dev);
  gpu::DeallocOp::create(b, loc, tokenType(), {stream}, *dev);
  return success();
}

/// Launches, copies, memsets and deallocations on the function's stream; memref.copy
/// and memref.dealloc of device memory become their gpu forms.
LogicalResult Placer::makeAsync() {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : ops) {
    b.setInsertionPoint(op);
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
      if (launch.getAsyncToken())
        continue;
      std::optional<gpu::KernelDim3> cluster;
      if (launch.hasClusterSize())
        cluster = launch.getClusterSizeOperandValues();
      auto async = gpu::LaunchFuncOp::create(
          b, launch.getLoc(), launch.getKernel(),
          launch.getGridSizeOperandValues(), launch.getBlockSizeOperandValues(),
          launch.getDynamicSharedMemorySize(), launch.getKernelOperands(),
          tokenType(), ValueRange{stream}, cluster);
      for (NamedAttribute attr : launch->getDiscardableAttrs())
        async->setAttr(attr.getName(), attr.getValue());
      launch.erase();
      continue;
    }
    if (auto m = dyn_cast<gpu::MemsetOp>(op)) {
      // A split-KV counter's zeroing (AttentionToGPU.cpp), in stream order.
      if (m.getAsyncToken())
        continue;
      gpu::MemsetOp::create(b, m.getLoc(), tokenType(), ValueRange{stream},
                            m.getDst(), m.getValue());
      m.erase();
      continue;
    }
    if (auto c = dyn_cast<memref::CopyOp>(op)) {
      if ((isDevice(c.getSource()) || isDevice(c.getTarget())) &&
          isPlainBuffer(c.getSource().getType()) &&
          isPlainBuffer(c.getTarget().getType())) {
        copy(c.getLoc(), c.getTarget(), c.getSource());
        c.erase();
      }
      continue;
    }
    if (auto d = dyn_cast<memref::DeallocOp>(op)) {
      if (isDevice(d.getMemref())) {
        gpu::DeallocOp::create(b, d.getLoc(), tokenType(), {stream},
                               d.getMemref());
        d.erase();
      }
      continue;
    }
  }
  return success();
}

LogicalResult Placer::run() {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  stream = gpu::WaitOp::create(b, func.getLoc(), tokenType(), ValueRange{})
               .getAsyncToken();

  if (failed(convertDeviceAllocs()))
    return failure();
  // Device copies of memref.copy/dealloc first: they are then device uses.
  if (failed(makeAsync()))
    return failure();

  // An argument that a loop takes as an iteration argument (a decoding
  // loop's first step): the loop runs on a host copy made at the entry and
  // freed at the returns (the loop's result may be that copy). Kernels in
  // the loop get device copies of what it carries, as of any host buffer.
  llvm::MapVector<Value, Value> entryCopies;
  func.walk([&](Operation *op) {
    if (!carriesOperands(op))
      return;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<BaseMemRefType>(operand.get().getType()))
        continue;
      Rooted r = rootOf(operand.get());
      auto arg = dyn_cast<BlockArgument>(r.root);
      if (!arg || arg.getOwner() != &entry ||
          !isPlainBuffer(arg.getType()))
        continue;
      Value &host = entryCopies[arg];
      if (!host) {
        b.setInsertionPointAfter(stream.getDefiningOp());
        host = *allocLike(func.getLoc(), arg, /*device=*/false);
        copy(func.getLoc(), host, arg);
      }
      operand.set(rebuild(r, host, op));
    }
  });
  for (auto &[arg, host] : entryCopies)
    ownedStaging.insert(host);

  // Other device buffers carried into a region (a kernel's output yielded
  // by a loop that a host op then reads) would need their placement followed
  // through the region's arguments and results: not done yet; say so rather
  // than copy them wrongly.
  WalkResult carried = func.walk([&](Operation *op) {
    if (!carriesOperands(op))
      return WalkResult::advance();
    for (Value v : op->getOperands())
      if (isa<BaseMemRefType>(v.getType()) && isDevice(v)) {
        op->emitError("fa2-to-ptx: a device buffer is carried through '")
            << op->getName()
            << "' (a loop's iteration argument or a yield): the host code's "
               "device placement does not follow buffers through regions "
               "yet (docs/runtime.md)";
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  if (carried.wasInterrupted())
    return failure();

  // Host buffers that kernels, calls and returns need.
  SmallVector<OpOperand *> toDevice;
  func.walk([&](Operation *op) {
    for (OpOperand &operand : op->getOpOperands())
      if (isa<BaseMemRefType>(operand.get().getType()) &&
          useKind(operand) == Use::Device && !isDevice(operand.get()))
        toDevice.push_back(&operand);
  });
  for (OpOperand *operand : toDevice)
    if (failed(stageForDevice(*operand)))
      return failure();

  // Device buffers that host ops use, by root, staged in the block of the root.
  llvm::SetVector<Value> roots;
  func.walk([&](Operation *op) {
    for (OpOperand &operand : op->getOpOperands())
      if (isa<BaseMemRefType>(operand.get().getType()) &&
          useKind(operand) == Use::Host && isDevice(operand.get()))
        roots.insert(rootOf(operand.get()).root);
  });
  for (Value root : roots) {
    Block *block = isa<BlockArgument>(root)
                       ? cast<BlockArgument>(root).getOwner()
                       : root.getDefiningOp()->getBlock();
    if (failed(stageHostUses(*block, root)))
      return failure();
  }

  // The entry copies die at the returns, after everything else there.
  if (!entryCopies.empty())
    func.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      for (auto &[arg, host] : entryCopies)
        memref::DeallocOp::create(b, ret.getLoc(), host);
    });
  return success();
}

struct PlaceDeviceMemoryPass
    : public fa2::impl::FA2PlaceDeviceMemoryBase<PlaceDeviceMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (failed(Placer(func).run()))
        return signalPassFailure();
      if (func.isPublic())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      UnitAttr::get(&getContext()));
    }
  }
};
} // namespace
