#!/usr/bin/env python3
"""Checks that qopt's CMake link graph follows its layers.

Reads every CMakeLists.txt under lib/, tools/ and unittests/ for the qopt
targets they define and the qopt libraries they link (target_link_libraries,
mlir_target_link_libraries, LINK_LIBS), and fails when a target links one of
a layer above its own, or one of its own layer that LAYER_PEERS does not
allow. A target this script does not know is an error too: a new library
takes a place in LAYERS (and docs/design.md, "Layers") when it is added.

    scripts/check-layering.py [SOURCE_DIR]      exit 0: the layering holds
"""
import pathlib
import re
import sys

# Lowest first; a target may link the layers below its own.
LAYERS = [
    ("support", ["QOptSupport", "QOptReference", "QOptWeightStorage"]),
    # What a compiled model offers its users (no compiler: that registers).
    ("compiled-model interface", ["QOptModel"]),
    ("dialect", ["QOptQTDialect"]),
    # Builders the conversions share (no patterns, no passes).
    ("conversion utilities", ["QOptConversionUtils"]),
    ("transforms and conversions",
     ["QOptTransforms", "QOptQTToLinalg", "QOptPackedKernels"]),
    # Passes and pipelines beside each other: quantization compiles models
    # through the CompiledModel interface (support), not the JIT.
    ("passes and pipelines",
     ["QOptQuantization", "QOptSparsity", "QOptONNXImport", "QOptPipelines",
      "QOptTarget"]),
    # The JIT lowers with the pipelines; registered by QOptInitAll.
    ("execution", ["QOptExecution"]),
    ("registration", ["QOptInitAll"]),
    ("tools and tests",
     ["qopt", "qopt-run", "qopt-translate", "QOptDialectPlugin",
      "QOptPassPlugin", "QOptUnitTests", "qopt-fuzz-npz", "qopt-fuzz-onnx",
      "qopt-fuzz-mlir", "qopt-fuzz-qt", "qopt-host-features", "qt-testgen"]),
]
# Links allowed inside one layer (none today).
LAYER_PEERS = set()

DEFINE = re.compile(
    r"\b(?:add_mlir_library|add_mlir_dialect_library|add_llvm_library|"
    r"add_llvm_executable|add_executable|add_library|add_mlir_tool|"
    r"add_llvm_tool|add_qopt_tool)\s*\(\s*([A-Za-z0-9_-]+)")
LINK = re.compile(
    r"\b(?:mlir_)?target_link_libraries\s*\(\s*([A-Za-z0-9_-]+)([^)]*)\)", re.S)
LINK_LIBS = re.compile(
    r"\b(?:add_mlir_library|add_mlir_dialect_library)\s*\(\s*([A-Za-z0-9_-]+)"
    r"([^)]*)\)", re.S)
QOPT_LIB = re.compile(r"\bQOpt[A-Za-z0-9]+\b")


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parent.parent)
    layer_of = {t: i for i, (_, ts) in enumerate(LAYERS) for t in ts}
    defined, edges = set(), set()
    for d in ("lib", "tools", "unittests"):
        for cmake in sorted((root / d).rglob("CMakeLists.txt")):
            text = re.sub(r"#[^\n]*", "", cmake.read_text())
            defined.update(m.group(1) for m in DEFINE.finditer(text))
            for m in LINK.finditer(text):
                edges.update((m.group(1), dep, cmake) for dep in QOPT_LIB.findall(m.group(2)))
            for m in LINK_LIBS.finditer(text):
                body = m.group(2)
                if "LINK_LIBS" in body:
                    libs = body.split("LINK_LIBS", 1)[1]
                    edges.update((m.group(1), dep, cmake) for dep in QOPT_LIB.findall(libs))
    errors = []
    for target in sorted(defined):
        if target not in layer_of:
            errors.append(f"{target}: not in a layer (scripts/check-layering.py LAYERS)")
    for user, dep, cmake in sorted(edges, key=lambda e: (e[0], e[1])):
        if user == dep or user not in layer_of or dep not in layer_of:
            if dep not in layer_of and dep.startswith("QOpt"):
                errors.append(f"{cmake.relative_to(root)}: {user} links {dep}, which is in no layer")
            continue
        lu, ld = layer_of[user], layer_of[dep]
        if ld > lu or (ld == lu and (user, dep) not in LAYER_PEERS):
            errors.append(
                f"{cmake.relative_to(root)}: {user} ({LAYERS[lu][0]}) links {dep} "
                f"({LAYERS[ld][0]}): a layer may link only the layers below it")
    for e in errors:
        print("error: " + e)
    print(f"{len(defined)} targets, {len(edges)} links to qopt libraries, "
          f"{len(errors)} layering errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
