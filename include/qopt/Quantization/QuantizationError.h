//===- QuantizationError.h - what quantization costs, per op ----*- C++ -*-===//
//
// Runs a float model and its quantized form side by side on sample data,
// with probes at the points where both compute the same value, and measures
// the error of every point and of the model's output.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_QUANTIZATION_QUANTIZATIONERROR_H
#define QOPT_QUANTIZATION_QUANTIZATIONERROR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <memory>
#include <vector>

namespace qopt {

/// A clone of `module` with a `qt.observe` probe (id = position in
/// `values`) on each of `values` (float32 tensors of `module`), lowered by
/// qt-observe-to-callback so that a ModelRunner can bind `__qt_observe`.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
cloneWithProbes(mlir::ModuleOp module, llvm::ArrayRef<mlir::Value> values);

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

/// The probed models compiled last, for a caller that measures the same
/// model again and again: qt-select-float-layers measures one float model
/// against a trial model per contraction, and compiling the float one for
/// each trial was half the cost of the search. An entry is keyed by the
/// module's fingerprint (its operations and attributes, by address) and the
/// probed values, so a cache must not outlive the modules it saw; it holds
/// the two most recent (the float model and the last trial).
class CompiledModelCache {
public:
  CompiledModelCache();
  ~CompiledModelCache();
  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries; // most recent first
};

/// JIT-compiles both models with probes and runs them one sample at a time
/// on `data` (.npz/.npy keyed by input name), holding one sample's values.
/// With a `cache`, models compiled by an earlier call are reused.
llvm::Expected<QuantizationError>
measureQuantizationError(mlir::ModuleOp floatModel, mlir::ModuleOp quantized,
                         llvm::ArrayRef<ErrorPoint> points,
                         llvm::StringRef data,
                         CompiledModelCache *cache = nullptr);

} // namespace qopt

#endif // QOPT_QUANTIZATION_QUANTIZATIONERROR_H
