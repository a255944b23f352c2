// RUN: mlc-opt %s --split-input-file --mlc-cpu-distinct-results | FileCheck %s

// Tests that one allocation returned three times (three empty split outputs)
// becomes three buffers: the repeats are copies into fresh allocations.

// CHECK-LABEL: func.func @forward
// CHECK: [[A:%.*]] = memref.alloc() {alignment = 64 : i64} : memref<0xf32>
// CHECK: [[B:%.*]] = memref.alloc() : memref<0xf32>
// CHECK: memref.copy [[A]], [[B]]
// CHECK: [[C:%.*]] = memref.alloc() : memref<0xf32>
// CHECK: memref.copy [[A]], [[C]]
// CHECK: return [[A]], [[B]], [[C]]
func.func @forward(%arg0: memref<0xf32>) -> (memref<0xf32>, memref<0xf32>, memref<0xf32>) {
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<0xf32>
  return %alloc, %alloc, %alloc : memref<0xf32>, memref<0xf32>, memref<0xf32>
}

// -----

// Tests that distinct returned buffers are left alone.

// CHECK-LABEL: func.func @distinct
// CHECK-NOT: memref.copy
// CHECK: return %arg0, %{{.*}}
func.func @distinct(%arg0: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  %alloc = memref.alloc() : memref<4xf32>
  return %arg0, %alloc : memref<4xf32>, memref<4xf32>
}
