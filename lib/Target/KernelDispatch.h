//===- KernelDispatch.h - entry points that pick a kernel variant -*- C++ -*-===//
//
// The object emitter's last step for a module lowered with kernel variants
// (`qt.kernel_variants`): each variant's functions are compiled for that
// variant's instruction set, and each entry point becomes a dispatcher that
// calls the best variant the CPU supports (KernelDispatch.c, linked in as
// bitcode), or returns QOPT_STATUS_NO_KERNEL_VARIANT.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_TARGET_KERNELDISPATCH_H
#define QOPT_LIB_TARGET_KERNELDISPATCH_H

#include "qopt/Support/KernelVariants.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace qopt {

/// Entry-point status codes (docs/driver.md, and the C header's macros).
enum EntryPointStatus : int {
  kStatusOk = 0,
  kStatusInvalidArgument = 1,
  kStatusNoKernelVariant = 2,
};

/// Whether objects for `arch` can hold a dispatcher (x86-64 and AArch64).
bool hasKernelDispatch(llvm::Triple::ArchType arch);

/// Compiles each variant's functions of `module` for its instruction set
/// (plus the `+` features of `extraFeatures`, tuned for `tm`'s CPU), links
/// the dispatch runtime, and defines `<prefix>_<entry>` for every entry and
/// `<prefix>_kernel_variant`, adding their names to `exported`.
llvm::Error addKernelDispatch(llvm::Module &module,
                              const llvm::TargetMachine &tm,
                              llvm::ArrayRef<KernelVariant> variants,
                              llvm::ArrayRef<std::string> entryNames,
                              llvm::StringRef prefix,
                              llvm::StringRef extraFeatures,
                              llvm::StringSet<> &exported);

} // namespace qopt

#endif // QOPT_LIB_TARGET_KERNELDISPATCH_H
