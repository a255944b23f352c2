//===- BufferizableOpInterfaceImpl.cpp - bufferizing microkernel ops ------===//
//
// The microkernel ops are in destination style: the result is the init's
// buffer. Their memref form needs contiguous row-major buffers (the runtime
// takes plain pointers), so an operand with another layout is copied first.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kernel/KernelDialect.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {
/// A copy of `buffer` in a new identity-layout buffer of its (run-time)
/// dims, for runtime functions that take plain pointers.
Value contiguousCopy(RewriterBase &rewriter, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<Value> dynamicDims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicDims.push_back(memref::DimOp::create(rewriter, loc, buffer, d));
  Value copy = memref::AllocOp::create(rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()),
                                       dynamicDims);
  memref::CopyOp::create(rewriter, loc, buffer, copy);
  return copy;
}

template <typename OpTy>
struct MicrokernelOpInterface
    : DstBufferizableOpInterfaceExternalModel<MicrokernelOpInterface<OpTy>, OpTy> {
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto kernelOp = cast<OpTy>(op);
    rewriter.setInsertionPoint(op);
    SmallVector<Value> buffers;
    for (OpOperand &operand : op->getOpOperands()) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      // Contiguous: a static (possibly offset) row-major layout, or the
      // identity layout of a run-time batch.
      auto type = cast<MemRefType>(buffer->getType());
      if (!memref::isStaticShapeAndContiguousRowMajor(type) && !type.getLayout().isIdentity()) {
        if (&operand == &kernelOp.getInitMutable())
          return op->emitError("microkernel output buffer is not contiguous");
        buffer = contiguousCopy(rewriter, op->getLoc(), *buffer);
      }
      buffers.push_back(*buffer);
    }
    // The same op on the buffers, without results.
    OperationState bufferized(op->getLoc(), op->getName());
    bufferized.addOperands(buffers);
    bufferized.addAttributes(op->getAttrs());
    rewriter.create(bufferized);
    replaceOpWithBufferizedValues(rewriter, op,
                                  buffers[kernelOp.getInitMutable().getOperandNumber()]);
    return success();
  }
};

/// kernel.runtime_call on buffers of any shape. The runtime function takes
/// plain pointers, so an operand with another layout goes through an
/// identity-layout copy (an output's copy is written back after the call).
/// Outputs are read as well as written: a scatter starts from its data.
struct RuntimeCallOpInterface
    : DstBufferizableOpInterfaceExternalModel<RuntimeCallOpInterface, mlc::kernel::RuntimeCallOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &, const AnalysisState &) const { return true; }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter, const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto call = cast<mlc::kernel::RuntimeCallOp>(op);
    Location loc = op->getLoc();
    rewriter.setInsertionPoint(op);
    SmallVector<Value> inputs, outputs, results;
    SmallVector<std::pair<Value, Value>> writeBacks; // (copy, original)
    for (OpOperand &operand : llvm::concat<OpOperand>(call.getInputsMutable(), call.getOutputsMutable())) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      bool output = call.isDpsInit(&operand);
      if (output)
        results.push_back(*buffer);
      if (!cast<MemRefType>(buffer->getType()).getLayout().isIdentity()) {
        Value copy = contiguousCopy(rewriter, loc, *buffer);
        if (output)
          writeBacks.push_back({copy, *buffer});
        buffer = copy;
      }
      (output ? outputs : inputs).push_back(*buffer);
    }
    mlc::kernel::RuntimeCallOp::create(rewriter, loc, TypeRange{}, call.getCalleeAttr(), call.getScalars(), inputs,
                                       outputs);
    for (auto [copy, original] : writeBacks)
      memref::CopyOp::create(rewriter, loc, copy, original);
    replaceOpWithBufferizedValues(rewriter, op, results);
    return success();
  }
};
} // namespace

void mlc::kernel::registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, KernelDialect *) {
    Conv2DOp::attachInterface<MicrokernelOpInterface<Conv2DOp>>(*ctx);
    MatMulOp::attachInterface<MicrokernelOpInterface<MatMulOp>>(*ctx);
    DepthwiseConv2DOp::attachInterface<MicrokernelOpInterface<DepthwiseConv2DOp>>(*ctx);
    BatchMatMulOp::attachInterface<MicrokernelOpInterface<BatchMatMulOp>>(*ctx);
    MaxPool2DOp::attachInterface<MicrokernelOpInterface<MaxPool2DOp>>(*ctx);
    RuntimeCallOp::attachInterface<RuntimeCallOpInterface>(*ctx);
  });
}
