// RUN: mlc-opt %s --split-input-file --mlc-graph-propagate-shapes --verify-diagnostics
// Every case must also make the pass fail, not only report: no case may
// print a module.
// RUN: not mlc-opt %s --split-input-file --mlc-graph-propagate-shapes 2>/dev/null | FileCheck %s --allow-empty --check-prefix=FAILED
// FAILED-NOT: func.func

// Tests that a convolution whose weights expect other input channels is
// rejected at the node.

func.func @conv_channel_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  %n = onnx.none
  // expected-error @+1 {{'onnx.Conv' op input channels 3 do not match weight channels 2 x group 1}}
  %y = onnx.Conv(%x, %w, %n) : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>, none) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that grouped convolution checks the channels per group: 8 input
// channels in 2 groups need weights with 4 channels.

func.func @conv_group_channel_mismatch(%x: tensor<1x8x8x8xf32>, %w: tensor<4x8x3x3xf32>) -> tensor<*xf32> {
  %n = onnx.none
  // expected-error @+1 {{'onnx.Conv' op input channels 8 do not match weight channels 8 x group 2}}
  %y = onnx.Conv(%x, %w, %n) {group = 2 : i64} : (tensor<1x8x8x8xf32>, tensor<4x8x3x3xf32>, none) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that a reshape to a shape with another element count is rejected.

func.func @reshape_element_count(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = onnx.Constant dense<[4, 2]> : tensor<2xi64> : tensor<2xi64>
  // expected-error @+1 {{'onnx.Reshape' op cannot reshape 6 elements into 8}}
  %y = onnx.Reshape(%x, %s) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that a -1 dim that does not divide the element count is rejected.

func.func @reshape_inferred_dim(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = onnx.Constant dense<[4, -1]> : tensor<2xi64> : tensor<2xi64>
  // expected-error @+1 {{'onnx.Reshape' op cannot reshape 6 elements with a -1 dim}}
  %y = onnx.Reshape(%x, %s) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that concat inputs must agree on every dim but the axis.

func.func @concat_dim_mismatch(%a: tensor<1x3x4xf32>, %b: tensor<1x5x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Concat' op inputs differ in dim 2: 4 vs 5}}
  %y = onnx.Concat(%a, %b) {axis = 1 : i64} : (tensor<1x3x4xf32>, tensor<1x5x5xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that matmul operands must agree on the contracting dim.

func.func @matmul_contracting_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.MatMul' op contracting dims differ: 3 vs 4}}
  %y = onnx.MatMul(%a, %b) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that matmul batch dims must broadcast.

func.func @matmul_batch_mismatch(%a: tensor<2x4x3xf32>, %b: tensor<3x3x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.MatMul' op batch dims cannot be broadcast together}}
  %y = onnx.MatMul(%a, %b) : (tensor<2x4x3xf32>, tensor<3x3x5xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that elementwise operands must broadcast numpy-style.

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Add' op operand shapes cannot be broadcast together}}
  %y = onnx.Add(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that Gemm's C must broadcast to the M x N result.

func.func @gemm_bad_c(%a: tensor<2x3xf32>, %b: tensor<5x3xf32>, %c: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Gemm' op C cannot be broadcast to the result shape}}
  %y = onnx.Gemm(%a, %b, %c) {transB = 1 : i64} : (tensor<2x3xf32>, tensor<5x3xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that Gemm honours transB when it checks the contracting dims.

func.func @gemm_contracting_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<*xf32> {
  %n = onnx.none
  // expected-error @+1 {{'onnx.Gemm' op contracting dims differ: 3 vs 5}}
  %y = onnx.Gemm(%a, %b, %n) {transB = 1 : i64} : (tensor<2x3xf32>, tensor<3x5xf32>, none) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that a transpose perm must be a permutation of the input's dims.

func.func @transpose_not_permutation(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Transpose' op perm is not a permutation}}
  %y = onnx.Transpose(%x) {perm = [0, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that a transpose perm needs one entry per dim.

func.func @transpose_perm_rank(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Transpose' op perm has 2 entries for rank 3}}
  %y = onnx.Transpose(%x) {perm = [1, 0]} : (tensor<2x3x4xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that the verifier rejects training-mode BatchNormalization (mlc
// compiles inference graphs only).

func.func @batchnorm_training(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{'onnx.BatchNormalization' op training_mode=1 is not supported (inference only)}}
  %y = onnx.BatchNormalization(%x, %p, %p, %p, %p) {training_mode = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// Tests that GatherElements needs indices of the data's rank.

func.func @gather_elements_rank(%d: tensor<3x3xf32>, %i: tensor<3xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{data and indices have different ranks}}
  %0 = onnx.GatherElements(%d, %i) : (tensor<3x3xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Tests that DepthToSpace needs channels divisible by blocksize^2.

func.func @depth_to_space_channels(%x: tensor<1x6x2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{channels are not a multiple of blocksize^2}}
  %0 = onnx.DepthToSpace(%x) {blocksize = 2 : i64} : (tensor<1x6x2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Tests that an Einsum equation that does not match its inputs' ranks, and
// one with a malformed subscript, are rejected with the reason.

func.func @einsum_rank_mismatch(%a: tensor<3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Einsum' op equation 'ijk->i' has 3 subscripts for an input of rank 2}}
  %0 = onnx.Einsum(%a) {equation = "ijk->i"} : (tensor<3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @einsum_bad_subscript(%a: tensor<3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Einsum' op equation 'i1->i' has an invalid subscript '1'}}
  %0 = onnx.Einsum(%a) {equation = "i1->i"} : (tensor<3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
