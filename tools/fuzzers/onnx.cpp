//===- onnx.cpp - libFuzzer target: the ONNX importer ---------------------===//
//
// Any bytes as a model file: a module or diagnostics, never a crash or a
// sanitizer report. The importer reads files (external data is resolved
// beside the model), so each input is written to a private folder first.
//
//===----------------------------------------------------------------------===//

#include "qopt/Import/ONNX.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

static std::string modelPath() {
  static std::string path = [] {
    llvm::SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("qopt-fuzz-onnx", dir))
      abort();
    return (dir + "/model.onnx").str();
  }();
  return path;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(modelPath(), ec);
    if (ec)
      abort();
    os.write(reinterpret_cast<const char *>(data), size);
  }
  // The importer loads the dialects it writes.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) {
    return mlir::success();
  });
  (void)qopt::importONNX(modelPath(), &context, qopt::ONNXImportOptions());
  return 0;
}
