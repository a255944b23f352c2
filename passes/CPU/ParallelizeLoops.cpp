//===- ParallelizeLoops.cpp - one level of worthwhile parallel loops ------===//
#include "passes/CPU/Passes.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_PARALLELIZELOOPS
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {

std::optional<int64_t> constantIndex(Value v) {
  if (auto c = v.getDefiningOp<arith::ConstantIndexOp>())
    return c.value();
  return std::nullopt;
}

/// Static trip count of one dimension, or nullopt.
std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  auto l = constantIndex(lb), u = constantIndex(ub), s = constantIndex(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
}

/// Innermost iterations of the nest rooted at `op` (unknown bounds count as
/// large, so such loops stay parallel).
int64_t work(Operation *op) {
  int64_t own = 1;
  if (auto p = dyn_cast<scf::ParallelOp>(op)) {
    for (auto [lb, ub, st] : llvm::zip(p.getLowerBound(), p.getUpperBound(), p.getStep())) {
      auto n = tripCount(lb, ub, st);
      own *= n ? *n : 1024;
    }
  } else if (auto f = dyn_cast<scf::ForOp>(op)) {
    auto n = tripCount(f.getLowerBound(), f.getUpperBound(), f.getStep());
    own = n ? *n : 1024;
  }
  int64_t inner = 1;
  for (Region &r : op->getRegions())
    for (Operation &nested : r.getOps())
      if (isa<scf::ParallelOp, scf::ForOp>(nested))
        inner = std::max(inner, work(&nested));
  return own * inner;
}

/// Replaces `loop` with a nest of scf.for running the same iterations.
void sequentialize(scf::ParallelOp loop) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  IRMapping mapping;
  Block *body = loop.getBody();
  OpBuilder inner = b;
  for (auto [iv, lb, ub, st] : llvm::zip(loop.getInductionVars(), loop.getLowerBound(),
                                         loop.getUpperBound(), loop.getStep())) {
    auto forOp = scf::ForOp::create(inner, loc, lb, ub, st);
    mapping.map(iv, forOp.getInductionVar());
    inner = OpBuilder::atBlockBegin(forOp.getBody());
  }
  for (Operation &op : body->without_terminator())
    inner.clone(op, mapping);
  loop.erase();
}

/// Keeps only the outer dims of `loop` parallel, enough for `minParallel`
/// iterations, and runs the inner dims as scf.for inside: the OpenMP
/// lowering collapses every parallel dim into one index, which would cost a
/// division per element and defeat vectorisation of the innermost loop. So
/// the innermost dim of a nest stays sequential even where the outer ones
/// give fewer iterations (a 32 x 12544 scale: 32 parallel rows).
void keepOuterDimsParallel(scf::ParallelOp loop, int64_t minParallel) {
  unsigned rank = loop.getNumLoops(), keep = 0;
  int64_t iterations = 1;
  while (keep + 1 < rank && iterations < minParallel) {
    auto n = tripCount(loop.getLowerBound()[keep], loop.getUpperBound()[keep], loop.getStep()[keep]);
    iterations *= n ? *n : minParallel;
    ++keep;
  }
  keep = std::max(keep, 1u);
  if (keep == rank)
    return;
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  auto outer = scf::ParallelOp::create(b, loc, loop.getLowerBound().take_front(keep),
                                       loop.getUpperBound().take_front(keep),
                                       loop.getStep().take_front(keep));
  IRMapping mapping;
  for (unsigned d = 0; d < keep; ++d)
    mapping.map(loop.getInductionVars()[d], outer.getInductionVars()[d]);
  OpBuilder inner = OpBuilder::atBlockBegin(outer.getBody());
  for (unsigned d = keep; d < rank; ++d) {
    auto forOp = scf::ForOp::create(inner, loc, loop.getLowerBound()[d], loop.getUpperBound()[d],
                                    loop.getStep()[d]);
    mapping.map(loop.getInductionVars()[d], forOp.getInductionVar());
    inner = OpBuilder::atBlockBegin(forOp.getBody());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    inner.clone(op, mapping);
  loop.erase();
}

struct ParallelizeLoopsPass : mlc::cpu::impl::ParallelizeLoopsBase<ParallelizeLoopsPass> {
  using ParallelizeLoopsBase::ParallelizeLoopsBase;
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    // Post-order: inner loops are rewritten before the loops that hold them.
    getOperation().walk([&](scf::ParallelOp p) {
      if (p.getNumResults() == 0)
        loops.push_back(p);
    });
    for (scf::ParallelOp p : loops) {
      bool nested = p->getParentOfType<scf::ParallelOp>() != nullptr;
      if (nested || work(p) < minWork)
        sequentialize(p);
      else
        keepOuterDimsParallel(p, /*minParallel=*/64);
    }
  }
};
} // namespace
