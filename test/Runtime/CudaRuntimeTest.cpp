//===- CudaRuntimeTest.cpp - the runtime's CUDA path without a GPU --------===//
//
// The bundled example model compiled three ways (CPU, CUDA, CUDA emulated on
// the host) and linked into one program. ctest runs this program once per
// driver situation, chosen by environment (test/Runtime/CMakeLists.txt):
//   NoDriver.*    MLC_CUDA_DRIVER names a library that does not exist;
//   FakeDriver.*  MLC_CUDA_DRIVER is fake_cuda.c with an sm_90 device;
//   OldGPU.*      the fake device is sm_80, which the model was not built for;
//   NewGPU.*      the fake device is sm_100: the driver must JIT the PTX;
//   NoGPU.*       the fake driver's cuInit reports no device.
// The fake driver counts launches but cannot run PTX; what the kernels
// compute is checked by the emulated model against the CPU model here, and by
// the e2e test's emulated run against onnxruntime.
//
//===----------------------------------------------------------------------===//
#include "tiny_cpu.h"
#include "tiny_cuda.h"
#include "tiny_emu.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

struct Status {
  explicit Status(mlc_status s) : s(s) {}
  ~Status() { mlc_status_free(s); }
  bool ok() const { return s == nullptr; }
  mlc_status_code code() const { return mlc_status_get_code(s); }
  std::string message() const { return mlc_status_get_message(s); }
  mlc_status s;
};

struct ModelDeleter {
  void operator()(mlc_model *m) const { mlc_model_destroy(m); }
};
using ModelPtr = std::unique_ptr<mlc_model, ModelDeleter>;

/// Creates a model or records the failure.
ModelPtr create(const mlc_model_desc &desc) {
  mlc_model *model = nullptr;
  Status status(mlc_model_create(&desc, nullptr, &model));
  EXPECT_TRUE(status.ok()) << status.message();
  return ModelPtr(model);
}

/// Input and output buffers of tiny_cnn ([1,3,32,32] -> [1,10]).
struct Buffers {
  std::vector<float> in = std::vector<float>(TINY_CPU_INPUT0_NUM_ELEMENTS);
  std::vector<float> out = std::vector<float>(TINY_CPU_OUTPUT0_NUM_ELEMENTS, NAN);
  Buffers() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float &v : in)
      v = dist(rng);
  }
  mlc_tensor input() {
    return {TINY_CPU_INPUT0_DTYPE, TINY_CPU_INPUT0_RANK, tiny_cpu_input0_dims, in.data(),
            in.size() * sizeof(float)};
  }
  mlc_tensor output() {
    return {TINY_CPU_OUTPUT0_DTYPE, TINY_CPU_OUTPUT0_RANK, tiny_cpu_output0_dims, out.data(),
            out.size() * sizeof(float)};
  }
};

/// A function of the fake driver that the runtime loaded.
template <typename Fn> Fn fake(const char *name) {
  const char *path = std::getenv("MLC_CUDA_DRIVER");
  void *lib = path ? dlopen(path, RTLD_NOW | RTLD_NOLOAD) : nullptr;
  Fn fn = lib ? reinterpret_cast<Fn>(dlsym(lib, name)) : nullptr;
  if (!fn)
    ADD_FAILURE() << "the fake driver is not loaded or lacks " << name;
  return fn;
}
long fakeCounter(const char *name) {
  auto fn = fake<long (*)()>(name);
  return fn ? fn() : -1;
}

bool hasCubin(const mlc_model_desc &desc, int arch) {
  for (int64_t i = 0; i < desc.num_device_images; ++i)
    if (desc.device_images[i].format == MLC_DEVICE_IMAGE_CUBIN &&
        desc.device_images[i].arch == arch)
      return true;
  return false;
}

TEST(Artifact, DescribesTheCUDAModel) {
  const mlc_model_desc &desc = mlc_model_tiny_cuda;
  EXPECT_EQ(desc.abi_version, MLC_ABI_VERSION);
  EXPECT_EQ(desc.target, (uint32_t)MLC_TARGET_CUDA);
  ASSERT_GE(desc.num_device_images, 1);
  bool ptx = false;
  for (int64_t i = 0; i < desc.num_device_images; ++i) {
    const mlc_device_image &image = desc.device_images[i];
    EXPECT_EQ(image.arch, 90);
    if (image.format == MLC_DEVICE_IMAGE_PTX) {
      ptx = true;
      std::string text(static_cast<const char *>(image.data), image.size - 1);
      EXPECT_EQ(static_cast<const char *>(image.data)[image.size - 1], '\0');
      EXPECT_NE(text.find(".target sm_90"), std::string::npos);
      EXPECT_NE(text.find(".visible .entry"), std::string::npos);
    }
  }
  EXPECT_TRUE(ptx);
  // The constants: BN-folded conv weights and biases, the shortcut, the fc.
  EXPECT_GE(desc.num_device_constants, 4);
  uint64_t end = 0;
  for (int64_t i = 0; i < desc.num_device_constants; ++i) {
    const mlc_device_constant &c = desc.device_constants[i];
    EXPECT_EQ(c.offset % 64, 0u);
    EXPECT_GE(c.offset, end) << "constants overlap";
    end = c.offset + c.size;
  }
  EXPECT_EQ(end, desc.device_weights_size);
  EXPECT_EQ(mlc_model_tiny_emu.target, (uint32_t)MLC_TARGET_CUDA_EMULATED);
  EXPECT_EQ(mlc_model_tiny_cpu.target, (uint32_t)MLC_TARGET_CPU);
}

TEST(NoDriver, SaysWhatIsMissing) {
  Status status(mlc_cuda_available());
  EXPECT_EQ(status.code(), MLC_STATUS_UNSUPPORTED);
  EXPECT_NE(status.message().find("could not be loaded"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(std::getenv("MLC_CUDA_DRIVER")), std::string::npos);

  mlc_model *model = reinterpret_cast<mlc_model *>(1);
  Status create(mlc_model_create(&mlc_model_tiny_cuda, nullptr, &model));
  EXPECT_EQ(create.code(), MLC_STATUS_UNSUPPORTED);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(create.message().find("model 'tiny_cuda'"), std::string::npos) << create.message();
  EXPECT_NE(create.message().find("--target=cuda"), std::string::npos) << create.message();
}

TEST(NoDriver, CPUModelsNeedNoDriver) {
  ModelPtr model = create(mlc_model_tiny_cpu);
  ASSERT_TRUE(model);
  Buffers b;
  mlc_tensor in = b.input(), out = b.output();
  Status run(mlc_model_run(model.get(), &in, 1, &out, 1));
  EXPECT_TRUE(run.ok()) << run.message();
  Status device(mlc_model_run_device(model.get(), &in, 1, &out, 1, nullptr));
  EXPECT_EQ(device.code(), MLC_STATUS_UNSUPPORTED);
  EXPECT_NE(device.message().find("compiled for the CPU"), std::string::npos);
}

// The CUDA target's kernels, run on the host, against the CPU target. Both
// are float32 with different summation orders (the CPU target's microkernels
// block the reduction); 1e-5 absolute on outputs of magnitude ~1 is a few
// hundred ulp, far below any real lowering error.
TEST(NoDriver, EmulatedKernelsMatchTheCPUTarget) {
  ModelPtr cpu = create(mlc_model_tiny_cpu);
  ModelPtr emu = create(mlc_model_tiny_emu);
  ASSERT_TRUE(cpu && emu);
  Buffers a, b;
  mlc_tensor ain = a.input(), aout = a.output(), bin = b.input(), bout = b.output();
  Status ra(mlc_model_run(cpu.get(), &ain, 1, &aout, 1));
  Status rb(mlc_model_run(emu.get(), &bin, 1, &bout, 1));
  ASSERT_TRUE(ra.ok() && rb.ok()) << ra.message() << rb.message();
  for (size_t i = 0; i < a.out.size(); ++i)
    EXPECT_NEAR(b.out[i], a.out[i], 1e-5f) << "output element " << i;
}

TEST(FakeDriver, CreateUploadsAndRunLaunches) {
  Status available(mlc_cuda_available());
  ASSERT_TRUE(available.ok()) << available.message();
  {
    ModelPtr model = create(mlc_model_tiny_cuda);
    ASSERT_TRUE(model);
    EXPECT_EQ(fakeCounter("fake_cuda_module_loads"), 1);
    // A cubin for exactly sm_90 wins over the PTX when ptxas made one.
    auto format = fake<int (*)()>("fake_cuda_last_image_format");
    ASSERT_TRUE(format);
    EXPECT_EQ(format(), hasCubin(mlc_model_tiny_cuda, 90) ? 1 : 0);
    // Workspace, weights, one input and one output buffer.
    EXPECT_EQ(fakeCounter("fake_cuda_live_allocations"), 4);

    Buffers b;
    mlc_tensor in = b.input(), out = b.output();
    long before = fakeCounter("fake_cuda_launches");
    Status run(mlc_model_run(model.get(), &in, 1, &out, 1));
    EXPECT_TRUE(run.ok()) << run.message();
    long perRun = fakeCounter("fake_cuda_launches") - before;
    EXPECT_GT(perRun, 5);

    // Device pointers (host memory, for the fake driver) and a stream.
    Status device(mlc_model_run_device(model.get(), &in, 1, &out, 1, nullptr));
    EXPECT_TRUE(device.ok()) << device.message();
    EXPECT_EQ(fakeCounter("fake_cuda_launches") - before, 2 * perRun);

    // Shapes are checked before anything reaches the GPU.
    int64_t wrong[] = {1, 3, 16, 16};
    in.dims = wrong;
    Status mismatch(mlc_model_run(model.get(), &in, 1, &out, 1));
    EXPECT_EQ(mismatch.code(), MLC_STATUS_SHAPE_MISMATCH);
    EXPECT_EQ(fakeCounter("fake_cuda_launches") - before, 2 * perRun);
  }
  EXPECT_EQ(fakeCounter("fake_cuda_live_allocations"), 0);
  EXPECT_EQ(fakeCounter("fake_cuda_module_loads"), 0);
}

TEST(FakeDriver, LaunchFailuresBecomeTheRunsStatus) {
  ModelPtr model = create(mlc_model_tiny_cuda);
  ASSERT_TRUE(model);
  auto setFailure = fake<void (*)(int)>("fake_cuda_set_failure");
  ASSERT_TRUE(setFailure);
  Buffers b;
  mlc_tensor in = b.input(), out = b.output();
  setFailure(1);
  Status failed(mlc_model_run(model.get(), &in, 1, &out, 1));
  setFailure(0);
  EXPECT_EQ(failed.code(), MLC_STATUS_INTERNAL);
  EXPECT_NE(failed.message().find("cuLaunchKernel"), std::string::npos) << failed.message();
  EXPECT_NE(failed.message().find("CUDA_ERROR_LAUNCH_FAILED"), std::string::npos);
  EXPECT_NE(failed.message().find("tiny_cuda"), std::string::npos);
  // The failure belonged to that run only.
  Status again(mlc_model_run(model.get(), &in, 1, &out, 1));
  EXPECT_TRUE(again.ok()) << again.message();
}

void enqueueNothing(void *const *, void *const *, void *, mlc_exec_ctx *) {}

TEST(FakeDriver, ModelsWithoutKernelsNeedNoImage) {
  // A model whose tensors are all empty (ONNX's test_triu_zero) launches
  // nothing, so the compiler emits no kernel image.
  mlc_model_desc desc = mlc_model_tiny_cuda;
  desc.num_device_images = 0;
  desc.device_images = nullptr;
  desc.entry = enqueueNothing;
  {
    ModelPtr model = create(desc);
    ASSERT_TRUE(model);
    EXPECT_EQ(fakeCounter("fake_cuda_module_loads"), 0);
    Buffers b;
    mlc_tensor in = b.input(), out = b.output();
    Status run(mlc_model_run(model.get(), &in, 1, &out, 1));
    EXPECT_TRUE(run.ok()) << run.message();
  }
  // Launching without an image is the run's error, not a crash.
  desc.entry = mlc_model_tiny_cuda.entry;
  ModelPtr model = create(desc);
  ASSERT_TRUE(model);
  Buffers b;
  mlc_tensor in = b.input(), out = b.output();
  Status run(mlc_model_run(model.get(), &in, 1, &out, 1));
  EXPECT_EQ(run.code(), MLC_STATUS_INTERNAL);
  EXPECT_NE(run.message().find("carries no kernel images"), std::string::npos) << run.message();
}

TEST(FakeDriver, ProfileTablesEveryLaunchedKernel) {
  std::string path = ::testing::TempDir() + "mlc_cuda_profile.txt";
  std::remove(path.c_str());
  setenv("MLC_CUDA_PROFILE", path.c_str(), 1);
  long launches = 0;
  {
    ModelPtr model = create(mlc_model_tiny_cuda);
    unsetenv("MLC_CUDA_PROFILE"); // read once, at creation
    ASSERT_TRUE(model);
    Buffers b;
    mlc_tensor in = b.input(), out = b.output();
    long before = fakeCounter("fake_cuda_launches");
    for (int i = 0; i < 2; ++i) {
      Status run(mlc_model_run(model.get(), &in, 1, &out, 1));
      EXPECT_TRUE(run.ok()) << run.message();
    }
    launches = fakeCounter("fake_cuda_launches") - before;
  }
  // Written at destroy: a header with the launch count, one row per kernel.
  FILE *f = std::fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  char line[512];
  long rows = 0, rowLaunches = 0;
  while (std::fgets(line, sizeof(line), f)) {
    text += line;
    double ms, percent;
    unsigned long long n, threads;
    char kernel[256];
    if (line[0] != '#' &&
        std::sscanf(line, "%lf %lf %llu %llu %255s", &ms, &percent, &n, &threads, kernel) == 5) {
      ++rows;
      rowLaunches += (long)n;
      EXPECT_GE(ms, 0.0);
      EXPECT_GT(threads, 0u);
      EXPECT_NE(std::string(kernel).find("kernel"), std::string::npos) << kernel;
    }
  }
  std::fclose(f);
  std::remove(path.c_str());
  EXPECT_NE(text.find("model 'tiny_cuda': " + std::to_string(launches) + " launches"),
            std::string::npos)
      << text;
  EXPECT_GT(rows, 1);
  EXPECT_EQ(rowLaunches, launches) << text;
}

/// The launches and signature of `runs` runs of a tiny_cuda model created
/// with MLC_CUDA_GRAPH set to `graph`; EXPECTs each run to succeed.
struct Launched {
  long launches = 0, captures = 0, graphLaunches = 0;
  unsigned long long signature = 0;
};
Launched runWithGraph(const char *graph, int runs) {
  setenv("MLC_CUDA_GRAPH", graph, 1);
  ModelPtr model = create(mlc_model_tiny_cuda);
  unsetenv("MLC_CUDA_GRAPH"); // read once, at creation
  Launched l;
  if (!model)
    return l;
  Buffers b;
  mlc_tensor in = b.input(), out = b.output();
  auto reset = fake<void (*)()>("fake_cuda_reset_signature");
  auto signature = fake<unsigned long long (*)()>("fake_cuda_signature");
  if (!reset || !signature)
    return l;
  reset();
  long launches = fakeCounter("fake_cuda_launches"), captures = fakeCounter("fake_cuda_captures"),
       graphLaunches = fakeCounter("fake_cuda_graph_launches");
  for (int i = 0; i < runs; ++i) {
    Status run(mlc_model_run(model.get(), &in, 1, &out, 1));
    EXPECT_TRUE(run.ok()) << run.message();
  }
  l.launches = fakeCounter("fake_cuda_launches") - launches;
  l.captures = fakeCounter("fake_cuda_captures") - captures;
  l.graphLaunches = fakeCounter("fake_cuda_graph_launches") - graphLaunches;
  l.signature = signature();
  return l;
}

/// EXPECTs that `l` made `captures` captures and `graphLaunches` graph
/// launches, ran the kernels `direct` ran (the same, with the same sizes, in
/// the same order), and left no device memory or graph behind.
void expectRanAsDirect(const Launched &l, const Launched &direct, long captures,
                       long graphLaunches) {
  EXPECT_EQ(l.captures, captures);
  EXPECT_EQ(l.graphLaunches, graphLaunches);
  EXPECT_EQ(l.launches, direct.launches);
  EXPECT_EQ(l.signature, direct.signature);
  EXPECT_EQ(fakeCounter("fake_cuda_live_allocations"), 0);
}

TEST(FakeDriver, GraphReplaysTheScheduleEveryRun) {
  Launched direct = runWithGraph("0", 3);
  EXPECT_EQ(direct.captures, 0);
  EXPECT_EQ(direct.graphLaunches, 0);
  EXPECT_GT(direct.launches, 15);
  // The first run launches directly (looking up the kernels), the second
  // captures, and every run from it is one graph launch.
  expectRanAsDirect(runWithGraph("1", 3), direct, 1, 2);
}

TEST(FakeDriver, FailedCaptureLaunchesKernelByKernel) {
  Launched direct = runWithGraph("0", 3);
  auto setCaptureFailure = fake<void (*)(int)>("fake_cuda_set_capture_failure");
  ASSERT_TRUE(setCaptureFailure);
  setCaptureFailure(1);
  Launched fallback = runWithGraph("1", 3);
  setCaptureFailure(0);
  // One attempt; the runs' results come from direct launches.
  expectRanAsDirect(fallback, direct, 1, 0);
}

TEST(FakeDriver, GraphLaunchFailuresBecomeTheRunsStatus) {
  setenv("MLC_CUDA_GRAPH", "1", 1);
  ModelPtr model = create(mlc_model_tiny_cuda);
  unsetenv("MLC_CUDA_GRAPH");
  ASSERT_TRUE(model);
  auto setFailure = fake<void (*)(int)>("fake_cuda_set_failure");
  ASSERT_TRUE(setFailure);
  Buffers b;
  mlc_tensor in = b.input(), out = b.output();
  long captures = fakeCounter("fake_cuda_captures");
  for (int i = 0; i < 2; ++i) { // direct, then captured and replayed
    Status run(mlc_model_run(model.get(), &in, 1, &out, 1));
    EXPECT_TRUE(run.ok()) << run.message();
  }
  EXPECT_EQ(fakeCounter("fake_cuda_captures") - captures, 1);
  setFailure(1);
  Status failed(mlc_model_run(model.get(), &in, 1, &out, 1));
  setFailure(0);
  EXPECT_EQ(failed.code(), MLC_STATUS_INTERNAL);
  EXPECT_NE(failed.message().find("cuGraphLaunch"), std::string::npos) << failed.message();
  EXPECT_NE(failed.message().find("CUDA_ERROR_LAUNCH_FAILED"), std::string::npos);
  Status again(mlc_model_run(model.get(), &in, 1, &out, 1));
  EXPECT_TRUE(again.ok()) << again.message();
}

TEST(OldGPU, NamesTheArchitectureToBuildFor) {
  mlc_model *model = nullptr;
  Status status(mlc_model_create(&mlc_model_tiny_cuda, nullptr, &model));
  EXPECT_EQ(status.code(), MLC_STATUS_UNSUPPORTED);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(status.message().find("no kernels for this GPU (sm_80)"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("--cuda-arch=sm_80"), std::string::npos);
  EXPECT_EQ(fakeCounter("fake_cuda_live_allocations"), 0);
}

TEST(NewGPU, LoadsThePTX) {
  ModelPtr model = create(mlc_model_tiny_cuda);
  ASSERT_TRUE(model);
  auto format = fake<int (*)()>("fake_cuda_last_image_format");
  ASSERT_TRUE(format);
  EXPECT_EQ(format(), 0);
}

TEST(NoGPU, SaysTheDriverHasNoDevice) {
  Status status(mlc_cuda_available());
  EXPECT_EQ(status.code(), MLC_STATUS_UNSUPPORTED);
  EXPECT_NE(status.message().find("no usable GPU (CUDA_ERROR_NO_DEVICE)"), std::string::npos)
      << status.message();
}

} // namespace
