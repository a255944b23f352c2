/*===- cuda.c - CUDA models: driver loading, device memory, launches -----===*
 *
 * The CUDA driver API is loaded at run time with dlopen("libcuda.so.1"), so
 * that neither the runtime nor an application linking it needs CUDA to build
 * or to run CPU models. The declarations below are the few driver types and
 * entry points the runtime uses, written from the driver API's documented
 * C signatures (they are part of NVIDIA's stable ABI; the _v2 names are the
 * ones current drivers export).
 *
 * A CUDA model owns: the GPU's primary context (retained), a stream, the
 * kernels' module (the image for the GPU's architecture: a cubin built for
 * exactly it, else the newest PTX the driver can JIT), one device allocation
 * for the workspace, one for the weights (uploaded at creation), and device
 * buffers for the inputs and outputs of mlc_model_run(). Generated host code
 * reaches the running model through the thread's current execution context.
 *
 * With MLC_CUDA_GRAPH=1, mlc_model_run() records the model's launches into a
 * CUDA graph on its second run (stream capture; the first one has looked up
 * every kernel, outside the capture) and replays that graph after:
 * one driver call per run instead of one per kernel. The schedule is the same
 * every run (static shapes, the model's own buffers), so the recorded
 * parameters stay valid. A capture that fails (a temporary allocation, a
 * driver without graphs) leaves the model launching kernel by kernel.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200112L

#include "internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <time.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*===----------------------------------------------------------------------===*
 * The driver API
 *===----------------------------------------------------------------------===*/

typedef int CUresult; /* CUDA_SUCCESS == 0 */
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef unsigned long long CUdeviceptr;
typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphExec_st *CUgraphExec;

enum {
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_STREAM_NON_BLOCKING = 1,
  CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1,
};

struct driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxPushCurrent)(CUcontext);
  CUresult (*cuCtxPopCurrent)(CUcontext *);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  /* Graphs (optional: NULL where the driver lacks them). */
  CUresult (*cuStreamBeginCapture)(CUstream, int);
  CUresult (*cuStreamEndCapture)(CUstream, CUgraph *);
  CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *, CUgraph, unsigned long long);
  CUresult (*cuGraphLaunch)(CUgraphExec, CUstream);
  CUresult (*cuGraphExecDestroy)(CUgraphExec);
  CUresult (*cuGraphDestroy)(CUgraph);
};

static struct driver driver;
static mlc_status driver_status; /* why the driver is unusable; NULL if fine */
static pthread_once_t driver_once = PTHREAD_ONCE_INIT;

/// Whether the driver has every graph entry point.
static bool driver_has_graphs(void) {
  return driver.cuStreamBeginCapture && driver.cuStreamEndCapture &&
         driver.cuGraphInstantiateWithFlags && driver.cuGraphLaunch &&
         driver.cuGraphExecDestroy && driver.cuGraphDestroy;
}

static void load_driver(void) {
  const char *path = getenv("MLC_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    driver_status = mlc_status_make(
        MLC_STATUS_UNSUPPORTED,
        "the CUDA driver library '%s' could not be loaded (%s): this model "
        "was compiled with --target=cuda and needs an NVIDIA GPU with its "
        "driver installed",
        path, why ? why : "unknown error");
    return;
  }
  struct {
    const char *name;
    void **slot;
  } symbols[] = {
#define SYMBOL(field, name) {name, (void **)&driver.field}
      SYMBOL(cuInit, "cuInit"),
      SYMBOL(cuDeviceGetCount, "cuDeviceGetCount"),
      SYMBOL(cuDeviceGet, "cuDeviceGet"),
      SYMBOL(cuDeviceGetAttribute, "cuDeviceGetAttribute"),
      SYMBOL(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
      SYMBOL(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"),
      SYMBOL(cuCtxPushCurrent, "cuCtxPushCurrent_v2"),
      SYMBOL(cuCtxPopCurrent, "cuCtxPopCurrent_v2"),
      SYMBOL(cuStreamCreate, "cuStreamCreate"),
      SYMBOL(cuStreamDestroy, "cuStreamDestroy_v2"),
      SYMBOL(cuStreamSynchronize, "cuStreamSynchronize"),
      SYMBOL(cuMemAlloc, "cuMemAlloc_v2"),
      SYMBOL(cuMemFree, "cuMemFree_v2"),
      SYMBOL(cuMemcpyHtoD, "cuMemcpyHtoD_v2"),
      SYMBOL(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2"),
      SYMBOL(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2"),
      SYMBOL(cuModuleLoadData, "cuModuleLoadData"),
      SYMBOL(cuModuleUnload, "cuModuleUnload"),
      SYMBOL(cuModuleGetFunction, "cuModuleGetFunction"),
      SYMBOL(cuLaunchKernel, "cuLaunchKernel"),
      SYMBOL(cuGetErrorName, "cuGetErrorName"),
      SYMBOL(cuGetErrorString, "cuGetErrorString"),
#undef SYMBOL
  };
  for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); ++i) {
    *symbols[i].slot = dlsym(lib, symbols[i].name);
    if (!*symbols[i].slot) {
      driver_status = mlc_status_make(
          MLC_STATUS_UNSUPPORTED,
          "the CUDA driver library '%s' has no '%s': the driver is too old "
          "or not NVIDIA's",
          path, symbols[i].name);
      dlclose(lib);
      return;
    }
  }
  /* The graph entry points are optional (driver_has_graphs). */
  *(void **)&driver.cuStreamBeginCapture = dlsym(lib, "cuStreamBeginCapture_v2");
  *(void **)&driver.cuStreamEndCapture = dlsym(lib, "cuStreamEndCapture");
  *(void **)&driver.cuGraphInstantiateWithFlags = dlsym(lib, "cuGraphInstantiateWithFlags");
  *(void **)&driver.cuGraphLaunch = dlsym(lib, "cuGraphLaunch");
  *(void **)&driver.cuGraphExecDestroy = dlsym(lib, "cuGraphExecDestroy");
  *(void **)&driver.cuGraphDestroy = dlsym(lib, "cuGraphDestroy");
  CUresult rc = driver.cuInit(0);
  int count = 0;
  if (rc == 0)
    rc = driver.cuDeviceGetCount(&count);
  if (rc != 0 || count == 0) {
    const char *name = NULL;
    if (rc != 0)
      driver.cuGetErrorName(rc, &name);
    driver_status = mlc_status_make(
        MLC_STATUS_UNSUPPORTED,
        "the CUDA driver '%s' loaded but reports no usable GPU (%s)", path,
        rc != 0 ? (name ? name : "cuInit failed") : "0 devices");
  }
}

/// NULL when the driver is usable (loading it on first use).
static mlc_status driver_error(void) {
  pthread_once(&driver_once, load_driver);
  return driver_status;
}

mlc_status mlc_cuda_available(void) {
  mlc_status status = driver_error();
  return status ? mlc_status_make(mlc_status_get_code(status), "%s",
                                  mlc_status_get_message(status))
                : NULL;
}

/// A status for a failed driver call `what`.
static mlc_status cuda_failure(const char *model, const char *what,
                               CUresult rc) {
  const char *name = NULL, *text = NULL;
  driver.cuGetErrorName(rc, &name);
  driver.cuGetErrorString(rc, &text);
  return mlc_status_make(MLC_STATUS_INTERNAL, "model '%s': %s failed: %s (%s)",
                         model, what, name ? name : "CUDA error",
                         text ? text : "no description");
}

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/

struct kernel_slot {
  const char *name; /* the generated code's constant string; NULL: empty */
  CUfunction function;
  /* Profiling (MLC_CUDA_PROFILE): launches, their total time and threads. */
  uint64_t launches, threads;
  double seconds;
};

struct mlc_cuda_model {
  const char *name;
  CUdevice device;
  CUcontext context;
  CUstream own_stream;
  CUstream stream; /* where the current run enqueues */
  CUmodule module;
  CUdeviceptr workspace, weights;
  CUdeviceptr *inputs, *outputs; /* buffers for mlc_model_run() */
  /* Kernels by the address of their name (a cache of cuModuleGetFunction):
   * struct kernel_slot records. */
  mlc_name_table kernels;
  /* MLC_CUDA_PROFILE: where the per-kernel table goes at destroy (NULL: not
   * profiling), and the slot of the kernel looked up last (the one that the
   * next launch runs). */
  const char *profile;
  struct kernel_slot *last;
  /* MLC_CUDA_GRAPH: whether mlc_model_run() should replay a graph (cleared
   * when a capture fails), whether a run went through without a graph (it
   * looked up every kernel), the graph once captured, and whether a capture
   * is under way (nothing enqueued runs until it ends). */
  bool use_graph;
  bool ran;
  bool capturing;
  CUgraphExec graph;
  /* The first failure of the current run. */
  mlc_status error;
};

/// Picks the image for compute capability `arch`: a cubin for exactly it,
/// else the PTX of the newest architecture not above it.
static const mlc_device_image *select_image(const mlc_model_desc *desc,
                                            int arch) {
  const mlc_device_image *best = NULL;
  for (int64_t i = 0; i < desc->num_device_images; ++i) {
    const mlc_device_image *image = &desc->device_images[i];
    if (image->format == MLC_DEVICE_IMAGE_CUBIN && image->arch == arch)
      return image;
    if (image->format == MLC_DEVICE_IMAGE_PTX && image->arch <= arch &&
        (!best || image->arch > best->arch))
      best = image;
  }
  return best;
}

/// Lists the images' architectures ("sm_80 (ptx), sm_90 (cubin)").
static void describe_images(const mlc_model_desc *desc, char *text,
                            size_t cap) {
  size_t len = 0;
  text[0] = '\0';
  for (int64_t i = 0; i < desc->num_device_images && len < cap; ++i) {
    const mlc_device_image *image = &desc->device_images[i];
    int n = snprintf(text + len, cap - len, "%ssm_%d (%s)", i ? ", " : "",
                     (int)image->arch,
                     image->format == MLC_DEVICE_IMAGE_CUBIN ? "cubin" : "ptx");
    if (n < 0)
      break;
    len += (size_t)n;
  }
}

static int by_time_descending(const void *a, const void *b) {
  double x = ((const struct kernel_slot *)a)->seconds;
  double y = ((const struct kernel_slot *)b)->seconds;
  return (x < y) - (x > y);
}

/// Writes the per-kernel times measured under MLC_CUDA_PROFILE, slowest first.
static void write_profile(mlc_cuda_model *m) {
  FILE *f = strcmp(m->profile, "1") == 0 || strcmp(m->profile, "-") == 0
                ? stderr
                : fopen(m->profile, "a");
  struct kernel_slot *kernels = (struct kernel_slot *)m->kernels.records;
  if (!f || !kernels)
    return;
  /* Sorting breaks the table's probing; the model is going away. */
  qsort(kernels, m->kernels.capacity, sizeof(*kernels), by_time_descending);
  double total = 0;
  uint64_t launches = 0;
  for (size_t i = 0; i < m->kernels.capacity; ++i) {
    total += kernels[i].seconds;
    launches += kernels[i].launches;
  }
  fprintf(f, "# mlc CUDA profile of model '%s': %llu launches, %.3f ms in all "
             "(each launch synchronised)\n# %10s %6s %8s %12s  %s\n",
          m->name, (unsigned long long)launches, total * 1e3, "ms", "%",
          "launches", "threads", "kernel");
  for (size_t i = 0; i < m->kernels.capacity && kernels[i].launches; ++i) {
    const struct kernel_slot *k = &kernels[i];
    fprintf(f, "  %10.4f %6.2f %8llu %12llu  %s\n", k->seconds * 1e3,
            total > 0 ? 100 * k->seconds / total : 0.0,
            (unsigned long long)k->launches,
            (unsigned long long)(k->threads / k->launches), k->name);
  }
  if (f != stderr)
    fclose(f);
}

void mlc_cuda_model_destroy(mlc_cuda_model *m) {
  if (!m)
    return;
  if (m->profile)
    write_profile(m);
  if (m->context) {
    driver.cuCtxPushCurrent(m->context);
    if (m->inputs)
      for (size_t i = 0; m->inputs[i] != (CUdeviceptr)-1; ++i)
        if (m->inputs[i])
          driver.cuMemFree(m->inputs[i]);
    if (m->outputs)
      for (size_t i = 0; m->outputs[i] != (CUdeviceptr)-1; ++i)
        if (m->outputs[i])
          driver.cuMemFree(m->outputs[i]);
    if (m->workspace)
      driver.cuMemFree(m->workspace);
    if (m->weights)
      driver.cuMemFree(m->weights);
    if (m->graph)
      driver.cuGraphExecDestroy(m->graph);
    if (m->module)
      driver.cuModuleUnload(m->module);
    if (m->own_stream)
      driver.cuStreamDestroy(m->own_stream);
    CUcontext popped;
    driver.cuCtxPopCurrent(&popped);
    driver.cuDevicePrimaryCtxRelease(m->device);
  }
  mlc_status_free(m->error);
  free(m->inputs);
  free(m->outputs);
  mlc_name_table_free(&m->kernels);
  free(m);
}

/// Allocates `n` device buffers of `bytes[i]` into a -1 terminated array.
static mlc_status alloc_buffers(mlc_cuda_model *m, size_t n,
                                const size_t *bytes, CUdeviceptr **out) {
  *out = (CUdeviceptr *)calloc(n + 1, sizeof(CUdeviceptr));
  if (!*out)
    return mlc_status_out_of_memory();
  (*out)[n] = (CUdeviceptr)-1;
  for (size_t i = 0; i < n; ++i) {
    CUresult rc = driver.cuMemAlloc(&(*out)[i], bytes[i] ? bytes[i] : 1);
    if (rc != 0)
      return cuda_failure(m->name, "cuMemAlloc of an input/output buffer", rc);
  }
  return NULL;
}

static mlc_status create_in_context(mlc_cuda_model *m,
                                    const mlc_model_desc *desc,
                                    const size_t *input_bytes,
                                    const size_t *output_bytes) {
  int major = 0, minor = 0;
  driver.cuDeviceGetAttribute(
      &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, m->device);
  driver.cuDeviceGetAttribute(
      &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, m->device);
  int arch = major * 10 + minor;
  const mlc_device_image *image = select_image(desc, arch);
  if (!image && desc->num_device_images > 0) {
    char archs[256];
    describe_images(desc, archs, sizeof(archs));
    return mlc_status_make(
        MLC_STATUS_UNSUPPORTED,
        "model '%s' has no kernels for this GPU (sm_%d); it was compiled for "
        "%s: recompile with --cuda-arch=sm_%d",
        m->name, arch, archs[0] ? archs : "no architecture", arch);
  }
  /* A model without images launches nothing (all its tensors are empty). */
  CUresult rc = image ? driver.cuModuleLoadData(&m->module, image->data) : 0;
  if (rc != 0)
    return cuda_failure(m->name, "loading the kernels (cuModuleLoadData)", rc);
  rc = driver.cuStreamCreate(&m->own_stream, CU_STREAM_NON_BLOCKING);
  if (rc != 0)
    return cuda_failure(m->name, "cuStreamCreate", rc);
  m->stream = m->own_stream;
  if (desc->workspace_size > 0 &&
      (rc = driver.cuMemAlloc(&m->workspace, desc->workspace_size)) != 0)
    return cuda_failure(m->name, "cuMemAlloc of the workspace", rc);
  if (desc->device_weights_size > 0) {
    rc = driver.cuMemAlloc(&m->weights, desc->device_weights_size);
    if (rc != 0)
      return cuda_failure(m->name, "cuMemAlloc of the weights", rc);
    for (int64_t i = 0; i < desc->num_device_constants; ++i) {
      const mlc_device_constant *c = &desc->device_constants[i];
      rc = driver.cuMemcpyHtoD(m->weights + c->offset, c->data, c->size);
      if (rc != 0)
        return cuda_failure(m->name, "uploading the weights", rc);
    }
  }
  mlc_status status = alloc_buffers(m, (size_t)desc->num_inputs, input_bytes,
                                    &m->inputs);
  if (!status)
    status = alloc_buffers(m, (size_t)desc->num_outputs, output_bytes,
                           &m->outputs);
  return status;
}

mlc_status mlc_cuda_model_create(const mlc_model_desc *desc, int32_t device,
                                 const size_t *input_bytes,
                                 const size_t *output_bytes,
                                 mlc_cuda_model **out) {
  *out = NULL;
  const char *name = desc->name ? desc->name : "";
  mlc_status status = driver_error();
  if (status)
    return mlc_status_make(mlc_status_get_code(status), "model '%s': %s",
                           name, mlc_status_get_message(status));
  if ((desc->num_device_images > 0 && !desc->device_images) ||
      (desc->num_device_constants > 0 && !desc->device_constants))
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "model '%s': its description lists kernel images "
                           "or device constants without their table",
                           name);
  int count = 0;
  driver.cuDeviceGetCount(&count);
  if (device < 0 || device >= count)
    return mlc_status_make(MLC_STATUS_INVALID_ARGUMENT,
                           "model '%s': CUDA device %d does not exist (this "
                           "machine has %d)",
                           name, (int)device, count);
  mlc_cuda_model *m = (mlc_cuda_model *)calloc(1, sizeof(*m));
  if (!m)
    return mlc_status_out_of_memory();
  m->name = name;
  m->kernels.record_size = sizeof(struct kernel_slot);
  const char *profile = getenv("MLC_CUDA_PROFILE");
  m->profile = profile && *profile && strcmp(profile, "0") != 0 ? profile
                                                                 : NULL;
  /* Profiling times every launch on its own, which a graph cannot. */
  const char *graph = getenv("MLC_CUDA_GRAPH");
  m->use_graph = graph && strcmp(graph, "1") == 0 && !m->profile && driver_has_graphs();
  CUresult rc = driver.cuDeviceGet(&m->device, device);
  if (rc == 0)
    rc = driver.cuDevicePrimaryCtxRetain(&m->context, m->device);
  if (rc != 0) {
    m->context = NULL;
    status = cuda_failure(name, "opening the GPU's context", rc);
    mlc_cuda_model_destroy(m);
    return status;
  }
  driver.cuCtxPushCurrent(m->context);
  status = create_in_context(m, desc, input_bytes, output_bytes);
  CUcontext popped;
  driver.cuCtxPopCurrent(&popped);
  if (status) {
    mlc_cuda_model_destroy(m);
    return status;
  }
  *out = m;
  return NULL;
}

/// Runs the entry on device pointers on `stream`; the context is current.
static void enqueue(mlc_cuda_model *m, mlc_exec_ctx *ctx,
                    const mlc_model_desc *desc, void **inputs, void **outputs,
                    CUstream stream) {
  m->stream = stream;
  mlc_exec_ctx *previous = mlc_rt_set_current_ctx(ctx);
  desc->entry((void *const *)inputs, (void *const *)outputs,
              (void *)(uintptr_t)m->workspace, ctx);
  mlc_rt_set_current_ctx(previous);
  m->stream = m->own_stream;
}

/// Takes the run's recorded failure (NULL if none).
static mlc_status take_error(mlc_cuda_model *m) {
  mlc_status status = m->error;
  m->error = NULL;
  return status;
}

/// Records the entry's launches on the model's stream into m->graph. On
/// failure, discards what was recorded (nothing of it ran) and returns false.
static bool capture_graph(mlc_cuda_model *m, mlc_exec_ctx *ctx,
                          const mlc_model_desc *desc) {
  if (driver.cuStreamBeginCapture(m->own_stream,
                                  CU_STREAM_CAPTURE_MODE_THREAD_LOCAL) != 0)
    return false;
  m->capturing = true;
  enqueue(m, ctx, desc, (void **)m->inputs, (void **)m->outputs,
          m->own_stream);
  m->capturing = false;
  CUgraph graph = NULL;
  CUresult rc = driver.cuStreamEndCapture(m->own_stream, &graph);
  bool ok = rc == 0 && graph && !m->error &&
            driver.cuGraphInstantiateWithFlags(&m->graph, graph, 0) == 0;
  if (graph)
    driver.cuGraphDestroy(graph); /* the instance keeps what it needs */
  if (!ok)
    m->graph = NULL;
  mlc_status_free(take_error(m));
  return ok;
}

/// Enqueues one run of the entry on the model's own buffers and stream:
/// the graph's replay where MLC_CUDA_GRAPH asks for it (from the second
/// run), else each launch.
static mlc_status enqueue_run(mlc_cuda_model *m, mlc_exec_ctx *ctx,
                              const mlc_model_desc *desc) {
  if (m->use_graph && m->ran && !m->graph && !capture_graph(m, ctx, desc))
    m->use_graph = false;
  if (m->graph) {
    CUresult rc = driver.cuGraphLaunch(m->graph, m->own_stream);
    return rc ? cuda_failure(m->name, "launching the model's graph (cuGraphLaunch)", rc)
              : NULL;
  }
  enqueue(m, ctx, desc, (void **)m->inputs, (void **)m->outputs,
          m->own_stream);
  mlc_status status = take_error(m);
  m->ran = m->ran || !status;
  return status;
}

mlc_status mlc_cuda_model_run_host(mlc_cuda_model *m, mlc_exec_ctx *ctx,
                                   const mlc_model_desc *desc,
                                   const size_t *input_bytes,
                                   const size_t *output_bytes, void **inputs,
                                   void **outputs) {
  size_t num_in = (size_t)desc->num_inputs, num_out = (size_t)desc->num_outputs;
  driver.cuCtxPushCurrent(m->context);
  mlc_status status = NULL;
  CUresult rc = 0;
  for (size_t i = 0; i < num_in && rc == 0; ++i)
    if (input_bytes[i])
      rc = driver.cuMemcpyHtoDAsync(m->inputs[i], inputs[i], input_bytes[i],
                                    m->own_stream);
  if (rc != 0)
    status = cuda_failure(m->name, "copying an input to the GPU", rc);
  /* The entry reads the device buffers' addresses as an array of pointers
   * (CUdeviceptr has the size of a pointer on the 64-bit hosts CUDA runs on). */
  if (!status)
    status = enqueue_run(m, ctx, desc);
  for (size_t i = 0; i < num_out && rc == 0 && !status; ++i)
    if (output_bytes[i])
      rc = driver.cuMemcpyDtoHAsync(outputs[i], m->outputs[i],
                                    output_bytes[i], m->own_stream);
  if (!status && rc != 0)
    status = cuda_failure(m->name, "copying an output from the GPU", rc);
  rc = driver.cuStreamSynchronize(m->own_stream);
  if (!status && rc != 0)
    status = cuda_failure(m->name, "running the kernels", rc);
  CUcontext popped;
  driver.cuCtxPopCurrent(&popped);
  return status;
}

mlc_status mlc_cuda_model_run_device(mlc_cuda_model *m, mlc_exec_ctx *ctx,
                                     const mlc_model_desc *desc,
                                     void **inputs, void **outputs,
                                     void *stream) {
  driver.cuCtxPushCurrent(m->context);
  enqueue(m, ctx, desc, inputs, outputs,
          stream ? (CUstream)stream : m->own_stream);
  CUcontext popped;
  driver.cuCtxPopCurrent(&popped);
  return take_error(m);
}

/*===----------------------------------------------------------------------===*
 * Entry points of generated host code
 *===----------------------------------------------------------------------===*/

/// The CUDA model running on this thread; NULL outside a run.
static mlc_cuda_model *current(void) {
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  return ctx ? ctx->cuda : NULL;
}

/// Records the first failure of a run.
static void record(mlc_cuda_model *m, mlc_status status) {
  if (m->error)
    mlc_status_free(status);
  else
    m->error = status;
}

void *mlc_rt_cuda_weights(mlc_exec_ctx *ctx) {
  if (!ctx)
    return NULL;
  return ctx->cuda ? (void *)(uintptr_t)ctx->cuda->weights : ctx->host_weights;
}

void *mlc_rt_cuda_stream(void) {
  mlc_cuda_model *m = current();
  return m ? (void *)m->stream : NULL;
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void *mlc_rt_cuda_function(const char *name) {
  mlc_cuda_model *m = current();
  if (!m || m->error)
    return NULL;
  struct kernel_slot *cached =
      (struct kernel_slot *)mlc_name_table_find(&m->kernels, name, false);
  if (cached) {
    m->last = cached;
    return cached->function;
  }
  if (!m->module) {
    record(m, mlc_status_make(MLC_STATUS_INTERNAL,
                              "model '%s' launches kernel '%s' but carries no "
                              "kernel images",
                              m->name, name));
    return NULL;
  }
  CUfunction function = NULL;
  CUresult rc = driver.cuModuleGetFunction(&function, m->module, name);
  if (rc != 0) {
    record(m, cuda_failure(m->name, "finding a kernel (cuModuleGetFunction)",
                           rc));
    return NULL;
  }
  /* A table that cannot grow leaves the kernel uncached; it still runs. */
  m->last = (struct kernel_slot *)mlc_name_table_find(&m->kernels, name, true);
  if (m->last)
    m->last->function = function;
  return function;
}

void mlc_rt_cuda_launch(void *function, int64_t grid_x, int64_t grid_y,
                        int64_t grid_z, int64_t block_x, int64_t block_y,
                        int64_t block_z, int32_t shared_bytes, void *stream,
                        void **params, void **extra, int64_t num_params) {
  (void)num_params;
  mlc_cuda_model *m = current();
  if (!m || m->error || !function)
    return;
  if (grid_x <= 0 || grid_y <= 0 || grid_z <= 0)
    return; /* an empty loop nest: nothing to run */
  struct kernel_slot *profiled =
      m->profile && m->last && m->last->function == function ? m->last : NULL;
  double start = 0;
  if (profiled) {
    driver.cuStreamSynchronize((CUstream)stream);
    start = now_seconds();
  }
  CUresult rc = driver.cuLaunchKernel(
      (CUfunction)function, (unsigned)grid_x, (unsigned)grid_y,
      (unsigned)grid_z, (unsigned)block_x, (unsigned)block_y,
      (unsigned)block_z, (unsigned)shared_bytes, (CUstream)stream, params,
      extra);
  if (rc != 0)
    record(m, cuda_failure(m->name, "launching a kernel (cuLaunchKernel)", rc));
  if (profiled && rc == 0) {
    driver.cuStreamSynchronize((CUstream)stream);
    profiled->seconds += now_seconds() - start;
    profiled->launches += 1;
    profiled->threads += (uint64_t)(grid_x * grid_y * grid_z) *
                         (uint64_t)(block_x * block_y * block_z);
  }
}

void *mlc_rt_cuda_alloc(uint64_t bytes, void *stream, uint8_t host_shared) {
  (void)host_shared;
  mlc_cuda_model *m = current();
  (void)stream;
  if (!m || m->error)
    return NULL;
  if (m->capturing) {
    /* A graph would keep the address of a buffer freed after the run. */
    record(m, mlc_status_make(MLC_STATUS_UNSUPPORTED,
                              "model '%s' allocates device memory while it "
                              "runs: no graph",
                              m->name));
    return NULL;
  }
  CUdeviceptr ptr = 0;
  CUresult rc = driver.cuMemAlloc(&ptr, bytes ? bytes : 1);
  if (rc != 0) {
    record(m, cuda_failure(m->name, "cuMemAlloc of a temporary buffer", rc));
    return NULL;
  }
  return (void *)(uintptr_t)ptr;
}

void mlc_rt_cuda_free(void *ptr, void *stream) {
  if (!ptr)
    return;
  /* Kernels already enqueued may still read it. */
  driver.cuStreamSynchronize((CUstream)stream);
  driver.cuMemFree((CUdeviceptr)(uintptr_t)ptr);
}
