//===- OutlineDispatches.cpp - kernel.dispatch to private functions -------===//
#include "passes/Kernel/Passes.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace mlc::kernel {
#define GEN_PASS_DEF_OUTLINEDISPATCHES
#include "passes/Kernel/Passes.h.inc"
} // namespace mlc::kernel

namespace {
struct OutlineDispatchesPass : mlc::kernel::impl::OutlineDispatchesBase<OutlineDispatchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<mlc::kernel::DispatchOp> dispatches;
    module.walk([&](mlc::kernel::DispatchOp d) { dispatches.push_back(d); });
    for (mlc::kernel::DispatchOp d : dispatches) {
      auto parent = d->getParentOfType<func::FuncOp>();
      OpBuilder b(parent);
      auto type = b.getFunctionType(d.getInputs().getTypes(), d.getResultTypes());
      auto kernel = func::FuncOp::create(b, d.getLoc(), d.getSymName(), type);
      kernel.setPrivate();
      kernel->setAttr("kernel.kernel", b.getUnitAttr());
      kernel.getBody().takeBody(d.getBody());
      Block &entry = kernel.getBody().front();
      auto yield = cast<mlc::kernel::YieldOp>(entry.getTerminator());
      OpBuilder rb(yield);
      func::ReturnOp::create(rb, yield.getLoc(), yield.getValues());
      yield.erase();
      // insert() renames on a clash and returns the final name.
      StringAttr name = symbols.insert(kernel);
      OpBuilder cb(d);
      auto call = func::CallOp::create(cb, d.getLoc(), name.getValue(), d.getResultTypes(), d.getInputs());
      d.replaceAllUsesWith(call.getResults());
      d.erase();
    }
  }
};
} // namespace
