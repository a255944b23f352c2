//===- Cast.cpp - scalar conversions between ONNX element types -----------===//
//
// Cast's scalar body. The common types map to arith's conversions. The
// low-precision types have no arithmetic of their own on CPUs or in LLVM,
// so their values are decoded from and encoded to their bits here, in i32
// and f32 arithmetic that vectorises:
//
//   float8/float4 -> f32   exact: the exponent and mantissa fields are
//                          moved into an f32 (subnormals scaled as
//                          integers), NaN and infinity patterns per format
//   f32 -> float8/float4   round to nearest even at the target's precision
//                          (the f32 is scaled by a power of two, rounded
//                          to an integer and scaled back, which is exact);
//                          beyond the largest finite value: that value when
//                          `saturate`, else infinity (E5M2) or NaN
//   f32 -> float8e8m0      the f32's exponent, rounded per `round_mode`
//   strings <-> numbers    runtime calls (strtod/strtoll; the shortest
//                          decimal that reads back exactly)
//   int4/int2 values       stored sign- or zero-extended in a byte; casts to
//                          them wrap, as ONNX defines (floats are rounded
//                          half away from zero first, as onnxruntime does)
//
// The format parameters (mantissa width, bias, largest finite value, NaN
// and infinity patterns) come from APFloat's semantics of the MLIR type.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

using IP = arith::CmpIPredicate;
using FP = arith::CmpFPredicate;

/// Shorthands for the i32/f32 arithmetic of the codecs.
struct Bits {
  OpBuilder &b;
  Location loc;
  Type i32 = b.getI32Type(), f32 = b.getF32Type();

  Value c(int64_t v) { return arith::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr((int32_t)v)); }
  Value cf(float v) { return arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(v)); }
  Value shl(Value v, int64_t n) { return arith::ShLIOp::create(b, loc, v, c(n)); }
  Value shr(Value v, int64_t n) { return arith::ShRUIOp::create(b, loc, v, c(n)); }
  Value band(Value v, int64_t m) { return arith::AndIOp::create(b, loc, v, c(m)); }
  Value bor(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value eq(Value v, int64_t k) { return arith::CmpIOp::create(b, loc, IP::eq, v, c(k)); }
  Value sel(Value cond, Value x, Value y) { return arith::SelectOp::create(b, loc, cond, x, y); }
  Value asFloat(Value v) { return arith::BitcastOp::create(b, loc, f32, v); }
  Value asInt(Value v) { return arith::BitcastOp::create(b, loc, i32, v); }
  /// 2^e as an f32 (e within the normal range).
  Value pow2(Value e) { return asFloat(shl(add(e, c(127)), 23)); }
};

/// The fields of a float8/float4 format.
struct MiniFloat {
  const llvm::fltSemantics &sem;
  unsigned width, mbits;
  int bias;
  int64_t maxField; // bits of the largest finite value
  bool hasInf, hasNaN, nanIsNegativeZero;

  explicit MiniFloat(FloatType t)
      : sem(t.getFloatSemantics()), width(t.getWidth()),
        mbits(llvm::APFloat::semanticsPrecision(sem) - 1),
        bias(1 - llvm::APFloat::semanticsMinExponent(sem)),
        maxField(llvm::APFloat::getLargest(sem).bitcastToAPInt().getZExtValue()),
        hasInf(llvm::APFloat::semanticsHasInf(sem)), hasNaN(llvm::APFloat::semanticsHasNaN(sem)),
        nanIsNegativeZero(hasNaN && llvm::APFloat::getQNaN(sem).bitcastToAPInt().isSignMask()) {}
  int64_t signBit() const { return int64_t(1) << (width - 1); }
  int64_t nanField() const { return llvm::APFloat::getQNaN(sem).bitcastToAPInt().getZExtValue(); }
};

/// f32 value of the float8/float4 bits in `v` (i8 storage).
Value decodeMiniFloat(OpBuilder &b, Location loc, Value v, FloatType type) {
  Bits k{b, loc};
  Value bits = k.band(arith::ExtUIOp::create(b, loc, k.i32, v), (1 << type.getWidth()) - 1);
  if (isa<Float8E8M0FNUType>(type)) {
    // 2^(bits - 127); 0 is 2^-127, an f32 subnormal; 255 is NaN.
    Value value = k.sel(k.eq(bits, 0), k.c(0x00400000), k.shl(bits, 23));
    return k.asFloat(k.sel(k.eq(bits, 255), k.c(0x7fc00000), value));
  }
  MiniFloat f(type);
  int64_t mmask = (1 << f.mbits) - 1, emask = (1 << (f.width - 1 - f.mbits)) - 1;
  Value sign = k.shl(k.band(bits, f.signBit()), 32 - f.width);
  Value exp = k.band(k.shr(bits, f.mbits), emask), mant = k.band(bits, mmask);
  // Normal: rebias the exponent; subnormal: mant * 2^(1 - bias - mbits).
  Value normal = k.bor(k.shl(k.add(exp, k.c(127 - f.bias)), 23), k.shl(mant, 23 - f.mbits));
  Value sub = arith::MulFOp::create(b, loc, arith::UIToFPOp::create(b, loc, k.f32, mant),
                                    k.cf(std::ldexp(1.0f, 1 - f.bias - (int)f.mbits)));
  Value magnitude = k.sel(k.eq(exp, 0), k.asInt(sub), normal);
  if (f.hasInf) {
    // IEEE-style: the all-ones exponent holds infinity and NaNs.
    Value special = k.sel(k.eq(mant, 0), k.c(0x7f800000), k.c(0x7fc00000));
    magnitude = k.sel(k.eq(exp, emask), special, magnitude);
  }
  Value result = k.bor(sign, magnitude);
  if (f.hasNaN && !f.hasInf) {
    // One NaN pattern: S.1111.111 (FN), or the negative zero (FNUZ).
    int64_t nan = f.nanField();
    Value isNaN = (nan & f.signBit()) ? k.eq(bits, nan) : k.eq(k.band(bits, f.signBit() - 1), nan);
    result = k.sel(isNaN, k.c(0x7fc00000), result);
  }
  return k.asFloat(result);
}

/// float8/float4 bits (i8 storage) of the f32 `x`, rounded to nearest even.
Value encodeMiniFloat(OpBuilder &b, Location loc, Value x, FloatType type, bool saturate) {
  Bits k{b, loc};
  MiniFloat f(type);
  // float4 has neither infinity nor NaN to overflow to.
  saturate |= !f.hasInf && !f.hasNaN;
  Value xBits = k.asInt(x);
  Value sign = k.shr(xBits, 32 - f.width);
  sign = k.band(sign, f.signBit());
  float largest = llvm::APFloat::getLargest(f.sem).convertToFloat();
  // Magnitudes are clamped so that the scaling below stays finite: to the
  // largest value when saturating, else to twice it, which still rounds
  // past the largest value and so overflows.
  Value a = math::AbsFOp::create(b, loc, x);
  a = arith::MinNumFOp::create(b, loc, a, k.cf(saturate ? largest : 2 * largest));
  // The binade of a, no lower than the smallest normal one.
  Value e = arith::MaxSIOp::create(b, loc, k.add(k.shr(k.asInt(a), 23), k.c(-127)), k.c(1 - f.bias));
  // q = round(a * 2^(mbits - e)), an integer; the field is
  // ((e + bias - 1) << mbits) + q, which carries into the exponent when q
  // rounds up to 2^(mbits + 1) and is the subnormal pattern when e is the
  // lowest binade and q < 2^mbits.
  Value scaled = arith::MulFOp::create(b, loc, a, k.pow2(arith::SubIOp::create(b, loc, k.c(f.mbits), e)));
  Value q = arith::FPToSIOp::create(b, loc, k.i32, math::RoundEvenOp::create(b, loc, scaled));
  Value field = k.add(k.shl(k.add(e, k.c(f.bias - 1)), f.mbits), q);
  // FNUZ formats have no negative zero (its pattern is their NaN).
  if (f.nanIsNegativeZero)
    sign = k.sel(k.eq(field, 0), k.c(0), sign);
  Value result = k.bor(sign, field);
  if (!saturate) {
    // Past the largest value: infinity where the format has one, else NaN.
    Value over = arith::CmpIOp::create(b, loc, IP::sgt, field, k.c(f.maxField));
    Value overflow = f.hasInf ? k.bor(sign, k.c(APFloat::getInf(f.sem).bitcastToAPInt().getZExtValue()))
                              : k.c(f.nanField());
    result = k.sel(over, overflow, result);
  }
  // NaN stays NaN; formats without one (float4) make it zero.
  Value isNaN = arith::CmpFOp::create(b, loc, FP::UNO, x, x);
  result = k.sel(isNaN, k.c(f.hasNaN ? f.nanField() : 0), result);
  return arith::TruncIOp::create(b, loc, b.getI8Type(), result);
}

/// float8e8m0 bits (i8 storage) of the f32 `x`: its exponent, rounded per
/// `roundMode` ("up": any mantissa bit rounds up, "nearest": half or more
/// rounds up, "down": truncated).
Value encodeE8M0(OpBuilder &b, Location loc, Value x, bool saturate, StringRef roundMode) {
  Bits k{b, loc};
  Value bits = k.asInt(x);
  Value exp = k.band(k.shr(bits, 23), 0xff), mant = k.band(bits, 0x7fffff);
  Value up;
  if (roundMode == "up")
    up = arith::CmpIOp::create(b, loc, IP::ne, mant, k.c(0));
  else if (roundMode == "nearest")
    up = arith::CmpIOp::create(b, loc, IP::uge, mant, k.c(0x400000));
  if (up)
    exp = k.sel(arith::AndIOp::create(b, loc, up, arith::CmpIOp::create(b, loc, IP::ne, exp, k.c(255))),
                k.add(exp, k.c(1)), exp);
  // 255 is NaN; with `saturate`, infinity and values rounded past 2^127 are
  // 2^127 (254).
  if (saturate)
    exp = arith::MinSIOp::create(b, loc, exp, k.c(254));
  Value isNaN = arith::CmpFOp::create(b, loc, FP::UNO, x, x);
  exp = k.sel(isNaN, k.c(255), exp);
  return arith::TruncIOp::create(b, loc, b.getI8Type(), exp);
}

bool isMiniFloat(Type t) { return isa<FloatType>(t) && onnx::isLowPrecisionType(t); }

} // namespace

Value mlc::conversion::castScalar(OpBuilder &b, Location loc, Value v, Type to, bool fromUnsigned,
                                  bool toUnsigned) {
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
    return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, v))
                      : Value(arith::FPToSIOp::create(b, loc, to, v));
  }
  bool zext = from.isInteger(1) || fromUnsigned;
  if (toF)
    return zext ? Value(arith::UIToFPOp::create(b, loc, to, v))
                : Value(arith::SIToFPOp::create(b, loc, to, v));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (tw == 1)
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, scalarConstant(b, loc, from, 0));
  if (fw == tw)
    return v;
  if (fw < tw)
    return zext ? Value(arith::ExtUIOp::create(b, loc, to, v))
                : Value(arith::ExtSIOp::create(b, loc, to, v));
  return arith::TruncIOp::create(b, loc, to, v);
}

Value mlc::conversion::castElement(OpBuilder &b, Location loc, Value v, Type from, Type to, bool saturate,
                                   StringRef roundMode) {
  Type f32 = b.getF32Type(), f64 = b.getF64Type(), i64 = b.getI64Type();
  if (from == to)
    return v;
  // Strings parse to int64 or float64 first (the runtime's strtoll/strtod).
  if (isa<onnx::StringType>(from)) {
    if (isa<IntegerType>(to) && !to.isInteger(1))
      return castElement(b, loc, runtimeCall(b, loc, "mlc_rt_string_to_i64", i64, v), i64, to);
    return castElement(b, loc, runtimeCall(b, loc, "mlc_rt_string_to_f64", f64, v), f64, to, saturate,
                       roundMode);
  }
  // Sources: float8/float4 decode to f32; int4/int2 are already their
  // values, sign- or zero-extended in a byte.
  if (isMiniFloat(from)) {
    v = decodeMiniFloat(b, loc, v, cast<FloatType>(from));
    from = f32;
  }
  bool fromUnsigned = from.isUnsignedInteger();
  if (isa<onnx::StringType>(to)) {
    // Numbers print as text: float32 in its shortest exact form.
    if (isa<FloatType>(v.getType()))
      return v.getType().isF64() ? runtimeCall(b, loc, "mlc_rt_string_from_f64", i64, v)
                                 : runtimeCall(b, loc, "mlc_rt_string_from_f32", i64, castScalar(b, loc, v, f32));
    bool zext = fromUnsigned || from.isInteger(1);
    return runtimeCall(b, loc, zext ? "mlc_rt_string_from_u64" : "mlc_rt_string_from_i64", i64,
                       castScalar(b, loc, v, i64, zext, false));
  }
  if (isMiniFloat(to)) {
    Value x = castScalar(b, loc, v, f32, fromUnsigned, false);
    if (isa<Float8E8M0FNUType>(to))
      return encodeE8M0(b, loc, x, saturate, roundMode);
    return encodeMiniFloat(b, loc, x, cast<FloatType>(to), saturate);
  }
  auto toInt = dyn_cast<IntegerType>(to);
  if (toInt && onnx::isLowPrecisionType(to)) {
    // Floats round half away from zero (as onnxruntime does); the value
    // wraps to the low bits (ONNX casts to int4/int2 wrap) and is extended.
    Bits k{b, loc};
    unsigned w = toInt.getWidth();
    if (isa<FloatType>(v.getType()))
      v = math::RoundOp::create(b, loc, v);
    Value i = castScalar(b, loc, v, k.i32, fromUnsigned, false);
    i = toInt.isUnsigned() ? k.band(i, (1 << w) - 1)
                           : Value(arith::ShRSIOp::create(b, loc, k.shl(i, 32 - w), k.c(32 - w)));
    return arith::TruncIOp::create(b, loc, b.getI8Type(), i);
  }
  return castScalar(b, loc, v, storageType(to), fromUnsigned, to.isUnsignedInteger());
}
