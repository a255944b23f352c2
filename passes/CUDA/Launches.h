//===- Launches.h - building gpu.launch ops from loop nests -----*- C++ -*-===//
//
// Shared by mlc-cuda-map-to-gpu's two ways of running a parallel nest: one
// thread per point (MapToGPU.cpp) and one block per point for nests that fold
// a long reduction (BlockReductions.cpp); and by the tiled contractions
// (TileContractions.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef MLC_PASSES_CUDA_LAUNCHES_H
#define MLC_PASSES_CUDA_LAUNCHES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlc::cuda {

/// A launch of `grid` blocks of `block` threads (x only) with one workgroup
/// (shared-memory) buffer of each type in `workgroup`, and the builder set
/// inside its body, before the terminator.
mlir::gpu::LaunchOp createLaunch(mlir::OpBuilder &b, mlir::Location loc, mlir::Value grid,
                                 int64_t block, mlir::TypeRange workgroup = {});

/// The digits of `id` read as a number whose digits have the ranges
/// `extents` (the last varies fastest), as indices. The arithmetic is in
/// `id`'s type (an integer or index); extents of another type are cast.
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &b, mlir::Location loc, mlir::Value id,
                                           mlir::ArrayRef<mlir::Value> extents);

/// Maps each of `ivs` to `lbs[d] + steps[d] * digit d of id` (see
/// delinearize).
void mapLinearIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value id,
                    mlir::ArrayRef<mlir::Value> extents, mlir::ValueRange lbs,
                    mlir::ValueRange steps, mlir::ValueRange ivs, mlir::IRMapping &mapping);

/// The trip count of each dimension of `loop`, when all are constant.
std::optional<llvm::SmallVector<int64_t>> staticExtents(mlir::scf::ParallelOp loop);

/// Whether `root` and everything nested in it at most read memory.
bool onlyReads(mlir::Operation *root);

/// When `loop` (static bounds, fewer than `maxPoints` points) folds a
/// reduction loop nest of at least 32 iterations with associative and
/// commutative ops, replaces it with a launch of one block per point whose
/// threads share the reduction, and returns true; otherwise leaves it and
/// returns false.
bool launchBlockReduction(mlir::scf::ParallelOp loop, int64_t maxPoints);

} // namespace mlc::cuda

#endif // MLC_PASSES_CUDA_LAUNCHES_H
