// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg --verify-diagnostics | FileCheck %s

// Tests that numpy broadcasting drops a missing leading dim from the
// operand's map and reads index 0 of a size-1 dim.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: ([[A:%.*]]: tensor<2x3xf32>, [[B:%.*]]: tensor<3xf32>, [[C:%.*]]: tensor<2x1xf32>)
// CHECK: [[E0:%.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins([[A]], [[B]] : tensor<2x3xf32>, tensor<3xf32>) outs([[E0]] : tensor<2x3xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins([[C]], [[B]] : tensor<2x1xf32>, tensor<3xf32>)
// CHECK: arith.mulf
// CHECK-NOT: onnx.
func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = onnx.Add(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = onnx.Mul(%c, %b) : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Tests that the unary activations have the right bodies: Relu is max(x, 0),
// Sigmoid is 1 / (1 + exp(-x)), Erf is math.erf.

// CHECK-LABEL: func.func @activations
// CHECK-DAG: [[ONE:%.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: [[ZERO:%.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[R:%.*]] = arith.maximumf [[IN]], [[ZERO]] : f32
// CHECK-NEXT: linalg.yield [[R]]
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[NEG:%.*]] = arith.negf [[IN]] : f32
// CHECK-NEXT: [[EXP:%.*]] = math.exp [[NEG]] : f32
// CHECK-NEXT: [[DEN:%.*]] = arith.addf [[ONE]], [[EXP]] : f32
// CHECK-NEXT: [[S:%.*]] = arith.divf [[ONE]], [[DEN]] : f32
// CHECK-NEXT: linalg.yield [[S]]
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[E:%.*]] = math.erf [[IN]] : f32
// CHECK-NEXT: linalg.yield [[E]]
func.func @activations(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = onnx.Relu(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = onnx.Sigmoid(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = onnx.Erf(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that Cast picks the arith conversion from the element types.

// CHECK-LABEL: func.func @cast
// CHECK: outs(%{{.*}} : tensor<4xi32>)
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.sitofp %{{.*}} : i64 to f32
func.func @cast(%x: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xi32>, tensor<4xf32>) {
  %0 = onnx.Cast(%x) {to = 6 : i64} : (tensor<4xf32>) -> tensor<4xi32>
  %1 = onnx.Cast(%i) {to = 1 : i64} : (tensor<4xi64>) -> tensor<4xf32>
  return %0, %1 : tensor<4xi32>, tensor<4xf32>
}

// -----

// Tests that integer and comparison ops use the integer and predicate forms.

// CHECK-LABEL: func.func @integer_and_compare
// CHECK: arith.divsi %{{.*}}, %{{.*}} : i64
// CHECK: outs(%{{.*}} : tensor<4xi1>)
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
func.func @integer_and_compare(%i: tensor<4xi64>, %j: tensor<1xi64>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xi64>, tensor<4xi1>) {
  %0 = onnx.Div(%i, %j) : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  %1 = onnx.Less(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi64>, tensor<4xi1>
}

// -----

// Tests that Where with a broadcast scalar operand is a select on the
// condition.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @where
// CHECK-SAME: ([[C:%.*]]: tensor<4xi1>, [[X:%.*]]: tensor<4xf32>, [[Y:%.*]]: tensor<f32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[SCALAR]], #[[ID]]], {{.*}}} ins([[C]], [[X]], [[Y]] : tensor<4xi1>, tensor<4xf32>, tensor<f32>)
// CHECK-NEXT: ^bb0([[IC:%.*]]: i1, [[IX:%.*]]: f32, [[IY:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[S:%.*]] = arith.select [[IC]], [[IX]], [[IY]] : f32
// CHECK-NEXT: linalg.yield [[S]]
func.func @where(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<f32>) -> tensor<4xf32> {
  %0 = onnx.Where(%c, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that Clip with both bounds is max then min, and that with only the
// upper bound the missing one adds no operand.

// CHECK-LABEL: func.func @clip
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<f32>, tensor<f32>)
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, [[LO:%.*]]: f32, [[HI:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[M:%.*]] = arith.maximumf [[IN]], [[LO]] : f32
// CHECK-NEXT: [[R:%.*]] = arith.minimumf [[M]], [[HI]] : f32
// CHECK-NEXT: linalg.yield [[R]]
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<f32>)
// CHECK-NEXT: ^bb0([[IN:%.*]]: f32, [[HI:%.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: [[R:%.*]] = arith.minimumf [[IN]], [[HI]] : f32
// CHECK-NEXT: linalg.yield [[R]]
// CHECK-NOT: onnx.none
func.func @clip(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %n = onnx.none
  %lo = onnx.Constant dense<0.0> : tensor<f32> : tensor<f32>
  %hi = onnx.Constant dense<6.0> : tensor<f32> : tensor<f32>
  %0 = onnx.Clip(%x, %lo, %hi) : (tensor<4xf32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  %1 = onnx.Clip(%x, %n, %hi) : (tensor<4xf32>, none, tensor<f32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that Pow with a broadcast scalar exponent is math.powf.

// CHECK-LABEL: func.func @pow
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<f32>)
// CHECK: math.powf %{{.*}}, %{{.*}} : f32
func.func @pow(%x: tensor<4xf32>, %y: tensor<f32>) -> tensor<4xf32> {
  %0 = onnx.Pow(%x, %y) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that uint operands are computed on as signless integers with the
// unsigned arith ops, and that the pass leaves a signless function with no
// bitcasts.

// CHECK-LABEL: func.func @unsigned
// CHECK-SAME: ([[A:%.*]]: tensor<4xi8>, [[B:%.*]]: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xi8>)
// CHECK: arith.divui %{{.*}}, %{{.*}} : i8
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i8
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: arith.shrui %{{.*}}, %{{.*}} : i8
// CHECK-NOT: tensor.bitcast
// CHECK-NOT: ui8
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xui8>) {
  %0 = onnx.Div(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = onnx.Less(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %2 = onnx.Cast(%a) {to = 1 : i64} : (tensor<4xui8>) -> tensor<4xf32>
  %3 = onnx.BitShift(%a, %b) {direction = "RIGHT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0, %1, %2, %3 : tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xui8>
}

// -----

// Tests the bodies of the newer activations: PRelu selects slope * x below
// zero, Softsign is x / (1 + |x|), IsNaN is an unordered self-compare and
// the inverse trigonometric ops are math ops.

// CHECK-LABEL: func.func @activations_more
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: math.absf
// CHECK: arith.divf
// CHECK: arith.cmpf uno
// CHECK: math.atanh
func.func @activations_more(%x: tensor<4xf32>, %s: tensor<1xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) {
  %0 = onnx.PRelu(%x, %s) : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %1 = onnx.Softsign(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = onnx.IsNaN(%x) : (tensor<4xf32>) -> tensor<4xi1>
  %3 = onnx.Atanh(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>
}

// -----

// Tests BitCast: an arith.bitcast per element on signless types (uint8 to
// int8 is then a copy), booleans widened to a byte.

// CHECK-LABEL: func.func @bitcast
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i8, %{{.*}}: i8):
// CHECK-NEXT: linalg.yield %[[IN]] : i8
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i1 to i8
func.func @bitcast(%x: tensor<2x3xf32>, %u: tensor<4xui8>, %b: tensor<4xi1>) -> (tensor<2x3xi32>, tensor<4xi8>, tensor<4xui8>) {
  %0 = onnx.BitCast(%x) {to = 6 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi32>
  %1 = onnx.BitCast(%u) {to = 3 : i64} : (tensor<4xui8>) -> tensor<4xi8>
  %2 = onnx.BitCast(%b) {to = 2 : i64} : (tensor<4xi1>) -> tensor<4xui8>
  return %0, %1, %2 : tensor<2x3xi32>, tensor<4xi8>, tensor<4xui8>
}

// -----

// Tests the low-precision casts: the function computes on bytes; f32 to
// float8 E4M3FN rounds to nearest even after scaling by a power of two and
// (without saturation) makes overflow and NaN the NaN pattern 0x7f; float8
// to f32 rebiases the exponent (127 - 7), scales subnormals by 2^-9 and
// tests for the NaN pattern; casts to int4 round, then wrap by shifting the
// low 4 bits to the top and back; int4 values are sign-extended bytes.

// CHECK-LABEL: func.func @low_precision
// CHECK-SAME: (%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xf32>, tensor<4xi8>, tensor<4xf32>)
// CHECK-DAG: %[[NAN8:.*]] = arith.constant 127 : i32
// CHECK-DAG: %[[MAX8:.*]] = arith.constant 126 : i32
// CHECK-DAG: %[[SUB:.*]] = arith.constant 0.001953125 : f32
// CHECK-DAG: %[[REBIAS:.*]] = arith.constant 120 : i32
// CHECK-DAG: %[[SHIFT4:.*]] = arith.constant 28 : i32
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: i8):
// CHECK: %[[R:.*]] = math.roundeven
// CHECK: %[[Q:.*]] = arith.fptosi %[[R]] : f32 to i32
// CHECK: %[[FIELD:.*]] = arith.addi %{{.*}}, %[[Q]] : i32
// CHECK: %[[OVER:.*]] = arith.cmpi sgt, %[[FIELD]], %[[MAX8]] : i32
// CHECK: arith.select %[[OVER]], %[[NAN8]]
// CHECK: %[[ISNAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: arith.select %[[ISNAN]], %[[NAN8]]
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: ^bb0(%{{.*}}: i8, %{{.*}}: f32):
// CHECK: arith.addi %{{.*}}, %[[REBIAS]] : i32
// CHECK: arith.mulf %{{.*}}, %[[SUB]] : f32
// CHECK: arith.cmpi eq, %{{.*}}, %[[NAN8]] : i32
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: i8):
// CHECK: math.round
// CHECK: arith.fptosi
// CHECK: arith.shli %{{.*}}, %[[SHIFT4]] : i32
// CHECK: arith.shrsi %{{.*}}, %[[SHIFT4]] : i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: ^bb0(%{{.*}}: i8, %{{.*}}: f32):
// CHECK-NEXT: arith.sitofp %{{.*}} : i8 to f32
func.func @low_precision(%x: tensor<4xf32>, %q: tensor<4xf8E4M3FN>, %n: tensor<4xi4>) -> (tensor<4xf8E4M3FN>, tensor<4xf32>, tensor<4xi4>, tensor<4xf32>) {
  %0 = onnx.Cast(%x) {to = 17 : i64, saturate = 0 : i64} : (tensor<4xf32>) -> tensor<4xf8E4M3FN>
  %1 = onnx.Cast(%q) {to = 1 : i64} : (tensor<4xf8E4M3FN>) -> tensor<4xf32>
  %2 = onnx.Cast(%x) {to = 22 : i64} : (tensor<4xf32>) -> tensor<4xi4>
  %3 = onnx.Cast(%n) {to = 1 : i64} : (tensor<4xi4>) -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf8E4M3FN>, tensor<4xf32>, tensor<4xi4>, tensor<4xf32>
}

// -----

// Tests that only casts and data movement compute on low-precision types.

func.func @low_precision_arithmetic(%q: tensor<4xf8E5M2>) -> tensor<4xf8E5M2> {
  // expected-error @+1 {{operator 'Add' is not supported by the lowering}}
  %0 = onnx.Add(%q, %q) : (tensor<4xf8E5M2>, tensor<4xf8E5M2>) -> tensor<4xf8E5M2>
  return %0 : tensor<4xf8E5M2>
}
