//===- ProfileKernels.cpp - time every kernel call ------------------------===//
#include "passes/CPU/Passes.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_PROFILEKERNELS
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {
constexpr StringLiteral kBegin = "mlc_rt_profile_begin", kEnd = "mlc_rt_profile_end";

struct ProfileKernelsPass : mlc::cpu::impl::ProfileKernelsBase<ProfileKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      if (callee && callee->hasAttr("kernel.kernel"))
        calls.push_back(call);
    });
    if (calls.empty())
      return;
    OpBuilder mb(module.getContext());
    Type i64 = mb.getI64Type();
    mlc::cpu::declareRuntimeFunction(symbols, kBegin, mb.getFunctionType({}, {i64}));
    mlc::cpu::declareRuntimeFunction(symbols, kEnd, mb.getFunctionType({i64, i64}, {}));
    for (func::CallOp call : calls) {
      OpBuilder b(call);
      Location loc = call.getLoc();
      Value begin = func::CallOp::create(b, loc, kBegin, TypeRange{i64}, ValueRange{}).getResult(0);
      b.setInsertionPointAfter(call);
      Value name = mlc::kernel::StringLiteralOp::create(b, loc, i64, call.getCallee());
      func::CallOp::create(b, loc, kEnd, TypeRange{}, ValueRange{name, begin});
    }
  }
};
} // namespace
