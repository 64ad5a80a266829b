//===- ProbedModels.h - models compiled with probes, shared -----*- C++ -*-===//
//
// Calibration, the error report of --quantize-int8 and the sensitivity
// search of float-layers= all run the float model on data with probes on
// some of its values. Compiling a probed model costs seconds on a real model,
// so one invocation compiles each distinct model once: a CompiledModelCache,
// shared by the passes of one pipeline, holds the compiled models by the
// module's structure (ops, operands, types and attributes, but not the qt.*
// attributes calibration and quantization add, which do not change what the
// float model computes) and serves a request for some values from any model
// that probes a superset of them. Every probe reports through one callback
// to the ProbeSink installed on the calling thread.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_QUANTIZATION_PROBEDMODELS_H
#define QOPT_QUANTIZATION_PROBEDMODELS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace qopt {

class CompiledModel;

/// A clone of `module` with a `qt.observe` probe (id = position in
/// `values`) on each of `values` (float32 tensors of `module`), lowered by
/// qt-observe-to-callback so that a compiled model can bind `__qt_observe`.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
cloneWithProbes(mlir::ModuleOp module, llvm::ArrayRef<mlir::Value> values);

/// Receives the probes' values of the models run on this thread.
class ProbeSink {
public:
  virtual ~ProbeSink();
  /// Probe `id` saw `count` floats at `data` (valid during the call only).
  virtual void observe(int64_t id, const float *data, int64_t count) = 0;
};

/// Installs `sink` for the current thread while in scope.
class ScopedProbeSink {
public:
  explicit ScopedProbeSink(ProbeSink *sink);
  ~ScopedProbeSink();
  ScopedProbeSink(const ScopedProbeSink &) = delete;
  ScopedProbeSink &operator=(const ScopedProbeSink &) = delete;

private:
  ProbeSink *previous;
};

/// A compiled probed model and, for each requested value, the id of the
/// probe that reports it.
struct ProbedModel {
  CompiledModel *runner = nullptr;
  std::vector<int64_t> probeOf; // probeOf[i]: the probe of values[i]
  int64_t numProbes = 0;
};

/// The probed models compiled last, for the passes of one pipeline (or one
/// pass that measures the same model again and again). Entries refer to no
/// operation: a module is matched by its structure, whose attributes and
/// types are uniqued by the MLIRContext, so a cache must not outlive the
/// context it saw. Holds the three most recently used models.
class CompiledModelCache {
public:
  CompiledModelCache();
  ~CompiledModelCache();
  CompiledModelCache(const CompiledModelCache &) = delete;
  CompiledModelCache &operator=(const CompiledModelCache &) = delete;

  /// A model of `module` whose probes report every one of `values` (float32
  /// tensors of `module`): a cached one that probes them (and maybe more),
  /// else `module` compiled with exactly these probes.
  llvm::Expected<ProbedModel> get(mlir::ModuleOp module,
                                  llvm::ArrayRef<mlir::Value> values);

  /// Compilations so far (for tests and timing).
  int64_t compilations() const { return compiled; }

private:
  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries; // most recent first
  int64_t compiled = 0;
};

} // namespace qopt

#endif // QOPT_QUANTIZATION_PROBEDMODELS_H
