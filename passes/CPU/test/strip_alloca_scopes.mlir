// RUN: mlc-opt %s --mlc-cpu-strip-alloca-scopes | FileCheck %s

// Tests that a scope that allocates nothing is inlined and that one holding a
// memref.alloca stays.

// CHECK-LABEL: func.func @scopes
// CHECK: arith.addf
// CHECK: memref.alloca_scope
// CHECK-NEXT: memref.alloca
// CHECK-NOT: memref.alloca_scope
// CHECK: return
func.func @scopes(%x: f32, %m: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  memref.alloca_scope {
    %y = arith.addf %x, %x : f32
    memref.store %y, %m[%c0] : memref<1xf32>
  }
  memref.alloca_scope {
    %a = memref.alloca() : memref<4xf32>
    memref.store %x, %a[%c0] : memref<4xf32>
  }
  return
}
