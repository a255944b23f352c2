// RUN: mlc-opt %s --split-input-file --mlc-cpu-lower-microkernels | FileCheck %s

// Tests that a memref-form kernel.conv2d becomes a call of mlc_rt_conv2d_f32
// with a constant global holding its params and the data pointers of its
// buffers (aligned pointer plus offset in bytes), declared once.

// CHECK: memref.global "private" constant @__mlc_params_0 : memref<18xi64> = dense<[1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 0]> {alignment = 8 : i64}
// CHECK-LABEL: func.func @conv
// CHECK: [[P:%.*]] = memref.get_global @__mlc_params_0 : memref<18xi64>
// CHECK: memref.extract_aligned_pointer_as_index [[P]]
// CHECK: llvm.inttoptr
// CHECK: [[BASE:%.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK: {{%[a-z_0-9]+}}, [[OFF:%[a-z_0-9]+]], {{.*}} = memref.extract_strided_metadata %arg0
// CHECK: [[BYTES:%.*]] = arith.muli [[OFF]], %c4
// CHECK: arith.addi [[BASE]], [[BYTES]]
// CHECK: call @mlc_rt_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NOT: kernel.conv2d
// CHECK: func.func private @mlc_rt_conv2d_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
func.func @conv(%x: memref<1x2x4x4xf32>, %w: memref<16xf32>, %b: memref<2xf32>, %y: memref<1x2x4x4xf32>) {
  kernel.conv2d ins(%x, %w, %b : memref<1x2x4x4xf32>, memref<16xf32>, memref<2xf32>) outs(%y : memref<1x2x4x4xf32>) params = [1, 2, 4, 4, 2, 1, 1, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 0]
  return
}

// -----

// Tests that two matmuls get their own params globals and share one
// declaration of mlc_rt_matmul_f32.

// CHECK-DAG: memref.global "private" constant @__mlc_params_0 : memref<7xi64> = dense<[1, 3, 2, 2, 2, 6, 0]>
// CHECK-DAG: memref.global "private" constant @__mlc_params_1 : memref<7xi64> = dense<[1, 3, 2, 2, 2, 6, 1]>
// CHECK-LABEL: func.func @two_matmuls
// CHECK: call @mlc_rt_matmul_f32
// CHECK: call @mlc_rt_matmul_f32
// CHECK-COUNT-1: func.func private @mlc_rt_matmul_f32
func.func @two_matmuls(%a: memref<1x3x2xf32>, %w: memref<32xf32>, %b: memref<2xf32>, %y: memref<1x3x2xf32>, %z: memref<1x3x2xf32>) {
  kernel.matmul ins(%a, %w, %b : memref<1x3x2xf32>, memref<32xf32>, memref<2xf32>) outs(%y : memref<1x3x2xf32>) params = [1, 3, 2, 2, 2, 6, 0]
  kernel.matmul ins(%a, %w, %b : memref<1x3x2xf32>, memref<32xf32>, memref<2xf32>) outs(%z : memref<1x3x2xf32>) params = [1, 3, 2, 2, 2, 6, 1]
  return
}

// -----

// Tests that kernel.batch_matmul calls mlc_rt_batch_matmul_f32 with its params
// and three data pointers.

// CHECK: memref.global "private" constant @__mlc_params_0 : memref<8xi64> = dense<[12, 8, 8, 4, 4, 32, 8, 32]>
// CHECK-LABEL: func.func @batch_matmul
// CHECK: call @mlc_rt_batch_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK: func.func private @mlc_rt_batch_matmul_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
func.func @batch_matmul(%a: memref<12x8x4xf32>, %b: memref<12x4x8xf32>, %c: memref<12x8x8xf32>) {
  kernel.batch_matmul ins(%a, %b : memref<12x8x4xf32>, memref<12x4x8xf32>) outs(%c : memref<12x8x8xf32>) params = [12, 8, 8, 4, 4, 32, 8, 32]
  return
}

// -----

// Tests that kernel.maxpool2d becomes a call of mlc_rt_maxpool2d_f32 with its
// params global, the input and the output.

// CHECK: memref.global "private" constant @__mlc_params_0 : memref<18xi64> = dense<[1, 2, 8, 8, 2, 3, 3, 4, 4, 2, 2, 1, 1, 1, 1, 2, 0, 0]>
// CHECK-LABEL: func.func @maxpool
// CHECK: call @mlc_rt_maxpool2d_f32(%{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NOT: kernel.maxpool2d
// CHECK: func.func private @mlc_rt_maxpool2d_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr)
func.func @maxpool(%x: memref<1x2x8x8xf32>, %y: memref<1x2x4x4xf32>) {
  kernel.maxpool2d ins(%x : memref<1x2x8x8xf32>) outs(%y : memref<1x2x4x4xf32>) params = [1, 2, 8, 8, 2, 3, 3, 4, 4, 2, 2, 1, 1, 1, 1, 2, 0, 0]
  return
}

// -----

// Tests that kernel.call becomes func.call of a private declaration (one per
// name) and that each distinct string literal becomes one internal constant
// global, NUL-terminated, whose address is taken as an i64.

// CHECK-DAG: llvm.mlir.global internal constant @__mlc_str_0("a.b\00")
// CHECK-DAG: llvm.mlir.global internal constant @__mlc_str_1("x\00")
// CHECK-LABEL: func.func @scalar_calls
// CHECK: %[[G:.*]] = llvm.mlir.addressof @__mlc_str_0 : !llvm.ptr
// CHECK: %[[A:.*]] = llvm.ptrtoint %[[G]] : !llvm.ptr to i64
// CHECK: llvm.mlir.addressof @__mlc_str_0
// CHECK: llvm.mlir.addressof @__mlc_str_1
// CHECK: call @mlc_rt_string_concat(%[[A]], %{{.*}}) : (i64, i64) -> i64
// CHECK: call @mlc_rt_string_concat
// CHECK: func.func private @mlc_rt_string_concat(i64, i64) -> i64
// CHECK-NOT: func.func private @mlc_rt_string_concat
func.func @scalar_calls() -> (i64, i64) {
  %a = kernel.string_literal "a.b"
  %b = kernel.string_literal "a.b"
  %x = kernel.string_literal "x"
  %0 = kernel.call "mlc_rt_string_concat"(%a, %b) : (i64, i64) -> i64
  %1 = kernel.call "mlc_rt_string_concat"(%0, %x) : (i64, i64) -> i64
  return %0, %1 : i64, i64
}

// -----

// Tests that kernel.runtime_call on buffers becomes a call of its callee
// with the scalars first, then the data pointers of the inputs and of the
// outputs in order, and that the callee is declared once for two calls.

// CHECK-LABEL: func.func @runtime_call
// CHECK: call @mlc_rt_top_k_f32(%arg3, %arg4, %arg5, %arg6, %arg7, [[X:%.*]], [[V:%.*]], [[I:%.*]]) : (i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK: call @mlc_rt_top_k_f32(%arg4, %arg3,
// CHECK-NOT: kernel.runtime_call
// CHECK: func.func private @mlc_rt_top_k_f32(i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr)
// CHECK-NOT: func.func private @mlc_rt_top_k_f32
func.func @runtime_call(%x: memref<?x100xf32>, %v: memref<?x10xf32>, %i: memref<?x10xi64>, %o: i64, %n: i64, %in: i64, %k: i64, %l: i64) {
  kernel.runtime_call "mlc_rt_top_k_f32"(%o, %n, %in, %k, %l) ins(%x : memref<?x100xf32>) outs(%v, %i : memref<?x10xf32>, memref<?x10xi64>)
  kernel.runtime_call "mlc_rt_top_k_f32"(%n, %o, %in, %k, %l) ins(%x : memref<?x100xf32>) outs(%v, %i : memref<?x10xf32>, memref<?x10xi64>)
  return
}

// -----

// Tests that a microkernel with a run-time batch gets its parameters from a
// stack buffer written at the call, the batch read from the input's dim 0
// and the rest constants, instead of a constant global.

// CHECK-LABEL: func.func @conv_runtime_batch
// CHECK: [[P:%.*]] = memref.alloca() : memref<18xi64>
// CHECK: [[N:%.*]] = memref.dim %arg0, %c0
// CHECK: [[N64:%.*]] = arith.index_cast [[N]] : index to i64
// CHECK: memref.store [[N64]], [[P]][%c0
// CHECK: memref.store %c2_i64, [[P]][%c1
// CHECK: call @mlc_rt_conv2d_f32(
// CHECK-NOT: memref.global {{.*}}__mlc_params
func.func @conv_runtime_batch(%x: memref<?x2x4x4xf32>, %w: memref<144xf32>, %b: memref<3xf32>, %y: memref<?x3x4x4xf32>) {
  kernel.conv2d ins(%x, %w, %b : memref<?x2x4x4xf32>, memref<144xf32>, memref<3xf32>) outs(%y : memref<?x3x4x4xf32>) params = [-9223372036854775808, 2, 4, 4, 3, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0]
  return
}
