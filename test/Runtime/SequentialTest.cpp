//===- SequentialTest.cpp - Tests of TopK, CumSum and ScatterElements -----===//
//
// The runtime's sequential tensor ops on hand-checked inputs: Unique's
// groups (sorted and by first appearance, elements and slices); TopK's order
// (largest and smallest, ties by index, NaN above every number) on both
// its paths (the heap for k well below n, the sort otherwise) and along an
// inner axis; CumSum/CumProd forwards, reversed and exclusive; and
// ScatterElements' and ScatterND's reductions, negative indices, update
// order and their refusal of an index out of range. Larger cases against a brute-force
// reference check the heap path where hand-checking stops.
//
//===----------------------------------------------------------------------===//
#include "mlc/runtime.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace {

struct TopK {
  std::vector<float> values;
  std::vector<int64_t> indices;
};

TopK topK(const std::vector<float> &x, int64_t outer, int64_t n, int64_t inner, int64_t k, bool largest) {
  TopK r{std::vector<float>((size_t)(outer * k * inner), -1.0f), std::vector<int64_t>((size_t)(outer * k * inner), -1)};
  mlc_rt_top_k_f32(outer, n, inner, k, largest ? 1 : 0, x.data(), r.values.data(), r.indices.data());
  return r;
}

TEST(TopKTest, LargestAndSmallestWithTiesByIndex) {
  std::vector<float> x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
  TopK big = topK(x, 1, 10, 1, 4, true);
  EXPECT_EQ(big.values, (std::vector<float>{9, 6, 5, 5}));
  EXPECT_EQ(big.indices, (std::vector<int64_t>{5, 7, 4, 8}));
  TopK small = topK(x, 1, 10, 1, 3, false);
  EXPECT_EQ(small.values, (std::vector<float>{1, 1, 2}));
  EXPECT_EQ(small.indices, (std::vector<int64_t>{1, 3, 6}));
  // k == n takes the sort path and returns the whole row in order.
  TopK all = topK(x, 1, 10, 1, 10, true);
  EXPECT_EQ(all.indices, (std::vector<int64_t>{5, 7, 4, 8, 2, 0, 9, 6, 1, 3}));
}

TEST(TopKTest, InnerAxisAndRows) {
  // [outer 2, n 3, inner 2]: the rows are x[o, :, i].
  std::vector<float> x = {1, 6, 3, 5, 2, 4, /**/ 9, 7, 8, 8, 7, 9};
  TopK r = topK(x, 2, 3, 2, 2, true);
  EXPECT_EQ(r.values, (std::vector<float>{3, 6, 2, 5, /**/ 9, 9, 8, 8}));
  EXPECT_EQ(r.indices, (std::vector<int64_t>{1, 0, 2, 1, /**/ 0, 2, 1, 1}));
}

TEST(TopKTest, NaNComesFirstWhenLargestAndLastWhenSmallest) {
  const float nan = std::nanf("");
  std::vector<float> x = {1, nan, 3, -1, nan, 0, 2, 5};
  TopK big = topK(x, 1, 8, 1, 2, true);
  EXPECT_EQ(big.indices, (std::vector<int64_t>{1, 4}));
  TopK small = topK(x, 1, 8, 1, 8, false);
  EXPECT_EQ(small.indices, (std::vector<int64_t>{3, 5, 0, 6, 2, 7, 1, 4}));
}

TEST(TopKTest, HeapPathMatchesAFullSort) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dist(0, 50); // many ties
  for (int64_t k : {1, 5, 100, 250}) {
    std::vector<float> x(1000);
    for (float &v : x)
      v = (float)dist(rng);
    for (bool largest : {true, false}) {
      std::vector<int64_t> order(x.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return x[a] != x[b] ? (largest ? x[a] > x[b] : x[a] < x[b]) : a < b;
      });
      order.resize((size_t)k);
      EXPECT_EQ(topK(x, 1, 1000, 1, k, largest).indices, order) << "k = " << k << " largest = " << largest;
    }
  }
}

TEST(TopKTest, IntegersAndEmpty) {
  std::vector<int64_t> x = {INT64_MIN, 7, INT64_MAX, 7}, values(2), indices(2);
  mlc_rt_top_k_i64(1, 4, 1, 2, 1, x.data(), values.data(), indices.data());
  EXPECT_EQ(values, (std::vector<int64_t>{INT64_MAX, 7}));
  EXPECT_EQ(indices, (std::vector<int64_t>{2, 1}));
  // k = 0 writes nothing.
  mlc_rt_top_k_i64(1, 4, 1, 0, 1, x.data(), nullptr, nullptr);
}

struct UniqueResult {
  std::vector<float> y;
  std::vector<int64_t> indices, inverse, counts;
};

UniqueResult unique(const std::vector<float> &x, int64_t outer, int64_t n, int64_t inner, bool sorted) {
  std::vector<float> y(x.size(), -1.0f);
  std::vector<int64_t> indices((size_t)n, -1), inverse((size_t)n, -1), counts((size_t)n, -1);
  int64_t count = -1;
  mlc_rt_unique_f32(outer, n, inner, sorted ? 1 : 0, x.data(), y.data(), indices.data(), inverse.data(),
                    counts.data(), &count);
  UniqueResult r;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t s = 0; s < count; ++s)
      for (int64_t i = 0; i < inner; ++i)
        r.y.push_back(y[(size_t)((o * n + s) * inner + i)]);
  r.indices.assign(indices.begin(), indices.begin() + count);
  r.inverse = inverse;
  r.counts.assign(counts.begin(), counts.begin() + count);
  return r;
}

TEST(UniqueTest, ElementsSortedAndInOrderOfAppearance) {
  // The ONNX reference's example: [2, 1, 1, 3, 4, 3].
  std::vector<float> x = {2, 1, 1, 3, 4, 3};
  UniqueResult s = unique(x, 1, 6, 1, true);
  EXPECT_EQ(s.y, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(s.indices, (std::vector<int64_t>{1, 0, 3, 4}));
  EXPECT_EQ(s.inverse, (std::vector<int64_t>{1, 0, 0, 2, 3, 2}));
  EXPECT_EQ(s.counts, (std::vector<int64_t>{2, 1, 2, 1}));
  UniqueResult u = unique(x, 1, 6, 1, false);
  EXPECT_EQ(u.y, (std::vector<float>{2, 1, 3, 4}));
  EXPECT_EQ(u.indices, (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(u.inverse, (std::vector<int64_t>{0, 1, 1, 2, 3, 2}));
  EXPECT_EQ(u.counts, (std::vector<int64_t>{1, 2, 2, 1}));
}

TEST(UniqueTest, SlicesAlongAMiddleAxis) {
  // x [2, 3, 2] along axis 1: slice j is {x[0, j, :], x[1, j, :]}; slices 0
  // and 2 are equal, slice 1 sorts first (its first element is smaller).
  std::vector<float> x = {5, 6, 1, 9, 5, 6, /**/ 7, 8, 7, 0, 7, 8};
  UniqueResult s = unique(x, 2, 3, 2, true);
  EXPECT_EQ(s.y, (std::vector<float>{1, 9, 5, 6, /**/ 7, 0, 7, 8}));
  EXPECT_EQ(s.indices, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(s.inverse, (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(s.counts, (std::vector<int64_t>{1, 2}));
}

TEST(CumulativeTest, ForwardReverseExclusive) {
  // [outer 1, n 4, inner 2]: sums run down each of the two columns.
  std::vector<float> x = {1, 10, 2, 20, 3, 30, 4, 40}, y(8);
  mlc_rt_cumsum_f32(1, 4, 2, 0, 0, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{1, 10, 3, 30, 6, 60, 10, 100}));
  mlc_rt_cumsum_f32(1, 4, 2, 1, 0, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{0, 0, 1, 10, 3, 30, 6, 60}));
  mlc_rt_cumsum_f32(1, 4, 2, 0, 1, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{10, 100, 9, 90, 7, 70, 4, 40}));
  mlc_rt_cumsum_f32(1, 4, 2, 1, 1, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{9, 90, 7, 70, 4, 40, 0, 0}));
  std::vector<int32_t> xi = {1, 2, 3, 4, 5, 6}, yi(6);
  mlc_rt_cumprod_i32(2, 3, 1, 0, 0, xi.data(), yi.data());
  EXPECT_EQ(yi, (std::vector<int32_t>{1, 2, 6, 4, 20, 120}));
  mlc_rt_cumprod_i32(2, 3, 1, 1, 1, xi.data(), yi.data());
  EXPECT_EQ(yi, (std::vector<int32_t>{6, 3, 1, 30, 6, 1}));
}

TEST(ScatterElementsTest, ReductionsAlongAnAxis) {
  // data [2, 4]; updates and indices [2, 2] along axis 1.
  const int64_t dataDims[] = {2, 4}, updateDims[] = {2, 2};
  std::vector<int64_t> indices = {1, -1, 0, 1};
  std::vector<float> updates = {5, 6, 7, 8};
  const std::vector<float> data = {1, 2, 3, 4, 10, 20, 30, 40};
  auto run = [&](int64_t reduction) {
    std::vector<float> out = data;
    mlc_rt_scatter_elements_f32(2, 1, reduction, dataDims, updateDims, indices.data(), updates.data(), out.data());
    return out;
  };
  EXPECT_EQ(run(0), (std::vector<float>{1, 5, 3, 6, 7, 8, 30, 40}));
  EXPECT_EQ(run(1), (std::vector<float>{1, 7, 3, 10, 17, 28, 30, 40}));
  EXPECT_EQ(run(2), (std::vector<float>{1, 10, 3, 24, 70, 160, 30, 40}));
  EXPECT_EQ(run(3), (std::vector<float>{1, 5, 3, 6, 10, 20, 30, 40}));
  EXPECT_EQ(run(4), (std::vector<float>{1, 2, 3, 4, 7, 8, 30, 40}));
}

TEST(ScatterElementsTest, LastUpdateWinsAndBytesAreCopied) {
  const int64_t dataDims[] = {3}, updateDims[] = {4};
  std::vector<int64_t> indices = {2, 0, 2, -3};
  std::vector<uint16_t> updates = {1, 2, 3, 4}, out = {9, 9, 9};
  mlc_rt_scatter_elements_x16(1, 0, 0, dataDims, updateDims, indices.data(), updates.data(), out.data());
  EXPECT_EQ(out, (std::vector<uint16_t>{4, 9, 3}));
}

TEST(ScatterElementsTest, IndexOutOfRangeLeavesTheDataAlone) {
  // Outside a run the error is not recorded anywhere; the data must stay.
  const int64_t dataDims[] = {3}, updateDims[] = {2};
  std::vector<int64_t> indices = {0, 3};
  std::vector<int64_t> updates = {7, 8}, out = {1, 2, 3};
  mlc_rt_scatter_elements_i64(1, 0, 0, dataDims, updateDims, indices.data(), updates.data(), out.data());
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3}));
}

TEST(ScatterNDTest, RowsOfAMatrixInOrder) {
  // data [3, 2]; tuples of depth 1 address rows (slice 2): row -1 (= 2)
  // then row 0 twice, so with add row 0 gets both updates.
  const int64_t dataDims[] = {3, 2};
  std::vector<int64_t> indices = {-1, 0, 0};
  std::vector<float> updates = {1, 2, 10, 20, 100, 200};
  std::vector<float> out = {0, 0, 5, 5, 7, 7};
  mlc_rt_scatter_nd_f32(3, 1, 2, 1, 2, dataDims, indices.data(), updates.data(), out.data());
  EXPECT_EQ(out, (std::vector<float>{110, 220, 5, 5, 8, 9}));
  // Depth 2 (single elements) with plain stores; out of range writes nothing.
  std::vector<int64_t> pairs = {1, 1, 2, 0}, bad = {0, 2};
  std::vector<uint32_t> values = {4, 6}, cells = {0, 0, 0, 0, 0, 0};
  mlc_rt_scatter_nd_x32(2, 2, 1, 0, 2, dataDims, pairs.data(), values.data(), cells.data());
  EXPECT_EQ(cells, (std::vector<uint32_t>{0, 0, 0, 4, 6, 0}));
  mlc_rt_scatter_nd_x32(1, 2, 1, 0, 2, dataDims, bad.data(), values.data(), cells.data());
  EXPECT_EQ(cells, (std::vector<uint32_t>{0, 0, 0, 4, 6, 0}));
}

} // namespace
