//===- KernelVariants.h - the kernel variants an object can hold -*- C++ -*-===//
//
// The one list of kernel variants (`--lower-to-llvm="kernels=..."`): their
// names, the architecture each belongs to, and the instruction set each is
// compiled for — which is exactly what the object's dispatcher checks on the
// CPU at run time before calling it (lib/Target/Runtime/KernelDispatch.c).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_KERNELVARIANTS_H
#define QOPT_SUPPORT_KERNELVARIANTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/TargetParser/Triple.h"

#include <optional>
#include <string>

namespace qopt {

/// A kernel variant, weakest first within each architecture. The numeric
/// values are the run-time requirement codes of KernelDispatch.c.
enum class KernelVariant : int {
  Portable = 0,    ///< linalg loops; the architecture's baseline ISA
  AVX2 = 1,        ///< x86-64-v3: vpmaddwd kernels
  AVXVNNI = 2,     ///< x86-64-v3 + AVX-VNNI: ymm vpdpbusd
  AVX512VNNI = 3,  ///< x86-64-v4 + AVX-512 VNNI: zmm vpdpbusd
  AVX512VBMI = 4,  ///< + AVX-512 VBMI: tables on vpermi2b
  AMX = 5,         ///< + AMX-INT8: tdpbssd tiles (and the OS's permission)
  Neon = 16,       ///< AArch64 baseline NEON (smull)
  NeonDotprod = 17,///< + dotprod (sdot)
  NeonI8mm = 18,   ///< + i8mm (smmla)
  All = 255,       ///< not a variant: every variant of the target
};

/// What a variant is compiled for and what the dispatcher checks.
struct KernelVariantInfo {
  KernelVariant variant;
  /// The name users type and `<stem>_kernel_variant()` returns.
  const char *name;
  /// The architecture, or UnknownArch for `portable` (any).
  llvm::Triple::ArchType arch;
  /// LLVM CPU and features the variant's functions are compiled for
  /// (`portable`'s depend on the architecture: see kernelTarget).
  const char *cpu;
  const char *features;
  /// LLVM features a target machine must have for the variant to be the
  /// one derived from it (the same set KernelDispatch.c checks at run time).
  const char *needs;
  const char *summary;
};

/// Every variant, weakest first per architecture (without `all`).
llvm::ArrayRef<KernelVariantInfo> kernelVariants();
const KernelVariantInfo &kernelVariantInfo(KernelVariant variant);
llvm::StringRef kernelVariantName(KernelVariant variant);
std::optional<KernelVariant> parseKernelVariant(llvm::StringRef name);
/// "portable, avx2, ..., all", for messages.
std::string kernelVariantNames();

/// The CPU and feature string `variant`'s code is compiled for on `arch`.
struct KernelTarget {
  std::string cpu;
  std::string features;
};
KernelTarget kernelTarget(KernelVariant variant, llvm::Triple::ArchType arch);

/// Expands `all`, drops duplicates and sorts weakest first. Fails with a
/// message naming the accepted names for an empty list, and for a variant
/// of another architecture than `arch`.
llvm::Expected<llvm::SmallVector<KernelVariant>>
resolveKernelVariants(llvm::ArrayRef<KernelVariant> list,
                      llvm::Triple::ArchType arch);

/// The variant that must come along with `variant` because running it also
/// needs the operating system's permission, which may be refused (amx:
/// avx512-vnni); nothing for the others.
std::optional<KernelVariant> permissionFallback(KernelVariant variant);

/// Whether this process may execute AMX tile instructions: Linux grants
/// tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM), which this
/// makes once; false off x86-64 Linux, when the kernel refuses, and when
/// QOPT_DENY_AMX is set to anything but 0 (what the objects' dispatcher
/// does too, to test the fallback). The CPU's own support is not checked.
bool processMayUseAMX();

/// Parses a comma-separated list of names ("avx2,avx512-vnni", "all").
llvm::Expected<llvm::SmallVector<KernelVariant>>
parseKernelVariantList(llvm::StringRef list);

} // namespace qopt

#endif // QOPT_SUPPORT_KERNELVARIANTS_H
