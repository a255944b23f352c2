//===- RuntimeCalls.cpp - sequential ops to runtime functions -------------===//
//
// The ops whose work is a sort, a scan, a scatter in update order or a
// greedy selection become kernel.runtime_call of the runtime's functions
// (lib/Runtime/sequential.c, nms.c) on the CPU: TopK, Unique, CumSum/CumProd
// with a constant axis, ScatterElements, ScatterND and NonMaxSuppression,
// for any (run-time) shape. Their linalg lowerings (Tensor.cpp), which serve
// the GPU and the types these functions do not cover, are quadratic in the
// axis length or unrolled. The functions view a buffer as [outer, n, inner]
// around the op's axis; the three extents are computed here from the dims.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

#include "dialects/Kernel/KernelDialect.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

Value i64Constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}

/// Dim `d` of `tensor` as an i64 (a constant where it is static).
Value dimI64(OpBuilder &b, Location loc, Value tensor, int64_t d) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(d))
    return i64Constant(b, loc, type.getDimSize(d));
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), tensor::DimOp::create(b, loc, tensor, d));
}

/// The product of dims [begin, end) of `tensor`, as an i64.
Value dimProduct(OpBuilder &b, Location loc, Value tensor, int64_t begin, int64_t end) {
  Value product = i64Constant(b, loc, 1);
  for (int64_t d = begin; d < end; ++d)
    product = b.createOrFold<arith::MulIOp>(loc, product, dimI64(b, loc, tensor, d));
  return product;
}

/// [outer, n, inner] of `tensor` around `axis`.
SmallVector<Value> axisView(OpBuilder &b, Location loc, Value tensor, int64_t axis) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  return {dimProduct(b, loc, tensor, 0, axis), dimI64(b, loc, tensor, axis),
          dimProduct(b, loc, tensor, axis + 1, rank)};
}

/// The dims of `tensor` as a 1-d i64 tensor, for functions of any rank.
Value dimsTensor(OpBuilder &b, Location loc, Value tensor) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  SmallVector<Value> dims;
  for (int64_t d = 0; d < rank; ++d)
    dims.push_back(dimI64(b, loc, tensor, d));
  return tensor::FromElementsOp::create(b, loc, RankedTensorType::get({rank}, b.getI64Type()), dims);
}

/// The suffix of the runtime functions for an arithmetic element type
/// (f32, f64, i32, i64), or "" for the others.
StringRef arithmeticSuffix(Type t) {
  if (t.isF32())
    return "f32";
  if (t.isF64())
    return "f64";
  if (t.isSignlessInteger(32) || t.isSignedInteger(32))
    return "i32";
  if (t.isSignlessInteger(64) || t.isSignedInteger(64))
    return "i64";
  return "";
}

/// TopK as mlc_rt_top_k_<type>(outer, n, inner, k, largest): a heap of the
/// k best per row, then a sort.
struct TopKToRuntime : OpRewritePattern<onnx::TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TopKOp op, PatternRewriter &rewriter) const override {
    auto xType = getRankedType(op.getX()), valuesType = getRankedType(op.getValues());
    auto indicesType = getRankedType(op.getIndices()), kType = getRankedType(op.getK());
    StringRef suffix = xType ? arithmeticSuffix(xType.getElementType()) : "";
    if (suffix.empty() || !valuesType || !indicesType || !kType || xType.getRank() == 0 ||
        !indicesType.getElementType().isInteger(64) || kType.getNumElements() != 1)
      return rewriter.notifyMatchFailure(op, "needs ranked operands of f32, f64, i32 or i64");
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), xType.getRank());
    Location loc = op.getLoc();
    Value x = op.getX();
    Value k;
    if (!valuesType.isDynamicDim(axis)) {
      k = i64Constant(rewriter, loc, valuesType.getDimSize(axis));
    } else {
      SmallVector<Value> zeros(kType.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
      k = rewriter.createOrFold<tensor::ExtractOp>(loc, op.getK(), zeros);
    }
    SmallVector<Value> scalars = axisView(rewriter, loc, x, axis);
    scalars.append({k, i64Constant(rewriter, loc, op.getLargest() != 0)});
    SmallVector<Value> outputs = {emptyLike(rewriter, loc, valuesType, x, axis, k),
                                  emptyLike(rewriter, loc, indicesType, x, axis, k)};
    auto call = kernel::RuntimeCallOp::create(rewriter, loc, TypeRange{valuesType, indicesType},
                                              rewriter.getStringAttr("mlc_rt_top_k_" + suffix.str()), scalars,
                                              ValueRange{x}, outputs);
    rewriter.replaceOp(op, call.getResult());
    return success();
  }
};

/// Unique as mlc_rt_unique_<type>(outer, n, inner, sorted) into buffers
/// with room for every slice (Y like X, flattened without an axis), then
/// slices of the u it found (the call's last output).
struct UniqueToRuntime : OpRewritePattern<onnx::UniqueOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::UniqueOp op, PatternRewriter &rewriter) const override {
    auto xType = getRankedType(op.getX()), yType = getRankedType(op.getY());
    StringRef suffix = xType ? arithmeticSuffix(xType.getElementType()) : "";
    if (suffix.empty() || !yType || !getRankedType(op.getInverseIndices()))
      return rewriter.notifyMatchFailure(op, "needs a ranked input of f32, f64, i32 or i64");
    Location loc = op.getLoc();
    Value x = op.getX();
    Type i64 = rewriter.getI64Type();
    int64_t rank = xType.getRank();
    // Without an axis: one row of every element, Y 1-d.
    std::optional<int64_t> axis;
    if (op.getAxis())
      axis = *onnx::normalizeAxis(*op.getAxis(), rank);
    SmallVector<Value> scalars = axis ? axisView(rewriter, loc, x, *axis)
                                      : SmallVector<Value>{i64Constant(rewriter, loc, 1),
                                                           dimProduct(rewriter, loc, x, 0, rank),
                                                           i64Constant(rewriter, loc, 1)};
    Value n = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), scalars[1]);
    scalars.push_back(i64Constant(rewriter, loc, op.getSorted() != 0));
    auto column = RankedTensorType::get({ShapedType::kDynamic}, i64);
    Value room = axis ? emptyLike(rewriter, loc, xType, x)
                      : tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{ShapedType::kDynamic},
                                                xType.getElementType(), ValueRange{n});
    SmallVector<Value> outputs = {room};
    for (int i = 0; i < 3; ++i)
      outputs.push_back(tensor::EmptyOp::create(rewriter, loc, column.getShape(), i64, ValueRange{n}));
    outputs.push_back(tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{1}, i64));
    auto call = kernel::RuntimeCallOp::create(rewriter, loc, ValueRange(outputs).getTypes(),
                                              rewriter.getStringAttr("mlc_rt_unique_" + suffix.str()), scalars,
                                              ValueRange{x}, outputs);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value u = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                         tensor::ExtractOp::create(rewriter, loc, call.getResult()[4], zero));
    // The first u along the axis (of the only dim without one).
    auto firstU = [&](Value full, int64_t along) -> Value {
      auto type = cast<RankedTensorType>(full.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0)), sizes,
          strides(type.getRank(), rewriter.getIndexAttr(1));
      SmallVector<int64_t> shape(type.getShape());
      for (int64_t d = 0; d < type.getRank(); ++d)
        sizes.push_back(d == along ? OpFoldResult(u) : tensor::getMixedSize(rewriter, loc, full, d));
      shape[along] = ShapedType::kDynamic;
      return tensor::ExtractSliceOp::create(rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
                                            full, offsets, sizes, strides);
    };
    SmallVector<Value> results = {firstU(call.getResult()[0], axis.value_or(0)), firstU(call.getResult()[1], 0),
                                  call.getResult()[2], firstU(call.getResult()[3], 0)};
    for (auto [r, result] : llvm::zip(results, op.getResults()))
      r = reshapeTo(rewriter, loc, r, cast<RankedTensorType>(result.getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// CumSum / CumProd with a constant axis as mlc_rt_cum{sum,prod}_<type>(
/// outer, n, inner, exclusive, reverse): one pass.
template <typename OpTy, bool product>
struct CumulativeToRuntime : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getY()), xType = getRankedType(op.getX());
    auto axes = onnx::getConstantInts(op.getAxis());
    StringRef suffix = type ? arithmeticSuffix(type.getElementType()) : "";
    if (suffix.empty() || !xType || type.getRank() == 0 || failed(axes) || axes->size() != 1)
      return rewriter.notifyMatchFailure(op, "needs a constant axis and f32, f64, i32 or i64");
    FailureOr<int64_t> axis = onnx::normalizeAxis((*axes)[0], type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    Value x = op.getX();
    SmallVector<Value> scalars = axisView(rewriter, loc, x, *axis);
    scalars.append({i64Constant(rewriter, loc, op.getExclusive() != 0),
                    i64Constant(rewriter, loc, op.getReverse() != 0)});
    std::string callee = (Twine("mlc_rt_") + (product ? "cumprod_" : "cumsum_") + suffix).str();
    auto call = kernel::RuntimeCallOp::create(rewriter, loc, TypeRange{type}, rewriter.getStringAttr(callee), scalars,
                                              ValueRange{x}, ValueRange{emptyLike(rewriter, loc, type, x)});
    rewriter.replaceOp(op, call.getResult());
    return success();
  }
};

/// The runtime's scatter variant for elements of type `et` with `reduction`
/// (its code, 0 none .. 4 min, in `code`): x8..x64 store elements of any
/// width (reduction none), f32/f64/i32/i64 reduce; "" if there is none.
std::string scatterSuffix(Type et, StringRef reduction, int64_t &code) {
  static constexpr StringLiteral reductions[] = {"none", "add", "mul", "max", "min"};
  const auto *found = llvm::find(reductions, reduction);
  if (found == std::end(reductions))
    return "";
  code = found - std::begin(reductions);
  if (code != 0)
    return arithmeticSuffix(et).str();
  if (!et.isIntOrFloat() || et.isInteger(1))
    return "";
  unsigned bits = storageType(et).getIntOrFloatBitWidth();
  return llvm::is_contained({8u, 16u, 32u, 64u}, bits) ? "x" + std::to_string(bits) : "";
}

/// ScatterElements as mlc_rt_scatter_elements_<type>(rank, axis, reduction)
/// over (data dims, update dims, indices, updates) into a copy of the data:
/// one pass over the updates in order.
struct ScatterElementsToRuntime : OpRewritePattern<onnx::ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ScatterElementsOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), dataType = getRankedType(op.getData());
    auto idxType = getRankedType(op.getIndices()), updType = getRankedType(op.getUpdates());
    if (!type || !dataType || !idxType || !updType || dataType.getRank() == 0 ||
        idxType.getRank() != dataType.getRank() || updType.getRank() != dataType.getRank() ||
        !idxType.getElementType().isInteger(64))
      return rewriter.notifyMatchFailure(op, "needs ranked operands of one rank and int64 indices");
    int64_t reduction = 0;
    std::string suffix = scatterSuffix(dataType.getElementType(), op.getReduction(), reduction);
    if (suffix.empty())
      return rewriter.notifyMatchFailure(op, "no runtime function for this element type and reduction");
    Location loc = op.getLoc();
    int64_t axis = *onnx::normalizeAxis(op.getAxis(), dataType.getRank());
    SmallVector<Value> scalars = {i64Constant(rewriter, loc, dataType.getRank()), i64Constant(rewriter, loc, axis),
                                  i64Constant(rewriter, loc, reduction)};
    SmallVector<Value> inputs = {dimsTensor(rewriter, loc, op.getData()), dimsTensor(rewriter, loc, op.getUpdates()),
                                 op.getIndices(), op.getUpdates()};
    auto call = kernel::RuntimeCallOp::create(rewriter, loc, TypeRange{dataType},
                                              rewriter.getStringAttr("mlc_rt_scatter_elements_" + suffix), scalars,
                                              inputs, ValueRange{op.getData()});
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, call.getResult()[0], type));
    return success();
  }
};

/// ScatterND as mlc_rt_scatter_nd_<type>(rows, k, slice, reduction, rank)
/// over (data dims, indices, updates) into a copy of the data: each of the
/// rows index tuples of depth k updates one contiguous slice, in order.
struct ScatterNDToRuntime : OpRewritePattern<onnx::ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ScatterNDOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getOutput()), dataType = getRankedType(op.getData());
    auto idxType = getRankedType(op.getIndices()), updType = getRankedType(op.getUpdates());
    if (!type || !dataType || !idxType || !updType || idxType.getRank() < 1 ||
        !idxType.getElementType().isInteger(64))
      return rewriter.notifyMatchFailure(op, "needs ranked operands and int64 indices");
    // k (the index tuples' depth) follows from the ranks where the indices'
    // last dim is known only at run time.
    int64_t rank = dataType.getRank(), batch = idxType.getRank() - 1, k = batch + rank - updType.getRank();
    if (k < 1 || k > rank || (!idxType.isDynamicDim(batch) && idxType.getDimSize(batch) != k))
      return rewriter.notifyMatchFailure(op, "updates do not match indices and data");
    int64_t reduction = 0;
    std::string suffix = scatterSuffix(dataType.getElementType(), op.getReduction(), reduction);
    if (suffix.empty())
      return rewriter.notifyMatchFailure(op, "no runtime function for this element type and reduction");
    Location loc = op.getLoc();
    SmallVector<Value> scalars = {dimProduct(rewriter, loc, op.getIndices(), 0, batch), i64Constant(rewriter, loc, k),
                                  dimProduct(rewriter, loc, op.getData(), k, rank),
                                  i64Constant(rewriter, loc, reduction), i64Constant(rewriter, loc, rank)};
    SmallVector<Value> inputs = {dimsTensor(rewriter, loc, op.getData()), op.getIndices(), op.getUpdates()};
    auto call = kernel::RuntimeCallOp::create(rewriter, loc, TypeRange{dataType},
                                              rewriter.getStringAttr("mlc_rt_scatter_nd_" + suffix), scalars, inputs,
                                              ValueRange{op.getData()});
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, call.getResult()[0], type));
    return success();
  }
};

/// NonMaxSuppression as mlc_rt_non_max_suppression_f32(batches, classes,
/// boxes, center_point_box, has_score_threshold) into a buffer of room for
/// every (batch, class, box), then the slice of the rows it kept (their
/// count is the call's second output).
struct NonMaxSuppressionToRuntime : OpRewritePattern<onnx::NonMaxSuppressionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::NonMaxSuppressionOp op, PatternRewriter &rewriter) const override {
    Value boxes = op.getBoxes(), scores = op.getScores();
    auto boxesType = dyn_cast<RankedTensorType>(boxes.getType());
    auto scoresType = dyn_cast<RankedTensorType>(scores.getType());
    if (!boxesType || !scoresType || boxesType.getRank() != 3 || scoresType.getRank() != 3 ||
        !boxesType.getElementType().isF32() || !scoresType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "needs float32 boxes [B, N, 4] and scores [B, C, N]");
    SmallVector<Value> thresholds = {op.getMaxOutputBoxesPerClass(), op.getIouThreshold(), op.getScoreThreshold()};
    for (auto [i, t] : llvm::enumerate(thresholds)) {
      auto type = dyn_cast<RankedTensorType>(t.getType());
      if (!type || type.getShape() != ArrayRef<int64_t>{1} ||
          !(i == 0 ? type.getElementType().isInteger(64) : type.getElementType().isF32()))
        return rewriter.notifyMatchFailure(op, "needs 1-element thresholds (int64 count, float32 limits)");
    }
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    SmallVector<Value> scalars = {dimI64(rewriter, loc, boxes, 0), dimI64(rewriter, loc, scores, 1),
                                  dimI64(rewriter, loc, boxes, 1),
                                  i64Constant(rewriter, loc, op.getCenterPointBox()),
                                  i64Constant(rewriter, loc, op.getHasScoreThreshold())};
    // Room: batches x classes x boxes rows.
    int64_t dims[] = {boxesType.getDimSize(0), scoresType.getDimSize(1), boxesType.getDimSize(1)};
    RankedTensorType selectedType;
    SmallVector<Value> room;
    if (llvm::none_of(dims, ShapedType::isDynamic)) {
      selectedType = RankedTensorType::get({dims[0] * dims[1] * dims[2], 3}, i64);
    } else {
      Value rows = arith::MulIOp::create(rewriter, loc, arith::MulIOp::create(rewriter, loc, scalars[0], scalars[1]),
                                         scalars[2]);
      selectedType = RankedTensorType::get({ShapedType::kDynamic, 3}, i64);
      room.push_back(arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), rows));
    }
    Value selected = tensor::EmptyOp::create(rewriter, loc, selectedType, room);
    Value count = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{1}, i64);
    SmallVector<Value> inputs = {boxes, scores};
    inputs.append(thresholds);
    auto call = kernel::RuntimeCallOp::create(rewriter, loc, TypeRange{selected.getType(), count.getType()},
                                              rewriter.getStringAttr("mlc_rt_non_max_suppression_f32"), scalars,
                                              inputs, ValueRange{selected, count});
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value kept = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                            tensor::ExtractOp::create(rewriter, loc, call.getResult()[1], zero));
    SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {kept, rewriter.getIndexAttr(3)};
    SmallVector<OpFoldResult> strides = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)};
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, cast<RankedTensorType>(op.getType()),
                                                        call.getResult()[0], offsets, sizes, strides);
    return success();
  }
};

} // namespace

void mlc::conversion::populateONNXRuntimeCallPatterns(RewritePatternSet &patterns) {
  // Above the linalg lowerings of the same ops, which they fall back to.
  patterns.add<TopKToRuntime, UniqueToRuntime, CumulativeToRuntime<onnx::CumSumOp, false>,
               CumulativeToRuntime<onnx::CumProdOp, true>, ScatterElementsToRuntime, ScatterNDToRuntime,
               NonMaxSuppressionToRuntime>(patterns.getContext(), /*benefit=*/2);
}
