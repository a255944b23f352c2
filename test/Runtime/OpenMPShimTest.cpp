//===- OpenMPShimTest.cpp - the runtime's OpenMP entry points -------------===//
//
// Drives the entry points the way OpenMP-lowered loops do: fork a team, each
// member asks for its static block of [0, n) and marks its iterations. Every
// iteration must be run exactly once, on the context's pool.
//
//===----------------------------------------------------------------------===//
#include "internal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

extern "C" {
struct ident;
void mlc_rt_kmpc_fork_call(ident *, int32_t, void (*)(int32_t *, int32_t *, ...), ...);
void mlc_rt_kmpc_for_static_init_8u(ident *, int32_t, int32_t, int32_t *, uint64_t *, uint64_t *,
                                    int64_t *, int64_t, int64_t);
void mlc_rt_kmpc_for_static_fini(ident *, int32_t);
int32_t mlc_rt_kmpc_global_thread_num(ident *);
}

namespace {
struct Loop {
  uint64_t n;
  std::vector<std::atomic<int>> *hits;
  std::atomic<int> *lastCount;
};

// A microtask as the OpenMP lowering emits it: (gtid*, btid*, captured pointer).
void loopTask(int32_t *gtid, int32_t *btid, Loop *loop) {
  (void)btid;
  int32_t last = 0;
  uint64_t lower = 0, upper = loop->n - 1;
  int64_t stride = 1;
  mlc_rt_kmpc_for_static_init_8u(nullptr, *gtid, 34, &last, &lower, &upper, &stride, 1, 0);
  for (uint64_t i = lower; i <= upper && upper != UINT64_MAX; ++i)
    (*loop->hits)[i]++;
  if (last)
    (*loop->lastCount)++;
  mlc_rt_kmpc_for_static_fini(nullptr, *gtid);
}

void runLoop(uint64_t n, int threads) {
  std::vector<std::atomic<int>> hits(n);
  std::atomic<int> lastCount{0};
  Loop loop{n, &hits, &lastCount};
  mlc_thread_pool *pool = nullptr;
  ASSERT_EQ(mlc_thread_pool_create(threads, &pool), nullptr);
  mlc_exec_ctx ctx{pool, nullptr, nullptr};
  mlc_exec_ctx *previous = mlc_rt_set_current_ctx(&ctx);
  mlc_rt_kmpc_fork_call(nullptr, 1, (void (*)(int32_t *, int32_t *, ...))loopTask, &loop);
  mlc_rt_set_current_ctx(previous);
  mlc_thread_pool_destroy(pool);
  for (uint64_t i = 0; i < n; ++i)
    ASSERT_EQ(hits[i].load(), 1) << "iteration " << i << " of " << n << " on " << threads;
  EXPECT_EQ(lastCount.load(), 1);
}

TEST(OpenMPShimTest, EveryIterationRunsOnce) {
  for (int threads : {1, 2, 3, 4})
    for (uint64_t n : {1u, 2u, 3u, 7u, 64u, 1000u})
      runLoop(n, threads);
}

TEST(OpenMPShimTest, NoContextRunsOnTheCaller) {
  std::vector<std::atomic<int>> hits(10);
  std::atomic<int> lastCount{0};
  Loop loop{10, &hits, &lastCount};
  mlc_rt_kmpc_fork_call(nullptr, 1, (void (*)(int32_t *, int32_t *, ...))loopTask, &loop);
  for (auto &h : hits)
    EXPECT_EQ(h.load(), 1);
  EXPECT_EQ(mlc_rt_kmpc_global_thread_num(nullptr), 0);
}
} // namespace
