// RUN: mlc-opt %s --split-input-file --mlc-cuda-coarsen-contractions=min-threads=1 --canonicalize --cse | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cuda-coarsen-contractions=min-threads=1024 --canonicalize --cse | FileCheck %s --check-prefix=FEW

// Tests that a matmul becomes 4x4 blocks of outputs: 16 accumulators loaded
// from C, carried through the k loop, which loads 4 values of A (one per
// row) and 4 of B (one per column) for its 16 multiply-adds, then stored.
// With min-threads=1024, the 4096 outputs leave room for 4 per thread only:
// the row factor drops to 1 and the column (innermost) factor stays 4.

// CHECK-LABEL: func.func @matmul
// CHECK: scf.parallel ([[I:%.*]], [[J:%.*]]) = ({{.*}}) to ({{.*}}) step ([[C4:%.*]], [[C4]])
// CHECK-COUNT-16: memref.load %arg2
// CHECK: scf.for [[K:%.*]] = {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-COUNT-16: arith.addf
// CHECK-NOT: memref.load
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store {{.*}}, %arg2
// CHECK-NOT: linalg.matmul
// FEW-LABEL: func.func @matmul
// FEW: scf.parallel ({{.*}}) = ({{.*}}) to ({{.*}}) step (%c1, %c4)
// FEW: iter_args({{.*}}) -> (f32, f32, f32, f32)
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// CHECK-LABEL: func.func @matmul_loads
// CHECK: scf.for
// CHECK-COUNT-8: memref.load
// CHECK-NOT: memref.load
// CHECK: scf.yield
func.func @matmul_loads(%a: memref<64x32xf32>, %b: memref<32x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// -----

// Tests a convolution whose 7x7 planes are not divisible by 2: only the
// output channels are blocked (4 per thread, sharing each input load), the
// three reduction loops (c, kh, kw) all carry the 4 accumulators, and the
// window's indices are computed inside the innermost loop.

// CHECK-LABEL: func.func @conv
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%c16, %c7, %c7) step (%c4, %c1, %c1)
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32)
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32)
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32)
// CHECK: affine.apply
// CHECK: affine.apply
// CHECK: memref.load %arg0
// CHECK-COUNT-4: memref.load %arg1
// CHECK-NOT: memref.load
// CHECK: scf.yield
// CHECK-COUNT-4: memref.store
func.func @conv(%x: memref<1x8x9x9xf32>, %w: memref<16x8x3x3xf32>, %y: memref<1x16x7x7xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : memref<1x8x9x9xf32>, memref<16x8x3x3xf32>) outs(%y : memref<1x16x7x7xf32>)
  return
}

// -----

// Tests that a reduction without a shared load (a row sum: its one input
// depends on both dimensions) gets one output per thread, its accumulator
// carried in a register instead of memory; that a full reduction (no
// parallel loop) carries its accumulator in a register too (its one-point
// loop unwrapped by canonicalization); and that ops on dynamic shapes are
// left alone.

// CHECK-LABEL: func.func @rowsum
// CHECK: scf.parallel ({{.*}}) = (%c0) to (%c64) step (%c1)
// CHECK: memref.load %arg1
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32)
// CHECK: memref.load %arg0
// CHECK-NOT: memref.store
// CHECK: scf.yield
// CHECK: memref.store {{.*}}, %arg1
// CHECK-NOT: linalg.generic
// CHECK-LABEL: func.func @dynamic
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @full_reduction
// CHECK: [[INIT:%.*]] = memref.load %arg1[]
// CHECK: [[SUM:%.*]] = scf.for {{.*}} iter_args({{.*}} = [[INIT]]) -> (f32)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32)
// CHECK-NOT: memref.store
// CHECK: memref.store [[SUM]], %arg1[]
// CHECK-NOT: linalg.generic
func.func @rowsum(%x: memref<64x32xf32>, %y: memref<64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<64x32xf32>) outs(%y : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  return
}
func.func @dynamic(%a: memref<?x32xf32>, %b: memref<32x64xf32>, %c: memref<?x64xf32>) {
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x64xf32>) outs(%c : memref<?x64xf32>)
  return
}
func.func @full_reduction(%x: memref<3x4xf32>, %y: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : memref<3x4xf32>) outs(%y : memref<f32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// Tests a Gemm as the front end writes it, (m, k, n) with the reduction in
// the middle: both parallel dimensions become thread dimensions (the linalg
// lowering would run n sequentially inside each of the 2 m threads). Blocked
// 2x4, the m loop has one iteration and folds away; with min-threads=1024
// the 200 outputs are not blocked at all.

// CHECK-LABEL: func.func @gemm_middle_reduction
// CHECK: scf.parallel ({{.*}}) = (%c0) to (%c100) step (%c4)
// CHECK: scf.for {{.*}} to %c64 {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32)
// FEW-LABEL: func.func @gemm_middle_reduction
// FEW: scf.parallel ({{.*}}, {{.*}}) = (%c0, %c0) to (%c2, %c100) step (%c1, %c1)
// FEW: scf.for {{.*}} to %c64 {{.*}} -> (f32)
func.func @gemm_middle_reduction(%a: memref<2x64xf32>, %w: memref<100x64xf32>, %y: memref<2x100xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%a, %w : memref<2x64xf32>, memref<100x64xf32>) outs(%y : memref<2x100xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Tests that a Gemm's bias broadcast before it and its ReLU after it are
// computed with each block of outputs: the accumulators start from the bias,
// the stores write the ReLU, and neither op is left.

// CHECK-LABEL: func.func @gemm_bias_relu
// CHECK-NOT: linalg.
// CHECK: scf.parallel
// CHECK: memref.load %arg3
// CHECK: scf.for
// CHECK: arith.maximumf
// CHECK: memref.store
// CHECK-NOT: linalg.
// CHECK: return
#bias = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @gemm_bias_relu(%a: memref<8x16xf32>, %b: memref<16x8xf32>, %c: memref<8x8xf32>, %bias: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<8xf32>) outs(%c : memref<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x8xf32>) outs(%c : memref<8x8xf32>)
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%c : memref<8x8xf32>) {
  ^bb0(%o: f32):
    %r = arith.maximumf %o, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Tests that a max pooling reading a padded scratch copy of its image loads
// the image itself, -inf where the window reaches into the border, and that
// the fill and the copy are gone.

// CHECK-LABEL: func.func @padded_pool
// CHECK-NOT: linalg.
// CHECK: scf.if {{%.*}} -> (f32) {
// CHECK-NEXT: memref.load %arg0[{{.*}}] : memref<1x4x8x8xf32>
// CHECK: } else {
// CHECK-NEXT: scf.yield %cst
// CHECK: arith.maximumf
// CHECK-NOT: memref.load %arg3
// CHECK-NOT: linalg.
// CHECK: return

func.func @padded_pool(%img: memref<1x4x8x8xf32>, %window: memref<3x3xf32>, %out: memref<1x4x4x4xf32>,
                       %padded: memref<1x4x10x10xf32> {kernel.scratch}) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.map outs(%padded : memref<1x4x10x10xf32>)
    (%init: f32) {
      linalg.yield %ninf : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1] : memref<1x4x10x10xf32> to memref<1x4x8x8xf32, strided<[400, 100, 10, 1], offset: 11>>
  linalg.copy ins(%img : memref<1x4x8x8xf32>) outs(%inner : memref<1x4x8x8xf32, strided<[400, 100, 10, 1], offset: 11>>)
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x4x4xf32>)
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%padded, %window : memref<1x4x10x10xf32>, memref<3x3xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// -----

// Tests that where the padded image is itself a temporary that an
// elementwise op (a ReLU) writes for the padding alone, the loads compute
// the ReLU from its input and the ReLU's launch goes too.

// CHECK-LABEL: func.func @relu_pool
// CHECK-NOT: linalg.
// CHECK: scf.if {{%.*}} -> (f32) {
// CHECK-NEXT: [[X:%.*]] = memref.load %arg0[{{.*}}] : memref<1x4x8x8xf32>
// CHECK-NEXT: [[R:%.*]] = arith.maximumf [[X]], %cst
// CHECK-NEXT: scf.yield [[R]]
// CHECK: } else {
// CHECK-NEXT: scf.yield %cst_0
// CHECK-NOT: memref.load %arg3
// CHECK-NOT: memref.load %arg4
// CHECK-NOT: linalg.
// CHECK: return

func.func @relu_pool(%x: memref<1x4x8x8xf32>, %window: memref<3x3xf32>, %out: memref<1x4x4x4xf32>,
                     %relu: memref<1x4x8x8xf32> {kernel.scratch}, %padded: memref<1x4x10x10xf32> {kernel.scratch}) {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  linalg.map ins(%x : memref<1x4x8x8xf32>) outs(%relu : memref<1x4x8x8xf32>)
    (%v: f32, %init: f32) {
      %r = arith.maximumf %v, %zero : f32
      linalg.yield %r : f32
    }
  linalg.map outs(%padded : memref<1x4x10x10xf32>)
    (%init: f32) {
      linalg.yield %ninf : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1] : memref<1x4x10x10xf32> to memref<1x4x8x8xf32, strided<[400, 100, 10, 1], offset: 11>>
  linalg.copy ins(%relu : memref<1x4x8x8xf32>) outs(%inner : memref<1x4x8x8xf32, strided<[400, 100, 10, 1], offset: 11>>)
  linalg.fill ins(%ninf : f32) outs(%out : memref<1x4x4x4xf32>)
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%padded, %window : memref<1x4x10x10xf32>, memref<3x3xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}
