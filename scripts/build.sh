#!/usr/bin/env bash
# Configures and builds mlc into build/ with Ninja against LLVM/MLIR 22.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -S . -B build \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_EXE_LINKER_FLAGS="-B/usr/lib/llvm-22/bin" \
    -DCMAKE_SHARED_LINKER_FLAGS="-B/usr/lib/llvm-22/bin"
fi
cmake --build build -j "$JOBS"
