#!/usr/bin/env bash
# Installs the Debian packages qopt needs to build and test, if any is
# missing. Needs root (or sudo) only when something must be installed.
#   --bench   also what bench/ and the accuracy / conformance scripts need:
#             oneDNN, PyTorch, scikit-learn, Fashion-MNIST, node/npm, and ONNX
#             Runtime (npm onnxruntime-node) in bench/peers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=false
[ "${1:-}" = "--bench" ] && bench=true

packages=(
  # LLVM/MLIR 22 and the tools the build and the tests use.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  cmake ninja-build ccache libgtest-dev zlib1g-dev bsdutils
  # ONNX import (qopt-translate) and its tests (protoc writes test models;
  # NumPy references; a sample of ONNX's own conformance cases).
  libonnx-dev libprotobuf-dev protobuf-compiler python3-numpy python3-onnx libonnx-testdata
  # AArch64 objects are linked with the cross toolchain and run under qemu.
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  # The objects' thread pool is checked under ThreadSanitizer and valgrind.
  libclang-rt-22-dev valgrind
)

if $bench; then
  packages+=(libdnnl-dev python3-torch python3-sklearn python3-pil fonts-dejavu-core
             dataset-fashion-mnist g++)
  command -v node > /dev/null || packages+=(nodejs)
  command -v npm > /dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ONNX Runtime for the benchmarks: the npm package's own library, without
# its post-install download of GPU binaries (ONNXRUNTIME_NODE_INSTALL=skip).
if $bench && [ ! -d "$root/bench/peers/node_modules/onnxruntime-node" ]; then
  (cd "$root/bench/peers" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund)
fi
