//===- Passes.td - graph-level passes on the onnx dialect --*- tablegen -*-===//
#ifndef MLC_GRAPH_PASSES
#define MLC_GRAPH_PASSES

include "mlir/Pass/PassBase.td"

def PropagateShapes : Pass<"mlc-graph-propagate-shapes", "mlir::func::FuncOp"> {
  let summary = "Infers result types in program order, folding constants on the way";
  let description = [{
    Walks the function in program order; each onnx op refines its result
    types (ShapeInferenceOpInterface) and then folds when its value is known
    at compile time. One walk settles shape computations such as
    `Shape -> Gather -> Concat -> Reshape`, since each op sees its operands
    already folded. The function's result types follow its returned values.

    Before:
    ```mlir
    %s = onnx.Shape(%x) : (tensor<1x8x4x4xf32>) -> tensor<?xi64>
    %y = onnx.Reshape(%x, %s) : (tensor<1x8x4x4xf32>, tensor<?xi64>) -> tensor<*xf32>
    ```
    After:
    ```mlir
    %s = onnx.Constant dense<[1, 8, 4, 4]> : tensor<4xi64>
    ```
    and `%y` is `%x`.
  }];
  let dependentDialects = ["mlc::onnx::ONNXDialect"];
}

def Simplify : Pass<"mlc-graph-simplify", "mlir::func::FuncOp"> {
  let summary = "Simplifies the onnx graph: folding, BatchNorm into Conv, cancelling reshapes and transposes, dead code";
  let description = [{
    Runs the onnx folders (Identity and inference Dropout disappear, shape
    arithmetic becomes constants) together with these rewrites to a fixed
    point, removing what becomes dead:
    - `BatchNormalization(Conv(x, W, B))` with constant parameters becomes one
      Conv with scaled weights and shifted bias;
    - `Transpose(Transpose(x))` becomes one Transpose (or `x`);
    - `Reshape(Reshape(x))` (and Flatten/Squeeze/Unsqueeze chains) become one
      Reshape to the final static shape.
  }];
  let dependentDialects = ["mlc::onnx::ONNXDialect"];
}

#endif // MLC_GRAPH_PASSES
