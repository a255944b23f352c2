#!/usr/bin/env bash
# The main job on the bundled example: set up, build, compile
# examples/model/tiny_cnn.onnx to an object file and header, link it into the
# C example app with the runtime, and run it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
mkdir -p out
build/bin/mlc compile examples/model/tiny_cnn.onnx --target=cpu -o out/tiny_cnn
cc -O2 examples/app/app.c out/tiny_cnn.o -Iout -Iinclude \
   -DMLC_MODEL_HEADER='"tiny_cnn.h"' -DMLC_MODEL_DESC=mlc_model_tiny_cnn \
   -Lbuild/lib -lmlcrt -lpthread -lm -ldl -o out/tiny_cnn_app
out/tiny_cnn_app
