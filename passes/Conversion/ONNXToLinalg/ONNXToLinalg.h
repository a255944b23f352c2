//===- ONNXToLinalg.h - shared pieces of the onnx lowering ------*- C++ -*-===//
//
// The pattern families (one file each) and the builders they share.
//
//===----------------------------------------------------------------------===//
#ifndef MLC_PASSES_CONVERSION_ONNXTOLINALG_ONNXTOLINALG_H
#define MLC_PASSES_CONVERSION_ONNXTOLINALG_ONNXTOLINALG_H

#include "dialects/ONNX/ONNXDialect.h"
#include "passes/Conversion/ONNXToLinalg/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlc::conversion {

void populateONNXElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateONNXConvPoolToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateONNXMatMulToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateONNXNormalizationToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateONNXTensorToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateONNXResizeToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Shape and Size, and reshapes whose dims are read at run time.
void populateONNXShapeToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// TopK, CumSum/CumProd, ScatterElements and NonMaxSuppression as calls of
/// the runtime's sequential functions (CPU only).
void populateONNXRuntimeCallPatterns(mlir::RewritePatternSet &patterns);
/// Conv/MatMul/Gemm with constant float32 weights to kernel.conv2d and
/// kernel.matmul (runtime microkernels), with Relu and bias epilogues.
void populateONNXMicrokernelPatterns(mlir::RewritePatternSet &patterns);

/// Body of an elementwise generic: scalar arguments in, scalar result out.
using ScalarBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A static result type, or null (then the pattern fails).
mlir::RankedTensorType getStaticType(mlir::Value value);

/// A ranked result type, static or with dynamic dims, or null. Patterns that
/// read dims at run time use it in place of getStaticType.
mlir::RankedTensorType getRankedType(mlir::Value value);

/// `linalg.fill` of a new tensor of `type` (its dynamic dims sized by
/// `dynamicSizes`, in order) with `value`.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value,
                         mlir::ValueRange dynamicSizes = {});

/// A scalar constant of `type` (float or integer) with value `v`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double v);

/// One `linalg.generic` computing `body` over `inputs` broadcast (numpy style)
/// to `resultType`. Dynamic dims are read at run time, broadcasting included.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarBuilder body);

enum class ReductionKind { Sum, Max, Min, Prod };

/// Reduces `input` over `axes` (sorted, unique) with `kind`; the result drops
/// the reduced dims, or keeps them as 1 with `keepDims`. `mapInput` turns each
/// input element into what is accumulated (e.g. a square); may be null.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           ReductionKind kind, bool keepDims,
                           llvm::function_ref<mlir::Value(mlir::OpBuilder &,
                                                          mlir::Location,
                                                          mlir::Value)>
                               mapInput = nullptr);

/// The type arith computes on for an element type: uiN -> iN, one byte (i8)
/// for the low-precision types (float8 and float4 bits, int4 and int2
/// sign-extended, uint4 and uint2 zero-extended), and the address of a
/// NUL-terminated string (i64) for strings.
mlir::Type storageType(mlir::Type t);

/// `tensor` with its storage element type (a no-op bitcast for uiN).
mlir::Value toStorage(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

/// Converts a scalar between the common element types (those that arith
/// computes on); `fromUnsigned`/`toUnsigned` say how the signless integers
/// are to be read (ONNX's uint types).
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, mlir::Type to,
                       bool fromUnsigned = false, bool toUnsigned = false);

/// Cast's scalar body: `v`, in the storage type of ONNX element type `from`,
/// converted to `to` and returned in to's storage type. Covers every type
/// pair, the low-precision types included (Cast.cpp); `saturate` and
/// `roundMode` are Cast's attributes for float8 targets.
mlir::Value castElement(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, mlir::Type from,
                        mlir::Type to, bool saturate = true, llvm::StringRef roundMode = "up");

/// An empty tensor of `type` whose run-time dims are `like`'s, except
/// `axis`, which is `axisSize` (an i64) when given.
mlir::Value emptyLike(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                      mlir::Value like, int64_t axis = -1, mlir::Value axisSize = {});

/// A call of the runtime's scalar function `callee` (kernel.call), e.g. the
/// string functions of include/mlc/runtime.h.
mlir::Value runtimeCall(mlir::OpBuilder &b, mlir::Location loc, llvm::StringRef callee,
                        mlir::Type result, mlir::ValueRange args);

/// The address (i64) of a constant NUL-terminated copy of `text`.
mlir::Value stringLiteral(mlir::OpBuilder &b, mlir::Location loc, llvm::StringRef text);

/// The inverse of toStorage: `tensor` (of storage type) as `elementType`.
mlir::Value fromStorage(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                        mlir::Type elementType);

/// `tensor.pad` of `input` by static `low`/`high` amounts with `value`.
mlir::Value createPad(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::RankedTensorType type, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value value);

/// `input` padded by `low`/`high` (per dim, known at run time) with `value`,
/// as a filled tensor with the input inserted: a kernel then writes the
/// result into a buffer its caller allocates, which a tensor.pad of dynamic
/// shape would allocate inside the kernel.
mlir::Value padInto(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                    llvm::ArrayRef<mlir::OpFoldResult> low, llvm::ArrayRef<mlir::OpFoldResult> high,
                    mlir::Value value);

/// 1 / (the number of elements of `x` along `axes`) as a scalar of type `t`:
/// a constant where those dims are static, else computed at run time.
mlir::Value inverseCount(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                         llvm::ArrayRef<int64_t> axes, mlir::Type t);

/// `reduced` (an `inType` reduced over `axes`) with those dims back as 1s.
mlir::Value keepReducedDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value reduced,
                            mlir::RankedTensorType inType, llvm::ArrayRef<int64_t> axes);

/// `value` reshaped to the static `type` with the same number of elements, or
/// cast to `type` where both have the same dims up to dynamic ones.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      mlir::RankedTensorType type);

} // namespace mlc::conversion

#endif // MLC_PASSES_CONVERSION_ONNXTOLINALG_ONNXTOLINALG_H
