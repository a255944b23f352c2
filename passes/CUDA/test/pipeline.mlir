// RUN: mlc-opt %s --mlc-cuda-pipeline | FileCheck %s

// Tests that the whole CUDA pipeline takes Conv -> Relu -> MaxPool to host
// code that launches kernels from one PTX image: the entry takes bare
// pointers (input, output, workspace, device weights), reads the weights
// only through the weights argument (at their planned offsets: the 16-byte
// bias at 0, the 432-byte filter at 64), and every loop nest runs on the GPU.

// CHECK-LABEL: llvm.func @kernel0_conv_2d_nchw_fchw
// CHECK-NOT: llvm.load
// CHECK-NOT: llvm.store
// CHECK: gpu.launch_func @mlc_kernels::@kernel0_conv_2d_nchw_fchw_kernel
// CHECK-LABEL: llvm.func @kernel1_pooling_nchw_max
// CHECK-NOT: llvm.load
// CHECK-NOT: llvm.store
// CHECK: gpu.launch_func @mlc_kernels::@kernel1_pooling_nchw_max_kernel
// CHECK-LABEL: llvm.func @forward
// CHECK-SAME: ([[IN:%.*]]: !llvm.ptr, [[OUT:%.*]]: !llvm.ptr, [[WS:%.*]]: !llvm.ptr, [[W:%.*]]: !llvm.ptr)
// CHECK-SAME: mlc.device_constants = {{\[}}[@__constant_4x1x1xf32, 0, 16], [@__constant_4x3x3x3xf32, 64, 432]]
// CHECK-SAME: mlc.weights_size = 496
// CHECK-NOT: llvm.mlir.addressof
// CHECK: [[F:%.*]] = llvm.getelementptr [[W]][64]
// CHECK: llvm.call @kernel0_conv_2d_nchw_fchw([[IN]], [[W]], %{{.*}}, [[F]], [[WS]])
// CHECK: llvm.call @kernel1_pooling_nchw_max(
// CHECK: llvm.return
// CHECK: gpu.binary @mlc_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// CHECK-SAME: .target sm_90
// CHECK-SAME: .visible .entry kernel0_conv_2d_nchw_fchw_kernel(
// CHECK-SAME: .visible .entry kernel1_pooling_nchw_max_kernel(
// CHECK-NOT: .extern .func
func.func @forward(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  %w = onnx.Constant dense<0.5> : tensor<4x3x3x3xf32> : tensor<4x3x3x3xf32>
  %b = onnx.Constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> : tensor<4xf32>
  %c = onnx.Conv(%x, %w, %b) {pads = [1, 1, 1, 1]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  %r = onnx.Relu(%c) : (tensor<*xf32>) -> tensor<*xf32>
  %p = onnx.MaxPool(%r) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<*xf32>) -> tensor<*xf32>
  return %p : tensor<*xf32>
}
