//===- ModelRunner.cpp - JIT-compile and run a model ------------*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Execution/ModelRunner.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Target/ObjectEmitter.h"
#include "qopt/Target/OutlineLoops.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace qopt;

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

ModelRunner::~ModelRunner() = default;

static std::optional<DType> dtypeOf(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (auto i = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = i.isUnsigned();
    switch (i.getWidth()) {
    case 1: return DType::Bool;
    case 8: return isUnsigned ? DType::U8 : DType::I8;
    case 16: if (!isUnsigned) return DType::I16; break;
    case 32: if (!isUnsigned) return DType::I32; break;
    case 64: if (!isUnsigned) return DType::I64; break;
    }
  }
  return std::nullopt;
}

/// Entry points with their tensor names, read before lowering.
static llvm::Expected<std::vector<EntryPoint>> collectEntryPoints(ModuleOp module) {
  std::vector<EntryPoint> entries;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    EntryPoint entry;
    entry.name = func.getSymName().str();
    auto spec = [&](Type type, StringAttr name, std::string fallback,
                    bool isUnsigned = false) -> llvm::Expected<TensorSpec> {
      auto tensor = dyn_cast<RankedTensorType>(type);
      std::optional<DType> dtype =
          tensor ? dtypeOf(tensor.getElementType()) : std::nullopt;
      if (dtype == DType::I8 && isUnsigned)
        dtype = DType::U8; // qt.unsigned: uint8 data in an i8 tensor
      if (!tensor || !tensor.hasStaticShape() || !dtype) {
        std::string text;
        llvm::raw_string_ostream os(text);
        os << type;
        return llvm::createStringError(
            "entry point '" + entry.name + "': type " + text +
            " cannot be fed from or written to NumPy data");
      }
      return TensorSpec{name ? name.str() : fallback, *dtype,
                        std::vector<int64_t>(tensor.getShape())};
    };
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      auto s = spec(type, func.getArgAttrOfType<StringAttr>(i, qopt::kNameAttrName),
                    "arg" + std::to_string(i), bool(func.getArgAttr(i, qopt::kUnsignedAttrName)));
      if (!s)
        return s.takeError();
      entry.inputs.push_back(*s);
    }
    for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
      auto s = spec(type, func.getResultAttrOfType<StringAttr>(i, qopt::kNameAttrName),
                    "output" + std::to_string(i),
                    bool(func.getResultAttr(i, qopt::kUnsignedAttrName)));
      if (!s)
        return s.takeError();
      entry.outputs.push_back(*s);
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty())
    return llvm::createStringError("the model has no public function to run");
  return entries;
}

llvm::Expected<std::unique_ptr<ModelRunner>>
ModelRunner::create(ModuleOp module, llvm::ArrayRef<SymbolBinding> symbols,
                    unsigned optLevel) {
  auto entries = collectEntryPoints(module);
  if (!entries)
    return entries.takeError();

  std::unique_ptr<ModelRunner> runner(new ModelRunner());
  runner->entries = std::move(*entries);
  auto tm = createTargetMachine({});
  if (!tm)
    return tm.takeError();
  runner->targetMachine = std::move(*tm);

  // The same lowering as a host object, kernels included.
  OwningOpRef<ModuleOp> lowered(cast<ModuleOp>(module->clone()));
  PassManager pm(module.getContext());
  LowerToLLVMOptions lowering;
  KernelVariant kernels = bestKernelVariant(*runner->targetMachine);
  // Tile instructions fault in a process Linux has not granted AMX state.
  if (kernels == KernelVariant::AMX && !processMayUseAMX())
    kernels = *permissionFallback(kernels);
  lowering.kernels = {kernels};
  // The JIT links no thread pool runtime: models run on the calling thread.
  lowering.threads = false;
  buildLowerToLLVMPipeline(pm, lowering);
  if (failed(pm.run(*lowered)))
    return llvm::createStringError("the model could not be lowered (see the "
                                   "diagnostics above)");

  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  lowered->getContext()->appendDialectRegistry(registry);

  ExecutionEngineOptions options;
  auto optimize = makeOptimizingTransformer(optLevel, 0, runner->targetMachine.get());
  // A model's layers are one function's loops in a row; LLVM compiles that
  // in time quadratic in the number of loops (see OutlineLoops.h), which a
  // probed model for calibration feels most.
  std::function<llvm::Error(llvm::Module *)> transformer =
      [optimize](llvm::Module *m) -> llvm::Error {
    outlineTopLevelLoops(*m, kOutlineMinLoops);
    return optimize(m);
  };
  options.transformer = transformer;
  options.jitCodeGenOptLevel = optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                                             : llvm::CodeGenOptLevel::Default;
  options.enableGDBNotificationListener = false;
  auto engine = ExecutionEngine::create(*lowered, options);
  if (!engine)
    return engine.takeError();
  runner->engine = std::move(*engine);
  if (!symbols.empty())
    runner->engine->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap map;
      for (const auto &[name, address] : symbols)
        map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                               llvm::JITSymbolFlags::Exported};
      return map;
    });
  runner->engine->initialize();
  // Resolve every entry point now: the first lookup compiles the code, which
  // must not count as running it.
  for (const EntryPoint &entry : runner->entries) {
    auto fn = runner->engine->lookupPacked(entry.name);
    if (!fn)
      return fn.takeError();
    runner->packedFunctions[entry.name] = *fn;
  }
  return std::move(runner);
}

llvm::Expected<const EntryPoint *>
ModelRunner::entryPoint(llvm::StringRef name) const {
  if (name.empty()) {
    if (entries.size() == 1)
      return &entries.front();
    return llvm::createStringError(
        "the model has several public functions; choose one with --entry (" +
        llvm::join(llvm::map_range(entries,
                                   [](const EntryPoint &e) { return e.name; }),
                   ", ") +
        ")");
  }
  for (const EntryPoint &entry : entries)
    if (entry.name == name)
      return &entry;
  return llvm::createStringError("the model has no public function '" + name +
                                 "'");
}

llvm::Error ModelRunner::run(const EntryPoint &entry,
                             llvm::ArrayRef<const void *> inputs,
                             llvm::ArrayRef<void *> outputs) {
  // Packed calling convention: a pointer to each argument, then to the
  // result.
  llvm::SmallVector<const void *> pointers(inputs.begin(), inputs.end());
  pointers.append(outputs.begin(), outputs.end());
  int32_t status = -1;
  llvm::SmallVector<void *> args;
  for (const void *&p : pointers)
    args.push_back(static_cast<void *>(&p));
  args.push_back(&status);
  packedFunctions.lookup(entry.name)(args.data());
  if (status != 0)
    return llvm::createStringError("'" + entry.name + "' returned status " +
                                   llvm::Twine(status));
  return llvm::Error::success();
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
