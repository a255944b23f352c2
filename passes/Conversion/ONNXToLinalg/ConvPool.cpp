//===- ConvPool.cpp - Conv and pooling to linalg --------------------------===//
//
// 2-d convolutions become linalg convolutions (plain, depthwise or grouped)
// whose accumulator starts as the broadcast bias, so the bias costs no extra
// pass over the output. Pooling uses linalg's pooling ops on an input padded
// with the reduction's identity; average pooling divides by a compile-time
// table of window sizes so that both count_include_pad modes and ceil_mode
// windows are exact.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

/// Pads the spatial dims of an NC... tensor by `begin`/`end` with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> begin,
                 ArrayRef<int64_t> end, Value value) {
  if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(end, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> low = {0, 0}, high = {0, 0}, shape(type.getShape());
  for (size_t i = 0; i < begin.size(); ++i) {
    low.push_back(begin[i]);
    high.push_back(end[i]);
    shape[i + 2] += begin[i] + end[i];
  }
  auto padType = RankedTensorType::get(shape, type.getElementType());
  return createPad(b, loc, padType, input, low, high, value);
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> v) {
  return b.getI64VectorAttr(v);
}

struct ConvToLinalg : OpRewritePattern<onnx::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConvOp op, PatternRewriter &rewriter) const override {
    auto resultType = getStaticType(op.getY());
    auto xType = getStaticType(op.getX()), wType = getStaticType(op.getW());
    if (!resultType || !xType || !wType)
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    if (xType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "only 2-d convolutions");
    if (!isa<FloatType>(resultType.getElementType()))
      return rewriter.notifyMatchFailure(op, "only float convolutions");
    Location loc = op.getLoc();
    SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
    SmallVector<int64_t> strides = onnx::getI64s(op.getStrides(), 2, 1);
    SmallVector<int64_t> dilations = onnx::getI64s(op.getDilations(), 2, 1);
    auto pads = onnx::resolvePads(op, op.getAutoPad(), xType.getShape().drop_front(2), kernel,
                                  strides, dilations, op.getPads());
    if (failed(pads))
      return failure();
    Type et = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, et, 0);
    Value x = padSpatial(rewriter, loc, op.getX(), ArrayRef<int64_t>(*pads).take_front(2),
                         ArrayRef<int64_t>(*pads).drop_front(2), zero);

    // The accumulator starts as the bias broadcast over the output.
    Value init;
    int64_t f = wType.getDimSize(0);
    if (!isa<NoneType>(op.getB().getType())) {
      Value bias = reshapeTo(rewriter, loc, op.getB(), RankedTensorType::get({f, 1, 1}, et));
      init = buildElementwise(rewriter, loc, resultType, bias,
                              [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    } else {
      init = createFilled(rewriter, loc, resultType, zero);
    }

    int64_t group = op.getGroup();
    int64_t c = xType.getDimSize(1);
    auto stridesAttr = i64Vector(rewriter, strides), dilationsAttr = i64Vector(rewriter, dilations);
    Value result;
    if (group == 1) {
      result = linalg::Conv2DNchwFchwOp::create(rewriter, loc, resultType, ValueRange{x, op.getW()},
                                                init, stridesAttr, dilationsAttr)
                   .getResult(0);
    } else if (group == c && f == c) {
      auto dwType = RankedTensorType::get({c, kernel[0], kernel[1]}, et);
      Value w = reshapeTo(rewriter, loc, op.getW(), dwType);
      result = linalg::DepthwiseConv2DNchwChwOp::create(rewriter, loc, resultType, ValueRange{x, w},
                                                        init, stridesAttr, dilationsAttr)
                   .getResult(0);
    } else {
      int64_t n = xType.getDimSize(0);
      auto xpType = cast<RankedTensorType>(x.getType());
      auto gx = RankedTensorType::get({n, group, c / group, xpType.getDimSize(2), xpType.getDimSize(3)}, et);
      auto gw = RankedTensorType::get({group, f / group, c / group, kernel[0], kernel[1]}, et);
      auto gy = RankedTensorType::get({n, group, f / group, resultType.getDimSize(2), resultType.getDimSize(3)}, et);
      Value xg = tensor::ExpandShapeOp::create(rewriter, loc, gx, x,
                                               ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value wg = tensor::ExpandShapeOp::create(rewriter, loc, gw, op.getW(),
                                               ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
      Value initg = tensor::ExpandShapeOp::create(rewriter, loc, gy, init,
                                                  ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value yg = linalg::Conv2DNgchwGfchwOp::create(rewriter, loc, gy, ValueRange{xg, wg}, initg,
                                                    stridesAttr, dilationsAttr)
                     .getResult(0);
      result = tensor::CollapseShapeOp::create(rewriter, loc, resultType, yg,
                                               ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Shared by MaxPool and AveragePool.
template <typename PoolOp>
struct PoolToLinalg : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  static constexpr bool isMax = std::is_same_v<PoolOp, onnx::MaxPoolOp>;

  LogicalResult matchAndRewrite(PoolOp op, PatternRewriter &rewriter) const override {
    auto resultType = getStaticType(op.getY());
    auto xType = getStaticType(op.getX());
    if (!resultType || !xType || xType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "only static 2-d pooling");
    auto et = dyn_cast<FloatType>(resultType.getElementType());
    if (!et)
      return rewriter.notifyMatchFailure(op, "only float pooling");
    Location loc = op.getLoc();
    SmallVector<int64_t> kernel = onnx::getI64s(op.getKernelShape(), 2, 1);
    SmallVector<int64_t> strides = onnx::getI64s(op.getStrides(), 2, 1);
    SmallVector<int64_t> dilations = onnx::getI64s(op.getDilations(), 2, 1);
    ArrayRef<int64_t> in = xType.getShape().drop_front(2);
    auto pads = onnx::resolvePads(op, op.getAutoPad(), in, kernel, strides, dilations, op.getPads());
    if (failed(pads))
      return failure();
    // Ceil mode can make the last window reach past the padded input: pad
    // further so that every window is inside the buffer.
    SmallVector<int64_t> begin(pads->begin(), pads->begin() + 2), end(pads->begin() + 2, pads->end());
    for (int i = 0; i < 2; ++i) {
      int64_t needed = (resultType.getDimSize(i + 2) - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
      int64_t have = in[i] + begin[i] + end[i];
      if (needed > have)
        end[i] += needed - have;
    }
    Value padValue = isMax ? Value(arith::ConstantOp::create(
                                 rewriter, loc, et,
                                 rewriter.getFloatAttr(et, APFloat::getInf(et.getFloatSemantics(), true))))
                           : scalarConstant(rewriter, loc, et, 0);
    Value x = padSpatial(rewriter, loc, op.getX(), begin, end, padValue);
    Value init = createFilled(rewriter, loc, resultType, padValue);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, et);
    auto stridesAttr = i64Vector(rewriter, strides), dilationsAttr = i64Vector(rewriter, dilations);
    Value result;
    if constexpr (isMax) {
      result = linalg::PoolingNchwMaxOp::create(rewriter, loc, resultType, ValueRange{x, window}, init,
                                                stridesAttr, dilationsAttr)
                   .getResult(0);
    } else {
      Value sum = linalg::PoolingNchwSumOp::create(rewriter, loc, resultType, ValueRange{x, window},
                                                   init, stridesAttr, dilationsAttr)
                      .getResult(0);
      // Divisor per output position: the window's elements inside the input
      // (or inside the explicitly padded input with count_include_pad).
      int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
      bool includePad = op.getCountIncludePad() != 0;
      SmallVector<float> counts;
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t count = 0;
          for (int64_t ki = 0; ki < kernel[0]; ++ki)
            for (int64_t kj = 0; kj < kernel[1]; ++kj) {
              int64_t r = i * strides[0] + ki * dilations[0] - begin[0];
              int64_t s = j * strides[1] + kj * dilations[1] - begin[1];
              bool inside = includePad
                                ? (r >= -begin[0] && r < in[0] + (*pads)[2] && s >= -begin[1] && s < in[1] + (*pads)[3])
                                : (r >= 0 && r < in[0] && s >= 0 && s < in[1]);
              count += inside;
            }
          counts.push_back(1.0f / std::max<int64_t>(count, 1));
        }
      auto countType = RankedTensorType::get({oh, ow}, rewriter.getF32Type());
      Value scale = arith::ConstantOp::create(rewriter, loc, countType,
                                              DenseElementsAttr::get(countType, ArrayRef<float>(counts)));
      result = buildElementwise(rewriter, loc, resultType, ValueRange{sum, scale},
                                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                  Value s = a[1];
                                  if (a[0].getType() != s.getType())
                                    s = arith::TruncFOp::create(b, l, a[0].getType(), s);
                                  return arith::MulFOp::create(b, l, a[0], s);
                                });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename GlobalOp>
struct GlobalPoolToLinalg : OpRewritePattern<GlobalOp> {
  using OpRewritePattern<GlobalOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalOp op, PatternRewriter &rewriter) const override {
    auto xType = getStaticType(op.getX());
    if (!xType || !getStaticType(op.getY()) || !isa<FloatType>(xType.getElementType()))
      return rewriter.notifyMatchFailure(op, "only static float pooling");
    constexpr bool isMax = std::is_same_v<GlobalOp, onnx::GlobalMaxPoolOp>;
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = 2; i < xType.getRank(); ++i) {
      axes.push_back(i);
      count *= xType.getDimSize(i);
    }
    Location loc = op.getLoc();
    Value r = buildReduction(rewriter, loc, op.getX(), axes,
                             isMax ? ReductionKind::Max : ReductionKind::Sum, /*keepDims=*/true);
    if (!isMax) {
      auto type = cast<RankedTensorType>(r.getType());
      r = buildElementwise(rewriter, loc, type, r, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(b, l, a[0], scalarConstant(b, l, a[0].getType(), 1.0 / count));
      });
    }
    rewriter.replaceOp(op, r);
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXConvPoolToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvToLinalg, PoolToLinalg<onnx::MaxPoolOp>, PoolToLinalg<onnx::AveragePoolOp>,
               GlobalPoolToLinalg<onnx::GlobalAveragePoolOp>,
               GlobalPoolToLinalg<onnx::GlobalMaxPoolOp>>(patterns.getContext());
}
