// RUN: mlc-opt %s --split-input-file --mlc-cuda-tile-contractions --canonicalize --cse | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cuda-tile-contractions=min-points=0 | FileCheck %s --check-prefix=OFF

// Tests that a matmul with 65536 outputs becomes one block of 64 threads per
// 32 x 32 tile (64 x 64 tiles would make 16 blocks, too few for the GPU):
// two shared slices of 16 x 32 (one column of padding) and a loop over K in
// steps of 16 that carries the thread's 16 accumulators and its share of
// the slice loaded before: 8 elements of A (along K) and 8 of B (along N),
// loaded first before the loop. Each step stores that share into shared
// memory, waits at a barrier, loads its share of the next slice (of slice 0
// again on the last step, rather than past the end), folds the staged slice
// reading only shared memory (4 + 4 loads, 16 multiply-adds per row, which
// may contract into fmas; 16 divides K, so its 16 rows are unrolled), waits
// at a barrier, and carries the accumulators and the next slice on. Then 16
// stores. Extents that the tiles divide need no guards. With min-points=0
// nothing is tiled.

// CHECK-LABEL: func.func @matmul
// CHECK: gpu.launch blocks({{.*}}) in ({{%.*}} = %c64, {{.*}}) threads({{.*}}) in ({{%.*}} = %c64, {{.*}}) workgroup([[SA:%.*]] : memref<16x33xf32, #gpu.address_space<workgroup>>, [[SB:%.*]] : memref<16x33xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: scf.if
// CHECK: [[KK:%.*]] = arith.remui %{{.*}}, %c16
// CHECK-COUNT-8: memref.load %arg0[%{{.*}}, [[KK]]]
// CHECK-COUNT-8: memref.load %arg1
// CHECK: scf.for [[K0:%.*]] = %c0 to %c64 step %c16 iter_args({{.*}}) -> ([[F32S:(f32, ){31}f32]])
// CHECK-COUNT-8: memref.store %{{.*}}, [[SA]]{{\[}}[[KK]],
// CHECK-COUNT-8: memref.store %{{.*}}, [[SB]]
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: [[AFTER:%.*]] = arith.addi [[K0]], %c16
// CHECK-NEXT: [[MORE:%.*]] = arith.cmpi ult, [[AFTER]], %c64
// CHECK-NEXT: [[NEXT:%.*]] = arith.select [[MORE]], [[AFTER]], %c0
// CHECK-NEXT: [[K:%.*]] = arith.addi [[NEXT]], [[KK]]
// CHECK-COUNT-8: memref.load %arg0[%{{.*}}, [[K]]]
// CHECK-COUNT-8: memref.load %arg1
// CHECK-NOT: memref.load %arg{{[0-2]}}[
// CHECK-COUNT-4: memref.load [[SA]]{{\[}}%c0,
// CHECK-COUNT-4: memref.load [[SB]]{{\[}}%c0,
// CHECK-COUNT-16: arith.addf %arg{{.*}} fastmath<contract>
// CHECK-NOT: memref.load %arg{{[0-2]}}[
// CHECK-COUNT-4: memref.load [[SA]]{{\[}}%c1,
// CHECK-NOT: memref.load %arg{{[0-2]}}[
// CHECK: memref.load [[SA]]{{\[}}%c15,
// CHECK-NOT: memref.load %arg{{[0-2]}}[
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield {{.*}} : [[F32S]]
// CHECK-COUNT-16: memref.store %{{.*}}, %arg2
// CHECK-NOT: linalg.

// OFF-LABEL: func.func @matmul
// OFF: linalg.matmul

func.func @matmul(%a: memref<256x64xf32>, %b: memref<64x256xf32>, %c: memref<256x256xf32>) {
  linalg.matmul ins(%a, %b : memref<256x64xf32>, memref<64x256xf32>) outs(%c : memref<256x256xf32>)
  return
}

// -----

// Tests that a payload computing from one side's inputs alone (here the
// product of two A inputs, as a GELU fused into a matmul would) runs where
// the slice is loaded, its result staged; the fold reads shared memory only.
// K = 24 is one full step and one of 8, so loads are guarded on K: outside
// it, a thread stages zeros.

// CHECK-LABEL: func.func @fused_prologue
// CHECK: workgroup([[SA:%.*]] : memref<16x33xf32, {{.*}}>, [[SB:%.*]] : memref<16x33xf32
// CHECK: scf.for [[K0:%.*]] = %c0 to %c24 step %c16
// CHECK-NEXT: memref.store %arg{{.*}}, [[SA]]
// CHECK: gpu.barrier
// CHECK: [[NEXT:%.*]] = arith.select
// CHECK-NEXT: [[K:%.*]] = arith.addi [[NEXT]],
// CHECK-NEXT: [[IN:%.*]] = arith.cmpi ult, [[K]], %c24
// CHECK-NEXT: scf.if [[IN]] -> (f32) {
// CHECK-NEXT: [[X:%.*]] = memref.load %arg0
// CHECK-NEXT: [[Y:%.*]] = memref.load %arg1
// CHECK-NEXT: [[H:%.*]] = arith.mulf [[X]], [[Y]]
// CHECK-NEXT: scf.yield [[H]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %cst
// CHECK: [[LEFT:%.*]] = arith.subi %c24, [[K0]]
// CHECK: [[DEPTH:%.*]] = arith.minui [[LEFT]], %c16
// CHECK: scf.for %{{.*}} = %c0 to [[DEPTH]] step %c1
// CHECK-NOT: memref.load %arg{{[0-3]}}[
// CHECK: gpu.barrier

#x = affine_map<(m, k, n) -> (m, k)>
#w = affine_map<(m, k, n) -> (k, n)>
#o = affine_map<(m, k, n) -> (m, n)>
func.func @fused_prologue(%x: memref<512x24xf32>, %y: memref<512x24xf32>, %w: memref<24x128xf32>, %o: memref<512x128xf32>) {
  linalg.generic {indexing_maps = [#x, #x, #w, #o], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %y, %w : memref<512x24xf32>, memref<512x24xf32>, memref<24x128xf32>) outs(%o : memref<512x128xf32>) {
  ^bb0(%a: f32, %g: f32, %b: f32, %acc: f32):
    %h = arith.mulf %a, %g : f32
    %p = arith.mulf %h, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Tests that a strided convolution is a matmul over M = output channels
// (the filter's side), N = the output's pixels (the image's side) and K =
// input channels x kernel positions: the filter loaded along K, the image
// gathered along N through the strided index map, both guarded (K = 27,
// M = 40).

// CHECK: #[[$STRIDED:.*]] = affine_map<(d0)[s0] -> (d0 + s0 * 2)>
// CHECK-LABEL: func.func @conv
// CHECK: gpu.launch blocks({{.*}}) in ({{%.*}} = %c64, {{.*}}) threads({{.*}}) in ({{%.*}} = %c64,
// CHECK: arith.cmpi ult, %{{.*}}, %c40
// CHECK: scf.for %{{.*}} = %c0 to %c27 step %c16
// CHECK: gpu.barrier
// CHECK: arith.cmpi ult, %{{.*}}, %c27
// CHECK: memref.load %arg1
// CHECK: affine.apply #[[$STRIDED]]
// CHECK: affine.apply #[[$STRIDED]]
// CHECK: memref.load %arg0
// CHECK: gpu.barrier

func.func @conv(%img: memref<1x3x66x66xf32>, %f: memref<40x3x3x3xf32>, %out: memref<1x40x32x32xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%img, %f : memref<1x3x66x66xf32>, memref<40x3x3x3xf32>) outs(%out : memref<1x40x32x32xf32>)
  return
}

// -----

// Tests that 4096 outputs stay for map-to-gpu (a block per output folds
// the long K), and that a depthwise convolution (every input reads the
// channel: no dimension only one side reads) is not tiled.

// CHECK-LABEL: func.func @few_outputs
// CHECK: linalg.matmul

func.func @few_outputs(%a: memref<64x512xf32>, %b: memref<512x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x512xf32>, memref<512x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @depthwise
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc

func.func @depthwise(%img: memref<1x258x258x32xf32>, %f: memref<3x3x32xf32>, %out: memref<1x256x256x32xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%img, %f : memref<1x258x258x32xf32>, memref<3x3x32xf32>) outs(%out : memref<1x256x256x32xf32>)
  return
}

// -----

// Tests that the elementwise ops that set the output before a tiled
// convolution (a bias broadcast) and update it after (a residual add and a
// ReLU) are computed by the tile: the accumulators start from the bias, the
// stores write relu(acc + residual), and neither op is left. An update that
// reads another element of the output is not fused.

// CHECK-LABEL: func.func @bias_residual_relu
// CHECK-NOT: linalg.
// CHECK: gpu.launch
// CHECK: [[BIAS:%.*]] = memref.load %arg3[%{{.*}}] : memref<64xf32>
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: [[RES:%.*]] = memref.load %arg4
// CHECK: [[SUM:%.*]] = arith.addf %{{.*}}#0, [[RES]]
// CHECK: [[RELU:%.*]] = arith.maximumf [[SUM]], %cst
// CHECK: memref.store [[RELU]], %arg2
// CHECK-NOT: linalg.
// CHECK: return
#bias = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#shifted = affine_map<(n, c, h, w) -> (n, c, w, h)>
func.func @bias_residual_relu(%img: memref<1x32x34x34xf32>, %f: memref<64x32x3x3xf32>, %out: memref<1x64x32x32xf32>, %b: memref<64xf32>, %res: memref<1x64x32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<64xf32>) outs(%out : memref<1x64x32x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%img, %f : memref<1x32x34x34xf32>, memref<64x32x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out, %res : memref<1x64x32x32xf32>, memref<1x64x32x32xf32>) outs(%out : memref<1x64x32x32xf32>) {
  ^bb0(%x: f32, %r: f32, %o: f32):
    %s = arith.addf %x, %r : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// CHECK-LABEL: func.func @transposing_update
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @transposing_update(%img: memref<1x32x34x34xf32>, %f: memref<64x32x3x3xf32>, %out: memref<1x64x32x32xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%img, %f : memref<1x32x34x34xf32>, memref<64x32x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
  linalg.generic {indexing_maps = [#shifted, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out : memref<1x64x32x32xf32>) outs(%out : memref<1x64x32x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

// Tests that a convolution reading a padded scratch copy of its image (a
// fill of the border value, a copy into the interior) loads the image
// itself: an index less the padding that falls outside the image gives the
// border value, and neither the fill nor the copy is left. The padded
// buffer of @not_scratch is an ordinary argument (another kernel might read
// it), and the one of @copy_overwritten has its source written between the
// copy and the convolution: both keep their fill and copy.

// CHECK-LABEL: func.func @padded_image
// CHECK-NOT: linalg.
// CHECK: gpu.launch
// CHECK: [[H:%.*]] = affine.apply
// CHECK-NEXT: [[W:%.*]] = affine.apply
// CHECK-NEXT: [[Y:%.*]] = arith.subi [[H]], %c1
// CHECK-NEXT: [[YIN:%.*]] = arith.cmpi ult, [[Y]], %c32
// CHECK-NEXT: [[X:%.*]] = arith.subi [[W]], %c1
// CHECK-NEXT: [[XIN:%.*]] = arith.cmpi ult, [[X]], %c32
// CHECK-NEXT: [[IN:%.*]] = arith.andi [[YIN]], [[XIN]]
// CHECK-NEXT: scf.if [[IN]] -> (f32) {
// CHECK-NEXT: memref.load %arg0[{{%.*}}, {{%.*}}, [[Y]], [[X]]] : memref<1x8x32x32xf32>
// CHECK: } else {
// CHECK-NEXT: scf.yield %cst
// CHECK-NOT: memref.load %arg3
// CHECK-NOT: linalg.
// CHECK: return

func.func @padded_image(%img: memref<1x8x32x32xf32>, %f: memref<64x8x3x3xf32>, %out: memref<1x64x32x32xf32>,
                        %padded: memref<1x8x34x34xf32> {kernel.scratch}) {
  %zero = arith.constant 0.000000e+00 : f32
  linalg.map outs(%padded : memref<1x8x34x34xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 8, 32, 32] [1, 1, 1, 1] : memref<1x8x34x34xf32> to memref<1x8x32x32xf32, strided<[9248, 1156, 34, 1], offset: 35>>
  linalg.copy ins(%img : memref<1x8x32x32xf32>) outs(%inner : memref<1x8x32x32xf32, strided<[9248, 1156, 34, 1], offset: 35>>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %f : memref<1x8x34x34xf32>, memref<64x8x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
  return
}

// Tests that where the image's buffer is overwritten before the convolution
// runs (bufferization reused the ReLU's result buffer for the convolution's
// output), each load computes the ReLU from the ReLU's own input; the ReLU
// is dead and goes too, as does the bias broadcast the tile starts from.

// CHECK-LABEL: func.func @relu_padded
// CHECK-NOT: linalg.
// CHECK: gpu.launch
// CHECK: scf.if {{%.*}} -> (f32) {
// CHECK-NEXT: [[X:%.*]] = memref.load %arg0[{{.*}}] : memref<1x64x32x32xf32>
// CHECK-NEXT: [[R:%.*]] = arith.maximumf [[X]], %cst
// CHECK-NEXT: scf.yield [[R]]
// CHECK-NOT: memref.load %arg4
// CHECK-NOT: linalg.
// CHECK: return

func.func @relu_padded(%x: memref<1x64x32x32xf32>, %f: memref<64x64x3x3xf32>, %bias: memref<64xf32>,
                       %out: memref<1x64x32x32xf32>, %padded: memref<1x64x34x34xf32> {kernel.scratch}) {
  %zero = arith.constant 0.000000e+00 : f32
  linalg.map ins(%x : memref<1x64x32x32xf32>) outs(%out : memref<1x64x32x32xf32>)
    (%v: f32, %init: f32) {
      %r = arith.maximumf %v, %zero : f32
      linalg.yield %r : f32
    }
  linalg.map outs(%padded : memref<1x64x34x34xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 64, 32, 32] [1, 1, 1, 1] : memref<1x64x34x34xf32> to memref<1x64x32x32xf32, strided<[73984, 1156, 34, 1], offset: 35>>
  linalg.copy ins(%out : memref<1x64x32x32xf32>) outs(%inner : memref<1x64x32x32xf32, strided<[73984, 1156, 34, 1], offset: 35>>)
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<64xf32>) outs(%out : memref<1x64x32x32xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %f : memref<1x64x34x34xf32>, memref<64x64x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
  return
}

// Tests that an elementwise op reading the convolution's own output is not
// computed at the convolution's loads (other blocks store to that output
// meanwhile): it keeps its launch, and the loads read its result.

// CHECK-LABEL: func.func @relu_of_output
// CHECK: linalg.map ins(%arg2
// CHECK: linalg.yield
// CHECK-NOT: linalg.
// CHECK: gpu.launch
// CHECK: scf.if {{%.*}} -> (f32) {
// CHECK-NEXT: memref.load %arg4[{{.*}}] : memref<1x64x32x32xf32>
// CHECK-NOT: linalg.
// CHECK: return

func.func @relu_of_output(%f: memref<64x64x3x3xf32>, %bias: memref<64xf32>, %out: memref<1x64x32x32xf32>,
                          %padded: memref<1x64x34x34xf32> {kernel.scratch}, %relu: memref<1x64x32x32xf32> {kernel.scratch}) {
  %zero = arith.constant 0.000000e+00 : f32
  linalg.map ins(%out : memref<1x64x32x32xf32>) outs(%relu : memref<1x64x32x32xf32>)
    (%v: f32, %init: f32) {
      %r = arith.maximumf %v, %zero : f32
      linalg.yield %r : f32
    }
  linalg.map outs(%padded : memref<1x64x34x34xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 64, 32, 32] [1, 1, 1, 1] : memref<1x64x34x34xf32> to memref<1x64x32x32xf32, strided<[73984, 1156, 34, 1], offset: 35>>
  linalg.copy ins(%relu : memref<1x64x32x32xf32>) outs(%inner : memref<1x64x32x32xf32, strided<[73984, 1156, 34, 1], offset: 35>>)
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<64xf32>) outs(%out : memref<1x64x32x32xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %f : memref<1x64x34x34xf32>, memref<64x64x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
  return
}

// CHECK-LABEL: func.func @not_scratch
// CHECK: linalg.map
// CHECK: linalg.copy
// CHECK: gpu.launch

func.func @not_scratch(%img: memref<1x8x32x32xf32>, %f: memref<64x8x3x3xf32>, %out: memref<1x64x32x32xf32>,
                       %padded: memref<1x8x34x34xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  linalg.map outs(%padded : memref<1x8x34x34xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 8, 32, 32] [1, 1, 1, 1] : memref<1x8x34x34xf32> to memref<1x8x32x32xf32, strided<[9248, 1156, 34, 1], offset: 35>>
  linalg.copy ins(%img : memref<1x8x32x32xf32>) outs(%inner : memref<1x8x32x32xf32, strided<[9248, 1156, 34, 1], offset: 35>>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %f : memref<1x8x34x34xf32>, memref<64x8x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
  return
}

// CHECK-LABEL: func.func @copy_overwritten
// CHECK: linalg.map
// CHECK: linalg.copy
// CHECK: linalg.fill
// CHECK: gpu.launch

func.func @copy_overwritten(%img: memref<1x8x32x32xf32>, %f: memref<64x8x3x3xf32>, %out: memref<1x64x32x32xf32>,
                            %padded: memref<1x8x34x34xf32> {kernel.scratch}) {
  %zero = arith.constant 0.000000e+00 : f32
  linalg.map outs(%padded : memref<1x8x34x34xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 8, 32, 32] [1, 1, 1, 1] : memref<1x8x34x34xf32> to memref<1x8x32x32xf32, strided<[9248, 1156, 34, 1], offset: 35>>
  linalg.copy ins(%img : memref<1x8x32x32xf32>) outs(%inner : memref<1x8x32x32xf32, strided<[9248, 1156, 34, 1], offset: 35>>)
  linalg.fill ins(%zero : f32) outs(%img : memref<1x8x32x32xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %f : memref<1x8x34x34xf32>, memref<64x8x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
  return
}

// -----

// Tests that an input the kernel's transpose writes for the contraction
// alone is loaded through the transpose: V's heads are read from the
// untransposed buffer and the transpose is gone, because its innermost
// dimension stays innermost (neighbouring threads still load neighbouring
// addresses). A transpose that moves the innermost dimension stays.

// CHECK-LABEL: func.func @heads_transposed
// CHECK-NOT: linalg.
// CHECK: gpu.launch
// CHECK: memref.load %arg1[{{.*}}] : memref<1x64x8x64xf32>
// CHECK-NOT: memref.load %arg3
// CHECK-NOT: linalg.
// CHECK: return

#a = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#v = affine_map<(b, h, m, n, k) -> (b, h, k, n)>
#o = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
func.func @heads_transposed(%p: memref<1x8x64x64xf32>, %vt: memref<1x64x8x64xf32>, %out: memref<1x8x64x64xf32>,
                            %v: memref<1x8x64x64xf32> {kernel.scratch}) {
  linalg.transpose ins(%vt : memref<1x64x8x64xf32>) outs(%v : memref<1x8x64x64xf32>) permutation = [0, 2, 1, 3]
  linalg.generic {indexing_maps = [#a, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : memref<1x8x64x64xf32>, memref<1x8x64x64xf32>) outs(%out : memref<1x8x64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// An op that updates the temporary in place (it reads what it overwrites)
// is not computed at the loads either.

// CHECK-LABEL: func.func @in_place_update
// CHECK: linalg.generic
// CHECK: gpu.launch

func.func @in_place_update(%a: memref<256x64xf32>, %c: memref<256x256xf32>,
                           %b: memref<64x256xf32> {kernel.scratch}) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<64x256xf32>) outs(%b : memref<64x256xf32>) {
  ^bb0(%x: f32, %o: f32):
    %d = arith.addf %x, %x : f32
    linalg.yield %d : f32
  }
  linalg.matmul ins(%a, %b : memref<256x64xf32>, memref<64x256xf32>) outs(%c : memref<256x256xf32>)
  return
}

// CHECK-LABEL: func.func @innermost_moved
// CHECK: linalg.transpose
// CHECK: gpu.launch

func.func @innermost_moved(%a: memref<256x64xf32>, %bt: memref<256x64xf32>, %c: memref<256x256xf32>,
                           %b: memref<64x256xf32> {kernel.scratch}) {
  linalg.transpose ins(%bt : memref<256x64xf32>) outs(%b : memref<64x256xf32>) permutation = [1, 0]
  linalg.matmul ins(%a, %b : memref<256x64xf32>, memref<64x256xf32>) outs(%c : memref<256x256xf32>)
  return
}
