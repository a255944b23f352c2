//===- CopiesToLinalg.cpp - memref.copy as linalg.copy --------------------===//
#include "passes/CPU/Passes.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_COPIESTOLINALG
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {
struct CopiesToLinalgPass : mlc::cpu::impl::CopiesToLinalgBase<CopiesToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp c) { copies.push_back(c); });
    for (memref::CopyOp c : copies) {
      OpBuilder b(c);
      linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
      c.erase();
    }
  }
};
} // namespace
