//===- OpSelection.h - ops named on the command line ------------*- C++ -*-===//

#ifndef QOPT_SUPPORT_OPSELECTION_H
#define QOPT_SUPPORT_OPSELECTION_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace qopt {

/// Whether an `exclude=`-style entry names `op`: its op name
/// (`tosa.conv2d`), or a piece of its printed location (`model.mlir:12`, a
/// name location such as an ONNX node's).
inline bool opMatchesSelector(mlir::Operation *op, llvm::StringRef entry) {
  if (op->getName().getStringRef() == entry)
    return true;
  std::string loc;
  llvm::raw_string_ostream os(loc);
  op->getLoc().print(os);
  // File locations print with the file name quoted; match them unquoted
  // too, as `model.mlir:12:5`.
  op->getLoc()->walk([&](mlir::Location l) {
    if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(l))
      os << ' ' << file.getFilename().getValue() << ':' << file.getLine() << ':'
         << file.getColumn();
    return mlir::WalkResult::advance();
  });
  return llvm::StringRef(loc).contains(entry);
}

} // namespace qopt

#endif // QOPT_SUPPORT_OPSELECTION_H
