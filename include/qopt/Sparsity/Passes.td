//===- Passes.td - weight pruning passes -------------------*- tablegen -*-===//

#ifndef QOPT_SPARSITY_PASSES_TD
#define QOPT_SPARSITY_PASSES_TD

include "mlir/Pass/PassBase.td"

def QTPrune : Pass<"qt-prune", "::mlir::ModuleOp"> {
  let summary = "Zero the smallest weights of matmuls and convolutions";
  let description = [{
    Magnitude pruning of the constant weights of float contractions
    (`tosa.matmul` with a constant right operand, `tosa.conv2d`,
    `tosa.depthwise_conv2d`) and of int8 ones (`qt.fully_connected`,
    `qt.conv2d`, `qt.depthwise_conv2d`, where the magnitude is the real
    value `|q| * s` of each output channel's scale, so channels compare
    fairly), before or after `--quantize-int8`.

    Each weight is seen as `[output channels, reduction]` (a matmul's
    `[1, K, N]` as `[N, K]`; OHWI as `[O, KH * KW * I]`; depthwise
    `[KH, KW, C * M]` as `[C * M, KH * KW]`). `pattern` groups it:
    `unstructured` (each weight), `2:4` (in every 4 consecutive reduction
    weights of a channel the 2 smallest go; sparsity is 50%) or
    `block=RxC` (R output channels by C reduction weights, scored by their
    largest magnitude; R and C must divide the weight's view) or `kernel`
    (the blocks the int8 kernels of `isa` skip, output channels x 4
    reduction weights: 16x4 for avx512-vnni, 8x4 for AVX2, 4x4 for NEON;
    blocks at a layer's edges are clipped, so every layer takes it). Either
    `sparsity` (the fraction of groups to zero, in [0, 1); `scope=global`
    ranks the groups of all layers together, `per-layer` each layer apart)
    or `threshold` (zero the groups whose score is below it) says how much.
    `exclude` keeps layers dense by op name or location piece. `report`
    writes JSON: per layer and in total the sparsity reached, the weight
    bytes dense and as the lowering will store them, and the storage the
    cost model of `qopt/Sparsity/WeightStorage.h` picks for the kernels of
    `isa` (`block-sparse` or `dense`; float layers also get `int8_storage`
    and `int8_weight_bytes_stored`, what they will be after
    `--quantize-int8`).

    Example: `qopt --qt-prune="sparsity=0.9 pattern=kernel report=prune.json"`
  }];
  let options = [
    Option<"sparsity", "sparsity", "double", "-1.0",
           "Fraction of weight groups to zero, in [0, 1)">,
    Option<"threshold", "threshold", "double", "-1.0",
           "Zero the groups whose magnitude is below this instead">,
    Option<"pattern", "pattern", "std::string", "\"unstructured\"",
           "unstructured, 2:4, block=RxC or kernel">,
    Option<"scope", "scope", "std::string", "\"per-layer\"",
           "global or per-layer (how sparsity= ranks the groups)">,
    ListOption<"exclude", "exclude", "std::string",
               "Op names or location pieces to leave dense">,
    Option<"report", "report", "std::string", "\"\"",
           "Write a JSON report of the sparsity per layer to this file">,
    Option<"kernelISA", "isa", "std::string", "\"avx512-vnni\"",
           "int8 kernels whose weight blocks pattern=kernel prunes and the "
           "report's storage is predicted for (as convert-qt-to-packed-kernels)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::tosa::TosaDialect"];
}

#endif // QOPT_SPARSITY_PASSES_TD
