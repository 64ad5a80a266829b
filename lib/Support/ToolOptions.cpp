//===- ToolOptions.cpp - --version and a short --help -----------*- C++ -*-===//

#include "qopt/Support/ToolOptions.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

llvm::StringRef qopt::version() { return QOPT_VERSION; }

void qopt::setVersionPrinter(llvm::StringRef tool) {
  std::string name = tool.str();
  llvm::cl::SetVersionPrinter([name](llvm::raw_ostream &os) {
    os << name << " (qopt) " << qopt::version() << "\n"
       << "  built with LLVM and MLIR " << LLVM_VERSION_STRING << "\n"
       << "  default target: " << llvm::sys::getDefaultTargetTriple()
       << ", host CPU: " << llvm::sys::getHostCPUName() << "\n";
  });
}

void qopt::hideOtherOptions(const llvm::cl::OptionCategory &category) {
  for (auto &entry : llvm::cl::getRegisteredOptions()) {
    llvm::cl::Option *option = entry.second;
    llvm::StringRef name = entry.first;
    if (name == "help" || name == "help-hidden" || name == "version")
      continue;
    if (llvm::is_contained(option->Categories, &category))
      continue;
    if (option->getOptionHiddenFlag() == llvm::cl::NotHidden)
      option->setHiddenFlag(llvm::cl::Hidden);
  }
}
