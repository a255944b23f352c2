//===- Passes.td - CPU back-end passes ----------------------*- tablegen -*-===//
#ifndef MLC_CPU_PASSES
#define MLC_CPU_PASSES

include "mlir/Pass/PassBase.td"

def PlanMemory : Pass<"mlc-cpu-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Places the schedule's buffers in one workspace arena, reusing memory";
  let description = [{
    Runs on the entry function after bufferization (all kernel results are
    out-params allocated by the caller). Every static `memref.alloc` gets a
    live range (from the allocation to the last use of it or of any view of
    it); buffers are placed largest first at the lowest 64-byte aligned
    offset that no buffer with an overlapping live range occupies, and each
    alloc becomes a `memref.view` into a new last function argument, the
    workspace. The arena size is recorded as `mlc.workspace_size`.

    ```mlir
    %a = memref.alloc() : memref<16xf32>
    ```
    becomes
    ```mlir
    %a = memref.view %workspace[%c0][] : memref<128xi8> to memref<16xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of every buffer in the arena">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def CopiesToLinalg : Pass<"mlc-cpu-copies-to-linalg", "mlir::ModuleOp"> {
  let summary = "Rewrites memref.copy as linalg.copy";
  let description = [{
    `memref.copy` between strided views lowers to a call into MLIR's C
    runner library, which compiled models must not depend on; as a
    linalg.copy it becomes plain loops like every other kernel.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // MLC_CPU_PASSES
