// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg | FileCheck %s

// Tests a batched matmul written as Einsum: loops (b, i, k) parallel then j
// a reduction, each input read through its subscripts' map, the product
// added to a zero-filled output.

// CHECK-DAG: [[A:#map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: [[B:#map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: [[C:#map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_matmul
// CHECK: [[Z:%.*]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [[[A]], [[B]], [[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x3x4xf32>, tensor<2x4x5xf32>) outs([[Z]] : tensor<2x3x5xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batch_matmul(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %y = onnx.Einsum(%a, %b) {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// Tests an ellipsis and a repeated subscript (the diagonal of each matrix
// in a batch): the input map reads (d0, d1, d1).

// CHECK: [[D:#map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-LABEL: func.func @batch_diagonal
// CHECK: linalg.generic {indexing_maps = [[[D]], {{.*}}], iterator_types = ["parallel", "parallel"]}
func.func @batch_diagonal(%x: tensor<3x5x5xf32>) -> tensor<3x5xf32> {
  %y = onnx.Einsum(%x) {equation = "...ii ->...i"} : (tensor<3x5x5xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}
