/*===- mlc/runtime.h - mlc runtime C API ---------------------------------===*
 *
 * The runtime that applications link (libmlcrt) together with the object file
 * `mlc compile` produces. Plain C, no LLVM or MLIR dependency.
 *
 * Ownership rules, stated once and repeated on each function:
 *  - A function that returns `mlc_status` returns NULL on success. A non-NULL
 *    status is owned by the caller and must be released with
 *    mlc_status_free().
 *  - Handles (`mlc_model`, `mlc_thread_pool`) are created by a *_create
 *    function and released by the matching *_destroy function.
 *  - Tensor data passed to mlc_model_run() stays owned by the caller; the
 *    runtime never keeps a pointer to it after the call returns.
 *
 * See docs/runtime.md for a guide with a complete example.
 *===----------------------------------------------------------------------===*/
#ifndef MLC_RUNTIME_H
#define MLC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define MLC_API
#else
#define MLC_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Element types. The numbering is ONNX's TensorProto.DataType.
 *===----------------------------------------------------------------------===*/
typedef enum mlc_dtype {
  MLC_DTYPE_UNDEFINED = 0,
  MLC_DTYPE_FLOAT32 = 1,
  MLC_DTYPE_UINT8 = 2,
  MLC_DTYPE_INT8 = 3,
  MLC_DTYPE_UINT16 = 4,
  MLC_DTYPE_INT16 = 5,
  MLC_DTYPE_INT32 = 6,
  MLC_DTYPE_INT64 = 7,
  /* UTF-8 text: each element is a `const char *` to a NUL-terminated string.
   * Input strings stay the caller's; output strings are the model's, valid
   * until its next run or mlc_model_destroy(). */
  MLC_DTYPE_STRING = 8,
  MLC_DTYPE_BOOL = 9,
  MLC_DTYPE_FLOAT16 = 10,
  MLC_DTYPE_FLOAT64 = 11,
  MLC_DTYPE_UINT32 = 12,
  MLC_DTYPE_UINT64 = 13,
  MLC_DTYPE_BFLOAT16 = 16,
  /* The low-precision types take one byte per element in mlc's buffers
   * (ONNX files pack the 4- and 2-bit ones): float8 and float4 as their
   * bits (float4 in the low 4 bits), int4 and int2 sign-extended to int8,
   * uint4 and uint2 zero-extended to uint8. */
  MLC_DTYPE_FLOAT8E4M3FN = 17,
  MLC_DTYPE_FLOAT8E4M3FNUZ = 18,
  MLC_DTYPE_FLOAT8E5M2 = 19,
  MLC_DTYPE_FLOAT8E5M2FNUZ = 20,
  MLC_DTYPE_UINT4 = 21,
  MLC_DTYPE_INT4 = 22,
  MLC_DTYPE_FLOAT4E2M1 = 23,
  MLC_DTYPE_FLOAT8E8M0 = 24,
  MLC_DTYPE_UINT2 = 25,
  MLC_DTYPE_INT2 = 26,
} mlc_dtype;

/* Size in bytes of one element of `dtype`; 0 for an unknown dtype. */
MLC_API size_t mlc_dtype_size(int32_t dtype);
/* Lowercase name of `dtype` ("float32", "int64", ...); a static string. */
MLC_API const char *mlc_dtype_name(int32_t dtype);

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/
typedef enum mlc_status_code {
  MLC_STATUS_OK = 0,
  MLC_STATUS_INVALID_ARGUMENT = 1,
  MLC_STATUS_SHAPE_MISMATCH = 2,
  MLC_STATUS_OUT_OF_MEMORY = 3,
  MLC_STATUS_UNSUPPORTED = 4,
  MLC_STATUS_INTERNAL = 5,
} mlc_status_code;

/* Opaque error. NULL means success. */
typedef struct mlc_status_s *mlc_status;

/* The code of `status`; MLC_STATUS_OK for NULL. */
MLC_API mlc_status_code mlc_status_get_code(mlc_status status);
/* The message of `status` ("" for NULL). Owned by `status`: valid until
 * mlc_status_free(status). */
MLC_API const char *mlc_status_get_message(mlc_status status);
/* Releases `status`. NULL is accepted. */
MLC_API void mlc_status_free(mlc_status status);

/*===----------------------------------------------------------------------===*
 * Thread pool
 *===----------------------------------------------------------------------===*/
typedef struct mlc_thread_pool mlc_thread_pool;

/* Creates a pool that runs work on `num_threads` threads in total, the
 * calling thread included (so 1 means "run everything on the caller"; 0 means
 * one per online CPU). The caller owns *out_pool and releases it with
 * mlc_thread_pool_destroy() after every model that uses it is destroyed. */
MLC_API mlc_status mlc_thread_pool_create(int32_t num_threads,
                                          mlc_thread_pool **out_pool);
MLC_API void mlc_thread_pool_destroy(mlc_thread_pool *pool);
MLC_API int32_t mlc_thread_pool_size(const mlc_thread_pool *pool);

/*===----------------------------------------------------------------------===*
 * The compiled model's description. `mlc compile` emits one constant
 * `mlc_model_desc` per model into the object file; the generated header
 * declares it. Applications only pass its address to mlc_model_create().
 *===----------------------------------------------------------------------===*/
#define MLC_ABI_VERSION 4

/* Where a compiled model runs (`mlc compile --target`). */
typedef enum mlc_target {
  MLC_TARGET_CPU = 0,
  MLC_TARGET_CUDA = 1,
  /* The CUDA target's kernels compiled for the host CPU, threads run one
   * after another (`mlc compile --target=cuda --cuda-emulate`): checks the
   * GPU lowering on machines without a GPU. Runs like a CPU model. */
  MLC_TARGET_CUDA_EMULATED = 2,
} mlc_target;

typedef struct mlc_tensor_desc {
  const char *name;    /* ONNX value name */
  int32_t dtype;       /* mlc_dtype */
  int32_t rank;
  const int64_t *dims; /* `rank` entries; -1 for a symbolic dim, which each
                          run takes from the tensor it is given (inputs) or
                          computes (outputs) */
} mlc_tensor_desc;

/* Execution context handed to generated code (opaque to it). */
typedef struct mlc_exec_ctx mlc_exec_ctx;

/* Entry of the generated code: one data pointer per input and per output (in
 * declaration order), a workspace of `workspace_size` bytes aligned to
 * `workspace_alignment`, and the execution context. For a CUDA model all
 * three are device pointers and the entry only enqueues work. */
typedef void (*mlc_entry_fn)(void *const *inputs, void *const *outputs,
                             void *workspace, mlc_exec_ctx *ctx);

/* Where the entry of a model with symbolic dims leaves one output: a buffer
 * that the generated code allocated with malloc (the runtime releases it with
 * free(allocated)), the address of the output's first element in it, and the
 * output's dims, written into the `rank` entries that the runtime points
 * `dims` at before the call. */
typedef struct mlc_dynamic_output {
  void *allocated;
  void *data;
  int64_t *dims;
} mlc_dynamic_output;

/* Entry of a model with symbolic dims (a model description with a dim of
 * -1): the data and the dims of each input, a record per output that the
 * entry fills, the workspace (its static part) and the execution context.
 * Buffers whose size depends on the dims are allocated during the run. */
typedef void (*mlc_dynamic_entry_fn)(void *const *inputs,
                                     const int64_t *const *input_dims,
                                     mlc_dynamic_output *outputs,
                                     void *workspace, mlc_exec_ctx *ctx);

/* A CUDA model's kernels for one GPU architecture. */
typedef enum mlc_device_image_format {
  MLC_DEVICE_IMAGE_PTX = 0,   /* PTX text (NUL-terminated); the driver JITs it */
  MLC_DEVICE_IMAGE_CUBIN = 1, /* ptxas output for exactly `arch` */
} mlc_device_image_format;

typedef struct mlc_device_image {
  int32_t format;   /* mlc_device_image_format */
  int32_t arch;     /* compute capability x 10: 90 for sm_90 */
  const void *data;
  uint64_t size;    /* bytes at `data` (for PTX, with the NUL) */
} mlc_device_image;

/* A constant (weights) that a CUDA model reads from device memory: `size`
 * bytes at `data` go to byte `offset` of the device weights buffer. */
typedef struct mlc_device_constant {
  const void *data;
  uint64_t offset;
  uint64_t size;
} mlc_device_constant;

typedef struct mlc_model_desc {
  uint32_t abi_version; /* MLC_ABI_VERSION */
  uint32_t target;      /* mlc_target */
  const char *name;
  int64_t num_inputs;
  const mlc_tensor_desc *inputs;
  int64_t num_outputs;
  const mlc_tensor_desc *outputs;
  uint64_t workspace_size;
  uint64_t workspace_alignment;
  mlc_entry_fn entry; /* NULL when the model has symbolic dims */
  /* MLC_TARGET_CUDA and MLC_TARGET_CUDA_EMULATED; zero for CPU models. */
  int64_t num_device_images;
  const mlc_device_image *device_images;
  int64_t num_device_constants;
  const mlc_device_constant *device_constants;
  uint64_t device_weights_size;
  /* Models with symbolic dims (CPU only): the entry; NULL otherwise. */
  mlc_dynamic_entry_fn dynamic_entry;
} mlc_model_desc;

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/
typedef struct mlc_model mlc_model;

typedef struct mlc_model_options {
  /* Threads to use when `thread_pool` is NULL: the model then owns a pool of
   * this size (0 = one per online CPU, 1 = the calling thread only). */
  int32_t num_threads;
  /* A pool owned by the caller and shared by several models; may be NULL. */
  mlc_thread_pool *thread_pool;
  /* CUDA models: the ordinal of the GPU to run on (default 0). */
  int32_t device;
} mlc_model_options;

/* Fills `options` with the defaults (num_threads = 1, no shared pool,
 * device 0). */
MLC_API void mlc_model_options_init(mlc_model_options *options);

/* Creates a model instance for `desc` (the constant the compiled object
 * exports). Allocates the workspace once. For a CUDA model it also loads the
 * CUDA driver (libcuda.so.1, with dlopen), loads the kernels for the GPU's
 * architecture, allocates device memory for the workspace, the inputs and the
 * outputs, and uploads the weights; without a driver or a suitable GPU it
 * returns MLC_STATUS_UNSUPPORTED saying why. `options` may be NULL. The caller
 * owns *out_model and releases it with mlc_model_destroy(). */
MLC_API mlc_status mlc_model_create(const mlc_model_desc *desc,
                                    const mlc_model_options *options,
                                    mlc_model **out_model);
MLC_API void mlc_model_destroy(mlc_model *model);

/* Static description of the model's inputs and outputs; owned by the model's
 * description (valid for the lifetime of the program). */
MLC_API const mlc_model_desc *mlc_model_get_desc(const mlc_model *model);

/* A tensor the caller passes in or receives: the caller owns `dims` and
 * `data`. `size_bytes` is the size of the buffer at `data`. */
typedef struct mlc_tensor {
  int32_t dtype;
  int32_t rank;
  const int64_t *dims;
  void *data;
  size_t size_bytes;
} mlc_tensor;

/* Runs the model once. `inputs` and `outputs` are in the order of the model's
 * description; each is checked against it (dtype, rank, dims, buffer size) and
 * a mismatch returns MLC_STATUS_SHAPE_MISMATCH naming the tensor. Output data
 * is written into the caller's buffers. Not thread-safe for one model: use one
 * mlc_model per concurrent caller.
 *
 * A symbolic dim (-1 in the description) of an input takes any size; the
 * outputs' dims must then be the ones the run computes, which are checked
 * after it (MLC_STATUS_SHAPE_MISMATCH when they differ). Where the caller
 * cannot know them, mlc_model_run_alloc() hands out the outputs instead. */
MLC_API mlc_status mlc_model_run(mlc_model *model, const mlc_tensor *inputs,
                                 size_t num_inputs, const mlc_tensor *outputs,
                                 size_t num_outputs);

/* Runs the model once, like mlc_model_run(), but keeps the outputs in buffers
 * that the model owns; mlc_model_get_output() describes them afterwards. For
 * a model with symbolic dims this is how the caller learns the outputs'
 * dims. The buffers stay valid until the next run or mlc_model_destroy(). */
MLC_API mlc_status mlc_model_run_alloc(mlc_model *model,
                                       const mlc_tensor *inputs,
                                       size_t num_inputs);

/* Output `index` of the last successful mlc_model_run_alloc(): fills `*out`
 * with its dtype, rank, dims and data, all owned by the model (valid until
 * the next run or mlc_model_destroy()). MLC_STATUS_INVALID_ARGUMENT when
 * there is no such output or no outputs are kept. */
MLC_API mlc_status mlc_model_get_output(const mlc_model *model, size_t index,
                                        mlc_tensor *out);

/* CUDA models only: runs the model on data that is already on the GPU. Each
 * tensor's `data` is a device pointer (a CUdeviceptr cast to void *), checked
 * like mlc_model_run() checks host tensors. The work is enqueued on `stream`
 * (a CUstream; NULL uses the model's own stream) and the call returns without
 * waiting for it: synchronise the stream before reading the outputs. Errors
 * of kernels that fail while running surface at that synchronisation, or in
 * the next call on this model. A CPU model returns MLC_STATUS_UNSUPPORTED. */
MLC_API mlc_status mlc_model_run_device(mlc_model *model,
                                        const mlc_tensor *inputs,
                                        size_t num_inputs,
                                        const mlc_tensor *outputs,
                                        size_t num_outputs, void *stream);

/* NULL when the CUDA driver loads and reports at least one GPU; otherwise a
 * status saying what is missing (MLC_STATUS_UNSUPPORTED). The environment
 * variable MLC_CUDA_DRIVER names another driver library to load. */
MLC_API mlc_status mlc_cuda_available(void);

/*===----------------------------------------------------------------------===*
 * Called by generated code only.
 *===----------------------------------------------------------------------===*/
typedef void (*mlc_parallel_body_fn)(void *closure, int64_t begin,
                                     int64_t end);
/* Runs body(closure, b, e) over disjoint chunks covering [0, n) on the
 * context's thread pool and returns when all chunks are done. */
MLC_API void mlc_rt_parallel_for(mlc_exec_ctx *ctx, int64_t n,
                                 mlc_parallel_body_fn body, void *closure);

/* CUDA models' host code (generated by MLIR's gpu-to-llvm, renamed): they act
 * on the model whose run is executing on the calling thread. A failure is
 * recorded in the model (the first one wins), later launches are skipped,
 * and the run returns it as its status. */
/* The device copy of the model's weights (the host copy for an emulated
 * model). */
MLC_API void *mlc_rt_cuda_weights(mlc_exec_ctx *ctx);
/* The stream the run enqueues its work on. */
MLC_API void *mlc_rt_cuda_stream(void);
/* The kernel `name` of the model's loaded image (a CUfunction). */
MLC_API void *mlc_rt_cuda_function(const char *name);
/* cuLaunchKernel of `function`; `params` holds `num_params` pointers. */
MLC_API void mlc_rt_cuda_launch(void *function, int64_t grid_x, int64_t grid_y,
                                int64_t grid_z, int64_t block_x,
                                int64_t block_y, int64_t block_z,
                                int32_t shared_bytes, void *stream,
                                void **params, void **extra,
                                int64_t num_params);
/* Device memory for buffers the memory plan could not place (NULL and an
 * error recorded when it fails) and its release. */
MLC_API void *mlc_rt_cuda_alloc(uint64_t bytes, void *stream,
                                uint8_t host_shared /* ignored */);
MLC_API void mlc_rt_cuda_free(void *ptr, void *stream);

/*===----------------------------------------------------------------------===*
 * Microkernels called by generated code (float32). They run on the thread
 * pool of the model whose mlc_model_run() is executing on the calling thread
 * (the runtime keeps that context in a thread-local while the entry runs; on
 * any other thread they run single-threaded). They pick the widest
 * implementation the CPU supports at run time (AVX-512, AVX2+FMA, portable C)
 * and give the same results up to float rounding.
 *===----------------------------------------------------------------------===*/

/* Rows of a packed convolution-weight panel (MLC_CONV_MR) and columns of a
 * packed matmul-weight panel (MLC_MATMUL_NR). The compiler packs constant
 * weights at compile time in these layouts; they do not depend on the CPU. */
#define MLC_CONV_MR 16
#define MLC_MATMUL_NR 16

/* Applied to each output after the bias: none; max(x, 0); SiLU
 * x * sigmoid(x) (within 2e-6 relative of the exact value); ReLU6
 * min(max(x, 0), 6); HardSwish x * min(max(x / 6 + 1/2, 0), 1). NaN stays
 * NaN through every one (as ONNX's Relu, Clip, ... keep it). */
enum mlc_activation {
  MLC_ACTIVATION_NONE = 0,
  MLC_ACTIVATION_RELU = 1,
  MLC_ACTIVATION_SILU = 2,
  MLC_ACTIVATION_RELU6 = 3,
  MLC_ACTIVATION_HARDSWISH = 4
};

/* 2-d convolution, NCHW input [n, c, h, w], output [n, f, oh, ow]:
 *   out[b, o, y, x] = bias[o] + sum_{ci, ky, kx} W[o, ci, ky, kx] *
 *       in[b, g*c/group + ci, y*stride_h + ky*dilation_h - pad_top,
 *                             x*stride_w + kx*dilation_w - pad_left]
 * (zero outside the input; g = o / (f/group)), then the activation.
 * `packed_weights` holds, for each group g and each panel p of MLC_CONV_MR
 * output channels of that group (M = f/group rows, K = (c/group)*kh*kw,
 * k = (ci*kh + ky)*kw + kx), the K x MLC_CONV_MR block
 *   packed[((g*P + p)*K + k)*MR + r] = W[g*M + p*MR + r, ci, ky, kx]
 * with P = ceil(M / MR) and zeros for rows p*MR + r >= M.
 * `bias` may be NULL. `output` must not overlap `input`. */
typedef struct mlc_conv2d_params {
  int64_t n, c, h, w;
  int64_t f, kh, kw;
  int64_t oh, ow;
  int64_t stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left;
  int64_t group;
  int64_t activation; /* mlc_activation */
  int64_t accumulate; /* 1: add what `output` holds (a residual) before the
                         activation: output = act(conv + bias + output) */
} mlc_conv2d_params;

MLC_API void mlc_rt_conv2d_f32(const mlc_conv2d_params *params,
                               const float *input,
                               const float *packed_weights,
                               const float *bias, float *output);

/* Depthwise 2-d convolution (group == c, one input channel per output
 * channel; f may be a multiple of c): the same params and result as
 * mlc_rt_conv2d_f32, but `weights` is the ONNX weight tensor [f, 1, kh, kw]
 * unpacked, since each output channel only needs its own kh x kw taps. */
MLC_API void mlc_rt_depthwise_conv2d_f32(const mlc_conv2d_params *params,
                                         const float *input,
                                         const float *weights,
                                         const float *bias, float *output);

/* 2-d max pooling (float32, NCHW): output[b][ch][y][x] is the max of
 * input[b][ch][y*stride_h + ky*dilation_h - pad_top][x*stride_w +
 * kx*dilation_w - pad_left] over ky < kh, kx < kw and the positions inside
 * the image (a window that lies entirely in the padding gives -inf); a NaN in
 * a window gives NaN. The params are those of mlc_rt_conv2d_f32 with
 * f == group == c; bias, activation and accumulate are not used. */
MLC_API void mlc_rt_maxpool2d_f32(const mlc_conv2d_params *params,
                                  const float *input, float *output);

/* Batched matmul with constant weights: for each b < batch,
 *   C[b][i, j] = bias[j] + sum_k A[b][i, k] * B[k, j]   (i < m, j < n)
 * then the activation. A is row-major with row stride `lda` and batch stride
 * `batch_stride_a` (0 broadcasts one A to every batch); C is dense
 * [batch, m, n]. `packed_b` holds B in panels of MLC_MATMUL_NR columns:
 *   packed_b[(q*k + kk)*NR + r] = B[kk, q*NR + r]   (zero for q*NR + r >= n)
 * for q < ceil(n / NR). `bias` may be NULL. */
typedef struct mlc_matmul_params {
  int64_t batch, m, n, k;
  int64_t lda, batch_stride_a;
  int64_t activation; /* mlc_activation */
} mlc_matmul_params;

MLC_API void mlc_rt_matmul_f32(const mlc_matmul_params *params,
                               const float *a, const float *packed_b,
                               const float *bias, float *c);

/* Batched matmul of two run-time tensors (attention's Q x K^T and P x V):
 *   C[b][i, j] = sum_k A[b][i, k] * B[b][k, j]
 * A: rows of `lda` floats, batch stride `batch_stride_a` (0 broadcasts);
 * B: rows of `ldb` floats (row k holds B[k, 0..n)), batch stride
 * `batch_stride_b` (0 broadcasts); C dense [batch, m, n]. */
typedef struct mlc_batch_matmul_params {
  int64_t batch, m, n, k;
  int64_t lda, batch_stride_a, ldb, batch_stride_b;
} mlc_batch_matmul_params;
MLC_API void mlc_rt_batch_matmul_f32(const mlc_batch_matmul_params *params,
                                     const float *a, const float *b, float *c);

/*===----------------------------------------------------------------------===*
 * String functions that generated code calls per element of a string tensor.
 * A string is passed and returned as the address of a NUL-terminated UTF-8
 * string in an int64_t. Strings they make live in the running model's string
 * arena (freed at its next run or mlc_model_destroy()); called outside a run
 * they return NULL (0).
 *===----------------------------------------------------------------------===*/
/* Numbers as text: float32 in its shortest form that reads back exactly
 * (like NumPy's str()), "nan", "inf" and "-inf" for the specials. */
MLC_API int64_t mlc_rt_string_from_f32(float value);
MLC_API int64_t mlc_rt_string_from_f64(double value);
MLC_API int64_t mlc_rt_string_from_i64(int64_t value);
MLC_API int64_t mlc_rt_string_from_u64(uint64_t value);
/* Text as numbers (strtod/strtoll; "NaN", "INF", "+INF", "-INF" included);
 * text that is not a number gives NaN and 0. */
MLC_API double mlc_rt_string_to_f64(int64_t s);
MLC_API int64_t mlc_rt_string_to_i64(int64_t s);
/* 1 if the strings are byte-for-byte equal, else 0. */
MLC_API int32_t mlc_rt_string_equal(int64_t a, int64_t b);
/* a followed by b. */
MLC_API int64_t mlc_rt_string_concat(int64_t a, int64_t b);
/* s with its ASCII letters in upper case (`upper` 1) or lower case (0);
 * other bytes (UTF-8 sequences) are kept. */
MLC_API int64_t mlc_rt_string_change_case(int64_t s, int32_t upper);
/* StringSplit: the number of substrings of s split at `delimiter` (a NULL or
 * empty delimiter splits at runs of whitespace and drops empty substrings),
 * with at most `maxsplit` splits when maxsplit >= 0; and substring k of them,
 * or "" past the last. A run whose substrings do not fit in `parts` fails. */
MLC_API int64_t mlc_rt_string_split_count(int64_t s, int64_t delimiter, int64_t maxsplit);
MLC_API int64_t mlc_rt_string_split_part(int64_t s, int64_t delimiter, int64_t maxsplit,
                                         int64_t k, int64_t parts);
/* 1 if all of s matches the regular expression `pattern` (RE2 syntax: the
 * common subset of classes, groups, alternation and repetition), else 0. A
 * pattern that does not compile fails the run. */
MLC_API int32_t mlc_rt_string_regex_full_match(int64_t s, int64_t pattern);

/* Generated code's check of a dim computed at run time against the one the
 * model declares: returns `actual`; when they differ the run fails. */
MLC_API int64_t mlc_rt_check_dim(int64_t actual, int64_t declared);

/* ONNX NonMaxSuppression of boxes [batches, num_boxes, 4] and scores
 * [batches, classes, num_boxes] (the thresholds are single values; the
 * score threshold applies when has_score_threshold): writes the kept
 * (batch, class, box) rows to `selected`, which has room for
 * batches * classes * num_boxes rows, and their number to *count. */
MLC_API void mlc_rt_non_max_suppression_f32(int64_t batches, int64_t classes, int64_t num_boxes,
                                            int64_t center_point_box, int64_t has_score_threshold,
                                            const float *boxes, const float *scores,
                                            const int64_t *max_output_boxes_per_class,
                                            const float *iou_threshold,
                                            const float *score_threshold, int64_t *selected,
                                            int64_t *count);

/* The sequential tensor ops (lib/Runtime/sequential.c), on row-major
 * buffers viewed as [outer, n, inner] around the op's axis.
 *
 * TopK: the k largest (or smallest) of each of the outer * inner rows of n,
 * in order, equal values by index; values and indices are [outer, k,
 * inner]. k outside [0, n] fails the run. */
#define MLC_DECLARE_TOP_K(T, SUFFIX)                                                                \
  MLC_API void mlc_rt_top_k_##SUFFIX(int64_t outer, int64_t n, int64_t inner, int64_t k,         \
                                     int64_t largest, const T *x, T *values, int64_t *indices);
MLC_DECLARE_TOP_K(float, f32)
MLC_DECLARE_TOP_K(double, f64)
MLC_DECLARE_TOP_K(int32_t, i32)
MLC_DECLARE_TOP_K(int64_t, i64)
#undef MLC_DECLARE_TOP_K

/* Unique of the n slices x[:, j, :] (elements with outer = inner = 1):
 * writes the u distinct ones to y[:, 0..u, :] (y has x's shape), sorted
 * (lexicographically, NaN above every number) or in order of first
 * appearance, the first index of each to indices[0..u], each slice's
 * position among them to inverse[0..n], their multiplicities to
 * counts[0..u], and u to *count. */
#define MLC_DECLARE_UNIQUE(T, SUFFIX)                                                               \
  MLC_API void mlc_rt_unique_##SUFFIX(int64_t outer, int64_t n, int64_t inner, int64_t sorted,    \
                                      const T *x, T *y, int64_t *indices, int64_t *inverse,       \
                                      int64_t *counts, int64_t *count);
MLC_DECLARE_UNIQUE(float, f32)
MLC_DECLARE_UNIQUE(double, f64)
MLC_DECLARE_UNIQUE(int32_t, i32)
MLC_DECLARE_UNIQUE(int64_t, i64)
#undef MLC_DECLARE_UNIQUE

/* CumSum / CumProd along n: y has x's shape. */
#define MLC_DECLARE_CUMULATIVE(T, SUFFIX)                                                           \
  MLC_API void mlc_rt_cumsum_##SUFFIX(int64_t outer, int64_t n, int64_t inner, int64_t exclusive, \
                                      int64_t reverse, const T *x, T *y);                         \
  MLC_API void mlc_rt_cumprod_##SUFFIX(int64_t outer, int64_t n, int64_t inner,                   \
                                       int64_t exclusive, int64_t reverse, const T *x, T *y);
MLC_DECLARE_CUMULATIVE(float, f32)
MLC_DECLARE_CUMULATIVE(double, f64)
MLC_DECLARE_CUMULATIVE(int32_t, i32)
MLC_DECLARE_CUMULATIVE(int64_t, i64)
#undef MLC_DECLARE_CUMULATIVE

/* ScatterElements into `out`, which holds the data on entry: the updates
 * and indices (int64) have the dims update_dims, the data data_dims, both
 * of `rank` entries. reduction: 0 none, 1 add, 2 mul, 3 max, 4 min; the
 * x8..x64 variants store elements of that width and take only none. An
 * index outside [-dim, dim) fails the run and leaves `out` as it was. */
#define MLC_DECLARE_SCATTER(T, SUFFIX)                                                              \
  MLC_API void mlc_rt_scatter_elements_##SUFFIX(                                                    \
      int64_t rank, int64_t axis, int64_t reduction, const int64_t *data_dims,                     \
      const int64_t *update_dims, const int64_t *indices, const T *updates, T *out);
MLC_DECLARE_SCATTER(uint8_t, x8)
MLC_DECLARE_SCATTER(uint16_t, x16)
MLC_DECLARE_SCATTER(uint32_t, x32)
MLC_DECLARE_SCATTER(uint64_t, x64)
MLC_DECLARE_SCATTER(float, f32)
MLC_DECLARE_SCATTER(double, f64)
MLC_DECLARE_SCATTER(int32_t, i32)
MLC_DECLARE_SCATTER(int64_t, i64)
#undef MLC_DECLARE_SCATTER

/* ScatterND into `out`, which holds the data (dims data_dims, rank `rank`)
 * on entry: `rows` index tuples of depth k (int64, [rows, k]) each update
 * the `slice` contiguous elements they address with the next `slice`
 * updates. reduction and the variants as for ScatterElements; an index
 * outside [-dim, dim) fails the run and leaves `out` as it was. */
#define MLC_DECLARE_SCATTER_ND(T, SUFFIX)                                                           \
  MLC_API void mlc_rt_scatter_nd_##SUFFIX(int64_t rows, int64_t k, int64_t slice,                 \
                                          int64_t reduction, int64_t rank,                        \
                                          const int64_t *data_dims, const int64_t *indices,       \
                                          const T *updates, T *out);
MLC_DECLARE_SCATTER_ND(uint8_t, x8)
MLC_DECLARE_SCATTER_ND(uint16_t, x16)
MLC_DECLARE_SCATTER_ND(uint32_t, x32)
MLC_DECLARE_SCATTER_ND(uint64_t, x64)
MLC_DECLARE_SCATTER_ND(float, f32)
MLC_DECLARE_SCATTER_ND(double, f64)
MLC_DECLARE_SCATTER_ND(int32_t, i32)
MLC_DECLARE_SCATTER_ND(int64_t, i64)
#undef MLC_DECLARE_SCATTER_ND

/* Around each kernel call of a model compiled with `mlc compile --profile`:
 * begin returns the time, end adds the time since `begin` to the kernel
 * named by the NUL-terminated string at address `name` (docs/runtime.md,
 * "Profiling"). */
MLC_API int64_t mlc_rt_profile_begin(void);
MLC_API void mlc_rt_profile_end(int64_t name, int64_t begin);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MLC_RUNTIME_H */
