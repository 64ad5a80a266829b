//===- EntryPointsReturnStatus.cpp - int status for entry points -*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace qopt {
#define GEN_PASS_DEF_QTENTRYPOINTSRETURNSTATUS
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

struct QTEntryPointsReturnStatus
    : qopt::impl::QTEntryPointsReturnStatusBase<QTEntryPointsReturnStatus> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entries = module->getAttrOfType<ArrayAttr>(qopt::kEntryPointsAttrName);
    if (!entries)
      return;
    for (auto entry : entries.getAsRange<DictionaryAttr>()) {
      auto name = entry.getAs<StringAttr>("name");
      auto func = module.lookupSymbol<func::FuncOp>(name);
      if (!func)
        continue;
      if (func.getNumResults() != 0) {
        func.emitError() << "entry point '" << name.getValue()
                         << "' still returns values: run "
                            "buffer-results-to-out-params first";
        return signalPassFailure();
      }
      OpBuilder b(func.getContext());
      Type i32 = b.getI32Type();
      func.setFunctionType(
          b.getFunctionType(func.getFunctionType().getInputs(), {i32}));
      func.walk([&](func::ReturnOp ret) {
        b.setInsertionPoint(ret);
        Value ok = arith::ConstantIntOp::create(b, ret.getLoc(), i32, 0);
        ret.getOperandsMutable().assign(ok);
      });
    }
  }
};

} // namespace
