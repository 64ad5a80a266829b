//===- ModelRunner.h - JIT-compile and run a model --------------*- C++ -*-===//
//
// Compiles any stage of a model (float TOSA, calibrated, quantized) with the
// same --lower-to-llvm pipeline and LLVM -O3 as `qopt -o model.o`, JIT-loads
// it with MLIR's ExecutionEngine (ORC) and calls its entry points on
// caller-provided buffers. Used by qopt-run and by calibration.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_EXECUTION_MODELRUNNER_H
#define QOPT_EXECUTION_MODELRUNNER_H

#include "qopt/Execution/CompiledModel.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace qopt {

/// The JIT: lowers a clone of the module with the same --lower-to-llvm
/// pipeline as `qopt -o model.o` and loads it with MLIR's ExecutionEngine.
class ModelRunner : public CompiledModel {
public:
  /// Lowers a clone of `module` and JIT-compiles it for the host at LLVM
  /// -O`optLevel` (that of `qopt -o` by default). Errors are reported as
  /// diagnostics on the module's context.
  static llvm::Expected<std::unique_ptr<ModelRunner>>
  create(mlir::ModuleOp module, llvm::ArrayRef<SymbolBinding> symbols = {},
         unsigned optLevel = 3);
  ~ModelRunner() override;

  const std::vector<EntryPoint> &entryPoints() const override { return entries; }
  llvm::Error run(const EntryPoint &entry, llvm::ArrayRef<const void *> inputs,
                  llvm::ArrayRef<void *> outputs) override;

private:
  ModelRunner() = default;
  std::unique_ptr<llvm::TargetMachine> targetMachine;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::vector<EntryPoint> entries;
  llvm::StringMap<void (*)(void **)> packedFunctions;
};

/// Registers ModelRunner as the compiler of compileModel().
void registerModelJIT();

} // namespace qopt

#endif // QOPT_EXECUTION_MODELRUNNER_H
