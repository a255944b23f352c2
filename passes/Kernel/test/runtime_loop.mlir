// RUN: mlc-opt %s --mlc-kernel-formation-pipeline | FileCheck %s

// Tests that a loop of run-time trip count (the front end's Loop) keeps the
// type of its loop-carried value through kernel formation: the value starts
// as an empty [0, 3] tensor and each iteration replaces it with a [1, 3] row,
// so the loop carries [?, 3]. scf.for's canonicalization would fold the
// cast of the start into the loop and pin the value to [0, 3]; kernel
// formation canonicalizes without it. The body's ops stay in the loop.

// CHECK-LABEL: func.func @replace_rows
// CHECK: [[START:%.*]] = tensor.cast {{%.*}} : tensor<0x3xf32> to tensor<?x3xf32>
// CHECK: [[R:%.*]] = scf.for {{.*}} iter_args({{%.*}} = [[START]]) -> (tensor<?x3xf32>)
// CHECK: linalg.generic
// CHECK: scf.yield {{%.*}} : tensor<?x3xf32>
// CHECK: return [[R]] : tensor<?x3xf32>
func.func @replace_rows(%n: index, %x: tensor<1x3xf32>) -> tensor<?x3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %empty = onnx.Constant dense<> : tensor<0x3xf32> : tensor<0x3xf32>
  %start = tensor.cast %empty : tensor<0x3xf32> to tensor<?x3xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %start) -> (tensor<?x3xf32>) {
    %y = onnx.Add(%x, %x) : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
    %c = tensor.cast %y : tensor<1x3xf32> to tensor<?x3xf32>
    scf.yield %c : tensor<?x3xf32>
  }
  return %r : tensor<?x3xf32>
}
