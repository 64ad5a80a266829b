//===- ObjectEmitter.cpp - LLVM dialect to native code ----------*- C++ -*-===//

#include "qopt/Target/ObjectEmitter.h"
#include "qopt/Target/MaskedStores.h"
#include "KernelDispatch.h"
#include "ThreadRuntime.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

static void initializeTargets() {
  static bool done = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
    return true;
  }();
  (void)done;
}

static llvm::Error checkRequestedKernelFeatures(const qopt::TargetSpec &spec,
                                                const llvm::TargetMachine &tm);

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
qopt::createTargetMachine(const TargetSpec &spec) {
  initializeTargets();
  bool host = spec.triple.empty();
  llvm::Triple triple(host ? llvm::sys::getDefaultTargetTriple()
                           : llvm::Triple::normalize(spec.triple));
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target || triple.getArch() == llvm::Triple::UnknownArch)
    return llvm::createStringError("unknown target triple '" + spec.triple +
                                   "'" + (error.empty() ? "" : ": " + error));

  // For host objects default to the host CPU and its features.
  std::string cpu = spec.cpu;
  std::string features = spec.features;
  if (host && cpu.empty()) {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures hostFeatures;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      hostFeatures.AddFeature(name, enabled);
    if (!features.empty())
      for (StringRef f : llvm::split(features, ','))
        hostFeatures.AddFeature(f);
    features = hostFeatures.getString();
  }
  if (cpu.empty())
    cpu = "generic";
  // i8mm is an Armv8.6 feature and Armv8.4 made dotprod mandatory: a CPU
  // with smmla has sdot, which the block-sparse int8 kernel uses. LLVM does
  // not imply it, so --mattr=+i8mm alone would leave sdot unselectable.
  if (triple.getArch() == llvm::Triple::aarch64 &&
      llvm::is_contained(llvm::split(features, ','), "+i8mm") &&
      !llvm::is_contained(llvm::split(features, ','), "-dotprod"))
    features += ",+dotprod";

  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for '" +
                                   triple.str() + "'");

  // LLVM only warns about an unknown CPU or feature and then ignores it; a
  // user asking for one must hear that it does not exist.
  const llvm::MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  if (cpu != "generic" && !sti->isCPUStringValid(cpu))
    return llvm::createStringError("unknown CPU '" + cpu + "' for target '" +
                                   triple.str() + "'");
  if (!spec.features.empty()) {
    for (StringRef f : llvm::split(spec.features, ',')) {
      StringRef name = f.trim();
      if (name.empty())
        continue;
      if (name.front() != '+' && name.front() != '-')
        return llvm::createStringError(
            "feature '" + name.str() +
            "' must start with '+' (enable) or '-' (disable)");
      StringRef bare = name.drop_front();
      bool known = llvm::any_of(sti->getAllProcessorFeatures(),
                                [&](const llvm::SubtargetFeatureKV &kv) {
                                  return bare == kv.Key;
                                });
      if (!known)
        return llvm::createStringError("unknown feature '" + bare.str() +
                                       "' for target '" + triple.str() + "'");
    }
  }
  if (llvm::Error err = checkRequestedKernelFeatures(spec, *tm))
    return std::move(err);
  return std::move(tm);
}

qopt::KernelVariant qopt::bestKernelVariant(const llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  auto arch = tm.getTargetTriple().getArch();
  KernelVariant best = KernelVariant::Portable;
  for (const KernelVariantInfo &info : kernelVariants())
    if (info.arch == arch && sti->checkFeatures(info.needs))
      best = info.variant; // the table lists them weakest first
  return best;
}

/// A dot-product feature the user asked for by name must end up in the
/// kernels. Only AVX-512 VNNI can be enabled without what its kernels need
/// (avxvnni implies avx2; dotprod and i8mm need nothing more on AArch64).
static llvm::Error checkRequestedKernelFeatures(const qopt::TargetSpec &spec,
                                                const llvm::TargetMachine &tm) {
  qopt::KernelVariant kernels = qopt::bestKernelVariant(tm);
  for (llvm::StringRef f : llvm::split(spec.features, ','))
    if (f.trim() == "+avx512vnni" &&
        !llvm::is_contained(llvm::split(qopt::kernelVariantInfo(kernels).needs, ','),
                            "+avx512vnni"))
      return llvm::createStringError(
          "--mattr=+avx512vnni asks for vpdpbusd, but the int8 kernels that "
          "use it also need AVX-512 F, BW, CD, DQ and VL (x86-64-v4); this "
          "target gets the " +
          qopt::kernelVariantName(kernels).str() + " kernels");
  return llvm::Error::success();
}

FailureOr<std::unique_ptr<llvm::Module>>
qopt::translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                           llvm::TargetMachine &tm, StringRef prefix,
                           StringRef extraFeatures) {
  // Collect entry names and kernel variants before translation drops the
  // module attributes.
  SmallVector<std::string> entryNames;
  if (auto entries = module->getAttrOfType<ArrayAttr>(kEntryPointsAttrName))
    for (auto entry : entries.getAsRange<DictionaryAttr>())
      entryNames.push_back(entry.getAs<StringAttr>("name").str());
  SmallVector<KernelVariant> variants;
  bool portableOnly = false;
  if (auto names = module->getAttrOfType<ArrayAttr>(kKernelVariantsAttrName)) {
    for (auto name : names.getAsRange<StringAttr>()) {
      std::optional<KernelVariant> v = parseKernelVariant(name.getValue());
      if (!v || *v == KernelVariant::All) {
        emitError(module.getLoc()) << "unknown kernel variant " << name
                                   << " in " << kKernelVariantsAttrName;
        return failure();
      }
      variants.push_back(*v);
    }
    auto arch = tm.getTargetTriple().getArch();
    auto resolved = resolveKernelVariants(variants, arch);
    if (!resolved) {
      emitError(module.getLoc()) << llvm::toString(resolved.takeError());
      return failure();
    }
    // Only x86-64 and AArch64 objects carry the dispatcher; elsewhere
    // portable code is all there is.
    if (!hasKernelDispatch(arch)) {
      variants.clear();
      portableOnly = true;
    }
  }

  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "qopt");
  if (!llvmModule) {
    emitError(module.getLoc()) << "failed to translate the module to LLVM IR "
                                  "(is it fully lowered? use --lower-to-llvm)";
    return failure();
  }
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());

  llvm::StringSet<> exported;
  if (!variants.empty()) {
    if (llvm::Error err = addKernelDispatch(*llvmModule, tm, variants, entryNames,
                                            prefix, extraFeatures, exported)) {
      emitError(module.getLoc()) << llvm::toString(std::move(err));
      return failure();
    }
  }
  for (const std::string &name : variants.empty() ? ArrayRef<std::string>(entryNames)
                                                  : ArrayRef<std::string>()) {
    llvm::Function *fn = llvmModule->getFunction(name);
    if (!fn) {
      emitError(module.getLoc()) << "entry point '" << name
                                 << "' is missing from the lowered module";
      return failure();
    }
    std::string cName = (prefix + "_" + toCIdentifier(name)).str();
    if (llvmModule->getNamedValue(cName)) {
      emitError(module.getLoc()) << "cannot export entry point '" << name
                                 << "' as '" << cName
                                 << "': the module already defines that name";
      return failure();
    }
    fn->setName(cName);
    exported.insert(cName);
    // The header promises distinct, non-overlapping buffers; telling LLVM
    // lets it vectorize across inputs and outputs.
    for (llvm::Argument &arg : fn->args())
      if (arg.getType()->isPointerTy())
        arg.addAttr(llvm::Attribute::NoAlias);
  }
  if (portableOnly) {
    std::string name = (prefix + "_kernel_variant").str();
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(
        llvmContext, "entry",
        llvm::Function::Create(
            llvm::FunctionType::get(llvm::PointerType::get(llvmContext, 0), false),
            llvm::GlobalValue::ExternalLinkage, name, *llvmModule)));
    b.CreateRet(b.CreateGlobalString("portable"));
    exported.insert(name);
  }
  if (llvm::Error err = addThreadRuntime(*llvmModule, prefix, exported)) {
    emitError(module.getLoc()) << llvm::toString(std::move(err));
    return failure();
  }
  // Everything but the entry points is private to the object, so that two
  // models linked into one program cannot clash.
  for (llvm::Function &fn : *llvmModule)
    if (!fn.isDeclaration() && !exported.contains(fn.getName()))
      fn.setLinkage(llvm::GlobalValue::InternalLinkage);

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(*llvmModule, mam);
  scalarizeOneLaneMaskedStores(*llvmModule);
  return std::move(llvmModule);
}

LogicalResult qopt::emitCode(llvm::Module &module, llvm::TargetMachine &tm,
                             EmitKind kind, llvm::raw_pwrite_stream &os) {
  if (kind == EmitKind::LLVM) {
    module.print(os, nullptr);
    return success();
  }
  llvm::legacy::PassManager pm;
  auto fileType = kind == EmitKind::Asm ? llvm::CodeGenFileType::AssemblyFile
                                        : llvm::CodeGenFileType::ObjectFile;
  if (tm.addPassesToEmitFile(pm, os, nullptr, fileType))
    return failure();
  pm.run(module);
  return success();
}

std::string qopt::toCIdentifier(StringRef stem) {
  std::string id;
  for (char c : stem)
    id.push_back(llvm::isAlnum(c) ? c : '_');
  if (id.empty() || llvm::isDigit(id.front()))
    id.insert(id.begin(), '_');
  return id;
}
