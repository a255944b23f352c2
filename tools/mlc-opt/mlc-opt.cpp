//===- mlc-opt.cpp - mlc's mlir-opt: every dialect and pass ---------------===//
//
// The entry point of the FileCheck tests: upstream dialects and passes plus
// mlc's dialects, passes and pipelines.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kernel/KernelDialect.h"
#include "dialects/ONNX/ONNXDialect.h"
#include "passes/CPU/Passes.h"
#include "passes/CUDA/Passes.h"
#include "passes/Conversion/ONNXToLinalg/Passes.h"
#include "passes/Graph/Passes.h"
#include "passes/Kernel/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlc::graph::registerGraphPasses();
  mlc::conversion::registerONNXToLinalgPasses();
  mlc::kernel::registerKernelPasses();
  mlc::cpu::registerCPUPasses();
  mlc::cpu::registerPipelines();
  mlc::cuda::registerCUDAPasses();
  mlc::cuda::registerPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlc::kernel::registerBufferizableOpInterfaceExternalModels(registry);
  // gpu-module-to-binary translates the kernels to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlc::onnx::ONNXDialect, mlc::kernel::KernelDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mlc optimizer driver\n", registry));
}
