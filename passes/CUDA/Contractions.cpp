//===- Contractions.cpp - what the contraction rewrites share -------------===//
#include "passes/CUDA/Contractions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

bool mlc::cuda::isStaticContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return false;
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!out.isProjectedPermutation() || out.getNumResults() != op.getNumParallelLoops())
    return false;
  auto iterators = op.getIteratorTypesArray();
  for (AffineExpr e : out.getResults())
    if (iterators[cast<AffineDimExpr>(e).getPosition()] != utils::IteratorType::parallel)
      return false;
  // The payload: plain ops, no regions.
  return llvm::all_of(op.getBlock()->without_terminator(),
                      [](Operation &o) { return o.getNumRegions() == 0; });
}

/// The buffer `v` views (through view-like ops).
static Value baseBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `op` writes each element of `out` once, at the point of its
/// loops (identity map), from the same point of its memref inputs, with a
/// plain payload; none of its other memref inputs is a view of `out`'s
/// buffer.
static bool isElementwiseUpdate(linalg::LinalgOp op, Value out) {
  if (!op || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getDpsInitOperand(0)->get() != out || op.getNumParallelLoops() != op.getNumLoops() ||
      op.hasIndexSemantics() || !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    Value v = input->get();
    if (!isa<MemRefType>(v.getType()))
      continue;
    if (v == out ? !op.getMatchingIndexingMap(input).isIdentity()
                 : baseBuffer(v) == baseBuffer(out))
      return false;
  }
  return llvm::all_of(op.getBlock()->without_terminator(), [](Operation &o) {
    return o.getNumRegions() == 0 && isMemoryEffectFree(&o);
  });
}

/// The op next to `op` in its block (after it if `after`), past ops without
/// memory effects; null if none.
static Operation *neighbour(Operation *op, bool after) {
  for (Operation *o = after ? op->getNextNode() : op->getPrevNode(); o;
       o = after ? o->getNextNode() : o->getPrevNode())
    if (!isMemoryEffectFree(o))
      return o;
  return nullptr;
}

mlc::cuda::OutputUpdates mlc::cuda::findOutputUpdates(linalg::LinalgOp contraction) {
  OutputUpdates updates;
  Value out = contraction.getDpsInitOperand(0)->get();
  auto init = dyn_cast_or_null<linalg::LinalgOp>(neighbour(contraction, /*after=*/false));
  // The contraction reads its inputs after `init` would have run: none may
  // be the output's buffer.
  if (isElementwiseUpdate(init, out) &&
      !init.payloadUsesValueFromOperand(init.getDpsInitOperand(0)) &&
      llvm::none_of(contraction.getDpsInputOperands(),
                    [&](OpOperand *input) { return baseBuffer(input->get()) == baseBuffer(out); }))
    updates.init = init;
  auto epilogue = dyn_cast_or_null<linalg::LinalgOp>(neighbour(contraction, /*after=*/true));
  if (isElementwiseUpdate(epilogue, out))
    updates.epilogue = epilogue;
  return updates;
}

void mlc::cuda::OutputUpdates::erase() {
  for (linalg::LinalgOp op : {init, epilogue})
    if (op)
      op->erase();
  init = epilogue = nullptr;
}

Value mlc::cuda::emitElementwise(OpBuilder &b, Location loc, linalg::LinalgOp update,
                                 ValueRange indices, Value current) {
  Value out = update.getDpsInitOperand(0)->get();
  IRMapping mapping;
  if (current)
    mapping.map(update.getMatchingBlockArgument(update.getDpsInitOperand(0)), current);
  for (OpOperand *input : update.getDpsInputOperands()) {
    Value v = input->get();
    BlockArgument arg = update.getMatchingBlockArgument(input);
    if (!isa<MemRefType>(v.getType()))
      mapping.map(arg, v);
    else if (v == out)
      mapping.map(arg, current);
    else
      mapping.map(arg,
                  memref::LoadOp::create(
                      b, loc, v, applyMap(b, loc, update.getMatchingIndexingMap(input), indices)));
  }
  Block *payload = update.getBlock();
  for (Operation &o : payload->without_terminator())
    b.clone(o, mapping);
  return mapping.lookupOrDefault(payload->getTerminator()->getOperand(0));
}

llvm::SmallBitVector mlc::cuda::dimsRead(AffineMap map) {
  llvm::SmallBitVector dims(map.getNumDims());
  map.walkExprs([&](AffineExpr e) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      dims.set(d.getPosition());
  });
  return dims;
}

SmallVector<Value> mlc::cuda::applyMap(OpBuilder &b, Location loc, AffineMap map, ValueRange dims) {
  SmallVector<Value> result;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      result.push_back(dims[d.getPosition()]);
      continue;
    }
    // Only the dimensions `e` reads are operands: the others may be unset.
    AffineMap single = AffineMap::get(map.getNumDims(), 0, e);
    SmallVector<Value> operands;
    for (int64_t d : dimsRead(single).set_bits())
      operands.push_back(dims[d]);
    result.push_back(affine::AffineApplyOp::create(b, loc, compressUnusedDims(single), operands));
  }
  return result;
}
