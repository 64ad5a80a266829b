//===- WeightStorageTest.cpp - the dense / block-sparse cost model --------===//

#include "qopt/Sparsity/WeightStorage.h"

#include <gtest/gtest.h>

#include <vector>

using namespace qopt::sparse;

namespace {

/// A [64, 64] weight with `zeroBlocks` of its 4 x 16 kernel blocks (16 x 4)
/// zero, counted in row-major block order.
StoragePlan planWithZeroBlocks(int64_t zeroBlocks) {
  return planStorage(64, 64, 1, {16, 4}, [&](int64_t o, int64_t r) {
    int64_t block = (o / 16) * 16 + r / 4;
    return block < zeroBlocks;
  });
}

TEST(WeightStorage, CountsKernelBlocksAndBytes) {
  StoragePlan plan = planWithZeroBlocks(48);
  EXPECT_EQ(plan.blocks, 64);
  EXPECT_EQ(plan.nonZeroBlocks, 16);
  EXPECT_EQ(plan.denseBytes, 64 * 64);
  // 16 stored blocks of 64 bytes + a 4-byte offset each, 5 block starts.
  EXPECT_EQ(plan.sparseBytes, 16 * 68 + 5 * 4);
  EXPECT_EQ(plan.storage, Storage::BlockSparse);
  EXPECT_EQ(plan.storedBytes(), plan.sparseBytes);
  EXPECT_EQ(plan.name(), "block-sparse");
}

TEST(WeightStorage, KeepsDenseWhereSparseDoesNotPay) {
  // No zero block: block-sparse is larger and slower.
  EXPECT_EQ(planWithZeroBlocks(0).storage, Storage::Dense);
  // A quarter of the blocks zero: 48 stored steps cost more than 64 dense.
  StoragePlan quarter = planWithZeroBlocks(16);
  EXPECT_GT(quarter.sparseTime, quarter.denseTime);
  EXPECT_EQ(quarter.storage, Storage::Dense);
  EXPECT_EQ(quarter.storedBytes(), quarter.denseBytes);
}

TEST(WeightStorage, ScatteredZerosMakeNoZeroBlock) {
  // 2:4 along the reduction: half the weights zero, no 16 x 4 block empty.
  StoragePlan plan = planStorage(64, 64, 1, {16, 4},
                                 [](int64_t, int64_t r) { return r % 4 < 2; });
  EXPECT_EQ(plan.nonZeroBlocks, plan.blocks);
  EXPECT_EQ(plan.storage, Storage::Dense);
}

TEST(WeightStorage, EdgeBlocksCountAtFullSize) {
  // 20 x 6 with 16 x 4 blocks: 2 x 2 blocks, the edge ones partial.
  StoragePlan plan = planStorage(20, 6, 1, {16, 4}, [](int64_t o, int64_t) {
    return o < 16;
  });
  EXPECT_EQ(plan.blocks, 4);
  EXPECT_EQ(plan.nonZeroBlocks, 2);
}

TEST(WeightStorage, KernelBlockPerISA) {
  EXPECT_EQ(int8KernelBlock("avx512-vnni").outputs, 16);
  EXPECT_EQ(int8KernelBlock("avx512-vbmi").outputs, 16);
  EXPECT_EQ(int8KernelBlock("amx").outputs, 16);
  EXPECT_EQ(int8KernelBlock("avx2").outputs, 8);
  EXPECT_EQ(int8KernelBlock("neon-dotprod").outputs, 4);
  EXPECT_EQ(int8KernelBlock("neon-i8mm").reduction, 4);
}

} // namespace
