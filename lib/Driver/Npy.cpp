//===- Npy.cpp - Read and write NumPy .npy files --------------------------===//
//
// A .npy file is a 6-byte magic string, a version, a little-endian header
// length, a Python dict literal such as
//
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//
// padded with spaces and a newline, and then the raw elements. The header is
// parsed with a small recursive-descent reader that accepts exactly the dict
// that NumPy writes (keys in any order, single or double quotes, Python 2
// `3L` integers) and rejects everything else with a message. Every length
// read from the file is checked against what is actually present before it is
// used, and the data is read incrementally so that a header claiming a huge
// shape cannot trigger a huge allocation.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "mlc/runtime.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

namespace mlc {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
/// NumPy itself refuses headers over 10000 bytes from untrusted files; a
/// generous multiple of that still bounds what a hostile file can cost.
constexpr size_t kMaxHeaderLength = 1 << 16;
/// NumPy 2 allows 64 dimensions.
constexpr size_t kMaxRank = 64;
/// The data is read in pieces of this size, so memory grows only with bytes
/// that are really in the file.
constexpr size_t kReadChunk = size_t(16) << 20;

struct NpyDtype {
  int32_t dtype; // mlc_dtype
  char kind;     // NumPy kind character
  size_t size;   // bytes per element
};

constexpr NpyDtype kDtypes[] = {
    {MLC_DTYPE_FLOAT16, 'f', 2}, {MLC_DTYPE_FLOAT32, 'f', 4},
    {MLC_DTYPE_FLOAT64, 'f', 8}, {MLC_DTYPE_INT8, 'i', 1},
    {MLC_DTYPE_INT16, 'i', 2},   {MLC_DTYPE_INT32, 'i', 4},
    {MLC_DTYPE_INT64, 'i', 8},   {MLC_DTYPE_UINT8, 'u', 1},
    {MLC_DTYPE_UINT16, 'u', 2},  {MLC_DTYPE_UINT32, 'u', 4},
    {MLC_DTYPE_UINT64, 'u', 8},  {MLC_DTYPE_BOOL, 'b', 1},
};

const NpyDtype *findDtype(int32_t dtype) {
  for (const NpyDtype &d : kDtypes)
    if (d.dtype == dtype)
      return &d;
  return nullptr;
}

const NpyDtype *findDtype(char kind, size_t size) {
  for (const NpyDtype &d : kDtypes)
    if (d.kind == kind && d.size == size)
      return &d;
  return nullptr;
}

/// The descr NumPy writes for `d`: '|' for single bytes, '<' otherwise.
std::string descrOf(const NpyDtype &d) {
  std::string descr(d.size == 1 ? "|" : "<");
  descr += d.kind;
  descr += std::to_string(d.size);
  return descr;
}

/// "(2, 3)", "(5,)" or "()": the shape as Python prints the tuple.
std::string shapeString(const std::vector<int64_t> &dims) {
  std::string text = "(";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(dims[i]);
  }
  if (dims.size() == 1)
    text += ",";
  text += ")";
  return text;
}

/// Number of data bytes of `dims` elements of `elementSize`, or false when a
/// dimension is negative or the product overflows size_t.
bool dataBytes(const std::vector<int64_t> &dims, size_t elementSize,
               size_t &bytes) {
  bytes = elementSize;
  for (int64_t dim : dims) {
    if (dim < 0)
      return false;
    uint64_t d = static_cast<uint64_t>(dim);
    if (d > std::numeric_limits<size_t>::max())
      return false;
    if (d != 0 && bytes > std::numeric_limits<size_t>::max() / d)
      return false;
    bytes *= static_cast<size_t>(d);
  }
  return true;
}

/// What the header of a .npy file says.
struct NpyHeader {
  const NpyDtype *dtype = nullptr;
  std::vector<int64_t> dims;
  size_t dataOffset = 0; // bytes before the data
  size_t dataBytes = 0;
};

/// Parses the header dict. Messages go to `why` without the file name.
class HeaderDictParser {
public:
  HeaderDictParser(const char *text, size_t length)
      : cur(text), end(text + length) {}

  bool parse(NpyHeader &header, std::string &why) {
    bool sawDescr = false, sawOrder = false, sawShape = false;
    std::string descr;
    bool fortranOrder = false;
    skipSpace();
    if (!consume('{'))
      return fail(why, "header is not a dictionary");
    for (;;) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail(why, "expected a quoted key in the header dictionary");
      skipSpace();
      if (!consume(':'))
        return fail(why, "expected ':' after key '" + key + "' in header");
      skipSpace();
      if (key == "descr") {
        if (sawDescr)
          return fail(why, "header has 'descr' twice");
        sawDescr = true;
        if (peek('[') || peek('{'))
          return fail(why, "unsupported dtype: structured arrays are not "
                           "supported");
        if (!parseString(descr))
          return fail(why, "header 'descr' is not a string");
      } else if (key == "fortran_order") {
        if (sawOrder)
          return fail(why, "header has 'fortran_order' twice");
        sawOrder = true;
        if (consumeWord("True"))
          fortranOrder = true;
        else if (consumeWord("False"))
          fortranOrder = false;
        else
          return fail(why, "header 'fortran_order' is not True or False");
      } else if (key == "shape") {
        if (sawShape)
          return fail(why, "header has 'shape' twice");
        sawShape = true;
        if (!parseShape(header.dims, why))
          return false;
      } else {
        return fail(why, "unexpected key '" + key + "' in header");
      }
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return fail(why, "expected ',' or '}' in header dictionary");
    }
    skipSpace();
    if (cur != end)
      return fail(why, "unexpected characters after the header dictionary");
    if (!sawDescr || !sawOrder || !sawShape)
      return fail(why, std::string("header lacks the '") +
                           (!sawDescr   ? "descr"
                            : !sawOrder ? "fortran_order"
                                        : "shape") +
                           "' key");
    if (fortranOrder)
      return fail(why, "fortran_order arrays are not supported; save the "
                       "array in C order (numpy.ascontiguousarray)");
    return parseDescr(descr, header, why);
  }

private:
  const char *cur;
  const char *end;

  static bool fail(std::string &why, const std::string &message) {
    why = message;
    return false;
  }

  bool peek(char c) const { return cur != end && *cur == c; }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++cur;
    return true;
  }
  void skipSpace() {
    while (cur != end &&
           (*cur == ' ' || *cur == '\n' || *cur == '\t' || *cur == '\r'))
      ++cur;
  }
  bool consumeWord(const char *word) {
    size_t len = std::strlen(word);
    if (static_cast<size_t>(end - cur) < len ||
        std::memcmp(cur, word, len) != 0)
      return false;
    cur += len;
    return true;
  }

  /// A Python string literal in single or double quotes, without escapes
  /// (no key or dtype NumPy writes has any).
  bool parseString(std::string &out) {
    if (cur == end || (*cur != '\'' && *cur != '"'))
      return false;
    char quote = *cur++;
    const char *start = cur;
    while (cur != end && *cur != quote) {
      if (*cur == '\\' || *cur == '\n')
        return false;
      ++cur;
    }
    if (cur == end)
      return false;
    out.assign(start, cur);
    ++cur;
    return true;
  }

  /// A tuple of non-negative integers: "()", "(5,)", "(2, 3)".
  bool parseShape(std::vector<int64_t> &dims, std::string &why) {
    dims.clear();
    if (!consume('('))
      return fail(why, "header 'shape' is not a tuple");
    skipSpace();
    if (consume(')'))
      return true;
    for (;;) {
      skipSpace();
      if (peek('-'))
        return fail(why, "header 'shape' has a negative dimension");
      if (cur == end || *cur < '0' || *cur > '9')
        return fail(why, "header 'shape' holds something other than "
                         "integers");
      uint64_t value = 0;
      while (cur != end && *cur >= '0' && *cur <= '9') {
        unsigned digit = static_cast<unsigned>(*cur - '0');
        if (value >
            (uint64_t(std::numeric_limits<int64_t>::max()) - digit) / 10)
          return fail(why, "header 'shape' has a dimension too large");
        value = value * 10 + digit;
        ++cur;
      }
      consume('L'); // Python 2 long, written by old NumPy versions
      if (dims.size() == kMaxRank)
        return fail(why, "header 'shape' has more than " +
                             std::to_string(kMaxRank) + " dimensions");
      dims.push_back(static_cast<int64_t>(value));
      skipSpace();
      if (consume(',')) {
        skipSpace();
        if (consume(')'))
          return true;
        continue;
      }
      if (consume(')'))
        return true;
      return fail(why, "header 'shape' is not a well-formed tuple");
    }
  }

  /// '<f4', '|u1', ...: byte order, kind and element size.
  static bool parseDescr(const std::string &descr, NpyHeader &header,
                         std::string &why) {
    bool valid = descr.size() >= 3 && std::strchr("<>|=", descr[0]) != nullptr;
    size_t size = 0;
    for (size_t i = 2; valid && i < descr.size(); ++i) {
      if (descr[i] < '0' || descr[i] > '9' || i > 4)
        valid = false;
      else
        size = size * 10 + static_cast<size_t>(descr[i] - '0');
    }
    const NpyDtype *dtype = valid ? findDtype(descr[1], size) : nullptr;
    if (!dtype)
      return fail(why, "unsupported dtype '" + descr +
                           "' (supported: <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 "
                           "<u2 <u4 <u8 |b1)");
    bool bigEndian = descr[0] == '>';
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    bigEndian = bigEndian || descr[0] == '=';
#endif
    if (bigEndian && dtype->size > 1)
      return fail(why, "big-endian dtype '" + descr +
                           "' is not supported; save the array as "
                           "little-endian (arr.astype('<" +
                           std::string(1, dtype->kind) +
                           std::to_string(dtype->size) + "'))");
    header.dtype = dtype;
    return true;
  }
};

uint32_t readLittleEndian(const uint8_t *p, size_t bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < bytes; ++i)
    value |= uint32_t(p[i]) << (8 * i);
  return value;
}

/// Decodes the preamble and header dict from the first `size` bytes of a file
/// (at least all of the header, when the file has one).
bool decodeHeader(const uint8_t *bytes, size_t size, NpyHeader &header,
                  std::string &why) {
  if (std::memcmp(bytes, kMagic, size < kMagicSize ? size : kMagicSize) != 0) {
    why = "not a .npy file (bad magic)";
    return false;
  }
  if (size < kMagicSize + 2) {
    why = "truncated: the file is " + std::to_string(size) +
          " bytes, shorter than the .npy preamble";
    return false;
  }
  unsigned major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3) {
    why = "unsupported .npy format version " + std::to_string(major) + "." +
          std::to_string(minor);
    return false;
  }
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t prefix = kMagicSize + 2 + lengthBytes;
  if (size < prefix) {
    why = "truncated: the file ends inside the .npy preamble";
    return false;
  }
  size_t headerLength = readLittleEndian(bytes + kMagicSize + 2, lengthBytes);
  if (headerLength > kMaxHeaderLength) {
    why = "header length " + std::to_string(headerLength) +
          " exceeds the limit of " + std::to_string(kMaxHeaderLength) +
          " bytes";
    return false;
  }
  if (size - prefix < headerLength) {
    why = "truncated: the header should be " + std::to_string(headerLength) +
          " bytes but the file ends after " + std::to_string(size - prefix);
    return false;
  }
  const char *text = reinterpret_cast<const char *>(bytes + prefix);
  HeaderDictParser parser(text, headerLength);
  if (!parser.parse(header, why))
    return false;
  header.dataOffset = prefix + headerLength;
  if (!dataBytes(header.dims, header.dtype->size, header.dataBytes)) {
    why = "shape " + shapeString(header.dims) + " is too large";
    return false;
  }
  return true;
}

/// The message for data that does not match the header. `found` is the
/// number of data bytes present; with `atLeast` there may be more.
std::string sizeMismatch(const NpyHeader &header, size_t found,
                         bool atLeast = false) {
  std::string what = "shape " + shapeString(header.dims) + " of " +
                     descrOf(*header.dtype) + " needs " +
                     std::to_string(header.dataBytes) +
                     " bytes of data but the file has ";
  if (found < header.dataBytes)
    return "truncated: " + what + "only " + std::to_string(found);
  return "size mismatch: " + what + (atLeast ? "more" : std::to_string(found)) +
         " (trailing bytes after the data)";
}

/// The header bytes of a format 1.0 file for `dims` of `descr` (`elemSize`
/// bytes each, `dataSize` bytes in all), padded so that the data starts at a
/// multiple of 64 bytes, like NumPy.
bool buildHeader(const std::string &descr, size_t elemSize, const std::vector<int64_t> &dims,
                 size_t dataSize, std::vector<uint8_t> &out, size_t &payload, std::string &why) {
  if (dims.size() > kMaxRank) {
    why = "rank " + std::to_string(dims.size()) + " exceeds " +
          std::to_string(kMaxRank);
    return false;
  }
  if (!dataBytes(dims, elemSize, payload)) {
    why = "shape " + shapeString(dims) +
          " has a negative dimension or is too large";
    return false;
  }
  if (dataSize != payload) {
    why = "shape " + shapeString(dims) + " of " + descr +
          " needs " + std::to_string(payload) + " bytes but the tensor has " +
          std::to_string(dataSize);
    return false;
  }
  std::string dict =
      "{'descr': '" + descr +
      "', 'fortran_order': False, 'shape': " + shapeString(dims) + ", }";
  // With at most kMaxRank dimensions the dict stays far below the 65535
  // bytes that format 1.0 can describe.
  const size_t prefix = kMagicSize + 2 + 2;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  size_t headerLength = total - prefix;
  out.assign(kMagic, kMagic + kMagicSize);
  out.push_back(1); // format 1.0
  out.push_back(0);
  out.push_back(static_cast<uint8_t>(headerLength & 0xff));
  out.push_back(static_cast<uint8_t>(headerLength >> 8));
  out.insert(out.end(), dict.begin(), dict.end());
  out.resize(total - 1, ' ');
  out.push_back('\n');
  return true;
}

/// The code points of UTF-8 `text` (a malformed byte stands for itself).
std::vector<uint32_t> codePoints(const std::string &text) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < text.size();) {
    uint8_t c = static_cast<uint8_t>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    bool ok = n > 0 && i + n <= text.size();
    for (size_t k = 1; ok && k < n; ++k) {
      uint8_t cc = static_cast<uint8_t>(text[i + k]);
      ok = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3f);
    }
    out.push_back(ok ? cp : c);
    i += ok ? n : 1;
  }
  return out;
}

/// A string tensor as NumPy's fixed-width unicode array ('<U{width}': UTF-32
/// code points, zero-padded to the longest string).
void unicodeArray(const HostTensor &tensor, std::string &descr, size_t &elemSize,
                  std::vector<uint8_t> &data) {
  std::vector<std::vector<uint32_t>> all;
  size_t width = 1;
  for (const std::string &s : tensor.strings) {
    all.push_back(codePoints(s));
    width = std::max(width, all.back().size());
  }
  descr = "<U" + std::to_string(width);
  elemSize = 4 * width;
  data.assign(all.size() * elemSize, 0);
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t k = 0; k < all[i].size(); ++k)
      for (int b = 0; b < 4; ++b)
        data[i * elemSize + 4 * k + b] = static_cast<uint8_t>(all[i][k] >> (8 * b));
}

/// Closes the FILE on every path out of a function.
struct FileCloser {
  std::FILE *file;
  ~FileCloser() {
    if (file)
      std::fclose(file);
  }
};

} // namespace

bool parseNpy(const uint8_t *bytes, size_t size, const std::string &name,
              HostTensor &out, std::string &error) {
  NpyHeader header;
  std::string why;
  if (!bytes && size != 0) {
    error = name + ": no data";
    return false;
  }
  static const uint8_t empty = 0;
  if (!decodeHeader(bytes ? bytes : &empty, size, header, why)) {
    error = name + ": " + why;
    return false;
  }
  size_t available = size - header.dataOffset;
  if (available != header.dataBytes) {
    error = name + ": " + sizeMismatch(header, available);
    return false;
  }
  out.dtype = header.dtype->dtype;
  out.dims = std::move(header.dims);
  out.data.assign(bytes + header.dataOffset, bytes + size);
  return true;
}

bool readNpy(const std::string &path, HostTensor &out, std::string &error) {
  FileCloser closer{std::fopen(path.c_str(), "rb")};
  if (!closer.file) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::FILE *file = closer.file;

  // The preamble and the largest header we accept, or the whole file if it is
  // smaller.
  std::vector<uint8_t> head(kMagicSize + 2 + 4 + kMaxHeaderLength);
  size_t got = std::fread(head.data(), 1, head.size(), file);
  if (std::ferror(file)) {
    error = path + ": read error: " + std::strerror(errno);
    return false;
  }
  NpyHeader header;
  std::string why;
  if (!decodeHeader(head.data(), got, header, why)) {
    error = path + ": " + why;
    return false;
  }

  // Data already read with the header, then the rest in chunks.
  size_t have = got - header.dataOffset;
  if (have > header.dataBytes) {
    error = path + ": " + sizeMismatch(header, have, /*atLeast=*/true);
    return false;
  }
  out.data.assign(head.begin() + static_cast<ptrdiff_t>(header.dataOffset),
                  head.begin() + static_cast<ptrdiff_t>(got));
  head = std::vector<uint8_t>();
  while (out.data.size() < header.dataBytes) {
    size_t want = header.dataBytes - out.data.size();
    if (want > kReadChunk)
      want = kReadChunk;
    size_t old = out.data.size();
    out.data.resize(old + want);
    size_t n = std::fread(out.data.data() + old, 1, want, file);
    out.data.resize(old + n);
    if (n < want) {
      if (std::ferror(file)) {
        error = path + ": read error: " + std::strerror(errno);
        return false;
      }
      error = path + ": " + sizeMismatch(header, out.data.size());
      return false;
    }
  }
  uint8_t extra;
  if (std::fread(&extra, 1, 1, file) != 0) {
    error = path + ": " + sizeMismatch(header, header.dataBytes + 1, true);
    return false;
  }
  out.dtype = header.dtype->dtype;
  out.dims = std::move(header.dims);
  return true;
}

bool encodeNpy(const HostTensor &tensor, std::vector<uint8_t> &out,
               std::string &error) {
  std::vector<uint8_t> unicode;
  size_t payload = 0, elemSize = 0;
  std::string why, descr;
  const std::vector<uint8_t> *data = &tensor.data;
  if (tensor.dtype == MLC_DTYPE_STRING) {
    unicodeArray(tensor, descr, elemSize, unicode);
    data = &unicode;
  } else if (const NpyDtype *dtype = findDtype(tensor.dtype)) {
    descr = descrOf(*dtype);
    elemSize = dtype->size;
  } else {
    why = std::string("dtype ") +
          (tensor.dtype == MLC_DTYPE_BFLOAT16 ? "bfloat16 has no .npy equivalent"
                                              : std::to_string(tensor.dtype) + " cannot be written as .npy");
  }
  if (!why.empty() || !buildHeader(descr, elemSize, tensor.dims, data->size(), out, payload, why)) {
    error = "cannot encode .npy: " + why;
    return false;
  }
  out.insert(out.end(), data->begin(), data->end());
  return true;
}

bool writeNpy(const std::string &path, const HostTensor &tensor,
              std::string &error) {
  std::vector<uint8_t> bytes;
  std::string why;
  if (!encodeNpy(tensor, bytes, why)) {
    error = path + ": cannot write: " + why.substr(std::strlen("cannot encode .npy: "));
    return false;
  }
  std::FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    error = path + ": cannot open for writing: " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  int savedErrno = errno;
  if (std::fclose(file) != 0 && ok) {
    ok = false;
    savedErrno = errno;
  }
  if (!ok) {
    error = path + ": write failed: " + std::strerror(savedErrno);
    std::remove(path.c_str());
    return false;
  }
  return true;
}

} // namespace mlc
