//===- Bf16MemoryAsInteger.cpp - bf16 loads and stores as i16 ----*- C++ -*-===//
//
// The qt-bf16-memory-as-integer pass: after qt-expand-bf16 a bf16 value
// only ever crosses memory — it is made from 16 integer bits and taken
// apart into them — yet the loads and stores still say bf16. LLVM's x86
// backend treats bf16 vectors without AVX512-BF16 as a type to split, and
// the loop vectorizer then stores lane by lane (PP-OCR-sized bf16 casts
// ran at about 2.5 cycles per element). Stores of `bitcast i16 -> bf16`
// store the i16, and loads of bf16 whose every use is a bitcast to i16
// load the i16: the same bytes, plain integer vectors.
//
//===----------------------------------------------------------------------===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace qopt {
#define GEN_PASS_DEF_QTBF16MEMORYASINTEGER
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// `type` with bf16 elements replaced by i16 (same shape), or null.
Type asInteger(Type type) {
  MLIRContext *ctx = type.getContext();
  if (type.isBF16())
    return IntegerType::get(ctx, 16);
  if (auto vec = dyn_cast<VectorType>(type); vec && vec.getElementType().isBF16())
    return vec.clone(IntegerType::get(ctx, 16));
  return {};
}

struct QTBf16MemoryAsInteger
    : qopt::impl::QTBf16MemoryAsIntegerBase<QTBf16MemoryAsInteger> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Collected first: rewriting erases bitcasts the walk has not reached.
    SmallVector<LLVM::StoreOp> stores;
    SmallVector<LLVM::LoadOp> loads;
    getOperation()->walk([&](Operation *op) {
      if (auto store = dyn_cast<LLVM::StoreOp>(op))
        stores.push_back(store);
      else if (auto load = dyn_cast<LLVM::LoadOp>(op))
        loads.push_back(load);
    });
    for (LLVM::StoreOp store : stores) {
      auto cast = store.getValue().getDefiningOp<LLVM::BitcastOp>();
      if (!cast || !asInteger(cast.getType()) ||
          cast.getArg().getType() != asInteger(cast.getType()))
        continue;
      rewriter.modifyOpInPlace(store, [&] { store.getValueMutable().assign(cast.getArg()); });
      if (cast->use_empty())
        rewriter.eraseOp(cast);
    }
    for (LLVM::LoadOp load : loads) {
      Type integer = asInteger(load.getType());
      if (!integer || load->use_empty() ||
          !llvm::all_of(load->getUsers(), [&](Operation *user) {
            auto cast = dyn_cast<LLVM::BitcastOp>(user);
            return cast && cast.getType() == integer;
          }))
        continue;
      rewriter.modifyOpInPlace(load, [&] { load.getResult().setType(integer); });
      for (Operation *user : llvm::make_early_inc_range(load->getUsers()))
        rewriter.replaceOp(user, load.getResult());
    }
  }
};

} // namespace
