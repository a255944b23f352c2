//===- TensorFiles.cpp - input tensors from .npy or ONNX .pb files --------===//
#include "TensorFiles.h"

#include "Internal.h"

#include "onnx.pb.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

bool mlc::driver::readTensorFile(const std::string &path, HostTensor &out, std::string &error) {
  if (llvm::StringRef(path).ends_with(".npy"))
    return readNpy(path, out, error);
  auto buffer = llvm::MemoryBuffer::getFile(path, false, false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  ::onnx::TensorProto t;
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > INT_MAX || !t.ParseFromArray(bytes.data(), (int)bytes.size())) {
    error = "'" + path + "' is neither a .npy file nor an ONNX TensorProto";
    return false;
  }
  if (t.data_location() == ::onnx::TensorProto::EXTERNAL) {
    error = "'" + path + "': tensors with external data are not supported as inputs";
    return false;
  }
  out.dtype = t.data_type();
  out.dims.assign(t.dims().begin(), t.dims().end());
  int64_t count = 1;
  for (int64_t d : out.dims) {
    if (d < 0 || (d > 0 && count > (int64_t(1) << 40) / d)) {
      error = "'" + path + "' has an invalid shape";
      return false;
    }
    count *= d;
  }
  if (out.dtype <= 0 || out.dtype == 14 || out.dtype == 15 || out.dtype > 26) {
    error = "'" + path + "' has unsupported data type " + std::to_string(out.dtype);
    return false;
  }
  if (out.dtype == 8) {
    if (t.string_data_size() != count) {
      error = "'" + path + "' holds a different number of strings than its shape needs";
      return false;
    }
    out.strings.assign(t.string_data().begin(), t.string_data().end());
    return true;
  }
  // The 4- and 2-bit types are packed, from the lowest bits of each byte
  // up; in memory each takes a byte (see mlc_dtype).
  unsigned bits = out.dtype == 21 || out.dtype == 22 || out.dtype == 23 ? 4
                  : out.dtype == 25 || out.dtype == 26                  ? 2
                                                                         : 0;
  size_t elem = dtypeSize(out.dtype);
  if (bits) {
    std::string packed;
    if (t.has_raw_data())
      packed = t.raw_data();
    else
      for (int32_t v : t.int32_data())
        packed.push_back((char)v);
    if ((int64_t)packed.size() != (count * bits + 7) / 8) {
      error = "'" + path + "' holds a different number of values than its shape needs";
      return false;
    }
    bool isSigned = out.dtype == 22 || out.dtype == 26;
    out.data.resize(count);
    for (int64_t i = 0; i < count; ++i) {
      unsigned v = ((uint8_t)packed[i * bits / 8] >> (i * bits % 8)) & ((1u << bits) - 1);
      out.data[i] = isSigned && (v >> (bits - 1)) ? uint8_t(v | (0xffu << bits)) : uint8_t(v);
    }
    return true;
  }
  out.data.assign(count * elem, 0);
  auto copy = [&](auto values, auto convert) {
    if ((int64_t)values.size() != count) return false;
    for (int64_t i = 0; i < count; ++i) convert(values[i], out.data.data() + i * elem);
    return true;
  };
  bool ok;
  if (t.has_raw_data()) {
    ok = t.raw_data().size() == out.data.size();
    if (ok) std::memcpy(out.data.data(), t.raw_data().data(), out.data.size());
  } else if (out.dtype == 1) {
    ok = copy(t.float_data(), [](float v, uint8_t *d) { std::memcpy(d, &v, 4); });
  } else if (out.dtype == 11) {
    ok = copy(t.double_data(), [](double v, uint8_t *d) { std::memcpy(d, &v, 8); });
  } else if (out.dtype == 7) {
    ok = copy(t.int64_data(), [](int64_t v, uint8_t *d) { std::memcpy(d, &v, 8); });
  } else if (out.dtype == 12 || out.dtype == 13) {
    ok = copy(t.uint64_data(), [&](uint64_t v, uint8_t *d) { std::memcpy(d, &v, elem); });
  } else {
    ok = copy(t.int32_data(), [&](int32_t v, uint8_t *d) { uint32_t u = v; std::memcpy(d, &u, elem); });
  }
  if (!ok) {
    error = "'" + path + "' holds a different number of values than its shape needs";
    return false;
  }
  return true;
}
