// RUN: mlc-opt %s --split-input-file --mlc-kernel-outline | FileCheck %s

// Tests that each dispatch becomes a private function marked kernel.kernel
// with the region as its body, and a call in its place.

// CHECK-LABEL: func.func private @k0
// CHECK-SAME: ([[A:%.*]]: tensor<4xf32>, [[B:%.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-SAME: attributes {kernel.kernel}
// CHECK-NEXT: [[S:%.*]] = arith.addf [[A]], [[B]] : tensor<4xf32>
// CHECK-NEXT: return [[S]] : tensor<4xf32>
// CHECK-LABEL: func.func private @k1
// CHECK-SAME: ([[A:%.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-SAME: attributes {kernel.kernel}
// CHECK: [[N:%.*]] = arith.negf [[A]]
// CHECK-NEXT: return [[A]], [[N]] : tensor<4xf32>, tensor<4xf32>
// CHECK-LABEL: func.func @main
// CHECK-SAME: ([[X:%.*]]: tensor<4xf32>, [[Y:%.*]]: tensor<4xf32>)
// CHECK-NEXT: [[C0:%.*]] = call @k0([[X]], [[Y]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: [[C1:%.*]]:2 = call @k1([[C0]]) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: return [[C1]]#0, [[C1]]#1
// CHECK-NOT: kernel.dispatch
func.func @main(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kernel.dispatch @k0(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %s = arith.addf %a, %b : tensor<4xf32>
    kernel.yield %s : tensor<4xf32>
  }
  %1:2 = kernel.dispatch @k1(%0) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%a: tensor<4xf32>):
    %n = arith.negf %a : tensor<4xf32>
    kernel.yield %a, %n : tensor<4xf32>, tensor<4xf32>
  }
  return %1#0, %1#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that a kernel whose name is already taken (by another function or an
// earlier kernel) gets a fresh name, and the call uses it.

// The kernels come before the function, so the case is anchored on its module.
// CHECK-LABEL: module {
// CHECK: func.func private @[[K1:k_[0-9]+]](
// CHECK-SAME: attributes {kernel.kernel}
// CHECK: math.exp
// CHECK: func.func private @[[K2:k_[0-9]+]](
// CHECK-SAME: attributes {kernel.kernel}
// CHECK: math.absf
// CHECK: func.func @main
// CHECK: [[C1:%.*]] = call @[[K1]](
// CHECK: [[C2:%.*]] = call @[[K2]]([[C1]])
// CHECK: call @k([[C2]])
// CHECK: func.func private @k(
// CHECK: arith.negf
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kernel.dispatch @k(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %e = math.exp %a : tensor<4xf32>
    kernel.yield %e : tensor<4xf32>
  }
  %1 = kernel.dispatch @k(%0) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %e = math.absf %a : tensor<4xf32>
    kernel.yield %e : tensor<4xf32>
  }
  %2 = func.call @k(%1) : (tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}
func.func private @k(%a: tensor<4xf32>) -> tensor<4xf32> attributes {kernel.kernel} {
  %n = arith.negf %a : tensor<4xf32>
  return %n : tensor<4xf32>
}
