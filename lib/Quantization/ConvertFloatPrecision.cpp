//===- ConvertFloatPrecision.cpp - f16 / bf16 models ------------*- C++ -*-===//

#include "qopt/Quantization/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Verifier.h"

namespace qopt {
#define GEN_PASS_DEF_QTCONVERTFLOATPRECISION
#include "qopt/Quantization/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// `type` with float32 elements replaced by `target`.
Type retype(Type type, FloatType target) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (tensor && tensor.getElementType().isF32())
    return tensor.clone(target);
  return type;
}

/// `value` rounded to `target`, saturating to its largest finite value.
APFloat toTarget(APFloat value, FloatType target) {
  const llvm::fltSemantics &sem = target.getFloatSemantics();
  bool inexact;
  bool negative = value.isNegative();
  APFloat largest = APFloat::getLargest(sem, negative);
  if (value.isFinite()) {
    APFloat wide = largest;
    wide.convert(value.getSemantics(), APFloat::rmNearestTiesToEven, &inexact);
    if ((!negative && value > wide) || (negative && value < wide))
      return largest;
  }
  value.convert(sem, APFloat::rmNearestTiesToEven, &inexact);
  return value;
}

struct QTConvertFloatPrecision
    : qopt::impl::QTConvertFloatPrecisionBase<QTConvertFloatPrecision> {
  using QTConvertFloatPrecisionBase::QTConvertFloatPrecisionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    FloatType target;
    if (type == "f16")
      target = Float16Type::get(ctx);
    else if (type == "bf16")
      target = BFloat16Type::get(ctx);
    else {
      emitError(module.getLoc()) << "unknown float type '" << type
                         << "' (expected f16 or bf16)";
      return signalPassFailure();
    }

    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      OpBuilder b(ctx);
      // Constants and results first; the boundary casts come after, so
      // that they are not retyped themselves.
      func.walk([&](Operation *op) {
        if (isa<func::FuncOp, func::ReturnOp>(op))
          return;
        // Float32 constants are rounded (tosa.const and arith.constant).
        auto convert = [&](DenseElementsAttr dense) -> DenseElementsAttr {
          if (!dense || !dense.getElementType().isF32())
            return {};
          return dense.mapValues(target, [&](const APFloat &v) {
            return toTarget(v, target).bitcastToAPInt();
          });
        };
        if (auto c = dyn_cast<tosa::ConstOp>(op)) {
          if (auto d = convert(dyn_cast<DenseElementsAttr>(c.getValuesAttr())))
            c.setValuesAttr(d);
        } else if (auto c = dyn_cast<arith::ConstantOp>(op)) {
          if (auto d = convert(dyn_cast<DenseElementsAttr>(c.getValue())))
            c.setValueAttr(d);
        }
        if (auto clamp = dyn_cast<tosa::ClampOp>(op)) {
          auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
          auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
          if (lo && hi && lo.getType().isF32()) {
            clamp.setMinValAttr(FloatAttr::get(target, toTarget(lo.getValue(), target)));
            clamp.setMaxValAttr(FloatAttr::get(target, toTarget(hi.getValue(), target)));
          }
        }
        for (OpResult r : op->getResults())
          r.setType(retype(r.getType(), target));
      });
      // Matmuls accumulate in float32, as convolutions do (their acc_type):
      // a float32 result, rounded to the target by a cast after it.
      func.walk([&](tosa::MatMulOp mm) {
        auto type = dyn_cast<RankedTensorType>(mm.getType());
        if (!type || type.getElementType() != target)
          return;
        mm.getResult().setType(type.clone(b.getF32Type()));
        b.setInsertionPointAfter(mm);
        auto cast = tosa::CastOp::create(b, mm.getLoc(), type, mm.getResult());
        mm.getResult().replaceAllUsesExcept(cast.getResult(), cast);
      });
      // Float32 at the boundary of the function.
      Block &entry = func.getBody().front();
      b.setInsertionPointToStart(&entry);
      for (BlockArgument arg : entry.getArguments()) {
        Type narrow = retype(arg.getType(), target);
        if (narrow == arg.getType())
          continue;
        auto cast = tosa::CastOp::create(b, arg.getLoc(), narrow, arg);
        arg.replaceAllUsesExcept(cast.getResult(), cast);
      }
      func.walk([&](func::ReturnOp ret) {
        b.setInsertionPoint(ret);
        for (OpOperand &operand : ret->getOpOperands()) {
          Type wide = func.getFunctionType().getResult(operand.getOperandNumber());
          if (operand.get().getType() != wide)
            operand.set(tosa::CastOp::create(b, ret.getLoc(), wide, operand.get()));
        }
      });
    }
    if (failed(verify(module))) {
      emitError(module.getLoc()) << "the model does not verify in " << type
                         << " (an op does not accept that type)";
      return signalPassFailure();
    }
  }
};

} // namespace
