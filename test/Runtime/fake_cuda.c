/*===- fake_cuda.c - a stand-in for libcuda.so.1 in the runtime's tests ---===*
 *
 * Implements the CUDA driver entry points that lib/Runtime/cuda.c loads, on
 * the host: device memory is malloc'd, copies are memcpy, modules and
 * functions are records, and launches are counted and checked (sizes, the
 * argument count) but not run, since there is no GPU to run PTX. Stream
 * capture records launches into a graph, whose launch counts them as run.
 * Every run launch (direct or in a graph) folds its kernel and sizes into
 * a signature, so that tests can compare what two runs launched. It lets the
 * tests drive the runtime's CUDA path (driver loading, image selection,
 * weights upload, copies, launches, error reporting) on any machine.
 *
 * Set by environment variables read at cuInit:
 *   FAKE_CUDA_ARCH        compute capability x 10 of the one device (90)
 *   FAKE_CUDA_INIT_ERROR  a CUresult for cuInit to return (0)
 * and by fake_cuda_set_failure() at run time.
 *===----------------------------------------------------------------------===*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef int CUresult;
enum {
  OK = 0,
  ERROR_INVALID_VALUE = 1,
  ERROR_NO_DEVICE = 100,
  ERROR_INVALID_IMAGE = 200,
  ERROR_NOT_FOUND = 500,
  ERROR_LAUNCH_FAILED = 719,
  ERROR_STREAM_CAPTURE_UNSUPPORTED = 900,
  ERROR_STREAM_CAPTURE_INVALIDATED = 901,
};

static int arch = 90;
static long allocations, launches, loads;
static int last_image_format = -1; /* 0 PTX, 1 cubin */
static int fail_launches;
static int fail_captures;
static long captures, graph_launches;
static unsigned long long signature;

/// A launch as the signature sees it.
static unsigned long long launch_hash(const void *f, unsigned gx, unsigned gy, unsigned gz,
                                      unsigned bx, unsigned by, unsigned bz) {
  unsigned long long h = 1469598103934665603ull;
  for (const char *c = (const char *)f; *c; ++c) /* the kernel's name */
    h = (h ^ (unsigned char)*c) * 1099511628211ull;
  unsigned sizes[] = {gx, gy, gz, bx, by, bz};
  for (int i = 0; i < 6; ++i)
    h = (h ^ sizes[i]) * 1099511628211ull;
  return h;
}
/// Folds one run launch into the signature (order matters).
static void run_launch(unsigned long long hash) {
  signature = signature * 31 + hash;
  ++launches;
}

/// A captured graph: its launches' hashes in order.
struct graph {
  unsigned long long *hashes;
  long count;
};
static struct graph *capture; /* the capture under way, or NULL */
static void free_graph(struct graph *g) {
  free(g->hashes);
  free(g);
}

EXPORT long fake_cuda_live_allocations(void) { return allocations; }
EXPORT long fake_cuda_launches(void) { return launches; }
EXPORT long fake_cuda_module_loads(void) { return loads; }
EXPORT int fake_cuda_last_image_format(void) { return last_image_format; }
EXPORT void fake_cuda_set_failure(int launch) { fail_launches = launch; }
EXPORT long fake_cuda_captures(void) { return captures; }
EXPORT long fake_cuda_graph_launches(void) { return graph_launches; }
EXPORT unsigned long long fake_cuda_signature(void) { return signature; }
EXPORT void fake_cuda_reset_signature(void) { signature = 0; }
/// 1: the next captures end invalidated, as when a captured call was not
/// allowed.
EXPORT void fake_cuda_set_capture_failure(int fail) { fail_captures = fail; }

EXPORT CUresult cuInit(unsigned flags) {
  (void)flags;
  const char *a = getenv("FAKE_CUDA_ARCH");
  if (a)
    arch = atoi(a);
  const char *e = getenv("FAKE_CUDA_INIT_ERROR");
  return e ? atoi(e) : OK;
}
EXPORT CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return OK;
}
EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  if (ordinal != 0)
    return ERROR_INVALID_VALUE;
  *device = 0;
  return OK;
}
EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  if (attribute == 75)
    *value = arch / 10;
  else if (attribute == 76)
    *value = arch % 10;
  else
    return ERROR_INVALID_VALUE;
  return OK;
}
static int context_object;
EXPORT CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  (void)device;
  *ctx = &context_object;
  return OK;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  (void)device;
  return OK;
}
EXPORT CUresult cuCtxPushCurrent_v2(void *ctx) { return ctx ? OK : ERROR_INVALID_VALUE; }
EXPORT CUresult cuCtxPopCurrent_v2(void **ctx) {
  *ctx = &context_object;
  return OK;
}
static int stream_object;
EXPORT CUresult cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  *stream = &stream_object;
  return OK;
}
EXPORT CUresult cuStreamDestroy_v2(void *stream) { return stream ? OK : ERROR_INVALID_VALUE; }
EXPORT CUresult cuStreamSynchronize(void *stream) {
  (void)stream;
  return capture ? ERROR_STREAM_CAPTURE_UNSUPPORTED : OK;
}
EXPORT CUresult cuMemAlloc_v2(unsigned long long *ptr, size_t bytes) {
  void *p = malloc(bytes);
  if (!p)
    return ERROR_INVALID_VALUE;
  ++allocations;
  *ptr = (unsigned long long)(uintptr_t)p;
  return OK;
}
EXPORT CUresult cuMemFree_v2(unsigned long long ptr) {
  free((void *)(uintptr_t)ptr);
  --allocations;
  return OK;
}
EXPORT CUresult cuMemcpyHtoD_v2(unsigned long long dst, const void *src, size_t n) {
  memcpy((void *)(uintptr_t)dst, src, n);
  return OK;
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(unsigned long long dst, const void *src, size_t n,
                                     void *stream) {
  (void)stream;
  return cuMemcpyHtoD_v2(dst, src, n);
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void *dst, unsigned long long src, size_t n, void *stream) {
  (void)stream;
  memcpy(dst, (const void *)(uintptr_t)src, n);
  return OK;
}
static int module_object;
EXPORT CUresult cuModuleLoadData(void **module, const void *image) {
  const char *bytes = (const char *)image;
  if (memcmp(bytes, "\x7f" "ELF", 4) == 0)
    last_image_format = 1;
  else if (strstr(bytes, ".target sm_") && strstr(bytes, ".version"))
    last_image_format = 0;
  else
    return ERROR_INVALID_IMAGE;
  ++loads;
  *module = &module_object;
  return OK;
}
EXPORT CUresult cuModuleUnload(void *module) {
  --loads;
  return module ? OK : ERROR_INVALID_VALUE;
}
EXPORT CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  (void)module;
  if (!name || !*name)
    return ERROR_NOT_FOUND;
  *function = (void *)(uintptr_t)name; /* stands for the kernel */
  return OK;
}
EXPORT CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                               unsigned by, unsigned bz, unsigned shared, void *stream,
                               void **params, void **extra) {
  (void)stream;
  (void)shared;
  (void)extra;
  if (!f || !params || gx == 0 || gy == 0 || gz == 0 || bx * by * bz == 0 ||
      bx * by * bz > 1024)
    return ERROR_INVALID_VALUE;
  if (fail_launches)
    return ERROR_LAUNCH_FAILED;
  unsigned long long hash = launch_hash(f, gx, gy, gz, bx, by, bz);
  if (capture) {
    unsigned long long *grown = (unsigned long long *)realloc(
        capture->hashes, (size_t)(capture->count + 1) * sizeof(*grown));
    if (!grown)
      return ERROR_INVALID_VALUE;
    capture->hashes = grown;
    capture->hashes[capture->count++] = hash;
  } else {
    run_launch(hash);
  }
  return OK;
}

EXPORT CUresult cuStreamBeginCapture_v2(void *stream, int mode) {
  if (!stream || capture || mode < 0 || mode > 2)
    return ERROR_INVALID_VALUE;
  capture = (struct graph *)calloc(1, sizeof(*capture));
  return capture ? OK : ERROR_INVALID_VALUE;
}
EXPORT CUresult cuStreamEndCapture(void *stream, struct graph **graph) {
  if (!stream || !capture)
    return ERROR_INVALID_VALUE;
  ++captures;
  *graph = capture;
  capture = NULL;
  if (fail_captures) {
    free_graph(*graph);
    *graph = NULL;
    return ERROR_STREAM_CAPTURE_INVALIDATED;
  }
  return OK;
}
EXPORT CUresult cuGraphInstantiateWithFlags(struct graph **exec, struct graph *graph,
                                            unsigned long long flags) {
  (void)flags;
  if (!graph)
    return ERROR_INVALID_VALUE;
  *exec = (struct graph *)malloc(sizeof(**exec));
  if (!*exec)
    return ERROR_INVALID_VALUE;
  (*exec)->count = graph->count;
  (*exec)->hashes = (unsigned long long *)malloc((size_t)graph->count * sizeof(*graph->hashes) + 1);
  if (!(*exec)->hashes)
    return ERROR_INVALID_VALUE;
  memcpy((*exec)->hashes, graph->hashes, (size_t)graph->count * sizeof(*graph->hashes));
  ++allocations; /* must be destroyed */
  return OK;
}
EXPORT CUresult cuGraphLaunch(struct graph *exec, void *stream) {
  if (!exec || !stream)
    return ERROR_INVALID_VALUE;
  if (fail_launches)
    return ERROR_LAUNCH_FAILED;
  for (long i = 0; i < exec->count; ++i)
    run_launch(exec->hashes[i]);
  ++graph_launches;
  return OK;
}
EXPORT CUresult cuGraphExecDestroy(struct graph *exec) {
  if (!exec)
    return ERROR_INVALID_VALUE;
  free_graph(exec);
  --allocations;
  return OK;
}
EXPORT CUresult cuGraphDestroy(struct graph *graph) {
  if (!graph)
    return ERROR_INVALID_VALUE;
  free_graph(graph);
  return OK;
}
EXPORT CUresult cuGetErrorName(CUresult rc, const char **name) {
  *name = rc == ERROR_LAUNCH_FAILED ? "CUDA_ERROR_LAUNCH_FAILED"
          : rc == ERROR_NO_DEVICE   ? "CUDA_ERROR_NO_DEVICE"
          : rc == ERROR_INVALID_IMAGE ? "CUDA_ERROR_INVALID_IMAGE"
          : rc == ERROR_STREAM_CAPTURE_UNSUPPORTED ? "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"
                                      : "CUDA_ERROR_UNKNOWN";
  return OK;
}
EXPORT CUresult cuGetErrorString(CUresult rc, const char **text) {
  (void)rc;
  *text = "fake driver error";
  return OK;
}
