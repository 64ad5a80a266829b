//===- ModelFile.h - what kind of model a file holds ------------*- C++ -*-===//
//
// qopt, qopt-run and qopt-translate take an ONNX file wherever they take
// MLIR: the format is told by content (an ONNX model is a protobuf whose
// first byte is a field tag that MLIR text and bytecode never start with),
// or by the .onnx suffix.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_IMPORT_MODELFILE_H
#define QOPT_IMPORT_MODELFILE_H

#include "qopt/Import/ONNX.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace qopt {

enum class ModelFormat { MLIR, ONNX, Unknown };

/// The format of the file `path` whose bytes are `contents`: Unknown for
/// binary data that is neither ONNX nor MLIR bytecode (a control character
/// or NUL among its first bytes).
ModelFormat detectModelFormat(llvm::StringRef path, llvm::StringRef contents);

/// The one-line error for a file of ModelFormat::Unknown.
std::string unknownModelFormat(llvm::StringRef path);

/// Adds one `--input-shape=name:1x3x48x192` to `options`.
llvm::Error parseInputShape(llvm::StringRef spec, ONNXImportOptions &options);

/// Imports the ONNX model at `path` into a context of its own and prints it
/// as MLIR text with its locations (the ONNX node names), for a tool that
/// parses MLIR. On failure the diagnostics (on stderr) say why and the
/// result is empty.
std::optional<std::string> importONNXAsText(llvm::StringRef path,
                                            const ONNXImportOptions &options);

} // namespace qopt

#endif // QOPT_IMPORT_MODELFILE_H
