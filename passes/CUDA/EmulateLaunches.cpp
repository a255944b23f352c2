//===- EmulateLaunches.cpp - gpu.launch as sequential host loops ----------===//
//
// A launch becomes a loop over its blocks; within a block, the body is cut at
// each top-level gpu.barrier into phases, and each phase is a loop over the
// block's threads, so every thread finishes a phase before any starts the
// next, which is what the barrier guarantees on the GPU. A value one phase
// computes and a later one uses is kept per thread in a host buffer; ops that
// are the same on every thread of a block (pure, not using the thread id) run
// once per block. Shared memory is a host buffer that every block reuses.
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
    Block &body = launch.getBody().front();
    if (launch.getBody()
            .walk([&](gpu::BarrierOp barrier) {
              return barrier->getBlock() == &body ? WalkResult::advance() : WalkResult::interrupt();
            })
            .wasInterrupted())
      return launch.emitError("cannot emulate a barrier inside control flow");

    Location loc = launch.getLoc();
    OpBuilder b(launch);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    IRMapping blockMapping;
    auto map3 = [&](gpu::KernelDim3 ids, Value x, Value y, Value z) {
      blockMapping.map(ids.x, x);
      blockMapping.map(ids.y, y);
      blockMapping.map(ids.z, z);
    };
    map3(launch.getGridSize(), grid.x, grid.y, grid.z);
    map3(launch.getBlockSize(), block.x, block.y, block.z);
    for (BlockArgument buffer : launch.getWorkgroupAttributions()) {
      auto type = cast<MemRefType>(buffer.getType());
      blockMapping.map(buffer,
                       memref::AllocaOp::create(
                           b, loc, MemRefType::get(type.getShape(), type.getElementType())));
    }
    auto blocks = scf::ForOp::create(b, loc, zero, grid.x, one);
    OpBuilder outside(blocks); // for the per-thread buffers
    b.setInsertionPoint(blocks.getBody()->getTerminator());
    map3(launch.getBlockIds(), blocks.getInductionVar(), zero, zero);
    Value tid = launch.getThreadIds().x;
    blockMapping.map(launch.getThreadIds().y, zero);
    blockMapping.map(launch.getThreadIds().z, zero);

    // The same on every thread: pure ops of uniform operands (the ids other
    // than the thread's, values from outside the launch).
    llvm::SmallPtrSet<Operation *, 16> uniform;
    auto isUniform = [&](Value v) {
      Operation *def = v.getDefiningOp();
      return v != tid && (!def || !launch->isProperAncestor(def) || uniform.contains(def));
    };
    SmallVector<SmallVector<Operation *>> phases(1);
    DenseMap<Operation *, unsigned> phaseOf;
    for (Operation &op : body.without_terminator()) {
      if (isa<gpu::BarrierOp>(op)) {
        phases.emplace_back();
        continue;
      }
      if (op.getNumRegions() == 0 && isMemoryEffectFree(&op) &&
          llvm::all_of(op.getOperands(), isUniform)) {
        uniform.insert(&op);
        b.clone(op, blockMapping);
        continue;
      }
      phaseOf[&op] = phases.size() - 1;
      phases.back().push_back(&op);
    }

    // A value a later phase uses: kept per thread, stored where it is made.
    DenseMap<Value, Value> perThread;
    auto laterUse = [&](Value v, unsigned phase) {
      return llvm::any_of(v.getUsers(), [&](Operation *user) {
        Operation *top = body.findAncestorOpInBlock(*user);
        return top && phaseOf.lookup(top) > phase;
      });
    };
    for (auto [phase, ops] : llvm::enumerate(phases)) {
      auto threads = scf::ForOp::create(b, loc, zero, block.x, one);
      OpBuilder t = OpBuilder::atBlockTerminator(threads.getBody());
      Value thread = threads.getInductionVar();
      IRMapping mapping = blockMapping;
      mapping.map(tid, thread);
      for (Operation *op : ops) {
        // Reload what earlier phases kept for this thread.
        op->walk([&](Operation *nested) {
          for (Value v : nested->getOperands())
            if (auto kept = perThread.find(v); kept != perThread.end() && !mapping.contains(v))
              mapping.map(v, memref::LoadOp::create(t, loc, kept->second, thread));
        });
        Operation *copy = t.clone(*op, mapping);
        for (auto [result, copied] : llvm::zip(op->getResults(), copy->getResults())) {
          if (!laterUse(result, phase))
            continue;
          if (!MemRefType::isValidElementType(result.getType()))
            return op->emitError("cannot emulate a value of this type kept across a barrier");
          Value buffer = memref::AllocaOp::create(
              outside, loc, MemRefType::get({ShapedType::kDynamic}, result.getType()),
              ValueRange{block.x});
          memref::StoreOp::create(t, loc, copied, buffer, thread);
          perThread[result] = buffer;
        }
      }
    }
    launch.erase();
    return success();
  }
};
} // namespace
