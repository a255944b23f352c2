// RUN: mlc-opt %s --split-input-file --mlc-cuda-map-to-gpu --canonicalize | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cuda-map-to-gpu=device-allocations=0 | FileCheck %s --check-prefix=HOST

// Tests that a parallel nest becomes one launch of one thread per point:
// 4x100 = 400 points in ceil(400/256) = 2 blocks of 256, a bounds guard, and
// 32-bit index arithmetic (innermost index = id % 100, outer = id / 100).

// CHECK-LABEL: func.func @nest
// CHECK-DAG: [[C2:%.*]] = arith.constant 2 : index
// CHECK-DAG: [[C256:%.*]] = arith.constant 256 : index
// CHECK: gpu.launch blocks([[BX:%.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = [[C2]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads([[TX:%.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = [[C256]],
// CHECK: [[B32:%.*]] = arith.index_castui [[BX]] : index to i32
// CHECK: [[ID:%.*]] = arith.addi %{{.*}}, %{{.*}} : i32
// CHECK: [[IN:%.*]] = arith.cmpi ult, [[ID]], %c400_i32 : i32
// CHECK: scf.if [[IN]]
// CHECK: [[J:%.*]] = arith.remui [[ID]], %c100_i32 : i32
// CHECK: [[I:%.*]] = arith.divui [[ID]], %c100_i32 : i32
// CHECK: [[JX:%.*]] = arith.index_castui [[J]] : i32 to index
// CHECK: [[IX:%.*]] = arith.index_castui [[I]] : i32 to index
// CHECK: memref.load %{{.*}}{{\[}}[[IX]], [[JX]]]
// CHECK: math.exp
// CHECK: memref.store
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @nest(%a: memref<4x100xf32>, %b: memref<4x100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c100 = arith.constant 100 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c100) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<4x100xf32>
    %y = math.exp %x : f32
    memref.store %y, %b[%i, %j] : memref<4x100xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a small space gets a smaller block (10 points: one warp), and
// that a loop without parallel dimensions (a full reduction) runs in a
// one-thread launch while views and calls stay on the host.

// CHECK-LABEL: func.func @small_and_serial
// CHECK-DAG: [[C32:%.*]] = arith.constant 32 : index
// CHECK-DAG: [[C1:%.*]] = arith.constant 1 : index
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = [[C32]],
// CHECK: memref.store
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = [[C1]], %{{.*}} = [[C1]], %{{.*}} = [[C1]]) threads({{.*}}) in (%{{.*}} = [[C1]],
// CHECK-NEXT: scf.for
// CHECK: memref.store
// CHECK: gpu.terminator
// CHECK: call @other
func.func private @other()
func.func @small_and_serial(%a: memref<10xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c10) step (%c1) {
    memref.store %zero, %a[%i] : memref<10xf32>
    scf.reduce
  }
  %v = memref.subview %a[0] [5] [1] : memref<10xf32> to memref<5xf32, strided<[1]>>
  scf.for %i = %c0 to %c10 step %c1 {
    %x = memref.load %a[%i] : memref<10xf32>
    %acc = memref.load %s[] : memref<f32>
    %sum = arith.addf %x, %acc : f32
    memref.store %sum, %s[] : memref<f32>
  }
  call @other() : () -> ()
  return
}

// -----

// Tests that allocations left on the host become device allocations (and
// stay host allocations for emulation).

// HOST-LABEL: func.func @alloc
// HOST: memref.alloc() : memref<8xf32>
// HOST-NOT: gpu.alloc
// HOST: memref.dealloc

// CHECK-LABEL: func.func @alloc
// CHECK: [[M:%.*]] = gpu.alloc () : memref<8xf32>
// CHECK: gpu.launch
// CHECK: gpu.dealloc [[M]] : memref<8xf32>
func.func @alloc() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.alloc() : memref<8xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %m[%i] : memref<8xf32>
    scf.reduce
  }
  memref.dealloc %m : memref<8xf32>
  return
}

// -----

// Tests that arithmetic on a loaded value runs with the load in the same
// one-thread launch, while a view between them stays on the host (before
// the launch, which sits where the last of the ops was).

// CHECK-LABEL: func.func @scalar_chain
// CHECK: memref.expand_shape
// CHECK: gpu.launch
// CHECK: memref.store
// CHECK: memref.load
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: memref.store
// CHECK: gpu.terminator
// CHECK-NOT: arith.mulf
func.func @scalar_chain(%a: memref<1x1xf32>, %b: memref<1x1x1x1xf32>) {
  %c0 = arith.constant 0 : index
  %two = arith.constant 2.0 : f32
  memref.store %two, %a[%c0, %c0] : memref<1x1xf32>
  %e = memref.expand_shape %a [[0], [1, 2, 3]] output_shape [1, 1, 1, 1] : memref<1x1xf32> into memref<1x1x1x1xf32>
  %x = memref.load %e[%c0, %c0, %c0, %c0] : memref<1x1x1x1xf32>
  %y = arith.mulf %x, %two : f32
  memref.store %y, %b[%c0, %c0, %c0, %c0] : memref<1x1x1x1xf32>
  return
}
