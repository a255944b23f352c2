//===- TensorFiles.cpp - input tensors from .npy or ONNX .pb files --------===//
#include "TensorFiles.h"

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
  size_t elem = 0;
  switch (out.dtype) {
  case 1: case 6: case 12: elem = 4; break;
  case 7: case 11: case 13: elem = 8; break;
  case 2: case 3: case 9: elem = 1; break;
  case 4: case 5: case 10: case 16: elem = 2; break;
  default:
    error = "'" + path + "' has unsupported data type " + std::to_string(out.dtype);
    return false;
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
