// RUN: mlc-opt %s --mlc-cpu-pipeline | FileCheck %s
// RUN: mlc-opt %s --mlc-cpu-pipeline | FileCheck %s --check-prefix=CLEAN

// Tests that the whole CPU pipeline takes Conv -> Relu -> MaxPool to the LLVM
// dialect: the entry takes bare pointers (input, output, workspace)
// and allocates nothing, the conv and its relu are one kernel, the pool
// another (both calls of runtime microkernels), and the intermediates live
// in the workspace (1024 bytes for 1x4x8x8 f32, then 256 for 1x4x4x4).

// CLEAN-NOT: onnx.
// CLEAN-NOT: linalg.
// CLEAN-NOT: memref.
// CLEAN-NOT: func.func
// CLEAN-NOT: builtin.unrealized_conversion_cast

// CHECK: llvm.func @[[CONV:kernel0_[a-z_0-9]*]](%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes {kernel.kernel
// CHECK: llvm.call @mlc_rt_conv2d_f32
// CHECK: llvm.func @[[POOL:kernel1_maxpool2d[a-z_0-9]*]](%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes {kernel.kernel
// CHECK: llvm.call @mlc_rt_maxpool2d_f32
// CHECK-LABEL: llvm.func @main_graph
// CHECK-SAME: ([[IN:%.*]]: !llvm.ptr, [[OUT:%.*]]: !llvm.ptr, [[WS:%.*]]: !llvm.ptr)
// CHECK-SAME: attributes {mlc.workspace_size = 1280 : i64}
// CHECK-NOT: @malloc
// CHECK: llvm.call @[[CONV]]([[IN]], %{{.*}}, [[WS]])
// CHECK-NOT: @malloc
// CHECK: [[P:%.*]] = llvm.getelementptr [[WS]][1024]
// CHECK-NOT: @malloc
// CHECK: llvm.call @[[POOL]]([[WS]], [[P]])
// CHECK-NOT: @malloc
// CHECK: llvm.return
func.func @main_graph(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  %w = onnx.Constant dense<0.5> : tensor<4x3x3x3xf32> : tensor<4x3x3x3xf32>
  %b = onnx.Constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> : tensor<4xf32>
  %c = onnx.Conv(%x, %w, %b) {pads = [1, 1, 1, 1]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  %r = onnx.Relu(%c) : (tensor<*xf32>) -> tensor<*xf32>
  %p = onnx.MaxPool(%r) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<*xf32>) -> tensor<*xf32>
  return %p : tensor<*xf32>
}
