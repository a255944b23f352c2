//===- ONNXFolders.cpp - compile-time evaluation of onnx ops --------------===//
//
// Folders for the ops that exported models use to compute shapes (Shape,
// Gather, Concat, Unsqueeze, arithmetic on int64, ...) and for no-op ops
// (Identity, inference-mode Dropout, reshapes to the same type). Elementwise
// arithmetic folds only on small constants: it exists to resolve shape
// computations, not to evaluate the model at compile time.
//
//===----------------------------------------------------------------------===//
#include "dialects/ONNX/ONNXDialect.h"

#include "llvm/ADT/APSInt.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlc::onnx;

namespace {
/// Constants with more elements than this are not folded elementwise.
constexpr int64_t kMaxFoldElements = 4096;

bool isStatic(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape();
}

DenseElementsAttr asDense(Attribute a) {
  auto d = dyn_cast_or_null<DenseElementsAttr>(a);
  if (!d || d.getNumElements() > kMaxFoldElements)
    return nullptr;
  return d;
}

/// A constant of `resultType` whose element i is element `source(i)` of the
/// constant `input`: any float32 constant (dense or a resource blob, such as
/// weights), other element types up to kMaxFoldElements. Null if `input` is
/// not such a constant.
Attribute gatherConstant(Attribute input, RankedTensorType resultType,
                         function_ref<int64_t(int64_t)> source) {
  auto elements = dyn_cast_or_null<ElementsAttr>(input);
  int64_t n = resultType.getNumElements();
  if (elements && elements.getElementType().isF32() && !isa<DenseElementsAttr>(input)) {
    auto values = getF32Values(elements);
    if (!values)
      return {};
    std::vector<float> out(n);
    for (int64_t i = 0; i < n; ++i)
      out[i] = (*values)[source(i)];
    return makeF32Constant(resultType, "folded", out);
  }
  auto dense = asDense(input);
  if (!dense)
    return {};
  if (dense.isSplat())
    return dense.resizeSplat(resultType);
  auto values = llvm::to_vector(dense.getValues<Attribute>());
  SmallVector<Attribute> out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i)
    out.push_back(values[source(i)]);
  return DenseElementsAttr::get(resultType, out);
}

/// Linear index into an operand of `inShape` broadcast to `outShape`.
int64_t broadcastIndex(int64_t linear, ArrayRef<int64_t> outShape, ArrayRef<int64_t> inShape) {
  int64_t idx = 0, stride = 1;
  size_t offset = outShape.size() - inShape.size();
  for (int64_t d = outShape.size() - 1; d >= 0; --d) {
    int64_t coord = linear % outShape[d];
    linear /= outShape[d];
    if (d >= (int64_t)offset) {
      int64_t inDim = inShape[d - offset];
      idx += (inDim == 1 ? 0 : coord) * stride;
      stride *= inDim;
    }
  }
  return idx;
}

using IntFn = function_ref<std::optional<APInt>(const APInt &, const APInt &)>;
using FloatFn = function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>;

/// Folds a broadcasting binary op over two small dense constants.
Attribute foldBinary(Operation *op, Attribute lhsAttr, Attribute rhsAttr, IntFn intFn,
                     FloatFn floatFn, bool isCompare = false) {
  auto lhs = asDense(lhsAttr), rhs = asDense(rhsAttr);
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhs || !rhs || !resultType || !resultType.hasStaticShape() ||
      resultType.getNumElements() > kMaxFoldElements ||
      lhs.getElementType() != rhs.getElementType())
    return {};
  ArrayRef<int64_t> out = resultType.getShape();
  ArrayRef<int64_t> ls = lhs.getType().getShape(), rs = rhs.getType().getShape();
  int64_t n = resultType.getNumElements();
  Type et = lhs.getElementType();
  if (isa<IntegerType>(et)) {
    if (!intFn) return {};
    auto lv = llvm::to_vector(lhs.getValues<APInt>());
    auto rv = llvm::to_vector(rhs.getValues<APInt>());
    SmallVector<APInt> values;
    for (int64_t i = 0; i < n; ++i) {
      auto r = intFn(lv[broadcastIndex(i, out, ls)], rv[broadcastIndex(i, out, rs)]);
      if (!r) return {};
      values.push_back(*r);
    }
    return DenseElementsAttr::get(resultType, values);
  }
  if (isa<FloatType>(et)) {
    if (!floatFn) return {};
    auto lv = llvm::to_vector(lhs.getValues<APFloat>());
    auto rv = llvm::to_vector(rhs.getValues<APFloat>());
    if (isCompare) {
      SmallVector<bool> bits;
      for (int64_t i = 0; i < n; ++i) {
        auto r = floatFn(lv[broadcastIndex(i, out, ls)], rv[broadcastIndex(i, out, rs)]);
        if (!r) return {};
        bits.push_back(!r->isZero());
      }
      return DenseElementsAttr::get(resultType, bits);
    }
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < n; ++i) {
      auto r = floatFn(lv[broadcastIndex(i, out, ls)], rv[broadcastIndex(i, out, rs)]);
      if (!r) return {};
      values.push_back(*r);
    }
    return DenseElementsAttr::get(resultType, values);
  }
  return {};
}

APInt boolInt(bool b) { return APInt(1, b ? 1 : 0); }
APFloat boolFloat(bool b) { return APFloat(b ? 1.0f : 0.0f); }

/// Reinterprets a constant with a new static type of the same element count:
/// dense data is reshaped, resource blobs are shared.
Attribute reshapeConstant(Attribute value, Type newType) {
  auto shaped = dyn_cast_or_null<RankedTensorType>(newType);
  if (!value || !shaped || !shaped.hasStaticShape())
    return {};
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(shaped);
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(shaped, res.getRawHandle());
  return {};
}

/// Whether an op that only reshapes can fold: to its operand when the types
/// match, or to a reshaped constant.
OpFoldResult foldReshapeLike(Operation *op, Value input, Attribute inputAttr) {
  Type resultType = op->getResult(0).getType();
  if (input.getType() == resultType && isStatic(resultType))
    return input;
  return reshapeConstant(inputAttr, resultType);
}
} // namespace

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getX(); }

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  auto x = dyn_cast_or_null<DenseElementsAttr>(adaptor.getX());
  if (!x || x.getType() != getType())
    return {};
  if (isa<IntegerType>(x.getElementType()))
    return x.mapValues(x.getElementType(), [](const APInt &v) { return -v; });
  if (isa<FloatType>(x.getElementType()))
    return x.mapValues(x.getElementType(), [](const APFloat &v) {
      APFloat r = v;
      r.changeSign();
      return r.bitcastToAPInt();
    });
  return {};
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  auto x = dyn_cast_or_null<DenseElementsAttr>(adaptor.getX());
  if (!x || x.getType() != getType() || !x.getElementType().isInteger(1))
    return {};
  return x.mapValues(x.getElementType(), [](const APInt &v) { return ~v; });
}

OpFoldResult DropoutOp::fold(FoldAdaptor adaptor) {
  if (isa<NoneType>(getTrainingMode().getType()))
    return getData();
  if (auto mode = asDense(adaptor.getTrainingMode()); mode && !mode.getSplatValue<bool>())
    return getData();
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getX().getType() == getType())
    return getX();
  auto in = asDense(adaptor.getX());
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!in || !resultType)
    return {};
  Type from = in.getElementType(), to = resultType.getElementType();
  // Low-precision casts round, wrap and saturate by ONNX's rules, which
  // APFloat's conversions do not follow; they are left to the lowering.
  if (isLowPrecisionType(from) || isLowPrecisionType(to))
    return {};
  auto toInt = dyn_cast<IntegerType>(to);
  if (isa<IntegerType>(from) && toInt) {
    bool isSigned = !cast<IntegerType>(from).isUnsigned() && !from.isInteger(1);
    return in.mapValues(to, [&](const APInt &v) {
      if (toInt.getWidth() == 1) return APInt(1, !v.isZero());
      return isSigned ? v.sextOrTrunc(toInt.getWidth()) : v.zextOrTrunc(toInt.getWidth());
    });
  }
  if (isa<IntegerType>(from) && isa<FloatType>(to)) {
    SmallVector<APFloat> values;
    bool isSigned = !cast<IntegerType>(from).isUnsigned() && !from.isInteger(1);
    for (const APInt &v : in.getValues<APInt>()) {
      APFloat f(cast<FloatType>(to).getFloatSemantics());
      f.convertFromAPInt(v, isSigned, APFloat::rmNearestTiesToEven);
      values.push_back(f);
    }
    return DenseElementsAttr::get(resultType, values);
  }
  if (isa<FloatType>(from) && isa<FloatType>(to)) {
    SmallVector<APFloat> values;
    for (APFloat v : in.getValues<APFloat>()) {
      bool lost;
      v.convert(cast<FloatType>(to).getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(resultType, values);
  }
  if (isa<FloatType>(from) && toInt) {
    SmallVector<APInt> values;
    for (const APFloat &v : in.getValues<APFloat>()) {
      if (toInt.getWidth() == 1) { values.push_back(APInt(1, !v.isZero())); continue; }
      APSInt i(toInt.getWidth(), toInt.isUnsigned());
      bool exact;
      v.convertToInteger(i, APFloat::rmTowardZero, &exact);
      values.push_back(i);
    }
    return DenseElementsAttr::get(resultType, values);
  }
  return {};
}

#define FOLD_BINARY(OP, INT, FLOAT, ...)                                       \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldBinary(                                                         \
        *this, adaptor.getA(), adaptor.getB(),                                 \
        [&](const APInt &a, const APInt &b) -> std::optional<APInt> { INT; },  \
        [&](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {    \
          FLOAT;                                                               \
        } __VA_OPT__(, ) __VA_ARGS__);                                         \
  }
FOLD_BINARY(AddOp, return a + b, return a + b)
FOLD_BINARY(SubOp, return a - b, return a - b)
FOLD_BINARY(MulOp, return a * b, return a * b)
FOLD_BINARY(DivOp, if (b.isZero()) return std::nullopt; return a.sdiv(b), return a / b)
FOLD_BINARY(ModOp, if (b.isZero()) return std::nullopt;
            APInt r = a.srem(b);
            if (!getFmod() && !r.isZero() && (r.isNegative() != b.isNegative())) r += b;
            return r, return std::nullopt)
FOLD_BINARY(PowOp, return std::nullopt, return std::nullopt)
FOLD_BINARY(EqualOp, return boolInt(a == b), return boolFloat(a.compare(b) == APFloat::cmpEqual), true)
FOLD_BINARY(LessOp, return boolInt(a.slt(b)), return boolFloat(a.compare(b) == APFloat::cmpLessThan), true)
FOLD_BINARY(LessOrEqualOp, return boolInt(a.sle(b)),
            auto c = a.compare(b); return boolFloat(c == APFloat::cmpLessThan || c == APFloat::cmpEqual), true)
FOLD_BINARY(GreaterOp, return boolInt(a.sgt(b)), return boolFloat(a.compare(b) == APFloat::cmpGreaterThan), true)
FOLD_BINARY(GreaterOrEqualOp, return boolInt(a.sge(b)),
            auto c = a.compare(b); return boolFloat(c == APFloat::cmpGreaterThan || c == APFloat::cmpEqual), true)
FOLD_BINARY(AndOp, return a & b, return std::nullopt)
FOLD_BINARY(OrOp, return a | b, return std::nullopt)
FOLD_BINARY(XorOp, return a ^ b, return std::nullopt)
FOLD_BINARY(BitwiseAndOp, return a & b, return std::nullopt)
FOLD_BINARY(BitwiseOrOp, return a | b, return std::nullopt)
FOLD_BINARY(BitwiseXorOp, return a ^ b, return std::nullopt)
#undef FOLD_BINARY

/// A float constant with `fn` applied to each element (same type).
static OpFoldResult foldUnaryFloat(Operation *op, Attribute input, function_ref<APFloat(APFloat)> fn) {
  auto x = asDense(input);
  if (!x || x.getType() != op->getResult(0).getType() || !isa<FloatType>(x.getElementType()) ||
      x.getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<APFloat> values;
  for (const APFloat &v : x.getValues<APFloat>())
    values.push_back(fn(v));
  return DenseElementsAttr::get(x.getType(), values);
}

OpFoldResult ReciprocalOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(*this, adaptor.getX(), [](APFloat v) {
    APFloat one(v.getSemantics(), 1);
    one.divide(v, APFloat::rmNearestTiesToEven);
    return one;
  });
}
OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(*this, adaptor.getX(), [](APFloat v) {
    v.roundToIntegral(APFloat::rmTowardNegative);
    return v;
  });
}
OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(*this, adaptor.getX(), [](APFloat v) {
    v.roundToIntegral(APFloat::rmTowardPositive);
    return v;
  });
}

/// Min/Max of two constants (NaN wins, as in the lowering).
static OpFoldResult foldMinMax(Operation *op, ArrayRef<Attribute> operands, bool isMax) {
  if (operands.size() != 2)
    return {};
  auto resultType = dyn_cast<ShapedType>(op->getResult(0).getType());
  bool isUnsigned = resultType && resultType.getElementType().isUnsignedInteger();
  return foldBinary(
      op, operands[0], operands[1],
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        bool aFirst = isUnsigned ? (isMax ? a.ugt(b) : a.ult(b)) : (isMax ? a.sgt(b) : a.slt(b));
        return aFirst ? a : b;
      },
      [&](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return isMax ? llvm::maximum(a, b) : llvm::minimum(a, b);
      });
}
OpFoldResult MaxOp::fold(FoldAdaptor adaptor) { return foldMinMax(*this, adaptor.getData_0(), true); }
OpFoldResult MinOp::fold(FoldAdaptor adaptor) { return foldMinMax(*this, adaptor.getData_0(), false); }

/// ReduceMin/ReduceMax of every element of a constant (no axes, or all of
/// them) into a one-element result.
template <typename OpTy>
static OpFoldResult foldReduceAll(OpTy op, Attribute input, bool isMax) {
  auto x = asDense(input);
  auto resultType = dyn_cast<RankedTensorType>(op.getType());
  if (!x || !resultType || !resultType.hasStaticShape() || resultType.getNumElements() != 1 ||
      x.getNumElements() == 0 || x.getNumElements() > kMaxFoldElements)
    return {};
  if (auto axes = op.getAxes(); axes && (int64_t)axes->size() != x.getType().getRank())
    return {};
  Type et = x.getElementType();
  if (isa<IntegerType>(et)) {
    bool isUnsigned = et.isUnsignedInteger();
    auto values = llvm::to_vector(x.getValues<APInt>());
    APInt best = values[0];
    for (const APInt &v : values)
      best = (isUnsigned ? (isMax ? v.ugt(best) : v.ult(best)) : (isMax ? v.sgt(best) : v.slt(best))) ? v : best;
    return DenseElementsAttr::get(resultType, best);
  }
  if (isa<FloatType>(et)) {
    auto values = llvm::to_vector(x.getValues<APFloat>());
    APFloat best = values[0];
    for (const APFloat &v : values)
      best = isMax ? llvm::maximum(best, v) : llvm::minimum(best, v);
    return DenseElementsAttr::get(resultType, best);
  }
  return {};
}
OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) { return foldReduceAll(*this, adaptor.getData(), true); }
OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) { return foldReduceAll(*this, adaptor.getData(), false); }

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  auto c = asDense(adaptor.getCondition());
  auto x = asDense(adaptor.getX()), y = asDense(adaptor.getY());
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!c || !x || !y || !resultType || !resultType.hasStaticShape())
    return {};
  ArrayRef<int64_t> out = resultType.getShape();
  auto cv = llvm::to_vector(c.getValues<bool>());
  auto xv = llvm::to_vector(x.getValues<Attribute>());
  auto yv = llvm::to_vector(y.getValues<Attribute>());
  SmallVector<Attribute> values;
  for (int64_t i = 0, n = resultType.getNumElements(); i < n; ++i)
    values.push_back(cv[broadcastIndex(i, out, c.getType().getShape())]
                         ? xv[broadcastIndex(i, out, x.getType().getShape())]
                         : yv[broadcastIndex(i, out, y.getType().getShape())]);
  return DenseElementsAttr::get(resultType, values);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto in = dyn_cast<RankedTensorType>(getData().getType());
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!in || !resultType || !resultType.hasStaticShape())
    return {};
  int64_t rank = in.getRank();
  int64_t start = getStart().value_or(0), end = getEnd().value_or(rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  SmallVector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) {
    if (in.isDynamicDim(i)) return {};
    dims.push_back(in.getDimSize(i));
  }
  return DenseElementsAttr::get(resultType, ArrayRef<int64_t>(dims));
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  auto in = dyn_cast<RankedTensorType>(getData().getType());
  if (!in || !in.hasStaticShape() || !isStatic(getType()))
    return {};
  return DenseElementsAttr::get(cast<ShapedType>(getType()), in.getNumElements());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, getData(), adaptor.getData());
}
OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, getInput(), adaptor.getInput());
}
OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, getData(), adaptor.getData());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, getData(), adaptor.getData());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!resultType || !resultType.hasStaticShape())
    return {};
  int64_t rank = resultType.getRank();
  SmallVector<int64_t> perm;
  if (getPerm())
    for (Attribute a : getPermAttr()) perm.push_back(cast<IntegerAttr>(a).getInt());
  else
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  bool identity = true;
  for (int64_t i = 0; i < rank; ++i) identity &= perm[i] == i;
  if (identity)
    return getData();
  auto inType = dyn_cast<RankedTensorType>(getData().getType());
  if (!inType || !inType.hasStaticShape())
    return {};
  ArrayRef<int64_t> inShape = inType.getShape();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  ArrayRef<int64_t> outShape = resultType.getShape();
  return gatherConstant(adaptor.getData(), resultType, [&](int64_t i) {
    int64_t rem = i, src = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      src += (rem % outShape[d]) * inStrides[perm[d]];
      rem /= outShape[d];
    }
    return src;
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  if (!resultType || !resultType.hasStaticShape() || resultType.getNumElements() > kMaxFoldElements)
    return {};
  int64_t rank = resultType.getRank();
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
  SmallVector<SmallVector<Attribute>> inputs;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Attribute a : adaptor.getInputs()) {
    auto d = asDense(a);
    if (!d) return {};
    inputs.push_back(llvm::to_vector(d.getValues<Attribute>()));
    shapes.push_back(d.getType().getShape());
  }
  // Walk outer (dims before axis) x input x inner block.
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= resultType.getDimSize(d);
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t k = 0; k < inputs.size(); ++k) {
      int64_t block = 1;
      for (int64_t d = axis; d < rank; ++d) block *= shapes[k][d];
      out.append(inputs[k].begin() + o * block, inputs[k].begin() + (o + 1) * block);
    }
  return DenseElementsAttr::get(resultType, out);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (resultType && resultType == getData().getType() && resultType.hasStaticShape()) {
    // A slice that keeps every element in order is the identity.
    auto steps = getConstantInts(getSteps());
    bool unitSteps = isa<NoneType>(getSteps().getType()) ||
                     (succeeded(steps) && llvm::all_of(*steps, [](int64_t s) { return s == 1; }));
    if (unitSteps)
      return getData();
  }
  auto inType = dyn_cast<RankedTensorType>(getData().getType());
  if (!adaptor.getData() || !inType || !inType.hasStaticShape() || !resultType ||
      !resultType.hasStaticShape())
    return {};
  auto starts = getConstantInts(getStarts());
  auto axes = getConstantInts(getAxes());
  auto steps = getConstantInts(getSteps());
  if (failed(starts))
    return {};
  int64_t rank = resultType.getRank();
  ArrayRef<int64_t> inShape = inType.getShape();
  SmallVector<int64_t> begin(rank, 0), step(rank, 1);
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t ax = succeeded(axes) ? (*axes)[i] : (int64_t)i;
    if (ax < 0) ax += rank;
    int64_t st = succeeded(steps) ? (*steps)[i] : 1;
    int64_t b = (*starts)[i], dim = inShape[ax];
    if (b < 0) b += dim;
    b = st > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, -1, dim - 1);
    begin[ax] = b;
    step[ax] = st;
  }
  ArrayRef<int64_t> outShape = resultType.getShape();
  return gatherConstant(adaptor.getData(), resultType, [&](int64_t i) {
    int64_t rem = i, src = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t c = rem % outShape[d];
      rem /= outShape[d];
      src += (begin[d] + c * step[d]) * stride;
      stride *= inShape[d];
    }
    return src;
  });
}

/// Gather of static dims from the shape of a tensor whose other dims are
/// symbolic: those dims' values.
static OpFoldResult foldGatherOfShape(GatherOp op, DenseElementsAttr idx, RankedTensorType resultType) {
  auto shape = op.getData().getDefiningOp<ShapeOp>();
  auto in = shape ? dyn_cast<RankedTensorType>(shape.getData().getType()) : RankedTensorType();
  if (!in || !idx || op.getAxis() != 0 || shape.getStart() || shape.getEnd())
    return {};
  SmallVector<int64_t> dims;
  for (const APInt &v : idx.getValues<APInt>()) {
    int64_t i = v.getSExtValue();
    if (i < 0) i += in.getRank();
    if (i < 0 || i >= in.getRank() || in.isDynamicDim(i)) return {};
    dims.push_back(in.getDimSize(i));
  }
  return DenseElementsAttr::get(resultType, ArrayRef<int64_t>(dims));
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto in = asDense(adaptor.getData());
  auto idx = asDense(adaptor.getIndices());
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!idx || !resultType || !resultType.hasStaticShape())
    return {};
  if (!in)
    return foldGatherOfShape(*this, idx, resultType);
  ArrayRef<int64_t> inShape = in.getType().getShape();
  int64_t rank = inShape.size();
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= inShape[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= inShape[d];
  auto values = llvm::to_vector(in.getValues<Attribute>());
  SmallVector<int64_t> indices;
  for (const APInt &v : idx.getValues<APInt>()) {
    int64_t i = v.getSExtValue();
    if (i < 0) i += inShape[axis];
    if (i < 0 || i >= inShape[axis]) return {};
    indices.push_back(i);
  }
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : indices)
      for (int64_t k = 0; k < inner; ++k)
        out.push_back(values[(o * inShape[axis] + i) * inner + k]);
  return DenseElementsAttr::get(resultType, out);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && isStatic(getType()))
    return getInput();
  auto in = asDense(adaptor.getInput());
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!in || !resultType || !resultType.hasStaticShape() ||
      resultType.getNumElements() > kMaxFoldElements)
    return {};
  if (in.isSplat())
    return DenseElementsAttr::get(resultType, in.getSplatValue<Attribute>());
  auto values = llvm::to_vector(in.getValues<Attribute>());
  SmallVector<Attribute> out;
  for (int64_t i = 0, n = resultType.getNumElements(); i < n; ++i)
    out.push_back(values[broadcastIndex(i, resultType.getShape(), in.getType().getShape())]);
  return DenseElementsAttr::get(resultType, out);
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!resultType || !resultType.hasStaticShape())
    return {};
  Attribute fill;
  if (getValue()) {
    auto d = dyn_cast<DenseElementsAttr>(*getValue());
    if (!d || d.getNumElements() != 1) return {};
    fill = *d.getValues<Attribute>().begin();
  } else {
    fill = FloatAttr::get(resultType.getElementType(), 0.0);
  }
  return DenseElementsAttr::get(resultType, fill);
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto resultType = dyn_cast<RankedTensorType>(getType());
  auto s = asDense(adaptor.getStart()), d = asDense(adaptor.getDelta());
  if (!s || !d || !resultType || !resultType.hasStaticShape() ||
      resultType.getNumElements() > kMaxFoldElements)
    return {};
  Type et = resultType.getElementType();
  int64_t n = resultType.getNumElements();
  if (auto it = dyn_cast<IntegerType>(et)) {
    int64_t start = (*s.getValues<APInt>().begin()).getSExtValue();
    int64_t delta = (*d.getValues<APInt>().begin()).getSExtValue();
    SmallVector<APInt> values;
    for (int64_t i = 0; i < n; ++i) values.push_back(APInt(it.getWidth(), start + i * delta, true));
    return DenseElementsAttr::get(resultType, values);
  }
  if (et.isF32()) {
    float start = (*s.getValues<APFloat>().begin()).convertToFloat();
    float delta = (*d.getValues<APFloat>().begin()).convertToFloat();
    SmallVector<float> values;
    for (int64_t i = 0; i < n; ++i) values.push_back(start + i * delta);
    return DenseElementsAttr::get(resultType, ArrayRef<float>(values));
  }
  return {};
}
