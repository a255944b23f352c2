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
  std::vector<int64_t> dims; ///< -1 for a symbolic dim
};

/// Kernels for one GPU architecture (mlc_device_image).
struct DeviceImage {
  int32_t format = 0; ///< 0 PTX, 1 cubin
  int32_t arch = 0;   ///< compute capability x 10
  std::string data;   ///< PTX text (without the NUL) or cubin bytes
};

/// A constant that a CUDA model reads from its device weights buffer.
struct DeviceConstant {
  std::string symbol; ///< the LLVM global holding its bytes
  uint64_t offset = 0, size = 0;
};

/// What the artifact says about the model (also in its mlc_model_desc).
struct ModelInfo {
  std::string name; ///< C identifier
  std::vector<TensorInfo> inputs, outputs;
  uint64_t workspaceSize = 0;
  int32_t target = 0; ///< mlc_target: 0 CPU, 1 CUDA, 2 CUDA emulated
  /// Some input or output has symbolic dims: the entry reads the inputs'
  /// dims and returns the outputs it allocated (mlc_dynamic_entry_fn).
  bool dynamic = false;
  std::vector<DeviceImage> deviceImages;
  std::vector<DeviceConstant> deviceConstants;
  uint64_t weightsSize = 0;
};

/// CUDA target: turns the host code's GPU runtime calls (MLIR's mgpu* ABI)
/// into libmlcrt's mlc_rt_cuda_* entry points and drops the upstream
/// load-at-startup constructors; the runtime loads the kernels when a model
/// is created. Fails on a GPU runtime call mlc does not provide.
/// Bytes of one element of an mlc_dtype in memory (bool takes a byte).
size_t dtypeSize(int32_t dtype);

bool rewriteGPURuntimeCalls(llvm::Module &module, std::string &error);

/// Assembles `ptx` for `arch` ("sm_90") with `ptxas` into `cubin`; on failure
/// `error` holds ptxas's messages.
bool assemblePTX(const std::string &ptxas, const std::string &ptx, const std::string &arch,
                 std::string &cubin, std::string &error);

/// The ptxas to use: `requested` if given ("none" disables), else ptxas on
/// PATH, under $CUDA_HOME/bin or /usr/local/cuda/bin; empty if none.
std::string findPtxas(const std::string &requested);

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
