//===- Calibrate.cpp - ranges of activations from sample data ---*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Execution/CompiledModel.h"
#include "qopt/Quantization/Passes.h"
#include "qopt/Quantization/ProbedModels.h"
#include "qopt/Quantization/RangeEstimators.h"
#include "qopt/Support/Threads.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <set>

namespace qopt {
#define GEN_PASS_DEF_QTCALIBRATE
#include "qopt/Quantization/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// Where the JIT-compiled probes report to: one per thread, installed while
/// that thread runs samples.
struct Collector : ProbeSink {
  std::vector<ActivationStats> stats;
  /// The statistics each probe of the model feeds (-1: none; a shared model
  /// may probe more values than calibration asked for).
  std::shared_ptr<const std::vector<int64_t>> statsOfProbe;
  bool histograms = false;
  /// Samples this thread found NaN or infinity in (ranges pass).
  std::vector<int64_t> skipped;

  void observe(int64_t id, const float *data, int64_t count) override {
    if (id < 0 || id >= static_cast<int64_t>(statsOfProbe->size()))
      return;
    int64_t s = (*statsOfProbe)[id];
    if (s < 0)
      return;
    if (histograms)
      stats[s].observeHistogram(data, count);
    else
      stats[s].observeRange(data, count);
  }
};

/// Values that are computed from inputs (not constants) and are float
/// tensors: the activations calibration observes.
bool isActivation(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return false;
  if (Operation *def = v.getDefiningOp())
    return !def->hasTrait<OpTrait::ConstantLike>() && !isa<tosa::ConstOp>(def);
  return true;
}

struct QTCalibrate : qopt::impl::QTCalibrateBase<QTCalibrate> {
  using QTCalibrateBase::QTCalibrateBase;

  /// The pipeline's compiled models (null: a private cache for this run).
  std::shared_ptr<CompiledModelCache> sharedModels;

  /// Samples left out because an input holds NaN or infinity.
  std::set<int64_t> skipped;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    CalibrationMethod calibrationMethod;
    if (!parseCalibrationMethod(method, calibrationMethod)) {
      emitError(module.getLoc()) << "unknown calibration method '" << method
                         << "' (expected minmax, percentile, entropy or mse)";
      return signalPassFailure();
    }
    if (data.empty()) {
      emitError(module.getLoc(), "qt-calibrate needs data=<samples.npz>");
      return signalPassFailure();
    }
    if (!(percentile > 0 && percentile <= 100)) { // NaN too
      emitError(module.getLoc()) << "percentile must be in (0, 100], got " << percentile;
      return signalPassFailure();
    }

    // The activations, in a stable order: arguments, then op results. A
    // reshape or transpose holds the same values as its input, so it gets
    // its input's statistics (exactly) instead of a probe of its own:
    // `recorded` is every activation, `statsOf` its probe's index.
    std::vector<Value> observed, recorded;
    std::vector<size_t> statsOf;
    llvm::DenseMap<Value, size_t> probeOf;
    auto record = [&](Value v) {
      recorded.push_back(v);
      Operation *def = v.getDefiningOp();
      if (def && isa<tosa::ReshapeOp, tosa::TransposeOp>(def)) {
        auto source = probeOf.find(def->getOperand(0));
        if (source != probeOf.end()) {
          statsOf.push_back(source->second);
          probeOf[v] = source->second;
          return;
        }
      }
      probeOf[v] = observed.size();
      statsOf.push_back(observed.size());
      observed.push_back(v);
    };
    func::FuncOp entryFunc;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      if (entryFunc) {
        emitError(module.getLoc(), "qt-calibrate supports one public function; make the "
                         "others private");
        return signalPassFailure();
      }
      entryFunc = func;
      for (BlockArgument arg : func.getArguments())
        if (isActivation(arg))
          record(arg);
      func.walk([&](Operation *op) {
        if (op->getNumResults() == 1 && isActivation(op->getResult(0)))
          record(op->getResult(0));
      });
    }
    if (!entryFunc) {
      if (!module.getOps<LLVM::LLVMFuncOp>().empty())
        emitError(module.getLoc(),
                  "the model is already lowered to the LLVM dialect: calibrate "
                  "(--quantize-int8, --qt-calibrate) before --lower-to-llvm");
      else
        emitError(module.getLoc(), "the model has no public function to calibrate");
      return signalPassFailure();
    }

    // A probe on every activation of a private copy, compiled once for the
    // pipeline: the error report and float-layers= run the same float model.
    CompiledModelCache local;
    CompiledModelCache &models = sharedModels ? *sharedModels : local;
    auto model = models.get(module, observed);
    if (!model) {
      emitError(module.getLoc()) << "cannot compile the model for calibration: "
                         << llvm::toString(model.takeError());
      return signalPassFailure();
    }
    CompiledModel *runner = model->runner;
    auto statsOfProbe = std::make_shared<std::vector<int64_t>>(model->numProbes, -1);
    for (auto [stat, probe] : llvm::enumerate(model->probeOf))
      (*statsOfProbe)[probe] = static_cast<int64_t>(stat);
    // Read lazily: samples are read from the file as they run, so memory
    // does not grow with the calibration set.
    auto arrays = readNumPyFile(data, NpyRead::Lazy);
    if (!arrays) {
      emitError(module.getLoc()) << llvm::toString(arrays.takeError());
      return signalPassFailure();
    }
    const EntryPoint &entry = runner->entryPoints().front();
    auto samples = bindSamples(entry, *arrays, data);
    if (!samples) {
      emitError(module.getLoc()) << llvm::toString(samples.takeError());
      return signalPassFailure();
    }

    if (samples->count == 0) {
      emitError(module.getLoc()) << "'" << data << "' holds no samples";
      return signalPassFailure();
    }

    // One collector per thread; merged in sample order.
    std::vector<Collector> collectors(hostThreadCount());
    for (Collector &c : collectors) {
      c.stats.resize(observed.size());
      c.statsOfProbe = statsOfProbe;
    }
    Collector &collector = collectors.front();
    bool histograms = calibrationMethod != CalibrationMethod::MinMax;
    auto start = std::chrono::steady_clock::now();
    // The ranges pass also finds the samples with a NaN or an infinity in an
    // input; they are left out of every pass (they would distort every range
    // downstream), so the data is read once per pass and no more.
    skipped.clear();
    std::string failure =
        runAll(*runner, entry, *samples, "ranges", histograms ? 2 : 1, 1, collectors);
    for (size_t t = 1; t < collectors.size(); ++t)
      for (auto [merged, part] : llvm::zip(collector.stats, collectors[t].stats))
        merged.mergeRanges(part);
    for (Collector &c : collectors)
      skipped.insert(c.skipped.begin(), c.skipped.end());
    if (failure.empty() && !skipped.empty())
      emitWarning(module.getLoc()) << skipped.size() << " of " << samples->count
                           << " calibration samples contain NaN or infinite "
                              "values and were skipped";
    if (failure.empty() && static_cast<int64_t>(skipped.size()) == samples->count) {
      emitError(module.getLoc(), "no calibration sample is free of NaN and infinite values");
      return signalPassFailure();
    }
    if (failure.empty() && histograms) {
      startHistograms(collector, ActivationStats::histogramsFor(calibrationMethod));
      for (size_t t = 1; t < collectors.size(); ++t)
        collectors[t] = collector; // the same bins, no counts yet
      failure = runAll(*runner, entry, *samples, "histograms", 2, 2, collectors);
      for (size_t t = 1; t < collectors.size(); ++t)
        for (auto [merged, part] : llvm::zip(collector.stats, collectors[t].stats))
          merged.mergeHistograms(part);
    }
    if (!failure.empty()) {
      emitError(module.getLoc(), failure);
      return signalPassFailure();
    }
    if (timing) {
      std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
      llvm::errs() << llvm::formatv("calibration: {0} samples, {1} pass(es), {2:F3} s "
                                    "running them on {3} thread(s)\n",
                                    samples->count - skipped.size(), histograms ? 2 : 1,
                                    t.count(), collectors.size());
    }

    // The methods' searches (entropy's is O(bins^2) per value) on the
    // calibration threads, each taking the next value to do.
    std::vector<qopt::Range> ranges(observed.size());
    std::atomic<size_t> nextValue{0};
    forEachChunk(collectors.size(), collectors.size(),
                 [&](unsigned, int64_t, int64_t) {
      for (size_t id; (id = nextValue++) < ranges.size();)
        ranges[id] = collector.stats[id].range(calibrationMethod, percentile);
    });

    // Record the ranges where the values are produced.
    Builder b(module.getContext());
    for (auto [value, id] : llvm::zip_equal(recorded, statsOf)) {
      const ActivationStats &s = collector.stats[id];
      qopt::Range r = ranges[id];
      auto attr = b.getDenseF32ArrayAttr({r.min, r.max});
      if (auto arg = dyn_cast<BlockArgument>(value))
        entryFunc.setArgAttr(arg.getArgNumber(), kRangeAttrName, attr);
      else
        value.getDefiningOp()->setAttr(kRangeAttrName, attr);
      if (s.nonFiniteCount() > 0 && observed[id] == value) {
        Location loc = isa<BlockArgument>(value) ? entryFunc.getLoc()
                                                 : value.getDefiningOp()->getLoc();
        emitWarning(loc) << s.nonFiniteCount()
                         << " NaN or infinite values were ignored while "
                            "calibrating this value";
      }
    }
    module->setAttr(qopt::kCalibrationAttrName,
                    b.getDictionaryAttr({
                        b.getNamedAttr("method", b.getStringAttr(method)),
                        b.getNamedAttr("samples",
                                       b.getI64IntegerAttr(samples->count -
                                                           skipped.size())),
                    }));
  }

  static void startHistograms(Collector &c, ActivationStats::Histograms which) {
    for (ActivationStats &s : c.stats)
      s.startHistograms(which);
    c.histograms = true;
  }

  /// Runs every sample, each thread a contiguous share of them into its own
  /// collector, with progress on a terminal. Returns what went wrong, if
  /// anything (the first failing sample's error).
  std::string runAll(CompiledModel &runner, const EntryPoint &entry,
              const SampleSet &samples, llvm::StringRef what, int passes,
              int pass, std::vector<Collector> &collectors) {
    bool show = progress && llvm::errs().is_displayed();
    std::vector<int64_t> order;
    for (int64_t i = 0; i < samples.count; ++i)
      if (!skipped.count(i))
        order.push_back(i);
    std::atomic<int64_t> done{0};
    std::atomic<bool> failed{false};
    auto start = std::chrono::steady_clock::now();
    auto report = [&](int64_t n) {
      std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
      llvm::errs() << llvm::formatv(
          "\rcalibrating ({0}/{1}: {2}): {3}/{4} samples, {5:F0} samples/s ",
          pass, passes, what, n, order.size(), n / t.count());
    };
    std::vector<std::string> errors(collectors.size());
    forEachChunk(order.size(), collectors.size(),
                 [&](unsigned chunk, int64_t begin, int64_t end) {
      ScopedProbeSink installed(&collectors[chunk]);
      SampleScratch scratch;
      std::vector<std::vector<char>> outputs;
      for (const TensorSpec &out : entry.outputs)
        outputs.emplace_back(out.numBytes());
      for (int64_t j = begin; j < end && !failed; ++j) {
        llvm::SmallVector<const void *> in;
        for (size_t k = 0; k < entry.inputs.size() && errors[chunk].empty(); ++k) {
          auto sample = samples.sample(k, order[j], entry, scratch);
          if (sample)
            in.push_back(*sample);
          else
            errors[chunk] = llvm::toString(sample.takeError());
        }
        if (!errors[chunk].empty()) {
          failed = true;
          break;
        }
        if (pass == 1 && !inputsAreFinite(entry, in)) {
          collectors[chunk].skipped.push_back(order[j]);
          ++done;
          continue;
        }
        llvm::SmallVector<void *> out;
        for (auto &o : outputs)
          out.push_back(o.data());
        if (llvm::Error err = runner.run(entry, in, out)) {
          llvm::consumeError(std::move(err));
          errors[chunk] = "the model failed while running on calibration data";
          failed = true;
        }
        int64_t n = ++done;
        if (show && chunk == 0 && n % 64 == 0) // the first thread reports for all
          report(n);
      }
    });
    if (show) {
      report(done);
      llvm::errs() << "\n";
    }
    for (std::string &error : errors)
      if (!error.empty())
        return error;
    return "";
  }
};

} // namespace

std::unique_ptr<Pass>
qopt::createQTCalibrate(const QTCalibrateOptions &options,
                        std::shared_ptr<CompiledModelCache> models) {
  auto pass = std::make_unique<QTCalibrate>(options);
  pass->sharedModels = std::move(models);
  return pass;
}
