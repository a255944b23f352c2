// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg=use-microkernels=false | FileCheck %s

// Tests that a 2-d matmul is a contraction generic into a zero-filled
// accumulator.

// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: ([[X:%.*]]: tensor<4x8xf32>, [[Y:%.*]]: tensor<8x5xf32>)
// CHECK: [[ZERO:%.*]] = arith.constant 0.000000e+00 : f32
// CHECK: [[FILL:%.*]] = linalg.fill ins([[ZERO]] : f32) outs(%{{.*}} : tensor<4x5xf32>)
// CHECK: [[R:%.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]} ins([[X]], [[Y]] : tensor<4x8xf32>, tensor<8x5xf32>) outs([[FILL]] : tensor<4x5xf32>)
// CHECK-NEXT: ^bb0([[IA:%.*]]: f32, [[IB:%.*]]: f32, [[ACC:%.*]]: f32):
// CHECK-NEXT: [[P:%.*]] = arith.mulf [[IA]], [[IB]] : f32
// CHECK-NEXT: [[S:%.*]] = arith.addf [[ACC]], [[P]] : f32
// CHECK-NEXT: linalg.yield [[S]]
// CHECK: return [[R]]
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) -> tensor<4x5xf32> {
  %0 = onnx.MatMul(%a, %b) : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Tests that batch dims broadcast: A's size-1 batch dim reads index 0 and
// B's missing leading batch dim is dropped from its map.

// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) outs(%{{.*}} : tensor<2x3x4x5xf32>)
func.func @matmul_batch_broadcast(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = onnx.MatMul(%a, %b) : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Tests that a 1-d left operand becomes a 1 x K row, a 1-d right operand a
// K x 1 column, and that the added dim is removed from the result.

// CHECK-LABEL: func.func @matmul_1d
// CHECK-SAME: ([[V:%.*]]: tensor<8xf32>, [[M:%.*]]: tensor<8x5xf32>, [[A:%.*]]: tensor<2x4x8xf32>)
// CHECK: [[ROW:%.*]] = tensor.expand_shape [[V]] {{\[\[}}0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
// CHECK: [[VM:%.*]] = linalg.generic {{.*}} ins([[ROW]], [[M]] : tensor<1x8xf32>, tensor<8x5xf32>) outs(%{{.*}} : tensor<1x5xf32>)
// CHECK: [[R0:%.*]] = tensor.collapse_shape [[VM]] {{\[\[}}0, 1]] : tensor<1x5xf32> into tensor<5xf32>
// CHECK: [[COL:%.*]] = tensor.expand_shape [[V]] {{\[\[}}0, 1]] output_shape [8, 1] : tensor<8xf32> into tensor<8x1xf32>
// CHECK: [[AV:%.*]] = linalg.generic {{.*}} ins([[A]], [[COL]] : tensor<2x4x8xf32>, tensor<8x1xf32>) outs(%{{.*}} : tensor<2x4x1xf32>)
// CHECK: [[R1:%.*]] = tensor.{{(collapse|expand)}}_shape {{.*}} into tensor<2x4xf32>
// CHECK: [[VV:%.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1xf32>)
// CHECK: [[R2:%.*]] = tensor.collapse_shape [[VV]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: return [[R0]], [[R1]], [[R2]]
func.func @matmul_1d(%v: tensor<8xf32>, %m: tensor<8x5xf32>, %a: tensor<2x4x8xf32>) -> (tensor<5xf32>, tensor<2x4xf32>, tensor<f32>) {
  %0 = onnx.MatMul(%v, %m) : (tensor<8xf32>, tensor<8x5xf32>) -> tensor<5xf32>
  %1 = onnx.MatMul(%a, %v) : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  %2 = onnx.MatMul(%v, %v) : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<5xf32>, tensor<2x4xf32>, tensor<f32>
}

// -----

// Tests that Gemm with transB, alpha, beta and a broadcast C starts the
// accumulator as beta * C broadcast over the rows, B is read transposed, and each
// product is scaled by alpha.

// CHECK-DAG: #[[CROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @gemm_transb_c
// CHECK-SAME: ([[X:%.*]]: tensor<4x8xf32>, [[Y:%.*]]: tensor<5x8xf32>, [[BIAS:%.*]]: tensor<5xf32>)
// CHECK-DAG: [[ALPHA:%.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: [[BETA:%.*]] = arith.constant 2.000000e+00 : f32
// CHECK: [[INIT:%.*]] = linalg.generic {indexing_maps = [#[[CROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins([[BIAS]] : tensor<5xf32>) outs(%{{.*}} : tensor<4x5xf32>)
// CHECK: arith.mulf %{{.*}}, [[BETA]] : f32
// CHECK: [[R:%.*]] = linalg.generic {indexing_maps = [#[[A]], #[[BT]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]} ins([[X]], [[Y]] : tensor<4x8xf32>, tensor<5x8xf32>) outs([[INIT]] : tensor<4x5xf32>)
// CHECK-NEXT: ^bb0([[IA:%.*]]: f32, [[IB:%.*]]: f32, [[ACC:%.*]]: f32):
// CHECK-NEXT: [[P:%.*]] = arith.mulf [[IA]], [[IB]] : f32
// CHECK-NEXT: [[PA:%.*]] = arith.mulf [[P]], [[ALPHA]] : f32
// CHECK-NEXT: [[S:%.*]] = arith.addf [[ACC]], [[PA]] : f32
// CHECK: return [[R]]
func.func @gemm_transb_c(%a: tensor<4x8xf32>, %b: tensor<5x8xf32>, %c: tensor<5xf32>) -> tensor<4x5xf32> {
  %0 = onnx.Gemm(%a, %b, %c) {alpha = 0.5 : f32, beta = 2.0 : f32, transB = 1 : i64} : (tensor<4x8xf32>, tensor<5x8xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Tests that Gemm with default alpha and beta does no scaling and copies C
// into the accumulator.

// CHECK-LABEL: func.func @gemm_defaults
// CHECK-NOT: arith.constant
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4x5xf32>) outs(%{{.*}} : tensor<4x5xf32>)
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield [[IN]]
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0([[IA:%.*]]: f32, [[IB:%.*]]: f32, [[ACC:%.*]]: f32):
// CHECK-NEXT: [[P:%.*]] = arith.mulf [[IA]], [[IB]] : f32
// CHECK-NEXT: [[S:%.*]] = arith.addf [[ACC]], [[P]] : f32
// CHECK-NEXT: linalg.yield [[S]]
func.func @gemm_defaults(%a: tensor<4x8xf32>, %b: tensor<5x8xf32>, %c: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %0 = onnx.Gemm(%a, %b, %c) {transB = 1 : i64} : (tensor<4x8xf32>, tensor<5x8xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
