//===- ONNXOps.td - the onnx dialect's operations -----------*- tablegen -*-===//
//
// One op per ONNX operator, named and spelled as in the ONNX specification,
// with the ONNX attributes under their ONNX names. Optional inputs that a node
// leaves out are `onnx.none` values. Every op computes its result types with
// ShapeInferenceOpInterface (ONNXShapeInference.cpp); ops whose value can be
// computed at compile time have folders (ONNXFolders.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef MLC_ONNX_OPS
#define MLC_ONNX_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "dialects/ONNX/ONNXInterfaces.td"

def ONNX_Dialect : Dialect {
  let name = "onnx";
  let summary = "The ONNX operator set as an MLIR dialect";
  let description = [{
    The graph as the front end imports it: one op per ONNX node, values typed
    as builtin tensors whose dims may be dynamic until shape propagation
    specialises them. Locations carry the ONNX node names so that every error
    names the node that caused it.
  }];
  let cppNamespace = "::mlc::onnx";
  let hasConstantMaterializer = 1;
  let useDefaultTypePrinterParser = 1;
}

def ONNX_StringType : TypeDef<ONNX_Dialect, "String"> {
  let mnemonic = "string";
  let summary = "the element type of ONNX string tensors (UTF-8 text)";
  let description = [{
    Below the onnx dialect each element is an i64 holding the address of a
    NUL-terminated UTF-8 string; the runtime's string functions read and
    make them (lib/Runtime/strings.c).
  }];
}

// ONNX integer attributes: signless i64 as the importer builds them, read as
// int64_t (upstream's I64Attr reads uint64_t, which turns axis = -1 into a
// huge positive number).
def ONNX_I64Attr : SignlessIntegerAttrBase<I64, "64-bit integer attribute"> {
  let returnType = [{ int64_t }];
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

// A tensor, or `none` for an optional input the node leaves out.
def ONNX_TensorOrNone : AnyTypeOf<[AnyTensor, NoneType]>;

class ONNX_Op<string mnemonic, list<Trait> traits = []>
    : Op<ONNX_Dialect, mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<ShapeInferenceOpInterface>])>;

//===----------------------------------------------------------------------===//
// Structural ops
//===----------------------------------------------------------------------===//

def ONNX_NoneOp : Op<ONNX_Dialect, "none", [Pure, ConstantLike]> {
  let summary = "an optional input that the node leaves out";
  let description = [{
    ```mlir
    %none = onnx.none
    %y = onnx.Conv(%x, %w, %none) : ...
    ```
  }];
  let results = (outs NoneType:$result);
  let assemblyFormat = "attr-dict";
  let hasFolder = 1;
}

def ONNX_ConstantOp : ONNX_Op<"Constant", [ConstantLike]> {
  let summary = "a constant tensor (an ONNX initializer or Constant node)";
  let description = [{
    Weights are `dense_resource` blobs so that they are neither uniqued nor
    printed; small constants are plain `dense` attributes.
    ```mlir
    %w = onnx.Constant dense_resource<conv1.weight> : tensor<64x3x7x7xf32> : tensor<64x3x7x7xf32>
    %s = onnx.Constant dense<[1, -1]> : tensor<2xi64> : tensor<2xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "$value attr-dict `:` type($output)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops (numpy-style broadcasting)
//===----------------------------------------------------------------------===//

class ONNX_UnaryOp<string mnemonic, string desc, list<Trait> traits = []>
    : ONNX_Op<mnemonic, traits> {
  let summary = desc;
  let arguments = (ins AnyTensor:$X);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

foreach op = [["Relu", "max(x, 0)"], ["Sigmoid", "1 / (1 + exp(-x))"],
              ["Tanh", "hyperbolic tangent"], ["Exp", "e raised to x"],
              ["Log", "natural logarithm"], ["Sqrt", "square root"],
              ["Erf", "the error function"],
              ["Abs", "|x|"],
              ["HardSwish", "x * max(0, min(1, x / 6 + 1 / 2))"],
              ["Sin", "sine"], ["Cos", "cosine"], ["Sign", "sign of x"],
              ["Softplus", "log(exp(x) + 1)"], ["Round", "round half to even"],
              ["Tan", "tangent"], ["Asin", "arcsine"], ["Acos", "arccosine"],
              ["Atan", "arctangent"], ["Sinh", "hyperbolic sine"],
              ["Cosh", "hyperbolic cosine"], ["Asinh", "inverse hyperbolic sine"],
              ["Acosh", "inverse hyperbolic cosine"],
              ["Atanh", "inverse hyperbolic tangent"], ["Softsign", "x / (1 + |x|)"],
              ["Mish", "x * tanh(softplus(x))"], ["BitwiseNot", "bitwise not"]] in
  def ONNX_ # op[0] # Op : ONNX_UnaryOp<op[0], "elementwise " # op[1]>;

// Folded on float constants: the shape arithmetic of exported models (image
// sizes from scale factors) needs them.
foreach op = [["Reciprocal", "1 / x"], ["Floor", "round down"], ["Ceil", "round up"]] in
  def ONNX_ # op[0] # Op : ONNX_UnaryOp<op[0], "elementwise " # op[1]> {
    let hasFolder = 1;
  }

def ONNX_NegOp : ONNX_UnaryOp<"Neg", "elementwise -x"> {
  let hasFolder = 1; // shape arithmetic (function bodies negate axes)
}

def ONNX_NotOp : ONNX_UnaryOp<"Not", "elementwise logical not"> {
  let hasFolder = 1; // shape arithmetic (Attention's body tests head counts)
}

def ONNX_IdentityOp : ONNX_UnaryOp<"Identity", "x unchanged"> {
  let hasFolder = 1;
}
def ONNX_DropoutOp : ONNX_Op<"Dropout"> {
  let summary = "identity at inference; the front end rejects a used mask output";
  let arguments = (ins AnyTensor:$data, ONNX_TensorOrNone:$ratio,
                   ONNX_TensorOrNone:$training_mode);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_LeakyReluOp : ONNX_UnaryOp<"LeakyRelu", "x if x >= 0 else alpha * x"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "0.01">:$alpha);
}
def ONNX_EluOp : ONNX_UnaryOp<"Elu", "x if x >= 0 else alpha * (exp(x) - 1)"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
}
def ONNX_HardSigmoidOp : ONNX_UnaryOp<"HardSigmoid", "max(0, min(1, alpha * x + beta))"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "0.2">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.5">:$beta);
}
def ONNX_SeluOp : ONNX_UnaryOp<"Selu", "gamma * (x if x > 0 else alpha * (exp(x) - 1))"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "1.67326319217681884765625">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.05070102214813232421875">:$gamma);
}
def ONNX_CeluOp : ONNX_UnaryOp<"Celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
}
def ONNX_ThresholdedReluOp : ONNX_UnaryOp<"ThresholdedRelu", "x if x > alpha else 0"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
}
def ONNX_ShrinkOp : ONNX_UnaryOp<"Shrink", "x - bias if x > lambd, x + bias if x < -lambd, else 0"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "0.0">:$bias,
                   DefaultValuedAttr<F32Attr, "0.5">:$lambd);
}
def ONNX_SwishOp : ONNX_UnaryOp<"Swish", "x * sigmoid(alpha * x)"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
}
def ONNX_IsNaNOp : ONNX_UnaryOp<"IsNaN", "whether x is NaN (a bool tensor)">;
def ONNX_IsInfOp : ONNX_UnaryOp<"IsInf", "whether x is an infinity of the selected signs (a bool tensor)"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<ONNX_I64Attr, "1">:$detect_negative,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$detect_positive);
}
def ONNX_GeluOp : ONNX_UnaryOp<"Gelu", "Gaussian error linear unit"> {
  let arguments = (ins AnyTensor:$X, DefaultValuedAttr<StrAttr, "\"none\"">:$approximate);
}
def ONNX_CastOp : ONNX_UnaryOp<"Cast", "converts x to the element type `to`"> {
  let description = [{
    `to` is the ONNX TensorProto data type number. `saturate` (float8
    targets) clamps out-of-range values to the largest finite value instead
    of making them infinity or NaN; `round_mode` (float8e8m0 targets) is
    "up", "down" or "nearest".
  }];
  let arguments = (ins AnyTensor:$X, ONNX_I64Attr:$to,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$saturate,
                   DefaultValuedAttr<StrAttr, "\"up\"">:$round_mode);
  let hasFolder = 1;
}

class ONNX_BinaryOp<string mnemonic, string desc>
    : ONNX_Op<mnemonic> {
  let summary = "elementwise " # desc # " with numpy-style broadcasting";
  let arguments = (ins AnyTensor:$A, AnyTensor:$B);
  let results = (outs AnyTensor:$C);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

foreach op = [["Add", "a + b"], ["Sub", "a - b"], ["Mul", "a * b"],
              ["Div", "a / b"], ["Pow", "a ** b"], ["Equal", "a == b"],
              ["Less", "a < b"], ["LessOrEqual", "a <= b"],
              ["Greater", "a > b"], ["GreaterOrEqual", "a >= b"],
              ["And", "a and b"], ["Or", "a or b"], ["Xor", "a xor b"],
              ["BitwiseAnd", "bitwise a & b"], ["BitwiseOr", "bitwise a | b"],
              ["BitwiseXor", "bitwise a ^ b"]] in
  def ONNX_ # op[0] # Op : ONNX_BinaryOp<op[0], op[1]>;

def ONNX_PReluOp : ONNX_Op<"PRelu"> {
  let summary = "elementwise x if x >= 0 else slope * x; slope broadcasts to x";
  let arguments = (ins AnyTensor:$X, AnyTensor:$slope);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Strings: each element is computed by a runtime function
// (lib/Runtime/strings.c).
//===----------------------------------------------------------------------===//

def ONNX_StringConcatOp : ONNX_Op<"StringConcat"> {
  let summary = "elementwise concatenation of two string tensors, with broadcasting";
  let arguments = (ins AnyTensor:$X, AnyTensor:$Y);
  let results = (outs AnyTensor:$Z);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_RegexFullMatchOp : ONNX_Op<"RegexFullMatch"> {
  let summary = "whether each string matches `pattern` (RE2 syntax) in full";
  let arguments = (ins AnyTensor:$X, StrAttr:$pattern);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_StringSplitOp : ONNX_Op<"StringSplit"> {
  let summary = "each string split at `delimiter` (whitespace runs when absent or empty)";
  let description = [{
    Y has one more dim than X, as long as the most substrings of any element
    (padded with empty strings); Z counts each element's substrings. The
    last dim of Y depends on the data: the model's declared output shape
    gives it.
  }];
  let arguments = (ins AnyTensor:$X, OptionalAttr<StrAttr>:$delimiter,
                   OptionalAttr<ONNX_I64Attr>:$maxsplit);
  let results = (outs AnyTensor:$Y, AnyTensor:$Z);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_EnsureShapeOp : ONNX_Op<"EnsureShape"> {
  let summary = "mlc's own: a graph output computed with run-time dims, as its declared shape";
  let description = [{
    The front end puts it on a graph output whose dims are computed at run
    time (from shape inputs, say) but whose shape the model declares. A run
    that computes other dims fails with an error naming them instead of
    writing past the output. A -1 in `shape` keeps the value's own dim.
  }];
  let arguments = (ins AnyTensor:$X, I64ArrayAttr:$shape);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_ChangeCaseOp : ONNX_Op<"ChangeCase"> {
  let summary = "mlc's own: each string in upper or lower case (StringNormalizer's expansion)";
  let arguments = (ins AnyTensor:$X, StrAttr:$case_change_action);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_BitShiftOp : ONNX_Op<"BitShift"> {
  let summary = "elementwise logical shift of unsigned integers, with broadcasting";
  let arguments = (ins AnyTensor:$X, AnyTensor:$Y, StrAttr:$direction);
  let results = (outs AnyTensor:$Z);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_ModOp : ONNX_BinaryOp<"Mod", "remainder"> {
  let description = [{
    With `fmod = 0` (integers only) the result takes the sign of the divisor,
    like Python's `%`; with `fmod = 1` it takes the sign of the dividend, like
    C's `fmod`.
  }];
  let arguments = (ins AnyTensor:$A, AnyTensor:$B, DefaultValuedAttr<ONNX_I64Attr, "0">:$fmod);
}

class ONNX_VariadicOp<string mnemonic, string desc> : ONNX_Op<mnemonic> {
  let summary = "elementwise " # desc # " of any number of inputs, with broadcasting";
  let arguments = (ins Variadic<AnyTensor>:$data_0);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_MaxOp : ONNX_VariadicOp<"Max", "maximum"> {
  let hasFolder = 1;
}
def ONNX_MinOp : ONNX_VariadicOp<"Min", "minimum"> {
  let hasFolder = 1;
}
def ONNX_SumOp : ONNX_VariadicOp<"Sum", "sum">;
def ONNX_MeanOp : ONNX_VariadicOp<"Mean", "mean">;

def ONNX_WhereOp : ONNX_Op<"Where"> {
  let summary = "elementwise X if condition else Y, with broadcasting";
  let arguments = (ins TensorOf<[I1]>:$condition, AnyTensor:$X, AnyTensor:$Y);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_ClipOp : ONNX_Op<"Clip"> {
  let summary = "elementwise min(max(input, min), max); bounds are optional inputs";
  let arguments = (ins AnyTensor:$input, ONNX_TensorOrNone:$min, ONNX_TensorOrNone:$max);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, normalization
//===----------------------------------------------------------------------===//

def ONNX_ConvOp : ONNX_Op<"Conv"> {
  let summary = "N-d convolution with optional bias (NCHW, weights FCHW)";
  let description = [{
    ```mlir
    %y = onnx.Conv(%x, %w, %b) {pads = [1, 1, 1, 1], strides = [1, 1]}
        : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x32x32xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$X, AnyTensor:$W, ONNX_TensorOrNone:$B,
                   DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
                   OptionalAttr<I64ArrayAttr>:$dilations,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$group,
                   OptionalAttr<I64ArrayAttr>:$kernel_shape,
                   OptionalAttr<I64ArrayAttr>:$pads,
                   OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_ConvTransposeOp : ONNX_Op<"ConvTranspose"> {
  let summary = "N-d transposed convolution (NCHW, weights [C, F/group, k..])";
  let description = [{
    Each input element scatters its products with the kernel into the
    output at stride `strides`; `pads`, `output_shape` or `auto_pad` crop
    or extend the full result as ONNX defines it. The front end expands
    ConvTranspose of static shape into a Conv of the dilated input (the Conv
    kernels then do the work); this op remains where the input's channels
    or spatial dims, or the weights, are known only at run time.
  }];
  let arguments = (ins AnyTensor:$X, AnyTensor:$W, ONNX_TensorOrNone:$B,
                   DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
                   OptionalAttr<I64ArrayAttr>:$dilations,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$group,
                   OptionalAttr<I64ArrayAttr>:$kernel_shape,
                   OptionalAttr<I64ArrayAttr>:$output_padding,
                   OptionalAttr<I64ArrayAttr>:$output_shape,
                   OptionalAttr<I64ArrayAttr>:$pads,
                   OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

class ONNX_PoolOp<string mnemonic, string desc> : ONNX_Op<mnemonic> {
  let summary = desc;
  let arguments = (ins AnyTensor:$X,
                   DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$ceil_mode,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$count_include_pad,
                   OptionalAttr<I64ArrayAttr>:$dilations,
                   I64ArrayAttr:$kernel_shape,
                   OptionalAttr<I64ArrayAttr>:$pads,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$storage_order,
                   OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_MaxPoolOp : ONNX_PoolOp<"MaxPool", "max pooling over windows (NCHW)">;
def ONNX_AveragePoolOp : ONNX_PoolOp<"AveragePool", "average pooling over windows (NCHW)">;

class ONNX_GlobalPoolOp<string mnemonic, string desc> : ONNX_Op<mnemonic> {
  let summary = desc;
  let arguments = (ins AnyTensor:$X);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_GlobalAveragePoolOp : ONNX_GlobalPoolOp<"GlobalAveragePool", "mean over all spatial dims">;
def ONNX_GlobalMaxPoolOp : ONNX_GlobalPoolOp<"GlobalMaxPool", "max over all spatial dims">;

def ONNX_BatchNormalizationOp : ONNX_Op<"BatchNormalization"> {
  let summary = "inference-mode batch normalization over channel dim 1";
  let arguments = (ins AnyTensor:$X, AnyTensor:$scale, AnyTensor:$B,
                   AnyTensor:$input_mean, AnyTensor:$input_var,
                   DefaultValuedAttr<F32Attr, "1e-5">:$epsilon,
                   DefaultValuedAttr<F32Attr, "0.9">:$momentum,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$training_mode);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_InstanceNormalizationOp : ONNX_Op<"InstanceNormalization"> {
  let summary = "normalization over the spatial dims of each (n, c), then per-channel scale and bias";
  let arguments = (ins AnyTensor:$input, AnyTensor:$scale, AnyTensor:$B,
                   DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_RMSNormalizationOp : ONNX_Op<"RMSNormalization"> {
  let summary = "x / sqrt(mean(x^2) + epsilon) over the dims from `axis` on, times scale";
  let arguments = (ins AnyTensor:$X, AnyTensor:$scale,
                   DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F32Attr, "1e-5">:$epsilon,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$stash_type);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_LpNormalizationOp : ONNX_Op<"LpNormalization"> {
  let summary = "x divided by its L1 or L2 norm along `axis`";
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis,
                   DefaultValuedAttr<ONNX_I64Attr, "2">:$p);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_MeanVarianceNormalizationOp : ONNX_Op<"MeanVarianceNormalization"> {
  let summary = "(x - mean) / sqrt(variance) over `axes`";
  let arguments = (ins AnyTensor:$X, OptionalAttr<I64ArrayAttr>:$axes);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_LayerNormalizationOp : ONNX_Op<"LayerNormalization"> {
  let summary = "normalization over the dims from `axis` on, then scale and bias";
  let arguments = (ins AnyTensor:$X, AnyTensor:$Scale, ONNX_TensorOrNone:$B,
                   DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F32Attr, "1e-5">:$epsilon,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$stash_type);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_SoftmaxOp : ONNX_Op<"Softmax"> {
  let summary = "exp(x) / sum(exp(x)) along `axis`";
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_LogSoftmaxOp : ONNX_Op<"LogSoftmax"> {
  let summary = "log of softmax along `axis`";
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

def ONNX_MatMulOp : ONNX_Op<"MatMul"> {
  let summary = "numpy matmul: batched, with broadcasting of the batch dims";
  let arguments = (ins AnyTensor:$A, AnyTensor:$B);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_GemmOp : ONNX_Op<"Gemm"> {
  let summary = "alpha * op(A) * op(B) + beta * C on 2-d tensors";
  let arguments = (ins AnyTensor:$A, AnyTensor:$B, ONNX_TensorOrNone:$C,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$transA,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$transB);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class ONNX_ReduceOp<string mnemonic, string desc> : ONNX_Op<mnemonic> {
  let summary = desc # " over `axes` (an attribute before opset 18, an input from it on)";
  let description = [{
    The front end turns the axes input of newer opsets into the `axes`
    attribute when it is constant, so one op serves every opset.
  }];
  let arguments = (ins AnyTensor:$data, OptionalAttr<I64ArrayAttr>:$axes,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$keepdims,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$noop_with_empty_axes);
  let results = (outs AnyTensor:$reduced);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_ReduceMeanOp : ONNX_ReduceOp<"ReduceMean", "mean">;
def ONNX_ReduceSumOp : ONNX_ReduceOp<"ReduceSum", "sum">;
// Folded over all of a constant's elements (the min or max of a shape).
def ONNX_ReduceMaxOp : ONNX_ReduceOp<"ReduceMax", "maximum"> {
  let hasFolder = 1;
}
def ONNX_ReduceMinOp : ONNX_ReduceOp<"ReduceMin", "minimum"> {
  let hasFolder = 1;
}
def ONNX_ReduceProdOp : ONNX_ReduceOp<"ReduceProd", "product">;
def ONNX_ReduceL2Op : ONNX_ReduceOp<"ReduceL2", "Euclidean norm">;
def ONNX_ReduceL1Op : ONNX_ReduceOp<"ReduceL1", "sum of absolute values">;
def ONNX_ReduceSumSquareOp : ONNX_ReduceOp<"ReduceSumSquare", "sum of squares">;
def ONNX_ReduceLogSumOp : ONNX_ReduceOp<"ReduceLogSum", "log of the sum">;
def ONNX_ReduceLogSumExpOp : ONNX_ReduceOp<"ReduceLogSumExp", "log of the sum of exponentials">;

class ONNX_ArgReduceOp<string mnemonic, string desc> : ONNX_Op<mnemonic> {
  let summary = "int64 index of the " # desc # " along `axis`";
  let description = [{
    Ties go to the first index, or to the last with `select_last_index = 1`.
  }];
  let arguments = (ins AnyTensor:$data, DefaultValuedAttr<ONNX_I64Attr, "0">:$axis,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$keepdims,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$select_last_index);
  let results = (outs TensorOf<[I64]>:$reduced);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_ArgMaxOp : ONNX_ArgReduceOp<"ArgMax", "maximum">;
def ONNX_ArgMinOp : ONNX_ArgReduceOp<"ArgMin", "minimum">;

def ONNX_HardmaxOp : ONNX_Op<"Hardmax"> {
  let summary = "1 at the first maximum along `axis`, 0 elsewhere";
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

class ONNX_CumulativeOp<string mnemonic, string what> : ONNX_Op<mnemonic> {
  let summary = "cumulative " # what # " along the axis given by the 0-d or 1-element `axis` input";
  let description = [{
    `axis` may be computed at run time. With `exclusive = 1` each result
    leaves out its own element; with `reverse = 1` they run from the end.
  }];
  let arguments = (ins AnyTensor:$x, TensorOf<[I32, I64]>:$axis,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$exclusive,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$reverse);
  let results = (outs AnyTensor:$y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_CumSumOp : ONNX_CumulativeOp<"CumSum", "sum">;
def ONNX_CumProdOp : ONNX_CumulativeOp<"CumProd", "product">;

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def ONNX_ShapeOp : ONNX_Op<"Shape"> {
  let summary = "the shape of the input as a 1-d int64 tensor (dims start..end)";
  let arguments = (ins AnyTensor:$data, OptionalAttr<ONNX_I64Attr>:$start, OptionalAttr<ONNX_I64Attr>:$end);
  let results = (outs TensorOf<[I64]>:$shape);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_SizeOp : ONNX_Op<"Size"> {
  let summary = "the number of elements of the input as an int64 scalar";
  let arguments = (ins AnyTensor:$data);
  let results = (outs TensorOf<[I64]>:$size);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_ReshapeOp : ONNX_Op<"Reshape"> {
  let summary = "the same elements in a new shape (0 copies a dim, -1 infers one)";
  let arguments = (ins AnyTensor:$data, TensorOf<[I64]>:$shape,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$allowzero);
  let results = (outs AnyTensor:$reshaped);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_FlattenOp : ONNX_Op<"Flatten"> {
  let summary = "reshape to 2-d: dims before `axis` and dims from `axis` on";
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<ONNX_I64Attr, "1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_UnsqueezeOp : ONNX_Op<"Unsqueeze"> {
  let summary = "inserts dims of size 1 at `axes`";
  let description = [{ `axes` is an attribute: the front end moves the opset-13 input there. }];
  let arguments = (ins AnyTensor:$data, I64ArrayAttr:$axes);
  let results = (outs AnyTensor:$expanded);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_SqueezeOp : ONNX_Op<"Squeeze"> {
  let summary = "removes dims of size 1 (those at `axes`, or all of them)";
  let arguments = (ins AnyTensor:$data, OptionalAttr<I64ArrayAttr>:$axes);
  let results = (outs AnyTensor:$squeezed);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_TransposeOp : ONNX_Op<"Transpose"> {
  let summary = "permutes the dims (reverses them when `perm` is absent)";
  let arguments = (ins AnyTensor:$data, OptionalAttr<I64ArrayAttr>:$perm);
  let results = (outs AnyTensor:$transposed);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_ConcatOp : ONNX_Op<"Concat"> {
  let summary = "joins the inputs along `axis`";
  let arguments = (ins Variadic<AnyTensor>:$inputs, ONNX_I64Attr:$axis);
  let results = (outs AnyTensor:$concat_result);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_SplitOp : ONNX_Op<"Split"> {
  let summary = "splits the input along `axis` into parts of sizes `split`";
  let description = [{ The front end resolves the `split` input or `num_outputs` into the `split` attribute. }];
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<ONNX_I64Attr, "0">:$axis, I64ArrayAttr:$split);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_SliceOp : ONNX_Op<"Slice"> {
  let summary = "a strided window of the input (starts/ends/axes/steps inputs)";
  let arguments = (ins AnyTensor:$data, TensorOf<[I32, I64]>:$starts, TensorOf<[I32, I64]>:$ends,
                   ONNX_TensorOrNone:$axes, ONNX_TensorOrNone:$steps);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_GatherOp : ONNX_Op<"Gather"> {
  let summary = "takes the entries of `data` at `indices` along `axis`";
  let arguments = (ins AnyTensor:$data, TensorOf<[I32, I64]>:$indices,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_ExpandOp : ONNX_Op<"Expand"> {
  let summary = "broadcasts the input to `shape`";
  let arguments = (ins AnyTensor:$input, TensorOf<[I64]>:$shape);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_ConstantOfShapeOp : ONNX_Op<"ConstantOfShape"> {
  let summary = "a tensor of the given shape filled with `value`";
  let arguments = (ins TensorOf<[I64]>:$input, OptionalAttr<ElementsAttr>:$value);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_RangeOp : ONNX_Op<"Range"> {
  let summary = "start, start + delta, ... up to limit (exclusive)";
  let arguments = (ins AnyTensor:$start, AnyTensor:$limit, AnyTensor:$delta);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_GatherElementsOp : ONNX_Op<"GatherElements"> {
  let summary = "out[i][j] = data[indices[i][j]][j] (for axis 0; likewise for any axis)";
  let arguments = (ins AnyTensor:$data, TensorOf<[I32, I64]>:$indices,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_GatherNDOp : ONNX_Op<"GatherND"> {
  let summary = "slices of data at the index tuples in the last dim of indices (after batch_dims shared dims)";
  let arguments = (ins AnyTensor:$data, TensorOf<[I64]>:$indices,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$batch_dims);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_ReverseSequenceOp : ONNX_Op<"ReverseSequence"> {
  let summary = "reverses the first sequence_lens[b] elements along time_axis of each batch b";
  let arguments = (ins AnyTensor:$input, TensorOf<[I64]>:$sequence_lens,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$batch_axis,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$time_axis);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_BitCastOp : ONNX_Op<"BitCast"> {
  let summary = "reinterprets the bits of each element as element type `to` (of the same width)";
  let arguments = (ins AnyTensor:$input, ONNX_I64Attr:$to);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_TriluOp : ONNX_Op<"Trilu"> {
  let summary = "the upper or lower triangle of the last two dims, from diagonal `k` on";
  let arguments = (ins AnyTensor:$input, ONNX_TensorOrNone:$k,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$upper);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_TileOp : ONNX_Op<"Tile"> {
  let summary = "the input repeated `repeats[i]` times along each dim i";
  let arguments = (ins AnyTensor:$input, TensorOf<[I64]>:$repeats);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_EyeLikeOp : ONNX_Op<"EyeLike"> {
  let summary = "a 2-d tensor shaped like the input with ones on diagonal `k`";
  let description = [{ `dtype` is the ONNX data type number; absent, the input's type. }];
  let arguments = (ins AnyTensor:$input, OptionalAttr<ONNX_I64Attr>:$dtype,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$k);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_OneHotOp : ONNX_Op<"OneHot"> {
  let summary = "one-hot encoding of `indices` with `depth` classes along `axis`";
  let description = [{
    `values` is [off_value, on_value]; negative indices count from `depth`.
  }];
  let arguments = (ins AnyTensor:$indices, AnyTensor:$depth, AnyTensor:$values,
                   DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

class ONNX_SpaceDepthOp<string mnemonic, string desc> : ONNX_Op<mnemonic> {
  let summary = desc;
  let arguments = (ins AnyTensor:$input, ONNX_I64Attr:$blocksize,
                   DefaultValuedAttr<StrAttr, "\"DCR\"">:$mode);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}
def ONNX_DepthToSpaceOp : ONNX_SpaceDepthOp<"DepthToSpace",
    "moves blocks of channels into blocksize x blocksize spatial tiles (DCR or CRD order)">;
def ONNX_SpaceToDepthOp : ONNX_SpaceDepthOp<"SpaceToDepth",
    "moves blocksize x blocksize spatial tiles into channels">;

def ONNX_PadOp : ONNX_Op<"Pad"> {
  let summary = "pads the input by `pads` (begins then ends; negative ones crop) in `mode`: constant, edge, reflect or wrap";
  let arguments = (ins AnyTensor:$data, TensorOf<[I64]>:$pads, ONNX_TensorOrNone:$constant_value,
                   DefaultValuedAttr<StrAttr, "\"constant\"">:$mode);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_ResizeOp : ONNX_Op<"Resize"> {
  let summary = "resizes by nearest, N-linear or cubic interpolation";
  let description = [{
    One form for Resize 10 to 19 and Upsample: the front end passes
    `roi`, `scales` and `sizes` as operands (`none` when absent) and sets
    the attributes older opsets implied. `scales` and `sizes` may be
    computed at run time; the output shape then comes from the model's
    declaration. `axes` (opset 18) lists the dims that `roi`, `scales` and
    `sizes` describe (default: all).
  }];
  let arguments = (ins AnyTensor:$X, ONNX_TensorOrNone:$roi, ONNX_TensorOrNone:$scales,
                   ONNX_TensorOrNone:$sizes,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$antialias,
                   OptionalAttr<I64ArrayAttr>:$axes,
                   DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                   DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$exclude_outside,
                   DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value,
                   DefaultValuedAttr<StrAttr, "\"stretch\"">:$keep_aspect_ratio_policy,
                   DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
                   DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_EinsumOp : ONNX_Op<"Einsum"> {
  let summary = "sum of products over the subscripts an equation names";
  let description = [{
    `equation` as ONNX (numpy) writes it: "bij,bjk->bik", "...ii->...i",
    or implicit "ij,jk". Dims under an ellipsis must agree in size.
  }];
  let arguments = (ins Variadic<AnyTensor>:$Inputs, StrAttr:$equation);
  let results = (outs AnyTensor:$Output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_ScatterElementsOp : ONNX_Op<"ScatterElements"> {
  let summary = "data with updates[i][j] written at data[indices[i][j]][j] (axis 0; likewise any axis)";
  let description = [{
    `reduction` (opset 16/18) combines each update with what is there:
    none (the last update wins), add, mul, max, min. Scatter (opset 9) is
    this op too.
  }];
  let arguments = (ins AnyTensor:$data, TensorOf<[I32, I64]>:$indices, AnyTensor:$updates,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$axis,
                   DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_ScatterNDOp : ONNX_Op<"ScatterND"> {
  let summary = "data with the slices updates[u] written at data[indices[u]]";
  let description = [{
    `indices` has shape [u.., k]: each of its rows addresses the first k
    dims of `data`; `reduction` as for ScatterElements.
  }];
  let arguments = (ins AnyTensor:$data, TensorOf<[I64]>:$indices, AnyTensor:$updates,
                   DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_TopKOp : ONNX_Op<"TopK"> {
  let summary = "the k largest (or smallest) elements along `axis` and their indices";
  let description = [{
    `K` is a 1-element tensor (the front end turns opset 1's attribute into
    one). Results are always sorted; equal elements keep their input order.
  }];
  let arguments = (ins AnyTensor:$X, TensorOf<[I64]>:$K,
                   DefaultValuedAttr<ONNX_I64Attr, "-1">:$axis,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$largest,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$sorted);
  let results = (outs AnyTensor:$Values, AnyTensor:$Indices);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_NonMaxSuppressionOp : ONNX_Op<"NonMaxSuppression"> {
  let summary = "the [batch, class, box] rows of the boxes greedy non-maximum suppression keeps";
  let description = [{
    boxes [B, N, 4] (corners y1, x1, y2, x2 in either order, or center,
    width, height with center_point_box = 1) and scores [B, C, N]. Per batch
    and class, in descending score order (ties to the lower box index), a
    box whose score is above score_threshold (when has_score_threshold) is
    kept unless its IoU with a box kept before it is above iou_threshold;
    at most max_output_boxes_per_class are kept. The result [K, 3] lists
    them batch by batch, class by class, in the order kept; K is known only
    at run time. The three thresholds are 1-element tensors.
  }];
  let arguments = (ins TensorOf<[F32]>:$boxes, TensorOf<[F32]>:$scores,
                   TensorOf<[I64]>:$max_output_boxes_per_class,
                   TensorOf<[F32]>:$iou_threshold, TensorOf<[F32]>:$score_threshold,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$center_point_box,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$has_score_threshold);
  let results = (outs AnyTensor:$selected_indices);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_UniqueOp : ONNX_Op<"Unique"> {
  let summary = "the distinct elements (or slices along axis) of X, with where they come from";
  let description = [{
    Y holds the distinct elements of X (flattened) or, with `axis`, its
    distinct slices along that axis, sorted (`sorted` = 1) or in order of
    first appearance; indices the first position of each, inverse_indices
    each element's (slice's) position in Y, counts how often each occurs.
    Their length (Y's along the axis) is known only at run time. The front
    end expands Unique of static shape with a declared length itself.
  }];
  let arguments = (ins AnyTensor:$X, OptionalAttr<ONNX_I64Attr>:$axis,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$sorted);
  let results = (outs AnyTensor:$Y, AnyTensor:$indices, AnyTensor:$inverse_indices, AnyTensor:$counts);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_RoiAlignOp : ONNX_Op<"RoiAlign"> {
  let summary = "bilinear pooling of X over regions of interest (rois [R, 4] as x1, y1, x2, y2)";
  let description = [{
    Y [R, C, output_height, output_width]: each bin averages (or takes the
    largest weighted tap of) sampling_ratio x sampling_ratio bilinear
    samples of image batch_indices[r]. half_pixel shifts the scaled roi by
    -0.5; output_half_pixel (the legacy mode) keeps it and makes rois at
    least 1 x 1.
  }];
  let arguments = (ins AnyTensor:$X, AnyTensor:$rois, TensorOf<[I64]>:$batch_indices,
                   DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                   DefaultValuedAttr<StrAttr, "\"avg\"">:$mode,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$output_height,
                   DefaultValuedAttr<ONNX_I64Attr, "1">:$output_width,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$sampling_ratio,
                   DefaultValuedAttr<F32Attr, "1.0">:$spatial_scale);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def ONNX_GridSampleOp : ONNX_Op<"GridSample"> {
  let summary = "samples X at the normalized positions `grid` holds (N-d, opsets 16-22)";
  let description = [{
    X [N, C, d1..dr], grid [N, D1..Dr, r] with the innermost dim's
    coordinate first; Y [N, C, D1..Dr]. Opset 16's bilinear/bicubic are
    linear/cubic here.
  }];
  let arguments = (ins AnyTensor:$X, AnyTensor:$grid,
                   DefaultValuedAttr<ONNX_I64Attr, "0">:$align_corners,
                   DefaultValuedAttr<StrAttr, "\"linear\"">:$mode,
                   DefaultValuedAttr<StrAttr, "\"zeros\"">:$padding_mode);
  let results = (outs AnyTensor:$Y);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

#endif // MLC_ONNX_OPS
