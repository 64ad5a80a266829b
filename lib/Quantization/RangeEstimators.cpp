//===- RangeEstimators.cpp - activation ranges from samples -----*- C++ -*-===//

#include "qopt/Quantization/RangeEstimators.h"
#include "qopt/Reference/Numerics.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace qopt;

bool qopt::parseCalibrationMethod(const std::string &name,
                                  CalibrationMethod &method) {
  if (name == "minmax")
    method = CalibrationMethod::MinMax;
  else if (name == "percentile")
    method = CalibrationMethod::Percentile;
  else if (name == "entropy")
    method = CalibrationMethod::Entropy;
  else if (name == "mse")
    method = CalibrationMethod::MSE;
  else
    return false;
  return true;
}

void ActivationStats::observeRange(const float *data, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float v = data[i];
    if (!std::isfinite(v)) {
      ++nonFinite;
      continue;
    }
    if (finiteCount++ == 0) {
      min = max = v;
      continue;
    }
    min = std::min(min, v);
    max = std::max(max, v);
  }
}

void ActivationStats::startHistograms() {
  hist.assign(kBins, 0.0);
  absHist.assign(kBins, 0.0);
  histMin = min;
  histWidth = (max - min) / kBins;
  absWidth = std::max(std::fabs(min), std::fabs(max)) / kBins;
}

void ActivationStats::observeHistogram(const float *data, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float v = data[i];
    if (!std::isfinite(v))
      continue;
    int b = histWidth > 0 ? static_cast<int>((v - histMin) / histWidth) : 0;
    hist[std::clamp(b, 0, kBins - 1)] += 1;
    int a = absWidth > 0 ? static_cast<int>(std::fabs(v) / absWidth) : 0;
    absHist[std::clamp(a, 0, kBins - 1)] += 1;
  }
}

Range ActivationStats::range(CalibrationMethod method, double percentile) const {
  if (!seenAny())
    return {0, 0};
  if (method == CalibrationMethod::MinMax || hist.empty() || max == min)
    return {min, max};
  switch (method) {
  case CalibrationMethod::Percentile:
    return percentileRange(percentile);
  case CalibrationMethod::Entropy:
    return entropyRange();
  case CalibrationMethod::MSE:
    return mseRange();
  case CalibrationMethod::MinMax:
    break;
  }
  return {min, max};
}

/// Clips (100 - p) / 2 percent of the samples at each end.
Range ActivationStats::percentileRange(double percentile) const {
  double total = 0;
  for (double c : hist)
    total += c;
  double tail = total * (100.0 - percentile) / 200.0;
  Range r{min, max};
  double cum = 0;
  for (int b = 0; b < kBins; ++b) {
    cum += hist[b];
    if (cum > tail) {
      r.min = histMin + b * histWidth;
      break;
    }
  }
  cum = 0;
  for (int b = kBins - 1; b >= 0; --b) {
    cum += hist[b];
    if (cum > tail) {
      r.max = histMin + (b + 1) * histWidth;
      break;
    }
  }
  r.min = std::max(r.min, min);
  r.max = std::min(r.max, max);
  return r;
}

float qopt::entropyThreshold(const std::vector<double> &absHist, float width,
                             int quantizedBins) {
  int bins = static_cast<int>(absHist.size());
  double bestKL = std::numeric_limits<double>::infinity();
  int best = bins;
  std::vector<double> p, q;
  for (int i = quantizedBins; i <= bins; ++i) {
    // Reference distribution: the first i bins, outliers folded into the
    // last one.
    p.assign(absHist.begin(), absHist.begin() + i);
    for (int j = i; j < bins; ++j)
      p[i - 1] += absHist[j];
    // Candidate: the same bins merged into `quantizedBins` levels and spread
    // back uniformly over the bins that were non-empty.
    q.assign(i, 0.0);
    double merged = static_cast<double>(i) / quantizedBins;
    for (int j = 0; j < quantizedBins; ++j) {
      int start = static_cast<int>(j * merged);
      int end = j == quantizedBins - 1 ? i : static_cast<int>((j + 1) * merged);
      double sum = 0;
      int nonZero = 0;
      for (int k = start; k < end; ++k) {
        sum += absHist[k];
        nonZero += p[k] != 0;
      }
      if (nonZero == 0)
        continue;
      for (int k = start; k < end; ++k)
        if (p[k] != 0)
          q[k] = sum / nonZero;
    }
    double pSum = 0, qSum = 0;
    for (int k = 0; k < i; ++k) {
      pSum += p[k];
      qSum += q[k];
    }
    if (pSum == 0 || qSum == 0)
      continue;
    double kl = 0;
    for (int k = 0; k < i; ++k) {
      if (p[k] == 0)
        continue;
      double pk = p[k] / pSum;
      double qk = q[k] == 0 ? 1e-12 : q[k] / qSum; // smoothing
      kl += pk * std::log(pk / qk);
    }
    if (kl < bestKL) {
      bestKL = kl;
      best = i;
    }
  }
  return (best + 0.5f) * width;
}

Range ActivationStats::entropyRange() const {
  float t = entropyThreshold(absHist, absWidth);
  return {std::max(min, -t), std::min(max, t)};
}

/// Shrinks [min, max] by factors 1.0 ... 0.30 and keeps the range whose
/// asymmetric int8 quantization has the least squared error over the
/// histogram (rounding inside, clipping outside).
Range ActivationStats::mseRange() const {
  Range best{min, max};
  double bestError = std::numeric_limits<double>::infinity();
  for (int step = 0; step <= 70; ++step) {
    float alpha = 1.0f - 0.01f * step;
    Range r{min * alpha, max * alpha};
    ref::ChosenParams chosen = ref::chooseAsymmetric(r.min, r.max);
    double error = 0;
    for (int b = 0; b < kBins; ++b) {
      if (hist[b] == 0)
        continue;
      float center = histMin + (b + 0.5f) * histWidth;
      float back = ref::dequantize(ref::quantize(center, chosen.params),
                                   chosen.params);
      error += hist[b] * double(center - back) * double(center - back);
    }
    if (error < bestError) {
      bestError = error;
      best = r;
    }
  }
  return best;
}
