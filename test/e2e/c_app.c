/*===- c_app.c - a C application of a compiled model, for the e2e check ---===*
 *
 * Written against docs/runtime.md only: the header `mlc compile` wrote and
 * include/mlc/runtime.h. Reads each input as raw bytes from a file (in the
 * model's input order), runs the model twice, writes each output as raw
 * bytes. The second run must give the same bytes and leave the inputs as
 * they were (the model must not write into the application's buffers).
 *
 *   c_app IN_0 ... IN_n OUT_0 ... OUT_m
 *===----------------------------------------------------------------------===*/
#include MLC_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t byte_size(const mlc_tensor_desc *t) {
  size_t n = mlc_dtype_size(t->dtype);
  for (int32_t i = 0; i < t->rank; ++i)
    n *= (size_t)t->dims[i];
  return n;
}

static int fail(mlc_status status) {
  fprintf(stderr, "c_app: %s\n", mlc_status_get_message(status));
  mlc_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  const mlc_model_desc *desc = &MLC_MODEL_DESC;
  int n_in = (int)desc->num_inputs, n_out = (int)desc->num_outputs;
  if (argc != 1 + n_in + n_out) {
    fprintf(stderr, "usage: %s <%d input files> <%d output files>\n", argv[0], n_in, n_out);
    return 2;
  }
  mlc_tensor *tensors = calloc((size_t)(n_in + n_out), sizeof(mlc_tensor));
  for (int i = 0; i < n_in + n_out; ++i) {
    const mlc_tensor_desc *t = i < n_in ? &desc->inputs[i] : &desc->outputs[i - n_in];
    size_t size = byte_size(t);
    tensors[i] = (mlc_tensor){t->dtype, t->rank, t->dims, malloc(size ? size : 1), size};
    if (i < n_in) {
      FILE *f = fopen(argv[1 + i], "rb");
      if (!f || fread(tensors[i].data, 1, size, f) != size) {
        fprintf(stderr, "c_app: cannot read %zu bytes from %s\n", size, argv[1 + i]);
        return 1;
      }
      fclose(f);
    }
  }
  mlc_model_options options;
  mlc_model_options_init(&options);
  mlc_model *model = NULL;
  mlc_status status = mlc_model_create(desc, &options, &model);
  if (status)
    return fail(status);
  void **before = calloc((size_t)(n_in + n_out), sizeof(void *));
  for (int i = 0; i < n_in; ++i) { /* the inputs as read */
    before[i] = malloc(tensors[i].size_bytes ? tensors[i].size_bytes : 1);
    memcpy(before[i], tensors[i].data, tensors[i].size_bytes);
  }
  for (int run = 0; run < 2; ++run) {
    status = mlc_model_run(model, tensors, (size_t)n_in, tensors + n_in, (size_t)n_out);
    if (status)
      return fail(status);
    for (int i = 0; i < n_in; ++i)
      if (memcmp(before[i], tensors[i].data, tensors[i].size_bytes) != 0) {
        fprintf(stderr, "c_app: run %d changed input %d\n", run + 1, i);
        return 1;
      }
    for (int i = n_in; i < n_in + n_out; ++i) {
      size_t size = tensors[i].size_bytes;
      if (run == 0) {
        before[i] = malloc(size ? size : 1);
        memcpy(before[i], tensors[i].data, size);
      } else if (memcmp(before[i], tensors[i].data, size) != 0) {
        fprintf(stderr, "c_app: the second run gave another output %d\n", i - n_in);
        return 1;
      }
    }
  }
  for (int i = 0; i < n_in + n_out; ++i)
    free(before[i]);
  free(before);
  for (int i = 0; i < n_out; ++i) {
    FILE *f = fopen(argv[1 + n_in + i], "wb");
    if (!f || fwrite(tensors[n_in + i].data, 1, tensors[n_in + i].size_bytes, f) != tensors[n_in + i].size_bytes) {
      fprintf(stderr, "c_app: cannot write %s\n", argv[1 + n_in + i]);
      return 1;
    }
    fclose(f);
  }
  mlc_model_destroy(model);
  for (int i = 0; i < n_in + n_out; ++i)
    free(tensors[i].data);
  free(tensors);
  return 0;
}
