//===- DepthwiseTest.cpp - mlc_rt_depthwise_conv2d_f32 against a reference ===//
#include "internal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

struct Shape {
  int64_t n, c, h, w, multiplier, kh, kw, stride, dilation, pad_top, pad_left, pad_bottom,
      pad_right;
  bool bias, relu;
};

/// Direct evaluation in double; out-of-range taps read zero.
std::vector<float> reference(const mlc_conv2d_params &p, const std::vector<float> &in,
                             const std::vector<float> &w, const float *bias) {
  std::vector<float> out(p.n * p.f * p.oh * p.ow);
  int64_t m = p.f / p.c;
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t o = 0; o < p.f; ++o)
      for (int64_t y = 0; y < p.oh; ++y)
        for (int64_t x = 0; x < p.ow; ++x) {
          double acc = bias ? bias[o] : 0.0;
          for (int64_t ky = 0; ky < p.kh; ++ky)
            for (int64_t kx = 0; kx < p.kw; ++kx) {
              int64_t iy = y * p.stride_h + ky * p.dilation_h - p.pad_top;
              int64_t ix = x * p.stride_w + kx * p.dilation_w - p.pad_left;
              if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w)
                continue;
              acc += (double)w[(o * p.kh + ky) * p.kw + kx] *
                     in[((b * p.c + o / m) * p.h + iy) * p.w + ix];
            }
          if (p.activation == MLC_ACTIVATION_RELU && acc < 0)
            acc = 0;
          out[((b * p.f + o) * p.oh + y) * p.ow + x] = (float)acc;
        }
  return out;
}

class DepthwiseTest : public ::testing::TestWithParam<Shape> {};

TEST_P(DepthwiseTest, MatchesReference) {
  Shape s = GetParam();
  mlc_conv2d_params p{};
  p.n = s.n, p.c = s.c, p.h = s.h, p.w = s.w, p.f = s.c * s.multiplier, p.kh = s.kh, p.kw = s.kw;
  p.stride_h = p.stride_w = s.stride, p.dilation_h = p.dilation_w = s.dilation;
  p.pad_top = s.pad_top, p.pad_left = s.pad_left, p.group = s.c;
  p.oh = (s.h + s.pad_top + s.pad_bottom - s.dilation * (s.kh - 1) - 1) / s.stride + 1;
  p.ow = (s.w + s.pad_left + s.pad_right - s.dilation * (s.kw - 1) - 1) / s.stride + 1;
  p.activation = s.relu ? MLC_ACTIVATION_RELU : MLC_ACTIVATION_NONE;
  std::mt19937 rng(7);
  std::normal_distribution<float> dist;
  std::vector<float> in(p.n * p.c * p.h * p.w), w(p.f * p.kh * p.kw), bias(p.f);
  for (float &v : in) v = dist(rng);
  for (float &v : w) v = dist(rng);
  for (float &v : bias) v = dist(rng);
  std::vector<float> out(p.n * p.f * p.oh * p.ow, NAN);
  mlc_rt_depthwise_conv2d_f32(&p, in.data(), w.data(), s.bias ? bias.data() : nullptr, out.data());
  std::vector<float> ref = reference(p, in, w, s.bias ? bias.data() : nullptr);
  // float32 accumulation of at most kh*kw+1 terms of size ~1: 1e-5 absolute
  // plus 1e-5 relative is a few ulp per term.
  for (size_t i = 0; i < out.size(); ++i)
    ASSERT_NEAR(out[i], ref[i], 1e-5 + 1e-5 * std::fabs(ref[i])) << "element " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, DepthwiseTest,
    ::testing::Values(Shape{1, 8, 12, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1, true, false},
                      Shape{1, 5, 13, 11, 1, 3, 3, 2, 1, 1, 1, 1, 1, true, true},
                      Shape{2, 4, 9, 9, 2, 5, 5, 1, 1, 2, 2, 2, 2, false, false},
                      Shape{1, 3, 16, 16, 1, 3, 3, 1, 2, 2, 2, 2, 2, true, true},
                      Shape{1, 6, 14, 14, 1, 7, 7, 1, 1, 3, 3, 3, 3, true, false},
                      Shape{1, 2, 7, 7, 1, 3, 3, 2, 1, 0, 0, 1, 1, true, false},
                      Shape{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, true},
                      // Planes of at most 8 columns at stride 1: two rows per
                      // vector (odd and even heights, 3x3 and 5x5, multiplier 2).
                      Shape{1, 9, 7, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1, true, true},
                      Shape{2, 5, 7, 7, 2, 5, 5, 1, 1, 2, 2, 2, 2, true, false},
                      Shape{1, 4, 4, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, false, true},
                      Shape{1, 3, 5, 3, 1, 3, 3, 1, 1, 0, 1, 2, 1, true, false},
                      Shape{1, 2, 2, 2, 1, 3, 3, 1, 2, 2, 2, 2, 2, true, false}));

TEST(DepthwiseParallelTest, SameResultOnTwoThreads) {
  mlc_conv2d_params p{1, 32, 28, 28, 32, 3, 3, 28, 28, 1, 1, 1, 1, 1, 1, 32, MLC_ACTIVATION_NONE, 0};
  std::vector<float> in(32 * 28 * 28), w(32 * 9), one(32 * 28 * 28), two(32 * 28 * 28);
  for (size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.01f * i);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::cos(0.1f * i);
  mlc_rt_depthwise_conv2d_f32(&p, in.data(), w.data(), nullptr, one.data());
  mlc_thread_pool *pool = nullptr;
  ASSERT_EQ(mlc_thread_pool_create(2, &pool), nullptr);
  mlc_exec_ctx ctx{pool, nullptr, nullptr};
  mlc_exec_ctx *previous = mlc_rt_set_current_ctx(&ctx);
  mlc_rt_depthwise_conv2d_f32(&p, in.data(), w.data(), nullptr, two.data());
  mlc_rt_set_current_ctx(previous);
  mlc_thread_pool_destroy(pool);
  EXPECT_EQ(one, two);
}
} // namespace

TEST(DepthwiseResidualTest, AddsWhatTheOutputHoldsBeforeTheActivation) {
  // The compiler does not fuse residuals into depthwise convolutions, but the
  // entry point honours accumulate: relu(conv + bias + output).
  mlc_conv2d_params p{1, 4, 6, 6, 4, 3, 3, 6, 6, 1, 1, 1, 1, 1, 1, 4, MLC_ACTIVATION_RELU, 1};
  std::vector<float> in(4 * 36), w(4 * 9), bias(4), residual(4 * 36);
  for (size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.3f * i);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::cos(0.7f * i);
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = 0.1f * i - 0.2f;
  for (size_t i = 0; i < residual.size(); ++i) residual[i] = std::cos(0.11f * i);
  mlc_conv2d_params plain = p;
  plain.accumulate = 0;
  plain.activation = MLC_ACTIVATION_NONE;
  std::vector<float> ref = reference(plain, in, w, bias.data());
  std::vector<float> out = residual;
  mlc_rt_depthwise_conv2d_f32(&p, in.data(), w.data(), bias.data(), out.data());
  for (size_t i = 0; i < out.size(); ++i)
    ASSERT_NEAR(out[i], std::max(0.0f, ref[i] + residual[i]), 1e-5) << "element " << i;
}
