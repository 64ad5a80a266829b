//===- QOptPassPlugin.cpp - qopt's passes for mlir-opt ----------*- C++ -*-===//
//
// `mlir-opt-22 --load-pass-plugin=libQOptPassPlugin.so` registers qopt's
// passes and pipelines (e.g. --lower-to-llvm) with the host tool.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QOptPasses", LLVM_VERSION_STRING, [] {
            qopt::registerQOptConversionPasses();
            qopt::registerQOptTransformsPasses();
            qopt::registerPipelines();
          }};
}
