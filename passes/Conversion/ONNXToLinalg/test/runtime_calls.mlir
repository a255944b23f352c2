// RUN: mlc-opt %s --mlc-convert-onnx-to-linalg --canonicalize --cse | FileCheck %s
// RUN: not mlc-opt %s --mlc-convert-onnx-to-linalg=use-microkernels=false 2>&1 | FileCheck %s --check-prefix=LINALG

// Tests that the sequential and data-dependent ops become kernel.runtime_call of the
// runtime's functions on the CPU, with the [outer, n, inner] view of the
// op's axis computed from the dims (read at run time where dynamic).
// Without microkernels (the CUDA target) TopK, CumSum and ScatterElements
// keep their linalg lowerings (tensor.mlir), and NonMaxSuppression has
// none, which the pass says.

// TopK: outer, n, inner, k (from the K input where the output's axis is
// dynamic, a constant where it is static), largest; the outputs are sized
// by k along the axis.
// CHECK-LABEL: func.func @topk_dynamic
// CHECK-DAG: [[K:%.*]] = tensor.extract %arg1[%c0] : tensor<1xi64>
// CHECK-DAG: [[D0:%.*]] = tensor.dim %arg0, %c0
// CHECK-DAG: [[OUTER:%.*]] = arith.index_cast [[D0]] : index to i64
// CHECK-DAG: [[D1:%.*]] = tensor.dim %arg0, %c1
// CHECK-DAG: [[N:%.*]] = arith.index_cast [[D1]] : index to i64
// CHECK-DAG: [[KI:%.*]] = arith.index_cast [[K]] : i64 to index
// CHECK-DAG: [[V:%.*]] = tensor.empty([[D0]], [[KI]]) : tensor<?x?x5xf32>
// CHECK-DAG: [[I:%.*]] = tensor.empty([[D0]], [[KI]]) : tensor<?x?x5xi64>
// CHECK: kernel.runtime_call "mlc_rt_top_k_f32"([[OUTER]], [[N]], %c5_i64, [[K]], %c0_i64) ins(%arg0 : tensor<?x?x5xf32>) outs([[V]], [[I]] : tensor<?x?x5xf32>, tensor<?x?x5xi64>)
// CHECK-LABEL: func.func @topk_static
// CHECK: kernel.runtime_call "mlc_rt_top_k_i64"(%c3_i64, %c100_i64, %c1_i64, %c7_i64, %c1_i64) ins(%arg0 : tensor<3x100xi64>) outs(%{{.*}}, %{{.*}} : tensor<3x7xi64>, tensor<3x7xi64>)

// Unique: outer, n, inner (1, every element, 1 without an axis), sorted;
// outputs with room for every slice (Y like x, or flat), and slices of the
// count the call returns (inverse_indices has one per slice already).
// CHECK-LABEL: func.func @unique_flat
// CHECK: [[N:%.*]] = arith.muli %{{.*}}, %{{.*}} : i64
// CHECK: [[NI:%.*]] = arith.index_cast [[N]] : i64 to index
// CHECK: [[ROOM:%.*]] = tensor.empty([[NI]]) : tensor<?xi64>
// CHECK: [[R:%.*]]:5 = kernel.runtime_call "mlc_rt_unique_i64"(%c1_i64, [[N]], %c1_i64, %c0_i64) ins(%arg0 : tensor<?x?xi64>) outs([[ROOM]], [[ROOM]], [[ROOM]], [[ROOM]], %{{.*}} :
// CHECK: [[U:%.*]] = tensor.extract [[R]]#4[%c0] : tensor<1xi64>
// CHECK: [[UI:%.*]] = arith.index_cast [[U]] : i64 to index
// CHECK-DAG: [[Y:%.*]] = tensor.extract_slice [[R]]#0[0] {{\[}}[[UI]]] [1]
// CHECK-DAG: [[I:%.*]] = tensor.extract_slice [[R]]#1[0] {{\[}}[[UI]]] [1]
// CHECK-DAG: [[C:%.*]] = tensor.extract_slice [[R]]#3[0] {{\[}}[[UI]]] [1]
// CHECK: return [[Y]], [[I]], [[R]]#2, [[C]]
// CHECK-LABEL: func.func @unique_axis
// CHECK: [[R:%.*]]:5 = kernel.runtime_call "mlc_rt_unique_f32"(%c2_i64, %c5_i64, %c3_i64, %c1_i64) ins(%arg0 : tensor<2x5x3xf32>) outs(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x5x3xf32>, tensor<5xi64>, tensor<5xi64>, tensor<5xi64>, tensor<1xi64>)
// CHECK: tensor.extract_slice [[R]]#0[0, 0, 0] [2, %{{.*}}, 3] [1, 1, 1] : tensor<2x5x3xf32> to tensor<2x?x3xf32>

// CumSum: outer, n, inner, exclusive, reverse, into a tensor like x.
// CHECK-LABEL: func.func @cumsum
// CHECK: [[D:%.*]] = tensor.dim %arg0, %c1
// CHECK: [[N:%.*]] = arith.index_cast [[D]] : index to i64
// CHECK: [[Y:%.*]] = tensor.empty([[D]]) : tensor<2x?x3xf64>
// CHECK: kernel.runtime_call "mlc_rt_cumsum_f64"(%c2_i64, [[N]], %c3_i64, %c1_i64, %c0_i64) ins(%arg0 : tensor<2x?x3xf64>) outs([[Y]] : tensor<2x?x3xf64>)

// ScatterElements: rank, axis, reduction (none 0 .. min 4); the dims of the
// data and of the updates as i64 tensors; the data is the output, updated
// in place. Reduction none copies elements by width; f16 with a reduction
// has no runtime function and keeps the linalg lowering.
// CHECK-LABEL: func.func @scatter(
// CHECK: [[DD:%.*]] = tensor.dim %arg0, %c0
// CHECK: [[DN:%.*]] = arith.index_cast [[DD]] : index to i64
// CHECK: [[DDIMS:%.*]] = tensor.from_elements [[DN]] : tensor<1xi64>
// CHECK: [[UD:%.*]] = tensor.dim %arg2, %c0
// CHECK: [[UN:%.*]] = arith.index_cast [[UD]] : index to i64
// CHECK: [[UDIMS:%.*]] = tensor.from_elements [[UN]] : tensor<1xi64>
// CHECK: kernel.runtime_call "mlc_rt_scatter_elements_x64"(%c1_i64, %c0_i64, %c0_i64) ins([[DDIMS]], [[UDIMS]], %arg1, %arg2 : tensor<1xi64>, tensor<1xi64>, tensor<?xi64>, tensor<?xi64>) outs(%arg0 : tensor<?xi64>)
// CHECK-LABEL: func.func @scatter_add
// CHECK-DAG: [[DDIMS:%.*]] = arith.constant dense<[4, 5]> : tensor<2xi64>
// CHECK-DAG: [[UDIMS:%.*]] = arith.constant dense<[2, 3]> : tensor<2xi64>
// CHECK: kernel.runtime_call "mlc_rt_scatter_elements_f32"(%c2_i64, %c1_i64, %c1_i64) ins([[DDIMS]], [[UDIMS]], %arg1, %arg2 : {{.*}}) outs(%arg0 : tensor<4x5xf32>)
// CHECK-LABEL: func.func @scatter_f16_add
// CHECK-NOT: kernel.runtime_call
// CHECK: linalg.generic

// ScatterND: rows (the index tuples), k, slice (the elements each
// addresses), reduction, rank; the data's dims; the data is the output.
// CHECK-LABEL: func.func @scatter_nd
// CHECK: [[U:%.*]] = tensor.dim %arg1, %c0
// CHECK: [[ROWS:%.*]] = arith.index_cast [[U]] : index to i64
// CHECK: kernel.runtime_call "mlc_rt_scatter_nd_f32"([[ROWS]], %c2_i64, %c8_i64, %c3_i64, %c3_i64) ins(%{{.*}}, %arg1, %arg2 : tensor<3xi64>, tensor<?x2xi64>, tensor<?x8xf32>) outs(%arg0 : tensor<4x5x8xf32>)

// NonMaxSuppression: batches, classes, boxes, center_point_box,
// has_score_threshold, into a buffer with a row for every (batch, class,
// box), and a slice of the kept rows whose count is the second output;
// static shapes size the buffer statically.
// CHECK-LABEL: func.func @nms_dynamic
// CHECK-DAG: [[B:%.*]] = tensor.dim %arg0, %c0
// CHECK-DAG: [[B64:%.*]] = arith.index_cast [[B]] : index to i64
// CHECK-DAG: [[C:%.*]] = tensor.dim %arg1, %c1
// CHECK-DAG: [[C64:%.*]] = arith.index_cast [[C]] : index to i64
// CHECK-DAG: [[N:%.*]] = tensor.dim %arg0, %c1
// CHECK-DAG: [[N64:%.*]] = arith.index_cast [[N]] : index to i64
// CHECK: [[BC:%.*]] = arith.muli [[B64]], [[C64]] : i64
// CHECK: [[ROWS:%.*]] = arith.muli [[BC]], [[N64]] : i64
// CHECK: [[ROWSI:%.*]] = arith.index_cast [[ROWS]] : i64 to index
// CHECK: [[SEL:%.*]] = tensor.empty([[ROWSI]]) : tensor<?x3xi64>
// CHECK: [[CNT:%.*]] = tensor.empty() : tensor<1xi64>
// CHECK: [[R:%.*]]:2 = kernel.runtime_call "mlc_rt_non_max_suppression_f32"([[B64]], [[C64]], [[N64]], %c1_i64, %c1_i64) ins(%arg0, %arg1, %arg2, %arg3, %arg4 :
// CHECK-SAME: outs([[SEL]], [[CNT]] : tensor<?x3xi64>, tensor<1xi64>)
// CHECK: [[K:%.*]] = tensor.extract [[R]]#1[%c0] : tensor<1xi64>
// CHECK: [[KI:%.*]] = arith.index_cast [[K]] : i64 to index
// CHECK: tensor.extract_slice [[R]]#0[0, 0] {{\[}}[[KI]], 3] [1, 1] : tensor<?x3xi64> to tensor<?x3xi64>
// CHECK-LABEL: func.func @nms_static
// CHECK: tensor.empty() : tensor<40x3xi64>
// CHECK: kernel.runtime_call "mlc_rt_non_max_suppression_f32"(%c2_i64, %c2_i64, %c10_i64, %c0_i64, %c0_i64)

func.func @topk_dynamic(%x: tensor<?x?x5xf32>, %k: tensor<1xi64>) -> (tensor<?x?x5xf32>, tensor<?x?x5xi64>) {
  %v, %i = onnx.TopK(%x, %k) {axis = 1 : i64, largest = 0 : i64} : (tensor<?x?x5xf32>, tensor<1xi64>) -> (tensor<?x?x5xf32>, tensor<?x?x5xi64>)
  return %v, %i : tensor<?x?x5xf32>, tensor<?x?x5xi64>
}
func.func @topk_static(%x: tensor<3x100xi64>, %k: tensor<1xi64>) -> (tensor<3x7xi64>, tensor<3x7xi64>) {
  %v, %i = onnx.TopK(%x, %k) {axis = -1 : i64} : (tensor<3x100xi64>, tensor<1xi64>) -> (tensor<3x7xi64>, tensor<3x7xi64>)
  return %v, %i : tensor<3x7xi64>, tensor<3x7xi64>
}
func.func @unique_flat(%x: tensor<?x?xi64>) -> (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) {
  %y, %i, %v, %c = onnx.Unique(%x) {sorted = 0 : i64} : (tensor<?x?xi64>) -> (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
  return %y, %i, %v, %c : tensor<?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>
}
func.func @unique_axis(%x: tensor<2x5x3xf32>) -> (tensor<2x?x3xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>) {
  %y, %i, %v, %c = onnx.Unique(%x) {axis = -2 : i64} : (tensor<2x5x3xf32>) -> (tensor<2x?x3xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>)
  return %y, %i, %v, %c : tensor<2x?x3xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>
}
func.func @cumsum(%x: tensor<2x?x3xf64>) -> tensor<2x?x3xf64> {
  %a = onnx.Constant dense<1> : tensor<i64> : tensor<i64>
  %y = onnx.CumSum(%x, %a) {exclusive = 1 : i64, reverse = 0 : i64} : (tensor<2x?x3xf64>, tensor<i64>) -> tensor<2x?x3xf64>
  return %y : tensor<2x?x3xf64>
}
func.func @scatter(%d: tensor<?xi64>, %i: tensor<?xi64>, %u: tensor<?xi64>) -> tensor<?xi64> {
  %y = onnx.ScatterElements(%d, %i, %u) {axis = 0 : i64} : (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  return %y : tensor<?xi64>
}
func.func @scatter_add(%d: tensor<4x5xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %y = onnx.ScatterElements(%d, %i, %u) {axis = 1 : i64, reduction = "add"} : (tensor<4x5xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}
func.func @scatter_f16_add(%d: tensor<4xf16>, %i: tensor<2xi64>, %u: tensor<2xf16>) -> tensor<4xf16> {
  %y = onnx.ScatterElements(%d, %i, %u) {axis = 0 : i64, reduction = "add"} : (tensor<4xf16>, tensor<2xi64>, tensor<2xf16>) -> tensor<4xf16>
  return %y : tensor<4xf16>
}
func.func @scatter_nd(%d: tensor<4x5x8xf32>, %i: tensor<?x2xi64>, %u: tensor<?x8xf32>) -> tensor<4x5x8xf32> {
  %y = onnx.ScatterND(%d, %i, %u) {reduction = "max"} : (tensor<4x5x8xf32>, tensor<?x2xi64>, tensor<?x8xf32>) -> tensor<4x5x8xf32>
  return %y : tensor<4x5x8xf32>
}
func.func @nms_dynamic(%b: tensor<?x?x4xf32>, %s: tensor<?x?x?xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  // LINALG: error: operator 'NonMaxSuppression' is not supported with symbolic dims
  %0 = onnx.NonMaxSuppression(%b, %s, %m, %iou, %t) {center_point_box = 1 : i64, has_score_threshold = 1 : i64} : (tensor<?x?x4xf32>, tensor<?x?x?xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
func.func @nms_static(%b: tensor<2x10x4xf32>, %s: tensor<2x2x10xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  %0 = onnx.NonMaxSuppression(%b, %s, %m, %iou, %t) : (tensor<2x10x4xf32>, tensor<2x2x10xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
