//===- mlc.cpp - the mlc command line -------------------------------------===//
//
//   mlc compile model.onnx --target=cpu -o out/model   -> out/model.o + .h
//   mlc compile model.onnx --target=cuda --cuda-arch=sm_90 -o out/model
//   mlc run model.onnx --input NAME=x.npy --output-dir out/
//   mlc bench model.onnx --threads 1 --iterations 50 [--json]
//
// Option parsing only; the work is one call into lib/Driver.
//
//===----------------------------------------------------------------------===//
#include "mlc/Driver/Driver.h"

#include <CLI/CLI.hpp>

#include <cstdio>

using namespace mlc::driver;

namespace {
/// Adds the options every subcommand shares for compiling the model.
void addCompileOptions(CLI::App *cmd, CompileOptions &o, std::vector<std::string> &shapes) {
  cmd->add_option("model", o.model, "ONNX model file")->required();
  cmd->add_option("--target", o.target, "cpu|cuda")->capture_default_str();
  cmd->add_option("--cuda-arch", o.cudaArchs,
                  "GPU architectures for --target=cuda: sm_80|sm_86|sm_87|sm_89|sm_90 (repeatable)")
      ->capture_default_str()->delimiter(',');
  cmd->add_flag("--cuda-emulate", o.cudaEmulate,
                "with --target=cuda: compile the GPU kernels for this CPU, threads one after "
                "another (checks the GPU lowering without a GPU)");
  cmd->add_option("--cuda-tile-min-points", o.cudaTileMinPoints,
                  "with --target=cuda: contractions with at least this many outputs run as tiles "
                  "staged in shared memory (0: none)")
      ->capture_default_str();
  cmd->add_option("--ptxas", o.ptxas,
                  "ptxas that turns PTX into cubins (default: found on PATH, $CUDA_HOME/bin or "
                  "/usr/local/cuda/bin; 'none': PTX only)");
  cmd->add_option("--triple", o.triple, "target triple (default: the host), e.g. aarch64-linux-gnu");
  cmd->add_option("--mcpu", o.cpu, "target CPU (default: the host CPU)");
  cmd->add_option("--input-shape", shapes, "fix an input's dims: NAME=1x3x224x224 (repeatable)");
  cmd->add_option("--name", o.name, "C name of the model (default: from the output file)");
  cmd->add_flag("--time-passes", o.timing, "print the time of each compiler stage");
  cmd->add_flag("--profile", o.profile,
                "time every kernel call; the model writes the times when destroyed (to $MLC_PROFILE, "
                "else stderr)");
}

bool parseShapes(const std::vector<std::string> &shapes, CompileOptions &o) {
  for (const std::string &s : shapes) {
    size_t eq = s.rfind('=');
    std::vector<int64_t> dims;
    if (eq == std::string::npos || eq == 0 || !parseDims(s.substr(eq + 1), dims)) {
      std::fprintf(stderr, "mlc: error: --input-shape expects NAME=DIMS like input=1x3x224x224, got '%s'\n", s.c_str());
      return false;
    }
    o.inputShapes[s.substr(0, eq)] = dims;
  }
  return true;
}

bool parseInputs(const std::vector<std::string> &specs,
                 std::vector<std::pair<std::string, std::string>> &inputs) {
  for (const std::string &s : specs) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
      std::fprintf(stderr, "mlc: error: --input expects NAME=FILE, got '%s'\n", s.c_str());
      return false;
    }
    inputs.push_back({s.substr(0, eq), s.substr(eq + 1)});
  }
  return true;
}

std::string stemOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}
} // namespace

int main(int argc, char **argv) {
  CLI::App app{"mlc: ahead-of-time compiler from ONNX to native code"};
  app.require_subcommand(1);

  CompileOptions compileOpts;
  std::vector<std::string> compileShapes;
  CLI::App *compile = app.add_subcommand("compile", "compile a model to an object file and a C header");
  addCompileOptions(compile, compileOpts, compileShapes);
  compile->add_option("-o,--output", compileOpts.output, "output path without extension")->required();
  compile->add_option("--emit", compileOpts.emit, "obj|shared|mlir|llvm|asm|ptx")->capture_default_str();

  RunOptions runOpts;
  std::vector<std::string> runShapes, runInputs;
  CLI::App *run = app.add_subcommand("run", "compile, run once and write every output as .npy");
  addCompileOptions(run, runOpts.compile, runShapes);
  run->add_option("--input", runInputs,
                  "NAME=FILE (.npy or ONNX TensorProto .pb), repeatable; a bfloat16 input "
                  "may be a uint16 .npy holding its bits");
  run->add_option("--output-dir", runOpts.outputDir,
                  "folder for <output>.npy (bfloat16 outputs as uint16 holding their bits)")
      ->required();
  run->add_option("--threads", runOpts.threads, "threads (0 = one per CPU)")->capture_default_str();

  BenchOptions benchOpts;
  std::vector<std::string> benchShapes, benchInputs;
  CLI::App *bench = app.add_subcommand("bench", "compile and time the model");
  addCompileOptions(bench, benchOpts.compile, benchShapes);
  bench->add_option("--input", benchInputs, "NAME=FILE; inputs not given are random");
  bench->add_option("--threads", benchOpts.threads, "threads (0 = one per CPU)")->capture_default_str();
  bench->add_option("--iterations", benchOpts.iterations, "timed runs")->capture_default_str();
  bench->add_option("--warmup", benchOpts.warmup, "untimed runs first")->capture_default_str();
  bench->add_flag("--json", benchOpts.json, "print one JSON object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  }

  if (compile->parsed()) {
    if (!parseShapes(compileShapes, compileOpts))
      return 1;
    return mlc::driver::compile(compileOpts, argv[0]);
  }
  if (run->parsed()) {
    if (!parseShapes(runShapes, runOpts.compile) || !parseInputs(runInputs, runOpts.inputs))
      return 1;
    runOpts.compile.name = runOpts.compile.name.empty() ? stemOf(runOpts.compile.model) : runOpts.compile.name;
    return mlc::driver::run(runOpts, argv[0]);
  }
  if (!parseShapes(benchShapes, benchOpts.compile) || !parseInputs(benchInputs, benchOpts.inputs))
    return 1;
  benchOpts.compile.name = benchOpts.compile.name.empty() ? stemOf(benchOpts.compile.model) : benchOpts.compile.name;
  return mlc::driver::bench(benchOpts, argv[0]);
}
