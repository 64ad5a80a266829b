//===- OutlineLoops.h - one function per top-level loop ----------*- C++ -*-===//

#ifndef QOPT_TARGET_OUTLINELOOPS_H
#define QOPT_TARGET_OUTLINELOOPS_H

namespace llvm {
class Module;
} // namespace llvm

namespace qopt {

/// Moves every top-level loop of each function with at least `minLoops` of
/// them into a private function that is never inlined, so that LLVM's
/// optimizations, whose cost grows faster than linearly with a function's
/// size, see small functions. Returns how many loops were moved.
unsigned outlineTopLevelLoops(llvm::Module &module, unsigned minLoops);

/// Below this many loops a function compiles fast as it is, and a kernel
/// stays one function.
constexpr unsigned kOutlineMinLoops = 8;

} // namespace qopt

#endif // QOPT_TARGET_OUTLINELOOPS_H
