//===- BatchMatmulTest.cpp - Tests of mlc_rt_batch_matmul_f32 -------------===//
//
// Compares mlc_rt_batch_matmul_f32 (both operands at run time, B unpacked)
// with a double-precision reference over shapes that cover attention (batch
// 12, 128x64 @ 64x128 and 128x128 @ 128x64), edge tiles (m, n = 1, 13, 15),
// K = 1 and K past one 256-deep cache block, broadcast A or B (batch stride
// 0), lda > k and ldb > n. Every case runs on each implementation this CPU
// supports (forced with the test-only mlc_rt_force_isa) and on 1 and 2 threads
// (a pool installed as the current context). Outputs carry guard elements and
// inputs are offset from 64-byte alignment, as in KernelTest.cpp.
//
// Tolerance: as in KernelTest.cpp, |got - ref| <= 1e-5 * sum_k |a_k * b_k|
// per element. A float32 blocked FMA summation errs by about
// sqrt(K) * 2^-24 * sum|terms| with random inputs (< 1e-6 here for K <= 300),
// while an indexing error (a missing, repeated or misplaced term) is of order
// 1/K of the sum or more and fails.
//
// Also prints (does not assert) single-thread GFLOP/s of the BERT-base
// attention shapes.
//
//===----------------------------------------------------------------------===//

#include "mlc/runtime.h"

#include "internal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr float kSentinel = -12345.0f;
constexpr size_t kGuard = 37;

struct PoolDeleter {
  void operator()(mlc_thread_pool *pool) const {
    mlc_thread_pool_destroy(pool);
  }
};

/// A pool of `threads` threads installed as the calling thread's current
/// context (none for 1 thread), as mlc_model_run does.
class ThreadScope {
public:
  explicit ThreadScope(int threads) {
    mlc_exec_ctx *ctx = nullptr;
    if (threads > 1) {
      mlc_thread_pool *pool = nullptr;
      mlc_status status = mlc_thread_pool_create(threads, &pool);
      EXPECT_EQ(status, nullptr);
      mlc_status_free(status);
      pool_.reset(pool);
      ctx_.pool = pool;
      ctx = &ctx_;
    }
    previous_ = mlc_rt_set_current_ctx(ctx);
  }
  ~ThreadScope() { mlc_rt_set_current_ctx(previous_); }

private:
  std::unique_ptr<mlc_thread_pool, PoolDeleter> pool_;
  mlc_exec_ctx ctx_{nullptr, nullptr, nullptr};
  mlc_exec_ctx *previous_ = nullptr;
};

/// Floats starting one float past a 64-byte boundary, with `guard` sentinel
/// floats on each side.
class Buffer {
public:
  explicit Buffer(size_t n, size_t guard = 0, float fill = 0.0f)
      : storage_(n + 2 * guard + 16 + 1, fill), n_(n), guard_(guard) {
    uintptr_t p = reinterpret_cast<uintptr_t>(storage_.data());
    begin_ = storage_.data() + (64 - p % 64) % 64 / sizeof(float) + 1;
  }
  float *data() { return begin_ + guard_; }
  bool guardsIntact(float fill) const {
    for (size_t i = 0; i < guard_; ++i)
      if (begin_[i] != fill || begin_[guard_ + n_ + i] != fill)
        return false;
    return true;
  }

private:
  std::vector<float> storage_;
  float *begin_;
  size_t n_, guard_;
};

struct Case {
  int64_t batch, m, n, k;
  int64_t lda, sa, ldb, sb;
};

std::string describe(const Case &t) {
  return "batch " + std::to_string(t.batch) + " m " + std::to_string(t.m) +
         " n " + std::to_string(t.n) + " k " + std::to_string(t.k) + " lda " +
         std::to_string(t.lda) + " sa " + std::to_string(t.sa) + " ldb " +
         std::to_string(t.ldb) + " sb " + std::to_string(t.sb);
}

/// Dense operands: lda = k, ldb = n, batch strides m*k and k*n (or 0).
Case dense(int64_t batch, int64_t m, int64_t n, int64_t k, bool bcast_a = false,
           bool bcast_b = false) {
  return Case{batch, m, n, k, k, bcast_a ? 0 : m * k, n, bcast_b ? 0 : k * n};
}

std::vector<float> randomVector(size_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

size_t spanOf(int64_t batch, int64_t stride, int64_t rows, int64_t ld,
              int64_t cols) {
  if (rows <= 0 || cols <= 0)
    return 1;
  return size_t((batch - 1) * stride + (rows - 1) * ld + cols);
}

class BatchMatmulTest : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override {
    if (mlc_rt_force_isa(GetParam()) != GetParam())
      GTEST_SKIP() << "this CPU does not support the implementation";
  }
  void TearDown() override { mlc_rt_force_isa(MLC_RT_ISA_AUTO); }

  void check(const Case &t, uint32_t seed = 1) {
    SCOPED_TRACE(describe(t));
    std::mt19937 rng(seed);
    std::vector<float> a =
        randomVector(spanOf(t.batch, t.sa, t.m, t.lda, t.k), rng);
    std::vector<float> b =
        randomVector(spanOf(t.batch, t.sb, t.k, t.ldb, t.n), rng);
    const size_t c_size = size_t(t.batch * t.m * t.n);
    std::vector<double> ref(c_size), scale(c_size);
    for (int64_t bi = 0; bi < t.batch; ++bi)
      for (int64_t i = 0; i < t.m; ++i)
        for (int64_t j = 0; j < t.n; ++j) {
          double sum = 0, s = 0;
          for (int64_t kk = 0; kk < t.k; ++kk) {
            double term = double(a[size_t(bi * t.sa + i * t.lda + kk)]) *
                          b[size_t(bi * t.sb + kk * t.ldb + j)];
            sum += term;
            s += std::fabs(term);
          }
          ref[size_t((bi * t.m + i) * t.n + j)] = sum;
          scale[size_t((bi * t.m + i) * t.n + j)] = s;
        }
    mlc_batch_matmul_params p{t.batch, t.m, t.n, t.k, t.lda, t.sa, t.ldb, t.sb};
    Buffer ab(a.size()), bb(b.size());
    std::copy(a.begin(), a.end(), ab.data());
    std::copy(b.begin(), b.end(), bb.data());
    for (int threads : {1, 2}) {
      SCOPED_TRACE("threads " + std::to_string(threads));
      ThreadScope scope(threads);
      Buffer out(c_size, kGuard, kSentinel);
      std::fill(out.data(), out.data() + c_size, kSentinel);
      mlc_rt_batch_matmul_f32(&p, ab.data(), bb.data(), out.data());
      EXPECT_TRUE(out.guardsIntact(kSentinel)) << "write outside the output";
      size_t bad = 0;
      for (size_t i = 0; i < c_size; ++i) {
        double tol = 1e-5 * scale[i] + 1e-30;
        if (!(std::fabs(out.data()[i] - ref[i]) <= tol) && bad++ < 5)
          ADD_FAILURE() << "element " << i << " is " << out.data()[i]
                        << " but the reference is " << ref[i];
      }
      EXPECT_EQ(bad, 0u) << bad << " of " << c_size << " elements differ";
      EXPECT_TRUE(std::equal(a.begin(), a.end(), ab.data()));
      EXPECT_TRUE(std::equal(b.begin(), b.end(), bb.data()));
    }
  }
};

TEST_P(BatchMatmulTest, AttentionShapes) {
  check(dense(12, 128, 128, 64)); // Q x K^T
  check(dense(12, 128, 64, 128)); // P x V
  check(dense(1, 128, 128, 64));
  check(dense(12, 1, 128, 64)); // one query row
}

TEST_P(BatchMatmulTest, EdgeShapes) {
  for (int64_t batch : {1, 12})
    for (int64_t m : {1, 13, 128})
      for (int64_t n : {1, 15, 64, 128})
        for (int64_t k : {1, 64, 128})
          check(dense(batch, m, n, k), uint32_t(m * 1000 + n * 10 + k));
}

TEST_P(BatchMatmulTest, EveryRowCountAndColumnTail) {
  for (int64_t m = 1; m <= 17; ++m)
    for (int64_t n : {1, 15, 16, 17, 31, 32, 33, 50})
      check(dense(2, m, n, 19), uint32_t(m * 100 + n));
}

TEST_P(BatchMatmulTest, Broadcast) {
  for (bool ba : {false, true})
    for (bool bb : {false, true}) {
      check(dense(12, 13, 64, 64, ba, bb));
      check(dense(3, 128, 15, 128, ba, bb));
    }
}

TEST_P(BatchMatmulTest, Strides) {
  // Rows longer than the operand (a head's slice of [seq, heads*64]).
  Case t = dense(12, 128, 128, 64);
  t.lda = 768;
  t.sa = 64;
  t.ldb = 130; // ldb > n
  t.sb = 128 * 130 + 5;
  check(t);
  t = dense(4, 13, 15, 64, false, true);
  t.ldb = 17;
  t.lda = 70;
  t.sa = 13 * 70;
  check(t);
}

TEST_P(BatchMatmulTest, LargeBlocks) {
  check(dense(2, 300, 600, 300)); // m, n and k past one cache block
  check(dense(1, 20, 3000, 40));  // wide: split over columns
}

TEST_P(BatchMatmulTest, ZeroDepthAndEmpty) {
  Case t = dense(3, 5, 7, 0);
  check(t);
  mlc_batch_matmul_params p{1, 0, 4, 4, 4, 0, 4, 0};
  float out = kSentinel;
  mlc_rt_batch_matmul_f32(&p, nullptr, nullptr, &out);
  EXPECT_EQ(out, kSentinel);
}

TEST_P(BatchMatmulTest, PrintAttentionThroughput) {
  ThreadScope scope(1);
  for (int variant = 0; variant < 2; ++variant) {
    Case t = variant == 0 ? dense(12, 128, 128, 64) : dense(12, 128, 64, 128);
    std::mt19937 rng(7);
    std::vector<float> a = randomVector(size_t(t.batch * t.m * t.k), rng);
    std::vector<float> b = randomVector(size_t(t.batch * t.k * t.n), rng);
    std::vector<float> c(size_t(t.batch * t.m * t.n));
    mlc_batch_matmul_params p{t.batch, t.m, t.n, t.k, t.lda, t.sa, t.ldb, t.sb};
    mlc_rt_batch_matmul_f32(&p, a.data(), b.data(), c.data()); // warm up
    const int reps = 50;
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r)
      mlc_rt_batch_matmul_f32(&p, a.data(), b.data(), c.data());
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             start)
                   .count();
    double gflops = 2.0 * t.batch * t.m * t.n * t.k * reps / s * 1e-9;
    std::printf("[ perf     ] batch %lld %lldx%lldx%lld (m x k x n), 1 thread: "
                "%.1f GFLOP/s (%.1f us/call)\n",
                (long long)t.batch, (long long)t.m, (long long)t.k,
                (long long)t.n, gflops, s / reps * 1e6);
  }
}

std::string isaName(const ::testing::TestParamInfo<int> &info) {
  switch (info.param) {
  case MLC_RT_ISA_C:
    return "C";
  case MLC_RT_ISA_AVX2:
    return "AVX2";
  default:
    return "AVX512";
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, BatchMatmulTest,
                         ::testing::Values(MLC_RT_ISA_C, MLC_RT_ISA_AVX2,
                                           MLC_RT_ISA_AVX512),
                         isaName);

} // namespace
