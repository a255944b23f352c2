//===- PropagateShapes.cpp - program-order shape inference and folding ----===//
#include "passes/Graph/Passes.h"

#include "mlir/Transforms/FoldUtils.h"

using namespace mlir;

namespace mlc::graph {
#define GEN_PASS_DEF_PROPAGATESHAPES
#include "passes/Graph/Passes.h.inc"
} // namespace mlc::graph

LogicalResult mlc::graph::propagateShapes(func::FuncOp func) {
  OperationFolder folder(func.getContext());
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : ops) {
    if (auto shaped = dyn_cast<onnx::ShapeInferenceOpInterface>(op))
      if (failed(shaped.inferShapes()))
        return failure();
    if (isa<onnx::ONNXDialect>(op->getDialect()) && !isa<onnx::ConstantOp, onnx::NoneOp>(op)) {
      bool inPlace = false;
      (void)folder.tryToFold(op, &inPlace);
    }
  }
  // The results follow what the function returns.
  Operation *ret = func.getBody().back().getTerminator();
  func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                 ret->getOperandTypes()));
  return success();
}

namespace {
struct PropagateShapesPass
    : mlc::graph::impl::PropagateShapesBase<PropagateShapesPass> {
  void runOnOperation() override {
    if (failed(mlc::graph::propagateShapes(getOperation())))
      signalPassFailure();
  }
};
} // namespace
