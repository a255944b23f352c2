//===- DeviceConstants.cpp - weights from one device buffer ---------------===//
#include "passes/CUDA/Passes.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace mlc::cuda {
#define GEN_PASS_DEF_DEVICECONSTANTS
#include "passes/CUDA/Passes.h.inc"
} // namespace mlc::cuda

namespace {
constexpr int64_t kAlignment = 64;

struct DeviceConstantsPass : mlc::cuda::impl::DeviceConstantsBase<DeviceConstantsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward || forward.isExternal())
      return;
    // Every get_global must be in forward: kernels' were hoisted there.
    WalkResult stray = module.walk([&](memref::GetGlobalOp op) {
      if (op->getParentOfType<func::FuncOp>() != forward) {
        op.emitError("the CUDA target needs constants passed to kernels as arguments "
                     "(run mlc-kernel-hoist-buffers{constants=1} first)");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (stray.wasInterrupted())
      return signalPassFailure();

    SymbolTable symbols(module);
    OpBuilder b(&getContext());
    llvm::MapVector<StringAttr, int64_t> offsets; // symbol -> byte offset
    SmallVector<Attribute> table;
    int64_t size = 0;
    SmallVector<memref::GetGlobalOp> uses;
    forward.walk([&](memref::GetGlobalOp op) { uses.push_back(op); });
    for (memref::GetGlobalOp op : uses) {
      StringAttr name = op.getNameAttr().getAttr();
      if (offsets.contains(name))
        continue;
      auto global = symbols.lookup<memref::GlobalOp>(name);
      MemRefType type = op.getType();
      if (!global || !global.getConstant() || !type.hasStaticShape() ||
          !type.getLayout().isIdentity()) {
        op.emitError("the CUDA target supports only static constant globals");
        return signalPassFailure();
      }
      int64_t bits = type.getElementTypeBitWidth();
      int64_t bytes = type.getNumElements() * ((bits + 7) / 8);
      size = (size + kAlignment - 1) / kAlignment * kAlignment;
      offsets[name] = size;
      table.push_back(b.getArrayAttr({FlatSymbolRefAttr::get(name), b.getI64IntegerAttr(size),
                                      b.getI64IntegerAttr(bytes)}));
      size += bytes;
    }

    auto weightsType = MemRefType::get({std::max<int64_t>(size, 1)}, b.getI8Type());
    if (failed(forward.insertArgument(forward.getNumArguments(), weightsType, {}, forward.getLoc())))
      return signalPassFailure();
    Value weights = forward.getArguments().back();
    for (memref::GetGlobalOp op : uses) {
      b.setInsertionPoint(op);
      Value offset = arith::ConstantIndexOp::create(b, op.getLoc(), offsets.lookup(op.getNameAttr().getAttr()));
      Value view = memref::ViewOp::create(b, op.getLoc(), op.getType(), weights, offset, ValueRange{});
      op.replaceAllUsesWith(view);
      op.erase();
    }
    // The host keeps the globals only as the data to upload: flat 1-D arrays
    // translate to LLVM as one block (N-d ones become arrays of arrays,
    // element rows uniqued one by one).
    for (auto &entry : offsets) {
      auto global = symbols.lookup<memref::GlobalOp>(entry.first);
      MemRefType type = global.getType();
      if (type.getRank() == 1)
        continue;
      auto flat = MemRefType::get({type.getNumElements()}, type.getElementType());
      auto tensorType = RankedTensorType::get(flat.getShape(), flat.getElementType());
      Attribute init = global.getInitialValueAttr();
      if (auto dense = dyn_cast_or_null<DenseElementsAttr>(init))
        init = dense.reshape(tensorType);
      else if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(init))
        init = DenseResourceElementsAttr::get(tensorType, resource.getRawHandle());
      else
        continue;
      global.setType(flat);
      global.setInitialValueAttr(init);
    }
    forward->setAttr("mlc.device_constants", b.getArrayAttr(table));
    forward->setAttr("mlc.weights_size", b.getI64IntegerAttr(size));
  }
};
} // namespace
