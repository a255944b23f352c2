//===- Passes.h - kernel formation ------------------------------*- C++ -*-===//
#ifndef MLC_PASSES_KERNEL_PASSES_H
#define MLC_PASSES_KERNEL_PASSES_H

#include "dialects/Kernel/KernelDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlc::kernel {

#define GEN_PASS_DECL
#include "passes/Kernel/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Kernel/Passes.h.inc"

} // namespace mlc::kernel

#endif // MLC_PASSES_KERNEL_PASSES_H
