//===- KernelDialect.cpp - the kernel dialect -----------------------------===//
#include "dialects/Kernel/KernelDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlc::kernel;

#include "dialects/Kernel/KernelOpsDialect.cpp.inc"

void KernelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Kernel/KernelOps.cpp.inc"
      >();
}

LogicalResult DispatchOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("region has ") << body.getNumArguments()
                                      << " arguments for " << getInputs().size() << " operands";
  for (auto [arg, input] : llvm::zip(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("region argument type ") << arg.getType()
                                                 << " does not match operand type " << input.getType();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yielded types do not match the result types");
  return success();
}

//===----------------------------------------------------------------------===//
// Microkernel ops
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult verifyMicrokernel(OpTy op, size_t numParams) {
  if (op.getParams().size() != numParams)
    return op.emitOpError("expects ") << numParams << " params, got " << op.getParams().size();
  bool tensors = isa<RankedTensorType>(op.getInit().getType());
  for (Value v : op->getOperands())
    if (isa<RankedTensorType>(v.getType()) != tensors)
      return op.emitOpError("operands must be all tensors or all memrefs");
  if (tensors != (op->getNumResults() == 1))
    return op.emitOpError("has a result exactly when it works on tensors");
  if (tensors && op->getResult(0).getType() != op.getInit().getType())
    return op.emitOpError("result type must match the init");
  for (Value v : op->getOperands())
    if (!cast<ShapedType>(v.getType()).getElementType().isF32())
      return op.emitOpError("works on float32 only");
  return success();
}

template <typename OpTy>
static void microkernelEffects(
    OpTy op, SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  if (isa<RankedTensorType>(op.getInit().getType()))
    return;
  for (OpOperand &operand : op->getOpOperands()) {
    if (&operand == &op.getInitMutable())
      effects.emplace_back(MemoryEffects::Write::get(), &operand, SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand, SideEffects::DefaultResource::get());
  }
}

LogicalResult Conv2DOp::verify() { return verifyMicrokernel(*this, 18); }
LogicalResult MatMulOp::verify() { return verifyMicrokernel(*this, 7); }
LogicalResult DepthwiseConv2DOp::verify() { return verifyMicrokernel(*this, 18); }
LogicalResult BatchMatMulOp::verify() { return verifyMicrokernel(*this, 8); }
bool mlc::kernel::isMicrokernel(Operation *op) {
  return isa<Conv2DOp, DepthwiseConv2DOp, MatMulOp, BatchMatMulOp, MaxPool2DOp, RuntimeCallOp>(op);
}

LogicalResult MaxPool2DOp::verify() { return verifyMicrokernel(*this, 18); }
MutableOperandRange MaxPool2DOp::getDpsInitsMutable() { return getInitMutable(); }
void MaxPool2DOp::getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  microkernelEffects(*this, effects);
}
MutableOperandRange BatchMatMulOp::getDpsInitsMutable() { return getInitMutable(); }
void BatchMatMulOp::getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  microkernelEffects(*this, effects);
}
MutableOperandRange DepthwiseConv2DOp::getDpsInitsMutable() { return getInitMutable(); }
void DepthwiseConv2DOp::getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  microkernelEffects(*this, effects);
}
MutableOperandRange Conv2DOp::getDpsInitsMutable() { return getInitMutable(); }
MutableOperandRange MatMulOp::getDpsInitsMutable() { return getInitMutable(); }
void Conv2DOp::getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  microkernelEffects(*this, effects);
}
void MatMulOp::getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  microkernelEffects(*this, effects);
}

LogicalResult RuntimeCallOp::verify() {
  if (getOutputs().empty())
    return emitOpError("needs at least one output");
  bool tensors = isa<RankedTensorType>(getOutputs()[0].getType());
  for (Value v : llvm::concat<Value>(getInputs(), getOutputs()))
    if (isa<RankedTensorType>(v.getType()) != tensors)
      return emitOpError("buffer operands must be all tensors or all memrefs");
  if (tensors ? getResult().getTypes() != getOutputs().getTypes() : !getResult().empty())
    return emitOpError("has the outputs' types as results exactly when it works on tensors");
  return success();
}
MutableOperandRange RuntimeCallOp::getDpsInitsMutable() { return getOutputsMutable(); }
void RuntimeCallOp::getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  if (!getResult().empty())
    return;
  for (OpOperand &operand : getInputsMutable())
    effects.emplace_back(MemoryEffects::Read::get(), &operand, SideEffects::DefaultResource::get());
  for (OpOperand &operand : getOutputsMutable()) {
    effects.emplace_back(MemoryEffects::Read::get(), &operand, SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(), &operand, SideEffects::DefaultResource::get());
  }
}

#define GET_OP_CLASSES
#include "dialects/Kernel/KernelOps.cpp.inc"
