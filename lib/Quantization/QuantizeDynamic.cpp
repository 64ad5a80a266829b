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
    FailureOr<FullyConnectedMatch> fc = matchFullyConnected(op, why);
    if (failed(fc))
      return failure();
    int64_t m = fc->m, k = fc->k, n = fc->n;
    const QuantizedWeights &q = fc->weights;
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
