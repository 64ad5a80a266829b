//===- QuantizeDynamic.cpp - int8 weights, run-time activation scales -*- C++ -*-===//

#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Quantization/Passes.h"
#include "qopt/Quantization/QuantizationUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

namespace qopt {
#define GEN_PASS_DEF_QTQUANTIZEDYNAMIC
#include "qopt/Quantization/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

struct QTQuantizeDynamic
    : qopt::impl::QTQuantizeDynamicBase<QTQuantizeDynamic> {
  void runOnOperation() override {
    SmallVector<tosa::MatMulOp> matmuls;
    getOperation().walk([&](Operation *op) {
      if (auto mm = dyn_cast<tosa::MatMulOp>(op))
        matmuls.push_back(mm);
      else if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op))
        op->emitRemark("stays float: dynamic quantization covers fully "
                       "connected layers only");
    });
    for (tosa::MatMulOp op : matmuls) {
      std::string why;
      if (failed(rewrite(op, why)))
        op->emitRemark() << "stays float: " << why;
    }
  }

  // Pattern: matmul(x[1,M,K], const W[1,K,N]) [+ const b[N]] [clamp]
  //   -> expand(dynamic_fully_connected(collapse(x), Wq[N,K], b) {min, max})
  LogicalResult rewrite(tosa::MatMulOp op, std::string &why) {
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto bType = cast<RankedTensorType>(op.getB().getType());
    auto w = constantValues(op.getB());
    if (!w) {
      why = "its right operand is not a constant weight";
      return failure();
    }
    if (aType.getDimSize(0) != 1 || !aType.getElementType().isF32() ||
        !isZeroConstant(op.getAZp()) || !isZeroConstant(op.getBZp())) {
      why = "only batch-1 float matmuls with zero zero points are quantized";
      return failure();
    }
    int64_t m = aType.getDimSize(1), k = aType.getDimSize(2),
            n = bType.getDimSize(2);
    std::vector<float> wt(n * k);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        wt[j * k + i] = (*w)[i * n + j];
    QuantizedWeights q = quantizeWeights(
        wt, n, [k](size_t i) { return static_cast<int64_t>(i) / k; });
    // The int32 accumulation must be safe for any input: |q - z| <= 255.
    for (int64_t c = 0; c < n; ++c) {
      int64_t bound = 0;
      for (int64_t i = 0; i < k; ++i)
        bound += 255 * std::abs(int64_t(q.values[c * k + i]));
      if (bound > INT32_MAX) {
        why = "its int32 accumulation could overflow";
        return failure();
      }
    }
    Epilogue e = fuseEpilogue(op, n, true);

    OpBuilder b(e.last);
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value x2 = tensor::CollapseShapeOp::create(
        b, loc, op.getA(), SmallVector<ReassociationIndices>{{0, 1}, {2}});
    auto storage = RankedTensorType::get({n, k}, b.getI8Type());
    Value raw = arith::ConstantOp::create(
        b, loc, storage, DenseElementsAttr::get(storage, ArrayRef<int8_t>(q.values)));
    SmallVector<double> scales(q.scales.begin(), q.scales.end());
    auto qtype = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, b.getI8Type(), Float32Type::get(ctx),
        scales, SmallVector<int64_t>(n, 0), 0, -128, 127);
    Value wq = quant::StorageCastOp::create(b, loc, storage.clone(qtype), raw);
    Value bias;
    if (e.bias) {
      auto type = RankedTensorType::get({n}, b.getF32Type());
      bias = arith::ConstantOp::create(
          b, loc, type, DenseElementsAttr::get(type, ArrayRef<float>(*e.bias)));
    }
    auto bound = [&](std::optional<float> v) {
      return v ? b.getF32FloatAttr(*v) : FloatAttr();
    };
    Value y = qt::DynamicFullyConnectedOp::create(
        b, loc, RankedTensorType::get({m, n}, b.getF32Type()), x2, wq, bias,
        bound(e.min), bound(e.max));
    Value y3 = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1, m, n}, b.getF32Type()), y,
        SmallVector<ReassociationIndices>{{0, 1}, {2}});
    e.last->getResult(0).replaceAllUsesWith(y3);
    for (Operation *o : llvm::reverse(e.chain))
      if (o->use_empty())
        o->erase();
    return success();
  }
};

} // namespace
