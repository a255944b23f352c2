/*===- internal.h - Private declarations of the mlc runtime --------------===*
 *
 * Declarations shared by the runtime's translation units and never exposed to
 * applications: status construction and the execution context that generated
 * code receives. Everything here has hidden visibility so that a shared
 * object linking libmlcrt does not re-export it.
 *
 *===----------------------------------------------------------------------===*/
#ifndef MLC_RUNTIME_INTERNAL_H
#define MLC_RUNTIME_INTERNAL_H

#include "mlc/runtime.h"

#include <pthread.h>
#include <stdbool.h>

#if defined(_WIN32)
#define MLC_INTERNAL
#else
#define MLC_INTERNAL __attribute__((visibility("hidden")))
#endif

#if defined(__GNUC__)
#define MLC_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MLC_PRINTF_LIKE(fmt, args)
#endif

#ifdef __cplusplus
extern "C" { /* the runtime's own tests include this header */
#endif

/// The execution context handed to generated code. Opaque to it: generated
/// code only passes it back to mlc_rt_* functions.
typedef struct mlc_cuda_model mlc_cuda_model;
/// Kernel times of a model compiled with --profile (profile.c).
typedef struct mlc_profile mlc_profile;

/// Records keyed by the address of a constant string (a kernel's name in the
/// generated code), name_table.c. Each record is `record_size` bytes and
/// starts with its `const char *` key; a NULL key is an empty slot. Scan
/// `records[0 .. capacity)` to visit them all.
typedef struct mlc_name_table {
  void *records;
  size_t record_size, capacity, count;
} mlc_name_table;
/// The record of `name`; when absent, a new zeroed one keyed by `name` with
/// `insert`, else NULL (NULL too when the table cannot grow).
MLC_INTERNAL void *mlc_name_table_find(mlc_name_table *t, const char *name, bool insert);
MLC_INTERNAL void mlc_name_table_free(mlc_name_table *t);

/// The strings that the string functions of a run make (strings.c): blocks
/// freed at the next run and at mlc_model_destroy(); the first error of the
/// run, which the run then returns.
typedef struct mlc_string_arena {
  pthread_mutex_t mutex;
  struct mlc_string_block *blocks;
  char *error;
} mlc_string_arena;

MLC_INTERNAL void mlc_string_arena_init(mlc_string_arena *arena);
/// Records a printf-style message as the current run's first error (later
/// ones add nothing; nothing outside a run); the run then fails with it.
MLC_INTERNAL void mlc_run_fail(const char *fmt, ...) MLC_PRINTF_LIKE(1, 2);
/// Frees every string and the error.
MLC_INTERNAL void mlc_string_arena_reset(mlc_string_arena *arena);
MLC_INTERNAL void mlc_string_arena_destroy(mlc_string_arena *arena);

struct mlc_exec_ctx {
  /// Pool that runs mlc_rt_parallel_for; NULL runs every loop on the caller.
  mlc_thread_pool *pool;
  /// The GPU state of a CUDA model (cuda.c); NULL for CPU models.
  mlc_cuda_model *cuda;
  /// An emulated CUDA model's weights buffer (runtime.c); NULL otherwise.
  void *host_weights;
  /// Strings made during the model's runs.
  mlc_string_arena strings;
  /// Kernel times of a model compiled with --profile (profile.c); NULL until
  /// its first kernel ends.
  mlc_profile *profile;
};

/// Writes the kernel times of `profile` for `model_name` (to $MLC_PROFILE,
/// else stderr) and frees it; nothing for NULL (profile.c).
MLC_INTERNAL void mlc_profile_finish(mlc_profile *profile, const char *model_name);

/// Checks that each device constant of `desc` lies inside its weights
/// buffer (runtime.c).
MLC_INTERNAL mlc_status mlc_check_device_constants(const mlc_model_desc *desc);

/// CUDA models (cuda.c). Creation loads the driver and the kernels, allocates
/// device memory (workspace, weights, one buffer per input and output) and
/// uploads the weights; `input_bytes`/`output_bytes` are the tensors' sizes.
MLC_INTERNAL mlc_status mlc_cuda_model_create(const mlc_model_desc *desc,
                                              int32_t device,
                                              const size_t *input_bytes,
                                              const size_t *output_bytes,
                                              mlc_cuda_model **out);
MLC_INTERNAL void mlc_cuda_model_destroy(mlc_cuda_model *model);
/// One run on host buffers: copies the inputs in, runs, copies the outputs
/// out and waits.
MLC_INTERNAL mlc_status mlc_cuda_model_run_host(
    mlc_cuda_model *model, mlc_exec_ctx *ctx, const mlc_model_desc *desc,
    const size_t *input_bytes, const size_t *output_bytes, void **inputs,
    void **outputs);
/// One run on device buffers, enqueued on `stream` (NULL: the model's).
MLC_INTERNAL mlc_status mlc_cuda_model_run_device(mlc_cuda_model *model,
                                                  mlc_exec_ctx *ctx,
                                                  const mlc_model_desc *desc,
                                                  void **inputs, void **outputs,
                                                  void *stream);

/// The context of the model whose mlc_model_run() is executing on the calling
/// thread (NULL outside a run): the microkernels run their parallel loops on
/// it. mlc_model_run sets it around the entry call; the tests and the kernel
/// benchmark set it by hand. Returns the previous value.
MLC_INTERNAL mlc_exec_ctx *mlc_rt_set_current_ctx(mlc_exec_ctx *ctx);
MLC_INTERNAL mlc_exec_ctx *mlc_rt_current_ctx(void);

/// mlc_rt_parallel_for cuts its n iterations into at most this many
/// contiguous chunks per thread (enough to balance uneven work, few enough to
/// keep each thread's range mostly contiguous), each claimed by the first
/// free thread.
#define MLC_CHUNKS_PER_THREAD 4

/// Threads that mlc_rt_parallel_for(ctx, ...) called from this thread would
/// use: 1 without a pool or inside a parallel body, else the pool's size.
MLC_INTERNAL int32_t mlc_rt_parallel_width(const mlc_exec_ctx *ctx);

/// Implementations of the microkernels (kernels.c).
enum {
  MLC_RT_ISA_AUTO = -1, /* the best the CPU supports */
  MLC_RT_ISA_C = 0,     /* portable C */
  MLC_RT_ISA_AVX2 = 1,  /* x86-64 AVX2 + FMA */
  MLC_RT_ISA_AVX512 = 2 /* x86-64 AVX-512F */
};
/// Test-only: makes every later microkernel call use `isa` (MLC_RT_ISA_AUTO
/// restores the default). Returns the ISA now in use, or -1 (and changes
/// nothing) when the CPU does not support `isa`. Not synchronised with
/// kernels running on other threads.
MLC_INTERNAL int mlc_rt_force_isa(int isa);
/// The ISA the microkernels use now.
MLC_INTERNAL int mlc_rt_kernel_isa(void);

/// Depthwise convolution (c == group; f a multiple of c) for
/// mlc_rt_conv2d_f32 (weights in its packed panels: tap_stride MLC_CONV_MR)
/// and mlc_rt_depthwise_conv2d_f32 (ONNX weights [f, 1, kh, kw]:
/// tap_stride 1). kernels.c.
MLC_INTERNAL void mlc_rt_depthwise_f32(const mlc_conv2d_params *params,
                                       const float *input, const float *weights,
                                       int64_t tap_stride, const float *bias,
                                       float *output);

/* Applies `activation` (mlc_activation) to n floats in place. */
MLC_INTERNAL void mlc_rt_activation_f32(int64_t activation, float *x, int64_t n);

/// Returns a new status with `code` and a printf-formatted message. Never
/// returns NULL: when memory runs out it returns the shared static
/// out-of-memory status, which mlc_status_free() recognises and ignores.
MLC_INTERNAL mlc_status mlc_status_make(mlc_status_code code, const char *fmt,
                                        ...) MLC_PRINTF_LIKE(2, 3);

/// The static out-of-memory status (never freed).
MLC_INTERNAL mlc_status mlc_status_out_of_memory(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MLC_RUNTIME_INTERNAL_H */
