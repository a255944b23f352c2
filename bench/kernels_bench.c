/*===- kernels_bench.c - GFLOP/s of the runtime's float32 microkernels ----===*
 *
 * Not a test: prints the speed of mlc_rt_conv2d_f32 and mlc_rt_matmul_f32 on
 * ResNet- and transformer-like shapes, on 1 and 2 threads (a pool installed
 * as the current context, as mlc_model_run does), and the FMA peak of one
 * core measured with a register-only loop for comparison. Build by hand:
 *
 *   cc -O2 -Iinclude -Ilib/Runtime bench/kernels_bench.c build/lib/libmlcrt.a \
 *      -o /tmp/kernels_bench -lpthread -lm -ldl
 *   /tmp/kernels_bench [seconds per measurement] [isa: c|avx2|avx512]
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200112L

#include "mlc/runtime.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *random_floats(size_t n) {
  float *p = NULL;
  if (posix_memalign((void **)&p, 64, (n ? n : 1) * sizeof(float)) != 0) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  for (size_t i = 0; i < n; ++i)
    p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
  return p;
}

static double min_seconds = 0.5;

typedef void (*run_fn)(void *arg);

/// Best time of one call, over repetitions that fill min_seconds.
static double time_best(run_fn fn, void *arg) {
  fn(arg); /* warm up: packing buffers, pool threads, caches */
  double best = 1e30, start = now();
  int reps = 0;
  do {
    double t0 = now();
    fn(arg);
    double t = now() - t0;
    if (t < best)
      best = t;
    ++reps;
  } while (now() - start < min_seconds || reps < 3);
  return best;
}

typedef struct conv_case {
  const char *name;
  mlc_conv2d_params p;
  float *in, *w, *bias, *out;
} conv_case;

static void run_conv(void *arg) {
  conv_case *c = (conv_case *)arg;
  mlc_rt_conv2d_f32(&c->p, c->in, c->w, c->bias, c->out);
}

typedef struct matmul_case {
  const char *name;
  mlc_matmul_params p;
  float *a, *b, *bias, *c;
} matmul_case;

static void run_matmul(void *arg) {
  matmul_case *m = (matmul_case *)arg;
  mlc_rt_matmul_f32(&m->p, m->a, m->b, m->bias, m->c);
}

static conv_case make_conv(const char *name, int64_t c, int64_t hw, int64_t f,
                           int64_t k, int64_t stride, int64_t pad) {
  conv_case cc;
  memset(&cc, 0, sizeof(cc));
  cc.name = name;
  mlc_conv2d_params *p = &cc.p;
  p->n = 1;
  p->c = c;
  p->h = p->w = hw;
  p->f = f;
  p->kh = p->kw = k;
  p->oh = p->ow = (hw + 2 * pad - k) / stride + 1;
  p->stride_h = p->stride_w = stride;
  p->dilation_h = p->dilation_w = 1;
  p->pad_top = p->pad_left = pad;
  p->group = 1;
  p->activation = MLC_ACTIVATION_RELU;
  int64_t K = c * k * k, P = (f + 7) / 8;
  cc.in = random_floats((size_t)(c * hw * hw));
  cc.w = random_floats((size_t)(P * K * 8));
  cc.bias = random_floats((size_t)f);
  cc.out = random_floats((size_t)(f * p->oh * p->ow));
  return cc;
}

/// A depthwise convolution (one input channel per output channel).
static conv_case make_dw(const char *name, int64_t c, int64_t hw, int64_t k,
                         int64_t stride) {
  conv_case cc = make_conv(name, 1, 1, 1, 1, 1, 0);
  mlc_conv2d_params *p = &cc.p;
  p->c = p->f = p->group = c;
  p->h = p->w = hw;
  p->kh = p->kw = k;
  p->pad_top = p->pad_left = k / 2;
  p->stride_h = p->stride_w = stride;
  p->oh = p->ow = (hw + 2 * (k / 2) - k) / stride + 1;
  free(cc.in);
  free(cc.w);
  free(cc.bias);
  free(cc.out);
  cc.in = random_floats((size_t)(c * hw * hw));
  cc.w = random_floats((size_t)(c * k * k * 8)); /* packed: 8 floats a tap */
  cc.bias = random_floats((size_t)c);
  cc.out = random_floats((size_t)(c * p->oh * p->ow));
  return cc;
}

static double conv_flops(const mlc_conv2d_params *p) {
  return 2.0 * (double)(p->n * p->f * p->oh * p->ow) *
         (double)(p->c / p->group * p->kh * p->kw);
}

static matmul_case make_matmul(const char *name, int64_t m, int64_t k,
                               int64_t n) {
  matmul_case mc;
  memset(&mc, 0, sizeof(mc));
  mc.name = name;
  mc.p.batch = 1;
  mc.p.m = m;
  mc.p.n = n;
  mc.p.k = k;
  mc.p.lda = k;
  mc.p.batch_stride_a = m * k;
  mc.p.activation = MLC_ACTIVATION_NONE;
  mc.a = random_floats((size_t)(m * k));
  mc.b = random_floats((size_t)(((n + 15) / 16) * 16 * k));
  mc.bias = random_floats((size_t)n);
  mc.c = random_floats((size_t)(m * n));
  return mc;
}

#if defined(__x86_64__) && defined(__GNUC__)
/// FLOP/s of one core on independent 512-bit FMAs (register operands only:
/// 20 accumulators, more than latency x throughput on any current core).
__attribute__((target("avx512f"))) static double fma_peak(void) {
  const long iters = 2000000;
  double best = 0;
  for (int rep = 0; rep < 40; ++rep) {
    long n = iters;
    double t0 = now();
    __asm__ volatile(
        "vxorps %%xmm0, %%xmm0, %%xmm0\n\t"
        "vxorps %%xmm1, %%xmm1, %%xmm1\n\t"
        "1:\n\t"
        ".irp r, 4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23\n\t"
        "vfmadd231ps %%zmm0, %%zmm1, %%zmm\\r\n\t"
        ".endr\n\t"
        "dec %0\n\t"
        "jnz 1b\n\t"
        : "+r"(n)
        :
        : "xmm0", "xmm1", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16",
          "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "cc");
    double t = now() - t0;
    double flops = (double)iters * 20 * 16 * 2 / t;
    if (flops > best)
      best = flops;
  }
  return best;
}
#endif

int main(int argc, char **argv) {
  if (argc > 1)
    min_seconds = atof(argv[1]);
  if (argc > 2) {
    int isa = strcmp(argv[2], "c") == 0      ? MLC_RT_ISA_C
              : strcmp(argv[2], "avx2") == 0 ? MLC_RT_ISA_AVX2
                                             : MLC_RT_ISA_AVX512;
    if (mlc_rt_force_isa(isa) != isa) {
      fprintf(stderr, "ISA %s is not supported here\n", argv[2]);
      return 1;
    }
  }
  static const char *isa_names[] = {"portable C", "AVX2+FMA", "AVX-512"};
  printf("microkernels: %s\n", isa_names[mlc_rt_kernel_isa()]);
  double peak = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512f")) {
    peak = fma_peak();
    printf("one-core AVX-512 FMA peak: %.1f GFLOP/s\n", peak * 1e-9);
  }
#endif

  conv_case convs[] = {
      make_conv("conv 64x56x56 3x3 s1 -> 64", 64, 56, 64, 3, 1, 1),
      make_conv("conv 128x28x28 3x3 s1 -> 128", 128, 28, 128, 3, 1, 1),
      make_conv("conv 256x14x14 3x3 s1 -> 256", 256, 14, 256, 3, 1, 1),
      make_conv("conv 512x7x7 3x3 s1 -> 512", 512, 7, 512, 3, 1, 1),
      make_conv("conv 256x56x56 1x1 -> 64", 256, 56, 64, 1, 1, 0),
      make_conv("conv 256x14x14 1x1 -> 1024", 256, 14, 1024, 1, 1, 0),
      make_conv("conv 3x224x224 7x7 s2 p3 -> 64", 3, 224, 64, 7, 2, 3),
      make_dw("depthwise 32x112x112 3x3 s1", 32, 112, 3, 1),
      make_dw("depthwise 96x112x112 3x3 s2", 96, 112, 3, 2),
      make_dw("depthwise 144x56x56 3x3 s1", 144, 56, 3, 1),
      make_dw("depthwise 192x28x28 3x3 s1", 192, 28, 3, 1),
      make_dw("depthwise 384x14x14 3x3 s1", 384, 14, 3, 1),
      make_dw("depthwise 960x7x7 3x3 s1", 960, 7, 3, 1),
      make_dw("depthwise 1152x7x7 5x5 s1", 1152, 7, 5, 1),
      make_dw("depthwise 240x28x28 5x5 s1", 240, 28, 5, 1),
      make_dw("depthwise 144x56x56 5x5 s2", 144, 56, 5, 2),
      make_dw("depthwise 672x14x14 5x5 s1", 672, 14, 5, 1),
      make_dw("depthwise 672x14x14 5x5 s2", 672, 14, 5, 2),
  };
  matmul_case matmuls[] = {
      make_matmul("matmul 128x768 * 768x768", 128, 768, 768),
      make_matmul("matmul 128x768 * 768x3072", 128, 768, 3072),
      make_matmul("matmul 197x768 * 768x3072", 197, 768, 3072),
      make_matmul("matmul 197x3072 * 3072x768", 197, 3072, 768),
      make_matmul("matmul 1x512 * 512x1000", 1, 512, 1000),
  };

  mlc_thread_pool *pool = NULL;
  mlc_status status = mlc_thread_pool_create(2, &pool);
  if (status) {
    fprintf(stderr, "%s\n", mlc_status_get_message(status));
    return 1;
  }
  mlc_exec_ctx ctx = {pool, NULL, NULL};

  printf("%-34s %10s %10s %8s\n", "shape", "1 thread", "2 threads",
         peak > 0 ? "1t %peak" : "");
  for (size_t i = 0; i < sizeof(convs) / sizeof(convs[0]); ++i) {
    double flops = conv_flops(&convs[i].p);
    mlc_rt_set_current_ctx(NULL);
    double t1 = time_best(run_conv, &convs[i]);
    mlc_rt_set_current_ctx(&ctx);
    double t2 = time_best(run_conv, &convs[i]);
    mlc_rt_set_current_ctx(NULL);
    printf("%-34s %10.1f %10.1f", convs[i].name, flops / t1 * 1e-9,
           flops / t2 * 1e-9);
    if (peak > 0)
      printf(" %7.0f%%", 100.0 * flops / t1 / peak);
    printf("\n");
  }
  for (size_t i = 0; i < sizeof(matmuls) / sizeof(matmuls[0]); ++i) {
    const mlc_matmul_params *p = &matmuls[i].p;
    double flops = 2.0 * (double)(p->batch * p->m * p->n * p->k);
    mlc_rt_set_current_ctx(NULL);
    double t1 = time_best(run_matmul, &matmuls[i]);
    mlc_rt_set_current_ctx(&ctx);
    double t2 = time_best(run_matmul, &matmuls[i]);
    mlc_rt_set_current_ctx(NULL);
    printf("%-34s %10.1f %10.1f", matmuls[i].name, flops / t1 * 1e-9,
           flops / t2 * 1e-9);
    if (peak > 0)
      printf(" %7.0f%%", 100.0 * flops / t1 / peak);
    printf("\n");
  }
  printf("(GFLOP/s, best of repeated calls; %% of the one-core peak above)\n");
  mlc_thread_pool_destroy(pool);
  return 0;
}
