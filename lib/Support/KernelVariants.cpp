//===- KernelVariants.cpp - the kernel variants an object can hold --------===//

#include "qopt/Support/KernelVariants.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cstdlib>
#include <cstring>
#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace qopt;
using llvm::Triple;

// Each variant is compiled for an x86-64 micro-architecture level (a generic
// CPU, never a vendor's) plus the dot-product features its kernels use, so
// that what the dispatcher checks is all the code can execute.
#define kV3 "+avx2,+fma,+bmi,+bmi2,+f16c,+movbe,+lzcnt,+popcnt,+sse4.2"
static const KernelVariantInfo kVariants[] = {
    {KernelVariant::Portable, "portable", Triple::UnknownArch, "", "", "",
     "linalg loops, the architecture's baseline instruction set"},
    {KernelVariant::AVX2, "avx2", Triple::x86_64, "x86-64-v3", "", kV3,
     "x86-64-v3 (AVX2, FMA): vpmovsxbw + vpmaddwd"},
    {KernelVariant::AVXVNNI, "avx-vnni", Triple::x86_64, "x86-64-v3",
     "+avxvnni", kV3 ",+avxvnni", "x86-64-v3 + AVX-VNNI: ymm vpdpbusd"},
    {KernelVariant::AVX512VNNI, "avx512-vnni", Triple::x86_64, "x86-64-v4",
     "+avx512vnni",
     kV3 ",+avx512f,+avx512bw,+avx512cd,+avx512dq,+avx512vl,+avx512vnni",
     "x86-64-v4 (AVX-512 F/BW/CD/DQ/VL) + VNNI: zmm vpdpbusd"},
    // Ice Lake, Zen 4 and later; Cascade Lake has VNNI without VBMI.
    {KernelVariant::AVX512VBMI, "avx512-vbmi", Triple::x86_64, "x86-64-v4",
     "+avx512vnni,+avx512vbmi",
     kV3 ",+avx512f,+avx512bw,+avx512cd,+avx512dq,+avx512vl,+avx512vnni,"
         "+avx512vbmi",
     "avx512-vnni + VBMI: int8 tables on vpermi2b"},
    // Every CPU with AMX also has VBMI.
    {KernelVariant::AMX, "amx", Triple::x86_64, "x86-64-v4",
     "+avx512vnni,+avx512vbmi,+amx-tile,+amx-int8,+amx-bf16",
     kV3 ",+avx512f,+avx512bw,+avx512cd,+avx512dq,+avx512vl,+avx512vnni,"
         "+avx512vbmi,+amx-tile,+amx-int8,+amx-bf16",
     "avx512-vbmi + AMX-INT8/BF16: tdpbssd / tdpbf16ps tiles for layers of 2+ rows, "
     "32+ columns, one K tile"},
    {KernelVariant::Neon, "neon", Triple::aarch64, "generic", "+neon", "+neon",
     "AArch64 NEON: smull pairs"},
    {KernelVariant::NeonDotprod, "neon-dotprod", Triple::aarch64, "generic",
     "+neon,+dotprod",
     "+neon,+dotprod", "AArch64 dotprod: sdot"},
    {KernelVariant::NeonI8mm, "neon-i8mm", Triple::aarch64, "generic",
     "+neon,+dotprod,+i8mm",
     "+neon,+dotprod,+i8mm", "AArch64 i8mm: smmla (and sdot)"},
};
#undef kV3

llvm::ArrayRef<KernelVariantInfo> qopt::kernelVariants() { return kVariants; }

const KernelVariantInfo &qopt::kernelVariantInfo(KernelVariant variant) {
  for (const KernelVariantInfo &info : kVariants)
    if (info.variant == variant)
      return info;
  llvm_unreachable("not a kernel variant");
}

llvm::StringRef qopt::kernelVariantName(KernelVariant variant) {
  if (variant == KernelVariant::All)
    return "all";
  return kernelVariantInfo(variant).name;
}

std::optional<KernelVariant> qopt::parseKernelVariant(llvm::StringRef name) {
  if (name == "all")
    return KernelVariant::All;
  for (const KernelVariantInfo &info : kVariants)
    if (name == info.name)
      return info.variant;
  return std::nullopt;
}

std::string qopt::kernelVariantNames() {
  std::string names;
  for (const KernelVariantInfo &info : kVariants)
    names += std::string(info.name) + ", ";
  return names + "all";
}

KernelTarget qopt::kernelTarget(KernelVariant variant, Triple::ArchType arch) {
  const KernelVariantInfo &info = kernelVariantInfo(variant);
  if (variant == KernelVariant::Portable)
    return arch == Triple::x86_64 ? KernelTarget{"x86-64", ""}
                                  : KernelTarget{"generic", ""};
  return {info.cpu, info.features};
}

llvm::Expected<llvm::SmallVector<KernelVariant>>
qopt::resolveKernelVariants(llvm::ArrayRef<KernelVariant> list,
                            Triple::ArchType arch) {
  if (list.empty())
    return llvm::createStringError(
        "kernels= lists no kernel variant (expected one or more of " +
        kernelVariantNames() + ")");
  llvm::SmallVector<KernelVariant> out;
  auto add = [&](KernelVariant v) {
    if (!llvm::is_contained(out, v))
      out.push_back(v);
  };
  for (KernelVariant v : list) {
    if (v == KernelVariant::All) {
      for (const KernelVariantInfo &info : kVariants)
        if (info.arch == Triple::UnknownArch || info.arch == arch)
          add(info.variant);
      continue;
    }
    const KernelVariantInfo &info = kernelVariantInfo(v);
    if (info.arch != Triple::UnknownArch && info.arch != arch) {
      std::string accepted;
      for (const KernelVariantInfo &i : kVariants)
        if (i.arch == Triple::UnknownArch || i.arch == arch)
          accepted += std::string(i.name) + ", ";
      return llvm::createStringError(
          "kernel variant '" + std::string(info.name) + "' is for " +
          Triple::getArchTypeName(info.arch).str() + ", not " +
          (arch == Triple::UnknownArch
               ? std::string("this target")
               : Triple::getArchTypeName(arch).str()) +
          " (expected " + accepted + "all)");
    }
    add(v);
  }
  llvm::sort(out, [](KernelVariant a, KernelVariant b) {
    return static_cast<int>(a) < static_cast<int>(b);
  });
  return out;
}

llvm::Expected<llvm::SmallVector<KernelVariant>>
qopt::parseKernelVariantList(llvm::StringRef list) {
  llvm::SmallVector<KernelVariant> out;
  for (llvm::StringRef name : llvm::split(list, ',')) {
    name = name.trim();
    if (name.empty())
      continue;
    std::optional<KernelVariant> v = parseKernelVariant(name);
    if (!v)
      return llvm::createStringError("unknown kernel variant '" + name.str() +
                                     "' (expected " + kernelVariantNames() +
                                     ")");
    out.push_back(*v);
  }
  return out;
}

std::optional<KernelVariant> qopt::permissionFallback(KernelVariant variant) {
  if (variant == KernelVariant::AMX)
    return KernelVariant::AVX512VBMI;
  return std::nullopt;
}

bool qopt::processMayUseAMX() {
  static const bool permitted = [] {
    const char *deny = std::getenv("QOPT_DENY_AMX");
    if (deny && *deny && std::strcmp(deny, "0") != 0)
      return false;
#if defined(__linux__) && defined(__x86_64__)
    constexpr long kReqXCompPerm = 0x1023, kXFeatureXTileData = 18;
    return syscall(SYS_arch_prctl, kReqXCompPerm, kXFeatureXTileData) == 0;
#else
    return false;
#endif
  }();
  return permitted;
}
