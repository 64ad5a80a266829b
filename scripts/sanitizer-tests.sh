#!/usr/bin/env bash
# The unit tests and the lit tests that run the compiler (not the long
# sweeps or the integration runs) with qopt built under AddressSanitizer and
# UndefinedBehaviorSanitizer, in build-fuzz/ (the fuzz targets' build).
# Any report fails the run. scripts/test.sh calls this before ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${QOPT_JOBS:-2}

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld -DQOPT_FUZZERS=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir > /dev/null
fi
ninja -C "$build" -j"$jobs" QOptUnitTests qopt qopt-run qopt-translate qt-testgen \
  qopt-host-features

# Leaks are not checked: MLIR keeps static state for the process.
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
echo "== unit tests under ASan + UBSan"
"$build/unittests/QOptUnitTests" --gtest_brief=1
echo "== compiler lit tests under ASan + UBSan"
/usr/lib/llvm-22/bin/lit -q -j"$jobs" --filter-out 'fuzz.test' \
  "$build"/test/{Tools,Quantization,Dialect,Transforms,Conversion,Pipelines,Sparsity,Target,Import}
echo "sanitizer tests passed"
