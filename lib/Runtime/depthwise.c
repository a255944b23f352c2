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

void mlc_rt_depthwise_conv2d_f32(const mlc_conv2d_params *p, const float *input,
                                 const float *weights, const float *bias,
                                 float *output) {
  /* Tap k of output channel o is weights[o * kh * kw + k]. */
  mlc_rt_depthwise_f32(p, input, weights, 1, bias, output);
}
