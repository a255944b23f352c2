//===- Pipelines.cpp - the CUDA target's pass pipelines -------------------===//
//
// The graph and kernel-formation stages are the CPU target's (without the CPU
// microkernels); from bufferization on, the kernels' loop nests run as GPU
// launches, compiled to PTX by LLVM's NVPTX back end, while the host code that
// launches them is lowered like the CPU target's.
//
//===----------------------------------------------------------------------===//
#include "passes/CUDA/Passes.h"

#include "passes/CPU/Passes.h"
#include "passes/Kernel/Passes.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using mlc::cpu::addPasses;

void mlc::cuda::buildCUDABufferizePipeline(OpPassManager &pm) {
  cpu::buildBufferizePipeline(
      pm,
      [](OpPassManager &pm) {
        kernel::HoistKernelBuffersOptions hoist;
        hoist.constants = true;
        hoist.markScratch = true;
        pm.addPass(kernel::createHoistKernelBuffers(hoist));
      },
      [](OpPassManager &pm) { pm.addPass(createDeviceConstants()); });
}

/// Buffers -> one gpu.launch per loop nest, the same for the GPU and for its
/// emulation on the host (which keeps host allocations).
static void addLaunchFormation(OpPassManager &pm, bool deviceAllocations,
                               const mlc::cuda::CUDAOptions &cuda) {
  pm.addPass(mlc::cpu::createCopiesToLinalg());
  // Polynomial exp/log/tanh/erf: plain arithmetic, so the PTX needs no
  // libdevice (which only the CUDA toolkit ships).
  pm.nest<func::FuncOp>().addPass(mlc::cpu::createApproximateMath());
  // Contractions with many outputs: tiles staged in shared memory; the
  // others: a block of outputs per thread, loads shared within it.
  mlc::cuda::TileContractionsOptions tiles;
  tiles.minPoints = cuda.tileMinPoints;
  pm.nest<func::FuncOp>().addPass(mlc::cuda::createTileContractions(tiles));
  pm.nest<func::FuncOp>().addPass(mlc::cuda::createCoarsenContractions());
  addPasses(pm, "func.func(convert-linalg-to-parallel-loops,canonicalize)");
  mlc::cuda::MapToGPUOptions options;
  options.deviceAllocations = deviceAllocations;
  pm.nest<func::FuncOp>().addPass(mlc::cuda::createMapToGPU(options));
  pm.addPass(mlc::kernel::createDropScratchMarks());
}

void mlc::cuda::buildCUDALowerToLLVMPipeline(OpPassManager &pm, const CUDAOptions &options) {
  addLaunchFormation(pm, /*deviceAllocations=*/true, options);
  addPasses(pm, "func.func(lower-affine,canonicalize,gpu-launch-sink-index-computations),"
                "gpu-kernel-outlining");
  pm.addPass(createMergeGPUModules());
  addPasses(pm, "convert-scf-to-cf");
  for (const std::string &arch : options.archs)
    addPasses(pm, "nvvm-attach-target{chip=" + arch + " features=" + options.ptxFeatures + " O=3}");
  pm.addPass(mlc::cpu::createFlattenEmptyBuffers());
  addPasses(pm,
            "gpu.module(convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=1},canonicalize,"
            "reconcile-unrealized-casts),"
            "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
            "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
            "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
            "gpu-to-llvm{use-bare-pointers-for-kernels=1},reconcile-unrealized-casts,canonicalize,"
            "gpu-module-to-binary{format=isa}");
}

void mlc::cuda::buildCUDAEmulationPipeline(OpPassManager &pm, const CUDAOptions &options) {
  addLaunchFormation(pm, /*deviceAllocations=*/false, options);
  pm.nest<func::FuncOp>().addPass(createEmulateLaunches());
  cpu::buildLoopsToLLVMPipeline(pm);
}

void mlc::cuda::buildCUDAPipeline(OpPassManager &pm, const CUDAOptions &options) {
  cpu::buildGraphPipeline(pm);
  cpu::buildKernelFormationPipeline(pm, /*useMicrokernels=*/false);
  buildCUDABufferizePipeline(pm);
  buildCUDALowerToLLVMPipeline(pm, options);
}

void mlc::cuda::registerPipelines() {
  PassPipelineRegistration<>("mlc-cuda-bufferize-pipeline",
                             "Bufferization with a planned workspace and device weights",
                             buildCUDABufferizePipeline);
  PassPipelineRegistration<>(
      "mlc-cuda-lower-to-llvm-pipeline",
      "Buffers to GPU launches (PTX for sm_90) and LLVM-dialect host code",
      [](OpPassManager &pm) { buildCUDALowerToLLVMPipeline(pm, CUDAOptions()); });
  PassPipelineRegistration<>("mlc-cuda-pipeline",
                             "The whole CUDA pipeline for sm_90: onnx to host code and PTX",
                             [](OpPassManager &pm) { buildCUDAPipeline(pm, CUDAOptions()); });
}
