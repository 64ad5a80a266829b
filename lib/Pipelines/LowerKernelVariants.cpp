//===- LowerKernelVariants.cpp - one lowering per kernel variant ----------===//

#include "LowerKernelVariants.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

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
  if (entryPoints)
    module->setAttr(kEntryPointsAttrName, entryPoints);
  module->setAttr(kKernelVariantsAttrName, Builder(context).getStrArrayAttr(names));
}
