//===- MergeGPUModules.cpp - one gpu.module for all of a model's kernels --===//
#include "passes/CUDA/Passes.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace mlc::cuda {
#define GEN_PASS_DEF_MERGEGPUMODULES
#include "passes/CUDA/Passes.h.inc"
} // namespace mlc::cuda

namespace {
struct MergeGPUModulesPass : mlc::cuda::impl::MergeGPUModulesBase<MergeGPUModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> sources(module.getOps<gpu::GPUModuleOp>());
    if (sources.empty())
      return;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto merged = gpu::GPUModuleOp::create(b, module.getLoc(), "mlc_kernels");
    SymbolTable mergedSymbols(merged);
    // Old (module, function) -> new function name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp source : sources) {
      bool single = llvm::hasSingleElement(source.getOps<gpu::GPUFuncOp>());
      for (Operation &op : llvm::make_early_inc_range(source.getBody()->getOperations())) {
        auto fn = dyn_cast<gpu::GPUFuncOp>(&op);
        if (!fn) {
          op.emitError("unexpected op in an outlined GPU module");
          return signalPassFailure();
        }
        StringAttr oldName = fn.getNameAttr();
        std::string name = single ? source.getName().str()
                                  : (source.getName() + "_" + fn.getName()).str();
        fn->remove();
        fn.setName(name);
        mergedSymbols.insert(fn); // uniquifies on a clash
        renamed[{source.getNameAttr(), oldName}] = fn.getNameAttr();
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      auto it = renamed.find({kernel.getRootReference(), kernel.getLeafReference()});
      if (it != renamed.end())
        launch.setKernelAttr(SymbolRefAttr::get(merged.getNameAttr(),
                                                {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp source : sources)
      source.erase();
  }
};
} // namespace
