//===- CollapseLoopDims.cpp - one loop per contiguous run of dims ---------===//
#include "passes/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_COLLAPSELOOPDIMS
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {

/// The maximal runs (of two dims or more) of consecutive iteration dims of
/// one iterator type that every indexing map of `op` keeps contiguous.
SmallVector<ReassociationIndices> mergeableRuns(linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<utils::IteratorType> types = op.getIteratorTypesArray();
  SmallVector<ReassociationIndices> runs;
  ReassociationIndices run;
  auto close = [&] {
    if (run.size() > 1)
      runs.push_back(run);
  };
  for (int64_t d = 0, e = op.getNumLoops(); d < e; ++d) {
    if (!run.empty() && types[d] == types[run.front()]) {
      ReassociationIndices grown = run;
      grown.push_back(d);
      if (linalg::areDimSequencesPreserved(maps, grown)) {
        run = std::move(grown);
        continue;
      }
    }
    close();
    run = {d};
  }
  close();
  return runs;
}

struct CollapseLoopDimsPass : mlc::cpu::impl::CollapseLoopDimsBase<CollapseLoopDimsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func->hasAttr("kernel.kernel"))
      return;
    SmallVector<linalg::GenericOp> ops;
    func.walk([&](linalg::GenericOp op) {
      bool indexed = !op.getBody()->getOps<linalg::IndexOp>().empty();
      // Each operand indexed by distinct loop dims (or a 0 for a unit dim):
      // not a diagonal such as (d0, d1) -> (d0, d1, d1).
      bool permuted = llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
        return map.isProjectedPermutation(/*allowZeroInResults=*/true);
      });
      if (op.hasPureTensorSemantics() && !op.hasDynamicShape() && !indexed && permuted)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    linalg::ControlDropUnitDims unitDims;
    for (linalg::GenericOp op : ops) {
      // Unit dims first: a broadcast operand reads them at a constant 0,
      // which collapseOpIterationDims does not take.
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::DropUnitDimsResult> dropped = linalg::dropUnitDims(rewriter, op, unitDims);
      if (succeeded(dropped)) {
        rewriter.replaceOp(op, dropped->replacements);
        op = dyn_cast<linalg::GenericOp>(dropped->resultOp.getOperation());
        if (!op)
          continue;
      }
      if (llvm::any_of(op.getIndexingMapsArray(), [](AffineMap map) {
            return llvm::any_of(map.getResults(), [](AffineExpr e) { return !isa<AffineDimExpr>(e); });
          }))
        continue;
      SmallVector<ReassociationIndices> runs = mergeableRuns(op);
      if (runs.empty())
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, runs, rewriter);
      if (succeeded(collapsed))
        rewriter.replaceOp(op, collapsed->results);
    }
  }
};
} // namespace
