#!/usr/bin/env bash
# Installs the Debian packages qopt needs to build and test, if any is
# missing. Needs root (or sudo) only when something must be installed.
set -euo pipefail

packages=(
  # LLVM/MLIR 22 and the tools the build and the tests use.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  cmake ninja-build ccache libgtest-dev zlib1g-dev bsdutils
  # AArch64 objects are linked with the cross toolchain and run under qemu.
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
