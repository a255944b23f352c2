//===- ONNXInterfaces.td - interfaces of the onnx dialect --*- tablegen -*-===//
#ifndef MLC_ONNX_INTERFACES
#define MLC_ONNX_INTERFACES

include "mlir/IR/OpBase.td"

def ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::mlc::onnx";
  let description = [{
    Computes the result types (element type and shape) of an onnx op from its
    operands' types and the constant operands that are known. Unknown dims
    stay dynamic (`?`). The front end creates ops with placeholder result
    types and calls this right away; `mlc-graph-propagate-shapes` calls it
    again after folding has made more operands constant.
  }];
  let methods = [
    InterfaceMethod<"Refines the result types in place; fails with an error at the op's location when the operands are inconsistent.",
      "::llvm::LogicalResult", "inferShapes">,
  ];
}

#endif // MLC_ONNX_INTERFACES
