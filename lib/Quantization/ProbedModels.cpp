//===- ProbedModels.cpp - models compiled with probes, shared ---*- C++ -*-===//

#include "qopt/Quantization/ProbedModels.h"
#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Execution/CompiledModel.h"
#include "qopt/Quantization/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/SHA1.h"

#include <algorithm>
#include <array>
#include <functional>

using namespace mlir;
using namespace qopt;

llvm::Expected<OwningOpRef<ModuleOp>>
qopt::cloneWithProbes(ModuleOp module, ArrayRef<Value> values) {
  IRMapping mapping;
  OwningOpRef<ModuleOp> probed(cast<ModuleOp>(module->clone(mapping)));
  OpBuilder b(module.getContext());
  for (auto [id, value] : llvm::enumerate(values)) {
    Value copy = mapping.lookup(value);
    b.setInsertionPointAfterValue(copy);
    auto probe = qt::ObserveOp::create(b, copy.getLoc(), copy.getType(), copy,
                                       b.getI64IntegerAttr(id));
    copy.replaceAllUsesExcept(probe.getResult(), probe);
  }
  PassManager pm(module.getContext());
  pm.addPass(createQTObserveToCallback());
  if (failed(pm.run(*probed)))
    return llvm::createStringError("cannot insert the probes");
  return probed;
}

namespace {

thread_local ProbeSink *activeSink = nullptr;

/// What `__qt_observe` is bound to in every probed model.
extern "C" void qoptProbe(int64_t id, int64_t pointer, int64_t offset,
                          int64_t count) {
  if (ProbeSink *sink = activeSink)
    sink->observe(id, reinterpret_cast<const float *>(pointer) + offset, count);
}

/// The module's structure: a SHA-1 over its operations in order (names,
/// attributes, result and argument types, operands by position, regions and
/// successors), and the position of every value. Attributes and types are
/// hashed by their uniqued address; dictionaries and arrays (a function's
/// arg_attrs) by their elements, so that the attributes which do not change
/// what the float model computes can be left out at any depth.
struct Structure {
  std::array<uint8_t, 20> hash;
  llvm::DenseMap<Value, int64_t> positions;
};

bool ignoredAttribute(StringRef name) {
  return name == kRangeAttrName || name == kCalibrationAttrName ||
         name == kKeepFloatAttrName;
}

Structure describe(ModuleOp module) {
  Structure s;
  llvm::SHA1 sha;
  auto addWord = [&](uint64_t w) {
    sha.update(ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(&w), sizeof w));
  };
  auto addPointer = [&](const void *p) { addWord(reinterpret_cast<uintptr_t>(p)); };
  std::function<void(Attribute)> addAttribute = [&](Attribute attr) {
    if (auto dict = dyn_cast<DictionaryAttr>(attr)) {
      addWord(1);
      for (NamedAttribute a : dict)
        if (!ignoredAttribute(a.getName().strref())) {
          addPointer(a.getName().getAsOpaquePointer());
          addAttribute(a.getValue());
        }
      addWord(2);
    } else if (auto array = dyn_cast<ArrayAttr>(attr)) {
      addWord(3);
      for (Attribute a : array)
        addAttribute(a);
      addWord(4);
    } else {
      addPointer(attr.getAsOpaquePointer());
    }
  };
  llvm::DenseMap<Block *, int64_t> blocks;
  int64_t nextValue = 0;
  module->walk<WalkOrder::PreOrder>([&](Operation *op) {
    addPointer(op->getName().getAsOpaquePointer());
    addAttribute(op->getAttrDictionary());
    addWord(op->getNumOperands());
    for (Value v : op->getOperands()) {
      auto it = s.positions.find(v);
      addWord(it == s.positions.end() ? ~uint64_t(0) : uint64_t(it->second));
    }
    for (OpResult r : op->getResults()) {
      addPointer(r.getType().getAsOpaquePointer());
      s.positions[r] = nextValue++;
    }
    addWord(op->getNumRegions());
    for (Region &region : op->getRegions()) {
      addWord(region.getBlocks().size());
      for (Block &block : region) {
        blocks[&block] = static_cast<int64_t>(blocks.size());
        addWord(block.getNumArguments());
        for (BlockArgument arg : block.getArguments()) {
          addPointer(arg.getType().getAsOpaquePointer());
          s.positions[arg] = nextValue++;
        }
      }
    }
    addWord(op->getNumSuccessors());
    for (Block *successor : op->getSuccessors()) {
      auto it = blocks.find(successor);
      addWord(it == blocks.end() ? ~uint64_t(0) : uint64_t(it->second));
    }
  });
  s.hash = sha.result();
  return s;
}

} // namespace

ProbeSink::~ProbeSink() = default;

ScopedProbeSink::ScopedProbeSink(ProbeSink *sink) : previous(activeSink) {
  activeSink = sink;
}
ScopedProbeSink::~ScopedProbeSink() { activeSink = previous; }

struct CompiledModelCache::Entry {
  std::array<uint8_t, 20> hash;
  llvm::DenseMap<int64_t, int64_t> probeAt; // value position -> probe id
  int64_t numProbes;
  std::unique_ptr<CompiledModel> runner;
};

CompiledModelCache::CompiledModelCache() = default;
CompiledModelCache::~CompiledModelCache() = default;

llvm::Expected<ProbedModel> CompiledModelCache::get(ModuleOp module,
                                                    ArrayRef<Value> values) {
  constexpr size_t kEntries = 3;
  Structure structure = describe(module);
  SmallVector<int64_t> wanted;
  for (Value v : values) {
    auto it = structure.positions.find(v);
    if (it == structure.positions.end())
      return llvm::createStringError("a probed value is not in the module");
    wanted.push_back(it->second);
  }
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    Entry &e = **it;
    if (e.hash != structure.hash)
      continue;
    ProbedModel model;
    for (int64_t position : wanted) {
      auto probe = e.probeAt.find(position);
      if (probe == e.probeAt.end())
        break;
      model.probeOf.push_back(probe->second);
    }
    if (model.probeOf.size() != wanted.size())
      continue;
    model.runner = e.runner.get();
    model.numProbes = e.numProbes;
    std::rotate(entries.begin(), it, it + 1); // most recent first
    return model;
  }
  auto clone = cloneWithProbes(module, values);
  if (!clone)
    return clone.takeError();
  auto runner = compileModel(
      **clone, {{"__qt_observe", reinterpret_cast<void *>(&qoptProbe)}},
      kProbedOptLevel);
  if (!runner)
    return runner.takeError();
  ++compiled;
  auto entry = std::make_unique<Entry>();
  entry->hash = structure.hash;
  entry->numProbes = static_cast<int64_t>(values.size());
  ProbedModel model;
  for (auto [id, position] : llvm::enumerate(wanted)) {
    entry->probeAt.try_emplace(position, static_cast<int64_t>(id));
    model.probeOf.push_back(static_cast<int64_t>(id));
  }
  entry->runner = std::move(*runner);
  model.runner = entry->runner.get();
  model.numProbes = entry->numProbes;
  entries.insert(entries.begin(), std::move(entry));
  if (entries.size() > kEntries)
    entries.pop_back();
  return model;
}
