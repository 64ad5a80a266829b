//===- StaticWorkspace.cpp - temporaries in static storage ------*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace qopt {
#define GEN_PASS_DEF_QTSTATICWORKSPACE
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

struct QTStaticWorkspace
    : qopt::impl::QTStaticWorkspaceBase<QTStaticWorkspace> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<memref::AllocOp> allocs;
      // Only allocations of the function body proper: one per call.
      for (Operation &op : func.getBody().front())
        if (auto alloc = dyn_cast<memref::AllocOp>(op))
          if (alloc.getType().hasStaticShape() &&
              alloc.getType().getLayout().isIdentity() &&
              alloc.getDynamicSizes().empty() && alloc.getSymbolOperands().empty())
            allocs.push_back(alloc);
      // Pattern: %t = memref.alloc() : T
      //   -> memref.global "private" @__qt_workspace_f_n : T (uninitialized)
      //      %t = memref.get_global @__qt_workspace_f_n : T
      for (auto [i, alloc] : llvm::enumerate(allocs)) {
        OpBuilder b(module.getBodyRegion());
        b.setInsertionPointToStart(module.getBody());
        MemRefType type = alloc.getType();
        std::string name =
            ("__qt_workspace_" + func.getSymName() + "_" + Twine(i)).str();
        auto global = memref::GlobalOp::create(
            b, alloc.getLoc(), name, b.getStringAttr("private"), type,
            b.getUnitAttr(), /*constant=*/false,
            b.getI64IntegerAttr(std::max<int64_t>(64, alloc.getAlignment().value_or(0))));
        symbols.insert(global);
        b.setInsertionPoint(alloc);
        Value ref = memref::GetGlobalOp::create(b, alloc.getLoc(), type,
                                                global.getSymName());
        alloc.replaceAllUsesWith(ref);
        alloc.erase();
      }
    }
  }
};

} // namespace
