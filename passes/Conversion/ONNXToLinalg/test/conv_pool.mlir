// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg=use-microkernels=false | FileCheck %s

// Tests that a convolution with pads, strides and bias zero-pads the input
// and starts the output as the bias broadcast along the channel dim.

// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_pads_bias
// CHECK-SAME: ([[X:%.*]]: tensor<1x3x8x8xf32>, [[W:%.*]]: tensor<4x3x3x3xf32>, [[B:%.*]]: tensor<4xf32>)
// CHECK-DAG: [[ZERO:%.*]] = arith.constant 0.000000e+00 : f32
// CHECK: [[PAD:%.*]] = tensor.pad [[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield [[ZERO]]
// CHECK: tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
// CHECK: [[B3:%.*]] = tensor.expand_shape [[B]] {{\[\[}}0, 1, 2]] output_shape [4, 1, 1]
// CHECK: [[INIT:%.*]] = linalg.generic {indexing_maps = [#[[BIAS]], #[[ID]]], {{.*}}} ins([[B3]] : tensor<4x1x1xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>)
// CHECK: [[Y:%.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins([[PAD]], [[W]] : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs([[INIT]] : tensor<1x4x4x4xf32>)
// CHECK: return [[Y]]
func.func @conv_pads_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = onnx.Conv(%x, %w, %b) {pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Tests that auto_pad puts the odd padding at the end for SAME_UPPER and at
// the beginning for SAME_LOWER, and that no bias means a zero-filled output.

// CHECK-LABEL: func.func @conv_auto_pad
// CHECK: [[UP:%.*]] = tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: [[FILL:%.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x5x5xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins([[UP]], %{{.*}} : tensor<1x1x6x6xf32>, tensor<1x1x2x2xf32>) outs([[FILL]] :
// CHECK: [[LOW:%.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins([[LOW]], %{{.*}} : tensor<1x1x6x6xf32>, tensor<1x1x2x2xf32>)
func.func @conv_auto_pad(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x2x2xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xf32>) {
  %n = onnx.none
  %0 = onnx.Conv(%x, %w, %n) {auto_pad = "SAME_UPPER"} : (tensor<1x1x5x5xf32>, tensor<1x1x2x2xf32>, none) -> tensor<1x1x5x5xf32>
  %1 = onnx.Conv(%x, %w, %n) {auto_pad = "SAME_LOWER"} : (tensor<1x1x5x5xf32>, tensor<1x1x2x2xf32>, none) -> tensor<1x1x5x5xf32>
  return %0, %1 : tensor<1x1x5x5xf32>, tensor<1x1x5x5xf32>
}

// -----

// Tests that a convolution with one input channel per group and group equal
// to the channels is a depthwise convolution on weights reshaped to CHW.

// CHECK-LABEL: func.func @depthwise
// CHECK-SAME: ([[X:%.*]]: tensor<1x8x6x6xf32>, [[W:%.*]]: tensor<8x1x3x3xf32>)
// CHECK: [[FILL:%.*]] = linalg.fill
// CHECK: [[WF:%.*]] = tensor.collapse_shape [[W]]
// CHECK: [[WC:%.*]] = tensor.expand_shape [[WF]] {{.*}} into tensor<8x3x3xf32>
// CHECK: [[Y:%.*]] = linalg.depthwise_conv_2d_nchw_chw {{.*}} ins([[X]], [[WC]] : tensor<1x8x6x6xf32>, tensor<8x3x3xf32>) outs([[FILL]] : tensor<1x8x4x4xf32>)
// CHECK: return [[Y]]
func.func @depthwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %n = onnx.none
  %0 = onnx.Conv(%x, %w, %n) {group = 8 : i64} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>, none) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Tests that a grouped convolution splits the channel dims into (group,
// channels per group) and uses the grouped named op.

// CHECK-LABEL: func.func @grouped
// CHECK-SAME: ([[X:%.*]]: tensor<1x8x6x6xf32>, [[W:%.*]]: tensor<4x4x3x3xf32>)
// CHECK-DAG: [[XG:%.*]] = tensor.expand_shape [[X]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 4, 6, 6]
// CHECK-DAG: [[WG:%.*]] = tensor.expand_shape [[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 2, 4, 3, 3]
// CHECK-DAG: [[OG:%.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 4, 4]
// CHECK: [[YG:%.*]] = linalg.conv_2d_ngchw_gfchw {{.*}} ins([[XG]], [[WG]] : tensor<1x2x4x6x6xf32>, tensor<2x2x4x3x3xf32>) outs([[OG]] : tensor<1x2x2x4x4xf32>)
// CHECK: [[Y:%.*]] = tensor.collapse_shape [[YG]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x2x4x4xf32> into tensor<1x4x4x4xf32>
// CHECK: return [[Y]]
func.func @grouped(%x: tensor<1x8x6x6xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %n = onnx.none
  %0 = onnx.Conv(%x, %w, %n) {group = 2 : i64} : (tensor<1x8x6x6xf32>, tensor<4x4x3x3xf32>, none) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Tests that max pooling pads with -inf and starts from -inf, and that
// ceil_mode adds padding at the end for the last partial window.

// CHECK-LABEL: func.func @maxpool
// CHECK-DAG: [[NEGINF:%.*]] = arith.constant 0xFF800000 : f32
// CHECK: [[PAD:%.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield [[NEGINF]]
// CHECK: [[INIT:%.*]] = linalg.fill ins([[NEGINF]] : f32) outs(%{{.*}} : tensor<1x4x4x4xf32>)
// CHECK: [[WIN:%.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins([[PAD]], [[WIN]] : tensor<1x4x10x10xf32>, tensor<3x3xf32>) outs([[INIT]] : tensor<1x4x4x4xf32>)
// CHECK: [[CPAD:%.*]] = tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield [[NEGINF]]
// CHECK: linalg.pooling_nchw_max {{.*}} ins([[CPAD]], %{{.*}} : tensor<1x1x6x6xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x1x3x3xf32>)
func.func @maxpool(%x: tensor<1x4x8x8xf32>, %y: tensor<1x1x5x5xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x1x3x3xf32>) {
  %0 = onnx.MaxPool(%x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %1 = onnx.MaxPool(%y) {ceil_mode = 1 : i64, kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<1x1x3x3xf32>
}

// -----

// Tests that average pooling is a sum pool scaled by the window size.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HW:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @avgpool
// CHECK-DAG: [[DIV:%.*]] = arith.constant dense<2.500000e-01> : tensor<4x4xf32>
// CHECK: [[SUM:%.*]] = linalg.pooling_nchw_sum {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x8x8xf32>, tensor<2x2xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[HW]], #[[ID]]], {{.*}}} ins([[SUM]], [[DIV]] : tensor<1x4x4x4xf32>, tensor<4x4xf32>)
// CHECK: arith.mulf
func.func @avgpool(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %0 = onnx.AveragePool(%x) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Tests that the average pooling divisor follows count_include_pad: without
// it a window counts only the input elements it covers (4 in a corner, 6 on an
// edge, 9 inside), with it every window counts 9.

// CHECK-LABEL: func.func @avgpool_divisor
// CHECK-DAG: [[ALL:%.*]] = arith.constant dense<0.111111112> : tensor<4x4xf32>
// CHECK-DAG: [[COVERED:%.*]] = arith.constant dense<{{\[\[}}2.500000e-01, 0.166666672, 0.166666672, 2.500000e-01], [0.166666672, 0.111111112, 0.111111112, 0.166666672], [0.166666672, 0.111111112, 0.111111112, 0.166666672], [2.500000e-01, 0.166666672, 0.166666672, 2.500000e-01]]> : tensor<4x4xf32>
// CHECK: [[S0:%.*]] = linalg.pooling_nchw_sum
// CHECK: linalg.generic {{.*}} ins([[S0]], [[COVERED]] :
// CHECK: [[S1:%.*]] = linalg.pooling_nchw_sum
// CHECK: linalg.generic {{.*}} ins([[S1]], [[ALL]] :
func.func @avgpool_divisor(%x: tensor<1x4x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %0 = onnx.AveragePool(%x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = onnx.AveragePool(%x) {count_include_pad = 1 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// Tests that global pooling reduces the spatial dims (sum then scale by
// 1 / (8 * 8) for the average, max from -inf for the max) and restores them
// as size 1.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[NC:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @global_pool
// CHECK-DAG: [[NEGINF:%.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: [[SCALE:%.*]] = arith.constant 1.562500e-02 : f32
// CHECK-DAG: [[ZERO:%.*]] = arith.constant 0.000000e+00 : f32
// CHECK: [[F0:%.*]] = linalg.fill ins([[ZERO]] : f32) outs(%{{.*}} : tensor<1x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[NC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<1x4x8x8xf32>) outs([[F0]] : tensor<1x4xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} into tensor<1x4x1x1xf32>
// CHECK: arith.mulf %{{.*}}, [[SCALE]] : f32
// CHECK: [[F1:%.*]] = linalg.fill ins([[NEGINF]] : f32) outs(%{{.*}} : tensor<1x4xf32>)
// CHECK: linalg.generic {{.*}} outs([[F1]] : tensor<1x4xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape {{.*}} into tensor<1x4x1x1xf32>
func.func @global_pool(%x: tensor<1x4x8x8xf32>) -> (tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>) {
  %0 = onnx.GlobalAveragePool(%x) : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  %1 = onnx.GlobalMaxPool(%x) : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  return %0, %1 : tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>
}

// -----

// Tests that a grouped 1-d convolution becomes one linalg.generic over
// (n, g, f/g, ow, c/g, kw) on the grouped views of the padded input, the
// weights and the bias-initialised output.

// CHECK-DAG: #[[X1:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5)>
// CHECK-DAG: #[[W1:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[Y1:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_1d_grouped
// CHECK: [[PAD:%.*]] = tensor.pad %{{.*}} low[0, 0, 1] high[0, 0, 1]
// CHECK: [[XG:%.*]] = tensor.expand_shape [[PAD]] {{\[\[}}0], [1, 2], [3]] output_shape [1, 2, 2, 12]
// CHECK: [[WG:%.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 2, 3]
// CHECK: [[YG:%.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] output_shape [1, 2, 3, 5]
// CHECK: [[R:%.*]] = linalg.generic {indexing_maps = [#[[X1]], #[[W1]], #[[Y1]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins([[XG]], [[WG]] : {{.*}}) outs([[YG]] : tensor<1x2x3x5xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape [[R]] {{\[\[}}0], [1, 2], [3]] : tensor<1x2x3x5xf32> into tensor<1x6x5xf32>
func.func @conv_1d_grouped(%x: tensor<1x4x10xf32>, %w: tensor<6x2x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x5xf32> {
  %0 = onnx.Conv(%x, %w, %b) {pads = [1, 1], strides = [2], group = 2} : (tensor<1x4x10xf32>, tensor<6x2x3xf32>, tensor<6xf32>) -> tensor<1x6x5xf32>
  return %0 : tensor<1x6x5xf32>
}

// -----

// Tests that a 3-d convolution uses the same generic with three output and
// three kernel dims, indexing the input at output + kernel offsets.

// CHECK-DAG: #[[X3:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 + d7, d4 + d8, d5 + d9)>
// CHECK-LABEL: func.func @conv_3d
// CHECK: linalg.generic {indexing_maps = [#[[X3]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins({{.*}} : tensor<1x1x2x4x4x4xf32>, tensor<1x3x2x2x2x2xf32>) outs({{.*}} : tensor<1x1x3x3x3x3xf32>)
func.func @conv_3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32> {
  %n = onnx.none
  %0 = onnx.Conv(%x, %w, %n) : (tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>, none) -> tensor<1x3x3x3x3xf32>
  return %0 : tensor<1x3x3x3x3xf32>
}

// -----

// Tests that 1-d max pooling is a generic taking the maximum over the window
// from a -inf start, and 3-d max pooling pads with -inf.

// CHECK-DAG: #[[MX:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2 + d3)>
// CHECK-LABEL: func.func @max_pool_1d_3d
// CHECK: [[NINF:%.*]] = arith.constant 0xFF800000 : f32
// CHECK: [[INIT:%.*]] = linalg.fill ins([[NINF]] : f32) outs(%{{.*}} : tensor<1x2x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[MX]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x2x8xf32>, tensor<2xf32>) outs([[INIT]] : tensor<1x2x4xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1, 1] high[0, 0, 1, 1, 1]
// CHECK: tensor.yield [[NINF]]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x5x5x5xf32>, tensor<3x3x3xf32>) outs(%{{.*}} : tensor<1x1x3x3x3xf32>)
// CHECK: arith.maximumf
func.func @max_pool_1d_3d(%x: tensor<1x2x8xf32>, %y: tensor<1x1x3x3x3xf32>) -> (tensor<1x2x4xf32>, tensor<1x1x3x3x3xf32>) {
  %0 = onnx.MaxPool(%x) {kernel_shape = [2], strides = [2]} : (tensor<1x2x8xf32>) -> tensor<1x2x4xf32>
  %1 = onnx.MaxPool(%y) {kernel_shape = [3, 3, 3], pads = [1, 1, 1, 1, 1, 1]} : (tensor<1x1x3x3x3xf32>) -> tensor<1x1x3x3x3xf32>
  return %0, %1 : tensor<1x2x4xf32>, tensor<1x1x3x3x3xf32>
}

// -----

// Tests that 3-d average pooling sums over the window and scales by a table
// of per-position reciprocal counts that excludes the padding, and 1-d
// average pooling with count_include_pad counts it.

// CHECK-LABEL: func.func @avg_pool_3d_1d
// CHECK-DAG: arith.constant dense<{{\[\[\[}}1.000000e+00, 5.000000e-01], [5.000000e-01, 2.500000e-01]], {{\[\[}}5.000000e-01, 2.500000e-01], [2.500000e-01, 1.250000e-01]]]> : tensor<2x2x2xf32>
// CHECK-DAG: arith.constant dense<0.333333343> : tensor<3xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x4x4x4xf32>, tensor<2x2x2xf32>) outs(%{{.*}} : tensor<1x1x2x2x2xf32>)
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x5xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<1x1x3xf32>)
// CHECK: arith.addf
// CHECK: arith.mulf
func.func @avg_pool_3d_1d(%x: tensor<1x1x3x3x3xf32>, %y: tensor<1x1x3xf32>) -> (tensor<1x1x2x2x2xf32>, tensor<1x1x3xf32>) {
  %0 = onnx.AveragePool(%x) {kernel_shape = [2, 2, 2], pads = [1, 1, 1, 0, 0, 0], strides = [2, 2, 2]} : (tensor<1x1x3x3x3xf32>) -> tensor<1x1x2x2x2xf32>
  %1 = onnx.AveragePool(%y) {kernel_shape = [3], pads = [1, 1], count_include_pad = 1} : (tensor<1x1x3xf32>) -> tensor<1x1x3xf32>
  return %0, %1 : tensor<1x1x2x2x2xf32>, tensor<1x1x3xf32>
}

// -----

// Tests that integer convolutions (ConvInteger's int32 form) lower like
// float ones: 2-d to the named op, 1-d to a generic that multiplies and adds
// integers.

// CHECK-LABEL: func.func @conv_int32
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>) outs(%{{.*}} : tensor<1x3x3x3xi32>)
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: arith.addi
func.func @conv_int32(%x: tensor<1x2x5x5xi32>, %w: tensor<3x2x3x3xi32>, %x1: tensor<1x2x5xi32>, %w1: tensor<3x2x3xi32>) -> (tensor<1x3x3x3xi32>, tensor<1x3x3xi32>) {
  %n = onnx.none
  %0 = onnx.Conv(%x, %w, %n) : (tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>, none) -> tensor<1x3x3x3xi32>
  %1 = onnx.Conv(%x1, %w1, %n) : (tensor<1x2x5xi32>, tensor<3x2x3xi32>, none) -> tensor<1x3x3xi32>
  return %0, %1 : tensor<1x3x3x3xi32>, tensor<1x3x3xi32>
}

// -----

// Tests integer MaxPool: the input padded with the type's minimum (0 for
// uint8, read as i8), the window maximum unsigned.

// CHECK-LABEL: func.func @maxpool_uint8
// CHECK: arith.constant 0 : i8
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK: arith.maxui
func.func @maxpool_uint8(%x: tensor<1x1x5x5xui8>) -> tensor<1x1x5x5xui8> {
  %0 = onnx.MaxPool(%x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<1x1x5x5xui8>) -> tensor<1x1x5x5xui8>
  return %0 : tensor<1x1x5x5xui8>
}
