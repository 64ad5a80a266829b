//===- Pipelines.h - qopt's user-facing pass pipelines ----------*- C++ -*-===//
//
// The pipelines users type (`--lower-to-llvm`, ...), built from upstream and
// qopt passes. Each is usable from C++ and registered for the tools.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PIPELINES_PIPELINES_H
#define QOPT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace qopt {

/// Options of `--lower-to-llvm`.
struct LowerToLLVMOptions : mlir::PassPipelineOptions<LowerToLLVMOptions> {
  PassOptions::Option<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc("Fuse producer/consumer elementwise linalg ops before "
                     "bufferization (fewer temporaries)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> staticWorkspace{
      *this, "static-workspace",
      llvm::cl::desc("Give statically shaped temporaries thread-local static "
                     "storage instead of malloc/free per call"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> kernels{
      *this, "kernels",
      llvm::cl::desc("int8 kernels: portable, avx512-vnni, avx-vnni, avx2, "
                     "neon, neon-dotprod or neon-i8mm (the qopt driver picks "
                     "them from the target)"),
      llvm::cl::init("portable")};
  PassOptions::Option<bool> floatKernels{
      *this, "float-kernels",
      llvm::cl::desc("Run float32 matmuls and convolutions with constant "
                     "weights on packed vector kernels (false: linalg loops)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> sparseWeights{
      *this, "sparse-weights",
      llvm::cl::desc("Pruned int8 and float32 weights: auto (block-sparse "
                     "where the cost model predicts a gain), dense or sparse"),
      llvm::cl::init("auto")};
};

/// Lowers a model in TOSA 1.0 or linalg-on-tensors (with arith, math, tensor)
/// to the LLVM dialect. Public functions become plain C entry points
/// `i32 f(ptr in..., ptr out...)` (bare-pointer convention, results written
/// to caller-provided buffers) and are listed in the `qt.entry_points` module
/// attribute so that a C header can be written for them.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// Registers every qopt pipeline with the global pass registry.
void registerPipelines();

} // namespace qopt

#endif // QOPT_PIPELINES_PIPELINES_H
