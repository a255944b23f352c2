//===- Passes.td - kernel formation -------------------------*- tablegen -*-===//
#ifndef MLC_KERNEL_PASSES
#define MLC_KERNEL_PASSES

include "mlir/Pass/PassBase.td"

def FormDispatches : Pass<"mlc-kernel-form-dispatches", "mlir::func::FuncOp"> {
  let summary = "Fuses linalg/tensor ops into kernel.dispatch regions";
  let description = [{
    First fuses chains of elementwise generics (upstream elementwise fusion,
    only through values with a single use, so nothing is computed twice).
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
  let dependentDialects = ["mlc::kernel::KernelDialect", "mlir::linalg::LinalgDialect"];
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

#endif // MLC_KERNEL_PASSES
