// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg | FileCheck %s

// Tests that inference BatchNormalization is one elementwise generic with the
// per-channel parameters broadcast along dim 1,
// (x - mean) / sqrt(var + eps) * scale + B.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @batchnorm
// CHECK-SAME: ([[X:%.*]]: tensor<1x4x2x2xf32>, [[S:%.*]]: tensor<4xf32>, [[B:%.*]]: tensor<4xf32>, [[M:%.*]]: tensor<4xf32>, [[V:%.*]]: tensor<4xf32>)
// CHECK-DAG: [[EPS:%.*]] = arith.constant 1.000000e-03 : f32
// CHECK-DAG: [[S3:%.*]] = tensor.expand_shape [[S]] {{.*}} into tensor<4x1x1xf32>
// CHECK-DAG: [[B3:%.*]] = tensor.expand_shape [[B]] {{.*}} into tensor<4x1x1xf32>
// CHECK-DAG: [[M3:%.*]] = tensor.expand_shape [[M]] {{.*}} into tensor<4x1x1xf32>
// CHECK-DAG: [[V3:%.*]] = tensor.expand_shape [[V]] {{.*}} into tensor<4x1x1xf32>
// CHECK: [[R:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], {{.*}}} ins([[X]], [[S3]], [[B3]], [[M3]], [[V3]] :
// CHECK-NEXT: ^bb0([[IX:%.*]]: f32, [[IS:%.*]]: f32, [[IB:%.*]]: f32, [[IM:%.*]]: f32, [[IV:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[VE:%.*]] = arith.addf [[IV]], [[EPS]] : f32
// CHECK-NEXT: [[SD:%.*]] = math.sqrt [[VE]] : f32
// CHECK-NEXT: [[XC:%.*]] = arith.subf [[IX]], [[IM]] : f32
// CHECK-NEXT: [[XN:%.*]] = arith.divf [[XC]], [[SD]] : f32
// CHECK-NEXT: [[XS:%.*]] = arith.mulf [[XN]], [[IS]] : f32
// CHECK-NEXT: [[Y:%.*]] = arith.addf [[XS]], [[IB]] : f32
// CHECK-NEXT: linalg.yield [[Y]]
// CHECK: return [[R]]
func.func @batchnorm(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %0 = onnx.BatchNormalization(%x, %s, %b, %m, %v) {epsilon = 1.0e-3 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// Tests that LayerNormalization over the last axis computes mean = sum / 8,
// centred
// values, variance = sum of squares / 8, then
// centred * rsqrt(var + eps) * scale + B with scale and B along the last dim.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[STAT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-DAG: #[[LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layernorm
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x8xf32>, [[S:%.*]]: tensor<8xf32>, [[B:%.*]]: tensor<8xf32>)
// CHECK-DAG: [[EPS:%.*]] = arith.constant 9.99999974E-6 : f32
// CHECK-DAG: [[INV_N:%.*]] = arith.constant 1.250000e-01 : f32
// CHECK: [[SUM:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "parallel", "reduction"]} ins([[X]] : tensor<2x3x8xf32>)
// CHECK: arith.addf
// CHECK: [[MEAN:%.*]] = linalg.generic
// CHECK: arith.mulf %{{.*}}, [[INV_N]] : f32
// CHECK: [[XC:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[STAT]], #[[ID]]], {{.*}}} ins([[X]], [[MEAN]] :
// CHECK: arith.subf
// CHECK: [[SQ:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], {{.*}}} ins([[XC]] : tensor<2x3x8xf32>)
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, [[ACC:%.*]]: f32):
// CHECK-NEXT: [[P:%.*]] = arith.mulf [[IN]], [[IN]] : f32
// CHECK-NEXT: arith.addf [[ACC]], [[P]] fastmath<reassoc> : f32
// CHECK: [[VAR:%.*]] = tensor.expand_shape {{.*}} into tensor<2x3x1xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[STAT]], #[[LAST]], #[[LAST]], #[[ID]]], {{.*}}} ins([[XC]], [[VAR]], [[S]], [[B]] :
// CHECK-NEXT: ^bb0([[IX:%.*]]: f32, [[IV:%.*]]: f32, [[IS:%.*]]: f32, [[IB:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[V:%.*]] = arith.mulf [[IV]], [[INV_N]] : f32
// CHECK-NEXT: [[VE:%.*]] = arith.addf [[V]], [[EPS]] : f32
// CHECK-NEXT: [[RS:%.*]] = math.rsqrt [[VE]] : f32
// CHECK-NEXT: [[XN:%.*]] = arith.mulf [[IX]], [[RS]] : f32
// CHECK-NEXT: [[XS:%.*]] = arith.mulf [[XN]], [[IS]] : f32
// CHECK-NEXT: [[Y:%.*]] = arith.addf [[XS]], [[IB]] : f32
// CHECK-NEXT: linalg.yield [[Y]]
func.func @layernorm(%x: tensor<2x3x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %0 = onnx.LayerNormalization(%x, %s, %b) {epsilon = 1.0e-5 : f32} : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}

// -----

// Tests that softmax is the numerically stable form: subtract the row max
// (from -inf), sum exp, divide exp by the sum.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[BC:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: ([[X:%.*]]: tensor<2x8xf32>)
// CHECK-DAG: [[NEGINF:%.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: [[ZERO:%.*]] = arith.constant 0.000000e+00 : f32
// CHECK: [[F0:%.*]] = linalg.fill ins([[NEGINF]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: [[MAX:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins([[X]] : tensor<2x8xf32>) outs([[F0]] : tensor<2xf32>)
// CHECK: arith.maximumf
// CHECK: [[MAX2:%.*]] = tensor.expand_shape [[MAX]] {{.*}} into tensor<2x1xf32>
// CHECK: [[XC:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[BC]], #[[ID]]], {{.*}}} ins([[X]], [[MAX2]] :
// CHECK: arith.subf
// CHECK: [[F1:%.*]] = linalg.fill ins([[ZERO]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: [[SUM:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins([[XC]] : tensor<2x8xf32>) outs([[F1]] : tensor<2xf32>)
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: [[SUM2:%.*]] = tensor.expand_shape [[SUM]] {{.*}} into tensor<2x1xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BC]], #[[ID]]], {{.*}}} ins([[XC]], [[SUM2]] :
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, [[IS:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[E:%.*]] = math.exp [[IN]] : f32
// CHECK-NEXT: [[Y:%.*]] = arith.divf [[E]], [[IS]] : f32
// CHECK-NEXT: linalg.yield [[Y]]
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = onnx.Softmax(%x) : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that ReduceMean is a sum over the axes, then a division by the number
// of reduced elements; keepdims keeps the axis as size 1, keepdims = 0 drops it
// (a negative axis counts from the end).

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce_mean
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: [[N:%.*]] = arith.constant 3.000000e+00 : f32
// CHECK: [[S0:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction", "parallel"]} ins([[X]] : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: arith.addf
// CHECK: [[K0:%.*]] = tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
// CHECK: [[M0:%.*]] = linalg.generic {{.*}} ins([[K0]] : tensor<2x1x4xf32>) outs(%{{.*}} : tensor<2x1x4xf32>)
// CHECK: arith.divf %{{.*}}, [[N]] : f32
// CHECK: [[S1:%.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction", "parallel"]} ins([[X]] : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: [[M1:%.*]] = linalg.generic {{.*}} ins([[S1]] : tensor<2x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: arith.divf %{{.*}}, [[N]] : f32
// CHECK: return [[M0]], [[M1]]
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>) {
  %0 = onnx.ReduceMean(%x) {axes = [1]} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %1 = onnx.ReduceMean(%x) {axes = [-2], keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x1x4xf32>, tensor<2x4xf32>
}

// -----

// Tests that ArgMax is one reduction generic with a value and an index
// accumulator, strict > picking the first maximum.

// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: arith.cmpf ogt
// CHECK: linalg.index 1
// CHECK: tensor.expand_shape
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3x1xi64> {
  %0 = onnx.ArgMax(%x) {axis = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}

// -----

// Tests that ReduceLogSumExp subtracts the (finite) maximum before the
// exponentials and adds it back after the log.

// CHECK-LABEL: func.func @reduce_log_sum_exp
// CHECK: arith.maximumf
// CHECK: arith.select
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: math.log
func.func @reduce_log_sum_exp(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  %0 = onnx.ReduceLogSumExp(%x) {axes = [1], keepdims = 0 : i64} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that ReduceL1 accumulates absolute values and ReduceSumSquare squares.

// CHECK-LABEL: func.func @reduce_l1_sum_square
// CHECK: math.absf
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @reduce_l1_sum_square(%x: tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<3x1xf32>) {
  %0 = onnx.ReduceL1(%x) {axes = [1]} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %1 = onnx.ReduceSumSquare(%x) {axes = [1]} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  return %0, %1 : tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// Tests that InstanceNormalization reduces over the spatial dims only and
// applies the per-channel scale and bias reshaped to [C, 1, 1].

// CHECK-LABEL: func.func @instance_norm
// CHECK: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: tensor.expand_shape {{.*}} : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: math.rsqrt
func.func @instance_norm(%x: tensor<1x2x3x3xf32>, %s: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = onnx.InstanceNormalization(%x, %s, %b) : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Tests that RMSNormalization is a sum of squares and one rsqrt-scaled
// generic, with no mean subtraction.

// CHECK-LABEL: func.func @rms_norm
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.rsqrt
// CHECK-NOT: arith.subf
func.func @rms_norm(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = onnx.RMSNormalization(%x, %s) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Tests that boolean ReduceMax/ReduceMin are any/all: unsigned maximum from
// false, unsigned minimum from true.

// CHECK-LABEL: func.func @reduce_bool
// CHECK-DAG: arith.constant false
// CHECK-DAG: arith.constant true
// CHECK: linalg.generic
// CHECK: arith.maxui
// CHECK: linalg.generic
// CHECK: arith.minui
func.func @reduce_bool(%x: tensor<2x3xi1>) -> (tensor<2xi1>, tensor<2xi1>) {
  %0 = onnx.ReduceMax(%x) {axes = [1], keepdims = 0 : i64} : (tensor<2x3xi1>) -> tensor<2xi1>
  %1 = onnx.ReduceMin(%x) {axes = [1], keepdims = 0 : i64} : (tensor<2x3xi1>) -> tensor<2xi1>
  return %0, %1 : tensor<2xi1>, tensor<2xi1>
}
