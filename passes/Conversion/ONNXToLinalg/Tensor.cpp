//===- Tensor.cpp - constants and data movement to tensor/linalg ----------===//
//
// Constants become arith.constant (weights stay dense_resource blobs);
// reshape-like ops become collapse/expand_shape; Transpose a linalg.transpose;
// Concat and Split insert/extract slices of one buffer; Slice an extract_slice
// (a generic for negative steps); Gather and Expand index through generics.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

struct ConstantToArith : OpRewritePattern<onnx::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConstantOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getType(), cast<TypedAttr>(op.getValue()));
    return success();
  }
};

/// Reshape, Flatten, Squeeze and Unsqueeze only change the static type.
struct ReshapeLikeToTensor : RewritePattern {
  ReshapeLikeToTensor(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<onnx::ReshapeOp, onnx::FlattenOp, onnx::SqueezeOp, onnx::UnsqueezeOp>(op))
      return failure();
    auto type = getStaticType(op->getResult(0));
    if (!type || !getStaticType(op->getOperand(0)))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOp(op, reshapeTo(rewriter, op->getLoc(), op->getOperand(0), type));
    return success();
  }
};

struct TransposeToLinalg : OpRewritePattern<onnx::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TransposeOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getTransposed());
    auto inType = getStaticType(op.getData());
    if (!type || !inType)
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    SmallVector<int64_t> perm = onnx::getI64s(op.getPerm(), 0, 0);
    if (!op.getPerm())
      for (int64_t i = inType.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(), type.getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(), op.getData(), init, perm)
                               .getResult()[0]);
    return success();
  }
};

struct ConcatToTensor : OpRewritePattern<onnx::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConcatOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getConcatResult());
    if (!type)
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), type.getRank());
    Location loc = op.getLoc();
    Value result = tensor::EmptyOp::create(rewriter, loc, type.getShape(), type.getElementType());
    int64_t offset = 0;
    for (Value in : op.getInputs()) {
      auto inType = getStaticType(in);
      if (!inType)
        return rewriter.notifyMatchFailure(op, "dynamic input");
      SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
      offsets[axis] = offset;
      offset += inType.getDimSize(axis);
      if (inType.getNumElements() == 0)
        continue;
      result = tensor::InsertSliceOp::create(rewriter, loc, in, result, ValueRange{}, ValueRange{},
                                             ValueRange{}, offsets, inType.getShape(), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitToTensor : OpRewritePattern<onnx::SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SplitOp op, PatternRewriter &rewriter) const override {
    auto inType = getStaticType(op.getInput());
    if (!inType)
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), inType.getRank());
    SmallVector<Value> results;
    int64_t offset = 0;
    for (Value r : op.getOutputs()) {
      auto type = getStaticType(r);
      if (!type)
        return rewriter.notifyMatchFailure(op, "dynamic output");
      SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
      offsets[axis] = offset;
      offset += type.getDimSize(axis);
      results.push_back(tensor::ExtractSliceOp::create(rewriter, op.getLoc(), type, op.getInput(),
                                                       ValueRange{}, ValueRange{}, ValueRange{},
                                                       offsets, type.getShape(), strides));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SliceToTensor : OpRewritePattern<onnx::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SliceOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getOutput()), inType = getStaticType(op.getData());
    auto starts = onnx::getConstantInts(op.getStarts());
    bool hasAxes = !isa<NoneType>(op.getAxes().getType()), hasSteps = !isa<NoneType>(op.getSteps().getType());
    auto axes = onnx::getConstantInts(op.getAxes()), steps = onnx::getConstantInts(op.getSteps());
    if (!type || !inType || failed(starts) || (hasAxes && failed(axes)) || (hasSteps && failed(steps)))
      return rewriter.notifyMatchFailure(op, "needs static shapes and constant starts/axes/steps");
    int64_t rank = type.getRank();
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    for (size_t i = 0; i < starts->size(); ++i) {
      int64_t ax = *onnx::normalizeAxis(hasAxes ? (*axes)[i] : (int64_t)i, rank);
      int64_t step = hasSteps ? (*steps)[i] : 1, dim = inType.getDimSize(ax);
      int64_t b = (*starts)[i];
      if (b < 0) b += dim;
      b = step > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, -1, dim - 1);
      offsets[ax] = b;
      strides[ax] = step;
    }
    Location loc = op.getLoc();
    if (type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(), type.getElementType());
      return success();
    }
    if (llvm::all_of(strides, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, op.getData(), ValueRange{}, ValueRange{},
                                                          ValueRange{}, offsets, type.getShape(), strides);
      return success();
    }
    // Negative steps: out[i] = in[offset + i * step] through a generic.
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(), type.getElementType());
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value data = op.getData();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{}, init, ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        iterators, [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> idx;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            Value scaled = arith::MulIOp::create(b, l, i, arith::ConstantIndexOp::create(b, l, strides[d]));
            idx.push_back(arith::AddIOp::create(b, l, scaled, arith::ConstantIndexOp::create(b, l, offsets[d])));
          }
          linalg::YieldOp::create(b, l, tensor::ExtractOp::create(b, l, data, idx).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherToLinalg : OpRewritePattern<onnx::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GatherOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getOutput()), dataType = getStaticType(op.getData());
    auto idxType = getStaticType(op.getIndices());
    if (!type || !dataType || !idxType)
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), dataType.getRank());
    int64_t rank = type.getRank(), idxRank = idxType.getRank();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < idxRank; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    AffineMap idxMap = AffineMap::get(rank, 0, idxExprs, ctx);
    Location loc = op.getLoc();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(), type.getElementType());
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value data = op.getData();
    int64_t dimSize = dataType.getDimSize(axis);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, op.getIndices(), init,
        ArrayRef<AffineMap>{idxMap, rewriter.getMultiDimIdentityMap(rank)}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          // Negative indices count from the end; out-of-range ones are clamped
          // so that a bad index cannot read outside the tensor.
          Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value size = arith::ConstantIndexOp::create(b, l, dimSize);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
          i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, size), i);
          i = arith::MaxSIOp::create(b, l, i, zero);
          i = arith::MinSIOp::create(b, l, i, arith::ConstantIndexOp::create(b, l, dimSize - 1));
          SmallVector<Value> idx;
          for (int64_t d = 0; d < axis; ++d)
            idx.push_back(linalg::IndexOp::create(b, l, d));
          idx.push_back(i);
          for (int64_t d = axis + 1; d < dataType.getRank(); ++d)
            idx.push_back(linalg::IndexOp::create(b, l, d - 1 + idxRank));
          linalg::YieldOp::create(b, l, tensor::ExtractOp::create(b, l, data, idx).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ExpandToLinalg : OpRewritePattern<onnx::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ExpandOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getOutput());
    if (!type || !getStaticType(op.getInput()))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOp(op, buildElementwise(rewriter, op.getLoc(), type, op.getInput(),
                                            [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
    return success();
  }
};

struct PadToTensor : OpRewritePattern<onnx::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::PadOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getOutput());
    auto pads = onnx::getConstantInts(op.getPads());
    if (!type || failed(pads) || op.getMode() != "constant")
      return rewriter.notifyMatchFailure(op, "needs static shapes, constant pads, constant mode");
    if (llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
      return rewriter.notifyMatchFailure(op, "negative pads");
    Location loc = op.getLoc();
    Type et = type.getElementType();
    Value value;
    if (isa<NoneType>(op.getConstantValue().getType())) {
      value = scalarConstant(rewriter, loc, et, 0);
    } else {
      auto cvType = getStaticType(op.getConstantValue());
      if (!cvType)
        return rewriter.notifyMatchFailure(op, "dynamic constant_value");
      SmallVector<Value> zeros(cvType.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
      value = tensor::ExtractOp::create(rewriter, loc, op.getConstantValue(), zeros);
    }
    int64_t rank = type.getRank();
    SmallVector<int64_t> low(pads->begin(), pads->begin() + rank), high(pads->begin() + rank, pads->end());
    rewriter.replaceOp(op, createPad(rewriter, loc, type, op.getData(), low, high, value));
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXTensorToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantToArith, ReshapeLikeToTensor, TransposeToLinalg, ConcatToTensor, SplitToTensor,
               SliceToTensor, GatherToLinalg, ExpandToLinalg, PadToTensor>(patterns.getContext());
}
