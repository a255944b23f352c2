//===- Passes.td - onnx to linalg conversion ----------------*- tablegen -*-===//
#ifndef MLC_ONNX_TO_LINALG_PASSES
#define MLC_ONNX_TO_LINALG_PASSES

include "mlir/Pass/PassBase.td"

def ConvertONNXToLinalg : Pass<"mlc-convert-onnx-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lowers onnx ops to linalg, tensor, arith and math on tensors";
  let description = [{
    One pattern family per file: elementwise ops become one `linalg.generic`
    with broadcasting indexing maps; Conv becomes a linalg convolution whose
    accumulator starts from the broadcast bias; MatMul and Gemm become
    contractions; pooling uses linalg pooling ops; normalizations and softmax
    become reductions plus elementwise generics; shape ops become tensor ops.
    Float32 Conv, MatMul and Gemm with constant weights instead become
    `kernel.conv2d` / `kernel.matmul` (runtime microkernels, weights packed at
    compile time, Relu and bias epilogues folded in) unless
    `use-microkernels=false`.
    Every result must have a static shape by now (the front end's
    `--input-shape` fixes symbolic dims); an op that cannot be lowered is an
    error at its location, which names the ONNX node.

    ```mlir
    %y = onnx.Relu(%x) : (tensor<4xf32>) -> tensor<4xf32>
    ```
    becomes
    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.maximumf %in, %cst : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlc::kernel::KernelDialect", "mlir::scf::SCFDialect"];
  let options = [
    Option<"useMicrokernels", "use-microkernels", "bool", /*default=*/"true",
           "Lower float32 Conv/MatMul/Gemm with constant weights to the runtime's "
           "microkernels (kernel.conv2d / kernel.matmul) with packed weights">,
  ];
}

#endif // MLC_ONNX_TO_LINALG_PASSES
