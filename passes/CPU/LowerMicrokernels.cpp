//===- LowerMicrokernels.cpp - microkernel ops to runtime calls -----------===//
#include "passes/CPU/Passes.h"

#include "dialects/Kernel/KernelDialect.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_LOWERMICROKERNELS
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {

/// The address of a buffer's first element as an !llvm.ptr.
Value dataPointer(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  int64_t bytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  Value offset = arith::MulIOp::create(b, loc, meta.getOffset(),
                                       arith::ConstantIndexOp::create(b, loc, bytes));
  Value address = arith::AddIOp::create(b, loc, base, offset);
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()), i64);
}

} // namespace

void mlc::cpu::declareRuntimeFunction(SymbolTable &symbols, StringRef name, FunctionType type) {
  if (symbols.lookup(name))
    return;
  auto module = cast<ModuleOp>(symbols.getOp());
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name, type);
  decl.setPrivate();
  symbols.insert(decl);
}

namespace {
using mlc::cpu::declareRuntimeFunction;

struct LowerMicrokernelsPass : mlc::cpu::impl::LowerMicrokernelsBase<LowerMicrokernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    unsigned counter = 0;


    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (mlc::kernel::isMicrokernel(op) &&
          op->getNumResults() == 0)
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto call = dyn_cast<mlc::kernel::RuntimeCallOp>(op)) {
        lowerRuntimeCall(call, symbols);
        continue;
      }
      StringRef callee;
      ArrayRef<int64_t> params;
      if (auto conv = dyn_cast<mlc::kernel::Conv2DOp>(op))
        callee = "mlc_rt_conv2d_f32", params = conv.getParams();
      else if (auto dw = dyn_cast<mlc::kernel::DepthwiseConv2DOp>(op))
        callee = "mlc_rt_depthwise_conv2d_f32", params = dw.getParams();
      else if (auto bmm = dyn_cast<mlc::kernel::BatchMatMulOp>(op))
        callee = "mlc_rt_batch_matmul_f32", params = bmm.getParams();
      else if (auto pool = dyn_cast<mlc::kernel::MaxPool2DOp>(op))
        callee = "mlc_rt_maxpool2d_f32", params = pool.getParams();
      else
        callee = "mlc_rt_matmul_f32", params = cast<mlc::kernel::MatMulOp>(op).getParams();
      declareRuntimeFunction(symbols, callee,
                  FunctionType::get(ctx, SmallVector<Type>(op->getNumOperands() + 1, ptr), {}));
      OpBuilder b(op);
      Location loc = op->getLoc();
      auto paramsType = MemRefType::get({(int64_t)params.size()}, b.getI64Type());
      Value paramsBuffer;
      if (llvm::is_contained(params, ShapedType::kDynamic)) {
        // A run-time batch or row count: the parameters are written on the
        // stack at each call.
        FailureOr<Value> buffer = runtimeParams(b, op, params, paramsType);
        if (failed(buffer))
          return signalPassFailure();
        paramsBuffer = *buffer;
      } else {
        // The parameters live in a constant global.
        OpBuilder gb = OpBuilder::atBlockBegin(module.getBody());
        auto tensorType = RankedTensorType::get({(int64_t)params.size()}, gb.getI64Type());
        auto global = memref::GlobalOp::create(
            gb, op->getLoc(), gb.getStringAttr("__mlc_params_" + std::to_string(counter++)),
            gb.getStringAttr("private"), TypeAttr::get(paramsType),
            DenseElementsAttr::get(tensorType, params), gb.getUnitAttr(), gb.getI64IntegerAttr(8));
        symbols.insert(global);
        paramsBuffer = memref::GetGlobalOp::create(b, loc, paramsType, global.getSymName());
      }
      SmallVector<Value> args = {dataPointer(b, loc, paramsBuffer)};
      for (Value operand : op->getOperands())
        args.push_back(dataPointer(b, loc, operand));
      func::CallOp::create(b, loc, callee, TypeRange{}, args);
      op->erase();
    }
    lowerScalarCalls(module, symbols);
  }

  /// The parameters of a microkernel op with dynamic entries in a stack
  /// buffer, those read from its buffers' dims: a convolution's batch (the
  /// input's dim 0), a matmul's rows and batch stride (A [batch, m, k]).
  FailureOr<Value> runtimeParams(OpBuilder &b, Operation *op, ArrayRef<int64_t> params, MemRefType type) {
    Location loc = op->getLoc();
    Type i64 = b.getI64Type();
    auto dimOf = [&](unsigned operand, int64_t d) -> Value {
      return arith::IndexCastOp::create(b, loc, i64, memref::DimOp::create(b, loc, op->getOperand(operand), d));
    };
    Value buffer = memref::AllocaOp::create(b, loc, type);
    bool matmul = isa<mlc::kernel::MatMulOp>(op);
    for (auto [i, p] : llvm::enumerate(params)) {
      Value v;
      if (!ShapedType::isDynamic(p))
        v = arith::ConstantIntOp::create(b, loc, i64, p);
      else if (!matmul && i == 0 && isa<mlc::kernel::Conv2DOp, mlc::kernel::DepthwiseConv2DOp>(op))
        v = dimOf(0, 0);
      else if (matmul && i == 1)
        v = dimOf(0, 1);
      else if (matmul && i == 5)
        v = arith::MulIOp::create(b, loc, dimOf(0, 1), arith::ConstantIntOp::create(b, loc, i64, params[3]));
      else
        return op->emitError("internal error: parameter ") << i << " of this microkernel cannot be dynamic";
      memref::StoreOp::create(b, loc, v, buffer, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
    }
    return buffer;
  }

  /// callee(scalars..., then a pointer to each buffer).
  void lowerRuntimeCall(mlc::kernel::RuntimeCallOp call, SymbolTable &symbols) {
    OpBuilder b(call);
    Location loc = call.getLoc();
    SmallVector<Type> argTypes(call.getScalars().size(), b.getI64Type());
    argTypes.append(call.getInputs().size() + call.getOutputs().size(), LLVM::LLVMPointerType::get(b.getContext()));
    declareRuntimeFunction(symbols, call.getCallee(), b.getFunctionType(argTypes, {}));
    SmallVector<Value> args(call.getScalars());
    for (Value buffer : llvm::concat<Value>(call.getInputs(), call.getOutputs()))
      args.push_back(dataPointer(b, loc, buffer));
    func::CallOp::create(b, loc, call.getCallee(), TypeRange{}, args);
    call.erase();
  }

  /// kernel.call becomes func.call of a declared function; each distinct
  /// kernel.string_literal one constant global whose address it takes.
  void lowerScalarCalls(ModuleOp module, SymbolTable &symbols) {
    llvm::StringMap<LLVM::GlobalOp> literals;
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<mlc::kernel::CallOp, mlc::kernel::StringLiteralOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      if (auto call = dyn_cast<mlc::kernel::CallOp>(op)) {
        declareRuntimeFunction(symbols, call.getCallee(), b.getFunctionType(call.getOperandTypes(), call.getType()));
        auto replacement = func::CallOp::create(b, loc, call.getCallee(), call.getType(), call.getOperands());
        call.getResult().replaceAllUsesWith(replacement.getResult(0));
        call.erase();
      } else if (auto literal = dyn_cast<mlc::kernel::StringLiteralOp>(op)) {
        LLVM::GlobalOp &global = literals[literal.getValue()];
        if (!global) {
          OpBuilder gb = OpBuilder::atBlockBegin(module.getBody());
          std::string bytes = literal.getValue().str();
          bytes.push_back('\0');
          auto type = LLVM::LLVMArrayType::get(gb.getI8Type(), bytes.size());
          global = LLVM::GlobalOp::create(gb, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
                                          "__mlc_str_" + std::to_string(literals.size() - 1),
                                          gb.getStringAttr(bytes));
          symbols.insert(global);
        }
        Value address = LLVM::AddressOfOp::create(b, loc, global);
        literal.replaceAllUsesWith(LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), address).getResult());
        literal.erase();
      }
    }
  }
};
} // namespace
