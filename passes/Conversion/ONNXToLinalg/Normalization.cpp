//===- Normalization.cpp - normalizations, softmax, reductions ------------===//
//
// BatchNormalization is one elementwise generic with per-channel parameters;
// LayerNormalization is a mean reduction, a variance reduction and one
// elementwise generic; Softmax a max reduction, a sum of exponentials and a
// division. Kernel formation later puts each of these groups into a single
// kernel.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

struct BatchNormToLinalg : OpRewritePattern<onnx::BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::BatchNormalizationOp op, PatternRewriter &rewriter) const override {
    auto resultType = getRankedType(op.getY());
    if (!resultType || resultType.getRank() < 2 || !isa<FloatType>(resultType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a float input of rank >= 2");
    Location loc = op.getLoc();
    int64_t c = resultType.getDimSize(1);
    // Parameters [C] broadcast along dim 1: reshape to [C, 1, ...].
    SmallVector<int64_t> paramShape(resultType.getRank() - 1, 1);
    paramShape[0] = c;
    auto paramType = RankedTensorType::get(paramShape, resultType.getElementType());
    SmallVector<Value> inputs = {op.getX()};
    for (Value p : {op.getScale(), op.getB(), op.getInputMean(), op.getInputVar()}) {
      if (!getRankedType(p))
        return rewriter.notifyMatchFailure(op, "unranked parameters");
      inputs.push_back(reshapeTo(rewriter, loc, p, paramType));
    }
    double eps = op.getEpsilon().convertToDouble();
    Value r = buildElementwise(rewriter, loc, resultType, inputs,
                               [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                 Value x = a[0], scale = a[1], bias = a[2], mean = a[3], var = a[4];
                                 Value denom = math::SqrtOp::create(
                                     b, l, arith::AddFOp::create(b, l, var, scalarConstant(b, l, var.getType(), eps)));
                                 Value norm = arith::DivFOp::create(b, l, arith::SubFOp::create(b, l, x, mean), denom);
                                 return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, norm, scale), bias);
                               });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// The dims from `axis` to the last (what LayerNormalization and
/// RMSNormalization normalise over).
SmallVector<int64_t> trailingAxes(RankedTensorType type, int64_t axis) {
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < type.getRank(); ++i)
    axes.push_back(i);
  return axes;
}


struct LayerNormToLinalg : OpRewritePattern<onnx::LayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::LayerNormalizationOp op, PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "mean/inv-std outputs");
    auto type = getRankedType(op.getX());
    if (!type || !isa<FloatType>(type.getElementType()) || !getRankedType(op.getScale()))
      return rewriter.notifyMatchFailure(op, "needs ranked float operands");
    auto axis = onnx::normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes = trailingAxes(type, *axis);
    Type et = type.getElementType();
    double eps = op.getEpsilon().convertToDouble();
    Value invCount = inverseCount(rewriter, loc, op.getX(), axes, et);
    Value sum = buildReduction(rewriter, loc, op.getX(), axes, ReductionKind::Sum, true);
    auto keptType = cast<RankedTensorType>(sum.getType());
    Value mean = buildElementwise(rewriter, loc, keptType, sum, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      return arith::MulFOp::create(b, l, a[0], invCount);
    });
    Value centered = buildElementwise(rewriter, loc, type, ValueRange{op.getX(), mean},
                                      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                        return arith::SubFOp::create(b, l, a[0], a[1]);
                                      });
    Value sq = buildReduction(rewriter, loc, centered, axes, ReductionKind::Sum, true,
                              [](OpBuilder &b, Location l, Value v) -> Value {
                                return arith::MulFOp::create(b, l, v, v);
                              });
    SmallVector<Value> inputs = {centered, sq, op.getScale()};
    bool hasBias = !isa<NoneType>(op.getB().getType());
    if (hasBias) {
      if (!getRankedType(op.getB()))
        return rewriter.notifyMatchFailure(op, "unranked bias");
      inputs.push_back(op.getB());
    }
    Value r = buildElementwise(rewriter, loc, type, inputs, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value var = arith::MulFOp::create(b, l, a[1], invCount);
      Value inv = math::RsqrtOp::create(b, l, arith::AddFOp::create(b, l, var, scalarConstant(b, l, et, eps)));
      Value y = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, a[0], inv), a[2]);
      return hasBias ? Value(arith::AddFOp::create(b, l, y, a[3])) : y;
    });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, cast<RankedTensorType>(op.getY().getType())));
    return success();
  }
};

template <typename SoftmaxOp, bool isLog>
struct SoftmaxToLinalg : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern<SoftmaxOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getInput());
    if (!type || !isa<FloatType>(type.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a ranked float input");
    auto axis = onnx::normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes = {*axis};
    Value max = buildReduction(rewriter, loc, op.getInput(), axes, ReductionKind::Max, true);
    Value shifted = buildElementwise(rewriter, loc, type, ValueRange{op.getInput(), max},
                                     [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                       return arith::SubFOp::create(b, l, a[0], a[1]);
                                     });
    Value sum = buildReduction(rewriter, loc, shifted, axes, ReductionKind::Sum, true,
                               [](OpBuilder &b, Location l, Value v) -> Value {
                                 return math::ExpOp::create(b, l, v);
                               });
    Value r = buildElementwise(rewriter, loc, type, ValueRange{shifted, sum},
                               [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                 if (isLog)
                                   return arith::SubFOp::create(b, l, a[0], math::LogOp::create(b, l, a[1]));
                                 return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, a[0]), a[1]);
                               });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, cast<RankedTensorType>(op->getResult(0).getType())));
    return success();
  }
};

template <typename ReduceOp>
struct ReduceToLinalg : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getData());
    auto resultType = getRankedType(op.getReduced());
    if (!type || !resultType || type.getElementType().isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "needs ranked signless operands");
    SmallVector<int64_t> axes;
    if (op.getAxes())
      for (Attribute a : op.getAxesAttr()) {
        auto ax = onnx::normalizeAxis(cast<IntegerAttr>(a).getInt(), type.getRank());
        if (failed(ax))
          return rewriter.notifyMatchFailure(op, "axis out of range");
        axes.push_back(*ax);
      }
    if (axes.empty()) {
      if (op.getNoopWithEmptyAxes()) {
        rewriter.replaceOp(op, op.getData());
        return success();
      }
      for (int64_t i = 0; i < type.getRank(); ++i)
        axes.push_back(i);
    }
    llvm::sort(axes);
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    Location loc = op.getLoc();
    constexpr bool isLogSumExp = std::is_same_v<ReduceOp, onnx::ReduceLogSumExpOp>;
    constexpr bool isLogSum = std::is_same_v<ReduceOp, onnx::ReduceLogSumOp>;
    constexpr bool isL1 = std::is_same_v<ReduceOp, onnx::ReduceL1Op>;
    constexpr bool isSumSquare = std::is_same_v<ReduceOp, onnx::ReduceSumSquareOp>;
    bool isF = isa<FloatType>(type.getElementType());
    if ((isLogSumExp || isLogSum) && !isF)
      return rewriter.notifyMatchFailure(op, "needs a float input");
    if constexpr (isLogSumExp) {
      // max + log(sum(exp(x - max))), the max taken as 0 where it is
      // infinite so that a row of -inf gives -inf, not NaN.
      Value max = buildReduction(rewriter, loc, op.getData(), axes, ReductionKind::Max, true);
      auto keptType = cast<RankedTensorType>(max.getType());
      max = buildElementwise(rewriter, loc, keptType, max, [](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value finite = arith::CmpFOp::create(b, l, arith::CmpFPredicate::ONE, math::AbsFOp::create(b, l, a[0]),
                                             scalarConstant(b, l, a[0].getType(), INFINITY));
        return arith::SelectOp::create(b, l, finite, a[0], scalarConstant(b, l, a[0].getType(), 0));
      });
      Value shifted = buildElementwise(rewriter, loc, type, ValueRange{op.getData(), max},
                                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                         return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                                       });
      Value sum = buildReduction(rewriter, loc, shifted, axes, ReductionKind::Sum, true);
      Value r = buildElementwise(rewriter, loc, keptType, ValueRange{sum, max},
                                 [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                   return arith::AddFOp::create(b, l, math::LogOp::create(b, l, a[0]), a[1]);
                                 });
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, resultType));
      return success();
    }
    constexpr bool isL2 = std::is_same_v<ReduceOp, onnx::ReduceL2Op>;
    constexpr bool isMean = std::is_same_v<ReduceOp, onnx::ReduceMeanOp>;
    ReductionKind kind = ReductionKind::Sum;
    if constexpr (std::is_same_v<ReduceOp, onnx::ReduceMaxOp>) kind = ReductionKind::Max;
    if constexpr (std::is_same_v<ReduceOp, onnx::ReduceMinOp>) kind = ReductionKind::Min;
    if constexpr (std::is_same_v<ReduceOp, onnx::ReduceProdOp>) kind = ReductionKind::Prod;
    auto square = [](OpBuilder &b, Location l, Value v) -> Value {
      if (isa<FloatType>(v.getType()))
        return arith::MulFOp::create(b, l, v, v);
      return arith::MulIOp::create(b, l, v, v);
    };
    auto abs = [](OpBuilder &b, Location l, Value v) -> Value {
      if (isa<FloatType>(v.getType()))
        return math::AbsFOp::create(b, l, v);
      return math::AbsIOp::create(b, l, v);
    };
    function_ref<Value(OpBuilder &, Location, Value)> map;
    if (isL2 || isSumSquare) map = square;
    if (isL1) map = abs;
    Value r = buildReduction(rewriter, loc, op.getData(), axes, kind, op.getKeepdims() != 0, map);
    if (isLogSum)
      r = buildElementwise(rewriter, loc, cast<RankedTensorType>(r.getType()), r,
                           [](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return math::LogOp::create(b, l, a[0]);
                           });
    if (isMean || isL2) {
      // The number of reduced elements, read at run time where a dim is
      // dynamic.
      Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
      for (int64_t a : axes)
        count = rewriter.createOrFold<arith::MulIOp>(
            loc, count, rewriter.createOrFold<tensor::DimOp>(loc, op.getData(), a));
      Type t = cast<RankedTensorType>(r.getType()).getElementType();
      Value n = rewriter.createOrFold<arith::IndexCastOp>(loc, isF ? rewriter.getI64Type() : t, count);
      if (isF)
        n = rewriter.createOrFold<arith::SIToFPOp>(loc, t, n);
      r = buildElementwise(rewriter, loc, cast<RankedTensorType>(r.getType()), r,
                           [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                             if (isL2)
                               return math::SqrtOp::create(b, l, a[0]);
                             if (isF)
                               return arith::DivFOp::create(b, l, a[0], n);
                             return arith::DivSIOp::create(b, l, a[0], n);
                           });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, resultType));
    return success();
  }
};
/// The int64 index of the maximum (minimum) of `input` along `axis`, with
/// that dim kept as 1; ties go to the first index, or the last one.
Value buildArgReduction(OpBuilder &b, Location loc, Value input, int64_t axis, bool isMax,
                        bool selectLast) {
  auto type = cast<RankedTensorType>(input.getType());
  Type et = type.getElementType();
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0; i < rank; ++i) {
    iterators.push_back(i == axis ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (i != axis) {
      outShape.push_back(type.getDimSize(i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, i));
    }
  }
  Value start;
  if (auto f = dyn_cast<FloatType>(et))
    start = arith::ConstantOp::create(b, loc, et, b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), isMax)));
  else {
    unsigned w = et.getIntOrFloatBitWidth();
    start = arith::ConstantOp::create(
        b, loc, et, b.getIntegerAttr(et, isMax ? APInt::getSignedMinValue(w) : APInt::getSignedMaxValue(w)));
  }
  Type i64 = b.getI64Type();
  Value values = createFilled(b, loc, RankedTensorType::get(outShape, et), start, dynamicSizes);
  Value indices = createFilled(b, loc, RankedTensorType::get(outShape, i64),
                               scalarConstant(b, loc, i64, 0), dynamicSizes);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{values.getType(), indices.getType()}, input, ValueRange{values, indices},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap, outMap}, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value x = args[0], acc = args[1];
        Value better;
        if (isa<FloatType>(et)) {
          using P = arith::CmpFPredicate;
          P pred = isMax ? (selectLast ? P::OGE : P::OGT) : (selectLast ? P::OLE : P::OLT);
          better = arith::CmpFOp::create(nb, l, pred, x, acc);
        } else {
          using P = arith::CmpIPredicate;
          P pred = isMax ? (selectLast ? P::sge : P::sgt) : (selectLast ? P::sle : P::slt);
          better = arith::CmpIOp::create(nb, l, pred, x, acc);
        }
        Value idx = arith::IndexCastOp::create(nb, l, i64, linalg::IndexOp::create(nb, l, axis));
        linalg::YieldOp::create(nb, l, ValueRange{arith::SelectOp::create(nb, l, better, x, acc),
                                                  arith::SelectOp::create(nb, l, better, idx, args[2])});
      });
  return keepReducedDims(b, loc, generic.getResult(1), type.clone(i64), {axis});
}

template <typename ArgOp, bool isMax>
struct ArgReduceToLinalg : OpRewritePattern<ArgOp> {
  using OpRewritePattern<ArgOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ArgOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getData()), resultType = getRankedType(op.getReduced());
    if (!type || !resultType || type.getElementType().isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "needs ranked signless operands");
    auto axis = onnx::normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Value r = buildArgReduction(rewriter, op.getLoc(), op.getData(), *axis, isMax, op.getSelectLastIndex());
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), r, resultType));
    return success();
  }
};

/// Hardmax: 1 where the index along the axis is the first maximum's.
struct HardmaxToLinalg : OpRewritePattern<onnx::HardmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::HardmaxOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getInput());
    if (!type || !isa<FloatType>(type.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a float input");
    auto axis = onnx::normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    Value argmax = buildArgReduction(rewriter, loc, op.getInput(), *axis, true, false);
    Type et = type.getElementType();
    int64_t ax = *axis;
    // With dynamic dims the input joins (unread) to give the result its dims.
    SmallVector<Value> inputs = {argmax};
    if (!type.hasStaticShape())
      inputs.insert(inputs.begin(), op.getInput());
    Value r = buildElementwise(rewriter, loc, type, inputs,
                               [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                 Value i = arith::IndexCastOp::create(
                                     b, l, b.getI64Type(), linalg::IndexOp::create(b, l, ax));
                                 Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i, a.back());
                                 return arith::SelectOp::create(b, l, hit, scalarConstant(b, l, et, 1),
                                                                scalarConstant(b, l, et, 0));
                               });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, cast<RankedTensorType>(op->getResult(0).getType())));
    return success();
  }
};

/// mean(x) and mean((x - mean)^2) over `axes`, both with the dims kept;
/// returns {centered, variance}.
std::pair<Value, Value> buildMoments(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(x.getType());
  Value inv = inverseCount(b, loc, x, axes, type.getElementType());
  Value sum = buildReduction(b, loc, x, axes, ReductionKind::Sum, true);
  auto keptType = cast<RankedTensorType>(sum.getType());
  Value centered = buildElementwise(b, loc, type, ValueRange{x, sum}, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::SubFOp::create(nb, l, a[0], arith::MulFOp::create(nb, l, a[1], inv));
  });
  Value sq = buildReduction(b, loc, centered, axes, ReductionKind::Sum, true,
                            [](OpBuilder &nb, Location l, Value v) -> Value { return arith::MulFOp::create(nb, l, v, v); });
  Value var = buildElementwise(b, loc, keptType, sq, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::MulFOp::create(nb, l, a[0], inv);
  });
  return {centered, var};
}

/// InstanceNormalization: moments over the spatial dims of each (n, c).
struct InstanceNormToLinalg : OpRewritePattern<onnx::InstanceNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::InstanceNormalizationOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getInput());
    if (!type || type.getRank() < 3 || !isa<FloatType>(type.getElementType()) ||
        !getRankedType(op.getScale()) || !getRankedType(op.getB()))
      return rewriter.notifyMatchFailure(op, "needs float operands of rank >= 3");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < type.getRank(); ++i)
      axes.push_back(i);
    auto [centered, var] = buildMoments(rewriter, loc, op.getInput(), axes);
    SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
    paramShape[0] = type.getDimSize(1);
    auto paramType = RankedTensorType::get(paramShape, type.getElementType());
    Value scale = reshapeTo(rewriter, loc, op.getScale(), paramType);
    Value bias = reshapeTo(rewriter, loc, op.getB(), paramType);
    double eps = op.getEpsilon().convertToDouble();
    Value r = buildElementwise(rewriter, loc, type, ValueRange{centered, var, scale, bias},
                                            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                              Value inv = math::RsqrtOp::create(
                                                  b, l, arith::AddFOp::create(b, l, a[1], scalarConstant(b, l, a[1].getType(), eps)));
                                              Value y = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, a[0], inv), a[2]);
                                              return arith::AddFOp::create(b, l, y, a[3]);
                                            });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, cast<RankedTensorType>(op->getResult(0).getType())));
    return success();
  }
};

/// RMSNormalization: x / sqrt(mean(x^2) + eps) * scale over the dims from axis.
struct RMSNormToLinalg : OpRewritePattern<onnx::RMSNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::RMSNormalizationOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getX());
    if (!type || !isa<FloatType>(type.getElementType()) || !getRankedType(op.getScale()))
      return rewriter.notifyMatchFailure(op, "needs ranked float operands");
    auto axis = onnx::normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes = trailingAxes(type, *axis);
    // Computed in float32 at least (stash_type), as the ONNX function does.
    Type et = type.getElementType();
    Type ct = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
    auto up = [&](OpBuilder &b, Location l, Value v) -> Value {
      return v.getType() == ct ? v : Value(arith::ExtFOp::create(b, l, ct, v));
    };
    auto computeType = RankedTensorType::get(type.getShape(), ct);
    Value x = buildElementwise(rewriter, loc, computeType, op.getX(),
                               [&](OpBuilder &b, Location l, ValueRange a) { return up(b, l, a[0]); });
    Value sq = buildReduction(rewriter, loc, x, axes, ReductionKind::Sum, true,
                              [](OpBuilder &b, Location l, Value v) -> Value { return arith::MulFOp::create(b, l, v, v); });
    double eps = op.getEpsilon().convertToDouble();
    Value inv = inverseCount(rewriter, loc, op.getX(), axes, ct);
    Value r = buildElementwise(rewriter, loc, type, ValueRange{x, sq, op.getScale()},
                                            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                              Value ms = arith::MulFOp::create(b, l, a[1], inv);
                                              Value r = math::RsqrtOp::create(
                                                  b, l, arith::AddFOp::create(b, l, ms, scalarConstant(b, l, ct, eps)));
                                              Value y = arith::MulFOp::create(b, l, a[0], r);
                                              if (ct != et)
                                                y = arith::TruncFOp::create(b, l, et, y);
                                              return arith::MulFOp::create(b, l, y, a[2]);
                                            });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, cast<RankedTensorType>(op.getY().getType())));
    return success();
  }
};

/// LpNormalization: x / ||x||_p along one axis (p = 1 or 2).
struct LpNormToLinalg : OpRewritePattern<onnx::LpNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::LpNormalizationOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getInput());
    if (!type || !isa<FloatType>(type.getElementType()) || (op.getP() != 1 && op.getP() != 2))
      return rewriter.notifyMatchFailure(op, "needs a float input and p = 1 or 2");
    auto axis = onnx::normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    bool l1 = op.getP() == 1;
    Value norm = buildReduction(rewriter, loc, op.getInput(), {*axis}, ReductionKind::Sum, true,
                                [&](OpBuilder &b, Location l, Value v) -> Value {
                                  return l1 ? Value(math::AbsFOp::create(b, l, v)) : Value(arith::MulFOp::create(b, l, v, v));
                                });
    Value r = buildElementwise(rewriter, loc, type, ValueRange{op.getInput(), norm},
                                            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                              // A zero norm gives 0, as ONNX's reference does.
                                              Value n = l1 ? a[1] : Value(math::SqrtOp::create(b, l, a[1]));
                                              Value zero = scalarConstant(b, l, n.getType(), 0);
                                              Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, n, zero);
                                              return arith::SelectOp::create(b, l, isZero, zero,
                                                                             arith::DivFOp::create(b, l, a[0], n));
                                            });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, cast<RankedTensorType>(op->getResult(0).getType())));
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXNormalizationToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormToLinalg, LayerNormToLinalg, SoftmaxToLinalg<onnx::SoftmaxOp, false>,
               SoftmaxToLinalg<onnx::LogSoftmaxOp, true>, ReduceToLinalg<onnx::ReduceMeanOp>,
               ReduceToLinalg<onnx::ReduceSumOp>, ReduceToLinalg<onnx::ReduceMaxOp>,
               ReduceToLinalg<onnx::ReduceMinOp>, ReduceToLinalg<onnx::ReduceProdOp>,
               ReduceToLinalg<onnx::ReduceL2Op>, ReduceToLinalg<onnx::ReduceL1Op>,
               ReduceToLinalg<onnx::ReduceSumSquareOp>, ReduceToLinalg<onnx::ReduceLogSumOp>,
               ReduceToLinalg<onnx::ReduceLogSumExpOp>, ArgReduceToLinalg<onnx::ArgMaxOp, true>,
               ArgReduceToLinalg<onnx::ArgMinOp, false>, HardmaxToLinalg, InstanceNormToLinalg,
               RMSNormToLinalg, LpNormToLinalg>(patterns.getContext());
}
