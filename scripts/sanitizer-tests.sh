#!/usr/bin/env bash
# The unit tests and the lit tests that run the compiler (not the long
# sweeps or the integration runs) with qopt built under AddressSanitizer and
# UndefinedBehaviorSanitizer, in build-fuzz/ (the fuzz targets' build).
# Any report fails the run. scripts/test.sh calls this before ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${QOPT_JOBS:-2}

"$root/scripts/build-fuzz.sh" QOptUnitTests qopt qopt-run qopt-translate qt-testgen \
  qopt-host-features

# Leaks are not checked: MLIR keeps static state for the process.
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
echo "== unit tests under ASan + UBSan"
"$build/unittests/QOptUnitTests" --gtest_brief=1
echo "== compiler lit tests under ASan + UBSan"
/usr/lib/llvm-22/bin/lit -q -j"$jobs" --filter-out 'fuzz.test' \
  "$build"/test/{Tools,Quantization,Dialect,Transforms,Conversion,Pipelines,Sparsity,Target,Import}
echo "sanitizer tests passed"
