/*===- profile.c - per-kernel times of models compiled with --profile -----===*
 *
 * `mlc compile --profile` brackets every kernel call of the generated code
 * with mlc_rt_profile_begin / mlc_rt_profile_end. The times add up, per
 * kernel and per model, in a table keyed by the address of the kernel's name
 * (mlc_name_table: one constant string of the object per kernel); the model
 * writes it when it is destroyed: to the file $MLC_PROFILE names (appended),
 * else to stderr.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200112L /* clock_gettime */

#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct profile_entry {
  const char *name; /* the table's key */
  uint64_t calls;
  int64_t nanoseconds;
} profile_entry;

struct mlc_profile {
  mlc_name_table entries; /* of profile_entry */
};

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t mlc_rt_profile_begin(void) { return now_ns(); }

void mlc_rt_profile_end(int64_t name, int64_t begin) {
  const int64_t end = now_ns();
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  if (!ctx || !name)
    return;
  if (!ctx->profile) {
    ctx->profile = (mlc_profile *)calloc(1, sizeof(mlc_profile));
    if (!ctx->profile)
      return;
    ctx->profile->entries.record_size = sizeof(profile_entry);
  }
  profile_entry *e = (profile_entry *)mlc_name_table_find(&ctx->profile->entries,
                                                          (const char *)(uintptr_t)name, true);
  if (!e)
    return;
  e->calls += 1;
  e->nanoseconds += end - begin;
}

/// Kernels slowest first, then the table's empty slots.
static int by_time_descending(const void *a, const void *b) {
  const profile_entry *x = (const profile_entry *)a, *y = (const profile_entry *)b;
  if (!x->name != !y->name)
    return x->name ? -1 : 1;
  return (x->nanoseconds < y->nanoseconds) - (x->nanoseconds > y->nanoseconds);
}

void mlc_profile_finish(mlc_profile *p, const char *model_name) {
  if (!p)
    return;
  const char *path = getenv("MLC_PROFILE");
  const bool to_stderr = !path || !*path || strcmp(path, "1") == 0 || strcmp(path, "-") == 0;
  FILE *f = to_stderr ? stderr : fopen(path, "a");
  profile_entry *entries = (profile_entry *)p->entries.records;
  const size_t count = p->entries.count;
  if (f && entries) {
    /* Empty slots (no calls, no time) sort last. */
    qsort(entries, p->entries.capacity, sizeof(*entries), by_time_descending);
    int64_t total = 0;
    uint64_t calls = 0;
    for (size_t i = 0; i < count; ++i) {
      total += entries[i].nanoseconds;
      calls += entries[i].calls;
    }
    fprintf(f,
            "# mlc CPU profile of model '%s': %zu kernels, %llu calls, %.3f ms in "
            "kernels\n# %10s %6s %8s %10s  %s\n",
            model_name ? model_name : "?", count, (unsigned long long)calls,
            (double)total * 1e-6, "total ms", "%", "calls", "mean us", "kernel");
    for (size_t i = 0; i < count; ++i) {
      const profile_entry *e = &entries[i];
      fprintf(f, "  %10.4f %6.2f %8llu %10.2f  %s\n", (double)e->nanoseconds * 1e-6,
              total > 0 ? 100.0 * (double)e->nanoseconds / (double)total : 0.0,
              (unsigned long long)e->calls,
              (double)e->nanoseconds * 1e-3 / (double)e->calls, e->name);
    }
    if (f != stderr)
      fclose(f);
  }
  mlc_name_table_free(&p->entries);
  free(p);
}
