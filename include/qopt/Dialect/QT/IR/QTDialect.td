//===- QTDialect.td - qopt's quantized tensor dialect ------*- tablegen -*-===//
//
// The `qt` dialect holds the ops that compute on tensors of upstream `quant`
// element types. It adds no types of its own: scales and zero points live in
// `!quant.uniform<...>` so that any MLIR tool can read them.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QT_IR_QTDIALECT_TD
#define QOPT_DIALECT_QT_IR_QTDIALECT_TD

include "mlir/IR/OpBase.td"

def QT_Dialect : Dialect {
  let name = "qt";
  let cppNamespace = "::qopt::qt";
  let summary = "Quantized tensor computation for qopt";
  let description = [{
    The `qt` dialect expresses int8 (and other integer) neural-network
    computation on tensors whose element types are upstream `quant` types:
    per-tensor `!quant.uniform<i8:f32, scale:zero_point>` and per-axis
    `!quant.uniform<i8:f32:axis, {s0:z0, s1:z1, ...}>`.

    Every op verifies the quantization parameters it is given: scales must be
    finite, positive normal float32 numbers and zero points must lie in the
    storage type's range. The arithmetic each op performs is defined exactly
    in `docs/numerics.md`; the project's C++ reference implements it and is
    the oracle every lowering is tested against.

    Calibration results are recorded as `qt.range = [min, max]` attributes on
    the ops producing float values (TOSA and linalg ops accept no calibrated
    element types).
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let usePropertiesForAttributes = 1;
  // The qt.* attributes on other dialects' ops, arguments and results
  // (QTAttributes.h) are checked where the dialect is loaded.
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class QT_Op<string mnemonic, list<Trait> traits = []>
    : Op<QT_Dialect, mnemonic, traits>;

#endif // QOPT_DIALECT_QT_IR_QTDIALECT_TD
