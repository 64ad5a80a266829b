//===- LowerKernelVariants.h - one lowering per kernel variant --*- C++ -*-===//
//
// What `--lower-to-llvm="kernels=a,b,..."` runs when it lists several
// variants: the module is lowered once per variant (in a nested module, by
// the single-variant pipeline) and the results merged back, each variant's
// symbols suffixed `.<variant>`. Constants the variants share (identical
// globals) are kept once. The object emitter then compiles each variant for
// its instruction set and adds the dispatching entry points.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_PIPELINES_LOWERKERNELVARIANTS_H
#define QOPT_LIB_PIPELINES_LOWERKERNELVARIANTS_H

#include "qopt/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace qopt {

class LowerKernelVariantsPass
    : public mlir::PassWrapper<LowerKernelVariantsPass,
                               mlir::OperationPass<mlir::ModuleOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerKernelVariantsPass)

  LowerKernelVariantsPass(const LowerToLLVMOptions &options,
                          llvm::ArrayRef<KernelVariant> variants);
  /// A pass that only reports `error` (an invalid kernels= list).
  LowerKernelVariantsPass(const LowerToLLVMOptions &options,
                          std::string error);

  llvm::StringRef getArgument() const override {
    return "qt-lower-kernel-variants";
  }
  llvm::StringRef getDescription() const override {
    return "Lower the module once per kernel variant and merge the results";
  }
  void getDependentDialects(mlir::DialectRegistry &registry) const override;
  void runOnOperation() override;

private:
  std::shared_ptr<LowerToLLVMOptions> options;
  llvm::SmallVector<KernelVariant> variants;
  std::string error;
};

} // namespace qopt

#endif // QOPT_LIB_PIPELINES_LOWERKERNELVARIANTS_H
