//===- Runner.cpp - mlc run and mlc bench ---------------------------------===//
//
// Both execute the artifact users link: the model is compiled to a shared
// library (object + runtime), loaded with dlopen, and driven through the
// runtime's C API found in that library. Nothing runs through a JIT.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "TensorFiles.h"

#include "mlc/runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <dlfcn.h>
#include <map>
#include <random>
#include <cstring>

#include "llvm/Support/Format.h"

using namespace mlc::driver;
using mlc::HostTensor;

namespace {

/// A compiled model loaded from its shared library.
class LoadedModel {
public:
  ~LoadedModel() {
    if (model) destroy(model);
    if (handle) dlclose(handle);
    if (!dir.empty()) llvm::sys::fs::remove_directories(dir);
  }

  bool load(const CompileOptions &compileOptions, const char *argv0, int threads) {
    llvm::SmallString<128> tmp;
    if (llvm::sys::fs::createUniqueDirectory("mlc-run", tmp)) {
      llvm::errs() << "mlc: error: cannot create a temporary folder\n";
      return false;
    }
    dir = tmp.str().str();
    CompileOptions options = compileOptions;
    options.emit = "shared";
    options.output = dir + "/model";
    options.writeHeader = false;
    if (!compileModel(options, argv0, info))
      return false;
    std::string path = options.output + ".so";
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      llvm::errs() << "mlc: error: cannot load the compiled model: " << dlerror() << "\n";
      return false;
    }
    auto sym = [&](const char *name) { return dlsym(handle, name); };
    create = (decltype(create))sym("mlc_model_create");
    destroy = (decltype(destroy))sym("mlc_model_destroy");
    runFn = (decltype(runFn))sym("mlc_model_run");
    runAlloc = (decltype(runAlloc))sym("mlc_model_run_alloc");
    getOutput = (decltype(getOutput))sym("mlc_model_get_output");
    message = (decltype(message))sym("mlc_status_get_message");
    freeStatus = (decltype(freeStatus))sym("mlc_status_free");
    desc = (const mlc_model_desc *)sym(("mlc_model_" + info.name).c_str());
    if (!create || !destroy || !runFn || !runAlloc || !getOutput || !message || !freeStatus ||
        !desc) {
      llvm::errs() << "mlc: error: the compiled library lacks the runtime or the model descriptor\n";
      return false;
    }
    mlc_model_options opts{}; // device 0
    opts.num_threads = threads;
    return check(create(desc, &opts, &model));
  }

  bool check(mlc_status status) {
    if (!status)
      return true;
    llvm::errs() << "mlc: error: " << message(status) << "\n";
    freeStatus(status);
    return false;
  }

  bool run(const std::vector<HostTensor> &inputs, std::vector<HostTensor> &outputs) {
    std::vector<mlc_tensor> ins, outs;
    for (const HostTensor &t : inputs)
      ins.push_back({t.dtype, (int32_t)t.dims.size(), t.dims.data(), (void *)t.data.data(), t.data.size()});
    for (HostTensor &t : outputs)
      outs.push_back({t.dtype, (int32_t)t.dims.size(), t.dims.data(), t.data.data(), t.data.size()});
    return check(runFn(model, ins.data(), ins.size(), outs.data(), outs.size()));
  }

  /// Runs with outputs that the model allocates (their dims may be known
  /// only after the run) and copies them out.
  bool runAndCollect(const std::vector<HostTensor> &inputs, std::vector<HostTensor> &outputs) {
    std::vector<mlc_tensor> ins;
    // String tensors go in as arrays of pointers to their strings.
    std::vector<std::vector<const char *>> pointers(inputs.size());
    for (auto [t, p] : llvm::zip(inputs, pointers)) {
      void *data = (void *)t.data.data();
      size_t bytes = t.data.size();
      if (t.dtype == MLC_DTYPE_STRING) {
        for (const std::string &s : t.strings)
          p.push_back(s.c_str());
        data = p.data(), bytes = p.size() * sizeof(const char *);
      }
      ins.push_back({t.dtype, (int32_t)t.dims.size(), t.dims.data(), data, bytes});
    }
    if (!check(runAlloc(model, ins.data(), ins.size())))
      return false;
    outputs.clear();
    for (size_t i = 0; i < info.outputs.size(); ++i) {
      mlc_tensor t;
      if (!check(getOutput(model, i, &t)))
        return false;
      HostTensor h;
      h.dtype = t.dtype;
      h.dims.assign(t.dims, t.dims + t.rank);
      const char *data = (const char *)t.data;
      if (t.dtype == MLC_DTYPE_STRING) {
        for (size_t k = 0; k < t.size_bytes / sizeof(const char *); ++k) {
          const char *s = ((const char *const *)data)[k];
          h.strings.push_back(s ? s : "");
        }
      } else {
        h.data.assign(data, data + t.size_bytes);
      }
      outputs.push_back(std::move(h));
    }
    return true;
  }

  /// Host buffers shaped like the model's outputs.
  std::vector<HostTensor> makeOutputs() const {
    std::vector<HostTensor> outputs;
    for (const TensorInfo &t : info.outputs)
      outputs.push_back(makeTensor(t));
    return outputs;
  }

  static HostTensor makeTensor(const TensorInfo &t) {
    HostTensor h;
    h.dtype = t.dtype;
    h.dims = t.dims;
    size_t count = 1;
    for (int64_t d : t.dims)
      count *= d;
    h.data.assign(count * dtypeSize(t.dtype), 0);
    return h;
  }

  ModelInfo info;

private:
  std::string dir;
  void *handle = nullptr;
  const mlc_model_desc *desc = nullptr;
  mlc_model *model = nullptr;
  mlc_status (*create)(const mlc_model_desc *, const mlc_model_options *, mlc_model **) = nullptr;
  void (*destroy)(mlc_model *) = nullptr;
  mlc_status (*runFn)(mlc_model *, const mlc_tensor *, size_t, const mlc_tensor *, size_t) = nullptr;
  mlc_status (*runAlloc)(mlc_model *, const mlc_tensor *, size_t) = nullptr;
  mlc_status (*getOutput)(const mlc_model *, size_t, mlc_tensor *) = nullptr;
  const char *(*message)(mlc_status) = nullptr;
  void (*freeStatus)(mlc_status) = nullptr;
};

/// The dtype of the .npy files that hold tensors of `dtype`: NumPy has no
/// bfloat16, float8, float4, 4- or 2-bit integers, so these travel as the
/// integers that hold their bits or values (see mlc_dtype).
int32_t npyCarrier(int32_t dtype) {
  switch (dtype) {
  case MLC_DTYPE_BFLOAT16: return MLC_DTYPE_UINT16;
  case MLC_DTYPE_INT4: case MLC_DTYPE_INT2: return MLC_DTYPE_INT8;
  case MLC_DTYPE_FLOAT8E4M3FN: case MLC_DTYPE_FLOAT8E4M3FNUZ: case MLC_DTYPE_FLOAT8E5M2:
  case MLC_DTYPE_FLOAT8E5M2FNUZ: case MLC_DTYPE_FLOAT8E8M0: case MLC_DTYPE_FLOAT4E2M1:
  case MLC_DTYPE_UINT4: case MLC_DTYPE_UINT2: return MLC_DTYPE_UINT8;
  default: return dtype;
  }
}

/// Whether the bytes of `h` are values of the 4- or 2-bit `dtype`.
bool fitsLowPrecision(const HostTensor &h, int32_t dtype) {
  int lo = 0, hi = 255;
  switch (dtype) {
  case MLC_DTYPE_INT4: lo = -8; hi = 7; break;
  case MLC_DTYPE_INT2: lo = -2; hi = 1; break;
  case MLC_DTYPE_UINT4: case MLC_DTYPE_FLOAT4E2M1: hi = 15; break;
  case MLC_DTYPE_UINT2: hi = 3; break;
  default: return true;
  }
  bool isSigned = lo < 0;
  return llvm::all_of(h.data, [&](uint8_t byte) {
    int v = isSigned ? (int)(int8_t)byte : (int)byte;
    return v >= lo && v <= hi;
  });
}

/// Reads the named input files in the model's input order.
bool readInputs(const ModelInfo &info, const std::vector<std::pair<std::string, std::string>> &files,
                bool randomForMissing, std::vector<HostTensor> &inputs) {
  std::map<std::string, std::string> byName(files.begin(), files.end());
  for (const auto &entry : files) {
    const std::string &name = entry.first;
    if (llvm::none_of(info.inputs, [&](const TensorInfo &t) { return t.name == name; })) {
      llvm::errs() << "mlc: error: --input names '" << name << "', which is not an input of the model\n";
      return false;
    }
  }
  std::mt19937 rng(0);
  for (const TensorInfo &t : info.inputs) {
    auto it = byName.find(t.name);
    HostTensor h;
    if (it != byName.end()) {
      std::string error;
      if (!readTensorFile(it->second, h, error)) {
        llvm::errs() << "mlc: error: input '" << t.name << "': " << error << "\n";
        return false;
      }
      // Types NumPy lacks come as the integers that hold them.
      if (h.dtype != t.dtype && h.dtype == npyCarrier(t.dtype)) {
        if (!fitsLowPrecision(h, t.dtype)) {
          llvm::errs() << "mlc: error: input '" << t.name << "': values out of the range of its "
                       << "4- or 2-bit element type (ONNX data type " << t.dtype << ")\n";
          return false;
        }
        h.dtype = t.dtype;
      }
    } else if (randomForMissing && llvm::is_contained(t.dims, -1)) {
      llvm::errs() << "mlc: error: model input '" << t.name
                   << "' has symbolic dims: give it with --input NAME=FILE\n";
      return false;
    } else if (randomForMissing) {
      h = LoadedModel::makeTensor(t);
      size_t n = h.data.size() / dtypeSize(t.dtype);
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      for (size_t i = 0; i < n; ++i) {
        if (t.dtype == 1) { float v = dist(rng); std::memcpy(h.data.data() + 4 * i, &v, 4); }
        else if (t.dtype == 7) { int64_t v = rng() % 100; std::memcpy(h.data.data() + 8 * i, &v, 8); }
        else if (t.dtype == 6) { int32_t v = rng() % 100; std::memcpy(h.data.data() + 4 * i, &v, 4); }
      }
    } else {
      llvm::errs() << "mlc: error: no --input given for model input '" << t.name << "'\n";
      return false;
    }
    inputs.push_back(std::move(h));
  }
  return true;
}
} // namespace

int mlc::driver::run(const RunOptions &options, const char *argv0) {
  LoadedModel model;
  if (!model.load(options.compile, argv0, options.threads))
    return 1;
  std::vector<HostTensor> inputs;
  if (!readInputs(model.info, options.inputs, /*randomForMissing=*/false, inputs))
    return 1;
  std::vector<HostTensor> outputs;
  if (!model.runAndCollect(inputs, outputs))
    return 1;
  if (std::error_code ec = llvm::sys::fs::create_directories(options.outputDir)) {
    llvm::errs() << "mlc: error: cannot create '" << options.outputDir << "': " << ec.message() << "\n";
    return 1;
  }
  for (auto [t, h] : llvm::zip(model.info.outputs, outputs)) {
    std::string path = options.outputDir + "/" + sanitizeFileName(t.name) + ".npy";
    std::string error;
    h.dtype = npyCarrier(h.dtype);
    if (!writeNpy(path, h, error)) {
      llvm::errs() << "mlc: error: " << error << "\n";
      return 1;
    }
    llvm::outs() << "wrote " << path << "\n";
  }
  return 0;
}

int mlc::driver::bench(const BenchOptions &options, const char *argv0) {
  if (options.iterations < 1 || options.warmup < 0 || options.threads < 0) {
    llvm::errs() << "mlc: error: --iterations must be >= 1, --warmup and --threads >= 0\n";
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  LoadedModel model;
  if (!model.load(options.compile, argv0, options.threads))
    return 1;
  double compileSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<HostTensor> inputs;
  if (!readInputs(model.info, options.inputs, /*randomForMissing=*/true, inputs))
    return 1;
  // A model with symbolic dims learns its outputs' dims from the first run.
  std::vector<HostTensor> outputs;
  if (model.info.dynamic ? !model.runAndCollect(inputs, outputs)
                         : (outputs = model.makeOutputs(), false))
    return 1;
  for (int i = 0; i < options.warmup; ++i)
    if (!model.run(inputs, outputs))
      return 1;
  std::vector<double> ms;
  for (int i = 0; i < options.iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!model.run(inputs, outputs))
      return 1;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  double mean = 0;
  for (double v : ms)
    mean += v / n;
  if (options.json) {
    llvm::outs() << llvm::format("{\"model\": \"%s\", \"median_ms\": %.4f, \"min_ms\": %.4f, "
                                 "\"max_ms\": %.4f, \"mean_ms\": %.4f, \"threads\": %d, "
                                 "\"iterations\": %d, \"warmup\": %d, \"compile_s\": %.3f}\n",
                                 model.info.name.c_str(), median, sorted.front(), sorted.back(), mean,
                                 options.threads, options.iterations, options.warmup, compileSeconds);
  } else {
    llvm::outs() << llvm::format("%s: median %.3f ms, min %.3f ms, max %.3f ms over %d iterations "
                                 "(%d threads, %d warm-up); compile %.2f s\n",
                                 model.info.name.c_str(), median, sorted.front(), sorted.back(),
                                 options.iterations, options.threads, options.warmup, compileSeconds);
  }
  return 0;
}
