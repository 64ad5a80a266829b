//===- RangeEstimators.cpp - activation ranges from samples -----*- C++ -*-===//

#include "qopt/Quantization/RangeEstimators.h"
#include "qopt/Reference/Numerics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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

// The observers run on every value of every activation of every sample, so
// they are written to vectorize (integer min / max need no fast-math) and
// built for the host's widest vectors.
#if defined(__x86_64__) && defined(__clang__)
#define QOPT_VECTOR_CLONES                                                     \
  __attribute__((target_clones("avx512bw", "avx2", "default")))
#else
#define QOPT_VECTOR_CLONES
#endif

namespace {

/// An integer whose order is that of the floats (-0 before +0).
inline int32_t orderKey(int32_t bits) { return bits ^ ((bits >> 31) & 0x7fffffff); }

inline bool isFiniteBits(uint32_t bits) {
  return (bits & 0x7f800000u) != 0x7f800000u;
}

struct Scan {
  int32_t lo, hi; // order keys of the least and greatest finite values
  int64_t nonFinite;
};

QOPT_VECTOR_CLONES
Scan scanKeys(const float *data, int64_t n) {
  int32_t lo = std::numeric_limits<int32_t>::max();
  int32_t hi = std::numeric_limits<int32_t>::min();
  int64_t nonFinite = 0;
  for (int64_t i = 0; i < n; ++i) {
    int32_t bits;
    std::memcpy(&bits, data + i, sizeof bits);
    int32_t key = orderKey(bits);
    // All ones for NaN and infinities (exponent all ones). Selects written
    // as masks: as `finite ? key : max` clang kept the loop scalar.
    int32_t nonFiniteMask = -int32_t((bits & 0x7f800000) == 0x7f800000);
    lo = std::min(lo, (key & ~nonFiniteMask) |
                          (nonFiniteMask & std::numeric_limits<int32_t>::max()));
    hi = std::max(hi, (key & ~nonFiniteMask) |
                          (nonFiniteMask & std::numeric_limits<int32_t>::min()));
    nonFinite -= nonFiniteMask;
  }
  return {lo, hi, nonFinite};
}

float fromKey(int32_t key) {
  int32_t bits = orderKey(key); // its own inverse
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

/// The first zero of data[0, n): which of -0 and +0 a sequential std::min /
/// std::max keeps when the extreme is zero.
float firstZero(const float *data, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (data[i] == 0.0f)
      return data[i];
  return 0.0f;
}

} // namespace

void ActivationStats::observeRange(const float *data, int64_t n) {
  // The same as, value by value in order: skip and count a non-finite one,
  // else min = std::min(min, v), max = std::max(max, v) (the first of equal
  // values stays; that only tells -0 from +0).
  Scan scan = scanKeys(data, n);
  nonFinite += scan.nonFinite;
  int64_t finite = n - scan.nonFinite;
  if (finite == 0)
    return;
  float lo = fromKey(scan.lo), hi = fromKey(scan.hi);
  if (lo == 0.0f)
    lo = firstZero(data, n);
  if (hi == 0.0f)
    hi = firstZero(data, n);
  if (finiteCount == 0) {
    min = lo;
    max = hi;
  } else {
    min = std::min(min, lo);
    max = std::max(max, hi);
  }
  finiteCount += finite;
}

void ActivationStats::mergeRanges(const ActivationStats &later) {
  nonFinite += later.nonFinite;
  if (later.finiteCount == 0)
    return;
  if (finiteCount == 0) {
    min = later.min;
    max = later.max;
  } else {
    // std::min keeps the first of equal values, as observeRange does.
    min = std::min(min, later.min);
    max = std::max(max, later.max);
  }
  finiteCount += later.finiteCount;
}

void ActivationStats::mergeHistograms(const ActivationStats &other) {
  for (size_t i = 0; i < hist.size() && i < other.hist.size(); ++i)
    hist[i] += other.hist[i];
  for (size_t i = 0; i < symHist.size() && i < other.symHist.size(); ++i)
    symHist[i] += other.symHist[i];
}

ActivationStats::Histograms
ActivationStats::histogramsFor(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::Entropy:
    return Histograms::Symmetric;
  case CalibrationMethod::Percentile:
  case CalibrationMethod::MSE:
    return Histograms::Plain;
  case CalibrationMethod::MinMax:
    break;
  }
  return Histograms::Both;
}

void ActivationStats::startHistograms(Histograms which) {
  auto wanted = [&](Histograms h) { return (int(which) & int(h)) != 0; };
  hist.assign(wanted(Histograms::Plain) ? kBins : 0, 0.0);
  symHist.assign(wanted(Histograms::Symmetric) ? kBins : 0, 0.0);
  histMin = min;
  histWidth = (max - min) / kBins;
  absMax = std::max(std::fabs(min), std::fabs(max));
}

namespace {

constexpr int kChunk = 1024;

/// Bin indices of a chunk of values: (v - lower) * scale + offset truncated
/// and clamped to the histogram, as the definition below; `kBins` for a
/// value that is not finite. Clamped in float first: a NaN or out-of-range
/// float converted to int is undefined.
QOPT_VECTOR_CLONES
void binChunk(const float *data, int n, float histMin, float histWidth,
              float absMax, int *bins, int *symBins) {
  constexpr int kBins = ActivationStats::kBins;
  constexpr float kLast = kBins - 1;
  for (int i = 0; i < n; ++i) {
    float v = data[i];
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    bool finite = isFiniteBits(bits);
    float b = histWidth > 0 ? (v - histMin) / histWidth : 0.0f;
    float a = absMax > 0 ? (v / absMax + 1.0f) * (kBins / 2) : kBins / 2;
    b = b > 0.0f ? b : 0.0f; // NaN -> 0
    b = b < kLast ? b : kLast;
    a = a > 0.0f ? a : 0.0f;
    a = a < kLast ? a : kLast;
    bins[i] = finite ? static_cast<int>(b) : kBins;
    symBins[i] = finite ? static_cast<int>(a) : kBins;
  }
}

} // namespace

void ActivationStats::observeHistogram(const float *data, int64_t n) {
  // Definition, for each finite v (non-finite ones are skipped):
  //   hist[clamp(int((v - histMin) / histWidth), 0, kBins - 1)] += 1
  //   symHist[clamp(int((v / absMax + 1) * kBins / 2), 0, kBins - 1)] += 1
  // (bin 0, resp. kBins / 2, when histWidth, resp. absMax, is 0), for the
  // histograms that were started.
  int bins[kChunk], symBins[kChunk];
  // Counting into one array serializes on runs of equal bins (a ReLU's
  // zeros): large tensors count into four integer arrays in turn, summed
  // into the histograms at the end. Counts are integers, so the sums are
  // exact in any order.
  constexpr int kWays = 4;
  struct Target {
    std::vector<double> &counts;
    const int *bins;
  };
  llvm::SmallVector<Target, 2> targets;
  if (!hist.empty())
    targets.push_back({hist, bins});
  if (!symHist.empty())
    targets.push_back({symHist, symBins});
  if (targets.empty())
    return;
  bool split = n >= 16 * kBins;
  thread_local std::vector<uint32_t> ways;
  size_t wayBlock = size_t(kWays) * (kBins + 1);
  if (split)
    ways.assign(targets.size() * wayBlock, 0);
  for (int64_t start = 0; start < n; start += kChunk) {
    int count = static_cast<int>(std::min<int64_t>(kChunk, n - start));
    binChunk(data + start, count, histMin, histWidth, absMax, bins, symBins);
    for (auto [t, target] : llvm::enumerate(targets)) {
      const int *b = target.bins;
      if (split) {
        // Way w: [w * (kBins + 1), ...); slot kBins takes the non-finite
        // values. Unrolled by the ways: no index arithmetic per value
        // (measured 1.6x faster than `(i % kWays)` addressing).
        uint32_t *w0 = ways.data() + t * wayBlock, *w1 = w0 + (kBins + 1),
                 *w2 = w1 + (kBins + 1), *w3 = w2 + (kBins + 1);
        static_assert(kWays == 4, "one pointer per way");
        int i = 0;
        for (; i + kWays <= count; i += kWays) {
          ++w0[b[i]];
          ++w1[b[i + 1]];
          ++w2[b[i + 2]];
          ++w3[b[i + 3]];
        }
        for (; i < count; ++i)
          ++w0[b[i]];
        continue;
      }
      std::vector<double> &h = target.counts;
      for (int i = 0; i < count; ++i)
        if (b[i] != kBins)
          h[b[i]] += 1;
    }
  }
  if (split)
    for (auto [t, target] : llvm::enumerate(targets)) {
      const uint32_t *counts = ways.data() + t * wayBlock;
      for (int w = 0; w < kWays; ++w)
        for (int b = 0; b < kBins; ++b)
          target.counts[b] += counts[w * (kBins + 1) + b];
    }
}

Range ActivationStats::range(CalibrationMethod method, double percentile) const {
  if (!seenAny())
    return {0, 0};
  if (method == CalibrationMethod::MinMax || max == min)
    return {min, max};
  if ((method == CalibrationMethod::Entropy ? symHist : hist).empty())
    return {min, max}; // not collected
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

namespace {

/// ONNX Runtime's smooth_distribution: moves eps of mass onto empty bins.
bool smooth(std::vector<double> &p, double eps = 0.0001) {
  int64_t zeros = 0;
  for (double v : p)
    zeros += v == 0;
  int64_t nonZeros = static_cast<int64_t>(p.size()) - zeros;
  if (nonZeros == 0)
    return false;
  double eps1 = eps * double(zeros) / double(nonZeros);
  for (double &v : p)
    v += v == 0 ? eps : -eps1;
  return true;
}

double klDivergence(const std::vector<double> &p, const std::vector<double> &q) {
  double ps = 0, qs = 0;
  for (double v : p)
    ps += v;
  for (double v : q)
    qs += v;
  double kl = 0;
  for (size_t k = 0; k < p.size(); ++k) {
    double pk = p[k] / ps, qk = q[k] / qs;
    if (pk > 0 && qk > 0) {
      double term = pk * std::log(pk / qk);
      kl += term;
    }
  }
  return kl;
}

/// Counts whose every partial sum is an integer below 2^53: sums of them are
/// exact in any order, so the windows' folds and groups can come from one
/// prefix sum and still be the direct loops' values bit for bit.
bool exactCounts(const std::vector<double> &hist) {
  double total = 0;
  for (double v : hist) {
    if (!(std::fabs(v) < 0x1p53) || v != std::floor(v))
      return false;
    total += std::fabs(v);
  }
  return total < 0x1p53;
}

/// smooth() on both distributions at once, as selects that vectorize.
QOPT_VECTOR_CLONES
void smoothBoth(double *p, double *q, int64_t n, double eps, double pEps,
                double qEps) {
  for (int64_t k = 0; k < n; ++k) {
    p[k] += p[k] == 0 ? eps : -pEps;
    q[k] += q[k] == 0 ? eps : -qEps;
  }
}

/// For every bin: pk = p / ps, the log's argument pk / (q / qs), whether the
/// bin counts (pk > 0 and qk > 0), and whether its term must be computed
/// (it counts and differs from the bin before it; equal bins have equal
/// terms). IEEE division gives the same bits in vectors.
QOPT_VECTOR_CLONES
void prepareTerms(const double *p, const double *q, int64_t n, double ps,
                  double qs, double *pk, double *ratio, uint8_t *counts,
                  uint8_t *fresh) {
  for (int64_t k = 0; k < n; ++k) {
    double a = p[k] / ps, b = q[k] / qs;
    pk[k] = a;
    ratio[k] = a / b;
    counts[k] = a > 0 && b > 0;
  }
  fresh[0] = counts[0];
  for (int64_t k = 1; k < n; ++k)
    fresh[k] = counts[k] && (p[k] != p[k - 1] || q[k] != q[k - 1]);
}

} // namespace

float qopt::detail::entropyThresholdDirect(const std::vector<double> &hist,
                                           float absMax, int quantizedBins,
                                           double *bestKLOut) {
  // ONNX Runtime's get_entropy_threshold on a histogram symmetric around 0:
  // candidate windows [-t, t] widen one bin each side at a time.
  int bins = static_cast<int>(hist.size());
  int zero = bins / 2, half = quantizedBins / 2;
  float width = 2 * absMax / bins;
  double bestKL = std::numeric_limits<double>::infinity();
  float best = absMax;
  std::vector<double> sliced, p, q, quantized(quantizedBins);
  for (int i = half; i <= zero; ++i) {
    int start = zero - i, end = std::min(zero + i + 1, bins);
    sliced.assign(hist.begin() + start, hist.begin() + end);
    p = sliced;
    for (int k = 0; k < start; ++k)
      p.front() += hist[k];
    for (int k = end; k < bins; ++k)
      p.back() += hist[k];
    int merged = static_cast<int>(sliced.size()) / quantizedBins;
    std::fill(quantized.begin(), quantized.end(), 0.0);
    for (int j = 0; j < quantizedBins; ++j)
      for (int k = j * merged; k < (j + 1) * merged; ++k)
        quantized[j] += sliced[k];
    for (size_t k = size_t(quantizedBins) * merged; k < sliced.size(); ++k)
      quantized.back() += sliced[k];
    q.assign(p.size(), 0.0);
    for (int j = 0; j < quantizedBins; ++j) {
      int s0 = j * merged, s1 = s0 + merged;
      int nonZero = 0;
      for (int k = s0; k < s1; ++k)
        nonZero += p[k] != 0;
      if (nonZero)
        for (int k = s0; k < s1; ++k)
          q[k] = std::floor(quantized[j] / nonZero); // integer, as ORT
    }
    if (!smooth(p) || !smooth(q))
      continue;
    double kl = klDivergence(p, q);
    if (kl < bestKL) {
      bestKL = kl;
      best = -absMax + end * width; // the window's upper edge
    }
  }
  if (bestKLOut)
    *bestKLOut = bestKL;
  return best;
}

float qopt::entropyThreshold(const std::vector<double> &hist, float absMax,
                             int quantizedBins, double *bestKLOut) {
  // The direct search above, restated to cost less per window and give the
  // same bits: folds and group sums from a prefix sum (exact for counts),
  // smoothing and divisions in vectors, the two sums of a window in one loop
  // (each in its own order), and one log per run of equal bins (a ReLU's
  // negative half and the empty tails are long runs of one smoothed value).
  int bins = static_cast<int>(hist.size());
  if (quantizedBins < 2 || !exactCounts(hist))
    return detail::entropyThresholdDirect(hist, absMax, quantizedBins,
                                          bestKLOut);
  int zero = bins / 2, half = quantizedBins / 2;
  float width = 2 * absMax / bins;
  double bestKL = std::numeric_limits<double>::infinity();
  float best = absMax;
  std::vector<double> prefix(bins + 1, 0.0);
  for (int k = 0; k < bins; ++k)
    prefix[k + 1] = prefix[k] + hist[k];
  std::vector<double> p(bins), q(bins), pk(bins), ratio(bins), term(bins);
  std::vector<uint8_t> counts(bins), fresh(bins);
  std::vector<int> freshBins(bins);
  const double eps = 0.0001; // smooth()'s
  for (int i = half; i <= zero; ++i) {
    int start = zero - i, end = std::min(zero + i + 1, bins);
    int n = end - start;
    std::copy(hist.begin() + start, hist.begin() + end, p.begin());
    p[0] += prefix[start];
    p[n - 1] += prefix[bins] - prefix[end];
    int merged = n / quantizedBins;
    int grouped = merged * quantizedBins;
    int64_t pZeros = 0, qZeros = 0;
    for (int j = 0; j < quantizedBins; ++j) {
      int s0 = j * merged, s1 = s0 + merged;
      double quantized = prefix[start + s1] - prefix[start + s0];
      if (j == quantizedBins - 1)
        quantized += prefix[end] - prefix[start + grouped];
      int nonZero = 0;
      for (int k = s0; k < s1; ++k)
        nonZero += p[k] != 0;
      pZeros += merged - nonZero;
      double v = nonZero ? std::floor(quantized / nonZero) : 0.0;
      qZeros += v == 0 ? merged : 0;
      std::fill(q.begin() + s0, q.begin() + s1, v);
    }
    for (int k = grouped; k < n; ++k)
      pZeros += p[k] == 0;
    std::fill(q.begin() + grouped, q.begin() + n, 0.0);
    qZeros += n - grouped;
    if (pZeros == n || qZeros == n)
      continue;
    double pEps = eps * double(pZeros) / double(n - pZeros);
    double qEps = eps * double(qZeros) / double(n - qZeros);
    smoothBoth(p.data(), q.data(), n, eps, pEps, qEps);
    double ps = 0, qs = 0;
    for (int k = 0; k < n; ++k) {
      ps += p[k];
      qs += q[k];
    }
    prepareTerms(p.data(), q.data(), n, ps, qs, pk.data(), ratio.data(),
                 counts.data(), fresh.data());
    int64_t logs = 0;
    for (int k = 0; k < n; ++k) {
      freshBins[logs] = k;
      logs += fresh[k];
    }
    for (int64_t j = 0; j < logs; ++j) {
      int k = freshBins[j];
      term[k] = pk[k] * std::log(ratio[k]);
    }
    // Adding +0.0 for a bin that does not count leaves the sum's bits as
    // skipping it would: no term is -0.0, so the sum never is.
    double kl = 0, last = 0;
    for (int k = 0; k < n; ++k) {
      double t = fresh[k] ? term[k] : last;
      last = t;
      kl += counts[k] ? t : 0.0;
    }
    if (kl < bestKL) {
      bestKL = kl;
      best = -absMax + end * width; // the window's upper edge
    }
  }
  if (bestKLOut)
    *bestKLOut = bestKL;
  return best;
}

Range ActivationStats::entropyRange() const {
  float t = entropyThreshold(symHist, absMax);
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
