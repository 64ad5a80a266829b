//===- QTToLinalg.cpp - qt ops to linalg on integer tensors -----*- C++ -*-===//
//
// Portable lowering of the qt dialect: every op becomes linalg.generic ops on
// storage integer tensors that compute docs/numerics.md exactly. The packed
// kernels of the fast path replace the contractions later; this lowering is
// the semantics they are tested against, together with the C++ reference.
//
//===----------------------------------------------------------------------===//

#include "QTToLinalgCommon.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/DialectConversion.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTQTTOLINALG
#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;
using namespace qopt::qt_to_linalg;

namespace {

/// Reports every op whose parameters have no fixed-point form, before any
/// rewriting, so that each problem is diagnosed once and at its op.
LogicalResult checkFixedPointForms(ModuleOp module) {
  bool ok = true;
  auto contraction = [&](Operation *op, Type in, Type w, Type out,
                         int64_t channels) {
    ok &= succeeded(contractionParams(op, in, w, out, channels, std::nullopt,
                                      std::nullopt));
  };
  module.walk([&](Operation *op) {
    if (auto r = dyn_cast<qt::RequantizeOp>(op)) {
      QParams in = getParams(r.getInput().getType());
      QParams out = getParams(r.getType());
      for (float s : in.scales)
        ok &= succeeded(
            multiplierFor(op, static_cast<double>(s) / out.scales[0]));
    } else if (auto fc = dyn_cast<qt::FullyConnectedOp>(op)) {
      contraction(op, fc.getInput().getType(), fc.getWeight().getType(),
                  fc.getType(), fc.getWeight().getType().getDimSize(0));
    } else if (auto mm = dyn_cast<qt::MatmulOp>(op)) {
      contraction(op, mm.getLhs().getType(), mm.getRhs().getType(),
                  mm.getType(), mm.getRhs().getType().getDimSize(2));
    } else if (auto conv = dyn_cast<qt::Conv2DOp>(op)) {
      contraction(op, conv.getInput().getType(), conv.getFilter().getType(),
                  conv.getType(), conv.getFilter().getType().getDimSize(0));
    } else if (auto dw = dyn_cast<qt::DepthwiseConv2DOp>(op)) {
      contraction(op, dw.getInput().getType(), dw.getFilter().getType(),
                  dw.getType(), dw.getFilter().getType().getDimSize(2));
    } else if (auto add = dyn_cast<qt::AddOp>(op)) {
      std::string error;
      if (!ref::quantizeAddMultipliers(getParams(add.getLhs().getType()).scales[0],
                                       getParams(add.getRhs().getType()).scales[0],
                                       getParams(add.getType()).scales[0],
                                       &error)) {
        op->emitOpError() << "has no fixed-point form: " << error;
        ok = false;
      }
    } else if (auto mul = dyn_cast<qt::MulOp>(op)) {
      double m = static_cast<double>(getParams(mul.getLhs().getType()).scales[0]) *
                 getParams(mul.getRhs().getType()).scales[0] /
                 getParams(mul.getType()).scales[0];
      ok &= succeeded(multiplierFor(op, m));
    }
  });
  return success(ok);
}

struct ConvertQTToLinalg
    : qopt::impl::ConvertQTToLinalgBase<ConvertQTToLinalg> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    if (failed(checkFixedPointForms(getOperation())))
      return signalPassFailure();
    TypeConverter converter;
    addQuantStorageTypeConversions(converter);

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.addIllegalDialect<qt::QTDialect>();
    // Kernel building blocks of the target paths live until after
    // bufferization (qt-lower-kernel-intrinsics).
    target.addLegalOp<qt::X86VpdpbusdOp, qt::X86VpmaddwdOp, qt::X86PshufbOp,
                      qt::X86Vpermi2bOp, qt::X86VpdpwssdOp, qt::ArmSdotOp, qt::ArmSmmlaOp,
                      qt::ArmTbl4Op>();
    target.addIllegalOp<quant::StorageCastOp>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });

    RewritePatternSet patterns(ctx);
    populateQTToLinalgPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // Calibrated ranges and tensor names were consumed by quantization and
    // by the entry-point record; LLVM has no use for them (and warns about
    // unknown argument attributes).
    getOperation().walk([](Operation *op) {
      op->removeAttr(qopt::kRangeAttrName);
      auto func = dyn_cast<func::FuncOp>(op);
      if (!func)
        return;
      auto strip = [](DictionaryAttr attrs) {
        SmallVector<NamedAttribute> kept;
        for (NamedAttribute a : attrs)
          if (!a.getName().strref().starts_with("qt."))
            kept.push_back(a);
        return kept;
      };
      auto orEmpty = [&](DictionaryAttr d) {
        return d ? d : DictionaryAttr::get(func.getContext());
      };
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttrs(i, strip(orEmpty(func.getArgAttrDict(i))));
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        func.setResultAttrs(i, strip(orEmpty(func.getResultAttrDict(i))));
    });
  }
};

} // namespace

void qopt::addQuantStorageTypeConversions(TypeConverter &converter) {
  converter.addConversion([](Type type) { return type; });
  converter.addConversion([](RankedTensorType type) -> Type {
    if (auto q = dyn_cast<quant::QuantizedType>(type.getElementType()))
      return type.clone(q.getStorageType());
    return type;
  });
}

void qopt::populateQTToLinalgPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns) {
  qt_to_linalg::populateConversionLowerings(converter, patterns);
  qt_to_linalg::populateContractionLowerings(converter, patterns);
  qt_to_linalg::populateElementwiseLowerings(converter, patterns);
}

