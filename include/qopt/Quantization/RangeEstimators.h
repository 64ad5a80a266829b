//===- RangeEstimators.h - activation ranges from samples -------*- C++ -*-===//
//
// Streaming statistics of one activation over the calibration set, and the
// calibration methods of docs/calibration.md that turn them into a range.
// Memory per activation is fixed (two 2048-bin histograms), whatever the
// number of samples. Plain C++: unit-tested without MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_QUANTIZATION_RANGEESTIMATORS_H
#define QOPT_QUANTIZATION_RANGEESTIMATORS_H

#include <cstdint>
#include <string>
#include <vector>

namespace qopt {

enum class CalibrationMethod { MinMax, Percentile, Entropy, MSE };

/// Parses "minmax", "percentile", "entropy" or "mse".
bool parseCalibrationMethod(const std::string &name, CalibrationMethod &method);

struct Range {
  float min = 0, max = 0;
};

/// Statistics of one activation. First pass: observeRange() on every sample;
/// then, for histogram methods, startHistograms() and observeHistogram() on
/// every sample again.
class ActivationStats {
public:
  static constexpr int kBins = 2048;

  /// Updates min / max; NaN and infinite values are skipped and counted.
  void observeRange(const float *data, int64_t n);
  /// Which histograms a method reads: percentile and mse the one over
  /// [min, max], entropy the symmetric one.
  enum class Histograms { Plain = 1, Symmetric = 2, Both = 3 };
  static Histograms histogramsFor(CalibrationMethod method);
  /// Freezes the histogram ranges at the observed [min, max]; only `which`
  /// are counted (the other stays empty).
  void startHistograms(Histograms which = Histograms::Both);
  void observeHistogram(const float *data, int64_t n);

  /// Adds `later`'s observeRange() results, as if its samples had been
  /// observed after this one's (the same min / max, ties included).
  void mergeRanges(const ActivationStats &later);
  /// Adds `other`'s histogram counts; both started from the same ranges.
  /// The counts are integers, so the sum does not depend on the order.
  void mergeHistograms(const ActivationStats &other);

  bool seenAny() const { return finiteCount > 0; }
  int64_t nonFiniteCount() const { return nonFinite; }
  Range observedRange() const { return {min, max}; }
  /// Counts over [min, max] and over [-max |x|, max |x|], kBins each
  /// (empty when not started).
  const std::vector<double> &histogram() const { return hist; }
  const std::vector<double> &symmetricHistogram() const { return symHist; }

  /// The range the method chooses (before widening to include 0).
  Range range(CalibrationMethod method, double percentile = 99.99) const;

private:
  Range percentileRange(double percentile) const;
  Range entropyRange() const;
  Range mseRange() const;

  float min = 0, max = 0;
  int64_t finiteCount = 0, nonFinite = 0;
  // Histograms over [min, max] and, symmetric, over [-max |x|, max |x|].
  std::vector<double> hist, symHist;
  float histMin = 0, histWidth = 0, absMax = 0;
};

/// The KL-divergence threshold of ONNX Runtime (TensorRT's method) on a
/// histogram symmetric around 0 (`hist` spans [-absMax, absMax]), with
/// `quantizedBins` target levels (128 for int8). `bestKL`, when given,
/// receives the divergence of the chosen window.
float entropyThreshold(const std::vector<double> &hist, float absMax,
                       int quantizedBins = 128, double *bestKL = nullptr);

namespace detail {
/// The same search written as ONNX Runtime states it, one window at a time;
/// the definition entropyThreshold is tested against, bit for bit.
float entropyThresholdDirect(const std::vector<double> &hist, float absMax,
                             int quantizedBins, double *bestKL = nullptr);
} // namespace detail

} // namespace qopt

#endif // QOPT_QUANTIZATION_RANGEESTIMATORS_H
