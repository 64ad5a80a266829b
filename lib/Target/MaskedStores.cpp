//===- MaskedStores.cpp - one-lane masked stores as scalar stores ---------===//

#include "qopt/Target/MaskedStores.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

#include <optional>

using namespace llvm;

/// The one lane a constant mask enables, if it enables exactly one.
static std::optional<unsigned> onlyLane(Value *mask) {
  auto *c = dyn_cast<Constant>(mask);
  auto *type = dyn_cast<FixedVectorType>(mask->getType());
  if (!c || !type)
    return std::nullopt;
  std::optional<unsigned> lane;
  for (unsigned i = 0, e = type->getNumElements(); i < e; ++i) {
    auto *bit = dyn_cast_or_null<ConstantInt>(c->getAggregateElement(i));
    if (!bit)
      return std::nullopt; // undef / poison lanes: leave it to LLVM
    if (bit->isZero())
      continue;
    if (lane)
      return std::nullopt;
    lane = i;
  }
  return lane;
}

unsigned qopt::scalarizeOneLaneMaskedStores(Module &module) {
  SmallVector<std::pair<IntrinsicInst *, unsigned>> stores;
  for (Function &fn : module)
    for (Instruction &inst : instructions(fn))
      if (auto *call = dyn_cast<IntrinsicInst>(&inst))
        if (call->getIntrinsicID() == Intrinsic::masked_store)
          if (std::optional<unsigned> lane = onlyLane(call->getArgOperand(2)))
            stores.push_back({call, *lane});
  const DataLayout &layout = module.getDataLayout();
  for (auto [call, lane] : stores) {
    Value *value = call->getArgOperand(0), *ptr = call->getArgOperand(1);
    Type *element = cast<FixedVectorType>(value->getType())->getElementType();
    uint64_t offset = lane * layout.getTypeStoreSize(element);
    Align base = call->getParamAlign(1).valueOrOne();
    IRBuilder<> b(call);
    Value *at = lane ? b.CreateConstInBoundsGEP1_64(element, ptr, lane) : ptr;
    b.CreateAlignedStore(b.CreateExtractElement(value, b.getInt64(lane)), at,
                         commonAlignment(base, offset));
    call->eraseFromParent();
  }
  return stores.size();
}
