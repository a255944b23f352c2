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
struct mlc_exec_ctx {
  /// Pool that runs mlc_rt_parallel_for; NULL runs every loop on the caller.
  mlc_thread_pool *pool;
};

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
