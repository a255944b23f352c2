// RUN: mlc-opt %s --split-input-file --mlc-cpu-approximate-math | FileCheck %s

// Tests that erf, exp and tanh become arithmetic (no math calls left), and
// that sqrt, which LLVM vectorises as an instruction, stays.

// CHECK-LABEL: func.func @transcendental
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: math.sqrt
// CHECK: return
func.func @transcendental(%x: f32) -> (f32, f32, f32, f32) {
  %0 = math.erf %x : f32
  %1 = math.exp %x : f32
  %2 = math.tanh %x : f32
  %3 = math.sqrt %x : f32
  return %0, %1, %2, %3 : f32, f32, f32, f32
}
