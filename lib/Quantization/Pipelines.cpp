//===- Pipelines.cpp - the --quantize-int8 pipeline -------------*- C++ -*-===//

#include "qopt/Quantization/Passes.h"
#include "qopt/Quantization/ProbedModels.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void qopt::buildQuantizeInt8Pipeline(OpPassManager &pm,
                                     const QuantizeInt8PipelineOptions &options) {
  // Calibration, float-layers= and the report run the same float model:
  // compiled once for the pipeline. Without a later user, calibration frees
  // its model when it ends (the rest of the compile does not carry it).
  std::shared_ptr<CompiledModelCache> models;
  // A linalg model's contractions (and their epilogues) as TOSA first.
  pm.addPass(createQTRaiseLinalgContractions());
  if (options.floatLayers > 0 || (!options.report.empty() && !options.data.empty()))
    models = std::make_shared<CompiledModelCache>();
  if (!options.data.empty()) {
    // Calibrated afterwards, so that the ranges are the rewritten ops'.
    pm.addPass(createQTPrepareContractions());
    QTCalibrateOptions calibrate;
    calibrate.data = options.data;
    calibrate.method = options.method;
    calibrate.percentile = options.percentile;
    calibrate.progress = options.progress;
    pm.addPass(createQTCalibrate(calibrate, models));
  }
  if (options.floatLayers > 0) {
    QTSelectFloatLayersOptions select;
    select.layers = options.floatLayers;
    select.data = options.sensitivityData.empty() ? options.data
                                                  : options.sensitivityData;
    select.symmetricActivations = options.symmetricActivations;
    select.progress = options.progress;
    pm.addPass(createQTSelectFloatLayers(select, models));
  }
  QTQuantizeInt8Options quantize;
  quantize.symmetricActivations = options.symmetricActivations;
  quantize.exclude.assign(options.exclude.begin(), options.exclude.end());
  quantize.report = options.report;
  quantize.data = options.data;
  pm.addPass(createQTQuantizeInt8(quantize, models));
  QTRemoveFloatIslandsOptions islands;
  islands.symmetricActivations = options.symmetricActivations;
  islands.report = options.report;
  pm.addPass(createQTRemoveFloatIslands(islands));
  // Folds dequantize -> quantize pairs between adjacent int8 ops.
  pm.addPass(createCanonicalizerPass());
  if (options.floatType != "f32") {
    QTConvertFloatPrecisionOptions precision;
    precision.type = options.floatType;
    pm.addPass(createQTConvertFloatPrecision(precision));
  }
}

void qopt::registerQuantizationPassesAndPipelines() {
  registerQOptQuantizationPasses();
  PassPipelineRegistration<>(
      "quantize-dynamic",
      "Dynamic int8 quantization: int8 weights, activation scales computed at "
      "run time (no calibration)",
      [](OpPassManager &pm) {
        pm.addPass(createQTQuantizeDynamic());
        pm.addPass(createCanonicalizerPass());
      });
  for (StringRef type : {"f16", "bf16"})
    PassPipelineRegistration<>(
        type == "f16" ? "quantize-f16" : "quantize-bf16",
        type == "f16" ? "Compute the model in float16 (weights and activations)"
                      : "Compute the model in bfloat16 (weights and activations)",
        [type](OpPassManager &pm) {
          QTConvertFloatPrecisionOptions options;
          options.type = type.str();
          pm.addPass(createQTConvertFloatPrecision(options));
        });
  PassPipelineRegistration<QuantizeInt8PipelineOptions>(
      "quantize-int8",
      "Static post-training int8 quantization: calibrate on data= (if given), "
      "then quantize matmuls and convolutions to qt int8 ops",
      buildQuantizeInt8Pipeline);
}
