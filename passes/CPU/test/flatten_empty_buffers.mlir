// RUN: mlc-opt %s --mlc-cpu-flatten-empty-buffers | FileCheck %s
// RUN: mlc-opt %s --mlc-cpu-flatten-empty-buffers --convert-func-to-llvm=use-bare-ptr-memref-call-conv=1 | FileCheck %s --check-prefix=LLVM

// Tests that an empty buffer of rank 3 crosses the call as memref<0xf32>,
// reinterpreted back to 2x0x4 (row-major strides) inside the callee, while
// non-empty buffers and 1-d empty ones are left as they are; and that both
// functions then convert with bare pointers.

// CHECK-LABEL: func.func private @kernel(%arg0: memref<0xf32>, %arg1: memref<2x4xf32>, %arg2: memref<0xf32>)
// CHECK: [[X:%.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [2, 0, 4], strides: [0, 4, 1] : memref<0xf32> to memref<2x0x4xf32>
// CHECK: linalg.generic {{.*}} ins([[X]] : memref<2x0x4xf32>) outs(%arg1 : memref<2x4xf32>)
// CHECK-LABEL: func.func @forward(%arg0: memref<0xf32>, %arg1: memref<2x4xf32>)
// CHECK: [[F:%.*]] = memref.reinterpret_cast %arg0 to {{.*}} : memref<0xf32> to memref<2x0x4xf32>
// CHECK: [[G:%.*]] = memref.reinterpret_cast [[F]] to offset: [0], sizes: [0], strides: [1] : memref<2x0x4xf32> to memref<0xf32>
// CHECK: call @kernel([[G]], %arg1, %{{.*}}) : (memref<0xf32>, memref<2x4xf32>, memref<0xf32>) -> ()
// LLVM: llvm.func @kernel(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr)
// LLVM: llvm.func @forward(%arg0: !llvm.ptr, %arg1: !llvm.ptr)
// LLVM: llvm.call @kernel
func.func private @kernel(%x: memref<2x0x4xf32>, %y: memref<2x4xf32>, %z: memref<0xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : memref<2x0x4xf32>) outs(%y : memref<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  }
  return
}
func.func @forward(%x: memref<2x0x4xf32>, %y: memref<2x4xf32>) {
  %z = memref.alloca() : memref<0xf32>
  call @kernel(%x, %y, %z) : (memref<2x0x4xf32>, memref<2x4xf32>, memref<0xf32>) -> ()
  return
}
