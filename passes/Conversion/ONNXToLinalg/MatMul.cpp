//===- MatMul.cpp - MatMul and Gemm to linalg contractions ----------------===//
//
// Both become one contraction generic: iteration space (batch..., m, k, n),
// broadcasting batch dims through constant-0 indexing, transposes folded into
// the indexing maps (no data movement), and the accumulator initialised with
// Gemm's C (times beta) so the bias add is part of the same op.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

/// out[batch, m, n] += scale * a[...] * b[...], with `aMap`/`bMap` giving the
/// operands' indexing maps over (batch..., m, k, n).
Value buildContraction(OpBuilder &b, Location loc, Value a, Value bm, Value init,
                       AffineMap aMap, AffineMap bMap, double scale) {
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t rank = outType.getRank();
  MLIRContext *ctx = b.getContext();
  // Iteration space (batch..., m, k, n): n innermost, so the inner loop
  // walks rows of B and C contiguously and vectorises.
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank - 1; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  outExprs.push_back(getAffineDimExpr(rank, ctx));
  AffineMap outMap = AffineMap::get(rank + 1, 0, outExprs, ctx);
  SmallVector<utils::IteratorType> iterators(rank + 1, utils::IteratorType::parallel);
  iterators[rank - 1] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{a, bm}, init,
             ArrayRef<AffineMap>{aMap, bMap, outMap}, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value acc = args[2];
               Value r;
               if (isa<FloatType>(acc.getType())) {
                 Value p = arith::MulFOp::create(nb, l, args[0], args[1]);
                 if (scale != 1.0)
                   p = arith::MulFOp::create(nb, l, p, scalarConstant(nb, l, acc.getType(), scale));
                 r = arith::AddFOp::create(nb, l, acc, p);
               } else {
                 r = arith::AddIOp::create(nb, l, acc, arith::MulIOp::create(nb, l, args[0], args[1]));
               }
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// Map of an operand of `shape` whose last two dims are (d_row, d_col) of the
/// iteration space and whose leading dims broadcast against `batch`.
AffineMap operandMap(MLIRContext *ctx, ArrayRef<int64_t> shape, ArrayRef<int64_t> batch,
                     unsigned numDims, unsigned rowDim, unsigned colDim) {
  SmallVector<AffineExpr> exprs;
  size_t opBatch = shape.size() - 2, offset = batch.size() - opBatch;
  for (size_t i = 0; i < opBatch; ++i) {
    bool broadcast = shape[i] == 1 && batch[i + offset] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(i + offset, ctx));
  }
  exprs.push_back(getAffineDimExpr(rowDim, ctx));
  exprs.push_back(getAffineDimExpr(colDim, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

/// MatMul where dims are known only at run time. The result's batch dims
/// broadcast the operands' as elementwise ops do; an operand whose dynamic
/// batch dim may be 1 while the result's is not is first broadcast to the
/// result's batch dims (a copy), so that the contraction reads every operand
/// through an affine map.
LogicalResult lowerDynamicMatMul(onnx::MatMulOp op, PatternRewriter &rewriter) {
  auto resultType = getRankedType(op.getY());
  Type et = resultType.getElementType();
  Location loc = op.getLoc();
  Value a = op.getA(), b = op.getB();
  auto promote = [&](Value v, bool front) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1)
      return v;
    SmallVector<int64_t> shape = {front ? 1 : t.getDimSize(0), front ? t.getDimSize(0) : 1};
    return Value(tensor::ExpandShapeOp::create(rewriter, loc, RankedTensorType::get(shape, et), v,
                                               ArrayRef<ReassociationIndices>{{0, 1}}));
  };
  a = promote(a, true);
  b = promote(b, false);
  auto aType = cast<RankedTensorType>(a.getType()), bType = cast<RankedTensorType>(b.getType());
  int64_t nb = std::max(aType.getRank(), bType.getRank()) - 2;
  // The batch dims of the result: each the operands' dim that is not 1.
  SmallVector<OpFoldResult> batch;
  SmallVector<int64_t> batchShape;
  bool ambiguous[2] = {false, false};
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (int64_t i = 0; i < nb; ++i) {
    SmallVector<std::pair<int, int64_t>> wide; // (operand, its dim)
    RankedTensorType types[2] = {aType, bType};
    for (auto [n, t] : llvm::enumerate(types)) {
      int64_t k = i - (nb - (t.getRank() - 2));
      if (k >= 0 && t.getDimSize(k) != 1)
        wide.push_back({(int)n, k});
    }
    int64_t size = 1;
    Value dyn;
    for (auto [n, k] : wide) {
      auto t = n == 0 ? aType : bType;
      Value v = n == 0 ? a : b;
      if (!t.isDynamicDim(k)) {
        size = t.getDimSize(k);
        continue;
      }
      if (wide.size() > 1)
        ambiguous[n] = true;
      Value d = tensor::DimOp::create(rewriter, loc, v, k);
      dyn = dyn ? Value(arith::SelectOp::create(
                      rewriter, loc, arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, d, one),
                      dyn, d))
                : d;
    }
    bool isStatic = !dyn || llvm::any_of(wide, [&](auto w) {
      return !(w.first == 0 ? aType : bType).isDynamicDim(w.second);
    });
    batch.push_back(isStatic ? OpFoldResult(rewriter.getIndexAttr(size)) : OpFoldResult(dyn));
    batchShape.push_back(isStatic ? size : ShapedType::kDynamic);
  }
  // Operands whose broadcasting is decided at run time, materialised.
  auto broadcast = [&](Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<OpFoldResult> sizes(batch);
    SmallVector<OpFoldResult> own = tensor::getMixedSizes(rewriter, loc, v);
    sizes.append(own.end() - 2, own.end());
    Value carrier = tensor::EmptyOp::create(rewriter, loc, sizes, et);
    SmallVector<int64_t> shape(batchShape);
    shape.append({t.getDimSize(t.getRank() - 2), t.getDimSize(t.getRank() - 1)});
    return buildElementwise(rewriter, loc, RankedTensorType::get(shape, et), ValueRange{carrier, v},
                            [](OpBuilder &, Location, ValueRange args) { return args[1]; });
  };
  if (ambiguous[0])
    a = broadcast(a), aType = cast<RankedTensorType>(a.getType());
  if (ambiguous[1])
    b = broadcast(b), bType = cast<RankedTensorType>(b.getType());
  SmallVector<int64_t> outShape(batchShape);
  outShape.append({aType.getDimSize(aType.getRank() - 2), bType.getDimSize(bType.getRank() - 1)});
  SmallVector<int64_t> mapBatch(nb, 2); // only 1 vs not-1 matters to operandMap
  for (int64_t i = 0; i < nb; ++i)
    if (!ShapedType::isDynamic(outShape[i]))
      mapBatch[i] = outShape[i];
  unsigned numDims = nb + 3;
  MLIRContext *ctx = rewriter.getContext();
  AffineMap aMap = operandMap(ctx, aType.getShape(), mapBatch, numDims, nb, nb + 1);
  AffineMap bMap = operandMap(ctx, bType.getShape(), mapBatch, numDims, nb + 1, nb + 2);
  SmallVector<Value> dynamicSizes;
  for (auto [i, size] : llvm::enumerate(batch))
    if (ShapedType::isDynamic(outShape[i]))
      dynamicSizes.push_back(cast<Value>(size));
  if (ShapedType::isDynamic(outShape[nb]))
    dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, a, aType.getRank() - 2));
  if (ShapedType::isDynamic(outShape[nb + 1]))
    dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, b, bType.getRank() - 1));
  auto outType = RankedTensorType::get(outShape, et);
  Value init = createFilled(rewriter, loc, outType, scalarConstant(rewriter, loc, et, 0), dynamicSizes);
  Value r = buildContraction(rewriter, loc, a, b, init, aMap, bMap, 1.0);
  rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, resultType));
  return success();
}

struct MatMulToLinalg : OpRewritePattern<onnx::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MatMulOp op, PatternRewriter &rewriter) const override {
    auto resultType = getStaticType(op.getY());
    auto aType = getStaticType(op.getA()), bType = getStaticType(op.getB());
    if (getRankedType(op.getY()) && getRankedType(op.getA()) && getRankedType(op.getB()) &&
        (!resultType || !aType || !bType) &&
        !getRankedType(op.getY()).getElementType().isUnsignedInteger())
      return lowerDynamicMatMul(op, rewriter);
    if (!resultType || !aType || !bType)
      return rewriter.notifyMatchFailure(op, "unranked");
    Type et = resultType.getElementType();
    if (et.isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "unsigned element types");
    Location loc = op.getLoc();
    Value a = op.getA(), b = op.getB();
    SmallVector<int64_t> as(aType.getShape()), bs(bType.getShape());
    if (as.size() == 1) {
      as.insert(as.begin(), 1);
      a = reshapeTo(rewriter, loc, a, RankedTensorType::get(as, et));
    }
    if (bs.size() == 1) {
      bs.push_back(1);
      b = reshapeTo(rewriter, loc, b, RankedTensorType::get(bs, et));
    }
    auto batch = onnx::broadcastShapes(ArrayRef<int64_t>(as).drop_back(2), ArrayRef<int64_t>(bs).drop_back(2));
    if (failed(batch))
      return rewriter.notifyMatchFailure(op, "batch dims do not broadcast");
    SmallVector<int64_t> outShape = *batch;
    outShape.push_back(as[as.size() - 2]);
    outShape.push_back(bs.back());
    auto outType = RankedTensorType::get(outShape, et);
    unsigned nb = batch->size(), numDims = nb + 3;
    MLIRContext *ctx = rewriter.getContext();
    AffineMap aMap = operandMap(ctx, as, *batch, numDims, nb, nb + 1);
    AffineMap bMap = operandMap(ctx, bs, *batch, numDims, nb + 1, nb + 2);
    Value init = createFilled(rewriter, loc, outType, scalarConstant(rewriter, loc, et, 0));
    Value r = buildContraction(rewriter, loc, a, b, init, aMap, bMap, 1.0);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, resultType));
    return success();
  }
};

struct GemmToLinalg : OpRewritePattern<onnx::GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GemmOp op, PatternRewriter &rewriter) const override {
    auto resultType = getRankedType(op.getY());
    if (!resultType || !getRankedType(op.getA()) || !getRankedType(op.getB()))
      return rewriter.notifyMatchFailure(op, "unranked");
    Type et = resultType.getElementType();
    if (!isa<FloatType>(et))
      return rewriter.notifyMatchFailure(op, "only float Gemm");
    Location loc = op.getLoc();
    // M from A, N from B where they are known only at run time.
    SmallVector<Value> sizes;
    if (resultType.isDynamicDim(0))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getA(), op.getTransA() ? 1 : 0));
    if (resultType.isDynamicDim(1))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getB(), op.getTransB() ? 0 : 1));
    Value zeros;
    if (!resultType.hasStaticShape() || isa<NoneType>(op.getC().getType()) ||
        op.getBeta().convertToDouble() == 0.0)
      zeros = createFilled(rewriter, loc, resultType, scalarConstant(rewriter, loc, et, 0), sizes);
    MLIRContext *ctx = rewriter.getContext();
    // Iteration space (m, k, n).
    AffineExpr m = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx), n = getAffineDimExpr(2, ctx);
    AffineMap aMap = AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k}, ctx);
    AffineMap bMap = AffineMap::get(3, 0, op.getTransB() ? ArrayRef<AffineExpr>{n, k} : ArrayRef<AffineExpr>{k, n}, ctx);
    Value init;
    double beta = op.getBeta().convertToDouble();
    if (!isa<NoneType>(op.getC().getType()) && beta != 0.0) {
      if (!getRankedType(op.getC()))
        return rewriter.notifyMatchFailure(op, "unranked C");
      // C broadcast to the result; with dynamic dims over the zeros, which
      // carry the result's dims.
      SmallVector<Value> inputs = {op.getC()};
      if (!resultType.hasStaticShape())
        inputs.insert(inputs.begin(), zeros);
      init = buildElementwise(rewriter, loc, resultType, inputs,
                              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                if (beta == 1.0)
                                  return a.back();
                                return arith::MulFOp::create(b, l, a.back(), scalarConstant(b, l, a.back().getType(), beta));
                              });
    } else {
      init = zeros;
    }
    Value r = buildContraction(rewriter, loc, op.getA(), op.getB(), init, aMap, bMap,
                               op.getAlpha().convertToDouble());
    rewriter.replaceOp(op, r);
    return success();
  }
};
} // namespace

namespace {
/// Einsum: one generic over every subscript (the output's first, parallel;
/// the summed ones after, reductions), each input read through the map its
/// subscripts give (a repeated subscript reads a diagonal), the product of
/// the inputs added to a zero-filled output.
struct EinsumToLinalg : OpRewritePattern<onnx::EinsumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::EinsumOp op, PatternRewriter &rewriter) const override {
    auto outType = getRankedType(op.getOutput());
    SmallVector<int64_t> ranks;
    for (Value v : op.getInputs()) {
      if (!getRankedType(v))
        return rewriter.notifyMatchFailure(op, "unranked operands");
      ranks.push_back(getRankedType(v).getRank());
    }
    std::string why;
    auto spec = onnx::parseEinsum(op.getEquation(), ranks, why);
    if (!outType || failed(spec))
      return rewriter.notifyMatchFailure(op, "unranked result or a bad equation");
    if (llvm::SmallDenseSet<int64_t>(spec->output.begin(), spec->output.end()).size() !=
        spec->output.size())
      return rewriter.notifyMatchFailure(op, "a subscript repeated in the output");
    // Output loops first.
    SmallVector<int64_t> position(spec->numLoops, -1);
    int64_t next = 0;
    for (int64_t loop : spec->output)
      position[loop] = next++;
    for (int64_t &p : position)
      if (p < 0)
        p = next++;
    MLIRContext *ctx = rewriter.getContext();
    auto mapOf = [&](ArrayRef<int64_t> loops) {
      SmallVector<AffineExpr> exprs;
      for (int64_t loop : loops)
        exprs.push_back(getAffineDimExpr(position[loop], ctx));
      return AffineMap::get(spec->numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    for (const auto &dims : spec->inputs)
      maps.push_back(mapOf(dims));
    maps.push_back(mapOf(spec->output));
    SmallVector<utils::IteratorType> iterators(spec->numLoops, utils::IteratorType::reduction);
    for (size_t i = 0; i < spec->output.size(); ++i)
      iterators[i] = utils::IteratorType::parallel;
    Location loc = op.getLoc();
    Type et = outType.getElementType();
    // A dynamic output dim: the size of the first input dim with its
    // subscript, read at run time.
    SmallVector<Value> sizes;
    for (auto [i, loop] : llvm::enumerate(spec->output)) {
      if (!outType.isDynamicDim(i))
        continue;
      for (auto [n, dims] : llvm::enumerate(spec->inputs)) {
        auto at = llvm::find(dims, loop);
        if (at == dims.end())
          continue;
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getInputs()[n], at - dims.begin()));
        break;
      }
    }
    if (sizes.size() != (size_t)outType.getNumDynamicDims())
      return rewriter.notifyMatchFailure(op, "an output subscript no input has");
    Value init = createFilled(rewriter, loc, outType, scalarConstant(rewriter, loc, et, 0), sizes);
    bool isFloat = isa<FloatType>(et);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, outType, op.getInputs(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = args[0];
          for (Value v : args.drop_front().drop_back())
            product = isFloat ? Value(arith::MulFOp::create(b, l, product, v))
                              : Value(arith::MulIOp::create(b, l, product, v));
          Value sum = isFloat ? Value(arith::AddFOp::create(b, l, args.back(), product))
                              : Value(arith::AddIOp::create(b, l, args.back(), product));
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXMatMulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulToLinalg, GemmToLinalg, EinsumToLinalg>(patterns.getContext());
}
