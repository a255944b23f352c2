//===- FormDispatches.cpp - kernel formation by fusion --------------------===//
//
// Groups the tensor computations of a function into kernel.dispatch regions.
// A union-find over ops joins a producer with its consumer when the consumer
// is the producer's only user and at most one of the two carries reductions.
// Each group becomes one dispatch placed at its last op.
//
//===----------------------------------------------------------------------===//
#include "passes/Kernel/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace mlc::kernel {
#define GEN_PASS_DEF_FORMDISPATCHES
#include "passes/Kernel/Passes.h.inc"
} // namespace mlc::kernel

namespace {

/// Ops that are cloned into every kernel that uses them instead of becoming
/// operands: statically sized allocations of undefined contents and scalar or
/// splat constants. A dynamically sized tensor.empty becomes an operand, so
/// that the caller allocates the kernel's destination (it knows the sizes).
bool isClonable(Operation *op) {
  if (auto empty = dyn_cast<tensor::EmptyOp>(op))
    return empty.getType().hasStaticShape();
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    if (!isa<ShapedType>(c.getType()))
      return true;
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    return dense && dense.isSplat();
  }
  return false;
}

/// Ops that do work at run time and so belong in a kernel. A reshape or
/// slice of dynamic shape is a view that stays with the caller: returned
/// from a kernel it would need a result buffer of a size only the kernel
/// knows.
bool isCompute(Operation *op) {
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::ExtractSliceOp>(op) &&
      !cast<RankedTensorType>(op->getResult(0).getType()).hasStaticShape())
    return false;
  return mlc::kernel::isMicrokernel(op) ||
         isa<linalg::LinalgOp, tensor::PadOp, tensor::InsertSliceOp, tensor::ExtractSliceOp,
             tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op);
}

/// Ops that carry the arithmetic of a kernel: microkernels, convolutions and
/// pooling, and contractions (a reduction over two or more inputs). Plain
/// reductions (max, sum) are light and fuse with anything.
bool isHeavy(Operation *op) {
  if (mlc::kernel::isMicrokernel(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0 && linalgOp.getNumDpsInputs() >= 2;
}

/// Whether `op` reduces (it then names its kernel).
bool hasReduction(Operation *op) {
  if (isHeavy(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0;
}

std::string kernelName(Operation *root, unsigned index) {
  std::string node;
  if (auto name = dyn_cast<NameLoc>(root->getLoc()))
    node = name.getName().str();
  else if (auto fused = dyn_cast<FusedLoc>(root->getLoc()))
    for (Location l : fused.getLocations())
      if (auto n = dyn_cast<NameLoc>(l)) { node = n.getName().str(); break; }
  std::string opName = root->getName().stripDialect().str();
  std::string name = "kernel" + std::to_string(index) + "_" + opName;
  if (!node.empty())
    name += "_" + node;
  for (char &c : name)
    if (!isalnum((unsigned char)c) && c != '_')
      c = '_';
  return name;
}

/// Whether `op`'s payload computes transcendental functions or divisions.
bool hasCostlyArithmetic(Operation *op) {
  bool costly = false;
  op->walk([&](Operation *inner) {
    if (inner != op && (isa<arith::DivFOp, arith::RemFOp>(inner) ||
                        inner->getDialect()->getNamespace() == "math"))
      costly = true;
  });
  return costly;
}

struct FormDispatchesPass : mlc::kernel::impl::FormDispatchesBase<FormDispatchesPass> {
  using FormDispatchesBase::FormDispatchesBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    if (fuseElementwise) {
      RewritePatternSet patterns(ctx);
      linalg::populateElementwiseOpsFusionPatterns(
          patterns, [](OpOperand *operand) {
            Operation *producer = operand->get().getDefiningOp();
            if (!producer || !producer->hasOneUse())
              return false;
            // Through a broadcast the fused op would recompute the producer
            // for every element it is broadcast to: fine for a cast or an
            // add, not for a sigmoid or a reciprocal square root computed
            // per channel (squeeze-excitation) or per row (layer norm).
            auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
            return !consumer || consumer.getMatchingIndexingMap(operand).isPermutation() ||
                   !hasCostlyArithmetic(producer);
          });
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // A dynamically sized tensor.empty that several destinations share (CSE
    // merges equal ones, e.g. the values and indices of an int64 TopK) is
    // split, one allocation per use: each destination is then its own
    // kernel operand, which the kernel writes in place. The copies are
    // bufferization.alloc_tensor, which allocates and so is never merged
    // again (two operands of one call on one buffer would alias).
    func.walk([](tensor::EmptyOp empty) {
      if (empty.getType().hasStaticShape())
        return;
      SmallVector<OpOperand *> uses = llvm::map_to_vector(empty->getUses(), [](OpOperand &u) { return &u; });
      OpBuilder b(empty);
      for (OpOperand *use : llvm::drop_begin(uses))
        use->set(bufferization::AllocTensorOp::create(b, empty.getLoc(), empty.getType(), empty.getDynamicSizes()));
    });

    // A fill that several ops take as their destination (CSE merges equal
    // ones: the zeros the Q, K and V projections accumulate into) is cloned,
    // one per use, so that each joins its user's kernel: the user then
    // starts from the value, where a shared fill would be a kernel of its
    // own and a copy of it into each destination.
    SmallVector<linalg::FillOp> sharedFills;
    func.walk([&](linalg::FillOp fill) {
      Operation *init = fill.getOutputs()[0].getDefiningOp();
      if (fill.hasPureTensorSemantics() && init && isClonable(init) && !fill->hasOneUse())
        sharedFills.push_back(fill);
    });
    for (linalg::FillOp fill : sharedFills) {
      SmallVector<OpOperand *> uses =
          llvm::map_to_vector(fill->getUses(), [](OpOperand &u) { return &u; });
      OpBuilder b(fill);
      for (OpOperand *use : llvm::drop_begin(uses))
        use->set(b.clone(*fill)->getResult(0));
    }

    Block &body = func.getBody().front();
    SmallVector<Operation *> ops;
    for (Operation &op : body)
      if (isCompute(&op))
        ops.push_back(&op);

    // Consumers first: a producer joins the kernel that holds all of its
    // users, unless both it and that kernel carry heavy arithmetic. Each
    // kernel so grows from one sink whose other members have no users
    // outside it, so no value can leave a kernel and come back into it:
    // the schedule stays acyclic.
    llvm::EquivalenceClasses<Operation *> groups;
    DenseMap<Operation *, bool> heavy;
    for (Operation *op : ops) {
      groups.insert(op);
      heavy[op] = isHeavy(op);
    }
    for (Operation *op : llvm::reverse(ops)) {
      Operation *leader = nullptr;
      bool ok = !op->use_empty();
      for (Operation *user : op->getUsers()) {
        if (!isCompute(user) || user->getBlock() != &body) {
          ok = false;
          break;
        }
        Operation *l = groups.getLeaderValue(user);
        if (leader && l != leader) {
          ok = false;
          break;
        }
        leader = l;
      }
      if (!ok || (heavy[op] && heavy[leader]))
        continue;
      bool groupHeavy = heavy[op] || heavy[leader];
      groups.unionSets(op, leader);
      heavy[groups.getLeaderValue(op)] = groupHeavy;
    }

    // Build one dispatch per group, in program order of the groups' last op.
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;
    llvm::MapVector<Operation *, SmallVector<Operation *>> members;
    for (Operation *op : ops)
      members[groups.getLeaderValue(op)].push_back(op);
    unsigned index = 0;
    for (auto &[leader, group] : members) {
      llvm::sort(group, [&](Operation *a, Operation *b) { return position[a] < position[b]; });
      formDispatch(group, index++);
    }
  }

  void formDispatch(ArrayRef<Operation *> group, unsigned index) {
    llvm::SmallPtrSet<Operation *, 8> inGroup(group.begin(), group.end());
    llvm::SetVector<Value> inputs;
    llvm::SetVector<Operation *> clones;
    for (Operation *op : group)
      op->walk([&](Operation *nested) {
        for (Value v : nested->getOperands()) {
          Operation *def = v.getDefiningOp();
          if (def && (inGroup.contains(def) || op->isProperAncestor(def)))
            continue;
          if (!def && op->isAncestor(v.getParentBlock()->getParentOp()))
            continue;
          if (def && isClonable(def))
            clones.insert(def);
          else
            inputs.insert(v);
        }
      });
    SmallVector<Value> results;
    for (Operation *op : group)
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !inGroup.contains(u); }))
          results.push_back(r);

    Operation *last = group.back();
    // Named after the op that does the work (the one with reductions).
    Operation *anchor = last;
    for (Operation *op : group)
      if (hasReduction(op)) {
        anchor = op;
        break;
      }
    OpBuilder b(last);
    b.setInsertionPointAfter(last);
    auto dispatch = mlc::kernel::DispatchOp::create(
        b, last->getLoc(), TypeRange(ValueRange(results)),
        FlatSymbolRefAttr::get(b.getContext(), kernelName(anchor, index)),
        inputs.getArrayRef());
    Block *block = new Block();
    dispatch.getBody().push_back(block);
    IRMapping mapping;
    for (Value in : inputs)
      mapping.map(in, block->addArgument(in.getType(), in.getLoc()));
    OpBuilder inner = OpBuilder::atBlockEnd(block);
    for (Operation *c : clones)
      inner.clone(*c, mapping);
    for (Operation *op : group)
      inner.clone(*op, mapping);
    SmallVector<Value> yielded;
    for (Value r : results)
      yielded.push_back(mapping.lookup(r));
    mlc::kernel::YieldOp::create(inner, last->getLoc(), yielded);
    for (auto [r, d] : llvm::zip(results, dispatch.getResults()))
      r.replaceUsesWithIf(d, [&](OpOperand &use) { return !inGroup.contains(use.getOwner()); });
    for (Operation *op : llvm::reverse(group))
      op->erase();
  }
};
} // namespace
