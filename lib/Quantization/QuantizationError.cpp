//===- QuantizationError.cpp - float vs quantized, per op -------*- C++ -*-===//

#include "qopt/Quantization/QuantizationError.h"
#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Execution/ModelRunner.h"
#include "qopt/Quantization/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace qopt;

llvm::Expected<OwningOpRef<ModuleOp>>
qopt::cloneWithProbes(ModuleOp module, ArrayRef<Value> values) {
  IRMapping mapping;
  OwningOpRef<ModuleOp> probed(cast<ModuleOp>(module->clone(mapping)));
  OpBuilder b(module.getContext());
  for (auto [id, value] : llvm::enumerate(values)) {
    Value copy = mapping.lookup(value);
    b.setInsertionPointAfterValue(copy);
    auto probe = qt::ObserveOp::create(b, copy.getLoc(), copy.getType(), copy,
                                       b.getI64IntegerAttr(id));
    copy.replaceAllUsesExcept(probe.getResult(), probe);
  }
  PassManager pm(module.getContext());
  pm.addPass(createQTObserveToCallback());
  if (failed(pm.run(*probed)))
    return llvm::createStringError("cannot insert the probes");
  return probed;
}

namespace {

/// Running sums of |q - r| and of the signal and noise energies.
struct ErrorStats {
  double maxAbs = 0, sumAbs = 0, sumRef = 0, signal = 0, noise = 0;

  void add(const float *reference, const float *quantized, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      double r = reference[i], d = std::fabs(double(quantized[i]) - r);
      maxAbs = std::max(maxAbs, d);
      sumAbs += d;
      sumRef += std::fabs(r);
      signal += r * r;
      noise += d * d;
    }
  }
  llvm::json::Object json() const {
    // Identical values have no noise: report a large, finite SQNR.
    return llvm::json::Object{{"max_abs_error", maxAbs},
            {"mean_relative_error", sumRef > 0 ? sumAbs / sumRef : 0.0},
            {"sqnr_db", noise > 0 && signal > 0 ? 10 * std::log10(signal / noise)
                                                : 999.0}};
  }
};

/// Where the probes of the running models report: the float model's values
/// of the current sample, then the quantized model's values compared to them.
struct ErrorSink {
  std::vector<std::vector<float>> reference;
  std::vector<ErrorStats> stats;
  bool quantizedRun = false;
};
thread_local ErrorSink *activeSink = nullptr;

void errorProbe(int64_t id, int64_t pointer, int64_t offset, int64_t count) {
  ErrorSink *sink = activeSink;
  if (!sink || id < 0 || id >= static_cast<int64_t>(sink->stats.size()))
    return;
  const float *data = reinterpret_cast<const float *>(pointer) + offset;
  std::vector<float> &reference = sink->reference[id];
  if (!sink->quantizedRun)
    reference.assign(data, data + count);
  else if (static_cast<int64_t>(reference.size()) == count)
    sink->stats[id].add(reference.data(), data, count);
}

} // namespace

struct CompiledModelCache::Entry {
  OperationFingerPrint print;
  std::vector<void *> probed;
  std::unique_ptr<ModelRunner> runner;
};

CompiledModelCache::CompiledModelCache() = default;
CompiledModelCache::~CompiledModelCache() = default;

namespace {

/// A probed model compiled for errorProbe, from `cache` if it holds it.
llvm::Expected<ModelRunner *> compileProbed(CompiledModelCache &cache,
                                            ModuleOp module,
                                            ArrayRef<Value> values) {
  constexpr size_t kEntries = 2;
  OperationFingerPrint print(module);
  std::vector<void *> probed;
  for (Value v : values)
    probed.push_back(v.getAsOpaquePointer());
  auto &entries = cache.entries;
  for (auto it = entries.begin(); it != entries.end(); ++it)
    if ((*it)->print == print && (*it)->probed == probed) {
      std::rotate(entries.begin(), it, it + 1); // most recent first
      return entries.front()->runner.get();
    }
  auto clone = cloneWithProbes(module, values);
  if (!clone)
    return clone.takeError();
  auto runner = ModelRunner::create(
      **clone, {{"__qt_observe", reinterpret_cast<void *>(&errorProbe)}},
      ModelRunner::kProbedOptLevel);
  if (!runner)
    return runner.takeError();
  entries.insert(entries.begin(), std::make_unique<CompiledModelCache::Entry>(
                                      CompiledModelCache::Entry{
                                          print, std::move(probed), std::move(*runner)}));
  if (entries.size() > kEntries)
    entries.pop_back();
  return entries.front()->runner.get();
}

} // namespace

llvm::Expected<QuantizationError>
qopt::measureQuantizationError(ModuleOp floatModel, ModuleOp quantized,
                               ArrayRef<ErrorPoint> points, StringRef data,
                               CompiledModelCache *cache) {
  SmallVector<Value> floatValues, quantizedValues;
  for (const ErrorPoint &p : points) {
    floatValues.push_back(p.floatValue);
    quantizedValues.push_back(p.quantizedValue);
  }
  CompiledModelCache local;
  if (!cache)
    cache = &local;
  ModelRunner *runners[2];
  for (int which = 0; which < 2; ++which) {
    auto runner = compileProbed(*cache, which ? quantized : floatModel,
                                which ? quantizedValues : floatValues);
    if (!runner)
      return runner.takeError();
    runners[which] = *runner;
  }
  auto arrays = readNumPyFile(data, NpyRead::Lazy);
  if (!arrays)
    return arrays.takeError();
  const EntryPoint &entry = runners[0]->entryPoints().front();
  const EntryPoint &qEntry = runners[1]->entryPoints().front();
  if (entry.outputs.empty() || entry.outputs[0].dtype != DType::F32)
    return llvm::createStringError("the model's first output is not float32");
  auto samples = bindSamples(entry, *arrays, data);
  if (!samples)
    return samples.takeError();

  ErrorSink sink;
  sink.reference.resize(points.size());
  sink.stats.resize(points.size());
  ErrorStats output;
  int64_t measured = 0, agree = 0;
  std::vector<std::vector<char>> outs[2];
  for (int which = 0; which < 2; ++which)
    for (const TensorSpec &o : (which ? qEntry : entry).outputs)
      outs[which].emplace_back(o.numBytes());
  activeSink = &sink;
  llvm::scope_exit done([] { activeSink = nullptr; });
  SampleScratch scratch;
  for (int64_t i = 0; i < samples->count; ++i) {
    SmallVector<const void *> in;
    bool finite = true;
    for (size_t k = 0; k < entry.inputs.size(); ++k) {
      auto sample = samples->sample(k, i, entry, scratch);
      if (!sample)
        return sample.takeError();
      in.push_back(*sample);
      if (entry.inputs[k].dtype == DType::F32) {
        const float *x = static_cast<const float *>(in.back());
        finite &= llvm::all_of(ArrayRef<float>(x, entry.inputs[k].numElements()),
                               [](float v) { return std::isfinite(v); });
      }
    }
    if (!finite) // as calibration: such samples are left out
      continue;
    for (int which = 0; which < 2; ++which) {
      sink.quantizedRun = which == 1;
      SmallVector<void *> o;
      for (auto &buffer : outs[which])
        o.push_back(buffer.data());
      if (llvm::Error err = runners[which]->run(which ? qEntry : entry, in, o))
        return std::move(err);
    }
    const float *r = reinterpret_cast<const float *>(outs[0][0].data());
    const float *q = reinterpret_cast<const float *>(outs[1][0].data());
    int64_t n = entry.outputs[0].numElements();
    output.add(r, q, n);
    agree += std::max_element(r, r + n) - r == std::max_element(q, q + n) - q;
    ++measured;
  }
  QuantizationError result;
  result.model = output.json();
  result.model["samples"] = measured;
  result.model["output"] = "first output";
  result.model["top1_agreement"] = measured ? double(agree) / measured : 1.0;
  for (const ErrorStats &s : sink.stats)
    result.points.push_back(s.json());
  return result;
}
