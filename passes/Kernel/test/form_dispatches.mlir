// RUN: mlc-opt %s --split-input-file --mlc-kernel-form-dispatches | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-kernel-form-dispatches=fuse-elementwise=false | FileCheck %s --check-prefix=NOFUSE

// Tests that a convolution, its padding, its bias initialisation and its
// relu epilogue form one dispatch whose operands are the input, the bias and
// the weights; scalar constants and tensor.empty are cloned inside.

#bias = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: ([[X:%.*]]: tensor<1x3x8x8xf32>, [[W:%.*]]: tensor<4x3x3x3xf32>, [[B:%.*]]: tensor<4xf32>)
// CHECK: [[R:%.*]] = kernel.dispatch @kernel0_conv_2d_nchw_fchw_conv1([[X]], [[B]], [[W]]) : (tensor<1x3x8x8xf32>, tensor<4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
// CHECK-NEXT: ^bb0([[AX:%.*]]: tensor<1x3x8x8xf32>, [[AB:%.*]]: tensor<4xf32>, [[AW:%.*]]: tensor<4x3x3x3xf32>):
// CHECK-DAG: [[ZERO:%.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: tensor.empty() : tensor<1x4x8x8xf32>
// CHECK: [[PAD:%.*]] = tensor.pad [[AX]]
// CHECK: [[B3:%.*]] = tensor.expand_shape [[AB]]
// CHECK: [[INIT:%.*]] = linalg.generic {{.*}} ins([[B3]] :
// CHECK: [[CONV:%.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins([[PAD]], [[AW]] : {{.*}}) outs([[INIT]] :
// CHECK: [[RELU:%.*]] = linalg.generic {{.*}} ins([[CONV]] :
// CHECK: arith.maximumf %{{.*}}, [[ZERO]]
// CHECK: kernel.yield [[RELU]] : tensor<1x4x8x8xf32>
// CHECK-NEXT: }
// CHECK-NOT: linalg.
// CHECK: return [[R]]
func.func @conv_relu(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %b3 = tensor.expand_shape %b [[0, 1, 2]] output_shape [4, 1, 1] : tensor<4xf32> into tensor<4x1x1xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b3 : tensor<4x1x1xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x8x8xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> loc("conv1")
  %relu = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32> loc("relu1")
  return %relu : tensor<1x4x8x8xf32>
}

// -----

// Tests that two convolutions in a row stay in separate dispatches (one
// reduction per kernel), the second taking the first's result.

// CHECK-LABEL: func.func @two_convs
// CHECK-SAME: ([[X:%.*]]: tensor<1x4x8x8xf32>, [[W:%.*]]: tensor<4x4x3x3xf32>)
// CHECK: [[C1:%.*]] = kernel.dispatch @kernel0_conv_2d_nchw_fchw_conv1([[X]], [[W]])
// CHECK: linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: kernel.yield
// CHECK: [[C2:%.*]] = kernel.dispatch @kernel1_conv_2d_nchw_fchw_conv2([[C1]], [[W]])
// CHECK: linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: kernel.yield
// CHECK: return [[C2]]
func.func @two_convs(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e0 = tensor.empty() : tensor<1x4x6x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%e0 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %c0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) outs(%f0 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> loc("conv1")
  %e1 = tensor.empty() : tensor<1x4x4x4xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%c0, %w : tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) outs(%f1 : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("conv2")
  return %c1 : tensor<1x4x4x4xf32>
}

// -----

// Tests that a value with two users is not fused into either: the add gets
// a dispatch of its own and both users read its result.

#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @two_users
// CHECK: [[ADD:%.*]] = kernel.dispatch @{{.*}}(%{{.*}}, %{{.*}}) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK: arith.addf
// CHECK-NOT: arith.maximumf
// CHECK-NOT: math.exp
// CHECK: kernel.yield
// CHECK: [[RELU:%.*]] = kernel.dispatch @{{.*}}([[ADD]]) : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NOT: arith.addf
// CHECK: arith.maximumf
// CHECK: kernel.yield
// CHECK: [[EXP:%.*]] = kernel.dispatch @{{.*}}([[ADD]]) : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NOT: arith.addf
// CHECK: math.exp
// CHECK: kernel.yield
// CHECK: return [[RELU]], [[EXP]]
func.func @two_users(%x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<8xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%x, %y : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%add : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %cst : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%add : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %relu, %exp : tensor<8xf32>, tensor<8xf32>
}

// -----

// Tests that a chain of elementwise generics through single-use values is
// fused into one generic (one dispatch), unless fuse-elementwise=false, which
// keeps both generics in the one dispatch.

#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @elementwise_chain
// CHECK: kernel.dispatch @kernel0_generic_relu1(
// CHECK: linalg.generic
// CHECK: [[S:%.*]] = arith.addf
// CHECK: arith.maximumf [[S]]
// CHECK-NOT: linalg.generic
// CHECK: kernel.yield
// NOFUSE-LABEL: func.func @elementwise_chain
// NOFUSE: kernel.dispatch @kernel0_generic_relu1(
// NOFUSE: [[ADD:%.*]] = linalg.generic
// NOFUSE: arith.addf
// NOFUSE: linalg.generic {{.*}} ins([[ADD]] :
// NOFUSE: arith.maximumf
// NOFUSE: kernel.yield
func.func @elementwise_chain(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%x, %y : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<8xf32> loc("add1")
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%0 : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %cst : f32
    linalg.yield %r : f32
  } -> tensor<8xf32> loc("relu1")
  return %1 : tensor<8xf32>
}

// -----

// Tests that the slices of a concat go into one dispatch with both inputs as
// operands.

// CHECK-LABEL: func.func @concat
// CHECK-SAME: ([[A:%.*]]: tensor<2x3xf32>, [[B:%.*]]: tensor<2x5xf32>)
// CHECK: [[R:%.*]] = kernel.dispatch @kernel0_insert_slice([[A]], [[B]]) : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32> {
// CHECK-NEXT: ^bb0([[AA:%.*]]: tensor<2x3xf32>, [[AB:%.*]]: tensor<2x5xf32>):
// CHECK-NEXT: [[E:%.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK-NEXT: [[I0:%.*]] = tensor.insert_slice [[AA]] into [[E]][0, 0] [2, 3] [1, 1]
// CHECK-NEXT: [[I1:%.*]] = tensor.insert_slice [[AB]] into [[I0]][0, 3] [2, 5] [1, 1]
// CHECK-NEXT: kernel.yield [[I1]]
// CHECK: return [[R]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<2x8xf32>
  %0 = tensor.insert_slice %a into %e[0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
  %1 = tensor.insert_slice %b into %0[0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// -----

// Tests that a dense (non-splat) constant is an operand of the dispatch, not
// cloned into it, while a splat is cloned (and, with elementwise fusion,
// folded into the body as a scalar).

#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @constants
// CHECK: [[W:%.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: kernel.dispatch @{{.*}}(%{{.*}}, [[W]]) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK: kernel.yield
// NOFUSE-LABEL: func.func @constants
// NOFUSE: [[W:%.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// NOFUSE: kernel.dispatch @{{.*}}(%{{.*}}, [[W]]) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// NOFUSE: arith.constant dense<3.000000e+00> : tensor<2xf32>
// NOFUSE: kernel.yield
func.func @constants(%x: tensor<2xf32>) -> tensor<2xf32> {
  %w = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %s = arith.constant dense<3.0> : tensor<2xf32>
  %e = tensor.empty() : tensor<2xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]} ins(%x, %w, %s : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %m, %c : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that a per-channel sigmoid is not fused into the multiply that
// broadcasts it over the image (it would run 64 times per channel), while a
// per-channel add still is; both stay in the multiply's kernel.

#ch = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @broadcast_fusion
// CHECK: kernel.dispatch
// CHECK: [[SIG:%.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x1x1xf32>) outs(%{{.*}} : tensor<1x4x1x1xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins([[SIG]], %{{.*}} : tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>)
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK: kernel.yield
// CHECK: kernel.dispatch
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>)
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: kernel.yield
func.func @broadcast_fusion(%s: tensor<1x4x1x1xf32>, %x: tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %one = arith.constant 1.0 : f32
  %e1 = tensor.empty() : tensor<1x4x1x1xf32>
  %sig = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x4x1x1xf32>) outs(%e1 : tensor<1x4x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %x0 = math.exp %n : f32
    %d = arith.addf %x0, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x4x1x1xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %m = linalg.generic {indexing_maps = [#ch, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sig, %x : tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<1x4x8x8xf32>
  %add = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x4x1x1xf32>) outs(%e1 : tensor<1x4x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %q = arith.addf %in, %one : f32
    linalg.yield %q : f32
  } -> tensor<1x4x1x1xf32>
  %m2 = linalg.generic {indexing_maps = [#ch, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%add, %x : tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<1x4x8x8xf32>
  return %m, %m2 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// -----

// Tests that a dynamically sized tensor.empty that two destinations share
// (CSE merges equal ones: an int64 TopK's values and indices) is split into
// allocations CSE cannot merge back, so that the dispatch takes one operand
// per destination and writes each in place.

// CHECK-LABEL: func.func @shared_empty
// CHECK-DAG: [[A:%.*]] = bufferization.alloc_tensor(%arg1) : tensor<?xi64>
// CHECK-DAG: [[E:%.*]] = tensor.empty(%arg1) : tensor<?xi64>
// CHECK: kernel.dispatch @{{.*}}(%{{.*}}, %arg0, [[A]], [[E]]) : (i64, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) -> (tensor<?xi64>, tensor<?xi64>)
// CHECK-NEXT: ^bb0(%{{.*}}: i64, %{{.*}}: tensor<?xi64>, [[O1:%.*]]: tensor<?xi64>, [[O2:%.*]]: tensor<?xi64>):
// CHECK-NEXT: kernel.runtime_call "mlc_rt_top_k_i64"(%{{.*}}) ins(%{{.*}} : tensor<?xi64>) outs([[O1]], [[O2]] :
func.func @shared_empty(%x: tensor<?xi64>, %n: index) -> (tensor<?xi64>, tensor<?xi64>) {
  %k = arith.index_cast %n : index to i64
  %e = tensor.empty(%n) : tensor<?xi64>
  %r:2 = kernel.runtime_call "mlc_rt_top_k_i64"(%k) ins(%x : tensor<?xi64>) outs(%e, %e : tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>, tensor<?xi64>
  return %r#0, %r#1 : tensor<?xi64>, tensor<?xi64>
}

// -----

// Tests that a zero fill three matmuls accumulate into (CSE made it one) is
// cloned per matmul, so that each dispatch holds its matmul and a fill of
// its own destination: three dispatches, none for the fill alone.

// CHECK-LABEL: func.func @shared_fill
// CHECK: kernel.dispatch @kernel{{[0-9]}}_matmul
// CHECK-NEXT: ^bb0
// CHECK-DAG: arith.constant 0.000000e+00
// CHECK-DAG: tensor.empty() : tensor<8x16xf32>
// CHECK: [[Z:%.*]] = linalg.fill
// CHECK-NEXT: [[M:%.*]] = linalg.matmul {{.*}} outs([[Z]] :
// CHECK-NEXT: kernel.yield [[M]]
// CHECK-COUNT-2: kernel.dispatch @kernel{{[0-9]}}_matmul
// CHECK-NOT: kernel.dispatch
// CHECK: return
func.func @shared_fill(%x: tensor<8x32xf32>, %q: tensor<32x16xf32>, %k: tensor<32x16xf32>, %v: tensor<32x16xf32>)
    -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %zero = linalg.fill ins(%cst : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %0 = linalg.matmul ins(%x, %q : tensor<8x32xf32>, tensor<32x16xf32>) outs(%zero : tensor<8x16xf32>) -> tensor<8x16xf32>
  %1 = linalg.matmul ins(%x, %k : tensor<8x32xf32>, tensor<32x16xf32>) outs(%zero : tensor<8x16xf32>) -> tensor<8x16xf32>
  %2 = linalg.matmul ins(%x, %v : tensor<8x32xf32>, tensor<32x16xf32>) outs(%zero : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %0, %1, %2 : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>
}
