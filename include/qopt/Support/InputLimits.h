//===- InputLimits.h - limits on what qopt reads ----------------*- C++ -*-===//
//
// Inputs come from strangers: what a file declares is checked against these
// limits before qopt acts on it (docs/driver.md, "Limits").
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_INPUTLIMITS_H
#define QOPT_SUPPORT_INPUTLIMITS_H

#include "llvm/Support/LogicalResult.h"
#include "llvm/Support/SourceMgr.h"

namespace qopt {

/// The deepest nesting of brackets and regions qopt parses in MLIR text.
/// MLIR's parser recurses once per level and overflows an 8 MB stack
/// between 2,000 (regions) and 8,000 (attribute arrays) levels; models nest
/// a few dozen.
inline constexpr unsigned kMaxNestingDepth = 512;

/// Fails, with `file:line:col` of the first bracket beyond `limit`, if the
/// MLIR text of buffer `id` of `sourceMgr` nests brackets (`{[(<`) deeper.
/// Strings and comments are skipped; bytecode is not checked.
llvm::LogicalResult checkNestingDepth(llvm::SourceMgr &sourceMgr, unsigned id = 1,
                                      unsigned limit = kMaxNestingDepth);

} // namespace qopt

#endif // QOPT_SUPPORT_INPUTLIMITS_H
