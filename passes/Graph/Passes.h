//===- Passes.h - graph-level passes on the onnx dialect --------*- C++ -*-===//
#ifndef MLC_PASSES_GRAPH_PASSES_H
#define MLC_PASSES_GRAPH_PASSES_H

#include "dialects/ONNX/ONNXDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlc::graph {

#define GEN_PASS_DECL
#include "passes/Graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Graph/Passes.h.inc"

/// Refines the result types of every onnx op of `func` in program order and
/// folds constants; fails (with the op's error) when shapes are inconsistent.
mlir::LogicalResult propagateShapes(mlir::func::FuncOp func);

} // namespace mlc::graph

#endif // MLC_PASSES_GRAPH_PASSES_H
