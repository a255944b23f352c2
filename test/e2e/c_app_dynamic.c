/*===- c_app_dynamic.c - one object, every batch size, for the e2e check --===*
 *
 * Written against docs/runtime.md only. The model has symbolic dims; this
 * program gives each of them the size BATCH, creates the model once and
 * runs it for every BATCH on the command line, reading the inputs of run r
 * from IN_i.r and writing output i (its dims, then its bytes) to OUT_i.r.
 * The outputs' dims come from the run (mlc_model_run_alloc).
 *
 *   c_app_dynamic BATCH[,BATCH...] IN_0 ... IN_n OUT_0 ... OUT_m
 *===----------------------------------------------------------------------===*/
#include MLC_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(mlc_status status) {
  fprintf(stderr, "c_app_dynamic: %s\n", mlc_status_get_message(status));
  mlc_status_free(status);
  return 1;
}

static int read_input(const char *path, mlc_tensor *t) {
  FILE *f = fopen(path, "rb");
  if (!f || fread(t->data, 1, t->size_bytes, f) != t->size_bytes) {
    fprintf(stderr, "c_app_dynamic: cannot read %zu bytes from %s\n", t->size_bytes, path);
    return 1;
  }
  fclose(f);
  return 0;
}

int main(int argc, char **argv) {
  const mlc_model_desc *desc = &MLC_MODEL_DESC;
  int n_in = (int)desc->num_inputs, n_out = (int)desc->num_outputs;
  if (argc != 2 + n_in + n_out) {
    fprintf(stderr, "usage: %s BATCH[,BATCH...] <%d inputs> <%d outputs>\n", argv[0], n_in, n_out);
    return 2;
  }
  mlc_model *model = NULL;
  mlc_status status = mlc_model_create(desc, NULL, &model);
  if (status)
    return fail(status);
  char *batches = strdup(argv[1]);
  int run = 0;
  for (char *b = strtok(batches, ","); b; b = strtok(NULL, ","), ++run) {
    int64_t batch = atoll(b);
    mlc_tensor *inputs = calloc((size_t)n_in + 1, sizeof(mlc_tensor));
    int64_t **dims = calloc((size_t)n_in + 1, sizeof(int64_t *));
    for (int i = 0; i < n_in; ++i) {
      const mlc_tensor_desc *t = &desc->inputs[i];
      dims[i] = calloc((size_t)t->rank + 1, sizeof(int64_t));
      size_t size = mlc_dtype_size(t->dtype);
      for (int32_t k = 0; k < t->rank; ++k) {
        dims[i][k] = t->dims[k] < 0 ? batch : t->dims[k];
        size *= (size_t)dims[i][k];
      }
      inputs[i] = (mlc_tensor){t->dtype, t->rank, dims[i], malloc(size ? size : 1), size};
      char path[4096];
      snprintf(path, sizeof path, "%s.%d", argv[2 + i], run);
      if (read_input(path, &inputs[i]))
        return 1;
    }
    status = mlc_model_run_alloc(model, inputs, (size_t)n_in);
    if (status)
      return fail(status);
    for (int i = 0; i < n_out; ++i) {
      mlc_tensor out;
      status = mlc_model_get_output(model, (size_t)i, &out);
      if (status)
        return fail(status);
      char path[4096];
      snprintf(path, sizeof path, "%s.%d", argv[2 + n_in + i], run);
      FILE *f = fopen(path, "wb");
      if (!f || fwrite(out.dims, sizeof(int64_t), (size_t)out.rank, f) != (size_t)out.rank ||
          fwrite(out.data, 1, out.size_bytes, f) != out.size_bytes) {
        fprintf(stderr, "c_app_dynamic: cannot write %s\n", path);
        return 1;
      }
      fclose(f);
    }
    for (int i = 0; i < n_in; ++i) {
      free(inputs[i].data);
      free(dims[i]);
    }
    free(inputs);
    free(dims);
  }
  free(batches);
  mlc_model_destroy(model);
  return 0;
}
