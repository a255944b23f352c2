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
  /// The output's value at `indices` before the contraction: what `init`
  /// writes there, else what the buffer `out` holds.
  mlir::Value initial(mlir::OpBuilder &b, mlir::Location loc, mlir::Value out,
                      mlir::ValueRange indices) const;
  /// What is stored at `indices` for the contraction's `result` there:
  /// `epilogue` applied to it, if any.
  mlir::Value stored(mlir::OpBuilder &b, mlir::Location loc, mlir::Value result,
                     mlir::ValueRange indices) const;
  /// Erases the ops found (once the rewrite computes them).
  void erase();
};
OutputUpdates findOutputUpdates(mlir::linalg::LinalgOp contraction);

/// The value the elementwise op `update` writes at `indices` of its output,
/// given the output's value there (`current`; null for an `init`).
mlir::Value emitElementwise(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp update,
                            mlir::ValueRange indices, mlir::Value current);

/// A kernel's scratch buffer that holds a constant border around a copy of
/// another buffer (a padded image: a fill, then a copy into a subview) and
/// that one op reads. That op can load the source instead, and the border's
/// value where the index falls outside it: no launch fills the buffer, none
/// copies into it, and the image is read once instead of three times.
struct Padding {
  mlir::Value source;
  /// Per dimension, where the source starts in the padded buffer, and the
  /// padded buffer's size.
  llvm::SmallVector<int64_t> low, paddedShape;
  /// The border's value.
  mlir::Value value;
  /// The elementwise op that writes the source, which each load computes
  /// from its own inputs where the source is overwritten before the reader
  /// runs or where nothing else reads it; null where the loads read the
  /// source.
  mlir::linalg::LinalgOp producer;
  /// The copy, the subview and the fill (and the producer, where nothing
  /// else reads what it writes), erased once the reader is.
  llvm::SmallVector<mlir::Operation *> writes;

  /// The padded buffer's element at `indices`.
  mlir::Value load(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange indices) const;
  void erase();
};
/// The padding of the buffer `reader` reads as its input `input`, if
/// `reader` alone reads it.
std::optional<Padding> findPadding(mlir::linalg::LinalgOp reader, mlir::OpOperand *input);
/// The same without a border: the buffer `reader` reads as its input
/// `input` is a temporary that an elementwise op (a transpose, a bias add)
/// writes for `reader` alone. The loads compute that op from its inputs, as
/// long as neighbouring threads still load neighbouring addresses (its
/// innermost dimension stays innermost in what it reads).
std::optional<Padding> findProducer(mlir::linalg::LinalgOp reader, mlir::OpOperand *input);

/// Loads of a contraction's inputs, through their paddings.
class InputLoads {
public:
  InputLoads() = default;
  explicit InputLoads(mlir::linalg::LinalgOp op);
  /// `input`'s element at `indices`.
  mlir::Value load(mlir::OpBuilder &b, mlir::Location loc, mlir::OpOperand *input,
                   mlir::ValueRange indices) const;
  /// Erases the paddings (once the op is rewritten).
  void erase();

private:
  llvm::DenseMap<mlir::OpOperand *, Padding> paddings;
};

/// The dimensions `map` reads.
llvm::SmallBitVector dimsRead(mlir::AffineMap map);

/// The results of `map` for the dimension values `dims` (only the dimensions
/// it reads need a value).
llvm::SmallVector<mlir::Value> applyMap(mlir::OpBuilder &b, mlir::Location loc, mlir::AffineMap map,
                                        mlir::ValueRange dims);

} // namespace mlc::cuda

#endif // MLC_PASSES_CUDA_CONTRACTIONS_H
