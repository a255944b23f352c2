//===- StripAllocaScopes.cpp - inline alloca scopes that allocate nothing -===//
#include "passes/CPU/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_STRIPALLOCASCOPES
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {
struct StripAllocaScopesPass : mlc::cpu::impl::StripAllocaScopesBase<StripAllocaScopesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk([&](memref::AllocaScopeOp scope) {
      bool allocates = false;
      scope.getBodyRegion().walk([&](memref::AllocaOp) { allocates = true; });
      if (!allocates && scope.getBodyRegion().hasOneBlock())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block *body = &scope.getBodyRegion().front();
      auto ret = cast<memref::AllocaScopeReturnOp>(body->getTerminator());
      SmallVector<Value> results(ret.getResults());
      rewriter.eraseOp(ret);
      rewriter.inlineBlockBefore(body, scope);
      rewriter.replaceOp(scope, results);
    }
  }
};
} // namespace
