//===- WeightStorage.cpp - dense or block-sparse weights: the cost model --===//

#include "qopt/Sparsity/WeightStorage.h"

#include <algorithm>

using namespace qopt;
using namespace qopt::sparse;

KernelBlock sparse::int8KernelBlock(llvm::StringRef isa) {
  if (isa == "avx512-vnni" || isa == "avx512-vbmi" || isa == "amx")
    return {16, 4};
  if (isa == "avx-vnni" || isa == "avx2")
    return {8, 4};
  return {4, 4}; // NEON (i8mm layers that are sparse run on sdot)
}

StoragePlan sparse::planStorage(int64_t outputs, int64_t reduction,
                                int64_t elementBytes, KernelBlock block,
                                llvm::function_ref<bool(int64_t, int64_t)> isZero) {
  int64_t ob = (outputs + block.outputs - 1) / block.outputs;
  int64_t rb = (reduction + block.reduction - 1) / block.reduction;
  StoragePlan plan;
  plan.blocks = ob * rb;
  for (int64_t i = 0; i < ob; ++i)
    for (int64_t j = 0; j < rb; ++j) {
      bool zero = true;
      for (int64_t o = i * block.outputs;
           zero && o < std::min(outputs, (i + 1) * block.outputs); ++o)
        for (int64_t r = j * block.reduction;
             zero && r < std::min(reduction, (j + 1) * block.reduction); ++r)
          zero = isZero(o, r);
      plan.nonZeroBlocks += !zero;
    }
  int64_t blockBytes = block.outputs * block.reduction * elementBytes;
  plan.denseBytes = outputs * reduction * elementBytes;
  // Each stored block, its 4-byte reduction offset, and 4 bytes per block
  // column for where its blocks start.
  plan.sparseBytes = plan.nonZeroBlocks * (blockBytes + 4) + (ob + 1) * 4;
  plan.denseTime = double(plan.blocks);
  plan.sparseTime = kSparseStepCost * double(plan.nonZeroBlocks) + double(ob);
  if (plan.sparseBytes < plan.denseBytes && plan.sparseTime < plan.denseTime)
    plan.storage = Storage::BlockSparse;
  return plan;
}
