// RUN: mlc-opt %s --split-input-file --canonicalize | FileCheck %s

// Tests that the shape arithmetic of exported detection models folds: a
// static dim gathered from the shape of a tensor whose other dims are
// symbolic, and Min/Max, ReduceMin/ReduceMax, Reciprocal, Floor and Ceil of
// constants. The image-size chain: scale = min(320 / min(240, 600),
// 640 / max(240, 600)) = 16/15, floor(320 * scale) = 341, ceil(600 / 7) = 86.

// CHECK-LABEL: func.func @shape_arithmetic
// CHECK-DAG: [[DIM:%.*]] = onnx.Constant dense<4> : tensor<1xi64>
// CHECK-DAG: [[SIZE:%.*]] = onnx.Constant dense<3.410000e+02> : tensor<f32>
// CHECK-DAG: [[UP:%.*]] = onnx.Constant dense<8.600000e+01> : tensor<f32>
// CHECK-DAG: [[MAX:%.*]] = onnx.Constant dense<[7, 5]> : tensor<2xi64>
// CHECK-NOT: onnx.Gather
// CHECK-NOT: onnx.Reduce
// CHECK-NOT: onnx.Reciprocal
// CHECK-NOT: onnx.Floor
// CHECK: return [[DIM]], [[SIZE]], [[UP]], [[MAX]]
func.func @shape_arithmetic(%x: tensor<?x4xf32>) -> (tensor<1xi64>, tensor<f32>, tensor<f32>, tensor<2xi64>) {
  %shape = onnx.Shape(%x) : (tensor<?x4xf32>) -> tensor<2xi64>
  %one = onnx.Constant dense<[1]> : tensor<1xi64> : tensor<1xi64>
  %dim = onnx.Gather(%shape, %one) {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  %hw = onnx.Constant dense<[240.0, 600.0]> : tensor<2xf32> : tensor<2xf32>
  %lo = onnx.ReduceMin(%hw) {keepdims = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
  %hi = onnx.ReduceMax(%hw) {keepdims = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
  %rlo = onnx.Reciprocal(%lo) : (tensor<f32>) -> tensor<f32>
  %rhi = onnx.Reciprocal(%hi) : (tensor<f32>) -> tensor<f32>
  %c320 = onnx.Constant dense<320.0> : tensor<f32> : tensor<f32>
  %c640 = onnx.Constant dense<640.0> : tensor<f32> : tensor<f32>
  %a = onnx.Mul(%rlo, %c320) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %b = onnx.Mul(%rhi, %c640) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %scale = onnx.Min(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %s = onnx.Mul(%c320, %scale) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %size = onnx.Floor(%s) : (tensor<f32>) -> tensor<f32>
  %c7 = onnx.Constant dense<7.0> : tensor<f32> : tensor<f32>
  %q = onnx.Div(%hi, %c7) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %up = onnx.Ceil(%q) : (tensor<f32>) -> tensor<f32>
  %p = onnx.Constant dense<[7, -2]> : tensor<2xi64> : tensor<2xi64>
  %r = onnx.Constant dense<[3, 5]> : tensor<2xi64> : tensor<2xi64>
  %max = onnx.Max(%p, %r) : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %dim, %size, %up, %max : tensor<1xi64>, tensor<f32>, tensor<f32>, tensor<2xi64>
}

// -----

// Tests that a symbolic dim is not folded, nor a reduction over some axes.

// CHECK-LABEL: func.func @not_folded
// CHECK: onnx.Gather
// CHECK: onnx.ReduceMax
func.func @not_folded(%x: tensor<?x4xf32>) -> (tensor<1xi64>, tensor<2xf32>) {
  %shape = onnx.Shape(%x) : (tensor<?x4xf32>) -> tensor<2xi64>
  %zero = onnx.Constant dense<[0]> : tensor<1xi64> : tensor<1xi64>
  %dim = onnx.Gather(%shape, %zero) {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  %c = onnx.Constant dense<[[1.0, 2.0], [3.0, 0.5]]> : tensor<2x2xf32> : tensor<2x2xf32>
  %m = onnx.ReduceMax(%c) {axes = [1], keepdims = 0 : i64} : (tensor<2x2xf32>) -> tensor<2xf32>
  return %dim, %m : tensor<1xi64>, tensor<2xf32>
}
