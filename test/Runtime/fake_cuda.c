/*===- fake_cuda.c - a stand-in for libcuda.so.1 in the runtime's tests ---===*
 *
 * Implements the CUDA driver entry points that lib/Runtime/cuda.c loads, on
 * the host: device memory is malloc'd, copies are memcpy, modules and
 * functions are records, and launches are counted and checked (sizes, the
 * argument count) but not run, since there is no GPU to run PTX. It lets the
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
};

static int arch = 90;
static long allocations, launches, loads;
static int last_image_format = -1; /* 0 PTX, 1 cubin */
static int fail_launches;

EXPORT long fake_cuda_live_allocations(void) { return allocations; }
EXPORT long fake_cuda_launches(void) { return launches; }
EXPORT long fake_cuda_module_loads(void) { return loads; }
EXPORT int fake_cuda_last_image_format(void) { return last_image_format; }
EXPORT void fake_cuda_set_failure(int launch) { fail_launches = launch; }

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
  return OK;
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
  ++launches;
  return OK;
}
EXPORT CUresult cuGetErrorName(CUresult rc, const char **name) {
  *name = rc == ERROR_LAUNCH_FAILED ? "CUDA_ERROR_LAUNCH_FAILED"
          : rc == ERROR_NO_DEVICE   ? "CUDA_ERROR_NO_DEVICE"
          : rc == ERROR_INVALID_IMAGE ? "CUDA_ERROR_INVALID_IMAGE"
                                      : "CUDA_ERROR_UNKNOWN";
  return OK;
}
EXPORT CUresult cuGetErrorString(CUresult rc, const char **text) {
  (void)rc;
  *text = "fake driver error";
  return OK;
}
