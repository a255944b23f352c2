//===- Internal.h - pieces shared inside lib/Driver -------------*- C++ -*-===//
#ifndef MLC_LIB_DRIVER_INTERNAL_H
#define MLC_LIB_DRIVER_INTERNAL_H

#include "mlc/Driver/Driver.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlc::driver {

/// One input or output of the compiled model.
struct TensorInfo {
  std::string name;
  int32_t dtype = 0; ///< mlc_dtype numbering
  std::vector<int64_t> dims;
};

/// What the artifact says about the model (also in its mlc_model_desc).
struct ModelInfo {
  std::string name; ///< C identifier
  std::vector<TensorInfo> inputs, outputs;
  uint64_t workspaceSize = 0;
};

/// Adds the ABI to the translated module: the `<name>_entry` function that
/// unpacks the pointer arrays and calls `forward`, and the constant
/// `mlc_model_<name>` descriptor. `forward` becomes internal.
bool addArtifactABI(llvm::Module &module, const ModelInfo &info, std::string &error);

/// Writes the C header that declares the model's descriptor and shapes.
void writeHeader(llvm::raw_ostream &os, const ModelInfo &info);

/// A C identifier from arbitrary text ("resnet-18.v2" -> "resnet_18_v2").
std::string sanitizeIdentifier(llvm::StringRef text);

/// A file name from an ONNX value name (characters outside [A-Za-z0-9_.-]
/// become '_').
std::string sanitizeFileName(llvm::StringRef text);

/// Compiles with `options` and returns the artifact's info; on failure prints
/// the errors and returns false.
bool compileModel(const CompileOptions &options, const char *argv0, ModelInfo &info);

/// The folder of the running mlc executable.
std::string executableDir(const char *argv0);

} // namespace mlc::driver

#endif // MLC_LIB_DRIVER_INTERNAL_H
