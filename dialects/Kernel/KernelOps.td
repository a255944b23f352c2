//===- KernelOps.td - the kernel dialect --------------------*- tablegen -*-===//
//
// Kernel formation's result: every fused group of tensor computations becomes
// one `kernel.dispatch`, an isolated region with explicit operands. The
// model's main function is then a schedule of dispatches that the back ends
// outline into kernel functions (CPU) or GPU kernels.
//
//===----------------------------------------------------------------------===//
#ifndef MLC_KERNEL_OPS
#define MLC_KERNEL_OPS

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kernel_Dialect : Dialect {
  let name = "kernel";
  let summary = "fused kernels and the schedule that calls them";
  let cppNamespace = "::mlc::kernel";
}

def Kernel_DispatchOp : Op<Kernel_Dialect, "dispatch", [
    IsolatedFromAbove, SingleBlockImplicitTerminator<"YieldOp">, Pure]> {
  let summary = "one fused kernel: a region that computes its results from its operands";
  let description = [{
    The region's arguments are the operands, in order; it yields the results.
    Nothing inside refers to values outside, so a back end can outline the
    region as it is. `sym_name` names the kernel after the ONNX node that
    anchors it.

    ```mlir
    %y = kernel.dispatch @conv_relu_0(%x, %w) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
    ^bb0(%a: tensor<1x3x8x8xf32>, %b: tensor<4x3x3x3xf32>):
      %c = linalg.conv_2d_nchw_fchw ...
      %r = linalg.generic ... // relu epilogue
      kernel.yield %r : tensor<1x4x6x6xf32>
    }
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$sym_name, Variadic<AnyType>:$inputs);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
}

def Kernel_YieldOp : Op<Kernel_Dialect, "yield", [Pure, Terminator, HasParent<"DispatchOp">]> {
  let summary = "the results of a dispatch";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* no values */ }]>];
}

#endif // MLC_KERNEL_OPS
