//===- ONNXShapeInference.cpp - result types of onnx ops ------------------===//
//
// ShapeInferenceOpInterface for every onnx op. Each method computes the
// result element type and shape from the operand types and whichever operands
// are constants, and reports inconsistent operands as an error at the op (the
// op's location is the ONNX node). Unknown dims are dynamic; an operand of
// unknown rank gives a result of unknown rank.
//
//===----------------------------------------------------------------------===//
#include "dialects/ONNX/ONNXDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlc::onnx;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;

/// The shape of a ranked tensor value; failure for unranked.
FailureOr<SmallVector<int64_t>> shapeOf(Value v) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    return SmallVector<int64_t>(t.getShape());
  return failure();
}

Type elementTypeOf(Value v) { return cast<TensorType>(v.getType()).getElementType(); }

/// The values of a 1-d shape tensor where some are known: a constant, or a
/// Concat of constants and other 1-d tensors of static length (whose values
/// are kDyn). torchvision builds shapes so, e.g. ConstantOfShape of
/// Concat(num_rois, 256, 14, 14) with num_rois known only at run time.
FailureOr<SmallVector<int64_t>> partialShapeValues(Value shape) {
  if (auto constant = getConstantInts(shape); succeeded(constant))
    return constant;
  auto concat = shape.getDefiningOp<ConcatOp>();
  if (!concat)
    return failure();
  SmallVector<int64_t> values;
  for (Value part : concat.getInputs()) {
    if (auto constant = getConstantInts(part); succeeded(constant)) {
      values.append(*constant);
      continue;
    }
    auto type = dyn_cast<RankedTensorType>(part.getType());
    if (!type || type.getRank() != 1 || type.isDynamicDim(0))
      return failure();
    values.append(type.getDimSize(0), kDyn);
  }
  return values;
}

/// Sets a result's type, keeping what its current type already knows: a
/// result typed from the model's declared shapes (the front end refines
/// results with them) stays as refined when the operands alone say less.
void setResultType(Operation *op, unsigned idx, std::optional<ArrayRef<int64_t>> shape,
                   Type elementType) {
  auto known = dyn_cast<RankedTensorType>(op->getResult(idx).getType());
  if (known && known.getElementType() != elementType)
    known = nullptr;
  if (!shape) {
    op->getResult(idx).setType(known ? Type(known) : Type(UnrankedTensorType::get(elementType)));
    return;
  }
  SmallVector<int64_t> dims(*shape);
  if (known && known.getRank() == (int64_t)dims.size())
    for (auto [d, k] : llvm::zip(dims, known.getShape()))
      if (ShapedType::isDynamic(d))
        d = k;
  op->getResult(idx).setType(RankedTensorType::get(dims, elementType));
}

/// Sets result 0 to `shape` if known, else to an unranked tensor.
LogicalResult setResult(Operation *op, FailureOr<SmallVector<int64_t>> shape,
                        Type elementType) {
  if (succeeded(shape))
    setResultType(op, 0, ArrayRef<int64_t>(*shape), elementType);
  else
    setResultType(op, 0, std::nullopt, elementType);
  return success();
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d)) return kDyn;
    p *= d;
  }
  return p;
}

LogicalResult inferBroadcast(Operation *op, ValueRange operands, Type elementType) {
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    auto s = shapeOf(v);
    if (failed(s))
      return setResult(op, failure(), elementType);
    auto b = broadcastShapes(shape, *s);
    if (failed(b))
      return op->emitOpError("operand shapes cannot be broadcast together");
    shape = *b;
  }
  return setResult(op, shape, elementType);
}

LogicalResult inferSameAsOperand(Operation *op, Value operand) {
  return setResult(op, shapeOf(operand), elementTypeOf(operand));
}

/// Output size of one spatial dim of a convolution or pooling window.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                         int64_t padBegin, int64_t padEnd, bool ceilMode) {
  if (ShapedType::isDynamic(in)) return kDyn;
  int64_t effective = dilation * (kernel - 1) + 1;
  int64_t num = in + padBegin + padEnd - effective;
  int64_t out = (ceilMode ? (num + stride - 1) / stride : num / stride) + 1;
  // With ceil mode the last window must start inside the input or left pad.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

} // namespace

SmallVector<int64_t> mlc::onnx::getI64s(std::optional<ArrayAttr> attr, size_t n, int64_t dflt) {
  SmallVector<int64_t> v;
  if (attr)
    for (Attribute a : *attr)
      v.push_back(cast<IntegerAttr>(a).getInt());
  if (v.empty())
    v.assign(n, dflt);
  return v;
}

FailureOr<SmallVector<int64_t>>
mlc::onnx::resolvePads(Operation *op, StringRef autoPad, ArrayRef<int64_t> inSpatial,
            ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
            ArrayRef<int64_t> dilations, std::optional<ArrayAttr> padsAttr) {
  size_t n = kernel.size();
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = getI64s(padsAttr, 2 * n, 0);
    if (pads.size() != 2 * n)
      return op->emitOpError("expects ") << 2 * n << " pads, got " << pads.size();
    return pads;
  }
  SmallVector<int64_t> pads(2 * n, 0);
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return op->emitOpError("unsupported auto_pad '") << autoPad << "'";
  for (size_t i = 0; i < n; ++i) {
    // Decided at run time (the lowering computes it); the output dim is
    // dynamic either way.
    if (ShapedType::isDynamic(inSpatial[i]))
      continue;
    int64_t out = (inSpatial[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - inSpatial[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + n] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferShapes() {
  getResult().setType(cast<TensorType>(getValue().getType()));
  return success();
}

#define SAME_AS_OPERAND(OP, OPERAND)                                           \
  LogicalResult OP::inferShapes() { return inferSameAsOperand(*this, OPERAND); }
SAME_AS_OPERAND(ReluOp, getX())
SAME_AS_OPERAND(SigmoidOp, getX())
SAME_AS_OPERAND(TanhOp, getX())
SAME_AS_OPERAND(ExpOp, getX())
SAME_AS_OPERAND(LogOp, getX())
SAME_AS_OPERAND(SqrtOp, getX())
SAME_AS_OPERAND(ErfOp, getX())
SAME_AS_OPERAND(NegOp, getX())
SAME_AS_OPERAND(AbsOp, getX())
SAME_AS_OPERAND(ReciprocalOp, getX())
SAME_AS_OPERAND(FloorOp, getX())
SAME_AS_OPERAND(CeilOp, getX())
SAME_AS_OPERAND(NotOp, getX())
SAME_AS_OPERAND(IdentityOp, getX())
SAME_AS_OPERAND(HardSwishOp, getX())
SAME_AS_OPERAND(SinOp, getX())
SAME_AS_OPERAND(CosOp, getX())
SAME_AS_OPERAND(SignOp, getX())
SAME_AS_OPERAND(SoftplusOp, getX())
SAME_AS_OPERAND(RoundOp, getX())
SAME_AS_OPERAND(LeakyReluOp, getX())
SAME_AS_OPERAND(EluOp, getX())
SAME_AS_OPERAND(HardSigmoidOp, getX())
SAME_AS_OPERAND(GeluOp, getX())
SAME_AS_OPERAND(DropoutOp, getData())
SAME_AS_OPERAND(ClipOp, getInput())
SAME_AS_OPERAND(BatchNormalizationOp, getX())
SAME_AS_OPERAND(LayerNormalizationOp, getX())
SAME_AS_OPERAND(SoftmaxOp, getInput())
SAME_AS_OPERAND(LogSoftmaxOp, getInput())
SAME_AS_OPERAND(TanOp, getX())
SAME_AS_OPERAND(AsinOp, getX())
SAME_AS_OPERAND(AcosOp, getX())
SAME_AS_OPERAND(AtanOp, getX())
SAME_AS_OPERAND(SinhOp, getX())
SAME_AS_OPERAND(CoshOp, getX())
SAME_AS_OPERAND(AsinhOp, getX())
SAME_AS_OPERAND(AcoshOp, getX())
SAME_AS_OPERAND(AtanhOp, getX())
SAME_AS_OPERAND(SoftsignOp, getX())
SAME_AS_OPERAND(MishOp, getX())
SAME_AS_OPERAND(BitwiseNotOp, getX())
SAME_AS_OPERAND(SeluOp, getX())
SAME_AS_OPERAND(CeluOp, getX())
SAME_AS_OPERAND(ThresholdedReluOp, getX())
SAME_AS_OPERAND(ShrinkOp, getX())
SAME_AS_OPERAND(SwishOp, getX())
SAME_AS_OPERAND(HardmaxOp, getInput())
SAME_AS_OPERAND(CumSumOp, getX())
SAME_AS_OPERAND(CumProdOp, getX())
SAME_AS_OPERAND(ScatterElementsOp, getData())
SAME_AS_OPERAND(ScatterNDOp, getData())
SAME_AS_OPERAND(InstanceNormalizationOp, getInput())
SAME_AS_OPERAND(RMSNormalizationOp, getX())
SAME_AS_OPERAND(LpNormalizationOp, getInput())
SAME_AS_OPERAND(MeanVarianceNormalizationOp, getX())
SAME_AS_OPERAND(TriluOp, getInput())
#undef SAME_AS_OPERAND

LogicalResult IsNaNOp::inferShapes() {
  return setResult(*this, shapeOf(getX()), IntegerType::get(getContext(), 1));
}
LogicalResult IsInfOp::inferShapes() {
  return setResult(*this, shapeOf(getX()), IntegerType::get(getContext(), 1));
}

LogicalResult CastOp::inferShapes() {
  Type to = convertONNXElementType(getContext(), getTo());
  if (!to)
    return emitOpError("unsupported target type ") << getTo();
  return setResult(*this, shapeOf(getX()), to);
}

#define BROADCAST(OP, ELEMENT_TYPE)                                            \
  LogicalResult OP::inferShapes() {                                            \
    if (elementTypeOf(getA()) != elementTypeOf(getB()))                        \
      return emitOpError("operands have different element types");             \
    return inferBroadcast(*this, getOperands(), ELEMENT_TYPE);                 \
  }
BROADCAST(AddOp, elementTypeOf(getA()))
BROADCAST(SubOp, elementTypeOf(getA()))
BROADCAST(MulOp, elementTypeOf(getA()))
BROADCAST(DivOp, elementTypeOf(getA()))
BROADCAST(ModOp, elementTypeOf(getA()))
BROADCAST(EqualOp, IntegerType::get(getContext(), 1))
BROADCAST(LessOp, IntegerType::get(getContext(), 1))
BROADCAST(LessOrEqualOp, IntegerType::get(getContext(), 1))
BROADCAST(GreaterOp, IntegerType::get(getContext(), 1))
BROADCAST(GreaterOrEqualOp, IntegerType::get(getContext(), 1))
BROADCAST(AndOp, elementTypeOf(getA()))
BROADCAST(OrOp, elementTypeOf(getA()))
BROADCAST(XorOp, elementTypeOf(getA()))
BROADCAST(BitwiseAndOp, elementTypeOf(getA()))
BROADCAST(BitwiseOrOp, elementTypeOf(getA()))
BROADCAST(BitwiseXorOp, elementTypeOf(getA()))
#undef BROADCAST

LogicalResult PReluOp::inferShapes() {
  if (elementTypeOf(getX()) != elementTypeOf(getSlope()))
    return emitOpError("operands have different element types");
  return inferBroadcast(*this, getOperands(), elementTypeOf(getX()));
}

LogicalResult StringConcatOp::inferShapes() {
  if (!isa<StringType>(elementTypeOf(getX())) || !isa<StringType>(elementTypeOf(getY())))
    return emitOpError("needs string operands");
  return inferBroadcast(*this, getOperands(), elementTypeOf(getX()));
}

LogicalResult RegexFullMatchOp::inferShapes() {
  if (!isa<StringType>(elementTypeOf(getX())))
    return emitOpError("needs a string operand");
  return setResult(*this, shapeOf(getX()), IntegerType::get(getContext(), 1));
}

LogicalResult EnsureShapeOp::inferShapes() {
  SmallVector<int64_t> shape;
  for (Attribute d : getShape())
    shape.push_back(cast<IntegerAttr>(d).getInt());
  auto x = dyn_cast<RankedTensorType>(getX().getType());
  if (!x || x.getRank() != (int64_t)shape.size())
    return emitOpError("the declared shape has another rank than the value");
  for (auto [d, s] : llvm::zip(x.getShape(), shape)) {
    if (s < 0) // -1: the value's own dim, static or not
      s = d;
    else if (!ShapedType::isDynamic(d) && d != s)
      return emitOpError("the declared shape contradicts the value's dims");
  }
  return setResult(*this, shape, x.getElementType());
}

LogicalResult ChangeCaseOp::inferShapes() {
  if (!isa<StringType>(elementTypeOf(getX())))
    return emitOpError("needs a string operand");
  if (getCaseChangeAction() != "LOWER" && getCaseChangeAction() != "UPPER")
    return emitOpError("case_change_action must be LOWER or UPPER");
  return setResult(*this, shapeOf(getX()), elementTypeOf(getX()));
}

LogicalResult StringSplitOp::inferShapes() {
  if (!isa<StringType>(elementTypeOf(getX())))
    return emitOpError("needs a string operand");
  auto shape = shapeOf(getX());
  if (failed(shape)) {
    setResultType(*this, 0, std::nullopt, elementTypeOf(getX()));
    setResultType(*this, 1, std::nullopt, IntegerType::get(getContext(), 64));
    return success();
  }
  SmallVector<int64_t> parts(*shape);
  // No strings have no substrings; otherwise the data says how many.
  parts.push_back(llvm::is_contained(*shape, 0) ? 0 : kDyn);
  setResultType(*this, 0, ArrayRef<int64_t>(parts), elementTypeOf(getX()));
  setResultType(*this, 1, ArrayRef<int64_t>(*shape), IntegerType::get(getContext(), 64));
  return success();
}

LogicalResult BitShiftOp::inferShapes() {
  if (elementTypeOf(getX()) != elementTypeOf(getY()))
    return emitOpError("operands have different element types");
  if (getDirection() != "LEFT" && getDirection() != "RIGHT")
    return emitOpError("direction must be LEFT or RIGHT");
  return inferBroadcast(*this, getOperands(), elementTypeOf(getX()));
}

// Pow may raise to an exponent of another type (x ** 2 with an int64 2).
LogicalResult PowOp::inferShapes() {
  return inferBroadcast(*this, getOperands(), elementTypeOf(getA()));
}

#define VARIADIC(OP)                                                           \
  LogicalResult OP::inferShapes() {                                            \
    if (getNumOperands() == 0)                                                 \
      return emitOpError("expects at least one input");                        \
    return inferBroadcast(*this, getOperands(), elementTypeOf(getOperand(0))); \
  }
VARIADIC(MaxOp)
VARIADIC(MinOp)
VARIADIC(SumOp)
VARIADIC(MeanOp)
#undef VARIADIC

LogicalResult WhereOp::inferShapes() {
  if (elementTypeOf(getX()) != elementTypeOf(getY()))
    return emitOpError("X and Y have different element types");
  return inferBroadcast(*this, getOperands(), elementTypeOf(getX()));
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferShapes() {
  auto x = shapeOf(getX()), w = shapeOf(getW());
  Type et = elementTypeOf(getX());
  if (failed(x) || failed(w))
    return setResult(*this, failure(), et);
  if (x->size() < 3 || x->size() != w->size())
    return emitOpError("expects X and W of the same rank >= 3, got ")
           << x->size() << " and " << w->size();
  size_t n = x->size() - 2;
  SmallVector<int64_t> kernel(w->begin() + 2, w->end());
  if (getKernelShape()) {
    SmallVector<int64_t> k = getI64s(getKernelShape(), n, 1);
    // A dynamic weight dim takes the declared kernel size.
    for (auto [declared, w] : llvm::zip(k, kernel)) {
      if (ShapedType::isDynamic(w))
        w = declared;
      else if (w != declared || k.size() != n)
        return emitOpError("kernel_shape does not match the weights");
    }
  }
  int64_t group = getGroup();
  if (group <= 0)
    return emitOpError("group must be positive");
  int64_t c = (*x)[1];
  if (!ShapedType::isDynamic(c) && !ShapedType::isDynamic((*w)[1]) && c != (*w)[1] * group)
    return emitOpError("input channels ") << c << " do not match weight channels "
                                          << (*w)[1] << " x group " << group;
  if (!ShapedType::isDynamic((*w)[0]) && (*w)[0] % group != 0)
    return emitOpError("output channels are not a multiple of group");
  if (auto b = shapeOf(getB()); succeeded(b) && (b->size() != 1 || ((*b)[0] != (*w)[0] && !ShapedType::isDynamic((*b)[0]))))
    return emitOpError("bias must be 1-d with one entry per output channel");
  SmallVector<int64_t> strides = getI64s(getStrides(), n, 1);
  SmallVector<int64_t> dilations = getI64s(getDilations(), n, 1);
  if (strides.size() != n || dilations.size() != n)
    return emitOpError("strides and dilations need one entry per spatial dim");
  SmallVector<int64_t> inSpatial(x->begin() + 2, x->end());
  auto pads = resolvePads(*this, getAutoPad(), inSpatial, kernel, strides, dilations, getPads());
  if (failed(pads))
    return failure();
  SmallVector<int64_t> out = {(*x)[0], (*w)[0]};
  for (size_t i = 0; i < n; ++i) {
    int64_t o = windowOutputSize(inSpatial[i], kernel[i], strides[i], dilations[i],
                                 (*pads)[i], (*pads)[i + n], false);
    if (!ShapedType::isDynamic(o) && o <= 0)
      return emitOpError("the kernel is larger than the padded input");
    out.push_back(o);
  }
  return setResult(*this, out, et);
}

/// Y [N, F, out..]: out = output_shape where given (SAME: in * stride),
/// else the full result stride * (in - 1) + dilation * (k - 1) + 1 +
/// output_padding less the pads.
LogicalResult ConvTransposeOp::inferShapes() {
  auto x = shapeOf(getX()), w = shapeOf(getW());
  Type et = elementTypeOf(getX());
  if (failed(x) || failed(w))
    return setResult(*this, failure(), et);
  if (x->size() < 3 || x->size() != w->size())
    return emitOpError("expects X and W of the same rank >= 3, got ") << x->size() << " and " << w->size();
  size_t n = x->size() - 2;
  int64_t group = getGroup();
  if (group <= 0)
    return emitOpError("group must be positive");
  if (!ShapedType::isDynamic((*x)[1]) && !ShapedType::isDynamic((*w)[0]) && (*x)[1] != (*w)[0])
    return emitOpError("input channels ") << (*x)[1] << " do not match the weights' " << (*w)[0];
  SmallVector<int64_t> kernel(w->begin() + 2, w->end());
  if (getKernelShape()) {
    SmallVector<int64_t> k = getI64s(getKernelShape(), n, 1);
    if (k.size() != n)
      return emitOpError("kernel_shape needs one entry per spatial dim");
    for (auto [declared, d] : llvm::zip(k, kernel))
      if (ShapedType::isDynamic(d))
        d = declared;
  }
  SmallVector<int64_t> strides = getI64s(getStrides(), n, 1), dilations = getI64s(getDilations(), n, 1),
                       outputPadding = getI64s(getOutputPadding(), n, 0), pads = getI64s(getPads(), 2 * n, 0),
                       wanted = getI64s(getOutputShape(), 0, 0);
  if (wanted.size() == n + 2)
    wanted.erase(wanted.begin(), wanted.begin() + 2);
  StringRef autoPad = getAutoPad();
  if (strides.size() != n || dilations.size() != n || outputPadding.size() != n || pads.size() != 2 * n ||
      (!wanted.empty() && wanted.size() != n))
    return emitOpError("strides, dilations, output_padding, pads and output_shape need one entry per spatial dim");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return emitOpError("unsupported auto_pad '") << autoPad << "'";
  int64_t f = ShapedType::isDynamic((*w)[1]) ? ShapedType::kDynamic : (*w)[1] * group;
  SmallVector<int64_t> out = {(*x)[0], f};
  for (size_t i = 0; i < n; ++i) {
    int64_t in = (*x)[2 + i], k = kernel[i];
    if (!wanted.empty()) {
      out.push_back(wanted[i]);
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out.push_back(ShapedType::isDynamic(in) ? in : in * strides[i]);
    } else if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k)) {
      out.push_back(ShapedType::kDynamic);
    } else {
      int64_t full = strides[i] * (in - 1) + dilations[i] * (k - 1) + 1 + outputPadding[i];
      int64_t o = autoPad == "VALID" ? full : full - pads[i] - pads[n + i];
      if (o <= 0)
        return emitOpError("the pads leave no output");
      out.push_back(o);
    }
  }
  return setResult(*this, out, et);
}

static LogicalResult inferPool(Operation *op, Value xValue, StringRef autoPad,
                               int64_t ceilMode, std::optional<ArrayAttr> dilationsAttr,
                               ArrayAttr kernelAttr, std::optional<ArrayAttr> padsAttr,
                               std::optional<ArrayAttr> stridesAttr) {
  auto x = shapeOf(xValue);
  Type et = elementTypeOf(xValue);
  if (failed(x))
    return setResult(op, failure(), et);
  size_t n = kernelAttr.size();
  if (x->size() != n + 2)
    return op->emitOpError("kernel_shape has ") << n << " dims but the input has rank " << x->size();
  SmallVector<int64_t> kernel = getI64s(kernelAttr, n, 1);
  SmallVector<int64_t> strides = getI64s(stridesAttr, n, 1);
  SmallVector<int64_t> dilations = getI64s(dilationsAttr, n, 1);
  SmallVector<int64_t> inSpatial(x->begin() + 2, x->end());
  auto pads = resolvePads(op, autoPad, inSpatial, kernel, strides, dilations, padsAttr);
  if (failed(pads))
    return failure();
  SmallVector<int64_t> out = {(*x)[0], (*x)[1]};
  for (size_t i = 0; i < n; ++i)
    out.push_back(windowOutputSize(inSpatial[i], kernel[i], strides[i], dilations[i],
                                   (*pads)[i], (*pads)[i + n], ceilMode != 0));
  return setResult(op, out, et);
}

LogicalResult MaxPoolOp::inferShapes() {
  return inferPool(*this, getX(), getAutoPad(), getCeilMode(), getDilations(),
                   getKernelShape(), getPads(), getStrides());
}
LogicalResult AveragePoolOp::inferShapes() {
  return inferPool(*this, getX(), getAutoPad(), getCeilMode(), getDilations(),
                   getKernelShape(), getPads(), getStrides());
}

static LogicalResult inferGlobalPool(Operation *op, Value x) {
  auto s = shapeOf(x);
  if (succeeded(s)) {
    if (s->size() < 3)
      return op->emitOpError("expects an input of rank >= 3");
    for (size_t i = 2; i < s->size(); ++i)
      (*s)[i] = 1;
  }
  return setResult(op, s, elementTypeOf(x));
}
LogicalResult GlobalAveragePoolOp::inferShapes() { return inferGlobalPool(*this, getX()); }
LogicalResult GlobalMaxPoolOp::inferShapes() { return inferGlobalPool(*this, getX()); }

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferShapes() {
  auto a = shapeOf(getA()), b = shapeOf(getB());
  Type et = elementTypeOf(getA());
  if (failed(a) || failed(b))
    return setResult(*this, failure(), et);
  if (a->empty() || b->empty())
    return emitOpError("operands must have rank >= 1");
  SmallVector<int64_t> sa = *a, sb = *b;
  bool vecA = sa.size() == 1, vecB = sb.size() == 1;
  if (vecA) sa.insert(sa.begin(), 1);
  if (vecB) sb.push_back(1);
  int64_t k1 = sa.back(), k2 = sb[sb.size() - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return emitOpError("contracting dims differ: ") << k1 << " vs " << k2;
  auto batch = broadcastShapes(ArrayRef<int64_t>(sa).drop_back(2), ArrayRef<int64_t>(sb).drop_back(2));
  if (failed(batch))
    return emitOpError("batch dims cannot be broadcast together");
  SmallVector<int64_t> out = *batch;
  if (!vecA) out.push_back(sa[sa.size() - 2]);
  if (!vecB) out.push_back(sb.back());
  return setResult(*this, out, et);
}

LogicalResult GemmOp::inferShapes() {
  auto a = shapeOf(getA()), b = shapeOf(getB());
  Type et = elementTypeOf(getA());
  if (failed(a) || failed(b))
    return setResult(*this, failure(), et);
  if (a->size() != 2 || b->size() != 2)
    return emitOpError("expects 2-d A and B");
  int64_t m = getTransA() ? (*a)[1] : (*a)[0], k1 = getTransA() ? (*a)[0] : (*a)[1];
  int64_t k2 = getTransB() ? (*b)[1] : (*b)[0], n = getTransB() ? (*b)[0] : (*b)[1];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return emitOpError("contracting dims differ: ") << k1 << " vs " << k2;
  SmallVector<int64_t> out = {m, n};
  if (auto c = shapeOf(getC()); succeeded(c)) {
    auto bc = broadcastShapes(out, *c);
    if (failed(bc) || *bc != out)
      return emitOpError("C cannot be broadcast to the result shape");
  }
  return setResult(*this, out, et);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The normalised, sorted reduction axes (all dims when none are given).
static FailureOr<SmallVector<int64_t>> reductionAxes(Operation *op, std::optional<ArrayAttr> axesAttr,
                                                     int64_t rank, bool noopWithEmpty) {
  SmallVector<int64_t> axes;
  if (axesAttr)
    for (Attribute a : *axesAttr) {
      auto ax = normalizeAxis(cast<IntegerAttr>(a).getInt(), rank);
      if (failed(ax))
        return op->emitOpError("axis out of range");
      axes.push_back(*ax);
    }
  if (axes.empty() && !noopWithEmpty)
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

#define REDUCE(OP)                                                             \
  LogicalResult OP::inferShapes() {                                            \
    auto s = shapeOf(getData());                                               \
    if (failed(s))                                                             \
      return setResult(*this, failure(), elementTypeOf(getData()));            \
    auto axes = reductionAxes(*this, getAxes(), s->size(), getNoopWithEmptyAxes()); \
    if (failed(axes))                                                          \
      return failure();                                                        \
    SmallVector<int64_t> out;                                                  \
    for (int64_t i = 0, e = s->size(); i < e; ++i) {                           \
      if (!llvm::is_contained(*axes, i)) out.push_back((*s)[i]);               \
      else if (getKeepdims()) out.push_back(1);                                \
    }                                                                          \
    return setResult(*this, out, elementTypeOf(getData()));                    \
  }
REDUCE(ReduceMeanOp)
REDUCE(ReduceSumOp)
REDUCE(ReduceMaxOp)
REDUCE(ReduceMinOp)
REDUCE(ReduceProdOp)
REDUCE(ReduceL2Op)
REDUCE(ReduceL1Op)
REDUCE(ReduceSumSquareOp)
REDUCE(ReduceLogSumOp)
REDUCE(ReduceLogSumExpOp)
#undef REDUCE

static LogicalResult inferArgReduce(Operation *op, Value data, int64_t axis, bool keepDims) {
  Type i64 = IntegerType::get(op->getContext(), 64);
  auto s = shapeOf(data);
  if (failed(s))
    return setResult(op, failure(), i64);
  auto ax = normalizeAxis(axis, s->size());
  if (failed(ax))
    return op->emitOpError("axis out of range");
  if (keepDims)
    (*s)[*ax] = 1;
  else
    s->erase(s->begin() + *ax);
  return setResult(op, s, i64);
}
LogicalResult ArgMaxOp::inferShapes() {
  return inferArgReduce(*this, getData(), getAxis(), getKeepdims());
}
LogicalResult ArgMinOp::inferShapes() {
  return inferArgReduce(*this, getData(), getAxis(), getKeepdims());
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

LogicalResult ShapeOp::inferShapes() {
  auto s = shapeOf(getData());
  Type i64 = IntegerType::get(getContext(), 64);
  if (failed(s))
    return setResult(*this, SmallVector<int64_t>{kDyn}, i64);
  int64_t rank = s->size();
  int64_t start = getStart().value_or(0), end = getEnd().value_or(rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  return setResult(*this, SmallVector<int64_t>{std::max<int64_t>(0, end - start)}, i64);
}

LogicalResult SizeOp::inferShapes() {
  return setResult(*this, SmallVector<int64_t>{}, IntegerType::get(getContext(), 64));
}

/// Resolves an ONNX Reshape target (0 = copy, -1 = infer).
static FailureOr<SmallVector<int64_t>> resolveReshape(Operation *op, ArrayRef<int64_t> in,
                                                      ArrayRef<int64_t> target, bool allowZero) {
  SmallVector<int64_t> out(target);
  int64_t inferIdx = -1, known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] < -1 && !ShapedType::isDynamic(out[i]))
      return op->emitOpError("shape has a negative dim ") << out[i];
    if (out[i] == 0 && !allowZero) {
      if (i >= in.size())
        return op->emitOpError("shape copies dim ") << i << " that the input does not have";
      out[i] = in[i];
    }
    if (out[i] == -1) {
      if (inferIdx >= 0)
        return op->emitOpError("shape has more than one -1");
      inferIdx = i;
      continue;
    }
    if (ShapedType::isDynamic(out[i])) known = kDyn;
    else if (known != kDyn) known *= out[i];
  }
  int64_t total = product(in);
  if (inferIdx >= 0) {
    if (total == kDyn || known == kDyn) out[inferIdx] = kDyn;
    else if (known == 0 || total % known != 0)
      return op->emitOpError("cannot reshape ") << total << " elements with a -1 dim";
    else out[inferIdx] = total / known;
  } else if (total != kDyn && known != kDyn && total != known) {
    return op->emitOpError("cannot reshape ") << total << " elements into " << known;
  }
  return out;
}

LogicalResult ReshapeOp::inferShapes() {
  Type et = elementTypeOf(getData());
  auto target = partialShapeValues(getShape());
  auto in = shapeOf(getData());
  if (failed(target)) {
    auto s = shapeOf(getShape());
    if (succeeded(s) && s->size() == 1 && !ShapedType::isDynamic((*s)[0]))
      return setResult(*this, SmallVector<int64_t>((*s)[0], kDyn), et);
    return setResult(*this, failure(), et);
  }
  if (failed(in)) {
    SmallVector<int64_t> out(*target);
    for (int64_t &d : out)
      if (d <= 0) d = kDyn;
    return setResult(*this, out, et);
  }
  auto out = resolveReshape(*this, *in, *target, getAllowzero());
  if (failed(out))
    return failure();
  return setResult(*this, out, et);
}

LogicalResult FlattenOp::inferShapes() {
  auto s = shapeOf(getInput());
  Type et = elementTypeOf(getInput());
  if (failed(s))
    return setResult(*this, SmallVector<int64_t>{kDyn, kDyn}, et);
  int64_t rank = s->size();
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
  if (axis < 0 || axis > rank)
    return emitOpError("axis out of range");
  ArrayRef<int64_t> dims(*s);
  return setResult(*this, SmallVector<int64_t>{product(dims.take_front(axis)), product(dims.drop_front(axis))}, et);
}

LogicalResult UnsqueezeOp::inferShapes() {
  auto s = shapeOf(getData());
  Type et = elementTypeOf(getData());
  if (failed(s))
    return setResult(*this, failure(), et);
  int64_t rank = s->size() + getAxes().size();
  SmallVector<int64_t> axes;
  for (Attribute a : getAxes()) {
    auto ax = normalizeAxis(cast<IntegerAttr>(a).getInt(), rank);
    if (failed(ax) || llvm::is_contained(axes, *ax))
      return emitOpError("axes out of range or repeated");
    axes.push_back(*ax);
  }
  SmallVector<int64_t> out;
  auto it = s->begin();
  for (int64_t i = 0; i < rank; ++i)
    out.push_back(llvm::is_contained(axes, i) ? 1 : *it++);
  return setResult(*this, out, et);
}

LogicalResult SqueezeOp::inferShapes() {
  auto s = shapeOf(getData());
  Type et = elementTypeOf(getData());
  if (failed(s))
    return setResult(*this, failure(), et);
  int64_t rank = s->size();
  SmallVector<int64_t> axes;
  if (getAxes() && !getAxes()->empty()) {
    for (Attribute a : getAxesAttr()) {
      auto ax = normalizeAxis(cast<IntegerAttr>(a).getInt(), rank);
      if (failed(ax))
        return emitOpError("axis out of range");
      if ((*s)[*ax] != 1 && !ShapedType::isDynamic((*s)[*ax]))
        return emitOpError("cannot squeeze dim ") << *ax << " of size " << (*s)[*ax];
      axes.push_back(*ax);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      if ((*s)[i] == 1) axes.push_back(i);
  }
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i)) out.push_back((*s)[i]);
  return setResult(*this, out, et);
}

LogicalResult TransposeOp::inferShapes() {
  auto s = shapeOf(getData());
  Type et = elementTypeOf(getData());
  if (failed(s))
    return setResult(*this, failure(), et);
  int64_t rank = s->size();
  SmallVector<int64_t> perm = getI64s(getPerm(), 0, 0);
  if (!getPerm())
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  SmallVector<bool> seen(rank, false);
  if ((int64_t)perm.size() != rank)
    return emitOpError("perm has ") << perm.size() << " entries for rank " << rank;
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
    out.push_back((*s)[p]);
  }
  return setResult(*this, out, et);
}

LogicalResult ConcatOp::inferShapes() {
  if (getInputs().empty())
    return emitOpError("expects at least one input");
  Type et = elementTypeOf(getInputs()[0]);
  SmallVector<int64_t> out;
  int64_t axis = 0;
  for (auto [i, v] : llvm::enumerate(getInputs())) {
    if (elementTypeOf(v) != et)
      return emitOpError("inputs have different element types");
    auto s = shapeOf(v);
    if (failed(s))
      return setResult(*this, failure(), et);
    if (i == 0) {
      auto ax = normalizeAxis(getAxis(), s->size());
      if (failed(ax))
        return emitOpError("axis out of range");
      axis = *ax;
      out = *s;
      continue;
    }
    if (s->size() != out.size())
      return emitOpError("inputs have different ranks");
    for (size_t d = 0; d < out.size(); ++d) {
      if ((int64_t)d == axis) {
        out[d] = (ShapedType::isDynamic(out[d]) || ShapedType::isDynamic((*s)[d])) ? kDyn : out[d] + (*s)[d];
      } else if (!ShapedType::isDynamic((*s)[d])) {
        if (!ShapedType::isDynamic(out[d]) && out[d] != (*s)[d])
          return emitOpError("inputs differ in dim ") << d << ": " << out[d] << " vs " << (*s)[d];
        out[d] = (*s)[d];
      }
    }
  }
  return setResult(*this, out, et);
}

LogicalResult SplitOp::inferShapes() {
  auto s = shapeOf(getInput());
  Type et = elementTypeOf(getInput());
  SmallVector<int64_t> split = getI64s(getSplit(), 0, 0);
  if (split.size() != getNumResults())
    return emitOpError("split has ") << split.size() << " parts for " << getNumResults() << " outputs";
  if (failed(s)) {
    for (unsigned i = 0; i < getNumResults(); ++i) setResultType(*this, i, std::nullopt, et);
    return success();
  }
  auto axis = normalizeAxis(getAxis(), s->size());
  if (failed(axis))
    return emitOpError("axis out of range");
  int64_t total = 0;
  for (int64_t p : split) total += p;
  if (!ShapedType::isDynamic((*s)[*axis]) && total != (*s)[*axis])
    return emitOpError("split sizes add up to ") << total << " but the dim is " << (*s)[*axis];
  for (unsigned i = 0; i < getNumResults(); ++i) {
    SmallVector<int64_t> out = *s;
    out[*axis] = split[i];
    setResultType(*this, i, ArrayRef<int64_t>(out), et);
  }
  return success();
}

LogicalResult SliceOp::inferShapes() {
  auto s = shapeOf(getData());
  Type et = elementTypeOf(getData());
  if (failed(s))
    return setResult(*this, failure(), et);
  int64_t rank = s->size();
  auto starts = getConstantInts(getStarts()), ends = getConstantInts(getEnds());
  auto axesC = getConstantInts(getAxes()), stepsC = getConstantInts(getSteps());
  bool hasAxes = !isa<NoneType>(getAxes().getType()), hasSteps = !isa<NoneType>(getSteps().getType());
  if (failed(starts) || failed(ends) || (hasAxes && failed(axesC)) || (hasSteps && failed(stepsC))) {
    return setResult(*this, SmallVector<int64_t>(rank, kDyn), et);
  }
  size_t n = starts->size();
  if (ends->size() != n || (hasAxes && axesC->size() != n) || (hasSteps && stepsC->size() != n))
    return emitOpError("starts, ends, axes and steps differ in length");
  SmallVector<int64_t> out = *s;
  for (size_t i = 0; i < n; ++i) {
    auto ax = normalizeAxis(hasAxes ? (*axesC)[i] : (int64_t)i, rank);
    if (failed(ax))
      return emitOpError("axis out of range");
    int64_t step = hasSteps ? (*stepsC)[i] : 1;
    if (step == 0)
      return emitOpError("step must not be 0");
    int64_t dim = (*s)[*ax];
    if (ShapedType::isDynamic(dim)) { out[*ax] = kDyn; continue; }
    int64_t st = (*starts)[i], en = (*ends)[i];
    if (st < 0) st += dim;
    if (en < 0) en += dim;
    if (step > 0) {
      st = std::clamp<int64_t>(st, 0, dim);
      en = std::clamp<int64_t>(en, 0, dim);
      out[*ax] = en > st ? (en - st + step - 1) / step : 0;
    } else {
      st = std::clamp<int64_t>(st, -1, dim - 1);
      en = std::clamp<int64_t>(en, -1, dim - 1);
      out[*ax] = st > en ? (st - en + (-step) - 1) / (-step) : 0;
    }
  }
  return setResult(*this, out, et);
}

LogicalResult GatherOp::inferShapes() {
  auto d = shapeOf(getData()), idx = shapeOf(getIndices());
  Type et = elementTypeOf(getData());
  if (failed(d) || failed(idx))
    return setResult(*this, failure(), et);
  auto axis = normalizeAxis(getAxis(), d->size());
  if (failed(axis))
    return emitOpError("axis out of range");
  SmallVector<int64_t> out(d->begin(), d->begin() + *axis);
  out.append(idx->begin(), idx->end());
  out.append(d->begin() + *axis + 1, d->end());
  return setResult(*this, out, et);
}

LogicalResult ExpandOp::inferShapes() {
  Type et = elementTypeOf(getInput());
  auto target = getConstantInts(getShape());
  auto in = shapeOf(getInput());
  if (failed(in))
    return setResult(*this, failure(), et);
  if (failed(target)) {
    // A shape computed at run time but of static length L: the result has
    // rank max(L, rank), its dims known only where the input has one > 1.
    auto s = shapeOf(getShape());
    if (failed(s) || s->size() != 1 || ShapedType::isDynamic((*s)[0]))
      return setResult(*this, failure(), et);
    int64_t rank = std::max<int64_t>((*s)[0], in->size());
    SmallVector<int64_t> out(rank, kDyn);
    for (size_t i = 0; i < in->size(); ++i) {
      int64_t d = (*in)[i];
      if (!ShapedType::isDynamic(d) && d > 1)
        out[rank - in->size() + i] = d;
    }
    return setResult(*this, out, et);
  }
  auto out = broadcastShapes(*in, *target);
  if (failed(out))
    return emitOpError("input cannot be expanded to the shape");
  return setResult(*this, out, et);
}

LogicalResult ConstantOfShapeOp::inferShapes() {
  Type et = getValue() ? cast<ShapedType>(getValue()->getType()).getElementType()
                       : Type(Float32Type::get(getContext()));
  auto shape = partialShapeValues(getInput());
  if (failed(shape)) {
    auto s = shapeOf(getInput());
    if (succeeded(s) && s->size() == 1 && !ShapedType::isDynamic((*s)[0]))
      return setResult(*this, SmallVector<int64_t>((*s)[0], kDyn), et);
    return setResult(*this, failure(), et);
  }
  for (int64_t d : *shape)
    if (d < 0 && !ShapedType::isDynamic(d))
      return emitOpError("negative dim in shape");
  return setResult(*this, *shape, et);
}

LogicalResult RangeOp::inferShapes() {
  Type et = elementTypeOf(getStart());
  DenseElementsAttr s, l, d;
  if (matchPattern(getStart(), m_Constant(&s)) && matchPattern(getLimit(), m_Constant(&l)) &&
      matchPattern(getDelta(), m_Constant(&d))) {
    auto asDouble = [](DenseElementsAttr a) {
      if (isa<FloatType>(a.getElementType()))
        return (*a.getValues<APFloat>().begin()).convertToDouble();
      return (double)(*a.getValues<APInt>().begin()).getSExtValue();
    };
    double start = asDouble(s), limit = asDouble(l), delta = asDouble(d);
    if (delta == 0)
      return emitOpError("delta must not be 0");
    int64_t n = std::max<int64_t>(0, (int64_t)std::ceil((limit - start) / delta));
    return setResult(*this, SmallVector<int64_t>{n}, et);
  }
  return setResult(*this, SmallVector<int64_t>{kDyn}, et);
}

LogicalResult GatherNDOp::inferShapes() {
  auto d = shapeOf(getData()), idx = shapeOf(getIndices());
  Type et = elementTypeOf(getData());
  if (failed(d) || failed(idx) || idx->empty() || ShapedType::isDynamic(idx->back()))
    return setResult(*this, failure(), et);
  int64_t b = getBatchDims(), q = idx->size(), r = d->size(), k = idx->back();
  if (b < 0 || b >= std::min(q, r) || k < 1 || b + k > r)
    return emitOpError("needs 0 <= batch_dims < rank and batch_dims + indices.shape[-1] <= data rank");
  // indices.shape[:-1] ++ data.shape[batch_dims + k:]
  SmallVector<int64_t> out(idx->begin(), idx->end() - 1);
  out.append(d->begin() + b + k, d->end());
  return setResult(*this, out, et);
}

LogicalResult ReverseSequenceOp::inferShapes() {
  auto s = shapeOf(getInput());
  if (succeeded(s) && (s->size() < 2 || getBatchAxis() == getTimeAxis() || getBatchAxis() < 0 ||
                       getBatchAxis() > 1 || getTimeAxis() < 0 || getTimeAxis() > 1))
    return emitOpError("batch_axis and time_axis must be 0 and 1 (either way round)");
  return setResult(*this, s, elementTypeOf(getInput()));
}

LogicalResult BitCastOp::inferShapes() {
  Type to = convertONNXElementType(getContext(), getTo());
  Type from = elementTypeOf(getInput());
  if (!to)
    return emitOpError("unsupported target type ") << getTo();
  // Booleans are one byte wide in memory.
  auto bits = [](Type t) { return t.isInteger(1) ? 8u : t.getIntOrFloatBitWidth(); };
  if (!from.isIntOrFloat() || bits(from) != bits(to))
    return emitOpError("only casts between element types of the same width are supported");
  return setResult(*this, shapeOf(getInput()), to);
}

LogicalResult PadOp::inferShapes() {
  auto s = shapeOf(getData());
  Type et = elementTypeOf(getData());
  auto pads = getConstantInts(getPads());
  if (failed(s))
    return setResult(*this, failure(), et);
  int64_t rank = s->size();
  // Pads computed at run time: the rank is known, the dims are not.
  if (failed(pads))
    return setResult(*this, SmallVector<int64_t>(rank, kDyn), et);
  if ((int64_t)pads->size() != 2 * rank)
    return emitOpError("expects ") << 2 * rank << " pads";
  if (getMode() != "constant" && getMode() != "edge" && getMode() != "reflect" && getMode() != "wrap")
    return emitOpError("unsupported mode '") << getMode() << "'";
  SmallVector<int64_t> out = *s;
  for (int64_t i = 0; i < rank; ++i)
    if (!ShapedType::isDynamic(out[i])) out[i] += (*pads)[i] + (*pads)[i + rank];
  return setResult(*this, out, et);
}

LogicalResult GatherElementsOp::inferShapes() {
  auto d = shapeOf(getData()), idx = shapeOf(getIndices());
  Type et = elementTypeOf(getData());
  if (failed(d) || failed(idx))
    return setResult(*this, idx, et);
  if (d->size() != idx->size())
    return emitOpError("data and indices have different ranks");
  if (failed(normalizeAxis(getAxis(), d->size())))
    return emitOpError("axis out of range");
  return setResult(*this, idx, et);
}

LogicalResult TileOp::inferShapes() {
  auto s = shapeOf(getInput());
  Type et = elementTypeOf(getInput());
  if (failed(s))
    return setResult(*this, failure(), et);
  auto repeats = getConstantInts(getRepeats());
  if (failed(repeats))
    return setResult(*this, SmallVector<int64_t>(s->size(), kDyn), et);
  if (repeats->size() != s->size())
    return emitOpError("repeats has ") << repeats->size() << " entries for rank " << s->size();
  for (auto [d, r] : llvm::zip(*s, *repeats)) {
    if (r < 0)
      return emitOpError("repeats must not be negative");
    if (!ShapedType::isDynamic(d)) d *= r;
  }
  return setResult(*this, s, et);
}

LogicalResult EyeLikeOp::inferShapes() {
  Type et = elementTypeOf(getInput());
  if (getDtype()) {
    et = convertONNXElementType(getContext(), *getDtype());
    if (!et)
      return emitOpError("unsupported dtype ") << *getDtype();
  }
  auto s = shapeOf(getInput());
  if (succeeded(s) && s->size() != 2)
    return emitOpError("expects a 2-d input");
  return setResult(*this, s, et);
}

LogicalResult OneHotOp::inferShapes() {
  Type et = elementTypeOf(getValues());
  auto s = shapeOf(getIndices());
  if (failed(s))
    return setResult(*this, failure(), et);
  auto ax = normalizeAxis(getAxis(), s->size() + 1);
  if (failed(ax))
    return emitOpError("axis out of range");
  int64_t depth = kDyn;
  DenseElementsAttr d;
  if (matchPattern(getDepth(), m_Constant(&d)) && d.getNumElements() == 1) {
    if (isa<FloatType>(d.getElementType()))
      depth = (int64_t)(*d.getValues<APFloat>().begin()).convertToDouble();
    else
      depth = (*d.getValues<APInt>().begin()).getSExtValue();
    if (depth < 1)
      return emitOpError("depth must be positive");
  }
  s->insert(s->begin() + *ax, depth);
  return setResult(*this, s, et);
}

static LogicalResult inferSpaceDepth(Operation *op, Value input, int64_t blocksize, StringRef mode,
                                     bool toSpace) {
  auto s = shapeOf(input);
  Type et = elementTypeOf(input);
  if (failed(s))
    return setResult(op, failure(), et);
  if (s->size() != 4)
    return op->emitOpError("expects a 4-d input");
  if (blocksize <= 0)
    return op->emitOpError("blocksize must be positive");
  if (mode != "DCR" && mode != "CRD")
    return op->emitOpError("mode must be DCR or CRD");
  int64_t bb = blocksize * blocksize;
  auto scale = [](int64_t d, int64_t f) { return ShapedType::isDynamic(d) ? kDyn : d * f; };
  SmallVector<int64_t> out = *s;
  if (toSpace) {
    if (!ShapedType::isDynamic(out[1]) && out[1] % bb != 0)
      return op->emitOpError("channels are not a multiple of blocksize^2");
    out[1] = ShapedType::isDynamic(out[1]) ? kDyn : out[1] / bb;
    out[2] = scale(out[2], blocksize);
    out[3] = scale(out[3], blocksize);
  } else {
    for (int i = 2; i < 4; ++i) {
      if (!ShapedType::isDynamic(out[i]) && out[i] % blocksize != 0)
        return op->emitOpError("spatial dims are not a multiple of blocksize");
      out[i] = ShapedType::isDynamic(out[i]) ? kDyn : out[i] / blocksize;
    }
    out[1] = scale(out[1], bb);
  }
  return setResult(op, out, et);
}
LogicalResult DepthToSpaceOp::inferShapes() {
  return inferSpaceDepth(*this, getInput(), getBlocksize(), getMode(), true);
}
LogicalResult SpaceToDepthOp::inferShapes() {
  return inferSpaceDepth(*this, getInput(), getBlocksize(), getMode(), false);
}

/// The dims of Resize's output: from constant `sizes` (with
/// keep_aspect_ratio_policy), else from constant `scales` (floor(in * scale)),
/// else unknown (the front end then uses the declared shape).
LogicalResult ResizeOp::inferShapes() {
  Type et = elementTypeOf(getX());
  auto s = shapeOf(getX());
  if (failed(s))
    return setResult(*this, failure(), et);
  int64_t rank = s->size();
  SmallVector<int64_t> axes;
  if (getAxes()) {
    for (Attribute a : getAxesAttr()) {
      auto ax = normalizeAxis(cast<IntegerAttr>(a).getInt(), rank);
      if (failed(ax))
        return emitOpError("axes out of range");
      axes.push_back(*ax);
    }
  } else {
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  SmallVector<int64_t> out(*s);
  DenseElementsAttr c;
  if (!isa<NoneType>(getSizes().getType())) {
    auto sizes = getConstantInts(getSizes());
    if (failed(sizes)) {
      for (int64_t a : axes) out[a] = kDyn;
      return setResult(*this, out, et);
    }
    if (sizes->size() != axes.size())
      return emitOpError("sizes has ") << sizes->size() << " entries for " << axes.size() << " dims";
    StringRef policy = getKeepAspectRatioPolicy();
    if (policy == "stretch") {
      for (auto [a, v] : llvm::zip(axes, *sizes)) out[a] = v;
      return setResult(*this, out, et);
    }
    double scale = policy == "not_larger" ? 1e300 : 0;
    for (auto [a, v] : llvm::zip(axes, *sizes)) {
      if (ShapedType::isDynamic((*s)[a]))
        return setResult(*this, SmallVector<int64_t>(rank, kDyn), et);
      double r = (double)v / (double)(*s)[a];
      scale = policy == "not_larger" ? std::min(scale, r) : std::max(scale, r);
    }
    for (int64_t a : axes) out[a] = (int64_t)std::llround(scale * (double)(*s)[a]);
    return setResult(*this, out, et);
  }
  if (!isa<NoneType>(getScales().getType()) && matchPattern(getScales(), m_Constant(&c)) &&
      isa<FloatType>(c.getElementType())) {
    if ((int64_t)c.getNumElements() != (int64_t)axes.size())
      return emitOpError("scales has ") << c.getNumElements() << " entries for " << axes.size()
                                        << " dims";
    for (auto [a, v] : llvm::zip(axes, c.getValues<APFloat>()))
      if (!ShapedType::isDynamic(out[a]))
        out[a] = (int64_t)std::floor((double)out[a] * v.convertToDouble());
    return setResult(*this, out, et);
  }
  for (int64_t a : axes) out[a] = kDyn;
  return setResult(*this, out, et);
}

LogicalResult EinsumOp::inferShapes() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  Type et = elementTypeOf(getInputs()[0]);
  SmallVector<int64_t> ranks;
  SmallVector<SmallVector<int64_t>> shapes;
  for (Value v : getInputs()) {
    auto s = shapeOf(v);
    if (failed(s))
      return setResult(*this, failure(), et);
    ranks.push_back(s->size());
    shapes.push_back(*s);
  }
  std::string why;
  auto spec = parseEinsum(getEquation(), ranks, why);
  if (failed(spec))
    return emitOpError("equation '") << getEquation() << "' " << why;
  SmallVector<int64_t> sizes(spec->numLoops, kDyn);
  for (auto [dims, shape] : llvm::zip(spec->inputs, shapes))
    for (auto [loop, size] : llvm::zip(dims, shape)) {
      if (ShapedType::isDynamic(size))
        continue;
      if (!ShapedType::isDynamic(sizes[loop]) && sizes[loop] != size)
        return emitOpError("equation '") << getEquation() << "': a subscript has sizes "
                                         << sizes[loop] << " and " << size;
      sizes[loop] = size;
    }
  SmallVector<int64_t> out;
  for (int64_t loop : spec->output)
    out.push_back(sizes[loop]);
  return setResult(*this, out, et);
}

LogicalResult TopKOp::inferShapes() {
  Type et = elementTypeOf(getX());
  Type i64 = IntegerType::get(getContext(), 64);
  auto s = shapeOf(getX());
  if (failed(s)) {
    setResultType(getOperation(), 0, std::nullopt, et);
    setResultType(getOperation(), 1, std::nullopt, i64);
    return success();
  }
  auto axis = normalizeAxis(getAxis(), s->size());
  if (failed(axis))
    return emitOpError("axis out of range");
  auto k = getConstantInts(getK());
  if (succeeded(k) && k->size() == 1) {
    if ((*k)[0] < 0 || (!ShapedType::isDynamic((*s)[*axis]) && (*k)[0] > (*s)[*axis]))
      return emitOpError("k = ") << (*k)[0] << " is outside [0, " << (*s)[*axis] << "]";
    (*s)[*axis] = (*k)[0];
  } else {
    (*s)[*axis] = kDyn;
  }
  setResultType(getOperation(), 0, ArrayRef<int64_t>(*s), et);
  setResultType(getOperation(), 1, ArrayRef<int64_t>(*s), i64);
  return success();
}

LogicalResult NonMaxSuppressionOp::inferShapes() {
  auto b = shapeOf(getBoxes()), s = shapeOf(getScores());
  // Two dims that are both known and differ.
  auto clash = [](int64_t x, int64_t y) { return !ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y; };
  if (succeeded(b) && (b->size() != 3 || clash((*b)[2], 4)))
    return emitOpError("expects boxes [batch, boxes, 4]");
  if (succeeded(s) && s->size() != 3)
    return emitOpError("expects scores [batch, classes, boxes]");
  if (succeeded(b) && succeeded(s) && (clash((*b)[0], (*s)[0]) || clash((*b)[1], (*s)[2])))
    return emitOpError("boxes and scores disagree on the batch or the number of boxes");
  return setResult(*this, SmallVector<int64_t>{kDyn, 3}, IntegerType::get(getContext(), 64));
}

LogicalResult UniqueOp::inferShapes() {
  auto x = shapeOf(getX());
  Type et = elementTypeOf(getX()), i64 = IntegerType::get(getContext(), 64);
  // The number of slices along the axis (of elements without one).
  std::optional<ArrayRef<int64_t>> y;
  SmallVector<int64_t> yShape = {kDyn}, slices = {kDyn};
  if (succeeded(x)) {
    if (auto axis = getAxis()) {
      FailureOr<int64_t> a = normalizeAxis(*axis, x->size());
      if (failed(a))
        return emitOpError("axis ") << *axis << " is out of range for rank " << x->size();
      yShape.assign(x->begin(), x->end());
      slices[0] = yShape[*a];
      yShape[*a] = kDyn;
    } else {
      slices[0] = product(*x);
    }
    y = yShape;
  } else if (!getAxis()) {
    y = yShape;
  }
  setResultType(*this, 0, y, et);
  setResultType(*this, 1, ArrayRef<int64_t>{kDyn}, i64);
  setResultType(*this, 2, ArrayRef<int64_t>(slices), i64);
  setResultType(*this, 3, ArrayRef<int64_t>{kDyn}, i64);
  return success();
}

LogicalResult RoiAlignOp::inferShapes() {
  auto x = shapeOf(getX()), r = shapeOf(getRois());
  Type et = elementTypeOf(getX());
  if (failed(x) || failed(r))
    return setResult(*this, failure(), et);
  if (x->size() != 4 || r->size() != 2 || (!ShapedType::isDynamic((*r)[1]) && (*r)[1] != 4))
    return emitOpError("expects X [N, C, H, W] and rois [R, 4]");
  if (getOutputHeight() < 1 || getOutputWidth() < 1)
    return emitOpError("output_height and output_width must be positive");
  return setResult(*this, SmallVector<int64_t>{(*r)[0], (*x)[1], getOutputHeight(), getOutputWidth()}, et);
}

LogicalResult GridSampleOp::inferShapes() {
  Type et = elementTypeOf(getX());
  auto x = shapeOf(getX()), g = shapeOf(getGrid());
  if (failed(x) || failed(g))
    return setResult(*this, failure(), et);
  if (x->size() < 3 || g->size() != x->size() ||
      (!ShapedType::isDynamic(g->back()) && g->back() != (int64_t)x->size() - 2))
    return emitOpError("grid must be [N, D1..Dr, r] for X of rank r + 2");
  SmallVector<int64_t> out = {(*x)[0], (*x)[1]};
  out.append(g->begin() + 1, g->end() - 1);
  return setResult(*this, out, et);
}
