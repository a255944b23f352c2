//===- ConvPool.cpp - Conv and pooling to linalg --------------------------===//
//
// 2-d convolutions become linalg convolutions (plain, depthwise or grouped)
// whose accumulator starts as the broadcast bias, so the bias costs no extra
// pass over the output; 1-d and 3-d ones become one linalg.generic over the
// grouped iteration space. 2-d pooling uses linalg's pooling ops (1-d and 3-d
// a linalg.generic) on an input padded with the reduction's identity; average pooling divides by a compile-time
// table of window sizes so that both count_include_pad modes and ceil_mode
// windows are exact.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

/// Pads the spatial dims of an NC... tensor by amounts known at run time.
Value padSpatialDynamic(OpBuilder &b, Location loc, Value input, ArrayRef<OpFoldResult> begin,
                        ArrayRef<OpFoldResult> end, Value value) {
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  low.append(begin.begin(), begin.end());
  high.append(end.begin(), end.end());
  return padInto(b, loc, input, low, high, value);
}

/// Pads the spatial dims of an NC... tensor by `begin`/`end` with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> begin,
                 ArrayRef<int64_t> end, Value value) {
  if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(end, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  if (!type.hasStaticShape()) {
    SmallVector<OpFoldResult> b0, e0;
    for (auto [lo, hi] : llvm::zip(begin, end)) {
      b0.push_back(b.getIndexAttr(lo));
      e0.push_back(b.getIndexAttr(hi));
    }
    return padSpatialDynamic(b, loc, input, b0, e0, value);
  }
  SmallVector<int64_t> low = {0, 0}, high = {0, 0}, shape(type.getShape());
  for (size_t i = 0; i < begin.size(); ++i) {
    low.push_back(begin[i]);
    high.push_back(end[i]);
    if (!ShapedType::isDynamic(shape[i + 2]))
      shape[i + 2] += begin[i] + end[i];
  }
  auto padType = RankedTensorType::get(shape, type.getElementType());
  return createPad(b, loc, padType, input, low, high, value);
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> v) {
  return b.getI64VectorAttr(v);
}

Value idx(OpBuilder &b, Location loc, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

/// The extent of a window of `k` taps `d` apart: d * (k - 1) + 1.
Value windowSpan(OpBuilder &b, Location loc, Value k, int64_t d) {
  return b.createOrFold<arith::AddIOp>(
      loc, b.createOrFold<arith::MulIOp>(loc, b.createOrFold<arith::SubIOp>(loc, k, idx(b, loc, 1)),
                                         idx(b, loc, d)),
      idx(b, loc, 1));
}

/// The padding of each spatial dim (values known at run time): the pads
/// attribute, none for VALID, or for SAME_UPPER/SAME_LOWER what makes the
/// output ceil(in / s) long, split with the larger half at the end (UPPER)
/// or the beginning (LOWER).
LogicalResult runtimePads(OpBuilder &b, Location loc, StringRef autoPad,
                          std::optional<ArrayAttr> padsAttr, ArrayRef<Value> in, ArrayRef<Value> k,
                          ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                          SmallVector<Value> &begin, SmallVector<Value> &end) {
  size_t n = in.size();
  if (autoPad == "NOTSET" || autoPad == "VALID") {
    SmallVector<int64_t> pads = autoPad == "VALID" ? SmallVector<int64_t>(2 * n, 0)
                                                   : onnx::getI64s(padsAttr, 2 * n, 0);
    if (pads.size() != 2 * n)
      return failure();
    for (size_t i = 0; i < n; ++i) {
      begin.push_back(idx(b, loc, pads[i]));
      end.push_back(idx(b, loc, pads[n + i]));
    }
    return success();
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return failure();
  for (size_t i = 0; i < n; ++i) {
    Value s = idx(b, loc, strides[i]);
    Value out = b.createOrFold<arith::CeilDivSIOp>(loc, in[i], s);
    Value need = b.createOrFold<arith::AddIOp>(
        loc, b.createOrFold<arith::MulIOp>(loc, b.createOrFold<arith::SubIOp>(loc, out, idx(b, loc, 1)), s),
        windowSpan(b, loc, k[i], dilations[i]));
    Value total = b.createOrFold<arith::MaxSIOp>(loc, b.createOrFold<arith::SubIOp>(loc, need, in[i]),
                                                 idx(b, loc, 0));
    Value small = b.createOrFold<arith::DivSIOp>(loc, total, idx(b, loc, 2));
    Value large = b.createOrFold<arith::SubIOp>(loc, total, small);
    begin.push_back(autoPad == "SAME_UPPER" ? small : large);
    end.push_back(autoPad == "SAME_UPPER" ? large : small);
  }
  return success();
}

/// The output size of a window over a dim of `in` elements padded by
/// `begin` and `end` (values known at run time):
/// (in + begin + end - d * (k - 1) - 1) / s + 1, rounded up with ceil mode.
Value windowOutput(OpBuilder &b, Location loc, Value in, Value k, int64_t s, int64_t d,
                   Value begin, Value end, bool ceil) {
  Value span = windowSpan(b, loc, k, d);
  Value room = b.createOrFold<arith::SubIOp>(
      loc, b.createOrFold<arith::AddIOp>(loc, in, b.createOrFold<arith::AddIOp>(loc, begin, end)), span);
  Value q = ceil ? b.createOrFold<arith::CeilDivSIOp>(loc, room, idx(b, loc, s))
                 : b.createOrFold<arith::DivSIOp>(loc, room, idx(b, loc, s));
  return b.createOrFold<arith::AddIOp>(loc, q, idx(b, loc, 1));
}


/// N-d grouped convolution as a linalg.generic over
/// (n, g, f/g, out..., c/g, k...) on the padded input `x` (N, G, C/G, in...),
/// the weights `w` (G, F/G, C/G, k...) and the accumulator `init`
/// (N, G, F/G, out...).
Value buildGroupedConvGeneric(OpBuilder &b, Location loc, Value x, Value w, Value init,
                              ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t s = outType.getRank() - 3;
  MLIRContext *ctx = b.getContext();
  unsigned numDims = 4 + 2 * s;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs = {d(0), d(1), d(3 + s)}, wExprs = {d(1), d(2), d(3 + s)},
                          oExprs = {d(0), d(1), d(2)};
  for (int64_t i = 0; i < s; ++i) {
    xExprs.push_back(d(3 + i) * strides[i] + d(4 + s + i) * dilations[i]);
    wExprs.push_back(d(4 + s + i));
    oExprs.push_back(d(3 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, xExprs, ctx),
                                 AffineMap::get(numDims, 0, wExprs, ctx),
                                 AffineMap::get(numDims, 0, oExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(numDims, utils::IteratorType::parallel);
  for (int64_t i = 3 + s; i < (int64_t)numDims; ++i)
    iterators[i] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{x, w}, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               bool isFloat = isa<FloatType>(args[0].getType());
               Value p = isFloat ? Value(arith::MulFOp::create(nb, l, args[0], args[1]))
                                 : Value(arith::MulIOp::create(nb, l, args[0], args[1]));
               linalg::YieldOp::create(nb, l, isFloat ? Value(arith::AddFOp::create(nb, l, args[2], p))
                                                      : Value(arith::AddIOp::create(nb, l, args[2], p)));
             })
      .getResult(0);
}

/// N-d max or sum pooling as a linalg.generic over (n, c, out..., k...).
Value buildPoolGeneric(OpBuilder &b, Location loc, Value x, Value init, ArrayRef<int64_t> kernel,
                       ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations, bool isMax,
                       bool isUnsigned = false) {
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t s = outType.getRank() - 2;
  MLIRContext *ctx = b.getContext();
  unsigned numDims = 2 + 2 * s;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs = {d(0), d(1)}, oExprs = {d(0), d(1)}, kExprs;
  for (int64_t i = 0; i < s; ++i) {
    xExprs.push_back(d(2 + i) * strides[i] + d(2 + s + i) * dilations[i]);
    oExprs.push_back(d(2 + i));
    kExprs.push_back(d(2 + s + i));
  }
  // The window tensor only carries the kernel extents into the iteration space.
  Value window = tensor::EmptyOp::create(b, loc, kernel, outType.getElementType());
  SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, xExprs, ctx),
                                 AffineMap::get(numDims, 0, kExprs, ctx),
                                 AffineMap::get(numDims, 0, oExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(numDims, utils::IteratorType::parallel);
  for (int64_t i = 2 + s; i < (int64_t)numDims; ++i)
    iterators[i] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{x, window}, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value r;
               if (!isa<FloatType>(args[0].getType()))
                 r = isMax ? (isUnsigned ? Value(arith::MaxUIOp::create(nb, l, args[2], args[0]))
                                         : Value(arith::MaxSIOp::create(nb, l, args[2], args[0])))
                           : Value(arith::AddIOp::create(nb, l, args[2], args[0]));
               else
                 r = isMax ? Value(arith::MaximumFOp::create(nb, l, args[2], args[0]))
                           : Value(arith::AddFOp::create(nb, l, args[2], args[0]));
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// `v` with its dim `at` split into (group, dim / group), and the
/// reassociation that collapses it back.
std::pair<Value, SmallVector<ReassociationIndices>> splitGroups(OpBuilder &b, Location loc, Value v,
                                                                 int64_t at, int64_t group) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  SmallVector<OpFoldResult> shape(sizes.begin(), sizes.begin() + at);
  SmallVector<int64_t> staticShape(t.getShape().take_front(at));
  Value whole = getValueOrCreateConstantIndexOp(b, loc, sizes[at]);
  shape.append({b.getIndexAttr(group), getAsOpFoldResult(b.createOrFold<arith::DivUIOp>(loc, whole, idx(b, loc, group)))});
  int64_t ws = t.getDimSize(at);
  staticShape.append({group, ShapedType::isDynamic(ws) ? ws : ws / group});
  shape.append(sizes.begin() + at + 1, sizes.end());
  staticShape.append(t.getShape().begin() + at + 1, t.getShape().end());
  SmallVector<ReassociationIndices> assoc;
  for (int64_t i = 0; i < at; ++i)
    assoc.push_back({i});
  assoc.push_back({at, at + 1});
  for (int64_t i = at + 1; i < t.getRank(); ++i)
    assoc.push_back({i + 1});
  Value r = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(staticShape, t.getElementType()), v,
                                          assoc, shape);
  return {r, assoc};
}

/// The accumulator of an N-d convolution [N, F, out..] of run-time sizes:
/// the bias [F] broadcast over it, or zeros without one (`bias` is none).
Value biasedInit(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> outSizes, Type et, Value bias,
                 int64_t channels) {
  Value init = tensor::EmptyOp::create(b, loc, outSizes, et);
  init = linalg::FillOp::create(b, loc, scalarConstant(b, loc, et, 0), init).getResult(0);
  if (isa<NoneType>(bias.getType()))
    return init;
  // [F] as [F, 1, ...], broadcast by the elementwise builder.
  SmallVector<int64_t> biasShape(outSizes.size() - 1, 1);
  biasShape[0] = channels;
  bias = reshapeTo(b, loc, bias, RankedTensorType::get(biasShape, et));
  return buildElementwise(b, loc, cast<RankedTensorType>(init.getType()), ValueRange{init, bias},
                          [](OpBuilder &, Location, ValueRange a) { return a[1]; });
}

/// A convolution whose dims are known only at run time: the grouped generic
/// (any rank, any group) on the padded input, the output sizes and the
/// kernel extents read from the operands.
LogicalResult lowerDynamicConv(onnx::ConvOp op, PatternRewriter &rewriter) {
  auto resultType = getRankedType(op.getY());
  auto xType = getRankedType(op.getX()), wType = getRankedType(op.getW());
  int64_t rank = xType.getRank(), nsp = rank - 2;
  Type et = resultType.getElementType();
  if (rank < 3 || rank > 5 || wType.getRank() != rank || et.isInteger(1))
    return rewriter.notifyMatchFailure(op, "needs a 1-d to 3-d convolution");
  Location loc = op.getLoc();
  SmallVector<int64_t> strides = onnx::getI64s(op.getStrides(), nsp, 1);
  SmallVector<int64_t> dilations = onnx::getI64s(op.getDilations(), nsp, 1);
  int64_t group = op.getGroup();
  Value x = op.getX(), w = op.getW();
  auto dim = [&](Value v, int64_t i) { return rewriter.createOrFold<tensor::DimOp>(loc, v, i); };
  SmallVector<Value> in, k, begin, end;
  for (int64_t i = 0; i < nsp; ++i) {
    in.push_back(dim(x, 2 + i));
    k.push_back(dim(w, 2 + i));
  }
  if (failed(runtimePads(rewriter, loc, op.getAutoPad(), op.getPads(), in, k, strides, dilations, begin, end)))
    return rewriter.notifyMatchFailure(op, "bad pads or auto_pad");
  Value zero = scalarConstant(rewriter, loc, et, 0);
  SmallVector<OpFoldResult> outSizes = {getAsOpFoldResult(dim(x, 0)), getAsOpFoldResult(dim(w, 0))};
  SmallVector<OpFoldResult> beginSizes, endSizes;
  for (int64_t i = 0; i < nsp; ++i) {
    outSizes.push_back(getAsOpFoldResult(
        windowOutput(rewriter, loc, in[i], k[i], strides[i], dilations[i], begin[i], end[i], false)));
    beginSizes.push_back(getAsOpFoldResult(begin[i]));
    endSizes.push_back(getAsOpFoldResult(end[i]));
  }
  x = padSpatialDynamic(rewriter, loc, x, beginSizes, endSizes, zero);
  Value init = biasedInit(rewriter, loc, outSizes, et, op.getB(), wType.getDimSize(0));
  // (n, g, c/g, in...), (g, f/g, c/g, k...), (n, g, f/g, out...).
  auto [xg, actAssoc] = splitGroups(rewriter, loc, x, 1, group);
  Value wg = splitGroups(rewriter, loc, w, 0, group).first;
  Value initg = splitGroups(rewriter, loc, init, 1, group).first;
  Value yg = buildGroupedConvGeneric(rewriter, loc, xg, wg, initg, strides, dilations);
  Value y = tensor::CollapseShapeOp::create(rewriter, loc, yg, actAssoc);
  rewriter.replaceOp(op, reshapeTo(rewriter, loc, y, resultType));
  return success();
}

/// ConvTranspose whose shapes are known only at run time (the front end
/// expands static ones into a Conv): one linalg.generic over
/// (n, g, f/g, out.., c/g, k..) that reads the weights (g, c/g, f/g, k..)
/// through its maps and gathers the input: output position o takes tap k
/// from input position (o + pad_begin - k * dilation) / stride where that
/// division is exact and lands inside the input, and nothing otherwise.
struct ConvTransposeToLinalg : OpRewritePattern<onnx::ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConvTransposeOp op, PatternRewriter &rewriter) const override {
    auto resultType = getRankedType(op.getY());
    auto xType = getRankedType(op.getX()), wType = getRankedType(op.getW());
    if (!resultType || !xType || !wType || !isa<FloatType>(resultType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs ranked float tensors");
    int64_t rank = xType.getRank(), nsp = rank - 2, group = op.getGroup();
    Type et = resultType.getElementType();
    Location loc = op.getLoc();
    SmallVector<int64_t> strides = onnx::getI64s(op.getStrides(), nsp, 1),
                         dilations = onnx::getI64s(op.getDilations(), nsp, 1),
                         outputPadding = onnx::getI64s(op.getOutputPadding(), nsp, 0),
                         pads = onnx::getI64s(op.getPads(), 2 * nsp, 0),
                         wanted = onnx::getI64s(op.getOutputShape(), 0, 0);
    if ((int64_t)wanted.size() == rank)
      wanted.erase(wanted.begin(), wanted.begin() + 2);
    StringRef autoPad = op.getAutoPad();
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    Value x = op.getX(), w = op.getW();
    auto dim = [&](Value v, int64_t i) { return rewriter.createOrFold<tensor::DimOp>(loc, v, i); };
    auto c = [&](int64_t v) { return idx(rewriter, loc, v); };
    auto add = [&](Value a, Value b) { return rewriter.createOrFold<arith::AddIOp>(loc, a, b); };
    auto sub = [&](Value a, Value b) { return rewriter.createOrFold<arith::SubIOp>(loc, a, b); };
    auto mul = [&](Value a, Value b) { return rewriter.createOrFold<arith::MulIOp>(loc, a, b); };

    // Per spatial dim: the input length, the padding cut from the start of
    // the full result, and the output length.
    SmallVector<Value> in, begin;
    SmallVector<OpFoldResult> outSizes = {getAsOpFoldResult(dim(x, 0)),
                                          getAsOpFoldResult(mul(dim(w, 1), c(group)))};
    for (int64_t i = 0; i < nsp; ++i) {
      in.push_back(dim(x, 2 + i));
      Value full = add(add(mul(c(strides[i]), sub(in[i], c(1))), windowSpan(rewriter, loc, dim(w, 2 + i), dilations[i])),
                       c(outputPadding[i]));
      if (!wanted.empty() || same) {
        // The output has the wanted length; what the full result has more is
        // cut, the larger half at the start unless SAME_UPPER.
        Value out = wanted.empty() ? mul(in[i], c(strides[i])) : c(wanted[i]);
        Value total = rewriter.createOrFold<arith::MaxSIOp>(loc, sub(full, out), c(0));
        Value half = rewriter.createOrFold<arith::DivSIOp>(loc, total, c(2));
        begin.push_back(autoPad == "SAME_UPPER" ? half : sub(total, half));
        outSizes.push_back(getAsOpFoldResult(out));
      } else if (autoPad == "VALID") {
        begin.push_back(c(0));
        outSizes.push_back(getAsOpFoldResult(full));
      } else {
        begin.push_back(c(pads[i]));
        outSizes.push_back(getAsOpFoldResult(sub(full, c(pads[i] + pads[nsp + i]))));
      }
    }
    Value init = biasedInit(rewriter, loc, outSizes, et, op.getB(), resultType.getDimSize(1));
    auto [xg, outAssoc] = splitGroups(rewriter, loc, x, 1, group);    // n, g, c/g, in..
    Value wg = splitGroups(rewriter, loc, w, 0, group).first;         // g, c/g, f/g, k..
    Value initg = splitGroups(rewriter, loc, init, 1, group).first;   // n, g, f/g, out..

    MLIRContext *ctx = rewriter.getContext();
    unsigned numDims = 4 + 2 * nsp;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> wExprs = {d(1), d(3 + nsp), d(2)}, oExprs = {d(0), d(1), d(2)};
    for (int64_t i = 0; i < nsp; ++i) {
      wExprs.push_back(d(4 + nsp + i));
      oExprs.push_back(d(3 + i));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, wExprs, ctx),
                                   AffineMap::get(numDims, 0, oExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(numDims, utils::IteratorType::parallel);
    for (unsigned i = 3 + nsp; i < numDims; ++i)
      iterators[i] = utils::IteratorType::reduction;
    Value yg = linalg::GenericOp::create(
                   rewriter, loc, initg.getType(), ValueRange{wg}, initg, maps, iterators,
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     auto index = [&](int64_t i) { return linalg::IndexOp::create(b, l, i).getResult(); };
                     auto k = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v).getResult(); };
                     SmallVector<Value> at = {index(0), index(1), index(3 + nsp)};
                     Value valid = arith::ConstantIntOp::create(b, l, 1, 1);
                     auto both = [&](Value cond) { valid = arith::AndIOp::create(b, l, valid, cond); };
                     for (int64_t i = 0; i < nsp; ++i) {
                       // t = o + pad_begin - k * dilation; input position t / stride.
                       Value t = arith::SubIOp::create(
                           b, l, arith::AddIOp::create(b, l, index(3 + i), begin[i]),
                           arith::MulIOp::create(b, l, index(4 + nsp + i), k(dilations[i])));
                       both(arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, t, k(0)));
                       Value q = t;
                       if (strides[i] > 1) {
                         both(arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                    arith::RemSIOp::create(b, l, t, k(strides[i])), k(0)));
                         q = arith::DivSIOp::create(b, l, t, k(strides[i]));
                       }
                       both(arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, q, in[i]));
                       at.push_back(q);
                     }
                     // Out-of-range taps read element 0 and are discarded.
                     Value zeroIndex = k(0);
                     for (Value &p : llvm::drop_begin(at, 3))
                       p = arith::SelectOp::create(b, l, valid, p, zeroIndex);
                     Value xv = tensor::ExtractOp::create(b, l, xg, at);
                     Value product = arith::MulFOp::create(b, l, xv, args[0]);
                     Value zero = arith::ConstantOp::create(b, l, b.getFloatAttr(et, 0.0));
                     Value sum = arith::AddFOp::create(
                         b, l, args[1], arith::SelectOp::create(b, l, valid, product, zero));
                     linalg::YieldOp::create(b, l, sum);
                   })
                   .getResult(0);
    Value y = tensor::CollapseShapeOp::create(rewriter, loc, yg, outAssoc);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, y, resultType));
    return success();
  }
};

struct ConvToLinalg : OpRewritePattern<onnx::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConvOp op, PatternRewriter &rewriter) const override {
    auto resultType = getStaticType(op.getY());
    auto xType = getStaticType(op.getX()), wType = getStaticType(op.getW());
    if ((!resultType || !xType || !wType) && getRankedType(op.getY()) && getRankedType(op.getX()) &&
        getRankedType(op.getW()))
      return lowerDynamicConv(op, rewriter);
    if (!resultType || !xType || !wType)
      return rewriter.notifyMatchFailure(op, "unranked");
    int64_t rank = xType.getRank(), nsp = rank - 2;
    if (rank < 3 || rank > 5)
      return rewriter.notifyMatchFailure(op, "only 1-d to 3-d convolutions");
    // Integer convolutions (ConvInteger's int32 form) accumulate in their
    // own type, as the named linalg ops do.
    if (resultType.getElementType().isInteger(1))
      return rewriter.notifyMatchFailure(op, "boolean convolution");
    Location loc = op.getLoc();
    SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
    SmallVector<int64_t> strides = onnx::getI64s(op.getStrides(), nsp, 1);
    SmallVector<int64_t> dilations = onnx::getI64s(op.getDilations(), nsp, 1);
    auto pads = onnx::resolvePads(op, op.getAutoPad(), xType.getShape().drop_front(2), kernel,
                                  strides, dilations, op.getPads());
    if (failed(pads))
      return failure();
    Type et = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, et, 0);
    Value x = padSpatial(rewriter, loc, op.getX(), ArrayRef<int64_t>(*pads).take_front(nsp),
                         ArrayRef<int64_t>(*pads).drop_front(nsp), zero);

    // The accumulator starts as the bias broadcast over the output.
    Value init;
    int64_t f = wType.getDimSize(0);
    if (!isa<NoneType>(op.getB().getType())) {
      SmallVector<int64_t> biasShape(nsp + 1, 1);
      biasShape[0] = f;
      Value bias = reshapeTo(rewriter, loc, op.getB(), RankedTensorType::get(biasShape, et));
      init = buildElementwise(rewriter, loc, resultType, bias,
                              [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    } else {
      init = createFilled(rewriter, loc, resultType, zero);
    }

    int64_t group = op.getGroup();
    int64_t c = xType.getDimSize(1);
    auto stridesAttr = i64Vector(rewriter, strides), dilationsAttr = i64Vector(rewriter, dilations);
    Value result;
    if (nsp != 2) {
      // 1-d and 3-d: one generic over the grouped iteration space.
      auto xpType = cast<RankedTensorType>(x.getType());
      int64_t n = xType.getDimSize(0);
      SmallVector<int64_t> gx = {n, group, c / group}, gw = {group, f / group, c / group},
                           gy = {n, group, f / group};
      SmallVector<ReassociationIndices> actAssoc = {{0}, {1, 2}}, wAssoc = {{0, 1}, {2}};
      for (int64_t i = 0; i < nsp; ++i) {
        gx.push_back(xpType.getDimSize(2 + i));
        gw.push_back(kernel[i]);
        gy.push_back(resultType.getDimSize(2 + i));
        actAssoc.push_back({3 + i});
        wAssoc.push_back({3 + i});
      }
      Value xg = tensor::ExpandShapeOp::create(rewriter, loc, RankedTensorType::get(gx, et), x, actAssoc);
      Value wg = tensor::ExpandShapeOp::create(rewriter, loc, RankedTensorType::get(gw, et), op.getW(),
                                               wAssoc);
      Value initg =
          tensor::ExpandShapeOp::create(rewriter, loc, RankedTensorType::get(gy, et), init, actAssoc);
      Value yg = buildGroupedConvGeneric(rewriter, loc, xg, wg, initg, strides, dilations);
      result = tensor::CollapseShapeOp::create(rewriter, loc, resultType, yg, actAssoc);
    } else if (group == 1) {
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

  /// The op's windows: kernel, strides and dilations, and the padding at
  /// each end (`declaredEnd` as the op has it; `end` grown where ceil mode
  /// makes the last window reach past the padded input, so that every window
  /// is inside the buffer).
  static LogicalResult windows(PoolOp op, RankedTensorType xType, RankedTensorType resultType,
                               SmallVector<int64_t> &kernel, SmallVector<int64_t> &strides,
                               SmallVector<int64_t> &dilations, SmallVector<int64_t> &begin,
                               SmallVector<int64_t> &end, SmallVector<int64_t> &declaredEnd) {
    int64_t nsp = xType.getRank() - 2;
    kernel = onnx::getI64s(op.getKernelShape(), nsp, 1);
    strides = onnx::getI64s(op.getStrides(), nsp, 1);
    dilations = onnx::getI64s(op.getDilations(), nsp, 1);
    ArrayRef<int64_t> in = xType.getShape().drop_front(2);
    auto pads = onnx::resolvePads(op, op.getAutoPad(), in, kernel, strides, dilations, op.getPads());
    if (failed(pads))
      return failure();
    begin.assign(pads->begin(), pads->begin() + nsp);
    end.assign(pads->begin() + nsp, pads->end());
    declaredEnd = end;
    for (int64_t i = 0; i < nsp; ++i) {
      int64_t needed = (resultType.getDimSize(i + 2) - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
      int64_t have = in[i] + begin[i] + end[i];
      if (needed > have)
        end[i] += needed - have;
    }
    return success();
  }

  /// Pooling whose dims are known only at run time: output sizes, the end
  /// padding that ceil mode adds and average pooling's divisors are computed
  /// at run time.
  LogicalResult rewriteDynamic(PoolOp op, PatternRewriter &rewriter) const {
    auto resultType = getRankedType(op.getY());
    auto xType = getRankedType(op.getX());
    int64_t nsp = xType.getRank() - 2;
    if (nsp < 1 || nsp > 3)
      return rewriter.notifyMatchFailure(op, "only 1-d to 3-d pooling");
    Type et = resultType.getElementType();
    auto intType = dyn_cast<IntegerType>(et);
    if (!isa<FloatType>(et) && !(isMax && intType && intType.getWidth() > 1))
      return rewriter.notifyMatchFailure(op, "only float pooling (and integer max pooling)");
    Location loc = op.getLoc();
    SmallVector<int64_t> kernel = onnx::getI64s(op.getKernelShape(), nsp, 1);
    SmallVector<int64_t> strides = onnx::getI64s(op.getStrides(), nsp, 1);
    SmallVector<int64_t> dilations = onnx::getI64s(op.getDilations(), nsp, 1);
    bool ceil = op.getCeilMode() != 0;
    Value x = op.getX();
    bool isUnsigned = intType && intType.isUnsigned();
    Type st = storageType(et);
    Value padValue;
    if (auto f = dyn_cast<FloatType>(et))
      padValue = isMax ? Value(arith::ConstantOp::create(
                             rewriter, loc, f, rewriter.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), true))))
                       : scalarConstant(rewriter, loc, et, 0);
    else
      padValue = arith::ConstantOp::create(
          rewriter, loc, st,
          rewriter.getIntegerAttr(st, isUnsigned ? APInt::getMinValue(intType.getWidth())
                                                 : APInt::getSignedMinValue(intType.getWidth())));
    // Output sizes, and the end padding grown so that every window (ceil
    // mode's last one included) lies inside the padded input.
    SmallVector<Value> in, outs, k, padBegin, padEnd;
    for (int64_t i = 0; i < nsp; ++i) {
      in.push_back(rewriter.createOrFold<tensor::DimOp>(loc, x, 2 + i));
      k.push_back(idx(rewriter, loc, kernel[i]));
    }
    if (failed(runtimePads(rewriter, loc, op.getAutoPad(), op.getPads(), in, k, strides, dilations,
                           padBegin, padEnd)))
      return rewriter.notifyMatchFailure(op, "bad pads or auto_pad");
    SmallVector<OpFoldResult> begin, end, outSizes = {getAsOpFoldResult(rewriter.createOrFold<tensor::DimOp>(loc, x, 0)),
                                                      getAsOpFoldResult(rewriter.createOrFold<tensor::DimOp>(loc, x, 1))};
    for (int64_t i = 0; i < nsp; ++i) {
      Value o = windowOutput(rewriter, loc, in[i], k[i], strides[i], dilations[i], padBegin[i], padEnd[i], ceil);
      outs.push_back(o);
      outSizes.push_back(getAsOpFoldResult(o));
      Value needed = rewriter.createOrFold<arith::AddIOp>(
          loc, rewriter.createOrFold<arith::MulIOp>(loc, rewriter.createOrFold<arith::SubIOp>(loc, o, idx(rewriter, loc, 1)),
                                                    idx(rewriter, loc, strides[i])),
          idx(rewriter, loc, dilations[i] * (kernel[i] - 1) + 1));
      Value have = rewriter.createOrFold<arith::AddIOp>(
          loc, in[i], rewriter.createOrFold<arith::AddIOp>(loc, padBegin[i], padEnd[i]));
      Value extra = rewriter.createOrFold<arith::MaxSIOp>(
          loc, rewriter.createOrFold<arith::SubIOp>(loc, needed, have), idx(rewriter, loc, 0));
      begin.push_back(getAsOpFoldResult(padBegin[i]));
      end.push_back(getAsOpFoldResult(rewriter.createOrFold<arith::AddIOp>(loc, extra, padEnd[i])));
    }
    x = padSpatialDynamic(rewriter, loc, toStorage(rewriter, loc, x), begin, end, padValue);
    Value init = tensor::EmptyOp::create(rewriter, loc, outSizes, st);
    init = linalg::FillOp::create(rewriter, loc, padValue, init).getResult(0);
    Value result = buildPoolGeneric(rewriter, loc, x, init, kernel, strides, dilations, isMax, isUnsigned);
    if constexpr (!isMax) {
      // Divisor per output position: the window's taps inside the input (or
      // inside the explicitly padded input with count_include_pad).
      bool includePad = op.getCountIncludePad() != 0;
      auto type = cast<RankedTensorType>(result.getType());
      SmallVector<AffineMap> maps(2, rewriter.getMultiDimIdentityMap(type.getRank()));
      SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
      Value out = tensor::EmptyOp::create(rewriter, loc, outSizes, st);
      result = linalg::GenericOp::create(
                   rewriter, loc, type, result, out, maps, iterators,
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value count = idx(b, l, 1);
                     for (int64_t i = 0; i < nsp; ++i) {
                       Value lo = includePad ? arith::SubIOp::create(b, l, idx(b, l, 0), padBegin[i]).getResult()
                                             : idx(b, l, 0);
                       Value hi = includePad ? arith::AddIOp::create(b, l, in[i], padEnd[i]).getResult() : in[i];
                       Value o = linalg::IndexOp::create(b, l, 2 + i);
                       Value first = arith::SubIOp::create(b, l, arith::MulIOp::create(b, l, o, idx(b, l, strides[i])),
                                                           padBegin[i]);
                       Value taps = idx(b, l, 0);
                       for (int64_t k = 0; k < kernel[i]; ++k) {
                         Value r = arith::AddIOp::create(b, l, first, idx(b, l, k * dilations[i]));
                         Value inside = arith::AndIOp::create(
                             b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, r, lo),
                             arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, hi));
                         taps = arith::AddIOp::create(b, l, taps,
                                                      arith::IndexCastOp::create(b, l, b.getIndexType(),
                                                          arith::ExtUIOp::create(b, l, b.getI64Type(), inside)));
                       }
                       count = arith::MulIOp::create(b, l, count, taps);
                     }
                     count = arith::MaxSIOp::create(b, l, count, idx(b, l, 1));
                     Value n = arith::SIToFPOp::create(b, l, st,
                                                       arith::IndexCastOp::create(b, l, b.getI64Type(), count));
                     linalg::YieldOp::create(b, l, arith::DivFOp::create(b, l, args[0], n).getResult());
                   })
                   .getResult(0);
    }
    if (st != et)
      result = tensor::BitcastOp::create(rewriter, loc, cast<RankedTensorType>(result.getType()).clone(et), result);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, resultType));
    return success();
  }

  LogicalResult matchAndRewrite(PoolOp op, PatternRewriter &rewriter) const override {
    auto resultType = getStaticType(op.getY());
    auto xType = getStaticType(op.getX());
    if ((!resultType || !xType) && getRankedType(op.getY()) && getRankedType(op.getX()) &&
        op->getNumResults() == 1)
      return rewriteDynamic(op, rewriter);
    if (!resultType || !xType || xType.getRank() < 3 || xType.getRank() > 5)
      return rewriter.notifyMatchFailure(op, "only static 1-d to 3-d pooling");
    int64_t nsp = xType.getRank() - 2;
    Location loc = op.getLoc();
    auto intType = dyn_cast<IntegerType>(resultType.getElementType());
    if (isMax && intType && intType.getWidth() > 1)
      return rewriteIntegerMax(op, resultType, xType, rewriter);
    auto et = dyn_cast<FloatType>(resultType.getElementType());
    if (!et)
      return rewriter.notifyMatchFailure(op, "only float pooling (and integer max pooling)");
    SmallVector<int64_t> kernel, strides, dilations, begin, end, declaredEnd;
    if (failed(windows(op, xType, resultType, kernel, strides, dilations, begin, end, declaredEnd)))
      return failure();
    Value padValue = isMax ? Value(arith::ConstantOp::create(
                                 rewriter, loc, et,
                                 rewriter.getFloatAttr(et, APFloat::getInf(et.getFloatSemantics(), true))))
                           : scalarConstant(rewriter, loc, et, 0);
    Value x = padSpatial(rewriter, loc, op.getX(), begin, end, padValue);
    Value init = createFilled(rewriter, loc, resultType, padValue);
    Value result;
    if (nsp == 2) {
      Value window = tensor::EmptyOp::create(rewriter, loc, kernel, et);
      auto stridesAttr = i64Vector(rewriter, strides), dilationsAttr = i64Vector(rewriter, dilations);
      if constexpr (isMax)
        result = linalg::PoolingNchwMaxOp::create(rewriter, loc, resultType, ValueRange{x, window},
                                                  init, stridesAttr, dilationsAttr)
                     .getResult(0);
      else
        result = linalg::PoolingNchwSumOp::create(rewriter, loc, resultType, ValueRange{x, window},
                                                  init, stridesAttr, dilationsAttr)
                     .getResult(0);
    } else {
      result = buildPoolGeneric(rewriter, loc, x, init, kernel, strides, dilations, isMax);
    }
    if constexpr (!isMax) {
      Value sum = result;
      // Divisor per output position: the window's elements inside the input
      // (or inside the explicitly padded input with count_include_pad).
      ArrayRef<int64_t> outShape = resultType.getShape().drop_front(2);
      bool includePad = op.getCountIncludePad() != 0;
      int64_t numOut = 1, numWin = 1;
      for (int64_t i = 0; i < nsp; ++i) {
        numOut *= outShape[i];
        numWin *= kernel[i];
      }
      SmallVector<float> counts;
      SmallVector<int64_t> o(nsp), k(nsp);
      for (int64_t oi = 0; oi < numOut; ++oi) {
        for (int64_t i = nsp - 1, rem = oi; i >= 0; --i) {
          o[i] = rem % outShape[i];
          rem /= outShape[i];
        }
        int64_t count = 0;
        for (int64_t ki = 0; ki < numWin; ++ki) {
          for (int64_t i = nsp - 1, rem = ki; i >= 0; --i) {
            k[i] = rem % kernel[i];
            rem /= kernel[i];
          }
          bool inside = true;
          for (int64_t i = 0; i < nsp; ++i) {
            int64_t r = o[i] * strides[i] + k[i] * dilations[i] - begin[i];
            inside &= includePad ? (r >= -begin[i] && r < xType.getDimSize(2 + i) + declaredEnd[i])
                                 : (r >= 0 && r < xType.getDimSize(2 + i));
          }
          count += inside;
        }
        counts.push_back(1.0f / std::max<int64_t>(count, 1));
      }
      auto countType = RankedTensorType::get(outShape, rewriter.getF32Type());
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

  /// Integer MaxPool (int8/uint8 images): the padded input holds the type's
  /// minimum, and the window maximum compares signed or unsigned.
  LogicalResult rewriteIntegerMax(PoolOp op, RankedTensorType resultType, RankedTensorType xType,
                                  PatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    auto intType = cast<IntegerType>(resultType.getElementType());
    bool isUnsigned = intType.isUnsigned();
    Type et = storageType(intType);
    SmallVector<int64_t> kernel, strides, dilations, begin, end, declaredEnd;
    if (failed(windows(op, xType, resultType, kernel, strides, dilations, begin, end, declaredEnd)))
      return failure();
    unsigned bits = intType.getWidth();
    APInt lowest = isUnsigned ? APInt::getMinValue(bits) : APInt::getSignedMinValue(bits);
    Value padValue = arith::ConstantOp::create(rewriter, loc, et, rewriter.getIntegerAttr(et, lowest));
    Value x = padSpatial(rewriter, loc, toStorage(rewriter, loc, op.getX()), begin, end, padValue);
    auto signless = resultType.clone(et);
    Value init = createFilled(rewriter, loc, signless, padValue);
    Value result = buildPoolGeneric(rewriter, loc, x, init, kernel, strides, dilations, true, isUnsigned);
    if (signless != resultType)
      result = tensor::BitcastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename GlobalOp>
struct GlobalPoolToLinalg : OpRewritePattern<GlobalOp> {
  using OpRewritePattern<GlobalOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalOp op, PatternRewriter &rewriter) const override {
    auto xType = getRankedType(op.getX());
    if (!xType || !getRankedType(op.getY()) || !isa<FloatType>(xType.getElementType()))
      return rewriter.notifyMatchFailure(op, "only float pooling");
    constexpr bool isMax = std::is_same_v<GlobalOp, onnx::GlobalMaxPoolOp>;
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < xType.getRank(); ++i)
      axes.push_back(i);
    Location loc = op.getLoc();
    Value r = buildReduction(rewriter, loc, op.getX(), axes,
                             isMax ? ReductionKind::Max : ReductionKind::Sum, /*keepDims=*/true);
    if (!isMax) {
      auto type = cast<RankedTensorType>(r.getType());
      Value inv = inverseCount(rewriter, loc, op.getX(), axes, type.getElementType());
      r = buildElementwise(rewriter, loc, type, r, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(b, l, a[0], inv);
      });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, cast<RankedTensorType>(op.getY().getType())));
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXConvPoolToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvToLinalg, ConvTransposeToLinalg, PoolToLinalg<onnx::MaxPoolOp>, PoolToLinalg<onnx::AveragePoolOp>,
               GlobalPoolToLinalg<onnx::GlobalAveragePoolOp>,
               GlobalPoolToLinalg<onnx::GlobalMaxPoolOp>>(patterns.getContext());
}
