//===- Passes.td - calibration and quantization passes -----*- tablegen -*-===//

#ifndef QOPT_QUANTIZATION_PASSES_TD
#define QOPT_QUANTIZATION_PASSES_TD

include "mlir/Pass/PassBase.td"

def QTCalibrate : Pass<"qt-calibrate", "::mlir::ModuleOp"> {
  let summary = "Run the float model on calibration data and record ranges";
  let description = [{
    JIT-compiles the model (MLIR ExecutionEngine, the `--lower-to-llvm`
    lowering) with a `qt.observe` probe on every float activation, runs it on
    every sample of `data` and records `qt.range = array<f32: min, max>` on
    the op producing each activation (function arguments get a `qt.range`
    argument attribute). Statistics stream: two fixed 2048-bin histograms per
    activation, whatever the number of samples. NaN and infinite values are
    ignored and counted in a warning. The methods are defined in
    docs/calibration.md. On a terminal, progress goes to stderr. Samples run
    on `--num-threads` threads (default: QOPT_NUM_THREADS, else the CPUs of
    the process), each on a contiguous share of them; the statistics are
    merged in sample order, so the ranges do not depend on the thread count.
    In `--quantize-int8`, the compiled model is kept for the pipeline's
    later passes (float-layers=, the report), which run the same float
    model.

    Example: `qopt --qt-calibrate="data=calib.npz method=entropy" model.mlir`
  }];
  let options = [
    Option<"data", "data", "std::string", "\"\"",
           "Calibration samples (.npz keyed by input name, or .npy)">,
    Option<"method", "method", "std::string", "\"minmax\"",
           "minmax, percentile, entropy or mse">,
    Option<"percentile", "percentile", "double", "99.99",
           "Percent of samples the percentile method keeps">,
    Option<"progress", "progress", "bool", "true",
           "Show progress when stderr is a terminal">,
    Option<"timing", "timing", "bool", "false",
           "Print the time spent running samples (compilation excluded) and "
           "the number of threads to stderr">,
  ];
  let dependentDialects = ["::qopt::qt::QTDialect"];
}

def QTObserveToCallback
    : Pass<"qt-observe-to-callback", "::mlir::ModuleOp"> {
  let summary = "Turn calibration probes into calls to the range collector";
  let description = [{
    Used by `qt-calibrate` on its private copy of the model: each
    `qt.observe %x {id}` becomes a call
    `__qt_observe(id, aligned_pointer, offset, num_elements)` (all i64) on
    the buffer of `%x`, which the JIT resolves to qopt's collector.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect"
  ];
}

def QTSelectFloatLayers : Pass<"qt-select-float-layers", "::mlir::ModuleOp"> {
  let summary = "Keep the contractions most sensitive to int8 in float";
  let description = [{
    Mixed precision chosen by measurement, for a calibrated model before
    `qt-quantize-int8`: each matmul and convolution is quantized alone (the
    others float) in a copy of the model, both copies run on `data`, and
    the output SQNR against float is its sensitivity. The `layers` lowest
    get `qt.keep_float`, which `qt-quantize-int8` honours (with a remark
    giving the SQNR). Costs a JIT compilation and two runs over `data` per
    contraction (the float model is compiled once, or taken from
    calibration). `--quantize-int8="data=... float-layers=N"` runs it.
  }];
  let options = [
    Option<"layers", "layers", "unsigned", "0",
           "How many contractions to keep in float">,
    Option<"data", "data", "std::string", "\"\"",
           "Samples (.npz / .npy) on which the sensitivity is measured">,
    Option<"symmetricActivations", "symmetric-activations", "bool", "false",
           "As qt-quantize-int8's option">,
    Option<"progress", "progress", "bool", "true",
           "Show which layer is being measured on a terminal">,
  ];
  let dependentDialects = ["::qopt::qt::QTDialect", "::mlir::quant::QuantDialect"];
}

def QTQuantizeInt8 : Pass<"qt-quantize-int8", "::mlir::ModuleOp"> {
  let summary = "Static post-training int8 quantization of a calibrated model";
  let description = [{
    Rewrites the contractions of a calibrated TOSA model (fully connected
    `tosa.matmul` with constant weights, `tosa.conv2d`,
    `tosa.depthwise_conv2d`, with a constant bias `tosa.add` and a
    `tosa.clamp` fused when they follow) into `qt` int8 ops per SPEC §5:
    per-output-channel symmetric int8 weights in [-127, 127], per-tensor
    activations (asymmetric unless `symmetric-activations`), int32 bias,
    one requantization with the activation clamp folded in. Values cross
    between float and int8 through `qt.quantize` / `qt.dequantize`, which
    fold away between adjacent int8 ops. An op it cannot quantize stays
    float and gets a remark saying why; `exclude` keeps ops in float by op
    name (`tosa.conv2d`) or by a piece of their location (`model.mlir:12`,
    a name location). A model without `qt.range` attributes is an error that
    says how to get them.

    Quantized models (QDQ ONNX imports) need no ranges: a contraction whose
    input is a `qt.dequantize` and whose output is read only by a
    `qt.quantize` takes those parameters, and weights carrying
    `qt.weight_scales` keep the file's scales (and integers). A calibrated
    range is clipped to what the value's readers can tell apart: where
    every reader saturates (a clamp after positive scaling and shifting, as
    HardSigmoid; HardSwish's gate below -3), values beyond need no
    resolution.
  }];
  let options = [
    Option<"symmetricActivations", "symmetric-activations", "bool", "false",
           "Quantize activations symmetrically (zero point 0)">,
    ListOption<"exclude", "exclude", "std::string",
               "Op names or location pieces to keep in float">,
    Option<"report", "report", "std::string", "\"\"",
           "Write a JSON report of per-op parameters to this file">,
    Option<"data", "data", "std::string", "\"\"",
           "Samples on which the report measures the error against float">,
  ];
  let dependentDialects = [
    "::qopt::qt::QTDialect", "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect"
  ];
}

def QTRemoveFloatIslands : Pass<"qt-remove-float-islands", "::mlir::ModuleOp"> {
  let summary = "Give the float ops between int8 layers an integer form";
  let description = [{
    Runs after `qt-quantize-int8` on a calibrated model and removes the
    dequantize -> float op -> quantize islands where an integer form
    exists, in program order:

    - an elementwise chain of one int8 value and constants (HardSwish,
      HardSigmoid, Sigmoid, Tanh, GELU, Exp, Swish, a scale and shift, ...)
      becomes one `qt.table`, its 256 entries computed from the float ops
      themselves: `quantize(f(dequantize(q)))` (docs/numerics.md);
    - an add or mul of two int8 values (residual adds, squeeze-excite
      scaling with a broadcast per-channel operand) becomes `qt.add` /
      `qt.mul`, with a clamp that only it reads fused as the output clamp;
    - an unpadded average pool becomes `qt.avg_pool2d`;
    - max pools, reshapes, transposes and gathers of int8 values run on the
      int8 storage, and so does a concat of int8 values (each input
      brought to the output's parameters by an identity table); a quantize
      of a dequantized int8 value with other parameters becomes an identity
      table.

    Output parameters are those the value's readers already quantize with,
    else the calibrated range. A model output computed in float stays
    float (exact). Every float op left that reads an int8 value gets a
    remark saying why, and with `report=` an entry in the JSON report's
    `float_islands` (op, location, reason).
  }];
  let options = [
    Option<"symmetricActivations", "symmetric-activations", "bool", "false",
           "Quantize activations symmetrically (zero point 0)">,
    Option<"report", "report", "std::string", "\"\"",
           "Add the float islands left to this JSON report (`float_islands`)">,
  ];
  let dependentDialects = [
    "::qopt::qt::QTDialect", "::mlir::quant::QuantDialect",
  ];
}

def QTConvertFloatPrecision
    : Pass<"qt-convert-float-precision", "::mlir::ModuleOp"> {
  let summary = "Compute a float32 TOSA model in float16 or bfloat16";
  let description = [{
    Weights and activations become `type` (f16 or bf16): constants are
    rounded to nearest even, every float32 tensor result takes the new
    element type, and clamp bounds saturate to the type's largest finite
    value. Convolutions and pooling keep their float32 accumulator
    (`acc_type`). Public functions keep their float32 signature: a
    `tosa.cast` converts inputs on entry and results on return, so callers
    and the C header do not change. The driver flags `--quantize-f16` and
    `--quantize-bf16` run this pass.

    Example: `tosa.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>`
    becomes the same op on `tensor<4xf16>`.
  }];
  let options = [
    Option<"type", "type", "std::string", "\"f16\"", "f16 or bf16">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def QTQuantizeDynamic : Pass<"qt-quantize-dynamic", "::mlir::ModuleOp"> {
  let summary = "Dynamic int8 quantization: int8 weights, activation scales at run time";
  let description = [{
    Needs no calibration. Every fully connected layer (batch-1 `tosa.matmul`
    with a constant right operand, with a following constant bias add and
    clamp fused) becomes `qt.dynamic_fully_connected`: weights are int8,
    symmetric per output channel, quantized here; the input's scale and zero
    point are computed from its actual range on every call; the result is
    float. Convolutions and other ops stay float, with a remark. The driver
    flag `--quantize-dynamic` runs this pass.
  }];
  let dependentDialects = [
    "::qopt::qt::QTDialect", "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect"
  ];
}

#endif // QOPT_QUANTIZATION_PASSES_TD
