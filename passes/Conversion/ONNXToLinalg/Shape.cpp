//===- Shape.cpp - shapes read at run time --------------------------------===//
//
// Where a model has symbolic dims, the ops that read or rewrite shapes work on
// dims known only at run time: Shape and Size read them with tensor.dim, and
// Reshape, Flatten, Squeeze and Unsqueeze compute the new dims as index
// values and become tensor.reshape. With static shapes the graph passes fold
// Shape and Size, and Tensor.cpp turns reshapes into collapse/expand_shape.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

Value dimOf(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  return b.createOrFold<tensor::DimOp>(loc, tensor, i);
}

Value product(OpBuilder &b, Location loc, ArrayRef<Value> values) {
  Value p = arith::ConstantIndexOp::create(b, loc, 1);
  for (Value v : values)
    p = b.createOrFold<arith::MulIOp>(loc, p, v);
  return p;
}

/// Shape: the dims start..end (clamped, negative ones counted from the end)
/// as int64 values.
struct ShapeToTensor : OpRewritePattern<onnx::ShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ShapeOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getData());
    if (!type)
      return rewriter.notifyMatchFailure(op, "unranked input");
    int64_t rank = type.getRank();
    auto clampAxis = [&](std::optional<int64_t> v, int64_t dflt) {
      int64_t a = v ? *v : dflt;
      if (a < 0)
        a += rank;
      return std::clamp<int64_t>(a, 0, rank);
    };
    int64_t start = clampAxis(op.getStart(), 0), end = clampAxis(op.getEnd(), rank);
    Location loc = op.getLoc();
    SmallVector<Value> dims;
    for (int64_t i = start; i < end; ++i)
      dims.push_back(arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                                dimOf(rewriter, loc, op.getData(), i)));
    auto resultType = RankedTensorType::get({(int64_t)dims.size()}, rewriter.getI64Type());
    Value shape = tensor::FromElementsOp::create(rewriter, loc, resultType, dims);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, shape, cast<RankedTensorType>(op.getType())));
    return success();
  }
};

/// Size: the product of the dims as an int64 scalar.
struct SizeToTensor : OpRewritePattern<onnx::SizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SizeOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getData());
    auto resultType = getRankedType(op.getSize());
    if (!type || !resultType || resultType.getRank() != 0)
      return rewriter.notifyMatchFailure(op, "needs a ranked input");
    Location loc = op.getLoc();
    SmallVector<Value> dims;
    for (int64_t i = 0; i < type.getRank(); ++i)
      dims.push_back(dimOf(rewriter, loc, op.getData(), i));
    Value n = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                         product(rewriter, loc, dims));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, resultType, n);
    return success();
  }
};

/// The dims of Reshape's result: each shape value as it is, 0 copying the
/// input's dim at that position (unless allowzero), and the one -1 the input's
/// element count divided by the product of the others.
FailureOr<SmallVector<Value>> reshapeDims(OpBuilder &b, Location loc, onnx::ReshapeOp op,
                                          int64_t rank) {
  auto inType = cast<RankedTensorType>(op.getData().getType());
  auto shapeType = getRankedType(op.getShape());
  if (!shapeType || shapeType.getRank() != 1 ||
      (!shapeType.isDynamicDim(0) && shapeType.getDimSize(0) != rank))
    return failure();
  Type i64 = b.getI64Type();
  Value zero = arith::ConstantIntOp::create(b, loc, i64, 0);
  Value minusOne = arith::ConstantIntOp::create(b, loc, i64, -1);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> values, inDims;
  for (int64_t i = 0; i < inType.getRank(); ++i)
    inDims.push_back(dimOf(b, loc, op.getData(), i));
  for (int64_t i = 0; i < rank; ++i) {
    Value index = arith::ConstantIndexOp::create(b, loc, i);
    Value v = b.createOrFold<tensor::ExtractOp>(loc, op.getShape(), ValueRange{index});
    if (!op.getAllowzero() && i < inType.getRank()) {
      Value copy = b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, v, zero);
      Value dim = b.createOrFold<arith::IndexCastOp>(loc, i64, inDims[i]);
      v = b.createOrFold<arith::SelectOp>(loc, copy, dim, v);
    }
    values.push_back(v);
  }
  // The known dims' product, with the -1 counted as 1.
  SmallVector<Value> dims, known;
  for (Value v : values) {
    Value isInferred = b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, v, minusOne);
    Value d = b.createOrFold<arith::IndexCastOp>(loc, b.getIndexType(), v);
    known.push_back(b.createOrFold<arith::SelectOp>(loc, isInferred, one, d));
  }
  Value inferred = b.createOrFold<arith::DivUIOp>(
      loc, product(b, loc, inDims), b.createOrFold<arith::MaxUIOp>(loc, product(b, loc, known), one));
  for (auto [v, k] : llvm::zip(values, known)) {
    Value isInferred = b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, v, minusOne);
    dims.push_back(b.createOrFold<arith::SelectOp>(loc, isInferred, inferred, k));
  }
  return dims;
}

/// Reshape, Flatten, Squeeze and Unsqueeze where a dim is dynamic.
struct DynamicReshapeToTensor : RewritePattern {
  DynamicReshapeToTensor(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<onnx::ReshapeOp, onnx::FlattenOp, onnx::SqueezeOp, onnx::UnsqueezeOp>(op))
      return failure();
    Value input = op->getOperand(0);
    auto inType = getRankedType(input);
    auto type = getRankedType(op->getResult(0));
    if (!inType || !type || (inType.hasStaticShape() && type.hasStaticShape()))
      return rewriter.notifyMatchFailure(op, "static shapes (Tensor.cpp) or unranked");
    Location loc = op->getLoc();
    int64_t inRank = inType.getRank(), rank = type.getRank();
    SmallVector<Value> dims;
    if (auto reshape = dyn_cast<onnx::ReshapeOp>(op)) {
      auto computed = reshapeDims(rewriter, loc, reshape, rank);
      if (failed(computed))
        return rewriter.notifyMatchFailure(op, "needs a 1-d shape of the result's rank");
      dims = *computed;
    } else if (auto flatten = dyn_cast<onnx::FlattenOp>(op)) {
      // axis in [-r, r], a negative one counting from r.
      int64_t axis = flatten.getAxis() < 0 ? flatten.getAxis() + inRank : flatten.getAxis();
      if (axis < 0 || axis > inRank || rank != 2)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      SmallVector<Value> outer, inner;
      for (int64_t i = 0; i < inRank; ++i)
        (i < axis ? outer : inner).push_back(dimOf(rewriter, loc, input, i));
      dims = {product(rewriter, loc, outer), product(rewriter, loc, inner)};
    } else if (auto unsqueeze = dyn_cast<onnx::UnsqueezeOp>(op)) {
      SmallVector<int64_t> axes;
      for (Attribute a : unsqueeze.getAxes()) {
        auto axis = onnx::normalizeAxis(cast<IntegerAttr>(a).getInt(), rank);
        if (failed(axis))
          return rewriter.notifyMatchFailure(op, "axis out of range");
        axes.push_back(*axis);
      }
      int64_t next = 0;
      for (int64_t i = 0; i < rank; ++i)
        dims.push_back(llvm::is_contained(axes, i) ? arith::ConstantIndexOp::create(rewriter, loc, 1)
                                                   : dimOf(rewriter, loc, input, next++));
      if (next != inRank)
        return rewriter.notifyMatchFailure(op, "axes do not match the ranks");
    } else {
      auto squeeze = cast<onnx::SqueezeOp>(op);
      SmallVector<int64_t> axes;
      if (std::optional<ArrayAttr> axesAttr = squeeze.getAxes()) {
        for (Attribute a : *axesAttr) {
          auto axis = onnx::normalizeAxis(cast<IntegerAttr>(a).getInt(), inRank);
          if (failed(axis))
            return rewriter.notifyMatchFailure(op, "axis out of range");
          axes.push_back(*axis);
        }
      } else {
        // Without axes every dim of 1 goes: a dynamic dim is taken to stay,
        // which the result's rank must confirm.
        for (int64_t i = 0; i < inRank; ++i)
          if (inType.getDimSize(i) == 1)
            axes.push_back(i);
      }
      for (int64_t i = 0; i < inRank; ++i)
        if (!llvm::is_contained(axes, i))
          dims.push_back(dimOf(rewriter, loc, input, i));
      if ((int64_t)dims.size() != rank)
        return rewriter.notifyMatchFailure(op, "which dims go is known only at run time");
    }
    SmallVector<int64_t> shape;
    for (auto [i, d] : llvm::enumerate(dims)) {
      std::optional<int64_t> c = getConstantIntValue(d);
      shape.push_back(!type.isDynamicDim(i) ? type.getDimSize(i) : c ? *c : ShapedType::kDynamic);
    }
    auto shapeTensor = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({rank}, rewriter.getIndexType()), dims);
    Value reshaped = tensor::ReshapeOp::create(
        rewriter, loc, RankedTensorType::get(shape, type.getElementType()), input, shapeTensor);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reshaped, type));
    return success();
  }
};

/// ConstantOfShape whose shape is computed at run time: a filled tensor.
struct ConstantOfShapeToTensor : OpRewritePattern<onnx::ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConstantOfShapeOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput());
    if (!type || type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "static results fold");
    Location loc = op.getLoc();
    Type et = storageType(type.getElementType());
    Value value = scalarConstant(rewriter, loc, et, 0);
    if (std::optional<ElementsAttr> attr = op.getValue()) {
      auto dense = dyn_cast<DenseElementsAttr>(*attr);
      if (!dense || dense.getNumElements() != 1)
        return rewriter.notifyMatchFailure(op, "value must be one dense element");
      Attribute v = dense.getSplatValue<Attribute>();
      if (auto i = dyn_cast<IntegerAttr>(v))
        v = IntegerAttr::get(et, i.getValue());
      value = arith::ConstantOp::create(rewriter, loc, et, cast<TypedAttr>(v));
    }
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      if (!type.isDynamicDim(i))
        continue;
      Value index = arith::ConstantIndexOp::create(rewriter, loc, i);
      Value d = rewriter.createOrFold<tensor::ExtractOp>(loc, op.getInput(), ValueRange{index});
      sizes.push_back(arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), d));
    }
    Value r = createFilled(rewriter, loc, type.clone(et), value, sizes);
    if (et != type.getElementType())
      r = tensor::BitcastOp::create(rewriter, loc, type, r);
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

/// EnsureShape: a copy into the declared shape, element by element, read
/// only where every run-time dim equals the declared one (dims declared -1
/// are the value's own). Each such dim
/// goes through mlc_rt_check_dim, which returns it and, when it differs,
/// fails the run.
struct EnsureShapeToGeneric : OpRewritePattern<onnx::EnsureShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::EnsureShapeOp op, PatternRewriter &rewriter) const override {
    auto xType = getRankedType(op.getX());
    auto type = getRankedType(op.getY());
    if (!xType || !type)
      return rewriter.notifyMatchFailure(op, "needs a ranked value and result");
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    Value x = toStorage(rewriter, loc, op.getX());
    Value ok = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
    SmallVector<Value> sizes; // the result's dims that stay the value's own
    for (int64_t d = 0; d < xType.getRank(); ++d) {
      if (type.isDynamicDim(d))
        sizes.push_back(dimOf(rewriter, loc, x, d));
      if (!xType.isDynamicDim(d) || type.isDynamicDim(d))
        continue;
      Value actual = arith::IndexCastOp::create(rewriter, loc, i64, dimOf(rewriter, loc, x, d));
      Value declared = scalarConstant(rewriter, loc, i64, (double)type.getDimSize(d));
      Value checked = runtimeCall(rewriter, loc, "mlc_rt_check_dim", i64, {actual, declared});
      ok = arith::AndIOp::create(rewriter, loc, ok,
                                 arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, checked, declared));
    }
    Type et = storageType(type.getElementType());
    int64_t rank = type.getRank();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(), et, sizes);
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
                  ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
                  SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange) {
                    SmallVector<Value> ivs;
                    for (int64_t d = 0; d < rank; ++d)
                      ivs.push_back(linalg::IndexOp::create(b, l, d));
                    auto read = scf::IfOp::create(
                        b, l, ok,
                        [&](OpBuilder &tb, Location tl) {
                          scf::YieldOp::create(tb, tl, ValueRange{tensor::ExtractOp::create(tb, tl, x, ivs)});
                        },
                        [&](OpBuilder &eb, Location el) {
                          scf::YieldOp::create(eb, el, ValueRange{scalarConstant(eb, el, et, 0)});
                        });
                    linalg::YieldOp::create(b, l, read.getResult(0));
                  })
                  .getResult(0);
    rewriter.replaceOp(op, fromStorage(rewriter, loc, y, type.getElementType()));
    return success();
  }
};

void mlc::conversion::populateONNXShapeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ShapeToTensor, SizeToTensor, DynamicReshapeToTensor, ConstantOfShapeToTensor, EnsureShapeToGeneric>(
      patterns.getContext());
}
