// RUN: mlc-opt %s --split-input-file --mlc-cpu-parallelize-loops | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cpu-parallelize-loops=min-work=1000000000 | FileCheck %s --check-prefix=SEQ

// Tests that a large 3-d parallel loop keeps only enough outer dims parallel
// (here 96 >= 64 iterations in dim 0) and runs the inner dims as scf.for, and
// that with a huge min-work it becomes sequential.

// CHECK-LABEL: func.func @large
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c96) step (%c1)
// CHECK: scf.for %{{.*}} = %c0 to %c112 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c112 step %c1
// CHECK: memref.load
// SEQ-LABEL: func.func @large
// SEQ-NOT: scf.parallel
// SEQ: scf.for
// SEQ: scf.for
// SEQ: scf.for
func.func @large(%m: memref<96x112x112xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c96 = arith.constant 96 : index
  %c112 = arith.constant 112 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c96, %c112, %c112) step (%c1, %c1, %c1) {
    %v = memref.load %m[%i, %j, %k] : memref<96x112x112xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %m[%i, %j, %k] : memref<96x112x112xf32>
  }
  return
}

// -----

// Tests that a small loop nest (8 x 8 iterations) becomes sequential and that
// a parallel loop nested in another is never parallel itself.

// CHECK-LABEL: func.func @small_and_nested
// CHECK-NOT: scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c8, %c8)
// CHECK: scf.for
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c4096)
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @small_and_nested(%m: memref<8x8xf32>, %n: memref<4096x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %v = memref.load %m[%i, %j] : memref<8x8xf32>
    memref.store %v, %m[%j, %i] : memref<8x8xf32>
  }
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c64) step (%c1) {
      %v = memref.load %n[%i, %j] : memref<4096x64xf32>
      %w = arith.mulf %v, %v : f32
      memref.store %w, %n[%i, %j] : memref<4096x64xf32>
    }
  }
  return
}

// -----

// Tests that the innermost dim stays a sequential loop even where the outer
// dim alone gives fewer than 64 parallel iterations (a per-channel scale of
// 32 planes of 12544 collapsed into two dims): collapsing it into the
// parallel index would cost a division per element.

// CHECK-LABEL: func.func @few_rows
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c32) step (%c1)
// CHECK: scf.for %{{.*}} = %c0 to %c12544 step %c1
func.func @few_rows(%s: memref<32xf32>, %m: memref<32x12544xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c12544 = arith.constant 12544 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c32, %c12544) step (%c1, %c1) {
    %a = memref.load %s[%i] : memref<32xf32>
    %v = memref.load %m[%i, %j] : memref<32x12544xf32>
    %w = arith.mulf %a, %v : f32
    memref.store %w, %m[%i, %j] : memref<32x12544xf32>
  }
  return
}
