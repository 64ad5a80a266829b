//===- PackedKernels.cpp - int8 FC and conv on packed kernels ---*- C++ -*-===//
//
// The convert-qt-to-packed-kernels pass: qt.conv2d becomes im2col and a
// fully connected layer, and every qt.fully_connected the chosen ISA's
// kernel takes is lowered by it (DotKernel.cpp, SmmlaKernel.cpp); so is
// qt.dynamic_fully_connected with symmetric weights (the dot kernel with a
// float epilogue); `amx` runs both on AMX tiles from 2 rows (AmxKernel.cpp).
//
//===----------------------------------------------------------------------===//

#include "PackedKernelsCommon.h"
#include "qopt/Conversion/DynamicQuantization.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Sparsity/WeightStorage.h"
#include "qopt/Support/KernelVariants.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTQTTOPACKEDKERNELS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

// Pattern: conv2d(x[N,H,W,C], const f[F,KH,KW,C], b[F])
//   -> expand(fully_connected(im2col(pad(x, z_x))[N*OH*OW, KH*KW*C],
//                            f[F, KH*KW*C], b))
// so that convolutions run on the same kernels. The patches are gathered
// on the storage type; padding is the input zero point.
FailureOr<qt::FullyConnectedOp> convToFullyConnected(qt::Conv2DOp op) {
  auto filterCast = op.getFilter().getDefiningOp<quant::StorageCastOp>();
  DenseElementsAttr filter;
  if (!filterCast || !matchPattern(filterCast.getInput(), m_Constant(&filter)))
    return failure();
  auto inType = op.getInput().getType();
  auto fType = op.getFilter().getType();
  auto outType = op.getType();
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(3);
  int64_t f = fType.getDimSize(0), kh = fType.getDimSize(1), kw = fType.getDimSize(2);
  int64_t oh = outType.getDimSize(1), ow = outType.getDimSize(2);
  auto inElem = cast<quant::UniformQuantizedType>(inType.getElementType());

  OpBuilder b(op);
  Location loc = op.getLoc();
  Type i8 = b.getI8Type();
  Value x = quant::StorageCastOp::create(b, loc, inType.clone(i8), op.getInput());
  Value rows = packed::im2col(b, loc, x, kh, kw, oh, ow, op.getPad(), op.getStride(),
                              op.getDilation(), inElem.getZeroPoint());
  auto rowsQ = RankedTensorType::get({n * oh * ow, kh * kw * c},
                                     inType.getElementType());
  Value xq = quant::StorageCastOp::create(b, loc, rowsQ, rows);
  // OHWI filters are already [F, KH*KW*C] row-major.
  auto wStorage = RankedTensorType::get({f, kh * kw * c}, i8);
  Value w = arith::ConstantOp::create(b, loc, wStorage, filter.reshape(wStorage));
  Value wq = quant::StorageCastOp::create(
      b, loc, wStorage.clone(fType.getElementType()), w);
  auto fcType = RankedTensorType::get({n * oh * ow, f}, outType.getElementType());
  auto fc = qt::FullyConnectedOp::create(b, loc, fcType, xq, wq, op.getBias(),
                                         op.getMinAttr(), op.getMaxAttr());
  // Reshapes happen on the storage type (tensor ops know no quant types).
  Value yStorage = quant::StorageCastOp::create(b, loc, fcType.clone(i8),
                                                fc.getResult());
  Value y = tensor::ExpandShapeOp::create(
      b, loc, outType.clone(i8), yStorage,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
  op.replaceAllUsesWith(quant::StorageCastOp::create(b, loc, outType, y).getResult());
  op.erase();
  return fc;
}

/// A qt.fully_connected on the chosen kernel, if its form is one they take:
/// dense, or block-sparse where `sparseWeights` (auto: the cost model) says.
LogicalResult lowerFullyConnected(qt::FullyConnectedOp op,
                                  const packed::KernelChoice &kernel,
                                  StringRef sparseWeights) {
  FailureOr<packed::FullyConnectedPlan> plan = packed::planFullyConnected(op);
  if (failed(plan))
    return failure();
  // i8mm's smmla registers hold column pairs; sparse layers use sdot.
  const packed::DotISA *dot =
      kernel.dot ? kernel.dot : packed::lookupDotISA("neon-dotprod");
  bool sparse = sparseWeights == "sparse";
  if (sparseWeights == "auto") {
    sparse::KernelBlock block{dot->lanes, packed::kGroup};
    sparse = sparse::planStorage(plan->n, plan->k, /*elementBytes=*/1, block,
                                 [&](int64_t o, int64_t r) {
                                   return plan->weights[o * plan->k + r] == 0;
                                 })
                 .storage == sparse::Storage::BlockSparse;
  }
  OpBuilder b(op);
  Value x = quant::StorageCastOp::create(
      b, op.getLoc(), op.getInput().getType().clone(b.getI8Type()), op.getInput());
  packed::replaceWithStorage(
      op, sparse ? packed::emitSparseDotKernel(b, op.getLoc(), *plan, x, *dot)
                 : kernel.emit(b, op.getLoc(), *plan, x));
  return success();
}

/// A qt.dynamic_fully_connected with constant, symmetric int8 weights on
/// the dot kernel with a float epilogue; its input quantized at run time by
/// the portable lowering's own builder, so both compute the same integers.
LogicalResult lowerDynamicFullyConnected(qt::DynamicFullyConnectedOp op,
                                         const packed::KernelChoice &kernel) {
  std::optional<std::vector<int8_t>> weights = packed::constantWeights(op.getWeight());
  std::optional<std::vector<float>> scales =
      packed::symmetricWeightScales(op.getWeight().getType());
  if (!weights || !scales)
    return failure();
  packed::FullyConnectedPlan plan;
  plan.m = op.getInput().getType().getDimSize(0);
  plan.k = op.getWeight().getType().getDimSize(1);
  plan.n = op.getWeight().getType().getDimSize(0);
  plan.weights = std::move(*weights);
  plan.colsum.assign(plan.n, 0);
  for (int64_t c = 0; c < plan.n; ++c)
    for (int64_t i = 0; i < plan.k; ++i)
      plan.colsum[c] += plan.weights[c * plan.k + i];
  if (scales->size() == 1)
    scales->assign(plan.n, (*scales)[0]);
  OpBuilder b(op);
  Location loc = op.getLoc();
  DynamicInput in = quantizeDynamicInput(b, loc, op.getInput());
  packed::FloatEpilogue epilogue{in.zeroPoint, in.scale, std::move(*scales), op.getBias(),
                                 std::nullopt, std::nullopt};
  if (std::optional<APFloat> min = op.getMin())
    epilogue.min = min->convertToFloat();
  if (std::optional<APFloat> max = op.getMax())
    epilogue.max = max->convertToFloat();
  // i8mm's smmla kernel has no float epilogue; its CPUs have sdot.
  const packed::DotISA *dot =
      kernel.dot ? kernel.dot : packed::lookupDotISA("neon-dotprod");
  Value y = kernel.takesAmx(plan.m, plan.n, plan.k)
                ? packed::emitAmxKernel(b, loc, plan, in.values, &epilogue)
                : packed::emitDotKernel(b, loc, plan, in.values, *dot, &epilogue);
  op.replaceAllUsesWith(y);
  op.erase();
  return success();
}

struct ConvertQTToPackedKernels
    : qopt::impl::ConvertQTToPackedKernelsBase<ConvertQTToPackedKernels> {
  using ConvertQTToPackedKernelsBase::ConvertQTToPackedKernelsBase;

  void runOnOperation() override {
    FailureOr<packed::KernelChoice> kernel =
        packed::lookupKernels(isa, getOperation());
    if (failed(kernel))
      return signalPassFailure();
    kernel->amxSmallLayers = amxSmallLayers;
    if (failed(packed::checkSparseWeights(sparseWeights, getOperation())))
      return signalPassFailure();
    // Depthwise convolutions vectorize over channels: 16 int32 lanes (one
    // zmm on AVX-512 VNNI, whose kernel uses vpdpwssd; split into smaller
    // registers elsewhere).
    SmallVector<qt::DepthwiseConv2DOp> depthwise;
    getOperation().walk([&](qt::DepthwiseConv2DOp op) { depthwise.push_back(op); });
    for (qt::DepthwiseConv2DOp op : depthwise)
      (void)packed::lowerDepthwise(op, /*lanes=*/16,
                                   /*vpdpwssd=*/kernel->dot && kernel->dot->lanes == 16);
    // Lookup tables on byte shuffles, a vector register at a time: the dot
    // kernel's int32 lanes x 4 bytes (zmm 64, ymm 32; 128-bit NEON, whose
    // smmla kernel has no DotISA, 16).
    std::optional<KernelVariant> variant = parseKernelVariant(isa);
    bool arm = variant && kernelVariantInfo(*variant).arch == llvm::Triple::aarch64;
    int64_t registerBytes = kernel->dot ? kernel->dot->lanes * 4 : 16;
    SmallVector<qt::TableOp> tables;
    getOperation().walk([&](qt::TableOp op) { tables.push_back(op); });
    for (qt::TableOp op : tables)
      (void)packed::lowerTable(op, registerBytes, arm, kernel->vbmi);
    SmallVector<qt::Conv2DOp> convs;
    getOperation().walk([&](qt::Conv2DOp op) { convs.push_back(op); });
    for (qt::Conv2DOp op : convs)
      (void)convToFullyConnected(op);
    SmallVector<qt::FullyConnectedOp> ops;
    getOperation().walk([&](qt::FullyConnectedOp op) { ops.push_back(op); });
    // Unsupported forms stay for convert-qt-to-linalg.
    for (qt::FullyConnectedOp op : ops)
      (void)lowerFullyConnected(op, *kernel, sparseWeights);
    SmallVector<qt::DynamicFullyConnectedOp> dynamic;
    getOperation().walk([&](qt::DynamicFullyConnectedOp op) { dynamic.push_back(op); });
    for (qt::DynamicFullyConnectedOp op : dynamic)
      (void)lowerDynamicFullyConnected(op, *kernel);
  }
};

} // namespace
