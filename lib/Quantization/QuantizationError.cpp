//===- QuantizationError.cpp - float vs quantized, per op -------*- C++ -*-===//

#include "qopt/Quantization/QuantizationError.h"
#include "qopt/Execution/CompiledModel.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace qopt;

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
/// A model may probe more values than the points (calibration's model serves
/// the float side); probes of no point are ignored.
struct ErrorSink : ProbeSink {
  std::vector<std::vector<float>> reference;
  std::vector<ErrorStats> stats;
  // Per model (0 float, 1 quantized), the points each probe reports.
  std::vector<llvm::SmallVector<int64_t, 1>> pointsOf[2];
  bool quantizedRun = false;

  void observe(int64_t id, const float *data, int64_t count) override {
    const auto &points = pointsOf[quantizedRun];
    if (id < 0 || id >= static_cast<int64_t>(points.size()))
      return;
    for (int64_t point : points[id]) {
      std::vector<float> &r = reference[point];
      if (!quantizedRun)
        r.assign(data, data + count);
      else if (static_cast<int64_t>(r.size()) == count)
        stats[point].add(r.data(), data, count);
    }
  }
};

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
  ErrorSink sink;
  sink.reference.resize(points.size());
  sink.stats.resize(points.size());
  CompiledModel *runners[2];
  for (int which = 0; which < 2; ++which) {
    auto model = cache->get(which ? quantized : floatModel,
                            which ? quantizedValues : floatValues);
    if (!model)
      return model.takeError();
    runners[which] = model->runner;
    sink.pointsOf[which].resize(model->numProbes);
    for (auto [point, probe] : llvm::enumerate(model->probeOf))
      sink.pointsOf[which][probe].push_back(static_cast<int64_t>(point));
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

  ErrorStats output;
  int64_t measured = 0, agree = 0;
  std::vector<std::vector<char>> outs[2];
  for (int which = 0; which < 2; ++which)
    for (const TensorSpec &o : (which ? qEntry : entry).outputs)
      outs[which].emplace_back(o.numBytes());
  ScopedProbeSink installed(&sink);
  SampleScratch scratch;
  for (int64_t i = 0; i < samples->count; ++i) {
    SmallVector<const void *> in;
    for (size_t k = 0; k < entry.inputs.size(); ++k) {
      auto sample = samples->sample(k, i, entry, scratch);
      if (!sample)
        return sample.takeError();
      in.push_back(*sample);
    }
    if (!inputsAreFinite(entry, in)) // as calibration: such samples are left out
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
