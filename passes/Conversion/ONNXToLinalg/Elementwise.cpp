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

bool isUnsignedElement(Value tensor) {
  return cast<ShapedType>(tensor.getType()).getElementType().isUnsignedInteger();
}

/// The scalar computation of one elementwise op.
/// `isUnsigned`: the integer operands are ONNX uint values (signless here);
/// `resultUnsigned`: likewise for the result (Cast).
Value buildScalar(Operation *op, OpBuilder &b, Location loc, ValueRange args, Type resultType,
                  bool isUnsigned, bool resultUnsigned, bool exponentUnsigned) {
  Value x = args.empty() ? Value() : args[0];
  bool f = x && isFloat(x);
  bool u = isUnsigned && !f;
  Type t = x ? x.getType() : resultType;
  auto c = [&](double v) { return scalarConstant(b, loc, t, v); };
  auto cmpI = [&](arith::CmpIPredicate signedPred, arith::CmpIPredicate unsignedPred, Value l,
                  Value r) -> Value {
    return arith::CmpIOp::create(b, loc, u ? unsignedPred : signedPred, l, r);
  };
  using IP = arith::CmpIPredicate;
  using FP = arith::CmpFPredicate;
  auto lessThanZero = [&](Value v) -> Value {
    return f ? Value(arith::CmpFOp::create(b, loc, FP::OLT, v, c(0))) : cmpI(IP::slt, IP::ult, v, c(0));
  };
  // Strings (i64 addresses here) compute by runtime calls.
  if (isa<onnx::StringType>(getElementTypeOrSelf(op->getOperand(0).getType()))) {
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    auto isTrue = [&](Value v) -> Value {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, scalarConstant(b, loc, i32, 0));
    };
    return llvm::TypeSwitch<Operation *, Value>(op)
        .Case([&](onnx::EqualOp) { return isTrue(runtimeCall(b, loc, "mlc_rt_string_equal", i32, args)); })
        .Case([&](onnx::StringConcatOp) { return runtimeCall(b, loc, "mlc_rt_string_concat", i64, args); })
        .Case([&](onnx::RegexFullMatchOp match) {
          Value pattern = stringLiteral(b, loc, match.getPattern());
          return isTrue(runtimeCall(b, loc, "mlc_rt_string_regex_full_match", i32, {x, pattern}));
        })
        .Case([&](onnx::ChangeCaseOp change) {
          Value upper = scalarConstant(b, loc, i32, change.getCaseChangeAction() == "UPPER");
          return runtimeCall(b, loc, "mlc_rt_string_change_case", i64, {x, upper});
        })
        .Case([&](onnx::CastOp cast) {
          return castElement(b, loc, x, getElementTypeOrSelf(cast.getX().getType()),
                             getElementTypeOrSelf(cast.getType()));
        })
        .Case<onnx::IdentityOp>([&](auto) { return x; })
        .Default([](Operation *) -> Value { return nullptr; });
  }
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](onnx::ReluOp) -> Value {
        if (u) return x;
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
        if (u) return x;
        return f ? Value(math::AbsFOp::create(b, loc, x)) : Value(math::AbsIOp::create(b, loc, x));
      })
      .Case([&](onnx::ReciprocalOp) -> Value { return arith::DivFOp::create(b, loc, c(1), x); })
      .Case([&](onnx::NotOp) -> Value { return arith::XOrIOp::create(b, loc, x, c(1)); })
      .Case([&](onnx::SignOp) -> Value {
        Value pos = f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(0)))
                      : cmpI(IP::sgt, IP::ugt, x, c(0));
        Value neg = lessThanZero(x);
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
      .Case([&](onnx::CastOp cast) -> Value {
        return castElement(b, loc, x, getElementTypeOrSelf(cast.getX().getType()),
                           getElementTypeOrSelf(cast.getType()), cast.getSaturate() != 0, cast.getRoundMode());
      })
      .Case([&](onnx::TanOp) -> Value { return math::TanOp::create(b, loc, x); })
      .Case([&](onnx::AsinOp) -> Value { return math::AsinOp::create(b, loc, x); })
      .Case([&](onnx::AcosOp) -> Value { return math::AcosOp::create(b, loc, x); })
      .Case([&](onnx::AtanOp) -> Value { return math::AtanOp::create(b, loc, x); })
      .Case([&](onnx::SinhOp) -> Value { return math::SinhOp::create(b, loc, x); })
      .Case([&](onnx::CoshOp) -> Value { return math::CoshOp::create(b, loc, x); })
      .Case([&](onnx::AsinhOp) -> Value { return math::AsinhOp::create(b, loc, x); })
      .Case([&](onnx::AcoshOp) -> Value { return math::AcoshOp::create(b, loc, x); })
      .Case([&](onnx::AtanhOp) -> Value { return math::AtanhOp::create(b, loc, x); })
      .Case([&](onnx::SoftsignOp) -> Value {
        return arith::DivFOp::create(b, loc, x, arith::AddFOp::create(b, loc, c(1), math::AbsFOp::create(b, loc, x)));
      })
      .Case([&](onnx::MishOp) -> Value {
        Value sp = math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
        return arith::MulFOp::create(b, loc, x, math::TanhOp::create(b, loc, sp));
      })
      .Case([&](onnx::SwishOp sw) -> Value {
        Value ax = arith::MulFOp::create(b, loc, x, c(sw.getAlpha().convertToDouble()));
        Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, ax));
        return arith::DivFOp::create(b, loc, x, arith::AddFOp::create(b, loc, c(1), e));
      })
      .Case([&](onnx::BitwiseNotOp) -> Value { return arith::XOrIOp::create(b, loc, x, c(-1)); })
      .Case([&](onnx::SeluOp selu) -> Value {
        double alpha = selu.getAlpha().convertToDouble(), gamma = selu.getGamma().convertToDouble();
        Value pos = arith::CmpFOp::create(b, loc, FP::OGT, x, c(0));
        Value neg = arith::MulFOp::create(b, loc, math::ExpM1Op::create(b, loc, x), c(alpha));
        return arith::MulFOp::create(b, loc, arith::SelectOp::create(b, loc, pos, x, neg), c(gamma));
      })
      .Case([&](onnx::CeluOp celu) -> Value {
        double alpha = celu.getAlpha().convertToDouble();
        Value em1 = math::ExpM1Op::create(b, loc, arith::DivFOp::create(b, loc, x, c(alpha)));
        Value neg = arith::MinimumFOp::create(b, loc, arith::MulFOp::create(b, loc, em1, c(alpha)), c(0));
        return arith::AddFOp::create(b, loc, arith::MaximumFOp::create(b, loc, x, c(0)), neg);
      })
      .Case([&](onnx::ThresholdedReluOp tr) -> Value {
        Value above = arith::CmpFOp::create(b, loc, FP::OGT, x, c(tr.getAlpha().convertToDouble()));
        return arith::SelectOp::create(b, loc, above, x, c(0));
      })
      .Case([&](onnx::ShrinkOp sh) -> Value {
        double lambd = sh.getLambd().convertToDouble(), bias = sh.getBias().convertToDouble();
        auto add = [&](Value l, double r) -> Value {
          return f ? Value(arith::AddFOp::create(b, loc, l, c(r))) : Value(arith::AddIOp::create(b, loc, l, c(r)));
        };
        auto gt = [&](Value l, double r) -> Value {
          return f ? Value(arith::CmpFOp::create(b, loc, FP::OGT, l, c(r))) : cmpI(IP::sgt, IP::ugt, l, c(r));
        };
        auto lt = [&](Value l, double r) -> Value {
          return f ? Value(arith::CmpFOp::create(b, loc, FP::OLT, l, c(r))) : cmpI(IP::slt, IP::ult, l, c(r));
        };
        Value r = arith::SelectOp::create(b, loc, gt(x, lambd), add(x, -bias), c(0));
        return arith::SelectOp::create(b, loc, lt(x, -lambd), add(x, bias), r);
      })
      .Case([&](onnx::IsNaNOp) -> Value { return arith::CmpFOp::create(b, loc, FP::UNO, x, x); })
      .Case([&](onnx::IsInfOp isInf) -> Value {
        auto inf = [&](bool negative) -> Value {
          auto ft = cast<FloatType>(t);
          return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), negative)));
        };
        Value r = arith::ConstantOp::create(b, loc, b.getI1Type(), b.getBoolAttr(false));
        if (isInf.getDetectPositive())
          r = arith::OrIOp::create(b, loc, r, arith::CmpFOp::create(b, loc, FP::OEQ, x, inf(false)));
        if (isInf.getDetectNegative())
          r = arith::OrIOp::create(b, loc, r, arith::CmpFOp::create(b, loc, FP::OEQ, x, inf(true)));
        return r;
      })
      .Case([&](onnx::PReluOp) -> Value {
        Value scaled = f ? Value(arith::MulFOp::create(b, loc, x, args[1])) : Value(arith::MulIOp::create(b, loc, x, args[1]));
        return arith::SelectOp::create(b, loc, lessThanZero(x), scaled, x);
      })
      .Case([&](onnx::BitwiseAndOp) -> Value { return arith::AndIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::BitwiseOrOp) -> Value { return arith::OrIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::BitwiseXorOp) -> Value { return arith::XOrIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::BitShiftOp bs) -> Value {
        // Shifting by the width or more gives 0, not LLVM's poison.
        unsigned width = t.getIntOrFloatBitWidth();
        Value inRange = cmpI(IP::ult, IP::ult, args[1], c(width));
        Value shifted = bs.getDirection() == "LEFT" ? Value(arith::ShLIOp::create(b, loc, x, args[1]))
                                                     : Value(arith::ShRUIOp::create(b, loc, x, args[1]));
        return arith::SelectOp::create(b, loc, inRange, shifted, c(0));
      })
      .Case([&](onnx::IdentityOp) -> Value { return x; })
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
        if (u) return arith::DivUIOp::create(b, loc, x, args[1]);
        return f ? Value(arith::DivFOp::create(b, loc, x, args[1])) : Value(arith::DivSIOp::create(b, loc, x, args[1]));
      })
      .Case([&](onnx::ModOp mod) -> Value {
        if (u)
          return arith::RemUIOp::create(b, loc, x, args[1]);
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
          Value p = math::PowFOp::create(b, loc, castScalar(b, loc, x, f64, u),
                                         castScalar(b, loc, args[1], f64, exponentUnsigned));
          return castScalar(b, loc, p, t, false, u);
        }
        Value y = castScalar(b, loc, args[1], t, exponentUnsigned);
        return math::PowFOp::create(b, loc, x, y);
      })
      .Case([&](onnx::EqualOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, args[1]))
                 : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, args[1]));
      })
      .Case([&](onnx::LessOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, args[1]))
                 : cmpI(IP::slt, IP::ult, x, args[1]);
      })
      .Case([&](onnx::LessOrEqualOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x, args[1]))
                 : cmpI(IP::sle, IP::ule, x, args[1]);
      })
      .Case([&](onnx::GreaterOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, args[1]))
                 : cmpI(IP::sgt, IP::ugt, x, args[1]);
      })
      .Case([&](onnx::GreaterOrEqualOp) -> Value {
        return f ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x, args[1]))
                 : cmpI(IP::sge, IP::uge, x, args[1]);
      })
      .Case([&](onnx::AndOp) -> Value { return arith::AndIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::OrOp) -> Value { return arith::OrIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::XorOp) -> Value { return arith::XOrIOp::create(b, loc, x, args[1]); })
      .Case([&](onnx::WhereOp) -> Value { return arith::SelectOp::create(b, loc, x, args[1], args[2]); })
      .Case([&](onnx::MaxOp) -> Value {
        Value r = x;
        for (Value v : args.drop_front())
          r = f ? Value(arith::MaximumFOp::create(b, loc, r, v))
                : u ? Value(arith::MaxUIOp::create(b, loc, r, v)) : Value(arith::MaxSIOp::create(b, loc, r, v));
        return r;
      })
      .Case([&](onnx::MinOp) -> Value {
        Value r = x;
        for (Value v : args.drop_front())
          r = f ? Value(arith::MinimumFOp::create(b, loc, r, v))
                : u ? Value(arith::MinUIOp::create(b, loc, r, v)) : Value(arith::MinSIOp::create(b, loc, r, v));
        return r;
      })
      .Case<onnx::SumOp, onnx::MeanOp>([&](Operation *o) -> Value {
        Value r = x;
        for (Value v : args.drop_front())
          r = f ? Value(arith::AddFOp::create(b, loc, r, v)) : Value(arith::AddIOp::create(b, loc, r, v));
        if (isa<onnx::MeanOp>(o))
          r = f ? Value(arith::DivFOp::create(b, loc, r, c(args.size())))
                : u ? Value(arith::DivUIOp::create(b, loc, r, c(args.size())))
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
               onnx::SumOp, onnx::MeanOp, onnx::TanOp, onnx::AsinOp, onnx::AcosOp,
               onnx::AtanOp, onnx::SinhOp, onnx::CoshOp, onnx::AsinhOp, onnx::AcoshOp,
               onnx::AtanhOp, onnx::SoftsignOp, onnx::MishOp, onnx::SwishOp,
               onnx::BitwiseNotOp, onnx::SeluOp, onnx::CeluOp, onnx::ThresholdedReluOp,
               onnx::ShrinkOp, onnx::IsNaNOp, onnx::IsInfOp, onnx::PReluOp,
               onnx::BitwiseAndOp, onnx::BitwiseOrOp, onnx::BitwiseXorOp,
               onnx::BitShiftOp, onnx::StringConcatOp, onnx::RegexFullMatchOp,
               onnx::ChangeCaseOp>(op);
  }

  /// Ops whose scalar form reads every operand as a float.
  static bool needsFloat(Operation *op) {
    return isa<onnx::SigmoidOp, onnx::TanhOp, onnx::ExpOp, onnx::LogOp, onnx::SqrtOp,
               onnx::ErfOp, onnx::SinOp, onnx::CosOp, onnx::FloorOp, onnx::CeilOp,
               onnx::RoundOp, onnx::ReciprocalOp, onnx::SoftplusOp, onnx::HardSwishOp,
               onnx::HardSigmoidOp, onnx::LeakyReluOp, onnx::EluOp, onnx::GeluOp,
               onnx::TanOp, onnx::AsinOp, onnx::AcosOp, onnx::AtanOp, onnx::SinhOp,
               onnx::CoshOp, onnx::AsinhOp, onnx::AcoshOp, onnx::AtanhOp, onnx::SoftsignOp,
               onnx::MishOp, onnx::SwishOp, onnx::SeluOp, onnx::CeluOp,
               onnx::ThresholdedReluOp, onnx::IsNaNOp, onnx::IsInfOp>(op);
  }

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isElementwise(op))
      return failure();
    auto resultType = getRankedType(op->getResult(0));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unranked result");
    for (Value v : op->getOperands())
      if (!getRankedType(v))
        return rewriter.notifyMatchFailure(op, "unranked operand");
    Type inET = cast<ShapedType>(op->getOperand(0).getType()).getElementType();
    // The low-precision types have casts and data movement only.
    bool lowPrecision = llvm::any_of(op->getOperandTypes(), [](Type t) {
      return onnx::isLowPrecisionType(getElementTypeOrSelf(t));
    }) || onnx::isLowPrecisionType(resultType.getElementType());
    if (lowPrecision && !isa<onnx::CastOp, onnx::IdentityOp, onnx::WhereOp>(op))
      return rewriter.notifyMatchFailure(op, "computes on a float8, float4, int4 or int2 tensor");
    // Strings have their own ops, Equal, casts and selection.
    bool strings = llvm::any_of(op->getOperandTypes(), [](Type t) {
      return isa<onnx::StringType>(getElementTypeOrSelf(t));
    });
    if (strings != isa<onnx::StringConcatOp, onnx::RegexFullMatchOp, onnx::ChangeCaseOp>(op) &&
        !isa<onnx::CastOp, onnx::IdentityOp, onnx::WhereOp, onnx::EqualOp>(op))
      return rewriter.notifyMatchFailure(op, "no string form");
    if (needsFloat(op) && !isa<FloatType>(inET))
      return rewriter.notifyMatchFailure(op, "needs float operands");
    if (isa<onnx::BitShiftOp>(op) && !inET.isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "BitShift needs unsigned integers");
    if (auto mod = dyn_cast<onnx::ModOp>(op);
        mod && !mod.getFmod() &&
        isa<FloatType>(cast<ShapedType>(op->getOperand(0).getType()).getElementType()))
      return rewriter.notifyMatchFailure(op, "float Mod needs fmod = 1");
    // uint tensors are computed on as signless ones (a bitcast each way);
    // the scalar body picks the unsigned arith ops.
    Location loc = op->getLoc();
    bool isUnsigned = inET.isUnsignedInteger();
    bool resultUnsigned = resultType.getElementType().isUnsignedInteger();
    // Pow's exponent may have a type of its own.
    bool exponentUnsigned = isa<onnx::PowOp>(op) && isUnsignedElement(op->getOperand(1));
    SmallVector<Value> operands;
    for (Value v : op->getOperands())
      operands.push_back(toStorage(rewriter, loc, v));
    Type et = storageType(resultType.getElementType());
    bool ok = true;
    Value result = buildElementwise(
        rewriter, loc, resultType.clone(et), operands,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value r = buildScalar(op, b, l, args, et, isUnsigned, resultUnsigned, exponentUnsigned);
          if (!r) { ok = false; return args[0]; }
          return r;
        });
    if (!ok)
      return rewriter.notifyMatchFailure(op, "no scalar form");
    rewriter.replaceOp(op, fromStorage(rewriter, loc, result, resultType.getElementType()));
    return success();
  }
};

/// StringSplit: substring k of each element for Y (one generic over Y, the
/// element read at Y's index without its last dim), the count for Z. Y's
/// last dim (the most substrings) must be known: the model's declared shape.
struct StringSplitToGeneric : OpRewritePattern<onnx::StringSplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::StringSplitOp op, PatternRewriter &rewriter) const override {
    auto xType = getRankedType(op.getX()), yType = getRankedType(op.getY()), zType = getRankedType(op.getZ());
    if (!xType || !yType || !zType || ShapedType::isDynamic(yType.getShape().back()))
      return rewriter.notifyMatchFailure(op, "needs Y's last dim (the output's declared shape gives it)");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type i64 = rewriter.getI64Type();
    Value x = toStorage(rewriter, loc, op.getX());
    int64_t rank = yType.getRank();
    auto literal = [&](OpBuilder &b, Location l) -> std::pair<Value, Value> {
      Value delimiter = stringLiteral(b, l, op.getDelimiter().value_or(""));
      return {delimiter, scalarConstant(b, l, i64, op.getMaxsplit() ? (double)*op.getMaxsplit() : -1.0)};
    };
    AffineMap dropLast = AffineMap::getMultiDimIdentityMap(rank, ctx).dropResult(rank - 1);
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < xType.getRank(); ++d)
      if (yType.isDynamicDim(d))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, x, d));
    Value yInit = tensor::EmptyOp::create(rewriter, loc, yType.getShape(), i64, sizes);
    Value parts = scalarConstant(rewriter, loc, i64, (double)yType.getShape().back());
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{yInit.getType()}, ValueRange{x}, ValueRange{yInit},
                  ArrayRef<AffineMap>{dropLast, AffineMap::getMultiDimIdentityMap(rank, ctx)}, parallel,
                  [&](OpBuilder &b, Location l, ValueRange args) {
                    auto [delimiter, maxsplit] = literal(b, l);
                    Value k = arith::IndexCastOp::create(b, l, i64, linalg::IndexOp::create(b, l, rank - 1));
                    Value part = runtimeCall(b, l, "mlc_rt_string_split_part", i64,
                                             {args[0], delimiter, maxsplit, k, parts});
                    linalg::YieldOp::create(b, l, part);
                  })
                  .getResult(0);
    Value z = buildElementwise(rewriter, loc, zType, {x}, [&](OpBuilder &b, Location l, ValueRange args) {
      auto [delimiter, maxsplit] = literal(b, l);
      return runtimeCall(b, l, "mlc_rt_string_split_count", i64, {args[0], delimiter, maxsplit});
    });
    rewriter.replaceOp(op, {fromStorage(rewriter, loc, y, yType.getElementType()), z});
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
    auto resultType = getRankedType(op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unranked result");
    SmallVector<Value> inputs = {op.getInput()};
    bool hasMin = !isa<NoneType>(op.getMin().getType());
    bool hasMax = !isa<NoneType>(op.getMax().getType());
    if (hasMin) inputs.push_back(op.getMin());
    if (hasMax) inputs.push_back(op.getMax());
    for (Value v : inputs)
      if (!getRankedType(v))
        return rewriter.notifyMatchFailure(op, "unranked operand");
    Location loc = op.getLoc();
    bool u = isUnsignedElement(op.getInput());
    for (Value &v : inputs)
      v = toStorage(rewriter, loc, v);
    Value result = buildElementwise(
        rewriter, loc, resultType.clone(storageType(resultType.getElementType())), inputs,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = args[0];
          bool f = isFloat(x);
          unsigned i = 1;
          if (hasMin) {
            Value lo = args[i++];
            x = f ? Value(arith::MaximumFOp::create(b, loc, x, lo))
                : u ? Value(arith::MaxUIOp::create(b, loc, x, lo)) : Value(arith::MaxSIOp::create(b, loc, x, lo));
          }
          if (hasMax) {
            Value hi = args[i++];
            x = f ? Value(arith::MinimumFOp::create(b, loc, x, hi))
                : u ? Value(arith::MinUIOp::create(b, loc, x, hi)) : Value(arith::MinSIOp::create(b, loc, x, hi));
          }
          return x;
        });
    if (u)
      result = tensor::BitcastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// BitCast between element types of one width: arith.bitcast per element
/// (on signless types); booleans, a byte in memory, become 0 or 1 and any
/// nonzero byte true.
struct BitCastToGeneric : OpRewritePattern<onnx::BitCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::BitCastOp op, PatternRewriter &rewriter) const override {
    auto resultType = getRankedType(op.getOutput());
    if (!resultType || !getRankedType(op.getInput()))
      return rewriter.notifyMatchFailure(op, "unranked");
    Location loc = op.getLoc();
    Type et = storageType(resultType.getElementType());
    Value result = buildElementwise(
        rewriter, loc, resultType.clone(et), toStorage(rewriter, loc, op.getInput()),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type from = args[0].getType();
          if (from.isInteger(1))
            return arith::ExtUIOp::create(b, l, et, args[0]);
          if (et.isInteger(1))
            return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, args[0],
                                         arith::ConstantIntOp::create(b, l, from, 0));
          return from == et ? args[0] : arith::BitcastOp::create(b, l, et, args[0]).getResult();
        });
    if (et != resultType.getElementType())
      result = tensor::BitcastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void mlc::conversion::populateONNXElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseToGeneric, DropoutToInput, ClipToGeneric, BitCastToGeneric, StringSplitToGeneric>(
      patterns.getContext());
}
