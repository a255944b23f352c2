//===- Simplify.cpp - graph simplification on the onnx dialect ------------===//
//
// Folding plus a few rewrites that remove whole ops: BatchNormalization is
// folded into the convolution that feeds it, transpose and reshape chains
// collapse into one op. The greedy driver also erases dead ops.
//
//===----------------------------------------------------------------------===//
#include "passes/Graph/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlc;

namespace mlc::graph {
#define GEN_PASS_DEF_SIMPLIFY
#include "passes/Graph/Passes.h.inc"
} // namespace mlc::graph

namespace {

std::optional<std::vector<float>> constantF32(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return onnx::getF32Values(dyn_cast<ElementsAttr>(attr));
}

/// BatchNormalization(Conv(x, W, B)) -> Conv(x, W * s, (B - mean) * s + beta)
/// with s = scale / sqrt(var + eps), per output channel.
struct FoldBatchNormIntoConv : OpRewritePattern<onnx::BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::BatchNormalizationOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getX().getDefiningOp<onnx::ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a conv used once");
    auto wType = dyn_cast<RankedTensorType>(conv.getW().getType());
    if (!wType || !wType.hasStaticShape() || !wType.getElementType().isF32())
      return rewriter.notifyMatchFailure(bn, "weights are not static f32");
    auto w = constantF32(conv.getW());
    auto scale = constantF32(bn.getScale()), beta = constantF32(bn.getB());
    auto mean = constantF32(bn.getInputMean()), var = constantF32(bn.getInputVar());
    if (!w || !scale || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "parameters are not constants");
    int64_t f = wType.getDimSize(0);
    if ((int64_t)scale->size() != f || (int64_t)beta->size() != f ||
        (int64_t)mean->size() != f || (int64_t)var->size() != f)
      return rewriter.notifyMatchFailure(bn, "parameters do not match channels");
    std::vector<float> bias(f, 0.0f);
    if (!isa<NoneType>(conv.getB().getType())) {
      auto b = constantF32(conv.getB());
      if (!b || (int64_t)b->size() != f)
        return rewriter.notifyMatchFailure(bn, "conv bias is not a constant");
      bias = *b;
    }
    float eps = bn.getEpsilon().convertToFloat();
    int64_t perChannel = wType.getNumElements() / f;
    std::vector<float> newW(*w);
    std::vector<float> newB(f);
    for (int64_t c = 0; c < f; ++c) {
      float s = (*scale)[c] / std::sqrt((*var)[c] + eps);
      for (int64_t i = 0; i < perChannel; ++i)
        newW[c * perChannel + i] *= s;
      newB[c] = (bias[c] - (*mean)[c]) * s + (*beta)[c];
    }
    Location loc = bn.getLoc();
    auto wAttr = onnx::makeF32Constant(wType, "bn_folded_weight", newW);
    auto bType = RankedTensorType::get({f}, rewriter.getF32Type());
    auto bAttr = onnx::makeF32Constant(bType, "bn_folded_bias", newB);
    Value newWeights = onnx::ConstantOp::create(rewriter, loc, wType, wAttr);
    Value newBias = onnx::ConstantOp::create(rewriter, loc, bType, bAttr);
    auto newConv = onnx::ConvOp::create(
        rewriter, conv.getLoc(), bn.getType(), conv.getX(), newWeights, newBias,
        conv.getAutoPadAttr(), conv.getDilationsAttr(), conv.getGroupAttr(),
        conv.getKernelShapeAttr(), conv.getPadsAttr(), conv.getStridesAttr());
    rewriter.replaceOp(bn, newConv.getY());
    rewriter.eraseOp(conv);
    return success();
  }
};

SmallVector<int64_t> permutationOf(onnx::TransposeOp op) {
  SmallVector<int64_t> perm;
  if (op.getPerm()) {
    for (Attribute a : op.getPermAttr())
      perm.push_back(cast<IntegerAttr>(a).getInt());
  } else {
    int64_t rank = cast<RankedTensorType>(op.getData().getType()).getRank();
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  }
  return perm;
}

/// Transpose(Transpose(x, p1), p2) -> Transpose(x, p1 o p2).
struct ComposeTransposes : OpRewritePattern<onnx::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getData().getDefiningOp<onnx::TransposeOp>();
    if (!inner || !isa<RankedTensorType>(inner.getData().getType()))
      return rewriter.notifyMatchFailure(op, "input is not a ranked transpose");
    SmallVector<int64_t> p1 = permutationOf(inner), p2 = permutationOf(op);
    SmallVector<int64_t> composed;
    for (int64_t p : p2)
      composed.push_back(p1[p]);
    rewriter.replaceOpWithNewOp<onnx::TransposeOp>(
        op, op.getType(), inner.getData(), rewriter.getI64ArrayAttr(composed));
    return success();
  }
};

/// A reshape-like op (Reshape, Flatten, Squeeze, Unsqueeze) of a reshape-like
/// op becomes one Reshape to the final static shape.
struct CollapseReshapeChains : RewritePattern {
  CollapseReshapeChains(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  static bool isReshapeLike(Operation *op) {
    return op && isa<onnx::ReshapeOp, onnx::FlattenOp, onnx::SqueezeOp,
                     onnx::UnsqueezeOp>(op);
  }
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isReshapeLike(op))
      return failure();
    Operation *inner = op->getOperand(0).getDefiningOp();
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!isReshapeLike(inner) || !type || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a static reshape of a reshape");
    Value source = inner->getOperand(0);
    auto shapeType = RankedTensorType::get({type.getRank()}, rewriter.getI64Type());
    Value shape = onnx::ConstantOp::create(
        rewriter, op->getLoc(), shapeType,
        DenseElementsAttr::get(shapeType, type.getShape()));
    rewriter.replaceOpWithNewOp<onnx::ReshapeOp>(op, type, source, shape,
                                                 rewriter.getI64IntegerAttr(0));
    return success();
  }
};

struct SimplifyPass : mlc::graph::impl::SimplifyBase<SimplifyPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv, ComposeTransposes, CollapseReshapeChains>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
