// RUN: mlc-opt %s --split-input-file --verify-diagnostics

// Tests that the region needs one argument per operand.

func.func @arg_count(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kernel.dispatch' op region has 1 arguments for 2 operands}}
  %r = kernel.dispatch @k(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    kernel.yield %a : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that region arguments have the operands' types.

func.func @arg_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kernel.dispatch' op region argument type 'tensor<4xf16>' does not match operand type 'tensor<4xf32>'}}
  %r = kernel.dispatch @k(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf16>):
    %e = arith.extf %a : tensor<4xf16> to tensor<4xf32>
    kernel.yield %e : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that the yielded values have the result types.

func.func @yield_type(%x: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'kernel.dispatch' op yielded types do not match the result types}}
  %r = kernel.dispatch @k(%x) : (tensor<4xf32>) -> tensor<8xf32> {
  ^bb0(%a: tensor<4xf32>):
    kernel.yield %a : tensor<4xf32>
  }
  return %r : tensor<8xf32>
}

// -----

// Tests that the number of yielded values matches the results.

func.func @yield_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kernel.dispatch' op yielded types do not match the result types}}
  %r = kernel.dispatch @k(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    kernel.yield %a, %a : tensor<4xf32>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that the region cannot use values defined outside it.

func.func @isolated(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %r = kernel.dispatch @k() : () -> tensor<4xf32> {
    // expected-error @+1 {{using value defined outside the region}}
    kernel.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that kernel.yield only appears in a dispatch.

func.func @yield_outside(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kernel.yield' op expects parent op 'kernel.dispatch'}}
  kernel.yield %x : tensor<4xf32>
}

// -----

// Tests that kernel.non_max_suppression checks its operand count and types.

func.func @nms_operands(%b: tensor<1x4x4xf32>, %s: tensor<1x1x4xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %sel: tensor<4x3xi64>, %n: tensor<1xi64>) {
  // expected-error @+1 {{expects 5 inputs (boxes, scores, max, iou, score) and 2 outputs (selected, count)}}
  %r:2 = kernel.non_max_suppression ins(%b, %s, %m, %iou : tensor<1x4x4xf32>, tensor<1x1x4xf32>, tensor<1xi64>, tensor<1xf32>) outs(%sel, %n : tensor<4x3xi64>, tensor<1xi64>) center_point_box = 0 has_score_threshold = 0 -> tensor<4x3xi64>, tensor<1xi64>
  return
}

// -----

func.func @nms_types(%b: tensor<1x4x4xf32>, %s: tensor<1x1x4xf32>, %m: tensor<1xf32>, %iou: tensor<1xf32>, %sel: tensor<4x3xi64>, %n: tensor<1xi64>) {
  // expected-error @+1 {{expects float32 boxes, scores and thresholds and int64 max, selected and count}}
  %r:2 = kernel.non_max_suppression ins(%b, %s, %m, %iou, %iou : tensor<1x4x4xf32>, tensor<1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) outs(%sel, %n : tensor<4x3xi64>, tensor<1xi64>) center_point_box = 0 has_score_threshold = 0 -> tensor<4x3xi64>, tensor<1xi64>
  return
}
