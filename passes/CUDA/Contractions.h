//===- Contractions.h - what the contraction rewrites share -----*- C++ -*-===//
//
// mlc-cuda-tile-contractions and mlc-cuda-coarsen-contractions rewrite the
// same linalg contractions on buffers into loops that carry accumulators;
// both compute the elementwise ops that set and update the output with them.
//
//===----------------------------------------------------------------------===//
#ifndef MLC_PASSES_CUDA_CONTRACTIONS_H
#define MLC_PASSES_CUDA_CONTRACTIONS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlc::cuda {

/// Whether `op` is a contraction on buffers with static bounds, at least one
/// reduction loop, and one output written once per parallel point (a scalar
/// where there are no parallel loops), whose payload holds no regions.
bool isStaticContraction(mlir::linalg::LinalgOp op);

/// The elementwise ops next to a contraction that write its output element
/// by element from the same element of their inputs: `init` just before it
/// sets the output without reading it (a bias broadcast, a fill), `epilogue`
/// just after it updates it (a residual add, an activation). A rewrite that
/// computes them too starts its accumulators from what `init` would write
/// and stores what `epilogue` would. Null where there is none.
struct OutputUpdates {
  mlir::linalg::LinalgOp init, epilogue;
  /// Erases the ops found (once the rewrite computes them).
  void erase();
};
OutputUpdates findOutputUpdates(mlir::linalg::LinalgOp contraction);

/// The value the elementwise op `update` writes at `indices` of its output,
/// given the output's value there (`current`; null for an `init`).
mlir::Value emitElementwise(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp update,
                            mlir::ValueRange indices, mlir::Value current);

/// The dimensions `map` reads.
llvm::SmallBitVector dimsRead(mlir::AffineMap map);

/// The results of `map` for the dimension values `dims` (only the dimensions
/// it reads need a value).
llvm::SmallVector<mlir::Value> applyMap(mlir::OpBuilder &b, mlir::Location loc, mlir::AffineMap map,
                                        mlir::ValueRange dims);

} // namespace mlc::cuda

#endif // MLC_PASSES_CUDA_CONTRACTIONS_H
