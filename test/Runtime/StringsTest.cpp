//===- StringsTest.cpp - Tests of the runtime's string functions ---------===//
//
// The functions generated code calls per element of a string tensor, run
// inside a hand-made execution context as a model run would be: numbers to
// text and back, splitting, RE2 patterns on the C library's regexes, and the
// arena's run errors.
//
//===----------------------------------------------------------------------===//
#include "mlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace {

int64_t str(const char *s) { return (int64_t)(intptr_t)s; }
std::string text(int64_t s) { return s ? std::string((const char *)(intptr_t)s) : std::string("<null>"); }

/// An execution context current on this thread for the test's duration.
class StringsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ctx = mlc_exec_ctx{nullptr, nullptr, nullptr, {}, nullptr};
    mlc_string_arena_init(&ctx.strings);
    previous = mlc_rt_set_current_ctx(&ctx);
  }
  void TearDown() override {
    mlc_rt_set_current_ctx(previous);
    mlc_string_arena_destroy(&ctx.strings);
  }
  std::string error() const { return ctx.strings.error ? ctx.strings.error : ""; }

  mlc_exec_ctx ctx;
  mlc_exec_ctx *previous = nullptr;
};

TEST_F(StringsTest, Float32PrintsItsShortestExactFormLikeNumPy) {
  EXPECT_EQ(text(mlc_rt_string_from_f32(0.9767611f)), "0.9767611");
  EXPECT_EQ(text(mlc_rt_string_from_f32(0.039187793f)), "0.039187793");
  EXPECT_EQ(text(mlc_rt_string_from_f32(1.0f)), "1.0");
  EXPECT_EQ(text(mlc_rt_string_from_f32(-0.0f)), "-0.0");
  EXPECT_EQ(text(mlc_rt_string_from_f32(100.0f)), "100.0");
  EXPECT_EQ(text(mlc_rt_string_from_f32(12345678.0f)), "12345678.0");
  EXPECT_EQ(text(mlc_rt_string_from_f32(1e16f)), "1e+16");
  EXPECT_EQ(text(mlc_rt_string_from_f32(1.5e-5f)), "1.5e-05");
  EXPECT_EQ(text(mlc_rt_string_from_f32(1e-4f)), "1e-04"); // 9.99999975e-05 as float32
  EXPECT_EQ(text(mlc_rt_string_from_f32(1e15f)), "1000000000000000.0");
  EXPECT_EQ(text(mlc_rt_string_from_f32(NAN)), "nan");
  EXPECT_EQ(text(mlc_rt_string_from_f32(-INFINITY)), "-inf");
  EXPECT_EQ(text(mlc_rt_string_from_f64(0.1)), "0.1");
  EXPECT_EQ(text(mlc_rt_string_from_i64(-42)), "-42");
  EXPECT_EQ(text(mlc_rt_string_from_u64(UINT64_MAX)), "18446744073709551615");
}

TEST_F(StringsTest, TextParsesAsNumbers) {
  EXPECT_EQ(mlc_rt_string_to_f64(str("0.47892547")), 0.47892547);
  EXPECT_TRUE(std::isnan(mlc_rt_string_to_f64(str("NaN"))));
  EXPECT_EQ(mlc_rt_string_to_f64(str("+INF")), INFINITY);
  EXPECT_EQ(mlc_rt_string_to_f64(str("-INF")), -INFINITY);
  EXPECT_TRUE(std::isnan(mlc_rt_string_to_f64(str("monday"))));
  EXPECT_EQ(mlc_rt_string_to_i64(str("-9000000000")), -9000000000LL);
}

TEST_F(StringsTest, ConcatenationEqualityAndCase) {
  EXPECT_EQ(text(mlc_rt_string_concat(str("\xe7\x9a\x84"), str("ab"))), "\xe7\x9a\x84" "ab");
  EXPECT_EQ(mlc_rt_string_equal(str("a"), str("a")), 1);
  EXPECT_EQ(mlc_rt_string_equal(str("a"), str("ab")), 0);
  EXPECT_EQ(text(mlc_rt_string_change_case(str("Monday \xc3\xa9"), 1)), "MONDAY \xc3\xa9");
  EXPECT_EQ(text(mlc_rt_string_change_case(str("TueSday"), 0)), "tuesday");
}

TEST_F(StringsTest, SplitAtADelimiterOrAtWhitespace) {
  auto parts = [](const char *s, const char *d, int64_t maxsplit) {
    std::string all;
    int64_t n = mlc_rt_string_split_count(str(s), str(d), maxsplit);
    for (int64_t k = 0; k < n + 1; ++k)
      all += "[" + text(mlc_rt_string_split_part(str(s), str(d), maxsplit, k, n + 1)) + "]";
    return std::to_string(n) + all;
  };
  EXPECT_EQ(parts("abc.com", ".", -1), "2[abc][com][]");
  EXPECT_EQ(parts("a..b", ".", -1), "3[a][][b][]");
  EXPECT_EQ(parts("  o n  n x ", "", -1), "4[o][n][n][x][]");
  EXPECT_EQ(parts("o n n x", "", 2), "3[o][n][n x][]");
  EXPECT_EQ(parts("the quick", "", 0), "1[the quick][]");
  EXPECT_EQ(parts("", "", -1), "0[]");
  EXPECT_EQ(error(), "");
  // More substrings than the output has room for fail the run.
  mlc_rt_string_split_part(str("a.b.c"), str("."), -1, 0, 2);
  EXPECT_EQ(error(), "StringSplit: \"a.b.c\" has 3 substrings but the output has room for 2");
}

TEST_F(StringsTest, RE2PatternsMatchWholeStrings) {
  auto match = [](const char *s, const char *re) { return mlc_rt_string_regex_full_match(str(s), str(re)); };
  EXPECT_EQ(match("account@gmail.com", "(\\W|^)[\\w.\\-]{0,25}@(yahoo|gmail)\\.com(\\W|$)"), 1);
  EXPECT_EQ(match("account@hotmail.com", "(\\W|^)[\\w.\\-]{0,25}@(yahoo|gmail)\\.com(\\W|$)"), 0);
  EXPECT_EQ(match("a-b", "[\\w\\-]+"), 1);
  EXPECT_EQ(match("ab12", "\\w+\\d\\d"), 1);
  EXPECT_EQ(match("ab12x", "\\w+\\d\\d"), 0); // a full match, not a search
  EXPECT_EQ(match("x y", "x\\sy"), 1);
  EXPECT_EQ(match("abc", "(?:a|b)+c"), 1);
  EXPECT_EQ(match("", ""), 1);
  EXPECT_EQ(error(), "");
  EXPECT_EQ(match("a", "a("), 0);
  EXPECT_NE(error().find("RegexFullMatch: pattern \"a(\" does not compile"), std::string::npos) << error();
}

TEST_F(StringsTest, ResetFreesTheRunsStringsAndError) {
  mlc_rt_string_concat(str("a"), str("b"));
  mlc_rt_string_split_part(str("a.b"), str("."), -1, 0, 1);
  EXPECT_NE(ctx.strings.blocks, nullptr);
  EXPECT_NE(error(), "");
  mlc_string_arena_reset(&ctx.strings);
  EXPECT_EQ(ctx.strings.blocks, nullptr);
  EXPECT_EQ(error(), "");
}

TEST(StringsOutsideARunTest, MakeNothing) {
  ASSERT_EQ(mlc_rt_current_ctx(), nullptr);
  EXPECT_EQ(mlc_rt_string_concat(str("a"), str("b")), 0);
  EXPECT_EQ(mlc_rt_string_equal(str("a"), str("a")), 1);
}

} // namespace
