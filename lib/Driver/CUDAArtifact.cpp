//===- CUDAArtifact.cpp - host code and device images of CUDA models ------===//
//
// MLIR's gpu-to-llvm lowering writes host code against the mgpu* functions
// of MLIR's own CUDA runtime wrappers, and embeds the selected kernel image
// with a global constructor that loads it at program start. An mlc artifact
// must not touch the GPU before mlc_model_create() (a CPU-only application
// may link it), so the constructors go and the calls are renamed to
// libmlcrt's mlc_rt_cuda_* functions, which act on the model being run.
// The images themselves travel in the model's description (ArtifactWriter).
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace llvm;

namespace {
/// Deletes `llvm.global_ctors`/`dtors` and the functions they list.
void dropStartupHooks(Module &m) {
  for (const char *name : {"llvm.global_ctors", "llvm.global_dtors"}) {
    GlobalVariable *list = m.getGlobalVariable(name);
    if (!list)
      continue;
    SmallVector<Function *> hooks;
    if (auto *array = dyn_cast_or_null<ConstantArray>(list->getInitializer()))
      for (Value *entry : array->operands())
        if (auto *fields = dyn_cast<ConstantStruct>(entry))
          if (auto *fn = dyn_cast<Function>(fields->getOperand(1)->stripPointerCasts()))
            hooks.push_back(fn);
    list->eraseFromParent();
    for (Function *fn : hooks) {
      fn->removeDeadConstantUsers(); // the erased list's initializer
      if (fn->use_empty())
        fn->eraseFromParent();
    }
  }
}

/// Replaces each call of `from` using `build`, then deletes `from`.
void replaceCalls(Module &m, StringRef from,
                  function_ref<Value *(CallInst *, IRBuilder<> &)> build) {
  Function *fn = m.getFunction(from);
  if (!fn)
    return;
  for (User *user : make_early_inc_range(fn->users()))
    if (auto *call = dyn_cast<CallInst>(user)) {
      IRBuilder<> b(call);
      Value *replacement = build(call, b);
      if (replacement)
        call->replaceAllUsesWith(replacement);
      call->eraseFromParent();
    }
  if (fn->use_empty())
    fn->eraseFromParent();
}
} // namespace

bool mlc::driver::rewriteGPURuntimeCalls(Module &m, std::string &error) {
  dropStartupHooks(m);
  LLVMContext &ctx = m.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  FunctionCallee function =
      m.getOrInsertFunction("mlc_rt_cuda_function", FunctionType::get(ptr, {ptr}, false));
  FunctionCallee stream = m.getOrInsertFunction("mlc_rt_cuda_stream", FunctionType::get(ptr, {}, false));
  // The module handle (loaded from the image's global) is the runtime's
  // business now: kernels are found by name in the running model's module.
  replaceCalls(m, "mgpuModuleGetFunction", [&](CallInst *call, IRBuilder<> &b) {
    return b.CreateCall(function, {call->getArgOperand(1)});
  });
  replaceCalls(m, "mgpuStreamCreate",
               [&](CallInst *, IRBuilder<> &b) { return b.CreateCall(stream); });
  // All launches of a run go to one stream, in order; the runtime waits for
  // it once at the end of the run.
  replaceCalls(m, "mgpuStreamSynchronize", [](CallInst *, IRBuilder<> &) { return nullptr; });
  replaceCalls(m, "mgpuStreamDestroy", [](CallInst *, IRBuilder<> &) { return nullptr; });
  // Same signatures, libmlcrt's names.
  for (auto [from, to] : {std::pair<StringRef, StringRef>{"mgpuLaunchKernel", "mlc_rt_cuda_launch"},
                          {"mgpuMemAlloc", "mlc_rt_cuda_alloc"},
                          {"mgpuMemFree", "mlc_rt_cuda_free"}})
    if (Function *fn = m.getFunction(from))
      fn->setName(to);

  // The images' globals and module handles are now unused.
  for (GlobalVariable &gv : make_early_inc_range(m.globals())) {
    gv.removeDeadConstantUsers();
    for (User *user : make_early_inc_range(gv.users()))
      if (auto *load = dyn_cast<LoadInst>(user))
        if (load->use_empty())
          load->eraseFromParent();
    if (gv.use_empty() && gv.hasLocalLinkage() &&
        (gv.getName().ends_with("_binary") || gv.getName().ends_with("_module")))
      gv.eraseFromParent();
  }
  for (Function &fn : make_early_inc_range(m)) {
    if (!fn.isDeclaration() || !fn.getName().starts_with("mgpu"))
      continue;
    if (fn.use_empty()) {
      fn.eraseFromParent(); // used only by the dropped constructors
      continue;
    }
    error = "internal error: the CUDA host code calls '" + fn.getName().str() +
            "', which libmlcrt does not provide";
    return false;
  }
  return true;
}

std::string mlc::driver::findPtxas(const std::string &requested) {
  if (requested == "none")
    return "";
  if (!requested.empty())
    return requested;
  if (auto onPath = sys::findProgramByName("ptxas"))
    return *onPath;
  SmallVector<std::string> dirs;
  if (const char *home = std::getenv("CUDA_HOME"))
    dirs.push_back(std::string(home) + "/bin");
  dirs.push_back("/usr/local/cuda/bin");
  for (const std::string &dir : dirs) {
    std::string path = dir + "/ptxas";
    if (sys::fs::can_execute(path))
      return path;
  }
  return "";
}

bool mlc::driver::assemblePTX(const std::string &ptxas, const std::string &ptx,
                              const std::string &arch, std::string &cubin, std::string &error) {
  SmallString<128> ptxPath, cubinPath, logPath;
  if (sys::fs::createTemporaryFile("mlc-kernels", "ptx", ptxPath) ||
      sys::fs::createTemporaryFile("mlc-kernels", "cubin", cubinPath) ||
      sys::fs::createTemporaryFile("mlc-ptxas", "log", logPath)) {
    error = "cannot create temporary files for ptxas";
    return false;
  }
  scope_exit cleanup([&] {
    sys::fs::remove(ptxPath);
    sys::fs::remove(cubinPath);
    sys::fs::remove(logPath);
  });
  {
    std::error_code ec;
    raw_fd_ostream os(ptxPath, ec);
    if (ec) {
      error = "cannot write '" + ptxPath.str().str() + "': " + ec.message();
      return false;
    }
    os << ptx;
  }
  SmallVector<StringRef> args = {ptxas, "-arch", arch, "-O3", ptxPath, "-o", cubinPath};
  std::optional<StringRef> redirects[] = {std::nullopt, logPath.str(), logPath.str()};
  std::string message;
  int rc = sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0, &message);
  if (rc != 0) {
    auto log = MemoryBuffer::getFile(logPath);
    std::string why = log ? (*log)->getBuffer().trim().str() : "";
    if (why.empty())
      why = message.empty() ? "exit code " + std::to_string(rc) : message;
    error = "ptxas (" + ptxas + ") rejected the kernels for " + arch + ": " + why;
    return false;
  }
  auto data = MemoryBuffer::getFile(cubinPath, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!data) {
    error = "ptxas wrote no cubin for " + arch;
    return false;
  }
  cubin = (*data)->getBuffer().str();
  return true;
}
