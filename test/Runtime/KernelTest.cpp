//===- KernelTest.cpp - Tests of the float32 microkernels -----------------===//
//
// Compares mlc_rt_conv2d_f32 and mlc_rt_matmul_f32 with naive references
// written here (double accumulation, from unpacked weights) over many shapes:
// edge tiles, groups (depthwise included), strides, dilation, padding, 1x1,
// K and N larger than one cache block, batches, bias, ReLU. Every test runs
// once per implementation this CPU supports (portable C, AVX2, AVX-512, forced
// with the test-only mlc_rt_force_isa) and on 1, 2 and 3 threads (a pool set
// as the current context), so every path and every way of splitting the work
// is checked. Outputs are surrounded by guard elements to catch stray writes,
// and buffers are offset by one float so that nothing is 64-byte aligned.
//
// Tolerance: per output element, |got - ref| <= 1e-5 * sum_k |w_k * x_k|
// (+ |bias|). The kernels accumulate in float32 in a blocked order with
// FMAs; the worst-case rounding error of any such order is about K * 2^-24 *
// sum|terms|, but with independent random inputs the error grows like
// sqrt(K) * 2^-24 * sum|terms| (<= 2e-6 for the largest K = 4608 here), so
// 1e-5 passes every correct summation order by a wide margin while an error in
// indexing (a missing, repeated or misplaced term, typically ~ 1/K of the
// sum or more) fails.
//
//===----------------------------------------------------------------------===//

#include "mlc/runtime.h"

#include "internal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr float kSentinel = -12345.0f;
constexpr size_t kGuard = 37; // guard floats before and after each output

struct PoolDeleter {
  void operator()(mlc_thread_pool *pool) const {
    mlc_thread_pool_destroy(pool);
  }
};
using PoolPtr = std::unique_ptr<mlc_thread_pool, PoolDeleter>;

/// Runs the current test's body with `threads` threads: a pool installed as
/// the calling thread's current context, as mlc_model_run does.
class ThreadScope {
public:
  explicit ThreadScope(int threads) {
    if (threads > 1) {
      mlc_thread_pool *pool = nullptr;
      mlc_status status = mlc_thread_pool_create(threads, &pool);
      EXPECT_EQ(status, nullptr);
      mlc_status_free(status);
      pool_.reset(pool);
      ctx_.pool = pool;
      previous_ = mlc_rt_set_current_ctx(&ctx_);
    } else {
      previous_ = mlc_rt_set_current_ctx(nullptr);
    }
  }
  ~ThreadScope() { mlc_rt_set_current_ctx(previous_); }

private:
  PoolPtr pool_;
  mlc_exec_ctx ctx_{};
  mlc_exec_ctx *previous_ = nullptr;
};

std::vector<float> randomVector(size_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// A float buffer whose data starts one float past a 64-byte boundary, so
/// that the kernels see unaligned pointers.
class Buffer {
public:
  explicit Buffer(size_t n, size_t guard = 0, float fill = 0.0f)
      : storage_(n + 2 * guard + 16 + 1, fill), n_(n), guard_(guard) {
    uintptr_t p = reinterpret_cast<uintptr_t>(storage_.data());
    size_t skip = (64 - p % 64) % 64 / sizeof(float) + 1;
    begin_ = storage_.data() + skip;
  }
  float *data() { return begin_ + guard_; }
  size_t size() const { return n_; }
  /// True when the guard elements around the data still hold `fill`.
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

void expectClose(const float *got, const std::vector<double> &ref,
                 const std::vector<double> &scale, const std::string &what) {
  int reported = 0;
  size_t bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    double tolerance = 1e-5 * scale[i] + 1e-30;
    if (!(std::fabs(got[i] - ref[i]) <= tolerance)) {
      ++bad;
      if (reported++ < 5)
        ADD_FAILURE() << what << ": element " << i << " is " << got[i]
                      << " but the reference is " << ref[i] << " (tolerance "
                      << tolerance << ")";
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << ref.size()
                     << " elements differ";
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t n, c, h, w, f, kh, kw;
  int64_t sh, sw, dh, dw;
  int64_t pt, pl, pb, pr;
  int64_t group;
  bool bias, relu;
  int64_t act = MLC_ACTIVATION_NONE; // other than NONE: wins over relu
  bool residual = false;             // accumulate into the output (a residual)
};

std::string describe(const ConvCase &t) {
  std::ostringstream os;
  os << "conv n" << t.n << " c" << t.c << " " << t.h << "x" << t.w << " -> f"
     << t.f << " k" << t.kh << "x" << t.kw << " s" << t.sh << "," << t.sw
     << " d" << t.dh << "," << t.dw << " pad" << t.pt << "," << t.pl << ","
     << t.pb << "," << t.pr << " g" << t.group << (t.bias ? " bias" : "")
     << (t.act ? " activation " + std::to_string(t.act) : t.relu ? " relu" : "")
     << (t.residual ? " residual" : "");
  return os.str();
}

mlc_conv2d_params paramsOf(const ConvCase &t) {
  mlc_conv2d_params p{};
  p.n = t.n;
  p.c = t.c;
  p.h = t.h;
  p.w = t.w;
  p.f = t.f;
  p.kh = t.kh;
  p.kw = t.kw;
  p.oh = (t.h + t.pt + t.pb - t.dh * (t.kh - 1) - 1) / t.sh + 1;
  p.ow = (t.w + t.pl + t.pr - t.dw * (t.kw - 1) - 1) / t.sw + 1;
  p.stride_h = t.sh;
  p.stride_w = t.sw;
  p.dilation_h = t.dh;
  p.dilation_w = t.dw;
  p.pad_top = t.pt;
  p.pad_left = t.pl;
  p.group = t.group;
  p.activation = t.act ? t.act : t.relu ? MLC_ACTIVATION_RELU : MLC_ACTIVATION_NONE;
  p.accumulate = t.residual ? 1 : 0;
  return p;
}

/// The compiler's packing, from the header: per group g and panel p of 8
/// output channels, packed[((g*P + p)*K + k)*8 + r].
std::vector<float> packConvWeights(const mlc_conv2d_params &p,
                                   const std::vector<float> &w) {
  int64_t M = p.f / p.group, cg = p.c / p.group, K = cg * p.kh * p.kw;
  const int64_t mr = MLC_CONV_MR, P = (M + mr - 1) / mr;
  std::vector<float> packed(size_t(p.group * P * K * mr), 0.0f);
  for (int64_t g = 0; g < p.group; ++g)
    for (int64_t pi = 0; pi < P; ++pi)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t r = 0; r < mr; ++r) {
          int64_t m = pi * mr + r;
          if (m < M)
            packed[size_t(((g * P + pi) * K + k) * mr + r)] =
                w[size_t((g * M + m) * K + k)];
        }
  return packed;
}

/// mlc_activation `a` of `x`, in double.
double activate(int64_t a, double x) {
  switch (a) {
  case MLC_ACTIVATION_RELU:
    return x < 0 ? 0 : x;
  case MLC_ACTIVATION_SILU:
    return x / (1.0 + std::exp(-x));
  case MLC_ACTIVATION_RELU6:
    return std::min(std::max(x, 0.0), 6.0);
  case MLC_ACTIVATION_HARDSWISH:
    return x * std::min(std::max(x / 6.0 + 0.5, 0.0), 1.0);
  default:
    return x;
  }
}

struct ConvRef {
  std::vector<double> out, scale;
};

ConvRef referenceConv(const mlc_conv2d_params &p, const std::vector<float> &x,
                      const std::vector<float> &w, const float *bias,
                      const float *residual = nullptr) {
  int64_t M = p.f / p.group, cg = p.c / p.group;
  ConvRef ref;
  size_t size = size_t(p.n * p.f * p.oh * p.ow);
  ref.out.resize(size);
  ref.scale.resize(size);
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t o = 0; o < p.f; ++o) {
      int64_t g = o / M;
      for (int64_t y = 0; y < p.oh; ++y)
        for (int64_t xo = 0; xo < p.ow; ++xo) {
          double sum = bias ? bias[o] : 0.0;
          double scale = bias ? std::fabs(bias[o]) : 0.0;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t ky = 0; ky < p.kh; ++ky)
              for (int64_t kx = 0; kx < p.kw; ++kx) {
                int64_t iy = y * p.stride_h + ky * p.dilation_h - p.pad_top;
                int64_t ix = xo * p.stride_w + kx * p.dilation_w - p.pad_left;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w)
                  continue;
                double term =
                    double(w[size_t(((o * cg + ci) * p.kh + ky) * p.kw + kx)]) *
                    x[size_t(((b * p.c + g * cg + ci) * p.h + iy) * p.w + ix)];
                sum += term;
                scale += std::fabs(term);
              }
          size_t i = size_t(((b * p.f + o) * p.oh + y) * p.ow + xo);
          if (residual) {
            sum += residual[i];
            scale += std::fabs(residual[i]);
          }
          sum = activate(p.activation, sum);
          ref.out[i] = sum;
          ref.scale[i] = scale;
        }
    }
  return ref;
}

/// Parameter: the implementation (MLC_RT_ISA_*).
class KernelTest : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override {
    if (mlc_rt_force_isa(GetParam()) != GetParam())
      GTEST_SKIP() << "this CPU does not support the implementation";
  }
  void TearDown() override { mlc_rt_force_isa(MLC_RT_ISA_AUTO); }

  void checkConv(const ConvCase &t, uint32_t seed = 1) {
    SCOPED_TRACE(describe(t));
    mlc_conv2d_params p = paramsOf(t);
    ASSERT_GE(p.oh, 1);
    ASSERT_GE(p.ow, 1);
    std::mt19937 rng(seed);
    std::vector<float> x = randomVector(size_t(p.n * p.c * p.h * p.w), rng);
    std::vector<float> w =
        randomVector(size_t(p.f * (p.c / p.group) * p.kh * p.kw), rng);
    std::vector<float> bias = randomVector(size_t(p.f), rng);
    std::vector<float> packed = packConvWeights(p, w);
    std::vector<float> residual =
        randomVector(size_t(p.n * p.f * p.oh * p.ow), rng);
    ConvRef ref = referenceConv(p, x, w, t.bias ? bias.data() : nullptr,
                                t.residual ? residual.data() : nullptr);

    Buffer in(x.size()), wts(packed.size()), bs(bias.size());
    std::copy(x.begin(), x.end(), in.data());
    std::copy(packed.begin(), packed.end(), wts.data());
    std::copy(bias.begin(), bias.end(), bs.data());
    for (int threads : {1, 2, 3}) {
      SCOPED_TRACE("threads " + std::to_string(threads));
      ThreadScope scope(threads);
      Buffer out(ref.out.size(), kGuard, kSentinel);
      if (t.residual)
        std::copy(residual.begin(), residual.end(), out.data());
      else
        std::fill(out.data(), out.data() + out.size(), kSentinel);
      mlc_rt_conv2d_f32(&p, in.data(), wts.data(), t.bias ? bs.data() : nullptr,
                        out.data());
      EXPECT_TRUE(out.guardsIntact(kSentinel)) << "write outside the output";
      expectClose(out.data(), ref.out, ref.scale, describe(t));
      // Inputs are only read.
      EXPECT_TRUE(std::equal(x.begin(), x.end(), in.data()));
    }
  }
};

ConvCase conv(int64_t c, int64_t hw, int64_t f, int64_t k, int64_t stride,
              int64_t pad) {
  return ConvCase{1, c, hw,  hw,  f,   k,   k, stride, stride,
                  1, 1, pad, pad, pad, pad, 1, true,   false};
}

TEST_P(KernelTest, ConvAccumulatesAResidualBeforeTheActivation) {
  // act(conv + bias + residual) on every path: column tiles (one and three K
  // blocks, 1x1 direct), channel vectors for 7x7 outputs, the grouped GEMM
  // that a depthwise convolution takes with a residual, and the post-pass
  // activations.
  auto residual = [](ConvCase t, bool relu, int64_t act = MLC_ACTIVATION_NONE) {
    t.relu = relu;
    t.act = act;
    t.residual = true;
    return t;
  };
  checkConv(residual(conv(16, 9, 24, 3, 1, 1), true));
  checkConv(residual(conv(64, 9, 16, 3, 1, 1), true));
  checkConv(residual(conv(32, 12, 40, 1, 1, 0), false));
  checkConv(residual(conv(32, 7, 48, 3, 1, 1), true));
  checkConv(residual(conv(24, 7, 40, 1, 1, 0), false, MLC_ACTIVATION_SILU));
  ConvCase dw = conv(8, 6, 8, 3, 1, 1);
  dw.group = 8;
  checkConv(residual(dw, true));
}

TEST_P(KernelTest, ConvSmallShapes) {
  checkConv(conv(1, 1, 1, 1, 1, 0));
  checkConv(conv(3, 5, 2, 3, 1, 1));
  checkConv(conv(4, 9, 8, 3, 1, 0));
  checkConv(conv(5, 7, 9, 3, 2, 1));  // m tail: 9 = 8 + 1
  checkConv(conv(2, 4, 17, 1, 1, 0)); // 1x1 direct path, three panels
}

TEST_P(KernelTest, ConvOneByOne) {
  checkConv(conv(16, 12, 24, 1, 1, 0)); // direct: B is the input
  checkConv(conv(16, 13, 24, 1, 2, 0)); // strided 1x1: subsampled, then direct
  // Strided 1x1 convolutions copy the pixels they read into a dense block
  // first: different strides per axis, two images, groups, a residual; a
  // 7x7 result (the few-columns path); and padding after the image, which
  // reads outside it (not subsampled).
  ConvCase s = conv(16, 15, 24, 1, 2, 0);
  s.sw = 3;
  s.n = 2;
  s.group = 2;
  s.residual = true;
  s.act = MLC_ACTIVATION_RELU6;
  checkConv(s);
  checkConv(conv(64, 14, 32, 1, 2, 0));
  s = conv(8, 10, 16, 1, 2, 0);
  s.pb = s.pr = 1;
  checkConv(s);
  checkConv(conv(8, 10, 8, 1, 1, 1));   // padded 1x1 (not direct)
  checkConv(conv(70, 23, 20, 1, 1, 0)); // N = 529: tails of 16 and 32
  // A small input block: panel by panel over the strips, with a residual
  // and an activation in the epilogue, two images.
  ConvCase t = conv(16, 41, 36, 1, 1, 0);
  t.n = 2;
  t.residual = true;
  t.act = MLC_ACTIVATION_RELU6;
  checkConv(t);
  // The same order over three K blocks (K = 600, 14x14: the next weight
  // panels are fetched ahead, across into the next block) and five panels.
  ConvCase u = conv(600, 14, 40, 1, 1, 0);
  u.residual = true;
  checkConv(u);
}

TEST_P(KernelTest, ConvStridesDilationPadding) {
  ConvCase t = conv(6, 17, 10, 3, 2, 1);
  checkConv(t);
  t.dh = t.dw = 2;
  t.sh = t.sw = 1;
  t.pt = t.pl = t.pb = t.pr = 2;
  checkConv(t); // dilation 2
  t = conv(3, 30, 16, 7, 2, 3);
  checkConv(t); // stem-like 7x7 stride 2 pad 3
  t = conv(4, 20, 8, 3, 3, 2);
  checkConv(t); // stride 3: gathers
  t.sh = 1;
  t.sw = 4;
  checkConv(t);
  t = conv(5, 11, 12, 5, 1, 4); // padding wider than half the kernel
  checkConv(t);
  t = conv(2, 6, 4, 3, 1, 0);
  t.pt = 3;
  t.pb = 0;
  t.pl = 0;
  t.pr = 3; // asymmetric padding
  checkConv(t);
}

TEST_P(KernelTest, ConvNonSquareKernels) {
  ConvCase t = conv(5, 14, 12, 3, 1, 1);
  t.kh = 1;
  t.kw = 7;
  t.pt = t.pb = 0;
  t.pl = t.pr = 3;
  checkConv(t);
  t.kh = 7;
  t.kw = 1;
  t.pt = t.pb = 3;
  t.pl = t.pr = 0;
  checkConv(t);
  t = conv(4, 9, 8, 3, 1, 0);
  t.h = 5;
  t.w = 23;
  t.kh = 2;
  t.kw = 4;
  t.sh = 2;
  t.sw = 1;
  t.dh = 1;
  t.dw = 2;
  checkConv(t);
}

TEST_P(KernelTest, ConvSameSizeStrideOne) {
  // Stride 1 with the output as large as the input: AVX-512 tiles read the
  // input in place, tap by tap, with the lanes whose window leaves the image
  // masked. Images narrower and wider than a 16- and 32-column tile, row
  // panels with a remainder (20 = 2 x 8 + 4), batches and groups.
  for (int64_t hw : {1, 3, 14, 40}) {
    ConvCase t = conv(6, hw, 20, 3, 1, 1);
    t.n = 2;
    t.relu = true;
    checkConv(t);
  }
  ConvCase t = conv(8, 13, 12, 5, 1, 2);
  t.w = 37;
  t.group = 2;
  checkConv(t);
  // Asymmetric padding (pads before and after differ) and dilation.
  t = conv(5, 11, 9, 3, 1, 0);
  t.kh = 2;
  t.kw = 4;
  t.pt = 0;
  t.pb = 1;
  t.pl = 1;
  t.pr = 2;
  checkConv(t);
  t = conv(4, 19, 16, 3, 1, 3);
  t.dh = t.dw = 3;
  checkConv(t);
  // Two K blocks (K = 300 x 9 past the block size) with a residual.
  t = conv(300, 9, 16, 3, 1, 1);
  t.residual = true;
  t.act = MLC_ACTIVATION_RELU;
  checkConv(t);
}

TEST_P(KernelTest, ConvStrideTwoPhases) {
  // Stride 2 with outputs of at least 16 columns holding every input pixel:
  // AVX-512 tiles read the input split into its four phases. A stem-like
  // 7x7, odd image sizes, padding only after (SAME_UPPER), two images and
  // groups, and two K blocks with a residual.
  ConvCase t = conv(3, 40, 16, 7, 2, 3);
  t.w = 36;
  checkConv(t);
  t = conv(5, 33, 12, 3, 2, 1);
  t.w = 35;
  t.n = 2;
  t.act = MLC_ACTIVATION_RELU6;
  checkConv(t);
  t = conv(4, 32, 8, 3, 2, 0);
  t.pb = t.pr = 1;
  t.group = 2;
  checkConv(t);
  // (8 output channels: on AVX-512, 16 or more with 16 or more input
  // channels go to ConvFewColumnsReadInPlace's tiles.)
  t = conv(300, 34, 8, 3, 2, 1);
  t.residual = true;
  t.relu = true;
  checkConv(t);
}

TEST_P(KernelTest, ConvGroups) {
  ConvCase t = conv(12, 10, 18, 3, 1, 1);
  t.group = 3; // 4 channels -> 6 outputs per group
  checkConv(t);
  t = conv(32, 12, 32, 3, 1, 1);
  t.group = 32; // depthwise
  checkConv(t);
  t = conv(16, 15, 32, 3, 2, 1);
  t.group = 16; // depthwise with multiplier 2, stride 2
  checkConv(t);
  t = conv(64, 9, 64, 3, 1, 1);
  t.group = 4; // 16 outputs per group: two full panels
  t.n = 2;
  checkConv(t);
}

TEST_P(KernelTest, ConvBatchBiasRelu) {
  for (bool bias : {false, true})
    for (bool relu : {false, true}) {
      ConvCase t = conv(7, 11, 13, 3, 1, 1);
      t.n = 2;
      t.bias = bias;
      t.relu = relu;
      checkConv(t);
    }
}

TEST_P(KernelTest, ConvLargeBlocks) {
  // K = 576 (three blocks of KC with accumulate), N = 784: several column
  // blocks, parallel split over columns.
  ConvCase t = conv(64, 28, 24, 3, 1, 1);
  t.relu = true;
  checkConv(t);
  // Small image, many output channels: parallel split over row panels,
  // K = 4608, N = 49 (a full 32-column tile and a 17-column tail).
  checkConv(conv(512, 7, 96, 3, 1, 1));
  // 1x1 with K = 600 and N = 900.
  ConvCase u = conv(600, 30, 40, 1, 1, 0);
  u.n = 2;
  checkConv(u);
}

TEST_P(KernelTest, ConvFewColumns) {
  // Outputs of 1, 4, 9, 25 and 49 columns: the AVX-512 path puts output
  // channels in the vector. M = 40 leaves a partial vector pair (5 panels),
  // M = 17 a partial panel; K = 1152 is several K blocks.
  ConvCase t = conv(64, 1, 40, 1, 1, 0);
  t.relu = true;
  checkConv(t);
  checkConv(conv(128, 2, 17, 1, 1, 0));
  checkConv(conv(16, 3, 24, 3, 1, 1));
  t = conv(128, 5, 48, 3, 1, 1);
  t.relu = true;
  checkConv(t);
  t = conv(32, 7, 64, 3, 1, 1);
  t.group = 2;
  t.n = 2;
  checkConv(t);
  t = conv(24, 14, 40, 3, 2, 1); // 7x7 output from stride 2
  t.bias = false;
  checkConv(t);
  t = conv(40, 4, 300, 3, 1, 1); // 300 channels: passes of 256 rows
  t.relu = true;
  checkConv(t);
}

TEST_P(KernelTest, ConvFewColumnsReadInPlace) {
  // Outputs narrower than 16 columns with more than one tap: on AVX-512 the
  // channel-vector tiles broadcast B from a zero-padded copy of the input
  // (or from the input itself where no tap leaves it), tap by tap in K
  // blocks of whole channels.
  ConvCase t = conv(40, 14, 32, 3, 1, 1); // 3 K blocks of 14, 14, 12 channels
  t.residual = true;
  t.relu = true;
  checkConv(t);
  t = conv(24, 28, 48, 3, 2, 1); // stride 2: 14x14 from 28x28
  t.n = 2;
  checkConv(t);
  // Wider strided outputs (at least 16 channels a group) too: 20x20 = 400
  // columns, two passes of at most 256.
  t = conv(32, 40, 24, 3, 2, 1);
  t.w = 39;
  t.relu = true;
  checkConv(t);
  t = conv(16, 9, 24, 3, 1, 0); // no padding: the input read in place
  t.w = 11;
  checkConv(t);
  t.pb = 1; // one row of padding after: copied
  checkConv(t);
  t.pb = 0;
  t.sh = 2; // rows and columns of different strides
  checkConv(t);
  t = conv(12, 13, 16, 3, 1, 0); // padding only after, and dilation 2
  t.dh = t.dw = 2;
  t.pb = t.pr = 3;
  checkConv(t);
  t = conv(10, 12, 40, 5, 3, 2); // 5x5 taps (5 channels a K block), stride 3
  t.h = 17;
  checkConv(t);
  t = conv(18, 11, 32, 1, 1, 0); // 1 x 7 taps, rows of different lengths
  t.kw = 7;
  t.pl = 2;
  t.pr = 4;
  t.group = 2;
  checkConv(t);
  checkConv(conv(6, 7, 16, 9, 1, 4)); // 81 taps: too many to read in place
}

TEST_P(KernelTest, ConvNarrowLastStrip) {
  // 14x14 outputs: 196 = 6 x 32 + 4 columns, the last 4 with 16 channels
  // per vector (AVX-512) after the column tiles: 24 channels (a partial
  // vector pair), a residual, two K blocks with SiLU, 1x1 read in place,
  // and a batch of two. (AVX-512 takes the 3x3 ones with channels in the
  // vector throughout: ConvFewColumnsReadInPlace.)
  ConvCase t = conv(16, 14, 24, 3, 1, 1);
  t.relu = true;
  t.residual = true;
  checkConv(t);
  t = conv(40, 14, 40, 3, 1, 1); // K = 360
  t.act = MLC_ACTIVATION_SILU;
  checkConv(t);
  t = conv(96, 14, 48, 1, 1, 0);
  t.n = 2;
  checkConv(t);
  checkConv(conv(8, 14, 8, 3, 1, 1)); // 8 channels: column tiles only
  // 72 channels: the narrow strip takes 64 channels a tile (4 vectors),
  // then 8; 15x15 = 7 x 32 + 1 with 3 vectors of 40 channels.
  t = conv(20, 14, 72, 3, 1, 1);
  t.residual = true;
  checkConv(t);
  checkConv(conv(20, 14, 72, 1, 1, 0));
  checkConv(conv(12, 15, 40, 3, 1, 1));
}

TEST_P(KernelTest, ConvDepthwise) {
  // One input channel per group, computed directly rather than as a GEMM.
  ConvCase t = conv(24, 40, 24, 3, 1, 1);
  t.group = 24;
  t.relu = true;
  checkConv(t); // 40 columns: a partial block of 16
  t = conv(8, 19, 8, 5, 2, 2);
  t.group = 8;
  checkConv(t);
  t = conv(6, 23, 12, 3, 3, 1); // multiplier 2, stride 3
  t.group = 6;
  t.dh = t.dw = 2;
  checkConv(t);
  t = conv(4, 9, 4, 3, 1, 0);
  t.group = 4;
  t.sw = 4;
  t.kh = 1;
  t.pl = t.pr = 3;
  t.n = 2;
  checkConv(t);
}

TEST_P(KernelTest, ConvDepthwiseStrideTwoRows) {
  // 3x3 and 5x5 at stride 2 (with AVX-512: each input row's floats split
  // into even and odd ones once for every tap): outputs in several blocks
  // of 16 columns with a partial last one, odd widths whose last block reads
  // past the row, output heights not a multiple of the 4 rows done
  // together, padding on one side only, none at all, and more than the
  // kernel reaches.
  for (int64_t k : {3, 5}) {
    SCOPED_TRACE("kernel " + std::to_string(k));
    ConvCase t = conv(5, 75, 5, k, 2, k / 2); // 38 x 38 outputs
    t.group = 5;
    t.relu = true;
    checkConv(t);
    t = conv(3, 64, 3, k, 2, 0); // padding after only, as "SAME_UPPER" gives
    t.pb = t.pr = k / 2;
    t.group = 3;
    t.n = 2;
    checkConv(t);
    t = conv(4, 41, 4, k, 2, 0); // no padding: 20 or 19 columns
    t.h = 23;
    t.group = 4;
    t.bias = false;
    checkConv(t);
    t = conv(2, 45, 2, k, 2, 0);
    t.pt = t.pl = k; // a row and a column of outputs read only padding
    t.pb = t.pr = 1;
    t.group = 2;
    t.act = MLC_ACTIVATION_SILU;
    checkConv(t);
  }
}

TEST_P(KernelTest, ConvDepthwiseChannelBlocks) {
  // Planes at most 32 columns wide: with AVX-512, 16 channels per vector
  // (full and partial channel blocks; rows of at most 8 pixels transposed
  // two at a time), stride 1 and 2 (its four phases),
  // dilation, padding larger on one side, two images, an activation, and a
  // plane tall enough to go in several strips of rows.
  for (int64_t c : {16, 17, 40}) {
    for (ConvCase t : {conv(c, 7, c, 3, 1, 1), conv(c, 14, c, 5, 2, 2), conv(c, 14, c, 5, 1, 2),
                       conv(c, 32, c, 3, 2, 1), conv(c, 31, c, 3, 1, 1), conv(c, 8, c, 3, 2, 1),
                       conv(c, 5, c, 5, 1, 2)}) {
      t.group = c;
      t.act = MLC_ACTIVATION_SILU;
      checkConv(t);
    }
  }
  ConvCase t = conv(20, 13, 20, 3, 2, 0);
  t.group = 20;
  t.n = 2;
  t.dh = t.dw = 2;
  t.pt = 3, t.pl = 1, t.pb = 0, t.pr = 2;
  t.bias = false;
  checkConv(t);
  t = conv(18, 30, 18, 5, 1, 2);
  t.h = 300; // 300 rows of 30: several strips
  t.group = 18;
  t.relu = true;
  checkConv(t);
  t.sh = t.sw = 2;
  checkConv(t);
  // Outputs 7 and 14 columns wide go whole rows a block (two rows of 7),
  // here over several strips with an odd number of rows.
  for (int64_t w : {7, 14}) {
    t = conv(17, 9, 17, 5, 1, 2);
    t.h = 301;
    t.w = w;
    t.group = 17;
    t.act = MLC_ACTIVATION_HARDSWISH;
    checkConv(t);
  }
}

TEST_P(KernelTest, ConvActivations) {
  // Each conv route applies SiLU, ReLU6 and HardSwish to its finished sums:
  // the GEMM tiles over several K blocks (only the last one activates) and
  // column chunks, the few-columns path, 1x1, depthwise, and a batch with
  // groups.
  for (int64_t act : {MLC_ACTIVATION_SILU, MLC_ACTIVATION_RELU6, MLC_ACTIVATION_HARDSWISH}) {
    for (ConvCase t : {conv(64, 28, 24, 3, 1, 1), conv(128, 5, 48, 3, 1, 1),
                       conv(16, 12, 24, 1, 1, 0), conv(24, 40, 24, 3, 1, 1)}) {
      t.act = act;
      if (t.c == 24)
        t.group = 24;
      checkConv(t);
    }
    ConvCase g = conv(32, 7, 64, 3, 1, 1);
    g.group = 2;
    g.n = 2;
    g.act = act;
    checkConv(g);
  }
}

TEST_P(KernelTest, SiluIsAccurateOverTheFloatRange) {
  // An identity 1x1 conv (the depthwise route) and an identity 1-column
  // matmul (the GEMM route) over values from -90 to 90, including the
  // clamp region of e^-x, zeros and a NaN.
  const int64_t n = 1001;
  Buffer in(n), out(n), packed(16);
  for (int64_t i = 0; i < n; ++i)
    in.data()[i] = -90.0f + 180.0f * float(i) / float(n - 1);
  in.data()[500] = 0.0f;
  in.data()[7] = NAN;
  std::fill(packed.data(), packed.data() + 16, 0.0f);
  packed.data()[0] = 1.0f;
  auto check = [&](const char *route) {
    for (int64_t i = 0; i < n; ++i) {
      double x = in.data()[i], want = x / (1.0 + std::exp(-x));
      if (std::isnan(x))
        EXPECT_TRUE(std::isnan(out.data()[i])) << route;
      else
        EXPECT_NEAR(out.data()[i], want, 1e-30 + 2e-6 * std::fabs(want)) << route << " x=" << x;
    }
  };
  mlc_conv2d_params p{};
  p.n = p.c = p.f = p.kh = p.kw = p.h = p.oh = 1;
  p.w = p.ow = n;
  p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = p.group = 1;
  p.activation = MLC_ACTIVATION_SILU;
  mlc_rt_conv2d_f32(&p, in.data(), packed.data(), nullptr, out.data());
  check("conv");
  mlc_matmul_params m{};
  m.batch = 1;
  m.m = n;
  m.n = 1;
  m.k = 1;
  m.lda = 1;
  m.activation = MLC_ACTIVATION_SILU;
  mlc_rt_matmul_f32(&m, in.data(), packed.data(), nullptr, out.data());
  check("matmul");
}

TEST_P(KernelTest, ActivationsKeepNaN) {
  // ONNX's Relu/Clip/HardSwish/SiLU of NaN is NaN: through the GEMM tiles
  // (a 16-channel 1x1 conv on an 8x8 image) and the few-columns path (a
  // 2x2 image). Weights are an identity, so NaN inputs reach the activation
  // unchanged and -1 inputs test the clamp.
  for (int64_t act : {MLC_ACTIVATION_RELU, MLC_ACTIVATION_RELU6, MLC_ACTIVATION_HARDSWISH,
                      MLC_ACTIVATION_SILU}) {
    for (int64_t hw : {8, 2}) {
      const int64_t c = 16, n = c * hw * hw, mr = MLC_CONV_MR;
      const int64_t wn = (c + mr - 1) / mr * c * mr;
      Buffer in(n), out(n), w(wn);
      std::fill(w.data(), w.data() + wn, 0.0f);
      for (int64_t o = 0; o < c; ++o)
        w.data()[(o / mr * c + o) * mr + o % mr] = 1.0f; // packed identity
      // NaN at every third pixel in all channels (0 * NaN is NaN, so a
      // NaN in one channel would reach every output of its pixel).
      const int64_t pixels = hw * hw;
      for (int64_t i = 0; i < n; ++i)
        in.data()[i] = i % pixels % 3 == 0 ? NAN : -1.0f;
      mlc_conv2d_params p{};
      p.n = 1;
      p.c = p.f = c;
      p.h = p.w = p.oh = p.ow = hw;
      p.kh = p.kw = p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = p.group = 1;
      p.activation = act;
      mlc_rt_conv2d_f32(&p, in.data(), w.data(), nullptr, out.data());
      for (int64_t i = 0; i < n; ++i)
        if (i % pixels % 3 == 0)
          EXPECT_TRUE(std::isnan(out.data()[i])) << "activation " << act << " " << hw << "x" << hw;
        else
          EXPECT_NEAR(out.data()[i], activate(act, -1.0), 1e-6);
    }
  }
}

TEST_P(KernelTest, DepthwiseActivationsKeepNaN) {
  // The depthwise routes (3x3 on 8x8: the interior kernel and the general
  // one at the edges): channels 0, 3, ... are all NaN, the others -1; the
  // weights pick the centre tap.
  for (int64_t act : {MLC_ACTIVATION_RELU, MLC_ACTIVATION_RELU6, MLC_ACTIVATION_HARDSWISH,
                      MLC_ACTIVATION_SILU}) {
    const int64_t c = 16, hw = 8, pixels = hw * hw, n = c * pixels, mr = MLC_CONV_MR;
    Buffer in(n), out(n), w(c * 9 * mr);
    std::fill(w.data(), w.data() + c * 9 * mr, 0.0f);
    for (int64_t o = 0; o < c; ++o)
      w.data()[(o * 9 + 4) * mr] = 1.0f; // packed: ((g*P + p)*K + k)*MR + r
    for (int64_t i = 0; i < n; ++i)
      in.data()[i] = i / pixels % 3 == 0 ? NAN : -1.0f;
    mlc_conv2d_params p{};
    p.n = 1;
    p.c = p.f = p.group = c;
    p.h = p.w = p.oh = p.ow = hw;
    p.kh = p.kw = 3;
    p.pad_top = p.pad_left = 1;
    p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
    p.activation = act;
    mlc_rt_conv2d_f32(&p, in.data(), w.data(), nullptr, out.data());
    for (int64_t i = 0; i < n; ++i)
      if (i / pixels % 3 == 0)
        EXPECT_TRUE(std::isnan(out.data()[i])) << "activation " << act << " element " << i;
      else
        EXPECT_NEAR(out.data()[i], activate(act, -1.0), 1e-6) << "element " << i;
  }
}

TEST_P(KernelTest, ConvRandomShapes) {
  std::mt19937 rng(1234);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int i = 0; i < 60; ++i) {
    ConvCase t{};
    t.n = pick(1, 2);
    t.group = pick(0, 3) == 0 ? pick(2, 4) : 1;
    int64_t cg = pick(1, 12), mg = pick(1, 20);
    if (pick(0, 5) == 0) { // depthwise
      t.group = pick(2, 9);
      cg = 1;
      mg = pick(1, 2);
    }
    t.c = cg * t.group;
    t.f = mg * t.group;
    t.kh = pick(1, 5);
    t.kw = pick(0, 2) == 0 ? pick(1, 5) : t.kh;
    t.sh = pick(1, 3);
    t.sw = pick(0, 2) == 0 ? pick(1, 3) : t.sh;
    t.dh = pick(1, 2);
    t.dw = pick(1, 2);
    t.pt = pick(0, 2);
    t.pl = pick(0, 2);
    t.pb = pick(0, 2);
    t.pr = pick(0, 2);
    if (pick(0, 2) == 0) { // stride 1, output as large as the input
      t.sh = t.sw = 1;
      t.pt = pick(0, t.dh * (t.kh - 1));
      t.pb = t.dh * (t.kh - 1) - t.pt;
      t.pl = pick(0, t.dw * (t.kw - 1));
      t.pr = t.dw * (t.kw - 1) - t.pl;
    }
    t.h = pick(std::max<int64_t>(1, t.dh * (t.kh - 1) + 1 - t.pt - t.pb), 24);
    t.w = pick(std::max<int64_t>(1, t.dw * (t.kw - 1) + 1 - t.pl - t.pr), 40);
    t.bias = pick(0, 1);
    t.relu = pick(0, 1);
    checkConv(t, uint32_t(i));
  }
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

struct MatmulCase {
  int64_t batch, m, n, k, lda, batch_stride_a;
  bool bias, relu;
  int64_t act = MLC_ACTIVATION_NONE; // other than NONE: wins over relu
  bool residual = false;             // accumulate into the output (a residual)
};

std::string describe(const MatmulCase &t) {
  std::ostringstream os;
  os << "matmul batch" << t.batch << " m" << t.m << " n" << t.n << " k" << t.k
     << " lda" << t.lda << " bsa" << t.batch_stride_a << (t.bias ? " bias" : "")
     << (t.act ? " activation " + std::to_string(t.act) : t.relu ? " relu" : "")
     << (t.residual ? " residual" : "");
  return os.str();
}

/// The compiler's packing, from the header: panels of 16 columns,
/// packed[(q*k + kk)*16 + r] = B[kk, q*16 + r].
std::vector<float> packMatmulB(int64_t k, int64_t n,
                               const std::vector<float> &b) {
  int64_t Q = (n + 15) / 16;
  std::vector<float> packed(size_t(std::max<int64_t>(Q * k * 16, 1)), 0.0f);
  for (int64_t q = 0; q < Q; ++q)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t r = 0; r < 16 && q * 16 + r < n; ++r)
        packed[size_t((q * k + kk) * 16 + r)] = b[size_t(kk * n + q * 16 + r)];
  return packed;
}

void checkMatmul(const MatmulCase &t, uint32_t seed = 1) {
  SCOPED_TRACE(describe(t));
  std::mt19937 rng(seed);
  size_t a_size =
      size_t((t.batch - 1) * t.batch_stride_a + (t.m - 1) * t.lda + t.k);
  std::vector<float> a = randomVector(std::max<size_t>(a_size, 1), rng);
  std::vector<float> b = randomVector(size_t(t.k * t.n), rng);
  std::vector<float> bias = randomVector(size_t(t.n), rng);
  std::vector<float> packed = packMatmulB(t.k, t.n, b);
  size_t c_size = size_t(t.batch * t.m * t.n);
  std::vector<double> ref(c_size), scale(c_size);
  for (int64_t bi = 0; bi < t.batch; ++bi)
    for (int64_t i = 0; i < t.m; ++i)
      for (int64_t j = 0; j < t.n; ++j) {
        double sum = t.bias ? bias[size_t(j)] : 0.0;
        double s = t.bias ? std::fabs(bias[size_t(j)]) : 0.0;
        for (int64_t kk = 0; kk < t.k; ++kk) {
          double term =
              double(a[size_t(bi * t.batch_stride_a + i * t.lda + kk)]) *
              b[size_t(kk * t.n + j)];
          sum += term;
          s += std::fabs(term);
        }
        sum = activate(t.act ? t.act : t.relu ? MLC_ACTIVATION_RELU : MLC_ACTIVATION_NONE, sum);
        ref[size_t((bi * t.m + i) * t.n + j)] = sum;
        scale[size_t((bi * t.m + i) * t.n + j)] = s;
      }

  mlc_matmul_params p{};
  p.batch = t.batch;
  p.m = t.m;
  p.n = t.n;
  p.k = t.k;
  p.lda = t.lda;
  p.batch_stride_a = t.batch_stride_a;
  p.activation = t.act ? t.act : t.relu ? MLC_ACTIVATION_RELU : MLC_ACTIVATION_NONE;
  Buffer ab(a.size()), pb(packed.size()), bb(bias.size());
  std::copy(a.begin(), a.end(), ab.data());
  std::copy(packed.begin(), packed.end(), pb.data());
  std::copy(bias.begin(), bias.end(), bb.data());
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ThreadScope scope(threads);
    Buffer out(c_size, kGuard, kSentinel);
    std::fill(out.data(), out.data() + out.size(), kSentinel);
    mlc_rt_matmul_f32(&p, ab.data(), pb.data(), t.bias ? bb.data() : nullptr,
                      out.data());
    EXPECT_TRUE(out.guardsIntact(kSentinel)) << "write outside the output";
    expectClose(out.data(), ref, scale, describe(t));
  }
}

MatmulCase mm(int64_t m, int64_t n, int64_t k) {
  return MatmulCase{1, m, n, k, k, m * k, true, false};
}

TEST_P(KernelTest, MatmulActivations) {
  // Several row and column chunks with 2 and 3 threads, tails, a bias.
  for (int64_t act : {MLC_ACTIVATION_SILU, MLC_ACTIVATION_RELU6, MLC_ACTIVATION_HARDSWISH}) {
    MatmulCase t{1, 77, 300, 130, 130, 0, true, false};
    t.act = act;
    checkMatmul(t);
    t = MatmulCase{3, 9, 33, 20, 20, 9 * 20, false, false};
    t.act = act;
    checkMatmul(t);
  }
}

TEST_P(KernelTest, MatmulEdgeShapes) {
  checkMatmul(mm(1, 1, 1));
  checkMatmul(mm(1, 1000, 512)); // a row vector: the 1-row tiles
  checkMatmul(mm(5, 37, 2100));  // one row panel: one K block of 2100
  checkMatmul(mm(13, 40, 30));   // m tail 5, n tail 8
  checkMatmul(mm(8, 16, 1));     // k = 1
  checkMatmul(mm(3, 17, 9));
  checkMatmul(mm(7, 33, 64));
  checkMatmul(mm(16, 64, 256));
  checkMatmul(mm(2, 5, 3));
}

TEST_P(KernelTest, MatmulEveryRowCountAndColumnTail) {
  for (int64_t m = 1; m <= 17; ++m)
    for (int64_t n : {1, 15, 16, 17, 31, 32, 33, 48, 50})
      checkMatmul(mm(m, n, 19), uint32_t(m * 100 + n));
}

TEST_P(KernelTest, MatmulBiasReluStrides) {
  for (bool bias : {false, true})
    for (bool relu : {false, true}) {
      MatmulCase t = mm(21, 45, 37);
      t.bias = bias;
      t.relu = relu;
      t.lda = 50; // lda > k
      t.batch_stride_a = 21 * 50 + 3;
      t.batch = 2;
      checkMatmul(t);
    }
}

TEST_P(KernelTest, MatmulBroadcastA) {
  MatmulCase t = mm(9, 70, 33);
  t.batch = 3;
  t.batch_stride_a = 0;
  checkMatmul(t);
  t.lda = 40;
  t.relu = true;
  checkMatmul(t);
}

TEST_P(KernelTest, MatmulLarge) {
  // K = 768 (three K blocks), split over rows and columns between threads.
  checkMatmul(mm(128, 200, 768));
  MatmulCase t = mm(300, 100, 300); // m > one 256-row block
  t.relu = true;
  checkMatmul(t);
  t = mm(20, 3000, 40); // wide: split over columns
  t.batch = 2;
  checkMatmul(t);
}

TEST_P(KernelTest, MatmulRandomShapes) {
  std::mt19937 rng(99);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int i = 0; i < 40; ++i) {
    MatmulCase t{};
    t.batch = pick(1, 3);
    t.m = pick(1, 40);
    t.n = pick(1, 100);
    t.k = pick(1, 300);
    t.lda = t.k + (pick(0, 1) ? pick(0, 5) : 0);
    t.batch_stride_a = pick(0, 3) == 0 ? 0 : t.m * t.lda + pick(0, 4);
    t.bias = pick(0, 1);
    t.relu = pick(0, 1);
    checkMatmul(t, uint32_t(i));
  }
}

TEST_P(KernelTest, EmptyShapesWriteNothing) {
  mlc_matmul_params p{};
  p.batch = 1;
  p.m = 0;
  p.n = 4;
  p.k = 4;
  p.lda = 4;
  float out = kSentinel;
  mlc_rt_matmul_f32(&p, nullptr, nullptr, nullptr, &out);
  EXPECT_EQ(out, kSentinel);
  mlc_conv2d_params c = paramsOf(conv(1, 3, 1, 1, 1, 0));
  c.n = 0;
  mlc_rt_conv2d_f32(&c, nullptr, nullptr, nullptr, &out);
  EXPECT_EQ(out, kSentinel);
}

TEST_P(KernelTest, ZeroDepthGivesBias) {
  // k = 0: the product is empty, the output is the bias (then the ReLU).
  MatmulCase t = mm(3, 20, 0);
  t.lda = 1;
  checkMatmul(t);
  t.relu = true;
  checkMatmul(t);
}

/// mlc_rt_maxpool2d_f32 against the definition (exact: a max has no
/// rounding), on 1 to 3 threads, with guards around the output.
void checkMaxPool(int64_t c, int64_t h, int64_t w, int64_t k, int64_t stride, int64_t pad,
                  int64_t dilation, bool ceilMode, bool withNaN) {
  mlc_conv2d_params p{};
  p.n = 2;
  p.c = p.f = p.group = c;
  p.h = h;
  p.w = w;
  p.kh = p.kw = k;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.pad_top = p.pad_left = pad;
  const int64_t span = dilation * (k - 1) + 1, room = h + 2 * pad - span;
  p.oh = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  p.ow = (ceilMode ? (w + 2 * pad - span + stride - 1) / stride : (w + 2 * pad - span) / stride) + 1;
  std::ostringstream what;
  what << "maxpool c" << c << " " << h << "x" << w << " k" << k << " s" << stride << " p" << pad
       << " d" << dilation << (ceilMode ? " ceil" : "") << (withNaN ? " NaN" : "");
  SCOPED_TRACE(what.str());
  std::mt19937 rng(7);
  std::vector<float> x = randomVector(size_t(p.n * c * h * w), rng);
  if (withNaN) { /* and infinities, which are not NaN */
    x[x.size() / 3] = NAN;
    x[x.size() / 2] = std::copysign(NAN, -1.0f);
    x[x.size() / 5] = INFINITY;
    x[x.size() / 7] = -INFINITY;
  }
  std::vector<float> ref(size_t(p.n * c * p.oh * p.ow));
  for (int64_t plane = 0; plane < p.n * c; ++plane)
    for (int64_t y = 0; y < p.oh; ++y)
      for (int64_t xo = 0; xo < p.ow; ++xo) {
        float m = -INFINITY;
        bool nan = false;
        for (int64_t ky = 0; ky < k; ++ky)
          for (int64_t kx = 0; kx < k; ++kx) {
            const int64_t iy = y * stride + ky * dilation - pad, ix = xo * stride + kx * dilation - pad;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
              continue;
            const float v = x[size_t((plane * h + iy) * w + ix)];
            nan |= std::isnan(v);
            m = std::max(m, v);
          }
        ref[size_t((plane * p.oh + y) * p.ow + xo)] = nan ? NAN : m;
      }
  Buffer in(x.size());
  std::copy(x.begin(), x.end(), in.data());
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ThreadScope scope(threads);
    Buffer out(ref.size(), kGuard, kSentinel);
    mlc_rt_maxpool2d_f32(&p, in.data(), out.data());
    EXPECT_TRUE(out.guardsIntact(kSentinel)) << "write outside the output";
    size_t bad = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      const float got = out.data()[i];
      if (std::isnan(ref[i]) ? !std::isnan(got) : got != ref[i])
        ++bad;
    }
    EXPECT_EQ(bad, 0u) << "of " << ref.size() << " outputs";
  }
}

TEST_P(KernelTest, MaxPool) {
  // ResNet's stem pool, stride 1 with padding on small and wide images,
  // ceil mode (last windows reaching past the image), dilation, a stride the
  // AVX-512 path gathers for, a window larger than the padding allows on
  // one side, and NaN propagation.
  checkMaxPool(3, 112, 112, 3, 2, 1, 1, false, false);
  checkMaxPool(5, 7, 7, 3, 1, 1, 1, false, false);
  checkMaxPool(2, 9, 37, 2, 2, 0, 1, true, false);
  checkMaxPool(3, 13, 20, 3, 1, 2, 2, false, false);
  checkMaxPool(2, 17, 50, 3, 3, 1, 1, true, false);
  checkMaxPool(1, 4, 4, 5, 1, 2, 1, false, false);
  checkMaxPool(3, 10, 40, 3, 2, 1, 1, false, true);
  // NaN in the blocks whose windows lie inside the image (plain loads), at
  // stride 2 and 1.
  checkMaxPool(2, 40, 112, 3, 2, 1, 1, false, true);
  checkMaxPool(2, 9, 64, 3, 1, 1, 1, false, true);
  // 3x3 at stride 2 is separable on AVX-512 (a row's maximum serves two
  // output rows): no padding at odd and even sizes, ceil mode (the last
  // windows' bottom row outside the image), with NaN.
  checkMaxPool(2, 15, 33, 3, 2, 0, 1, false, true);
  checkMaxPool(2, 16, 48, 3, 2, 0, 1, true, false);
  checkMaxPool(3, 14, 30, 3, 2, 1, 1, true, true);
}

TEST_P(KernelTest, MaxPoolNaNAtEveryPosition) {
  // One NaN at each input position in turn (3x3, stride 2, padding 1, an
  // image wider than a vector): exactly the outputs whose window holds it
  // are NaN, whichever output rows and column blocks share its row.
  mlc_conv2d_params p{};
  p.n = p.c = p.f = p.group = 1;
  p.h = 9;
  p.w = 37;
  p.kh = p.kw = 3;
  p.stride_h = p.stride_w = 2;
  p.dilation_h = p.dilation_w = 1;
  p.pad_top = p.pad_left = 1;
  p.oh = 5;
  p.ow = 19;
  std::vector<float> x(size_t(p.h * p.w));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i % 13) - 6.0f;
  for (int64_t at = 0; at < p.h * p.w; ++at) {
    const int64_t ay = at / p.w, ax = at % p.w;
    std::vector<float> in = x;
    in[size_t(at)] = NAN;
    std::vector<float> out(size_t(p.oh * p.ow));
    mlc_rt_maxpool2d_f32(&p, in.data(), out.data());
    for (int64_t y = 0; y < p.oh; ++y)
      for (int64_t xo = 0; xo < p.ow; ++xo) {
        const bool holds = std::abs(ay - (2 * y)) <= 1 && std::abs(ax - (2 * xo)) <= 1;
        ASSERT_EQ(std::isnan(out[size_t(y * p.ow + xo)]), holds)
            << "NaN at (" << ay << ", " << ax << "), output (" << y << ", " << xo << ")";
      }
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

INSTANTIATE_TEST_SUITE_P(Isa, KernelTest,
                         ::testing::Values(MLC_RT_ISA_C, MLC_RT_ISA_AVX2,
                                           MLC_RT_ISA_AVX512),
                         isaName);

//===----------------------------------------------------------------------===//
// Dispatch and the current context
//===----------------------------------------------------------------------===//

TEST(KernelDispatchTest, ForceIsaRejectsUnsupportedAndRestores) {
  int best = mlc_rt_force_isa(MLC_RT_ISA_AUTO);
  EXPECT_GE(best, MLC_RT_ISA_C);
  EXPECT_EQ(mlc_rt_kernel_isa(), best);
  EXPECT_EQ(mlc_rt_force_isa(MLC_RT_ISA_C), MLC_RT_ISA_C);
  EXPECT_EQ(mlc_rt_kernel_isa(), MLC_RT_ISA_C);
  EXPECT_EQ(mlc_rt_force_isa(MLC_RT_ISA_AVX512 + 1), -1);
  EXPECT_EQ(mlc_rt_kernel_isa(), MLC_RT_ISA_C);
  EXPECT_EQ(mlc_rt_force_isa(MLC_RT_ISA_AUTO), best);
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_EQ(best, MLC_RT_ISA_AVX512);
  }
#endif
}

/// Stand-in for generated code: records the current context and runs a
/// matmul that is large enough to be split between threads.
struct EntryProbe {
  mlc_exec_ctx *seen_ctx = nullptr;
  mlc_exec_ctx *passed_ctx = nullptr;
  int32_t width = 0;
};
EntryProbe probe;

void probeEntry(void *const *inputs, void *const *outputs, void *,
                mlc_exec_ctx *ctx) {
  probe.seen_ctx = mlc_rt_current_ctx();
  probe.passed_ctx = ctx;
  probe.width = mlc_rt_parallel_width(mlc_rt_current_ctx());
  mlc_matmul_params p{};
  p.batch = 1;
  p.m = 64;
  p.n = 128;
  p.k = 256;
  p.lda = 256;
  p.batch_stride_a = 0;
  mlc_rt_matmul_f32(&p, static_cast<const float *>(inputs[0]),
                    static_cast<const float *>(inputs[1]), nullptr,
                    static_cast<float *>(outputs[0]));
}

TEST(KernelContextTest, ModelRunPublishesItsContext) {
  static const int64_t a_dims[] = {64, 256}, b_dims[] = {256 * 128},
                       c_dims[] = {64, 128};
  static const mlc_tensor_desc inputs[] = {{"a", MLC_DTYPE_FLOAT32, 2, a_dims},
                                           {"b", MLC_DTYPE_FLOAT32, 1, b_dims}};
  static const mlc_tensor_desc outputs[] = {
      {"c", MLC_DTYPE_FLOAT32, 2, c_dims}};
  static const mlc_model_desc desc = {
      MLC_ABI_VERSION, 0, "probe", 2, inputs, 1, outputs, 0, 0, probeEntry, 0, nullptr, 0, nullptr, 0,
      nullptr};
  mlc_model_options options;
  mlc_model_options_init(&options);
  options.num_threads = 2;
  mlc_model *model = nullptr;
  ASSERT_EQ(mlc_model_create(&desc, &options, &model), nullptr);

  std::mt19937 rng(5);
  std::vector<float> a = randomVector(64 * 256, rng);
  std::vector<float> b = randomVector(256 * 128, rng);
  std::vector<float> packed = packMatmulB(256, 128, b);
  std::vector<float> c(64 * 128, kSentinel);
  mlc_tensor in[] = {
      {MLC_DTYPE_FLOAT32, 2, a_dims, a.data(), a.size() * sizeof(float)},
      {MLC_DTYPE_FLOAT32, 1, b_dims, packed.data(),
       packed.size() * sizeof(float)}};
  mlc_tensor out[] = {
      {MLC_DTYPE_FLOAT32, 2, c_dims, c.data(), c.size() * sizeof(float)}};

  ASSERT_EQ(mlc_rt_current_ctx(), nullptr);
  ASSERT_EQ(mlc_model_run(model, in, 2, out, 1), nullptr);
  EXPECT_NE(probe.seen_ctx, nullptr);
  EXPECT_EQ(probe.seen_ctx, probe.passed_ctx);
  EXPECT_EQ(probe.width, 2);
  EXPECT_EQ(mlc_rt_current_ctx(), nullptr) << "not restored after the run";
  for (int64_t i = 0; i < 64; ++i)
    for (int64_t j = 0; j < 128; ++j) {
      double sum = 0, scale = 0;
      for (int64_t kk = 0; kk < 256; ++kk) {
        double term = double(a[size_t(i * 256 + kk)]) * b[size_t(kk * 128 + j)];
        sum += term;
        scale += std::fabs(term);
      }
      ASSERT_NEAR(c[size_t(i * 128 + j)], sum, 1e-5 * scale);
    }
  mlc_model_destroy(model);
}

TEST(KernelContextTest, NoContextOutsideARun) {
  EXPECT_EQ(mlc_rt_current_ctx(), nullptr);
  EXPECT_EQ(mlc_rt_parallel_width(nullptr), 1);
  mlc_exec_ctx ctx{};
  EXPECT_EQ(mlc_rt_set_current_ctx(&ctx), nullptr);
  EXPECT_EQ(mlc_rt_current_ctx(), &ctx);
  EXPECT_EQ(mlc_rt_parallel_width(&ctx), 1);
  EXPECT_EQ(mlc_rt_set_current_ctx(nullptr), &ctx);
}

} // namespace
