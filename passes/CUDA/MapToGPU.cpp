//===- MapToGPU.cpp - loop nests of host functions become gpu.launch ------===//
//
// One thread per point of a parallel loop nest, over a linearised iteration
// space. Simple and always applicable: every kernel the CPU path forms maps,
// whatever its loop structure. Nests with few points and long reductions get
// a block per point instead (BlockReductions.cpp). Contractions with many
// outputs are launches already (TileContractions.cpp), which stay as they are.
//
//===----------------------------------------------------------------------===//
#include "passes/CUDA/Launches.h"
#include "passes/CUDA/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace mlc::cuda {
#define GEN_PASS_DEF_MAPTOGPU
#include "passes/CUDA/Passes.h.inc"
} // namespace mlc::cuda

gpu::LaunchOp mlc::cuda::createLaunch(OpBuilder &b, Location loc, Value grid, int64_t block,
                                      TypeRange workgroup) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value threads = arith::ConstantIndexOp::create(b, loc, block);
  auto launch = gpu::LaunchOp::create(b, loc, grid, one, one, threads, one, one,
                                      /*dynamicSharedMemorySize=*/nullptr,
                                      /*asyncTokenType=*/nullptr,
                                      /*asyncDependencies=*/{}, workgroup);
  b.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&launch.getBody().front());
  return launch;
}

SmallVector<Value> mlc::cuda::delinearize(OpBuilder &b, Location loc, Value id,
                                          ArrayRef<Value> extents) {
  SmallVector<Value> digits(extents.size());
  Value rest = id;
  for (int64_t d = extents.size() - 1; d >= 0; --d) {
    Value digit = rest;
    if (d != 0) {
      Value extent = extents[d];
      if (extent.getType() != id.getType())
        extent = arith::IndexCastUIOp::create(b, loc, id.getType(), extent);
      digit = arith::RemUIOp::create(b, loc, rest, extent);
      rest = arith::DivUIOp::create(b, loc, rest, extent);
    }
    if (!digit.getType().isIndex())
      digit = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), digit);
    digits[d] = digit;
  }
  return digits;
}

void mlc::cuda::mapLinearIndex(OpBuilder &b, Location loc, Value id, ArrayRef<Value> extents,
                               ValueRange lbs, ValueRange steps, ValueRange ivs,
                               IRMapping &mapping) {
  for (auto [d, digit] : llvm::enumerate(delinearize(b, loc, id, extents)))
    mapping.map(ivs[d], arith::AddIOp::create(b, loc, lbs[d],
                                              arith::MulIOp::create(b, loc, digit, steps[d])));
}

std::optional<SmallVector<int64_t>> mlc::cuda::staticExtents(scf::ParallelOp loop) {
  SmallVector<int64_t> extents;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    extents.push_back(*u > *l ? llvm::divideCeil(*u - *l, *s) : 0);
  }
  return extents;
}

using mlc::cuda::createLaunch;
using mlc::cuda::launchBlockReduction;
using mlc::cuda::mapLinearIndex;

namespace {
/// Ops after which the launches before them must already be in order: calls
/// (their kernels read what the launches wrote), allocation and the end.
bool isOrderingPoint(Operation *op) {
  return isa<func::CallOp, func::ReturnOp, memref::AllocOp, memref::DeallocOp>(op);
}

struct MapToGPUPass : mlc::cuda::impl::MapToGPUBase<MapToGPUPass> {
  using MapToGPUBase::MapToGPUBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &body = func.getBody().front();
    // Consecutive ops that touch buffer contents (and pure ops computing on
    // their results) run together on one thread; pure ops that do not depend
    // on them (views, constants) stay on the host.
    SmallVector<Operation *> group;
    llvm::SmallPtrSet<Operation *, 16> inGroup;
    auto flush = [&]() -> LogicalResult {
      if (group.empty())
        return success();
      LogicalResult result = launchSerial(group);
      group.clear();
      inGroup.clear();
      return result;
    };
    for (Operation &op : llvm::make_early_inc_range(body)) {
      // Launches made before (tiled contractions) run in their place.
      if (isa<gpu::LaunchOp>(op)) {
        if (failed(flush()))
          return signalPassFailure();
        continue;
      }
      if (auto loop = dyn_cast<scf::ParallelOp>(&op)) {
        if (failed(flush()))
          return signalPassFailure();
        if (launchBlockReduction(loop, maxReductionPoints))
          continue;
        if (failed(launchParallel(loop)))
          return signalPassFailure();
        continue;
      }
      if (isOrderingPoint(&op)) {
        if (failed(flush()))
          return signalPassFailure();
        continue;
      }
      bool usesGroup = llvm::any_of(op.getOperands(), [&](Value v) {
        Operation *def = v.getDefiningOp();
        return def && inGroup.contains(def);
      });
      if (isMemoryEffectFree(&op) && !usesGroup)
        continue;
      group.push_back(&op);
      inGroup.insert(&op);
    }
    if (failed(flush()))
      return signalPassFailure();
    if (deviceAllocations)
      toDeviceAllocations(func);
  }

  LogicalResult launchParallel(scf::ParallelOp loop) {
    if (loop.getNumResults() != 0)
      return loop.emitError("cannot map a parallel loop with reductions to the GPU");
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    // Trip count of each dimension and of the whole space, on the host.
    SmallVector<Value> extents;
    Value total = arith::ConstantIndexOp::create(b, loc, 1);
    for (auto [lb, ub, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      Value extent =
          arith::CeilDivUIOp::create(b, loc, arith::SubIOp::create(b, loc, ub, lb), step);
      extents.push_back(extent);
      total = arith::MulIOp::create(b, loc, total, extent);
    }
    std::optional<int64_t> staticTotal;
    if (std::optional<SmallVector<int64_t>> e = mlc::cuda::staticExtents(loop))
      staticTotal = llvm::product_of(*e);
    int64_t block = blockSize;
    if (staticTotal && *staticTotal < block)
      block = std::max<int64_t>(32, (*staticTotal + 31) / 32 * 32);
    Value blockValue = arith::ConstantIndexOp::create(b, loc, block);
    Value grid = arith::CeilDivUIOp::create(b, loc, total, blockValue);
    gpu::LaunchOp launch = createLaunch(b, loc, grid, block);

    // Inside: the linear id, a bounds guard, then the indices.
    // 32-bit ids when blockIdx * block + threadIdx (< total + block) fits.
    bool narrow = staticTotal && *staticTotal + block < (int64_t(1) << 31);
    Type idType = narrow ? Type(b.getI32Type()) : Type(b.getIndexType());
    auto toId = [&](Value v) -> Value {
      return narrow ? Value(arith::IndexCastUIOp::create(b, loc, idType, v)) : v;
    };
    Value id = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, toId(launch.getBlockIds().x),
                              arith::ConstantOp::create(b, loc, b.getIntegerAttr(idType, block))),
        toId(launch.getThreadIds().x));
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id, toId(total));
    auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    IRMapping mapping;
    mapLinearIndex(b, loc, id, extents, loop.getLowerBound(), loop.getStep(),
                   loop.getInductionVars(), mapping);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
    loop.erase();
    return success();
  }

  /// Runs `ops` (in order, in one block; the ops between them do not use
  /// their results) in launches placed at the last of them: on a block of
  /// threads where they fold a long reduction, else on one GPU thread.
  LogicalResult launchSerial(ArrayRef<Operation *> ops) {
    llvm::SmallPtrSet<Operation *, 8> inGroup(ops.begin(), ops.end());
    for (Operation *op : ops)
      for (Value result : op->getResults())
        for (Operation *user : result.getUsers())
          if (!inGroup.contains(op->getBlock()->findAncestorOpInBlock(*user)))
            return op->emitError("a value computed from buffer contents is used on the host; "
                                 "the CUDA target cannot run this op");
    // A loop nest (a full reduction, coarsened to carry its accumulator)
    // with the reads before it is one point whose fold a block of threads
    // can share; the writes before it (the fill of its initial value) run
    // first, on one thread.
    auto *nest = llvm::find_if(ops, [](Operation *op) { return isa<scf::ForOp>(op); });
    auto *reads = nest;
    while (reads != ops.begin() && mlc::cuda::onlyReads(*std::prev(reads)))
      --reads;
    ArrayRef<Operation *> before(ops.begin(), reads), fold(reads, ops.end());
    if (nest != ops.end() && !usesResultsOf(fold, before) && launchFold(fold)) {
      if (!before.empty())
        launchOnOneThread(before);
      return success();
    }
    launchOnOneThread(ops);
    return success();
  }

  static bool usesResultsOf(ArrayRef<Operation *> users, ArrayRef<Operation *> defs) {
    llvm::SmallPtrSet<Operation *, 8> defining(defs.begin(), defs.end());
    return llvm::any_of(users, [&](Operation *user) {
      return user
          ->walk([&](Operation *nested) {
            bool uses = llvm::any_of(nested->getOperands(),
                                     [&](Value v) { return defining.contains(v.getDefiningOp()); });
            return uses ? WalkResult::interrupt() : WalkResult::advance();
          })
          .wasInterrupted();
    });
  }

  /// Runs `ops` as a one-point nest on a block of threads sharing its
  /// reduction, if launchBlockReduction takes it; else leaves them.
  bool launchFold(ArrayRef<Operation *> ops) {
    Location loc = ops.back()->getLoc();
    OpBuilder b(ops.back());
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto point = scf::ParallelOp::create(b, loc, zero, one, one);
    for (Operation *op : ops)
      op->moveBefore(point.getBody()->getTerminator());
    if (launchBlockReduction(point, maxReductionPoints))
      return true;
    for (Operation *op : ops)
      op->moveBefore(point);
    point.erase();
    return false;
  }

  void launchOnOneThread(ArrayRef<Operation *> ops) {
    OpBuilder b(ops.back());
    Location loc = ops.back()->getLoc();
    gpu::LaunchOp launch = createLaunch(b, loc, arith::ConstantIndexOp::create(b, loc, 1), 1);
    Operation *terminator = launch.getBody().front().getTerminator();
    for (Operation *op : ops)
      op->moveBefore(terminator);
  }

  /// Buffers that the host still allocates must be device memory.
  void toDeviceAllocations(func::FuncOp func) {
    SmallVector<memref::AllocOp> allocs;
    func.walk([&](memref::AllocOp a) {
      if (!a->getParentOfType<gpu::LaunchOp>())
        allocs.push_back(a);
    });
    for (memref::AllocOp alloc : allocs) {
      OpBuilder b(alloc);
      auto device = gpu::AllocOp::create(b, alloc.getLoc(), alloc.getType(), Type(), ValueRange(),
                                         alloc.getDynamicSizes(), alloc.getSymbolOperands());
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
          OpBuilder d(dealloc);
          gpu::DeallocOp::create(d, dealloc.getLoc(), Type(), ValueRange(), dealloc.getMemref());
          dealloc.erase();
        }
      alloc.replaceAllUsesWith(device.getMemref());
      alloc.erase();
    }
  }
};
} // namespace
