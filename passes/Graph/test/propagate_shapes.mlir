// RUN: mlc-opt %s --split-input-file --mlc-graph-propagate-shapes | FileCheck %s

// Tests that a shape computation Shape -> Gather -> Unsqueeze -> Concat folds
// to a constant in one walk, so that the Reshape it feeds gets a static
// result, and that the function's result type follows.

// CHECK-LABEL: func.func @shape_chain
// CHECK-SAME: -> tensor<2x60xf32>
// CHECK-DAG: [[SHAPE:%.*]] = onnx.Constant dense<[2, -1]> : tensor<2xi64> : tensor<2xi64>
// CHECK-NOT: onnx.Shape
// CHECK-NOT: onnx.Gather
// CHECK-NOT: onnx.Unsqueeze
// CHECK-NOT: onnx.Concat
// CHECK: [[R:%.*]] = onnx.Reshape(%{{.*}}, [[SHAPE]]) : (tensor<2x3x4x5xf32>, tensor<2xi64>) -> tensor<2x60xf32>
// CHECK: return [[R]] : tensor<2x60xf32>
func.func @shape_chain(%x: tensor<2x3x4x5xf32>) -> tensor<*xf32> {
  %s = onnx.Shape(%x) : (tensor<2x3x4x5xf32>) -> tensor<?xi64>
  %i0 = onnx.Constant dense<0> : tensor<i64> : tensor<i64>
  %d0 = onnx.Gather(%s, %i0) {axis = 0 : i64} : (tensor<?xi64>, tensor<i64>) -> tensor<*xi64>
  %u0 = onnx.Unsqueeze(%d0) {axes = [0]} : (tensor<*xi64>) -> tensor<*xi64>
  %m1 = onnx.Constant dense<-1> : tensor<1xi64> : tensor<1xi64>
  %c = onnx.Concat(%u0, %m1) {axis = 0 : i64} : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %r = onnx.Reshape(%x, %c) : (tensor<2x3x4x5xf32>, tensor<*xi64>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// Tests that a dynamic batch dim stays dynamic through Reshape (0 copies it),
// Shape (its length is still known) and Transpose. The Reshape's -1 dim is
// not inferred (it could be 12: the copied dim cancels out), only its rank.

// CHECK-LABEL: func.func @dynamic_batch
// CHECK-SAME: -> (tensor<?x?xf32>, tensor<3xi64>, tensor<4x?x3xf32>)
// CHECK: onnx.Reshape({{.*}}) -> tensor<?x?xf32>
// CHECK: onnx.Shape({{.*}}) -> tensor<3xi64>
// CHECK: onnx.Transpose({{.*}}) -> tensor<4x?x3xf32>
func.func @dynamic_batch(%x: tensor<?x3x4xf32>) -> (tensor<*xf32>, tensor<*xi64>, tensor<*xf32>) {
  %s = onnx.Constant dense<[0, -1]> : tensor<2xi64> : tensor<2xi64>
  %r = onnx.Reshape(%x, %s) : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  %sh = onnx.Shape(%x) : (tensor<?x3x4xf32>) -> tensor<*xi64>
  %t = onnx.Transpose(%x) {perm = [2, 0, 1]} : (tensor<?x3x4xf32>) -> tensor<*xf32>
  return %r, %sh, %t : tensor<*xf32>, tensor<*xi64>, tensor<*xf32>
}

// -----

// Tests that convolution output sizes follow explicit pads and strides,
// auto_pad SAME_UPPER (ceil(in / stride)), VALID, and dilations.

// CHECK-LABEL: func.func @conv
// CHECK-SAME: -> (tensor<1x8x16x16xf32>, tensor<1x8x16x16xf32>, tensor<1x8x28x28xf32>, tensor<1x8x15x15xf32>)
// CHECK: onnx.Conv({{.*}}) {pads = [1, 1, 1, 1], strides = [2, 2]} : ({{.*}}) -> tensor<1x8x16x16xf32>
// CHECK: onnx.Conv({{.*}}) {auto_pad = "SAME_UPPER", strides = [2, 2]} : ({{.*}}) -> tensor<1x8x16x16xf32>
// CHECK: onnx.Conv({{.*}}) {dilations = [2, 2]} : ({{.*}}) -> tensor<1x8x28x28xf32>
// CHECK: onnx.Conv({{.*}}) {auto_pad = "VALID", strides = [2, 2]} : ({{.*}}) -> tensor<1x8x15x15xf32>
func.func @conv(%x: tensor<1x3x32x32xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = onnx.Conv(%x, %w, %b) {pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
  %1 = onnx.Conv(%x, %w, %b) {auto_pad = "SAME_UPPER", strides = [2, 2]} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
  %2 = onnx.Conv(%x, %w, %b) {dilations = [2, 2]} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
  %3 = onnx.Conv(%x, %w, %b) {auto_pad = "VALID", strides = [2, 2]} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests that grouped and depthwise convolutions take output channels from
// the weights and input channels as weight channels times group.

// CHECK-LABEL: func.func @grouped_conv
// CHECK: onnx.Conv({{.*}}) {group = 2 : i64} : (tensor<1x8x6x6xf32>, tensor<4x4x3x3xf32>, none) -> tensor<1x4x4x4xf32>
// CHECK: onnx.Conv({{.*}}) {group = 8 : i64, pads = [1, 1, 1, 1]} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>, none) -> tensor<1x8x6x6xf32>
func.func @grouped_conv(%x: tensor<1x8x6x6xf32>, %w: tensor<4x4x3x3xf32>, %dw: tensor<8x1x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = onnx.none
  %0 = onnx.Conv(%x, %w, %n) {group = 2 : i64} : (tensor<1x8x6x6xf32>, tensor<4x4x3x3xf32>, none) -> tensor<*xf32>
  %1 = onnx.Conv(%x, %dw, %n) {group = 8 : i64, pads = [1, 1, 1, 1]} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>, none) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests that pooling output sizes round down by default and up with
// ceil_mode, follow SAME_UPPER auto_pad, and that global pooling gives 1x1.

// CHECK-LABEL: func.func @pool
// CHECK: onnx.MaxPool({{.*}}) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x8x7x7xf32>) -> tensor<1x8x3x3xf32>
// CHECK: onnx.MaxPool({{.*}}) {ceil_mode = 1 : i64, kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32>
// CHECK: onnx.AveragePool({{.*}}) {auto_pad = "SAME_UPPER", kernel_shape = [3, 3], strides = [2, 2]} : (tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32>
// CHECK: onnx.GlobalAveragePool({{.*}}) : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
func.func @pool(%x: tensor<1x8x7x7xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = onnx.MaxPool(%x) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x8x7x7xf32>) -> tensor<*xf32>
  %1 = onnx.MaxPool(%x) {ceil_mode = 1 : i64, kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x8x7x7xf32>) -> tensor<*xf32>
  %2 = onnx.AveragePool(%x) {auto_pad = "SAME_UPPER", kernel_shape = [3, 3], strides = [2, 2]} : (tensor<1x8x7x7xf32>) -> tensor<*xf32>
  %3 = onnx.GlobalAveragePool(%x) : (tensor<1x8x7x7xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests that matmul shapes follow numpy: batch dims broadcast, a 1-d left
// operand loses its row dim, a 1-d right operand loses its column dim, 1-d x
// 1-d is a scalar.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: -> (tensor<2x3x4x5xf32>, tensor<5xf32>, tensor<2x1x4xf32>, tensor<f32>)
// CHECK: onnx.MatMul({{.*}}) : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
// CHECK: onnx.MatMul({{.*}}) : (tensor<8xf32>, tensor<8x5xf32>) -> tensor<5xf32>
// CHECK: onnx.MatMul({{.*}}) : (tensor<2x1x4x8xf32>, tensor<8xf32>) -> tensor<2x1x4xf32>
// CHECK: onnx.MatMul({{.*}}) : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
func.func @matmul(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>, %v: tensor<8xf32>, %m: tensor<8x5xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = onnx.MatMul(%a, %b) : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<*xf32>
  %1 = onnx.MatMul(%v, %m) : (tensor<8xf32>, tensor<8x5xf32>) -> tensor<*xf32>
  %2 = onnx.MatMul(%a, %v) : (tensor<2x1x4x8xf32>, tensor<8xf32>) -> tensor<*xf32>
  %3 = onnx.MatMul(%v, %v) : (tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests that an unranked operand gives an unranked result, while ops on
// ranked operands still get refined.

// CHECK-LABEL: func.func @unranked
// CHECK-SAME: -> (tensor<*xf32>, tensor<*xf32>, tensor<?x4xf32>)
// CHECK: onnx.Relu({{.*}}) : (tensor<*xf32>) -> tensor<*xf32>
// CHECK: onnx.Add({{.*}}) : (tensor<*xf32>, tensor<?x4xf32>) -> tensor<*xf32>
// CHECK: onnx.Relu({{.*}}) : (tensor<?x4xf32>) -> tensor<?x4xf32>
func.func @unranked(%x: tensor<*xf32>, %y: tensor<?x4xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = onnx.Relu(%x) : (tensor<*xf32>) -> tensor<*xf32>
  %1 = onnx.Add(%0, %y) : (tensor<*xf32>, tensor<?x4xf32>) -> tensor<*xf32>
  %2 = onnx.Relu(%y) : (tensor<?x4xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests the shape arithmetic of LayerNormalization's function body: a
// negated axis feeds ConstantOfShape, so Neg must fold (integers and floats)
// for the reduced shape [3, 1] to be known (the Reshape to it then folds).

// CHECK-LABEL: func.func @negated_axis
// CHECK-SAME: -> (tensor<3x1xf32>, tensor<2xf32>)
// CHECK-NOT: onnx.Neg
// CHECK: onnx.Constant dense<[-1.500000e+00, 2.000000e+00]>
// CHECK-NOT: onnx.ConstantOfShape
// CHECK-NOT: onnx.Reshape
func.func @negated_axis(%x: tensor<3x4xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %axis = onnx.Constant dense<-1> : tensor<1xi64> : tensor<1xi64>
  %n = onnx.Neg(%axis) : (tensor<1xi64>) -> tensor<*xi64>
  %ones = onnx.ConstantOfShape(%n) {value = dense<1> : tensor<1xi64>} : (tensor<*xi64>) -> tensor<*xi64>
  %prefix = onnx.Constant dense<3> : tensor<1xi64> : tensor<1xi64>
  %shape = onnx.Concat(%prefix, %ones) {axis = 0 : i64} : (tensor<1xi64>, tensor<*xi64>) -> tensor<*xi64>
  %m = onnx.ReduceMean(%x) {axes = [1]} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %r = onnx.Reshape(%m, %shape) : (tensor<3x1xf32>, tensor<*xi64>) -> tensor<*xf32>
  %f = onnx.Constant dense<[1.5, -2.0]> : tensor<2xf32> : tensor<2xf32>
  %nf = onnx.Neg(%f) : (tensor<2xf32>) -> tensor<*xf32>
  return %r, %nf : tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests the head-count arithmetic of Attention's function body: Not folds,
// so Where picks the group size (4 query heads over 2 K/V heads: 2) and the
// Expand to [2, 2, 2, 5, 8] has a static shape.

// CHECK-LABEL: func.func @grouped_heads
// CHECK-SAME: -> tensor<2x2x2x5x8xf32>
// CHECK-NOT: onnx.Not
// CHECK-NOT: onnx.Where
// CHECK: onnx.Expand
func.func @grouped_heads(%k: tensor<2x2x1x5x8xf32>) -> tensor<*xf32> {
  %q = onnx.Constant dense<4> : tensor<1xi64> : tensor<1xi64>
  %kv = onnx.Constant dense<2> : tensor<1xi64> : tensor<1xi64>
  %same = onnx.Equal(%q, %kv) : (tensor<1xi64>, tensor<1xi64>) -> tensor<*xi1>
  %grouped = onnx.Not(%same) : (tensor<*xi1>) -> tensor<*xi1>
  %group = onnx.Div(%q, %kv) : (tensor<1xi64>, tensor<1xi64>) -> tensor<*xi64>
  %one = onnx.Constant dense<1> : tensor<1xi64> : tensor<1xi64>
  %dim = onnx.Where(%grouped, %group, %one) : (tensor<*xi1>, tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %prefix = onnx.Constant dense<2> : tensor<2xi64> : tensor<2xi64>
  %suffix = onnx.Constant dense<[5, 8]> : tensor<2xi64> : tensor<2xi64>
  %shape = onnx.Concat(%prefix, %dim, %suffix) {axis = 0 : i64} : (tensor<2xi64>, tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %e = onnx.Expand(%k, %shape) : (tensor<2x2x1x5x8xf32>, tensor<*xi64>) -> tensor<*xf32>
  return %e : tensor<*xf32>
}

// -----

// Tests Einsum's result shapes: explicit, implicit (letters used once, in
// alphabetical order: "ij,jk" gives ik) and with an ellipsis.

// CHECK-LABEL: func.func @einsum_shapes
// CHECK-SAME: -> (tensor<5x3xf32>, tensor<3x5xf32>, tensor<2x7x3xf32>)
func.func @einsum_shapes(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<2x7x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = onnx.Einsum(%a, %b) {equation = "ij,jk->ki"} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  %1 = onnx.Einsum(%a, %b) {equation = "ij,jk"} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  %2 = onnx.Einsum(%c) {equation = "...ii->...i"} : (tensor<2x7x3x3xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests that a shape built by Concat from constants and a run-time count
// (torchvision's ConstantOfShape of [num_rois, 256, 14, 14]) gives the
// constant dims to ConstantOfShape and Reshape, and leaves the count's
// dynamic; a Concat part of unknown length gives nothing.

// CHECK-LABEL: func.func @partial_shape
// CHECK-SAME: -> (tensor<?x256x14x14xf32>, tensor<?x4x7xf32>, tensor<*xf32>)
func.func @partial_shape(%n: tensor<1xi64>, %x: tensor<?x28xf32>, %m: tensor<?xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %c = onnx.Constant dense<[256, 14, 14]> : tensor<3xi64> : tensor<3xi64>
  %s = onnx.Concat(%n, %c) {axis = 0 : i64} : (tensor<1xi64>, tensor<3xi64>) -> tensor<*xi64>
  %z = onnx.ConstantOfShape(%s) {value = dense<0.0> : tensor<1xf32>} : (tensor<*xi64>) -> tensor<*xf32>
  %c2 = onnx.Constant dense<[4, 7]> : tensor<2xi64> : tensor<2xi64>
  %s2 = onnx.Concat(%n, %c2) {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<*xi64>
  %r = onnx.Reshape(%x, %s2) : (tensor<?x28xf32>, tensor<*xi64>) -> tensor<*xf32>
  %s3 = onnx.Concat(%m, %c) {axis = 0 : i64} : (tensor<?xi64>, tensor<3xi64>) -> tensor<*xi64>
  %u = onnx.ConstantOfShape(%s3) {value = dense<0.0> : tensor<1xf32>} : (tensor<*xi64>) -> tensor<*xf32>
  return %z, %r, %u : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}
