//===- FlattenEmptyBuffers.cpp - empty buffers crossing calls as 1-d ------===//
//
// convert-func-to-llvm's bare-pointer convention cannot convert a function
// with an argument like memref<2x0x4xf32> (an empty buffer of rank > 1): the
// function stays unconverted and every call to it is left dangling. Empty
// buffers hold no data, so each such argument becomes memref<0xf32> at the
// call boundary and the function reinterprets it back to its shape.
//
//===----------------------------------------------------------------------===//
#include "passes/CPU/Passes.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_FLATTENEMPTYBUFFERS
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {
/// The 1-d form of an empty buffer type of rank > 1; null otherwise.
MemRefType flatType(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || memref.getRank() < 2 || !memref.hasStaticShape() ||
      memref.getNumElements() != 0 || !memref.getLayout().isIdentity())
    return nullptr;
  return MemRefType::get({0}, memref.getElementType(), AffineMap(), memref.getMemorySpace());
}

/// `value` (of an empty buffer type) reinterpreted as `type`.
Value reinterpret(OpBuilder &b, Location loc, Value value, MemRefType type) {
  // Row-major strides (getStridesAndOffset has none to give for the dims
  // before an empty one).
  SmallVector<int64_t> strides(type.getRank(), 1);
  for (int64_t d = type.getRank() - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * type.getDimSize(d + 1);
  return memref::ReinterpretCastOp::create(b, loc, type, value, 0, type.getShape(), strides);
}

struct FlattenEmptyBuffersPass
    : mlc::cpu::impl::FlattenEmptyBuffersBase<FlattenEmptyBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp func) {
      SmallVector<Type> inputs(func.getArgumentTypes());
      bool changed = false;
      for (auto [i, type] : llvm::enumerate(inputs)) {
        MemRefType flat = flatType(type);
        if (!flat)
          continue;
        changed = true;
        if (!func.isExternal()) {
          BlockArgument arg = func.getArgument(i);
          auto shaped = cast<MemRefType>(type);
          arg.setType(flat);
          OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
          Value original = reinterpret(b, func.getLoc(), arg, shaped);
          arg.replaceAllUsesExcept(original, original.getDefiningOp());
        }
        type = flat;
      }
      if (changed)
        func.setType(FunctionType::get(func.getContext(), inputs, func.getResultTypes()));
    });
    getOperation().walk([&](func::CallOp call) {
      OpBuilder b(call);
      for (OpOperand &operand : call->getOpOperands())
        if (MemRefType flat = flatType(operand.get().getType()))
          operand.set(reinterpret(b, call.getLoc(), operand.get(), flat));
    });
  }
};
} // namespace
