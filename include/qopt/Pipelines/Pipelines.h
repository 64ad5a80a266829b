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
#include "qopt/Support/KernelVariants.h"

namespace qopt {

/// Parses one kernel variant name of `kernels=` (the names come from
/// KernelVariants.h, the one list), with a message naming the accepted ones.
struct KernelVariantParser : public llvm::cl::parser<KernelVariant> {
  explicit KernelVariantParser(llvm::cl::Option &option);
  bool parse(llvm::cl::Option &option, llvm::StringRef argName,
             llvm::StringRef arg, KernelVariant &value);
  static void print(llvm::raw_ostream &os, const KernelVariant &value);
};

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
  PassOptions::ListOption<KernelVariant, KernelVariantParser> kernels{
      *this, "kernels",
      llvm::cl::desc("Kernel variants the object holds, chosen at run time "
                     "by the CPU (all = every variant of the target; default "
                     "portable; the qopt driver derives them from the "
                     "target)")};
  PassOptions::Option<bool> floatKernels{
      *this, "float-kernels",
      llvm::cl::desc("Run float32 matmuls and convolutions with constant "
                     "weights on packed vector kernels (false: linalg loops)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> threads{
      *this, "threads",
      llvm::cl::desc("Split large loop nests across the object's worker "
                     "threads (bit-identical at any thread count)"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> threadMinWork{
      *this, "thread-min-work",
      llvm::cl::desc("Smallest loop nest (estimated operations) split across "
                     "threads; smaller ones run on the calling thread"),
      llvm::cl::init(500000)};
  PassOptions::Option<bool> amxSmallLayers{
      *this, "amx-small-layers",
      llvm::cl::desc("amx kernels: AMX tiles also for layers narrower than 32 "
                     "columns or shallower than 64 (tests of the kernel's "
                     "edges)"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> sparseWeights{
      *this, "sparse-weights",
      llvm::cl::desc("Pruned int8 and float32 weights: auto (block-sparse "
                     "where the cost model predicts a gain), dense or sparse"),
      llvm::cl::init("auto")};
  PassOptions::Option<bool> debugInfo{
      *this, "debug-info",
      llvm::cl::desc("Line tables in the object: each instruction maps to the "
                     "input op it came from (file:line:col), so perf or gdb "
                     "can attribute time to layers"),
      llvm::cl::init(false)};
};

/// Lowers a model in TOSA 1.0 or linalg-on-tensors (with arith, math, tensor)
/// to the LLVM dialect, once per kernel variant of `options.kernels` (each
/// variant's symbols suffixed `.<variant>`, constants they share kept once). Public functions become plain C entry points
/// `i32 f(ptr in..., ptr out...)` (bare-pointer convention, results written
/// to caller-provided buffers) and are listed in the `qt.entry_points` module
/// attribute so that a C header can be written for them.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// The lowering for one kernel variant (what buildLowerToLLVMPipeline runs
/// once per listed variant).
void buildSingleVariantPipeline(mlir::OpPassManager &pm,
                                const LowerToLLVMOptions &options,
                                KernelVariant variant);

/// The variants `options.kernels` asks for, weakest first (`portable` when
/// none is given; `all` means the host architecture's), or a message.
llvm::Expected<llvm::SmallVector<KernelVariant>>
requestedKernelVariants(const LowerToLLVMOptions &options);

/// Registers every qopt pipeline with the global pass registry.
void registerPipelines();

} // namespace qopt

#endif // QOPT_PIPELINES_PIPELINES_H
