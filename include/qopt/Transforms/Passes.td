//===- Passes.td - qopt's model-level transforms -----------*- tablegen -*-===//

#ifndef QOPT_TRANSFORMS_PASSES_TD
#define QOPT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QTMarkEntryPoints : Pass<"qt-mark-entry-points", "::mlir::ModuleOp"> {
  let summary = "Record the plain C interface of every public function";
  let description = [{
    Runs on tensor-level IR, before bufferization. For every public
    `func.func` with a body it appends to the module attribute
    `qt.entry_points` a dictionary `{name, inputs, outputs}` holding the
    function's tensor types, which the object emitter turns into the C header
    (one `int <stem>_<name>(const T *in..., T *out...)` per function). It also
    marks every argument `bufferization.writable = false`: inputs are the
    caller's `const` buffers, so bufferization must copy before writing.

    A public function whose arguments or results are not statically shaped
    tensors of int or float elements has no plain C interface; the pass fails
    with a diagnostic at the function.

    Example: `func.func @main(%x: tensor<1x64xf32>) -> tensor<1x10xf32>`
    adds the entry `{name = "main", inputs = [tensor<1x64xf32>],
    outputs = [tensor<1x10xf32>]}` to `qt.entry_points`.

    With `kernel-variants=avx2` it also records `qt.kernel_variants =
    ["avx2"]`: the object emitter compiles the module's code for that
    variant's instruction set and guards the entry points with a run-time
    check of the CPU.
  }];
  let options = [
    ListOption<"kernelVariants", "kernel-variants", "std::string",
               "Kernel variants the lowered code is for (recorded in "
               "qt.kernel_variants)">,
  ];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def QTEntryPointsReturnStatus
    : Pass<"qt-entry-points-return-status", "::mlir::ModuleOp"> {
  let summary = "Make the recorded entry points return an int status";
  let description = [{
    Runs after bufferization and `buffer-results-to-out-params`, when every
    entry point recorded by `qt-mark-entry-points` has the form
    `(memref inputs..., memref outputs...) -> ()`. Each gets an `i32` result
    that is 0 on success, as the C header promises. Together with the
    bare-pointer calling convention this yields
    `int f(const float *in..., float *out...)`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def QTMemRefCopyToLinalg
    : Pass<"qt-memref-copy-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy so that it becomes loops";
  let description = [{
    Upstream lowers a `memref.copy` between strided (non-contiguous) memrefs
    to a call to `memrefCopy` from MLIR's C runner library, which a compiled
    model must not need: the object may depend on libc and libm only.
    Rewriting every copy as `linalg.copy` lets `convert-linalg-to-loops`
    produce plain loops (LLVM turns contiguous ones back into `memcpy`).

    Example: `memref.copy %a, %b : memref<2x3xf32, strided<[8, 1]>> to
    memref<2x3xf32>` becomes `linalg.copy ins(%a : ...) outs(%b : ...)`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def QTStaticWorkspace : Pass<"qt-static-workspace", "::mlir::ModuleOp"> {
  let summary = "Give statically shaped temporaries static, per-thread storage, shared where their lifetimes allow";
  let description = [{
    Runs after bufferization, before buffer deallocation. Every
    `memref.alloc` of a static shape directly in a function body becomes a
    `memref.view` of one of the function's uninitialized workspace globals
    (slots) `__qt_workspace_<function>_<n>` (i8, 64-byte aligned or more).
    Temporaries share a slot only when no operation of the function body
    uses both: a temporary lives from its allocation to the last operation
    that uses it or any memref derived from it (every memref result of an
    operation using it counts as derived). In order of first use, each
    temporary takes the smallest free slot that holds it, else the largest
    free one (grown), else a new one; a slot is as large as its largest
    member. Temporaries of elements that are not whole bytes (i1) keep a
    global of their own. `qt-thread-local-workspace` later makes the
    globals thread-local, so entry points stay reentrant across threads.

    Why: a model's temporaries are the same every call, and malloc/free of
    buffers above glibc's mmap threshold (128 KiB) returns their pages to
    the system on every call, so each call page-faults them in again. With
    static storage the object's `.tbss` holds them once per thread; with
    slots, a few activations' worth instead of all of them (PP-OCRv4 det
    int8 at batch 8: 436 MB before, 107 MB with slots), and a layer writes
    into memory earlier layers left in the caches. Slots rather than
    offsets into one arena: temporaries live at the same time are in
    different globals, which LLVM's alias analysis tells apart (with one
    arena, loops such as a softmax's were no longer vectorized).

    Example: `%0 = memref.alloc() : memref<256x1024xi8>` becomes
    `%0 = memref.view %slot[%c0][] : memref<262144xi8> to memref<256x1024xi8>`
    with `%slot = memref.get_global @__qt_workspace_main_0`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def QTThreadLocalWorkspace
    : Pass<"qt-thread-local-workspace", "::mlir::ModuleOp"> {
  let summary = "Make the workspace globals of qt-static-workspace thread-local";
  let description = [{
    Runs on the LLVM dialect: every `llvm.mlir.global` named
    `__qt_workspace_*` gets `thread_local`, so that each thread calling the
    model has its own temporaries.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def QTExpandBFloat16 : Pass<"qt-expand-bf16"> {
  let summary = "Convert between f32 and bf16 with integer arithmetic";
  let description = [{
    `arith.extf` / `arith.truncf` between f32 and bf16 become integer
    shifts and the round-to-nearest-even bias (upstream's
    `populateExpandBFloat16Patterns`). LLVM would otherwise call
    `__truncsfbf2` on CPUs without AVX512-BF16, which Debian 12's libgcc
    lacks, and an object of a kernel variant must run on every CPU of that
    variant, with the same result.

    Example: `arith.truncf %x : f32 to bf16` becomes a bitcast to i32, the
    rounding bias add, a shift right by 16 and a truncation to i16 (NaN kept
    quiet).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def QTBf16MemoryAsInteger : Pass<"qt-bf16-memory-as-integer"> {
  let summary = "Load and store bf16 values as the i16 they are made of";
  let description = [{
    Runs on the LLVM dialect, after `qt-expand-bf16` has made every bf16
    conversion integer arithmetic: an `llvm.store` of `llvm.bitcast %i :
    i16 to bf16` (scalar or vector) stores `%i`, and an `llvm.load` of bf16
    whose only uses are bitcasts to i16 loads i16. The bytes in memory are
    the same; LLVM's x86 backend no longer sees bf16 vectors, which it
    splits lane by lane on CPUs without AVX512-BF16 (a vectorized cast
    loop stored one bf16 at a time).

    Example: `%b = llvm.bitcast %t : vector<8xi16> to vector<8xbf16>;
    llvm.store %b, %p` becomes `llvm.store %t, %p`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def QTFuseElementwise : Pass<"qt-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops where no value is computed twice";
  let description = [{
    Upstream's `linalg-fuse-elementwise-ops` (elementwise fusion, reshape
    folding by expansion, canonicalization, constant folding), with one
    more condition: a producer is fused into a consumer only if the
    consumer reads each of its values once (the operand's indexing map is a
    permutation). Upstream fuses a single-use producer into any consumer;
    into an im2col gather, whose map reads each input value KH x KW times,
    that recomputes the producer (a quantize, say) for every read: it made
    the int8 LeNet several times slower.

    Example: `quantize(x)` followed by an im2col `linalg.generic` that reads
    `x[n, oh + kh, ow + kw, c]` stays two ops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QTExpandExp : Pass<"qt-expand-exp", "::mlir::ModuleOp"> {
  let summary = "Compute float32 exp with glibc's expf algorithm in plain arithmetic";
  let description = [{
    Every `math.exp` on f32 becomes the arithmetic of glibc 2.36's `expf`
    as its FMA build computes it (sysdeps/ieee754/flt-32/e_expf.c): in
    double precision, `x · 32 / ln 2 = k + r`, `2^(k/32)` from a 32-entry
    table (the private constant global `__qt_expf_table`) and the exponent
    bits of `k`, times a cubic in `r` evaluated with three `math.fma`; then
    rounded to f32, with +inf above 88.72284, +0 below −103.97208 and NaN
    quieted. The result has the bits of the C library's `expf` on x86-64
    CPUs with FMA (all 2^32 inputs, `test/Integration/Float/expf.test`), so
    docs/numerics.md's "the C library's expf" still holds; but a loop of it
    vectorizes (a gather from the table), where a call stays one per element
    (PP-OCRv4 rec's 40 × 6,625-class softmax: 7% of its time in `expf`).
    Targets without FMA (the `portable` variant) call libm's `fma`.

    Example: `%y = math.exp %x : f32` becomes `arith.extf`, `arith.mulf`,
    `arith.addf` / `arith.subf` of 1.5 · 2^52, a `memref.load` of the
    table, `math.fma` × 4, `arith.truncf` and three `arith.select`s.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect"];
}

def QTFuseMultiplyAdd : Pass<"qt-fuse-multiply-add"> {
  let summary = "Float contractions and convolutions accumulate with fused multiply-add";
  let description = [{
    A float linalg op with reduction loops (matmul, batch matmul,
    convolutions, depthwise convolutions, generic reductions) whose body
    yields `acc + a * b`, `acc` its output's value, yields `math.fma(a, b,
    acc)` instead; named ops are generalized first. One rounding per step
    instead of two and one instruction instead of two; the float vector
    kernels (`convert-tosa-float-to-kernels`) use the same fused operation
    in the same order, so they and the loops still give the same bits
    (docs/numerics.md). Targets without an FMA instruction (x86-64 before
    x86-64-v3: the `portable` variant) compute it with libm's `fmaf`.

    Example: `linalg.matmul` becomes a `linalg.generic` whose body is
    `%r = math.fma %a, %b, %acc : f32; linalg.yield %r`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect"];
}

def QTRaiseLinalgContractions : Pass<"qt-raise-linalg-contractions"> {
  let summary = "linalg contractions with constant weights as TOSA, for quantization and pruning";
  let description = [{
    Rewrites the linalg contractions that torch-mlir and other MLIR front
    ends emit, with constant float32 weights and a zero-filled accumulator,
    as the TOSA ops the quantizer, the pruner and the float kernels take:
    `linalg.matmul` ([M,K] x constant [K,N]) and a one-batch
    `linalg.batch_matmul` become `tosa.matmul` (with reshapes),
    `linalg.matvec` (constant matrix) a `tosa.matmul` by its transpose,
    `linalg.conv_2d_nhwc_hwcf` a `tosa.conv2d` (filter as OHWI, a zero
    `tensor.pad` of H and W taken as its padding) and
    `linalg.depthwise_conv_2d_nhwc_hwc` a `tosa.depthwise_conv2d`.
    Element-wise `linalg.generic` epilogues become `tosa.add` (a constant
    bias of the output's shape or along its last axis) and `tosa.clamp`
    (ReLU: max with 0, ReLU6: then min with a constant), placed before the
    reshape after a raised matmul so that the quantizer fuses them. A
    `qt.range` on a replaced op moves to the ops that produce its value.
    `--quantize-int8` runs it first; `--qt-prune` applies the same patterns.
    Other linalg ops (NCHW convolutions, transposed operands, batches of
    more than one) stay, and the quantizer and pruner warn about them.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def QTPrepareContractions : Pass<"qt-prepare-contractions"> {
  let summary = "Float TOSA contractions in the forms the quantizer and kernels take";
  let description = [{
    Rewrites a float TOSA model before it is calibrated, quantized or given
    to the float kernels:
    - `tosa.transpose_conv2d` becomes a `tosa.conv2d` (upstream's
      decomposition: for stride s, a convolution into s x s times the
      channels and a depth-to-space reshape / transpose), its weights
      folded into constants;
    - a `tosa.add` or `tosa.mul` of a float32 `tosa.conv2d` or
      `tosa.depthwise_conv2d` (its only user) by a constant with one value
      per output channel (or one value) is folded into the convolution's
      bias (add) or weights and bias (mul): the BatchNormalization after a
      ConvTranspose, or a separate bias Add, that exporters such as
      Paddle2ONNX leave. The folded convolution takes over the replaced
      op's `qt.range`. Weights that carry `qt.weight_scales` (a
      pre-quantized model's) are not rescaled.
    Without it a transposed convolution stays float in an int8 model (and
    runs on loops), with a dequantize and a quantize around it.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def QTOutlineParallelLoops
    : Pass<"qt-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Split large parallel loop nests across the object's threads";
  let description = [{
    Runs on loops over memrefs (after bufferization and
    `convert-linalg-to-parallel-loops`, before `convert-scf-to-cf`). A loop
    whose iterations are independent -- an `scf.parallel` without
    reductions, or an `scf.for` a kernel marked `qt.parallel` -- and whose
    estimated work is at least `min-work` becomes

      func.call @__qopt_launch.<body>(%n, %captured...)

    where `<body>` is a new private function running iterations
    `[begin, end)` of the loop, and `%n` its trip count. Values the body
    uses from above are passed to it (constants and constant globals are
    cloned instead); a loop that would capture a memref without a static
    shape and identity layout stays as it is. Work counts the operations
    executed (a loop's body once per iteration; a vector load or store one
    per 16 bytes it moves, so copies weigh what their bytes do). Of a nest,
    the outermost loop with at least `min-trip` iterations is split (so that
    every thread gets a share), or the outermost one if no inner loop is
    marked and large enough by itself.
    `qt-lower-parallel-launches` turns the launch into a call of the thread
    pool after conversion to LLVM.

    Thread count never changes a result: iterations write disjoint outputs
    and no reduction is split.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"500000",
           "Smallest estimated work (operations executed) worth splitting">,
    Option<"minTrip", "min-trip", "int64_t", /*default=*/"16",
           "Prefer an inner loop when the outer one has fewer iterations">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def QTLowerParallelLaunches
    : Pass<"qt-lower-parallel-launches", "::mlir::ModuleOp"> {
  let summary = "Call the thread pool for each launch of qt-outline-parallel-loops";
  let description = [{
    Runs on the LLVM dialect. Each call `@__qopt_launch.<body>(n, args...)`
    becomes: the arguments stored in a struct on the caller's stack, a
    trampoline `@__qopt_trampoline.<body>(ctx, begin, end)` that loads them
    and calls `<body>(begin, end, args...)`, and

      llvm.call @qopt_rt_parallel_for(@__qopt_trampoline.<body>, ctx, n)

    which the object's runtime (lib/Target/Runtime/ThreadPool.c) runs on its
    threads.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // QOPT_TRANSFORMS_PASSES_TD
