//===- OutputFiles.h - write outputs all at once or not at all --*- C++ -*-===//

#ifndef QOPT_SUPPORT_OUTPUTFILES_H
#define QOPT_SUPPORT_OUTPUTFILES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <utility>

namespace qopt {

/// A file to write: its path and its full contents.
struct OutputFile {
  std::string path;
  std::string contents;
};

/// Writes every file to a temporary beside its destination, then renames
/// them all into place, as one unit: on any error no destination is created
/// or changed (temporaries are removed, replaced files put back) and the
/// error names the path. "-" is stdout. A symlink is followed (its target is
/// replaced, the link stays); a device or FIFO is written in place; a
/// directory, or two outputs to one file, is an error (docs/driver.md).
llvm::Error writeOutputFiles(llvm::ArrayRef<OutputFile> files);

/// A pass's JSON report (indented), written as writeOutputFiles does.
llvm::Error writeJSONReport(llvm::StringRef path, llvm::json::Value report);

} // namespace qopt

#endif // QOPT_SUPPORT_OUTPUTFILES_H
