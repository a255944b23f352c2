//===- ONNXDialect.h - the onnx dialect -------------------------*- C++ -*-===//
//
// The ONNX graph as MLIR: one op per ONNX operator (ONNXOps.td).
//
//===----------------------------------------------------------------------===//
#ifndef MLC_DIALECTS_ONNX_ONNXDIALECT_H
#define MLC_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/ONNX/ONNXDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/ONNX/ONNXTypes.h.inc"
#include "dialects/ONNX/ONNXInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/ONNX/ONNXOps.h.inc"

namespace mlc::onnx {

/// Maps an ONNX TensorProto data type number to an MLIR element type; null
/// for types mlc does not support.
mlir::Type convertONNXElementType(mlir::MLIRContext *ctx, int64_t onnxType);
/// The inverse of convertONNXElementType; 0 (UNDEFINED) when there is none.
int64_t getONNXElementType(mlir::Type type);

/// Whether `type` is one of ONNX's low-precision element types: the float8
/// formats (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU), float4
/// (f4E2M1FN) and the 4- and 2-bit integers. Below the onnx dialect each
/// element of these types takes one byte (see ONNXToLinalg's storage types);
/// only casts, quantization and data movement compute on them.
bool isLowPrecisionType(mlir::Type type);

/// Normalises a possibly negative axis against `rank`; fails when out of range.
mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// The numpy broadcast of two shapes (dynamic dims stay dynamic); fails when
/// the shapes are incompatible.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// The int64 values of `value` when it is produced by a constant; failure
/// otherwise.
mlir::FailureOr<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value value);

/// The integers of an optional array attribute, or `n` copies of `dflt` when
/// it is absent or empty.
llvm::SmallVector<int64_t> getI64s(std::optional<mlir::ArrayAttr> attr,
                                   size_t n, int64_t dflt);

/// Explicit begin/end pads of a convolution or pooling window from its
/// `auto_pad` and `pads` attributes (begins for every spatial dim, then ends).
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolvePads(mlir::Operation *op, llvm::StringRef autoPad,
            llvm::ArrayRef<int64_t> inSpatial, llvm::ArrayRef<int64_t> kernel,
            llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations,
            std::optional<mlir::ArrayAttr> padsAttr);

/// The float32 values of a constant (dense or dense_resource); nullopt when
/// the attribute is not float32 or holds no data.
std::optional<std::vector<float>> getF32Values(mlir::ElementsAttr attr);

/// A float32 constant kept as a `dense_resource` blob named after `name`.
mlir::ElementsAttr makeF32Constant(mlir::ShapedType type, llvm::StringRef name,
                                   llvm::ArrayRef<float> values);

/// An Einsum equation resolved against its operands' ranks: every subscript
/// letter (and each dim an ellipsis stands for) is a loop, numbered in order
/// of first appearance; `inputs[i][d]` is the loop of operand i's dim d and
/// `output` the loops of the result's dims.
struct EinsumSpec {
  llvm::SmallVector<llvm::SmallVector<int64_t>> inputs;
  llvm::SmallVector<int64_t> output;
  int64_t numLoops = 0;
};

/// Parses `equation` ("ij,jk->ik", "...ii->...i", implicit "ij,jk") for
/// operands of `ranks`; failure with `why` set when it is malformed or does
/// not match the ranks. Without "->" the output is the ellipsis dims, then
/// the letters used once, alphabetically.
mlir::FailureOr<EinsumSpec> parseEinsum(llvm::StringRef equation,
                                        llvm::ArrayRef<int64_t> ranks,
                                        std::string &why);

} // namespace mlc::onnx

#endif // MLC_DIALECTS_ONNX_ONNXDIALECT_H
