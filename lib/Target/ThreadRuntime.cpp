//===- ThreadRuntime.cpp - the worker threads of an object ----------------===//

#include "ThreadRuntime.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

// ThreadPool.c compiled to bitcode at build time, one per architecture.
static const unsigned char kX86Pool[] = {
#include "ThreadPool-x86_64.inc"
};
static const unsigned char kAArch64Pool[] = {
#include "ThreadPool-aarch64.inc"
};

static Error linkPool(Module &module, StringRef bitcode) {
  Expected<std::unique_ptr<Module>> pool =
      parseBitcodeFile(MemoryBufferRef(bitcode, "ThreadPool.c"), module.getContext());
  if (!pool)
    return pool.takeError();
  (*pool)->setTargetTriple(module.getTargetTriple());
  (*pool)->setDataLayout(module.getDataLayout());
  if (Linker::linkModules(module, std::move(*pool)))
    return createStringError("cannot link the thread pool runtime");
  return Error::success();
}

/// The runtime's three functions for a target without it: every loop runs
/// inline on the calling thread.
static void defineInlineRuntime(Module &module) {
  LLVMContext &context = module.getContext();
  Type *i32 = Type::getInt32Ty(context), *i64 = Type::getInt64Ty(context);
  Type *voidTy = Type::getVoidTy(context);
  PointerType *ptr = PointerType::get(context, 0);
  auto define = [&](StringRef name, FunctionType *type) {
    Function *fn = cast<Function>(module.getOrInsertFunction(name, type).getCallee());
    return BasicBlock::Create(context, "entry", fn);
  };
  {
    BasicBlock *bb = define("qopt_rt_parallel_for",
                            FunctionType::get(voidTy, {ptr, ptr, i64}, false));
    Function *fn = bb->getParent();
    IRBuilder<> b(bb);
    b.CreateCall(FunctionType::get(voidTy, {ptr, i64, i64}, false), fn->getArg(0),
                 {fn->getArg(1), ConstantInt::get(i64, 0), fn->getArg(2)});
    b.CreateRetVoid();
  }
  {
    BasicBlock *bb = define("qopt_rt_set_num_threads", FunctionType::get(i32, {i32}, false));
    IRBuilder<> b(bb);
    Value *negative = b.CreateICmpSLT(bb->getParent()->getArg(0), ConstantInt::get(i32, 0));
    b.CreateRet(b.CreateZExt(negative, i32));
  }
  IRBuilder<>(define("qopt_rt_release_threads", FunctionType::get(voidTy, false)))
      .CreateRetVoid();
}

Error qopt::addThreadRuntime(Module &module, StringRef prefix, StringSet<> &exported) {
  Triple::ArchType arch = module.getTargetTriple().getArch();
  if (arch == Triple::x86_64 || arch == Triple::aarch64) {
    StringRef bitcode =
        arch == Triple::x86_64
            ? StringRef(reinterpret_cast<const char *>(kX86Pool), sizeof(kX86Pool))
            : StringRef(reinterpret_cast<const char *>(kAArch64Pool), sizeof(kAArch64Pool));
    if (Error err = linkPool(module, bitcode))
      return err;
  } else {
    defineInlineRuntime(module);
  }
  // The exported names are aliases of the runtime's (internal) functions.
  for (auto [exportName, runtimeName] :
       {std::pair<StringRef, StringRef>{"_set_num_threads", "qopt_rt_set_num_threads"},
        {"_release_threads", "qopt_rt_release_threads"}}) {
    std::string name = (prefix + exportName).str();
    if (module.getNamedValue(name))
      return createStringError("cannot export '" + name +
                               "': the module already defines that name");
    Function *fn = module.getFunction(runtimeName);
    if (!fn || fn->isDeclaration())
      return createStringError("the thread runtime lacks " + runtimeName);
    GlobalAlias::create(GlobalValue::ExternalLinkage, name, fn);
    exported.insert(name);
  }
  return Error::success();
}
