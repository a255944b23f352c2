// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg=use-microkernels=false --canonicalize | FileCheck %s

// Lowerings of ops whose dims are known only at run time (a model compiled
// with symbolic input dims).

// Tests that an elementwise op sizes a dynamic result dim from its operands'
// dims (the one that is not 1) and reads each operand whose dim may be 1 at
// run time at index 0 there, so that broadcasting decided at run time is
// right.

// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: ([[X:%.*]]: tensor<?x4xf32>, [[Y:%.*]]: tensor<?x4xf32>)
// CHECK-DAG: [[C0:%.*]] = arith.constant 0 : index
// CHECK-DAG: [[C1:%.*]] = arith.constant 1 : index
// CHECK-DAG: [[DX:%.*]] = tensor.dim [[X]], [[C0]]
// CHECK-DAG: [[DY:%.*]] = tensor.dim [[Y]], [[C0]]
// CHECK: [[YONE:%.*]] = arith.cmpi eq, [[DY2:%.*]], [[C1]] : index
// CHECK: [[N:%.*]] = arith.select [[YONE]], {{%.*}}, [[DY2]] : index
// CHECK: [[E:%.*]] = tensor.empty([[N]]) : tensor<?x4xf32>
// CHECK: linalg.generic {{.*}} outs([[E]] : tensor<?x4xf32>)
// CHECK: [[I:%.*]] = linalg.index 0 : index
// CHECK: [[XONE:%.*]] = arith.cmpi eq, [[DX]], [[C1]] : index
// CHECK: [[XI:%.*]] = arith.select [[XONE]], [[C0]], [[I]] : index
// CHECK: tensor.extract [[X]][[[XI]], {{%.*}}] : tensor<?x4xf32>
// CHECK: arith.cmpi eq, [[DY]], [[C1]] : index
// CHECK: tensor.extract [[Y]]
// CHECK: arith.addf
func.func @add_broadcast(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = onnx.Add(%x, %y) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Tests that a unary op reads its operand directly: its dims are the
// result's.

// CHECK-LABEL: func.func @relu
// CHECK-SAME: ([[X:%.*]]: tensor<?x?xf32>)
// CHECK: [[D0:%.*]] = tensor.dim [[X]], %c0
// CHECK: [[D1:%.*]] = tensor.dim [[X]], %c1
// CHECK: [[E:%.*]] = tensor.empty([[D0]], [[D1]]) : tensor<?x?xf32>
// CHECK: linalg.generic {{.*}} ins([[X]] : tensor<?x?xf32>) outs([[E]] : tensor<?x?xf32>)
// CHECK: arith.maximumf
func.func @relu(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = onnx.Relu(%x) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that a reduction sizes its accumulator from the kept dims, keeps the
// reduced dim with an expand_shape that groups it with a neighbour (one
// dynamic dim per group), and divides by the reduced count.

// CHECK-LABEL: func.func @reduce_mean
// CHECK-SAME: ([[X:%.*]]: tensor<?x3x?xf32>)
// CHECK-DAG: [[THREE:%.*]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG: [[D0:%.*]] = tensor.dim [[X]], %c0
// CHECK-DAG: [[D2:%.*]] = tensor.dim [[X]], %c2
// CHECK: tensor.empty([[D0]], [[D2]]) : tensor<?x?xf32>
// CHECK: [[S:%.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: tensor.expand_shape [[S]] {{\[\[}}0, 1], [2]] output_shape [[[D0]], 1, [[D2]]] : tensor<?x?xf32> into tensor<?x1x?xf32>
// CHECK: arith.divf %{{.*}}, [[THREE]] : f32
func.func @reduce_mean(%x: tensor<?x3x?xf32>) -> tensor<?x1x?xf32> {
  %0 = onnx.ReduceMean(%x) {axes = [1]} : (tensor<?x3x?xf32>) -> tensor<?x1x?xf32>
  return %0 : tensor<?x1x?xf32>
}

// -----

// Tests that Shape reads dynamic dims with tensor.dim (static ones are
// constants), from `start` on.

// CHECK-LABEL: func.func @shape
// CHECK-SAME: ([[X:%.*]]: tensor<?x3x?xf32>)
// CHECK-DAG: [[THREE:%.*]] = arith.constant 3 : i64
// CHECK: [[D:%.*]] = tensor.dim [[X]], %c2
// CHECK: [[D64:%.*]] = arith.index_cast [[D]] : index to i64
// CHECK: [[R:%.*]] = tensor.from_elements [[THREE]], [[D64]] : tensor<2xi64>
// CHECK: return [[R]]
func.func @shape(%x: tensor<?x3x?xf32>) -> tensor<2xi64> {
  %0 = onnx.Shape(%x) {start = 1} : (tensor<?x3x?xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Tests that Reshape computes its dims at run time (0 copies the input's
// dim, -1 is the element count over the others) and becomes tensor.reshape.

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: ([[X:%.*]]: tensor<?x3x4xf32>)
// CHECK: [[D:%.*]] = tensor.dim [[X]], %c0
// CHECK: [[TOTAL:%.*]] = arith.muli [[D]], %c12 : index
// CHECK: [[INFERRED:%.*]] = arith.divui [[TOTAL]], {{%.*}} : index
// CHECK: [[SHAPE:%.*]] = tensor.from_elements {{%.*}}, [[INFERRED]] : tensor<2xindex>
// CHECK: tensor.reshape [[X]]([[SHAPE]]) : (tensor<?x3x4xf32>, tensor<2xindex>) -> tensor<?x12xf32>
func.func @reshape(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  %s = onnx.Constant dense<[0, -1]> : tensor<2xi64> : tensor<2xi64>
  %0 = onnx.Reshape(%x, %s) : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// Tests that Concat adds up the inputs' dims along the axis at run time and
// inserts each input at the running offset.

// CHECK-LABEL: func.func @concat
// CHECK-SAME: ([[X:%.*]]: tensor<?x4xf32>, [[Y:%.*]]: tensor<?x4xf32>)
// CHECK: [[DX:%.*]] = tensor.dim [[X]], %c0
// CHECK: [[DY:%.*]] = tensor.dim [[Y]], %c0
// CHECK: [[N:%.*]] = arith.addi [[DX]], [[DY]] : index
// CHECK: [[E:%.*]] = tensor.empty([[N]]) : tensor<?x4xf32>
// CHECK: [[A:%.*]] = tensor.insert_slice [[X]] into [[E]][0, 0]
// CHECK: tensor.insert_slice [[Y]] into [[A]][[[DX]], 0]
func.func @concat(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = onnx.Concat(%x, %y) {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Tests that ConstantOfShape with a shape computed at run time fills a
// tensor whose dims are read from it.

// CHECK-LABEL: func.func @constant_of_shape
// CHECK-SAME: ([[S:%.*]]: tensor<2xi64>)
// CHECK-DAG: [[TWO:%.*]] = arith.constant 2.000000e+00 : f32
// CHECK: [[S0:%.*]] = tensor.extract [[S]][%c0] : tensor<2xi64>
// CHECK: [[D0:%.*]] = arith.index_cast [[S0]] : i64 to index
// CHECK: [[S1:%.*]] = tensor.extract [[S]][%c1] : tensor<2xi64>
// CHECK: [[D1:%.*]] = arith.index_cast [[S1]] : i64 to index
// CHECK: [[E:%.*]] = tensor.empty([[D0]], [[D1]]) : tensor<?x?xf32>
// CHECK: linalg.fill ins([[TWO]] : f32) outs([[E]] : tensor<?x?xf32>)
func.func @constant_of_shape(%s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = onnx.ConstantOfShape(%s) {value = dense<2.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that a convolution with dynamic batch and spatial dims pads into a
// filled buffer (so a kernel writes it into its caller's buffer), sizes the
// output as (in + pads - kernel) / stride + 1 at run time, starts from the
// broadcast bias and runs the grouped generic.

// CHECK-LABEL: func.func @conv
// CHECK-SAME: ([[X:%.*]]: tensor<?x4x?x?xf32>, [[W:%.*]]: tensor<2x4x3x3xf32>, [[B:%.*]]: tensor<2xf32>)
// CHECK: [[H:%.*]] = tensor.dim [[X]], %c2
// CHECK: [[H1:%.*]] = arith.addi [[H]], %c-1 : index
// CHECK: [[H2:%.*]] = arith.divsi [[H1]], %c2 : index
// CHECK: [[OH:%.*]] = arith.addi [[H2]], %c1 : index
// CHECK: [[PADDED:%.*]] = linalg.fill
// CHECK: [[XP:%.*]] = tensor.insert_slice [[X]] into [[PADDED]][0, 0, 1, 1]
// CHECK: tensor.empty({{%.*}}, [[OH]], {{%.*}}) : tensor<?x2x?x?xf32>
// CHECK: [[BIAS:%.*]] = tensor.expand_shape [[B]] {{.*}} into tensor<2x1x1xf32>
// CHECK: [[INIT:%.*]] = linalg.generic {{.*}} ins({{%.*}}, [[BIAS]] : tensor<?x2x?x?xf32>, tensor<2x1x1xf32>)
// CHECK: [[XG:%.*]] = tensor.expand_shape [[XP]] {{.*}} into tensor<?x1x4x?x?xf32>
// CHECK: [[WG:%.*]] = tensor.expand_shape [[W]] {{.*}} into tensor<1x2x4x3x3xf32>
// CHECK: [[IG:%.*]] = tensor.expand_shape [[INIT]] {{.*}} into tensor<?x1x2x?x?xf32>
// CHECK: [[Y:%.*]] = linalg.generic {{.*}} ins([[XG]], [[WG]] : tensor<?x1x4x?x?xf32>, tensor<1x2x4x3x3xf32>) outs([[IG]] : tensor<?x1x2x?x?xf32>)
// CHECK: tensor.collapse_shape [[Y]] {{.*}} into tensor<?x2x?x?xf32>
func.func @conv(%x: tensor<?x4x?x?xf32>, %w: tensor<2x4x3x3xf32>, %b: tensor<2xf32>) -> tensor<?x2x?x?xf32> {
  %0 = onnx.Conv(%x, %w, %b) {pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<?x4x?x?xf32>, tensor<2x4x3x3xf32>, tensor<2xf32>) -> tensor<?x2x?x?xf32>
  return %0 : tensor<?x2x?x?xf32>
}

// -----

// Tests that SAME_UPPER average pooling over a dynamic dim computes the
// padding at run time (what makes the output ceil(in / stride) long, the
// larger half at the end) and divides each window by the taps that fall
// inside the input.

// CHECK-LABEL: func.func @avg_pool
// CHECK-SAME: ([[X:%.*]]: tensor<?x3x?xf32>)
// CHECK: [[N:%.*]] = tensor.dim [[X]], %c2
// CHECK: [[OUT:%.*]] = arith.ceildivsi [[N]], %c2 : index
// CHECK: [[TOTAL:%.*]] = arith.maxsi {{%.*}}, %c0 : index
// CHECK: [[BEGIN:%.*]] = arith.divsi [[TOTAL]], %c2 : index
// CHECK: tensor.insert_slice [[X]] into {{%.*}}[0, 0, [[BEGIN]]]
// CHECK: [[SUM:%.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} ins([[SUM]] : tensor<?x3x?xf32>)
// CHECK: [[O:%.*]] = linalg.index 2 : index
// CHECK: [[FIRST0:%.*]] = arith.muli [[O]], %c2 : index
// CHECK: [[FIRST:%.*]] = arith.subi [[FIRST0]], [[BEGIN]] : index
// CHECK: arith.cmpi sge, [[FIRST]], %c0 : index
// CHECK: arith.cmpi slt, [[FIRST]], [[N]] : index
// CHECK-COUNT-2: arith.andi
// CHECK: [[COUNT:%.*]] = arith.maxsi {{%.*}}, %c1 : index
// CHECK: arith.divf
func.func @avg_pool(%x: tensor<?x3x?xf32>) -> tensor<?x3x?xf32> {
  %0 = onnx.AveragePool(%x) {kernel_shape = [3], auto_pad = "SAME_UPPER", strides = [2]} : (tensor<?x3x?xf32>) -> tensor<?x3x?xf32>
  return %0 : tensor<?x3x?xf32>
}

// -----

// Tests that Resize with a scale over a dynamic dim sizes that dim's pass as
// floor(scale * n) in the host code and reads the input's length at run time
// in the coordinate mapping.

// CHECK-LABEL: func.func @resize
// CHECK-SAME: ([[X:%.*]]: tensor<1x1x?x?xf32>, [[S:%.*]]: tensor<4xf32>)
// CHECK: [[H:%.*]] = tensor.dim [[X]], %c2
// CHECK: [[SH:%.*]] = tensor.extract [[S]][%c2] : tensor<4xf32>
// CHECK: [[SH64:%.*]] = arith.extf [[SH]] : f32 to f64
// CHECK: [[HI:%.*]] = arith.index_cast [[H]] : index to i64
// CHECK: [[HF:%.*]] = arith.sitofp [[HI]] : i64 to f64
// CHECK: [[LEN:%.*]] = arith.mulf [[SH64]], [[HF]] : f64
// CHECK: [[FLOOR:%.*]] = math.floor [[LEN]] : f64
// CHECK: [[OUT64:%.*]] = arith.fptosi [[FLOOR]] : f64 to i64
// CHECK: [[OUT:%.*]] = arith.index_cast [[OUT64]] : i64 to index
// CHECK: tensor.empty([[OUT]], {{%.*}}) : tensor<1x1x?x?xf32>
func.func @resize(%x: tensor<1x1x?x?xf32>, %scales: tensor<4xf32>) -> tensor<1x1x?x?xf32> {
  %n = onnx.none
  %0 = onnx.Resize(%x, %n, %scales, %n) {mode = "nearest"} : (tensor<1x1x?x?xf32>, none, tensor<4xf32>, none) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// Tests that GatherND over dims known at run time takes the index tuple's
// length (2) from the ranks, sizes its result from the indices' leading dim
// and data's trailing one, and clamps each index into data's run-time dim.

// CHECK-LABEL: func.func @gathernd_dynamic
// CHECK-SAME: ([[D:%.*]]: tensor<?x?x?xf32>, [[I:%.*]]: tensor<?x?xi64>)
// CHECK-DAG: [[N:%.*]] = tensor.dim [[I]], %c0
// CHECK-DAG: [[T:%.*]] = tensor.dim [[D]], %c2
// CHECK-DAG: [[D0:%.*]] = tensor.dim [[D]], %c0
// CHECK-DAG: [[D1:%.*]] = tensor.dim [[D]], %c1
// CHECK: [[E:%.*]] = tensor.empty([[N]], [[T]]) : tensor<?x?xf32>
// CHECK: linalg.generic {{.*}} outs([[E]] : tensor<?x?xf32>)
// CHECK: tensor.extract [[I]]
// CHECK: arith.subi [[D0]], %c1
// CHECK: tensor.extract [[I]]
// CHECK: arith.subi [[D1]], %c1
// CHECK: tensor.extract [[D]]
func.func @gathernd_dynamic(%d: tensor<?x?x?xf32>, %i: tensor<?x?xi64>) -> tensor<?x?xf32> {
  %0 = onnx.GatherND(%d, %i) : (tensor<?x?x?xf32>, tensor<?x?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that ScatterND over dims known at run time loops over the indices'
// run-time leading dim (a reduction dim of the scatter) and gives the
// declared type (the cast of the result folds into the data operand).

// CHECK-LABEL: func.func @scatternd_dynamic
// CHECK-SAME: ([[D:%.*]]: tensor<?x?xf32>, [[I:%.*]]: tensor<?x?xi64>, [[U:%.*]]: tensor<?x?xf32>)
// CHECK: [[N:%.*]] = tensor.dim [[I]], %c0
// CHECK: [[S:%.*]] = tensor.empty([[N]]) : tensor<?xi8>
// CHECK: [[DC:%.*]] = tensor.cast [[D]] : tensor<?x?xf32> to tensor<4x3xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins([[S]] : tensor<?xi8>) outs([[DC]] : tensor<4x3xf32>)
func.func @scatternd_dynamic(%d: tensor<?x?xf32>, %i: tensor<?x?xi64>, %u: tensor<?x?xf32>) -> tensor<4x3xf32> {
  %0 = onnx.ScatterND(%d, %i, %u) : (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests that OneHot whose depth is known only at run time reads it from the
// depth operand, for the result's dim and for wrapping negative indices.

// CHECK-LABEL: func.func @onehot_dynamic
// CHECK-SAME: ([[I:%.*]]: tensor<?xi64>, [[DEPTH:%.*]]: tensor<i64>, [[V:%.*]]: tensor<2xf32>)
// CHECK: [[DV:%.*]] = tensor.extract [[DEPTH]][] : tensor<i64>
// CHECK-DAG: [[DI:%.*]] = arith.index_cast [[DV]] : i64 to index
// CHECK-DAG: [[N:%.*]] = tensor.dim [[I]], %c0
// CHECK: tensor.empty([[N]], [[DI]]) : tensor<?x?xf32>
// CHECK: arith.addi %{{.*}}, [[DV]] : i64
func.func @onehot_dynamic(%i: tensor<?xi64>, %depth: tensor<i64>, %v: tensor<2xf32>) -> tensor<?x?xf32> {
  %0 = onnx.OneHot(%i, %depth, %v) : (tensor<?xi64>, tensor<i64>, tensor<2xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that ReverseSequence clamps each sequence length to the time dim
// read at run time.

// CHECK-LABEL: func.func @reversesequence_dynamic
// CHECK-SAME: ([[X:%.*]]: tensor<?x?xf32>, [[L:%.*]]: tensor<?xi64>)
// CHECK-DAG: [[T:%.*]] = tensor.dim [[X]], %c0
// CHECK: linalg.generic
// CHECK: tensor.extract [[L]]
// CHECK: arith.minsi %{{.*}}, [[T]] : index
func.func @reversesequence_dynamic(%x: tensor<?x?xf32>, %l: tensor<?xi64>) -> tensor<?x?xf32> {
  %0 = onnx.ReverseSequence(%x, %l) {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that EnsureShape checks each run-time dim against the declared one
// (mlc_rt_check_dim fails the run on a difference) and copies into the
// declared shape, reading the value only when every dim matched.

// CHECK-LABEL: func.func @ensure_shape
// CHECK-DAG: %[[FOUR:.*]] = arith.constant 4 : i64
// CHECK: %[[DIM:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x3xf32>
// CHECK: %[[D:.*]] = arith.index_cast %[[DIM]] : index to i64
// CHECK: %[[CHECKED:.*]] = kernel.call "mlc_rt_check_dim"(%[[D]], %[[FOUR]]) : (i64, i64) -> i64
// CHECK: %[[OK:.*]] = arith.cmpi eq, %[[CHECKED]], %[[FOUR]] : i64
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: scf.if %[[OK]] -> (f32) {
// CHECK-NEXT: tensor.extract %{{.*}} : tensor<?x3xf32>
// CHECK: } else {
func.func @ensure_shape(%x: tensor<?x3xf32>) -> tensor<4x3xf32> {
  %0 = onnx.EnsureShape(%x) {shape = [4, 3]} : (tensor<?x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests CumSum over a run-time length: the j loop's extent is a filled
// operand as long as the axis, and y[i] adds x[j] for j <= i.

// CHECK-DAG: #[[J:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[I:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @cumsum_dynamic
// CHECK: %[[N:.*]] = tensor.dim %[[X:.*]], %{{.*}} : tensor<?xi64>
// CHECK: %[[SPAN:.*]] = linalg.fill ins(%{{.*}} : i8) outs(%{{.*}} : tensor<?xi8>)
// CHECK: linalg.generic {indexing_maps = [#[[J]], #[[I]]], iterator_types = ["parallel", "reduction"]} ins(%[[SPAN]]
// CHECK: %[[JV:.*]] = linalg.index 1 : index
// CHECK: %[[IV:.*]] = linalg.index 0 : index
// CHECK: %[[TAKE:.*]] = arith.cmpi ule, %[[JV]], %[[IV]] : index
// CHECK: %[[V:.*]] = tensor.extract %{{.*}}[%[[JV]]] : tensor<?xi64>
// CHECK: %[[SUM:.*]] = arith.addi %{{.*}}, %[[V]] : i64
// CHECK: arith.select %[[TAKE]], %[[SUM]]
func.func @cumsum_dynamic(%x: tensor<?xi64>) -> tensor<?xi64> {
  %a = onnx.Constant dense<0> : tensor<i64> : tensor<i64>
  %0 = onnx.CumSum(%x, %a) : (tensor<?xi64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// Tests RoiAlign on an image of run-time size: the height, width and batch
// count come from tensor.dim, and the last row and column it clamps samples
// to are computed from them.

// CHECK-LABEL: func.func @roialign_dynamic
// CHECK-DAG: %[[H:.*]] = tensor.dim %{{.*}}, %c2 : tensor<?x2x?x?xf32>
// CHECK-DAG: %[[W:.*]] = tensor.dim %{{.*}}, %c3 : tensor<?x2x?x?xf32>
// CHECK-DAG: %[[B:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x2x?x?xf32>
// CHECK: linalg.generic
// CHECK: %[[HI:.*]] = arith.index_castui %[[H]] : index to i64
// CHECK: %[[HF:.*]] = arith.uitofp %[[HI]] : i64 to f64
// CHECK: %[[WI:.*]] = arith.index_castui %[[W]] : index to i64
// CHECK: %[[WF:.*]] = arith.uitofp %[[WI]] : i64 to f64
// CHECK: arith.subf %[[HF]], %{{.*}} : f64
// CHECK: arith.subf %[[WF]], %{{.*}} : f64
// CHECK: arith.subi %[[B]], %{{.*}} : index
func.func @roialign_dynamic(%x: tensor<?x2x?x?xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x2x1x1xf32> {
  %0 = onnx.RoiAlign(%x, %r, %b) {output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 1 : i64} : (tensor<?x2x?x?xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x1x1xf32>
  return %0 : tensor<3x2x1x1xf32>
}

// -----

// Tests that a -1 in EnsureShape's shape keeps the value's own dim: only the
// declared dim is checked, and the copy is as long as the value's last dim.

// CHECK-LABEL: func.func @ensure_shape_partial
// CHECK-DAG: %[[TWO:.*]] = arith.constant 2 : i64
// CHECK: tensor.dim %{{.*}}, %c0 : tensor<?x?xf32>
// CHECK: kernel.call "mlc_rt_check_dim"(%{{.*}}, %[[TWO]])
// CHECK-NOT: kernel.call
// CHECK: %[[D1:.*]] = tensor.dim %{{.*}}, %c1 : tensor<?x?xf32>
// CHECK: tensor.empty(%[[D1]]) : tensor<2x?xf32>
func.func @ensure_shape_partial(%x: tensor<?x?xf32>) -> tensor<2x?xf32> {
  %0 = onnx.EnsureShape(%x) {shape = [2, -1]} : (tensor<?x?xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// Tests that a ConvTranspose with a run-time spatial dim (the front end keeps
// the op then) sizes that output dim as stride * (in - 1) + kernel - pads,
// starts from the bias, and gathers: output row o takes tap k from input
// row (o + pad_begin - k) / stride when that is exact and inside the input.
// The weights [C, F/g, k..] are read through the map as (g, c/g, f/g, k..).

// CHECK-DAG: [[WMAP:#map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>
// CHECK-DAG: [[OMAP:#map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: ([[X:%.*]]: tensor<1x4x?x5xf32>, [[W:%.*]]: tensor<4x3x3x3xf32>, [[B:%.*]]: tensor<6xf32>)
// CHECK: [[H:%.*]] = tensor.dim [[X]], %c2
// CHECK: [[H1:%.*]] = arith.subi [[H]], %c1 : index
// CHECK: [[H2:%.*]] = arith.muli [[H1]], %c2 : index
// CHECK: [[OH:%.*]] = arith.addi [[H2]], %c1 : index
// CHECK: tensor.empty([[OH]]) : tensor<1x6x?x9xf32>
// CHECK: [[BIAS:%.*]] = tensor.expand_shape [[B]] {{.*}} into tensor<6x1x1xf32>
// CHECK: [[INIT:%.*]] = linalg.generic {{.*}} ins({{%.*}}, [[BIAS]] :
// CHECK: [[XG:%.*]] = tensor.expand_shape [[X]] {{.*}} into tensor<1x2x2x?x5xf32>
// CHECK: [[WG:%.*]] = tensor.expand_shape [[W]] {{.*}} into tensor<2x2x3x3x3xf32>
// CHECK: [[IG:%.*]] = tensor.expand_shape [[INIT]] {{.*}} into tensor<1x2x3x?x9xf32>
// CHECK: [[Y:%.*]] = linalg.generic {indexing_maps = [[[WMAP]], [[OMAP]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins([[WG]] : tensor<2x2x3x3x3xf32>) outs([[IG]] : tensor<1x2x3x?x9xf32>)
// CHECK: [[O:%.*]] = linalg.index 3 : index
// CHECK: [[T0:%.*]] = arith.addi [[O]], %c1 : index
// CHECK: [[K:%.*]] = linalg.index 6 : index
// CHECK: [[T:%.*]] = arith.subi [[T0]], [[K]] : index
// CHECK: arith.cmpi sge, [[T]], %c0 : index
// CHECK: arith.remsi [[T]], %c2 : index
// CHECK: [[Q:%.*]] = arith.divsi [[T]], %c2 : index
// CHECK: arith.cmpi slt, [[Q]], [[H]] : index
// CHECK: [[QS:%.*]] = arith.select [[VALID:%.*]], [[Q]], %c0 : index
// CHECK: [[XV:%.*]] = tensor.extract [[XG]][%c0, {{%.*}}, {{%.*}}, [[QS]], {{%.*}}]
// CHECK: [[P:%.*]] = arith.mulf [[XV]]
// CHECK: [[S:%.*]] = arith.select [[VALID]], [[P]]
// CHECK: arith.addf {{%.*}}, [[S]] : f32
// CHECK: tensor.collapse_shape [[Y]] {{.*}} into tensor<1x6x?x9xf32>
func.func @conv_transpose(%x: tensor<1x4x?x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x?x9xf32> {
  %0 = onnx.ConvTranspose(%x, %w, %b) {group = 2 : i64, pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x4x?x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x?x9xf32>
  return %0 : tensor<1x6x?x9xf32>
}
