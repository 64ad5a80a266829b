#!/usr/bin/env bash
# Builds qopt and runs every test: a short fuzzing run of the file readers
# and the unit and compiler tests under ASan + UBSan (build-fuzz/), then lit
# and GoogleTest, each a CTest test; the output ends with CTest's summary.
# .ci/run calls this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# The .npz reader, the ONNX importer and the qt ops (verifiers, lowering)
# under libFuzzer, ASan and UBSan: a
# fixed number of inputs from a fixed seed (scripts/fuzz.sh runs longer).
QOPT_FUZZ_RUNS=100000 "$root/scripts/fuzz.sh" 0 npz
QOPT_FUZZ_RUNS=600 "$root/scripts/fuzz.sh" 0 onnx
QOPT_FUZZ_RUNS=3000 "$root/scripts/fuzz.sh" 0 qt
# The unit tests and the compiler's lit tests under ASan + UBSan (same build).
"$root/scripts/sanitizer-tests.sh"
cd "$build"
ctest -j"${QOPT_JOBS:-2}" --output-on-failure
