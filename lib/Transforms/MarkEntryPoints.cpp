//===- MarkEntryPoints.cpp - record the C interface of a model --*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace qopt {
#define GEN_PASS_DEF_QTMARKENTRYPOINTS
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// A type a plain C function can take as a pointer: a static tensor of
/// integers or floats.
bool hasPlainCLayout(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return false;
  Type element = tensor.getElementType();
  return element.isIntOrFloat();
}

struct QTMarkEntryPoints
    : qopt::impl::QTMarkEntryPointsBase<QTMarkEntryPoints> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    SmallVector<Attribute> entries;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      FunctionType type = func.getFunctionType();
      for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults()))
        if (!hasPlainCLayout(t)) {
          func.emitError() << "entry point '" << func.getSymName()
                           << "' has no plain C interface: " << t
                           << " is not a statically shaped tensor of integers "
                              "or floats";
          return signalPassFailure();
        }
      auto types = [&](TypeRange range) {
        return b.getArrayAttr(llvm::map_to_vector(
            range, [](Type t) -> Attribute { return TypeAttr::get(t); }));
      };
      entries.push_back(b.getDictionaryAttr({
          b.getNamedAttr("name", func.getSymNameAttr()),
          b.getNamedAttr("inputs", types(type.getInputs())),
          b.getNamedAttr("outputs", types(type.getResults())),
      }));
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                        b.getBoolAttr(false));
    }
    module->setAttr(qopt::kEntryPointsAttrName, b.getArrayAttr(entries));
  }
};

} // namespace
