//===- TensorFiles.h - reading tensors for mlc run/bench --------*- C++ -*-===//
#ifndef MLC_LIB_DRIVER_TENSORFILES_H
#define MLC_LIB_DRIVER_TENSORFILES_H

#include "Npy.h"

namespace mlc::driver {
/// Reads a tensor from a .npy file, or else from a serialized ONNX
/// TensorProto (.pb, as in the ONNX test data).
bool readTensorFile(const std::string &path, HostTensor &out, std::string &error);
} // namespace mlc::driver

#endif
