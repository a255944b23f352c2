// RUN: mlc-opt %s --split-input-file --mlc-kernel-hoist-buffers | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-kernel-hoist-buffers=constants=1 | FileCheck %s --check-prefix=CONST

// Tests that a kernel's static temporary becomes a trailing argument that
// each caller allocates right before the call (where the memory plan finds
// it), that its dealloc goes, and that globals move only with `constants`.

memref.global "private" constant @w : memref<4xf32> = dense<1.0>

// CHECK-LABEL: func.func private @k
// CHECK-SAME: ([[X:%.*]]: memref<4xf32>, [[Y:%.*]]: memref<4xf32>, [[T:%.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK: memref.get_global @w
// CHECK: linalg.add ins([[X]], {{.*}}) outs([[T]]
// CHECK: linalg.copy ins([[T]] : memref<4xf32>) outs([[Y]]
// CHECK-LABEL: func.func @main
// CHECK: [[A:%.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK-NEXT: call @k(%{{.*}}, %{{.*}}, [[A]])
// CHECK: [[B:%.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK-NEXT: call @k(%{{.*}}, %{{.*}}, [[B]])

// CONST-LABEL: func.func private @k
// CONST-SAME: ([[X:%.*]]: memref<4xf32>, [[Y:%.*]]: memref<4xf32>, [[T:%.*]]: memref<4xf32>, [[W:%.*]]: memref<4xf32>)
// CONST-NOT: memref.get_global
// CONST: linalg.add ins([[X]], [[W]] : {{.*}}) outs([[T]]
// CONST-LABEL: func.func @main
// CONST: [[A:%.*]] = memref.alloc()
// CONST-NEXT: [[G:%.*]] = memref.get_global @w
// CONST-NEXT: call @k(%{{.*}}, %{{.*}}, [[A]], [[G]])
func.func private @k(%x: memref<4xf32>, %y: memref<4xf32>) attributes {kernel.kernel} {
  %t = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  %w = memref.get_global @w : memref<4xf32>
  linalg.add ins(%x, %w : memref<4xf32>, memref<4xf32>) outs(%t : memref<4xf32>)
  linalg.copy ins(%t : memref<4xf32>) outs(%y : memref<4xf32>)
  memref.dealloc %t : memref<4xf32>
  return
}

func.func @main(%a: memref<4xf32>, %b: memref<4xf32>, %c: memref<4xf32>) {
  call @k(%a, %b) : (memref<4xf32>, memref<4xf32>) -> ()
  call @k(%b, %c) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}

// -----

// Tests that functions not marked as kernels and dynamic allocations stay.

// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.*}}: index)
// CHECK: memref.alloc
// CHECK-LABEL: func.func private @dyn
// CHECK-SAME: (%{{.*}}: index)
// CHECK: memref.alloc(%{{.*}})
func.func private @helper(%n: index) {
  %t = memref.alloc() : memref<4xf32>
  return
}
func.func private @dyn(%n: index) attributes {kernel.kernel} {
  %t = memref.alloc(%n) : memref<?xf32>
  return
}
