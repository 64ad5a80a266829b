//===- LowerKernelVariants.cpp - one lowering per kernel variant ----------===//

#include "LowerKernelVariants.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"

using namespace mlir;
using namespace qopt;

LowerKernelVariantsPass::LowerKernelVariantsPass(
    const LowerToLLVMOptions &opts, llvm::ArrayRef<KernelVariant> variants)
    : options(std::make_shared<LowerToLLVMOptions>()),
      variants(variants.begin(), variants.end()) {
  options->copyOptionValuesFrom(opts);
}

LowerKernelVariantsPass::LowerKernelVariantsPass(
    const LowerToLLVMOptions &opts, std::string error)
    : options(std::make_shared<LowerToLLVMOptions>()), error(std::move(error)) {
  options->copyOptionValuesFrom(opts);
}

void LowerKernelVariantsPass::getDependentDialects(
    DialectRegistry &registry) const {
  // Every dialect the nested pipelines create must be loaded up front.
  for (KernelVariant v : variants) {
    OpPassManager pm(ModuleOp::getOperationName());
    buildSingleVariantPipeline(pm, *options, v);
    pm.getDependentDialects(registry);
  }
}

/// Whether `global` is a workspace of qt-static-workspace: thread-local
/// scratch memory with no initial value.
static bool isWorkspace(LLVM::GlobalOp global) {
  return global.getSymName().starts_with("__qt_workspace_") &&
         global.getThreadLocal_();
}

/// The attributes of a constant global without its name: two globals with
/// the same key hold the same bytes and may be one.
static DictionaryAttr constantKey(LLVM::GlobalOp global) {
  if (!global.getConstant() || !global.getValueAttr() ||
      !global.getInitializerRegion().empty())
    return {};
  NamedAttrList attrs(global->getAttrDictionary());
  attrs.erase(SymbolTable::getSymbolAttrName());
  return attrs.getDictionary(global.getContext());
}

void LowerKernelVariantsPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (!error.empty()) {
    module.emitError() << "--lower-to-llvm: " << error;
    return signalPassFailure();
  }
  MLIRContext *context = module.getContext();
  OwningOpRef<ModuleOp> original = module.clone();
  module.getBody()->clear();

  Attribute entryPoints;
  SmallVector<StringRef> names;
  // Constant globals already in the merged module, by content.
  DenseMap<DictionaryAttr, StringAttr> constants;
  // Only one variant runs in a process, so the variants' workspaces share
  // thread-local slots: each variant's k-th largest workspace is slot k.
  struct Slot {
    uint64_t size = 0, alignment = 1;
  };
  SmallVector<Slot> slots;
  auto slotName = [&](size_t k) {
    return StringAttr::get(context, "__qt_workspace_slot_" + Twine(k));
  };
  for (KernelVariant variant : variants) {
    StringRef name = kernelVariantName(variant);
    names.push_back(name);
    ModuleOp nested = original->clone();
    module.getBody()->push_back(nested);
    OpPassManager pm(ModuleOp::getOperationName());
    buildSingleVariantPipeline(pm, *options, variant);
    if (failed(runPipeline(pm, nested)))
      return signalPassFailure();
    if (!entryPoints)
      entryPoints = nested->getAttr(kEntryPointsAttrName);

    // Workspaces, largest first, become the shared slots.
    DataLayout layout(nested);
    SmallVector<std::pair<uint64_t, LLVM::GlobalOp>> workspaces;
    for (auto global : nested.getOps<LLVM::GlobalOp>())
      if (isWorkspace(global))
        workspaces.push_back({layout.getTypeSize(global.getGlobalType()), global});
    llvm::stable_sort(workspaces, [](auto &a, auto &b) { return a.first > b.first; });
    for (auto [k, workspace] : llvm::enumerate(workspaces)) {
      if (k == slots.size())
        slots.emplace_back();
      slots[k].size = std::max(slots[k].size, workspace.first);
      slots[k].alignment =
          std::max<uint64_t>(slots[k].alignment, workspace.second.getAlignment().value_or(1));
      if (failed(SymbolTable::replaceAllSymbolUses(workspace.second, slotName(k), nested)))
        return signalPassFailure();
      workspace.second.erase();
    }

    // Give the variant's symbols their suffix (or the shared constant's
    // name), then move them into the merged module.
    SymbolTable nestedSymbols(nested);
    SymbolTable mergedSymbols(module);
    for (Operation &op : llvm::make_early_inc_range(*nested.getBody())) {
      auto symbol = dyn_cast<SymbolOpInterface>(op);
      if (!symbol)
        continue;
      if (auto func = dyn_cast<LLVM::LLVMFuncOp>(op); func && func.isExternal()) {
        // Declarations (libc, libm) are shared.
        if (mergedSymbols.lookup(func.getSymName()))
          op.erase();
        continue;
      }
      if (auto global = dyn_cast<LLVM::GlobalOp>(op))
        if (DictionaryAttr key = constantKey(global)) {
          auto [it, inserted] = constants.try_emplace(key, StringAttr());
          if (!inserted) {
            if (failed(SymbolTable::replaceAllSymbolUses(&op, it->second, nested)))
              return signalPassFailure();
            op.erase();
            continue;
          }
          std::string renamed = (symbol.getName() + "." + name).str();
          if (failed(nestedSymbols.rename(&op, renamed)))
            return signalPassFailure();
          it->second = StringAttr::get(context, renamed);
          continue;
        }
      if (failed(nestedSymbols.rename(&op, (symbol.getName() + "." + name).str())))
        return signalPassFailure();
    }
    for (Operation &op : llvm::make_early_inc_range(*nested.getBody()))
      op.moveBefore(nested);
    nested.erase();
  }
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  for (auto [k, slot] : llvm::enumerate(slots)) {
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(context, 8), slot.size);
    auto global = LLVM::GlobalOp::create(
        b, module.getLoc(), type, /*isConstant=*/false, LLVM::Linkage::Private,
        slotName(k), Attribute(), slot.alignment, /*addrSpace=*/0,
        /*dsoLocal=*/false, /*threadLocal=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(b.createBlock(&global.getInitializerRegion()));
    LLVM::ReturnOp::create(b, module.getLoc(),
                           LLVM::UndefOp::create(b, module.getLoc(), type).getResult());
  }
  if (entryPoints)
    module->setAttr(kEntryPointsAttrName, entryPoints);
  module->setAttr(kKernelVariantsAttrName, Builder(context).getStrArrayAttr(names));
}
