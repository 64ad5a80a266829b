//===- qopt-host-features.cpp - what this host can run, for lit -*- C++ -*-===//
//
// Prints what lit gates native tests on, read with LLVM's host-feature API
// (cpuid and the OS's saved register state on x86; never the CPU's name):
//   arch x86_64
//   feature avx2
//   ...
//   variant avx2          (every kernel variant whose instruction set the
//   ...                    host has, as the objects' dispatcher decides)
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/KernelVariants.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

int main() {
  llvm::Triple host(llvm::sys::getProcessTriple());
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  llvm::outs() << "arch " << host.getArchName() << "\n";
  std::vector<std::string> enabled;
  for (const auto &[name, on] : features)
    if (on)
      enabled.push_back(name.str());
  llvm::sort(enabled);
  for (const std::string &name : enabled)
    llvm::outs() << "feature " << name << "\n";
  for (const qopt::KernelVariantInfo &info : qopt::kernelVariants()) {
    if (info.arch != llvm::Triple::UnknownArch && info.arch != host.getArch())
      continue;
    llvm::SmallVector<llvm::StringRef> needs;
    llvm::StringRef(info.needs).split(needs, ',', -1, /*KeepEmpty=*/false);
    bool runs = llvm::all_of(needs, [&](llvm::StringRef f) {
      return !f.consume_front("+") || features.lookup(f);
    });
    // AMX also needs the kernel's permission (as the dispatcher asks it).
    if (runs && info.variant == qopt::KernelVariant::AMX)
      runs = qopt::processMayUseAMX();
    if (runs)
      llvm::outs() << "variant " << info.name << "\n";
  }
  return 0;
}
