// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg=use-microkernels=false | FileCheck %s --check-prefix=LINALG

// Tests that a float32 Conv with constant weights followed by Relu becomes one
// kernel.conv2d with the activation in its params, the bias as an operand and
// the weights packed in panels of 8 output channels (k-major: W[0][0], W[1][0],
// 0 x 6, then W[0][1], W[1][1], 0 x 6).

// CHECK-LABEL: func.func @conv_relu
// CHECK-DAG: [[B:%.*]] = arith.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: [[W:%.*]] = arith.constant dense_resource<[[BLOB:conv_packed[_0-9]*]]> : tensor<32xf32>
// CHECK: [[E:%.*]] = tensor.empty() : tensor<1x2x4x4xf32>
// CHECK: [[Y:%.*]] = kernel.conv2d ins(%arg0, [[W]], [[B]] : tensor<1x2x4x4xf32>, tensor<32xf32>, tensor<2xf32>) outs([[E]] : tensor<1x2x4x4xf32>)
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 0]
// CHECK-NOT: onnx.Relu
// CHECK: return [[Y]]
// CHECK: [[BLOB]]: "0x040000000000803F00004040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000080400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
// LINALG-LABEL: func.func @conv_relu
// LINALG-NOT: kernel.conv2d
// LINALG: linalg.conv_2d_nchw_fchw
func.func @conv_relu(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %b = onnx.Constant dense<[0.5, -0.5]> : tensor<2xf32> : tensor<2xf32>
  %c = onnx.Conv(%x, %w, %b) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = onnx.Relu(%c) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Tests that padding, strides and groups go into the params and that a conv
// without bias gets a zero bias; the Relu of a conv with two users stays.

// CHECK-LABEL: func.func @grouped_strided
// CHECK-DAG: [[ZERO:%.*]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: [[Y:%.*]] = kernel.conv2d ins(%arg0, %{{.*}}, [[ZERO]] : tensor<1x4x9x9xf32>, tensor<576xf32>, tensor<4xf32>)
// CHECK-SAME: params = [1, 4, 9, 9, 4, 3, 3, 5, 5, 2, 2, 1, 1, 1, 1, 2, 0, 0]
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @grouped_strided(%x: tensor<1x4x9x9xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) {
  %w = onnx.Constant dense<1.0> : tensor<4x2x3x3xf32> : tensor<4x2x3x3xf32>
  %none = onnx.none
  %c = onnx.Conv(%x, %w, %none) {group = 2 : i64, pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x4x9x9xf32>, tensor<4x2x3x3xf32>, none) -> tensor<1x4x5x5xf32>
  %r = onnx.Relu(%c) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  return %c, %r : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>
}

// -----

// Tests that a conv whose weights are not constant keeps the linalg lowering.

// CHECK-LABEL: func.func @dynamic_weights
// CHECK-NOT: kernel.conv2d
// CHECK: linalg.conv_2d_nchw_fchw
func.func @dynamic_weights(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %none = onnx.none
  %c = onnx.Conv(%x, %w, %none) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// -----

// Tests that MatMul by a constant followed by a per-column bias Add becomes
// one kernel.matmul on [batch, m, k] with the bias folded in, and that the
// weights are packed in panels of 16 columns (B[0][0], B[0][1], 0 x 14, ...).

// CHECK-LABEL: func.func @matmul_bias
// CHECK: [[A:%.*]] = tensor.expand_shape
// CHECK: [[Y:%.*]] = kernel.matmul ins([[A]], %{{.*}}, %{{.*}} : tensor<1x3x2xf32>, tensor<32xf32>, tensor<2xf32>) outs(%{{.*}} : tensor<1x3x2xf32>)
// CHECK-SAME: params = [1, 3, 2, 2, 2, 6, 0]
// CHECK-NOT: onnx.Add
// CHECK-NOT: linalg.generic
// CHECK: return
// CHECK: matmul_packed{{[_0-9]*}}: "0x040000000000803F00000040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004040000080400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
func.func @matmul_bias(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %b = onnx.Constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32> : tensor<2x2xf32>
  %bias = onnx.Constant dense<[1.0, -1.0]> : tensor<2xf32> : tensor<2xf32>
  %m = onnx.MatMul(%a, %b) : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %y = onnx.Add(%bias, %m) : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Tests that Gemm with transB (a torch Linear) and a Relu becomes one
// kernel.matmul whose packed weights are the transposed B.

// CHECK-LABEL: func.func @gemm_transb_relu
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x1x2xf32>, tensor<32xf32>, tensor<2xf32>)
// CHECK-SAME: params = [1, 1, 2, 2, 2, 2, 1]
// CHECK-NOT: onnx.Relu
// CHECK: matmul_packed{{[_0-9]*}}: "0x040000000000803F00004040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000080400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
func.func @gemm_transb_relu(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %b = onnx.Constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32> : tensor<2x2xf32>
  %c = onnx.Constant dense<[0.0, 1.0]> : tensor<2xf32> : tensor<2xf32>
  %g = onnx.Gemm(%a, %b, %c) {transB = 1 : i64} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %r = onnx.Relu(%g) : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}

// -----

// Tests that a depthwise convolution (group == channels) becomes
// kernel.depthwise_conv2d with its weights as they are (flattened), also when
// they are not constants.

// CHECK-LABEL: func.func @depthwise
// CHECK: [[W:%.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1, 2, 3]] : tensor<8x1x3x3xf32> into tensor<72xf32>
// CHECK: kernel.depthwise_conv2d ins(%arg0, [[W]], %{{.*}} : tensor<1x8x6x6xf32>, tensor<72xf32>, tensor<8xf32>)
// CHECK-SAME: params = [1, 8, 6, 6, 8, 3, 3, 6, 6, 1, 1, 1, 1, 1, 1, 8, 1, 0]
// CHECK-NOT: onnx.Relu
func.func @depthwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32> {
  %none = onnx.none
  %c = onnx.Conv(%x, %w, %none) {group = 8 : i64, pads = [1, 1, 1, 1]} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>, none) -> tensor<1x8x6x6xf32>
  %r = onnx.Relu(%c) : (tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// Tests that a MatMul of two run-time tensors becomes kernel.batch_matmul with
// the batch dims flattened, and that a B shared by every batch gets batch
// stride 0.

// CHECK-LABEL: func.func @attention_matmuls
// CHECK: kernel.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<12x8x4xf32>, tensor<12x4x8xf32>) outs(%{{.*}} : tensor<12x8x8xf32>) params = [12, 8, 8, 4, 4, 32, 8, 32]
// CHECK: kernel.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<12x8x8xf32>, tensor<1x8x4xf32>) outs(%{{.*}} : tensor<12x8x4xf32>) params = [12, 8, 4, 8, 8, 64, 4, 0]
// CHECK-NOT: linalg.generic
func.func @attention_matmuls(%q: tensor<1x12x8x4xf32>, %kt: tensor<1x12x4x8xf32>, %v: tensor<8x4xf32>) -> tensor<1x12x8x4xf32> {
  %s = onnx.MatMul(%q, %kt) : (tensor<1x12x8x4xf32>, tensor<1x12x4x8xf32>) -> tensor<1x12x8x8xf32>
  %o = onnx.MatMul(%s, %v) : (tensor<1x12x8x8xf32>, tensor<8x4xf32>) -> tensor<1x12x8x4xf32>
  return %o : tensor<1x12x8x4xf32>
}

// -----

// Tests that SiLU after a conv, as exporters write it (Mul(x, Sigmoid(x)),
// either operand order) or as Swish, becomes activation 2 of the conv's
// microkernel (depthwise too), and that a Sigmoid-Mul whose conv has a
// third user stays elementwise.

// CHECK-LABEL: func.func @conv_silu
// CHECK: kernel.conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 2, 0]
// CHECK: kernel.depthwise_conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 2, 2, 0]
// CHECK: kernel.conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 2, 0]
// CHECK-NOT: onnx.Sigmoid
// CHECK-NOT: onnx.Swish
// CHECK: return
func.func @conv_silu(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %dw = onnx.Constant dense<0.25> : tensor<2x1x3x3xf32> : tensor<2x1x3x3xf32>
  %none = onnx.none
  %c = onnx.Conv(%x, %w, %none) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %s = onnx.Sigmoid(%c) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %m = onnx.Mul(%c, %s) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %d = onnx.Conv(%m, %dw, %none) {group = 2 : i64, pads = [1, 1, 1, 1]} : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>, none) -> tensor<1x2x4x4xf32>
  %ds = onnx.Sigmoid(%d) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %dm = onnx.Mul(%ds, %d) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %e = onnx.Conv(%dm, %w, %none) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %es = onnx.Swish(%e) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %es : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @silu_with_other_user
// CHECK: kernel.conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 0, 0]
// CHECK: linalg.generic
func.func @silu_with_other_user(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = onnx.Constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %none = onnx.none
  %c = onnx.Conv(%x, %w, %none) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %s = onnx.Sigmoid(%c) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %m = onnx.Mul(%c, %s) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %m, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Tests that Clip(x, 0, 6) (ReLU6) and HardSwish after a conv become
// activations 3 and 4 of its microkernel, and that a Clip with other bounds
// stays elementwise.

// CHECK-LABEL: func.func @conv_relu6_hardswish
// CHECK: kernel.conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 3, 0]
// CHECK: kernel.conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 4, 0]
// CHECK: kernel.conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 0, 0]
// CHECK: linalg.generic
// CHECK: arith.minimumf
func.func @conv_relu6_hardswish(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %none = onnx.none
  %lo = onnx.Constant dense<0.0> : tensor<f32> : tensor<f32>
  %hi = onnx.Constant dense<6.0> : tensor<f32> : tensor<f32>
  %hi4 = onnx.Constant dense<4.0> : tensor<f32> : tensor<f32>
  %c = onnx.Conv(%x, %w, %none) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %r6 = onnx.Clip(%c, %lo, %hi) : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %d = onnx.Conv(%r6, %w, %none) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %h = onnx.HardSwish(%d) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %e = onnx.Conv(%h, %w, %none) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %r4 = onnx.Clip(%e, %lo, %hi4) : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return %r4 : tensor<1x2x4x4xf32>
}

// -----

// Tests that Relu(Add(Conv(x), r)) is one kernel.conv2d that accumulates into
// r (its init; accumulate = 1, the last param) with the Relu in its params,
// that a residual Add without an activation fuses too (either operand order),
// and that a depthwise conv keeps its Add.

// CHECK-LABEL: func.func @conv_residual
// CHECK-SAME: ([[X:%.*]]: tensor<1x2x4x4xf32>, [[R:%.*]]: tensor<1x2x4x4xf32>)
// CHECK: [[Y:%.*]] = kernel.conv2d ins([[X]], %{{.*}}, %{{.*}} : {{.*}}) outs([[R]] : tensor<1x2x4x4xf32>)
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1]
// CHECK: [[Z:%.*]] = kernel.conv2d ins([[Y]], %{{.*}}, %{{.*}} : {{.*}}) outs([[Y]] : tensor<1x2x4x4xf32>)
// CHECK-SAME: params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 0, 1]
// CHECK: kernel.depthwise_conv2d
// CHECK-SAME: params = [1, 2, 4, 4, 2, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 2, 0, 0]
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK-NOT: onnx.
func.func @conv_residual(%x: tensor<1x2x4x4xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %dw = onnx.Constant dense<0.5> : tensor<2x1x3x3xf32> : tensor<2x1x3x3xf32>
  %n = onnx.none
  %c = onnx.Conv(%x, %w, %n) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %a = onnx.Add(%c, %r) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %y = onnx.Relu(%a) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %c2 = onnx.Conv(%y, %w, %n) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %z = onnx.Add(%y, %c2) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %d = onnx.Conv(%z, %dw, %n) {group = 2 : i64, pads = [1, 1, 1, 1]} : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>, none) -> tensor<1x2x4x4xf32>
  %o = onnx.Add(%d, %z) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %o : tensor<1x2x4x4xf32>
}

// -----

// Tests that a float32 2-d MaxPool becomes kernel.maxpool2d on the unpadded
// input, with the conv params layout (f = group = c, no activation) and the
// output size from the result type (ceil mode here: 5 -> 3 with kernel 2,
// stride 2), and that without microkernels it stays a linalg pooling.

// CHECK-LABEL: func.func @maxpool
// CHECK: [[E:%.*]] = tensor.empty() : tensor<1x4x3x3xf32>
// CHECK: [[Y:%.*]] = kernel.maxpool2d ins(%arg0 : tensor<1x4x5x5xf32>) outs([[E]] : tensor<1x4x3x3xf32>)
// CHECK-SAME: params = [1, 4, 5, 5, 4, 2, 2, 3, 3, 2, 2, 1, 1, 0, 0, 4, 0, 0]
// CHECK: return [[Y]]
// CHECK-LABEL: func.func @maxpool_padded
// CHECK: kernel.maxpool2d ins(%arg0 : tensor<1x2x8x8xf32>)
// CHECK-SAME: params = [1, 2, 8, 8, 2, 3, 3, 4, 4, 2, 2, 1, 1, 1, 1, 2, 0, 0]
// LINALG-LABEL: func.func @maxpool
// LINALG-NOT: kernel.maxpool2d
// LINALG: linalg.pooling_nchw_max
func.func @maxpool(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x3x3xf32> {
  %0 = onnx.MaxPool(%x) {ceil_mode = 1 : i64, kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x5x5xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}
func.func @maxpool_padded(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %0 = onnx.MaxPool(%x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Tests that MaxPool of other element types or ranks keeps the linalg
// lowering.

// CHECK-LABEL: func.func @maxpool_not_microkernel
// CHECK-NOT: kernel.maxpool2d
// CHECK: linalg.pooling_nchw_max
// CHECK: linalg.generic
func.func @maxpool_not_microkernel(%x: tensor<1x2x8x8xf16>, %y: tensor<1x2x8xf32>) -> (tensor<1x2x4x4xf16>, tensor<1x2x4xf32>) {
  %0 = onnx.MaxPool(%x) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x2x8x8xf16>) -> tensor<1x2x4x4xf16>
  %1 = onnx.MaxPool(%y) {kernel_shape = [2], strides = [2]} : (tensor<1x2x8xf32>) -> tensor<1x2x4xf32>
  return %0, %1 : tensor<1x2x4x4xf16>, tensor<1x2x4xf32>
}


// -----

// Tests that a Conv and a Gemm whose batch or rows are known only at run time
// (an R-CNN head's proposals) still become microkernels: the destination
// takes the input's dim, and the parameter stays dynamic for
// mlc-cpu-lower-microkernels to fill in (the conv's batch; the matmul's rows
// and batch stride).

// CHECK-LABEL: func.func @conv_runtime_batch
// CHECK: [[N:%.*]] = tensor.dim %arg0, %c0 : tensor<?x2x4x4xf32>
// CHECK: [[INIT:%.*]] = tensor.empty([[N]]) : tensor<?x3x4x4xf32>
// CHECK: kernel.conv2d ins(%arg0, %{{.*}}, %{{.*}} : tensor<?x2x4x4xf32>, tensor<288xf32>, tensor<3xf32>) outs([[INIT]] : tensor<?x3x4x4xf32>) params = [-9223372036854775808, 2, 4, 4, 3, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0]
// CHECK-LABEL: func.func @gemm_runtime_rows
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x?x4xf32>, tensor<64xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<1x?x3xf32>) params = [1, -9223372036854775808, 3, 4, 4, -9223372036854775808, 0]
// LINALG-LABEL: func.func @conv_runtime_batch
// LINALG-NOT: kernel.conv2d
func.func @conv_runtime_batch(%x: tensor<?x2x4x4xf32>) -> tensor<?x3x4x4xf32> {
  %w = onnx.Constant dense<0.5> : tensor<3x2x3x3xf32> : tensor<3x2x3x3xf32>
  %n = onnx.none
  %y = onnx.Conv(%x, %w, %n) {pads = [1, 1, 1, 1]} : (tensor<?x2x4x4xf32>, tensor<3x2x3x3xf32>, none) -> tensor<?x3x4x4xf32>
  return %y : tensor<?x3x4x4xf32>
}
func.func @gemm_runtime_rows(%a: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %b = onnx.Constant dense<0.25> : tensor<3x4xf32> : tensor<3x4xf32>
  %n = onnx.none
  %y = onnx.Gemm(%a, %b, %n) {transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, none) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
