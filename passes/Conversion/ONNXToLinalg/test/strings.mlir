// RUN: mlc-opt %s --split-input-file --mlc-convert-onnx-to-linalg --verify-diagnostics | FileCheck %s

// Tests that string tensors become tensors of i64 addresses and that each
// string op is a runtime call per element: Equal compares with
// mlc_rt_string_equal, StringConcat concatenates, RegexFullMatch passes its
// pattern as a string literal, ChangeCase says upper (1) or lower, and casts
// parse to f64 or print f32.

// CHECK-LABEL: func.func @strings
// CHECK-SAME: (%{{.*}}: tensor<2xi64>, %{{.*}}: tensor<1xi64>, %{{.*}}: tensor<2xf32>) -> (tensor<2xi1>, tensor<2xi64>, tensor<2xi1>, tensor<2xi64>, tensor<2xf32>, tensor<2xi64>)
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i1):
// CHECK-NEXT: %[[EQ:.*]] = kernel.call "mlc_rt_string_equal"(%[[A]], %[[B]]) : (i64, i64) -> i32
// CHECK-NEXT: arith.cmpi ne, %[[EQ]]
// CHECK: kernel.call "mlc_rt_string_concat"(%{{.*}}, %{{.*}}) : (i64, i64) -> i64
// CHECK: %[[PATTERN:.*]] = kernel.string_literal "a\\d+"
// CHECK-NEXT: kernel.call "mlc_rt_string_regex_full_match"(%{{.*}}, %[[PATTERN]]) : (i64, i64) -> i32
// CHECK: kernel.call "mlc_rt_string_change_case"(%{{.*}}, %{{.*}}) : (i64, i32) -> i64
// CHECK: %[[F:.*]] = kernel.call "mlc_rt_string_to_f64"(%{{.*}}) : (i64) -> f64
// CHECK-NEXT: arith.truncf %[[F]] : f64 to f32
// CHECK: kernel.call "mlc_rt_string_from_f32"(%{{.*}}) : (f32) -> i64
func.func @strings(%a: tensor<2x!onnx.string>, %b: tensor<1x!onnx.string>, %x: tensor<2xf32>) -> (tensor<2xi1>, tensor<2x!onnx.string>, tensor<2xi1>, tensor<2x!onnx.string>, tensor<2xf32>, tensor<2x!onnx.string>) {
  %0 = onnx.Equal(%a, %b) : (tensor<2x!onnx.string>, tensor<1x!onnx.string>) -> tensor<2xi1>
  %1 = onnx.StringConcat(%a, %b) : (tensor<2x!onnx.string>, tensor<1x!onnx.string>) -> tensor<2x!onnx.string>
  %2 = onnx.RegexFullMatch(%a) {pattern = "a\\d+"} : (tensor<2x!onnx.string>) -> tensor<2xi1>
  %3 = onnx.ChangeCase(%a) {case_change_action = "UPPER"} : (tensor<2x!onnx.string>) -> tensor<2x!onnx.string>
  %4 = onnx.Cast(%a) {to = 1 : i64} : (tensor<2x!onnx.string>) -> tensor<2xf32>
  %5 = onnx.Cast(%x) {to = 8 : i64} : (tensor<2xf32>) -> tensor<2x!onnx.string>
  return %0, %1, %2, %3, %4, %5 : tensor<2xi1>, tensor<2x!onnx.string>, tensor<2xi1>, tensor<2x!onnx.string>, tensor<2xf32>, tensor<2x!onnx.string>
}

// -----

// Tests that StringSplit reads each element at the index of Y without its
// last dim, asks for substring k = that last index of at most 3 (the declared
// width), and counts the substrings for Z.

// CHECK-DAG: #[[DROP:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @split
// CHECK-DAG: %[[MAX:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[PARTS:.*]] = arith.constant 3 : i64
// CHECK: linalg.generic {indexing_maps = [#[[DROP]], #[[ID]]]
// CHECK: %[[DELIM:.*]] = kernel.string_literal "."
// CHECK: %[[K:.*]] = arith.index_cast
// CHECK: kernel.call "mlc_rt_string_split_part"(%{{.*}}, %[[DELIM]], %[[MAX]], %[[K]], %[[PARTS]])
// CHECK: kernel.call "mlc_rt_string_split_count"(%{{.*}}, %{{.*}}, %[[MAX]])
func.func @split(%a: tensor<2x!onnx.string>) -> (tensor<2x3x!onnx.string>, tensor<2xi64>) {
  %y, %z = onnx.StringSplit(%a) {delimiter = ".", maxsplit = 2 : i64} : (tensor<2x!onnx.string>) -> (tensor<2x3x!onnx.string>, tensor<2xi64>)
  return %y, %z : tensor<2x3x!onnx.string>, tensor<2xi64>
}

// -----

// Tests that a string constant is the tensor of its literals' addresses.

// CHECK-LABEL: func.func @constant() -> tensor<2xi64>
// CHECK: %[[M:.*]] = kernel.string_literal "monday"
// CHECK: %[[E:.*]] = kernel.string_literal ""
// CHECK: tensor.from_elements %[[M]], %[[E]] : tensor<2xi64>
func.func @constant() -> tensor<2x!onnx.string> {
  %0 = onnx.Constant dense<["monday", ""]> : tensor<2x!onnx.string> : tensor<2x!onnx.string>
  return %0 : tensor<2x!onnx.string>
}

// -----

// Tests that strings take no arithmetic.

func.func @string_arithmetic(%a: tensor<2x!onnx.string>) -> tensor<2x!onnx.string> {
  // expected-error @+1 {{operator 'Add' is not supported by the lowering}}
  %0 = onnx.Add(%a, %a) : (tensor<2x!onnx.string>, tensor<2x!onnx.string>) -> tensor<2x!onnx.string>
  return %0 : tensor<2x!onnx.string>
}
