/*===- model_bench.c - time a compiled model as an application links it --===*
 *
 * Linked with a model's object (mlc compile) and libmlcrt. Runs the model on
 * deterministic inputs: WARMUP untimed runs, then ITERATIONS timed ones, and
 * prints one JSON object: median/min/max milliseconds, the thread count and
 * the process's peak resident memory (the model's weights, workspace and
 * runtime; no compiler is in this process).
 *
 *   model_bench THREADS ITERATIONS WARMUP
 *===----------------------------------------------------------------------===*/
#include MLC_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Peak resident memory of this process image in MiB. VmHWM is reset by
 * exec, unlike ru_maxrss, which a child inherits from the process that
 * forked it (here a Python harness with onnxruntime loaded). */
static double peak_rss_mb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  double kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %lf kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  if (kb < 0) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    kb = (double)usage.ru_maxrss;
  }
  return kb / 1024.0;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s THREADS ITERATIONS WARMUP\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[1]), iterations = atoi(argv[2]), warmup = atoi(argv[3]);
  const mlc_model_desc *desc = &MLC_MODEL_DESC;
  size_t n = (size_t)(desc->num_inputs + desc->num_outputs);
  mlc_tensor *tensors = calloc(n, sizeof(mlc_tensor));
  for (size_t i = 0; i < n; ++i) {
    const mlc_tensor_desc *t = i < (size_t)desc->num_inputs ? &desc->inputs[i]
                                                            : &desc->outputs[i - desc->num_inputs];
    size_t count = 1;
    for (int32_t d = 0; d < t->rank; ++d)
      count *= (size_t)t->dims[d];
    size_t size = count * mlc_dtype_size(t->dtype);
    tensors[i] = (mlc_tensor){t->dtype, t->rank, t->dims, calloc(size ? size : 1, 1), size};
    /* Inputs: small deterministic values (token ids stay in range). */
    for (size_t e = 0; i < (size_t)desc->num_inputs && e < count; ++e) {
      if (t->dtype == MLC_DTYPE_FLOAT32)
        ((float *)tensors[i].data)[e] = (float)((e * 7919) % 1000) / 1000.0f - 0.5f;
      else if (t->dtype == MLC_DTYPE_INT64)
        ((int64_t *)tensors[i].data)[e] = (int64_t)((e * 7919) % 1000);
    }
  }
  mlc_model_options options;
  mlc_model_options_init(&options);
  options.num_threads = threads;
  mlc_model *model = NULL;
  mlc_status status = mlc_model_create(desc, &options, &model);
  double *ms = malloc(sizeof(double) * (size_t)(iterations > 0 ? iterations : 1));
  for (int i = 0; !status && i < warmup + iterations; ++i) {
    double start = now_ms();
    status = mlc_model_run(model, tensors, (size_t)desc->num_inputs,
                           tensors + desc->num_inputs, (size_t)desc->num_outputs);
    if (i >= warmup)
      ms[i - warmup] = now_ms() - start;
  }
  if (status) {
    fprintf(stderr, "model_bench: %s\n", mlc_status_get_message(status));
    return 1;
  }
  qsort(ms, (size_t)iterations, sizeof(double), compare);
  double median = iterations % 2 ? ms[iterations / 2] : 0.5 * (ms[iterations / 2 - 1] + ms[iterations / 2]);
  printf("{\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"threads\": %d, "
         "\"iterations\": %d, \"peak_rss_mb\": %.1f}\n",
         median, ms[0], ms[iterations - 1], threads, iterations, peak_rss_mb());
  mlc_model_destroy(model);
  return 0;
}
