/*===- nms.c - ONNX NonMaxSuppression ---------------------------------------===*
 *
 * Greedy non-maximum suppression per batch and class: the candidates (boxes
 * scoring above the threshold, when there is one) in descending score order,
 * ties to the lower box index; each is kept unless a box kept before it in
 * its class overlaps it with an IoU above the threshold. Overlaps follow the
 * ONNX reference: boxes with no area, no intersection or no union never
 * suppress each other. The kept rows are written as they are found, so the
 * result needs no sort.
 *
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct nms_box {
  float xmin, ymin, xmax, ymax, area;
} nms_box;

typedef struct nms_candidate {
  float score;
  int64_t index;
} nms_candidate;

static int by_score_descending(const void *a, const void *b) {
  const nms_candidate *x = (const nms_candidate *)a, *y = (const nms_candidate *)b;
  if (x->score != y->score)
    return x->score < y->score ? 1 : -1;
  return (x->index > y->index) - (x->index < y->index);
}

static float min_f(float a, float b) { return a < b ? a : b; }
static float max_f(float a, float b) { return a > b ? a : b; }

/// Whether box a suppresses box b (IoU above `iou_threshold`).
static int suppresses(const nms_box *a, const nms_box *b, float iou_threshold) {
  const float iw = min_f(a->xmax, b->xmax) - max_f(a->xmin, b->xmin);
  const float ih = min_f(a->ymax, b->ymax) - max_f(a->ymin, b->ymin);
  if (!(iw > 0.0f) || !(ih > 0.0f))
    return 0;
  const float intersection = iw * ih;
  const float union_area = a->area + b->area - intersection;
  if (!(intersection > 0.0f) || !(a->area > 0.0f) || !(b->area > 0.0f) || !(union_area > 0.0f))
    return 0;
  return intersection / union_area > iou_threshold;
}

void mlc_rt_non_max_suppression_f32(int64_t batches, int64_t classes, int64_t num_boxes,
                                    int64_t center_point_box, int64_t has_score_threshold,
                                    const float *boxes, const float *scores,
                                    const int64_t *max_output_boxes_per_class,
                                    const float *iou_threshold, const float *score_threshold,
                                    int64_t *selected, int64_t *count) {
  *count = 0;
  const int64_t max_out = *max_output_boxes_per_class;
  if (batches <= 0 || classes <= 0 || num_boxes <= 0 || max_out <= 0)
    return;
  nms_box *box = (nms_box *)malloc((size_t)num_boxes * sizeof(nms_box));
  nms_candidate *order = (nms_candidate *)malloc((size_t)num_boxes * sizeof(nms_candidate));
  int64_t *kept = (int64_t *)malloc((size_t)num_boxes * sizeof(int64_t));
  if (!box || !order || !kept) {
    mlc_run_fail("NonMaxSuppression: out of memory for %lld boxes", (long long)num_boxes);
    free(box);
    free(order);
    free(kept);
    return;
  }
  int64_t written = 0;
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t i = 0; i < num_boxes; ++i) {
      const float *v = boxes + (b * num_boxes + i) * 4;
      nms_box *o = &box[i];
      if (center_point_box) { /* x center, y center, width, height */
        o->xmin = v[0] - v[2] * 0.5f, o->xmax = v[0] + v[2] * 0.5f;
        o->ymin = v[1] - v[3] * 0.5f, o->ymax = v[1] + v[3] * 0.5f;
      } else { /* y1, x1, y2, x2: either diagonal */
        o->ymin = min_f(v[0], v[2]), o->ymax = max_f(v[0], v[2]);
        o->xmin = min_f(v[1], v[3]), o->xmax = max_f(v[1], v[3]);
      }
      o->area = (o->xmax - o->xmin) * (o->ymax - o->ymin);
    }
    for (int64_t c = 0; c < classes; ++c) {
      const float *s = scores + (b * classes + c) * num_boxes;
      int64_t n = 0;
      for (int64_t i = 0; i < num_boxes; ++i)
        if (!has_score_threshold || s[i] > *score_threshold)
          order[n++] = (nms_candidate){s[i], i};
      qsort(order, (size_t)n, sizeof(*order), by_score_descending);
      int64_t nkept = 0;
      for (int64_t j = 0; j < n && nkept < max_out; ++j) {
        const nms_box *candidate = &box[order[j].index];
        int keep = 1;
        for (int64_t k = 0; k < nkept && keep; ++k)
          keep = !suppresses(&box[kept[k]], candidate, *iou_threshold);
        if (!keep)
          continue;
        kept[nkept++] = order[j].index;
        selected[written * 3 + 0] = b;
        selected[written * 3 + 1] = c;
        selected[written * 3 + 2] = order[j].index;
        ++written;
      }
    }
  }
  *count = written;
  free(box);
  free(order);
  free(kept);
}
