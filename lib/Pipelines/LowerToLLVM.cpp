//===- LowerToLLVM.cpp - the --lower-to-llvm pipeline -----------*- C++ -*-===//

#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void qopt::buildLowerToLLVMPipeline(OpPassManager &pm,
                                    const LowerToLLVMOptions &options) {
  // Record the C interface while the signatures still carry tensor shapes.
  pm.addPass(createQTMarkEntryPoints());

  // Pre-quantized TOSA int8 contractions go to the packed kernels first.
  bool packed = options.kernels != "portable";
  if (packed) {
    ConvertTosaInt8ToPackedKernelsOptions tosaOptions;
    tosaOptions.isa = options.kernels;
    pm.addPass(createConvertTosaInt8ToPackedKernels(tosaOptions));
  }
  // float32 matmuls and convolutions with constant weights: packed vector
  // kernels, dense or block-sparse as the cost model says (vector width from
  // the int8 kernels' target; 4 lanes for portable code).
  ConvertTosaFloatToKernelsOptions floatOptions;
  floatOptions.lanes = options.kernels == "avx512-vnni"                           ? 16
                       : options.kernels == "avx-vnni" || options.kernels == "avx2" ? 8
                                                                                    : 4;
  floatOptions.sparseWeights = options.sparseWeights;
  floatOptions.dense = options.floatKernels;
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
  // Quantized ops become integer code (docs/numerics.md): packed VNNI
  // kernels where the target has them, portable linalg for the rest.
  if (packed) {
    ConvertQTToPackedKernelsOptions kernelOptions;
    kernelOptions.isa = options.kernels;
    kernelOptions.sparseWeights = options.sparseWeights;
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
  pm.nest<func::FuncOp>().addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Math ops with an LLVM intrinsic stay intrinsics (vectorizable); the rest
  // become libm calls, which the object may use.
  if (packed)
    pm.addPass(createQTLowerKernelIntrinsics());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
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
