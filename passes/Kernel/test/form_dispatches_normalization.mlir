// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg=use-microkernels=false --mlc-kernel-form-dispatches | FileCheck %s

// Tests that softmax (a max reduction, a subtraction, an exp-sum reduction
// and a division, whose input feeds two of them) forms a single kernel.

// CHECK-LABEL: func.func @softmax
// CHECK-COUNT-1: kernel.dispatch
// CHECK-NOT: kernel.dispatch
// CHECK: return
func.func @softmax(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %y = onnx.Softmax(%x) {axis = -1 : i64} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Tests that layer normalisation (mean, centring, variance, scaling) stays
// within one kernel: grouping runs consumers first, so it joins the matmul it
// feeds, and the matmul that feeds it (also heavy) keeps a kernel of its own.

// CHECK-LABEL: func.func @matmul_layernorm_matmul
// CHECK: [[M:%.*]] = kernel.dispatch @kernel0_generic(%arg0, %arg1)
// CHECK: kernel.yield
// CHECK: kernel.dispatch @kernel1_generic([[M]], %arg2, %arg3)
// CHECK-COUNT-4: linalg.generic
// CHECK: kernel.yield
// CHECK-NOT: kernel.dispatch
// CHECK: return
func.func @matmul_layernorm_matmul(%x: tensor<8x16xf32>, %w: tensor<16x16xf32>, %s: tensor<16xf32>, %v: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %m = onnx.MatMul(%x, %w) : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  %none = onnx.none
  %n = onnx.LayerNormalization(%m, %s, %none) {axis = -1 : i64} : (tensor<8x16xf32>, tensor<16xf32>, none) -> tensor<8x16xf32>
  %y = onnx.MatMul(%n, %v) : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}
