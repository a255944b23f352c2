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

// Tests that kernel.runtime_call needs an output, buffers of one kind
// (tensors or memrefs), and results exactly like its outputs on tensors.

func.func @runtime_call_no_output(%x: tensor<4xf32>) {
  // expected-error @+1 {{needs at least one output}}
  "kernel.runtime_call"(%x) <{callee = "f", operandSegmentSizes = array<i32: 0, 1, 0>}> : (tensor<4xf32>) -> ()
  return
}

// -----

func.func @runtime_call_mixed(%x: memref<4xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{buffer operands must be all tensors or all memrefs}}
  %r = kernel.runtime_call "f"() ins(%x : memref<4xf32>) outs(%y : tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @runtime_call_results(%x: tensor<4xf32>, %y: tensor<4xf32>, %n: i64) {
  // expected-error @+1 {{has the outputs' types as results exactly when it works on tensors}}
  kernel.runtime_call "f"(%n) ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>)
  return
}
