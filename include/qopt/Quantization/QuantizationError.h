//===- QuantizationError.h - what quantization costs, per op ----*- C++ -*-===//
//
// Runs a float model and its quantized form side by side on sample data,
// with probes at the points where both compute the same value, and measures
// the error of every point and of the model's output.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_QUANTIZATION_QUANTIZATIONERROR_H
#define QOPT_QUANTIZATION_QUANTIZATIONERROR_H

#include "qopt/Quantization/ProbedModels.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <memory>
#include <vector>

namespace qopt {

/// The same value computed by the float model and by the quantized one.
struct ErrorPoint {
  mlir::Value floatValue;     // in the float model
  mlir::Value quantizedValue; // in the quantized model (dequantized, f32)
};

/// Errors measured over every sample of a data file.
struct QuantizationError {
  /// Of the first output: samples, max_abs_error, mean_relative_error,
  /// sqnr_db, top1_agreement.
  llvm::json::Object model;
  /// Per point, in the order given: max_abs_error, mean_relative_error,
  /// sqnr_db. The quantized model runs end to end, so each point's error
  /// includes what earlier ops contributed (as ONNX Runtime's
  /// qdq_loss_debug compares activations).
  std::vector<llvm::json::Object> points;
};

/// JIT-compiles both models with probes and runs them one sample at a time
/// on `data` (.npz/.npy keyed by input name), holding one sample's values.
/// With a `cache`, models compiled earlier (by calibration or an earlier
/// call) are reused.
llvm::Expected<QuantizationError>
measureQuantizationError(mlir::ModuleOp floatModel, mlir::ModuleOp quantized,
                         llvm::ArrayRef<ErrorPoint> points,
                         llvm::StringRef data,
                         CompiledModelCache *cache = nullptr);

} // namespace qopt

#endif // QOPT_QUANTIZATION_QUANTIZATIONERROR_H
