//===- ThreadLocalWorkspace.cpp - one workspace per thread ------*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace qopt {
#define GEN_PASS_DEF_QTTHREADLOCALWORKSPACE
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

struct QTThreadLocalWorkspace
    : qopt::impl::QTThreadLocalWorkspaceBase<QTThreadLocalWorkspace> {
  void runOnOperation() override {
    // Pattern: llvm.mlir.global @__qt_workspace_* -> ... thread_local
    getOperation().walk([](LLVM::GlobalOp global) {
      if (global.getSymName().starts_with("__qt_workspace_"))
        global.setThreadLocal_(true);
    });
  }
};

} // namespace
