//===- Elementwise.cpp - elementwise onnx ops to linalg.generic -----------===//
//
// Every elementwise op becomes one linalg.generic over the broadcast result
// shape; only the scalar body differs. Kernel formation later fuses chains of
// these generics with each other and into their producers.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"


using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value castScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth() ? Value(arith::ExtFOp::create(b, loc, to, v))
                                             : Value(arith::TruncFOp::create(b, loc, to, v));
  if (fromF) {
    if (to.isInteger(1))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, scalarConstant(b, loc, from, 0));
    return arith::FPToSIOp::create(b, loc, to, v);
  }
  bool fromBool = from.isInteger(1);
  if (toF)
    return fromBool ? Value(arith::UIToFPOp::create(b, loc, to, v))
                    : Value(arith::SIToFPOp::create(b, loc, to, v));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (tw == 1)
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, scalarConstant(b, loc, from, 0));
  if (fw < tw)
    return fromBool ? Value(arith::ExtUIOp::create(b, loc, to, v))
                    : Value(arith::ExtSIOp::create(b, loc, to, v));
  return arith::TruncIOp::create(b, loc, to, v);
}

/// The scalar computation of one elementwise op.
Value buildScalar(Operation *op, OpBuilder &b, Location loc, ValueRange args, Type resultType) {
  Value x = args.empty() ? Value() : args[0];
  bool f = x && isFloat(x);
  Type t = x ? x.getType() : resultType;
  auto c = [&](double v) { return scalarConstant(b, loc, t, v); };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](onnx::ReluOp) -> Value {
        return f ? Value(arith::MaximumFOp::create(b, loc, x, c(0))) : Value(arith::MaxSIOp::create(b, loc, x, c(0)));
      })
      .Case([&](onnx::SigmoidOp) -> Value {
        Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
        return arith::DivFOp::create(b, loc, c(1), arith::AddFOp::create(b, loc, c(1), e));
      })
      .Case([&](onnx::TanhOp) -> Value { return math::TanhOp::create(b, loc, x); })
      .Case([&](onnx::ExpOp) -> Value { return math::ExpOp::create(b, loc, x); })
      .Case([&](onnx::LogOp) -> Value { return math::LogOp::create(b, loc, x); })
      .Case([&](onnx::SqrtOp) -> Value { return math::SqrtOp::create(b, loc, x); })
      .Case([&](onnx::ErfOp) -> Value { return math::ErfOp::create(b, loc, x); })
      .Case([&](onnx::SinOp) -> Value { return math::SinOp::create(b, loc, x); })
      .Case([&](onnx::CosOp) -> Value { return math::CosOp::create(b, loc, x); })
      .Case([&](onnx::FloorOp) -> Value { return math::FloorOp::create(b, loc, x); })
      .Case([&](onnx::CeilOp) -> Value { return math::CeilOp::create(b, loc, x); })
      .Case([&](onnx::RoundOp) -> Value { return math::RoundEvenOp::create(b, loc, x); })
      .Case([&](onnx::NegOp) -> Value {
        return f ? Value(arith::NegFOp::create(b, loc, x)) : Value(arith::SubIOp::create(b, loc, c(0), x));
      })
      .Case([&](onnx::AbsOp) -> Value {
        return f ? Value(math::AbsFOp::create(b, loc, x)) : Value(math::AbsIOp::create(b, loc, x));
      })
      .Case([&](onnx::ReciprocalOp) -> Value { return arith::DivFOp::create(b, loc, c(1), x); })
      .Case([&](onnx::NotOp) -> Value { return arith::XOrIOp::create(b, loc, x, c(1)); })
      .Case([&](onnx::SignOp) -> Value {
        Value pos = f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(0)))
                      : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, c(0)));
        Value neg = f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0)))
                      : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, c(0)));
        Value r = arith::SelectOp::create(b, loc, neg, c(-1), c(0));
        return arith::SelectOp::create(b, loc, pos, c(1), r);
      })
      .Case([&](onnx::SoftplusOp) -> Value {
        return math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
      })
      .Case([&](onnx::HardSwishOp) -> Value {
        Value s = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, x, c(1.0 / 6.0)), c(0.5));
        s = arith::MinimumFOp::create(b, loc, arith::MaximumFOp::create(b, loc, s, c(0)), c(1));
        return arith::MulFOp::create(b, loc, x, s);
      })
      .Case([&](onnx::HardSigmoidOp hs) -> Value {
        Value s = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, x, c(hs.getAlpha().convertToFloat())),
            c(hs.getBeta().convertToFloat()));
        return arith::MinimumFOp::create(b, loc, arith::MaximumFOp::create(b, loc, s, c(0)), c(1));
      })
      .Case([&](onnx::LeakyReluOp lr) -> Value {
        Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
        Value scaled = arith::MulFOp::create(b, loc, x, c(lr.getAlpha().convertToFloat()));
        return arith::SelectOp::create(b, loc, neg, scaled, x);
      })
      .Case([&](onnx::EluOp elu) -> Value {
        Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
        Value em1 = math::ExpM1Op::create(b, loc, x);
        Value scaled = arith::MulFOp::create(b, loc, em1, c(elu.getAlpha().convertToFloat()));
        return arith::SelectOp::create(b, loc, neg, scaled, x);
      })
      .Case([&](onnx::GeluOp gelu) -> Value {
        if (gelu.getApproximate() == "tanh") {
          // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
          Value x3 = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
          Value inner = arith::AddFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x3, c(0.044715)));
          inner = arith::MulFOp::create(b, loc, inner, c(0.7978845608028654 /* sqrt(2/pi) */));
          Value t = arith::AddFOp::create(b, loc, c(1), math::TanhOp::create(b, loc, inner));
          return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, c(0.5)), t);
        }
        Value e = math::ErfOp::create(b, loc, arith::MulFOp::create(b, loc, x, c(1.0 / std::sqrt(2.0))));
        Value t = arith::AddFOp::create(b, loc, c(1), e);
        return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, c(0.5)), t);
      })
      .Case([&](onnx::CastOp) -> Value { return castScalar(b, loc, x, resultType); })
      .Case([&](onnx::IdentityOp) -> Value { return x; })
      .Case([&](onnx::DropoutOp) -> Value { return x; })
      // Binary.
      .Case([&](onnx::AddOp) -> Value {
        return f ? Value(arith::AddFOp::create(b, loc, x, args[1])) : Value(arith::AddIOp::create(b, loc, x, args[1]));
      })
      .Case([&](onnx::SubOp) -> Value {
        return f ? Value(arith::SubFOp::create(b, loc, x, args[1])) : Value(arith::SubIOp::create(b, loc, x, args[1]));
      })
      .Case([&](onnx::MulOp) -> Value {
        return f ? Value(arith::MulFOp::create(b, loc, x, args[1])) : Value(arith::MulIOp::create(b, loc, x, args[1]));
      })
      .Case([&](onnx::DivOp) -> Value {
        return f ? Value(arith::DivFOp::create(b, loc, x, args[1])) : Value(arith::DivSIOp::create(b, loc, x, args[1]));
      })
      .Case([&](onnx::ModOp mod) -> Value {
        // fmod = 1: the sign of the dividend (C's fmod, and remsi).
        if (mod.getFmod())
          return f ? Value(arith::RemFOp::create(b, loc, x, args[1]))
                   : Value(arith::RemSIOp::create(b, loc, x, args[1]));
        // fmod = 0 (integers): the sign of the divisor.
        Value r = arith::RemSIOp::create(b, loc, x, args[1]);
        Value rNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, c(0));
        Value yNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, args[1], c(0));
        Value rNonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, c(0));
        Value fix = arith::AndIOp::create(b, loc, rNonZero, arith::XOrIOp::create(b, loc, rNeg, yNeg));
        return arith::SelectOp::create(b, loc, fix, arith::AddIOp::create(b, loc, r, args[1]), r);
      })
      .Case([&](onnx::PowOp) -> Value {
        if (!f) {
          // Integer bases: through double, which holds every int32 exactly
          // and the int64 results that do not overflow anyway.
          Type f64 = b.getF64Type();
          Value p = math::PowFOp::create(b, loc, castScalar(b, loc, x, f64),
                                         castScalar(b, loc, args[1], f64));
          return castScalar(b, loc, p, t);
        }
        Value y = castScalar(b, loc, args[1], t);
        return math::PowFOp::create(b, loc, x, y);
      })
      .Case([&](onnx::EqualOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, args[1]))
                 : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, args[1]));
      })
      .Case([&](onnx::LessOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, args[1]))
                 : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, args[1]));
      })
      .Case([&](onnx::LessOrEqualOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x, args[1]))
                 : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, x, args[1]));
      })
      .Case([&](onnx::GreaterOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, args[1]))
                 : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, args[1]));
      })
      .Case([&](onnx::GreaterOrEqualOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x, args[1]))
                 : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, x, args[1]));
      })
      .Case([&](onnx::AndOp) -> Value { return arith::AndIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::OrOp) -> Value { return arith::OrIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::XorOp) -> Value { return arith::XOrIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::WhereOp) -> Value { return arith::SelectOp::create(b, loc, x, args[1], args[2]); })
      .Case([&](onnx::MaxOp) -> Value {
        Value r = x;
        for (Value v : args.drop_front())
          r = f ? Value(arith::MaximumFOp::create(b, loc, r, v)) : Value(arith::MaxSIOp::create(b, loc, r, v));
        return r;
      })
      .Case([&](onnx::MinOp) -> Value {
        Value r = x;
        for (Value v : args.drop_front())
          r = f ? Value(arith::MinimumFOp::create(b, loc, r, v)) : Value(arith::MinSIOp::create(b, loc, r, v));
        return r;
      })
      .Case<onnx::SumOp, onnx::MeanOp>([&](Operation *o) -> Value {
        Value r = x;
        for (Value v : args.drop_front())
          r = f ? Value(arith::AddFOp::create(b, loc, r, v)) : Value(arith::AddIOp::create(b, loc, r, v));
        if (isa<onnx::MeanOp>(o))
          r = f ? Value(arith::DivFOp::create(b, loc, r, c(args.size())))
                : Value(arith::DivSIOp::create(b, loc, r, c(args.size())));
        return r;
      })
      .Default([](Operation *) -> Value { return nullptr; });
}

/// Lowers any elementwise onnx op whose operands are all tensors.
struct ElementwiseToGeneric : RewritePattern {
  ElementwiseToGeneric(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  static bool isElementwise(Operation *op) {
    return isa<onnx::ReluOp, onnx::SigmoidOp, onnx::TanhOp, onnx::ExpOp, onnx::LogOp,
               onnx::SqrtOp, onnx::ErfOp, onnx::SinOp, onnx::CosOp, onnx::FloorOp,
               onnx::CeilOp, onnx::RoundOp, onnx::NegOp, onnx::AbsOp, onnx::ReciprocalOp,
               onnx::NotOp, onnx::SignOp, onnx::SoftplusOp, onnx::HardSwishOp,
               onnx::HardSigmoidOp, onnx::LeakyReluOp, onnx::EluOp, onnx::GeluOp,
               onnx::CastOp, onnx::IdentityOp, onnx::AddOp, onnx::SubOp, onnx::MulOp,
               onnx::DivOp, onnx::ModOp, onnx::PowOp, onnx::EqualOp, onnx::LessOp,
               onnx::LessOrEqualOp, onnx::GreaterOp, onnx::GreaterOrEqualOp, onnx::AndOp,
               onnx::OrOp, onnx::XorOp, onnx::WhereOp, onnx::MaxOp, onnx::MinOp,
               onnx::SumOp, onnx::MeanOp>(op);
  }

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isElementwise(op))
      return failure();
    auto resultType = getStaticType(op->getResult(0));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "dynamic result");
    for (Value v : op->getOperands()) {
      if (!getStaticType(v))
        return rewriter.notifyMatchFailure(op, "dynamic operand");
      Type et = cast<ShapedType>(v.getType()).getElementType();
      if (et.isUnsignedInteger())
        return rewriter.notifyMatchFailure(op, "unsigned element types");
    }
    if (auto mod = dyn_cast<onnx::ModOp>(op);
        mod && !mod.getFmod() &&
        isa<FloatType>(cast<ShapedType>(op->getOperand(0).getType()).getElementType()))
      return rewriter.notifyMatchFailure(op, "float Mod needs fmod = 1");
    Type et = resultType.getElementType();
    bool ok = true;
    Value result = buildElementwise(
        rewriter, op->getLoc(), resultType, op->getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value r = buildScalar(op, b, loc, args, et);
          if (!r) { ok = false; return args[0]; }
          return r;
        });
    if (!ok)
      return rewriter.notifyMatchFailure(op, "no scalar form");
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Dropout at inference is the identity (a folder handles the usual case);
/// training mode, or a mode only known at run time, is not supported.
struct DropoutToInput : OpRewritePattern<onnx::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::DropoutOp op, PatternRewriter &rewriter) const override {
    // Training mode drops random elements, unless the ratio is 0.
    Attribute ratio;
    bool zeroRatio = matchPattern(op.getRatio(), m_Constant(&ratio)) &&
                     isa<DenseFPElementsAttr>(ratio) &&
                     llvm::all_of(cast<DenseFPElementsAttr>(ratio).getValues<APFloat>(),
                                  [](const APFloat &v) { return v.isZero(); });
    if (!isa<NoneType>(op.getTrainingMode().getType()) && !zeroRatio) {
      auto mode = onnx::getConstantInts(op.getTrainingMode());
      if (failed(mode) || llvm::any_of(*mode, [](int64_t v) { return v != 0; }))
        return rewriter.notifyMatchFailure(op, "training mode");
    }
    rewriter.replaceOp(op, op.getData());
    return success();
  }
};

/// Clip with optional scalar bounds.
struct ClipToGeneric : OpRewritePattern<onnx::ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ClipOp op, PatternRewriter &rewriter) const override {
    auto resultType = getStaticType(op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "dynamic result");
    SmallVector<Value> inputs = {op.getInput()};
    bool hasMin = !isa<NoneType>(op.getMin().getType());
    bool hasMax = !isa<NoneType>(op.getMax().getType());
    if (hasMin) inputs.push_back(op.getMin());
    if (hasMax) inputs.push_back(op.getMax());
    for (Value v : inputs)
      if (!getStaticType(v))
        return rewriter.notifyMatchFailure(op, "dynamic operand");
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, inputs,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = args[0];
          bool f = isFloat(x);
          unsigned i = 1;
          if (hasMin) {
            Value lo = args[i++];
            x = f ? Value(arith::MaximumFOp::create(b, loc, x, lo)) : Value(arith::MaxSIOp::create(b, loc, x, lo));
          }
          if (hasMax) {
            Value hi = args[i++];
            x = f ? Value(arith::MinimumFOp::create(b, loc, x, hi)) : Value(arith::MinSIOp::create(b, loc, x, hi));
          }
          return x;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseToGeneric, DropoutToInput, ClipToGeneric>(patterns.getContext());
}
