// RUN: mlc-opt %s --split-input-file --mlc-cuda-emulate-launches -verify-diagnostics

// Tests that a barrier the threads might not all reach cannot be emulated:
// under a condition on the thread id, or in a loop whose trip count depends
// on it.

func.func @divergent_barrier(%a: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %first = arith.cmpi ult, %tx, %c1 : index
    // expected-error @below {{cannot emulate a barrier inside control flow}}
    scf.if %first {
      gpu.barrier
    }
    memref.store %zero, %a[%tx] : memref<32xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @divergent_loop(%a: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    // expected-error @below {{cannot emulate a barrier inside control flow}}
    scf.for %i = %c0 to %tx step %c1 {
      memref.store %zero, %a[%tx] : memref<32xf32>
      gpu.barrier
    }
    gpu.terminator
  }
  return
}
