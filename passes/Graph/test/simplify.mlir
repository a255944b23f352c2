// RUN: mlc-opt %s --split-input-file --mlc-graph-simplify | FileCheck %s

// Tests that BatchNormalization after a Conv with constant parameters folds
// into the Conv: W' = W * s, B' = (B - mean) * s + beta, s = scale /
// sqrt(var + eps). With W = 2, B = 1, scale = [1, 3], beta = [0.5, -1],
// mean = [3, 0], var = [3.75, 0.75], eps = 0.25: s = [0.5, 3], W' = [1, 6],
// B' = [-0.5, 2].

// CHECK-LABEL: func.func @batchnorm_into_conv
// CHECK-SAME: ([[X:%.*]]: tensor<1x1x2x2xf32>)
// CHECK-DAG: [[W:%.*]] = onnx.Constant dense_resource<[[WNAME:bn_folded_weight[_0-9]*]]> : tensor<2x1x1x1xf32> : tensor<2x1x1x1xf32>
// CHECK-DAG: [[B:%.*]] = onnx.Constant dense_resource<[[BNAME:bn_folded_bias[_0-9]*]]> : tensor<2xf32> : tensor<2xf32>
// CHECK: [[Y:%.*]] = onnx.Conv([[X]], [[W]], [[B]])
// CHECK-NOT: onnx.BatchNormalization
// CHECK: return [[Y]]
// The blobs: a 4-byte alignment header, then little-endian f32 values.
// CHECK-DAG: [[WNAME]]: "0x040000000000803F0000C040"
// CHECK-DAG: [[BNAME]]: "0x04000000000000BF00000040"
func.func @batchnorm_into_conv(%x: tensor<1x1x2x2xf32>) -> tensor<*xf32> {
  %w = onnx.Constant dense<2.0> : tensor<2x1x1x1xf32> : tensor<2x1x1x1xf32>
  %b = onnx.Constant dense<1.0> : tensor<2xf32> : tensor<2xf32>
  %scale = onnx.Constant dense<[1.0, 3.0]> : tensor<2xf32> : tensor<2xf32>
  %beta = onnx.Constant dense<[0.5, -1.0]> : tensor<2xf32> : tensor<2xf32>
  %mean = onnx.Constant dense<[3.0, 0.0]> : tensor<2xf32> : tensor<2xf32>
  %var = onnx.Constant dense<[3.75, 0.75]> : tensor<2xf32> : tensor<2xf32>
  %c = onnx.Conv(%x, %w, %b) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y = onnx.BatchNormalization(%c, %scale, %beta, %mean, %var) {epsilon = 0.25 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that a Conv without bias still folds its BatchNormalization (the
// bias starts at zero), and that two folds get blobs of their own.
// 2 channels, scale = 1, beta = 1, mean = 0, var = 4, eps = 0: s = 0.5,
// W' = 1, B' = 1. 3 channels, scale = 1, beta = 0, mean = 0, var = 1: W' = 2,
// B' = 0.

// CHECK-LABEL: func.func @batchnorm_no_bias
// CHECK-DAG: [[W1:%.*]] = onnx.Constant dense_resource<[[W1NAME:bn_folded_weight[_0-9]*]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: [[B1:%.*]] = onnx.Constant dense_resource<[[B1NAME:bn_folded_bias[_0-9]*]]> : tensor<2xf32>
// CHECK-DAG: [[W2:%.*]] = onnx.Constant dense_resource<[[W2NAME:bn_folded_weight[_0-9]*]]> : tensor<3x1x1x1xf32>
// CHECK-DAG: [[B2:%.*]] = onnx.Constant dense_resource<[[B2NAME:bn_folded_bias[_0-9]*]]> : tensor<3xf32>
// CHECK-DAG: [[Y1:%.*]] = onnx.Conv(%{{.*}}, [[W1]], [[B1]])
// CHECK-DAG: [[Y2:%.*]] = onnx.Conv(%{{.*}}, [[W2]], [[B2]])
// CHECK: return [[Y1]], [[Y2]]
// CHECK-DAG: [[W1NAME]]: "0x040000000000803F0000803F"
// CHECK-DAG: [[B1NAME]]: "0x040000000000803F0000803F"
// CHECK-DAG: [[W2NAME]]: "0x04000000000000400000004000000040"
// CHECK-DAG: [[B2NAME]]: "0x04000000000000000000000000000000"
func.func @batchnorm_no_bias(%x: tensor<1x1x2x2xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = onnx.none
  %w1 = onnx.Constant dense<2.0> : tensor<2x1x1x1xf32> : tensor<2x1x1x1xf32>
  %one = onnx.Constant dense<1.0> : tensor<2xf32> : tensor<2xf32>
  %zero = onnx.Constant dense<0.0> : tensor<2xf32> : tensor<2xf32>
  %four = onnx.Constant dense<4.0> : tensor<2xf32> : tensor<2xf32>
  %c1 = onnx.Conv(%x, %w1, %n) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x2x2xf32>
  %y1 = onnx.BatchNormalization(%c1, %one, %one, %zero, %four) {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<*xf32>
  %w2 = onnx.Constant dense<2.0> : tensor<3x1x1x1xf32> : tensor<3x1x1x1xf32>
  %one3 = onnx.Constant dense<1.0> : tensor<3xf32> : tensor<3xf32>
  %zero3 = onnx.Constant dense<0.0> : tensor<3xf32> : tensor<3xf32>
  %c2 = onnx.Conv(%x, %w2, %n) : (tensor<1x1x2x2xf32>, tensor<3x1x1x1xf32>, none) -> tensor<1x3x2x2xf32>
  %y2 = onnx.BatchNormalization(%c2, %one3, %zero3, %zero3, %one3) {epsilon = 0.0 : f32} : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %y1, %y2 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Tests that BatchNormalization is not folded into a Conv whose result has
// another user (the Conv would have to be computed twice).

// CHECK-LABEL: func.func @batchnorm_conv_two_users
// CHECK: [[C:%.*]] = onnx.Conv
// CHECK: [[Y:%.*]] = onnx.BatchNormalization([[C]],
// CHECK: return [[Y]], [[C]]
func.func @batchnorm_conv_two_users(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = onnx.Constant dense<2.0> : tensor<2x1x1x1xf32> : tensor<2x1x1x1xf32>
  %n = onnx.none
  %one = onnx.Constant dense<1.0> : tensor<2xf32> : tensor<2xf32>
  %c = onnx.Conv(%x, %w, %n) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x2x2xf32>
  %y = onnx.BatchNormalization(%c, %one, %one, %one, %one) : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y, %c : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Tests that BatchNormalization with non-constant parameters stays.

// CHECK-LABEL: func.func @batchnorm_dynamic_params
// CHECK: onnx.Conv
// CHECK: onnx.BatchNormalization
func.func @batchnorm_dynamic_params(%x: tensor<1x1x2x2xf32>, %scale: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = onnx.Constant dense<2.0> : tensor<2x1x1x1xf32> : tensor<2x1x1x1xf32>
  %n = onnx.none
  %one = onnx.Constant dense<1.0> : tensor<2xf32> : tensor<2xf32>
  %c = onnx.Conv(%x, %w, %n) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x2x2xf32>
  %y = onnx.BatchNormalization(%c, %scale, %one, %one, %one) : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Tests that Identity and inference Dropout disappear and that ops whose
// results are unused are erased.

// CHECK-LABEL: func.func @identity_dropout_dead
// CHECK-SAME: ([[X:%.*]]: tensor<4xf32>)
// CHECK-NEXT: [[R:%.*]] = onnx.Relu([[X]])
// CHECK-NEXT: return [[R]]
func.func @identity_dropout_dead(%x: tensor<4xf32>) -> tensor<4xf32> {
  %n = onnx.none
  %0 = onnx.Identity(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = onnx.Dropout(%0, %n, %n) : (tensor<4xf32>, none, none) -> tensor<4xf32>
  %2 = onnx.Relu(%1) : (tensor<4xf32>) -> tensor<4xf32>
  %dead = onnx.Exp(%2) : (tensor<4xf32>) -> tensor<4xf32>
  %dead2 = onnx.Add(%dead, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Tests that two transposes compose into one: [1, 2, 0] then [1, 2, 0] is
// [2, 0, 1].

// CHECK-LABEL: func.func @compose_transposes
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: [[T:%.*]] = onnx.Transpose([[X]]) {perm = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: return [[T]]
func.func @compose_transposes(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = onnx.Transpose(%x) {perm = [1, 2, 0]} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = onnx.Transpose(%0) {perm = [1, 2, 0]} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Tests that a transpose followed by its inverse cancels, also when one of
// them has no perm (reversal).

// CHECK-LABEL: func.func @cancel_transposes
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x4xf32>)
// CHECK-NOT: onnx.Transpose
// CHECK: return [[X]], [[X]]
func.func @cancel_transposes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = onnx.Transpose(%x) {perm = [1, 2, 0]} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = onnx.Transpose(%0) {perm = [2, 0, 1]} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  %2 = onnx.Transpose(%x) : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %3 = onnx.Transpose(%2) {perm = [2, 1, 0]} : (tensor<4x3x2xf32>) -> tensor<2x3x4xf32>
  return %1, %3 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// Tests that chains of Reshape, Unsqueeze, Squeeze and Flatten collapse into
// one Reshape to the final static shape, and that a chain back to the input
// shape disappears.

// CHECK-LABEL: func.func @collapse_reshapes
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x4xf32>, [[Y:%.*]]: tensor<1x3x4xf32>)
// CHECK-DAG: [[S1:%.*]] = onnx.Constant dense<[6, 4]> : tensor<2xi64>
// CHECK-DAG: [[S2:%.*]] = onnx.Constant dense<[12, 1]> : tensor<2xi64>
// CHECK-DAG: [[R1:%.*]] = onnx.Reshape([[X]], [[S1]]) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
// CHECK-DAG: [[R2:%.*]] = onnx.Reshape([[Y]], [[S2]]) : (tensor<1x3x4xf32>, tensor<2xi64>) -> tensor<12x1xf32>
// CHECK-NOT: onnx.Unsqueeze
// CHECK-NOT: onnx.Squeeze
// CHECK-NOT: onnx.Flatten
// CHECK: return [[R1]], [[X]], [[R2]]
func.func @collapse_reshapes(%x: tensor<2x3x4xf32>, %y: tensor<1x3x4xf32>) -> (tensor<6x4xf32>, tensor<2x3x4xf32>, tensor<12x1xf32>) {
  %s1 = onnx.Constant dense<[6, 4]> : tensor<2xi64> : tensor<2xi64>
  %s2 = onnx.Constant dense<[2, 12]> : tensor<2xi64> : tensor<2xi64>
  %s3 = onnx.Constant dense<[2, 3, 4]> : tensor<3xi64> : tensor<3xi64>
  %0 = onnx.Reshape(%x, %s2) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %1 = onnx.Unsqueeze(%0) {axes = [0]} : (tensor<2x12xf32>) -> tensor<1x2x12xf32>
  %2 = onnx.Reshape(%1, %s1) : (tensor<1x2x12xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %3 = onnx.Reshape(%x, %s2) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %4 = onnx.Reshape(%3, %s3) : (tensor<2x12xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %5 = onnx.Squeeze(%y) {axes = [0]} : (tensor<1x3x4xf32>) -> tensor<3x4xf32>
  %6 = onnx.Flatten(%5) {axis = 2 : i64} : (tensor<3x4xf32>) -> tensor<12x1xf32>
  return %2, %4, %6 : tensor<6x4xf32>, tensor<2x3x4xf32>, tensor<12x1xf32>
}

// -----

// Tests that a reshape chain whose result is not static is left alone.

// CHECK-LABEL: func.func @reshape_chain_unranked
// CHECK: onnx.Reshape
// CHECK: onnx.Flatten
func.func @reshape_chain_unranked(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  %s = onnx.Constant dense<[2, 12]> : tensor<2xi64> : tensor<2xi64>
  %0 = onnx.Reshape(%x, %s) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %1 = onnx.Flatten(%0) {axis = 0 : i64} : (tensor<2x12xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
