// RUN: mlc-opt %s --split-input-file --mlc-cuda-tile-contractions --canonicalize --cse | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cuda-tile-contractions=min-points=0 | FileCheck %s --check-prefix=OFF

// Tests that a matmul with 65536 outputs becomes one block of 64 threads per
// 32 x 32 tile (64 x 64 tiles would make 16 blocks, too few for the GPU):
// two shared slices of 16 x 32 (one column of padding), a loop over K in
// steps of 16 carrying the thread's 16 accumulators, each thread loading 8
// elements of A (along K) and 8 of B (along N) into shared memory, a barrier,
// a fold of the slice that reads only shared memory (4 + 4 loads, 16
// multiply-adds per row, which may contract into fmas), a barrier, and 16
// stores. Extents that the tiles
// divide need no guards. With min-points=0 nothing is tiled.

// CHECK-LABEL: func.func @matmul
// CHECK: gpu.launch blocks({{.*}}) in ({{%.*}} = %c64, {{.*}}) threads({{.*}}) in ({{%.*}} = %c64, {{.*}}) workgroup([[SA:%.*]] : memref<16x33xf32, #gpu.address_space<workgroup>>, [[SB:%.*]] : memref<16x33xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: scf.if
// CHECK: scf.for [[K0:%.*]] = %c0 to %c64 step %c16 iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: [[KK:%.*]] = arith.remui %{{.*}}, %c16
// CHECK: [[K:%.*]] = arith.addi [[K0]], [[KK]]
// CHECK: [[A:%.*]] = memref.load %arg0[%{{.*}}, [[K]]]
// CHECK: memref.store [[A]], [[SA]]{{\[}}[[KK]], %{{.*}}]
// CHECK-COUNT-7: memref.store %{{.*}}, [[SA]]
// CHECK-COUNT-8: memref.store %{{.*}}, [[SB]]
// CHECK: gpu.barrier
// CHECK: scf.for [[R:%.*]] = %c0 to %{{.*}} step %c1 iter_args
// CHECK-NOT: memref.load %arg
// CHECK-COUNT-4: memref.load [[SA]]{{\[}}[[R]],
// CHECK-COUNT-4: memref.load [[SB]]{{\[}}[[R]],
// CHECK-COUNT-16: arith.addf %arg{{.*}} fastmath<contract>
// CHECK-NEXT: scf.yield
// CHECK: gpu.barrier
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
// K = 24 is one full step and one of 8, so loads are guarded on K.

// CHECK-LABEL: func.func @fused_prologue
// CHECK: workgroup([[SA:%.*]] : memref<16x33xf32, {{.*}}>, [[SB:%.*]] : memref<16x33xf32
// CHECK: scf.for [[K0:%.*]] = %c0 to %c24 step %c16
// CHECK: [[IN:%.*]] = arith.cmpi ult, %{{.*}}, %c24
// CHECK: scf.if [[IN]] {
// CHECK-NEXT: [[X:%.*]] = memref.load %arg0
// CHECK-NEXT: [[Y:%.*]] = memref.load %arg1
// CHECK-NEXT: [[H:%.*]] = arith.mulf [[X]], [[Y]]
// CHECK-NEXT: memref.store [[H]], [[SA]]
// CHECK: gpu.barrier
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
// CHECK: scf.for %{{.*}} = %c0 to %c27 step %c16
// CHECK: arith.cmpi ult, %{{.*}}, %c27
// CHECK: arith.cmpi ult, %{{.*}}, %c40
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
