//===- RuntimeTest.cpp - Tests of the mlc C runtime ----------------------===//
//
// Exercises include/mlc/runtime.h the way an application and generated code
// use it: statuses, dtypes, the thread pool behind mlc_rt_parallel_for, and
// models built from hand-written `mlc_model_desc` constants whose entry points
// are C++ functions standing in for generated code.
//
//===----------------------------------------------------------------------===//

#include "mlc/runtime.h"

// The private header gives the tests an execution context without a model
// and the static out-of-memory status.
#include "internal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

/// Owns a status in a test and frees it at scope exit.
struct Status {
  mlc_status status;
  explicit Status(mlc_status s) : status(s) {}
  ~Status() { mlc_status_free(status); }
  Status(const Status &) = delete;
  Status &operator=(const Status &) = delete;
  bool ok() const { return status == nullptr; }
  mlc_status_code code() const { return mlc_status_get_code(status); }
  std::string message() const { return mlc_status_get_message(status); }
};

struct PoolDeleter {
  void operator()(mlc_thread_pool *pool) const {
    mlc_thread_pool_destroy(pool);
  }
};
using PoolPtr = std::unique_ptr<mlc_thread_pool, PoolDeleter>;

struct ModelDeleter {
  void operator()(mlc_model *model) const { mlc_model_destroy(model); }
};
using ModelPtr = std::unique_ptr<mlc_model, ModelDeleter>;

PoolPtr makePool(int32_t numThreads) {
  mlc_thread_pool *pool = nullptr;
  Status status(mlc_thread_pool_create(numThreads, &pool));
  EXPECT_TRUE(status.ok()) << status.message();
  return PoolPtr(pool);
}

//===----------------------------------------------------------------------===//
// Status and dtypes
//===----------------------------------------------------------------------===//

TEST(StatusTest, NullIsSuccess) {
  EXPECT_EQ(mlc_status_get_code(nullptr), MLC_STATUS_OK);
  EXPECT_STREQ(mlc_status_get_message(nullptr), "");
  mlc_status_free(nullptr);
}

TEST(StatusTest, MadeStatusCarriesCodeAndFormattedMessage) {
  Status status(
      mlc_status_make(MLC_STATUS_SHAPE_MISMATCH, "tensor '%s' #%d", "x", 3));
  EXPECT_EQ(status.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(status.message(), "tensor 'x' #3");
}

TEST(StatusTest, OutOfMemoryStatusIsStaticAndSafeToFree) {
  mlc_status oom = mlc_status_out_of_memory();
  EXPECT_EQ(mlc_status_get_code(oom), MLC_STATUS_OUT_OF_MEMORY);
  EXPECT_STREQ(mlc_status_get_message(oom), "out of memory");
  // Freeing it (even twice) must not touch the heap.
  mlc_status_free(oom);
  mlc_status_free(oom);
  EXPECT_EQ(mlc_status_out_of_memory(), oom);
  EXPECT_STREQ(mlc_status_get_message(oom), "out of memory");
}

TEST(DtypeTest, SizesMatchOnnxTypes) {
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_FLOAT32), 4u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_UINT8), 1u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_INT8), 1u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_UINT16), 2u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_INT16), 2u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_INT32), 4u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_INT64), 8u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_BOOL), 1u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_FLOAT16), 2u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_FLOAT64), 8u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_UINT32), 4u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_UINT64), 8u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_BFLOAT16), 2u);
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_STRING), sizeof(const char *));
  // The low-precision types take a byte per element, 4- and 2-bit ones too.
  for (int32_t d = MLC_DTYPE_FLOAT8E4M3FN; d <= MLC_DTYPE_INT2; ++d)
    EXPECT_EQ(mlc_dtype_size(d), 1u) << d;
}

TEST(DtypeTest, UnknownDtypesHaveNoSize) {
  EXPECT_EQ(mlc_dtype_size(MLC_DTYPE_UNDEFINED), 0u);
  EXPECT_EQ(mlc_dtype_size(14), 0u); // ONNX complex64
  EXPECT_EQ(mlc_dtype_size(-1), 0u);
  EXPECT_EQ(mlc_dtype_size(1000), 0u);
}

TEST(DtypeTest, Names) {
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_FLOAT32), "float32");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_UINT8), "uint8");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_INT8), "int8");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_UINT16), "uint16");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_INT16), "int16");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_INT32), "int32");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_INT64), "int64");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_BOOL), "bool");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_FLOAT16), "float16");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_FLOAT64), "float64");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_UINT32), "uint32");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_UINT64), "uint64");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_BFLOAT16), "bfloat16");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_STRING), "string");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_FLOAT8E4M3FN), "float8e4m3fn");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_FLOAT8E5M2FNUZ), "float8e5m2fnuz");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_INT4), "int4");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_FLOAT4E2M1), "float4e2m1");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_FLOAT8E8M0), "float8e8m0");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_UINT2), "uint2");
  EXPECT_STREQ(mlc_dtype_name(MLC_DTYPE_UNDEFINED), "undefined");
  EXPECT_STREQ(mlc_dtype_name(99), "undefined");
}

//===----------------------------------------------------------------------===//
// Thread pool
//===----------------------------------------------------------------------===//

TEST(ThreadPoolTest, CreateRejectsBadArguments) {
  mlc_thread_pool *pool = reinterpret_cast<mlc_thread_pool *>(0x1);
  {
    Status status(mlc_thread_pool_create(-1, &pool));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_NE(status.message().find("num_threads"), std::string::npos)
        << status.message();
    EXPECT_EQ(pool, nullptr);
  }
  {
    Status status(mlc_thread_pool_create(1 << 20, &pool));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  }
  {
    Status status(mlc_thread_pool_create(2, nullptr));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  }
}

TEST(ThreadPoolTest, SizeCountsTheCaller) {
  for (int32_t n : {1, 2, 4, 7}) {
    PoolPtr pool = makePool(n);
    ASSERT_NE(pool, nullptr);
    EXPECT_EQ(mlc_thread_pool_size(pool.get()), n);
  }
  PoolPtr automatic = makePool(0);
  ASSERT_NE(automatic, nullptr);
  EXPECT_GE(mlc_thread_pool_size(automatic.get()), 1);
  EXPECT_EQ(mlc_thread_pool_size(nullptr), 0);
  mlc_thread_pool_destroy(nullptr);
}

/// Counts how often each index is visited and checks every chunk's bounds.
struct Coverage {
  int64_t n;
  std::vector<std::atomic<int>> hits;
  std::atomic<int> badChunks{0};
  explicit Coverage(int64_t n) : n(n), hits(static_cast<size_t>(n)) {}

  static void body(void *closure, int64_t begin, int64_t end) {
    auto *self = static_cast<Coverage *>(closure);
    if (begin < 0 || end > self->n || begin >= end) {
      self->badChunks.fetch_add(1);
      return;
    }
    for (int64_t i = begin; i < end; ++i)
      self->hits[static_cast<size_t>(i)].fetch_add(1);
  }

  /// Number of indices not visited exactly once.
  int64_t wrong() const {
    int64_t count = 0;
    for (const auto &h : hits)
      count += h.load() != 1;
    return count;
  }
};

TEST(ThreadPoolTest, ParallelForCoversEveryIndexExactlyOnce) {
  for (int32_t threads : {1, 2, 4, 7}) {
    PoolPtr pool = makePool(threads);
    ASSERT_NE(pool, nullptr);
    mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
    for (int64_t n : {0, 1, 2, 3, 5, 6, 7, 8, 13, 27, 28, 29, 64, 100, 1000,
                      4097, 100003}) {
      Coverage coverage(n);
      mlc_rt_parallel_for(&ctx, n, &Coverage::body, &coverage);
      EXPECT_EQ(coverage.badChunks.load(), 0)
          << "threads=" << threads << " n=" << n;
      EXPECT_EQ(coverage.wrong(), 0) << "threads=" << threads << " n=" << n;
    }
  }
}

TEST(ThreadPoolTest, NegativeCountAndNullBodyDoNothing) {
  PoolPtr pool = makePool(3);
  mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
  Coverage coverage(1);
  mlc_rt_parallel_for(&ctx, -5, &Coverage::body, &coverage);
  mlc_rt_parallel_for(&ctx, 10, nullptr, &coverage);
  EXPECT_EQ(coverage.hits[0].load(), 0);
  EXPECT_EQ(coverage.badChunks.load(), 0);
}

TEST(ThreadPoolTest, NullContextRunsInline) {
  Coverage coverage(50);
  mlc_rt_parallel_for(nullptr, 50, &Coverage::body, &coverage);
  EXPECT_EQ(coverage.wrong(), 0);
}

/// Records which threads ran chunks; each chunk sleeps so that workers have
/// time to join in.
struct ThreadRecorder {
  std::mutex mutex;
  std::set<std::thread::id> ids;
  static void body(void *closure, int64_t begin, int64_t end) {
    auto *self = static_cast<ThreadRecorder *>(closure);
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * (end - begin)));
    std::lock_guard<std::mutex> lock(self->mutex);
    self->ids.insert(std::this_thread::get_id());
  }
};

TEST(ThreadPoolTest, WorkIsSpreadOverThreads) {
  PoolPtr pool = makePool(4);
  mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
  ThreadRecorder recorder;
  mlc_rt_parallel_for(&ctx, 64, &ThreadRecorder::body, &recorder);
  EXPECT_GE(recorder.ids.size(), 2u);
  EXPECT_LE(recorder.ids.size(), 4u);
}

TEST(ThreadPoolTest, SingleThreadPoolRunsOnTheCaller) {
  PoolPtr pool = makePool(1);
  mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
  ThreadRecorder recorder;
  mlc_rt_parallel_for(&ctx, 4, &ThreadRecorder::body, &recorder);
  ASSERT_EQ(recorder.ids.size(), 1u);
  EXPECT_EQ(*recorder.ids.begin(), std::this_thread::get_id());
}

struct Nested {
  mlc_exec_ctx *ctx;
  int64_t inner;
  std::atomic<int64_t> total{0};
  std::atomic<int> crossedThreads{0};
  std::vector<std::atomic<int>> outerHits;
  Nested(mlc_exec_ctx *ctx, int64_t outer, int64_t inner)
      : ctx(ctx), inner(inner), outerHits(static_cast<size_t>(outer)) {}

  struct Inner {
    Nested *parent;
    std::thread::id outerThread;
    int64_t count = 0;
  };
  static void innerBody(void *closure, int64_t begin, int64_t end) {
    auto *in = static_cast<Inner *>(closure);
    if (std::this_thread::get_id() != in->outerThread)
      in->parent->crossedThreads.fetch_add(1);
    in->count += end - begin; // not atomic: inline runs are sequential
  }
  static void outerBody(void *closure, int64_t begin, int64_t end) {
    auto *self = static_cast<Nested *>(closure);
    for (int64_t i = begin; i < end; ++i) {
      self->outerHits[static_cast<size_t>(i)].fetch_add(1);
      Inner in{self, std::this_thread::get_id()};
      mlc_rt_parallel_for(self->ctx, self->inner, &innerBody, &in);
      self->total.fetch_add(in.count);
    }
  }
};

TEST(ThreadPoolTest, NestedParallelForRunsInline) {
  for (int32_t threads : {2, 4, 7}) {
    PoolPtr pool = makePool(threads);
    mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
    Nested nested(&ctx, 37, 101);
    mlc_rt_parallel_for(&ctx, 37, &Nested::outerBody, &nested);
    EXPECT_EQ(nested.total.load(), 37 * 101);
    EXPECT_EQ(nested.crossedThreads.load(), 0);
    for (const auto &h : nested.outerHits)
      EXPECT_EQ(h.load(), 1);
  }
}

struct Summer {
  std::atomic<int64_t> sum{0};
  static void body(void *closure, int64_t begin, int64_t end) {
    int64_t local = 0;
    for (int64_t i = begin; i < end; ++i)
      local += i;
    static_cast<Summer *>(closure)->sum.fetch_add(local);
  }
};

TEST(ThreadPoolTest, ManyRepeatedCalls) {
  for (int32_t threads : {2, 4, 7}) {
    PoolPtr pool = makePool(threads);
    mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
    Summer summer;
    const int calls = 10000;
    int64_t expected = 0;
    for (int c = 0; c < calls; ++c) {
      int64_t n = 1 + c % 50;
      mlc_rt_parallel_for(&ctx, n, &Summer::body, &summer);
      expected += n * (n - 1) / 2;
    }
    EXPECT_EQ(summer.sum.load(), expected) << "threads=" << threads;
  }
}

TEST(ThreadPoolTest, SharedPoolFromSeveralThreads) {
  PoolPtr pool = makePool(4);
  mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&ctx, &failures, t] {
      for (int c = 0; c < 300; ++c) {
        Coverage coverage(100 + t * 7 + c % 13);
        mlc_rt_parallel_for(&ctx, coverage.n, &Coverage::body, &coverage);
        if (coverage.wrong() != 0 || coverage.badChunks.load() != 0)
          failures.fetch_add(1);
      }
    });
  for (std::thread &caller : callers)
    caller.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ThreadPoolTest, CreateAndDestroyRepeatedly) {
  for (int i = 0; i < 50; ++i) {
    PoolPtr pool = makePool(1 + i % 5);
    if (i % 2) {
      mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
      Coverage coverage(33);
      mlc_rt_parallel_for(&ctx, 33, &Coverage::body, &coverage);
      EXPECT_EQ(coverage.wrong(), 0);
    }
  }
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

// A model "add_one": y = x + 1 over float32 [2,3], staged through the
// workspace and computed with mlc_rt_parallel_for, like generated code would.
const int64_t kDims23[] = {2, 3};
const mlc_tensor_desc kAddOneInputs[] = {
    {"input.1", MLC_DTYPE_FLOAT32, 2, kDims23}};
const mlc_tensor_desc kAddOneOutputs[] = {{"y", MLC_DTYPE_FLOAT32, 2, kDims23}};

std::atomic<int> gEntryCalls{0};
std::atomic<bool> gWorkspaceMisaligned{false};
std::atomic<bool> gContextMissing{false};

struct AddOneClosure {
  const float *in;
  float *workspace;
  float *out;
};

void addOneBody(void *closure, int64_t begin, int64_t end) {
  auto *c = static_cast<AddOneClosure *>(closure);
  for (int64_t i = begin; i < end; ++i)
    c->out[i] = c->workspace[i] + 1.0f;
}

void addOneEntry(void *const *inputs, void *const *outputs, void *workspace,
                 mlc_exec_ctx *ctx) {
  gEntryCalls.fetch_add(1);
  if (reinterpret_cast<uintptr_t>(workspace) % 128 != 0)
    gWorkspaceMisaligned = true;
  if (!ctx)
    gContextMissing = true;
  AddOneClosure c{static_cast<const float *>(inputs[0]),
                  static_cast<float *>(workspace),
                  static_cast<float *>(outputs[0])};
  std::memcpy(c.workspace, c.in, 6 * sizeof(float));
  mlc_rt_parallel_for(ctx, 6, &addOneBody, &c);
}

mlc_model_desc addOneDesc() {
  mlc_model_desc desc{};
  desc.abi_version = MLC_ABI_VERSION;
  desc.name = "add_one";
  desc.num_inputs = 1;
  desc.inputs = kAddOneInputs;
  desc.num_outputs = 1;
  desc.outputs = kAddOneOutputs;
  desc.workspace_size = 6 * sizeof(float);
  desc.workspace_alignment = 128;
  desc.entry = &addOneEntry;
  return desc;
}

ModelPtr makeModel(const mlc_model_desc &desc,
                   const mlc_model_options *options = nullptr) {
  mlc_model *model = nullptr;
  Status status(mlc_model_create(&desc, options, &model));
  EXPECT_TRUE(status.ok()) << status.message();
  return ModelPtr(model);
}

/// The tensors of one add_one run, adjustable per test.
struct AddOneRun {
  float in[6] = {0, 1, 2, 3, 4, 5};
  float out[6] = {};
  int64_t inDims[2] = {2, 3};
  int64_t outDims[2] = {2, 3};
  mlc_tensor input{MLC_DTYPE_FLOAT32, 2, inDims, in, sizeof(in)};
  mlc_tensor output{MLC_DTYPE_FLOAT32, 2, outDims, out, sizeof(out)};
  mlc_status run(mlc_model *model) {
    return mlc_model_run(model, &input, 1, &output, 1);
  }
};

TEST(ModelTest, OptionsDefaults) {
  mlc_model_options options;
  std::memset(&options, 0x5a, sizeof(options));
  mlc_model_options_init(&options);
  EXPECT_EQ(options.num_threads, 1);
  EXPECT_EQ(options.thread_pool, nullptr);
  mlc_model_options_init(nullptr);
}

TEST(ModelTest, CreateRunDestroy) {
  for (int32_t threads : {1, 2, 4, 7, 0}) {
    mlc_model_desc desc = addOneDesc();
    mlc_model_options options;
    mlc_model_options_init(&options);
    options.num_threads = threads;
    ModelPtr model = makeModel(desc, &options);
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(mlc_model_get_desc(model.get()), &desc);
    gEntryCalls = 0;
    gWorkspaceMisaligned = false;
    gContextMissing = false;
    for (int rep = 0; rep < 3; ++rep) {
      AddOneRun run;
      run.in[0] = static_cast<float>(rep);
      Status status(run.run(model.get()));
      ASSERT_TRUE(status.ok()) << status.message();
      EXPECT_EQ(run.out[0], rep + 1.0f);
      for (int i = 1; i < 6; ++i)
        EXPECT_EQ(run.out[i], i + 1.0f);
    }
    EXPECT_EQ(gEntryCalls.load(), 3);
    EXPECT_FALSE(gWorkspaceMisaligned.load());
    EXPECT_FALSE(gContextMissing.load());
  }
}

/// A model with a symbolic dim, written the way generated code behaves:
/// y[n, 3] = x[n, 3] * 2 for any n, the output allocated with malloc, and
/// s[1] = the number of rows.
const int64_t kDoubleDims[] = {-1, 3};
const int64_t kCountDims[] = {1};
const mlc_tensor_desc kDoubleInputs[] = {{"x", MLC_DTYPE_FLOAT32, 2, kDoubleDims}};
const mlc_tensor_desc kDoubleOutputs[] = {{"y", MLC_DTYPE_FLOAT32, 2, kDoubleDims},
                                          {"s", MLC_DTYPE_INT64, 1, kCountDims}};

void doubleEntry(void *const *inputs, const int64_t *const *inputDims,
                 mlc_dynamic_output *outputs, void *, mlc_exec_ctx *) {
  int64_t n = inputDims[0][0];
  auto *in = static_cast<const float *>(inputs[0]);
  // Offset from the allocation, as an aligned buffer may be.
  auto *block = static_cast<char *>(std::malloc(64 + n * 3 * sizeof(float)));
  auto *y = reinterpret_cast<float *>(block + 64);
  for (int64_t i = 0; i < n * 3; ++i)
    y[i] = in[i] * 2;
  outputs[0].allocated = block;
  outputs[0].data = y;
  outputs[0].dims[0] = inputDims[0][0];
  outputs[0].dims[1] = inputDims[0][1];
  auto *s = static_cast<int64_t *>(std::malloc(sizeof(int64_t)));
  *s = n;
  outputs[1].allocated = outputs[1].data = s;
  outputs[1].dims[0] = 1;
}

mlc_model_desc doubleDesc() {
  mlc_model_desc desc{};
  desc.abi_version = MLC_ABI_VERSION;
  desc.name = "double";
  desc.num_inputs = 1;
  desc.inputs = kDoubleInputs;
  desc.num_outputs = 2;
  desc.outputs = kDoubleOutputs;
  desc.dynamic_entry = &doubleEntry;
  return desc;
}

TEST(DynamicModelTest, RunsEveryBatchSizeIntoCallerBuffers) {
  mlc_model_desc desc = doubleDesc();
  ModelPtr model = makeModel(desc);
  ASSERT_NE(model, nullptr);
  for (int64_t n : {1, 4, 0, 7}) {
    std::vector<float> x(n * 3), y(n * 3, -1);
    for (int64_t i = 0; i < n * 3; ++i)
      x[i] = static_cast<float>(i);
    int64_t dims[2] = {n, 3}, sDims[1] = {1}, s = -1;
    mlc_tensor in{MLC_DTYPE_FLOAT32, 2, dims, x.data(), x.size() * sizeof(float)};
    mlc_tensor outs[2] = {{MLC_DTYPE_FLOAT32, 2, dims, y.data(), y.size() * sizeof(float)},
                          {MLC_DTYPE_INT64, 1, sDims, &s, sizeof(s)}};
    Status status(mlc_model_run(model.get(), &in, 1, outs, 2));
    ASSERT_TRUE(status.ok()) << status.message();
    for (int64_t i = 0; i < n * 3; ++i)
      EXPECT_EQ(y[i], 2.0f * i);
    EXPECT_EQ(s, n);
  }
}

TEST(DynamicModelTest, RejectsWrongStaticDimsAndWrongOutputDims) {
  mlc_model_desc desc = doubleDesc();
  ModelPtr model = makeModel(desc);
  float x[8] = {}, y[8] = {};
  int64_t s = 0, sDims[1] = {1};
  int64_t badIn[2] = {2, 4};
  mlc_tensor in{MLC_DTYPE_FLOAT32, 2, badIn, x, sizeof(x)};
  mlc_tensor outs[2] = {{MLC_DTYPE_FLOAT32, 2, badIn, y, sizeof(y)},
                        {MLC_DTYPE_INT64, 1, sDims, &s, sizeof(s)}};
  Status wrongIn(mlc_model_run(model.get(), &in, 1, outs, 2));
  EXPECT_EQ(wrongIn.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_NE(wrongIn.message().find("input 'x'"), std::string::npos) << wrongIn.message();
  // Two rows in, but the caller expects one row out.
  int64_t twoRows[2] = {2, 3}, oneRow[2] = {1, 3};
  in.dims = twoRows;
  outs[0].dims = oneRow;
  Status wrongOut(mlc_model_run(model.get(), &in, 1, outs, 2));
  EXPECT_EQ(wrongOut.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_NE(wrongOut.message().find("the run computed dims [2,3] but the tensor has [1,3]"),
            std::string::npos)
      << wrongOut.message();
}

TEST(DynamicModelTest, RunAllocKeepsOutputsUntilTheNextRun) {
  mlc_model_desc desc = doubleDesc();
  ModelPtr model = makeModel(desc);
  mlc_tensor out;
  Status before(mlc_model_get_output(model.get(), 0, &out));
  EXPECT_EQ(before.code(), MLC_STATUS_INVALID_ARGUMENT);
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t dims[2] = {2, 3};
  mlc_tensor in{MLC_DTYPE_FLOAT32, 2, dims, x, sizeof(x)};
  Status run(mlc_model_run_alloc(model.get(), &in, 1));
  ASSERT_TRUE(run.ok()) << run.message();
  Status got(mlc_model_get_output(model.get(), 0, &out));
  ASSERT_TRUE(got.ok()) << got.message();
  EXPECT_EQ(out.dtype, MLC_DTYPE_FLOAT32);
  ASSERT_EQ(out.rank, 2);
  EXPECT_EQ(out.dims[0], 2);
  EXPECT_EQ(out.dims[1], 3);
  EXPECT_EQ(out.size_bytes, 6 * sizeof(float));
  EXPECT_EQ(static_cast<const float *>(out.data)[5], 12.0f);
  Status outOfRange(mlc_model_get_output(model.get(), 2, &out));
  EXPECT_EQ(outOfRange.code(), MLC_STATUS_INVALID_ARGUMENT);
  // A failed run keeps nothing.
  int64_t bad[2] = {2, 5};
  in.dims = bad;
  Status failed(mlc_model_run_alloc(model.get(), &in, 1));
  EXPECT_EQ(failed.code(), MLC_STATUS_SHAPE_MISMATCH);
  Status after(mlc_model_get_output(model.get(), 0, &out));
  EXPECT_EQ(after.code(), MLC_STATUS_INVALID_ARGUMENT);
}

TEST(DynamicModelTest, StaticModelsKeepOutputsToo) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc);
  AddOneRun run;
  Status status(mlc_model_run_alloc(model.get(), &run.input, 1));
  ASSERT_TRUE(status.ok()) << status.message();
  mlc_tensor out;
  Status got(mlc_model_get_output(model.get(), 0, &out));
  ASSERT_TRUE(got.ok()) << got.message();
  EXPECT_EQ(out.dims, desc.outputs[0].dims);
  EXPECT_EQ(static_cast<const float *>(out.data)[5], 6.0f);
}

TEST(DynamicModelTest, ADescriptionNeedsExactlyOneEntry) {
  mlc_model_desc desc = doubleDesc();
  desc.entry = &addOneEntry;
  mlc_model *model = nullptr;
  Status both(mlc_model_create(&desc, nullptr, &model));
  EXPECT_EQ(both.code(), MLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  // A symbolic dim needs the dynamic entry.
  mlc_model_desc staticEntry = addOneDesc();
  staticEntry.inputs = kDoubleInputs;
  Status symbolic(mlc_model_create(&staticEntry, nullptr, &model));
  EXPECT_EQ(symbolic.code(), MLC_STATUS_UNSUPPORTED);
  EXPECT_EQ(model, nullptr);
}

TEST(ModelTest, NullOptionsMeanDefaults) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc, nullptr);
  ASSERT_NE(model, nullptr);
  AddOneRun run;
  Status status(run.run(model.get()));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(run.out[5], 6.0f);
}

/// Entry that records which threads run its parallel loop.
ThreadRecorder *gRecorder = nullptr;
void recordingEntry(void *const *, void *const *, void *, mlc_exec_ctx *ctx) {
  mlc_rt_parallel_for(ctx, 32, &ThreadRecorder::body, gRecorder);
}

TEST(ModelTest, ModelPassesItsPoolToGeneratedCode) {
  mlc_model_desc desc{};
  desc.abi_version = MLC_ABI_VERSION;
  desc.name = "recorder";
  desc.entry = &recordingEntry;
  mlc_model_options options;
  mlc_model_options_init(&options);
  options.num_threads = 4;
  ModelPtr model = makeModel(desc, &options);
  ASSERT_NE(model, nullptr);
  ThreadRecorder recorder;
  gRecorder = &recorder;
  Status status(mlc_model_run(model.get(), nullptr, 0, nullptr, 0));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_GE(recorder.ids.size(), 2u);
}

TEST(ModelTest, SharedPoolIsUsedAndNotDestroyed) {
  PoolPtr pool = makePool(3);
  mlc_model_desc desc = addOneDesc();
  mlc_model_options options;
  mlc_model_options_init(&options);
  options.thread_pool = pool.get();
  options.num_threads = -7; // ignored when a pool is given
  {
    ModelPtr a = makeModel(desc, &options);
    ModelPtr b = makeModel(desc, &options);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    AddOneRun runA, runB;
    Status sa(runA.run(a.get()));
    Status sb(runB.run(b.get()));
    EXPECT_TRUE(sa.ok()) << sa.message();
    EXPECT_TRUE(sb.ok()) << sb.message();
    EXPECT_EQ(runA.out[2], 3.0f);
    EXPECT_EQ(runB.out[2], 3.0f);
  }
  // The models are gone; the pool must still work.
  mlc_exec_ctx ctx{pool.get(), nullptr, nullptr};
  Coverage coverage(20);
  mlc_rt_parallel_for(&ctx, 20, &Coverage::body, &coverage);
  EXPECT_EQ(coverage.wrong(), 0);
}

void noopEntry(void *const *, void *const *, void *workspace, mlc_exec_ctx *) {
  EXPECT_EQ(workspace, nullptr);
}

TEST(ModelTest, ZeroWorkspaceAndNoTensors) {
  mlc_model_desc desc{};
  desc.abi_version = MLC_ABI_VERSION;
  desc.name = "empty";
  desc.entry = &noopEntry;
  ModelPtr model = makeModel(desc);
  ASSERT_NE(model, nullptr);
  Status status(mlc_model_run(model.get(), nullptr, 0, nullptr, 0));
  EXPECT_TRUE(status.ok()) << status.message();
}

int64_t gScalarSeen = 0;
void scalarEntry(void *const *inputs, void *const *outputs, void *,
                 mlc_exec_ctx *) {
  gScalarSeen = *static_cast<const int64_t *>(inputs[0]);
  *static_cast<int64_t *>(outputs[0]) = gScalarSeen * 2;
}

TEST(ModelTest, ScalarTensorsHaveRankZeroAndNullDims) {
  static const mlc_tensor_desc in[] = {{"count", MLC_DTYPE_INT64, 0, nullptr}};
  static const mlc_tensor_desc out[] = {{"twice", MLC_DTYPE_INT64, 0, nullptr}};
  mlc_model_desc desc{};
  desc.abi_version = MLC_ABI_VERSION;
  desc.name = "scalar";
  desc.num_inputs = 1;
  desc.inputs = in;
  desc.num_outputs = 1;
  desc.outputs = out;
  desc.entry = &scalarEntry;
  ModelPtr model = makeModel(desc);
  ASSERT_NE(model, nullptr);
  int64_t x = 21, y = 0;
  mlc_tensor input{MLC_DTYPE_INT64, 0, nullptr, &x, sizeof(x)};
  mlc_tensor output{MLC_DTYPE_INT64, 0, nullptr, &y, sizeof(y)};
  Status status(mlc_model_run(model.get(), &input, 1, &output, 1));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(y, 42);

  int64_t dims1[] = {1};
  input.rank = 1;
  input.dims = dims1;
  Status mismatch(mlc_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(mismatch.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(mismatch.message(), "input 'count' (#0): expected rank 0 with "
                                "dims [] but got rank 1 with dims [1]");
}

TEST(ModelTest, WrongDimsNameTheTensor) {
  static const int64_t dims[] = {1, 3, 224, 224};
  static const mlc_tensor_desc in[] = {{"input.1", MLC_DTYPE_FLOAT32, 4, dims}};
  mlc_model_desc desc{};
  desc.abi_version = MLC_ABI_VERSION;
  desc.name = "image";
  desc.num_inputs = 1;
  desc.inputs = in;
  desc.entry = &noopEntry;
  ModelPtr model = makeModel(desc);
  ASSERT_NE(model, nullptr);
  std::vector<float> data(1 * 3 * 224 * 225);
  int64_t wrong[] = {1, 3, 224, 225};
  mlc_tensor input{MLC_DTYPE_FLOAT32, 4, wrong, data.data(),
                   data.size() * sizeof(float)};
  gEntryCalls = 0;
  Status status(mlc_model_run(model.get(), &input, 1, nullptr, 0));
  EXPECT_EQ(status.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(status.message(), "input 'input.1' (#0): expected dims "
                              "[1,3,224,224] but got [1,3,224,225]");
}

TEST(ModelTest, WrongDtypeNamesBothTypes) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc);
  ASSERT_NE(model, nullptr);
  AddOneRun run;
  run.input.dtype = MLC_DTYPE_INT64;
  Status status(run.run(model.get()));
  EXPECT_EQ(status.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(status.message(),
            "input 'input.1' (#0): expected float32 but got int64");

  AddOneRun run2;
  run2.output.dtype = 12345;
  Status status2(run2.run(model.get()));
  EXPECT_EQ(status2.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(status2.message(),
            "output 'y' (#0): expected float32 but got undefined");
}

TEST(ModelTest, WrongRankNamesTheTensor) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc);
  AddOneRun run;
  run.output.rank = 1;
  run.outDims[0] = 6;
  Status status(run.run(model.get()));
  EXPECT_EQ(status.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(status.message(), "output 'y' (#0): expected rank 2 with dims "
                              "[2,3] but got rank 1 with dims [6]");
  run.output.rank = -3;
  Status negative(run.run(model.get()));
  EXPECT_EQ(negative.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(negative.message(), "output 'y' (#0): expected rank 2 with dims "
                                "[2,3] but got rank -3");
}

TEST(ModelTest, SmallBufferIsAnError) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc);
  AddOneRun run;
  run.output.size_bytes = 20;
  Status status(run.run(model.get()));
  EXPECT_EQ(status.code(), MLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(status.message(),
            "output 'y' (#0): buffer has 20 bytes but the tensor needs 24");
  // A larger buffer is fine.
  std::vector<float> big(100);
  run.output.data = big.data();
  run.output.size_bytes = big.size() * sizeof(float);
  Status ok(run.run(model.get()));
  EXPECT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(big[5], 6.0f);
  EXPECT_EQ(big[6], 0.0f);
}

TEST(ModelTest, NullArgumentsAreInvalid) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc);
  {
    AddOneRun run;
    run.input.data = nullptr;
    Status status(run.run(model.get()));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(status.message(), "input 'input.1' (#0): data is NULL");
  }
  {
    AddOneRun run;
    run.output.dims = nullptr;
    Status status(run.run(model.get()));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(status.message(), "output 'y' (#0): dims is NULL but rank is 2");
  }
  {
    AddOneRun run;
    Status status(mlc_model_run(model.get(), nullptr, 1, &run.output, 1));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_NE(status.message().find("inputs array is NULL"), std::string::npos)
        << status.message();
  }
  {
    AddOneRun run;
    Status status(mlc_model_run(nullptr, &run.input, 1, &run.output, 1));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  }
  mlc_model_destroy(nullptr);
  EXPECT_EQ(mlc_model_get_desc(nullptr), nullptr);
}

TEST(ModelTest, WrongCountsAreInvalid) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc);
  AddOneRun run;
  mlc_tensor two[] = {run.input, run.input};
  Status status(mlc_model_run(model.get(), two, 2, &run.output, 1));
  EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(status.message(), "model 'add_one' has 1 inputs and 1 outputs but "
                              "got 2 inputs and 1 outputs");
  Status none(mlc_model_run(model.get(), &run.input, 1, nullptr, 0));
  EXPECT_EQ(none.code(), MLC_STATUS_INVALID_ARGUMENT);
}

TEST(ModelTest, OverlappingBuffersAreInvalid) {
  mlc_model_desc desc = addOneDesc();
  ModelPtr model = makeModel(desc);
  AddOneRun run;
  run.output.data = run.in + 1;
  Status status(run.run(model.get()));
  EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(status.message(), "output 'y' (#0): buffer overlaps the buffer "
                              "of input 'input.1' (#0)");
}

TEST(ModelTest, AbiVersionMismatch) {
  mlc_model_desc desc = addOneDesc();
  desc.abi_version = MLC_ABI_VERSION + 1;
  mlc_model *model = reinterpret_cast<mlc_model *>(0x1);
  Status status(mlc_model_create(&desc, nullptr, &model));
  EXPECT_EQ(status.code(), MLC_STATUS_UNSUPPORTED);
  EXPECT_EQ(model, nullptr);
  std::string expected = "model 'add_one' was compiled for runtime ABI "
                         "version " +
                         std::to_string(MLC_ABI_VERSION + 1) +
                         " but this runtime implements version " +
                         std::to_string(MLC_ABI_VERSION);
  EXPECT_NE(status.message().find(expected), std::string::npos)
      << status.message();
}

TEST(ModelTest, CreateRejectsBadArguments) {
  mlc_model *model = nullptr;
  {
    Status status(mlc_model_create(nullptr, nullptr, &model));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(status.message(), "mlc_model_create: desc is NULL");
  }
  mlc_model_desc desc = addOneDesc();
  {
    Status status(mlc_model_create(&desc, nullptr, nullptr));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  }
  {
    mlc_model_options options;
    mlc_model_options_init(&options);
    options.num_threads = -2;
    Status status(mlc_model_create(&desc, &options, &model));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(model, nullptr);
  }
  {
    mlc_model_desc bad = desc;
    bad.entry = nullptr;
    Status status(mlc_model_create(&bad, nullptr, &model));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(status.message(),
              "mlc_model_create: model 'add_one' has no entry function");
  }
  {
    mlc_model_desc bad = desc;
    bad.inputs = nullptr;
    Status status(mlc_model_create(&bad, nullptr, &model));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  }
  {
    mlc_model_desc bad = desc;
    bad.num_outputs = -1;
    Status status(mlc_model_create(&bad, nullptr, &model));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
  }
  {
    mlc_model_desc bad = desc;
    bad.workspace_alignment = 96;
    Status status(mlc_model_create(&bad, nullptr, &model));
    EXPECT_EQ(status.code(), MLC_STATUS_INVALID_ARGUMENT);
    EXPECT_NE(status.message().find("power of two"), std::string::npos);
  }
}

TEST(ModelTest, CreateRejectsBadTensorDescriptions) {
  mlc_model *model = nullptr;
  static const int64_t dynamicDims[] = {-1, 3};
  static const mlc_tensor_desc dynamic[] = {
      {"x", MLC_DTYPE_FLOAT32, 2, dynamicDims}};
  static const mlc_tensor_desc unknownType[] = {
      {"s", 14 /* complex64 */, 2, kDims23}};
  static const mlc_tensor_desc missingDims[] = {
      {"m", MLC_DTYPE_FLOAT32, 2, nullptr}};
  static const int64_t hugeDims[] = {INT64_MAX, INT64_MAX};
  static const mlc_tensor_desc huge[] = {{"h", MLC_DTYPE_FLOAT32, 2, hugeDims}};
  mlc_model_desc desc = addOneDesc();
  struct Case {
    const mlc_tensor_desc *inputs;
    mlc_status_code code;
    const char *fragment;
  } cases[] = {
      {dynamic, MLC_STATUS_UNSUPPORTED, "input 'x' (#0) has dims [-1,3]"},
      {unknownType, MLC_STATUS_UNSUPPORTED,
       "input 's' (#0) has unknown dtype 14"},
      {missingDims, MLC_STATUS_INVALID_ARGUMENT,
       "input 'm' (#0) has rank 2 and NULL dims"},
      {huge, MLC_STATUS_UNSUPPORTED, "too large"},
  };
  for (const Case &c : cases) {
    desc.inputs = c.inputs;
    Status status(mlc_model_create(&desc, nullptr, &model));
    EXPECT_EQ(status.code(), c.code) << status.message();
    EXPECT_NE(status.message().find(c.fragment), std::string::npos)
        << status.message();
    EXPECT_EQ(model, nullptr);
  }
}

TEST(ModelTest, HugeWorkspaceIsOutOfMemory) {
  mlc_model_desc desc = addOneDesc();
  desc.workspace_size = UINT64_C(1) << 62;
  mlc_model *model = nullptr;
  Status status(mlc_model_create(&desc, nullptr, &model));
  EXPECT_EQ(status.code(), MLC_STATUS_OUT_OF_MEMORY);
  EXPECT_EQ(model, nullptr);
  desc.workspace_size = UINT64_MAX;
  Status status2(mlc_model_create(&desc, nullptr, &model));
  EXPECT_EQ(status2.code(), MLC_STATUS_OUT_OF_MEMORY);
}

mlc_model *gReentrantModel = nullptr;
mlc_status_code gReentrantCode = MLC_STATUS_OK;
std::string gReentrantMessage;
void reentrantEntry(void *const *, void *const *, void *, mlc_exec_ctx *) {
  mlc_status status = mlc_model_run(gReentrantModel, nullptr, 0, nullptr, 0);
  gReentrantCode = mlc_status_get_code(status);
  gReentrantMessage = mlc_status_get_message(status);
  mlc_status_free(status);
}

TEST(ModelTest, RunWhileRunningIsAnError) {
  mlc_model_desc desc{};
  desc.abi_version = MLC_ABI_VERSION;
  desc.name = "reentrant";
  desc.entry = &reentrantEntry;
  ModelPtr model = makeModel(desc);
  ASSERT_NE(model, nullptr);
  gReentrantModel = model.get();
  Status status(mlc_model_run(model.get(), nullptr, 0, nullptr, 0));
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(gReentrantCode, MLC_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(gReentrantMessage.find("already running"), std::string::npos)
      << gReentrantMessage;
  // The flag is released afterwards.
  Status again(mlc_model_run(model.get(), nullptr, 0, nullptr, 0));
  EXPECT_TRUE(again.ok()) << again.message();
}

} // namespace
