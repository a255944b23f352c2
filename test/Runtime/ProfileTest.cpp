//===- ProfileTest.cpp - Tests of the per-kernel profile ------------------===//
//
// What a model compiled with --profile records: the calls and time of each
// kernel (keyed by its name's address) in the running model's context, and
// the table the model writes when destroyed, slowest kernel first, to the
// file MLC_PROFILE names.
//
//===----------------------------------------------------------------------===//
#include "mlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

int64_t str(const char *s) { return (int64_t)(intptr_t)s; }

/// Runs `kernel` between the two profiling calls for about `us`
/// microseconds, as generated code brackets a kernel call.
void timedCall(const char *kernel, int us) {
  int64_t begin = mlc_rt_profile_begin();
  std::this_thread::sleep_for(std::chrono::microseconds(us));
  mlc_rt_profile_end(str(kernel), begin);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ProfileTest, KernelsAddUpPerNameAndPrintSlowestFirst) {
  mlc_exec_ctx ctx{};
  mlc_exec_ctx *previous = mlc_rt_set_current_ctx(&ctx);
  static const char fast[] = "kernel0_relu", slow[] = "kernel1_conv2d";
  for (int i = 0; i < 3; ++i) {
    timedCall(fast, 100);
    timedCall(slow, 2000);
  }
  // Many distinct names: the table grows past its first capacity.
  static char names[200][16];
  for (int i = 0; i < 200; ++i) {
    std::snprintf(names[i], sizeof(names[i]), "k%d", i);
    mlc_rt_profile_end(str(names[i]), mlc_rt_profile_begin());
  }
  mlc_rt_set_current_ctx(previous);
  ASSERT_NE(ctx.profile, nullptr);

  std::string path = ::testing::TempDir() + "mlc_profile_test.txt";
  std::remove(path.c_str());
  setenv("MLC_PROFILE", path.c_str(), 1);
  mlc_profile_finish(ctx.profile, "tiny");
  unsetenv("MLC_PROFILE");
  std::string table = readFile(path);
  EXPECT_NE(table.find("# mlc CPU profile of model 'tiny': 202 kernels, 206 calls"), std::string::npos)
      << table;
  size_t slowAt = table.find("kernel1_conv2d"), fastAt = table.find("kernel0_relu");
  ASSERT_NE(slowAt, std::string::npos) << table;
  ASSERT_NE(fastAt, std::string::npos) << table;
  EXPECT_LT(slowAt, fastAt) << table;
  // The slow kernel's line: at least 3 x 2 ms in 3 calls.
  size_t lineStart = table.rfind('\n', slowAt) + 1;
  double totalMs = 0, share = 0, meanUs = 0;
  unsigned long long calls = 0;
  ASSERT_EQ(std::sscanf(table.c_str() + lineStart, "%lf %lf %llu %lf", &totalMs, &share, &calls, &meanUs), 4)
      << table;
  EXPECT_EQ(calls, 3u);
  EXPECT_GE(totalMs, 6.0);
  EXPECT_GE(meanUs, 2000.0);
  EXPECT_GT(share, 50.0);
  std::remove(path.c_str());
}

TEST(ProfileTest, OutsideARunNothingIsRecorded) {
  mlc_exec_ctx *previous = mlc_rt_set_current_ctx(nullptr);
  mlc_rt_profile_end(str("kernel0"), mlc_rt_profile_begin()); // no context: ignored
  mlc_rt_set_current_ctx(previous);
  mlc_profile_finish(nullptr, "none"); // a model that never profiled
}

} // namespace
