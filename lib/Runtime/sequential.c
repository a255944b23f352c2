/*===- sequential.c - TopK, Unique, CumSum/CumProd, the scatters ---------===*
 *
 * The tensor ops whose natural algorithm is sequential or data dependent:
 * a sort, a grouping of equal slices, a running sum, scatters in update
 * order (ScatterElements, ScatterND). Expressed as parallel
 * loop nests (what the linalg lowering can do) they cost the square of the
 * axis length; here they cost a sort or one pass. Each works on row-major
 * buffers viewed as [outer, n, inner] around the op's axis, with the dims
 * read at run time, and is generated once per element type.
 *
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*===----------------------------------------------------------------------===*
 * TopK
 *===----------------------------------------------------------------------===*/

/* Orders of the candidates: `largest` puts greater values first, otherwise
 * smaller ones; equal values go in index order (ONNX: the lower index first).
 * NaN counts as greater than every number, as in numpy's sort. */
#define MLC_IS_NAN_float(x) isnan(x)
#define MLC_IS_NAN_double(x) isnan(x)
#define MLC_IS_NAN_int32_t(x) 0
#define MLC_IS_NAN_int64_t(x) 0

#define MLC_DEFINE_TOP_K(T, SUFFIX)                                                                \
  typedef struct top_k_item_##SUFFIX {                                                             \
    T value;                                                                                       \
    int64_t index;                                                                                 \
  } top_k_item_##SUFFIX;                                                                           \
                                                                                                   \
  /* -1, 0 or 1 as a is below, equal to or above b (NaN above all). */                             \
  static int compare_values_##SUFFIX(T a, T b) {                                                   \
    const int an = MLC_IS_NAN_##T(a), bn = MLC_IS_NAN_##T(b);                                      \
    if (an || bn)                                                                                  \
      return an - bn;                                                                              \
    return (a > b) - (a < b);                                                                      \
  }                                                                                                \
                                                                                                   \
  /* Whether a comes before b in the output. */                                                    \
  static int top_k_before_##SUFFIX(const top_k_item_##SUFFIX *a, const top_k_item_##SUFFIX *b,     \
                                   int largest) {                                                  \
    const int c = compare_values_##SUFFIX(a->value, b->value);                                     \
    if (c != 0)                                                                                    \
      return largest ? c > 0 : c < 0;                                                              \
    return a->index < b->index;                                                                    \
  }                                                                                                \
                                                                                                   \
  static int top_k_largest_first_##SUFFIX(const void *a, const void *b) {                          \
    return top_k_before_##SUFFIX(a, b, 1) ? -1 : top_k_before_##SUFFIX(b, a, 1) ? 1 : 0;           \
  }                                                                                                \
  static int top_k_smallest_first_##SUFFIX(const void *a, const void *b) {                         \
    return top_k_before_##SUFFIX(a, b, 0) ? -1 : top_k_before_##SUFFIX(b, a, 0) ? 1 : 0;           \
  }                                                                                                \
                                                                                                   \
  /* Restores the heap property below `at` in a heap whose root is the item                       \
   * that comes last (the first to drop out). */                                                   \
  static void top_k_sift_##SUFFIX(top_k_item_##SUFFIX *heap, int64_t size, int64_t at,             \
                                  int largest) {                                                   \
    for (;;) {                                                                                     \
      int64_t last = at, l = 2 * at + 1, r = l + 1;                                                \
      if (l < size && top_k_before_##SUFFIX(&heap[last], &heap[l], largest))                       \
        last = l;                                                                                  \
      if (r < size && top_k_before_##SUFFIX(&heap[last], &heap[r], largest))                       \
        last = r;                                                                                  \
      if (last == at)                                                                              \
        return;                                                                                    \
      top_k_item_##SUFFIX t = heap[at];                                                            \
      heap[at] = heap[last];                                                                       \
      heap[last] = t;                                                                              \
      at = last;                                                                                   \
    }                                                                                              \
  }                                                                                                \
                                                                                                   \
  void mlc_rt_top_k_##SUFFIX(int64_t outer, int64_t n, int64_t inner, int64_t k, int64_t largest,  \
                             const T *x, T *values, int64_t *indices) {                            \
    if (k < 0 || k > n) {                                                                          \
      mlc_run_fail("TopK: k = %lld is not in [0, %lld] (the length of the axis)", (long long)k,    \
                   (long long)n);                                                                  \
      return;                                                                                      \
    }                                                                                              \
    if (k == 0 || outer <= 0 || inner <= 0)                                                        \
      return;                                                                                      \
    /* A heap of the best k when k is well below n (n log k), else a sort. */                      \
    const int use_heap = k <= n / 4;                                                               \
    top_k_item_##SUFFIX *items =                                                                   \
        (top_k_item_##SUFFIX *)malloc((size_t)(use_heap ? k : n) * sizeof(top_k_item_##SUFFIX));   \
    if (!items) {                                                                                  \
      mlc_run_fail("TopK: out of memory for %lld candidates", (long long)n);                       \
      return;                                                                                      \
    }                                                                                              \
    int (*order)(const void *, const void *) =                                                     \
        largest ? top_k_largest_first_##SUFFIX : top_k_smallest_first_##SUFFIX;                    \
    for (int64_t o = 0; o < outer; ++o)                                                            \
      for (int64_t i = 0; i < inner; ++i) {                                                        \
        const T *row = x + o * n * inner + i;                                                      \
        int64_t size = 0;                                                                          \
        if (use_heap) {                                                                            \
          for (int64_t j = 0; j < n; ++j) {                                                        \
            top_k_item_##SUFFIX item = {row[j * inner], j};                                        \
            if (size < k) {                                                                        \
              /* Sift up: the root stays the item that comes last. */                             \
              int64_t at = size++;                                                                 \
              while (at > 0 && top_k_before_##SUFFIX(&items[(at - 1) / 2], &item, (int)largest)) { \
                items[at] = items[(at - 1) / 2];                                                   \
                at = (at - 1) / 2;                                                                 \
              }                                                                                    \
              items[at] = item;                                                                    \
            } else if (top_k_before_##SUFFIX(&item, &items[0], (int)largest)) {                    \
              items[0] = item;                                                                     \
              top_k_sift_##SUFFIX(items, size, 0, (int)largest);                                   \
            }                                                                                      \
          }                                                                                        \
        } else {                                                                                   \
          for (int64_t j = 0; j < n; ++j)                                                          \
            items[j] = (top_k_item_##SUFFIX){row[j * inner], j};                                   \
          size = n;                                                                                \
        }                                                                                          \
        qsort(items, (size_t)size, sizeof(top_k_item_##SUFFIX), order);                            \
        T *out_values = values + o * k * inner + i;                                                \
        int64_t *out_indices = indices + o * k * inner + i;                                        \
        for (int64_t t = 0; t < k; ++t) {                                                          \
          out_values[t * inner] = items[t].value;                                                  \
          out_indices[t * inner] = items[t].index;                                                 \
        }                                                                                          \
      }                                                                                            \
    free(items);                                                                                   \
  }

MLC_DEFINE_TOP_K(float, f32)
MLC_DEFINE_TOP_K(double, f64)
MLC_DEFINE_TOP_K(int32_t, i32)
MLC_DEFINE_TOP_K(int64_t, i64)

/*===----------------------------------------------------------------------===*
 * Unique
 *===----------------------------------------------------------------------===*/

/// A stable merge sort of `count` int64 keys by `before(context, a, b)`
/// (qsort is neither stable nor given a context in standard C).
static void stable_sort_keys(int64_t *keys, int64_t *scratch, int64_t count,
                             int (*before)(const void *, int64_t, int64_t), const void *context) {
  for (int64_t width = 1; width < count; width *= 2) {
    for (int64_t lo = 0; lo < count; lo += 2 * width) {
      int64_t mid = lo + width < count ? lo + width : count;
      int64_t hi = lo + 2 * width < count ? lo + 2 * width : count;
      int64_t a = lo, b = mid, out = lo;
      while (a < mid && b < hi)
        scratch[out++] = before(context, keys[b], keys[a]) ? keys[b++] : keys[a++];
      while (a < mid)
        scratch[out++] = keys[a++];
      while (b < hi)
        scratch[out++] = keys[b++];
    }
    memcpy(keys, scratch, (size_t)count * sizeof(int64_t));
  }
}

#define MLC_DEFINE_UNIQUE(T, SUFFIX)                                                               \
  typedef struct unique_view_##SUFFIX {                                                            \
    const T *x;                                                                                    \
    int64_t outer, n, inner;                                                                       \
  } unique_view_##SUFFIX;                                                                          \
                                                                                                   \
  /* Slices j and k of x compared lexicographically (row-major over the                            \
   * other dims): -1, 0 or 1. */                                                                   \
  static int compare_slices_##SUFFIX(const unique_view_##SUFFIX *v, int64_t j, int64_t k) {        \
    for (int64_t o = 0; o < v->outer; ++o)                                                         \
      for (int64_t i = 0; i < v->inner; ++i) {                                                     \
        const int64_t base = o * v->n * v->inner + i;                                              \
        const int c = compare_values_##SUFFIX(v->x[base + j * v->inner], v->x[base + k * v->inner]); \
        if (c != 0)                                                                                \
          return c;                                                                                \
      }                                                                                            \
    return 0;                                                                                      \
  }                                                                                                \
  static int slice_before_##SUFFIX(const void *view, int64_t j, int64_t k) {                       \
    return compare_slices_##SUFFIX((const unique_view_##SUFFIX *)view, j, k) < 0;                  \
  }                                                                                                \
                                                                                                   \
  void mlc_rt_unique_##SUFFIX(int64_t outer, int64_t n, int64_t inner, int64_t sorted, const T *x,  \
                              T *y, int64_t *indices, int64_t *inverse, int64_t *counts,           \
                              int64_t *count) {                                                    \
    *count = 0;                                                                                    \
    if (n <= 0)                                                                                    \
      return;                                                                                      \
    const unique_view_##SUFFIX view = {x, outer, n, inner};                                        \
    /* order: the slices sorted (stable: equal ones by index); group: each                        \
     * slice's group; slot: each group's output position. */                                      \
    int64_t *order = (int64_t *)malloc((size_t)n * 4 * sizeof(int64_t));                           \
    if (!order) {                                                                                  \
      mlc_run_fail("Unique: out of memory for %lld slices", (long long)n);                         \
      return;                                                                                      \
    }                                                                                              \
    int64_t *scratch = order + n, *group = order + 2 * n, *slot = order + 3 * n;                   \
    for (int64_t j = 0; j < n; ++j)                                                                \
      order[j] = j;                                                                                \
    stable_sort_keys(order, scratch, n, slice_before_##SUFFIX, &view);                             \
    int64_t groups = 0;                                                                            \
    for (int64_t t = 0; t < n; ++t) {                                                              \
      if (t == 0 || compare_slices_##SUFFIX(&view, order[t - 1], order[t]) != 0)                   \
        scratch[groups++] = order[t]; /* the group's first slice */                               \
      group[order[t]] = groups - 1;                                                                \
    }                                                                                              \
    /* Sorted: groups in sorted order; else in order of first appearance. */                      \
    for (int64_t j = 0, next = 0; j < n; ++j)                                                      \
      if (scratch[group[j]] == j)                                                                  \
        slot[group[j]] = sorted ? group[j] : next++;                                               \
    for (int64_t g = 0; g < groups; ++g)                                                           \
      counts[g] = 0;                                                                               \
    for (int64_t j = 0; j < n; ++j) {                                                              \
      const int64_t s = slot[group[j]];                                                            \
      inverse[j] = s;                                                                              \
      ++counts[s];                                                                                 \
    }                                                                                              \
    for (int64_t g = 0; g < groups; ++g) {                                                         \
      const int64_t first = scratch[g], s = slot[g];                                               \
      indices[s] = first;                                                                          \
      for (int64_t o = 0; o < outer; ++o)                                                          \
        memcpy(y + (o * n + s) * inner, x + (o * n + first) * inner, (size_t)inner * sizeof(T));    \
    }                                                                                              \
    *count = groups;                                                                               \
    free(order);                                                                                   \
  }

MLC_DEFINE_UNIQUE(float, f32)
MLC_DEFINE_UNIQUE(double, f64)
MLC_DEFINE_UNIQUE(int32_t, i32)
MLC_DEFINE_UNIQUE(int64_t, i64)


/*===----------------------------------------------------------------------===*
 * CumSum and CumProd
 *===----------------------------------------------------------------------===*/

/* y[o, j, i] = x[o, 0, i] (+|*) ... (+|*) x[o, j, i], from the other end with
 * `reverse`, without x[o, j, i] itself with `exclusive`: one pass, each
 * element the previous one's result combined with one input. */
#define MLC_DEFINE_CUMULATIVE(T, SUFFIX, NAME, OP, IDENTITY)                                       \
  void mlc_rt_##NAME##_##SUFFIX(int64_t outer, int64_t n, int64_t inner, int64_t exclusive,        \
                                int64_t reverse, const T *x, T *y) {                               \
    if (n <= 0 || inner <= 0)                                                                      \
      return;                                                                                      \
    const int64_t step = reverse ? -inner : inner;                                                 \
    for (int64_t o = 0; o < outer; ++o) {                                                          \
      const int64_t first = o * n * inner + (reverse ? (n - 1) * inner : 0);                       \
      for (int64_t i = 0; i < inner; ++i)                                                          \
        y[first + i] = exclusive ? (T)(IDENTITY) : x[first + i];                                   \
      for (int64_t j = 1; j < n; ++j) {                                                            \
        const int64_t at = first + j * step;                                                       \
        const T *in = x + (exclusive ? at - step : at);                                            \
        for (int64_t i = 0; i < inner; ++i)                                                        \
          y[at + i] = y[at - step + i] OP in[i];                                                   \
      }                                                                                            \
    }                                                                                              \
  }

#define MLC_DEFINE_CUMULATIVE_BOTH(T, SUFFIX)                                                      \
  MLC_DEFINE_CUMULATIVE(T, SUFFIX, cumsum, +, 0)                                                   \
  MLC_DEFINE_CUMULATIVE(T, SUFFIX, cumprod, *, 1)

MLC_DEFINE_CUMULATIVE_BOTH(float, f32)
MLC_DEFINE_CUMULATIVE_BOTH(double, f64)
MLC_DEFINE_CUMULATIVE_BOTH(int32_t, i32)
MLC_DEFINE_CUMULATIVE_BOTH(int64_t, i64)

/*===----------------------------------------------------------------------===*
 * ScatterElements
 *===----------------------------------------------------------------------===*/

enum { SCATTER_NONE, SCATTER_ADD, SCATTER_MUL, SCATTER_MAX, SCATTER_MIN };

/// The offset in the output of every update, in the updates' row-major
/// order (a malloc'd array the caller frees), or NULL after recording the
/// run's error (an index out of range, no memory). *count gets the number
/// of updates.
static int64_t *scatter_targets(int64_t rank, int64_t axis, const int64_t *data_dims,
                                const int64_t *update_dims, const int64_t *indices,
                                int64_t *count) {
  int64_t total = 1, stride[16], at[16];
  if (rank < 1 || rank > 16 || axis < 0 || axis >= rank) {
    mlc_run_fail("ScatterElements: unsupported rank %lld or axis %lld", (long long)rank,
                 (long long)axis);
    return NULL;
  }
  for (int64_t d = rank - 1, s = 1; d >= 0; --d) {
    stride[d] = s;
    s *= data_dims[d];
    total *= update_dims[d];
    at[d] = 0;
  }
  *count = total;
  int64_t *targets = (int64_t *)malloc((size_t)(total > 0 ? total : 1) * sizeof(int64_t));
  if (!targets) {
    mlc_run_fail("ScatterElements: out of memory for %lld updates", (long long)total);
    return NULL;
  }
  const int64_t size = data_dims[axis];
  for (int64_t u = 0; u < total; ++u) {
    int64_t index = indices[u];
    if (index < -size || index >= size) {
      mlc_run_fail("ScatterElements: index %lld is out of range for axis %lld of size %lld",
                   (long long)index, (long long)axis, (long long)size);
      free(targets);
      return NULL;
    }
    if (index < 0)
      index += size;
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += (d == axis ? index : at[d]) * stride[d];
    targets[u] = offset;
    /* The next update's position (odometer over the updates' dims). */
    for (int64_t d = rank - 1; d >= 0 && ++at[d] == update_dims[d]; --d)
      at[d] = 0;
  }
  return targets;
}

/* Updates land in order, so with reduction none the last one to an element
 * wins, as in the ONNX reference. */
#define MLC_DEFINE_SCATTER(T, SUFFIX, REDUCE)                                                      \
  void mlc_rt_scatter_elements_##SUFFIX(int64_t rank, int64_t axis, int64_t reduction,             \
                                        const int64_t *data_dims, const int64_t *update_dims,      \
                                        const int64_t *indices, const T *updates, T *out) {        \
    int64_t count = 0;                                                                             \
    (void)reduction; /* the plain stores ignore it */                                              \
    int64_t *targets = scatter_targets(rank, axis, data_dims, update_dims, indices, &count);       \
    if (!targets)                                                                                  \
      return;                                                                                      \
    for (int64_t u = 0; u < count; ++u) {                                                          \
      T *y = out + targets[u];                                                                     \
      const T v = updates[u];                                                                      \
      REDUCE(T)                                                                                    \
    }                                                                                              \
    free(targets);                                                                                 \
  }

/* Plain stores by element width, for any type with reduction none. */
#define MLC_SCATTER_STORE(T) *y = v;
MLC_DEFINE_SCATTER(uint8_t, x8, MLC_SCATTER_STORE)
MLC_DEFINE_SCATTER(uint16_t, x16, MLC_SCATTER_STORE)
MLC_DEFINE_SCATTER(uint32_t, x32, MLC_SCATTER_STORE)
MLC_DEFINE_SCATTER(uint64_t, x64, MLC_SCATTER_STORE)

/* Reductions by arithmetic type; max/min follow fmax/fmin except that NaN
 * propagates, as in the reference's np.maximum/np.minimum. */
#define MLC_SCATTER_REDUCE(T)                                                                      \
  switch (reduction) {                                                                             \
  case SCATTER_ADD:                                                                                \
    *y = *y + v;                                                                                   \
    break;                                                                                         \
  case SCATTER_MUL:                                                                                \
    *y = *y * v;                                                                                   \
    break;                                                                                         \
  case SCATTER_MAX:                                                                                \
    *y = (MLC_IS_NAN_##T(*y) || *y > v) ? *y : v;                                                        \
    break;                                                                                         \
  case SCATTER_MIN:                                                                                \
    *y = (MLC_IS_NAN_##T(*y) || *y < v) ? *y : v;                                                        \
    break;                                                                                         \
  default:                                                                                         \
    *y = v;                                                                                        \
  }
MLC_DEFINE_SCATTER(float, f32, MLC_SCATTER_REDUCE)
MLC_DEFINE_SCATTER(double, f64, MLC_SCATTER_REDUCE)
MLC_DEFINE_SCATTER(int32_t, i32, MLC_SCATTER_REDUCE)
MLC_DEFINE_SCATTER(int64_t, i64, MLC_SCATTER_REDUCE)

/*===----------------------------------------------------------------------===*
 * ScatterND
 *===----------------------------------------------------------------------===*/

/// The output offset of each of the `rows` index tuples of depth k (into
/// data of dims `data_dims`, rank `rank`), in elements; NULL after recording
/// the run's error (an index out of range, no memory).
static int64_t *scatter_nd_targets(int64_t rows, int64_t k, int64_t rank, const int64_t *data_dims,
                                   const int64_t *indices) {
  if (k < 1 || k > rank) {
    mlc_run_fail("ScatterND: index depth %lld does not fit data of rank %lld", (long long)k,
                 (long long)rank);
    return NULL;
  }
  int64_t *targets = (int64_t *)malloc((size_t)(rows > 0 ? rows : 1) * sizeof(int64_t));
  if (!targets) {
    mlc_run_fail("ScatterND: out of memory for %lld index tuples", (long long)rows);
    return NULL;
  }
  int64_t slice = 1;
  for (int64_t d = k; d < rank; ++d)
    slice *= data_dims[d];
  for (int64_t u = 0; u < rows; ++u) {
    int64_t offset = 0;
    for (int64_t c = 0; c < k; ++c) {
      int64_t index = indices[u * k + c];
      const int64_t size = data_dims[c];
      if (index < -size || index >= size) {
        mlc_run_fail("ScatterND: index %lld is out of range for dim %lld of size %lld",
                     (long long)index, (long long)c, (long long)size);
        free(targets);
        return NULL;
      }
      offset = offset * size + (index < 0 ? index + size : index);
    }
    targets[u] = offset * slice;
  }
  return targets;
}

/* rows index tuples of depth k, each updating `slice` contiguous elements;
 * updates land in order (reduction none: the last one wins). */
#define MLC_DEFINE_SCATTER_ND(T, SUFFIX, REDUCE)                                                   \
  void mlc_rt_scatter_nd_##SUFFIX(int64_t rows, int64_t k, int64_t slice, int64_t reduction,       \
                                  int64_t rank, const int64_t *data_dims, const int64_t *indices,  \
                                  const T *updates, T *out) {                                      \
    (void)reduction; /* the plain stores ignore it */                                              \
    int64_t *targets = scatter_nd_targets(rows, k, rank, data_dims, indices);                      \
    if (!targets)                                                                                  \
      return;                                                                                      \
    for (int64_t u = 0; u < rows; ++u)                                                             \
      for (int64_t e = 0; e < slice; ++e) {                                                        \
        T *y = out + targets[u] + e;                                                               \
        const T v = updates[u * slice + e];                                                        \
        REDUCE(T)                                                                                  \
      }                                                                                            \
    free(targets);                                                                                 \
  }

MLC_DEFINE_SCATTER_ND(uint8_t, x8, MLC_SCATTER_STORE)
MLC_DEFINE_SCATTER_ND(uint16_t, x16, MLC_SCATTER_STORE)
MLC_DEFINE_SCATTER_ND(uint32_t, x32, MLC_SCATTER_STORE)
MLC_DEFINE_SCATTER_ND(uint64_t, x64, MLC_SCATTER_STORE)
MLC_DEFINE_SCATTER_ND(float, f32, MLC_SCATTER_REDUCE)
MLC_DEFINE_SCATTER_ND(double, f64, MLC_SCATTER_REDUCE)
MLC_DEFINE_SCATTER_ND(int32_t, i32, MLC_SCATTER_REDUCE)
MLC_DEFINE_SCATTER_ND(int64_t, i64, MLC_SCATTER_REDUCE)
