//===- mlir.cpp - libFuzzer target: MLIR in, --quantize-int8 --lower-to-llvm -===//
//
// Any text: parsed (after qopt's nesting limit), verified, and if it
// verifies quantized and lowered as `qopt --quantize-int8 --lower-to-llvm`
// would. Failures are diagnostics; a crash, an assertion or a sanitizer
// report is a finding ("a pass never crashes on IR that verifies").
//
//===----------------------------------------------------------------------===//

#include "qopt/InitAll.h"
#include "qopt/Support/InputLimits.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>

/// Inputs above this size are parsed and verified only: the pipeline's
/// cost grows with the model, and small inputs reach the same code.
constexpr size_t kMaxPipelineInput = 4096;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  qopt::registerAllPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size), "input.mlir"),
      llvm::SMLoc());
  if (mlir::failed(qopt::checkNestingDepth(sourceMgr)))
    return 0;
  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) {
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || mlir::failed(mlir::verify(*module)) || size > kMaxPipelineInput)
    return 0;
  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline(
          "builtin.module(quantize-int8,lower-to-llvm)", pm)))
    abort();
  (void)pm.run(*module);
  return 0;
}
