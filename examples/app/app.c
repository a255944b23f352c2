/*===- app.c - Run a model compiled by `mlc compile` from C ---------------===*
 *
 * A complete application of the mlc runtime that works with any compiled
 * model: it reads the model's inputs and outputs from its description, fills
 * every input with a deterministic pattern, runs the model once and prints
 * each output's name, shape, first values and a checksum.
 *
 * Build it against the header and object `mlc compile` wrote, naming the
 * header and the description symbol it declares:
 *
 *   cc -O2 app.c model.o -o app \
 *      -DMLC_MODEL_HEADER='"model.h"' -DMLC_MODEL_DESC=mlc_model_example \
 *      -I<prefix>/include -L<prefix>/lib -lmlcrt -lpthread -lm -ldl
 *   ./app [num_threads]
 *
 * Only include/mlc/runtime.h is used, so the program is also a reference for
 * docs/runtime.md.
 *===----------------------------------------------------------------------===*/
#include "mlc/runtime.h"

#ifndef MLC_MODEL_HEADER
#error "define MLC_MODEL_HEADER, e.g. -DMLC_MODEL_HEADER='\"model.h\"'"
#endif
#ifndef MLC_MODEL_DESC
#error "define MLC_MODEL_DESC, e.g. -DMLC_MODEL_DESC=mlc_model_example"
#endif
#include MLC_MODEL_HEADER

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Number of elements of a tensor description (1 for a scalar). */
static size_t element_count(const mlc_tensor_desc *t) {
  size_t count = 1;
  for (int32_t i = 0; i < t->rank; ++i)
    count *= (size_t)t->dims[i];
  return count;
}

static void print_dims(const int64_t *dims, int32_t rank) {
  printf("[");
  for (int32_t i = 0; i < rank; ++i)
    printf(i ? ",%lld" : "%lld", (long long)dims[i]);
  printf("]");
}

/* IEEE half <-> float with round to nearest even (NaN payloads are not
 * kept). */
static uint16_t float_to_half(float value) {
  uint32_t x;
  memcpy(&x, &value, sizeof(x));
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exponent = (int32_t)((x >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff && mantissa)
    return (uint16_t)(sign | 0x7e00u); /* NaN */
  if (exponent >= 31)
    return (uint16_t)(sign | 0x7c00u); /* overflow to infinity */
  if (exponent <= 0) {                 /* subnormal or zero */
    if (exponent < -10)
      return (uint16_t)sign;
    mantissa |= 0x800000u;
    uint32_t shift = (uint32_t)(14 - exponent);
    uint32_t half = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1),
             midpoint = 1u << (shift - 1);
    if (rest > midpoint || (rest == midpoint && (half & 1)))
      ++half;
    return (uint16_t)(sign | half);
  }
  uint32_t half = sign | ((uint32_t)exponent << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1)))
    ++half; /* may carry into the exponent, which is still correct */
  return (uint16_t)half;
}

static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ffu;
  uint32_t x;
  if (exponent == 0) {
    if (mantissa == 0) {
      x = sign;
    } else { /* subnormal: normalise */
      exponent = 127 - 15 + 1;
      while (!(mantissa & 0x400u)) {
        mantissa <<= 1;
        --exponent;
      }
      x = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
  } else if (exponent == 31) {
    x = sign | 0x7f800000u | (mantissa << 13);
  } else {
    x = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float value;
  memcpy(&value, &x, sizeof(value));
  return value;
}

static uint16_t float_to_bfloat16(float value) {
  uint32_t x;
  memcpy(&x, &value, sizeof(x));
  x += 0x7fffu + ((x >> 16) & 1); /* round to nearest even */
  return (uint16_t)(x >> 16);
}

static float bfloat16_to_float(uint16_t b) {
  uint32_t x = (uint32_t)b << 16;
  float value;
  memcpy(&value, &x, sizeof(value));
  return value;
}

/* Fills `count` elements: sin(i * 0.01) for floating point, i % 7 for
 * integers, i % 2 for booleans. */
static void fill_input(void *data, int32_t dtype, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    double f = sin((double)i * 0.01);
    int64_t n = (int64_t)(i % 7);
    switch (dtype) {
    case MLC_DTYPE_FLOAT32:
      ((float *)data)[i] = (float)f;
      break;
    case MLC_DTYPE_FLOAT64:
      ((double *)data)[i] = f;
      break;
    case MLC_DTYPE_FLOAT16:
      ((uint16_t *)data)[i] = float_to_half((float)f);
      break;
    case MLC_DTYPE_BFLOAT16:
      ((uint16_t *)data)[i] = float_to_bfloat16((float)f);
      break;
    case MLC_DTYPE_INT8:
      ((int8_t *)data)[i] = (int8_t)n;
      break;
    case MLC_DTYPE_UINT8:
      ((uint8_t *)data)[i] = (uint8_t)n;
      break;
    case MLC_DTYPE_INT16:
      ((int16_t *)data)[i] = (int16_t)n;
      break;
    case MLC_DTYPE_UINT16:
      ((uint16_t *)data)[i] = (uint16_t)n;
      break;
    case MLC_DTYPE_INT32:
      ((int32_t *)data)[i] = (int32_t)n;
      break;
    case MLC_DTYPE_UINT32:
      ((uint32_t *)data)[i] = (uint32_t)n;
      break;
    case MLC_DTYPE_INT64:
      ((int64_t *)data)[i] = n;
      break;
    case MLC_DTYPE_UINT64:
      ((uint64_t *)data)[i] = (uint64_t)n;
      break;
    case MLC_DTYPE_BOOL:
      ((uint8_t *)data)[i] = (uint8_t)(i % 2);
      break;
    default:
      break;
    }
  }
}

/* Element `i` of a tensor as a double, for printing. */
static double value_at(const void *data, int32_t dtype, size_t i) {
  switch (dtype) {
  case MLC_DTYPE_FLOAT32:
    return ((const float *)data)[i];
  case MLC_DTYPE_FLOAT64:
    return ((const double *)data)[i];
  case MLC_DTYPE_FLOAT16:
    return half_to_float(((const uint16_t *)data)[i]);
  case MLC_DTYPE_BFLOAT16:
    return bfloat16_to_float(((const uint16_t *)data)[i]);
  case MLC_DTYPE_INT8:
    return ((const int8_t *)data)[i];
  case MLC_DTYPE_UINT8:
    return ((const uint8_t *)data)[i];
  case MLC_DTYPE_INT16:
    return ((const int16_t *)data)[i];
  case MLC_DTYPE_UINT16:
    return ((const uint16_t *)data)[i];
  case MLC_DTYPE_INT32:
    return ((const int32_t *)data)[i];
  case MLC_DTYPE_UINT32:
    return ((const uint32_t *)data)[i];
  case MLC_DTYPE_INT64:
    return (double)((const int64_t *)data)[i];
  case MLC_DTYPE_UINT64:
    return (double)((const uint64_t *)data)[i];
  case MLC_DTYPE_BOOL:
    return ((const uint8_t *)data)[i] != 0;
  default:
    return 0.0;
  }
}

/* Allocates a buffer for each tensor of `descs` and describes it in
 * `tensors`. Returns 0 on success. */
static int allocate_tensors(const mlc_tensor_desc *descs, int64_t num,
                            mlc_tensor *tensors) {
  for (int64_t i = 0; i < num; ++i) {
    const mlc_tensor_desc *d = &descs[i];
    size_t bytes = element_count(d) * mlc_dtype_size(d->dtype);
    tensors[i].dtype = d->dtype;
    tensors[i].rank = d->rank;
    tensors[i].dims = d->dims;
    tensors[i].size_bytes = bytes;
    /* calloc(1, 0) may return NULL; ask for at least one byte. */
    tensors[i].data = calloc(1, bytes ? bytes : 1);
    if (!tensors[i].data) {
      fprintf(stderr, "error: cannot allocate %zu bytes for '%s'\n", bytes,
              d->name);
      return 1;
    }
  }
  return 0;
}

static void free_tensors(mlc_tensor *tensors, int64_t num) {
  for (int64_t i = 0; tensors && i < num; ++i)
    free(tensors[i].data);
  free(tensors);
}

int main(int argc, char **argv) {
  mlc_model_options options;
  mlc_model_options_init(&options);
  if (argc > 2) {
    fprintf(stderr, "usage: %s [num_threads]\n", argv[0]);
    return 2;
  }
  if (argc == 2) {
    char *end;
    errno = 0;
    long threads = strtol(argv[1], &end, 10);
    if (errno || *end || end == argv[1] || threads < 0 || threads > 1024) {
      fprintf(stderr,
              "error: num_threads must be an integer in [0, 1024] "
              "(0 = one per CPU) but is '%s'\n",
              argv[1]);
      return 2;
    }
    options.num_threads = (int32_t)threads;
  }

  int exit_code = 1;
  mlc_model *model = NULL;
  mlc_tensor *inputs = NULL, *outputs = NULL;
  const mlc_model_desc *desc = &MLC_MODEL_DESC;

  mlc_status status = mlc_model_create(desc, &options, &model);
  if (status) {
    fprintf(stderr, "error: %s\n", mlc_status_get_message(status));
    mlc_status_free(status);
    return 1;
  }
  if (options.num_threads == 0)
    printf("model '%s': %lld inputs, %lld outputs, one thread per CPU\n",
           desc->name, (long long)desc->num_inputs,
           (long long)desc->num_outputs);
  else
    printf("model '%s': %lld inputs, %lld outputs, %d threads\n", desc->name,
           (long long)desc->num_inputs, (long long)desc->num_outputs,
           (int)options.num_threads);

  /* calloc(n + 1): a model may have no inputs. */
  inputs = (mlc_tensor *)calloc((size_t)desc->num_inputs + 1, sizeof(*inputs));
  outputs =
      (mlc_tensor *)calloc((size_t)desc->num_outputs + 1, sizeof(*outputs));
  if (!inputs || !outputs) {
    fprintf(stderr, "error: out of memory\n");
    goto cleanup;
  }
  if (allocate_tensors(desc->inputs, desc->num_inputs, inputs) ||
      allocate_tensors(desc->outputs, desc->num_outputs, outputs))
    goto cleanup;
  for (int64_t i = 0; i < desc->num_inputs; ++i)
    fill_input(inputs[i].data, inputs[i].dtype,
               element_count(&desc->inputs[i]));

  status = mlc_model_run(model, inputs, (size_t)desc->num_inputs, outputs,
                         (size_t)desc->num_outputs);
  if (status) {
    fprintf(stderr, "error: %s\n", mlc_status_get_message(status));
    mlc_status_free(status);
    goto cleanup;
  }

  for (int64_t o = 0; o < desc->num_outputs; ++o) {
    const mlc_tensor_desc *d = &desc->outputs[o];
    size_t count = element_count(d);
    double checksum = 0.0;
    for (size_t i = 0; i < count; ++i)
      checksum += value_at(outputs[o].data, d->dtype, i);
    printf("output '%s' %s ", d->name, mlc_dtype_name(d->dtype));
    print_dims(d->dims, d->rank);
    printf(":");
    for (size_t i = 0; i < count && i < 8; ++i)
      printf(" %.6g", value_at(outputs[o].data, d->dtype, i));
    printf("%s checksum %.9g\n", count > 8 ? " ..." : "", checksum);
  }
  exit_code = 0;

cleanup:
  free_tensors(inputs, desc->num_inputs);
  free_tensors(outputs, desc->num_outputs);
  mlc_model_destroy(model);
  return exit_code;
}
