// RUN: mlc-opt %s --split-input-file --mlc-cuda-device-constants --verify-diagnostics | FileCheck %s

// Tests that forward's constants become views into a new trailing weights
// argument at 64-byte aligned offsets (40 bytes of f32, then 3 bytes of i8 at
// 64), that one global used twice gets one slot, and that the layout is
// recorded for the artifact.

memref.global "private" constant @a : memref<10xf32> = dense<1.0>
memref.global "private" constant @b : memref<3xi8> = dense<2>

// CHECK-LABEL: func.func @forward
// CHECK-SAME: ([[X:%.*]]: memref<10xf32>, [[WS:%.*]]: memref<64xi8>, [[W:%.*]]: memref<67xi8>)
// CHECK-SAME: mlc.device_constants = {{\[}}[@a, 0, 40], [@b, 64, 3]]
// CHECK-SAME: mlc.weights_size = 67
// CHECK-NOT: memref.get_global
// CHECK: memref.view [[W]][%{{.*}}][] : memref<67xi8> to memref<10xf32>
// CHECK: memref.view [[W]][%{{.*}}][] : memref<67xi8> to memref<3xi8>
// CHECK: memref.view [[W]][%{{.*}}][] : memref<67xi8> to memref<10xf32>
func.func private @use(memref<10xf32>, memref<3xi8>)
func.func @forward(%x: memref<10xf32>, %ws: memref<64xi8>) {
  %0 = memref.get_global @a : memref<10xf32>
  %1 = memref.get_global @b : memref<3xi8>
  call @use(%0, %1) : (memref<10xf32>, memref<3xi8>) -> ()
  %2 = memref.get_global @a : memref<10xf32>
  call @use(%2, %1) : (memref<10xf32>, memref<3xi8>) -> ()
  return
}

// -----

// Tests that a constant read inside a kernel (not hoisted) is an error.

memref.global "private" constant @a : memref<10xf32> = dense<1.0>
func.func private @k() attributes {kernel.kernel} {
  // expected-error @+1 {{the CUDA target needs constants passed to kernels as arguments}}
  %0 = memref.get_global @a : memref<10xf32>
  return
}
func.func @forward() {
  call @k() : () -> ()
  return
}
