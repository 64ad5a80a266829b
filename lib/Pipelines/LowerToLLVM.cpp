//===- LowerToLLVM.cpp - the --lower-to-llvm pipeline -----------*- C++ -*-===//

#include "qopt/Pipelines/Pipelines.h"
#include "LowerKernelVariants.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using qopt::KernelVariant;

qopt::KernelVariantParser::KernelVariantParser(llvm::cl::Option &option)
    : llvm::cl::parser<KernelVariant>(option) {
  // Straight into the value table: addLiteralOption would register each
  // name globally, once per parser, and a ListOption has two parsers.
  for (const KernelVariantInfo &info : kernelVariants())
    Values.emplace_back(info.name, info.variant, info.summary);
  Values.emplace_back("all", KernelVariant::All, "every variant of the target");
}

bool qopt::KernelVariantParser::parse(llvm::cl::Option &option,
                                      StringRef argName, StringRef arg,
                                      KernelVariant &value) {
  if (std::optional<KernelVariant> v = parseKernelVariant(arg)) {
    value = *v;
    return false;
  }
  return option.error("unknown kernel variant '" + arg + "' (expected " +
                      kernelVariantNames() + ")");
}

void qopt::KernelVariantParser::print(llvm::raw_ostream &os,
                                      const KernelVariant &value) {
  os << kernelVariantName(value);
}

llvm::Expected<llvm::SmallVector<KernelVariant>>
qopt::requestedKernelVariants(const LowerToLLVMOptions &options) {
  if (options.kernels.empty())
    return llvm::SmallVector<KernelVariant>{KernelVariant::Portable};
  // A list's architecture is that of its named variants; `all` alone means
  // the host's (the qopt driver passes the target's variants by name).
  llvm::Triple::ArchType arch =
      llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
  for (KernelVariant v : options.kernels)
    if (v != KernelVariant::All &&
        kernelVariantInfo(v).arch != llvm::Triple::UnknownArch) {
      arch = kernelVariantInfo(v).arch;
      break;
    }
  return resolveKernelVariants(options.kernels, arch);
}

void qopt::buildLowerToLLVMPipeline(OpPassManager &pm,
                                    const LowerToLLVMOptions &options) {
  auto variants = requestedKernelVariants(options);
  if (!variants) {
    // Reported by the pass when it runs: a pipeline builder cannot fail.
    pm.addPass(std::make_unique<LowerKernelVariantsPass>(
        options, llvm::toString(variants.takeError())));
    return;
  }
  if (variants->size() > 1) {
    pm.addPass(std::make_unique<LowerKernelVariantsPass>(options, *variants));
  } else {
    buildSingleVariantPipeline(pm, options, variants->front());
  }
  // Line tables from the ops' locations: every function gets a subprogram,
  // and the object emitter writes what LLVM makes of them.
  if (options.debugInfo)
    pm.addPass(LLVM::createDIScopeForLLVMFuncOpPass());
}

void qopt::buildSingleVariantPipeline(OpPassManager &pm,
                                      const LowerToLLVMOptions &options,
                                      KernelVariant variant) {
  std::string isa = kernelVariantName(variant).str();
  // Record the C interface while the signatures still carry tensor shapes,
  // and which kernel variant this code is (the object emitter compiles it
  // for that instruction set and adds the run-time check).
  QTMarkEntryPointsOptions entryOptions;
  entryOptions.kernelVariants = {isa};
  pm.addPass(createQTMarkEntryPoints(entryOptions));

  // Pre-quantized TOSA int8 contractions go to the packed kernels first.
  bool packed = variant != KernelVariant::Portable;
  if (packed) {
    ConvertTosaInt8ToPackedKernelsOptions tosaOptions;
    tosaOptions.isa = isa;
    pm.addPass(createConvertTosaInt8ToPackedKernels(tosaOptions));
  }
  // Transposed convolutions as convolutions, per-channel affine ops folded
  // into them (as --quantize-int8 does before calibrating).
  pm.addPass(createQTPrepareContractions());
  // float32 matmuls and convolutions with constant weights: packed vector
  // kernels, dense or block-sparse as the cost model says (vector width from
  // the int8 kernels' target; 4 lanes for portable code).
  ConvertTosaFloatToKernelsOptions floatOptions;
  floatOptions.lanes = variant == KernelVariant::AVX512VNNI ||
                               variant == KernelVariant::AVX512VBMI ||
                               variant == KernelVariant::AMX
                           ? 16
                       : variant == KernelVariant::AVXVNNI || variant == KernelVariant::AVX2
                           ? 8
                           : 4;
  floatOptions.sparseWeights = options.sparseWeights;
  floatOptions.dense = options.floatKernels;
  floatOptions.amx = variant == KernelVariant::AMX;
  floatOptions.amxSmallLayers = options.amxSmallLayers;
  pm.addPass(createConvertTosaFloatToKernels(floatOptions));
  // TOSA -> linalg / arith / tensor / scf. Validation is the verifier's job.
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions(),
                              TosaToLinalgNamedOptions(),
                              /*validationOptions=*/std::nullopt);
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  // tosa.rescale (pre-quantized int8 models) becomes tosa.apply_scale,
  // which only this option lowers: 64-bit arithmetic, TOSA's exact rounding.
  TosaToArithPassOptions arithOptions;
  arithOptions.includeApplyRescale = true;
  arithOptions.use32Bit = false;
  funcPm.addPass(createTosaToArithPass(arithOptions));
  funcPm.addPass(createTosaToTensorPass());
  funcPm.addPass(createTosaToSCFPass());
  // Float contractions accumulate with fused multiply-adds, as the float
  // kernels above do (the same bits).
  funcPm.addPass(createQTFuseMultiplyAdd());
  // Quantized ops become integer code (docs/numerics.md): packed VNNI
  // kernels where the target has them, portable linalg for the rest.
  if (packed) {
    ConvertQTToPackedKernelsOptions kernelOptions;
    kernelOptions.isa = isa;
    kernelOptions.sparseWeights = options.sparseWeights;
    kernelOptions.amxSmallLayers = options.amxSmallLayers;
    pm.addPass(createConvertQTToPackedKernels(kernelOptions));
  }
  pm.addPass(createConvertQTToLinalg());
  pm.addPass(createCanonicalizerPass());
  if (options.fuseElementwise)
    pm.addPass(createQTFuseElementwise());
  pm.addPass(createConvertTensorToLinalgPass());

  // Bufferize; results become caller-provided output buffers.
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createQTEntryPointsReturnStatus());
  // Temporaries of static shape live in per-thread static storage: no
  // malloc/free (and page faults) per call.
  if (options.staticWorkspace)
    pm.addPass(createQTStaticWorkspace());
  bufferization::buildBufferDeallocationPipeline(pm);

  // Loops, then LLVM.
  pm.nest<func::FuncOp>().addPass(createQTMemRefCopyToLinalg());
  // Parallel iterators become scf.parallel, which (with the loops kernels
  // marked qt.parallel) may run on the object's threads.
  if (options.threads)
    pm.nest<func::FuncOp>().addPass(createConvertLinalgToParallelLoopsPass());
  else
    pm.nest<func::FuncOp>().addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // expf as arithmetic (the C library's bits) that the loop vectorizer
  // vectorizes.
  pm.addPass(createQTExpandExp());
  if (options.threads) {
    QTOutlineParallelLoopsOptions outlineOptions;
    outlineOptions.minWork = options.threadMinWork;
    pm.addPass(createQTOutlineParallelLoops(outlineOptions));
  }
  pm.addPass(createSCFToControlFlowPass());
  // Math ops with an LLVM intrinsic stay intrinsics (vectorizable); the rest
  // become libm calls, which the object may use.
  if (packed)
    pm.addPass(createQTLowerKernelIntrinsics());
  // bf16 arithmetic in f32 (what LLVM's promotion does), and bf16
  // conversions in integer arithmetic: the same bits on every CPU, and no
  // libgcc helper (__truncsfbf2) that Debian 12's cannot link.
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16"};
  emulate.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  pm.addPass(createQTExpandBFloat16());
  if (variant == KernelVariant::AMX)
    pm.addPass(createQTLowerAmxStreamLoads());
  ConvertVectorToLLVMPassOptions vectorOptions;
  vectorOptions.amx = variant == KernelVariant::AMX;
  pm.addPass(createConvertVectorToLLVMPass(vectorOptions));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  // AMX kernels carry tiles around their K loops; only convert-to-llvm's
  // type converter (with the amx dialect's interface) knows tile types.
  if (variant == KernelVariant::AMX)
    pm.addPass(createConvertToLLVMPass());
  else
    pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createQTBf16MemoryAsInteger());
  pm.addPass(createCanonicalizerPass());
  if (options.threads)
    pm.addPass(createQTLowerParallelLaunches());
  if (options.staticWorkspace)
    pm.addPass(createQTThreadLocalWorkspace());
}

void qopt::registerPipelines() {
  PassPipelineRegistration<LowerToLLVMOptions>(
      "lower-to-llvm",
      "Lower a TOSA or linalg-on-tensors model to the LLVM dialect with plain "
      "C entry points",
      buildLowerToLLVMPipeline);
}
