//===- Passes.h - CPU back-end passes and pipelines -------------*- C++ -*-===//
#ifndef MLC_PASSES_CPU_PASSES_H
#define MLC_PASSES_CPU_PASSES_H

#include "dialects/Kernel/KernelDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"

namespace mlc::cpu {

#define GEN_PASS_DECL
#include "passes/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/CPU/Passes.h.inc"

/// onnx graph -> simplified onnx graph with static shapes.
void buildGraphPipeline(mlir::OpPassManager &pm);
/// onnx -> linalg on tensors -> kernel.dispatch regions -> outlined kernels.
/// Without `useMicrokernels`, convolutions and matmuls stay linalg ops (the
/// CUDA target lowers them like every other kernel).
void buildKernelFormationPipeline(mlir::OpPassManager &pm, bool useMicrokernels = true);
/// Bufferization with results as out-params, `beforePlan`'s passes, the
/// workspace plan, `afterPlan`'s passes, then deallocation (shared by the
/// CPU and CUDA targets).
///
/// With `dynamicShapes` (a model whose dims are read at run time) kernels
/// write into buffers their caller allocates (FormDispatches passes each
/// dynamically sized destination in), and `forward` returns its outputs as
/// buffers it allocated instead of writing into out-params, since only the
/// run knows their sizes.
void buildBufferizePipeline(mlir::OpPassManager &pm,
                            llvm::function_ref<void(mlir::OpPassManager &)> beforePlan,
                            llvm::function_ref<void(mlir::OpPassManager &)> afterPlan,
                            bool dynamicShapes = false);
/// Outlined kernels on tensors -> buffers with a planned workspace.
/// With `profile`, every kernel call is timed (mlc-cpu-profile-kernels).
void buildCPUBufferizePipeline(mlir::OpPassManager &pm, bool dynamicShapes = false, bool profile = false);
/// Buffers -> LLVM dialect: the bare-pointer calling convention, or with
/// `dynamicShapes` the memref-descriptor one, which carries the dims.
void buildCPULowerToLLVMPipeline(mlir::OpPassManager &pm, bool dynamicShapes = false);
/// The tail of the above: host loops on buffers -> LLVM dialect.
void buildLoopsToLLVMPipeline(mlir::OpPassManager &pm, bool dynamicShapes = false);
/// Options of the CPU pipelines as mlc-opt spells them.
struct CPUPipelineOptions : mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> dynamicShapes{*this, "dynamic-shapes",
                             llvm::cl::desc("the model has dims read at run time"),
                             llvm::cl::init(false)};
};
/// All of the above, onnx to LLVM dialect.
void buildCPUPipeline(mlir::OpPassManager &pm, const CPUPipelineOptions &options = {});

/// Appends upstream passes given as a textual pipeline (without the outer
/// `builtin.module(...)`); the texts are constants of mlc, so a parse failure
/// is a bug and aborts.
void addPasses(mlir::OpPassManager &pm, llvm::StringRef text);

/// Registers the pipelines above with mlc-opt (mlc-graph-pipeline, ...).
void registerPipelines();

/// Declares the runtime function `name` of `type` (private) in the module of
/// `symbols` unless it has one; the passes that emit runtime calls share it.
void declareRuntimeFunction(mlir::SymbolTable &symbols, llvm::StringRef name, mlir::FunctionType type);

} // namespace mlc::cpu

#endif // MLC_PASSES_CPU_PASSES_H
