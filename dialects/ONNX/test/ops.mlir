// RUN: mlc-opt %s --split-input-file | mlc-opt --split-input-file | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlir-print-op-generic | mlc-opt --split-input-file | FileCheck %s

// Tests that constants print their attribute and result type, that weights
// can be dense_resource blobs, and that a left-out input is onnx.none.

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2xi64>, tensor<2xf32>, none) {
  // CHECK: onnx.Constant dense<[1, -1]> : tensor<2xi64> : tensor<2xi64>
  %s = onnx.Constant dense<[1, -1]> : tensor<2xi64> : tensor<2xi64>
  // CHECK: onnx.Constant dense_resource<weight> : tensor<2xf32> : tensor<2xf32>
  %w = onnx.Constant dense_resource<weight> : tensor<2xf32> : tensor<2xf32>
  // CHECK: onnx.none
  %n = onnx.none
  return %s, %w, %n : tensor<2xi64>, tensor<2xf32>, none
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// Tests that convolution and pooling keep their attributes, that attributes
// equal to their defaults are elided, and that a missing bias is an onnx.none
// operand.

// CHECK-LABEL: func.func @conv_pool
func.func @conv_pool(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) {
  // CHECK: [[NONE:%.*]] = onnx.none
  %n = onnx.none
  // CHECK: [[CONV:%.*]] = onnx.Conv(%{{.*}}, %{{.*}}, [[NONE]]) {dilations = [1, 1], kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [1, 1]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x8x8xf32>
  %c = onnx.Conv(%x, %w, %n) {auto_pad = "NOTSET", dilations = [1, 1], group = 1 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [1, 1]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x8x8xf32>
  // CHECK: [[POOL:%.*]] = onnx.MaxPool([[CONV]]) {ceil_mode = 1 : i64, kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %p = onnx.MaxPool(%c) {ceil_mode = 1 : i64, kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: onnx.AveragePool([[CONV]]) {count_include_pad = 1 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]}
  %a = onnx.AveragePool(%c) {count_include_pad = 1 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: onnx.GlobalAveragePool([[POOL]]) : (tensor<1x4x4x4xf32>) -> tensor<1x4x1x1xf32>
  %g = onnx.GlobalAveragePool(%p) : (tensor<1x4x4x4xf32>) -> tensor<1x4x1x1xf32>
  return %a, %g : tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>
}

// -----

// Tests that elementwise ops round-trip: unary ops with and without
// attributes, broadcasting binary ops, variadic ops, Where, Clip with optional
// bounds, Cast.

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %c: tensor<2x3xi1>, %lo: tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  // CHECK: onnx.Relu(%{{.*}}) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = onnx.Relu(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: onnx.LeakyRelu(%{{.*}}) {alpha = 2.000000e-01 : f32}
  %1 = onnx.LeakyRelu(%0) {alpha = 0.2 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: onnx.Add(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = onnx.Add(%1, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: onnx.Sum(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = onnx.Sum(%2, %x, %y) : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: onnx.Where(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = onnx.Where(%c, %3, %x) : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: [[NONE:%.*]] = onnx.none
  %n = onnx.none
  // CHECK: onnx.Clip(%{{.*}}, %{{.*}}, [[NONE]]) : (tensor<2x3xf32>, tensor<f32>, none) -> tensor<2x3xf32>
  %5 = onnx.Clip(%4, %lo, %n) : (tensor<2x3xf32>, tensor<f32>, none) -> tensor<2x3xf32>
  // CHECK: onnx.Cast(%{{.*}}) {to = 7 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
  %6 = onnx.Cast(%5) {to = 7 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
  return %5, %6 : tensor<2x3xf32>, tensor<2x3xi64>
}

// -----

// Tests that normalization, matrix products and reductions round-trip.

// CHECK-LABEL: func.func @normalization_matmul
func.func @normalization_matmul(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %a: tensor<2x8xf32>, %b: tensor<8x3xf32>, %c: tensor<3xf32>) -> (tensor<1x4x2x2xf32>, tensor<2x3xf32>, tensor<1x4x1x1xf32>) {
  // CHECK: onnx.BatchNormalization(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {epsilon = 1.000000e-03 : f32}
  %0 = onnx.BatchNormalization(%x, %p, %p, %p, %p) {epsilon = 1.0e-3 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: onnx.Softmax(%{{.*}}) {axis = 1 : i64}
  %1 = onnx.Softmax(%0) {axis = 1 : i64} : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: onnx.MatMul(%{{.*}}, %{{.*}}) : (tensor<2x8xf32>, tensor<8x3xf32>) -> tensor<2x3xf32>
  %2 = onnx.MatMul(%a, %b) : (tensor<2x8xf32>, tensor<8x3xf32>) -> tensor<2x3xf32>
  // CHECK: onnx.Gemm(%{{.*}}, %{{.*}}, %{{.*}}) {alpha = 5.000000e-01 : f32} :
  %3 = onnx.Gemm(%a, %b, %c) {alpha = 0.5 : f32, transB = 0 : i64} : (tensor<2x8xf32>, tensor<8x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: onnx.ReduceMean(%{{.*}}) {axes = [2, 3]} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %4 = onnx.ReduceMean(%1) {axes = [2, 3], keepdims = 1 : i64} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  return %1, %3, %4 : tensor<1x4x2x2xf32>, tensor<2x3xf32>, tensor<1x4x1x1xf32>
}

// -----

// Tests that shape and data-movement ops round-trip, including dynamic and
// unranked types and a multi-result Split.

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<?x4xf32>, %i: tensor<2xi64>, %s: tensor<1xi64>) -> (tensor<*xf32>, tensor<?xi64>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<2x?xf32>) {
  // CHECK: [[SHAPE:%.*]] = onnx.Shape(%{{.*}}) {start = 1 : i64} : (tensor<?x4xf32>) -> tensor<?xi64>
  %0 = onnx.Shape(%x) {start = 1 : i64} : (tensor<?x4xf32>) -> tensor<?xi64>
  // CHECK: onnx.Reshape(%{{.*}}, [[SHAPE]]) : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<*xf32>
  %1 = onnx.Reshape(%x, %0) : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<*xf32>
  // CHECK: onnx.Gather(%{{.*}}, %{{.*}}) {axis = 1 : i64} : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x2xf32>
  %2 = onnx.Gather(%x, %i) {axis = 1 : i64} : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x2xf32>
  // CHECK: onnx.Split(%{{.*}}) {axis = 1 : i64, split = [2, 2]} : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>)
  %3:2 = onnx.Split(%x) {axis = 1 : i64, split = [2, 2]} : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>)
  // CHECK: onnx.Transpose(%{{.*}}) {perm = [1, 0]} : (tensor<?x2xf32>) -> tensor<2x?xf32>
  %4 = onnx.Transpose(%3#0) {perm = [1, 0]} : (tensor<?x2xf32>) -> tensor<2x?xf32>
  // CHECK: [[NONE:%.*]] = onnx.none
  %n = onnx.none
  // CHECK: onnx.Slice(%{{.*}}, %{{.*}}, %{{.*}}, [[NONE]], [[NONE]]) : (tensor<2x?xf32>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<2x?xf32>
  %5 = onnx.Slice(%4, %s, %s, %n, %n) : (tensor<2x?xf32>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<2x?xf32>
  // CHECK: onnx.Concat(%{{.*}}, %{{.*}}) {axis = 0 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  %6 = onnx.Concat(%0, %s) {axis = 0 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  return %1, %6, %2, %3#1, %5 : tensor<*xf32>, tensor<?xi64>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<2x?xf32>
}

// -----

// Tests that the remaining shape-producing ops round-trip: Unsqueeze,
// Squeeze, Flatten, Expand, ConstantOfShape, Range, Pad, and the identities
// Identity and Dropout.

// CHECK-LABEL: func.func @shape_ops
func.func @shape_ops(%x: tensor<3xf32>, %shape: tensor<2xi64>, %pads: tensor<2xi64>, %r: tensor<i64>) -> (tensor<1x3xf32>, tensor<3xf32>, tensor<3x1xf32>, tensor<2x3xf32>, tensor<*xf32>, tensor<?xi64>, tensor<?xf32>, tensor<3xf32>) {
  // CHECK: [[U:%.*]] = onnx.Unsqueeze(%{{.*}}) {axes = [0]} : (tensor<3xf32>) -> tensor<1x3xf32>
  %0 = onnx.Unsqueeze(%x) {axes = [0]} : (tensor<3xf32>) -> tensor<1x3xf32>
  // CHECK: onnx.Squeeze([[U]]) {axes = [0]} : (tensor<1x3xf32>) -> tensor<3xf32>
  %1 = onnx.Squeeze(%0) {axes = [0]} : (tensor<1x3xf32>) -> tensor<3xf32>
  // CHECK: onnx.Flatten(%{{.*}}) : (tensor<3xf32>) -> tensor<3x1xf32>
  %2 = onnx.Flatten(%x) {axis = 1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
  // CHECK: onnx.Expand(%{{.*}}, %{{.*}}) : (tensor<3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %3 = onnx.Expand(%x, %shape) : (tensor<3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  // CHECK: onnx.ConstantOfShape(%{{.*}}) {value = dense<1.500000e+00> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  %4 = onnx.ConstantOfShape(%shape) {value = dense<1.5> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  // CHECK: onnx.Range(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %5 = onnx.Range(%r, %r, %r) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK: [[NONE:%.*]] = onnx.none
  %n = onnx.none
  // CHECK: onnx.Pad(%{{.*}}, %{{.*}}, [[NONE]]) : (tensor<3xf32>, tensor<2xi64>, none) -> tensor<?xf32>
  %6 = onnx.Pad(%x, %pads, %n) {mode = "constant"} : (tensor<3xf32>, tensor<2xi64>, none) -> tensor<?xf32>
  // CHECK: [[ID:%.*]] = onnx.Identity(%{{.*}}) : (tensor<3xf32>) -> tensor<3xf32>
  %7 = onnx.Identity(%x) : (tensor<3xf32>) -> tensor<3xf32>
  // CHECK: onnx.Dropout([[ID]], [[NONE]], [[NONE]]) : (tensor<3xf32>, none, none) -> tensor<3xf32>
  %8 = onnx.Dropout(%7, %n, %n) : (tensor<3xf32>, none, none) -> tensor<3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %8 : tensor<1x3xf32>, tensor<3xf32>, tensor<3x1xf32>, tensor<2x3xf32>, tensor<*xf32>, tensor<?xi64>, tensor<?xf32>, tensor<3xf32>
}
