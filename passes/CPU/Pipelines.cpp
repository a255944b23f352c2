//===- Pipelines.cpp - the compiler's pass pipelines ----------------------===//
//
// The stages from the onnx graph to the LLVM dialect, each registered for
// mlc-opt so that every stage can be run and tested alone. Upstream passes
// are named by their textual pipeline so that the stages read as a list.
//
//===----------------------------------------------------------------------===//
#include "passes/CPU/Passes.h"

#include "passes/Conversion/ONNXToLinalg/Passes.h"
#include "passes/Graph/Passes.h"
#include "passes/Kernel/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

void mlc::cpu::addPasses(OpPassManager &pm, StringRef text) {
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error(llvm::Twine("mlc: bad built-in pipeline: ") + text);
}

void mlc::cpu::buildGraphPipeline(OpPassManager &pm) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(graph::createPropagateShapes());
  fpm.addPass(graph::createSimplify());
  fpm.addPass(graph::createPropagateShapes());
}

/// canonicalize without scf.for's folding of a tensor.cast into its
/// iteration arguments: that pattern gives the argument the cast's more
/// static type, which is wrong for the front end's loops whose carried
/// value changes a dim each iteration (an [0, n] accumulator that grows by
/// a row: the loop is built on [?, n] and must stay so).
static constexpr const char *kCanonicalizeTensors =
    "canonicalize{disable-patterns=\"(anonymous namespace)::ForOpTensorCastFolder\"}";

void mlc::cpu::buildKernelFormationPipeline(OpPassManager &pm, bool useMicrokernels) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  conversion::ConvertONNXToLinalgOptions options;
  options.useMicrokernels = useMicrokernels;
  fpm.addPass(conversion::createConvertONNXToLinalg(options));
  addPasses(fpm, std::string(kCanonicalizeTensors) + ",cse");
  fpm.addPass(kernel::createFormDispatches());
  pm.addPass(kernel::createOutlineDispatches());
  addPasses(pm, std::string(kCanonicalizeTensors) + ",cse");
}

void mlc::cpu::buildBufferizePipeline(OpPassManager &pm,
                                      function_ref<void(OpPassManager &)> beforePlan,
                                      function_ref<void(OpPassManager &)> afterPlan,
                                      bool dynamicShapes) {
  addPasses(pm, "one-shot-bufferize{bufferize-function-boundaries=1 allow-return-allocs-from-loops=1 "
                "function-boundary-type-conversion=identity-layout-map}");
  // A kernel that updates an operand in place (a convolution accumulating
  // into its residual's buffer) returns that operand: dropping the result
  // lets the caller use the operand's buffer instead of an out-param that
  // the kernel would fill with a copy of it.
  addPasses(pm, "drop-equivalent-buffer-results");
  pm.nest<func::FuncOp>().addPass(cpu::createDistinctResults());
  addPasses(pm, dynamicShapes ? "buffer-results-to-out-params{hoist-static-allocs=1 modify-public-functions=0},"
                                "canonicalize,cse"
                              : "buffer-results-to-out-params{hoist-static-allocs=1 modify-public-functions=1},"
                                "canonicalize,cse");
  beforePlan(pm);
  pm.nest<func::FuncOp>().addPass(cpu::createPlanMemory());
  afterPlan(pm);
  addPasses(pm, "buffer-deallocation-pipeline,convert-bufferization-to-memref,canonicalize");
}

void mlc::cpu::buildCPUBufferizePipeline(OpPassManager &pm, bool dynamicShapes, bool profile) {
  pm.nest<func::FuncOp>().addPass(cpu::createCollapseLoopDims());
  addPasses(pm, std::string(kCanonicalizeTensors) + ",cse");
  buildBufferizePipeline(
      pm,
      [profile](OpPassManager &pm) {
        if (profile)
          pm.addPass(cpu::createProfileKernels());
        pm.addPass(cpu::createLowerMicrokernels());
        pm.addPass(kernel::createHoistKernelBuffers());
      },
      [](OpPassManager &) {}, dynamicShapes);
}

void mlc::cpu::buildCPULowerToLLVMPipeline(OpPassManager &pm, bool dynamicShapes) {
  pm.addPass(cpu::createCopiesToLinalg());
  pm.nest<func::FuncOp>().addPass(cpu::createApproximateMath());
  addPasses(pm, "func.func(convert-linalg-to-parallel-loops)");
  pm.nest<func::FuncOp>().addPass(cpu::createParallelizeLoops());
  addPasses(pm, "convert-scf-to-openmp");
  pm.addPass(cpu::createStripAllocaScopes());
  buildLoopsToLLVMPipeline(pm, dynamicShapes);
}

void mlc::cpu::buildLoopsToLLVMPipeline(OpPassManager &pm, bool dynamicShapes) {
  pm.addPass(cpu::createFlattenEmptyBuffers());
  addPasses(pm, "lower-affine,convert-scf-to-cf,"
                "canonicalize,convert-math-to-llvm,convert-math-to-libm,"
                "expand-strided-metadata,lower-affine,"
                "finalize-memref-to-llvm,"
                "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm");
  addPasses(pm, dynamicShapes ? "convert-func-to-llvm" : "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1}");
  addPasses(pm, "convert-openmp-to-llvm,reconcile-unrealized-casts,canonicalize");
}

void mlc::cpu::buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options) {
  buildGraphPipeline(pm);
  buildKernelFormationPipeline(pm);
  buildCPUBufferizePipeline(pm, options.dynamicShapes);
  buildCPULowerToLLVMPipeline(pm, options.dynamicShapes);
}

void mlc::cpu::registerPipelines() {
  PassPipelineRegistration<>("mlc-graph-pipeline",
                             "Shape propagation and graph simplification on the onnx dialect",
                             buildGraphPipeline);
  PassPipelineRegistration<>("mlc-kernel-formation-pipeline",
                             "onnx to linalg, then fusion into outlined kernels",
                             [](OpPassManager &pm) { buildKernelFormationPipeline(pm); });
  PassPipelineRegistration<CPUPipelineOptions>(
      "mlc-cpu-bufferize-pipeline", "Bufferization with out-params and a planned workspace",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        buildCPUBufferizePipeline(pm, options.dynamicShapes);
      });
  PassPipelineRegistration<CPUPipelineOptions>(
      "mlc-cpu-lower-to-llvm-pipeline", "Buffers to the LLVM dialect",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        buildCPULowerToLLVMPipeline(pm, options.dynamicShapes);
      });
  PassPipelineRegistration<CPUPipelineOptions>(
      "mlc-cpu-pipeline", "The whole CPU pipeline: onnx to LLVM dialect", buildCPUPipeline);
}
