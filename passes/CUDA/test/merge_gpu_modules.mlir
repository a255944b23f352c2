// RUN: mlc-opt %s --mlc-cuda-merge-gpu-modules | FileCheck %s

// Tests that outlined kernels move into one module, named after the module
// each came from, and that the launches follow them.

// CHECK-NOT: gpu.module @k0_kernel
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch_func @mlc_kernels::@k0_kernel
// CHECK: gpu.launch_func @mlc_kernels::@k1_kernel
// CHECK: gpu.module @mlc_kernels
// CHECK-DAG: gpu.func @k0_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK-DAG: gpu.func @k1_kernel(%{{.*}}: memref<4xf32>) kernel
module attributes {gpu.container_module} {
  func.func @main(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k0_kernel::@k0_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @k1_kernel::@k0_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
  gpu.module @k0_kernel {
    gpu.func @k0_kernel(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @k1_kernel {
    gpu.func @k0_kernel(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
