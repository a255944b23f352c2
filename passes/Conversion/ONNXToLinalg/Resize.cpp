//===- Resize.cpp - Resize (and Upsample) and GridSample to linalg --------===//
//
// Interpolation is separable: the output is computed one resized dim at a
// time, each pass a generic that maps every output index i along that dim
// to an input coordinate x (coordinate_transformation_mode, with the scale
// read from `scales` or derived from `sizes`, constant or computed at run
// time) and combines the input elements at the taps around x:
//   nearest  one tap, x rounded as nearest_mode says;
//   linear   taps floor(x) and floor(x) + 1, weights 1 - r and r (r = x - floor(x));
//   cubic    taps floor(x) - 1 .. floor(x) + 2, Keys' kernel with cubic_coeff_a.
// Taps outside the input read its edge (exclude_outside instead drops them
// and renormalises the weights); tf_crop_and_resize gives
// extrapolation_value where x falls outside the input. Coordinates and
// weights are computed in double precision, like the ONNX reference.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

/// Arithmetic on f64 scalars, folding constants as it goes.
struct F64 {
  OpBuilder &b;
  Location loc;
  Value c(double v) { return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v)); }
  Value add(Value x, Value y) { return b.createOrFold<arith::AddFOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.createOrFold<arith::SubFOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.createOrFold<arith::MulFOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.createOrFold<arith::DivFOp>(loc, x, y); }
  Value floor(Value x) { return b.createOrFold<math::FloorOp>(loc, x); }
  Value ceil(Value x) { return b.createOrFold<math::CeilOp>(loc, x); }
  Value abs(Value x) { return b.createOrFold<math::AbsFOp>(loc, x); }
  Value lt(Value x, Value y) {
    return b.createOrFold<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return b.createOrFold<arith::SelectOp>(loc, cond, x, y);
  }
  /// Element `i` of a 1-d tensor of floats or integers, as f64.
  Value element(Value tensor, int64_t i) {
    Value idx = arith::ConstantIndexOp::create(b, loc, i);
    Value v = b.createOrFold<tensor::ExtractOp>(loc, tensor, ValueRange{idx});
    Type t = v.getType();
    if (t.isF64())
      return v;
    if (isa<FloatType>(t))
      return b.createOrFold<arith::ExtFOp>(loc, b.getF64Type(), v);
    return b.createOrFold<arith::SIToFPOp>(loc, b.getF64Type(), v);
  }
};

/// Keys' cubic convolution kernel at distance `t` >= 0.
Value cubicWeight(F64 &f, Value t, double a) {
  Value t2 = f.mul(t, t), t3 = f.mul(t2, t);
  // |t| <= 1: (a + 2) t^3 - (a + 3) t^2 + 1
  Value near = f.add(f.sub(f.mul(f.c(a + 2), t3), f.mul(f.c(a + 3), t2)), f.c(1));
  // 1 < |t| < 2: a t^3 - 5a t^2 + 8a t - 4a
  Value far = f.sub(f.add(f.sub(f.mul(f.c(a), t3), f.mul(f.c(5 * a), t2)), f.mul(f.c(8 * a), t)),
                    f.c(4 * a));
  Value w = f.select(f.lt(f.c(1), t), far, near);
  return f.select(f.lt(t, f.c(2)), w, f.c(0));
}

/// A tensor of `type` (its dynamic dims sized by `dynamicSizes`) whose every
/// element `body` computes from its indices.
Value buildFromIndices(OpBuilder &b, Location loc, RankedTensorType type,
                       function_ref<Value(F64 &, ArrayRef<Value>)> body,
                       ValueRange dynamicSizes = {}) {
  int64_t rank = type.getRank();
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(), dynamicSizes);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(b, loc, type, ValueRange{}, init, maps, iterators,
                                   [&](OpBuilder &nb, Location l, ValueRange) {
                                     F64 f{nb, l};
                                     SmallVector<Value> ivs;
                                     for (int64_t d = 0; d < rank; ++d)
                                       ivs.push_back(linalg::IndexOp::create(nb, l, d));
                                     linalg::YieldOp::create(nb, l, body(f, ivs));
                                   })
      .getResult(0);
}

/// `sum` (f64) as a value of `type`.
Value fromF64(F64 &f, Type type, Value sum) {
  return type.isF64() ? sum : arith::TruncFOp::create(f.b, f.loc, type, sum).getResult();
}

struct ResizeToLinalg : OpRewritePattern<onnx::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnx::ResizeOp op, PatternRewriter &rewriter) const override {
    auto outType = getRankedType(op.getY()), inType = getRankedType(op.getX());
    if (!outType || !inType)
      return rewriter.notifyMatchFailure(op, "unranked");
    bool dynamic = !outType.hasStaticShape() || !inType.hasStaticShape();
    if (op.getAntialias() != 0)
      return rewriter.notifyMatchFailure(op, "antialias is not supported");
    StringRef mode = op.getMode(), coord = op.getCoordinateTransformationMode();
    StringRef nearestMode = op.getNearestMode(), policy = op.getKeepAspectRatioPolicy();
    Type elementType = inType.getElementType();
    if ((mode != "nearest" && mode != "linear" && mode != "cubic") ||
        (mode != "nearest" && !isa<FloatType>(elementType)))
      return rewriter.notifyMatchFailure(op, "unknown mode, or interpolation of non-floats");
    if (!llvm::is_contained({"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                             "align_corners", "asymmetric", "tf_half_pixel_for_nn",
                             "tf_crop_and_resize"},
                            coord) ||
        !llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
                            nearestMode) ||
        !llvm::is_contained({"stretch", "not_larger", "not_smaller"}, policy))
      return rewriter.notifyMatchFailure(op, "unknown coordinate, nearest or aspect mode");
    bool crop = coord == "tf_crop_and_resize";
    bool hasSizes = !isa<NoneType>(op.getSizes().getType());
    if ((!hasSizes && isa<NoneType>(op.getScales().getType())) ||
        (crop && isa<NoneType>(op.getRoi().getType())))
      return rewriter.notifyMatchFailure(op, "needs scales or sizes (and roi to crop)");

    int64_t rank = inType.getRank();
    SmallVector<int64_t> axes;
    if (auto list = op.getAxes()) {
      for (Attribute a : *list)
        axes.push_back(*onnx::normalizeAxis(cast<IntegerAttr>(a).getInt(), rank));
    } else {
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    }
    Location loc = op.getLoc();
    // The input's dims: constants, or (dynamic dims) read in the host code.
    SmallVector<Value> inDims;
    for (int64_t d = 0; d < rank; ++d)
      inDims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, op.getX(), d));
    auto inDimF = [&](F64 &f, int64_t d) -> Value {
      if (!inType.isDynamicDim(d))
        return f.c(inType.getDimSize(d));
      return arith::SIToFPOp::create(f.b, f.loc, f.b.getF64Type(),
                                     arith::IndexCastOp::create(f.b, f.loc, f.b.getI64Type(), inDims[d]));
    };
    // Per resized dim: the scale, and for tf_crop_and_resize the roi, read
    // inside each pass's body (on a GPU, reads of buffers belong in kernels;
    // constants fold wherever they are read).
    auto scaleOf = [&, axes](F64 &f, int64_t a) -> Value {
      auto k = llvm::find(axes, a) - axes.begin();
      if (!hasSizes)
        return f.element(op.getScales(), k);
      auto ratio = [&](int64_t i) { return f.div(f.element(op.getSizes(), i), inDimF(f, axes[i])); };
      if (policy == "stretch")
        return ratio(k);
      Value s = ratio(0); // one scale for all: the least or the greatest
      for (size_t i = 1; i < axes.size(); ++i) {
        Value r = ratio(i);
        s = f.select(policy == "not_larger" ? f.lt(r, s) : f.lt(s, r), r, s);
      }
      return s;
    };
    // Whether the scale of dim `a` is the constant 1.
    auto unitScale = [&](int64_t a) {
      if (dynamic)
        return false;
      auto k = llvm::find(axes, a) - axes.begin();
      DenseElementsAttr values;
      if (!hasSizes)
        return matchPattern(op.getScales(), m_Constant(&values)) &&
               isa<FloatType>(values.getElementType()) &&
               values.getValues<APFloat>()[k].convertToDouble() == 1.0;
      auto sizes = onnx::getConstantInts(op.getSizes());
      if (failed(sizes))
        return false;
      auto ratio = [&](int64_t i) { return double((*sizes)[i]) / double(inType.getDimSize(axes[i])); };
      double s = ratio(k);
      if (policy != "stretch")
        for (size_t i = 0; i < axes.size(); ++i)
          s = policy == "not_larger" ? std::min(s, ratio(i)) : std::max(s, ratio(i));
      return s == 1.0;
    };

    Value current = op.getX();
    SmallVector<int64_t> shape(inType.getShape());
    SmallVector<Value> sizes(inDims);
    for (auto [k, axis] : llvm::enumerate(axes)) {
      int64_t a = axis, n = shape[a], m = outType.getDimSize(a);
      if (!dynamic && n == m && !crop && unitScale(a))
        continue; // the identity along this dim
      // With dynamic dims, the output length where it is not declared:
      // sizes[k] (stretch), round(scale * n) (one scale for all), or
      // floor(scale * n) (times the roi's span for tf_crop_and_resize).
      Value mDyn;
      if (dynamic) {
        if (!ShapedType::isDynamic(m)) {
          mDyn = arith::ConstantIndexOp::create(rewriter, loc, m);
        } else {
          F64 f{rewriter, loc};
          Value length;
          if (hasSizes && policy == "stretch") {
            length = f.element(op.getSizes(), k);
          } else {
            length = f.mul(scaleOf(f, a), inDimF(f, a));
            if (crop)
              length = f.mul(length, f.sub(f.element(op.getRoi(), k + axes.size()), f.element(op.getRoi(), k)));
            length = hasSizes ? f.floor(f.add(length, f.c(0.5))) : f.floor(length);
          }
          mDyn = rewriter.createOrFold<arith::IndexCastOp>(
              loc, rewriter.getIndexType(), rewriter.createOrFold<arith::FPToSIOp>(loc, rewriter.getI64Type(), length));
        }
      }
      shape[a] = dynamic ? ShapedType::kDynamic : m;
      Value nDyn = dynamic ? rewriter.createOrFold<tensor::DimOp>(loc, current, a) : Value();
      sizes[a] = mDyn;
      SmallVector<Value> dynamicSizes;
      for (int64_t d = 0; d < rank; ++d)
        if (ShapedType::isDynamic(shape[d]))
          dynamicSizes.push_back(sizes[d]);
      current = resizeDim(rewriter, loc, current, RankedTensorType::get(shape, elementType), a,
                          n, m, k, axes.size(), [&](F64 &f) { return scaleOf(f, a); }, op, nDyn, mDyn,
                          dynamicSizes);
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, current, outType));
    return success();
  }

  /// One pass: `input` resized along `dim` from `n` to `m` elements.
  /// (`k` is the dim's place in `axes`, of `numAxes`, for the roi.) With
  /// dynamic dims, `nDyn` and `mDyn` hold n and m (index values) and
  /// `dynamicSizes` the dynamic dims of `type`.
  Value resizeDim(OpBuilder &b, Location loc, Value input, RankedTensorType type, int64_t dim,
                  int64_t n, int64_t m, int64_t k, int64_t numAxes,
                  function_ref<Value(F64 &)> scaleOf, onnx::ResizeOp op, Value nDyn = {},
                  Value mDyn = {}, ValueRange dynamicSizes = {}) const {
    StringRef mode = op.getMode(), coord = op.getCoordinateTransformationMode();
    StringRef nearestMode = op.getNearestMode();
    bool excludeOutside = op.getExcludeOutside() != 0;
    double cubicA = op.getCubicCoeffA().convertToDouble();
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    return buildFromIndices(b, loc, type, [&](F64 &f, ArrayRef<Value> ivs) -> Value {
      OpBuilder &nb = f.b;
      Location l = f.loc;
      Type i64 = nb.getI64Type();
      Value scale = scaleOf(f);
      Value i = arith::SIToFPOp::create(
          nb, l, nb.getF64Type(), arith::IndexCastOp::create(nb, l, i64, ivs[dim]));
      Value half = f.c(0.5), one = f.c(1);
      // n, n - 1 and m as f64 and n, n - 1 as i64: constants, or read at run time.
      auto asF64 = [&](Value index) {
        return arith::SIToFPOp::create(nb, l, nb.getF64Type(), arith::IndexCastOp::create(nb, l, i64, index))
            .getResult();
      };
      Value nF = nDyn ? asF64(nDyn) : f.c(n), mF = mDyn ? asF64(mDyn) : f.c(m);
      Value nMinus1F = f.sub(nF, one);
      Value nI = nDyn ? arith::IndexCastOp::create(nb, l, i64, nDyn).getResult() : scalarConstant(nb, l, i64, n);
      Value nMinus1I = arith::SubIOp::create(nb, l, nI, scalarConstant(nb, l, i64, 1));
      // The resized length as the modes that divide by it see it: scale * n
      // (= m when the output size was given; with a scale, the ONNX
      // reference keeps the fraction).
      Value length = f.mul(scale, nF);
      Value single = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, length, one);
      Value x;
      if (coord == "half_pixel")
        x = f.sub(f.div(f.add(i, half), scale), half);
      else if (coord == "pytorch_half_pixel")
        x = f.select(single, f.c(0), f.sub(f.div(f.add(i, half), scale), half));
      else if (coord == "half_pixel_symmetric") {
        Value adjust = f.div(mF, f.mul(scale, nF));
        Value offset = f.mul(f.mul(nF, half), f.sub(f.c(1), adjust));
        x = f.add(offset, f.sub(f.div(f.add(i, half), scale), half));
      } else if (coord == "align_corners")
        x = f.select(single, f.c(0), f.div(f.mul(i, nMinus1F), f.sub(length, one)));
      else if (coord == "asymmetric")
        x = f.div(i, scale);
      else if (coord == "tf_half_pixel_for_nn")
        x = f.div(f.add(i, half), scale);
      else { // tf_crop_and_resize
        Value roiStart = f.element(op.getRoi(), k), roiEnd = f.element(op.getRoi(), k + numAxes);
        Value span = f.mul(f.sub(roiEnd, roiStart), nMinus1F);
        x = f.select(single, f.mul(f.mul(f.add(roiStart, roiEnd), nMinus1F), half),
                     f.add(f.mul(roiStart, nMinus1F), f.mul(i, f.div(span, f.sub(length, one)))));
      }

      // The input element at tap j (an i64), clamped to the edge.
      auto load = [&](Value j) {
        Value c = arith::MaxSIOp::create(nb, l, j, scalarConstant(nb, l, i64, 0));
        c = arith::MinSIOp::create(nb, l, c, nMinus1I);
        SmallVector<Value> at(ivs);
        at[dim] = arith::IndexCastOp::create(nb, l, nb.getIndexType(), c);
        return tensor::ExtractOp::create(nb, l, input, at).getResult();
      };
      auto toI64 = [&](Value v) { return arith::FPToSIOp::create(nb, l, i64, v).getResult(); };
      Value result;
      if (mode == "nearest") {
        Value r = nearestMode == "floor"               ? f.floor(x)
                  : nearestMode == "ceil"              ? f.ceil(x)
                  : nearestMode == "round_prefer_ceil" ? f.floor(f.add(x, half))
                                                       : f.ceil(f.sub(x, half));
        result = load(toI64(r));
      } else {
        Value x0 = f.floor(x), r = f.sub(x, x0);
        Value j0 = toI64(x0);
        SmallVector<std::pair<int64_t, Value>> taps; // offset from floor(x), weight
        if (mode == "linear") {
          taps = {{0, f.sub(f.c(1), r)}, {1, r}};
        } else {
          taps = {{-1, cubicWeight(f, f.add(f.c(1), r), cubicA)},
                  {0, cubicWeight(f, r, cubicA)},
                  {1, cubicWeight(f, f.sub(f.c(1), r), cubicA)},
                  {2, cubicWeight(f, f.sub(f.c(2), r), cubicA)}};
        }
        SmallVector<Value> indices;
        Value total = f.c(0);
        for (auto &[offset, weight] : taps) {
          Value j = arith::AddIOp::create(nb, l, j0, scalarConstant(nb, l, i64, offset));
          indices.push_back(j);
          if (excludeOutside) {
            Value inside = arith::AndIOp::create(
                nb, l,
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, j,
                                      scalarConstant(nb, l, i64, 0)),
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, j, nI));
            weight = f.select(inside, weight, f.c(0));
            total = f.add(total, weight);
          }
        }
        Value sum = f.c(0);
        for (auto [tap, j] : llvm::zip(taps, indices)) {
          Value v = load(j);
          if (!v.getType().isF64())
            v = arith::ExtFOp::create(nb, l, nb.getF64Type(), v);
          Value w = excludeOutside ? f.div(tap.second, total) : tap.second;
          sum = f.add(sum, f.mul(w, v));
        }
        result = fromF64(f, type.getElementType(), sum);
      }
      if (coord == "tf_crop_and_resize") {
        Value outside = arith::OrIOp::create(nb, l, f.lt(x, f.c(0)), f.lt(nMinus1F, x));
        result = arith::SelectOp::create(
            nb, l, outside, scalarConstant(nb, l, type.getElementType(), extrapolation), result);
      }
      return result;
    }, dynamicSizes);
  }
};
/// `x` reflected at the borders `lo` and `hi` until it lies between them
/// (`lo` where hi <= lo). The borders may be known only at run time.
Value reflect(F64 &f, Value x, Value lo, Value hi) {
  Value range = f.sub(hi, lo);
  // Folding `distance` past `near` back and forth between the borders;
  // `up` says the far border is above the near one.
  auto fold = [&](Value distance, Value near, Value far, bool up) {
    Value n = f.floor(f.div(distance, range));
    Value r = f.sub(distance, f.mul(n, range));
    Value half = f.mul(n, f.c(0.5));
    Value even = f.b.createOrFold<arith::CmpFOp>(f.loc, arith::CmpFPredicate::OEQ, f.floor(half), half);
    Value towardFar = up ? f.add(near, r) : f.sub(near, r);
    Value towardNear = up ? f.sub(far, r) : f.add(far, r);
    return f.select(even, towardFar, towardNear);
  };
  Value below = fold(f.sub(lo, x), lo, hi, true), above = fold(f.sub(x, hi), hi, lo, false);
  Value r = f.select(f.lt(x, lo), below, f.select(f.lt(hi, x), above, x));
  return f.select(f.lt(f.c(0), range), r, lo);
}

/// GridSample: each output point reads its coordinates from the grid,
/// denormalises them (align_corners: [-1, 1] spans the centres of the first
/// and last elements, else their outer edges), rounds to even for nearest,
/// brings coordinates outside the borders back (border: clamped;
/// reflection: reflected; not for cubic, whose taps alone are padded, as in
/// PyTorch and onnxruntime), and sums the taps of every dim (nearest 1,
/// linear 2, cubic 4 with Keys' kernel, a = -0.75), each tap index padded
/// the same way (zeros: reads 0 outside).
struct GridSampleToLinalg : OpRewritePattern<onnx::GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnx::GridSampleOp op, PatternRewriter &rewriter) const override {
    auto type = getRankedType(op.getY()), xType = getRankedType(op.getX());
    auto gridType = getRankedType(op.getGrid());
    if (!type || !xType || !gridType || !isa<FloatType>(xType.getElementType()) ||
        !isa<FloatType>(gridType.getElementType()) ||
        (type.hasStaticShape() && type.getNumElements() == 0))
      return rewriter.notifyMatchFailure(op, "needs float operands and a nonempty result");
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    if (!llvm::is_contained({"nearest", "linear", "cubic"}, mode) ||
        !llvm::is_contained({"zeros", "border", "reflection"}, padding))
      return rewriter.notifyMatchFailure(op, "unknown mode or padding mode");
    bool align = op.getAlignCorners() != 0;
    int64_t rank = type.getRank(), spatial = rank - 2;
    Value x = op.getX(), grid = op.getGrid();
    Location loc = op.getLoc();
    // X's spatial sizes, read at run time where dynamic; the result's dims
    // are grid's N and D1..Dr and X's C.
    SmallVector<Value> xDims, sizes;
    for (int64_t d = 0; d < rank; ++d)
      xDims.push_back(rewriter.createOrFold<tensor::DimOp>(loc, x, d));
    auto computeType = type;
    if (!type.hasStaticShape()) {
      computeType = RankedTensorType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic), type.getElementType());
      sizes = {rewriter.createOrFold<tensor::DimOp>(loc, grid, 0), xDims[1]};
      for (int64_t i = 0; i < spatial; ++i)
        sizes.push_back(rewriter.createOrFold<tensor::DimOp>(loc, grid, 1 + i));
    }
    auto body = [&](F64 &f, ArrayRef<Value> ivs) -> Value {
      OpBuilder &b = f.b;
      Location l = f.loc;
      Type i64 = b.getI64Type();
      // Per spatial dim: its taps (index, weight) and whether it is inside.
      struct Tap {
        Value index, weight, inside;
      };
      SmallVector<SmallVector<Tap>> taps(spatial);
      for (int64_t i = 0; i < spatial; ++i) {
        Value size = xType.isDynamicDim(2 + i)
                         ? Value(arith::SIToFPOp::create(b, l, b.getF64Type(),
                                                         arith::IndexCastOp::create(b, l, i64, xDims[2 + i])))
                         : f.c(xType.getDimSize(2 + i));
        Value sizeMinus1 = f.sub(size, f.c(1));
        Value lastI = xType.isDynamicDim(2 + i)
                          ? Value(arith::SubIOp::create(b, l, arith::IndexCastOp::create(b, l, i64, xDims[2 + i]),
                                                        scalarConstant(b, l, i64, 1)))
                          : scalarConstant(b, l, i64, xType.getDimSize(2 + i) - 1);
        Value lo = f.c(align ? 0 : -0.5), hi = align ? sizeMinus1 : f.sub(size, f.c(0.5));
        SmallVector<Value> at = {ivs[0]};
        at.append(ivs.begin() + 2, ivs.end());
        at.push_back(arith::ConstantIndexOp::create(b, l, spatial - 1 - i));
        Value g = tensor::ExtractOp::create(b, l, grid, at);
        if (!g.getType().isF64())
          g = arith::ExtFOp::create(b, l, b.getF64Type(), g);
        Value c = align ? f.mul(f.mul(f.add(g, f.c(1)), f.c(0.5)), sizeMinus1)
                        : f.mul(f.sub(f.mul(f.add(g, f.c(1)), size), f.c(1)), f.c(0.5));
        if (mode == "nearest")
          c = math::RoundEvenOp::create(b, l, c);
        // Cubic pads each tap instead (as PyTorch and onnxruntime do: a
        // clamped coordinate would move all four taps).
        if (padding == "border" && mode != "cubic")
          c = f.select(arith::OrIOp::create(b, l, f.lt(c, lo), f.lt(hi, c)),
                       f.select(f.lt(c, f.c(0)), f.c(0), f.select(f.lt(sizeMinus1, c), sizeMinus1, c)), c);
        else if (padding == "reflection" && mode != "cubic")
          c = reflect(f, c, lo, hi);
        // Tap positions and weights.
        SmallVector<std::pair<Value, Value>> positions; // (float index, weight)
        if (mode == "nearest") {
          positions.push_back({c, f.c(1)});
        } else {
          Value c0 = f.floor(c), r = f.sub(c, c0);
          if (mode == "linear") {
            positions = {{c0, f.sub(f.c(1), r)}, {f.add(c0, f.c(1)), r}};
          } else {
            positions = {{f.sub(c0, f.c(1)), cubicWeight(f, f.add(f.c(1), r), -0.75)},
                         {c0, cubicWeight(f, r, -0.75)},
                         {f.add(c0, f.c(1)), cubicWeight(f, f.sub(f.c(1), r), -0.75)},
                         {f.add(c0, f.c(2)), cubicWeight(f, f.sub(f.c(2), r), -0.75)}};
          }
        }
        for (auto [p, w] : positions) {
          Value inside = arith::AndIOp::create(b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, p, f.c(0)),
                                               f.lt(p, size));
          if (padding == "border")
            p = f.select(f.lt(p, f.c(0)), f.c(0), f.select(f.lt(sizeMinus1, p), sizeMinus1, p));
          else if (padding == "reflection")
            p = reflect(f, p, lo, hi);
          Value idx = arith::FPToSIOp::create(b, l, i64, p); // toward zero, like int()
          idx = arith::MaxSIOp::create(b, l, idx, scalarConstant(b, l, i64, 0));
          idx = arith::MinSIOp::create(b, l, idx, lastI);
          taps[i].push_back({arith::IndexCastOp::create(b, l, b.getIndexType(), idx), w,
                             padding == "zeros" ? inside : Value()});
        }
      }
      // Sum over every combination of taps.
      Value sum = f.c(0);
      SmallVector<size_t> pick(spatial, 0);
      while (true) {
        SmallVector<Value> at = {ivs[0], ivs[1]};
        Value weight = f.c(1), inside;
        for (int64_t i = 0; i < spatial; ++i) {
          const Tap &t = taps[i][pick[i]];
          at.push_back(t.index);
          weight = f.mul(weight, t.weight);
          if (t.inside)
            inside = inside ? arith::AndIOp::create(b, l, inside, t.inside).getResult() : t.inside;
        }
        Value v = tensor::ExtractOp::create(b, l, x, at);
        if (!v.getType().isF64())
          v = arith::ExtFOp::create(b, l, b.getF64Type(), v);
        if (inside)
          v = f.select(inside, v, f.c(0));
        sum = f.add(sum, f.mul(weight, v));
        int64_t i = spatial - 1;
        while (i >= 0 && ++pick[i] == taps[i].size())
          pick[i--] = 0;
        if (i < 0)
          break;
      }
      return fromF64(f, type.getElementType(), sum);
    };
    Value r = buildFromIndices(rewriter, loc, computeType, body, sizes);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, type));
    return success();
  }
};

/// RoiAlign with a fixed sampling ratio: every output (r, c, ph, pw) sums
/// (avg) or maximizes (max: the largest weighted tap, as the reference
/// defines it) the bilinear samples at (start + (p + (i + 0.5) / grid) *
/// bin) of image batch_indices[r], all in f64. Samples more than one pixel
/// outside the image count as 0; those within are clamped to the border.
struct RoiAlignToLinalg : OpRewritePattern<onnx::RoiAlignOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::RoiAlignOp op, PatternRewriter &rewriter) const override {
    auto outType = getRankedType(op.getY()), inType = getRankedType(op.getX());
    if (!outType || !inType || inType.getRank() != 4 || outType.getRank() != 4 || outType.isDynamicDim(2) ||
        outType.isDynamicDim(3))
      return rewriter.notifyMatchFailure(op, "needs a 4-d input and result");
    int64_t grid = op.getSamplingRatio();
    if (grid < 1 || grid > 8)
      return rewriter.notifyMatchFailure(op, "adaptive sampling (sampling_ratio 0) depends on the rois");
    StringRef mode = op.getMode(), coord = op.getCoordinateTransformationMode();
    if ((mode != "avg" && mode != "max") || (coord != "half_pixel" && coord != "output_half_pixel") ||
        !isa<FloatType>(inType.getElementType()))
      return rewriter.notifyMatchFailure(op, "unknown mode or coordinate transformation");
    bool halfPixel = coord == "half_pixel", isMax = mode == "max";
    int64_t outH = outType.getDimSize(2), outW = outType.getDimSize(3);
    double scale = op.getSpatialScale().convertToDouble();
    Value x = op.getX(), rois = op.getRois(), indices = op.getBatchIndices();
    Type et = outType.getElementType();
    // The image's dims, read at run time where they are symbolic.
    Location loc = op.getLoc();
    auto dim = [&](int64_t d) { return rewriter.createOrFold<tensor::DimOp>(loc, x, d); };
    Value heightDim = dim(2), widthDim = dim(3), batchesDim = dim(0);
    // A run-time number of rois (or of channels) sizes the result.
    SmallVector<Value> dynamicSizes;
    if (outType.isDynamicDim(0))
      dynamicSizes.push_back(rewriter.createOrFold<tensor::DimOp>(loc, rois, 0));
    if (outType.isDynamicDim(1))
      dynamicSizes.push_back(dim(1));
    rewriter.replaceOp(op, buildFromIndices(rewriter, loc, outType, [&](F64 &f, ArrayRef<Value> ivs) {
      OpBuilder &b = f.b;
      Location l = f.loc;
      auto asF64 = [&](Value index) {
        return arith::UIToFPOp::create(b, l, b.getF64Type(), arith::IndexCastUIOp::create(b, l, b.getI64Type(), index))
            .getResult();
      };
      Value height = asF64(heightDim), width = asF64(widthDim);
      Value lastRow = f.sub(height, f.c(1)), lastColumn = f.sub(width, f.c(1));
      auto roi = [&](int64_t k) -> Value {
        Value v = tensor::ExtractOp::create(b, l, rois, ValueRange{ivs[0], arith::ConstantIndexOp::create(b, l, k)});
        Value v64 = v.getType().isF64() ? v : arith::ExtFOp::create(b, l, b.getF64Type(), v).getResult();
        return f.sub(f.mul(v64, f.c(scale)), f.c(halfPixel ? 0.5 : 0.0));
      };
      Value x1 = roi(0), y1 = roi(1), x2 = roi(2), y2 = roi(3);
      Value roiW = f.sub(x2, x1), roiH = f.sub(y2, y1);
      if (!halfPixel) {
        roiW = arith::MaximumFOp::create(b, l, roiW, f.c(1.0));
        roiH = arith::MaximumFOp::create(b, l, roiH, f.c(1.0));
      }
      Value binH = f.div(roiH, f.c(outH)), binW = f.div(roiW, f.c(outW));
      Value batch = arith::IndexCastOp::create(b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, indices, ivs[0]));
      batch = arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, batch, arith::ConstantIndexOp::create(b, l, 0)),
                                     arith::SubIOp::create(b, l, batchesDim, arith::ConstantIndexOp::create(b, l, 1)));
      auto toIndex = [&](Value v) { return arith::FPToSIOp::create(b, l, b.getI64Type(), v).getResult(); };
      auto asIndex = [&](Value i64) { return arith::IndexCastOp::create(b, l, b.getIndexType(), i64).getResult(); };
      auto read = [&](Value yi, Value xi) {
        Value v = tensor::ExtractOp::create(b, l, x, ValueRange{batch, ivs[1], asIndex(yi), asIndex(xi)});
        return v.getType().isF64() ? v : arith::ExtFOp::create(b, l, b.getF64Type(), v).getResult();
      };
      Value phF = arith::UIToFPOp::create(b, l, b.getF64Type(), arith::IndexCastUIOp::create(b, l, b.getI64Type(), ivs[2]));
      Value pwF = arith::UIToFPOp::create(b, l, b.getF64Type(), arith::IndexCastUIOp::create(b, l, b.getI64Type(), ivs[3]));
      Value acc;
      for (int64_t iy = 0; iy < grid; ++iy)
        for (int64_t ix = 0; ix < grid; ++ix) {
          Value y = f.add(y1, f.mul(f.add(phF, f.c((iy + 0.5) / grid)), binH));
          Value xx = f.add(x1, f.mul(f.add(pwF, f.c((ix + 0.5) / grid)), binW));
          Value outside = arith::OrIOp::create(
              b, l, arith::OrIOp::create(b, l, f.lt(y, f.c(-1.0)), f.lt(height, y)),
              arith::OrIOp::create(b, l, f.lt(xx, f.c(-1.0)), f.lt(width, xx)));
          y = arith::MaximumFOp::create(b, l, y, f.c(0.0));
          xx = arith::MaximumFOp::create(b, l, xx, f.c(0.0));
          // Low taps clamped to the last row/column, where the position is too.
          Value yLow = arith::MinimumFOp::create(b, l, f.floor(y), lastRow);
          Value xLow = arith::MinimumFOp::create(b, l, f.floor(xx), lastColumn);
          y = arith::MinimumFOp::create(b, l, y, lastRow);
          xx = arith::MinimumFOp::create(b, l, xx, lastColumn);
          Value yHigh = arith::MinimumFOp::create(b, l, f.add(yLow, f.c(1)), lastRow);
          Value xHigh = arith::MinimumFOp::create(b, l, f.add(xLow, f.c(1)), lastColumn);
          Value ly = f.sub(y, yLow), lx = f.sub(xx, xLow), hy = f.sub(f.c(1), ly), hx = f.sub(f.c(1), lx);
          Value yl = toIndex(yLow), yh = toIndex(yHigh), xl = toIndex(xLow), xh = toIndex(xHigh);
          Value taps[4] = {f.mul(f.mul(hy, hx), read(yl, xl)), f.mul(f.mul(hy, lx), read(yl, xh)),
                           f.mul(f.mul(ly, hx), read(yh, xl)), f.mul(f.mul(ly, lx), read(yh, xh))};
          Value sample;
          if (isMax) {
            sample = taps[0];
            for (int t = 1; t < 4; ++t)
              sample = arith::MaximumFOp::create(b, l, sample, taps[t]);
          } else {
            sample = f.add(f.add(taps[0], taps[1]), f.add(taps[2], taps[3]));
          }
          sample = f.select(outside, f.c(0.0), sample);
          acc = !acc ? sample : isMax ? Value(arith::MaximumFOp::create(b, l, acc, sample)) : f.add(acc, sample);
        }
      if (!isMax)
        acc = f.div(acc, f.c((double)(grid * grid)));
      return fromF64(f, et, acc);
    }, dynamicSizes));
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXResizeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeToLinalg, GridSampleToLinalg, RoiAlignToLinalg>(patterns.getContext());
}
