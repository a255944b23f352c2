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
