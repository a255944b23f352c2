//===- ArtifactWriter.cpp - the model's ABI and C header ------------------===//
//
// The object file exports one constant, `mlc_model_<name>`, laid out as
// `mlc_model_desc` in include/mlc/runtime.h, and one function,
// `mlc_<name>_entry(void *const *inputs, void *const *outputs, void *ws,
// mlc_exec_ctx *ctx)`. Both are built here in LLVM IR around the `forward`
// function that the MLIR pipeline produced (bare pointers: inputs, outputs,
// workspace). A model with symbolic dims has `mlc_<name>_dynamic_entry`
// instead (mlc_dynamic_entry_fn): its forward takes memref descriptors and
// returns the outputs it allocated. The header declares them for C and C++.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include "mlc/runtime.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/IRBuilder.h"

#include <cstring>

using namespace llvm;
using namespace mlc::driver;

namespace {
constexpr uint32_t kABIVersion = MLC_ABI_VERSION;

Constant *stringConstant(Module &m, StringRef text, const Twine &name) {
  auto *init = ConstantDataArray::getString(m.getContext(), text, /*AddNull=*/true);
  auto *gv = new GlobalVariable(m, init->getType(), true, GlobalValue::PrivateLinkage, init, name);
  gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return gv;
}

/// An array of mlc_tensor_desc {ptr name, i32 dtype, i32 rank, ptr dims}.
Constant *tensorDescs(Module &m, StructType *descType, ArrayRef<TensorInfo> tensors,
                      StringRef prefix) {
  LLVMContext &ctx = m.getContext();
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  SmallVector<Constant *> elems;
  for (auto [i, t] : llvm::enumerate(tensors)) {
    SmallVector<Constant *> dims;
    for (int64_t d : t.dims)
      dims.push_back(ConstantInt::get(i64, d));
    auto *dimsType = ArrayType::get(i64, dims.size());
    auto *dimsGV = new GlobalVariable(m, dimsType, true, GlobalValue::PrivateLinkage,
                                      ConstantArray::get(dimsType, dims),
                                      prefix + "_dims" + Twine(i));
    elems.push_back(ConstantStruct::get(
        descType, {stringConstant(m, t.name, prefix + "_name" + Twine(i)),
                   ConstantInt::get(i32, t.dtype), ConstantInt::get(i32, t.dims.size()), dimsGV}));
  }
  auto *arrayType = ArrayType::get(descType, elems.size());
  return new GlobalVariable(m, arrayType, true, GlobalValue::PrivateLinkage,
                            ConstantArray::get(arrayType, elems), prefix);
}
} // namespace

/// Appends the in-memory bytes of a constant array (nested arrays of plain
/// integers or floats, which have no padding) to `out`; false for anything
/// else.
static bool appendArrayBytes(Constant *c, std::string &out) {
  if (auto *data = dyn_cast<ConstantDataSequential>(c)) {
    out += data->getRawDataValues();
    return true;
  }
  if (auto *array = dyn_cast<ConstantArray>(c)) {
    for (Value *element : array->operands())
      if (!appendArrayBytes(cast<Constant>(element), out))
        return false;
    return true;
  }
  if (isa<ConstantAggregateZero>(c)) {
    Type *type = c->getType();
    uint64_t count = 1;
    while (auto *arrayType = dyn_cast<ArrayType>(type)) {
      count *= arrayType->getNumElements();
      type = arrayType->getElementType();
    }
    unsigned bits = type->getPrimitiveSizeInBits();
    if (!(type->isIntegerTy() || type->isFloatingPointTy()) || bits % 8 != 0)
      return false;
    out.append(count * (bits / 8), '\0');
    return true;
  }
  return false;
}

/// Re-types large constant arrays (the weights) as flat byte arrays with the
/// same contents. The code generator writes an i8 array as one block of bytes
/// but a float array (or an array of arrays, as N-d weights become) one
/// element at a time, which took most of the compile time of a BERT-base
/// model (440 MB of weights). Uses go through opaque pointers, so the
/// globals' value types are free to change.
static void weightsAsBytes(Module &m) {
  constexpr uint64_t kMinBytes = 4096;
  SmallVector<GlobalVariable *> globals;
  for (GlobalVariable &gv : m.globals()) {
    if (!gv.isConstant() || !gv.hasInitializer() || !gv.getValueType()->isArrayTy())
      continue;
    if (auto *data = dyn_cast<ConstantDataArray>(gv.getInitializer()))
      if (data->getElementType()->isIntegerTy(8))
        continue; // already bytes
    globals.push_back(&gv);
  }
  // One at a time, so that only one weight's bytes are copied at once.
  for (GlobalVariable *gv : globals) {
    std::string raw;
    if (!appendArrayBytes(gv->getInitializer(), raw) || raw.size() < kMinBytes)
      continue;
    Constant *bytes = ConstantDataArray::getRaw(raw, raw.size(), Type::getInt8Ty(m.getContext()));
    auto *replacement = new GlobalVariable(m, bytes->getType(), true, gv->getLinkage(), bytes, "",
                                           gv, gv->getThreadLocalMode(), gv->getAddressSpace());
    replacement->setAlignment(gv->getAlign());
    replacement->setUnnamedAddr(gv->getUnnamedAddr());
    replacement->takeName(gv);
    gv->replaceAllUsesWith(replacement);
    gv->eraseFromParent();
  }
}

/// mlc_<name>_dynamic_entry(inputs, input_dims, outputs, ws, ctx) around
/// forward(input descriptors..., workspace descriptor) -> output descriptors,
/// with MLIR's memref descriptor {allocated, aligned, offset, sizes[rank],
/// strides[rank]} passed field by field and returned as a struct (a struct of
/// them for several outputs).
static Function *buildDynamicEntry(Module &m, Function *forward, const ModelInfo &info,
                                   std::string &error) {
  LLVMContext &ctx = m.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i64 = Type::getInt64Ty(ctx), *i8 = Type::getInt8Ty(ctx);
  size_t expectedArgs = 5; // the workspace
  for (const TensorInfo &t : info.inputs)
    expectedArgs += 3 + 2 * t.dims.size();
  if (forward->arg_size() != expectedArgs ||
      forward->getReturnType()->isVoidTy() != info.outputs.empty()) {
    error = "internal error: the lowered forward does not take memref descriptors of its "
            "inputs and workspace and return its outputs";
    return nullptr;
  }
  auto *type = FunctionType::get(Type::getVoidTy(ctx), {ptr, ptr, ptr, ptr, ptr}, false);
  Function *entry = Function::Create(type, GlobalValue::ExternalLinkage,
                                     "mlc_" + info.name + "_dynamic_entry", m);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", entry));
  SmallVector<Value *> args;
  for (auto [i, t] : llvm::enumerate(info.inputs)) {
    Value *data = b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, entry->getArg(0), i));
    Value *dims = b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, entry->getArg(1), i));
    size_t rank = t.dims.size();
    SmallVector<Value *> sizes, strides(rank);
    for (size_t k = 0; k < rank; ++k)
      sizes.push_back(b.CreateLoad(i64, b.CreateConstInBoundsGEP1_64(i64, dims, k)));
    Value *stride = ConstantInt::get(i64, 1);
    for (size_t k = rank; k-- > 0;) {
      strides[k] = stride;
      stride = b.CreateMul(stride, sizes[k]);
    }
    args.append({data, data, ConstantInt::get(i64, 0)});
    args.append(sizes.begin(), sizes.end());
    args.append(strides.begin(), strides.end());
  }
  Value *ws = entry->getArg(3);
  args.append({ws, ws, ConstantInt::get(i64, 0),
               ConstantInt::get(i64, std::max<uint64_t>(info.workspaceSize, 1)),
               ConstantInt::get(i64, 1)});
  Value *results = b.CreateCall(forward, args);
  auto *recordType = StructType::get(ctx, {ptr, ptr, ptr});
  for (auto [j, t] : llvm::enumerate(info.outputs)) {
    Value *desc = info.outputs.size() == 1 ? results : b.CreateExtractValue(results, j);
    Value *record = b.CreateConstInBoundsGEP1_64(recordType, entry->getArg(2), j);
    b.CreateStore(b.CreateExtractValue(desc, 0), b.CreateStructGEP(recordType, record, 0));
    Value *offset = b.CreateMul(b.CreateExtractValue(desc, 2),
                                ConstantInt::get(i64, dtypeSize(t.dtype)));
    b.CreateStore(b.CreateInBoundsGEP(i8, b.CreateExtractValue(desc, 1), offset),
                  b.CreateStructGEP(recordType, record, 1));
    Value *dims = b.CreateLoad(ptr, b.CreateStructGEP(recordType, record, 2));
    for (size_t k = 0; k < t.dims.size(); ++k)
      b.CreateStore(b.CreateExtractValue(desc, {3, (unsigned)k}),
                    b.CreateConstInBoundsGEP1_64(i64, dims, k));
  }
  b.CreateRetVoid();
  return entry;
}

bool mlc::driver::addArtifactABI(Module &m, const ModelInfo &info, std::string &error) {
  weightsAsBytes(m);
  LLVMContext &ctx = m.getContext();
  Function *forward = m.getFunction("forward");
  // forward(inputs..., outputs..., workspace[, device weights])
  bool deviceWeights = info.target != 0;
  size_t expectedArgs = info.inputs.size() + info.outputs.size() + 1 + (deviceWeights ? 1 : 0);
  if (!forward || (!info.dynamic && forward->arg_size() != expectedArgs)) {
    error = "internal error: the lowered module has no forward(inputs, outputs, workspace)";
    return false;
  }
  forward->setName("mlc_" + info.name + "_forward");
  // Only the entry and the descriptor are exported: kernels and forward stay
  // internal so that several models can be linked into one program.
  for (Function &f : m) {
    if (!f.isDeclaration())
      f.setLinkage(GlobalValue::InternalLinkage);
    // Parallel loops call the OpenMP runtime ABI; libmlcrt implements the
    // entry points under its own names (lib/Runtime/openmp_shim.c).
    else if (f.getName().starts_with("__kmpc_"))
      f.setName("mlc_rt_kmpc_" + f.getName().drop_front(strlen("__kmpc_")));
  }

  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  Constant *entry = ConstantPointerNull::get(cast<PointerType>(ptr));
  Constant *dynamicEntry = entry;
  if (info.dynamic) {
    dynamicEntry = buildDynamicEntry(m, forward, info, error);
    if (!dynamicEntry)
      return false;
  } else {
    auto *entryType = FunctionType::get(Type::getVoidTy(ctx), {ptr, ptr, ptr, ptr}, false);
    Function *fn = Function::Create(entryType, GlobalValue::ExternalLinkage,
                                    "mlc_" + info.name + "_entry", m);
    entry = fn;
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", fn));
    SmallVector<Value *> args;
    auto loadArray = [&](Value *array, size_t n) {
      for (size_t i = 0; i < n; ++i)
        args.push_back(b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, array, i)));
    };
    loadArray(fn->getArg(0), info.inputs.size());
    loadArray(fn->getArg(1), info.outputs.size());
    args.push_back(fn->getArg(2));
    if (deviceWeights) {
      FunctionCallee weights =
          m.getOrInsertFunction("mlc_rt_cuda_weights", FunctionType::get(ptr, {ptr}, false));
      args.push_back(b.CreateCall(weights, {fn->getArg(3)}));
    }
    b.CreateCall(forward, args);
    b.CreateRetVoid();
  }

  // CUDA: the kernel images and the table of constants to upload.
  std::string prefix = "mlc_" + info.name;
  auto *imageType = StructType::create(ctx, {i32, i32, ptr, i64}, "mlc_device_image");
  SmallVector<Constant *> images;
  for (auto [i, image] : llvm::enumerate(info.deviceImages)) {
    bool text = image.format == 0;
    Constant *bytes = ConstantDataArray::getString(ctx, image.data, /*AddNull=*/text);
    auto *gv = new GlobalVariable(m, bytes->getType(), true, GlobalValue::PrivateLinkage, bytes,
                                  prefix + "_image" + Twine(i));
    gv->setAlignment(Align(64));
    images.push_back(ConstantStruct::get(
        imageType, {ConstantInt::get(i32, image.format), ConstantInt::get(i32, image.arch), gv,
                    ConstantInt::get(i64, image.data.size() + (text ? 1 : 0))}));
  }
  auto *constantType = StructType::create(ctx, {ptr, i64, i64}, "mlc_device_constant");
  SmallVector<Constant *> constants;
  for (const DeviceConstant &c : info.deviceConstants) {
    GlobalVariable *gv = m.getGlobalVariable(c.symbol, /*AllowInternal=*/true);
    if (!gv) {
      error = "internal error: the constant '" + c.symbol + "' is missing from the module";
      return false;
    }
    constants.push_back(ConstantStruct::get(
        constantType, {gv, ConstantInt::get(i64, c.offset), ConstantInt::get(i64, c.size)}));
  }
  auto table = [&](StructType *type, ArrayRef<Constant *> elems, const Twine &name) -> Constant * {
    if (elems.empty())
      return ConstantPointerNull::get(cast<PointerType>(ptr));
    auto *arrayType = ArrayType::get(type, elems.size());
    return new GlobalVariable(m, arrayType, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(arrayType, elems), name);
  };
  Constant *imageTable = table(imageType, images, prefix + "_images");
  Constant *constantTable = table(constantType, constants, prefix + "_device_constants");

  auto *tensorDesc = StructType::create(ctx, {ptr, i32, i32, ptr}, "mlc_tensor_desc");
  auto *modelDesc = StructType::create(
      ctx, {i32, i32, ptr, i64, ptr, i64, ptr, i64, i64, ptr, i64, ptr, i64, ptr, i64, ptr},
      "mlc_model_desc");
  Constant *desc = ConstantStruct::get(
      modelDesc, {ConstantInt::get(i32, kABIVersion), ConstantInt::get(i32, info.target),
                  stringConstant(m, info.name, prefix + "_model_name"),
                  ConstantInt::get(i64, info.inputs.size()),
                  tensorDescs(m, tensorDesc, info.inputs, prefix + "_inputs"),
                  ConstantInt::get(i64, info.outputs.size()),
                  tensorDescs(m, tensorDesc, info.outputs, prefix + "_outputs"),
                  ConstantInt::get(i64, info.workspaceSize), ConstantInt::get(i64, 64), entry,
                  ConstantInt::get(i64, images.size()), imageTable,
                  ConstantInt::get(i64, constants.size()), constantTable,
                  ConstantInt::get(i64, info.weightsSize), dynamicEntry});
  auto *gv = new GlobalVariable(m, modelDesc, true, GlobalValue::ExternalLinkage, desc,
                                "mlc_model_" + info.name);
  gv->setAlignment(Align(8));
  return true;
}

size_t mlc::driver::dtypeSize(int32_t dtype) {
  switch (dtype) {
  case 1: case 6: case 12: return 4;
  case 4: case 5: case 10: case 16: return 2;
  case 7: case 11: case 13: return 8;
  case 8: return sizeof(const char *);
  default: return 1; // bool, (u)int8 and the low-precision types
  }
}

static const char *cTypeOf(int32_t dtype) {
  switch (dtype) {
  case 1: return "float";
  case 2: return "uint8_t";
  case 3: return "int8_t";
  case 4: return "uint16_t";
  case 5: return "int16_t";
  case 6: return "int32_t";
  case 7: return "int64_t";
  case 8: return "const char *";
  case 9: return "bool";
  case 10: return "uint16_t /* float16 bits */";
  case 11: return "double";
  case 12: return "uint32_t";
  case 13: return "uint64_t";
  case 16: return "uint16_t /* bfloat16 bits */";
  case 17: return "uint8_t /* float8e4m3fn bits */";
  case 18: return "uint8_t /* float8e4m3fnuz bits */";
  case 19: return "uint8_t /* float8e5m2 bits */";
  case 20: return "uint8_t /* float8e5m2fnuz bits */";
  case 21: return "uint8_t /* uint4, one per byte */";
  case 22: return "int8_t /* int4, one per byte */";
  case 23: return "uint8_t /* float4e2m1 bits, one per byte */";
  case 24: return "uint8_t /* float8e8m0 bits */";
  case 25: return "uint8_t /* uint2, one per byte */";
  case 26: return "int8_t /* int2, one per byte */";
  default: return "void";
  }
}

void mlc::driver::writeHeader(raw_ostream &os, const ModelInfo &info) {
  std::string upper = StringRef(info.name).upper();
  std::string guard = "MLC_MODEL_" + upper + "_H";
  os << "/* Generated by mlc compile: model '" << info.name << "'. Do not edit. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <mlc/runtime.h>\n#include <stdbool.h>\n#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* The model's description: pass its address to mlc_model_create(). */\n"
     << "extern const mlc_model_desc mlc_model_" << info.name << ";\n\n"
     << "#define " << upper << "_NUM_INPUTS " << info.inputs.size() << "\n"
     << "#define " << upper << "_NUM_OUTPUTS " << info.outputs.size() << "\n\n";
  auto describe = [&](ArrayRef<TensorInfo> tensors, StringRef kind) {
    for (auto [i, t] : llvm::enumerate(tensors)) {
      std::string p = upper + "_" + kind.upper() + std::to_string(i);
      int64_t count = 1;
      for (int64_t d : t.dims)
        count *= d;
      os << "/* " << kind << " " << i << ": '" << t.name << "', " << cTypeOf(t.dtype) << " [";
      for (auto [j, d] : llvm::enumerate(t.dims))
        os << (j ? ", " : "") << d;
      os << "] */\n"
         << "#define " << p << "_NAME \"" << t.name << "\"\n"
         << "#define " << p << "_DTYPE " << t.dtype << "\n"
         << "#define " << p << "_RANK " << t.dims.size() << "\n";
      if (!llvm::is_contained(t.dims, -1))
        os << "#define " << p << "_NUM_ELEMENTS " << count << "\n";
      os << "static const int64_t " << info.name << "_" << kind << std::to_string(i)
         << "_dims[" << std::max<size_t>(1, t.dims.size()) << "] = {";
      for (auto [j, d] : llvm::enumerate(t.dims))
        os << (j ? ", " : "") << d;
      if (t.dims.empty())
        os << "0";
      os << "};\n\n";
    }
  };
  describe(info.inputs, "input");
  describe(info.outputs, "output");

  if (info.dynamic) {
    // No typed entry point: the sizes come with each run.
    os << "/* The model has symbolic dims (-1 above): run it with mlc_model_run() or\n"
       << " * mlc_model_run_alloc(), giving each input's dims. */\n\n"
       << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* " << guard << " */\n";
    return;
  }
  // Typed entry point: one pointer per input and output, in order.
  os << "/* Runs the model on host buffers of the sizes above (inputs, then\n"
     << " * outputs, in declaration order). Same status rules as mlc_model_run(). */\n"
     << "static inline mlc_status " << info.name << "_run(mlc_model *model";
  for (auto [i, t] : llvm::enumerate(info.inputs))
    os << ", const " << cTypeOf(t.dtype) << " *input" << i;
  for (auto [i, t] : llvm::enumerate(info.outputs))
    os << ", " << cTypeOf(t.dtype) << " *output" << i;
  os << ") {\n";
  auto tensors = [&](ArrayRef<TensorInfo> list, StringRef kind, StringRef array) {
    os << "  mlc_tensor " << array << "[" << std::max<size_t>(1, list.size()) << "] = {\n";
    for (auto [i, t] : llvm::enumerate(list)) {
      std::string p = upper + "_" + kind.upper() + std::to_string(i);
      os << "    {" << p << "_DTYPE, " << p << "_RANK, " << info.name << "_" << kind << i
         << "_dims, (void *)" << kind << i << ", " << p << "_NUM_ELEMENTS * mlc_dtype_size("
         << p << "_DTYPE)},\n";
    }
    os << "  };\n";
  };
  tensors(info.inputs, "input", "ins");
  tensors(info.outputs, "output", "outs");
  os << "  return mlc_model_run(model, ins, " << upper << "_NUM_INPUTS, outs, " << upper
     << "_NUM_OUTPUTS);\n}\n\n"
     << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* " << guard << " */\n";
}

std::string mlc::driver::sanitizeIdentifier(StringRef text) {
  std::string id;
  for (char c : text)
    id += (isalnum((unsigned char)c) || c == '_') ? c : '_';
  if (id.empty() || isdigit((unsigned char)id[0]))
    id = "m_" + id;
  return id;
}

std::string mlc::driver::sanitizeFileName(StringRef text) {
  std::string name;
  for (char c : text)
    name += (isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-') ? c : '_';
  if (name.empty() || name == "." || name == "..")
    name = "_" + name;
  return name;
}
