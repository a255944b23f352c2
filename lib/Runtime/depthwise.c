/*===- depthwise.c - depthwise 2-d convolution microkernel ---------------===*
 *
 * mlc_rt_depthwise_conv2d_f32: the entry for generated code that keeps the
 * ONNX weight layout [f, 1, kh, kw]. The computation is the one that
 * mlc_rt_conv2d_f32 uses for depthwise convolutions (kernels.c,
 * mlc_rt_depthwise_f32): each (image, output channel) plane is computed on
 * its own, 16 output columns per AVX-512 vector (a portable loop otherwise),
 * with the image borders handled by masks instead of a padded copy, and the
 * planes are spread over the model's thread pool.
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <stdlib.h>

void mlc_rt_depthwise_conv2d_f32(const mlc_conv2d_params *p, const float *input,
                                 const float *weights, const float *bias,
                                 float *output) {
  if (!p)
    return;
  if (!p->accumulate) {
    /* Tap k of output channel o is weights[o * kh * kw + k]. */
    mlc_rt_depthwise_f32(p, input, weights, 1, bias, output);
    return;
  }
  /* With a residual (the compiler does not fuse one into depthwise
   * convolutions): the convolution into a temporary, then output = act(conv
   * + output). */
  size_t count = (size_t)(p->n * p->f * p->oh * p->ow);
  float *conv = (float *)malloc((count ? count : 1) * sizeof(float));
  if (!conv)
    return;
  mlc_conv2d_params plain = *p;
  plain.accumulate = 0;
  plain.activation = MLC_ACTIVATION_NONE;
  mlc_rt_depthwise_f32(&plain, input, weights, 1, bias, conv);
  for (size_t i = 0; i < count; ++i)
    output[i] += conv[i];
  mlc_rt_activation_f32(p->activation, output, (int64_t)count);
  free(conv);
}
