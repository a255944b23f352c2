//===- ONNXImporter.h - ONNX model to the onnx dialect ----------*- C++ -*-===//
#ifndef MLC_FRONTEND_ONNXIMPORTER_H
#define MLC_FRONTEND_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace mlc::frontend {

struct ImportOptions {
  /// Fixes the dims of graph inputs (`--input-shape NAME=1x3x224x224`).
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

/// Imports the model at `path` into a module holding one function,
/// `forward`, with the graph's inputs and outputs (their ONNX names in the
/// `mlc.input_names` / `mlc.output_names` attributes). Errors are emitted as
/// diagnostics at the file or at the ONNX node (a NameLoc) and give null.
mlir::OwningOpRef<mlir::ModuleOp> importONNXModel(llvm::StringRef path,
                                                  const ImportOptions &options,
                                                  mlir::MLIRContext *context);

/// Reads `length` bytes at `offset` of the external-data file `location`,
/// which must resolve to a regular file inside `modelDir` (no absolute paths,
/// no `..` or symbolic links that leave it). A length of -1 means "to the
/// end". On failure returns false with a message in `error`.
bool readExternalData(llvm::StringRef modelDir, llvm::StringRef location,
                      int64_t offset, int64_t length, std::vector<char> &out,
                      std::string &error);

} // namespace mlc::frontend

#endif // MLC_FRONTEND_ONNXIMPORTER_H
