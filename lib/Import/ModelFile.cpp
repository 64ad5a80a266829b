//===- ModelFile.cpp - what kind of model a file holds ----------*- C++ -*-===//

#include "qopt/Import/ModelFile.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace qopt;

ModelFormat qopt::detectModelFormat(llvm::StringRef path,
                                    llvm::StringRef contents) {
  if (llvm::sys::path::extension(path).equals_insensitive(".onnx"))
    return ModelFormat::ONNX;
  // ModelProto's first field is ir_version (tag 0x08); producer_name (0x12)
  // or producer_version (0x1a) when a writer leaves it out. All three are
  // control characters, which MLIR text does not start with, and MLIR
  // bytecode starts with "ML\xefR".
  if (!contents.empty()) {
    unsigned char first = contents.front();
    if (first == 0x08 || first == 0x12 || first == 0x1a)
      return ModelFormat::ONNX;
  }
  if (contents.starts_with("ML\xefR"))
    return ModelFormat::MLIR;
  // Text has no control characters but tab, newline, form feed and carriage
  // return; the MLIR parser would quote binary bytes back at the user.
  for (unsigned char c : contents.take_front(4096))
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') ||
        c == 0x7f)
      return ModelFormat::Unknown;
  return ModelFormat::MLIR;
}

std::string qopt::unknownModelFormat(llvm::StringRef path) {
  return ("'" + path +
          "' is neither MLIR (text or bytecode) nor an ONNX model (binary "
          "data that is not an ONNX protobuf)")
      .str();
}

llvm::Error qopt::parseInputShape(llvm::StringRef spec,
                                  ONNXImportOptions &options) {
  auto bad = [&] {
    return llvm::createStringError("--input-shape=" + spec +
                                   ": expected name:1x3x48x192");
  };
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty() || name == spec)
    return bad();
  std::vector<int64_t> shape;
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d <= 0)
      return bad();
    shape.push_back(d);
  }
  options.inputShapes[name.str()] = shape;
  return llvm::Error::success();
}

std::optional<std::string>
qopt::importONNXAsText(llvm::StringRef path, const ONNXImportOptions &options) {
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module = importONNX(path, &context, options);
  if (!module)
    return std::nullopt;
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
  return text;
}
