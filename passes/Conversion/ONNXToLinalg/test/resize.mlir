// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg | FileCheck %s

// Tests nearest upsampling by constant scales [1, 1, 2, 2]: N and C have
// scale 1 and keep their size, so only H and W get a pass each; each maps
// i to x = (i + 0.5) / 2 - 0.5 (half_pixel, in f64), rounds half down
// (ceil(x - 0.5)), clamps to the input and reads one element.

// CHECK-LABEL: func.func @nearest_constant_scales
// CHECK: [[H:%.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x6x5xf32>)
// CHECK: linalg.index 2
// CHECK: arith.sitofp {{.*}} : i64 to f64
// CHECK: math.ceil
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
// CHECK: [[W:%.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x6x10xf32>)
// CHECK: linalg.index 3
// CHECK: tensor.extract [[H]]
// CHECK-NOT: linalg.generic
// CHECK: return [[W]]
func.func @nearest_constant_scales(%x: tensor<1x2x3x5xf32>) -> tensor<1x2x6x10xf32> {
  %none = onnx.none
  %s = onnx.Constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32> : tensor<4xf32>
  %y = onnx.Resize(%x, %none, %s, %none) {mode = "nearest"} : (tensor<1x2x3x5xf32>, none, tensor<4xf32>, none) -> tensor<1x2x6x10xf32>
  return %y : tensor<1x2x6x10xf32>
}

// -----

// Tests linear interpolation along the one dim `axes` names, with scales
// computed at run time: the scale is read from the tensor (as f64) inside
// the pass (a GPU kernel reads it there), and each output is
// (1 - r) * x[j] + r * x[j + 1] accumulated in f64, then truncated to f32.

// CHECK-LABEL: func.func @linear_runtime_scale
// CHECK: linalg.generic
// CHECK: [[S:%.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xf32>
// CHECK: [[S64:%.*]] = arith.extf [[S]] : f32 to f64
// CHECK: arith.divf {{.*}}, [[S64]] : f64
// CHECK: math.floor
// CHECK-COUNT-2: tensor.extract %arg0
// CHECK: arith.truncf {{.*}} : f64 to f32
// CHECK-NOT: linalg.generic
func.func @linear_runtime_scale(%x: tensor<4x6xf32>, %s: tensor<1xf32>) -> tensor<4x12xf32> {
  %none = onnx.none
  %y = onnx.Resize(%x, %none, %s, %none) {mode = "linear", axes = [1]} : (tensor<4x6xf32>, none, tensor<1xf32>, none) -> tensor<4x12xf32>
  return %y : tensor<4x12xf32>
}

// -----

// Tests cubic interpolation (four taps, Keys' kernel, exclude_outside
// renormalising) and that tf_crop_and_resize reads the roi and selects
// extrapolation_value outside the input.

// CHECK-LABEL: func.func @cubic_exclude_outside
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK-LABEL: func.func @crop_and_resize
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1
// CHECK: arith.ori
// CHECK: arith.select {{.*}}, %cst{{.*}}, %{{.*}} : f32
func.func @cubic_exclude_outside(%x: tensor<8xf32>) -> tensor<4xf32> {
  %none = onnx.none
  %s = onnx.Constant dense<[0.5]> : tensor<1xf32> : tensor<1xf32>
  %y = onnx.Resize(%x, %none, %s, %none) {mode = "cubic", exclude_outside = 1 : i64} : (tensor<8xf32>, none, tensor<1xf32>, none) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @crop_and_resize(%x: tensor<8xf32>, %roi: tensor<2xf32>) -> tensor<5xf32> {
  %none = onnx.none
  %z = onnx.Constant dense<[5]> : tensor<1xi64> : tensor<1xi64>
  %y = onnx.Resize(%x, %roi, %none, %z) {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0 : f32} : (tensor<8xf32>, tensor<2xf32>, none, tensor<1xi64>) -> tensor<5xf32>
  return %y : tensor<5xf32>
}

// -----

// Tests GridSample (bilinear, zeros padding): one generic over the output
// reads both coordinates from the grid (the innermost dim's first),
// denormalises them, and sums the 2x2 taps, each read as 0 outside the
// input (a select on the tap being inside).

// CHECK-LABEL: func.func @grid_sample_bilinear
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3x4xf32>)
// CHECK: tensor.extract %arg1[{{.*}}, %c1] : tensor<1x3x4x2xf32>
// CHECK: tensor.extract %arg1[{{.*}}, %c0] : tensor<1x3x4x2xf32>
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK: arith.truncf {{.*}} : f64 to f32
func.func @grid_sample_bilinear(%x: tensor<1x2x5x6xf32>, %g: tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32> {
  %y = onnx.GridSample(%x, %g) : (tensor<1x2x5x6xf32>, tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  return %y : tensor<1x2x3x4xf32>
}

// -----

// Tests RoiAlign with a 2x2 sampling grid: each output reads its roi's four
// coordinates and image index, and sums four samples of four bilinear taps
// (16 reads of X) before dividing by the sample count.

// CHECK-LABEL: func.func @roi_align
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %arg1
// CHECK: tensor.extract %arg2
// CHECK-COUNT-16: tensor.extract %arg0
// CHECK: arith.divf
// CHECK: arith.truncf
func.func @roi_align(%x: tensor<1x2x8x8xf32>, %rois: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x2x2x2xf32> {
  %0 = onnx.RoiAlign(%x, %rois, %b) {output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 2 : i64} : (tensor<1x2x8x8xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}

// -----

// Tests RoiAlign over a run-time number of rois (the proposals of a
// detection model) and a run-time number of channels: the result's first two
// dims come from the rois and the image.

// CHECK-LABEL: func.func @roi_align_dynamic
// CHECK-DAG: [[R:%.*]] = tensor.dim %arg1, %c0
// CHECK-DAG: [[C:%.*]] = tensor.dim %arg0, %c1
// CHECK: tensor.empty([[R]], [[C]]) : tensor<?x?x7x7xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x?x7x7xf32>)
func.func @roi_align_dynamic(%x: tensor<1x?x10x10xf32>, %rois: tensor<?x4xf32>, %b: tensor<?xi64>) -> tensor<?x?x7x7xf32> {
  %0 = onnx.RoiAlign(%x, %rois, %b) {output_height = 7 : i64, output_width = 7 : i64, sampling_ratio = 2 : i64, spatial_scale = 3.125000e-02 : f32} : (tensor<1x?x10x10xf32>, tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x?x7x7xf32>
  return %0 : tensor<?x?x7x7xf32>
}
