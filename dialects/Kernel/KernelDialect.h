//===- KernelDialect.h - the kernel dialect ---------------------*- C++ -*-===//
#ifndef MLC_DIALECTS_KERNEL_KERNELDIALECT_H
#define MLC_DIALECTS_KERNEL_KERNELDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Kernel/KernelOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/Kernel/KernelOps.h.inc"

namespace mlir {
class DialectRegistry;
}
namespace mlc::kernel {
/// Registers the bufferization models of the microkernel ops.
void registerBufferizableOpInterfaceExternalModels(mlir::DialectRegistry &registry);

/// Whether `op` is one of the microkernel ops (kernel.conv2d, ...), which
/// become calls of the runtime's mlc_rt_* functions.
bool isMicrokernel(mlir::Operation *op);
} // namespace mlc::kernel

#endif // MLC_DIALECTS_KERNEL_KERNELDIALECT_H
