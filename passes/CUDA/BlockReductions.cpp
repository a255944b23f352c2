//===- BlockReductions.cpp - a block of threads for each reduction --------===//
//
// A parallel nest with few points whose body folds a long reduction (a row's
// max or sum in softmax and layer-norm, a global pool, a Gemm or convolution
// with few outputs) leaves most of a GPU idle when each thread runs one
// point's whole reduction. Here each point gets a block instead: its threads
// take interleaved shares of the reduction's iterations (neighbouring threads
// on neighbouring iterations, so their loads coalesce), leave their partial
// results in shared memory, and combine them in halving steps separated by
// barriers; thread 0 then folds in the point's initial value and runs the rest
// of the point's body.
//
// The fold is regrouped, so only associative and commutative combining ops
// qualify; floating-point sums are rounded in a different order than the
// sequential loop's (as in any parallel reduction).
//
//===----------------------------------------------------------------------===//
#include "passes/CUDA/Launches.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace {
/// Fewest iterations worth a block, the most threads one gets, and about the
/// most threads a launch gets in all.
constexpr int64_t kMinIterations = 32;
constexpr int64_t kMaxThreads = 256;
constexpr int64_t kMaxTotalThreads = int64_t(1) << 20;

/// The value x for which combine(x, y) == y for every y, or null when
/// `combine` is not an associative and commutative op this pass knows.
TypedAttr identityOf(Operation *combine) {
  if (combine->getNumOperands() != 2 || combine->getNumResults() != 1 ||
      combine->getNumRegions() != 0)
    return nullptr;
  Type type = combine->getResult(0).getType();
  if (auto f = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = f.getFloatSemantics();
    auto attr = [&](const APFloat &v) -> TypedAttr { return FloatAttr::get(f, v); };
    return llvm::TypeSwitch<Operation *, TypedAttr>(combine)
        .Case<arith::AddFOp>([&](auto) { return attr(APFloat::getZero(sem, /*Negative=*/true)); })
        .Case<arith::MulFOp>([&](auto) { return attr(APFloat::getOne(sem)); })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>(
            [&](auto) { return attr(APFloat::getInf(sem, /*Negative=*/true)); })
        .Case<arith::MinimumFOp, arith::MinNumFOp>(
            [&](auto) { return attr(APFloat::getInf(sem, /*Negative=*/false)); })
        .Default([](Operation *) { return nullptr; });
  }
  auto i = dyn_cast<IntegerType>(type);
  if (!i)
    return nullptr;
  unsigned width = i.getWidth();
  auto attr = [&](const APInt &v) -> TypedAttr { return IntegerAttr::get(i, v); };
  return llvm::TypeSwitch<Operation *, TypedAttr>(combine)
      .Case<arith::AddIOp, arith::OrIOp, arith::XOrIOp, arith::MaxUIOp>(
          [&](auto) { return attr(APInt::getZero(width)); })
      .Case<arith::MulIOp>([&](auto) { return attr(APInt(width, 1)); })
      .Case<arith::AndIOp, arith::MinUIOp>([&](auto) { return attr(APInt::getAllOnes(width)); })
      .Case<arith::MaxSIOp>([&](auto) { return attr(APInt::getSignedMinValue(width)); })
      .Case<arith::MinSIOp>([&](auto) { return attr(APInt::getSignedMaxValue(width)); })
      .Default([](Operation *) { return nullptr; });
}

} // namespace

bool mlc::cuda::onlyReads(Operation *root) {
  return !root->walk([](Operation *op) {
                if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
                  return WalkResult::advance();
                auto effects = dyn_cast<MemoryEffectOpInterface>(op);
                if (!effects ||
                    (!effects.hasNoEffect() && !effects.onlyHasEffect<MemoryEffects::Read>()))
                  return WalkResult::interrupt();
                return WalkResult::advance();
              })
              .wasInterrupted();
}

namespace {

/// A parallel body's reduction: a perfect nest of loops with static trip
/// counts whose iteration arguments are each folded, in the innermost body, by
/// one associative and commutative op.
struct ReductionNest {
  SmallVector<scf::ForOp> loops; // outermost first
  SmallVector<int64_t> trips;    // their trip counts
  SmallVector<Operation *> combines;
  SmallVector<TypedAttr> identities;
};

/// The inner loop of `loop` when the two form a perfect nest: `loop`'s body
/// is the inner loop (the only one), started from `loop`'s iteration
/// arguments, whose results it yields, and pure ops that do not use them.
scf::ForOp perfectlyNested(scf::ForOp loop) {
  scf::ForOp inner;
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto f = dyn_cast<scf::ForOp>(op)) {
      if (inner)
        return nullptr;
      inner = f;
      continue;
    }
    if (!isMemoryEffectFree(&op) || llvm::any_of(op.getOperands(), [&](Value v) {
          return inner && v.getDefiningOp() == inner;
        }))
      return nullptr;
  }
  if (!inner || inner.getInitArgs() != ValueRange(loop.getRegionIterArgs()) ||
      loop.getBody()->getTerminator()->getOperands() != ValueRange(inner.getResults()))
    return nullptr;
  return inner;
}

std::optional<ReductionNest> matchReduction(scf::ForOp outer) {
  ReductionNest nest;
  nest.loops.push_back(outer);
  while (scf::ForOp inner = perfectlyNested(nest.loops.back()))
    nest.loops.push_back(inner);
  for (scf::ForOp loop : nest.loops) {
    std::optional<APInt> trip = loop.getStaticTripCount();
    if (!trip)
      return std::nullopt;
    nest.trips.push_back(trip->getSExtValue());
  }
  scf::ForOp innermost = nest.loops.back();
  Operation *yield = innermost.getBody()->getTerminator();
  for (auto [acc, next] : llvm::zip(innermost.getRegionIterArgs(), yield->getOperands())) {
    Operation *combine = next.getDefiningOp();
    if (!acc.hasOneUse() || !combine || *acc.getUsers().begin() != combine ||
        combine->getBlock() != innermost.getBody() || !next.hasOneUse() ||
        combine->getOperand(0) == combine->getOperand(1))
      return std::nullopt;
    TypedAttr identity = identityOf(combine);
    if (!identity)
      return std::nullopt;
    nest.combines.push_back(combine);
    nest.identities.push_back(identity);
  }
  if (nest.combines.empty() || !mlc::cuda::onlyReads(outer))
    return std::nullopt;
  return nest;
}

/// A copy of `combine` that combines `lhs` and `rhs`.
Value cloneCombine(OpBuilder &b, Operation *combine, Value lhs, Value rhs) {
  Operation *copy = b.clone(*combine);
  copy->setOperands({lhs, rhs});
  return copy->getResult(0);
}
} // namespace

bool mlc::cuda::launchBlockReduction(scf::ParallelOp loop, int64_t maxPoints) {
  // The body: ops that only read, the reduction, then anything (thread 0).
  Block *body = loop.getBody();
  scf::ForOp outer;
  for (Operation &op : body->without_terminator()) {
    if (auto f = dyn_cast<scf::ForOp>(op); f && f.getNumRegionIterArgs() > 0) {
      outer = f;
      break;
    }
    if (!onlyReads(&op))
      return false;
  }
  if (!outer)
    return false;
  std::optional<ReductionNest> nest = matchReduction(outer);
  if (!nest)
    return false;

  // Few enough points, long enough reductions.
  std::optional<SmallVector<int64_t>> pointExtents = staticExtents(loop);
  if (!pointExtents || llvm::is_contained(*pointExtents, 0))
    return false;
  int64_t points = llvm::product_of(*pointExtents);
  ArrayRef<int64_t> trips = nest->trips;
  int64_t iterations = llvm::product_of(trips);
  if (points >= maxPoints || iterations < kMinIterations)
    return false;
  // About four iterations per thread, a warp at least, and about a million
  // threads in all at most: a GPU holds a few hundred thousand at once (an
  // H200: 132 x 2048), and beyond a few waves more threads add only halving
  // steps (a late batch-1 convolution, 25088 outputs of 4608 iterations,
  // gets 32 threads of 144 iterations each, not 256 of 18).
  int64_t threads =
      std::clamp<int64_t>(std::min(llvm::bit_floor(uint64_t(iterations / 4)),
                                   llvm::bit_floor(uint64_t(kMaxTotalThreads / points))),
                          32, kMaxThreads);
  // The threads share the outermost loops whose iterations first reach one
  // per thread.
  size_t shared = 0;
  int64_t sharedIterations = 1;
  while (shared < trips.size() && sharedIterations < threads)
    sharedIterations *= trips[shared++];

  Location loc = loop.getLoc();
  OpBuilder b(loop);
  auto cIndex = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  MLIRContext *ctx = b.getContext();
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  SmallVector<Type> scratchTypes = llvm::map_to_vector(nest->combines, [&](Operation *c) -> Type {
    return MemRefType::get({threads}, c->getResult(0).getType(), MemRefLayoutAttrInterface(),
                           workgroup);
  });
  gpu::LaunchOp launch = createLaunch(b, loc, cIndex(points), threads, scratchTypes);
  Value tx = launch.getThreadIds().x;
  ArrayRef<BlockArgument> scratch = launch.getWorkgroupAttributions();

  // The point: the block id's digits.
  IRMapping mapping;
  SmallVector<Value> extents = llvm::map_to_vector(*pointExtents, cIndex);
  mapLinearIndex(b, loc, launch.getBlockIds().x, extents, loop.getLowerBound(), loop.getStep(),
                 loop.getInductionVars(), mapping);
  for (Operation &op : body->without_terminator()) {
    if (&op == outer.getOperation())
      break;
    b.clone(op, mapping);
  }

  // This thread's share: iterations tx, tx + threads, ... of the shared loops.
  SmallVector<Value> identities = llvm::map_to_vector(
      nest->identities, [&](TypedAttr a) -> Value { return arith::ConstantOp::create(b, loc, a); });
  auto share =
      scf::ForOp::create(b, loc, tx, cIndex(sharedIterations), cIndex(threads), identities);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(share.getBody());
    SmallVector<scf::ForOp> sharedLoops(ArrayRef(nest->loops).take_front(shared));
    SmallVector<Value> sharedExtents, lbs, steps, ivs;
    for (auto [l, trip] : llvm::zip(sharedLoops, trips)) {
      sharedExtents.push_back(cIndex(trip));
      lbs.push_back(l.getLowerBound());
      steps.push_back(l.getStep());
      ivs.push_back(l.getInductionVar());
    }
    mapLinearIndex(b, loc, share.getInductionVar(), sharedExtents, lbs, steps, ivs, mapping);
    mapping.map(sharedLoops.back().getRegionIterArgs(), share.getRegionIterArgs());
    // The pure ops around the inner loops of the shared levels, then the
    // body of the last shared level.
    for (scf::ForOp l : ArrayRef(sharedLoops).drop_back())
      for (Operation &op : l.getBody()->without_terminator())
        if (!isa<scf::ForOp>(op))
          b.clone(op, mapping);
    for (Operation &op : sharedLoops.back().getBody()->without_terminator())
      b.clone(op, mapping);
    scf::YieldOp::create(
        b, loc,
        llvm::map_to_vector(sharedLoops.back().getBody()->getTerminator()->getOperands(),
                            [&](Value v) { return mapping.lookupOrDefault(v); }));
  }

  // Halving steps over the partial results in shared memory.
  for (auto [buffer, partial] : llvm::zip(scratch, share.getResults()))
    memref::StoreOp::create(b, loc, partial, buffer, tx);
  gpu::BarrierOp::create(b, loc);
  auto lowerHalf = [&](int64_t half) {
    auto cond = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, tx, cIndex(half));
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    return ifOp;
  };
  for (int64_t half = threads / 2; half > 1; half /= 2) {
    scf::IfOp step = lowerHalf(half);
    Value other = arith::AddIOp::create(b, loc, tx, cIndex(half));
    for (auto [buffer, combine] : llvm::zip(scratch, nest->combines)) {
      Value mine = memref::LoadOp::create(b, loc, buffer, tx);
      Value theirs = memref::LoadOp::create(b, loc, buffer, other);
      memref::StoreOp::create(b, loc, cloneCombine(b, combine, mine, theirs), buffer, tx);
    }
    b.setInsertionPointAfter(step);
    gpu::BarrierOp::create(b, loc);
  }

  // Thread 0: the last step, the point's initial value, the rest of the body.
  lowerHalf(1);
  for (auto [buffer, combine, init, result] :
       llvm::zip(scratch, nest->combines, outer.getInitArgs(), outer.getResults())) {
    Value total = cloneCombine(b, combine, memref::LoadOp::create(b, loc, buffer, cIndex(0)),
                               memref::LoadOp::create(b, loc, buffer, cIndex(1)));
    mapping.map(result, cloneCombine(b, combine, mapping.lookupOrDefault(init), total));
  }
  for (Operation &op :
       llvm::make_range(std::next(outer->getIterator()), body->getTerminator()->getIterator()))
    b.clone(op, mapping);
  loop.erase();
  return true;
}
