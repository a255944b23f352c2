// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg=use-microkernels=false --verify-diagnostics | FileCheck %s

// Tests that a constant becomes an arith.constant with the same value.

// CHECK-LABEL: func.func @constant
// CHECK: [[C:%.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK: return [[C]]
func.func @constant() -> tensor<2x3xf32> {
  %c = onnx.Constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32> : tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// Tests that a reshape goes through a 1-d collapse and an expand (which
// canonicalization folds where it can).

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x4xf32>)
// CHECK: [[FLAT:%.*]] = tensor.collapse_shape [[X]] {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: [[R:%.*]] = tensor.expand_shape [[FLAT]] {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
// CHECK: return [[R]]
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %s = onnx.Constant dense<[6, 4]> : tensor<2xi64> : tensor<2xi64>
  %0 = onnx.Reshape(%x, %s) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that a transpose is a linalg.transpose with the same permutation.

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x4xf32>)
// CHECK: [[E:%.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: [[T:%.*]] = linalg.transpose ins([[X]] : tensor<2x3x4xf32>) outs([[E]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: return [[T]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = onnx.Transpose(%x) {perm = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Tests that concat inserts each input at its running offset along the axis.

// CHECK-LABEL: func.func @concat
// CHECK-SAME: ([[A:%.*]]: tensor<2x3xf32>, [[B:%.*]]: tensor<2x5xf32>)
// CHECK: [[E:%.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: [[I0:%.*]] = tensor.insert_slice [[A]] into [[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
// CHECK: [[I1:%.*]] = tensor.insert_slice [[B]] into [[I0]][0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x8xf32>
// CHECK: return [[I1]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = onnx.Concat(%a, %b) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that a slice with positive steps is one strided extract_slice (axes
// default to the leading dims, steps to 1).

// CHECK-LABEL: func.func @slice
// CHECK-SAME: ([[X:%.*]]: tensor<2x5xf32>)
// CHECK: [[S0:%.*]] = tensor.extract_slice [[X]][1, 1] [1, 2] [1, 2] : tensor<2x5xf32> to tensor<1x2xf32>
// CHECK: [[S1:%.*]] = tensor.extract_slice [[X]][1, 1] [1, 4] [1, 1] : tensor<2x5xf32> to tensor<1x4xf32>
// CHECK: return [[S0]], [[S1]]
func.func @slice(%x: tensor<2x5xf32>) -> (tensor<1x2xf32>, tensor<1x4xf32>) {
  %st = onnx.Constant dense<[1, 1]> : tensor<2xi64> : tensor<2xi64>
  %en = onnx.Constant dense<[2, 5]> : tensor<2xi64> : tensor<2xi64>
  %ax = onnx.Constant dense<[0, 1]> : tensor<2xi64> : tensor<2xi64>
  %sp = onnx.Constant dense<[1, 2]> : tensor<2xi64> : tensor<2xi64>
  %n = onnx.none
  %0 = onnx.Slice(%x, %st, %en, %ax, %sp) : (tensor<2x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x2xf32>
  %1 = onnx.Slice(%x, %st, %en, %n, %n) : (tensor<2x5xf32>, tensor<2xi64>, tensor<2xi64>, none, none) -> tensor<1x4xf32>
  return %0, %1 : tensor<1x2xf32>, tensor<1x4xf32>
}

// -----

// Tests that a slice with a negative step (start -1, i.e. index 4, end before
// the beginning, step -2) reads indices 4, 2, 0 through the index computation
// i * -2 + 4.

// CHECK-LABEL: func.func @slice_negative_step
// CHECK-SAME: ([[X:%.*]]: tensor<2x5xf32>)
// CHECK-DAG: [[C4:%.*]] = arith.constant 4 : index
// CHECK-DAG: [[CM2:%.*]] = arith.constant -2 : index
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: [[I1:%.*]] = linalg.index 1 : index
// CHECK: [[M:%.*]] = arith.muli [[I1]], [[CM2]] : index
// CHECK: [[J:%.*]] = arith.addi [[M]], [[C4]] : index
// CHECK: [[V:%.*]] = tensor.extract [[X]][%{{.*}}, [[J]]] : tensor<2x5xf32>
// CHECK: linalg.yield [[V]]
func.func @slice_negative_step(%x: tensor<2x5xf32>) -> tensor<2x3xf32> {
  %st = onnx.Constant dense<[-1]> : tensor<1xi64> : tensor<1xi64>
  %en = onnx.Constant dense<[-9223372036854775807]> : tensor<1xi64> : tensor<1xi64>
  %ax = onnx.Constant dense<[1]> : tensor<1xi64> : tensor<1xi64>
  %sp = onnx.Constant dense<[-2]> : tensor<1xi64> : tensor<1xi64>
  %0 = onnx.Slice(%x, %st, %en, %ax, %sp) : (tensor<2x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that gather reads the data at each index along the axis, with a
// negative index counting from the end.

// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: ([[X:%.*]]: tensor<2x3x4xf32>, [[I:%.*]]: tensor<2xi64>)
// CHECK-DAG: [[C3:%.*]] = arith.constant 3 : index
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]], {{.*}}} ins([[I]] : tensor<2xi64>) outs(%{{.*}} : tensor<2x2x4xf32>)
// CHECK-NEXT: ^bb0([[IN:%.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: [[K:%.*]] = arith.index_cast [[IN]] : i64 to index
// CHECK-NEXT: [[NEG:%.*]] = arith.cmpi slt, [[K]], %{{.*}} : index
// CHECK-NEXT: [[WRAP:%.*]] = arith.addi [[K]], [[C3]] : index
// CHECK-NEXT: [[SEL:%.*]] = arith.select [[NEG]], [[WRAP]], [[K]] : index
// CHECK: [[D0:%.*]] = linalg.index 0 : index
// CHECK: [[D2:%.*]] = linalg.index 2 : index
// CHECK: tensor.extract [[X]]{{\[}}[[D0]], %{{.*}}, [[D2]]] : tensor<2x3x4xf32>
func.func @gather(%x: tensor<2x3x4xf32>, %i: tensor<2xi64>) -> tensor<2x2x4xf32> {
  %0 = onnx.Gather(%x, %i) {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

// Tests that expand is a broadcasting copy.

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @expand
// CHECK-SAME: ([[V:%.*]]: tensor<3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], {{.*}}} ins([[V]] : tensor<3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0([[E:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield [[E]]
func.func @expand(%v: tensor<3xf32>) -> tensor<2x3xf32> {
  %s = onnx.Constant dense<[2, 3]> : tensor<2xi64> : tensor<2xi64>
  %0 = onnx.Expand(%v, %s) : (tensor<3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that split extracts consecutive slices of the given sizes.

// CHECK-LABEL: func.func @split
// CHECK-SAME: ([[X:%.*]]: tensor<2x3xf32>)
// CHECK: [[S0:%.*]] = tensor.extract_slice [[X]][0, 0] [2, 1] [1, 1] : tensor<2x3xf32> to tensor<2x1xf32>
// CHECK: [[S1:%.*]] = tensor.extract_slice [[X]][0, 1] [2, 2] [1, 1] : tensor<2x3xf32> to tensor<2x2xf32>
// CHECK: return [[S0]], [[S1]]
func.func @split(%x: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>) {
  %0:2 = onnx.Split(%x) {axis = 1 : i64, split = [1, 2]} : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  return %0#0, %0#1 : tensor<2x1xf32>, tensor<2x2xf32>
}

// -----

// Tests that ONNX pads [begins..., ends...] become tensor.pad low/high with
// the constant value.

// CHECK-LABEL: func.func @pad
// CHECK-SAME: ([[X:%.*]]: tensor<2x5xf32>)
// CHECK: [[C:%.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: [[V:%.*]] = tensor.extract [[C]][] : tensor<f32>
// CHECK: [[P:%.*]] = tensor.pad [[X]] low[1, 2] high[1, 0]
// CHECK: tensor.yield [[V]] : f32
// CHECK: tensor<2x5xf32> to tensor<4x7xf32>
// CHECK: return [[P]]
func.func @pad(%x: tensor<2x5xf32>) -> tensor<4x7xf32> {
  %pads = onnx.Constant dense<[1, 2, 1, 0]> : tensor<4xi64> : tensor<4xi64>
  %v = onnx.Constant dense<0.5> : tensor<f32> : tensor<f32>
  %0 = onnx.Pad(%x, %pads, %v) : (tensor<2x5xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x7xf32>
  return %0 : tensor<4x7xf32>
}

// -----

// Tests Pad in reflect mode with pads computed at run time (the output
// shape declared): a generic reads each begin pad from the pads tensor (in
// the kernel, so that the CUDA target reads it on the device) and
// mirrors the source index, src = i - pad, m = src mod 2(n - 1), then
// 2(n - 1) - m where m >= n, clamped into the input.

// CHECK-LABEL: func.func @pad_reflect_runtime
// CHECK-SAME: ([[X:%.*]]: tensor<3x4xf32>, [[P:%.*]]: tensor<4xi64>)
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: tensor.extract [[P]]
// CHECK: arith.index_cast
// CHECK: arith.subi
// CHECK: arith.remsi
// CHECK: arith.cmpi sge
// CHECK: arith.select
// CHECK: arith.minsi
// CHECK: tensor.extract [[X]]
// CHECK-NOT: tensor.pad
func.func @pad_reflect_runtime(%x: tensor<3x4xf32>, %pads: tensor<4xi64>) -> tensor<5x6xf32> {
  %none = onnx.none
  %0 = onnx.Pad(%x, %pads, %none) {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>, none) -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}

// -----

// Tests Pad in constant mode with a negative pad (a crop): no tensor.pad,
// a generic that selects the value where the source index is outside.

// CHECK-LABEL: func.func @pad_crop
// CHECK: linalg.generic
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt
// CHECK: arith.andi
// CHECK: tensor.extract
// CHECK: arith.select
// CHECK-NOT: tensor.pad
func.func @pad_crop(%x: tensor<3x4xf32>) -> tensor<4x2xf32> {
  %pads = onnx.Constant dense<[1, -1, 0, -1]> : tensor<4xi64> : tensor<4xi64>
  %none = onnx.none
  %0 = onnx.Pad(%x, %pads, %none) : (tensor<3x4xf32>, tensor<4xi64>, none) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Tests that an op the lowering supports only with static shapes names
// the symbolic dims and the way to fix them.

func.func @dynamic_result(%x: tensor<?x2x4x4xf32>, %r: tensor<?x4xf32>, %i: tensor<?xi64>) -> tensor<?x2x1x1xf32> {
  // expected-error @+1 {{operator 'RoiAlign' is not supported with symbolic dims (result types 'tensor<?x2x1x1xf32>'); fix the model's symbolic input dims with --input-shape NAME=DIMS}}
  %0 = onnx.RoiAlign(%x, %r, %i) : (tensor<?x2x4x4xf32>, tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x2x1x1xf32>
  return %0 : tensor<?x2x1x1xf32>
}

// -----

// Tests that GatherElements reads data at the index (negative ones wrapped,
// clamped into range) along the axis and the loop indices elsewhere.

// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.index_cast
// CHECK: arith.minsi
// CHECK: tensor.extract
func.func @gather_elements(%d: tensor<3x3xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = onnx.GatherElements(%d, %i) {axis = 1 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that Trilu compares j - i with k (read from its tensor) and selects
// the element or zero.

// CHECK-LABEL: func.func @trilu
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK: arith.subi
// CHECK: arith.cmpi sle
// CHECK: arith.select
func.func @trilu(%x: tensor<3x4xf32>, %k: tensor<i64>) -> tensor<3x4xf32> {
  %0 = onnx.Trilu(%x, %k) {upper = 0 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that CumSum is a generic with an extra reduction loop over the
// longest dim, reading the axis at run time.

// CHECK-LABEL: func.func @cumsum
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: tensor.extract %{{.*}}[] : tensor<i32>
// CHECK: arith.cmpi ule
// CHECK: arith.addf
func.func @cumsum(%x: tensor<2x3xf32>, %a: tensor<i32>) -> tensor<2x3xf32> {
  %0 = onnx.CumSum(%x, %a) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests CumProd: the same loop structure, a product starting from 1, and
// reverse exclusive products taking the j after i.

// CHECK-LABEL: func.func @cumprod_reverse_exclusive
// CHECK: [[ONE:%.*]] = arith.constant 1 : i32
// CHECK: linalg.fill ins([[ONE]] : i32)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpi ugt
// CHECK: arith.muli
func.func @cumprod_reverse_exclusive(%x: tensor<5xi32>, %a: tensor<1xi64>) -> tensor<5xi32> {
  %0 = onnx.CumProd(%x, %a) {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<5xi32>, tensor<1xi64>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// Tests that DepthToSpace (DCR) reads channel (bh * B + bw) * C' + c at
// (h / B, w / B).

// CHECK-LABEL: func.func @depth_to_space
// CHECK: linalg.generic
// CHECK: arith.remui
// CHECK: arith.divui
// CHECK: tensor.extract
func.func @depth_to_space(%x: tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = onnx.DepthToSpace(%x) {blocksize = 2 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Tests ScatterElements along axis 1 as a gather: the output starts as the
// data, one reduction loop runs over the updates' axis (3 long, from the
// constant span operand), and an update is taken (added, reduction "add")
// where its index equals the output's position along the axis.

// CHECK-LABEL: func.func @scatter_elements_add
// CHECK: [[SPAN:%.*]] = arith.constant dense<0> : tensor<3xi8>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins([[SPAN]] : tensor<3xi8>) outs(%arg0 : tensor<2x5xf32>)
// CHECK: tensor.extract %arg1
// CHECK: arith.cmpi eq
// CHECK: tensor.extract %arg2
// CHECK: arith.addf
// CHECK: arith.select
func.func @scatter_elements_add(%data: tensor<2x5xf32>, %idx: tensor<2x3xi64>, %upd: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %0 = onnx.ScatterElements(%data, %idx, %upd) {axis = 1 : i64, reduction = "add"} : (tensor<2x5xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Tests ScatterND with index rows of length 1 addressing rows of the data:
// one reduction loop per batch dim of the indices (2), the row index read
// from indices[u, 0], and with reduction "none" the update replaces the
// element (no arithmetic, the last matching row wins).

// CHECK-LABEL: func.func @scatter_nd_rows
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<2xi8>) outs(%arg0 : tensor<4x3xf32>)
// CHECK: tensor.extract %arg1
// CHECK: arith.cmpi eq
// CHECK: tensor.extract %arg2
// CHECK-NOT: arith.addf
// CHECK: arith.select
func.func @scatter_nd_rows(%data: tensor<4x3xf32>, %idx: tensor<2x1xi64>, %upd: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = onnx.ScatterND(%data, %idx, %upd) : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests TopK (k = 2 of 4, largest): a first generic counts for every element
// the elements before it (greater, or equal at a lower index), a second
// gives output t the element of rank t and its index, both results at once.

// CHECK-LABEL: func.func @top_k
// CHECK: [[RANKS:%.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpi ult
// CHECK: arith.addi
// CHECK: [[PICK:%.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}outs(%{{.*}}, %{{.*}} : tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: tensor.extract [[RANKS]]
// CHECK: return [[PICK]]#0, [[PICK]]#1
func.func @top_k(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %k = onnx.Constant dense<[2]> : tensor<1xi64> : tensor<1xi64>
  %v, %i = onnx.TopK(%x, %k) : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// Tests GatherND with one batch dim: each output element reads its index
// pair from the last dim of indices (normalized and clamped) and the data
// at [batch, i0, i1].

// CHECK-LABEL: func.func @gather_nd
// CHECK-SAME: ([[D:%.*]]: tensor<2x3x4xf32>, [[I:%.*]]: tensor<2x5x2xi64>)
// CHECK: linalg.generic
// CHECK: tensor.extract [[I]]
// CHECK: arith.minsi
// CHECK: tensor.extract [[I]]
// CHECK: arith.minsi
// CHECK: tensor.extract [[D]]
// CHECK: -> tensor<2x5xf32>
func.func @gather_nd(%d: tensor<2x3x4xf32>, %i: tensor<2x5x2xi64>) -> tensor<2x5xf32> {
  %0 = onnx.GatherND(%d, %i) {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x2xi64>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Tests ReverseSequence: the time index is mirrored below the batch's
// length (read from sequence_lens at the batch index).

// CHECK-LABEL: func.func @reverse_sequence
// CHECK-SAME: ([[X:%.*]]: tensor<4x3xf32>, [[L:%.*]]: tensor<3xi64>)
// CHECK: linalg.generic
// CHECK: [[B:%.*]] = linalg.index 1
// CHECK: tensor.extract [[L]][[[B]]]
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: tensor.extract [[X]]
func.func @reverse_sequence(%x: tensor<4x3xf32>, %l: tensor<3xi64>) -> tensor<4x3xf32> {
  %0 = onnx.ReverseSequence(%x, %l) {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests Range with a start and delta known only at run time and the length
// declared: start + i * delta per element.

// CHECK-LABEL: func.func @range_runtime
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK: tensor.extract
// CHECK: arith.uitofp
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @range_runtime(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>) -> tensor<5xf32> {
  %0 = onnx.Range(%s, %l, %d) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Tests Slice with starts computed at run time (the output shape declared):
// the offset of each dim is selected from the entry whose axis names it,
// made non-negative and clamped, and the reads are clamped into the input.

// CHECK-LABEL: func.func @slice_runtime
// CHECK-SAME: ([[X:%.*]]: tensor<5x6xf32>, [[S:%.*]]: tensor<2xi64>)
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: tensor.extract [[S]]
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: arith.minsi
// CHECK: tensor.extract [[X]]
// CHECK-NOT: tensor.extract_slice
func.func @slice_runtime(%x: tensor<5x6xf32>, %s: tensor<2xi64>) -> tensor<2x3xf32> {
  %e = onnx.Constant dense<[4, 6]> : tensor<2xi64> : tensor<2xi64>
  %a = onnx.Constant dense<[0, 1]> : tensor<2xi64> : tensor<2xi64>
  %st = onnx.Constant dense<[1, 2]> : tensor<2xi64> : tensor<2xi64>
  %0 = onnx.Slice(%x, %s, %e, %a, %st) : (tensor<5x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests Slice of a static input to a length found at run time (the first
// `n` rows, n computed): the result's dim is the clamped end less the start,
// and the rows are read at it.

// CHECK-LABEL: func.func @slice_runtime_length
// CHECK-SAME: ([[X:%.*]]: tensor<6x3xf32>, [[N:%.*]]: tensor<1xi64>)
// CHECK: tensor.extract [[N]]
// CHECK: arith.minsi
// CHECK: tensor.empty({{%.*}}) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x3xf32>)
// CHECK: tensor.extract [[X]]
func.func @slice_runtime_length(%x: tensor<6x3xf32>, %n: tensor<1xi64>) -> tensor<?x3xf32> {
  %z = onnx.Constant dense<0> : tensor<1xi64> : tensor<1xi64>
  %o = onnx.Constant dense<1> : tensor<1xi64> : tensor<1xi64>
  %0 = onnx.Slice(%x, %z, %n, %z, %o) : (tensor<6x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
