//===- ONNXToLinalg.cpp - the onnx to linalg pass and shared builders -----===//
//
// The pass gathers the pattern families and applies them; whatever onnx op is
// left afterwards could not be lowered and becomes an error at its location
// (the ONNX node). The builders below are what the families share: filled
// tensors, broadcasting elementwise generics, reductions, reshapes.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace mlc::conversion {
#define GEN_PASS_DEF_CONVERTONNXTOLINALG
#include "passes/Conversion/ONNXToLinalg/Passes.h.inc"
} // namespace mlc::conversion

using namespace mlc::conversion;

RankedTensorType mlc::conversion::getStaticType(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

RankedTensorType mlc::conversion::getRankedType(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

Value mlc::conversion::scalarConstant(OpBuilder &b, Location loc, Type type, double v) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(f, v));
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, (int64_t)v));
}

Value mlc::conversion::createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                                    Value value, ValueRange dynamicSizes) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(), dynamicSizes);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

/// The indexing map of an operand of `shape` broadcast to `outShape`.
static AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> outShape) {
  SmallVector<AffineExpr> exprs;
  size_t offset = outShape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) {
    bool broadcast = shape[i] == 1 && outShape[i + offset] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(i + offset, ctx));
  }
  return AffineMap::get(outShape.size(), 0, exprs, ctx);
}

/// How an operand reads one dim of a broadcast result whose shape is only
/// known at run time.
enum class DimRead { Index, Zero, RunTime };

/// The elementwise generic when some dims are dynamic. Each dynamic result
/// dim is the operands' dim that is not 1 (1 when all are), read at run time.
/// An operand reads a dim at the loop index where that is certain (its dim is
/// static, or the only one that can exceed 1 and so the result's dynamic dim)
/// and at index 0 where its dim is a static 1; a dynamic dim that may be 1
/// while the result's is not is read through tensor.extract at
/// `dim == 1 ? 0 : index`.
static Value buildDynamicElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                                     ValueRange inputs, ScalarBuilder body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  // reads[input][result dim]; dims[input][result dim] for RunTime reads.
  SmallVector<SmallVector<DimRead>> reads(inputs.size(), SmallVector<DimRead>(rank, DimRead::Index));
  SmallVector<SmallVector<Value>> dims(inputs.size(), SmallVector<Value>(rank));
  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0; i < rank; ++i) {
    // The operands whose dim i can exceed 1.
    SmallVector<unsigned> wide;
    for (auto [n, in] : llvm::enumerate(inputs)) {
      auto t = cast<RankedTensorType>(in.getType());
      int64_t k = i - (rank - t.getRank());
      if (k >= 0 && t.getDimSize(k) != 1)
        wide.push_back(n);
      else if (k >= 0)
        reads[n][i] = DimRead::Zero;
    }
    for (unsigned n : wide) {
      auto t = cast<RankedTensorType>(inputs[n].getType());
      int64_t k = i - (rank - t.getRank());
      // The only operand that can exceed 1 gives a dynamic result dim.
      if (!t.isDynamicDim(k) || (wide.size() == 1 && resultType.isDynamicDim(i)))
        continue;
      if (!resultType.isDynamicDim(i) && resultType.getDimSize(i) == 1) {
        reads[n][i] = DimRead::Zero;
        continue;
      }
      reads[n][i] = DimRead::RunTime;
      dims[n][i] = tensor::DimOp::create(b, loc, inputs[n], k);
    }
    if (!resultType.isDynamicDim(i))
      continue;
    Value size = one;
    for (unsigned n : wide) {
      auto t = cast<RankedTensorType>(inputs[n].getType());
      Value d = b.createOrFold<tensor::DimOp>(loc, inputs[n], i - (rank - t.getRank()));
      Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, one);
      size = size == one ? d : Value(arith::SelectOp::create(b, loc, isOne, size, d));
    }
    dynamicSizes.push_back(size);
  }
  SmallVector<Value> direct;
  SmallVector<AffineMap> maps;
  for (auto [n, in] : llvm::enumerate(inputs)) {
    if (llvm::is_contained(reads[n], DimRead::RunTime))
      continue;
    auto t = cast<RankedTensorType>(in.getType());
    SmallVector<AffineExpr> exprs;
    for (int64_t k = 0; k < t.getRank(); ++k) {
      int64_t i = k + rank - t.getRank();
      exprs.push_back(reads[n][i] == DimRead::Zero ? getAffineConstantExpr(0, ctx)
                                                   : getAffineDimExpr(i, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
    direct.push_back(in);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(), resultType.getElementType(),
                                       dynamicSizes);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, direct, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> scalars;
        unsigned next = 0;
        for (auto [n, in] : llvm::enumerate(inputs)) {
          if (!llvm::is_contained(reads[n], DimRead::RunTime)) {
            scalars.push_back(args[next++]);
            continue;
          }
          auto t = cast<RankedTensorType>(in.getType());
          Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
          SmallVector<Value> indices;
          for (int64_t k = 0; k < t.getRank(); ++k) {
            int64_t i = k + rank - t.getRank();
            Value index = linalg::IndexOp::create(nb, nloc, i);
            if (reads[n][i] == DimRead::Zero)
              index = zero;
            else if (reads[n][i] == DimRead::RunTime)
              index = arith::SelectOp::create(
                  nb, nloc,
                  arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq, dims[n][i], one),
                  zero, index);
            indices.push_back(index);
          }
          scalars.push_back(tensor::ExtractOp::create(nb, nloc, in, indices));
        }
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, scalars));
      });
  return generic.getResult(0);
}

Value mlc::conversion::buildElementwise(OpBuilder &b, Location loc,
                                        RankedTensorType resultType, ValueRange inputs,
                                        ScalarBuilder body) {
  if (!resultType.hasStaticShape() ||
      llvm::any_of(inputs, [](Value in) { return !cast<RankedTensorType>(in.getType()).hasStaticShape(); }))
    return buildDynamicElementwise(b, loc, resultType, inputs, body);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(ctx, cast<RankedTensorType>(in.getType()).getShape(),
                                resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

static Value identityValue(OpBuilder &b, Location loc, Type type, ReductionKind kind) {
  if (auto f = dyn_cast<FloatType>(type)) {
    switch (kind) {
    case ReductionKind::Sum: return scalarConstant(b, loc, type, 0.0);
    case ReductionKind::Prod: return scalarConstant(b, loc, type, 1.0);
    case ReductionKind::Max:
      return arith::ConstantOp::create(
          b, loc, type, b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), true)));
    case ReductionKind::Min:
      return arith::ConstantOp::create(
          b, loc, type, b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), false)));
    }
  }
  unsigned w = type.getIntOrFloatBitWidth();
  // Booleans order false < true (unsigned): Max is any, Min is all.
  bool isBool = type.isInteger(1);
  switch (kind) {
  case ReductionKind::Sum: return scalarConstant(b, loc, type, 0);
  case ReductionKind::Prod: return scalarConstant(b, loc, type, 1);
  case ReductionKind::Max:
    return arith::ConstantOp::create(
        b, loc, type, b.getIntegerAttr(type, isBool ? APInt::getMinValue(w) : APInt::getSignedMinValue(w)));
  case ReductionKind::Min:
    return arith::ConstantOp::create(
        b, loc, type, b.getIntegerAttr(type, isBool ? APInt::getMaxValue(w) : APInt::getSignedMaxValue(w)));
  }
  llvm_unreachable("unknown reduction");
}

/// Folds v into the accumulator. Float sums and products may be reassociated:
/// that lets LLVM keep several partial results in vector lanes instead of one
/// serial chain of scalar adds (its rounding differs by the order of the
/// terms only).
static Value combine(OpBuilder &b, Location loc, ReductionKind kind, Value acc, Value v) {
  bool isFloat = isa<FloatType>(v.getType());
  auto reassoc = arith::FastMathFlags::reassoc;
  switch (kind) {
  case ReductionKind::Sum:
    return isFloat ? Value(arith::AddFOp::create(b, loc, acc, v, reassoc))
                   : Value(arith::AddIOp::create(b, loc, acc, v));
  case ReductionKind::Prod:
    return isFloat ? Value(arith::MulFOp::create(b, loc, acc, v, reassoc))
                   : Value(arith::MulIOp::create(b, loc, acc, v));
  case ReductionKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, acc, v);
    return v.getType().isInteger(1) ? Value(arith::MaxUIOp::create(b, loc, acc, v))
                                    : Value(arith::MaxSIOp::create(b, loc, acc, v));
  case ReductionKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, acc, v);
    return v.getType().isInteger(1) ? Value(arith::MinUIOp::create(b, loc, acc, v))
                                    : Value(arith::MinSIOp::create(b, loc, acc, v));
  }
  llvm_unreachable("unknown reduction");
}

Value mlc::conversion::buildReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, ReductionKind kind,
    bool keepDims, function_ref<Value(OpBuilder &, Location, Value)> mapInput) {
  auto inType = cast<RankedTensorType>(input.getType());
  Type et = inType.getElementType();
  MLIRContext *ctx = b.getContext();
  int64_t rank = inType.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0; i < rank; ++i) {
    bool reduced = llvm::is_contained(axes, i);
    iterators.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (!reduced) {
      outShape.push_back(inType.getDimSize(i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
      if (inType.isDynamicDim(i))
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, i));
    }
  }
  auto outType = RankedTensorType::get(outShape, et);
  Value init = createFilled(b, loc, outType, identityValue(b, loc, et, kind), dynamicSizes);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  Value reduced =
      linalg::GenericOp::create(
          b, loc, outType, input, init, maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            Value v = mapInput ? mapInput(nb, nloc, args[0]) : args[0];
            linalg::YieldOp::create(nb, nloc, combine(nb, nloc, kind, args[1], v));
          })
          .getResult(0);
  if (!keepDims)
    return reduced;
  return keepReducedDims(b, loc, reduced, inType, axes);
}

Value mlc::conversion::inverseCount(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes, Type t) {
  auto type = cast<RankedTensorType>(x.getType());
  if (llvm::none_of(axes, [&](int64_t a) { return type.isDynamicDim(a); })) {
    int64_t count = 1;
    for (int64_t a : axes)
      count *= type.getDimSize(a);
    return scalarConstant(b, loc, t, 1.0 / count);
  }
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t a : axes)
    count = b.createOrFold<arith::MulIOp>(loc, count, b.createOrFold<tensor::DimOp>(loc, x, a));
  Value n = arith::SIToFPOp::create(
      b, loc, t, arith::IndexCastOp::create(b, loc, b.getI64Type(), count));
  return arith::DivFOp::create(b, loc, scalarConstant(b, loc, t, 1.0), n);
}

Value mlc::conversion::keepReducedDims(OpBuilder &b, Location loc, Value reduced,
                                       RankedTensorType inType, ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(reduced.getType());
  SmallVector<int64_t> keptShape(inType.getShape());
  for (int64_t a : axes)
    keptShape[a] = 1;
  auto keptType = RankedTensorType::get(keptShape, type.getElementType());
  if (type.hasStaticShape())
    return reshapeTo(b, loc, reduced, keptType);
  // Each unit dim joins the group of the kept dim before it (or after it, at
  // the front), so that every group holds at most one dynamic dim.
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t i = 0; i < inType.getRank(); ++i) {
    if (!llvm::is_contained(axes, i)) {
      groups.push_back(leading);
      groups.back().push_back(i);
      leading.clear();
    } else if (groups.empty()) {
      leading.push_back(i);
    } else {
      groups.back().push_back(i);
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, keptType, reduced, groups);
}

Type mlc::conversion::storageType(Type t) {
  if (isa<onnx::StringType>(t))
    return IntegerType::get(t.getContext(), 64);
  if (onnx::isLowPrecisionType(t))
    return IntegerType::get(t.getContext(), 8);
  if (auto i = dyn_cast<IntegerType>(t); i && !i.isSignless())
    return IntegerType::get(t.getContext(), i.getWidth());
  return t;
}

/// An empty tensor of `type` whose run-time dims are `like`'s, except
/// `axis`, which is `axisSize` (an i64) when given.
Value mlc::conversion::emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like, int64_t axis,
                                 Value axisSize) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      continue;
    if (d == axis && axisSize)
      dynamic.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), axisSize));
    else
      dynamic.push_back(tensor::DimOp::create(b, loc, like, d));
  }
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(), dynamic);
}

Value mlc::conversion::runtimeCall(OpBuilder &b, Location loc, StringRef callee, Type result, ValueRange args) {
  return kernel::CallOp::create(b, loc, result, callee, args);
}

Value mlc::conversion::stringLiteral(OpBuilder &b, Location loc, StringRef text) {
  return kernel::StringLiteralOp::create(b, loc, b.getI64Type(), text);
}

/// Retypes `tensor` to `type` (of the same shape): a tensor.bitcast between
/// element types of one width, else a cast that the end of the pass removes
/// when it retypes the function to storage types.
static Value retypeTensor(OpBuilder &b, Location loc, Value tensor, RankedTensorType type) {
  if (tensor.getType() == type)
    return tensor;
  Type from = cast<RankedTensorType>(tensor.getType()).getElementType(), to = type.getElementType();
  if (from.isIntOrFloat() && to.isIntOrFloat() && from.getIntOrFloatBitWidth() == to.getIntOrFloatBitWidth())
    return tensor::BitcastOp::create(b, loc, type, tensor);
  return UnrealizedConversionCastOp::create(b, loc, TypeRange{type}, ValueRange{tensor}).getResult(0);
}

Value mlc::conversion::toStorage(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return retypeTensor(b, loc, tensor, type.clone(storageType(type.getElementType())));
}

Value mlc::conversion::fromStorage(OpBuilder &b, Location loc, Value tensor, Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return retypeTensor(b, loc, tensor, type.clone(elementType));
}

Value mlc::conversion::padInto(OpBuilder &b, Location loc, Value input, ArrayRef<OpFoldResult> low,
                               ArrayRef<OpFoldResult> high, Value value) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> inSizes = tensor::getMixedSizes(b, loc, input), sizes;
  for (auto [size, lo, hi] : llvm::zip(inSizes, low, high)) {
    Value total = getValueOrCreateConstantIndexOp(b, loc, size);
    for (OpFoldResult p : {lo, hi})
      total = b.createOrFold<arith::AddIOp>(loc, total, getValueOrCreateConstantIndexOp(b, loc, p));
    sizes.push_back(getAsOpFoldResult(total));
  }
  Value padded = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  padded = linalg::FillOp::create(b, loc, value, padded).getResult(0);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, input, padded, low, inSizes, strides);
}

Value mlc::conversion::createPad(OpBuilder &b, Location loc, RankedTensorType type,
                                 Value input, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                                 Value value) {
  return tensor::PadOp::create(b, loc, type, input,
                               getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high), value);
}

Value mlc::conversion::reshapeTo(OpBuilder &b, Location loc, Value value,
                                 RankedTensorType type) {
  auto src = cast<RankedTensorType>(value.getType());
  if (src == type)
    return value;
  // Same dims, one side more static (a declared shape): a cast.
  if (src.getRank() == type.getRank() &&
      llvm::all_of(llvm::zip(src.getShape(), type.getShape()), [](auto dims) {
        auto [a, b] = dims;
        return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
      }))
    return tensor::CastOp::create(b, loc, type, value);
  if (!src.hasStaticShape() || !type.hasStaticShape()) {
    // Dims known at run time: the result's static dims as they are, and its
    // dynamic ones the source's dims other than static 1s, matched in
    // order (reshapes that add or drop unit dims), or, for one dynamic dim
    // that has no match, the element count over the static dims.
    SmallVector<int64_t> kept;
    for (int64_t i = 0; i < src.getRank(); ++i)
      if (src.getDimSize(i) != 1)
        kept.push_back(i);
    SmallVector<Value> dims, srcDims;
    Value total = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t i = 0; i < src.getRank(); ++i)
      total = b.createOrFold<arith::MulIOp>(loc, total, b.createOrFold<tensor::DimOp>(loc, value, i));
    bool matched = llvm::count_if(type.getShape(), [](int64_t d) { return d != 1; }) ==
                   (int64_t)kept.size();
    int64_t staticCount = 1;
    for (int64_t d : type.getShape())
      staticCount *= ShapedType::isDynamic(d) ? 1 : d;
    size_t next = 0;
    for (int64_t d : type.getShape()) {
      size_t at = d != 1 ? next++ : next;
      if (!ShapedType::isDynamic(d))
        dims.push_back(arith::ConstantIndexOp::create(b, loc, d));
      else if (matched)
        dims.push_back(b.createOrFold<tensor::DimOp>(loc, value, kept[at]));
      else
        dims.push_back(b.createOrFold<arith::DivUIOp>(
            loc, total, arith::ConstantIndexOp::create(b, loc, std::max<int64_t>(staticCount, 1))));
    }
    Value shape = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({type.getRank()}, b.getIndexType()), dims);
    return tensor::ReshapeOp::create(b, loc, type, value, shape);
  }
  if (src.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, type, value, ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, value, ArrayRef<ReassociationIndices>{});
  // Through one dimension: canonicalization folds the pair where it can.
  auto flatType = RankedTensorType::get({src.getNumElements()}, src.getElementType());
  ReassociationIndices all;
  for (int64_t i = 0; i < src.getRank(); ++i)
    all.push_back(i);
  Value flat = src.getRank() == 1
                   ? value
                   : Value(tensor::CollapseShapeOp::create(b, loc, flatType, value,
                                                           ArrayRef<ReassociationIndices>{all}));
  if (type.getRank() == 1)
    return flat;
  ReassociationIndices allOut;
  for (int64_t i = 0; i < type.getRank(); ++i)
    allOut.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, type, flat, ArrayRef<ReassociationIndices>{allOut});
}

/// storageType for the element type of any tensor.
static Type toStorageType(Type type) {
  if (auto t = dyn_cast<RankedTensorType>(type))
    if (Type et = storageType(t.getElementType()); et != t.getElementType())
      return t.clone(et);
  return storageType(type);
}

/// A constant's value in the storage type: the same bits for uiN and float8,
/// one byte per element for the 4- and 2-bit types (sign-extended int4 and
/// int2, zero-extended uint4, uint2 and float4 bits).
static Attribute toStorageAttr(Attribute value) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed)
    return value;
  Type type = typed.getType(), et = getElementTypeOrSelf(type), st = storageType(et);
  if (st == et)
    return value;
  auto storageBits = [&](APInt bits) {
    return et.isSignedInteger() || (et.isSignlessInteger() && bits.getBitWidth() < 8)
               ? bits.sext(st.getIntOrFloatBitWidth())
               : bits.zext(st.getIntOrFloatBitWidth());
  };
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto storage = cast<ShapedType>(type).clone(st);
    if (isa<FloatType>(et))
      return DenseElementsAttr::get(
          storage, llvm::map_to_vector(dense.getValues<APFloat>(),
                                       [&](const APFloat &f) { return storageBits(f.bitcastToAPInt()); }));
    return DenseElementsAttr::get(storage, llvm::map_to_vector(dense.getValues<APInt>(), storageBits));
  }
  if (auto i = dyn_cast<IntegerAttr>(value))
    return IntegerAttr::get(st, storageBits(i.getValue()));
  if (auto f = dyn_cast<FloatAttr>(value))
    return IntegerAttr::get(st, storageBits(f.getValue().bitcastToAPInt()));
  return value;
}

/// Retypes the lowered function to storage types: ONNX's uint types to
/// signless integers, the low-precision types to bytes. The onnx dialect
/// keeps the ONNX types so that its folders and the lowering know how to
/// read the bits; below it everything computes on storage types, and the
/// casts that the patterns put around each unsigned or low-precision op
/// become no-ops, which go.
static void makeStorageTypes(func::FuncOp func) {
  func.walk([](Operation *op) {
    for (Value r : op->getResults())
      r.setType(toStorageType(r.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument a : block.getArguments())
          a.setType(toStorageType(a.getType()));
    if (auto constant = dyn_cast<arith::ConstantOp>(op))
      constant.setValueAttr(cast<TypedAttr>(toStorageAttr(constant.getValue())));
  });
  SmallVector<Type> inputs, results;
  for (Type t : func.getFunctionType().getInputs())
    inputs.push_back(toStorageType(t));
  for (Type t : func.getFunctionType().getResults())
    results.push_back(toStorageType(t));
  func.setType(FunctionType::get(func.getContext(), inputs, results));
  auto dropIdentity = [](Operation *op) {
    if (op->getNumOperands() == 1 && op->getNumResults() == 1 &&
        op->getResult(0).getType() == op->getOperand(0).getType()) {
      op->getResult(0).replaceAllUsesWith(op->getOperand(0));
      op->erase();
    }
  };
  func.walk([&](tensor::BitcastOp op) { dropIdentity(op); });
  func.walk([&](UnrealizedConversionCastOp op) { dropIdentity(op); });
}

namespace {
struct ConvertONNXToLinalgPass
    : mlc::conversion::impl::ConvertONNXToLinalgBase<ConvertONNXToLinalgPass> {
  using ConvertONNXToLinalgBase::ConvertONNXToLinalgBase;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Microkernels first, on their own, so that a producer is never lowered
    // to linalg before the Relu or bias Add that would fuse into it is seen.
    if (useMicrokernels) {
      RewritePatternSet microkernels(&getContext());
      populateONNXMicrokernelPatterns(microkernels);
      populateONNXRuntimeCallPatterns(microkernels);
      GreedyRewriteConfig mkConfig;
      mkConfig.enableFolding(false);
      if (failed(applyPatternsGreedily(func, std::move(microkernels), mkConfig)))
        return signalPassFailure();
    }

    RewritePatternSet patterns(&getContext());
    // Elementwise arithmetic, activations, casts, where/clip.
    populateONNXElementwiseToLinalgPatterns(patterns);
    // Convolution and pooling.
    populateONNXConvPoolToLinalgPatterns(patterns);
    // MatMul and Gemm.
    populateONNXMatMulToLinalgPatterns(patterns);
    // BatchNormalization, LayerNormalization, Softmax, reductions.
    populateONNXNormalizationToLinalgPatterns(patterns);
    // Constants, reshapes, transposes, concat, slice, gather, expand, pad.
    populateONNXTensorToLinalgPatterns(patterns);
    populateONNXResizeToLinalgPatterns(patterns);
    populateONNXShapeToLinalgPatterns(patterns);
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config))) {
      func.emitError("internal error: the onnx lowering did not converge");
      return signalPassFailure();
    }

    WalkResult left = func.walk([&](Operation *op) {
      if (!isa<mlc::onnx::ONNXDialect>(op->getDialect()) || isa<mlc::onnx::NoneOp>(op))
        return WalkResult::advance();
      bool dynamic = llvm::any_of(op->getResultTypes(), [](Type t) {
        auto ranked = dyn_cast<RankedTensorType>(t);
        return !isa<NoneType>(t) && (!ranked || !ranked.hasStaticShape());
      });
      if (dynamic)
        op->emitError("operator '")
            << op->getName().stripDialect()
            << "' is not supported with symbolic dims (result types " << op->getResultTypes()
            << "); fix the model's symbolic input dims with --input-shape NAME=DIMS";
      else
        op->emitError("operator '") << op->getName().stripDialect()
                                    << "' is not supported by the lowering with these operands and attributes";
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      return signalPassFailure();
    func.walk([](mlc::onnx::NoneOp op) {
      if (op->use_empty())
        op->erase();
    });
    makeStorageTypes(func);
  }
};
} // namespace
