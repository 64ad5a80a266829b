//===- LowerParallelLaunches.cpp - launches to thread pool calls -*- C++ -*-===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace qopt {
#define GEN_PASS_DEF_QTLOWERPARALLELLAUNCHES
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kLaunchPrefix = "__qopt_launch.";
constexpr llvm::StringLiteral kParallelFor = "qopt_rt_parallel_for";

struct QTLowerParallelLaunches
    : qopt::impl::QTLowerParallelLaunchesBase<QTLowerParallelLaunches> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<LLVM::CallOp> launches;
    module.walk([&](LLVM::CallOp call) {
      if (auto callee = call.getCallee(); callee && callee->starts_with(kLaunchPrefix))
        launches.push_back(call);
    });
    if (launches.empty())
      return;
    MLIRContext *context = module.getContext();
    auto ptr = LLVM::LLVMPointerType::get(context);
    auto i64 = IntegerType::get(context, 64);
    auto voidTy = LLVM::LLVMVoidType::get(context);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    // void qopt_rt_parallel_for(void (*)(void *, long, long), void *, long)
    auto parallelFor = symbols.lookup<LLVM::LLVMFuncOp>(kParallelFor);
    if (!parallelFor) {
      parallelFor = LLVM::LLVMFuncOp::create(
          b, module.getLoc(), kParallelFor,
          LLVM::LLVMFunctionType::get(voidTy, {ptr, ptr, i64}));
      symbols.insert(parallelFor);
    }

    for (LLVM::CallOp call : launches) {
      Location loc = call.getLoc();
      StringRef launchName = *call.getCallee();
      StringRef bodyName = launchName.drop_front(kLaunchPrefix.size());
      auto body = symbols.lookup<LLVM::LLVMFuncOp>(bodyName);
      if (!body || call.getNumOperands() < 1 ||
          call.getOperand(0).getType() != i64) {
        call.emitError() << "parallel launch without its body function '" << bodyName << "'";
        return signalPassFailure();
      }
      ValueRange passed = call.getOperands().drop_front();
      SmallVector<Type> fieldTypes(passed.getTypes());
      auto ctxType = LLVM::LLVMStructType::getLiteral(context, fieldTypes);

      // The trampoline: void (ptr ctx, i64 begin, i64 end).
      b.setInsertionPointAfter(body);
      auto trampoline = LLVM::LLVMFuncOp::create(
          b, loc, ("__qopt_trampoline." + bodyName).str(),
          LLVM::LLVMFunctionType::get(voidTy, {ptr, i64, i64}),
          LLVM::Linkage::Internal);
      symbols.insert(trampoline);
      {
        Block *entry = trampoline.addEntryBlock(b);
        OpBuilder tb = OpBuilder::atBlockBegin(entry);
        SmallVector<Value> args{entry->getArgument(1), entry->getArgument(2)};
        for (auto [i, type] : llvm::enumerate(fieldTypes)) {
          Value field = LLVM::GEPOp::create(
              tb, loc, ptr, ctxType, entry->getArgument(0),
              ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
          args.push_back(LLVM::LoadOp::create(tb, loc, type, field));
        }
        LLVM::CallOp::create(tb, loc, body, args);
        LLVM::ReturnOp::create(tb, loc, ValueRange{});
      }

      // The caller: the context on its stack (one slot per launch site,
      // allocated once in the entry block), filled, then the pool runs it.
      auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
      OpBuilder eb = OpBuilder::atBlockBegin(&caller.getBody().front());
      Value one = LLVM::ConstantOp::create(eb, loc, i64, eb.getI64IntegerAttr(1));
      // 64: enough for any field, a 512-bit vector included.
      Value ctx = LLVM::AllocaOp::create(eb, loc, ptr, ctxType, one, /*alignment=*/64);
      OpBuilder cb(call);
      for (auto [i, value] : llvm::enumerate(passed)) {
        Value field = LLVM::GEPOp::create(cb, loc, ptr, ctxType, ctx,
                                          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
        LLVM::StoreOp::create(cb, loc, value, field);
      }
      Value fn = LLVM::AddressOfOp::create(cb, loc, trampoline);
      LLVM::CallOp::create(cb, loc, parallelFor, ValueRange{fn, ctx, call.getOperand(0)});
      call.erase();
      if (auto launch = symbols.lookup<LLVM::LLVMFuncOp>(launchName);
          launch && SymbolTable::symbolKnownUseEmpty(launch, module))
        launch.erase();
    }
  }
};

} // namespace
