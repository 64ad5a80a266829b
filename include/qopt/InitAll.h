//===- InitAll.h - what qopt's tools register -------------------*- C++ -*-===//
//
// One place that lists the dialects, interfaces, passes and translations the
// qopt tools need: upstream's model dialects and their lowering targets, plus
// qopt's own. Kept out of the tools so that registration compiles once.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_INITALL_H
#define QOPT_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace qopt {

/// Dialects qopt reads, produces or lowers through, with the external
/// interface models (bufferization, tiling, ...) their passes need.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Translations from the LLVM-family dialects to LLVM IR.
void registerAllToLLVMIRTranslations(mlir::DialectRegistry &registry);

/// qopt's passes and pipelines, and the upstream passes its pipelines use.
void registerAllPasses();

} // namespace qopt

#endif // QOPT_INITALL_H
