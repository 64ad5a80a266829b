//===- ONNX.h - ONNX models to TOSA MLIR ------------------------*- C++ -*-===//

#ifndef QOPT_IMPORT_ONNX_H
#define QOPT_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace qopt {

struct ONNXImportOptions {
  /// Static shapes for graph inputs whose dimensions are not fixed in the
  /// file (`--input-shape=name:1x3x48x192`).
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

/// Reads the ONNX model at `path`, checks it with ONNX's checker and shape
/// inference, and writes it as one TOSA 1.0 `func.func @main` whose
/// arguments and results carry the graph's input and output names
/// (`qt.name`), with initializers and Constant nodes as dense constants and
/// locations that name the ONNX node. On failure emits diagnostics (naming
/// the node, op type and opset) and returns null.
mlir::OwningOpRef<mlir::ModuleOp> importONNX(llvm::StringRef path,
                                             mlir::MLIRContext *context,
                                             const ONNXImportOptions &options);

/// An ONNX op type the importer knows: the opsets it imports it from and
/// to, and the family of ops its handler belongs to ("graph": folded at
/// import, never a node of the output).
struct ONNXOpSupport {
  std::string opType;
  int64_t minOpset, maxOpset;
  std::string family;
};
/// The importer's op registry, sorted by op type.
std::vector<ONNXOpSupport> supportedONNXOps();

} // namespace qopt

#endif // QOPT_IMPORT_ONNX_H
