//===- KernelDispatch.cpp - entry points that pick a kernel variant -------===//

#include "KernelDispatch.h"
#include "qopt/Target/ObjectEmitter.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;

// KernelDispatch.c compiled to bitcode at build time, one per architecture.
static const unsigned char kX86Runtime[] = {
#include "KernelDispatch-x86_64.inc"
};
static const unsigned char kAArch64Runtime[] = {
#include "KernelDispatch-aarch64.inc"
};

bool qopt::hasKernelDispatch(Triple::ArchType arch) {
  return arch == Triple::x86_64 || arch == Triple::aarch64;
}

static Error linkRuntime(Module &module) {
  bool x86 = module.getTargetTriple().getArch() == Triple::x86_64;
  StringRef bitcode =
      x86 ? StringRef(reinterpret_cast<const char *>(kX86Runtime), sizeof(kX86Runtime))
          : StringRef(reinterpret_cast<const char *>(kAArch64Runtime),
                      sizeof(kAArch64Runtime));
  Expected<std::unique_ptr<Module>> runtime = parseBitcodeFile(
      MemoryBufferRef(bitcode, "KernelDispatch.c"), module.getContext());
  if (!runtime)
    return runtime.takeError();
  (*runtime)->setTargetTriple(module.getTargetTriple());
  (*runtime)->setDataLayout(module.getDataLayout());
  if (Linker::linkModules(module, std::move(*runtime)))
    return createStringError("cannot link the kernel dispatch runtime");
  return Error::success();
}

/// `features` plus the enabled (`+`) features of `extra` it lacks.
static std::string withExtraFeatures(std::string features, StringRef extra) {
  SmallVector<StringRef> have;
  StringRef(features).split(have, ',', -1, false);
  std::string out = features;
  for (StringRef f : split(extra, ',')) {
    f = f.trim();
    if (!f.starts_with("+") || is_contained(have, f))
      continue;
    out += (out.empty() ? "" : ",") + f.str();
  }
  return out;
}

static void setTarget(Function &fn, const qopt::KernelTarget &target,
                      StringRef tuneCPU) {
  fn.addFnAttr("target-cpu", target.cpu);
  // Without the attribute LLVM would use the target machine's (the host's)
  // features for the function.
  fn.addFnAttr("target-features", target.features);
  if (!tuneCPU.empty() && tuneCPU != "generic")
    fn.addFnAttr("tune-cpu", tuneCPU);
}

Error qopt::addKernelDispatch(Module &module, const TargetMachine &tm,
                              ArrayRef<KernelVariant> variants,
                              ArrayRef<std::string> entryNames,
                              StringRef prefix, StringRef extraFeatures,
                              StringSet<> &exported) {
  Triple::ArchType arch = tm.getTargetTriple().getArch();
  bool single = variants.size() == 1;
  auto suffix = [](KernelVariant v) { return "." + kernelVariantName(v).str(); };

  // Each variant's functions get its instruction set. A single-variant
  // module's symbols carry no suffix: its entry points get one here.
  KernelTarget baseline = kernelTarget(KernelVariant::Portable, arch);
  StringRef tuneCPU = tm.getTargetCPU();
  for (Function &fn : module) {
    if (fn.isDeclaration())
      continue;
    for (KernelVariant v : variants)
      if (single || fn.getName().ends_with(suffix(v))) {
        KernelTarget target = kernelTarget(v, arch);
        if (target.features.empty() && arch == Triple::x86_64)
          target.features = "+cx8,+fxsr,+mmx,+sse,+sse2,+x87";
        if (target.features.empty() && arch == Triple::aarch64)
          target.features = "+neon";
        target.features = withExtraFeatures(target.features, extraFeatures);
        setTarget(fn, target, tuneCPU);
        break;
      }
  }
  if (single)
    for (const std::string &name : entryNames)
      if (Function *fn = module.getFunction(name))
        fn->setName(name + suffix(variants.front()));

  if (Error err = linkRuntime(module))
    return err;
  // Codegen may call it (bf16 on CPUs without bf16 conversions) after
  // the optimizer would have dropped an unused copy.
  if (Function *truncate = module.getFunction("__truncsfbf2"))
    appendToCompilerUsed(module, {truncate});
  Function *select = module.getFunction("qopt_rt_select");
  Function *variantName = module.getFunction("qopt_rt_variant_name");
  if (!select || !variantName)
    return createStringError("the kernel dispatch runtime lacks its functions");

  LLVMContext &context = module.getContext();
  Type *i32 = Type::getInt32Ty(context);
  PointerType *ptr = PointerType::get(context, 0);
  auto *cache = new GlobalVariable(module, i32, /*isConstant=*/false,
                                   GlobalValue::InternalLinkage,
                                   ConstantInt::getSigned(i32, -2),
                                   "qopt.kernel_variant.cache");
  SmallVector<Constant *> names;
  SmallVector<int32_t> codes;
  for (KernelVariant v : variants) {
    auto *name = new GlobalVariable(
        module, ArrayType::get(Type::getInt8Ty(context), kernelVariantName(v).size() + 1),
        /*isConstant=*/true, GlobalValue::PrivateLinkage,
        ConstantDataArray::getString(context, kernelVariantName(v)),
        "qopt.kernel_variant.name");
    name->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    names.push_back(name);
    codes.push_back(static_cast<int32_t>(v));
  }
  auto *nameTable = new GlobalVariable(
      module, ArrayType::get(ptr, names.size()), /*isConstant=*/true,
      GlobalValue::PrivateLinkage,
      ConstantArray::get(ArrayType::get(ptr, names.size()), names),
      "qopt.kernel_variant.names");
  auto *codeTable = new GlobalVariable(
      module, ArrayType::get(i32, codes.size()), /*isConstant=*/true,
      GlobalValue::PrivateLinkage, ConstantDataArray::get(context, codes),
      "qopt.kernel_variant.codes");
  auto selectArgs = [&]() -> SmallVector<Value *> {
    return {cache, ConstantInt::get(i32, variants.size()), nameTable, codeTable};
  };
  auto define = [&](FunctionType *type, const std::string &name)
      -> Expected<Function *> {
    if (module.getNamedValue(name))
      return createStringError("cannot export '" + name +
                               "': the module already defines that name");
    Function *fn = Function::Create(type, GlobalValue::ExternalLinkage, name, module);
    setTarget(*fn, baseline, tuneCPU);
    fn->addFnAttr(Attribute::NoUnwind);
    exported.insert(name);
    return fn;
  };

  // int <prefix>_<entry>(...): NULL buffers are an invalid argument; then
  // the chosen variant runs, or the status says none can.
  for (const std::string &entry : entryNames) {
    SmallVector<Function *> impls;
    for (KernelVariant v : variants) {
      Function *impl = module.getFunction(entry + suffix(v));
      if (!impl)
        return createStringError("entry point '" + entry + "' of kernel variant '" +
                                 kernelVariantName(v) + "' is missing");
      // The header promises distinct, non-overlapping buffers; telling
      // LLVM lets it vectorize across inputs and outputs.
      for (Argument &arg : impl->args())
        if (arg.getType()->isPointerTy())
          arg.addAttr(Attribute::NoAlias);
      impls.push_back(impl);
    }
    FunctionType *type = impls.front()->getFunctionType();
    if (!type->getReturnType()->isIntegerTy(32))
      return createStringError("entry point '" + entry + "' does not return a status");
    Expected<Function *> dispatcher =
        define(type, (prefix + "_" + toCIdentifier(entry)).str());
    if (!dispatcher)
      return dispatcher.takeError();
    Function *fn = *dispatcher;
    BasicBlock *body = BasicBlock::Create(context, "entry", fn);
    BasicBlock *invalid = BasicBlock::Create(context, "invalid_argument", fn);
    BasicBlock *choose = BasicBlock::Create(context, "choose", fn);
    BasicBlock *none = BasicBlock::Create(context, "no_kernel_variant", fn);
    IRBuilder<> b(body);
    SmallVector<Value *> args;
    Value *anyNull = b.getFalse();
    for (Argument &arg : fn->args()) {
      args.push_back(&arg);
      if (arg.getType()->isPointerTy()) {
        arg.addAttr(Attribute::NoAlias);
        anyNull = b.CreateOr(anyNull, b.CreateIsNull(&arg));
      }
    }
    b.CreateCondBr(anyNull, invalid, choose);
    b.SetInsertPoint(invalid);
    b.CreateRet(ConstantInt::get(i32, kStatusInvalidArgument));
    b.SetInsertPoint(none);
    b.CreateRet(ConstantInt::get(i32, kStatusNoKernelVariant));
    b.SetInsertPoint(choose);
    Value *index = b.CreateCall(select, selectArgs());
    SwitchInst *sw = b.CreateSwitch(index, none, impls.size());
    for (auto [i, impl] : llvm::enumerate(impls)) {
      BasicBlock *call = BasicBlock::Create(context, "run_" + impl->getName(), fn);
      sw->addCase(ConstantInt::get(cast<IntegerType>(i32), i), call);
      IRBuilder<> cb(call);
      cb.CreateRet(cb.CreateCall(impl, args));
    }
  }

  // const char *<prefix>_kernel_variant(void)
  Expected<Function *> query = define(FunctionType::get(ptr, false),
                                      (prefix + "_kernel_variant").str());
  if (!query)
    return query.takeError();
  IRBuilder<> b(BasicBlock::Create(context, "entry", *query));
  b.CreateRet(b.CreateCall(variantName, selectArgs()));
  return Error::success();
}
