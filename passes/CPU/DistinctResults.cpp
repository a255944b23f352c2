//===- DistinctResults.cpp - one allocation per returned buffer -----------===//
//
// buffer-results-to-out-params replaces each returned memref.alloc by an
// out-param and erases the alloc; the same alloc returned twice leaves the
// second use dangling. Each repeated return operand is copied into a fresh
// allocation first (the copies are as large as the outputs, which are then
// distinct buffers anyway).
//
//===----------------------------------------------------------------------===//
#include "passes/CPU/Passes.h"

#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {
struct DistinctResultsPass : mlc::cpu::impl::DistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::DenseSet<Value> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<MemRefType>(operand.get().getType());
        if (!type || seen.insert(operand.get()).second)
          continue;
        if (!type.hasStaticShape() || !type.getLayout().isIdentity())
          continue; // out-params only hoist static identity-layout allocs
        Value copy = memref::AllocOp::create(b, ret.getLoc(), type);
        memref::CopyOp::create(b, ret.getLoc(), operand.get(), copy);
        operand.set(copy);
      }
    });
  }
};
} // namespace
