// RUN: mlc-opt %s --mlc-kernel-formation-pipeline --mlc-cpu-bufferize-pipeline | FileCheck %s

// Tests that a convolution accumulating into its residual's buffer leaves its
// result there: the kernels have no out-param of their own and copy nothing,
// and the caller passes the residual's buffer on. A residual that is an input
// of the model (not writable: the application's buffer) is copied once into
// a buffer of the schedule first; one that the schedule computed
// (a max pool of x2, its own kernel) is updated in place.

// CHECK: func.func private @[[CONV:kernel[0-9]+_conv2d[a-z_0-9]*]](%{{.*}}: memref<1x4x8x8xf32>, %{{.*}}: memref<{{[0-9]+}}xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<1x4x8x8xf32>) attributes
// CHECK-NOT: memref.copy
// CHECK: call @mlc_rt_conv2d_f32
// CHECK-NOT: memref.copy
// CHECK: return
// CHECK: func.func private @[[CONV2:kernel[0-9]+_conv2d[a-z_0-9]*]](%{{.*}}: memref<1x4x8x8xf32>, %{{.*}}: memref<{{[0-9]+}}xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<1x4x8x8xf32>) attributes
// CHECK-NOT: memref.copy
// CHECK: call @mlc_rt_conv2d_f32
// CHECK-LABEL: func.func @forward
// CHECK-SAME: ([[X:%.*]]: memref<1x4x8x8xf32>, [[R:%.*]]: memref<1x4x8x8xf32>, [[X2:%.*]]: memref<1x4x8x8xf32>
// CHECK: memref.copy [[R]], [[RC:%[a-z_0-9]+]] :
// CHECK: call @[[CONV]]([[X]], %{{.*}}, %{{.*}}, [[RC]])
// CHECK: call @kernel{{[0-9]+}}_maxpool2d{{[a-z_0-9]*}}([[X2]], [[T:%[a-z_0-9]+]])
// CHECK-NOT: memref.copy
// CHECK: call @[[CONV2]]([[RC]], %{{.*}}, %{{.*}}, [[T]])
func.func @forward(%x: tensor<1x4x8x8xf32> {bufferization.writable = false},
                   %r: tensor<1x4x8x8xf32> {bufferization.writable = false},
                   %x2: tensor<1x4x8x8xf32> {bufferization.writable = false}) -> tensor<1x4x4x4xf32> {
  %w = onnx.Constant dense<0.5> : tensor<4x4x3x3xf32> : tensor<4x4x3x3xf32>
  %b = onnx.Constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> : tensor<4xf32>
  %c = onnx.Conv(%x, %w, %b) {pads = [1, 1, 1, 1]} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %s = onnx.Add(%c, %r) : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %y = onnx.Relu(%s) : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %t = onnx.MaxPool(%x2) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c2 = onnx.Conv(%y, %w, %b) {pads = [1, 1, 1, 1]} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %s2 = onnx.Add(%c2, %t) : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %p = onnx.MaxPool(%s2) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}
