//===- ModelRunner.cpp - JIT-compile and run a model ------------*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Execution/ModelRunner.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Target/MaskedStores.h"
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
    if (llvm::Error err = optimize(m))
      return err;
    scalarizeOneLaneMaskedStores(*m);
    return llvm::Error::success();
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

void qopt::registerModelJIT() {
  registerModelCompiler(
      [](ModuleOp module, llvm::ArrayRef<SymbolBinding> symbols, unsigned optLevel)
          -> llvm::Expected<std::unique_ptr<CompiledModel>> {
        auto runner = ModelRunner::create(module, symbols, optLevel);
        if (!runner)
          return runner.takeError();
        return std::unique_ptr<CompiledModel>(std::move(*runner));
      });
}
