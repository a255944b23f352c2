//===- EmulateLaunches.cpp - gpu.launch as sequential host loops ----------===//
//
// A launch becomes a loop over its blocks; within a block, the body is cut at
// each top-level gpu.barrier into segments, and each segment is a loop over
// the block's threads, so every thread finishes a segment before any starts
// the next, which is what the barrier guarantees on the GPU. A loop holding
// barriers whose bounds are the same on every thread (a tiled matmul's loop
// over K tiles) runs once per block, its body cut the same way. A value one
// segment computes and a later one uses, and the values such a loop carries,
// are kept per thread in host buffers; ops that are the same on every thread
// of a block (pure, not using the thread id) run once per block. Shared
// memory is a host buffer that every block reuses.
//
//===----------------------------------------------------------------------===//
#include "passes/CUDA/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace mlc::cuda {
#define GEN_PASS_DEF_EMULATELAUNCHES
#include "passes/CUDA/Passes.h.inc"
} // namespace mlc::cuda

namespace {
/// Whether a gpu.barrier is nested anywhere in `op`.
bool holdsBarrier(Operation *op) {
  return op->walk([](gpu::BarrierOp) { return WalkResult::interrupt(); }).wasInterrupted();
}

/// The ops of a block between two barriers (each thread runs them all
/// before any thread goes on), or a loop holding barriers that every thread
/// runs with the same bounds.
struct Segment {
  SmallVector<Operation *> ops;
  scf::ForOp loop;
};

/// Emits one launch's blocks: what is the same on every thread of a block,
/// what each thread keeps across barriers.
class BlockEmulator {
public:
  BlockEmulator(gpu::LaunchOp launch, OpBuilder &outside, Value threads)
      : launch(launch), outside(outside), threads(threads), tid(launch.getThreadIds().x) {
    // The ids and sizes other than the thread's, the shared buffers.
    for (Value arg : launch.getBody().getArguments())
      if (arg != tid)
        uniform.insert(arg);
  }

  /// Emits `body` (the launch's, or that of a loop every thread runs alike)
  /// at `b`, where `mapping` holds the uniform values emitted so far. The
  /// scf.yield of a loop body stores each thread's next iteration values
  /// into `carried`.
  LogicalResult emit(Block &body, OpBuilder &b, IRMapping mapping, ArrayRef<Value> carried = {}) {
    SmallVector<Segment> segments(1);
    for (Operation &op : body) {
      if (isa<gpu::TerminatorOp>(op))
        continue;
      if (isa<gpu::BarrierOp>(op)) {
        segments.emplace_back();
        continue;
      }
      if (op.getNumRegions() == 0 && isMemoryEffectFree(&op) &&
          llvm::all_of(op.getOperands(), [&](Value v) { return isUniform(v); })) {
        b.clone(op, mapping);
        uniform.insert_range(op.getResults());
        continue;
      }
      if (holdsBarrier(&op)) {
        auto loop = dyn_cast<scf::ForOp>(op);
        if (!loop || !isUniform(loop.getLowerBound()) || !isUniform(loop.getUpperBound()) ||
            !isUniform(loop.getStep()))
          return op.emitError("cannot emulate a barrier inside control flow that threads may "
                              "take differently");
        segments.push_back({{}, loop});
        segments.emplace_back();
        continue;
      }
      segments.back().ops.push_back(&op);
    }
    for (Segment &segment : segments) {
      LogicalResult result = segment.loop ? emitLoop(segment.loop, b, mapping)
                                          : emitThreads(segment.ops, body, b, mapping, carried);
      if (failed(result))
        return failure();
    }
    return success();
  }

private:
  bool isUniform(Value v) const {
    return !launch->isAncestor(v.getParentBlock()->getParentOp()) || uniform.contains(v);
  }

  /// A host buffer of one `type` value per thread, for a value of `op`;
  /// fails (an error on `op`) for a type memrefs cannot hold.
  FailureOr<Value> perThreadBuffer(Type type, Operation *op) {
    if (!MemRefType::isValidElementType(type))
      return op->emitError("cannot emulate a value of this type kept across a barrier");
    return memref::AllocaOp::create(outside, launch.getLoc(),
                                    MemRefType::get({ShapedType::kDynamic}, type),
                                    ValueRange{threads})
        .getResult();
  }

  /// A loop over the block's threads at `b`: a builder inside it, the
  /// thread's id, and `uniformMapping` with the thread id mapped to it.
  struct ThreadLoop {
    OpBuilder builder;
    Value thread;
    IRMapping mapping;
  };
  ThreadLoop forEachThread(OpBuilder &b, const IRMapping &uniformMapping) {
    Location loc = launch.getLoc();
    auto loop = scf::ForOp::create(b, loc, arith::ConstantIndexOp::create(b, loc, 0), threads,
                                   arith::ConstantIndexOp::create(b, loc, 1));
    ThreadLoop result{OpBuilder::atBlockTerminator(loop.getBody()), loop.getInductionVar(),
                      uniformMapping};
    result.mapping.map(tid, result.thread);
    return result;
  }

  /// `v` for `thread`: emitted in this thread loop, reloaded from what an
  /// earlier one kept, or uniform.
  Value lookup(Value v, OpBuilder &t, IRMapping &mapping, Value thread) {
    if (Value mapped = mapping.lookupOrNull(v))
      return mapped;
    if (auto kept = perThread.find(v); kept != perThread.end()) {
      Value loaded = memref::LoadOp::create(t, launch.getLoc(), kept->second, thread);
      mapping.map(v, loaded);
      return loaded;
    }
    return v;
  }

  /// A loop over the block's threads running `ops` of `body`.
  LogicalResult emitThreads(ArrayRef<Operation *> ops, Block &body, OpBuilder &b,
                            const IRMapping &uniformMapping, ArrayRef<Value> carried) {
    if (ops.empty())
      return success();
    Location loc = launch.getLoc();
    ThreadLoop loop = forEachThread(b, uniformMapping);
    OpBuilder &t = loop.builder;
    Value thread = loop.thread;
    IRMapping &mapping = loop.mapping;
    llvm::SmallPtrSet<Operation *, 16> here(ops.begin(), ops.end());
    for (Operation *op : ops) {
      op->walk([&](Operation *nested) {
        for (Value v : nested->getOperands())
          lookup(v, t, mapping, thread);
      });
      if (auto yield = dyn_cast<scf::YieldOp>(op); yield && op->getBlock() == &body) {
        for (auto [value, buffer] : llvm::zip(yield.getOperands(), carried))
          memref::StoreOp::create(t, loc, lookup(value, t, mapping, thread), buffer, thread);
        continue;
      }
      Operation *copy = t.clone(*op, mapping);
      for (auto [result, copied] : llvm::zip(op->getResults(), copy->getResults())) {
        bool usedLater = llvm::any_of(result.getUsers(), [&](Operation *user) {
          return !here.contains(body.findAncestorOpInBlock(*user));
        });
        if (!usedLater)
          continue;
        FailureOr<Value> buffer = perThreadBuffer(result.getType(), op);
        if (failed(buffer))
          return failure();
        memref::StoreOp::create(t, loc, copied, *buffer, thread);
        perThread[result] = *buffer;
      }
    }
    return success();
  }

  /// A loop holding barriers: one loop per block, its loop-carried values
  /// kept per thread.
  LogicalResult emitLoop(scf::ForOp loop, OpBuilder &b, const IRMapping &uniformMapping) {
    Location loc = loop.getLoc();
    SmallVector<Value> carried;
    for (Value init : loop.getInitArgs()) {
      FailureOr<Value> buffer = perThreadBuffer(init.getType(), loop);
      if (failed(buffer))
        return failure();
      carried.push_back(*buffer);
    }
    if (!carried.empty()) {
      auto [t, thread, mapping] = forEachThread(b, uniformMapping);
      for (auto [init, buffer] : llvm::zip(loop.getInitArgs(), carried))
        memref::StoreOp::create(t, loc, lookup(init, t, mapping, thread), buffer, thread);
    }
    auto blockLoop =
        scf::ForOp::create(b, loc, uniformMapping.lookupOrDefault(loop.getLowerBound()),
                           uniformMapping.lookupOrDefault(loop.getUpperBound()),
                           uniformMapping.lookupOrDefault(loop.getStep()));
    IRMapping inner = uniformMapping;
    inner.map(loop.getInductionVar(), blockLoop.getInductionVar());
    uniform.insert(loop.getInductionVar());
    for (auto [arg, buffer] : llvm::zip(loop.getRegionIterArgs(), carried))
      perThread[arg] = buffer;
    OpBuilder body = OpBuilder::atBlockTerminator(blockLoop.getBody());
    if (failed(emit(*loop.getBody(), body, inner, carried)))
      return failure();
    for (auto [result, buffer] : llvm::zip(loop.getResults(), carried))
      perThread[result] = buffer;
    return success();
  }

  gpu::LaunchOp launch;
  OpBuilder &outside; // where the per-thread buffers are allocated
  Value threads;      // the block size
  Value tid;
  llvm::DenseSet<Value> uniform; // the same on every thread of a block
  DenseMap<Value, Value> perThread;
};

struct EmulateLaunchesPass : mlc::cuda::impl::EmulateLaunchesBase<EmulateLaunchesPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches)
      if (failed(emulate(launch)))
        return signalPassFailure();
  }

  LogicalResult emulate(gpu::LaunchOp launch) {
    if (!launch.getBody().hasOneBlock() || launch.getAsyncToken() ||
        !launch.getPrivateAttributions().empty())
      return launch.emitError("only launches made by mlc-cuda-map-to-gpu can be emulated");
    Location loc = launch.getLoc();
    OpBuilder b(launch);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    IRMapping mapping;
    auto map3 = [&](gpu::KernelDim3 ids, Value x, Value y, Value z) {
      mapping.map(ids.x, x);
      mapping.map(ids.y, y);
      mapping.map(ids.z, z);
    };
    map3(launch.getGridSize(), grid.x, grid.y, grid.z);
    map3(launch.getBlockSize(), block.x, block.y, block.z);
    for (BlockArgument buffer : launch.getWorkgroupAttributions()) {
      auto type = cast<MemRefType>(buffer.getType());
      mapping.map(buffer, memref::AllocaOp::create(
                              b, loc, MemRefType::get(type.getShape(), type.getElementType())));
    }
    auto blocks = scf::ForOp::create(b, loc, zero, grid.x, one);
    OpBuilder outside(blocks);
    map3(launch.getBlockIds(), blocks.getInductionVar(), zero, zero);
    mapping.map(launch.getThreadIds().y, zero);
    mapping.map(launch.getThreadIds().z, zero);
    OpBuilder inBlock = OpBuilder::atBlockTerminator(blocks.getBody());
    BlockEmulator emulator(launch, outside, block.x);
    if (failed(emulator.emit(launch.getBody().front(), inBlock, mapping)))
      return failure();
    launch.erase();
    return success();
  }
};
} // namespace
