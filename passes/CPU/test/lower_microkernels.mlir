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

// Tests that kernel.non_max_suppression on buffers of run-time shapes becomes
// a call of mlc_rt_non_max_suppression_f32 with the dims read from the
// buffers (batches and boxes from the boxes, classes from the scores), the
// two attributes, and the data pointers of its seven buffers.

// CHECK-LABEL: func.func @nms
// CHECK-DAG: [[B:%.*]] = memref.dim %arg0, %c0
// CHECK-DAG: [[C:%.*]] = memref.dim %arg1, %c1
// CHECK-DAG: [[N:%.*]] = memref.dim %arg0, %c1
// CHECK-DAG: [[B64:%.*]] = arith.index_cast [[B]] : index to i64
// CHECK-DAG: [[C64:%.*]] = arith.index_cast [[C]] : index to i64
// CHECK-DAG: [[N64:%.*]] = arith.index_cast [[N]] : index to i64
// CHECK-DAG: [[ONE:%.*]] = arith.constant 1 : i64
// CHECK-DAG: [[ZERO:%.*]] = arith.constant 0 : i64
// CHECK: call @mlc_rt_non_max_suppression_f32([[B64]], [[C64]], [[N64]], [[ZERO]], [[ONE]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NOT: kernel.non_max_suppression
// CHECK: func.func private @mlc_rt_non_max_suppression_f32(i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
func.func @nms(%b: memref<?x?x4xf32>, %s: memref<?x?x?xf32>, %m: memref<1xi64>, %iou: memref<1xf32>, %t: memref<1xf32>, %sel: memref<?x3xi64>, %n: memref<1xi64>) {
  kernel.non_max_suppression ins(%b, %s, %m, %iou, %t : memref<?x?x4xf32>, memref<?x?x?xf32>, memref<1xi64>, memref<1xf32>, memref<1xf32>) outs(%sel, %n : memref<?x3xi64>, memref<1xi64>) center_point_box = 0 has_score_threshold = 1
  return
}
