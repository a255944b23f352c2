//===- NmsTest.cpp - Tests of mlc_rt_non_max_suppression_f32 ------------===//
//
// The greedy suppression ONNX's NonMaxSuppression defines, on hand-checked
// boxes: overlap against the IoU threshold, score order with ties to the
// lower index, the strict score threshold, the per-class limit, the center
// box format, degenerate boxes, and the batch-then-class order of the rows.
//
//===----------------------------------------------------------------------===//
#include "mlc/runtime.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace {

using Row = std::array<int64_t, 3>;

struct Nms {
  int64_t batches = 1, classes = 1, center = 0, maxOut = 10;
  float iou = 0.5f, score = 0.0f;
  bool hasScore = false;

  std::vector<Row> run(const std::vector<float> &boxes, const std::vector<float> &scores) const {
    int64_t n = (int64_t)boxes.size() / 4 / batches;
    std::vector<int64_t> selected((size_t)(batches * classes * n * 3), -1);
    int64_t count = -1;
    mlc_rt_non_max_suppression_f32(batches, classes, n, center, hasScore ? 1 : 0, boxes.data(), scores.data(),
                                   &maxOut, &iou, &score, selected.data(), &count);
    std::vector<Row> rows;
    for (int64_t i = 0; i < count; ++i)
      rows.push_back({selected[i * 3], selected[i * 3 + 1], selected[i * 3 + 2]});
    return rows;
  }
};

// Box 1 overlaps box 0 with IoU 64/136 = 0.47 (y1, x1, y2, x2, corners in
// either order); box 2 is apart.
const std::vector<float> kBoxes = {0, 0, 10, 10, 12, 12, 2, 2, 20, 20, 30, 30};

TEST(NmsTest, OverlapAboveTheThresholdSuppresses) {
  Nms nms;
  nms.iou = 0.4f;
  EXPECT_EQ(nms.run(kBoxes, {0.9f, 0.8f, 0.7f}), (std::vector<Row>{{0, 0, 0}, {0, 0, 2}}));
  nms.iou = 0.5f; // 0.47 is not above it
  EXPECT_EQ(nms.run(kBoxes, {0.9f, 0.8f, 0.7f}), (std::vector<Row>{{0, 0, 0}, {0, 0, 1}, {0, 0, 2}}));
}

TEST(NmsTest, ScoreOrderWithTiesToTheLowerIndex) {
  Nms nms;
  nms.iou = 0.4f;
  // Box 1 scores highest and suppresses box 0.
  EXPECT_EQ(nms.run(kBoxes, {0.5f, 0.8f, 0.7f}), (std::vector<Row>{{0, 0, 1}, {0, 0, 2}}));
  // Equal scores: box 0 comes first and suppresses box 1.
  EXPECT_EQ(nms.run(kBoxes, {0.6f, 0.6f, 0.6f}), (std::vector<Row>{{0, 0, 0}, {0, 0, 2}}));
}

TEST(NmsTest, TheScoreThresholdIsStrictAndTheLimitIsPerClass) {
  Nms nms;
  nms.hasScore = true;
  nms.score = 0.7f;
  EXPECT_EQ(nms.run(kBoxes, {0.9f, 0.8f, 0.7f}), (std::vector<Row>{{0, 0, 0}, {0, 0, 1}}));
  nms.hasScore = false;
  nms.maxOut = 2;
  EXPECT_EQ(nms.run(kBoxes, {0.1f, 0.8f, 0.7f}), (std::vector<Row>{{0, 0, 1}, {0, 0, 2}}));
  nms.maxOut = 0;
  EXPECT_TRUE(nms.run(kBoxes, {0.9f, 0.8f, 0.7f}).empty());
}

TEST(NmsTest, CenterFormatAndDegenerateBoxes) {
  Nms nms;
  nms.center = 1; // x center, y center, width, height
  nms.iou = 0.3f;
  // Boxes 0 and 1: the same 4 x 4 square shifted by 1 in x (IoU 12/20);
  // box 2 has no area and suppresses nothing, nor is it suppressed.
  std::vector<float> boxes = {5, 5, 4, 4, 6, 5, 4, 4, 5, 5, 0, 4};
  EXPECT_EQ(nms.run(boxes, {0.9f, 0.8f, 0.95f}), (std::vector<Row>{{0, 0, 2}, {0, 0, 0}}));
}

TEST(NmsTest, RowsGoBatchByBatchThenClassByClass) {
  Nms nms;
  nms.batches = 2;
  nms.classes = 2;
  nms.iou = 0.4f;
  std::vector<float> boxes = kBoxes;
  boxes.insert(boxes.end(), kBoxes.begin(), kBoxes.end());
  // [batch][class][box]
  std::vector<float> scores = {0.9f, 0.8f, 0.7f, 0.1f, 0.2f, 0.3f, 0.3f, 0.2f, 0.9f, 0.5f, 0.6f, 0.4f};
  EXPECT_EQ(nms.run(boxes, scores), (std::vector<Row>{{0, 0, 0}, {0, 0, 2}, {0, 1, 2}, {0, 1, 1},
                                                      {1, 0, 2}, {1, 0, 0}, {1, 1, 1}, {1, 1, 2}}));
}

} // namespace
