// RUN: mlc-opt %s --split-input-file --mlc-cpu-profile-kernels | FileCheck %s

// Tests that each call of an outlined kernel (marked kernel.kernel), in the
// entry and inside its loops, is bracketed by the profiling calls with the
// kernel's name, that other calls are not, and that the runtime functions
// are declared once.

// CHECK-LABEL: func.func @forward
// CHECK: [[T0:%.*]] = call @mlc_rt_profile_begin() : () -> i64
// CHECK-NEXT: call @kernel0_relu(%arg0, %arg1)
// CHECK-NEXT: [[N0:%.*]] = kernel.string_literal "kernel0_relu"
// CHECK-NEXT: call @mlc_rt_profile_end([[N0]], [[T0]]) : (i64, i64) -> ()
// CHECK: scf.for
// CHECK: [[T1:%.*]] = func.call @mlc_rt_profile_begin() : () -> i64
// CHECK-NEXT: func.call @kernel1_add(%arg1, %arg1)
// CHECK-NEXT: [[N1:%.*]] = kernel.string_literal "kernel1_add"
// CHECK-NEXT: func.call @mlc_rt_profile_end([[N1]], [[T1]])
// CHECK: }
// CHECK-NEXT: call @helper(%arg1)
// CHECK-NEXT: return
// CHECK-DAG: func.func private @mlc_rt_profile_begin() -> i64
// CHECK-DAG: func.func private @mlc_rt_profile_end(i64, i64)
// CHECK-NOT: func.func private @mlc_rt_profile
func.func private @kernel0_relu(%a: memref<4xf32>, %b: memref<4xf32>) attributes {kernel.kernel} {
  return
}
func.func private @kernel1_add(%a: memref<4xf32>, %b: memref<4xf32>) attributes {kernel.kernel} {
  return
}
func.func private @helper(%a: memref<4xf32>) {
  return
}
func.func @forward(%x: memref<4xf32>, %y: memref<4xf32>) {
  call @kernel0_relu(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c3 step %c1 {
    func.call @kernel1_add(%y, %y) : (memref<4xf32>, memref<4xf32>) -> ()
  }
  call @helper(%y) : (memref<4xf32>) -> ()
  return
}

// -----

// Tests that a module without kernel calls is left alone (no declarations).

// CHECK-LABEL: func.func @empty
// CHECK-NOT: mlc_rt_profile
func.func @empty() {
  return
}
