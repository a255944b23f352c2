/*===- name_table.c - records keyed by the address of a constant name ----===*
 *
 * The CUDA kernel cache and the CPU profile look records up by a kernel's
 * name, which generated code passes as the address of a constant string: one
 * address per kernel, so the address is the key. Open addressing with linear
 * probing over a power-of-two capacity, at most half full.
 *
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash_pointer(const void *p, size_t capacity) {
  uintptr_t v = (uintptr_t)p;
  v ^= v >> 17;
  v *= (uintptr_t)0x9E3779B97F4A7C15ull;
  return (size_t)(v >> 7) & (capacity - 1);
}

static const char *key_at(const mlc_name_table *t, const char *slots, size_t i) {
  const char *key;
  memcpy(&key, slots + i * t->record_size, sizeof(key));
  return key;
}

static bool grow(mlc_name_table *t) {
  size_t capacity = t->capacity ? 2 * t->capacity : 64;
  char *slots = (char *)calloc(capacity, t->record_size);
  if (!slots)
    return false;
  for (size_t i = 0; i < t->capacity; ++i) {
    const char *key = key_at(t, (const char *)t->records, i);
    if (!key)
      continue;
    size_t j = hash_pointer(key, capacity);
    while (key_at(t, slots, j))
      j = (j + 1) & (capacity - 1);
    memcpy(slots + j * t->record_size, (const char *)t->records + i * t->record_size, t->record_size);
  }
  free(t->records);
  t->records = slots;
  t->capacity = capacity;
  return true;
}

void *mlc_name_table_find(mlc_name_table *t, const char *name, bool insert) {
  if (!name)
    return NULL;
  if (t->capacity)
    for (size_t j = hash_pointer(name, t->capacity); key_at(t, (const char *)t->records, j);
         j = (j + 1) & (t->capacity - 1))
      if (key_at(t, (const char *)t->records, j) == name)
        return (char *)t->records + j * t->record_size;
  if (!insert || (2 * (t->count + 1) > t->capacity && !grow(t)))
    return NULL;
  size_t j = hash_pointer(name, t->capacity);
  while (key_at(t, (const char *)t->records, j))
    j = (j + 1) & (t->capacity - 1);
  char *record = (char *)t->records + j * t->record_size;
  memcpy(record, &name, sizeof(name));
  ++t->count;
  return record;
}

void mlc_name_table_free(mlc_name_table *t) {
  free(t->records);
  t->records = NULL;
  t->capacity = t->count = 0;
}
