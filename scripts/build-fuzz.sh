#!/usr/bin/env bash
# Configures (once) and builds TARGET... in build-fuzz/: qopt under libFuzzer's
# instrumentation, ASan and UBSan (CMake option QOPT_FUZZERS). Used by
# scripts/fuzz.sh and scripts/sanitizer-tests.sh; QOPT_FUZZ_BUILD_DIR and
# QOPT_JOBS override the defaults.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_FUZZ_BUILD_DIR:-$root/build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld -DQOPT_FUZZERS=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir > /dev/null
fi
ninja -C "$build" -j"${QOPT_JOBS:-2}" "$@"
