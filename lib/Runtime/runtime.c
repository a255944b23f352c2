/*===- runtime.c - Statuses, dtypes and models of the mlc runtime --------===*
 *
 * Implements the parts of include/mlc/runtime.h that are not the thread pool:
 * status objects, dtype queries, and the model instance that wraps one
 * compiled `mlc_model_desc`. A model checks its description once at creation
 * (so a corrupt or mismatched object is reported there), allocates its
 * workspace and pointer arrays once, and then validates every run's tensors
 * against the description before it calls the generated entry point, so that
 * a wrong shape is an error naming the tensor instead of an out-of-bounds
 * write. mlc_model_run() allocates nothing unless it reports an error.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include "internal.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

struct mlc_status_s {
  mlc_status_code code;
  const char *message; /* points into the same allocation, or a literal */
};

/// Returned when a status itself cannot be allocated; never freed.
static struct mlc_status_s out_of_memory_status = {MLC_STATUS_OUT_OF_MEMORY,
                                                   "out of memory"};

mlc_status mlc_status_out_of_memory(void) { return &out_of_memory_status; }

mlc_status mlc_status_make(mlc_status_code code, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  int len = vsnprintf(NULL, 0, fmt, args);
  va_end(args);
  if (len < 0)
    len = 0;
  struct mlc_status_s *status =
      (struct mlc_status_s *)malloc(sizeof(*status) + (size_t)len + 1);
  if (!status)
    return mlc_status_out_of_memory();
  char *message = (char *)(status + 1);
  va_start(args, fmt);
  vsnprintf(message, (size_t)len + 1, fmt, args);
  va_end(args);
  status->code = code;
  status->message = message;
  return status;
}

mlc_status_code mlc_status_get_code(mlc_status status) {
  return status ? status->code : MLC_STATUS_OK;
}

const char *mlc_status_get_message(mlc_status status) {
  return status ? status->message : "";
}

void mlc_status_free(mlc_status status) {
  if (status && status != &out_of_memory_status)
    free(status);
}

/*===----------------------------------------------------------------------===*
 * Element types
 *===----------------------------------------------------------------------===*/

size_t mlc_dtype_size(int32_t dtype) {
  switch (dtype) {
  case MLC_DTYPE_BOOL:
  case MLC_DTYPE_UINT8:
  case MLC_DTYPE_INT8:
  case MLC_DTYPE_FLOAT8E4M3FN:
  case MLC_DTYPE_FLOAT8E4M3FNUZ:
  case MLC_DTYPE_FLOAT8E5M2:
  case MLC_DTYPE_FLOAT8E5M2FNUZ:
  case MLC_DTYPE_UINT4:
  case MLC_DTYPE_INT4:
  case MLC_DTYPE_FLOAT4E2M1:
  case MLC_DTYPE_FLOAT8E8M0:
  case MLC_DTYPE_UINT2:
  case MLC_DTYPE_INT2:
    return 1;
  case MLC_DTYPE_UINT16:
  case MLC_DTYPE_INT16:
  case MLC_DTYPE_FLOAT16:
  case MLC_DTYPE_BFLOAT16:
    return 2;
  case MLC_DTYPE_FLOAT32:
  case MLC_DTYPE_INT32:
  case MLC_DTYPE_UINT32:
    return 4;
  case MLC_DTYPE_INT64:
  case MLC_DTYPE_UINT64:
  case MLC_DTYPE_FLOAT64:
    return 8;
  case MLC_DTYPE_STRING:
    return sizeof(const char *);
  default:
    return 0;
  }
}

const char *mlc_dtype_name(int32_t dtype) {
  switch (dtype) {
  case MLC_DTYPE_FLOAT32:
    return "float32";
  case MLC_DTYPE_UINT8:
    return "uint8";
  case MLC_DTYPE_INT8:
    return "int8";
  case MLC_DTYPE_UINT16:
    return "uint16";
  case MLC_DTYPE_INT16:
    return "int16";
  case MLC_DTYPE_INT32:
    return "int32";
  case MLC_DTYPE_INT64:
    return "int64";
  case MLC_DTYPE_BOOL:
    return "bool";
  case MLC_DTYPE_STRING:
    return "string";
  case MLC_DTYPE_FLOAT16:
    return "float16";
  case MLC_DTYPE_FLOAT64:
    return "float64";
  case MLC_DTYPE_UINT32:
    return "uint32";
  case MLC_DTYPE_UINT64:
    return "uint64";
  case MLC_DTYPE_BFLOAT16:
    return "bfloat16";
  case MLC_DTYPE_FLOAT8E4M3FN:
    return "float8e4m3fn";
  case MLC_DTYPE_FLOAT8E4M3FNUZ:
    return "float8e4m3fnuz";
  case MLC_DTYPE_FLOAT8E5M2:
    return "float8e5m2";
  case MLC_DTYPE_FLOAT8E5M2FNUZ:
    return "float8e5m2fnuz";
  case MLC_DTYPE_UINT4:
    return "uint4";
  case MLC_DTYPE_INT4:
    return "int4";
  case MLC_DTYPE_FLOAT4E2M1:
    return "float4e2m1";
  case MLC_DTYPE_FLOAT8E8M0:
    return "float8e8m0";
  case MLC_DTYPE_UINT2:
    return "uint2";
  case MLC_DTYPE_INT2:
    return "int2";
  default:
    return "undefined";
  }
}

/*===----------------------------------------------------------------------===*
 * Helpers for messages
 *===----------------------------------------------------------------------===*/

/// Formats dims as "[1,3,224,224]" into a malloc'd string (NULL when out of
/// memory). `dims` may be NULL only when rank is 0.
static char *format_dims(const int64_t *dims, int32_t rank) {
  /* "-9223372036854775808," is 21 characters. */
  size_t cap = 3 + (size_t)(rank > 0 ? rank : 0) * 21;
  char *text = (char *)malloc(cap);
  if (!text)
    return NULL;
  size_t len = 0;
  text[len++] = '[';
  for (int32_t i = 0; i < rank; ++i)
    len += (size_t)snprintf(text + len, cap - len, i ? ",%lld" : "%lld",
                            (long long)dims[i]);
  text[len++] = ']';
  text[len] = '\0';
  return text;
}

/// "input 'x' (#0)" or "output 'y' (#1)": the prefix of per-tensor messages.
#define TENSOR_FMT "%s '%s' (#%zu)"
#define TENSOR_ARGS(kind, desc, index)                                         \
  (kind), ((desc)->name ? (desc)->name : ""), (size_t)(index)

/// Byte size of a tensor with `dims`, or false when it overflows size_t.
static bool tensor_bytes(int32_t dtype, int32_t rank, const int64_t *dims,
                         size_t *out_bytes) {
  size_t bytes = mlc_dtype_size(dtype);
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] < 0)
      return false;
    size_t dim = (size_t)dims[i];
    if ((uint64_t)dims[i] > (uint64_t)SIZE_MAX ||
        (dim != 0 && bytes > SIZE_MAX / dim))
      return false;
    bytes *= dim;
  }
  *out_bytes = bytes;
  return true;
}

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/

struct mlc_model {
  const mlc_model_desc *desc;
  void *workspace;
  mlc_thread_pool *owned_pool; /* NULL when the pool is shared or absent */
  struct mlc_exec_ctx ctx;
  size_t *input_bytes; /* expected byte size of each input */
  size_t *output_bytes;
  void **input_data; /* argument arrays for the entry point */
  void **output_data;
  atomic_flag running; /* catches concurrent mlc_model_run on one model */
  /* Models with symbolic dims: each input's dims for the entry, the record
   * the entry fills per output, and the storage of the outputs' dims. */
  const int64_t **input_dims;
  mlc_dynamic_output *dynamic_outputs;
  int64_t *output_dims;
  /* mlc_model_run_alloc: a static model's output buffers (allocated on the
   * first call), and whether the last run left outputs to read. */
  void **kept;
  bool has_outputs;
};

static bool is_dynamic(const mlc_model_desc *desc) {
  return desc->dynamic_entry != NULL;
}

/// Whether `t` has a symbolic dim.
static bool has_symbolic_dim(const mlc_tensor_desc *t) {
  for (int32_t i = 0; i < t->rank; ++i)
    if (t->dims[i] == -1)
      return true;
  return false;
}

void mlc_model_options_init(mlc_model_options *options) {
  if (!options)
    return;
  memset(options, 0, sizeof(*options));
  options->num_threads = 1;
  options->thread_pool = NULL;
  options->device = 0;
}

/// Checks one tensor description of a model description and computes its
/// byte size.
static mlc_status check_tensor_desc(const mlc_model_desc *desc,
                                    const char *kind, size_t index,
                                    const mlc_tensor_desc *t,
                                    size_t *out_bytes) {
  const char *model = desc->name ? desc->name : "";
  if (mlc_dtype_size(t->dtype) == 0)
    return mlc_status_make(MLC_STATUS_UNSUPPORTED,
                           "model '%s': " TENSOR_FMT " has unknown dtype %d",
                           model, TENSOR_ARGS(kind, t, index), (int)t->dtype);
  if (t->rank < 0 || (t->rank > 0 && !t->dims))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "model '%s': " TENSOR_FMT " has rank %d and %s dims",
                           model, TENSOR_ARGS(kind, t, index), (int)t->rank,
                           t->dims ? "non-NULL" : "NULL");
  /* A symbolic dim's size comes with each run. */
  *out_bytes = 0;
  if (is_dynamic(desc) && has_symbolic_dim(t))
    return NULL;
  if (!tensor_bytes(t->dtype, t->rank, t->dims, out_bytes)) {
    char *dims = format_dims(t->dims, t->rank);
    mlc_status status = mlc_status_make(
        MLC_STATUS_UNSUPPORTED,
        "model '%s': " TENSOR_FMT " has dims %s, which are negative (dynamic) "
        "or too large for this machine",
        model, TENSOR_ARGS(kind, t, index), dims ? dims : "?");
    free(dims);
    return status;
  }
  return NULL;
}

/// Checks the whole description before anything is allocated.
static mlc_status check_desc(const mlc_model_desc *desc, size_t *input_bytes,
                             size_t *output_bytes) {
  for (int64_t i = 0; i < desc->num_inputs; ++i) {
    mlc_status status = check_tensor_desc(desc, "input", (size_t)i,
                                          &desc->inputs[i], &input_bytes[i]);
    if (status)
      return status;
  }
  for (int64_t i = 0; i < desc->num_outputs; ++i) {
    mlc_status status = check_tensor_desc(desc, "output", (size_t)i,
                                          &desc->outputs[i], &output_bytes[i]);
    if (status)
      return status;
  }
  return NULL;
}

mlc_status mlc_check_device_constants(const mlc_model_desc *desc) {
  const char *name = desc->name ? desc->name : "";
  if (desc->num_device_constants < 0 ||
      (desc->num_device_constants > 0 && !desc->device_constants))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "model '%s' has an invalid device constant table",
                           name);
  for (int64_t i = 0; i < desc->num_device_constants; ++i) {
    const mlc_device_constant *c = &desc->device_constants[i];
    if (c->offset > desc->device_weights_size ||
        c->size > desc->device_weights_size - c->offset ||
        (c->size > 0 && !c->data))
      return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                             "model '%s': device constant %lld lies outside "
                             "the weights buffer or has no data",
                             name, (long long)i);
  }
  return NULL;
}

/// The weights buffer of an emulated CUDA model: the device layout, in host
/// memory.
static mlc_status create_host_weights(const mlc_model_desc *desc,
                                      void **out) {
  *out = NULL;
  if (desc->device_weights_size == 0)
    return NULL;
  if (desc->device_weights_size > (uint64_t)SIZE_MAX ||
      posix_memalign(out, 64, (size_t)desc->device_weights_size) != 0)
    return mlc_status_make(MLC_STATUS_OUT_OF_MEMORY,
                           "mlc_model_create: model '%s': could not allocate "
                           "%llu bytes of weights",
                           desc->name ? desc->name : "",
                           (unsigned long long)desc->device_weights_size);
  for (int64_t i = 0; i < desc->num_device_constants; ++i) {
    const mlc_device_constant *c = &desc->device_constants[i];
    memcpy((char *)*out + c->offset, c->data, (size_t)c->size);
  }
  return NULL;
}

mlc_status mlc_model_create(const mlc_model_desc *desc,
                            const mlc_model_options *options,
                            mlc_model **out_model) {
  if (!out_model)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_create: out_model is NULL");
  *out_model = NULL;
  if (!desc)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_create: desc is NULL");
  if (desc->abi_version != MLC_ABI_VERSION)
    return mlc_status_make(
        MLC_STATUS_UNSUPPORTED,
        "mlc_model_create: model '%s' was compiled for runtime ABI version "
        "%u but this runtime implements version %u; recompile the model "
        "with an mlc that matches this runtime (or link the matching libmlcrt)",
        desc->name ? desc->name : "", (unsigned)desc->abi_version,
        (unsigned)MLC_ABI_VERSION);
  const char *name = desc->name ? desc->name : "";
  if (!desc->entry == !desc->dynamic_entry)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_create: model '%s' has %s entry function",
                           name, desc->entry ? "more than one" : "no");
  if (desc->dynamic_entry && desc->target != MLC_TARGET_CPU)
    return mlc_status_make(MLC_STATUS_UNSUPPORTED,
                           "mlc_model_create: model '%s' has symbolic dims, "
                           "which only CPU models support",
                           name);
  if (desc->num_inputs < 0 || desc->num_outputs < 0 ||
      (uint64_t)desc->num_inputs > SIZE_MAX / 64 ||
      (uint64_t)desc->num_outputs > SIZE_MAX / 64 ||
      (desc->num_inputs > 0 && !desc->inputs) ||
      (desc->num_outputs > 0 && !desc->outputs))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_create: model '%s' has an invalid "
                           "input/output table (%lld inputs, %lld outputs)",
                           name, (long long)desc->num_inputs,
                           (long long)desc->num_outputs);
  uint64_t alignment = desc->workspace_alignment;
  if (alignment & (alignment - 1))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_create: model '%s' has workspace "
                           "alignment %llu, which is not a power of two",
                           name, (unsigned long long)alignment);
  if (alignment < 64)
    alignment = 64;
  if (desc->workspace_size > (uint64_t)SIZE_MAX - alignment)
    return mlc_status_make(MLC_STATUS_OUT_OF_MEMORY,
                           "mlc_model_create: model '%s' needs a workspace of "
                           "%llu bytes, more than this machine can address",
                           name, (unsigned long long)desc->workspace_size);
  mlc_model_options defaults;
  if (!options) {
    mlc_model_options_init(&defaults);
    options = &defaults;
  }
  if (!options->thread_pool && options->num_threads < 0)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_create: num_threads must be >= 0 but "
                           "is %d",
                           (int)options->num_threads);

  /* One allocation for the model and its four arrays. */
  size_t num_in = (size_t)desc->num_inputs, num_out = (size_t)desc->num_outputs;
  size_t size = sizeof(mlc_model) + (num_in + num_out) * sizeof(size_t) +
                (num_in + num_out) * sizeof(void *);
  mlc_model *model = (mlc_model *)calloc(1, size);
  if (!model)
    return mlc_status_out_of_memory();
  mlc_string_arena_init(&model->ctx.strings);
  model->desc = desc;
  model->input_bytes = (size_t *)(model + 1);
  model->output_bytes = model->input_bytes + num_in;
  model->input_data = (void **)(model->output_bytes + num_out);
  model->output_data = model->input_data + num_in;
  atomic_flag_clear(&model->running);

  mlc_status status = check_desc(desc, model->input_bytes, model->output_bytes);
  if (!status && desc->target != MLC_TARGET_CPU)
    status = mlc_check_device_constants(desc);
  if (status) {
    free(model);
    return status;
  }
  if (is_dynamic(desc)) {
    size_t total_rank = 0;
    for (size_t i = 0; i < num_out; ++i)
      total_rank += (size_t)desc->outputs[i].rank;
    model->input_dims = (const int64_t **)calloc(num_in + 1, sizeof(int64_t *));
    model->dynamic_outputs =
        (mlc_dynamic_output *)calloc(num_out + 1, sizeof(mlc_dynamic_output));
    model->output_dims = (int64_t *)calloc(total_rank + 1, sizeof(int64_t));
    if (!model->input_dims || !model->dynamic_outputs || !model->output_dims) {
      mlc_model_destroy(model);
      return mlc_status_out_of_memory();
    }
    int64_t *dims = model->output_dims;
    for (size_t i = 0; i < num_out; ++i) {
      model->dynamic_outputs[i].dims = dims;
      dims += desc->outputs[i].rank;
    }
  }

  if (desc->target == MLC_TARGET_CUDA) {
    status = mlc_cuda_model_create(desc, options->device, model->input_bytes,
                                   model->output_bytes, &model->ctx.cuda);
    if (status) {
      free(model);
      return status;
    }
  } else if (desc->target != MLC_TARGET_CPU &&
             desc->target != MLC_TARGET_CUDA_EMULATED) {
    free(model);
    return mlc_status_make(MLC_STATUS_UNSUPPORTED,
                           "mlc_model_create: model '%s' has unknown target "
                           "%u",
                           name, (unsigned)desc->target);
  } else if (desc->workspace_size > 0) {
    void *workspace = NULL;
    if (posix_memalign(&workspace, (size_t)alignment,
                       (size_t)desc->workspace_size) != 0) {
      free(model);
      return mlc_status_make(MLC_STATUS_OUT_OF_MEMORY,
                             "mlc_model_create: model '%s': could not "
                             "allocate a workspace of %llu bytes",
                             name, (unsigned long long)desc->workspace_size);
    }
    model->workspace = workspace;
  }
  if (desc->target == MLC_TARGET_CUDA_EMULATED) {
    status = create_host_weights(desc, &model->ctx.host_weights);
    if (status) {
      mlc_model_destroy(model);
      return status;
    }
  }

  if (options->thread_pool) {
    model->ctx.pool = options->thread_pool;
  } else if (options->num_threads != 1) {
    status = mlc_thread_pool_create(options->num_threads, &model->owned_pool);
    if (status) {
      mlc_model_destroy(model);
      return status;
    }
    model->ctx.pool = model->owned_pool;
  }
  *out_model = model;
  return NULL;
}

/// Releases the outputs that a dynamic model's last run allocated (two
/// outputs never share a buffer, but a repeated pointer is freed once).
static void release_dynamic_outputs(mlc_model *model) {
  if (!model->dynamic_outputs)
    return;
  size_t n = (size_t)model->desc->num_outputs;
  for (size_t i = 0; i < n; ++i) {
    void *p = model->dynamic_outputs[i].allocated;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j)
      seen = p && model->dynamic_outputs[j].allocated == p;
    if (!seen)
      free(p);
  }
  for (size_t i = 0; i < n; ++i)
    model->dynamic_outputs[i].allocated = model->dynamic_outputs[i].data = NULL;
}

void mlc_model_destroy(mlc_model *model) {
  if (!model)
    return;
  release_dynamic_outputs(model);
  free(model->input_dims);
  free(model->dynamic_outputs);
  free(model->output_dims);
  if (model->kept)
    for (int64_t i = 0; i < model->desc->num_outputs; ++i)
      free(model->kept[i]);
  free(model->kept);
  mlc_thread_pool_destroy(model->owned_pool);
  mlc_cuda_model_destroy(model->ctx.cuda);
  free(model->ctx.host_weights);
  free(model->workspace);
  mlc_string_arena_destroy(&model->ctx.strings);
  mlc_profile_finish(model->ctx.profile, model->desc->name);
  free(model);
}

const mlc_model_desc *mlc_model_get_desc(const mlc_model *model) {
  return model ? model->desc : NULL;
}

/// Checks one caller tensor against its description.
static mlc_status check_tensor(const char *kind, size_t index,
                               const mlc_tensor_desc *expected,
                               size_t expected_bytes, const mlc_tensor *t) {
  if (t->dtype != expected->dtype)
    return mlc_status_make(
        MLC_STATUS_SHAPE_MISMATCH, TENSOR_FMT ": expected %s but got %s",
        TENSOR_ARGS(kind, expected, index), mlc_dtype_name(expected->dtype),
        mlc_dtype_name(t->dtype));
  if (t->rank > 0 && !t->dims)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           TENSOR_FMT ": dims is NULL but rank is %d",
                           TENSOR_ARGS(kind, expected, index), (int)t->rank);
  bool same = t->rank == expected->rank;
  for (int32_t i = 0; same && i < t->rank; ++i)
    same = t->dims[i] == expected->dims[i] ||
           (expected->dims[i] == -1 && t->dims[i] >= 0);
  if (!same) {
    /* A negative rank is printed as [] rather than read through. */
    char *want = format_dims(expected->dims, expected->rank);
    char *got = format_dims(t->dims, t->rank > 0 ? t->rank : 0);
    mlc_status status;
    if (t->rank != expected->rank)
      status = mlc_status_make(
          MLC_STATUS_SHAPE_MISMATCH,
          TENSOR_FMT ": expected rank %d with dims %s but got rank %d%s%s",
          TENSOR_ARGS(kind, expected, index), (int)expected->rank,
          want ? want : "?", (int)t->rank, t->rank > 0 ? " with dims " : "",
          t->rank > 0 ? (got ? got : "?") : "");
    else
      status = mlc_status_make(MLC_STATUS_SHAPE_MISMATCH,
                               TENSOR_FMT ": expected dims %s but got %s",
                               TENSOR_ARGS(kind, expected, index),
                               want ? want : "?", got ? got : "?");
    free(want);
    free(got);
    return status;
  }
  if (has_symbolic_dim(expected) &&
      !tensor_bytes(t->dtype, t->rank, t->dims, &expected_bytes)) {
    char *got = format_dims(t->dims, t->rank);
    mlc_status status = mlc_status_make(
        MLC_STATUS_SHAPE_MISMATCH,
        TENSOR_FMT ": dims %s are too large for this machine",
        TENSOR_ARGS(kind, expected, index), got ? got : "?");
    free(got);
    return status;
  }
  if (t->size_bytes < expected_bytes)
    return mlc_status_make(
        MLC_STATUS_SHAPE_MISMATCH,
        TENSOR_FMT ": buffer has %zu bytes but the tensor needs %zu",
        TENSOR_ARGS(kind, expected, index), t->size_bytes, expected_bytes);
  if (!t->data && expected_bytes > 0)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           TENSOR_FMT ": data is NULL",
                           TENSOR_ARGS(kind, expected, index));
  return NULL;
}

static bool overlaps(const void *a, size_t a_bytes, const void *b,
                     size_t b_bytes) {
  if (a_bytes == 0 || b_bytes == 0)
    return false;
  uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
  return pa < pb + b_bytes && pb < pa + a_bytes;
}

/// Generated code may assume that it never reads what it writes: reject
/// outputs that share memory with an input or another output.
static mlc_status check_aliasing(const mlc_model *model) {
  const mlc_model_desc *desc = model->desc;
  size_t num_in = (size_t)desc->num_inputs, num_out = (size_t)desc->num_outputs;
  for (size_t o = 0; o < num_out; ++o) {
    const void *out = model->output_data[o];
    size_t out_bytes = model->output_bytes[o];
    for (size_t i = 0; i < num_in; ++i)
      if (overlaps(out, out_bytes, model->input_data[i], model->input_bytes[i]))
        return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                               TENSOR_FMT
                               ": buffer overlaps the buffer of " TENSOR_FMT,
                               TENSOR_ARGS("output", &desc->outputs[o], o),
                               TENSOR_ARGS("input", &desc->inputs[i], i));
    for (size_t p = 0; p < o; ++p)
      if (overlaps(out, out_bytes, model->output_data[p],
                   model->output_bytes[p]))
        return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                               TENSOR_FMT
                               ": buffer overlaps the buffer of " TENSOR_FMT,
                               TENSOR_ARGS("output", &desc->outputs[o], o),
                               TENSOR_ARGS("output", &desc->outputs[p], p));
  }
  return NULL;
}

/// The context of the model running on this thread (see internal.h).
static _Thread_local mlc_exec_ctx *tls_current_ctx;

mlc_exec_ctx *mlc_rt_set_current_ctx(mlc_exec_ctx *ctx) {
  mlc_exec_ctx *previous = tls_current_ctx;
  tls_current_ctx = ctx;
  return previous;
}

mlc_exec_ctx *mlc_rt_current_ctx(void) { return tls_current_ctx; }

/// Checks the tensors of a run against the description and records their
/// data pointers (and, for a model with symbolic dims, the inputs' dims) in
/// the model's argument arrays. With `keep` the model provides the outputs.
static mlc_status check_run(mlc_model *model, const mlc_tensor *inputs,
                            size_t num_inputs, const mlc_tensor *outputs,
                            size_t num_outputs, bool keep) {
  const mlc_model_desc *desc = model->desc;
  const char *name = desc->name ? desc->name : "";
  if (num_inputs != (size_t)desc->num_inputs ||
      (!keep && num_outputs != (size_t)desc->num_outputs))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "model '%s' has %lld inputs and %lld outputs but "
                           "got %zu inputs and %zu outputs",
                           name, (long long)desc->num_inputs,
                           (long long)desc->num_outputs, num_inputs,
                           keep ? (size_t)desc->num_outputs : num_outputs);
  if ((num_inputs > 0 && !inputs) || (!keep && num_outputs > 0 && !outputs))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "model '%s': the %s array is NULL", name,
                           num_inputs > 0 && !inputs ? "inputs" : "outputs");
  for (size_t i = 0; i < num_inputs; ++i) {
    mlc_status status = check_tensor("input", i, &desc->inputs[i],
                                     model->input_bytes[i], &inputs[i]);
    if (status)
      return status;
    model->input_data[i] = inputs[i].data;
    if (model->input_dims)
      model->input_dims[i] = inputs[i].dims;
  }
  if (keep)
    return NULL;
  for (size_t i = 0; i < num_outputs; ++i) {
    mlc_status status = check_tensor("output", i, &desc->outputs[i],
                                     model->output_bytes[i], &outputs[i]);
    if (status)
      return status;
    model->output_data[i] = outputs[i].data;
  }
  /* A dynamic model's outputs are copied out after the run. */
  return is_dynamic(desc) ? NULL : check_aliasing(model);
}

/// Copies the outputs of a dynamic model's run into the caller's tensors,
/// whose dims must be the ones the run computed.
static mlc_status copy_dynamic_outputs(mlc_model *model,
                                       const mlc_tensor *outputs) {
  const mlc_model_desc *desc = model->desc;
  for (size_t i = 0; i < (size_t)desc->num_outputs; ++i) {
    const mlc_tensor_desc *d = &desc->outputs[i];
    const mlc_dynamic_output *o = &model->dynamic_outputs[i];
    bool same = true;
    for (int32_t k = 0; k < d->rank; ++k)
      same = same && outputs[i].dims[k] == o->dims[k];
    size_t bytes = 0;
    if (!same || !tensor_bytes(d->dtype, d->rank, o->dims, &bytes) ||
        bytes > outputs[i].size_bytes) {
      char *want = format_dims(o->dims, d->rank);
      char *got = format_dims(outputs[i].dims, d->rank);
      mlc_status status = mlc_status_make(
          MLC_STATUS_SHAPE_MISMATCH,
          TENSOR_FMT ": the run computed dims %s but the tensor has %s",
          TENSOR_ARGS("output", d, i), want ? want : "?", got ? got : "?");
      free(want);
      free(got);
      return status;
    }
    if (bytes > 0)
      memcpy(outputs[i].data, o->data, bytes);
  }
  return NULL;
}

/// Buffers for the outputs of a static model that mlc_model_run_alloc keeps.
static mlc_status keep_static_outputs(mlc_model *model) {
  size_t n = (size_t)model->desc->num_outputs;
  if (!model->kept) {
    model->kept = (void **)calloc(n + 1, sizeof(void *));
    if (!model->kept)
      return mlc_status_out_of_memory();
    for (size_t i = 0; i < n; ++i)
      if (posix_memalign(&model->kept[i], 64,
                         model->output_bytes[i] ? model->output_bytes[i] : 1))
        return mlc_status_out_of_memory();
  }
  for (size_t i = 0; i < n; ++i)
    model->output_data[i] = model->kept[i];
  return NULL;
}

static mlc_status run_checked(mlc_model *model, const mlc_tensor *inputs,
                              size_t num_inputs, const mlc_tensor *outputs,
                              size_t num_outputs, bool keep) {
  model->has_outputs = false;
  release_dynamic_outputs(model);
  mlc_string_arena_reset(&model->ctx.strings);
  mlc_status status =
      check_run(model, inputs, num_inputs, outputs, num_outputs, keep);
  if (!status && keep && !is_dynamic(model->desc))
    status = keep_static_outputs(model);
  if (status)
    return status;
  const mlc_model_desc *desc = model->desc;
  if (model->ctx.cuda) {
    status = mlc_cuda_model_run_host(model->ctx.cuda, &model->ctx, desc,
                                     model->input_bytes, model->output_bytes,
                                     model->input_data, model->output_data);
    model->has_outputs = keep && !status;
    return status;
  }
  /* The microkernels that the entry calls find the pool through this. */
  mlc_exec_ctx *previous = mlc_rt_set_current_ctx(&model->ctx);
  if (is_dynamic(desc))
    desc->dynamic_entry((void *const *)model->input_data,
                        (const int64_t *const *)model->input_dims,
                        model->dynamic_outputs, model->workspace, &model->ctx);
  else
    desc->entry((void *const *)model->input_data,
                (void *const *)model->output_data, model->workspace,
                &model->ctx);
  mlc_rt_set_current_ctx(previous);
  if (model->ctx.strings.error) {
    if (is_dynamic(desc))
      release_dynamic_outputs(model);
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT, "model '%s': %s",
                           desc->name ? desc->name : "",
                           model->ctx.strings.error);
  }
  if (is_dynamic(desc) && !keep) {
    status = copy_dynamic_outputs(model, outputs);
    release_dynamic_outputs(model);
    return status;
  }
  model->has_outputs = keep;
  return NULL;
}

/// One run under the model's "running" flag.
static mlc_status run_exclusive(mlc_model *model, const char *fn,
                                const mlc_tensor *inputs, size_t num_inputs,
                                const mlc_tensor *outputs, size_t num_outputs,
                                bool keep) {
  if (!model)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT, "%s: model is NULL",
                           fn);
  if (atomic_flag_test_and_set_explicit(&model->running, memory_order_acquire))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "%s: model '%s' is already running on "
                           "another thread; use one mlc_model per thread",
                           fn, model->desc->name ? model->desc->name : "");
  mlc_status status =
      run_checked(model, inputs, num_inputs, outputs, num_outputs, keep);
  atomic_flag_clear_explicit(&model->running, memory_order_release);
  return status;
}

mlc_status mlc_model_run(mlc_model *model, const mlc_tensor *inputs,
                         size_t num_inputs, const mlc_tensor *outputs,
                         size_t num_outputs) {
  return run_exclusive(model, "mlc_model_run", inputs, num_inputs, outputs,
                       num_outputs, false);
}

mlc_status mlc_model_run_alloc(mlc_model *model, const mlc_tensor *inputs,
                               size_t num_inputs) {
  return run_exclusive(model, "mlc_model_run_alloc", inputs, num_inputs, NULL,
                       0, true);
}

mlc_status mlc_model_get_output(const mlc_model *model, size_t index,
                                mlc_tensor *out) {
  if (!model || !out)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_get_output: %s is NULL",
                           model ? "out" : "model");
  const mlc_model_desc *desc = model->desc;
  const char *name = desc->name ? desc->name : "";
  if (index >= (size_t)desc->num_outputs)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_get_output: model '%s' has %lld outputs "
                           "but output #%zu was asked for",
                           name, (long long)desc->num_outputs, index);
  if (!model->has_outputs)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_get_output: model '%s' keeps no outputs: "
                           "the last run was not a successful "
                           "mlc_model_run_alloc",
                           name);
  const mlc_tensor_desc *d = &desc->outputs[index];
  out->dtype = d->dtype;
  out->rank = d->rank;
  if (is_dynamic(desc)) {
    out->dims = model->dynamic_outputs[index].dims;
    out->data = model->dynamic_outputs[index].data;
  } else {
    out->dims = d->dims;
    out->data = model->kept[index];
  }
  if (!tensor_bytes(out->dtype, out->rank, out->dims, &out->size_bytes))
    out->size_bytes = 0;
  return NULL;
}

mlc_status mlc_model_run_device(mlc_model *model, const mlc_tensor *inputs,
                                size_t num_inputs, const mlc_tensor *outputs,
                                size_t num_outputs, void *stream) {
  if (!model)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_run_device: model is NULL");
  if (!model->ctx.cuda)
    return mlc_status_make(MLC_STATUS_UNSUPPORTED,
                           "mlc_model_run_device: model '%s' was compiled for "
                           "the CPU; use mlc_model_run",
                           model->desc->name ? model->desc->name : "");
  if (atomic_flag_test_and_set_explicit(&model->running, memory_order_acquire))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "mlc_model_run_device: model '%s' is already "
                           "running on another thread; use one mlc_model per "
                           "thread",
                           model->desc->name ? model->desc->name : "");
  mlc_status status =
      check_run(model, inputs, num_inputs, outputs, num_outputs, false);
  if (!status)
    status = mlc_cuda_model_run_device(model->ctx.cuda, &model->ctx,
                                       model->desc, model->input_data,
                                       model->output_data, stream);
  atomic_flag_clear_explicit(&model->running, memory_order_release);
  return status;
}
