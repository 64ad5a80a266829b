//===- SelectFloatLayers.cpp - mixed precision by measured sensitivity ----===//
//
// The qt-select-float-layers pass: before qt-quantize-int8, measures for
// each matmul and convolution what quantizing it alone costs at the model's
// output (SQNR against float on sample data) and marks the `layers` most
// sensitive to stay float. Some models' decisions hinge on a few layers
// whose int8 error dominates (docs/quantization.md, "Mixed precision").
//
//===----------------------------------------------------------------------===//

#include "qopt/Quantization/Passes.h"
#include "qopt/Quantization/QuantizationError.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"

namespace qopt {
#define GEN_PASS_DEF_QTSELECTFLOATLAYERS
#include "qopt/Quantization/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

struct QTSelectFloatLayers
    : qopt::impl::QTSelectFloatLayersBase<QTSelectFloatLayers> {
  using QTSelectFloatLayersBase::QTSelectFloatLayersBase;

  /// The pipeline's compiled models (null: a private cache for the search).
  std::shared_ptr<CompiledModelCache> sharedModels;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (layers == 0)
      return;
    if (data.empty()) {
      emitError(module.getLoc())
          << "qt-select-float-layers: layers=" << static_cast<unsigned>(layers)
          << " needs samples to measure each layer's sensitivity on (--quantize-int8: "
             "data= or sensitivity-data=)";
      return signalPassFailure();
    }
    SmallVector<Operation *> contractions;
    module.walk([&](Operation *op) {
      if (isa<tosa::MatMulOp, tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op) &&
          !op->hasAttr(kKeepFloatAttrName))
        contractions.push_back(op);
    });
    // Output SQNR with only layer i in int8, the others float.
    std::vector<std::pair<double, size_t>> sensitivity;
    bool show = progress && llvm::errs().is_displayed();
    // The float model is the same for every trial: compiled once (or taken
    // from calibration, which compiled it with a probe on every activation).
    CompiledModelCache local;
    CompiledModelCache &compiled = sharedModels ? *sharedModels : local;
    for (size_t i = 0; i < contractions.size(); ++i) {
      if (show)
        llvm::errs() << llvm::formatv("\rmeasuring layer sensitivity: {0}/{1} ", i + 1,
                                      contractions.size());
      IRMapping mapping;
      OwningOpRef<ModuleOp> trial = cast<ModuleOp>(module->clone(mapping));
      for (size_t j = 0; j < contractions.size(); ++j)
        if (j != i)
          mapping.lookup(contractions[j])->setAttr(kKeepFloatAttrName,
                                             UnitAttr::get(&getContext()));
      PassManager pm(&getContext());
      QTQuantizeInt8Options quantize;
      quantize.symmetricActivations = symmetricActivations;
      pm.addPass(createQTQuantizeInt8(quantize));
      pm.addPass(createCanonicalizerPass());
      // A layer qt-quantize-int8 keeps float anyway (it says why) costs
      // nothing here; so does one whose trial cannot run.
      double sqnr = std::numeric_limits<double>::infinity();
      if (succeeded(pm.run(*trial))) {
        auto error = measureQuantizationError(module, *trial, {}, data, &compiled);
        if (!error) {
          emitError(module.getLoc())
              << "qt-select-float-layers: measuring on '" << data
              << "' failed: " << llvm::toString(error.takeError());
          return signalPassFailure();
        }
        // 999 dB means identical outputs: the layer stayed float in the trial.
        if (auto db = error->model.getNumber("sqnr_db"); db && *db < 999.0)
          sqnr = *db;
      }
      sensitivity.push_back({sqnr, i});
    }
    if (show)
      llvm::errs() << "\n";
    llvm::sort(sensitivity);
    for (size_t r = 0; r < std::min<size_t>(layers, sensitivity.size()); ++r) {
      auto [sqnr, i] = sensitivity[r];
      if (std::isinf(sqnr))
        break;
      contractions[i]->setAttr(kKeepFloatAttrName, UnitAttr::get(&getContext()));
      contractions[i]->emitRemark() << llvm::formatv(
          "kept float: {0} of the {1} most sensitive layers (output SQNR {2:F1} dB "
          "with only this layer in int8)",
          r + 1, unsigned(layers), sqnr);
    }
  }
};

} // namespace

std::unique_ptr<Pass>
qopt::createQTSelectFloatLayers(const QTSelectFloatLayersOptions &options,
                                std::shared_ptr<CompiledModelCache> models) {
  auto pass = std::make_unique<QTSelectFloatLayers>(options);
  pass->sharedModels = std::move(models);
  return pass;
}
