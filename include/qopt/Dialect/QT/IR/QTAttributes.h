//===- QTAttributes.h - the qt dialect's discardable attributes -*- C++ -*-===//
//
// Every `qt.*` attribute qopt sets on other dialects' operations, function
// arguments and results, declared once. The qt dialect verifies their
// values where it is loaded (QTDialect::verifyOperationAttribute and
// friends); an unknown `qt.*` name is an error there, so a typo cannot pass
// silently. Plain constants: any library may include this without linking
// the dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QT_IR_QTATTRIBUTES_H
#define QOPT_DIALECT_QT_IR_QTATTRIBUTES_H

#include "llvm/ADT/StringRef.h"

namespace qopt {

/// A calibrated range, `array<f32: min, max>`, on the op producing a value
/// (or on a function argument).
inline constexpr llvm::StringLiteral kRangeAttrName = "qt.range";
/// Module: how calibration ran, `{method = "...", samples = N}`.
inline constexpr llvm::StringLiteral kCalibrationAttrName = "qt.calibration";
/// Marks a contraction qt-quantize-int8 keeps in float
/// (qt-select-float-layers sets it).
inline constexpr llvm::StringLiteral kKeepFloatAttrName = "qt.keep_float";
/// Per-output-channel weight scales of an imported quantized contraction,
/// `array<f32: ...>`.
inline constexpr llvm::StringLiteral kWeightScalesAttrName = "qt.weight_scales";
/// On an entry point's argument or result: the tensor's name (an ONNX
/// graph input or output), a string.
inline constexpr llvm::StringLiteral kNameAttrName = "qt.name";
/// On an i8 argument or result of an entry point: the data is uint8 (the
/// C interface and qopt-run use uint8), e.g. an ONNX uint8 graph input.
inline constexpr llvm::StringLiteral kUnsignedAttrName = "qt.unsigned";
/// Module: the entry points' C interfaces (qt-mark-entry-points).
inline constexpr llvm::StringLiteral kEntryPointsAttrName = "qt.entry_points";
/// Module attribute: the kernel variants the lowered module holds, weakest
/// first (names of qopt/Support/KernelVariants.h). With several, every
/// symbol of variant `v` is suffixed `.v`.
inline constexpr llvm::StringLiteral kKernelVariantsAttrName =
    "qt.kernel_variants";
/// On the `bufferization.to_buffer` of a calibration or error probe
/// (qt-observe-to-callback): the value is only read, so qt-fuse-elementwise
/// may fuse its producer and keep the value as one more result.
inline constexpr llvm::StringLiteral kProbeAttrName = "qt.probe";
/// On an `scf.for` whose iterations are independent (threads may split it).
inline constexpr llvm::StringLiteral kParallelLoopAttrName = "qt.parallel";
/// On an `amx.tile_load` to emit as `tileloaddt1` (streamed, not kept in L1).
inline constexpr llvm::StringLiteral kStreamLoadAttrName = "qt.stream";

} // namespace qopt

#endif // QOPT_DIALECT_QT_IR_QTATTRIBUTES_H
