//===- ONNXDialect.cpp - the onnx dialect ---------------------------------===//
//
// Dialect registration, constant materialisation, type mapping between ONNX
// and MLIR, and the verifiers that do not belong to shape inference.
//
//===----------------------------------------------------------------------===//
#include "dialects/ONNX/ONNXDialect.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlc::onnx;

#include "dialects/ONNX/ONNXDialect.cpp.inc"
#include "dialects/ONNX/ONNXInterfaces.cpp.inc"
#define GET_TYPEDEF_CLASSES
#include "dialects/ONNX/ONNXTypes.cpp.inc"

void ONNXDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/ONNX/ONNXTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/ONNX/ONNXOps.cpp.inc"
      >();
}

Operation *ONNXDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  if (isa<NoneType>(type))
    return NoneOp::create(builder, loc, builder.getNoneType());
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}

OpFoldResult NoneOp::fold(FoldAdaptor) { return UnitAttr::get(getContext()); }

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult BatchNormalizationOp::verify() {
  if (getTrainingMode() != 0)
    return emitOpError("training_mode=1 is not supported (inference only)");
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers shared by shape inference, folders and the front end
//===----------------------------------------------------------------------===//

Type mlc::onnx::convertONNXElementType(MLIRContext *ctx, int64_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case 1: return b.getF32Type();
  case 2: return b.getIntegerType(8, /*isSigned=*/false);
  case 3: return b.getIntegerType(8);
  case 4: return b.getIntegerType(16, false);
  case 5: return b.getIntegerType(16);
  case 6: return b.getIntegerType(32);
  case 7: return b.getIntegerType(64);
  case 8: return StringType::get(ctx);
  case 9: return b.getI1Type();
  case 10: return b.getF16Type();
  case 11: return b.getF64Type();
  case 12: return b.getIntegerType(32, false);
  case 13: return b.getIntegerType(64, false);
  case 16: return b.getBF16Type();
  case 17: return b.getType<Float8E4M3FNType>();
  case 18: return b.getType<Float8E4M3FNUZType>();
  case 19: return b.getType<Float8E5M2Type>();
  case 20: return b.getType<Float8E5M2FNUZType>();
  case 21: return b.getIntegerType(4, /*isSigned=*/false);
  case 22: return b.getIntegerType(4);
  case 23: return b.getType<Float4E2M1FNType>();
  case 24: return b.getType<Float8E8M0FNUType>();
  case 25: return b.getIntegerType(2, /*isSigned=*/false);
  case 26: return b.getIntegerType(2);
  default: return nullptr;
  }
}

int64_t mlc::onnx::getONNXElementType(Type type) {
  if (type.isF32()) return 1;
  if (type.isF16()) return 10;
  if (type.isF64()) return 11;
  if (type.isBF16()) return 16;
  if (isa<StringType>(type)) return 8;
  if (isa<Float8E4M3FNType>(type)) return 17;
  if (isa<Float8E4M3FNUZType>(type)) return 18;
  if (isa<Float8E5M2Type>(type)) return 19;
  if (isa<Float8E5M2FNUZType>(type)) return 20;
  if (isa<Float4E2M1FNType>(type)) return 23;
  if (isa<Float8E8M0FNUType>(type)) return 24;
  if (type.isInteger(1)) return 9;
  if (auto i = dyn_cast<IntegerType>(type)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 2: return u ? 25 : 26;
    case 4: return u ? 21 : 22;
    case 8: return u ? 2 : 3;
    case 16: return u ? 4 : 5;
    case 32: return u ? 12 : 6;
    case 64: return u ? 13 : 7;
    }
  }
  return 0;
}

bool mlc::onnx::isLowPrecisionType(Type type) {
  if (auto i = dyn_cast<IntegerType>(type))
    return i.getWidth() == 2 || i.getWidth() == 4;
  return isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type, Float8E5M2FNUZType,
             Float4E2M1FNType, Float8E8M0FNUType>(type);
}

FailureOr<int64_t> mlc::onnx::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return failure();
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
mlc::onnx::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) result[i] = db;
    else if (db == 1) result[i] = da;
    else if (ShapedType::isDynamic(da)) result[i] = db;
    else if (ShapedType::isDynamic(db) || da == db) result[i] = da;
    else return failure();
  }
  return result;
}

FailureOr<SmallVector<int64_t>> mlc::onnx::getConstantInts(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return failure();
  if (!isa<IntegerType>(attr.getElementType()))
    return failure();
  SmallVector<int64_t> result;
  for (const APInt &v : attr.getValues<APInt>())
    result.push_back(attr.getElementType().isInteger(1) ? v.getZExtValue()
                                                         : v.getSExtValue());
  return result;
}

std::optional<std::vector<float>> mlc::onnx::getF32Values(ElementsAttr attr) {
  if (!attr || !attr.getElementType().isF32())
    return std::nullopt;
  int64_t n = attr.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    std::vector<float> values;
    values.reserve(n);
    for (float v : dense.getValues<float>())
      values.push_back(v);
    return values;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size_t(n) * sizeof(float))
      return std::nullopt;
    std::vector<float> values(n);
    std::memcpy(values.data(), blob->getData().data(), n * sizeof(float));
    return values;
  }
  return std::nullopt;
}

ElementsAttr mlc::onnx::makeF32Constant(ShapedType type, StringRef name,
                                        ArrayRef<float> values) {
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}

FailureOr<mlc::onnx::EinsumSpec> mlc::onnx::parseEinsum(StringRef equation,
                                                        ArrayRef<int64_t> ranks,
                                                        std::string &why) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq += c;
  StringRef text(eq);
  auto [lhs, rhs] = text.split("->");
  bool explicitOutput = text.contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != ranks.size()) {
    why = "has " + std::to_string(terms.size()) + " input terms for " +
          std::to_string(ranks.size()) + " inputs";
    return failure();
  }
  EinsumSpec spec;
  llvm::DenseMap<char, int64_t> loops;
  llvm::DenseMap<char, int> uses;
  SmallVector<int64_t> ellipsis; // loops of the ellipsis dims, right-aligned
  auto loopOf = [&](char c) {
    auto [it, inserted] = loops.try_emplace(c, spec.numLoops);
    if (inserted)
      ++spec.numLoops;
    return it->second;
  };
  // A term's dims; `rank` < 0 for the output (the ellipsis takes all).
  auto parseTerm = [&](StringRef term, int64_t rank,
                       SmallVector<int64_t> &dims) -> LogicalResult {
    size_t dots = term.find("...");
    StringRef before = term.substr(0, dots), after;
    if (dots != StringRef::npos)
      after = term.substr(dots + 3);
    for (StringRef part : {before, after})
      for (char c : part)
        if (!llvm::isAlpha(c)) {
          why = std::string("has an invalid subscript '") + c + "'";
          return failure();
        }
    int64_t span = 0;
    if (dots != StringRef::npos) {
      span = rank < 0 ? (int64_t)ellipsis.size()
                      : rank - (int64_t)(before.size() + after.size());
      if (span < 0) {
        why = "has more subscripts than its input has dims";
        return failure();
      }
      // Ellipsis dims align right across inputs (equal sizes only).
      while ((int64_t)ellipsis.size() < span)
        ellipsis.insert(ellipsis.begin(), spec.numLoops++);
    } else if (rank >= 0 && (int64_t)before.size() != rank) {
      why = "has " + std::to_string(before.size()) + " subscripts for an input of rank " +
            std::to_string(rank);
      return failure();
    }
    for (char c : before)
      dims.push_back(loopOf(c));
    for (int64_t k = 0; k < span; ++k)
      dims.push_back(ellipsis[ellipsis.size() - span + k]);
    for (char c : after)
      dims.push_back(loopOf(c));
    if (rank >= 0)
      for (StringRef part : {before, after})
        for (char c : part)
          ++uses[c];
    return success();
  };
  for (auto [term, rank] : llvm::zip(terms, ranks)) {
    spec.inputs.emplace_back();
    if (failed(parseTerm(term, rank, spec.inputs.back())))
      return failure();
  }
  if (explicitOutput) {
    if (failed(parseTerm(rhs, -1, spec.output)))
      return failure();
    for (char c : rhs)
      if (llvm::isAlpha(c) && !uses.count(c)) {
        why = std::string("output subscript '") + c + "' appears in no input";
        return failure();
      }
  } else {
    spec.output.append(ellipsis.begin(), ellipsis.end());
    SmallVector<char> once;
    for (auto [c, n] : uses)
      if (n == 1)
        once.push_back(c);
    llvm::sort(once);
    for (char c : once)
      spec.output.push_back(loops[c]);
  }
  return spec;
}

#define GET_OP_CLASSES
#include "dialects/ONNX/ONNXOps.cpp.inc"
