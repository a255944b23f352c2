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
include "mlir/Interfaces/DestinationStyleOpInterface.td"
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

//===----------------------------------------------------------------------===//
// Scalar runtime calls, for what the generated code does not compute itself
// (string tensors): they may sit in linalg bodies, and
// mlc-cpu-lower-microkernels declares and calls the functions.
//===----------------------------------------------------------------------===//

def Kernel_CallOp : Op<Kernel_Dialect, "call", [Pure]> {
  let summary = "a call of a runtime function on scalars";
  let description = [{
    `callee` names a function of the runtime (lib/Runtime/strings.c) that
    takes and returns scalars and depends on nothing but its operands (the
    strings it makes live in the run's string arena). The op carries the name
    as a string rather than a symbol because the function passes that make
    it cannot declare module symbols.

    ```mlir
    %c = kernel.call "mlc_rt_string_concat"(%a, %b) : (i64, i64) -> i64
    ```
  }];
  let arguments = (ins StrAttr:$callee, Variadic<AnyType>:$operands);
  let results = (outs AnyType:$result);
  let assemblyFormat = "$callee `(` $operands `)` attr-dict `:` functional-type($operands, $result)";
}

def Kernel_StringLiteralOp : Op<Kernel_Dialect, "string_literal", [Pure]> {
  let summary = "the address, as an i64, of a constant NUL-terminated string";
  let description = [{
    How string constants reach the generated code: each distinct `value`
    becomes one constant global.

    ```mlir
    %s = kernel.string_literal "monday"
    ```
  }];
  let arguments = (ins StrAttr:$value);
  let results = (outs I64:$result);
  let assemblyFormat = "$value attr-dict";
}

//===----------------------------------------------------------------------===//
// Microkernel ops: computations that the runtime's microkernels perform
// (include/mlc/runtime.h). They exist on tensors (destination style, so that
// bufferization writes into the init's buffer) and on memrefs (no results);
// mlc-cpu-lower-microkernels turns the memref form into calls.
//===----------------------------------------------------------------------===//

class Kernel_MicrokernelOp<string mnemonic> : Op<Kernel_Dialect, mnemonic, [
    DeclareOpInterfaceMethods<DestinationStyleOpInterface>,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let hasVerifier = 1;
}

def Kernel_Conv2DOp : Kernel_MicrokernelOp<"conv2d"> {
  let summary = "a float32 2-d convolution with pre-packed weights, bias and activation";
  let description = [{
    `params` are the fields of `mlc_conv2d_params` in order: n, c, h, w, f,
    kh, kw, oh, ow, stride_h, stride_w, dilation_h, dilation_w, pad_top,
    pad_left, group, activation, accumulate. `packed_weights` is laid out as
    that header describes (panels of MLC_CONV_MR output channels). Padding is
    part of the op: `input` is the unpadded NCHW tensor. With accumulate = 1
    the op adds what `init` holds (a residual) before the activation.

    ```mlir
    %y = kernel.conv2d ins(%x, %pw, %b : tensor<1x3x8x8xf32>, tensor<216xf32>, tensor<8xf32>)
           outs(%e : tensor<1x8x8x8xf32>) params = [...] -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$packed_weights, AnyShaped:$bias,
                       AnyShaped:$init, DenseI64ArrayAttr:$params);
  let assemblyFormat = [{
    `ins` `(` $input `,` $packed_weights `,` $bias `:` type($input) `,` type($packed_weights) `,` type($bias) `)`
    `outs` `(` $init `:` type($init) `)` `params` `=` $params attr-dict (`->` type($result)^)?
  }];
}

def Kernel_DepthwiseConv2DOp : Kernel_MicrokernelOp<"depthwise_conv2d"> {
  let summary = "a float32 depthwise 2-d convolution with bias and activation";
  let description = [{
    Same `params` as `kernel.conv2d` with group == c; `weights` is the ONNX
    weight tensor [f, 1, kh, kw] flattened, unpacked.
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$weights, AnyShaped:$bias,
                       AnyShaped:$init, DenseI64ArrayAttr:$params);
  let assemblyFormat = [{
    `ins` `(` $input `,` $weights `,` $bias `:` type($input) `,` type($weights) `,` type($bias) `)`
    `outs` `(` $init `:` type($init) `)` `params` `=` $params attr-dict (`->` type($result)^)?
  }];
}

def Kernel_MaxPool2DOp : Kernel_MicrokernelOp<"maxpool2d"> {
  let summary = "a float32 2-d max pooling";
  let description = [{
    Same `params` as `kernel.conv2d` with f == group == c; kh x kw is the
    window. `input` is the unpadded NCHW tensor: window positions in the
    padding do not count (a window entirely in the padding gives -inf), and
    a NaN in a window gives NaN.

    ```mlir
    %y = kernel.maxpool2d ins(%x : tensor<1x64x112x112xf32>)
           outs(%e : tensor<1x64x56x56xf32>) params = [...] -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$init, DenseI64ArrayAttr:$params);
  let assemblyFormat = [{
    `ins` `(` $input `:` type($input) `)`
    `outs` `(` $init `:` type($init) `)` `params` `=` $params attr-dict (`->` type($result)^)?
  }];
}

def Kernel_MatMulOp : Kernel_MicrokernelOp<"matmul"> {
  let summary = "a float32 batched matmul with pre-packed constant weights, bias and activation";
  let description = [{
    `params` are the fields of `mlc_matmul_params` in order: batch, m, n, k,
    lda, batch_stride_a, activation. `packed_b` is laid out in panels of
    MLC_MATMUL_NR columns; `a` is [batch, m, k] (or [m, k] with
    batch_stride_a = 0); `init` is [batch, m, n].
  }];
  let arguments = (ins AnyShaped:$a, AnyShaped:$packed_b, AnyShaped:$bias,
                       AnyShaped:$init, DenseI64ArrayAttr:$params);
  let assemblyFormat = [{
    `ins` `(` $a `,` $packed_b `,` $bias `:` type($a) `,` type($packed_b) `,` type($bias) `)`
    `outs` `(` $init `:` type($init) `)` `params` `=` $params attr-dict (`->` type($result)^)?
  }];
}

def Kernel_BatchMatMulOp : Kernel_MicrokernelOp<"batch_matmul"> {
  let summary = "a float32 batched matmul of two run-time tensors";
  let description = [{
    `params` are the fields of `mlc_batch_matmul_params`: batch, m, n, k,
    lda, batch_stride_a, ldb, batch_stride_b (a stride of 0 broadcasts).
    `a` is [batch_a, m, k], `b` is [batch_b, k, n], `init` is [batch, m, n].
  }];
  let arguments = (ins AnyShaped:$a, AnyShaped:$b, AnyShaped:$init, DenseI64ArrayAttr:$params);
  let assemblyFormat = [{
    `ins` `(` $a `,` $b `:` type($a) `,` type($b) `)`
    `outs` `(` $init `:` type($init) `)` `params` `=` $params attr-dict (`->` type($result)^)?
  }];
}

def Kernel_RuntimeCallOp : Op<Kernel_Dialect, "runtime_call", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<DestinationStyleOpInterface>,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "a runtime function over whole buffers, in destination style";
  let description = [{
    For the ops whose work is sequential or data dependent (sorting, scans,
    scatters, non-maximum suppression): the runtime function `callee` gets
    the `scalars` (i64; dims read at run time, modes), then a pointer to
    each input's and each output's first element, in that order. It reads
    the inputs and the outputs' initial contents (a scatter updates its
    data in place) and writes the outputs. Works on tensors of any
    (run-time) shape, in destination style, and on memrefs (no results),
    which mlc-cpu-lower-microkernels turns into the call; bufferization
    gives the function identity-layout buffers.

    ```mlir
    %v, %i = kernel.runtime_call "mlc_rt_top_k_f32"(%outer, %n, %inner, %k, %largest)
        ins(%x : tensor<?x1000xf32>) outs(%ve, %ie : tensor<?x10xf32>, tensor<?x10xi64>)
        -> tensor<?x10xf32>, tensor<?x10xi64>
    ```
  }];
  let arguments = (ins StrAttr:$callee, Variadic<I64>:$scalars, Variadic<AnyShaped>:$inputs,
                       Variadic<AnyShaped>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $callee `(` $scalars `)` (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)` attr-dict (`->` type($result)^)?
  }];
}

#endif // MLC_KERNEL_OPS
