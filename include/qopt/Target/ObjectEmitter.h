//===- ObjectEmitter.h - LLVM dialect to objects and C headers --*- C++ -*-===//
//
// The last step of `qopt --lower-to-llvm ... -o model.o`: translate the LLVM
// dialect to LLVM IR, optimize it for the chosen target and write an object
// file (or LLVM IR / assembly), plus the C header declaring the entry points
// that `qt-mark-entry-points` recorded.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_OBJECTEMITTER_H
#define QOPT_TARGET_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "qopt/Support/KernelVariants.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace qopt {

/// What to build code for. Empty strings mean the host (triple, CPU and, for
/// a host CPU, its features).
struct TargetSpec {
  std::string triple;
  std::string cpu;
  std::string features;
};

/// The kinds of output the driver writes.
enum class EmitKind { MLIR, LLVM, Asm, Obj };

/// Creates a position-independent target machine at -O3 for `spec`, or
/// returns a message naming what LLVM does not know (triple, CPU or feature).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &spec);

/// The best kernel variant `tm` can run: the strongest of its architecture
/// whose instruction set (KernelVariantInfo::needs) `tm` has, else portable.
/// createTargetMachine rejects a --mattr that enables a dot instruction
/// these kernels then cannot use.
KernelVariant bestKernelVariant(const llvm::TargetMachine &tm);

/// Translates `module` (LLVM dialect) to LLVM IR for `tm`, renames each
/// recorded entry point `f` to `<prefix>_f`, and runs LLVM's -O3 pipeline.
/// A module lowered with kernel variants (`qt.kernel_variants`) has each
/// variant compiled for its instruction set (plus the `+` features of
/// `extraFeatures`), and `<prefix>_f` dispatches at run time
/// (lib/Target/KernelDispatch.h).
/// Diagnostics go to the module's context.
mlir::FailureOr<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                     llvm::TargetMachine &tm, llvm::StringRef prefix,
                    llvm::StringRef extraFeatures = "");

/// Writes `module` as textual IR, assembly or an object file.
mlir::LogicalResult emitCode(llvm::Module &module, llvm::TargetMachine &tm,
                             EmitKind kind, llvm::raw_pwrite_stream &os);

/// Writes the C header for the entry points recorded in `module`'s
/// `qt.entry_points` attribute, each named `<prefix>_<function>`.
mlir::LogicalResult writeCHeader(mlir::ModuleOp module, llvm::StringRef prefix,
                                 llvm::StringRef sourceName,
                                 llvm::raw_ostream &os);

/// Turns a file stem into a C identifier (`my-model` -> `my_model`).
std::string toCIdentifier(llvm::StringRef stem);

} // namespace qopt

#endif // QOPT_TARGET_OBJECTEMITTER_H
