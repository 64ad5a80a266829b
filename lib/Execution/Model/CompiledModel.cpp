//===- CompiledModel.cpp - a compiled model, as its users see it -*- C++ -*-===//

#include "qopt/Execution/CompiledModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <mutex>

using namespace mlir;
using namespace qopt;

namespace {
std::mutex compilerMutex;
ModelCompiler &registeredCompiler() {
  static ModelCompiler compiler;
  return compiler;
}
} // namespace

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

CompiledModel::~CompiledModel() = default;

llvm::Expected<const EntryPoint *>
CompiledModel::entryPoint(llvm::StringRef name) const {
  if (name.empty()) {
    if (entryPoints().size() == 1)
      return &entryPoints().front();
    return llvm::createStringError(
        "the model has several public functions; choose one with --entry (" +
        llvm::join(llvm::map_range(entryPoints(),
                                   [](const EntryPoint &e) { return e.name; }),
                   ", ") +
        ")");
  }
  for (const EntryPoint &entry : entryPoints())
    if (entry.name == name)
      return &entry;
  return llvm::createStringError("the model has no public function '" + name +
                                 "'");
}

void qopt::registerModelCompiler(ModelCompiler compiler) {
  std::lock_guard<std::mutex> lock(compilerMutex);
  registeredCompiler() = std::move(compiler);
}

llvm::Expected<std::unique_ptr<CompiledModel>>
qopt::compileModel(ModuleOp module, llvm::ArrayRef<SymbolBinding> symbols,
                   unsigned optLevel) {
  ModelCompiler compiler;
  {
    std::lock_guard<std::mutex> lock(compilerMutex);
    compiler = registeredCompiler();
  }
  if (!compiler)
    return llvm::createStringError(
        "no model compiler is registered (link QOptExecution and call "
        "qopt::registerModelJIT(), as qopt::registerAllPasses() does)");
  return compiler(module, symbols, optLevel);
}

llvm::Expected<const void *> SampleSet::sample(size_t input, int64_t i,
                                               const EntryPoint &entry,
                                               SampleScratch &scratch) const {
  const NpyArray &array = *inputs[input];
  size_t n = entry.inputs[input].numBytes();
  if (!array.isLazy())
    return array.data.data() + i * n;
  if (scratch.buffers.size() <= input) {
    scratch.buffers.resize(inputs.size());
    scratch.states.resize(inputs.size());
  }
  std::vector<char> &buffer = scratch.buffers[input];
  buffer.resize(n);
  if (!scratch.states[input])
    scratch.states[input] = std::make_unique<NpyReadState>();
  if (llvm::Error err = array.read(uint64_t(i) * n, buffer, *scratch.states[input]))
    return llvm::createStringError("sample " + llvm::Twine(i) + " of input '" +
                                   entry.inputs[input].name +
                                   "': " + llvm::toString(std::move(err)));
  return buffer.data();
}

llvm::Expected<SampleSet>
qopt::bindSamples(const EntryPoint &entry,
                  const std::map<std::string, NpyArray> &arrays,
                  llvm::StringRef file) {
  SampleSet set;
  set.count = -1;
  for (const TensorSpec &input : entry.inputs) {
    const NpyArray *array = nullptr;
    auto it = arrays.find(input.name);
    if (it != arrays.end())
      array = &it->second;
    else if (arrays.size() == 1 && arrays.begin()->first.empty() &&
             entry.inputs.size() == 1)
      array = &arrays.begin()->second; // a .npy feeds the only input
    if (!array) {
      std::string keys = llvm::join(
          llvm::map_range(arrays, [](const auto &kv) { return kv.first; }), ", ");
      return llvm::createStringError(
          file + ": no array named '" + input.name + "' for input '" +
          input.name + "' of '" + entry.name + "' (the file has: " +
          (keys.empty() ? "a single unnamed array" : keys) + ")");
    }
    if (array->dtype != input.dtype)
      return llvm::createStringError(
          file + ": array '" + input.name + "' has dtype " +
          dtypeName(array->dtype) + " but input '" + input.name + "' takes " +
          dtypeName(input.dtype) + " (convert with .astype(numpy." +
          dtypeName(input.dtype) + "))");
    const std::vector<int64_t> &s = input.shape, &a = array->shape;
    auto tailEquals = [&](size_t skipA, size_t skipS) {
      return a.size() - skipA == s.size() - skipS &&
             std::equal(a.begin() + skipA, a.end(), s.begin() + skipS);
    };
    int64_t count;
    if (a == s)
      count = 1;
    else if (!a.empty() && tailEquals(1, 0))
      count = a[0];
    else if (!a.empty() && !s.empty() && s[0] == 1 && tailEquals(1, 1))
      count = a[0];
    else if (!a.empty() && a[0] > 0 &&
             array->numElements() / a[0] == input.numElements())
      count = a[0]; // same row-major elements per sample, other dimensions
    else {
      TensorSpec expected = input;
      NpyArray shown;
      shown.shape = s;
      return llvm::createStringError(
          file + ": array '" + input.name + "' has shape " +
          array->shapeString() + ", expected [N, " +
          shown.shapeString().substr(1) + " (N samples of input '" +
          input.name + "')");
    }
    if (set.count >= 0 && count != set.count)
      return llvm::createStringError(file + ": inputs disagree on the number "
                                            "of samples (" +
                                     llvm::Twine(set.count) + " and " +
                                     llvm::Twine(count) + ")");
    set.count = count;
    set.inputs.push_back(array);
  }
  if (set.count < 0)
    set.count = 1; // no inputs at all
  return set;
}

bool qopt::inputsAreFinite(const EntryPoint &entry,
                           llvm::ArrayRef<const void *> inputs) {
  for (auto [spec, data] : llvm::zip_equal(entry.inputs, inputs)) {
    if (spec.dtype != DType::F32)
      continue;
    const float *x = static_cast<const float *>(data);
    if (llvm::any_of(llvm::ArrayRef<float>(x, spec.numElements()),
                     [](float v) { return !std::isfinite(v); }))
      return false;
  }
  return true;
}
