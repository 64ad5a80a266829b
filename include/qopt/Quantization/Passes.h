//===- Passes.h - calibration and quantization passes -----------*- C++ -*-===//

#ifndef QOPT_QUANTIZATION_PASSES_H
#define QOPT_QUANTIZATION_PASSES_H

#include "qopt/Dialect/QT/IR/QTDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include "qopt/Dialect/QT/IR/QTAttributes.h"

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/Quantization/Passes.h.inc"

class CompiledModelCache;

/// The passes that run the model on data, sharing compiled probed models
/// with the other passes of their pipeline (qopt/Quantization/ProbedModels.h).
std::unique_ptr<mlir::Pass>
createQTCalibrate(const QTCalibrateOptions &options,
                  std::shared_ptr<CompiledModelCache> models);
std::unique_ptr<mlir::Pass>
createQTSelectFloatLayers(const QTSelectFloatLayersOptions &options,
                          std::shared_ptr<CompiledModelCache> models);
std::unique_ptr<mlir::Pass>
createQTQuantizeInt8(const QTQuantizeInt8Options &options,
                     std::shared_ptr<CompiledModelCache> models);

/// Options of the `--quantize-int8` pipeline.
struct QuantizeInt8PipelineOptions
    : mlir::PassPipelineOptions<QuantizeInt8PipelineOptions> {
  Option<std::string> data{*this, "data",
                           llvm::cl::desc("Calibration samples; without them "
                                          "the model must carry qt.range")};
  Option<std::string> method{*this, "method",
                             llvm::cl::desc("minmax, percentile, entropy, mse"),
                             llvm::cl::init("minmax")};
  Option<double> percentile{*this, "percentile",
                            llvm::cl::desc("For method=percentile"),
                            llvm::cl::init(99.99)};
  Option<bool> progress{*this, "progress",
                        llvm::cl::desc("Show calibration progress on a terminal"),
                        llvm::cl::init(true)};
  Option<bool> symmetricActivations{
      *this, "symmetric-activations",
      llvm::cl::desc("Zero point 0 for activations"), llvm::cl::init(false)};
  ListOption<std::string> exclude{
      *this, "exclude", llvm::cl::desc("Op names or locations to keep float")};
  Option<std::string> report{*this, "report",
                             llvm::cl::desc("JSON report of the chosen parameters")};
  Option<unsigned> floatLayers{
      *this, "float-layers",
      llvm::cl::desc("Mixed precision: keep the N matmuls / convolutions whose "
                     "int8 form costs the most output SQNR in float "
                     "(measured on sensitivity-data=, default data=)"),
      llvm::cl::init(0)};
  Option<std::string> sensitivityData{
      *this, "sensitivity-data",
      llvm::cl::desc("Samples for float-layers= (default: the calibration data)")};
  Option<std::string> floatType{
      *this, "float-type",
      llvm::cl::desc("Mixed precision: compute what stays float in f16 or "
                     "bf16 (default: f32)"),
      llvm::cl::init("f32")};
};

/// Calibrates (when `data` is given), quantizes and folds conversions.
void buildQuantizeInt8Pipeline(mlir::OpPassManager &pm,
                               const QuantizeInt8PipelineOptions &options);

#define GEN_PASS_REGISTRATION
#include "qopt/Quantization/Passes.h.inc"

/// Registers the passes and the `--quantize-int8` pipeline.
void registerQuantizationPassesAndPipelines();

} // namespace qopt

#endif // QOPT_QUANTIZATION_PASSES_H
