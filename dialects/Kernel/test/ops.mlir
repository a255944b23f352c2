// RUN: mlc-opt %s --split-input-file | mlc-opt --split-input-file | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlir-print-op-generic | mlc-opt --split-input-file | FileCheck %s

// Tests that a dispatch round-trips with its symbol, operands, region
// arguments and yielded results.

// CHECK-LABEL: func.func @dispatch
// CHECK-SAME: ([[X:%.*]]: tensor<4xf32>, [[Y:%.*]]: tensor<4xf32>)
func.func @dispatch(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: [[R:%.*]] = kernel.dispatch @add_0([[X]], [[Y]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: ^bb0([[A:%.*]]: tensor<4xf32>, [[B:%.*]]: tensor<4xf32>):
  // CHECK-NEXT:   [[S:%.*]] = arith.addf [[A]], [[B]] : tensor<4xf32>
  // CHECK-NEXT:   kernel.yield [[S]] : tensor<4xf32>
  // CHECK-NEXT: }
  // CHECK: return [[R]]
  %r = kernel.dispatch @add_0(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %s = arith.addf %a, %b : tensor<4xf32>
    kernel.yield %s : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that a dispatch with several results and one with no operands
// round-trip.

// CHECK-LABEL: func.func @multi
func.func @multi(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<2xf32>) {
  // CHECK: [[R:%.*]]:2 = kernel.dispatch @split_1(%{{.*}}) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  // CHECK: kernel.yield %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>
  %r:2 = kernel.dispatch @split_1(%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%a: tensor<4xf32>):
    %n = arith.negf %a : tensor<4xf32>
    kernel.yield %a, %n : tensor<4xf32>, tensor<4xf32>
  }
  // CHECK: kernel.dispatch @const_2() : () -> tensor<2xf32>
  // CHECK: arith.constant dense<1.000000e+00> : tensor<2xf32>
  %c = kernel.dispatch @const_2() : () -> tensor<2xf32> {
    %k = arith.constant dense<1.0> : tensor<2xf32>
    kernel.yield %k : tensor<2xf32>
  }
  return %r#0, %r#1, %c : tensor<4xf32>, tensor<4xf32>, tensor<2xf32>
}
