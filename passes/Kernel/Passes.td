//===- Passes.td - kernel formation -------------------------*- tablegen -*-===//
#ifndef MLC_KERNEL_PASSES
#define MLC_KERNEL_PASSES

include "mlir/Pass/PassBase.td"

def FormDispatches : Pass<"mlc-kernel-form-dispatches", "mlir::func::FuncOp"> {
  let summary = "Fuses linalg/tensor ops into kernel.dispatch regions";
  let description = [{
    First fuses chains of elementwise generics (upstream elementwise fusion,
    only through values with a single use, so nothing is computed twice, and
    not through a broadcast of a producer with transcendental or division
    work, which the fused op would redo for every broadcast element).
    Then groups ops, consumers first: a producer joins the kernel that holds
    all of its users, unless both the producer and that kernel carry heavy
    arithmetic (convolutions, pooling, contractions, microkernels; plain
    max/sum reductions are light). That puts padding, bias initialisation,
    and activation / residual-add epilogues into the kernel of their
    convolution or matmul, a concat's slices into one kernel, and softmax or
    layer normalisation (reductions and the elementwise ops around them) into
    one kernel, together with the matmul that feeds them. Each kernel grows
    from one sink whose other members have no users outside it, so the
    schedule stays acyclic.

    Scalars, splat constants and `tensor.empty` are cloned into each kernel;
    weights and activations become operands.

    ```mlir
    %0 = linalg.conv_2d_nchw_fchw ins(%x, %w) outs(%bias_init)
    %1 = linalg.generic {relu} ins(%0) outs(%e)
    ```
    becomes
    ```mlir
    %1 = kernel.dispatch @conv_0(%x, %w, %b) : (...) -> tensor<...> {
      ... conv, relu ...
    }
    ```
  }];
  let dependentDialects = ["mlc::kernel::KernelDialect", "mlir::linalg::LinalgDialect",
                           "mlir::bufferization::BufferizationDialect"];
  let options = [
    Option<"fuseElementwise", "fuse-elementwise", "bool", /*default=*/"true",
           "Fuse chains of elementwise generics before grouping">,
  ];
}

def OutlineDispatches : Pass<"mlc-kernel-outline", "mlir::ModuleOp"> {
  let summary = "Outlines every kernel.dispatch into a private kernel function";
  let description = [{
    Each `kernel.dispatch @name(...)` becomes `func.func private @name`
    (marked `kernel.kernel`) and a `func.call` in its place, so that the
    schedule is a plain sequence of calls that bufferization and the CPU
    back end handle with upstream passes.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def HoistKernelBuffers : Pass<"mlc-kernel-hoist-buffers", "mlir::ModuleOp"> {
  let summary = "Moves kernels' temporary buffers (and optionally constants) to their callers";
  let description = [{
    Runs on buffers, after bufferization and before the memory plan. A
    static `memref.alloc` in the entry block of an outlined kernel function
    (padding, intermediate results) becomes a new argument of the kernel;
    each caller allocates it right before the call, so that the memory plan
    places it in the workspace arena with the schedule's other buffers: no
    allocation happens while the model runs, and temporaries of kernels that
    never run at the same time share memory. With `constants`, each
    `memref.get_global` in a kernel moves to the callers as well, so that a
    kernel's code touches only its arguments (the CUDA target needs this:
    weights live in device memory the host passes in). With `mark-scratch`,
    the arguments that were allocations are marked `kernel.scratch`: their
    contents before and after the call are of no use to anyone, which lets
    the CUDA contraction rewrites read a padded copy's source instead of
    writing the copy. `mlc-kernel-drop-scratch-marks` removes the marks
    before the lowering to LLVM, which has no use for them.

    ```mlir
    func.func private @k(%x: memref<8xf32>) attributes {kernel.kernel} {
      %t = memref.alloc() : memref<10xf32>
      ...
    }
    call @k(%a)
    ```
    becomes
    ```mlir
    func.func private @k(%x: memref<8xf32>, %t: memref<10xf32>) ...
    %t = memref.alloc() : memref<10xf32>
    call @k(%a, %t)
    ```
  }];
  let options = [
    Option<"constants", "constants", "bool", /*default=*/"false",
           "Also move memref.get_global ops to the callers">,
    Option<"markScratch", "mark-scratch", "bool", /*default=*/"false",
           "Mark the arguments that were allocations kernel.scratch">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::func::FuncDialect"];
}

def DropScratchMarks : Pass<"mlc-kernel-drop-scratch-marks", "mlir::ModuleOp"> {
  let summary = "Removes the kernel.scratch marks of kernel arguments";
  let description = [{
    The marks that `mlc-kernel-hoist-buffers{mark-scratch=1}` puts on the
    kernels' temporary-buffer arguments go once the passes that use them
    have run: the lowering to LLVM would carry them over as parameter
    attributes it cannot translate.
  }];
}

#endif // MLC_KERNEL_PASSES
