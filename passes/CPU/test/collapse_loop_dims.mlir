// RUN: mlc-opt %s --pass-pipeline="builtin.module(func.func(mlc-cpu-collapse-loop-dims),canonicalize)" | FileCheck %s

// Tests that a kernel's linalg.generic runs one loop per contiguous run of
// dims: a global average pool sums 96 contiguous runs of 56*56, a channel
// scale broadcast over the planes is 96 x 3136, a transpose keeps the dims it
// reorders, an op with linalg.index, a diagonal and a function that is not a
// kernel stay as they are.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#nc = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
#bc = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
#tr = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>

// CHECK-LABEL: func.func private @pool
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<1x96x56x56xf32> into tensor<96x3136xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%{{.*}} : tensor<96x3136xf32>) outs(%{{.*}} : tensor<96xf32>)
func.func private @pool(%x: tensor<1x96x56x56xf32>) -> tensor<1x96xf32> attributes {kernel.kernel} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x96xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x96xf32>) -> tensor<1x96xf32>
  %sum = linalg.generic {indexing_maps = [#id, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x : tensor<1x96x56x56xf32>) outs(%init : tensor<1x96xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %acc, %in fastmath<reassoc> : f32
    linalg.yield %a : f32
  } -> tensor<1x96xf32>
  return %sum : tensor<1x96xf32>
}

// CHECK-LABEL: func.func private @scale
// CHECK-DAG: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] : tensor<1x96x1x1xf32> into tensor<96xf32>
// CHECK-DAG: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<1x96x56x56xf32> into tensor<96x3136xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<96xf32>, tensor<96x3136xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] output_shape [1, 96, 56, 56]
func.func private @scale(%s: tensor<1x96x1x1xf32>, %x: tensor<1x96x56x56xf32>) -> tensor<1x96x56x56xf32> attributes {kernel.kernel} {
  %e = tensor.empty() : tensor<1x96x56x56xf32>
  %y = linalg.generic {indexing_maps = [#bc, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %x : tensor<1x96x1x1xf32>, tensor<1x96x56x56xf32>) outs(%e : tensor<1x96x56x56xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x96x56x56xf32>
  return %y : tensor<1x96x56x56xf32>
}

// CHECK-LABEL: func.func private @transpose
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]{{.*}} ins(%{{.*}} : tensor<4x8x16xf32>) outs(%{{.*}} : tensor<8x4x16xf32>)
func.func private @transpose(%x: tensor<1x4x8x16xf32>) -> tensor<1x8x4x16xf32> attributes {kernel.kernel} {
  %e = tensor.empty() : tensor<1x8x4x16xf32>
  %y = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x8x16xf32>) outs(%e : tensor<1x8x4x16xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<1x8x4x16xf32>
  return %y : tensor<1x8x4x16xf32>
}

// CHECK-LABEL: func.func private @indexed
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]
func.func private @indexed(%x: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> attributes {kernel.kernel} {
  %e = tensor.empty() : tensor<1x4x8x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x8x16xf32>) outs(%e : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %i = linalg.index 3 : index
    %ii = arith.index_cast %i : index to i32
    %f = arith.sitofp %ii : i32 to f32
    %s = arith.addf %a, %f : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}

// CHECK-LABEL: func.func private @diagonal
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]
func.func private @diagonal(%x: tensor<2x3x4x4xf32>) -> tensor<2x3x4xf32> attributes {kernel.kernel} {
  %e = tensor.empty() : tensor<2x3x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x3x4x4xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @not_a_kernel
// CHECK-NOT: tensor.collapse_shape
func.func @not_a_kernel(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
