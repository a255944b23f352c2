/*===- profile.c - per-kernel times of models compiled with --profile -----===*
 *
 * `mlc compile --profile` brackets every kernel call of the generated code
 * with mlc_rt_profile_begin / mlc_rt_profile_end. The times add up, per
 * kernel and per model, in a table keyed by the address of the kernel's name
 * (a constant string of the object, so one pointer per kernel); the model
 * writes it when it is destroyed: to the file $MLC_PROFILE names (appended),
 * else to stderr.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200112L /* clock_gettime */

#include "internal.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct profile_entry {
  const char *name; /* NULL: an empty slot */
  uint64_t calls;
  int64_t nanoseconds;
} profile_entry;

struct mlc_profile {
  profile_entry *entries; /* open addressing on the name's address */
  size_t capacity, count;
};

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t mlc_rt_profile_begin(void) { return now_ns(); }

static size_t slot_of(const char *name, size_t capacity) {
  uintptr_t h = (uintptr_t)name;
  h ^= h >> 17;
  h *= (uintptr_t)0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 7) & (capacity - 1);
}

/// The entry of `name`, added if new; NULL when the table cannot grow.
static profile_entry *entry_of(mlc_profile *p, const char *name) {
  if (2 * (p->count + 1) > p->capacity) {
    size_t capacity = p->capacity ? 2 * p->capacity : 64;
    profile_entry *entries = (profile_entry *)calloc(capacity, sizeof(*entries));
    if (!entries)
      return NULL;
    for (size_t i = 0; i < p->capacity; ++i) {
      if (!p->entries[i].name)
        continue;
      size_t s = slot_of(p->entries[i].name, capacity);
      while (entries[s].name)
        s = (s + 1) & (capacity - 1);
      entries[s] = p->entries[i];
    }
    free(p->entries);
    p->entries = entries;
    p->capacity = capacity;
  }
  size_t s = slot_of(name, p->capacity);
  while (p->entries[s].name && p->entries[s].name != name)
    s = (s + 1) & (p->capacity - 1);
  if (!p->entries[s].name) {
    p->entries[s].name = name;
    ++p->count;
  }
  return &p->entries[s];
}

void mlc_rt_profile_end(int64_t name, int64_t begin) {
  const int64_t end = now_ns();
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  if (!ctx || !name)
    return;
  if (!ctx->profile) {
    ctx->profile = (mlc_profile *)calloc(1, sizeof(mlc_profile));
    if (!ctx->profile)
      return;
  }
  profile_entry *e = entry_of(ctx->profile, (const char *)(uintptr_t)name);
  if (!e)
    return;
  e->calls += 1;
  e->nanoseconds += end - begin;
}

static int by_time_descending(const void *a, const void *b) {
  const profile_entry *x = (const profile_entry *)a, *y = (const profile_entry *)b;
  return (x->nanoseconds < y->nanoseconds) - (x->nanoseconds > y->nanoseconds);
}

void mlc_profile_finish(mlc_profile *p, const char *model_name) {
  if (!p)
    return;
  const char *path = getenv("MLC_PROFILE");
  const bool to_stderr = !path || !*path || strcmp(path, "1") == 0 || strcmp(path, "-") == 0;
  FILE *f = to_stderr ? stderr : fopen(path, "a");
  if (f && p->entries) {
    qsort(p->entries, p->capacity, sizeof(*p->entries), by_time_descending);
    int64_t total = 0;
    uint64_t calls = 0;
    for (size_t i = 0; i < p->count; ++i) {
      total += p->entries[i].nanoseconds;
      calls += p->entries[i].calls;
    }
    fprintf(f,
            "# mlc CPU profile of model '%s': %zu kernels, %llu calls, %.3f ms in "
            "kernels\n# %10s %6s %8s %10s  %s\n",
            model_name ? model_name : "?", p->count, (unsigned long long)calls,
            (double)total * 1e-6, "total ms", "%", "calls", "mean us", "kernel");
    for (size_t i = 0; i < p->count; ++i) {
      const profile_entry *e = &p->entries[i];
      fprintf(f, "  %10.4f %6.2f %8llu %10.2f  %s\n", (double)e->nanoseconds * 1e-6,
              total > 0 ? 100.0 * (double)e->nanoseconds / (double)total : 0.0,
              (unsigned long long)e->calls,
              (double)e->nanoseconds * 1e-3 / (double)e->calls, e->name);
    }
    if (f != stderr)
      fclose(f);
  }
  free(p->entries);
  free(p);
}
