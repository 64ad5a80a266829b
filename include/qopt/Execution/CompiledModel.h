//===- CompiledModel.h - a compiled model, as its users see it --*- C++ -*-===//
//
// What the passes that run a model on data (calibration, the error report,
// float-layers=) need from a compiled model: its entry points, a call on one
// sample, and the samples of a .npy/.npz file bound to its inputs. The
// compiler itself (the JIT of QOptExecution, which lowers with the
// --lower-to-llvm pipeline) sits in a layer above and registers itself
// (registerModelCompiler, done by qopt::registerAllPasses), so the passes do
// not link the lowering pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_EXECUTION_COMPILEDMODEL_H
#define QOPT_EXECUTION_COMPILEDMODEL_H

#include "qopt/Support/NumPy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qopt {

/// One tensor crossing an entry point: its name (the `qt.name` argument
/// attribute, else `arg<i>` / `output<i>`), element type and shape.
struct TensorSpec {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  int64_t numElements() const;
  size_t numBytes() const { return numElements() * dtypeSize(dtype); }
};

/// A public function of the model.
struct EntryPoint {
  std::string name;
  std::vector<TensorSpec> inputs, outputs;
};

/// Extra symbols the JIT-compiled code may call (e.g. calibration probes).
using SymbolBinding = std::pair<std::string, void *>;

/// A model compiled for this process.
class CompiledModel {
public:
  virtual ~CompiledModel();
  virtual const std::vector<EntryPoint> &entryPoints() const = 0;
  /// The entry point called `name`, or the only one when `name` is empty.
  llvm::Expected<const EntryPoint *> entryPoint(llvm::StringRef name) const;
  /// Calls `entry` on one sample: one pointer per input, then per output.
  virtual llvm::Error run(const EntryPoint &entry,
                          llvm::ArrayRef<const void *> inputs,
                          llvm::ArrayRef<void *> outputs) = 0;
};

/// LLVM's optimization level for probed models (calibration, the error
/// report): at -O3 a calibration of PP-OCRv4 rec took 5.3-5.5 s instead of
/// 4.8-4.9 s on 2 samples and 6.5-6.8 s instead of 5.9-6.0 s on 64 (one
/// thread, AMD EPYC, 2026-12-07): slower to compile, no faster to run.
inline constexpr unsigned kProbedOptLevel = 2;

/// Compiles `module` (any stage: float, calibrated, quantized) for this
/// process at LLVM -O`optLevel`, binding `symbols`.
using ModelCompiler = std::function<llvm::Expected<std::unique_ptr<CompiledModel>>(
    mlir::ModuleOp module, llvm::ArrayRef<SymbolBinding> symbols,
    unsigned optLevel)>;

/// Sets the compiler compileModel() uses (the JIT registers itself).
void registerModelCompiler(ModelCompiler compiler);

/// Compiles with the registered compiler; an error if there is none.
llvm::Expected<std::unique_ptr<CompiledModel>>
compileModel(mlir::ModuleOp module, llvm::ArrayRef<SymbolBinding> symbols = {},
             unsigned optLevel = 3);

/// One reader's (thread's) buffers for the samples of lazy arrays.
struct SampleScratch {
  std::vector<std::vector<char>> buffers;
  std::vector<std::unique_ptr<NpyReadState>> states;
};

/// Samples bound to an entry point's inputs: `count` samples, sample `i` of
/// input `k` at bytes [i * n, (i + 1) * n) of `inputs[k]`'s payload, with
/// n = entry.inputs[k].numBytes().
struct SampleSet {
  std::vector<const NpyArray *> inputs;
  int64_t count = 0;
  /// Sample `i` of input `k`: in place for an array in memory, else read
  /// into `scratch` (valid until its next read of that input). An error
  /// names the file, the input and the sample.
  llvm::Expected<const void *> sample(size_t input, int64_t i,
                                      const EntryPoint &entry,
                                      SampleScratch &scratch) const;
};

/// Whether every float32 input of one sample is finite: calibration and the
/// error report leave out a sample with a NaN or an infinity in any input.
bool inputsAreFinite(const EntryPoint &entry,
                     llvm::ArrayRef<const void *> inputs);

/// Matches the arrays of a .npy/.npz file to `entry`'s inputs, by name (a
/// .npy feeds a single input). An array of shape S (one sample), [N, S...]
/// or, for a model whose leading dimension is 1, [N, S[1:]...] is accepted,
/// as is any [N, ...] whose samples hold as many elements as S (the same
/// row-major data in another shape, e.g. [N, 64] for a 1x8x8x1 input).
/// `file` names the data in messages.
llvm::Expected<SampleSet> bindSamples(const EntryPoint &entry,
                                      const std::map<std::string, NpyArray> &arrays,
                                      llvm::StringRef file);

} // namespace qopt

#endif // QOPT_EXECUTION_COMPILEDMODEL_H
