// RUN: mlc-opt %s --mlc-kernel-formation-pipeline --mlc-cpu-bufferize-pipeline=dynamic-shapes=1 | FileCheck %s

// Tests the buffers of a model with a symbolic dim: each kernel writes into a
// buffer its caller allocates with the dims it reads at run time (the kernel
// returns nothing), buffers that die are freed, and forward returns the
// output it allocated instead of taking an out-param.

// CHECK-LABEL: func.func private @kernel0_generic
// CHECK-SAME: ([[IN:%.*]]: memref<?x4xf32>, [[OUT:%.*]]: memref<?x4xf32>)
// CHECK-NOT: ->
// CHECK: linalg.generic {{.*}} ins([[IN]] : memref<?x4xf32>) outs([[OUT]] : memref<?x4xf32>)
// CHECK: return{{$}}
// CHECK-LABEL: func.func private @kernel1_generic
// CHECK-SAME: ([[SUM:%.*]]: memref<?xf32>, [[E:%.*]]: memref<?x4xf32>)
// CHECK: linalg.fill {{.*}} outs([[SUM]] : memref<?xf32>)
// CHECK: iterator_types = ["parallel", "reduction"]
// CHECK-LABEL: func.func @forward
// CHECK-SAME: ([[X:%.*]]: memref<?x4xf32>, [[WS:%.*]]: memref<1xi8>) -> memref<?x4xf32>
// CHECK: [[N:%.*]] = memref.dim [[X]], %c0
// CHECK: [[A:%.*]] = memref.alloc([[N]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK: call @kernel0_generic([[X]], [[A]])
// CHECK: [[S:%.*]] = memref.alloc([[N]]) {alignment = 64 : i64} : memref<?xf32>
// CHECK: call @kernel1_generic([[S]], [[A]])
// CHECK: [[K:%.*]] = memref.expand_shape [[S]]
// CHECK: [[R:%.*]] = memref.alloc({{%.*}}) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK: call @kernel2_generic({{.*}}[[A]], {{.*}}[[K]], [[R]])
// CHECK-DAG: memref.dealloc [[A]]
// CHECK-DAG: memref.dealloc [[S]]
// CHECK: return [[R]] : memref<?x4xf32>
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {mlc.input_names = ["x"], mlc.output_names = ["y"]} {
  %0 = onnx.Relu(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = onnx.Exp(%0) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %2 = onnx.ReduceSum(%1) {axes = [1], keepdims = 1} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  %3 = onnx.Div(%1, %2) : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  return %3 : tensor<?x4xf32>
}
