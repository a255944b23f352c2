//===- NpyTest.cpp - Tests of the .npy reader and writer -----------------===//
//
// Files are built byte by byte in the tests (the bytes NumPy 1.24 writes for
// the same arrays), round-tripped through writeNpy/readNpy, and then cut,
// corrupted and mutated to check that bad input is always a message naming
// the file, never a crash.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "mlc/runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace mlc {
namespace {

std::vector<uint8_t> bytesOf(const std::string &text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

/// A .npy file with `dict` as header (padded like NumPy) and `data`.
std::vector<uint8_t> makeNpy(const std::string &dict,
                             const std::vector<uint8_t> &data,
                             unsigned major = 1) {
  size_t prefix = major == 1 ? 10 : 12;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  size_t headerLength = total - prefix;
  std::vector<uint8_t> out = bytesOf(std::string("\x93NUMPY", 6));
  out.push_back(static_cast<uint8_t>(major));
  out.push_back(0);
  for (size_t i = 0; i < prefix - 8; ++i)
    out.push_back(static_cast<uint8_t>(headerLength >> (8 * i)));
  out.insert(out.end(), dict.begin(), dict.end());
  out.resize(total - 1, ' ');
  out.push_back('\n');
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> floatBytes(const std::vector<float> &values) {
  std::vector<uint8_t> out(values.size() * sizeof(float));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "mlc_npy_test_" + name + ".npy";
}

void writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::FILE *file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), file), bytes.size());
  }
  ASSERT_EQ(std::fclose(file), 0);
}

std::vector<uint8_t> readFile(const std::string &path) {
  std::vector<uint8_t> bytes;
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return bytes;
  int c;
  while ((c = std::fgetc(file)) != EOF)
    bytes.push_back(static_cast<uint8_t>(c));
  std::fclose(file);
  return bytes;
}

/// Parses `bytes` expecting failure; returns the message.
std::string parseError(const std::vector<uint8_t> &bytes) {
  HostTensor tensor;
  std::string error;
  EXPECT_FALSE(parseNpy(bytes.data(), bytes.size(), "bad.npy", tensor, error));
  EXPECT_EQ(error.rfind("bad.npy: ", 0), 0u) << error;
  return error;
}

/// Parses a file whose header dict is `dict` and whose data is `dataBytes`
/// zero bytes, expecting failure.
std::string dictError(const std::string &dict, size_t dataBytes = 0) {
  return parseError(makeNpy(dict, std::vector<uint8_t>(dataBytes)));
}

#define EXPECT_CONTAINS(text, fragment)                                        \
  do {                                                                         \
    std::string text_ = (text);                                                \
    EXPECT_NE(text_.find(fragment), std::string::npos) << text_;               \
  } while (0)

//===----------------------------------------------------------------------===//
// Known bytes
//===----------------------------------------------------------------------===//

const char kNumpyFloat23Dict[] =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

TEST(NpyTest, EncodesWhatNumpyWrites) {
  HostTensor tensor;
  tensor.dtype = MLC_DTYPE_FLOAT32;
  tensor.dims = {2, 3};
  tensor.data = floatBytes({0, 1, 2, 3, 4, 5});
  std::vector<uint8_t> encoded;
  std::string error;
  ASSERT_TRUE(encodeNpy(tensor, encoded, error)) << error;
  // numpy.save(np.arange(6, dtype='<f4').reshape(2, 3)): 128 header bytes
  // ('v' = 118 is the header length) and 24 data bytes.
  std::vector<uint8_t> expected = makeNpy(kNumpyFloat23Dict, tensor.data);
  ASSERT_EQ(expected.size(), 152u);
  EXPECT_EQ(expected[8], 'v');
  EXPECT_EQ(expected[9], 0);
  EXPECT_EQ(encoded, expected);
}

TEST(NpyTest, EncodesScalarsAndVectorsLikePython) {
  HostTensor scalar;
  scalar.dtype = MLC_DTYPE_INT64;
  scalar.data = {7, 0, 0, 0, 0, 0, 0, 0};
  std::vector<uint8_t> encoded;
  std::string error;
  ASSERT_TRUE(encodeNpy(scalar, encoded, error)) << error;
  EXPECT_EQ(encoded,
            makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
                    scalar.data));

  HostTensor flags;
  flags.dtype = MLC_DTYPE_BOOL;
  flags.dims = {3};
  flags.data = {1, 0, 1};
  ASSERT_TRUE(encodeNpy(flags, encoded, error)) << error;
  EXPECT_EQ(encoded,
            makeNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                    flags.data));
}

TEST(NpyTest, ReadsNumpyBytes) {
  std::vector<float> values = {0.5f, -1, 2, 3, 4, 1e30f};
  std::string path = tempPath("known");
  writeFile(path, makeNpy(kNumpyFloat23Dict, floatBytes(values)));
  HostTensor tensor;
  std::string error;
  ASSERT_TRUE(readNpy(path, tensor, error)) << error;
  EXPECT_EQ(tensor.dtype, MLC_DTYPE_FLOAT32);
  EXPECT_EQ(tensor.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(tensor.data, floatBytes(values));
  std::remove(path.c_str());
}

TEST(NpyTest, ReadsFormatVersions2And3) {
  for (unsigned major : {2u, 3u}) {
    std::vector<uint8_t> bytes =
        makeNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }",
                {1, 2, 3, 4}, major);
    HostTensor tensor;
    std::string error;
    ASSERT_TRUE(parseNpy(bytes.data(), bytes.size(), "v.npy", tensor, error))
        << error;
    EXPECT_EQ(tensor.dtype, MLC_DTYPE_INT32);
    EXPECT_EQ(tensor.dims, (std::vector<int64_t>{1}));
    EXPECT_EQ(tensor.data, (std::vector<uint8_t>{1, 2, 3, 4}));
  }
}

TEST(NpyTest, AcceptsHeaderSpellingsNumpyMayProduce) {
  const char *dicts[] = {
      // Key order, double quotes, no trailing comma, Python 2 longs, spacing.
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
      "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
      "{ 'descr' : '<f4' ,'fortran_order':False,'shape':(2,3,) }",
      "{'descr': '=f4', 'fortran_order': False, 'shape': (2, 3), }",
  };
  for (const char *dict : dicts) {
    std::vector<uint8_t> bytes = makeNpy(dict, std::vector<uint8_t>(24));
    HostTensor tensor;
    std::string error;
    EXPECT_TRUE(parseNpy(bytes.data(), bytes.size(), "ok.npy", tensor, error))
        << dict << ": " << error;
    EXPECT_EQ(tensor.dims, (std::vector<int64_t>{2, 3})) << dict;
  }
}

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

TEST(NpyTest, RoundTripsEveryDtypeAndShape) {
  struct Dtype {
    int32_t dtype;
    size_t size;
  } dtypes[] = {
      {MLC_DTYPE_FLOAT16, 2}, {MLC_DTYPE_FLOAT32, 4}, {MLC_DTYPE_FLOAT64, 8},
      {MLC_DTYPE_INT8, 1},    {MLC_DTYPE_INT16, 2},   {MLC_DTYPE_INT32, 4},
      {MLC_DTYPE_INT64, 8},   {MLC_DTYPE_UINT8, 1},   {MLC_DTYPE_UINT16, 2},
      {MLC_DTYPE_UINT32, 4},  {MLC_DTYPE_UINT64, 8},  {MLC_DTYPE_BOOL, 1},
  };
  std::vector<std::vector<int64_t>> shapes = {{},     {1},    {5},
                                              {2, 3}, {0, 4}, {2, 1, 3, 1, 2}};
  std::string path = tempPath("roundtrip");
  for (const Dtype &d : dtypes) {
    for (const auto &shape : shapes) {
      HostTensor tensor;
      tensor.dtype = d.dtype;
      tensor.dims = shape;
      size_t count = 1;
      for (int64_t dim : shape)
        count *= static_cast<size_t>(dim);
      tensor.data.resize(count * d.size);
      for (size_t i = 0; i < tensor.data.size(); ++i)
        tensor.data[i] = static_cast<uint8_t>(
            d.dtype == MLC_DTYPE_BOOL ? i % 2 : i * 37 + 11);
      std::string error;
      ASSERT_TRUE(writeNpy(path, tensor, error)) << error;
      std::vector<uint8_t> onDisk = readFile(path);
      EXPECT_EQ(onDisk.size() % 64, tensor.data.size() % 64);
      HostTensor back;
      ASSERT_TRUE(readNpy(path, back, error)) << error;
      EXPECT_EQ(back.dtype, tensor.dtype);
      EXPECT_EQ(back.dims, tensor.dims);
      EXPECT_EQ(back.data, tensor.data);
    }
  }
  std::remove(path.c_str());
}

TEST(NpyTest, RoundTripsDataLargerThanOneReadChunk) {
  HostTensor tensor;
  tensor.dtype = MLC_DTYPE_UINT8;
  tensor.dims = {17, 1 << 20};
  tensor.data.resize(size_t(17) << 20);
  for (size_t i = 0; i < tensor.data.size(); ++i)
    tensor.data[i] = static_cast<uint8_t>(i ^ (i >> 13));
  std::string path = tempPath("large");
  std::string error;
  ASSERT_TRUE(writeNpy(path, tensor, error)) << error;
  HostTensor back;
  ASSERT_TRUE(readNpy(path, back, error)) << error;
  EXPECT_EQ(back.dims, tensor.dims);
  EXPECT_TRUE(back.data == tensor.data);
  std::remove(path.c_str());
}

TEST(NpyTest, WidestHeaderFitsVersion1) {
  HostTensor tensor;
  tensor.dtype = MLC_DTYPE_INT8;
  tensor.dims.assign(64, 1);
  tensor.dims[0] = INT64_MAX; // the longest dimension text, yet no data ...
  tensor.dims[1] = 0;         // ... because of one zero dimension
  std::vector<uint8_t> encoded;
  std::string error;
  ASSERT_TRUE(encodeNpy(tensor, encoded, error)) << error;
  EXPECT_EQ(encoded[6], 1);
  EXPECT_EQ((encoded[8] | encoded[9] << 8) + 10, encoded.size());
  HostTensor back;
  ASSERT_TRUE(parseNpy(encoded.data(), encoded.size(), "v.npy", back, error))
      << error;
  EXPECT_EQ(back.dims, tensor.dims);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(NpyTest, MissingFileNamesThePath) {
  HostTensor tensor;
  std::string error;
  std::string path = tempPath("does_not_exist");
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_EQ(error.rfind(path + ": cannot open", 0), 0u) << error;
}

TEST(NpyTest, DirectoryIsAnError) {
  HostTensor tensor;
  std::string error;
  EXPECT_FALSE(readNpy(::testing::TempDir(), tensor, error));
  EXPECT_CONTAINS(error, ::testing::TempDir());
}

TEST(NpyTest, EmptyAndTinyFiles) {
  EXPECT_CONTAINS(parseError({}), "truncated");
  EXPECT_CONTAINS(parseError(bytesOf("\x93NUM")), "truncated");
  EXPECT_CONTAINS(parseError(bytesOf("\x93NUMPY\x01")), "truncated");
  EXPECT_CONTAINS(parseError(bytesOf(std::string("\x93NUMPY\x01\x00\x10", 9))),
                  "truncated");
  EXPECT_CONTAINS(parseError(bytesOf("PK\x03\x04")), "bad magic");
  EXPECT_CONTAINS(parseError(bytesOf("hello, world, not numpy")), "bad magic");

  std::string path = tempPath("empty");
  writeFile(path, {});
  HostTensor tensor;
  std::string error;
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_EQ(error, path + ": truncated: the file is 0 bytes, shorter than "
                          "the .npy preamble");
  std::remove(path.c_str());
}

TEST(NpyTest, UnsupportedVersion) {
  std::vector<uint8_t> bytes =
      makeNpy(kNumpyFloat23Dict, std::vector<uint8_t>(24));
  bytes[6] = 4;
  EXPECT_EQ(parseError(bytes), "bad.npy: unsupported .npy format version 4.0");
  bytes[6] = 0;
  EXPECT_CONTAINS(parseError(bytes), "version 0.0");
}

TEST(NpyTest, HeaderLengthIsCapped) {
  std::vector<uint8_t> bytes = bytesOf(std::string("\x93NUMPY\x02\x00", 8));
  for (uint8_t b : {0xff, 0xff, 0xff, 0x7f})
    bytes.push_back(b);
  bytes.resize(200, ' ');
  EXPECT_CONTAINS(parseError(bytes), "header length 2147483647 exceeds");
}

TEST(NpyTest, TruncatedHeaderAndData) {
  std::vector<uint8_t> bytes =
      makeNpy(kNumpyFloat23Dict, std::vector<uint8_t>(24));
  std::vector<uint8_t> header(bytes.begin(), bytes.begin() + 100);
  EXPECT_EQ(parseError(header), "bad.npy: truncated: the header should be 118 "
                                "bytes but the file ends after 90");
  bytes.resize(bytes.size() - 4);
  EXPECT_EQ(parseError(bytes),
            "bad.npy: truncated: shape (2, 3) of <f4 needs 24 bytes of data "
            "but the file has only 20");

  std::string path = tempPath("truncated");
  writeFile(path, bytes);
  HostTensor tensor;
  std::string error;
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_EQ(error, path + ": truncated: shape (2, 3) of <f4 needs 24 bytes of "
                          "data but the file has only 20");
  std::remove(path.c_str());
}

TEST(NpyTest, TrailingDataIsASizeMismatch) {
  std::vector<uint8_t> bytes =
      makeNpy(kNumpyFloat23Dict, std::vector<uint8_t>(28));
  EXPECT_EQ(parseError(bytes),
            "bad.npy: size mismatch: shape (2, 3) of <f4 needs 24 bytes of "
            "data but the file has 28 (trailing bytes after the data)");
  std::string path = tempPath("trailing");
  writeFile(path, bytes);
  HostTensor tensor;
  std::string error;
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_CONTAINS(error, path + ": size mismatch");
  std::remove(path.c_str());
}

TEST(NpyTest, FortranOrderIsRejected) {
  EXPECT_CONTAINS(
      dictError("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                24),
      "fortran_order arrays are not supported");
}

TEST(NpyTest, UnsupportedDtypes) {
  EXPECT_CONTAINS(
      dictError("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8),
      "big-endian dtype '>f4' is not supported");
  for (const char *descr :
       {"<c8", "<U10", "|O", "<f16", "<M8", "f4", "<f", "<i3", "", "<f0004"})
    EXPECT_CONTAINS(dictError(std::string("{'descr': '") + descr +
                              "', 'fortran_order': False, 'shape': (1,), }"),
                    "unsupported dtype '" + std::string(descr) + "'");
  EXPECT_CONTAINS(dictError("{'descr': [('a', '<f4')], 'fortran_order': "
                            "False, 'shape': (1,), }"),
                  "structured arrays are not supported");
  // A one-byte type has no byte order, so '>' is harmless there.
  std::vector<uint8_t> ok = makeNpy(
      "{'descr': '>u1', 'fortran_order': False, 'shape': (2,), }", {1, 2});
  HostTensor tensor;
  std::string error;
  EXPECT_TRUE(parseNpy(ok.data(), ok.size(), "ok.npy", tensor, error)) << error;
  EXPECT_EQ(tensor.dtype, MLC_DTYPE_UINT8);
}

TEST(NpyTest, MalformedHeaders) {
  struct Case {
    const char *dict;
    const char *fragment;
  } cases[] = {
      {"['descr', '<f4']", "not a dictionary"},
      {"{'descr': '<f4', 'fortran_order': False}", "lacks the 'shape' key"},
      {"{'fortran_order': False, 'shape': ()}", "lacks the 'descr' key"},
      {"{'descr': '<f4', 'shape': ()}", "lacks the 'fortran_order' key"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}",
       "unexpected key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4'}", "'descr' twice"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': ()}",
       "not True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
       "not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
       "negative dimension"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}",
       "other than integers"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",
       "not a well-formed tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}",
       "other than integers"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3",
       "not a well-formed tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(99999999999999999999,)}",
       "dimension too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, "
       "4294967296)}",
       "is too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
       "after the header dictionary"},
      {"{'descr': '<f4' 'fortran_order': False}", "expected ',' or '}'"},
      {"{'descr' '<f4'}", "expected ':'"},
      {"{descr: '<f4'}", "quoted key"},
      {"{'descr': '<f4", "not a string"},
      {"{'descr': 'a\\nb'}", "not a string"},
      {"", "not a dictionary"},
  };
  for (const Case &c : cases)
    EXPECT_CONTAINS(dictError(c.dict), c.fragment);

  std::string rank65 = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < 65; ++i)
    rank65 += "1, ";
  rank65 += ")}";
  EXPECT_CONTAINS(dictError(rank65), "more than 64 dimensions");
}

TEST(NpyTest, HugeShapeInATinyFileIsTruncatedNotAllocated) {
  // 2^40 floats claimed, 4 bytes present: must fail fast without allocating.
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(1099511627776,), }";
  std::vector<uint8_t> bytes = makeNpy(dict, {0, 0, 0, 0});
  EXPECT_CONTAINS(parseError(bytes), "needs 4398046511104 bytes of data but "
                                     "the file has only 4");
  std::string path = tempPath("huge");
  writeFile(path, bytes);
  HostTensor tensor;
  std::string error;
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_CONTAINS(error, "truncated");
  std::remove(path.c_str());
}

TEST(NpyTest, EveryTruncationFailsCleanly) {
  std::vector<uint8_t> bytes =
      makeNpy(kNumpyFloat23Dict, floatBytes({1, 2, 3, 4, 5, 6}));
  std::string path = tempPath("cut");
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::vector<uint8_t> cut(bytes.begin(),
                             bytes.begin() + static_cast<ptrdiff_t>(length));
    HostTensor tensor;
    std::string error;
    // Exact-size copies so that a sanitizer sees any read past the end.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[length + 1]);
    if (length)
      std::memcpy(exact.get(), cut.data(), length);
    EXPECT_FALSE(parseNpy(exact.get(), length, "cut.npy", tensor, error))
        << length;
    EXPECT_FALSE(error.empty());
    if (length % 16 == 0 || length > 120) {
      writeFile(path, cut);
      EXPECT_FALSE(readNpy(path, tensor, error)) << length;
      EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
    }
  }
  std::remove(path.c_str());
}

TEST(NpyTest, RandomCorruptionNeverCrashes) {
  std::vector<uint8_t> original =
      makeNpy(kNumpyFloat23Dict, floatBytes({1, 2, 3, 4, 5, 6}));
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const char interesting[] = "{}()[]',:0123456789-LTFx\n\\\"<>|=fiub ";
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> bytes = original;
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = next() % bytes.size();
      switch (next() % 4) {
      case 0:
        bytes[at] = static_cast<uint8_t>(next());
        break;
      case 1:
        bytes[at] = static_cast<uint8_t>(
            interesting[next() % (sizeof(interesting) - 1)]);
        break;
      case 2:
        bytes.erase(bytes.begin() + static_cast<ptrdiff_t>(at));
        break;
      default:
        bytes.insert(bytes.begin() + static_cast<ptrdiff_t>(at),
                     static_cast<uint8_t>(
                         interesting[next() % (sizeof(interesting) - 1)]));
        break;
      }
      if (bytes.empty())
        bytes.push_back(0);
    }
    HostTensor tensor;
    std::string error;
    if (parseNpy(bytes.data(), bytes.size(), "fuzz.npy", tensor, error)) {
      ++accepted;
      size_t count = 1;
      for (int64_t dim : tensor.dims)
        count *= static_cast<size_t>(dim);
      if (count == 0) {
        EXPECT_TRUE(tensor.data.empty());
      } else {
        EXPECT_EQ(tensor.data.size() % count, 0u);
        EXPECT_LE(tensor.data.size() / count, 8u);
      }
    } else {
      EXPECT_EQ(error.rfind("fuzz.npy: ", 0), 0u) << error;
    }
  }
  // Edits inside the data or the padding leave a valid file.
  EXPECT_GT(accepted, 0);
}

TEST(NpyTest, StringsAreFixedWidthUnicode) {
  // NumPy writes np.array(["a", "\u7684\u7684"]) as '<U2': UTF-32LE code
  // points padded with zeros to the longest string.
  HostTensor strings;
  strings.dtype = MLC_DTYPE_STRING;
  strings.dims = {2};
  strings.strings = {"a", "\xe7\x9a\x84\xe7\x9a\x84"};
  std::vector<uint8_t> encoded;
  std::string error;
  ASSERT_TRUE(encodeNpy(strings, encoded, error)) << error;
  ASSERT_GT(encoded.size(), 16u);
  std::string header(encoded.begin(), encoded.end() - 16);
  EXPECT_NE(header.find("{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }"), std::string::npos)
      << header;
  EXPECT_EQ(header.size() % 64, 0u);
  std::vector<uint8_t> data(encoded.end() - 16, encoded.end());
  EXPECT_EQ(data, (std::vector<uint8_t>{'a', 0, 0, 0, 0, 0, 0, 0, 0x84, 0x76, 0, 0, 0x84, 0x76, 0, 0}));
}

TEST(NpyTest, WriteErrors) {
  std::string error;
  HostTensor bf16;
  bf16.dtype = MLC_DTYPE_BFLOAT16;
  bf16.dims = {1};
  bf16.data = {0, 0};
  std::string path = tempPath("bf16");
  EXPECT_FALSE(writeNpy(path, bf16, error));
  EXPECT_EQ(error,
            path + ": cannot write: dtype bfloat16 has no .npy equivalent");
  EXPECT_TRUE(readFile(path).empty());

  HostTensor wrongSize;
  wrongSize.dtype = MLC_DTYPE_FLOAT32;
  wrongSize.dims = {2, 3};
  wrongSize.data.resize(20);
  EXPECT_FALSE(writeNpy(path, wrongSize, error));
  EXPECT_EQ(error, path + ": cannot write: shape (2, 3) of <f4 needs 24 bytes "
                          "but the tensor has 20");

  HostTensor negative;
  negative.dtype = MLC_DTYPE_FLOAT32;
  negative.dims = {-1};
  EXPECT_FALSE(writeNpy(path, negative, error));
  EXPECT_CONTAINS(error, "negative dimension");

  HostTensor unknown;
  unknown.dtype = 14; // ONNX complex64
  std::vector<uint8_t> encoded;
  EXPECT_FALSE(encodeNpy(unknown, encoded, error));
  EXPECT_EQ(error, "cannot encode .npy: dtype 14 cannot be written as .npy");

  HostTensor missingStrings;
  missingStrings.dtype = MLC_DTYPE_STRING;
  missingStrings.dims = {2};
  missingStrings.strings = {"one"};
  EXPECT_FALSE(encodeNpy(missingStrings, encoded, error));
  EXPECT_EQ(error, "cannot encode .npy: shape (2,) of <U3 needs 24 bytes but the tensor has 12");

  HostTensor fine;
  fine.dtype = MLC_DTYPE_UINT8;
  fine.dims = {1};
  fine.data = {1};
  std::string unwritable = ::testing::TempDir() + "no/such/dir/x.npy";
  EXPECT_FALSE(writeNpy(unwritable, fine, error));
  EXPECT_EQ(error.rfind(unwritable + ": cannot open for writing", 0), 0u)
      << error;
}

} // namespace
} // namespace mlc
