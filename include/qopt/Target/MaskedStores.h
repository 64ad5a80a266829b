//===- MaskedStores.h - one-lane masked stores as scalar stores --*- C++ -*-===//
//
// LLVM 22's x86 back end miscompiles a masked store whose constant mask
// enables exactly one lane when the stored vector is a truncation (AVX-512
// folds the truncation into the store): the lane is stored at its
// untruncated width, so `trunc <16 x i32> to <16 x i8>` + a one-lane
// masked store writes 4 bytes instead of 1 and clobbers the 3 after it
// (unittests/Target/MaskedStoresTest.cpp shows it). Such stores are
// what a vector kernel's last column writes when N = 16k + 1.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_MASKEDSTORES_H
#define QOPT_TARGET_MASKEDSTORES_H

namespace llvm {
class Module;
} // namespace llvm

namespace qopt {

/// Replaces every `llvm.masked.store` whose mask is a constant with exactly
/// one lane set by a scalar store of that lane (what the back end means to
/// emit anyway). Run after the optimization pipeline, right before code
/// generation. Returns how many stores were replaced.
unsigned scalarizeOneLaneMaskedStores(llvm::Module &module);

} // namespace qopt

#endif // QOPT_TARGET_MASKEDSTORES_H
