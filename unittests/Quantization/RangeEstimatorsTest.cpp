//===- RangeEstimatorsTest.cpp - calibration methods ------------*- C++ -*-===//

#include "qopt/Quantization/RangeEstimators.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <gtest/gtest.h>
#include <vector>

using namespace qopt;

namespace {

/// 10,000 values: a dense body in [-1, 1] and a few far outliers.
std::vector<float> bodyWithOutliers() {
  std::vector<float> v;
  for (int i = 0; i < 10000; ++i)
    v.push_back(std::sin(i * 0.37f));
  v[17] = 40.0f;
  v[99] = -25.0f;
  return v;
}

ActivationStats collect(const std::vector<float> &v) {
  ActivationStats s;
  s.observeRange(v.data(), v.size());
  s.startHistograms();
  // In two chunks: streaming must not depend on how samples are split.
  s.observeHistogram(v.data(), v.size() / 2);
  s.observeHistogram(v.data() + v.size() / 2, v.size() - v.size() / 2);
  return s;
}

TEST(RangeEstimatorsTest, MinMaxSkipsNonFinite) {
  std::vector<float> v = {1.0f, NAN, -2.0f, INFINITY, 0.5f, -INFINITY};
  ActivationStats s;
  s.observeRange(v.data(), v.size());
  EXPECT_EQ(s.nonFiniteCount(), 3);
  Range r = s.range(CalibrationMethod::MinMax);
  EXPECT_EQ(r.min, -2.0f);
  EXPECT_EQ(r.max, 1.0f);
}

TEST(RangeEstimatorsTest, PercentileClipsOutliers) {
  ActivationStats s = collect(bodyWithOutliers());
  Range r = s.range(CalibrationMethod::Percentile, 99.9);
  EXPECT_LT(r.max, 2.0f);
  EXPECT_GT(r.max, 0.9f);
  EXPECT_GT(r.min, -2.0f);
  EXPECT_LT(r.min, -0.9f);
  // 100% keeps everything.
  Range all = s.range(CalibrationMethod::Percentile, 100.0);
  EXPECT_EQ(all.max, 40.0f);
  EXPECT_EQ(all.min, -25.0f);
}

TEST(RangeEstimatorsTest, EntropyAndMseClipOutliers) {
  ActivationStats s = collect(bodyWithOutliers());
  for (CalibrationMethod m : {CalibrationMethod::Entropy, CalibrationMethod::MSE}) {
    Range r = s.range(m);
    EXPECT_LT(r.max, 40.0f);
    EXPECT_GT(r.max, 0.5f);
    EXPECT_LE(r.min, 0.0f);
  }
}

TEST(RangeEstimatorsTest, ConstantTensor) {
  std::vector<float> v(100, 3.0f);
  ActivationStats s = collect(v);
  for (CalibrationMethod m : {CalibrationMethod::MinMax, CalibrationMethod::Percentile,
                              CalibrationMethod::Entropy, CalibrationMethod::MSE}) {
    Range r = s.range(m);
    EXPECT_EQ(r.min, 3.0f);
    EXPECT_EQ(r.max, 3.0f);
  }
}

TEST(RangeEstimatorsTest, EntropyThresholdOfUniformHistogram) {
  // A uniform histogram is best represented by its whole range.
  std::vector<double> hist(2048, 1.0);
  float t = entropyThreshold(hist, 1.0f);
  EXPECT_GT(t, 0.95f);
}

// The entropy search is restated for speed (prefix sums, vector divisions,
// one log per run of equal bins); its threshold and divergence must be the
// direct search's bits on every kind of histogram calibration produces.
TEST(RangeEstimatorsTest, EntropySearchMatchesTheDirectOne) {
  std::mt19937_64 rng(7);
  auto check = [&](const std::vector<double> &hist, float absMax, int levels,
                   const char *what) {
    double fastKL = -1, directKL = -2;
    float fast = entropyThreshold(hist, absMax, levels, &fastKL);
    float direct =
        detail::entropyThresholdDirect(hist, absMax, levels, &directKL);
    EXPECT_EQ(std::memcmp(&fast, &direct, sizeof fast), 0)
        << what << ": " << fast << " vs " << direct;
    EXPECT_EQ(std::memcmp(&fastKL, &directKL, sizeof fastKL), 0)
        << what << ": " << fastKL << " vs " << directKL;
  };
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<int> allLevels = {128, 255, 16, 3, 2};
  for (int bins : {2048, 2047, 1000, 257, 130, 64}) {
    for (int64_t samples : {int64_t(50), int64_t(20000), int64_t(3000000)}) {
      // Gaussian, ReLU (negative half empty), heavy tail.
      std::vector<double> gauss(bins, 0.0), relu(bins, 0.0), tail(bins, 0.0);
      auto bin = [&](double v) {
        return std::clamp<int>(int((v / 8 + 1) * bins / 2), 0, bins - 1);
      };
      double weight = double(std::max<int64_t>(1, samples / 100000));
      for (int64_t s = 0; s < std::min<int64_t>(samples, 100000); ++s) {
        double x = normal(rng);
        gauss[bin(x)] += weight;
        relu[bin(std::max(x, 0.0))] += weight;
        tail[bin(x * x * x / 4)] += weight;
      }
      for (int levels : allLevels) {
        check(gauss, 8.0f, levels, "gaussian");
        check(relu, 8.0f, levels, "relu");
        check(tail, 8.0f, levels, "tail");
      }
    }
    // Sparse counts, a single spike, all empty, uniform, negative counts.
    std::vector<double> sparse(bins, 0.0), spike(bins, 0.0), empty(bins, 0.0),
        uniform(bins, 3.0), negative(bins, 0.0);
    for (int k = 0; k < 40; ++k)
      sparse[rng() % bins] += double(rng() % 1000);
    spike[bins / 2 + 1] = 5;
    for (int k = 0; k < bins; ++k)
      negative[k] = double(int(rng() % 7) - 2);
    for (int levels : allLevels) {
      check(sparse, 1.0f, levels, "sparse");
      check(spike, 1.0f, levels, "spike");
      check(empty, 1.0f, levels, "empty");
      check(uniform, 1.0f, levels, "uniform");
      check(negative, 1.0f, levels, "negative");
    }
  }
  // Non-integral weights and counts too large to sum exactly take the direct
  // path; they must still agree.
  std::vector<double> fractional(2048), huge(2048, 0x1p52);
  for (double &v : fractional)
    v = std::fabs(normal(rng));
  check(fractional, 2.0f, 128, "fractional");
  check(huge, 2.0f, 128, "huge");
}

TEST(RangeEstimatorsTest, ParsesMethods) {
  CalibrationMethod m;
  EXPECT_TRUE(parseCalibrationMethod("entropy", m));
  EXPECT_EQ(m, CalibrationMethod::Entropy);
  EXPECT_FALSE(parseCalibrationMethod("kl", m));
}

} // namespace

// Statistics of samples split across threads, merged in sample order, are
// those of one pass over all of them: ranges (signed zeros and non-finite
// counts included) and histogram counts, so every method picks the same
// range.
TEST(RangeEstimatorsTest, MergedChunksMatchOnePass) {
  std::vector<float> v = bodyWithOutliers();
  v[3] = -0.0f;
  v[4] = NAN;
  v[5000] = INFINITY;
  ActivationStats whole = collect(v);
  for (size_t parts : {2u, 3u, 7u}) {
    std::vector<ActivationStats> chunks(parts);
    auto bounds = [&](size_t c) { return v.size() * c / parts; };
    for (size_t c = 0; c < parts; ++c)
      chunks[c].observeRange(v.data() + bounds(c), bounds(c + 1) - bounds(c));
    ActivationStats merged = chunks[0];
    for (size_t c = 1; c < parts; ++c)
      merged.mergeRanges(chunks[c]);
    merged.startHistograms();
    const ActivationStats bins = merged; // the same bins, no counts yet
    for (size_t c = 0; c < parts; ++c) {
      ActivationStats part = bins;
      part.observeHistogram(v.data() + bounds(c), bounds(c + 1) - bounds(c));
      if (c == 0)
        merged = part;
      else
        merged.mergeHistograms(part);
    }
    EXPECT_EQ(merged.nonFiniteCount(), whole.nonFiniteCount());
    for (CalibrationMethod m : {CalibrationMethod::MinMax, CalibrationMethod::Percentile,
                                CalibrationMethod::Entropy, CalibrationMethod::MSE}) {
      Range a = merged.range(m), b = whole.range(m);
      EXPECT_EQ(std::signbit(a.min), std::signbit(b.min));
      EXPECT_EQ(a.min, b.min) << parts << " parts";
      EXPECT_EQ(a.max, b.max) << parts << " parts";
    }
  }
}

// Calibration counts only the histogram its method reads: the counts and
// the range are those of counting both, on small tensors (one array) and
// large ones (four interleaved arrays).
TEST(RangeEstimatorsTest, OneHistogramMatchesBoth) {
  std::vector<float> small = bodyWithOutliers(), large;
  small[4] = NAN;
  for (int r = 0; r < 5; ++r) // past the size where counting splits
    large.insert(large.end(), small.begin(), small.end());
  for (const std::vector<float> *v : {&small, &large}) {
    ActivationStats both;
    both.observeRange(v->data(), v->size());
    ActivationStats plain = both, symmetric = both;
    both.startHistograms();
    plain.startHistograms(ActivationStats::Histograms::Plain);
    symmetric.startHistograms(ActivationStats::Histograms::Symmetric);
    for (ActivationStats *s : {&both, &plain, &symmetric})
      s->observeHistogram(v->data(), v->size());
    EXPECT_EQ(plain.histogram(), both.histogram());
    EXPECT_TRUE(plain.symmetricHistogram().empty());
    EXPECT_EQ(symmetric.symmetricHistogram(), both.symmetricHistogram());
    EXPECT_TRUE(symmetric.histogram().empty());
    for (CalibrationMethod m : {CalibrationMethod::Percentile,
                                CalibrationMethod::Entropy, CalibrationMethod::MSE}) {
      const ActivationStats &one =
          ActivationStats::histogramsFor(m) == ActivationStats::Histograms::Plain
              ? plain
              : symmetric;
      EXPECT_EQ(one.range(m).min, both.range(m).min);
      EXPECT_EQ(one.range(m).max, both.range(m).max);
    }
  }
}

/// The observers, value by value as RangeEstimators.cpp defines them: the
/// vectorized ones must give the same bits (ranges) and counts.
TEST(RangeEstimatorsTest, ObserversMatchTheDefinition) {
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  const float specials[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, 1e-45f,
                            -3.4e38f, 3.4e38f};
  for (int trial = 0; trial < 200; ++trial) {
    // Small, medium and (every tenth) large enough for the split counting.
    int n = trial < 40       ? trial
            : trial % 10 == 0 ? 40000 + static_cast<int>(next() % 5000)
                              : static_cast<int>(next() % 5000);
    std::vector<float> v(n);
    for (float &x : v) {
      uint32_t r = next();
      x = r % 16 == 0 ? specials[(r >> 4) % 8]
                      : (static_cast<float>(r >> 8) / (1 << 24) - 0.5f) *
                            (trial % 3 == 0 ? 1.0f : 100.0f);
    }
    if (trial % 5 == 1) // ReLU-like: zeros of both signs are the minimum
      for (float &x : v)
        x = x < 0 ? (next() % 2 ? 0.0f : -0.0f) : x;

    // Range, by definition, over two calls.
    float min = 0, max = 0;
    int64_t finite = 0, nonFinite = 0;
    for (float x : v) {
      if (!std::isfinite(x)) {
        ++nonFinite;
        continue;
      }
      if (finite++ == 0)
        min = max = x;
      min = std::min(min, x);
      max = std::max(max, x);
    }
    ActivationStats s;
    s.observeRange(v.data(), n / 3);
    s.observeRange(v.data() + n / 3, n - n / 3);
    ASSERT_EQ(s.nonFiniteCount(), nonFinite) << trial;
    ASSERT_EQ(s.seenAny(), finite > 0) << trial;
    if (finite == 0)
      continue;
    Range r = s.observedRange();
    ASSERT_EQ(std::signbit(r.min), std::signbit(min)) << trial;
    ASSERT_EQ(std::signbit(r.max), std::signbit(max)) << trial;
    ASSERT_EQ(r.min, min) << trial;
    ASSERT_EQ(r.max, max) << trial;

    // Histograms, by definition.
    s.startHistograms();
    s.observeHistogram(v.data(), n);
    constexpr int kBins = ActivationStats::kBins;
    std::vector<double> hist(kBins), symHist(kBins);
    float width = (max - min) / kBins;
    float absMax = std::max(std::fabs(min), std::fabs(max));
    for (float x : v) {
      if (!std::isfinite(x))
        continue;
      float b = width > 0 ? (x - min) / width : 0.0f;
      float a = absMax > 0 ? (x / absMax + 1.0f) * (kBins / 2) : kBins / 2;
      // Out-of-range floats would be undefined as int: clamp in float. A
      // position that is not a number (inf / inf when the range spans
      // +-3.4e38) goes to bin 0.
      auto bin = [](float position) {
        return std::isnan(position)
                   ? 0
                   : static_cast<int>(std::clamp(position, 0.0f, float(kBins - 1)));
      };
      hist[bin(b)] += 1;
      symHist[bin(a)] += 1;
    }
    ASSERT_EQ(s.histogram(), hist) << trial;
    ASSERT_EQ(s.symmetricHistogram(), symHist) << trial;
  }
}
