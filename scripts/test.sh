#!/usr/bin/env bash
# Builds qopt and runs every test (lit and GoogleTest, each a CTest test);
# the output ends with CTest's summary. .ci/run calls this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$build"
ctest -j"${QOPT_JOBS:-2}" --output-on-failure
