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
    // A string constant is a tensor of the addresses of its strings.
    if (auto strings = dyn_cast<DenseStringElementsAttr>(op.getValue())) {
      auto type = cast<RankedTensorType>(op.getType());
      SmallVector<Value> elements;
      for (StringRef s : strings.getValues<StringRef>())
        elements.push_back(stringLiteral(rewriter, op.getLoc(), s));
      Value t = tensor::FromElementsOp::create(rewriter, op.getLoc(), type.clone(storageType(type.getElementType())),
                                               elements);
      rewriter.replaceOp(op, fromStorage(rewriter, op.getLoc(), t, type.getElementType()));
      return success();
    }
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
    auto type = getRankedType(op.getTransposed());
    auto inType = getRankedType(op.getData());
    if (!type || !inType)
      return rewriter.notifyMatchFailure(op, "unranked");
    SmallVector<int64_t> perm = onnx::getI64s(op.getPerm(), 0, 0);
    if (!op.getPerm())
      for (int64_t i = inType.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> inSizes = tensor::getMixedSizes(rewriter, loc, op.getData());
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : perm)
      sizes.push_back(inSizes[p]);
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
    Value r = linalg::TransposeOp::create(rewriter, loc, op.getData(), init, perm).getResult()[0];
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, type));
    return success();
  }
};

struct ConcatToTensor : OpRewritePattern<onnx::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConcatOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getConcatResult());
    if (!type || !llvm::all_of(op.getInputs(), [](Value in) { return getRankedType(in); }))
      return rewriter.notifyMatchFailure(op, "unranked");
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), type.getRank());
    Location loc = op.getLoc();
    bool isStatic = type.hasStaticShape() &&
                    llvm::all_of(op.getInputs(), [](Value in) { return getStaticType(in); });
    if (!isStatic) {
      // Offsets along the axis add up the inputs' dims at run time.
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, op.getInputs()[0]);
      Value offset = arith::ConstantIndexOp::create(rewriter, loc, 0);
      SmallVector<Value> offsets;
      for (Value in : op.getInputs()) {
        offsets.push_back(offset);
        offset = rewriter.createOrFold<arith::AddIOp>(
            loc, offset, rewriter.createOrFold<tensor::DimOp>(loc, in, axis));
      }
      sizes[axis] = getAsOpFoldResult(offset);
      Value result = tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
      for (auto [in, at] : llvm::zip(op.getInputs(), offsets)) {
        SmallVector<OpFoldResult> inOffsets(type.getRank(), rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
        inOffsets[axis] = getAsOpFoldResult(at);
        result = tensor::InsertSliceOp::create(rewriter, loc, in, result, inOffsets,
                                               tensor::getMixedSizes(rewriter, loc, in), strides);
      }
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
      return success();
    }
    Value result = tensor::EmptyOp::create(rewriter, loc, type.getShape(), type.getElementType());
    int64_t offset = 0;
    for (Value in : op.getInputs()) {
      auto inType = getStaticType(in);
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

/// A generic computing each element of `type` from its indices (and the
/// `inputs` read through `inputMaps`); `body` gets the input elements and the
/// loop indices.
Value buildIndexed(OpBuilder &b, Location loc, RankedTensorType type, ValueRange inputs,
                   ArrayRef<AffineMap> inputMaps,
                   function_ref<Value(OpBuilder &, Location, ValueRange, ArrayRef<Value>)> body,
                   ValueRange dynamicSizes = {}) {
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(), dynamicSizes);
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, type, inputs, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               SmallVector<Value> ivs;
               for (int64_t d = 0; d < rank; ++d)
                 ivs.push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back(), ivs));
             })
      .getResult(0);
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

/// The sizes of `type`'s dynamic dims, read from `like` (a tensor of the
/// same rank with those dims).
SmallVector<Value> dynamicSizesLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, loc, like, i));
  return sizes;
}

/// normalizeIndex with a size known at run time.
Value normalizeIndex(OpBuilder &b, Location loc, Value v, Value size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, i, size), i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  Value last = arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, size, one), zero);
  return arith::MinSIOp::create(b, loc, i, last);
}

/// An index read from an integer tensor element: negative values count from
/// `size`, and the result is clamped into [0, size) so that bad indices
/// cannot read outside the tensor.
Value normalizeIndex(OpBuilder &b, Location loc, Value v, int64_t size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  Value zero = indexConst(b, loc, 0);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, i, indexConst(b, loc, size)), i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  return arith::MinSIOp::create(b, loc, i, indexConst(b, loc, std::max<int64_t>(size - 1, 0)));
}

struct SplitToTensor : OpRewritePattern<onnx::SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SplitOp op, PatternRewriter &rewriter) const override {
    auto inType = getRankedType(op.getInput());
    if (!inType)
      return rewriter.notifyMatchFailure(op, "unranked");
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), inType.getRank());
    SmallVector<Value> results;
    int64_t offset = 0;
    if (!inType.hasStaticShape() ||
        !llvm::all_of(op.getOutputs(), [](Value r) { return getStaticType(r); })) {
      // Other dims known at run time: slices as wide as the input there.
      Location loc = op.getLoc();
      SmallVector<int64_t> split = onnx::getI64s(op.getSplit(), 0, 0);
      if (split.size() != op.getOutputs().size())
        return rewriter.notifyMatchFailure(op, "one split size per output");
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, op.getInput());
      SmallVector<OpFoldResult> offsets(inType.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(inType.getRank(), rewriter.getIndexAttr(1));
      for (auto [r, size] : llvm::zip(op.getOutputs(), split)) {
        offsets[axis] = rewriter.getIndexAttr(offset);
        sizes[axis] = rewriter.getIndexAttr(size);
        offset += size;
        Value part = tensor::ExtractSliceOp::create(rewriter, loc, op.getInput(), offsets, sizes, strides);
        results.push_back(reshapeTo(rewriter, loc, part, cast<RankedTensorType>(r.getType())));
      }
      rewriter.replaceOp(op, results);
      return success();
    }
    for (Value r : op.getOutputs()) {
      auto type = getStaticType(r);
      SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
      offsets[axis] = offset;
      offset += type.getDimSize(axis);
      if (type.getNumElements() == 0) { // an empty part (perhaps of an empty input): nothing to read
        results.push_back(tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(), type.getElementType()));
        continue;
      }
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
    if ((!inType || !type) && getRankedType(op.getData()) && getRankedType(op.getOutput()))
      return rewriteDynamic(op, rewriter);
    if (!type || !inType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(starts) || (hasAxes && failed(axes)) || (hasSteps && failed(steps)))
      return rewriteComputed(op, type, inType, rewriter);
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

  /// An input or result whose dims are known only at run time: each dim's offset,
  /// step and length are computed in the host code from the (constant or
  /// run-time) starts, ends, axes and steps, normalized as ONNX does
  /// (negative from the end, clamped by the step's sign), and a generic
  /// reads in[offset + i * step].
  LogicalResult rewriteDynamic(onnx::SliceOp op, PatternRewriter &rewriter) const {
    auto type = getRankedType(op.getOutput()), inType = getRankedType(op.getData());
    auto startsType = getRankedType(op.getStarts());
    bool hasAxes = !isa<NoneType>(op.getAxes().getType()), hasSteps = !isa<NoneType>(op.getSteps().getType());
    if (!startsType || startsType.getRank() != 1)
      return rewriter.notifyMatchFailure(op, "needs 1-d starts");
    using P = arith::CmpIPredicate;
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    int64_t rank = inType.getRank();
    auto c = [&](int64_t v) -> Value { return indexConst(b, loc, v); };
    // With a run-time number of entries (at most the rank), entry i counts
    // only when i < n and is read at min(i, n - 1); n >= 1 is assumed.
    bool dynamicCount = startsType.isDynamicDim(0);
    int64_t n = dynamicCount ? rank : startsType.getDimSize(0);
    Value count = dynamicCount ? b.createOrFold<tensor::DimOp>(loc, op.getStarts(), 0) : Value();
    auto entry = [&](Value t, int64_t i) -> Value {
      Value at = dynamicCount ? b.createOrFold<arith::MinSIOp>(
                                    loc, c(i), b.createOrFold<arith::SubIOp>(loc, count, c(1)))
                              : c(i);
      Value v = b.createOrFold<tensor::ExtractOp>(loc, t, ValueRange{at});
      return b.createOrFold<arith::IndexCastOp>(loc, b.getIndexType(), v);
    };
    auto select = [&](Value cond, Value x, Value y) { return b.createOrFold<arith::SelectOp>(loc, cond, x, y); };
    auto cmp = [&](P p, Value x, Value y) { return b.createOrFold<arith::CmpIOp>(loc, p, x, y); };
    auto add = [&](Value x, Value y) { return b.createOrFold<arith::AddIOp>(loc, x, y); };
    SmallVector<Value> dims, offsets(rank, c(0)), strides(rank, c(1)), sizes;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(b.createOrFold<tensor::DimOp>(loc, op.getData(), d));
    sizes = dims;
    for (int64_t i = 0; i < n; ++i) {
      Value axis = hasAxes ? entry(op.getAxes(), i) : c(i);
      axis = select(cmp(P::slt, axis, c(0)), add(axis, c(rank)), axis);
      Value step = hasSteps ? entry(op.getSteps(), i) : c(1);
      Value dim = dims[0];
      for (int64_t d = 1; d < rank; ++d)
        dim = select(cmp(P::eq, axis, c(d)), dims[d], dim);
      Value positive = cmp(P::sgt, step, c(0));
      Value lo = select(positive, c(0), c(-1));
      Value hi = select(positive, dim, b.createOrFold<arith::SubIOp>(loc, dim, c(1)));
      auto clampBound = [&](Value v) {
        v = select(cmp(P::slt, v, c(0)), add(v, dim), v);
        return b.createOrFold<arith::MinSIOp>(loc, b.createOrFold<arith::MaxSIOp>(loc, v, lo), hi);
      };
      Value start = clampBound(entry(op.getStarts(), i));
      Value end = clampBound(entry(op.getEnds(), i));
      Value size = b.createOrFold<arith::MaxSIOp>(
          loc, b.createOrFold<arith::CeilDivSIOp>(loc, b.createOrFold<arith::SubIOp>(loc, end, start), step), c(0));
      for (int64_t d = 0; d < rank; ++d) {
        Value here = cmp(P::eq, axis, c(d));
        if (dynamicCount)
          here = b.createOrFold<arith::AndIOp>(loc, here, cmp(P::slt, c(i), count));
        offsets[d] = select(here, start, offsets[d]);
        strides[d] = select(here, step, strides[d]);
        sizes[d] = select(here, size, sizes[d]);
      }
    }
    SmallVector<OpFoldResult> shape;
    for (Value size : sizes)
      shape.push_back(getAsOpFoldResult(size));
    Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
    auto initType = cast<RankedTensorType>(init.getType());
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value data = op.getData();
    Value r = linalg::GenericOp::create(
                  b, loc, initType, ValueRange{}, init, ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
                  iterators,
                  [&](OpBuilder &nb, Location l, ValueRange) {
                    SmallVector<Value> idx;
                    for (int64_t d = 0; d < rank; ++d) {
                      Value i = linalg::IndexOp::create(nb, l, d);
                      idx.push_back(arith::AddIOp::create(nb, l, offsets[d], arith::MulIOp::create(nb, l, i, strides[d])));
                    }
                    linalg::YieldOp::create(nb, l, tensor::ExtractOp::create(nb, l, data, idx).getResult());
                  })
                  .getResult(0);
    rewriter.replaceOp(op, reshapeTo(b, loc, r, type));
    return success();
  }

  /// Starts, axes or steps computed at run time (the output shape declared):
  /// each dim's offset and step are selected from the entries naming it,
  /// normalized as ONNX does (negative from the end, clamped by the step's
  /// sign), and every read is clamped into the input.
  LogicalResult rewriteComputed(onnx::SliceOp op, RankedTensorType type, RankedTensorType inType,
                                PatternRewriter &rewriter) const {
    auto startsType = getStaticType(op.getStarts());
    bool hasAxes = !isa<NoneType>(op.getAxes().getType()), hasSteps = !isa<NoneType>(op.getSteps().getType());
    if (!startsType || startsType.getRank() != 1 || (hasAxes && !getStaticType(op.getAxes())) ||
        (hasSteps && !getStaticType(op.getSteps())))
      return rewriter.notifyMatchFailure(op, "needs static 1-d starts, axes and steps");
    if (type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(), type.getElementType());
      return success();
    }
    int64_t rank = type.getRank(), n = startsType.getDimSize(0);
    Value data = op.getData(), startsT = op.getStarts(), axesT = op.getAxes(), stepsT = op.getSteps();
    // The offsets and steps are read inside the kernel (on the GPU for the
    // CUDA target); they are a few scalar loads per element.
    rewriter.replaceOp(
        op, buildIndexed(rewriter, op.getLoc(), type, {}, {},
                         [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) -> Value {
                           using P = arith::CmpIPredicate;
                           auto c = [&](int64_t v) -> Value { return indexConst(b, loc, v); };
                           auto entry = [&](Value t, int64_t i) -> Value {
                             Value v = tensor::ExtractOp::create(b, loc, t, ValueRange{c(i)});
                             return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
                           };
                           auto select = [&](Value cond, Value x, Value y) -> Value {
                             return arith::SelectOp::create(b, loc, cond, x, y);
                           };
                           auto cmp = [&](P p, Value x, Value y) -> Value { return arith::CmpIOp::create(b, loc, p, x, y); };
                           SmallVector<Value> offsets(rank, c(0)), strides(rank, c(1));
                           for (int64_t i = 0; i < n; ++i) {
                             Value axis = hasAxes ? entry(axesT, i) : c(i);
                             axis = select(cmp(P::slt, axis, c(0)), arith::AddIOp::create(b, loc, axis, c(rank)), axis);
                             Value step = hasSteps ? entry(stepsT, i) : c(1);
                             Value dim = c(inType.getDimSize(0));
                             for (int64_t d = 1; d < rank; ++d)
                               dim = select(cmp(P::eq, axis, c(d)), c(inType.getDimSize(d)), dim);
                             Value start = entry(startsT, i);
                             start = select(cmp(P::slt, start, c(0)), arith::AddIOp::create(b, loc, start, dim), start);
                             Value positive = cmp(P::sgt, step, c(0));
                             Value lo = select(positive, c(0), c(-1));
                             Value hi = select(positive, dim, arith::SubIOp::create(b, loc, dim, c(1)));
                             start = arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, start, lo), hi);
                             for (int64_t d = 0; d < rank; ++d) {
                               Value here = cmp(P::eq, axis, c(d));
                               offsets[d] = select(here, start, offsets[d]);
                               strides[d] = select(here, step, strides[d]);
                             }
                           }
                           SmallVector<Value> idx;
                           for (int64_t d = 0; d < rank; ++d) {
                             Value at = arith::AddIOp::create(b, loc, offsets[d], arith::MulIOp::create(b, loc, ivs[d], strides[d]));
                             at = arith::MaxSIOp::create(b, loc, at, c(0));
                             idx.push_back(arith::MinSIOp::create(b, loc, at, c(inType.getDimSize(d) - 1)));
                           }
                           return tensor::ExtractOp::create(b, loc, data, idx);
                         }));
    return success();
  }
};

struct GatherToLinalg : OpRewritePattern<onnx::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GatherOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), dataType = getRankedType(op.getData());
    auto idxType = getRankedType(op.getIndices());
    if (!type || !dataType || !idxType)
      return rewriter.notifyMatchFailure(op, "unranked");
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), dataType.getRank());
    int64_t rank = type.getRank(), idxRank = idxType.getRank();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < idxRank; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    AffineMap idxMap = AffineMap::get(rank, 0, idxExprs, ctx);
    Location loc = op.getLoc();
    // Result dims: data's before the axis, the indices', data's after it.
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!type.isDynamicDim(d))
        continue;
      if (d < axis)
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getData(), d));
      else if (d < axis + idxRank)
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getIndices(), d - axis));
      else
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getData(), d - idxRank + 1));
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(), type.getElementType(), sizes);
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value data = op.getData();
    Value dimSize = rewriter.createOrFold<tensor::DimOp>(loc, data, axis);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, op.getIndices(), init,
        ArrayRef<AffineMap>{idxMap, rewriter.getMultiDimIdentityMap(rank)}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          // Negative indices count from the end; out-of-range ones are clamped
          // so that a bad index cannot read outside the tensor.
          Value i = normalizeIndex(b, l, args[0], dimSize);
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
    auto type = getRankedType(op.getOutput());
    if (!type || !getRankedType(op.getInput()))
      return rewriter.notifyMatchFailure(op, "unranked");
    Location loc = op.getLoc();
    if (type.hasStaticShape()) {
      rewriter.replaceOp(op, buildElementwise(rewriter, loc, type, op.getInput(),
                                              [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
      return success();
    }
    // The shape's values join the broadcast: an empty tensor of those dims
    // carries them. A shape of run-time length L (at most the result's
    // rank R) gives dim j the entry j - (R - L), or 1 before the first.
    auto shapeType = getRankedType(op.getShape());
    if (!shapeType || shapeType.getRank() != 1)
      return rewriter.notifyMatchFailure(op, "needs a 1-d shape");
    int64_t rank = type.getRank();
    auto c = [&](int64_t v) { return indexConst(rewriter, loc, v); };
    Value length = rewriter.createOrFold<tensor::DimOp>(loc, op.getShape(), 0);
    Value lead = rewriter.createOrFold<arith::SubIOp>(loc, c(rank), length);
    SmallVector<OpFoldResult> dims;
    for (int64_t j = 0; j < rank; ++j) {
      Value at = rewriter.createOrFold<arith::SubIOp>(loc, c(j), lead);
      Value valid = rewriter.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, at, c(0));
      Value safe = rewriter.createOrFold<arith::MaxSIOp>(loc, at, c(0));
      Value v = rewriter.createOrFold<tensor::ExtractOp>(loc, op.getShape(), ValueRange{safe});
      v = rewriter.createOrFold<arith::IndexCastOp>(loc, rewriter.getIndexType(), v);
      dims.push_back(getAsOpFoldResult(rewriter.createOrFold<arith::SelectOp>(loc, valid, v, c(1))));
    }
    Value carrier = tensor::EmptyOp::create(rewriter, loc, dims, type.getElementType());
    Value r = buildElementwise(rewriter, loc, type, ValueRange{carrier, op.getInput()},
                               [](OpBuilder &, Location, ValueRange a) { return a[1]; });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// The element of a padded tensor at output indices `ivs`: each index less
/// its begin pad, mapped back into `data` (of dims `sizeOf(d)`) as `mode`
/// says: constant gives `padValue` outside the input; edge clamps; reflect
/// mirrors at both ends without repeating them (a dim of one element reads
/// it everywhere); wrap takes the index modulo the size. Every read stays
/// inside the input. The callbacks build their values where the body needs
/// them (inside the kernel, or captured from the host code).
Value paddedElement(OpBuilder &b, Location l, ArrayRef<Value> ivs, Value data, StringRef mode,
                    function_ref<Value(int64_t)> beginOf, function_ref<Value(int64_t)> sizeOf,
                    function_ref<Value()> padValue) {
  using P = arith::CmpIPredicate;
  Value zero = indexConst(b, l, 0), one = indexConst(b, l, 1), inside;
  auto positiveMod = [&](Value x, Value m) {
    Value r = arith::RemSIOp::create(b, l, x, m);
    Value neg = arith::CmpIOp::create(b, l, P::slt, r, zero);
    return arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, r, m), r).getResult();
  };
  SmallVector<Value> idx;
  for (auto [d, iv] : llvm::enumerate(ivs)) {
    Value n = sizeOf(d);
    Value src = arith::SubIOp::create(b, l, iv, beginOf(d));
    Value last = b.createOrFold<arith::MaxSIOp>(l, b.createOrFold<arith::SubIOp>(l, n, one), zero);
    if (mode == "constant") {
      Value in = arith::AndIOp::create(b, l, arith::CmpIOp::create(b, l, P::sge, src, zero),
                                       arith::CmpIOp::create(b, l, P::slt, src, n));
      inside = inside ? arith::AndIOp::create(b, l, inside, in).getResult() : in;
    } else if (mode == "wrap") {
      src = positiveMod(src, b.createOrFold<arith::MaxSIOp>(l, n, one));
    } else if (mode == "reflect") {
      Value period = b.createOrFold<arith::MaxSIOp>(
          l, b.createOrFold<arith::MulIOp>(l, last, indexConst(b, l, 2)), one);
      Value m = positiveMod(src, period);
      Value back = arith::CmpIOp::create(b, l, P::sge, m, n);
      src = arith::SelectOp::create(b, l, back, arith::SubIOp::create(b, l, period, m), m);
    }
    // Edge mode, and constant mode's reads outside (then not used), stay
    // inside the input.
    idx.push_back(arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, src, zero), last));
  }
  Value x = tensor::ExtractOp::create(b, l, data, idx);
  return inside ? arith::SelectOp::create(b, l, inside, x, padValue()).getResult() : x;
}

/// Pad of an input whose dims are known only at run time: the pads are read
/// in the host code; constant mode with constant, non-negative pads inserts
/// the input into a filled tensor, everything else maps each output index
/// back into the input as PadToLinalg does, with the dims read at run time.
LogicalResult lowerDynamicPad(onnx::PadOp op, PatternRewriter &rewriter) {
  auto type = getRankedType(op.getOutput()), inType = getRankedType(op.getData());
  StringRef mode = op.getMode();
  if (mode != "constant" && mode != "edge" && mode != "reflect" && mode != "wrap")
    return rewriter.notifyMatchFailure(op, "unknown mode");
  int64_t rank = inType.getRank();
  Location loc = op.getLoc();
  Type et = storageType(inType.getElementType());
  Value data = toStorage(rewriter, loc, op.getData());
  auto c = [&](int64_t v) { return indexConst(rewriter, loc, v); };
  SmallVector<Value> begin, end, dims;
  for (int64_t d = 0; d < 2 * rank; ++d) {
    Value v = rewriter.createOrFold<tensor::ExtractOp>(loc, op.getPads(), ValueRange{c(d)});
    (d < rank ? begin : end).push_back(rewriter.createOrFold<arith::IndexCastOp>(loc, rewriter.getIndexType(), v));
  }
  for (int64_t d = 0; d < rank; ++d)
    dims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, data, d));
  Value value = scalarConstant(rewriter, loc, et, 0);
  if (!isa<NoneType>(op.getConstantValue().getType())) {
    auto cvType = getRankedType(op.getConstantValue());
    if (!cvType)
      return rewriter.notifyMatchFailure(op, "unranked constant_value");
    SmallVector<Value> zeros(cvType.getRank(), c(0));
    value = rewriter.createOrFold<tensor::ExtractOp>(loc, toStorage(rewriter, loc, op.getConstantValue()), zeros);
  }
  Value result;
  if (mode == "constant" && llvm::all_of(llvm::concat<Value>(begin, end), [](Value p) {
        std::optional<int64_t> v = getConstantIntValue(p);
        return v && *v >= 0;
      })) {
    SmallVector<OpFoldResult> low, high;
    for (int64_t d = 0; d < rank; ++d) {
      low.push_back(getAsOpFoldResult(begin[d]));
      high.push_back(getAsOpFoldResult(end[d]));
    }
    result = padInto(rewriter, loc, data, low, high, value);
  } else {
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(getAsOpFoldResult(rewriter.createOrFold<arith::AddIOp>(
          loc, dims[d], rewriter.createOrFold<arith::AddIOp>(loc, begin[d], end[d]))));
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes, et);
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    result = linalg::GenericOp::create(
                 rewriter, loc, init.getType(), ValueRange{}, init,
                 ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, iterators,
                 [&](OpBuilder &b, Location l, ValueRange) {
                   SmallVector<Value> ivs;
                   for (int64_t d = 0; d < rank; ++d)
                     ivs.push_back(linalg::IndexOp::create(b, l, d));
                   Value x = paddedElement(b, l, ivs, data, mode, [&](int64_t d) { return begin[d]; },
                                           [&](int64_t d) { return dims[d]; }, [&] { return value; });
                   linalg::YieldOp::create(b, l, x);
                 })
                 .getResult(0);
  }
  if (et != inType.getElementType())
    result = tensor::BitcastOp::create(rewriter, loc, cast<RankedTensorType>(result.getType()).clone(inType.getElementType()), result);
  rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
  return success();
}

/// Pad. Constant mode with constant, non-negative pads is a tensor.pad;
/// everything else (edge, reflect and wrap modes, negative pads that crop,
/// pads computed at run time with the output shape the model declares) is a
/// generic that maps each output index back into the input:
///   src = i - pad_begin; constant: the value outside [0, n); edge: clamped;
///   reflect: mirrored at both ends without repeating them; wrap: modulo n.
struct PadToLinalg : OpRewritePattern<onnx::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::PadOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getOutput()), inType = getStaticType(op.getData());
    auto padsType = getStaticType(op.getPads());
    StringRef mode = op.getMode();
    if ((!inType || !padsType || !type) && getRankedType(op.getData()) && getRankedType(op.getPads()) &&
        getRankedType(op.getOutput()))
      return lowerDynamicPad(op, rewriter);
    if (!type || !inType || !padsType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (mode != "constant" && mode != "edge" && mode != "reflect" && mode != "wrap")
      return rewriter.notifyMatchFailure(op, "unknown mode");
    int64_t rank = type.getRank();
    if (padsType.getNumElements() != 2 * rank)
      return rewriter.notifyMatchFailure(op, "pads must have 2 * rank entries");
    if (type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(), type.getElementType());
      return success();
    }
    if (mode != "constant" && inType.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "edge, reflect and wrap need a nonempty input");
    Location loc = op.getLoc();
    Type et = type.getElementType();
    bool hasValue = !isa<NoneType>(op.getConstantValue().getType());
    if (hasValue) {
      auto cvType = getStaticType(op.getConstantValue());
      if (!cvType || cvType.getNumElements() != 1)
        return rewriter.notifyMatchFailure(op, "constant_value must be one static element");
    }
    // The padding value (0 without constant_value), read where it is used.
    Value constantValue = op.getConstantValue();
    auto padValue = [&](OpBuilder &b, Location l) -> Value {
      if (!hasValue)
        return scalarConstant(b, l, et, 0);
      SmallVector<Value> zeros(getStaticType(constantValue).getRank(), indexConst(b, l, 0));
      return tensor::ExtractOp::create(b, l, constantValue, zeros);
    };
    auto pads = onnx::getConstantInts(op.getPads());
    if (mode == "constant" && succeeded(pads) && llvm::all_of(*pads, [](int64_t p) { return p >= 0; })) {
      Value value = padValue(rewriter, loc);
      SmallVector<int64_t> low(pads->begin(), pads->begin() + rank), high(pads->begin() + rank, pads->end());
      rewriter.replaceOp(op, createPad(rewriter, loc, type, op.getData(), low, high, value));
      return success();
    }
    // Everything read from tensors is read inside the kernel (on the GPU for
    // the CUDA target): the begin pads where computed, the constant value.
    Value data = op.getData(), padsTensor = op.getPads();
    rewriter.replaceOp(
        op, buildIndexed(rewriter, loc, type, {}, {}, [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) {
          auto beginOf = [&](int64_t d) -> Value {
            if (succeeded(pads))
              return indexConst(b, l, (*pads)[d]);
            Value v = tensor::ExtractOp::create(b, l, padsTensor, ValueRange{indexConst(b, l, d)});
            return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
          };
          auto sizeOf = [&](int64_t d) { return indexConst(b, l, inType.getDimSize(d)); };
          return paddedElement(b, l, ivs, data, mode, beginOf, sizeOf, [&] { return padValue(b, l); });
        }));
    return success();
  }
};

struct GatherElementsToLinalg : OpRewritePattern<onnx::GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GatherElementsOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), dataType = getRankedType(op.getData());
    auto idxType = getRankedType(op.getIndices());
    if (!type || !dataType || !idxType)
      return rewriter.notifyMatchFailure(op, "unranked");
    if (getStaticType(op->getResult(0)) && getStaticType(op->getResult(0)).getNumElements() == 0) {
      auto t = getStaticType(op->getResult(0));
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, t.getShape(), t.getElementType());
      return success();
    }
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), dataType.getRank());
    Value data = op.getData();
    Location loc = op.getLoc();
    Value dim = rewriter.createOrFold<tensor::DimOp>(loc, data, axis);
    rewriter.replaceOp(op, buildIndexed(rewriter, loc, type, op.getIndices(),
                                        rewriter.getMultiDimIdentityMap(type.getRank()),
                                        [&](OpBuilder &b, Location l, ValueRange args, ArrayRef<Value> ivs) -> Value {
                                          SmallVector<Value> idx(ivs);
                                          idx[axis] = normalizeIndex(b, l, args[0], dim);
                                          return tensor::ExtractOp::create(b, l, data, idx);
                                        },
                                        dynamicSizesLike(rewriter, loc, type, op.getIndices())));
    return success();
  }
};

/// GatherND: out[o..., t...] = data[o_0..o_{b-1}, indices[o...][0..k-1], t...]
/// with b = batch_dims (shared leading dims) and k = indices.shape[-1] (which
/// follows from the ranks: out = q - 1 + r - b - k, so the indices' last dim
/// may be known only at run time); negative indices count from the end and
/// all are clamped into range. Dims known at run time come from the indices'
/// leading dims and data's trailing ones.
struct GatherNDToLinalg : OpRewritePattern<onnx::GatherNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GatherNDOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), dataType = getRankedType(op.getData());
    auto idxType = getRankedType(op.getIndices());
    if (!type || !dataType || !idxType)
      return rewriter.notifyMatchFailure(op, "needs ranked operands");
    if (type.hasStaticShape() && type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(), type.getElementType());
      return success();
    }
    int64_t batch = op.getBatchDims(), q = idxType.getRank(), r = dataType.getRank();
    int64_t k = q - 1 + r - batch - type.getRank();
    if (q < 1 || k < 1 || batch + k > r || (!idxType.isDynamicDim(q - 1) && idxType.getDimSize(q - 1) != k))
      return rewriter.notifyMatchFailure(op, "index tuples do not match the ranks");
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    SmallVector<Value> sizes, dims(k);
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(d < q - 1 ? tensor::DimOp::create(rewriter, loc, indices, d).getResult()
                                  : tensor::DimOp::create(rewriter, loc, data, batch + k + d - (q - 1)).getResult());
    for (int64_t j = 0; j < k; ++j)
      if (dataType.isDynamicDim(batch + j))
        dims[j] = tensor::DimOp::create(rewriter, loc, data, batch + j);
    rewriter.replaceOp(op, buildIndexed(rewriter, loc, type, {}, {},
                                        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) -> Value {
                                          SmallVector<Value> at(ivs.take_front(q - 1)), idx(ivs.take_front(batch));
                                          for (int64_t j = 0; j < k; ++j) {
                                            at.push_back(indexConst(b, l, j));
                                            Value i = tensor::ExtractOp::create(b, l, indices, at);
                                            at.pop_back();
                                            idx.push_back(dims[j] ? normalizeIndex(b, l, i, dims[j])
                                                                  : normalizeIndex(b, l, i, dataType.getDimSize(batch + j)));
                                          }
                                          idx.append(ivs.begin() + q - 1, ivs.end());
                                          return tensor::ExtractOp::create(b, l, data, idx);
                                        },
                                        sizes));
    return success();
  }
};

/// ReverseSequence: along the time axis, out[t] = in[len - 1 - t] for t < len
/// (len = sequence_lens of the element's batch, clamped to the time dim),
/// else in[t].
struct ReverseSequenceToLinalg : OpRewritePattern<onnx::ReverseSequenceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ReverseSequenceOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getY());
    if (!type || !getRankedType(op.getInput()) || !getRankedType(op.getSequenceLens()))
      return rewriter.notifyMatchFailure(op, "needs ranked operands");
    int64_t batchAxis = op.getBatchAxis(), timeAxis = op.getTimeAxis();
    Value input = op.getInput(), lens = op.getSequenceLens();
    Location loc = op.getLoc();
    Value steps = rewriter.createOrFold<tensor::DimOp>(loc, input, timeAxis);
    rewriter.replaceOp(op, buildIndexed(rewriter, loc, type, {}, {},
                                        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) -> Value {
                                          using P = arith::CmpIPredicate;
                                          Value len = arith::IndexCastOp::create(
                                              b, l, b.getIndexType(),
                                              tensor::ExtractOp::create(b, l, lens, ValueRange{ivs[batchAxis]}));
                                          len = arith::MinSIOp::create(
                                              b, l, arith::MaxSIOp::create(b, l, len, indexConst(b, l, 0)), steps);
                                          Value t = ivs[timeAxis];
                                          Value reversed = arith::SubIOp::create(
                                              b, l, arith::SubIOp::create(b, l, len, indexConst(b, l, 1)), t);
                                          Value inside = arith::CmpIOp::create(b, l, P::slt, t, len);
                                          SmallVector<Value> idx(ivs);
                                          idx[timeAxis] = arith::SelectOp::create(b, l, inside, reversed, t);
                                          return tensor::ExtractOp::create(b, l, input, idx);
                                        },
                                        dynamicSizesLike(rewriter, loc, type, input)));
    return success();
  }
};

/// Range whose start or delta is computed at run time, with the length the
/// model declares: out[i] = start + i * delta.
struct RangeToLinalg : OpRewritePattern<onnx::RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::RangeOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput());
    if (!type || type.getRank() != 1 || !getRankedType(op.getStart()) || !getRankedType(op.getDelta()))
      return rewriter.notifyMatchFailure(op, "needs a 1-d result");
    Type et = type.getElementType();
    if (!isa<FloatType>(et) && !et.isSignlessInteger())
      return rewriter.notifyMatchFailure(op, "float or signed integer ranges only");
    Location loc = op.getLoc();
    Value startT = op.getStart(), deltaT = op.getDelta();
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0)) {
      // max(ceil((limit - start) / delta), 0) elements, in the host code.
      auto scalar = [&](Value t) {
        SmallVector<Value> zeros(cast<RankedTensorType>(t.getType()).getRank(), indexConst(rewriter, loc, 0));
        return rewriter.createOrFold<tensor::ExtractOp>(loc, t, zeros);
      };
      Value start = scalar(startT), limit = scalar(op.getLimit()), delta = scalar(deltaT);
      Value n;
      if (isa<FloatType>(et)) {
        Type f64 = rewriter.getF64Type();
        auto wide = [&](Value v) { return v.getType() == f64 ? v : rewriter.createOrFold<arith::ExtFOp>(loc, f64, v); };
        Value q = rewriter.createOrFold<arith::DivFOp>(
            loc, rewriter.createOrFold<arith::SubFOp>(loc, wide(limit), wide(start)), wide(delta));
        n = rewriter.createOrFold<arith::FPToSIOp>(loc, rewriter.getI64Type(), math::CeilOp::create(rewriter, loc, q));
        n = rewriter.createOrFold<arith::IndexCastOp>(loc, rewriter.getIndexType(), n);
      } else {
        auto idxOf = [&](Value v) { return rewriter.createOrFold<arith::IndexCastOp>(loc, rewriter.getIndexType(), v); };
        n = rewriter.createOrFold<arith::CeilDivSIOp>(
            loc, rewriter.createOrFold<arith::SubIOp>(loc, idxOf(limit), idxOf(start)), idxOf(delta));
      }
      sizes.push_back(rewriter.createOrFold<arith::MaxSIOp>(loc, n, indexConst(rewriter, loc, 0)));
    }
    rewriter.replaceOp(op, buildIndexed(rewriter, loc, type, {}, {},
                                        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) -> Value {
                                          // Read inside the kernel (on the GPU for the CUDA target).
                                          auto scalarOf = [&](Value t) {
                                            SmallVector<Value> zeros(cast<RankedTensorType>(t.getType()).getRank(),
                                                                     indexConst(b, l, 0));
                                            return tensor::ExtractOp::create(b, l, t, zeros).getResult();
                                          };
                                          Value start = scalarOf(startT), delta = scalarOf(deltaT);
                                          if (isa<FloatType>(et)) {
                                            Value i = arith::UIToFPOp::create(
                                                b, l, et, arith::IndexCastUIOp::create(b, l, b.getI64Type(), ivs[0]));
                                            return arith::AddFOp::create(b, l, start,
                                                                         arith::MulFOp::create(b, l, i, delta));
                                          }
                                          Value i = arith::IndexCastOp::create(b, l, et, ivs[0]);
                                          return arith::AddIOp::create(b, l, start, arith::MulIOp::create(b, l, i, delta));
                                        },
                                        sizes));
    return success();
  }
};

/// Trilu: keeps x[..., i, j] where j - i >= k (upper) or j - i <= k (lower);
/// k may be computed at run time.
struct TriluToLinalg : OpRewritePattern<onnx::TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TriluOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getInput());
    if (!type || type.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs an input of rank >= 2");
    if (getStaticType(op->getResult(0)) && getStaticType(op->getResult(0)).getNumElements() == 0) {
      auto t = getStaticType(op->getResult(0));
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, t.getShape(), t.getElementType());
      return success();
    }
    bool hasK = !isa<NoneType>(op.getK().getType());
    if (hasK && !getRankedType(op.getK()))
      return rewriter.notifyMatchFailure(op, "unranked k");
    Value k = op.getK();
    int64_t rank = type.getRank();
    bool upper = op.getUpper() != 0;
    Type et = type.getElementType();
    Value r = buildIndexed(rewriter, op.getLoc(), type, op.getInput(),
                                        rewriter.getMultiDimIdentityMap(rank),
                                        [&](OpBuilder &b, Location l, ValueRange args, ArrayRef<Value> ivs) -> Value {
                                          Type i64 = b.getI64Type();
                                          Value kv = scalarConstant(b, l, i64, 0);
                                          if (hasK) {
                                            SmallVector<Value> zeros(cast<RankedTensorType>(k.getType()).getRank(), indexConst(b, l, 0));
                                            kv = tensor::ExtractOp::create(b, l, k, zeros);
                                          }
                                          Value i = arith::IndexCastOp::create(b, l, i64, ivs[rank - 2]);
                                          Value j = arith::IndexCastOp::create(b, l, i64, ivs[rank - 1]);
                                          Value diff = arith::SubIOp::create(b, l, j, i);
                                          Value keep = arith::CmpIOp::create(
                                              b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, diff, kv);
                                          return arith::SelectOp::create(b, l, keep, args[0], scalarConstant(b, l, et, 0));
                                        },
                                        dynamicSizesLike(rewriter, op.getLoc(), type, op.getInput()));
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), r, cast<RankedTensorType>(op->getResult(0).getType())));
    return success();
  }
};

struct TileToLinalg : OpRewritePattern<onnx::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TileOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getOutput()), inType = getStaticType(op.getInput());
    if ((!type || !inType) && getRankedType(op.getOutput()) && getRankedType(op.getInput())) {
      // Dims known at run time: out = in * repeats, read at in[i % in].
      Location loc = op.getLoc();
      auto rankedIn = getRankedType(op.getInput());
      SmallVector<Value> dims, sizes;
      for (int64_t d = 0; d < rankedIn.getRank(); ++d) {
        dims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, op.getInput(), d));
        Value rep = rewriter.createOrFold<tensor::ExtractOp>(loc, op.getRepeats(), ValueRange{indexConst(rewriter, loc, d)});
        sizes.push_back(rewriter.createOrFold<arith::MulIOp>(
            loc, dims[d], rewriter.createOrFold<arith::IndexCastOp>(loc, rewriter.getIndexType(), rep)));
      }
      auto outType = RankedTensorType::get(SmallVector<int64_t>(rankedIn.getRank(), ShapedType::kDynamic),
                                           rankedIn.getElementType());
      Value input = op.getInput();
      Value r = buildIndexed(rewriter, loc, outType, {}, {},
                             [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) -> Value {
                               SmallVector<Value> idx;
                               for (auto [d, iv] : llvm::enumerate(ivs))
                                 idx.push_back(arith::RemUIOp::create(b, l, iv, dims[d]));
                               return tensor::ExtractOp::create(b, l, input, idx);
                             },
                             sizes);
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, getRankedType(op.getOutput())));
      return success();
    }
    if (!type || !inType)
      return rewriter.notifyMatchFailure(op, "unranked");
    if (type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(), type.getElementType());
      return success();
    }
    Value input = op.getInput();
    rewriter.replaceOp(op, buildIndexed(rewriter, op.getLoc(), type, {}, {},
                                        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) -> Value {
                                          SmallVector<Value> idx;
                                          for (auto [d, iv] : llvm::enumerate(ivs))
                                            idx.push_back(arith::RemUIOp::create(b, l, iv, indexConst(b, l, inType.getDimSize(d))));
                                          return tensor::ExtractOp::create(b, l, input, idx);
                                        }));
    return success();
  }
};

struct EyeLikeToLinalg : OpRewritePattern<onnx::EyeLikeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::EyeLikeOp op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getOutput());
    if (!type || type.getElementType().isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "needs a static signless result");
    int64_t k = op.getK();
    Type et = type.getElementType();
    rewriter.replaceOp(op, buildIndexed(rewriter, op.getLoc(), type, {}, {},
                                        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) -> Value {
                                          Value shifted = arith::AddIOp::create(b, l, ivs[0], indexConst(b, l, k));
                                          Value on = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, shifted, ivs[1]);
                                          if (et.isInteger(1))
                                            return on;
                                          return arith::SelectOp::create(b, l, on, scalarConstant(b, l, et, 1),
                                                                         scalarConstant(b, l, et, 0));
                                        }));
    return success();
  }
};

/// OneHot: out[..., c, ...] = values[1] if indices[...] (negative ones
/// counting from depth) == c, else values[0].
struct OneHotToLinalg : OpRewritePattern<onnx::OneHotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::OneHotOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), idxType = getRankedType(op.getIndices());
    if (!type || !idxType || !getRankedType(op.getValues()) || !getRankedType(op.getDepth()))
      return rewriter.notifyMatchFailure(op, "needs ranked operands");
    if (idxType.getElementType().isUnsignedInteger() || type.getElementType().isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "unsigned element types");
    int64_t rank = type.getRank();
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), rank);
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    // The depth: the declared dim, else read from the depth operand.
    Value depth;
    if (!type.isDynamicDim(axis)) {
      depth = scalarConstant(rewriter, loc, i64, type.getDimSize(axis));
    } else {
      auto depthType = cast<RankedTensorType>(op.getDepth().getType());
      SmallVector<Value> zeros(depthType.getRank(), indexConst(rewriter, loc, 0));
      depth = tensor::ExtractOp::create(rewriter, loc, op.getDepth(), zeros);
      Type dt = depth.getType();
      depth = isa<FloatType>(dt) ? Value(arith::FPToSIOp::create(rewriter, loc, i64, depth))
              : dt != i64        ? Value(arith::ExtSIOp::create(rewriter, loc, i64, depth))
                                 : depth;
    }
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(d == axis ? arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), depth).getResult()
                                  : tensor::DimOp::create(rewriter, loc, op.getIndices(), d < axis ? d : d - 1).getResult());
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        exprs.push_back(getAffineDimExpr(d, ctx));
    Value values = op.getValues();
    rewriter.replaceOp(op, buildIndexed(rewriter, loc, type, op.getIndices(),
                                        AffineMap::get(rank, 0, exprs, ctx),
                                        [&](OpBuilder &b, Location l, ValueRange args, ArrayRef<Value> ivs) -> Value {
                                          Value idx = args[0];
                                          if (isa<FloatType>(idx.getType()))
                                            idx = arith::FPToSIOp::create(b, l, i64, idx);
                                          else if (idx.getType() != i64)
                                            idx = arith::ExtSIOp::create(b, l, i64, idx);
                                          Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, scalarConstant(b, l, i64, 0));
                                          idx = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, idx, depth), idx);
                                          Value c = arith::IndexCastOp::create(b, l, i64, ivs[axis]);
                                          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, idx, c);
                                          Value off = tensor::ExtractOp::create(b, l, values, indexConst(b, l, 0));
                                          Value on = tensor::ExtractOp::create(b, l, values, indexConst(b, l, 1));
                                          return arith::SelectOp::create(b, l, hit, on, off);
                                        },
                                        sizes));
    return success();
  }
};

/// DepthToSpace and SpaceToDepth: each output element read from its input
/// position (DCR: the block offset is the outer part of the channel; CRD:
/// the inner part).
template <typename OpTy, bool toSpace>
struct SpaceDepthToLinalg : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), inType = getRankedType(op.getInput());
    if (!type || !inType || inType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "needs a 4-d input");
    int64_t bs = op.getBlocksize();
    bool crd = op.getMode() == "CRD";
    Location loc = op.getLoc();
    // Channels in and out: constants, or (dynamic dims) read at run time.
    bool dynamic = !type.hasStaticShape() || !inType.hasStaticShape();
    SmallVector<Value> dims, sizes;
    Value inCV, outCV;
    if (dynamic) {
      for (int64_t d = 0; d < 4; ++d)
        dims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, op.getInput(), d));
      auto c = [&](int64_t v) { return indexConst(rewriter, loc, v); };
      auto mul = [&](Value a, int64_t x) { return rewriter.createOrFold<arith::MulIOp>(loc, a, c(x)); };
      auto div = [&](Value a, int64_t x) { return rewriter.createOrFold<arith::DivUIOp>(loc, a, c(x)); };
      inCV = dims[1];
      outCV = toSpace ? div(dims[1], bs * bs) : mul(dims[1], bs * bs);
      sizes = toSpace ? SmallVector<Value>{dims[0], outCV, mul(dims[2], bs), mul(dims[3], bs)}
                      : SmallVector<Value>{dims[0], outCV, div(dims[2], bs), div(dims[3], bs)};
    }
    auto computeType = dynamic ? RankedTensorType::get(SmallVector<int64_t>(4, ShapedType::kDynamic),
                                                       type.getElementType())
                               : type;
    int64_t outC = dynamic ? 0 : type.getDimSize(1), inC = dynamic ? 0 : inType.getDimSize(1);
    Value input = op.getInput();
    Value r = buildIndexed(rewriter, loc, computeType, {}, {},
                           [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> ivs) -> Value {
                             auto c = [&](int64_t v) { return indexConst(b, l, v); };
                             auto mul = [&](Value a, Value x) -> Value { return arith::MulIOp::create(b, l, a, x); };
                             auto add = [&](Value a, Value x) -> Value { return arith::AddIOp::create(b, l, a, x); };
                             auto div = [&](Value a, Value x) -> Value { return arith::DivUIOp::create(b, l, a, x); };
                             auto rem = [&](Value a, Value x) -> Value { return arith::RemUIOp::create(b, l, a, x); };
                             Value bsV = c(bs);
                             Value outCB = dynamic ? outCV : c(outC), inCB = dynamic ? inCV : c(inC);
                             Value n = ivs[0], ch = ivs[1], h = ivs[2], w = ivs[3];
                             SmallVector<Value> idx;
                             if (toSpace) {
                               Value bh = rem(h, bsV), bw = rem(w, bsV);
                               Value blk = add(mul(bh, bsV), bw);
                               Value inCh = crd ? add(mul(ch, c(bs * bs)), blk) : add(mul(blk, outCB), ch);
                               idx = {n, inCh, div(h, bsV), div(w, bsV)};
                             } else {
                               Value cIn = rem(ch, inCB), blk = div(ch, inCB);
                               Value bh = div(blk, bsV), bw = rem(blk, bsV);
                               idx = {n, cIn, add(mul(h, bsV), bh), add(mul(w, bsV), bw)};
                             }
                             return tensor::ExtractOp::create(b, l, input, idx);
                           },
                           sizes);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, type));
    return success();
  }
};

/// The scatter ops as gathers: a generic over the output (initialised with
/// `data`) plus reduction loops over `extents` (the update positions that
/// may land on an output element); `body` gets the output indices, the
/// update loop indices and the element so far, and returns its new value.
/// The loops run in row-major order, so with reduction "none" the last
/// update to an element wins, as in the ONNX reference.
Value buildScatter(OpBuilder &b, Location loc, Value data, ArrayRef<int64_t> extents,
                   function_ref<Value(OpBuilder &, Location, ArrayRef<Value>, ArrayRef<Value>, Value)>
                       body,
                   ValueRange dynamicExtents = {}) {
  auto type = cast<RankedTensorType>(data.getType());
  int64_t rank = type.getRank(), extra = extents.size();
  MLIRContext *ctx = b.getContext();
  // The update loops' extents come from a small constant operand (an empty
  // tensor of those dims where some are known only at run time).
  auto spanType = RankedTensorType::get(extents, b.getI8Type());
  Value span = spanType.hasStaticShape()
                   ? Value(arith::ConstantOp::create(b, loc, spanType,
                                                     DenseElementsAttr::get(spanType, b.getI8IntegerAttr(0))))
                   : Value(tensor::EmptyOp::create(b, loc, extents, b.getI8Type(), dynamicExtents));
  SmallVector<AffineExpr> spanExprs, outExprs;
  for (int64_t d = 0; d < extra; ++d)
    spanExprs.push_back(getAffineDimExpr(rank + d, ctx));
  for (int64_t d = 0; d < rank; ++d)
    outExprs.push_back(getAffineDimExpr(d, ctx));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.append(extra, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, type, span, data,
             ArrayRef<AffineMap>{AffineMap::get(rank + extra, 0, spanExprs, ctx),
                                 AffineMap::get(rank + extra, 0, outExprs, ctx)},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               SmallVector<Value> out, upd;
               for (int64_t d = 0; d < rank + extra; ++d)
                 (d < rank ? out : upd).push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, body(nb, l, out, upd, args[1]));
             })
      .getResult(0);
}

/// `acc` combined with an update `v` as `reduction` says; null if unknown.
Value combineScatter(OpBuilder &b, Location l, StringRef reduction, Value acc, Value v) {
  bool isFloat = isa<FloatType>(v.getType());
  if (reduction == "none")
    return v;
  if (reduction == "add")
    return isFloat ? Value(arith::AddFOp::create(b, l, acc, v)) : Value(arith::AddIOp::create(b, l, acc, v));
  if (reduction == "mul")
    return isFloat ? Value(arith::MulFOp::create(b, l, acc, v)) : Value(arith::MulIOp::create(b, l, acc, v));
  if (reduction == "max")
    return isFloat ? Value(arith::MaximumFOp::create(b, l, acc, v)) : Value(arith::MaxSIOp::create(b, l, acc, v));
  if (reduction == "min")
    return isFloat ? Value(arith::MinimumFOp::create(b, l, acc, v)) : Value(arith::MinSIOp::create(b, l, acc, v));
  return {};
}

bool isScatterReduction(StringRef r) { return llvm::is_contained({"none", "add", "mul", "max", "min"}, r); }

/// `acc`, or where `hit`, `acc` combined with updates[at].
Value scatterStep(OpBuilder &b, Location l, StringRef reduction, Value hit, Value updates,
                  ArrayRef<Value> at, Value acc) {
  Value v = tensor::ExtractOp::create(b, l, updates, at);
  return arith::SelectOp::create(b, l, hit, combineScatter(b, l, reduction, acc, v), acc);
}

/// ScatterElements: output element p takes the updates at q = p with
/// q[axis] = j for every j along updates' axis where indices[q] == p[axis]
/// (and q inside updates).
struct ScatterElementsToLinalg : OpRewritePattern<onnx::ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ScatterElementsOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), updType = getRankedType(op.getUpdates());
    auto idxType = getRankedType(op.getIndices());
    if (!type || !updType || !idxType || idxType.getRank() != updType.getRank() ||
        updType.getRank() != type.getRank() || (updType.hasStaticShape() && updType.getNumElements() == 0) ||
        type.getElementType().isUnsignedInteger() || !isScatterReduction(op.getReduction()))
      return rewriter.notifyMatchFailure(op, "needs ranked operands and a known reduction");
    int64_t rank = type.getRank(), axis = *onnx::normalizeAxis(op.getAxis(), rank);
    Value indices = op.getIndices(), updates = op.getUpdates();
    StringRef reduction = op.getReduction();
    Location loc = op.getLoc();
    // Dims read at run time where either side is dynamic.
    bool dynamic = !type.hasStaticShape() || !updType.hasStaticShape();
    SmallVector<Value> updDims, outDims;
    for (int64_t d = 0; d < rank; ++d) {
      updDims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, updates, d));
      outDims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, op.getData(), d));
    }
    SmallVector<Value> dynamicExtents;
    if (updType.isDynamicDim(axis))
      dynamicExtents.push_back(updDims[axis]);
    Value r = buildScatter(rewriter, loc, op.getData(), updType.getDimSize(axis),
                           [&](OpBuilder &b, Location l, ArrayRef<Value> p, ArrayRef<Value> j, Value acc) -> Value {
      SmallVector<Value> q(p);
      q[axis] = j[0];
      Value inside = arith::ConstantIntOp::create(b, l, 1, 1);
      for (int64_t d = 0; d < rank; ++d) {
        if (d == axis || (!dynamic && updType.getDimSize(d) == type.getDimSize(d)))
          continue;
        Value c = dynamic ? updDims[d] : indexConst(b, l, updType.getDimSize(d));
        inside = arith::AndIOp::create(b, l, inside, arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, p[d], c));
        Value last = dynamic ? Value(arith::SubIOp::create(b, l, c, indexConst(b, l, 1)))
                             : indexConst(b, l, updType.getDimSize(d) - 1);
        q[d] = arith::MinUIOp::create(b, l, p[d], last);
      }
      Value raw = tensor::ExtractOp::create(b, l, indices, q);
      Value target = dynamic ? normalizeIndex(b, l, raw, outDims[axis])
                             : normalizeIndex(b, l, raw, type.getDimSize(axis));
      Value hit = arith::AndIOp::create(b, l, inside, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, target, p[axis]));
      return scatterStep(b, l, reduction, hit, updates, q, acc);
    }, dynamicExtents);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, type));
    return success();
  }
};

/// ScatterND: output element p takes updates[u, p[k:]] for every index row u
/// with indices[u] == p[:k].
struct ScatterNDToLinalg : OpRewritePattern<onnx::ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ScatterNDOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), idxType = getRankedType(op.getIndices());
    auto updType = getRankedType(op.getUpdates());
    if (!type || !idxType || !updType || idxType.getRank() < 1 ||
        (idxType.hasStaticShape() && idxType.getNumElements() == 0) ||
        type.getElementType().isUnsignedInteger() || !isScatterReduction(op.getReduction()))
      return rewriter.notifyMatchFailure(op, "needs ranked operands and a known reduction");
    // k (the index tuple's length) follows from the ranks when the indices'
    // last dim is known only at run time.
    int64_t batch = idxType.getRank() - 1, k = batch + type.getRank() - updType.getRank();
    if (k < 1 || k > type.getRank() || (!idxType.isDynamicDim(batch) && idxType.getDimSize(batch) != k))
      return rewriter.notifyMatchFailure(op, "updates do not match indices and data");
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices(), updates = op.getUpdates();
    StringRef reduction = op.getReduction();
    SmallVector<Value> dims, extents;
    for (int64_t c = 0; c < k; ++c)
      dims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, data, c));
    for (int64_t d = 0; d < batch; ++d)
      if (idxType.isDynamicDim(d))
        extents.push_back(tensor::DimOp::create(rewriter, loc, indices, d));
    Value scattered = buildScatter(rewriter, loc, data, idxType.getShape().drop_back(),
                                   [&](OpBuilder &b, Location l, ArrayRef<Value> p,
                                       ArrayRef<Value> u, Value acc) -> Value {
      Value hit = arith::ConstantIntOp::create(b, l, 1, 1);
      for (int64_t c = 0; c < k; ++c) {
        SmallVector<Value> at(u);
        at.push_back(indexConst(b, l, c));
        Value i = tensor::ExtractOp::create(b, l, indices, at);
        Value target = type.isDynamicDim(c) ? normalizeIndex(b, l, i, dims[c])
                                            : normalizeIndex(b, l, i, type.getDimSize(c));
        hit = arith::AndIOp::create(b, l, hit, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, target, p[c]));
      }
      SmallVector<Value> at(u);
      at.append(p.begin() + k, p.end());
      return scatterStep(b, l, reduction, hit, updates, at, acc);
    }, extents);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, scattered, type));
    return success();
  }
};

/// TopK in two passes over the axis (quadratic in its length, like CumSum):
/// the rank of every element (how many elements come before it: greater,
/// or smaller for largest = 0, or equal at a lower index), then output t
/// takes the element of rank t and its index.
struct TopKToLinalg : OpRewritePattern<onnx::TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TopKOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getValues()), xType = getRankedType(op.getX());
    auto idxType = getRankedType(op.getIndices());
    if (!type || !xType || !idxType || (xType.hasStaticShape() && xType.getNumElements() == 0))
      return rewriter.notifyMatchFailure(op, "needs ranked operands and a nonempty input");
    bool isUnsigned = xType.getElementType().isUnsignedInteger();
    int64_t rank = xType.getRank(), axis = *onnx::normalizeAxis(op.getAxis(), rank);
    int64_t n = xType.getDimSize(axis);
    bool largest = op.getLargest() != 0, isFloat = isa<FloatType>(xType.getElementType());
    Location loc = op.getLoc();
    Value x = op.getX();
    Type i64 = rewriter.getI64Type();
    // Dims read at run time: x's, and along the axis of the outputs K.
    SmallVector<Value> xDims = dynamicSizesLike(rewriter, loc, xType, x), outDims;
    Value nDyn = xType.isDynamicDim(axis) ? Value(tensor::DimOp::create(rewriter, loc, x, axis)) : Value();
    for (int64_t d = 0; d < rank; ++d) {
      if (!type.isDynamicDim(d))
        continue;
      if (d != axis) {
        outDims.push_back(tensor::DimOp::create(rewriter, loc, x, d));
        continue;
      }
      auto kType = getRankedType(op.getK());
      SmallVector<Value> zeroIdx(kType ? kType.getRank() : 0, indexConst(rewriter, loc, 0));
      Value k = rewriter.createOrFold<tensor::ExtractOp>(loc, op.getK(), zeroIdx);
      outDims.push_back(rewriter.createOrFold<arith::IndexCastOp>(loc, rewriter.getIndexType(), k));
    }
    // Pass 1: ranks.
    auto rankType = RankedTensorType::get(xType.getShape(), i64);
    Value zeros = createFilled(rewriter, loc, rankType, scalarConstant(rewriter, loc, i64, 0), xDims);
    SmallVector<Value> axisExtent;
    if (nDyn)
      axisExtent.push_back(nDyn);
    Value ranks = buildScatter(rewriter, loc, zeros, n,
                               [&](OpBuilder &b, Location l, ArrayRef<Value> p, ArrayRef<Value> j,
                                   Value acc) -> Value {
      SmallVector<Value> q(p);
      q[axis] = j[0];
      Value mine = tensor::ExtractOp::create(b, l, x, p), other = tensor::ExtractOp::create(b, l, x, q);
      Value before = isFloat ? Value(arith::CmpFOp::create(b, l, largest ? arith::CmpFPredicate::OGT
                                                                          : arith::CmpFPredicate::OLT,
                                                           other, mine))
                             : Value(arith::CmpIOp::create(
                                   b, l,
                                   largest ? (isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                                           : (isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt),
                                   other, mine));
      Value equal = isFloat ? Value(arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, other, mine))
                            : Value(arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, other, mine));
      Value earlier = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, j[0], p[axis]);
      before = arith::OrIOp::create(b, l, before, arith::AndIOp::create(b, l, equal, earlier));
      Value one = arith::ExtUIOp::create(b, l, i64, before);
      return arith::AddIOp::create(b, l, acc, one);
    }, axisExtent);
    // Pass 2: output t along the axis takes the element of rank t.
    MLIRContext *ctx = rewriter.getContext();
    auto spanType = RankedTensorType::get({n}, rewriter.getI8Type());
    Value span = nDyn ? Value(tensor::EmptyOp::create(rewriter, loc, spanType.getShape(), rewriter.getI8Type(),
                                                      ValueRange{nDyn}))
                      : Value(arith::ConstantOp::create(rewriter, loc, spanType,
                                                        DenseElementsAttr::get(spanType, rewriter.getI8IntegerAttr(0))));
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap outMap = AffineMap::get(rank + 1, 0, outExprs, ctx);
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value valuesInit = createFilled(rewriter, loc, type, scalarConstant(rewriter, loc, type.getElementType(), 0),
                                    outDims);
    Value indicesInit = createFilled(rewriter, loc, idxType.clone(type.getShape()), scalarConstant(rewriter, loc, i64, 0),
                                     outDims);
    auto pick = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type, indicesInit.getType()}, span, ValueRange{valuesInit, indicesInit},
        ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx)), outMap, outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> p;
          for (int64_t d = 0; d < rank; ++d)
            p.push_back(linalg::IndexOp::create(b, l, d));
          Value i = linalg::IndexOp::create(b, l, rank);
          Value t = p[axis];
          p[axis] = i;
          Value r = tensor::ExtractOp::create(b, l, ranks, p);
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, r,
                                            arith::IndexCastOp::create(b, l, i64, t));
          Value v = tensor::ExtractOp::create(b, l, x, p);
          Value idx = arith::IndexCastOp::create(b, l, i64, i);
          linalg::YieldOp::create(b, l, ValueRange{arith::SelectOp::create(b, l, hit, v, args[1]),
                                                   arith::SelectOp::create(b, l, hit, idx, args[2])});
        });
    rewriter.replaceOp(op, {pick.getResult(0), reshapeTo(rewriter, loc, pick.getResult(1), idxType)});
    return success();
  }
};

/// The generic of CumSum/CumProd: one more (reduction) loop j over `span`'s
/// length; y[.., i, ..] accumulates x at the indices `source` gives for j
/// (with i, the output's index along the axis, and whether j is inside the
/// axis) when j is before i, or after it with `reverse`, strictly with
/// `exclusive`.
using CumulativeSource = llvm::function_ref<std::tuple<SmallVector<Value>, Value, Value>(OpBuilder &, Location, Value)>;
Value buildCumulative(PatternRewriter &rewriter, Location loc, RankedTensorType type, Value span, Value init, Value x,
                      bool product, bool exclusive, bool reverse, CumulativeSource source) {
  MLIRContext *ctx = rewriter.getContext();
  int64_t rank = type.getRank();
  Type et = type.getElementType();
  SmallVector<AffineExpr> outExprs;
  for (int64_t d = 0; d < rank; ++d)
    outExprs.push_back(getAffineDimExpr(d, ctx));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, type, span, init,
      ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx)),
                          AffineMap::get(rank + 1, 0, outExprs, ctx)},
      iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        Value j = linalg::IndexOp::create(b, l, rank);
        auto [src, i, inside] = source(b, l, j);
        using P = arith::CmpIPredicate;
        P pred = reverse ? (exclusive ? P::ugt : P::uge) : (exclusive ? P::ult : P::ule);
        Value take = arith::CmpIOp::create(b, l, pred, j, i);
        if (inside)
          take = arith::AndIOp::create(b, l, inside, take);
        Value v = tensor::ExtractOp::create(b, l, x, src);
        Value acc = isa<FloatType>(et) ? (product ? Value(arith::MulFOp::create(b, l, args[1], v))
                                                  : Value(arith::AddFOp::create(b, l, args[1], v)))
                                       : (product ? Value(arith::MulIOp::create(b, l, args[1], v))
                                                  : Value(arith::AddIOp::create(b, l, args[1], v)));
        linalg::YieldOp::create(b, l, Value(arith::SelectOp::create(b, l, take, acc, args[1])));
      });
  return generic.getResult(0);
}

/// CumSum and CumProd (see buildCumulative). With static shapes the axis may
/// be a run-time value: j runs over the longest dim, and the axis dim is
/// picked with selects (which fold when it is constant). With run-time dims
/// the axis must be constant, and j runs over the axis dim itself.
/// Quadratic in the axis length: meant for the short axes models use.
template <typename OpTy, bool product>
struct CumulativeToLinalg : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    if (auto ranked = getRankedType(op.getY()); ranked && !ranked.hasStaticShape())
      return rewriteDynamic(op, ranked, rewriter);
    auto type = getStaticType(op.getY()), axisType = getStaticType(op.getAxis());
    if (!type || !axisType || axisType.getNumElements() != 1 || type.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "needs static shapes and one axis");
    Type et = type.getElementType();
    if (et.isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "unsigned element types");
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    int64_t longest = 1;
    for (int64_t d : type.getShape())
      longest = std::max(longest, d);
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, op.getX());
      return success();
    }
    // The j loop's extent comes from a small constant operand.
    auto spanType = RankedTensorType::get({longest}, rewriter.getI8Type());
    Value span = arith::ConstantOp::create(rewriter, loc, spanType,
                                           DenseElementsAttr::get(spanType, rewriter.getI8IntegerAttr(0)));
    Value init = createFilled(rewriter, loc, type, scalarConstant(rewriter, loc, et, product ? 1 : 0));
    Value axisValue = op.getAxis();
    Value y = buildCumulative(
        rewriter, loc, type, span, init, op.getX(), product, op.getExclusive(), op.getReverse(),
        [&](OpBuilder &b, Location l, Value j) -> std::tuple<SmallVector<Value>, Value, Value> {
          auto c = [&](int64_t v) { return indexConst(b, l, v); };
          SmallVector<Value> zeros(axisType.getRank(), c(0));
          Value a = arith::IndexCastOp::create(b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, axisValue, zeros));
          Value negA = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a, c(0));
          a = arith::SelectOp::create(b, l, negA, arith::AddIOp::create(b, l, a, c(rank)), a);
          Value dimA = c(type.getDimSize(0)), iA = linalg::IndexOp::create(b, l, 0);
          SmallVector<Value> src;
          for (int64_t d = 0; d < rank; ++d) {
            Value isAxis = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a, c(d));
            Value iv = linalg::IndexOp::create(b, l, d);
            if (d > 0) {
              dimA = arith::SelectOp::create(b, l, isAxis, c(type.getDimSize(d)), dimA);
              iA = arith::SelectOp::create(b, l, isAxis, iv, iA);
            }
            Value jc = arith::MinUIOp::create(b, l, j, c(type.getDimSize(d) - 1));
            src.push_back(arith::SelectOp::create(b, l, isAxis, jc, iv));
          }
          return {src, iA, arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, j, dimA)};
        });
    rewriter.replaceOp(op, y);
    return success();
  }

  LogicalResult rewriteDynamic(OpTy op, RankedTensorType type, PatternRewriter &rewriter) const {
    auto axes = onnx::getConstantInts(op.getAxis());
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    if (failed(axes) || axes->size() != 1 || rank == 0 || et.isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "run-time dims need a constant axis and signed elements");
    int64_t axis = (*axes)[0] < 0 ? (*axes)[0] + rank : (*axes)[0];
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    Value x = op.getX();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, x, d));
    Value init = createFilled(rewriter, loc, type, scalarConstant(rewriter, loc, et, product ? 1 : 0), sizes);
    // A filled operand as long as the axis gives the j loop its extent.
    auto spanType = RankedTensorType::get({type.getDimSize(axis)}, rewriter.getI8Type());
    SmallVector<Value> spanSizes;
    if (type.isDynamicDim(axis))
      spanSizes.push_back(tensor::DimOp::create(rewriter, loc, x, axis));
    Value span = createFilled(rewriter, loc, spanType, scalarConstant(rewriter, loc, rewriter.getI8Type(), 0), spanSizes);
    Value y = buildCumulative(
        rewriter, loc, type, span, init, x, product, op.getExclusive(), op.getReverse(),
        [&](OpBuilder &b, Location l, Value j) -> std::tuple<SmallVector<Value>, Value, Value> {
          SmallVector<Value> src;
          for (int64_t d = 0; d < rank; ++d)
            src.push_back(d == axis ? j : Value(linalg::IndexOp::create(b, l, d)));
          return {src, linalg::IndexOp::create(b, l, axis), Value()};
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXTensorToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantToArith, ReshapeLikeToTensor, TransposeToLinalg, ConcatToTensor, SplitToTensor,
               SliceToTensor, GatherToLinalg, ExpandToLinalg, PadToLinalg, GatherElementsToLinalg,
               TriluToLinalg, TileToLinalg, EyeLikeToLinalg, OneHotToLinalg,
               SpaceDepthToLinalg<onnx::DepthToSpaceOp, true>,
               SpaceDepthToLinalg<onnx::SpaceToDepthOp, false>,
               CumulativeToLinalg<onnx::CumSumOp, false>, CumulativeToLinalg<onnx::CumProdOp, true>,
               ScatterElementsToLinalg, ScatterNDToLinalg, TopKToLinalg, GatherNDToLinalg,
               ReverseSequenceToLinalg, RangeToLinalg>(
      patterns.getContext());
}
