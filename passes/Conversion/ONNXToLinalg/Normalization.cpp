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
    auto resultType = getStaticType(op.getY());
    if (!resultType || resultType.getRank() < 2 || !isa<FloatType>(resultType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a static float input of rank >= 2");
    Location loc = op.getLoc();
    int64_t c = resultType.getDimSize(1);
    // Parameters [C] broadcast along dim 1: reshape to [C, 1, ...].
    SmallVector<int64_t> paramShape(resultType.getRank() - 1, 1);
    paramShape[0] = c;
    auto paramType = RankedTensorType::get(paramShape, resultType.getElementType());
    SmallVector<Value> inputs = {op.getX()};
    for (Value p : {op.getScale(), op.getB(), op.getInputMean(), op.getInputVar()}) {
      if (!getStaticType(p))
        return rewriter.notifyMatchFailure(op, "dynamic parameters");
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

struct LayerNormToLinalg : OpRewritePattern<onnx::LayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::LayerNormalizationOp op, PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "mean/inv-std outputs");
    auto type = getStaticType(op.getX());
    if (!type || !isa<FloatType>(type.getElementType()) || !getStaticType(op.getScale()))
      return rewriter.notifyMatchFailure(op, "needs static float operands");
    auto axis = onnx::normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = *axis; i < type.getRank(); ++i) {
      axes.push_back(i);
      count *= type.getDimSize(i);
    }
    Type et = type.getElementType();
    double invCount = 1.0 / count, eps = op.getEpsilon().convertToDouble();
    Value sum = buildReduction(rewriter, loc, op.getX(), axes, ReductionKind::Sum, true);
    auto keptType = cast<RankedTensorType>(sum.getType());
    Value mean = buildElementwise(rewriter, loc, keptType, sum, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      return arith::MulFOp::create(b, l, a[0], scalarConstant(b, l, et, invCount));
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
      if (!getStaticType(op.getB()))
        return rewriter.notifyMatchFailure(op, "dynamic bias");
      inputs.push_back(op.getB());
    }
    Value r = buildElementwise(rewriter, loc, type, inputs, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value var = arith::MulFOp::create(b, l, a[1], scalarConstant(b, l, et, invCount));
      Value inv = math::RsqrtOp::create(b, l, arith::AddFOp::create(b, l, var, scalarConstant(b, l, et, eps)));
      Value y = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, a[0], inv), a[2]);
      return hasBias ? Value(arith::AddFOp::create(b, l, y, a[3])) : y;
    });
    rewriter.replaceOp(op, r);
    return success();
  }
};

template <typename SoftmaxOp, bool isLog>
struct SoftmaxToLinalg : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern<SoftmaxOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getInput());
    if (!type || !isa<FloatType>(type.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a static float input");
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
    rewriter.replaceOp(op, r);
    return success();
  }
};

template <typename ReduceOp>
struct ReduceToLinalg : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getData());
    auto resultType = getStaticType(op.getReduced());
    if (!type || !resultType || type.getElementType().isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "needs static signless operands");
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
    constexpr bool isL2 = std::is_same_v<ReduceOp, onnx::ReduceL2Op>;
    constexpr bool isMean = std::is_same_v<ReduceOp, onnx::ReduceMeanOp>;
    ReductionKind kind = ReductionKind::Sum;
    if constexpr (std::is_same_v<ReduceOp, onnx::ReduceMaxOp>) kind = ReductionKind::Max;
    if constexpr (std::is_same_v<ReduceOp, onnx::ReduceMinOp>) kind = ReductionKind::Min;
    if constexpr (std::is_same_v<ReduceOp, onnx::ReduceProdOp>) kind = ReductionKind::Prod;
    Value r = buildReduction(rewriter, loc, op.getData(), axes, kind, op.getKeepdims() != 0,
                             isL2 ? [](OpBuilder &b, Location l, Value v) -> Value {
                               return arith::MulFOp::create(b, l, v, v);
                             } : function_ref<Value(OpBuilder &, Location, Value)>());
    if (isMean || isL2) {
      int64_t count = 1;
      for (int64_t a : axes)
        count *= type.getDimSize(a);
      r = buildElementwise(rewriter, loc, cast<RankedTensorType>(r.getType()), r,
                           [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                             if (isL2)
                               return math::SqrtOp::create(b, l, a[0]);
                             if (isa<FloatType>(a[0].getType()))
                               return arith::DivFOp::create(b, l, a[0], scalarConstant(b, l, a[0].getType(), count));
                             return arith::DivSIOp::create(b, l, a[0], scalarConstant(b, l, a[0].getType(), count));
                           });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, resultType));
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXNormalizationToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormToLinalg, LayerNormToLinalg, SoftmaxToLinalg<onnx::SoftmaxOp, false>,
               SoftmaxToLinalg<onnx::LogSoftmaxOp, true>, ReduceToLinalg<onnx::ReduceMeanOp>,
               ReduceToLinalg<onnx::ReduceSumOp>, ReduceToLinalg<onnx::ReduceMaxOp>,
               ReduceToLinalg<onnx::ReduceMinOp>, ReduceToLinalg<onnx::ReduceProdOp>,
               ReduceToLinalg<onnx::ReduceL2Op>>(patterns.getContext());
}
