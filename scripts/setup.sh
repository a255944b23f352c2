#!/usr/bin/env bash
# Installs what mlc needs on Debian 12 (run as root or with sudo available):
# LLVM/MLIR 22, the ONNX schema and protobuf, CLI11, GoogleTest, Ninja, lit and
# FileCheck, Debian's torch/torchvision for exporting test models, and a
# Python virtual environment (.venv) with onnx, onnxruntime and numpy for the
# tests and benchmarks. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
PKGS=(cmake ninja-build clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
      libonnx-dev protobuf-compiler libprotobuf-dev libcli11-dev googletest libgtest-dev
      python3-venv python3-torch python3-torchvision python3-onnx libonnx-testdata gcc libc6-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's torch 1.13 is built against numpy 1.x: keep numpy below 2 so that
# the venv (which sees the system torch) can export models too.
if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
if ! .venv/bin/python -c "import onnxruntime, onnx, matplotlib, numpy; assert numpy.__version__ < '2'" 2>/dev/null; then
  .venv/bin/pip install -q "numpy<2" onnx onnxruntime matplotlib
fi
echo "setup: done"
