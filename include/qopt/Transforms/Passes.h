//===- Passes.h - qopt's model-level transforms -----------------*- C++ -*-===//

#ifndef QOPT_TRANSFORMS_PASSES_H
#define QOPT_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace qopt {

/// Name of the module attribute listing the entry points' C interfaces.
inline constexpr llvm::StringLiteral kEntryPointsAttrName = "qt.entry_points";
/// On an i8 argument or result of an entry point: the data is uint8 (the
/// C interface and qopt-run use uint8), e.g. an ONNX uint8 graph input.
/// Module attribute: the kernel variants the lowered module holds, weakest
/// first (names of qopt/Support/KernelVariants.h). With several, every
/// symbol of variant `v` is suffixed `.v`.
inline constexpr llvm::StringLiteral kKernelVariantsAttrName =
    "qt.kernel_variants";
inline constexpr llvm::StringLiteral kUnsignedAttrName = "qt.unsigned";
/// On the `bufferization.to_buffer` of a calibration or error probe
/// (qt-observe-to-callback): the value is only read, so qt-fuse-elementwise
/// may fuse its producer and keep the value as one more result.
inline constexpr llvm::StringLiteral kProbeAttrName = "qt.probe";

#define GEN_PASS_DECL
#include "qopt/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Transforms/Passes.h.inc"

} // namespace qopt

#endif // QOPT_TRANSFORMS_PASSES_H
