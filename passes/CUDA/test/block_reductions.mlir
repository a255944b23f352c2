// RUN: mlc-opt %s --split-input-file --mlc-cuda-map-to-gpu --canonicalize | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cuda-map-to-gpu=max-reduction-points=0 --canonicalize | FileCheck %s --check-prefix=OFF

// Tests that 64 row sums of 4096 each get a block of 256 threads per row:
// thread t adds elements t, t + 256, ...; the 256 partial sums meet in shared
// memory in halving steps (128, 64, ..., 2) between barriers; thread 0 adds
// the last two, then the row's initial value, and stores the row.

// CHECK-LABEL: func.func @row_sum
// CHECK-DAG: [[C64:%.*]] = arith.constant 64 : index
// CHECK-DAG: [[C256:%.*]] = arith.constant 256 : index
// CHECK-DAG: [[NEG0:%.*]] = arith.constant -0.000000e+00 : f32
// CHECK: gpu.launch blocks([[BX:%.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = [[C64]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads([[TX:%.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = [[C256]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) workgroup([[SMEM:%.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: [[INIT:%.*]] = memref.load %{{.*}}{{\[}}[[BX]]] : memref<64xf32>
// CHECK: [[PART:%.*]] = scf.for [[K:%.*]] = [[TX]] to %{{.*}} step [[C256]] iter_args([[ACC:%.*]] = [[NEG0]]) -> (f32) {
// CHECK: [[X:%.*]] = memref.load %{{.*}}{{\[}}[[BX]], [[K]]] : memref<64x4096xf32>
// CHECK: arith.addf [[ACC]], [[X]] fastmath<reassoc> : f32
// CHECK: memref.store [[PART]], [[SMEM]]{{\[}}[[TX]]]
// CHECK-NEXT: gpu.barrier
// CHECK: arith.cmpi ult, [[TX]], %c128
// CHECK: gpu.barrier
// CHECK: arith.cmpi ult, [[TX]], %c2
// CHECK: scf.if
// CHECK: arith.addf
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: [[S0:%.*]] = memref.load [[SMEM]]{{\[}}%c0]
// CHECK: [[S1:%.*]] = memref.load [[SMEM]]{{\[}}%c1]
// CHECK: [[T:%.*]] = arith.addf [[S0]], [[S1]] fastmath<reassoc>
// CHECK: [[R:%.*]] = arith.addf [[INIT]], [[T]] fastmath<reassoc>
// CHECK: memref.store [[R]], %{{.*}}{{\[}}[[BX]]] : memref<64xf32>
// CHECK-NOT: gpu.barrier
// CHECK: gpu.terminator

// OFF-LABEL: func.func @row_sum
// OFF-NOT: gpu.barrier
// OFF-NOT: workgroup
func.func @row_sum(%x: memref<64x4096xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %init = memref.load %out[%i] : memref<64xf32>
    %sum = scf.for %k = %c0 to %c4096 step %c1 iter_args(%acc = %init) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<64x4096xf32>
      %s = arith.addf %acc, %v fastmath<reassoc> : f32
      scf.yield %s : f32
    }
    memref.store %sum, %out[%i] : memref<64xf32>
    scf.reduce
  }
  return
}

// -----

// Tests a global pool's 7x7 nest (49 iterations): a warp per channel shares
// the two loops, linearised (k / 7, k % 7); a max starts from -inf.

// CHECK-LABEL: func.func @pool_nest
// CHECK-DAG: [[C32:%.*]] = arith.constant 32 : index
// CHECK-DAG: [[C49:%.*]] = arith.constant 49 : index
// CHECK-DAG: [[NEGINF:%.*]] = arith.constant 0xFF800000 : f32
// CHECK: gpu.launch {{.*}} threads([[TX:%.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = [[C32]], {{.*}} workgroup({{.*}} : memref<32xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for [[K:%.*]] = [[TX]] to [[C49]] step [[C32]] iter_args(%{{.*}} = [[NEGINF]])
// CHECK-DAG: arith.remui [[K]], %c7
// CHECK-DAG: arith.divui [[K]], %c7
// CHECK: arith.maximumf
// CHECK-NOT: scf.for
// CHECK: gpu.barrier
func.func @pool_nest(%x: memref<2048x7x7xf32>, %out: memref<2048xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %c2048 = arith.constant 2048 : index
  scf.parallel (%c) = (%c0) to (%c2048) step (%c1) {
    %init = memref.load %out[%c] : memref<2048xf32>
    %r = scf.for %h = %c0 to %c7 step %c1 iter_args(%a = %init) -> (f32) {
      %q = scf.for %w = %c0 to %c7 step %c1 iter_args(%b = %a) -> (f32) {
        %v = memref.load %x[%c, %h, %w] : memref<2048x7x7xf32>
        %m = arith.maximumf %b, %v : f32
        scf.yield %m : f32
      }
      scf.yield %q : f32
    }
    memref.store %r, %out[%c] : memref<2048xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a contraction with few outputs shares its outermost reduction
// loop (512 channels: 256 threads) and keeps the inner ones (3x3 taps) in
// each thread, with one shared buffer per accumulator.

// CHECK-LABEL: func.func @few_outputs
// CHECK: gpu.launch {{.*}} workgroup({{.*}} : memref<256xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for {{.*}} step %c256 iter_args({{.*}}) -> (f32, f32)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: gpu.barrier
func.func @few_outputs(%x: memref<512x9x9xf32>, %w: memref<8x512x3x3xf32>, %out: memref<8x7x7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  %c512 = arith.constant 512 : index
  scf.parallel (%f, %y) = (%c0, %c0) to (%c8, %c7) step (%c2, %c1) {
    %f1 = arith.addi %f, %c1 : index
    %i0 = memref.load %out[%f, %y, %c0] : memref<8x7x7xf32>
    %i1 = memref.load %out[%f1, %y, %c0] : memref<8x7x7xf32>
    %r:2 = scf.for %c = %c0 to %c512 step %c1 iter_args(%a0 = %i0, %a1 = %i1) -> (f32, f32) {
      %s:2 = scf.for %kh = %c0 to %c3 step %c1 iter_args(%b0 = %a0, %b1 = %a1) -> (f32, f32) {
        %t:2 = scf.for %kw = %c0 to %c3 step %c1 iter_args(%d0 = %b0, %d1 = %b1) -> (f32, f32) {
          %yy = arith.addi %y, %kh : index
          %v = memref.load %x[%c, %yy, %kw] : memref<512x9x9xf32>
          %w0 = memref.load %w[%f, %c, %kh, %kw] : memref<8x512x3x3xf32>
          %w1 = memref.load %w[%f1, %c, %kh, %kw] : memref<8x512x3x3xf32>
          %m0 = arith.mulf %v, %w0 : f32
          %m1 = arith.mulf %v, %w1 : f32
          %n0 = arith.addf %d0, %m0 : f32
          %n1 = arith.addf %m1, %d1 : f32
          scf.yield %n0, %n1 : f32, f32
        }
        scf.yield %t#0, %t#1 : f32, f32
      }
      scf.yield %s#0, %s#1 : f32, f32
    }
    memref.store %r#0, %out[%f, %y, %c0] : memref<8x7x7xf32>
    memref.store %r#1, %out[%f1, %y, %c0] : memref<8x7x7xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a launch gets about a million threads at most: 16384 points of
// 1024 iterations get 64 threads each (16 iterations per thread), not 256.

// CHECK-LABEL: func.func @many_points
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c64, {{.*}} workgroup({{.*}} : memref<64xf32, #gpu.address_space<workgroup>>)
func.func @many_points(%x: memref<16384x1024xf32>, %out: memref<16384xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %c16384 = arith.constant 16384 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c16384) step (%c1) {
    %r = scf.for %k = %c0 to %c1024 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<16384x1024xf32>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %r, %out[%i] : memref<16384xf32>
    scf.reduce
  }
  return
}

// -----

// Tests what stays one thread per point: many points (65536), a short
// reduction (16), a fold that is not associative (subf), an accumulator used
// twice, a store before the reduction, and a loop level holding two loops.

// CHECK-LABEL: func.func @stays_per_thread
// CHECK-NOT: gpu.barrier
// CHECK-NOT: workgroup
// CHECK: return
func.func @stays_per_thread(%x: memref<65536x64xf32>, %y: memref<64x16xf32>, %out: memref<65536xf32>, %small: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c65536 = arith.constant 65536 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c65536) step (%c1) {
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<65536x64xf32>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %r, %out[%i] : memref<65536xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %r = scf.for %k = %c0 to %c16 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %y[%i, %k] : memref<64x16xf32>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %r, %small[%i] : memref<64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<65536x64xf32>
      %s = arith.subf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %r, %small[%i] : memref<64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<65536x64xf32>
      %p = arith.mulf %acc, %v : f32
      %s = arith.addf %acc, %p : f32
      scf.yield %s : f32
    }
    memref.store %r, %small[%i] : memref<64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %zero, %small[%i] : memref<64xf32>
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<65536x64xf32>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %r, %small[%i] : memref<64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %off = scf.for %j = %c0 to %c16 step %c1 iter_args(%o = %c0) -> (index) {
        %p = arith.addi %o, %j : index
        scf.yield %p : index
      }
      %s = scf.for %j = %c0 to %c16 step %c1 iter_args(%a = %acc) -> (f32) {
        %kj = arith.addi %k, %off : index
        %v = memref.load %x[%i, %kj] : memref<65536x64xf32>
        %n = arith.addf %a, %v : f32
        scf.yield %n : f32
      }
      scf.yield %s : f32
    }
    memref.store %r, %small[%i] : memref<64xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a fold at the top level (a full reduction, coarsened to carry
// its accumulator) runs on one block of 256 threads sharing the linearised
// 64 x 1000 iterations, its initial value loaded before and its result
// stored by thread 0; that a fill of the initial value before such a fold
// runs first, on one thread; and that top-level memory ops that fold
// nothing (a scan carrying its value through memory) still run on one
// thread.

// CHECK-LABEL: func.func @sum_all
// CHECK: gpu.launch blocks({{.*}}) in ({{%.*}} = %c1, {{.*}}) threads([[T:%[a-z0-9]*]], {{.*}}) in ({{%.*}} = %c256, {{.*}}) workgroup({{%.*}} : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: [[INIT:%.*]] = memref.load %arg1[]
// CHECK: scf.for {{.*}} = [[T]] to %c64000 step %c256
// CHECK: gpu.barrier
// CHECK: [[FIRST:%.*]] = arith.cmpi ult, [[T]], %c1
// CHECK: scf.if [[FIRST]]
// CHECK: [[ALL:%.*]] = arith.addf [[INIT]],
// CHECK: memref.store [[ALL]], %arg1[]
// CHECK-LABEL: func.func @fill_then_max
// CHECK: gpu.launch blocks({{.*}}) in ({{%.*}} = %c1, {{.*}}) threads({{.*}}) in ({{%.*}} = %c1,
// CHECK-NEXT: memref.store %cst, %arg1[]
// CHECK-NEXT: gpu.terminator
// CHECK: gpu.launch blocks({{.*}}) in ({{%.*}} = %c1, {{.*}}) threads({{.*}}) in ({{%.*}} = %c256,
// CHECK: memref.load %arg1[]
// CHECK: arith.maximumf
// CHECK: gpu.barrier
// CHECK-LABEL: func.func @scan
// CHECK: gpu.launch blocks({{.*}}) in ({{%.*}} = %c1, {{.*}}) threads({{.*}}) in ({{%.*}} = %c1,
// CHECK-NOT: gpu.barrier
// OFF-LABEL: func.func @sum_all
// OFF: gpu.launch blocks({{.*}}) in ({{%.*}} = %c1, {{.*}}) threads({{.*}}) in ({{%.*}} = %c1,
// OFF-NOT: gpu.barrier
func.func @sum_all(%x: memref<64x1000xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c1000 = arith.constant 1000 : index
  %init = memref.load %out[] : memref<f32>
  %r = scf.for %i = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (f32) {
    %s = scf.for %j = %c0 to %c1000 step %c1 iter_args(%a = %acc) -> (f32) {
      %v = memref.load %x[%i, %j] : memref<64x1000xf32>
      %n = arith.addf %a, %v : f32
      scf.yield %n : f32
    }
    scf.yield %s : f32
  }
  memref.store %r, %out[] : memref<f32>
  return
}
func.func @fill_then_max(%x: memref<4096xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  %low = arith.constant 0xFF800000 : f32
  memref.store %low, %out[] : memref<f32>
  %init = memref.load %out[] : memref<f32>
  %r = scf.for %i = %c0 to %c4096 step %c1 iter_args(%acc = %init) -> (f32) {
    %v = memref.load %x[%i] : memref<4096xf32>
    %m = arith.maximumf %acc, %v : f32
    scf.yield %m : f32
  }
  memref.store %r, %out[] : memref<f32>
  return
}
func.func @scan(%x: memref<1000xf32>) {
  %c1 = arith.constant 1 : index
  %c1000 = arith.constant 1000 : index
  scf.for %i = %c1 to %c1000 step %c1 {
    %prev = arith.subi %i, %c1 : index
    %a = memref.load %x[%prev] : memref<1000xf32>
    %b = memref.load %x[%i] : memref<1000xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %x[%i] : memref<1000xf32>
  }
  return
}
