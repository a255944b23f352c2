//===- TileContractions.cpp - contractions tiled through shared memory ----===//
//
// A contraction with many outputs (matmul, batch matmul, convolution, a
// generic with ops fused before the multiply) runs as a launch of one block
// per tile of outputs. Its loops fall into four groups: M, the output
// dimensions that only one side of the inputs (A) reads; N, those that only
// the other side (B) reads; batch, those both or neither read; K, the
// reduction dimensions. M, N and K are each linearised, so a convolution is
// a matmul whose A tile is gathered from the image (implicit im2col) and
// whose K runs over channels and kernel positions together.
//
// Each block computes a tileM x tileN tile, each of its threads a 4 x 4
// block of it. A loop over K in steps of 16 stages, between barriers, a
// 16 x tileM slice of A's side and a 16 x tileN slice of B's in shared
// memory: every thread loads a few elements (neighbouring threads at
// neighbouring addresses), computes from them what the payload computes from
// one side alone (a fused GELU, say), and stores that. Then each thread folds
// the slice into its 16 accumulators, reading 8 values from shared memory
// per 16 payload instances. Global memory is read tileN / 4 (resp. tileM / 4)
// times less often than by a thread per output.
//
// The loads are software-pipelined: a thread loads its share of the next
// slice into registers before it folds the current one, and stores it to
// shared memory at the start of the next step, so the latency of global
// memory hides behind the fold even when a single block runs on an SM.
//
//===----------------------------------------------------------------------===//
#include "passes/CUDA/Contractions.h"
#include "passes/CUDA/Launches.h"
#include "passes/CUDA/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace mlc::cuda {
#define GEN_PASS_DEF_TILECONTRACTIONS
#include "passes/CUDA/Passes.h.inc"
} // namespace mlc::cuda

using mlc::cuda::createLaunch;

namespace {
/// The reduction depth staged per step.
constexpr int64_t kTileK = 16;
/// Outputs per thread along M and along N.
constexpr int64_t kPerThread = 4;
/// Fewer blocks than this leave SMs idle (an H100/H200 has 132): tiles
/// shrink to 32 x 32 before that.
constexpr int64_t kMinBlocks = 132;
/// Most payload values staged in shared memory per step.
constexpr int64_t kMaxStaged = 4;

/// The two sides of a contraction's inputs.
enum Side : unsigned { A = 0, B = 1 };
/// Bits of the inputs a payload value depends on.
enum : unsigned { kOnA = 1, kOnB = 2, kOnOut = 4 };

/// How a contraction is tiled.
struct Plan {
  SmallVector<int64_t> ranges;
  SmallVector<int64_t> batchDims, dims[2], kDims; // dims[A]: M, dims[B]: N
  int64_t batch = 1, extent[2] = {1, 1}, k = 1;   // extent[A]: M, extent[B]: N
  int64_t tile[2] = {64, 64};
  SmallVector<OpOperand *> inputs[2];
  /// What each payload value depends on.
  DenseMap<Value, unsigned> dependsOn;
  /// Per side: the payload values computed from that side alone that the
  /// rest of the payload uses, each staged in a shared buffer.
  SmallVector<Value> staged[2];
  /// Per side: whether neighbouring threads load along K (else along M or N).
  bool kFastest[2] = {true, true};
  /// The elementwise ops that set the output before and update it after,
  /// which the tile computes too.
  mlc::cuda::OutputUpdates updates;
  /// Loads of the inputs, through their paddings.
  mlc::cuda::InputLoads loads;

  unsigned dependsOnOp(Operation &o) const {
    return o.getNumResults() == 0 ? 0 : dependsOn.lookup(o.getResult(0));
  }
  int64_t threads() const { return (tile[A] / kPerThread) * (tile[B] / kPerThread); }
  int64_t tiles(Side s) const { return llvm::divideCeil(extent[s], tile[s]); }
};

int64_t product(ArrayRef<int64_t> ranges, ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= ranges[d];
  return p;
}

/// Sorts the loops and the payload of `op` by side; fails when `op` is not a
/// contraction worth tiling (fewer than `minPoints` outputs, K under 16, no
/// dimension that only one side reads, more than a few staged values).
std::optional<Plan> analyze(linalg::LinalgOp op, int64_t minPoints) {
  if (!mlc::cuda::isStaticContraction(op) || op.hasIndexSemantics())
    return std::nullopt;
  Block *payload = op.getBlock();
  if (!llvm::all_of(payload->without_terminator(),
                    [](Operation &o) { return isMemoryEffectFree(&o); }))
    return std::nullopt;
  Plan plan;
  plan.ranges = op.getStaticLoopRanges();
  int64_t numLoops = op.getNumLoops();

  // B: the inputs reading the innermost output dimension that some input
  // does not read; A: the others.
  SmallVector<OpOperand *> used;
  SmallVector<llvm::SmallBitVector> reads;
  for (OpOperand *input : op.getDpsInputOperands())
    if (op.payloadUsesValueFromOperand(input)) {
      used.push_back(input);
      reads.push_back(mlc::cuda::dimsRead(op.getMatchingIndexingMap(input)));
    }
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  llvm::SmallBitVector onB(used.size());
  for (int64_t r = int64_t(outMap.getNumResults()) - 1; r >= 0 && onB.none(); --r) {
    llvm::SmallBitVector readers(used.size());
    for (auto [i, dims] : llvm::enumerate(reads))
      readers[i] = dims.test(outMap.getDimPosition(r));
    if (readers.any() && !readers.all())
      onB = readers;
  }
  if (onB.none())
    return std::nullopt;
  for (auto [i, input] : llvm::enumerate(used))
    plan.inputs[onB.test(i) ? B : A].push_back(input);

  auto iterators = op.getIteratorTypesArray();
  for (int64_t d = 0; d < numLoops; ++d) {
    if (iterators[d] == utils::IteratorType::reduction) {
      plan.kDims.push_back(d);
      continue;
    }
    bool readBy[2] = {false, false};
    for (auto [i, dims] : llvm::enumerate(reads))
      readBy[onB.test(i) ? B : A] |= dims.test(d);
    if (readBy[A] != readBy[B])
      plan.dims[readBy[A] ? A : B].push_back(d);
    else
      plan.batchDims.push_back(d);
  }
  if (plan.dims[A].empty() || plan.dims[B].empty())
    return std::nullopt;
  plan.batch = product(plan.ranges, plan.batchDims);
  plan.k = product(plan.ranges, plan.kDims);
  for (Side s : {A, B})
    plan.extent[s] = product(plan.ranges, plan.dims[s]);
  if (plan.batch * plan.extent[A] * plan.extent[B] < minPoints || plan.k < kTileK)
    return std::nullopt;

  // The payload by side: a value computed from one side alone and used by
  // the rest is staged.
  for (OpOperand *input : op.getDpsInputOperands())
    plan.dependsOn[op.getMatchingBlockArgument(input)] =
        llvm::is_contained(plan.inputs[A], input)   ? kOnA
        : llvm::is_contained(plan.inputs[B], input) ? kOnB
                                                    : 0;
  plan.dependsOn[op.getMatchingBlockArgument(op.getDpsInitOperand(0))] = kOnOut;
  for (Operation &o : payload->without_terminator()) {
    unsigned bits = 0;
    for (Value v : o.getOperands())
      bits |= plan.dependsOn.lookup(v);
    for (Value r : o.getResults())
      plan.dependsOn[r] = bits;
  }
  auto stage = [&](Value v) {
    unsigned bits = plan.dependsOn.lookup(v);
    if (bits != kOnA && bits != kOnB)
      return;
    bool usedByRest = llvm::any_of(v.getUsers(), [&](Operation *user) {
      return user == payload->getTerminator() || llvm::any_of(user->getResults(), [&](Value r) {
               return plan.dependsOn.lookup(r) != bits;
             });
    });
    if (usedByRest)
      plan.staged[bits == kOnA ? A : B].push_back(v);
  };
  for (Value arg : payload->getArguments())
    stage(arg);
  for (Operation &o : payload->without_terminator())
    for (Value r : o.getResults())
      stage(r);
  plan.updates = mlc::cuda::findOutputUpdates(op);
  plan.loads = mlc::cuda::InputLoads(op);
  if (plan.staged[A].size() + plan.staged[B].size() > kMaxStaged)
    return std::nullopt;
  for (Side s : {A, B})
    for (Value v : plan.staged[s])
      if (!v.getType().isIntOrFloat() || v.getType().getIntOrFloatBitWidth() < 8)
        return std::nullopt;

  // Loads go along K where the first input's innermost index runs along K
  // only (A of a matmul, a convolution's filter), else along M or N (B of a
  // matmul, a convolution's image).
  for (Side s : {A, B}) {
    if (plan.inputs[s].empty())
      continue;
    AffineMap map = op.getMatchingIndexingMap(plan.inputs[s].front());
    if (map.getNumResults() == 0)
      continue;
    llvm::SmallBitVector inner = mlc::cuda::dimsRead(map.getSubMap({map.getNumResults() - 1}));
    bool alongK = llvm::any_of(plan.kDims, [&](int64_t d) { return inner.test(d); });
    bool alongOwn = llvm::any_of(plan.dims[s], [&](int64_t d) { return inner.test(d); });
    plan.kFastest[s] = alongK && !alongOwn;
  }

  // Tiles of 64 x 64 (256 threads), halved down to 32 where a side is
  // short or while the blocks would not fill the GPU.
  for (Side s : {A, B})
    if (plan.extent[s] <= 32)
      plan.tile[s] = 32;
  while (plan.batch * plan.tiles(A) * plan.tiles(B) < kMinBlocks &&
         std::max(plan.tile[A], plan.tile[B]) > 32)
    plan.tile[plan.tile[A] >= plan.tile[B] ? A : B] /= 2;

  return plan;
}

/// Emits `op` as one block per tile (see the file comment).
class TileEmitter {
public:
  TileEmitter(linalg::LinalgOp op, const Plan &plan)
      : op(op), plan(plan), b(op), loc(op.getLoc()) {}

  void emit() {
    MLIRContext *ctx = b.getContext();
    auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    SmallVector<Type> sharedTypes;
    for (Side s : {A, B})
      for (Value v : plan.staged[s])
        // One column of padding: the stores of loads along K do not all
        // fall into one bank.
        sharedTypes.push_back(MemRefType::get({kTileK, plan.tile[s] + 1}, v.getType(),
                                              MemRefLayoutAttrInterface(), workgroup));
    int64_t blocks = plan.batch * plan.tiles(A) * plan.tiles(B);
    gpu::LaunchOp launch = createLaunch(b, loc, index(blocks), plan.threads(), sharedTypes);
    ArrayRef<BlockArgument> shared = launch.getWorkgroupAttributions();
    shared_[A] = shared.take_front(plan.staged[A].size());
    shared_[B] = shared.drop_front(plan.staged[A].size());
    tid = launch.getThreadIds().x;

    // The tile: batch indices and the first M and N of the block.
    SmallVector<int64_t> radices;
    for (int64_t d : plan.batchDims)
      radices.push_back(plan.ranges[d]);
    radices.append({plan.tiles(A), plan.tiles(B)});
    SmallVector<Value> digits = delinearize(launch.getBlockIds().x, radices);
    loopIndex.assign(op.getNumLoops(), Value());
    for (auto [d, digit] : llvm::zip(plan.batchDims, digits))
      loopIndex[d] = digit;
    for (Side s : {A, B})
      first[s] = mul(digits[plan.batchDims.size() + s], plan.tile[s]);

    // Each thread's 4 x 4 outputs: M offsets ty + i * tileM / 4, N offsets
    // tx + j * tileN / 4, so that neighbouring threads store neighbouring N.
    int64_t columns = plan.tile[B] / kPerThread;
    Value tx = arith::RemUIOp::create(b, loc, tid, index(columns));
    Value ty = arith::DivUIOp::create(b, loc, tid, index(columns));
    for (int64_t i = 0; i < kPerThread; ++i) {
      own[A].push_back(add(ty, index(i * (plan.tile[A] / kPerThread))));
      own[B].push_back(add(tx, index(i * columns)));
    }
    OpOperand *init = op.getDpsInitOperand(0);
    AffineMap outMap = op.getMatchingIndexingMap(init);
    Type accType = cast<MemRefType>(init->get().getType()).getElementType();
    SmallVector<Value> inits;
    // The output's initial values: its contents, or what the op that sets
    // it would write.
    forEachOutput(
        [&](Value inRange, ValueRange indices) {
          inits.push_back(guardedValues(inRange, accType, [&] {
            return SmallVector<Value>{plan.updates.initial(b, loc, init->get(), indices)};
          })[0]);
        },
        outMap);

    // Over K: store the slice loaded before, load the next one, fold this
    // one. The accumulators and the loaded slice are the loop's values.
    size_t accumulators = inits.size();
    for (Side s : {A, B})
      placeLoads(s);
    SmallVector<Value> slice = loadSlice(index(0));
    inits.append(slice);
    auto steps = scf::ForOp::create(b, loc, index(0), index(plan.k), index(kTileK), inits);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(steps.getBody());
      Value k0 = steps.getInductionVar();
      ValueRange carried = steps.getRegionIterArgs();
      storeSlice(carried.drop_front(accumulators));
      gpu::BarrierOp::create(b, loc);
      // The last step loads slice 0 again rather than past the end.
      Value next = add(k0, index(kTileK));
      next = arith::SelectOp::create(
          b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next, index(plan.k)),
          next, index(0));
      SmallVector<Value> nextSlice = loadSlice(next);
      // A constant depth where 16 divides K: the fold is then unrolled, its
      // shared-memory loads at constant offsets.
      Value depth = plan.k % kTileK == 0
                        ? index(kTileK)
                        : arith::MinUIOp::create(b, loc, index(kTileK),
                                                 arith::SubIOp::create(b, loc, index(plan.k), k0))
                              .getResult();
      auto fold =
          scf::ForOp::create(b, loc, index(0), depth, index(1), carried.take_front(accumulators));
      b.setInsertionPointToStart(fold.getBody());
      foldSlice(fold.getInductionVar(), fold.getRegionIterArgs());
      b.setInsertionPointAfter(fold);
      gpu::BarrierOp::create(b, loc);
      SmallVector<Value> yielded(fold.getResults());
      yielded.append(nextSlice);
      scf::YieldOp::create(b, loc, yielded);
      if (plan.k % kTileK == 0)
        (void)loopUnrollFull(fold);
    }

    int64_t n = 0;
    forEachOutput(
        [&](Value inRange, ValueRange indices) {
          guarded(inRange, [&] {
            memref::StoreOp::create(b, loc,
                                    plan.updates.stored(b, loc, steps.getResult(n++), indices),
                                    init->get(), indices);
          });
        },
        outMap);
    op->erase();
    mlc::cuda::OutputUpdates(plan.updates).erase();
    mlc::cuda::InputLoads(plan.loads).erase();
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, loc, x, index(y)); }
  /// Whether `x`, an index into a dimension of `extent` covered in steps of
  /// `step`, is inside it; null where it always is.
  Value inside(Value x, int64_t extent, int64_t step) {
    if (extent % step == 0)
      return Value();
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, index(extent));
  }
  Value both(Value x, Value y) {
    return !x ? y : !y ? x : arith::AndIOp::create(b, loc, x, y).getResult();
  }
  /// Runs `body` where `condition` holds (always where it is null).
  void guarded(Value condition, function_ref<void()> body) {
    OpBuilder::InsertionGuard g(b);
    if (condition) {
      auto guard = scf::IfOp::create(b, loc, condition, /*withElseRegion=*/false);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
    }
    body();
  }
  /// The values `body` computes where `condition` holds, zeros of `types`
  /// elsewhere (`body`'s values where `condition` is null).
  SmallVector<Value> guardedValues(Value condition, TypeRange types,
                                   function_ref<SmallVector<Value>()> body) {
    if (!condition)
      return body();
    auto guard = scf::IfOp::create(b, loc, types, condition, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    scf::YieldOp::create(b, loc, body());
    b.setInsertionPointToStart(guard.elseBlock());
    SmallVector<Value> zeros;
    for (Type type : types)
      zeros.push_back(arith::ConstantOp::create(b, loc, b.getZeroAttr(type)));
    scf::YieldOp::create(b, loc, zeros);
    return SmallVector<Value>(guard.getResults());
  }

  /// The digits of `id` in the mixed radix `radices` (the last varies fastest).
  SmallVector<Value> delinearize(Value id, ArrayRef<int64_t> radices) {
    SmallVector<Value> extents;
    for (int64_t r : radices)
      extents.push_back(index(r));
    return mlc::cuda::delinearize(b, loc, id, extents);
  }

  /// Sets the loop indices of the dimensions `dims` from their linear index.
  void setLoopIndices(ArrayRef<int64_t> dims, Value linear) {
    SmallVector<int64_t> radices;
    for (int64_t d : dims)
      radices.push_back(plan.ranges[d]);
    for (auto [d, digit] : llvm::zip(dims, delinearize(linear, radices)))
      loopIndex[d] = digit;
  }

  /// The indices `map` gives for the current loop indices (only those of
  /// the dimensions it reads need be set).
  SmallVector<Value> indices(AffineMap map) { return mlc::cuda::applyMap(b, loc, map, loopIndex); }

  /// Calls `body` for each of the thread's outputs (M-major) with whether it
  /// lies inside the op and its indices under `map`.
  void forEachOutput(function_ref<void(Value, ValueRange)> body, AffineMap map) {
    for (int64_t i = 0; i < kPerThread; ++i)
      for (int64_t j = 0; j < kPerThread; ++j) {
        Value m = add(first[A], own[A][i]), n = add(first[B], own[B][j]);
        setLoopIndices(plan.dims[A], m);
        setLoopIndices(plan.dims[B], n);
        Value inRange =
            both(inside(m, plan.extent[A], plan.tile[A]), inside(n, plan.extent[B], plan.tile[B]));
        body(inRange, indices(map));
      }
  }

  /// Sets where the thread loads its share of side `s`'s slices: elements
  /// t, t + threads, ... of a 16 x tile slice in rows of 16 along K or of the
  /// tile along M or N (both divide the threads). Their positions along M or
  /// N, and the loop indices there, are the same on every step.
  void placeLoads(Side s) {
    if (plan.staged[s].empty())
      return;
    int64_t tile = plan.tile[s], threads = plan.threads();
    int64_t row = plan.kFastest[s] ? kTileK : tile;
    Value inRow = arith::RemUIOp::create(b, loc, tid, index(row));
    Value firstRow = arith::DivUIOp::create(b, loc, tid, index(row));
    for (int64_t e = 0; e < kTileK * tile; e += threads) {
      Value rowIndex = add(firstRow, index(e / row));
      LoadPosition p;
      p.kk = plan.kFastest[s] ? inRow : rowIndex;
      p.local = plan.kFastest[s] ? rowIndex : inRow;
      Value mn = add(first[s], p.local);
      p.inside = inside(mn, plan.extent[s], tile);
      setLoopIndices(plan.dims[s], mn);
      for (int64_t d : plan.dims[s])
        p.loopIndex.push_back(loopIndex[d]);
      positions[s].push_back(p);
    }
  }

  /// The thread's share of both sides' slices at K offset `k0`: for each
  /// load position, the side's staged payload values (zeros outside the op).
  SmallVector<Value> loadSlice(Value k0) {
    SmallVector<Value> values;
    for (Side s : {A, B}) {
      SmallVector<Type> types;
      for (Value v : plan.staged[s])
        types.push_back(v.getType());
      unsigned bits = s == A ? kOnA : kOnB;
      for (const LoadPosition &p : positions[s]) {
        Value k = add(k0, p.kk);
        values.append(guardedValues(both(inside(k, plan.k, kTileK), p.inside), types, [&] {
          setLoopIndices(plan.kDims, k);
          for (auto [d, digit] : llvm::zip(plan.dims[s], p.loopIndex))
            loopIndex[d] = digit;
          IRMapping mapping;
          for (OpOperand *input : plan.inputs[s])
            mapping.map(op.getMatchingBlockArgument(input),
                        plan.loads.load(b, loc, input, indices(op.getMatchingIndexingMap(input))));
          for (Operation &o : op.getBlock()->without_terminator())
            if ((plan.dependsOnOp(o) & ~bits) == 0)
              b.clone(o, mapping);
          SmallVector<Value> staged;
          for (Value v : plan.staged[s])
            staged.push_back(mapping.lookupOrDefault(v));
          return staged;
        }));
      }
    }
    return values;
  }

  /// Stores a slice `loadSlice` gave into the shared buffers.
  void storeSlice(ValueRange values) {
    for (Side s : {A, B})
      for (const LoadPosition &p : positions[s])
        for (Value buffer : shared_[s]) {
          memref::StoreOp::create(b, loc, values.front(), buffer, ValueRange{p.kk, p.local});
          values = values.drop_front();
        }
  }

  /// Folds row `kk` of the staged slice into the thread's accumulators:
  /// yields their new values.
  void foldSlice(Value kk, ValueRange accumulators) {
    SmallVector<Value> loaded[2][kPerThread];
    for (Side s : {A, B})
      for (int64_t i = 0; i < kPerThread; ++i)
        for (Value buffer : shared_[s])
          loaded[s][i].push_back(memref::LoadOp::create(b, loc, buffer, ValueRange{kk, own[s][i]}));
    Block *payload = op.getBlock();
    Value outArg = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
    SmallVector<Value> results;
    for (int64_t i = 0; i < kPerThread; ++i)
      for (int64_t j = 0; j < kPerThread; ++j) {
        IRMapping mapping;
        for (auto [v, value] : llvm::zip(plan.staged[A], loaded[A][i]))
          mapping.map(v, value);
        for (auto [v, value] : llvm::zip(plan.staged[B], loaded[B][j]))
          mapping.map(v, value);
        mapping.map(outArg, accumulators[i * kPerThread + j]);
        for (Operation &o : payload->without_terminator()) {
          unsigned bits = plan.dependsOnOp(o);
          if (bits != kOnA && bits != kOnB)
            allowContraction(b.clone(o, mapping));
        }
        results.push_back(mapping.lookupOrDefault(payload->getTerminator()->getOperand(0)));
      }
    scf::YieldOp::create(b, loc, results);
  }

  /// Lets LLVM fuse a multiply and an add of the fold into one fma, as
  /// CUDA compilers do by default: one instruction per multiply-add, rounded
  /// once.
  static void allowContraction(Operation *op) {
    auto math = dyn_cast<arith::ArithFastMathInterface>(op);
    if (!math)
      return;
    arith::FastMathFlags flags = math.getFastMathFlagsAttr().getValue();
    op->setAttr(
        math.getFastMathAttrName(),
        arith::FastMathFlagsAttr::get(op->getContext(), flags | arith::FastMathFlags::contract));
  }

  linalg::LinalgOp op;
  const Plan &plan;
  OpBuilder b;
  Location loc;
  Value tid;
  ArrayRef<BlockArgument> shared_[2];
  /// Where in a slice the thread loads, and the op's loop indices along M
  /// or N there.
  struct LoadPosition {
    Value kk, local, inside;
    SmallVector<Value> loopIndex;
  };
  SmallVector<LoadPosition> positions[2];
  Value first[2];               // the tile's first M and N
  SmallVector<Value> own[2];    // the thread's M and N offsets in the tile
  SmallVector<Value> loopIndex; // the op's loop indices, as far as set
};

struct TileContractionsPass : mlc::cuda::impl::TileContractionsBase<TileContractionsPass> {
  using TileContractionsBase::TileContractionsBase;

  void runOnOperation() override {
    if (minPoints <= 0)
      return;
    std::vector<std::pair<linalg::LinalgOp, Plan>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<Plan> plan = analyze(op, minPoints))
        work.emplace_back(op, std::move(*plan));
    });
    for (auto &[op, plan] : work)
      TileEmitter(op, plan).emit();
  }
};
} // namespace
