#!/usr/bin/env bash
# Sets up, builds and runs every test (lit/FileCheck, GoogleTest, and the
# end-to-end comparison with onnxruntime on real models) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure -j1 "$@"
