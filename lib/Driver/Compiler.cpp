//===- Compiler.cpp - mlc compile: ONNX to object file and header ---------===//
//
// Import, the MLIR pipelines (passes/CPU/Pipelines.cpp), translation to LLVM
// IR, the artifact's ABI, LLVM's O3 pipeline for the target machine, and the
// object file (or a shared library linked with the runtime). Diagnostics are
// printed as `mlc: error: <file>: node '<name>': <message>`.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include "dialects/Kernel/KernelDialect.h"
#include "dialects/ONNX/ONNXDialect.h"
#include "mlc/Frontend/ONNXImporter.h"
#include "passes/CPU/Passes.h"
#include "passes/CUDA/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/ADT/StringSet.h"

#include <chrono>

using namespace mlir;
using namespace mlc::driver;

namespace {

/// Prints diagnostics naming the model file and the ONNX node.
struct DiagnosticPrinter {
  explicit DiagnosticPrinter(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &diag) { print(diag); }) {}

  static void describe(Location loc, std::string &file, std::string &node) {
    if (auto name = dyn_cast<NameLoc>(loc)) {
      if (node.empty()) node = name.getName().str();
      describe(name.getChildLoc(), file, node);
    } else if (auto f = dyn_cast<FileLineColLoc>(loc)) {
      if (file.empty()) file = f.getFilename().str();
    } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
      for (Location l : fused.getLocations()) describe(l, file, node);
    } else if (auto cs = dyn_cast<CallSiteLoc>(loc)) {
      describe(cs.getCallee(), file, node);
    }
  }

  void print(Diagnostic &diag) {
    std::string file, node;
    describe(diag.getLocation(), file, node);
    const char *kind = diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
                       : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                                            : "note";
    llvm::errs() << "mlc: " << kind << ": ";
    if (!file.empty()) llvm::errs() << file << ": ";
    if (!node.empty()) llvm::errs() << "node '" << node << "': ";
    llvm::errs() << diag.str() << "\n";
    for (Diagnostic &note : diag.getNotes())
      llvm::errs() << "mlc: note: " << note.str() << "\n";
  }

  ScopedDiagnosticHandler handler;
};

class StageTimer {
public:
  StageTimer(bool enabled) : enabled(enabled), last(std::chrono::steady_clock::now()) {}
  void lap(const char *stage) {
    auto now = std::chrono::steady_clock::now();
    if (enabled)
      llvm::errs() << "mlc: time: " << stage << " "
                   << std::chrono::duration<double>(now - last).count() << " s\n";
    last = now;
  }

private:
  bool enabled;
  std::chrono::steady_clock::time_point last;
};

TensorInfo tensorInfo(StringRef name, Type type) {
  auto t = cast<RankedTensorType>(type);
  TensorInfo info;
  info.name = name.str();
  info.dtype = mlc::onnx::getONNXElementType(t.getElementType());
  for (int64_t d : t.getShape())
    info.dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return info;
}

bool writeFile(StringRef path, function_ref<void(llvm::raw_pwrite_stream &)> write) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    llvm::errs() << "mlc: error: cannot write '" << path << "': " << ec.message() << "\n";
    return false;
  }
  write(out.os());
  out.keep();
  return true;
}

std::unique_ptr<llvm::TargetMachine> createTargetMachine(const CompileOptions &options,
                                                         std::string &tripleText) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  bool host = options.triple.empty();
  tripleText = host ? llvm::sys::getDefaultTargetTriple() : options.triple;
  llvm::Triple triple(tripleText);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    llvm::errs() << "mlc: error: unknown target triple '" << tripleText << "': " << error << "\n";
    return nullptr;
  }
  std::string cpu = options.cpu, features;
  if (cpu.empty())
    cpu = host ? llvm::sys::getHostCPUName().str() : "generic";
  if (host && options.cpu.empty()) {
    llvm::SubtargetFeatures f;
    for (auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      f.AddFeature(name, enabled);
    features = f.getString();
  }
  llvm::TargetOptions to;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

/// Functions of more IR instructions than this (before optimization) are
/// compiled without it: no inlining into them, the fast instruction selector
/// and register allocator. Only a model's schedule gets so long (resnet50's
/// has about 100 instructions, BERT's 1200): torchvision's SSD models unroll
/// their per-class post-processing into over a thousand kernels, and
/// inlining them all into the schedule made its code generation, superlinear
/// in its length, take two minutes. The kernels stay optimized; the schedule
/// only calls them and computes their dims.
constexpr unsigned kOptimizedFunctionLimit = 10000;

void optimize(llvm::Module &m, llvm::TargetMachine *tm) {
  for (llvm::Function &f : m) {
    if (f.isDeclaration() || f.getInstructionCount() <= kOptimizedFunctionLimit)
      continue;
    f.addFnAttr(llvm::Attribute::OptimizeNone);
    f.addFnAttr(llvm::Attribute::NoInline);
    f.removeFnAttr(llvm::Attribute::AlwaysInline);
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = true;
  llvm::PassBuilder pb(tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
}
/// Checks --cuda-arch values ("sm_90", or "90") into `archs`.
bool parseCUDAArchs(const std::vector<std::string> &requested, std::vector<std::string> &archs) {
  static const llvm::StringSet<llvm::MallocAllocator> known = {"sm_80", "sm_86", "sm_87", "sm_89",
                                                               "sm_90"};
  archs.clear();
  for (const std::string &text : requested) {
    std::string arch = llvm::StringRef(text).starts_with("sm_") ? text : "sm_" + text;
    if (!known.contains(arch)) {
      llvm::errs() << "mlc: error: unsupported --cuda-arch=" << text
                   << " (expected sm_80, sm_86, sm_87, sm_89 or sm_90)\n";
      return false;
    }
    if (!llvm::is_contained(archs, arch))
      archs.push_back(arch);
  }
  if (archs.empty()) {
    llvm::errs() << "mlc: error: --target=cuda needs at least one --cuda-arch\n";
    return false;
  }
  return true;
}

/// The device weights layout that mlc-cuda-device-constants recorded.
void readDeviceConstants(func::FuncOp forward, ModelInfo &info) {
  if (auto size = forward->getAttrOfType<IntegerAttr>("mlc.weights_size"))
    info.weightsSize = size.getInt();
  if (auto table = forward->getAttrOfType<ArrayAttr>("mlc.device_constants"))
    for (Attribute entry : table) {
      auto fields = cast<ArrayAttr>(entry);
      info.deviceConstants.push_back(
          {cast<FlatSymbolRefAttr>(fields[0]).getValue().str(),
           static_cast<uint64_t>(cast<IntegerAttr>(fields[1]).getInt()),
           static_cast<uint64_t>(cast<IntegerAttr>(fields[2]).getInt())});
    }
}

/// Takes the PTX of each architecture out of the module's gpu.binary, checks
/// that it needs nothing mlc does not link, and assembles a cubin per
/// architecture when ptxas is available (which also validates the PTX).
bool collectDeviceImages(ModuleOp module, const CompileOptions &options, ModelInfo &info) {
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  if (binaries.empty())
    return true; // a model without kernels (all constant, or pure views)
  if (binaries.size() != 1) {
    llvm::errs() << "mlc: error: internal error: expected one gpu.binary, found " << binaries.size()
                 << "\n";
    return false;
  }
  std::string ptxas = findPtxas(options.ptxas);
  if (!options.ptxas.empty() && options.ptxas != "none" && !llvm::sys::fs::can_execute(ptxas)) {
    llvm::errs() << "mlc: error: --ptxas=" << options.ptxas << " is not an executable\n";
    return false;
  }
  for (Attribute attr : binaries.front().getObjects()) {
    auto object = cast<gpu::ObjectAttr>(attr);
    auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
    if (!target || object.getFormat() != gpu::CompilationTarget::Assembly) {
      llvm::errs() << "mlc: error: internal error: expected NVVM PTX objects\n";
      return false;
    }
    std::string arch = target.getChip().str();
    DeviceImage ptx;
    ptx.format = 0;
    ptx.arch = std::stoi(arch.substr(3));
    ptx.data = object.getObject().getValue().str();
    size_t libdevice = ptx.data.find(".extern .func");
    if (libdevice != std::string::npos) {
      size_t end = ptx.data.find('\n', libdevice);
      llvm::errs() << "mlc: error: the kernels call a function that mlc does not link ("
                   << ptx.data.substr(libdevice, end - libdevice)
                   << "): an operator's math has no inline GPU lowering yet\n";
      return false;
    }
    if (!ptxas.empty()) {
      DeviceImage cubin;
      cubin.format = 1;
      cubin.arch = ptx.arch;
      std::string error;
      if (!assemblePTX(ptxas, ptx.data, arch, cubin.data, error)) {
        llvm::errs() << "mlc: error: " << error << "\n";
        return false;
      }
      info.deviceImages.push_back(std::move(cubin));
    }
    info.deviceImages.push_back(std::move(ptx));
  }
  return true;
}
} // namespace

std::string mlc::driver::executableDir(const char *argv0) {
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, &anchor);
  return llvm::sys::path::parent_path(exe).str();
}

bool mlc::driver::compileModel(const CompileOptions &options, const char *argv0, ModelInfo &info) {
  StageTimer timer(options.timing);
  bool cuda = options.target == "cuda";
  if (!cuda && options.target != "cpu") {
    llvm::errs() << "mlc: error: unknown --target=" << options.target << " (expected cpu or cuda)\n";
    return false;
  }
  static const llvm::StringSet<llvm::MallocAllocator> emits = {"obj", "shared", "mlir", "llvm",
                                                               "asm", "ptx"};
  if (!emits.contains(options.emit) || (options.emit == "ptx" && !cuda)) {
    llvm::errs() << "mlc: error: unknown --emit=" << options.emit
                 << " (expected obj, shared, mlir, llvm or asm; ptx with --target=cuda)\n";
    return false;
  }
  mlc::cuda::CUDAOptions cudaOptions;
  cudaOptions.tileMinPoints = options.cudaTileMinPoints;
  if (cuda) {
    if (!parseCUDAArchs(options.cudaArchs, cudaOptions.archs))
      return false;
    if (!options.triple.empty() || !options.cpu.empty()) {
      llvm::errs() << "mlc: error: --triple and --cpu apply to --target=cpu only\n";
      return false;
    }
  }
  bool emulate = cuda && options.cudaEmulate;
  if (options.cudaEmulate && !cuda) {
    llvm::errs() << "mlc: error: --cuda-emulate needs --target=cuda\n";
    return false;
  }
  if (options.profile && cuda) {
    llvm::errs() << "mlc: error: --profile is for --target=cpu; CUDA models time their launches "
                    "with MLC_CUDA_PROFILE=FILE at run time\n";
    return false;
  }
  if (emulate && options.emit == "ptx") {
    llvm::errs() << "mlc: error: --cuda-emulate makes no PTX\n";
    return false;
  }
  if (options.output.empty()) {
    llvm::errs() << "mlc: error: no output path (-o)\n";
    return false;
  }

  // The pipelines name upstream passes textually: register them once.
  static bool passesRegistered = (registerAllPasses(), true);
  (void)passesRegistered;
  llvm::StringRef parent = llvm::sys::path::parent_path(options.output);
  if (!parent.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(parent)) {
      llvm::errs() << "mlc: error: cannot create '" << parent << "': " << ec.message() << "\n";
      return false;
    }
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  mlc::kernel::registerBufferizableOpInterfaceExternalModels(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<mlc::onnx::ONNXDialect, mlc::kernel::KernelDialect>();
  // Owned so that the MLIR side (its IR and the weights' resource blobs) can
  // go once the module is LLVM IR, before LLVM's optimizer and code
  // generator add their own copies (BERT-base: 1.9 -> 1.4 GiB compiler peak).
  auto ctxOwner = std::make_unique<MLIRContext>(registry);
  MLIRContext &ctx = *ctxOwner;
  ctx.disableMultithreading();
  auto printer = std::make_unique<DiagnosticPrinter>(ctx);

  mlc::frontend::ImportOptions importOptions;
  importOptions.inputShapes = options.inputShapes;
  OwningOpRef<ModuleOp> module = mlc::frontend::importONNXModel(options.model, importOptions, &ctx);
  if (!module)
    return false;
  timer.lap("import");

  info.name = sanitizeIdentifier(options.name.empty()
                                     ? llvm::sys::path::stem(options.output).str()
                                     : options.name);
  if (options.emit == "mlir")
    return writeFile(options.output + ".mlir", [&](llvm::raw_pwrite_stream &os) { module->print(os); });

  // The signature before bufferization names the model's inputs and outputs.
  auto forward = module->lookupSymbol<func::FuncOp>("forward");
  auto inNames = forward->getAttrOfType<ArrayAttr>("mlc.input_names");
  auto outNames = forward->getAttrOfType<ArrayAttr>("mlc.output_names");
  {
    PassManager graph(&ctx);
    mlc::cpu::buildGraphPipeline(graph);
    if (failed(graph.run(*module)))
      return false;
    FunctionType type = forward.getFunctionType();
    for (auto [name, t] : llvm::zip(inNames, type.getInputs())) {
      if (!isa<RankedTensorType>(t)) {
        emitError(forward.getLoc()) << "input '" << cast<StringAttr>(name).getValue()
                                    << "' has no rank (" << t << ")";
        return false;
      }
      info.inputs.push_back(tensorInfo(cast<StringAttr>(name).getValue(), t));
    }
    for (auto [name, t] : llvm::zip(outNames, type.getResults())) {
      if (!isa<RankedTensorType>(t)) {
        emitError(forward.getLoc()) << "output '" << cast<StringAttr>(name).getValue()
                                    << "' has no rank (" << t << ")";
        return false;
      }
      info.outputs.push_back(tensorInfo(cast<StringAttr>(name).getValue(), t));
    }
    for (const std::vector<TensorInfo> *list : {&info.inputs, &info.outputs})
      for (const TensorInfo &t : *list)
        info.dynamic |= llvm::is_contained(t.dims, -1);
    // Dims computed inside the graph (from a shape input, say) take the
    // run-time-dims pipeline too, though the outputs are static.
    Operation *computesDims = nullptr;
    forward.walk([&](Operation *op) {
      bool dynamic = llvm::any_of(op->getResultTypes(), [](Type t) {
        auto ranked = dyn_cast<RankedTensorType>(t);
        return ranked && !ranked.hasStaticShape();
      });
      if (dynamic && !computesDims)
        computesDims = op;
    });
    if (computesDims && cuda && !info.dynamic) {
      computesDims->emitError("computes dims at run time, which --target=cuda does not support");
      return false;
    }
    info.dynamic |= computesDims != nullptr;
    // Symbolic dims are read at run time on the CPU; the CUDA target needs
    // them fixed.
    if (info.dynamic && cuda) {
      for (auto [name, t] : llvm::zip(inNames, type.getInputs()))
        if (!cast<RankedTensorType>(t).hasStaticShape()) {
          emitError(forward.getLoc()) << "input '" << cast<StringAttr>(name).getValue()
                                      << "' has symbolic dims " << t
                                      << ", which --target=cuda does not support: fix them with "
                                         "--input-shape NAME=DIMS (e.g. 1x3x224x224)";
          return false;
        }
      emitError(forward.getLoc()) << "the model's outputs have dims that depend on values known "
                                     "only at run time, which --target=cuda does not support";
      return false;
    }
  }
  // String functions are host code in libmlcrt.
  if (cuda) {
    auto isString = [](Type t) { return isa<mlc::onnx::StringType>(getElementTypeOrSelf(t)); };
    WalkResult strings = forward.walk([&](Operation *op) {
      if (llvm::any_of(op->getOperandTypes(), isString) || llvm::any_of(op->getResultTypes(), isString)) {
        op->emitError("string tensors are not supported with --target=cuda");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (strings.wasInterrupted() || llvm::any_of(forward.getArgumentTypes(), isString)) {
      if (!strings.wasInterrupted())
        emitError(forward.getLoc()) << "string inputs are not supported with --target=cuda";
      return false;
    }
  }
  PassManager lowering(&ctx);
  // The CPU microkernels are calls into libmlcrt's x86/C code; on the GPU
  // convolutions and matmuls stay linalg ops and lower like the rest.
  mlc::cpu::buildKernelFormationPipeline(lowering, /*useMicrokernels=*/!cuda);
  if (cuda)
    mlc::cuda::buildCUDABufferizePipeline(lowering);
  else
    mlc::cpu::buildCPUBufferizePipeline(lowering, info.dynamic, options.profile);
  if (failed(lowering.run(*module)))
    return false;
  timer.lap("graph, kernels, bufferization");
  if (auto ws = forward->getAttrOfType<IntegerAttr>("mlc.workspace_size"))
    info.workspaceSize = ws.getInt();
  info.target = emulate ? 2 : cuda ? 1 : 0;
  if (cuda)
    readDeviceConstants(forward, info);
  PassManager toLLVM(&ctx);
  if (emulate)
    mlc::cuda::buildCUDAEmulationPipeline(toLLVM, cudaOptions);
  else if (cuda)
    mlc::cuda::buildCUDALowerToLLVMPipeline(toLLVM, cudaOptions);
  else
    mlc::cpu::buildCPULowerToLLVMPipeline(toLLVM, info.dynamic);
  if (failed(toLLVM.run(*module)))
    return false;
  timer.lap("lowering to LLVM dialect");
  if (cuda && !emulate) {
    if (!collectDeviceImages(*module, options, info))
      return false;
    timer.lap("device images");
    if (options.emit == "ptx") {
      for (const DeviceImage &image : info.deviceImages) {
        if (image.format != 0)
          continue;
        std::string path = options.output + (cudaOptions.archs.size() > 1
                                                 ? ".sm_" + std::to_string(image.arch) : "") + ".ptx";
        if (!writeFile(path, [&](llvm::raw_pwrite_stream &os) { os << image.data; }))
          return false;
      }
      return true;
    }
  }

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(*module, llvmContext, info.name);
  if (!llvmModule) {
    llvm::errs() << "mlc: error: translation to LLVM IR failed\n";
    return false;
  }
  module = nullptr;
  printer.reset();
  ctxOwner.reset();
  std::string error;
  if (cuda && !emulate && !rewriteGPURuntimeCalls(*llvmModule, error)) {
    llvm::errs() << "mlc: error: " << error << "\n";
    return false;
  }
  if (!addArtifactABI(*llvmModule, info, error)) {
    llvm::errs() << "mlc: error: " << error << "\n";
    return false;
  }
  std::string triple;
  // A CUDA model's host code only launches kernels: build it for the generic
  // CPU so that an object compiled here runs on any GPU server's host.
  CompileOptions hostOptions = options;
  if (cuda && !emulate)
    hostOptions.cpu = "generic";
  auto tm = createTargetMachine(hostOptions, triple);
  if (!tm)
    return false;
  llvmModule->setTargetTriple(llvm::Triple(triple));
  llvmModule->setDataLayout(tm->createDataLayout());
  if (llvm::verifyModule(*llvmModule, &llvm::errs())) {
    llvm::errs() << "mlc: error: internal error: invalid LLVM IR\n";
    return false;
  }
  optimize(*llvmModule, tm.get());
  timer.lap("LLVM optimization");

  if (options.emit == "llvm")
    return writeFile(options.output + ".ll", [&](llvm::raw_pwrite_stream &os) { llvmModule->print(os, nullptr); });

  bool asmFile = options.emit == "asm";
  std::string objPath = options.output + (asmFile ? ".s" : ".o");
  if (options.emit == "shared") {
    llvm::SmallString<128> tmp;
    if (llvm::sys::fs::createTemporaryFile("mlc-" + info.name, "o", tmp)) {
      llvm::errs() << "mlc: error: cannot create a temporary file\n";
      return false;
    }
    objPath = tmp.str().str();
  }
  bool ok = writeFile(objPath, [&](llvm::raw_pwrite_stream &os) {
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, os, nullptr,
                                asmFile ? llvm::CodeGenFileType::AssemblyFile
                                        : llvm::CodeGenFileType::ObjectFile)) {
      llvm::errs() << "mlc: error: the target cannot emit this file type\n";
      return;
    }
    codegen.run(*llvmModule);
  });
  if (!ok)
    return false;
  timer.lap("code generation");

  if (options.emit == "shared") {
    // Link the object with the runtime into one self-contained library.
    std::string runtime = executableDir(argv0) + "/../lib/libmlcrt.a";
    auto cc = llvm::sys::findProgramByName("cc");
    if (!cc) {
      llvm::errs() << "mlc: error: --emit=shared needs a C compiler driver ('cc') on PATH\n";
      llvm::sys::fs::remove(objPath);
      return false;
    }
    std::string out = options.output + ".so";
    SmallVector<StringRef> args = {*cc, "-shared", "-o", out, objPath, "-Wl,--whole-archive",
                                   runtime, "-Wl,--no-whole-archive", "-lpthread", "-lm", "-ldl"};
    std::string msg;
    int rc = llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &msg);
    llvm::sys::fs::remove(objPath);
    if (rc != 0) {
      llvm::errs() << "mlc: error: linking '" << out << "' failed" << (msg.empty() ? "" : ": ") << msg << "\n";
      return false;
    }
  }
  if (options.writeHeader && options.emit != "asm")
    if (!writeFile(options.output + ".h", [&](llvm::raw_pwrite_stream &os) { writeHeader(os, info); }))
      return false;
  return true;
}

int mlc::driver::compile(const CompileOptions &options, const char *argv0) {
  ModelInfo info;
  return compileModel(options, argv0, info) ? 0 : 1;
}

bool mlc::driver::parseDims(const std::string &text, std::vector<int64_t> &dims) {
  dims.clear();
  if (text.empty())
    return false;
  for (StringRef part : llvm::split(StringRef(text), 'x')) {
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0)
      return false;
    dims.push_back(d);
  }
  return true;
}
