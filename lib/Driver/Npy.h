//===- Npy.h - Read and write NumPy .npy files ------------------*- C++ -*-===//
//
// Tensors on the host for `mlc run` and the tests: reading inputs and
// reference outputs from NumPy's .npy format and writing results back.
// Plain C++17 without exceptions or LLVM, so the code can be reused and tested
// on its own.
//
// Supported: format versions 1.0, 2.0 and 3.0 on read (1.0 on write),
// little-endian data in C order, and the
// dtypes <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1. Big-endian data,
// Fortran order, structured and object arrays are reported as errors.
// bfloat16 has no .npy spelling and cannot be written.
//
// Input is treated as untrusted: a truncated or corrupt file is an error
// message, never a crash, an out-of-bounds read or a huge allocation.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DRIVER_NPY_H
#define MLC_DRIVER_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mlc {

/// A dense tensor in host memory, C order.
struct HostTensor {
  /// Element type in `mlc_dtype` numbering (ONNX TensorProto.DataType).
  int32_t dtype = 0;
  /// Shape; empty for a scalar.
  std::vector<int64_t> dims;
  /// The elements' bytes, little-endian, C order (not used for strings).
  std::vector<uint8_t> data;
  /// The elements of a string tensor (dtype MLC_DTYPE_STRING), C order.
  std::vector<std::string> strings;
};

/// Reads the .npy file at `path` into `out`. On failure returns false, leaves
/// `out` unspecified and sets `error` to a message that names the file and
/// says what is wrong.
bool readNpy(const std::string &path, HostTensor &out, std::string &error);

/// Parses .npy bytes already in memory; `name` stands for the file in error
/// messages.
bool parseNpy(const uint8_t *bytes, size_t size, const std::string &name,
              HostTensor &out, std::string &error);

/// Writes `tensor` to `path` in format 1.0. Fails (with `error` naming the
/// file) when the dtype has no .npy spelling, when `data` does not hold
/// exactly the elements of `dims`, or when the file cannot be written.
bool writeNpy(const std::string &path, const HostTensor &tensor,
              std::string &error);

/// Encodes `tensor` as .npy bytes (what writeNpy writes) into `out`.
bool encodeNpy(const HostTensor &tensor, std::vector<uint8_t> &out,
               std::string &error);

} // namespace mlc

#endif // MLC_DRIVER_NPY_H
