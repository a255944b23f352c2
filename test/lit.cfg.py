# -*- Python -*-
# lit configuration for mlc's FileCheck tests.
#
# The tests live next to what they test (dialects/*/test, passes/*/test), so
# the suite's source root is the repository root; test/lit.site.cfg.py (made
# by CMake from lit.site.cfg.py.in) says where the built tools are.

import os

import lit.formats
from lit.llvm import llvm_config

if not hasattr(config, "mlc_obj_root"):
    lit_config.fatal("run lit on the build tree's test folder (build/test), "
                     "whose lit.site.cfg.py says where the tools are")

config.name = "MLC"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]

# Discovery starts at the repository root and skips what holds no lit tests
# (the C++ unit tests, the e2e runner, the build tree, the venv). Outputs go
# to the mirrored folders of the build tree; because the exec root is the
# build tree, the source test/ folder maps back onto this suite's own site
# config and lit skips it instead of loading it as a second suite.
config.test_source_root = config.mlc_src_root
config.test_exec_root = config.mlc_obj_root
config.excludes = [
    "build",
    "bench",
    "docs",
    "examples",
    "lib",
    "scripts",
    "tools",
    "e2e",
    "Runtime",
    "Driver",
    "CMakeLists.txt",
    "README.md",
    "lit.cfg.py",
    "lit.site.cfg.py",
    ".venv",
    ".ci",
]
# A build tree inside the source tree, whatever its name.
_obj_in_src = os.path.relpath(config.mlc_obj_root, config.mlc_src_root)
if not _obj_in_src.startswith(os.pardir):
    config.excludes.append(_obj_in_src.split(os.sep)[0])

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Built tools first, then FileCheck/not/count from LLVM.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.mlc_tools_dir, append_path=True)

llvm_config.add_tool_substitutions(["mlc-opt", "mlc"], [config.mlc_tools_dir])
