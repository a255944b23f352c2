// RUN: mlc-opt %s --split-input-file --mlc-cpu-plan-memory | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cpu-plan-memory=alignment=16 | FileCheck %s --check-prefix=ALIGN16

// Tests that buffers whose live ranges do not overlap share an offset, that
// overlapping ones get distinct offsets, and that every alloc becomes a view
// into a new last argument, the workspace, whose size is recorded. A
// dealloc does not extend a live range and is removed with its buffer.

func.func private @use(memref<16xf32>)
func.func private @use2(memref<16xf32>, memref<16xf32>)
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: ([[OUT:%.*]]: memref<16xf32>, [[WS:%.*]]: memref<128xi8>)
// CHECK-SAME: attributes {mlc.workspace_size = 128 : i64}
// CHECK-NOT: memref.alloc
// CHECK: [[C0:%.*]] = arith.constant 0 : index
// CHECK: [[A:%.*]] = memref.view [[WS]]{{\[}}[[C0]]][] : memref<128xi8> to memref<16xf32>
// CHECK: call @use([[A]])
// CHECK: [[C64:%.*]] = arith.constant 64 : index
// CHECK: [[B:%.*]] = memref.view [[WS]]{{\[}}[[C64]]][] : memref<128xi8> to memref<16xf32>
// CHECK: call @use2([[A]], [[B]])
// CHECK: [[C0B:%.*]] = arith.constant 0 : index
// CHECK: [[C:%.*]] = memref.view [[WS]]{{\[}}[[C0B]]][] : memref<128xi8> to memref<16xf32>
// CHECK: call @use2([[B]], [[C]])
// CHECK: call @use2([[C]], [[OUT]])
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @reuse(%out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  call @use(%a) : (memref<16xf32>) -> ()
  %b = memref.alloc() : memref<16xf32>
  call @use2(%a, %b) : (memref<16xf32>, memref<16xf32>) -> ()
  %c = memref.alloc() : memref<16xf32>
  call @use2(%b, %c) : (memref<16xf32>, memref<16xf32>) -> ()
  call @use2(%c, %out) : (memref<16xf32>, memref<16xf32>) -> ()
  memref.dealloc %a : memref<16xf32>
  return
}

// -----

// Tests that a use of a view keeps its buffer alive: %a lives until the
// subview is used, so %b cannot take its place.

func.func private @use(memref<3xf32>)
func.func private @use_view(memref<2xf32, strided<[1], offset: 1>>)
// CHECK-LABEL: func.func @alias
// CHECK-SAME: attributes {mlc.workspace_size = 128 : i64}
// CHECK: [[A:%.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<128xi8> to memref<3xf32>
// CHECK: [[SV:%.*]] = memref.subview [[A]][1] [2] [1]
// CHECK: [[C64:%.*]] = arith.constant 64 : index
// CHECK: [[B:%.*]] = memref.view %{{.*}}{{\[}}[[C64]]][] : memref<128xi8> to memref<3xf32>
// CHECK: call @use([[B]])
// CHECK: call @use_view([[SV]])
func.func @alias() {
  %a = memref.alloc() : memref<3xf32>
  %sv = memref.subview %a[1] [2] [1] : memref<3xf32> to memref<2xf32, strided<[1], offset: 1>>
  %b = memref.alloc() : memref<3xf32>
  call @use(%b) : (memref<3xf32>) -> ()
  call @use_view(%sv) : (memref<2xf32, strided<[1], offset: 1>>) -> ()
  return
}

// -----

// Tests that every buffer starts at a multiple of the alignment (64 bytes by
// default) and takes a multiple of it: 12 bytes take 64, or 16 with
// alignment=16.

func.func private @use2(memref<3xf32>, memref<3xf32>)
// CHECK-LABEL: func.func @alignment
// CHECK-SAME: memref<128xi8>
// CHECK-SAME: attributes {mlc.workspace_size = 128 : i64}
// CHECK: arith.constant 0 : index
// CHECK: arith.constant 64 : index
// ALIGN16-LABEL: func.func @alignment
// ALIGN16-SAME: memref<32xi8>
// ALIGN16-SAME: attributes {mlc.workspace_size = 32 : i64}
// ALIGN16: arith.constant 0 : index
// ALIGN16: arith.constant 16 : index
func.func @alignment() {
  %a = memref.alloc() : memref<3xf32>
  %b = memref.alloc() : memref<3xf32>
  call @use2(%a, %b) : (memref<3xf32>, memref<3xf32>) -> ()
  return
}

// -----

// Tests that the largest buffer is placed first, at offset 0, and smaller
// overlapping ones after it, largest next.

func.func private @use3(memref<64xf32>, memref<16xf32>, memref<32xf32>)
// CHECK-LABEL: func.func @largest_first
// CHECK-SAME: attributes {mlc.workspace_size = 448 : i64}
// CHECK: [[OS:%.*]] = arith.constant 384 : index
// CHECK: memref.view %{{.*}}{{\[}}[[OS]]][] : memref<448xi8> to memref<16xf32>
// CHECK: [[OL:%.*]] = arith.constant 0 : index
// CHECK: memref.view %{{.*}}{{\[}}[[OL]]][] : memref<448xi8> to memref<64xf32>
// CHECK: [[OM:%.*]] = arith.constant 256 : index
// CHECK: memref.view %{{.*}}{{\[}}[[OM]]][] : memref<448xi8> to memref<32xf32>
func.func @largest_first() {
  %s = memref.alloc() : memref<16xf32>
  %l = memref.alloc() : memref<64xf32>
  %m = memref.alloc() : memref<32xf32>
  call @use3(%l, %s, %m) : (memref<64xf32>, memref<16xf32>, memref<32xf32>) -> ()
  return
}

// -----

// Tests that a boolean buffer takes one byte per element (i1 is stored as a
// byte), so that 100 booleans do not overlap a buffer placed after them.

func.func private @use(memref<100xi1>, memref<16xf32>)
// CHECK-LABEL: func.func @bool_buffer
// CHECK-SAME: attributes {mlc.workspace_size = 192 : i64}
func.func @bool_buffer() {
  %m = memref.alloc() : memref<100xi1>
  %f = memref.alloc() : memref<16xf32>
  call @use(%m, %f) : (memref<100xi1>, memref<16xf32>) -> ()
  return
}

// -----

// Tests that returned and dynamically shaped buffers stay allocations, that
// private functions (kernels) are left alone, and that a function without
// buffers still gets a workspace argument.

func.func private @kernel(%x: memref<4xf32>) attributes {kernel.kernel} {
  %t = memref.alloc() : memref<4xf32>
  memref.copy %x, %t : memref<4xf32> to memref<4xf32>
  return
}
// CHECK-LABEL: func.func private @kernel
// CHECK-SAME: (%{{.*}}: memref<4xf32>)
// CHECK: memref.alloc() : memref<4xf32>
// CHECK-LABEL: func.func @escapes
// CHECK-SAME: (%{{.*}}: index, %{{.*}}: memref<1xi8>) -> memref<4xf32>
// CHECK-SAME: attributes {mlc.workspace_size = 0 : i64}
// CHECK-DAG: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-DAG: [[R:%.*]] = memref.alloc() : memref<4xf32>
// CHECK-NOT: memref.view
// CHECK: return [[R]]
func.func @escapes(%n: index) -> memref<4xf32> {
  %d = memref.alloc(%n) : memref<?xf32>
  %r = memref.alloc() : memref<4xf32>
  return %r : memref<4xf32>
}
