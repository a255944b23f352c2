//===- Passes.h - CUDA back-end passes and pipelines ------------*- C++ -*-===//
#ifndef MLC_PASSES_CUDA_PASSES_H
#define MLC_PASSES_CUDA_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace mlc::cuda {

#define GEN_PASS_DECL
#include "passes/CUDA/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/CUDA/Passes.h.inc"

/// What the CUDA pipelines need to know about the target.
struct CUDAOptions {
  /// Architectures to build for ("sm_90", ...); the first is the default.
  std::vector<std::string> archs = {"sm_90"};
  /// PTX ISA version the PTX is written for (+ptx80 works from sm_50 to sm_90
  /// and needs a CUDA 12.0 driver or newer to load).
  std::string ptxFeatures = "+ptx80";
  /// Contractions with at least this many outputs run as tiles staged in
  /// shared memory (mlc-cuda-tile-contractions; 0: none do).
  int64_t tileMinPoints = 32768;
};

/// Outlined kernels on tensors -> buffers with a planned workspace and the
/// constants in one device weights buffer.
void buildCUDABufferizePipeline(mlir::OpPassManager &pm);
/// Buffers -> host code in the LLVM dialect that launches kernels held in a
/// gpu.binary with one PTX image per architecture.
void buildCUDALowerToLLVMPipeline(mlir::OpPassManager &pm, const CUDAOptions &options);

/// Buffers -> the same launches as buildCUDALowerToLLVMPipeline, run as host
/// loops (mlc-cuda-emulate-launches), -> LLVM dialect for the host CPU.
void buildCUDAEmulationPipeline(mlir::OpPassManager &pm, const CUDAOptions &options);
/// All of the above after the CPU target's graph and kernel-formation stages
/// (without CPU microkernels): onnx to host code and PTX.
void buildCUDAPipeline(mlir::OpPassManager &pm, const CUDAOptions &options);

/// Registers mlc-cuda-bufferize-pipeline, mlc-cuda-lower-to-llvm-pipeline and
/// mlc-cuda-pipeline (for sm_90) with mlc-opt.
void registerPipelines();

} // namespace mlc::cuda

#endif // MLC_PASSES_CUDA_PASSES_H
