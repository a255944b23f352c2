// RUN: mlc-opt %s --mlc-convert-onnx-to-linalg | FileCheck %s
// RUN: not mlc-opt %s --mlc-convert-onnx-to-linalg=use-microkernels=false 2>&1 | FileCheck %s --check-prefix=LINALG

// Without microkernels (the CUDA target) NonMaxSuppression has no lowering,
// and the pass says so.

// Tests that NonMaxSuppression of run-time shapes becomes
// kernel.non_max_suppression into a buffer with a row for every (batch,
// class, box), computed from the dims, and a slice of the kept rows whose
// count the kernel returns; static shapes size the buffer statically.

// CHECK-LABEL: func.func @nms_dynamic
// CHECK: [[B:%.*]] = tensor.dim %arg0, %c0
// CHECK: [[C:%.*]] = tensor.dim %arg1, %c1
// CHECK: [[BC:%.*]] = arith.muli [[B]], [[C]]
// CHECK: [[N:%.*]] = tensor.dim %arg0, %c1
// CHECK: [[ROWS:%.*]] = arith.muli [[BC]], [[N]]
// CHECK: [[SEL:%.*]] = tensor.empty([[ROWS]]) : tensor<?x3xi64>
// CHECK: [[CNT:%.*]] = tensor.empty() : tensor<1xi64>
// CHECK: [[R:%.*]]:2 = kernel.non_max_suppression ins(%arg0, %arg1, %arg2, %arg3, %arg4 :
// CHECK-SAME: outs([[SEL]], [[CNT]] : tensor<?x3xi64>, tensor<1xi64>) center_point_box = 1 has_score_threshold = 1
// CHECK: [[K:%.*]] = tensor.extract [[R]]#1[%c0{{.*}}] : tensor<1xi64>
// CHECK: [[KI:%.*]] = arith.index_cast [[K]] : i64 to index
// CHECK: tensor.extract_slice [[R]]#0[0, 0] {{\[}}[[KI]], 3] [1, 1] : tensor<?x3xi64> to tensor<?x3xi64>
// CHECK-LABEL: func.func @nms_static
// CHECK: tensor.empty() : tensor<40x3xi64>
// CHECK: kernel.non_max_suppression
// CHECK-SAME: center_point_box = 0 has_score_threshold = 0
func.func @nms_dynamic(%b: tensor<?x?x4xf32>, %s: tensor<?x?x?xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  // LINALG: error: operator 'NonMaxSuppression' is not supported with symbolic dims
  %0 = onnx.NonMaxSuppression(%b, %s, %m, %iou, %t) {center_point_box = 1 : i64, has_score_threshold = 1 : i64} : (tensor<?x?x4xf32>, tensor<?x?x?xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
func.func @nms_static(%b: tensor<2x10x4xf32>, %s: tensor<2x2x10xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  %0 = onnx.NonMaxSuppression(%b, %s, %m, %iou, %t) : (tensor<2x10x4xf32>, tensor<2x2x10xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
