//===- CoarsenContractions.cpp - several outputs per GPU thread -----------===//
//
// A linalg op with reduction loops (matmul, convolution, any generic
// contraction) would run as one GPU thread per output element, each loading
// two values per multiply-add. Here each thread computes a small block of
// outputs instead, along up to two parallel dimensions chosen so that every
// load is shared: along a dimension that an input does not depend on, that
// input's value serves the whole row of the block. A 4x4 block of a matmul
// loads 8 values per 16 multiply-adds instead of 32.
//
// The op becomes an scf.parallel over the blocks whose body loads the block's
// outputs into loop-carried accumulators, runs the reduction loops with the
// op's payload instantiated once per output of the block (loads of the same
// element made once), and stores the accumulators back; the elementwise ops
// that set the output before and update it after are computed with them
// (Contractions.h). No shared memory and
// no barriers: the result is the same on the GPU and in its emulation.
// Every such op is rewritten, blocked or not: the linalg lowering would run
// the parallel loops that follow a reduction loop (Gemm's n in (m, k, n))
// sequentially inside each thread, and accumulate in memory.
//
//===----------------------------------------------------------------------===//
#include "passes/CUDA/Contractions.h"
#include "passes/CUDA/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace mlc::cuda {
#define GEN_PASS_DEF_COARSENCONTRACTIONS
#include "passes/CUDA/Passes.h.inc"
} // namespace mlc::cuda

namespace {

/// The dimensions to coarsen and by how much (factor 1: not coarsened).
struct Coarsening {
  int64_t inner = -1, innerFactor = 1;
  int64_t outer = -1, outerFactor = 1;
  int64_t outputsPerThread() const { return innerFactor * outerFactor; }
};

/// The largest of {maxFactor, ..., 4, 2} that divides `extent`; 1 if none.
int64_t factorFor(int64_t extent, int64_t maxFactor) {
  for (int64_t f = maxFactor; f >= 2; f /= 2)
    if (extent % f == 0)
      return f;
  return 1;
}

/// Picks the dimensions: the innermost output dimension (neighbouring
/// threads then touch neighbouring addresses) that some used input does not
/// depend on, and a second one that spares a different input; both must be
/// divisible by 2. The factors shrink while fewer than `minThreads` threads
/// would be left.
Coarsening choose(linalg::LinalgOp op, int64_t maxFactor, int64_t minThreads) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // For each used input, the loop dimensions its map reads.
  SmallVector<llvm::SmallBitVector> inputDims;
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (!op.payloadUsesValueFromOperand(input))
      continue;
    inputDims.push_back(mlc::cuda::dimsRead(op.getMatchingIndexingMap(input)));
  }
  // The inputs whose loads a block along `dim` shares.
  auto spared = [&](int64_t dim) {
    llvm::SmallBitVector set(inputDims.size());
    for (auto [i, dims] : llvm::enumerate(inputDims))
      if (!dims.test(dim))
        set.set(i);
    return set;
  };
  Coarsening c;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  llvm::SmallBitVector innerSpares;
  for (int64_t r = int64_t(out.getNumResults()) - 1; r >= 0; --r) {
    int64_t dim = out.getDimPosition(r);
    llvm::SmallBitVector s = spared(dim);
    if (s.none() || factorFor(ranges[dim], maxFactor) == 1)
      continue;
    if (c.inner < 0) {
      c.inner = dim;
      c.innerFactor = factorFor(ranges[dim], maxFactor);
      innerSpares = s;
    } else if ((s & ~innerSpares).any()) {
      c.outer = dim;
      c.outerFactor = factorFor(ranges[dim], maxFactor);
      break;
    }
  }
  int64_t points = 1;
  for (AffineExpr e : out.getResults())
    points *= ranges[cast<AffineDimExpr>(e).getPosition()];
  while (c.outputsPerThread() > 1 && points / c.outputsPerThread() < minThreads) {
    if (c.outerFactor > 1)
      c.outerFactor /= 2;
    else
      c.innerFactor /= 2;
  }
  return c;
}

/// Rewrites `op` as a loop over blocks of outputs (see the file comment).
void coarsen(linalg::LinalgOp op, const Coarsening &c) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto iterators = op.getIteratorTypesArray();
  auto index = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v).getResult(); };
  auto stepOf = [&](int64_t dim) {
    return dim == c.inner ? c.innerFactor : dim == c.outer ? c.outerFactor : 1;
  };

  SmallVector<int64_t> parallelDims, reductionDims;
  for (int64_t d = 0, e = op.getNumLoops(); d < e; ++d)
    (iterators[d] == utils::IteratorType::parallel ? parallelDims : reductionDims).push_back(d);
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d : parallelDims) {
    lbs.push_back(index(0));
    ubs.push_back(index(ranges[d]));
    steps.push_back(index(stepOf(d)));
  }
  // A full reduction (a dot product, ReduceSum over every axis): one point,
  // its accumulator in a register, which map-to-gpu folds with a block of
  // threads (canonicalization unwraps the one-point loop before).
  if (parallelDims.empty()) {
    lbs.push_back(index(0));
    ubs.push_back(index(1));
    steps.push_back(index(1));
  }
  auto parallel = scf::ParallelOp::create(b, loc, lbs, ubs, steps);
  b.setInsertionPointToStart(parallel.getBody());

  // The loop indices of output k of the block: base + offsets.
  SmallVector<Value> base(op.getNumLoops());
  for (auto [i, d] : llvm::enumerate(parallelDims))
    base[d] = parallel.getInductionVars()[i];
  struct Output {
    int64_t innerOffset, outerOffset;
  };
  SmallVector<Output> outputs;
  for (int64_t o = 0; o < c.outerFactor; ++o)
    for (int64_t i = 0; i < c.innerFactor; ++i)
      outputs.push_back({i, o});
  // Index values, made once per (dimension, offset).
  DenseMap<std::pair<int64_t, int64_t>, Value> shifted;
  auto dimValue = [&](int64_t dim, const Output &k) -> Value {
    int64_t offset = dim == c.inner ? k.innerOffset : dim == c.outer ? k.outerOffset : 0;
    if (offset == 0)
      return base[dim];
    Value &v = shifted[{dim, offset}];
    if (!v)
      v = arith::AddIOp::create(b, loc, base[dim], index(offset));
    return v;
  };
  auto indices = [&](AffineMap map, const Output &k) {
    SmallVector<Value> dims;
    for (int64_t d = 0, e = op.getNumLoops(); d < e; ++d)
      dims.push_back(dimValue(d, k));
    return mlc::cuda::applyMap(b, loc, map, dims);
  };

  OpOperand *init = op.getDpsInitOperand(0);
  Value outBuffer = init->get();
  AffineMap outMap = op.getMatchingIndexingMap(init);
  // The accumulators start from the output, or from what the op that sets
  // it would write.
  mlc::cuda::OutputUpdates updates = mlc::cuda::findOutputUpdates(op);
  mlc::cuda::InputLoads inputs(op);
  SmallVector<Value> accumulators;
  for (const Output &k : outputs)
    accumulators.push_back(updates.initial(b, loc, outBuffer, indices(outMap, k)));

  // The reduction loops, each carrying the accumulators.
  SmallVector<scf::ForOp> loops;
  ValueRange carried = accumulators;
  for (int64_t d : reductionDims) {
    auto loop = scf::ForOp::create(b, loc, index(0), index(ranges[d]), index(1), carried);
    if (!loops.empty())
      scf::YieldOp::create(b, loc, loop.getResults());
    b.setInsertionPointToStart(loop.getBody());
    base[d] = loop.getInductionVar();
    carried = loop.getRegionIterArgs();
    loops.push_back(loop);
  }

  // The payload once per output of the block; equal loads made once.
  Block *payload = op.getBlock();
  struct Load {
    unsigned operand;
    SmallVector<Value> at;
    Value value;
  };
  SmallVector<Load> loads;
  SmallVector<Value> results;
  for (auto [n, k] : llvm::enumerate(outputs)) {
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(input);
      if (arg.use_empty())
        continue;
      Value source = input->get();
      if (!isa<MemRefType>(source.getType())) { // a scalar operand
        mapping.map(arg, source);
        continue;
      }
      SmallVector<Value> at = indices(op.getMatchingIndexingMap(input), k);
      auto same = llvm::find_if(loads, [&](const Load &l) {
        return l.operand == input->getOperandNumber() && l.at == at;
      });
      if (same == loads.end()) {
        loads.push_back({input->getOperandNumber(), at, inputs.load(b, loc, input, at)});
        same = std::prev(loads.end());
      }
      mapping.map(arg, same->value);
    }
    mapping.map(op.getMatchingBlockArgument(init), carried[n]);
    for (Operation &o : payload->without_terminator()) {
      if (auto idx = dyn_cast<linalg::IndexOp>(o)) {
        mapping.map(idx.getResult(), dimValue(idx.getDim(), k));
        continue;
      }
      b.clone(o, mapping);
    }
    results.push_back(mapping.lookupOrDefault(payload->getTerminator()->getOperand(0)));
  }
  scf::YieldOp::create(b, loc, results);

  // After the loops: store the block.
  b.setInsertionPoint(parallel.getBody()->getTerminator());
  ValueRange finals = loops.front().getResults();
  for (auto [n, k] : llvm::enumerate(outputs)) {
    SmallVector<Value> at = indices(outMap, k);
    memref::StoreOp::create(b, loc, updates.stored(b, loc, finals[n], at), outBuffer, at);
  }
  op->erase();
  updates.erase();
  inputs.erase();
}

struct CoarsenContractionsPass : mlc::cuda::impl::CoarsenContractionsBase<CoarsenContractionsPass> {
  using CoarsenContractionsBase::CoarsenContractionsBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, Coarsening>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!mlc::cuda::isStaticContraction(op))
        return;
      // Even unblocked (factor 1), the rewrite pays: every parallel loop
      // is a thread dimension whatever the iterator order (the linalg
      // lowering runs the parallel loops after a reduction one sequentially,
      // so a Gemm as (m, k, n) ran on m threads), and the accumulator stays
      // in a register instead of memory.
      work.push_back({op, choose(op, maxFactor, minThreads)});
    });
    for (auto &[op, c] : work)
      coarsen(op, c);
  }
};
} // namespace
