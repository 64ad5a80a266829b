//===- ToolOptions.h - --version and a short --help for the tools -*- C++ -*-===//
//
// qopt's tools link LLVM's and MLIR's libraries, whose hundreds of options
// (backends, instcombine...) would bury the tool's own in --help. The
// tools show their own options there and leave the rest to --help-hidden.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_TOOLOPTIONS_H
#define QOPT_SUPPORT_TOOLOPTIONS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

namespace qopt {

/// qopt's version (the CMake project's).
llvm::StringRef version();

/// `--version` prints `tool`'s and qopt's version, the LLVM and MLIR version
/// it was built with and the default target (triple and host CPU).
void setVersionPrinter(llvm::StringRef tool);

/// Hides from --help every registered option that is neither in `category`
/// nor one of the help and version options; --help-hidden still lists them.
void hideOtherOptions(const llvm::cl::OptionCategory &category);

} // namespace qopt

#endif // QOPT_SUPPORT_TOOLOPTIONS_H
