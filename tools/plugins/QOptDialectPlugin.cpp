//===- QOptDialectPlugin.cpp - the qt dialect for mlir-opt ------*- C++ -*-===//
//
// `mlir-opt-22 --load-dialect-plugin=libQOptDialectPlugin.so` makes the host
// tool parse, verify and print `qt` ops.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QT/IR/QTDialect.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QOptDialect", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            registry->insert<qopt::qt::QTDialect>();
          }};
}
