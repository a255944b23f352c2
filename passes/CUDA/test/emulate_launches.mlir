// RUN: mlc-opt %s --split-input-file --mlc-cuda-map-to-gpu=device-allocations=0 --mlc-cuda-emulate-launches --canonicalize | FileCheck %s

// Tests that a launch with barriers (a block of 32 threads per row: 4 halving
// steps) runs as a loop over blocks holding one loop over the threads per
// phase between barriers (6), that shared memory is one host buffer, and that
// the row's initial value, loaded by every thread before the first barrier
// and used by thread 0 after the last, is kept per thread.

// CHECK-LABEL: func.func @row_max
// CHECK-DAG: [[C32:%.*]] = arith.constant 32 : index
// CHECK: [[SMEM:%.*]] = memref.alloca() : memref<32xf32>
// CHECK: [[KEPT:%.*]] = memref.alloca() : memref<32xf32>
// CHECK: scf.for [[B:%.*]] = %c0 to %c4 step %c1 {
// CHECK: scf.for [[T:%.*]] = %c0 to [[C32]] step %c1 {
// CHECK: [[INIT:%.*]] = memref.load %{{.*}}{{\[}}[[B]]] : memref<4xf32>
// CHECK: memref.store [[INIT]], [[KEPT]]{{\[}}[[T]]]
// CHECK: scf.for {{.*}} = [[T]] to %c128 step [[C32]]
// CHECK: arith.maximumf
// CHECK: memref.store %{{.*}}, [[SMEM]]{{\[}}[[T]]]
// CHECK-COUNT-4: scf.for %{{.*}} = %c0 to [[C32]] step %c1 {
// CHECK: scf.for [[T5:%.*]] = %c0 to [[C32]] step %c1 {
// CHECK: [[I:%.*]] = memref.load [[KEPT]]{{\[}}[[T5]]]
// CHECK: scf.if
// CHECK: arith.maximumf [[I]],
// CHECK-NOT: gpu.
func.func @row_max(%x: memref<4x128xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %init = memref.load %out[%i] : memref<4xf32>
    %m = scf.for %k = %c0 to %c128 step %c1 iter_args(%acc = %init) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<4x128xf32>
      %n = arith.maximumf %acc, %v : f32
      scf.yield %n : f32
    }
    memref.store %m, %out[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a loop holding barriers, with the same bounds on every thread,
// runs once per block around the loops over the threads of each of its
// segments, and that the value it carries is kept per thread: stored by one
// loop over the threads before it, read in the segment that uses it, stored
// again where the body yields (after the last barrier), and read after the
// loop.

// CHECK-LABEL: func.func @rotate_sum
// CHECK-DAG: [[C4:%.*]] = arith.constant 4 : index
// CHECK: [[SMEM:%.*]] = memref.alloca() : memref<4xf32>
// CHECK: [[ACC:%.*]] = memref.alloca() : memref<4xf32>
// CHECK: [[KEPT:%.*]] = memref.alloca() : memref<4xf32>
// CHECK: scf.for [[B:%.*]] = %c0 to %c2 step %c1 {
// CHECK: scf.for [[T0:%.*]] = %c0 to [[C4]] step %c1 {
// CHECK-NEXT: memref.store %cst, [[ACC]]{{\[}}[[T0]]]
// CHECK: scf.for [[K:%.*]] = %c0 to %c3 step %c1 {
// CHECK: scf.for [[T1:%.*]] = %c0 to [[C4]] step %c1 {
// CHECK: memref.load %{{.*}}{{\[}}[[K]], [[T1]]]
// CHECK: memref.store %{{.*}}, [[SMEM]]{{\[}}[[T1]]]
// CHECK: scf.for [[T2:%.*]] = %c0 to [[C4]] step %c1 {
// CHECK: [[OLD:%.*]] = memref.load [[ACC]]{{\[}}[[T2]]]
// CHECK: [[NEW:%.*]] = arith.addf [[OLD]],
// CHECK: memref.store [[NEW]], [[KEPT]]{{\[}}[[T2]]]
// CHECK: scf.for [[T3:%.*]] = %c0 to [[C4]] step %c1 {
// CHECK-NEXT: [[NEXT:%.*]] = memref.load [[KEPT]]{{\[}}[[T3]]]
// CHECK-NEXT: memref.store [[NEXT]], [[ACC]]{{\[}}[[T3]]]
// CHECK: scf.for [[T4:%.*]] = %c0 to [[C4]] step %c1 {
// CHECK-NEXT: [[SUM:%.*]] = memref.load [[ACC]]{{\[}}[[T4]]]
// CHECK-NEXT: memref.store [[SUM]], %{{.*}}{{\[}}[[B]], [[T4]]]
// CHECK-NOT: gpu.
func.func @rotate_sum(%x: memref<3x4xf32>, %out: memref<2x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1)
             workgroup(%smem : memref<4xf32, 3>) {
    %sum = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%k, %tx] : memref<3x4xf32>
      memref.store %v, %smem[%tx] : memref<4xf32, 3>
      gpu.barrier
      %next = arith.addi %tx, %c1 : index
      %j = arith.remui %next, %c4 : index
      %w = memref.load %smem[%j] : memref<4xf32, 3>
      %new = arith.addf %acc, %w : f32
      gpu.barrier
      scf.yield %new : f32
    }
    memref.store %sum, %out[%bx, %tx] : memref<2x4xf32>
    gpu.terminator
  }
  return
}
