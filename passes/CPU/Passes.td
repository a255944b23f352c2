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

def DistinctResults : Pass<"mlc-cpu-distinct-results", "mlir::func::FuncOp"> {
  let summary = "Gives each buffer a function returns its own allocation";
  let description = [{
    Runs after bufferization, before `buffer-results-to-out-params`, which
    turns each returned allocation into a caller-provided out-param and
    cannot do that for one allocation returned twice (two graph outputs
    that are the same value, such as several empty splits). Every repeat of
    a returned memref is copied into a fresh allocation, so that each
    output has a buffer of its own.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
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

def ProfileKernels : Pass<"mlc-cpu-profile-kernels", "mlir::ModuleOp"> {
  let summary = "Times every kernel call (mlc compile --profile)";
  let description = [{
    Brackets each call of an outlined kernel (a function marked
    `kernel.kernel`) with `mlc_rt_profile_begin` and `mlc_rt_profile_end`,
    which add the call's time to the kernel's entry in the running model's
    profile (lib/Runtime/profile.c). The kernel's name reaches the runtime as
    a `kernel.string_literal`, so it runs before mlc-cpu-lower-microkernels.

    ```mlir
    call @kernel0_relu(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
    ```
    becomes
    ```mlir
    %t = call @mlc_rt_profile_begin() : () -> i64
    call @kernel0_relu(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
    %name = kernel.string_literal "kernel0_relu"
    call @mlc_rt_profile_end(%name, %t) : (i64, i64) -> ()
    ```
  }];
  let dependentDialects = ["mlc::kernel::KernelDialect", "mlir::func::FuncDialect"];
}

def LowerMicrokernels : Pass<"mlc-cpu-lower-microkernels", "mlir::ModuleOp"> {
  let summary = "Turns memref-form kernel.conv2d / kernel.matmul into runtime calls";
  let description = [{
    Each microkernel op on buffers becomes a call of `mlc_rt_conv2d_f32` or
    `mlc_rt_matmul_f32` (include/mlc/runtime.h) with a pointer to a constant
    global holding its parameters and the buffers' data pointers (aligned
    pointer plus offset).

    ```mlir
    kernel.conv2d ins(%x, %w, %b : ...) outs(%y : ...) params = [...]
    ```
    becomes
    ```mlir
    %p = memref.get_global @__mlc_params_0 : memref<17xi64>
    ... llvm.inttoptr of each buffer's address ...
    call @mlc_rt_conv2d_f32(%pp, %xp, %wp, %bp, %yp) : (!llvm.ptr, ...) -> ()
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::func::FuncDialect", "mlir::arith::ArithDialect"];
}

def CollapseLoopDims : Pass<"mlc-cpu-collapse-loop-dims", "mlir::func::FuncOp"> {
  let summary = "Merges the adjacent loops of a kernel's linalg.generic that read memory in one run";
  let description = [{
    Runs on the outlined kernels, on tensors. A `linalg.generic` keeps the
    rank of its ONNX op: a GlobalAveragePool of `1x96x56x56` reduces over
    two loops of 56, which LLVM vectorises across rows (with gathers) or not
    at all. Each maximal run of consecutive iteration dims of one iterator
    type that every indexing map reads as one contiguous run becomes a
    single dim (`linalg::collapseOpIterationDims`, the operands reshaped
    with `tensor.collapse_shape`): the pool becomes 96 contiguous sums of
    3136, an elementwise op on `1x96x56x56` one loop of 301056 (or 96 x 3136
    where an operand is broadcast over the channels' planes).

    Ops with dynamic shapes or `linalg.index` in their body are left as
    they are (the index would need recomputing from the merged dim).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect"];
}

def ApproximateMath : Pass<"mlc-cpu-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replaces transcendental math ops with polynomial approximations";
  let description = [{
    `math.exp`, `math.expm1`, `math.log`, `math.log1p`, `math.tanh` and
    `math.erf` on float32 would otherwise become scalar libm calls, which
    LLVM cannot vectorise; their upstream polynomial approximations are plain
    arithmetic that the loop vectoriser turns into AVX-512/AVX2/NEON code.
    Their error is a few ulp in float32 (upstream's own tests), well inside
    the 1e-4 relative tolerance the end-to-end tests hold models to.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def ParallelizeLoops : Pass<"mlc-cpu-parallelize-loops", "mlir::func::FuncOp"> {
  let summary = "Keeps scf.parallel only where it pays, as one level of parallelism";
  let description = [{
    Runs after `convert-linalg-to-parallel-loops` and before
    `convert-scf-to-openmp`. A top-level `scf.parallel` whose work (its trip
    count times the static trip counts of the loops nested in it) reaches
    `min-work` stays parallel and runs on the model's thread pool through the
    runtime's OpenMP entry points; smaller ones, and every `scf.parallel`
    nested in another, become sequential `scf.for` nests, so that a fork
    never costs more than the loop it splits.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Innermost iterations a loop nest needs to run in parallel">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect"];
}

def StripAllocaScopes : Pass<"mlc-cpu-strip-alloca-scopes", "mlir::ModuleOp"> {
  let summary = "Inlines memref.alloca_scope regions that allocate nothing";
  let description = [{
    `convert-scf-to-openmp` wraps each parallel loop body in an
    `memref.alloca_scope`; once the loops inside become blocks the scope's
    single-block region is invalid. Scopes without `memref.alloca` have no
    stack to release, so their bodies are inlined.
  }];
}

def FlattenEmptyBuffers : Pass<"mlc-cpu-flatten-empty-buffers", "mlir::ModuleOp"> {
  let summary = "Passes empty buffers of rank > 1 across calls as memref<0xT>";
  let description = [{
    `convert-func-to-llvm{use-bare-ptr-memref-call-conv=1}` leaves a
    function with an argument such as `memref<2x0x4xf32>` unconverted (and
    its calls dangling). Models with empty tensors have such kernels. Each
    such argument becomes `memref<0xf32>` in the signature and at every
    call (a `memref.reinterpret_cast`), and the function reinterprets it
    back to its shape on entry. The pointer passed is the same.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

#endif // MLC_CPU_PASSES
