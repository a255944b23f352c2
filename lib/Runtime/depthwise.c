/*===- depthwise.c - depthwise 2-d convolution microkernel ---------------===*
 *
 * One output channel reads one input channel through a small kh x kw window,
 * so there is no matrix product to block. Each (image, channel) plane is
 * computed on its own: the input plane is copied once into a zero-padded
 * scratch plane, after which every output row is a sum of kh*kw shifted,
 * scaled input rows with no bounds checks. For stride 1 the inner loop runs
 * over contiguous output and input elements and vectorises (the hot function
 * is compiled for AVX-512, AVX2 and baseline x86-64, picked at load time).
 * Planes are distributed over the model's thread pool.
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang_analyzer__)
#define MLC_MULTIVERSION __attribute__((target_clones("avx512f", "avx2,fma", "default")))
#else
#define MLC_MULTIVERSION
#endif

typedef struct depthwise_job {
  const mlc_conv2d_params *p;
  const float *input, *weights, *bias;
  float *output;
  int64_t padded_h, padded_w;
} depthwise_job;

/* One output plane from a zero-padded input plane. */
MLC_MULTIVERSION
static void depthwise_plane(const mlc_conv2d_params *p, const float *padded, int64_t padded_w,
                            const float *w, float bias, float *out) {
  const int64_t oh = p->oh, ow = p->ow, kh = p->kh, kw = p->kw;
  const int64_t sh = p->stride_h, sw = p->stride_w, dh = p->dilation_h, dw = p->dilation_w;
  for (int64_t y = 0; y < oh; ++y) {
    float *row = out + y * ow;
    for (int64_t x = 0; x < ow; ++x)
      row[x] = bias;
    for (int64_t ky = 0; ky < kh; ++ky) {
      const float *in_row = padded + (y * sh + ky * dh) * padded_w;
      for (int64_t kx = 0; kx < kw; ++kx) {
        const float tap = w[ky * kw + kx];
        const float *in = in_row + kx * dw;
        if (sw == 1) {
          for (int64_t x = 0; x < ow; ++x)
            row[x] += tap * in[x];
        } else {
          for (int64_t x = 0; x < ow; ++x)
            row[x] += tap * in[x * sw];
        }
      }
    }
    if (p->activation == MLC_ACTIVATION_RELU)
      for (int64_t x = 0; x < ow; ++x)
        row[x] = row[x] > 0.0f ? row[x] : 0.0f;
  }
}

static void depthwise_body(void *closure, int64_t begin, int64_t end) {
  const depthwise_job *job = (const depthwise_job *)closure;
  const mlc_conv2d_params *p = job->p;
  size_t plane = (size_t)(job->padded_h * job->padded_w);
  float *padded = malloc(plane * sizeof(float));
  if (!padded)
    abort(); /* a few hundred KiB at most: out of memory here is fatal */
  memset(padded, 0, plane * sizeof(float));
  const int64_t multiplier = p->f / p->c;
  for (int64_t job_index = begin; job_index < end; ++job_index) {
    const int64_t b = job_index / p->f, o = job_index % p->f, ci = o / multiplier;
    const float *src = job->input + (b * p->c + ci) * p->h * p->w;
    /* The interior; the border stays zero from the memset. */
    for (int64_t y = 0; y < p->h; ++y)
      memcpy(padded + (y + p->pad_top) * job->padded_w + p->pad_left, src + y * p->w,
             (size_t)p->w * sizeof(float));
    depthwise_plane(p, padded, job->padded_w, job->weights + o * p->kh * p->kw,
                    job->bias ? job->bias[o] : 0.0f, job->output + job_index * p->oh * p->ow);
  }
  free(padded);
}

void mlc_rt_depthwise_conv2d_f32(const mlc_conv2d_params *p, const float *input,
                                 const float *weights, const float *bias, float *output) {
  depthwise_job job = {p, input, weights, bias, output, 0, 0};
  /* Padding on the far sides: whatever the last window reaches. */
  int64_t need_h = (p->oh - 1) * p->stride_h + (p->kh - 1) * p->dilation_h + 1;
  int64_t need_w = (p->ow - 1) * p->stride_w + (p->kw - 1) * p->dilation_w + 1;
  job.padded_h = need_h > p->h + p->pad_top ? need_h : p->h + p->pad_top;
  job.padded_w = need_w > p->w + p->pad_left ? need_w : p->w + p->pad_left;
  int64_t planes = p->n * p->f;
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  if (ctx && planes > 1)
    mlc_rt_parallel_for(ctx, planes, depthwise_body, &job);
  else
    depthwise_body(&job, 0, planes);
}
