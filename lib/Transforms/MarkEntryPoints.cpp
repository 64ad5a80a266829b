//===- MarkEntryPoints.cpp - record the C interface of a model --*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/MathExtras.h"

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
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    SmallVector<Attribute> entries;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      FunctionType type = func.getFunctionType();
      for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults())) {
        if (!hasPlainCLayout(t)) {
          func.emitError() << "entry point '" << func.getSymName()
                           << "' has no plain C interface: " << t
                           << " is not a statically shaped tensor of integers "
                              "or floats";
          return signalPassFailure();
        }
        // The header states element counts and the caller allocates the
        // bytes: both must fit in 63 bits (checked, never wrapped).
        auto tensor = cast<RankedTensorType>(t);
        int64_t bytes = (tensor.getElementTypeBitWidth() + 7) / 8;
        for (int64_t d : tensor.getShape())
          if (llvm::MulOverflow(bytes, d, bytes)) {
            func.emitError() << "entry point '" << func.getSymName() << "' has a buffer "
                             << t << " of more than 2^63 bytes";
            return signalPassFailure();
          }
      }
      // i8 tensors marked qt.unsigned hold uint8 data (ONNX uint8 inputs and
      // outputs): the C interface says uint8_t.
      auto types = [&](TypeRange range, auto isUnsigned) {
        SmallVector<Attribute> attrs;
        for (auto [i, t] : llvm::enumerate(range)) {
          auto tensor = cast<RankedTensorType>(t);
          if (isUnsigned(i) && tensor.getElementType().isSignlessInteger(8))
            t = tensor.clone(b.getIntegerType(8, /*isSigned=*/false));
          attrs.push_back(TypeAttr::get(t));
        }
        return b.getArrayAttr(attrs);
      };
      entries.push_back(b.getDictionaryAttr({
          b.getNamedAttr("name", func.getSymNameAttr()),
          b.getNamedAttr("inputs", types(type.getInputs(), [&](unsigned i) {
                           return bool(func.getArgAttr(i, qopt::kUnsignedAttrName));
                         })),
          b.getNamedAttr("outputs", types(type.getResults(), [&](unsigned i) {
                           return bool(func.getResultAttr(i, qopt::kUnsignedAttrName));
                         })),
      }));
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                        b.getBoolAttr(false));
    }
    module->setAttr(qopt::kEntryPointsAttrName, b.getArrayAttr(entries));
    if (!kernelVariants.empty())
      module->setAttr(qopt::kKernelVariantsAttrName,
                      b.getStrArrayAttr(SmallVector<StringRef>(
                          kernelVariants.begin(), kernelVariants.end())));
  }
};

} // namespace
