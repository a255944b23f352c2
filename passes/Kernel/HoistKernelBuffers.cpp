//===- HoistKernelBuffers.cpp - kernels' temporaries become arguments -----===//
//
// After bufferization a kernel function may still allocate (padded copies,
// intermediate results of a fused chain) and read globals. Both move to the
// call sites: the memory plan then places the temporaries in the workspace
// arena, and a kernel's code touches nothing but its arguments. The
// temporaries' arguments may be marked kernel.scratch for the passes that
// follow; mlc-kernel-drop-scratch-marks removes the marks again.
//
//===----------------------------------------------------------------------===//
#include "passes/Kernel/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace mlc::kernel {
#define GEN_PASS_DEF_HOISTKERNELBUFFERS
#define GEN_PASS_DEF_DROPSCRATCHMARKS
#include "passes/Kernel/Passes.h.inc"
} // namespace mlc::kernel

namespace {
/// Whether `op` can be recreated at a call site: a static allocation with
/// no operands, or (with `constants`) a global's address.
bool isHoistable(Operation *op, bool constants) {
  if (auto alloc = dyn_cast<memref::AllocOp>(op))
    return alloc.getType().hasStaticShape() && alloc->getNumOperands() == 0;
  return constants && isa<memref::GetGlobalOp>(op);
}

struct HoistKernelBuffersPass
    : mlc::kernel::impl::HoistKernelBuffersBase<HoistKernelBuffersPass> {
  using HoistKernelBuffersBase::HoistKernelBuffersBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (!func->hasAttr("kernel.kernel") || func.isExternal())
        continue;
      SmallVector<Operation *> hoisted;
      func.walk([&](Operation *op) {
        if (isHoistable(op, constants))
          hoisted.push_back(op);
      });
      if (hoisted.empty())
        continue;
      if (failed(hoist(module, func, hoisted)))
        return signalPassFailure();
    }
  }

  LogicalResult hoist(ModuleOp module, func::FuncOp func, ArrayRef<Operation *> hoisted) {
    std::optional<SymbolTable::UseRange> uses = SymbolTable::getSymbolUses(func, module);
    if (!uses)
      return func.emitError("kernel function has uses that cannot be rewritten");
    SmallVector<func::CallOp> calls;
    for (const SymbolTable::SymbolUse &use : *uses) {
      auto call = dyn_cast<func::CallOp>(use.getUser());
      if (!call)
        return use.getUser()->emitError("kernel function is used other than by a call");
      calls.push_back(call);
    }

    // The kernel: each hoisted op becomes a new trailing argument.
    unsigned first = func.getNumArguments();
    SmallVector<unsigned> indices(hoisted.size(), first);
    SmallVector<Type> types;
    SmallVector<DictionaryAttr> attrs;
    SmallVector<Location> locs;
    Builder b(func.getContext());
    for (Operation *op : hoisted) {
      types.push_back(op->getResult(0).getType());
      locs.push_back(op->getLoc());
      // A temporary: what it holds before the kernel and after it is of no
      // use to anyone else.
      attrs.push_back(markScratch && isa<memref::AllocOp>(op)
                          ? b.getDictionaryAttr(b.getNamedAttr("kernel.scratch", b.getUnitAttr()))
                          : DictionaryAttr());
    }
    if (failed(func.insertArguments(indices, types, attrs, locs)))
      return failure();
    for (auto [i, op] : llvm::enumerate(hoisted)) {
      Value arg = func.getArgument(first + i);
      for (Operation *user : llvm::make_early_inc_range(op->getResult(0).getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      op->getResult(0).replaceAllUsesWith(arg);
    }

    // The callers: recreate each op right before the call and pass it.
    for (func::CallOp call : calls) {
      OpBuilder b(call);
      SmallVector<Value> operands(call.getOperands());
      for (Operation *op : hoisted)
        operands.push_back(b.clone(*op)->getResult(0));
      func::CallOp::create(b, call.getLoc(), func, operands);
      call.erase();
    }
    for (Operation *op : hoisted)
      op->erase();
    return success();
  }
};
struct DropScratchMarksPass : mlc::kernel::impl::DropScratchMarksBase<DropScratchMarksPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.removeArgAttr(i, "kernel.scratch");
  }
};
} // namespace
