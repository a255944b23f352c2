/*===- openmp_shim.c - the OpenMP entry points generated code calls -------===*
 *
 * The compiler parallelises the outer loops of its generated kernels with
 * MLIR's scf-to-openmp lowering, which emits calls into the LLVM OpenMP
 * runtime ABI (__kmpc_*). Rather than make every application link libomp,
 * the runtime implements the five entry points that code uses, on the model's
 * own thread pool, so the thread count is the one the application chose. The
 * compiler renames the calls from __kmpc_X to mlc_rt_kmpc_X in the object so
 * that an application can still link a real OpenMP runtime beside mlc.
 *
 * Scope: exactly what mlc-generated code needs. Each parallel region holds
 * one statically scheduled worksharing loop and nothing after it, so the join
 * at the end of __kmpc_fork_call is the only synchronisation needed and
 * __kmpc_barrier has nothing to wait for. This is not a general OpenMP
 * runtime and applications must not rely on it as one.
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <stdarg.h>
#include <stdint.h>

typedef struct ident ident_t; /* source location; unused */
typedef void (*kmpc_micro)(int32_t *gtid, int32_t *btid, ...);

/* The team the calling thread belongs to while it runs a microtask. */
static _Thread_local int32_t tls_team_index;
static _Thread_local int32_t tls_team_size = 1;

enum { kMaxArgs = 16 };

typedef struct fork_closure {
  kmpc_micro microtask;
  int32_t argc;
  void *args[kMaxArgs];
  int32_t team_size;
} fork_closure;

static void call_microtask(const fork_closure *c, int32_t index) {
  int32_t gtid = index, btid = index;
  void *const *a = c->args;
  switch (c->argc) {
#define A1 a[0]
#define A2 A1, a[1]
#define A3 A2, a[2]
#define A4 A3, a[3]
#define A5 A4, a[4]
#define A6 A5, a[5]
#define A7 A6, a[6]
#define A8 A7, a[7]
#define A9 A8, a[8]
#define A10 A9, a[9]
#define A11 A10, a[10]
#define A12 A11, a[11]
#define A13 A12, a[12]
#define A14 A13, a[13]
#define A15 A14, a[14]
#define A16 A15, a[15]
  case 0: c->microtask(&gtid, &btid); break;
  case 1: c->microtask(&gtid, &btid, A1); break;
  case 2: c->microtask(&gtid, &btid, A2); break;
  case 3: c->microtask(&gtid, &btid, A3); break;
  case 4: c->microtask(&gtid, &btid, A4); break;
  case 5: c->microtask(&gtid, &btid, A5); break;
  case 6: c->microtask(&gtid, &btid, A6); break;
  case 7: c->microtask(&gtid, &btid, A7); break;
  case 8: c->microtask(&gtid, &btid, A8); break;
  case 9: c->microtask(&gtid, &btid, A9); break;
  case 10: c->microtask(&gtid, &btid, A10); break;
  case 11: c->microtask(&gtid, &btid, A11); break;
  case 12: c->microtask(&gtid, &btid, A12); break;
  case 13: c->microtask(&gtid, &btid, A13); break;
  case 14: c->microtask(&gtid, &btid, A14); break;
  case 15: c->microtask(&gtid, &btid, A15); break;
  case 16: c->microtask(&gtid, &btid, A16); break;
  default: break; /* rejected in mlc_rt_kmpc_fork_call */
  }
}

static void run_members(void *closure, int64_t begin, int64_t end) {
  const fork_closure *c = (const fork_closure *)closure;
  int32_t saved_index = tls_team_index, saved_size = tls_team_size;
  for (int64_t i = begin; i < end; ++i) {
    tls_team_index = (int32_t)i;
    tls_team_size = c->team_size;
    call_microtask(c, (int32_t)i);
  }
  tls_team_index = saved_index;
  tls_team_size = saved_size;
}

MLC_API int32_t mlc_rt_kmpc_global_thread_num(ident_t *loc) {
  (void)loc;
  return tls_team_index;
}

MLC_API void mlc_rt_kmpc_fork_call(ident_t *loc, int32_t argc, kmpc_micro microtask, ...) {
  (void)loc;
  fork_closure c;
  c.microtask = microtask;
  c.argc = argc < 0 ? 0 : argc;
  va_list ap;
  va_start(ap, microtask);
  for (int32_t i = 0; i < c.argc && i < kMaxArgs; ++i)
    c.args[i] = va_arg(ap, void *);
  va_end(ap);
  if (c.argc > kMaxArgs)
    __builtin_trap(); /* the compiler never captures this many values */
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  /* Nested regions, and calls outside a model run, get a team of one. */
  int32_t width = tls_team_size > 1 ? 1 : (ctx ? mlc_rt_parallel_width(ctx) : 1);
  c.team_size = width < 1 ? 1 : width;
  if (c.team_size == 1) {
    run_members(&c, 0, 1);
    return;
  }
  mlc_rt_parallel_for(ctx, c.team_size, run_members, &c);
}

/* Static schedule without chunks: thread t of n gets one contiguous block. */
MLC_API void mlc_rt_kmpc_for_static_init_8u(ident_t *loc, int32_t gtid, int32_t schedule,
                                       int32_t *last_iteration, uint64_t *lower,
                                       uint64_t *upper, int64_t *stride, int64_t increment,
                                       int64_t chunk) {
  (void)loc, (void)gtid, (void)schedule, (void)chunk;
  uint64_t n = tls_team_size > 0 ? (uint64_t)tls_team_size : 1;
  uint64_t t = (uint64_t)tls_team_index;
  *stride = 1;
  if (*upper < *lower) { /* empty loop: nothing for anyone */
    *last_iteration = 0;
    return;
  }
  if (increment != 1) { /* not emitted by the compiler: thread 0 runs it all */
    *last_iteration = t == 0;
    if (t != 0)
      *upper = *lower - 1;
    return;
  }
  uint64_t count = *upper - *lower + 1;
  uint64_t base = count / n, extra = count % n;
  uint64_t begin = t * base + (t < extra ? t : extra);
  uint64_t size = base + (t < extra ? 1 : 0);
  uint64_t first = *lower;
  *lower = first + begin;
  *upper = first + begin + size - 1; /* below *lower when size == 0 */
  *last_iteration = (begin + size == count) && size > 0;
  *stride = (int64_t)count;
}

MLC_API void mlc_rt_kmpc_for_static_fini(ident_t *loc, int32_t gtid) { (void)loc, (void)gtid; }

MLC_API void mlc_rt_kmpc_barrier(ident_t *loc, int32_t gtid) { (void)loc, (void)gtid; }
