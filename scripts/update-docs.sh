#!/usr/bin/env bash
# Regenerates docs/generated/ from the ODS definitions (dialect ops, passes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QOPT_BUILD_DIR:-$root/build}
ninja -C "$build" mlir-doc
mkdir -p "$root/docs/generated"
cp "$build/docs/Dialects/QTDialect.md" "$root/docs/generated/QTDialect.md"
cp "$build/docs/Passes/QOptTransformsPasses.md" "$root/docs/generated/Passes.md"
cp "$build/docs/Passes/QOptConversionPasses.md" "$root/docs/generated/ConversionPasses.md"
cp "$build/docs/Passes/QOptQuantizationPasses.md" "$root/docs/generated/QuantizationPasses.md"
cp "$build/docs/Passes/QOptSparsityPasses.md" "$root/docs/generated/SparsityPasses.md"
echo "updated $root/docs/generated"
