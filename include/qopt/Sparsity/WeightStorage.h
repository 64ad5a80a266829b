//===- WeightStorage.h - dense or block-sparse weights: the cost model -*- C++ -*-===//
//
// Pruned weights pay only if the object stores fewer bytes and the kernel
// does less work. Both depend on the kernel's block: the weights one
// register holds (int8: `lanes` output channels x 4 reduction values, the
// operand of one vpdpbusd / sdot; float32: `lanes` output channels x 1).
// A block-sparse layer stores only the blocks with a non-zero weight, each
// with its reduction offset, and the kernel runs one step per stored block;
// a dense layer stores and runs every block. This header decides, per layer,
// which one the lowering uses and what the pruning report says
// (docs/pruning.md, "Storage and the cost model").
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SPARSITY_WEIGHTSTORAGE_H
#define QOPT_SPARSITY_WEIGHTSTORAGE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace qopt::sparse {

/// The weight block of one kernel step: `outputs` channels x `reduction`
/// consecutive reduction values.
struct KernelBlock {
  int64_t outputs = 16, reduction = 4;
};

/// The int8 kernel block of qopt's packed dot kernels for an ISA name
/// (`avx512-vnni`: 16 x 4; AVX2 / AVX-VNNI: 8 x 4; NEON: 4 x 4).
KernelBlock int8KernelBlock(llvm::StringRef isa);

/// Cost of one stored block's step in the block-sparse kernel relative to
/// one block step of the dense kernel: each step loads its K offset and
/// broadcasts its own input, which the dense kernel shares across column
/// blocks. bench/sparse.py measured it by forcing the sparse kernel on
/// weights with no zero block (Zen 4: 1.2-1.8 depending on size and batch;
/// docs/pruning.md); with 1.4 block-sparse is chosen below ~70% non-zero
/// blocks, where every measured layer was faster.
constexpr double kSparseStepCost = 1.4;

enum class Storage { Dense, BlockSparse };

/// What the cost model decided for one layer, and why.
struct StoragePlan {
  Storage storage = Storage::Dense;
  int64_t blocks = 0, nonZeroBlocks = 0;
  int64_t denseBytes = 0, sparseBytes = 0;
  /// Predicted time of each form, in dense block steps.
  double denseTime = 0, sparseTime = 0;

  int64_t storedBytes() const {
    return storage == Storage::Dense ? denseBytes : sparseBytes;
  }
  llvm::StringRef name() const {
    return storage == Storage::Dense ? "dense" : "block-sparse";
  }
};

/// Plans the storage of an [outputs, reduction] weight of `elementBytes`
/// per value, `isZero(o, r)` telling which weights are zero, for the kernel
/// `block`. Blocks at the edges are counted at full size (the kernels pad
/// them). Block-sparse is chosen when it is both smaller and predicted
/// faster.
StoragePlan planStorage(int64_t outputs, int64_t reduction, int64_t elementBytes,
                        KernelBlock block,
                        llvm::function_ref<bool(int64_t, int64_t)> isZero);

} // namespace qopt::sparse

#endif // QOPT_SPARSITY_WEIGHTSTORAGE_H
