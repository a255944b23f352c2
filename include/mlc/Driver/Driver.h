//===- Driver.h - what the mlc command does ---------------------*- C++ -*-===//
//
// tools/mlc parses the command line into these options and makes one call.
// Each entry returns the process exit code and reports errors on stderr.
//
//===----------------------------------------------------------------------===//
#ifndef MLC_DRIVER_DRIVER_H
#define MLC_DRIVER_DRIVER_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlc::driver {

struct CompileOptions {
  std::string model;            ///< path of the .onnx file
  std::string output;           ///< output path without extension
  std::string target = "cpu";   ///< cpu|cuda
  std::string triple;           ///< empty: the host
  std::string cpu;              ///< empty: the host CPU (or generic for a triple)
  std::string emit = "obj";     ///< obj|shared|mlir|llvm|asm
  std::string name;             ///< C name of the model; empty: from the file
  std::map<std::string, std::vector<int64_t>> inputShapes;
  bool writeHeader = true;
  bool timing = false;          ///< print the time of each stage
  /// CUDA: architectures to build kernels for (sm_80, sm_86, sm_89, sm_90).
  std::vector<std::string> cudaArchs = {"sm_90"};
  /// CUDA: ptxas for cubins and validation; empty searches, "none" skips.
  std::string ptxas;
  /// CUDA: compile the GPU kernels for the host CPU instead (a check of the
  /// GPU lowering where there is no GPU; MLC_TARGET_CUDA_EMULATED).
  bool cudaEmulate = false;
  /// CUDA: contractions with at least this many outputs are tiled through
  /// shared memory (0: none; fewer outputs: a block or thread per output).
  int64_t cudaTileMinPoints = 32768;
  /// CPU: time every kernel call; the model writes the table when destroyed.
  bool profile = false;
};

int compile(const CompileOptions &options, const char *argv0);

struct RunOptions {
  CompileOptions compile;
  std::vector<std::pair<std::string, std::string>> inputs; ///< name, .npy/.pb
  std::string outputDir;
  int threads = 1;
};

int run(const RunOptions &options, const char *argv0);

struct BenchOptions {
  CompileOptions compile;
  std::vector<std::pair<std::string, std::string>> inputs;
  int threads = 1;
  int iterations = 50;
  int warmup = 5;
  bool json = false;
};

int bench(const BenchOptions &options, const char *argv0);

/// Parses "1x3x224x224" into dims; false on malformed text.
bool parseDims(const std::string &text, std::vector<int64_t> &dims);

} // namespace mlc::driver

#endif // MLC_DRIVER_DRIVER_H
