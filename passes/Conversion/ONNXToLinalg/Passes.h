//===- Passes.h - onnx to linalg conversion ---------------------*- C++ -*-===//
#ifndef MLC_PASSES_CONVERSION_ONNXTOLINALG_PASSES_H
#define MLC_PASSES_CONVERSION_ONNXTOLINALG_PASSES_H

#include "dialects/Kernel/KernelDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlc::conversion {

#define GEN_PASS_DECL
#include "passes/Conversion/ONNXToLinalg/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Conversion/ONNXToLinalg/Passes.h.inc"

} // namespace mlc::conversion

#endif // MLC_PASSES_CONVERSION_ONNXTOLINALG_PASSES_H
