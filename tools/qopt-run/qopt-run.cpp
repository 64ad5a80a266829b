//===- qopt-run.cpp - run any stage of a model on NumPy data ----*- C++ -*-===//
//
//   qopt-run model.mlir|model.onnx --inputs test.npz [--labels labels.npy]
//            [--compare other.mlir] [--outputs out.npz] [--entry main]
//
// JIT-compiles the model (the same lowering as `qopt --lower-to-llvm`), runs
// it on every sample and reports top-1 accuracy against labels and/or the
// error against another model (e.g. float vs int8) on the same inputs.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/InputLimits.h"
#include "qopt/Execution/ModelRunner.h"
#include "qopt/Import/ModelFile.h"
#include "qopt/InitAll.h"
#include "qopt/Support/NumPy.h"
#include "qopt/Support/OutputFiles.h"
#include "qopt/Support/ToolOptions.h"
#include "qopt/Support/Threads.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <cmath>

using namespace mlir;
using namespace qopt;
namespace cl = llvm::cl;

static cl::OptionCategory runCategory("qopt-run options");

static cl::opt<std::string> modelFile(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir|model.onnx>"), cl::cat(runCategory));
static cl::opt<std::string> inputsFile("inputs", cl::Required,
                                       cl::desc("Inputs (.npz keyed by input name, or .npy)"),
                                       cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<std::string> labelsFile("labels",
                                       cl::desc("Integer class labels (.npy) for top-1 accuracy"),
                                       cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<std::string> compareFile("compare",
                                        cl::desc("Reference model to compare outputs with"),
                                        cl::value_desc("model.mlir"), cl::cat(runCategory));
static cl::opt<std::string> outputsFile("outputs",
                                        cl::desc("Write the outputs (.npz, keyed by output name)"),
                                        cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<unsigned> numThreads(
    "num-threads",
    cl::desc("Threads running samples (default: QOPT_NUM_THREADS, else the "
             "CPUs this process may run on); outputs do not depend on it"),
    cl::init(0), cl::cat(runCategory));
static cl::opt<std::string> entryName("entry", cl::desc("Public function to run (default: the only one)"), cl::cat(runCategory));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("ONNX models: the static shape of a graph input whose dimensions "
             "the file leaves open, e.g. x:1x3x48x192"),
    cl::value_desc("name:shape"), cl::cat(runCategory));
static cl::opt<int64_t> limit("limit", cl::desc("Run at most this many samples"), cl::init(-1), cl::cat(runCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "qopt-run") << message << "\n";
  return 1;
}

namespace {

/// A model compiled and run over the samples; outputs concatenated per output.
struct Run {
  std::vector<NpyArray> outputs;
  std::vector<std::string> outputNames;
  double secondsPerSample = 0;
};

llvm::Expected<Run> runModel(MLIRContext &context, llvm::StringRef path,
                             const std::map<std::string, NpyArray> &data,
                             int64_t maxSamples) {
  std::string error;
  auto file = openInputFile(path, &error);
  if (!file)
    return llvm::createStringError(error);
  ModelFormat format = detectModelFormat(path, file->getBuffer());
  if (format == ModelFormat::Unknown)
    return llvm::createStringError(unknownModelFormat(path));
  if (format == ModelFormat::ONNX) {
    ONNXImportOptions options;
    for (llvm::StringRef spec : inputShapes)
      if (llvm::Error err = parseInputShape(spec, options))
        return std::move(err);
    std::optional<std::string> text = importONNXAsText(path, options);
    if (!text)
      return llvm::createStringError("cannot import '" + path + "'");
    file = llvm::MemoryBuffer::getMemBufferCopy(*text, path);
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  if (failed(qopt::checkNestingDepth(sourceMgr)))
    return llvm::createStringError("cannot parse '" + path + "'");
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return llvm::createStringError("cannot parse '" + path + "'");
  auto runner = ModelRunner::create(*module);
  if (!runner)
    return runner.takeError();
  auto entry = (*runner)->entryPoint(entryName);
  if (!entry)
    return entry.takeError();
  auto samples = bindSamples(**entry, data, inputsFile);
  if (!samples)
    return samples.takeError();
  int64_t count = samples->count;
  if (maxSamples >= 0)
    count = std::min(count, maxSamples);

  Run run;
  for (const TensorSpec &out : (*entry)->outputs) {
    NpyArray array;
    array.dtype = out.dtype;
    array.shape = {count};
    array.shape.insert(array.shape.end(), out.shape.begin(), out.shape.end());
    array.data.resize(count * out.numBytes());
    run.outputs.push_back(std::move(array));
    run.outputNames.push_back(out.name);
  }
  // Samples on several threads, each a contiguous share writing its own
  // output slots: the same outputs at any thread count.
  auto start = std::chrono::steady_clock::now();
  unsigned threads = hostThreadCount();
  std::vector<std::string> errors(threads);
  forEachChunk(count, threads, [&](unsigned chunk, int64_t begin, int64_t end) {
    SampleScratch scratch;
    for (int64_t i = begin; i < end; ++i) {
      llvm::SmallVector<const void *> in;
      for (size_t k = 0; k < (*entry)->inputs.size(); ++k) {
        auto sample = samples->sample(k, i, **entry, scratch);
        if (!sample) {
          errors[chunk] = llvm::toString(sample.takeError());
          return;
        }
        in.push_back(*sample);
      }
      llvm::SmallVector<void *> out;
      for (auto [k, spec] : llvm::enumerate((*entry)->outputs))
        out.push_back(run.outputs[k].data.data() + i * spec.numBytes());
      if (llvm::Error err = (*runner)->run(**entry, in, out)) {
        errors[chunk] = llvm::toString(std::move(err));
        return;
      }
    }
  });
  for (const std::string &error : errors)
    if (!error.empty())
      return llvm::createStringError(error);
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  run.secondsPerSample = count ? elapsed.count() / count : 0;
  return run;
}

double element(const NpyArray &a, int64_t i) {
  switch (a.dtype) {
  case DType::F32: return a.as<float>()[i];
  case DType::F64: return a.as<double>()[i];
  case DType::I8: return a.as<int8_t>()[i];
  case DType::U8: return a.as<uint8_t>()[i];
  case DType::I16: return a.as<int16_t>()[i];
  case DType::I32: return a.as<int32_t>()[i];
  case DType::I64: return static_cast<double>(a.as<int64_t>()[i]);
  case DType::Bool: return a.as<uint8_t>()[i];
  }
  return 0;
}

/// Index of the largest element of sample `i` of `a`.
int64_t argmax(const NpyArray &a, int64_t i, int64_t perSample) {
  int64_t best = 0;
  for (int64_t k = 1; k < perSample; ++k)
    if (element(a, i * perSample + k) > element(a, i * perSample + best))
      best = k;
  return best;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  qopt::setVersionPrinter("qopt-run");
  qopt::hideOtherOptions(runCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "qopt-run: run a model on NumPy data and report "
                              "accuracy or error\n");
  setHostThreadCount(numThreads);
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllToLLVMIRTranslations(registry);
  MLIRContext context(registry);

  // Inputs are read as the samples run (memory does not grow with them).
  auto data = readNumPyFile(inputsFile, NpyRead::Lazy);
  if (!data)
    return fail(llvm::toString(data.takeError()));
  auto run = runModel(context, modelFile, *data, limit);
  if (!run)
    return fail(llvm::toString(run.takeError()));
  int64_t count = run->outputs.empty() ? 0 : run->outputs[0].shape[0];
  llvm::outs() << "samples: " << count << "\n";
  llvm::outs() << llvm::format("time per sample: %.2f us\n",
                               run->secondsPerSample * 1e6);

  if (!labelsFile.empty()) {
    auto labels = readNumPyFile(labelsFile);
    if (!labels)
      return fail(llvm::toString(labels.takeError()));
    if (labels->size() != 1 || !labels->count(""))
      return fail(labelsFile + ": expected a .npy file of integer labels");
    const NpyArray &l = labels->at("");
    if (l.dtype == DType::F32 || l.dtype == DType::F64 || l.numElements() < count)
      return fail(labelsFile + ": expected at least " + llvm::Twine(count) +
                  " integer labels, got " + llvm::Twine(l.numElements()) + " " +
                  dtypeName(l.dtype));
    if (l.shape.size() > 1 && l.numElements() != l.shape[0])
      return fail(labelsFile + ": expected one integer label per sample (shape [N]), got shape " +
                  l.shapeString() + " (one-hot labels? store their argmax)");
    const NpyArray &out = run->outputs[0];
    int64_t perSample = out.numElements() / std::max<int64_t>(count, 1);
    int64_t correct = 0;
    for (int64_t i = 0; i < count; ++i)
      correct += argmax(out, i, perSample) == static_cast<int64_t>(element(l, i));
    llvm::outs() << llvm::format("accuracy: %.4f\n",
                                 count ? double(correct) / count : 0.0)
                 << "correct: " << correct << "/" << count << "\n";
  }

  if (!compareFile.empty()) {
    auto reference = runModel(context, compareFile, *data, limit);
    if (!reference)
      return fail(llvm::toString(reference.takeError()));
    if (reference->outputs.size() != run->outputs.size())
      return fail("the models have different numbers of outputs");
    double maxAbs = 0, sumAbs = 0, sumRefAbs = 0, signal = 0, noise = 0;
    int64_t agree = 0, nonFiniteMine = 0, nonFiniteRef = 0;
    for (auto [mine, ref] : llvm::zip(run->outputs, reference->outputs)) {
      if (mine.numElements() != ref.numElements())
        return fail("the models' outputs differ in size");
      for (int64_t i = 0, e = mine.numElements(); i < e; ++i) {
        double o = element(mine, i), r = element(ref, i), d = std::fabs(o - r);
        nonFiniteMine += !std::isfinite(o);
        nonFiniteRef += !std::isfinite(r);
        maxAbs = std::max(maxAbs, d);
        sumAbs += d;
        sumRefAbs += std::fabs(r);
        signal += r * r;
        noise += (o - r) * (o - r);
      }
    }
    // Errors against NaN or infinity mean nothing (and max() would skip NaN).
    if (nonFiniteMine || nonFiniteRef)
      return fail("cannot measure errors: the outputs hold NaN or infinite values (" +
                  llvm::Twine(nonFiniteMine) + " of " + modelFile + "'s, " +
                  llvm::Twine(nonFiniteRef) + " of " + compareFile + "'s)");
    int64_t perSample = run->outputs[0].numElements() / std::max<int64_t>(count, 1);
    for (int64_t i = 0; i < count; ++i)
      agree += argmax(run->outputs[0], i, perSample) ==
               argmax(reference->outputs[0], i, perSample);
    llvm::outs() << llvm::format("max abs error: %.6g\n", maxAbs)
                 << llvm::format("mean relative error: %.6g\n",
                                 sumRefAbs > 0 ? sumAbs / sumRefAbs : 0.0);
    if (noise == 0)
      llvm::outs() << "SQNR: inf dB\n";
    else
      llvm::outs() << llvm::format("SQNR: %.2f dB\n", 10 * std::log10(signal / noise));
    llvm::outs() << llvm::format("top-1 agreement: %.4f\n",
                                 count ? double(agree) / count : 0.0);
  }

  if (!outputsFile.empty()) {
    std::map<std::string, NpyArray> arrays;
    for (auto [name, array] : llvm::zip(run->outputNames, run->outputs))
      arrays[name] = array;
    if (llvm::Error err = writeOutputFiles({{outputsFile, serializeNpz(arrays)}}))
      return fail(llvm::toString(std::move(err)));
  }
  return 0;
}
