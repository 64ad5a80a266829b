#!/usr/bin/env python3
"""Bit-exactness of the float32 vector kernels: random float matmuls and
convolutions with pruned weights (and depthwise convolutions), compiled by `qopt --lower-to-llvm` onto
the block-sparse kernel (sparse-weights=sparse), the dense vector kernel
(sparse-weights=dense) and the linalg loops (sparse-weights=dense
float-kernels=false), run on the same random inputs; every output of both
kernels must be bit-identical to the loops', and within 1e-4 of NumPy's
float64.

  /usr/bin/python3 scripts/float-sparse-check.py [--count N] [--seed S]
      [--sparsity S] [--paths avx512,avx2,neon] [--bf16]

With --bf16 the same models are compiled with --quantize-bf16 (bf16 weights
and activations, float32 accumulation): the kernels run on the input widened
to float32 (bit-identical to the loops), and the amx path (kernels=amx,
every layer of 2+ rows on AMX-BF16 tiles) on tdpbf16ps, which sums a tile's
products in its own order: within one bf16 step (1/128) of the loops, plus
2^-20 of the output's sum of |terms| where they cancel.
NumPy's reference then takes bf16-rounded operands and a tolerance of 1e-2.

Weights are pruned in random block shapes (16x1, 16x4, 4x1, single
weights, whole output channels; some cases entirely zero). x86 paths run
natively, neon under qemu-aarch64. Prints a line per path and
"N passed, N failed" (paths) last; exits 1 on any mismatch.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("QOPT_BUILD_DIR", os.path.join(ROOT, "build")), "bin")
PATHS = {
    "amx": ([], "cc", []),  # kernels=amx amx-small-layers=1, below
    "avx512": (["--mcpu=x86-64-v4", "--mattr=+avx512vnni"], "cc", []),
    "avx2": (["--mcpu=x86-64-v3"], "cc", []),
    "neon": (["--target=aarch64-linux-gnu", "--mcpu=cortex-a76"], "aarch64-linux-gnu-gcc",
             ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", "-cpu", "cortex-a76"]),
}


def identity(a):
    return a


# How the models' operands are rounded (identity, or round_bf16 with --bf16).
Q = identity


def round_bf16(a):
    """float32 values rounded to bf16 (nearest even), as float32."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return u.astype(np.uint32).view(np.float32)


def prune(rng, w, sparsity):
    """Zeroes blocks of w ([outputs, reduction]) with probability sparsity."""
    if rng.random() < 0.05:
        return np.zeros_like(w)
    rows, cols = [(16, 1), (16, 4), (4, 1), (1, 1), (1, w.shape[1])][rng.integers(5)]
    w = w.copy()
    for r in range(0, w.shape[0], rows):
        for c in range(0, w.shape[1], cols):
            if rng.random() < sparsity:
                w[r:r + rows, c:c + cols] = 0
    return w


def hexdata(a):
    return '"0x' + np.ascontiguousarray(a, dtype=np.float32).tobytes().hex().upper() + '"'


def shape(dims):
    return "x".join(map(str, dims)) + "xf32"


def conv_geometry(rng):
    """Kernel, strides, dilations and pads for which TOSA's division is exact."""
    while True:
        nb, h, wd = int(rng.integers(1, 3)), int(rng.integers(3, 10)), int(rng.integers(3, 10))
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        st = [int(rng.integers(1, 3)) for _ in range(2)]
        dl = [int(rng.integers(1, 3)) for _ in range(2)]
        pd = [int(rng.integers(0, 2)) for _ in range(4)]
        eh = h - 1 + pd[0] + pd[1] - (kh - 1) * dl[0]
        ew = wd - 1 + pd[2] + pd[3] - (kw - 1) * dl[1]
        if eh >= 0 and ew >= 0 and eh % st[0] == 0 and ew % st[1] == 0:
            return nb, h, wd, kh, kw, st, dl, pd, eh // st[0] + 1, ew // st[1] + 1


def windowed(op, x, wt, bias, geometry, tap, zp):
    """The body of a TOSA conv2d / depthwise_conv2d case on x with weights wt
    and NumPy's float64 result, `tap(patch, kh, kw)` giving one tap's share."""
    nb, h, wd, kh, kw, st, dl, pd, oh, ow = geometry
    f = bias.size
    body = (f'  %w = "tosa.const"() <{{values = dense<{hexdata(wt)}> : tensor<{shape(wt.shape)}>}}>'
            f' : () -> tensor<{shape(wt.shape)}>\n'
            f'  %b = "tosa.const"() <{{values = dense<{hexdata(bias)}> : tensor<{f}xf32>}}>'
            f' : () -> tensor<{f}xf32>\n' + zp +
            f"  %y = {op} %x, %w, %b, %zp, %zp {{acc_type = f32, "
            f"dilation = array<i64: {dl[0]}, {dl[1]}>, pad = array<i64: {pd[0]}, {pd[1]}, {pd[2]}, {pd[3]}>, "
            f"stride = array<i64: {st[0]}, {st[1]}>}} : (tensor<{shape(x.shape)}>, "
            f"tensor<{shape(wt.shape)}>, tensor<{f}xf32>, tensor<1xf32>, tensor<1xf32>) "
            f"-> tensor<{shape((nb, oh, ow, f))}>\n")
    xp = np.pad(Q(x).astype(np.float64), ((0, 0), (pd[0], pd[1]), (pd[2], pd[3]), (0, 0)))
    y = np.zeros((nb, oh, ow, f)) + Q(bias)
    for a in range(kh):
        for bb in range(kw):
            y += tap(xp[:, a * dl[0]: a * dl[0] + st[0] * (oh - 1) + 1: st[0],
                        bb * dl[1]: bb * dl[1] + st[1] * (ow - 1) + 1: st[1], :], a, bb)
    return body, Q(y)  # a bf16 convolution's result is rounded


def make_case(rng, i, sparsity, large=False):
    """Returns (mlir function, input, expected output, magnitude) of one
    case, the magnitude being each output's sum of |terms| (what bounds the
    rounding error of a sum in another order); `large`: a convolution whose
    batch's im2col rows exceed the kernels' 64 MiB (run image by image)."""
    zp = '  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>\n'
    if large:
        geometry = (3, 114, 114, 3, 3, [1, 1], [1, 1], [0, 0, 0, 0], 112, 112)
        bias = rng.standard_normal(8).astype(np.float32)
        x = rng.standard_normal((3, 114, 114, 64)).astype(np.float32)
        wt = rng.standard_normal((8, 3, 3, 64)).astype(np.float32)
        wq = Q(wt)
        body, y = windowed("tosa.conv2d", x, wt, bias, geometry,
                           lambda patch, a, b: patch @ wq[:, a, b, :].astype(np.float64).T, zp)
        _, mag = windowed("tosa.conv2d", np.abs(x), wt, np.abs(bias), geometry,
                          lambda patch, a, b: patch @ np.abs(wq[:, a, b, :]).astype(np.float64).T,
                          zp)
    elif rng.random() < 0.5:
        m, k, n = int(rng.integers(1, 10)), int(rng.integers(1, 71)), int(rng.integers(1, 71))
        if rng.random() < 0.2:  # rows in several chunks of the dense kernel
            m, k = int(rng.integers(70, 200)), int(rng.integers(700, 1100))
        w = prune(rng, rng.standard_normal((n, k)).astype(np.float32), sparsity)
        x = rng.standard_normal((1, m, k)).astype(np.float32)
        b = w.T.reshape(1, k, n)
        body = (f'  %w = "tosa.const"() <{{values = dense<{hexdata(b)}> : tensor<{shape(b.shape)}>}}>'
                f' : () -> tensor<{shape(b.shape)}>\n' + zp +
                f"  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<{shape(x.shape)}>, "
                f"tensor<{shape(b.shape)}>, tensor<1xf32>, tensor<1xf32>) -> tensor<{shape((1, m, n))}>\n")
        y = (Q(x).astype(np.float64) @ Q(b).astype(np.float64))
        mag = np.abs(Q(x)).astype(np.float64) @ np.abs(Q(b)).astype(np.float64)
    else:
        geometry = conv_geometry(rng)
        nb, h, wd, kh, kw = geometry[:5]
        bias = rng.standard_normal(int(rng.integers(1, 41))).astype(np.float32)
        depthwise = rng.random() < 0.4  # multiplier 1: no sparse form
        c = bias.size if depthwise else int(rng.integers(1, 9))
        x = rng.standard_normal((nb, h, wd, c)).astype(np.float32)
        if depthwise:
            wt = rng.standard_normal((kh, kw, c, 1)).astype(np.float32)
            wq = Q(wt)
            body, y = windowed("tosa.depthwise_conv2d", x, wt, bias, geometry,
                               lambda patch, a, b: patch * wq[a, b, :, 0], zp)
            _, mag = windowed("tosa.depthwise_conv2d", np.abs(x), wt, np.abs(bias), geometry,
                              lambda patch, a, b: patch * np.abs(wq[a, b, :, 0]), zp)
        else:
            wt = prune(rng, rng.standard_normal((bias.size, kh * kw * c)).astype(np.float32),
                       sparsity).reshape(bias.size, kh, kw, c)
            wq = Q(wt)
            body, y = windowed("tosa.conv2d", x, wt, bias, geometry,
                               lambda patch, a, b: patch @ wq[:, a, b, :].astype(np.float64).T, zp)
            _, mag = windowed("tosa.conv2d", np.abs(x), wt, np.abs(bias), geometry,
                              lambda patch, a, b: patch @ np.abs(wq[:, a, b, :]).astype(np.float64).T,
                              zp)
    out_shape = y.shape
    fn = (f"func.func @case{i}(%x: tensor<{shape(x.shape)}>) -> tensor<{shape(out_shape)}> {{\n"
          + body + f"  return %y : tensor<{shape(out_shape)}>\n}}\n\n")
    return fn, x, y, mag


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sparsity", type=float, default=0.7)
    parser.add_argument("--paths", default="avx512,avx2,neon")
    parser.add_argument("--large", action="store_true",
                        help="add a 3-image convolution with 87 MB of im2col rows")
    parser.add_argument("--bf16", action="store_true",
                        help="compile with --quantize-bf16 (the amx path: AMX-BF16 tiles)")
    args = parser.parse_args()
    global Q
    if args.bf16:
        Q = round_bf16
    tolerance = 1e-2 if args.bf16 else 1e-4
    precision = ["--quantize-bf16"] if args.bf16 else []
    rng = np.random.default_rng(args.seed)
    cases = [make_case(rng, i, args.sparsity) for i in range(args.count)]
    if args.large:
        cases.append(make_case(rng, len(cases), args.sparsity, large=True))
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "cases.mlir"), "w") as f:
            f.write("".join(c[0] for c in cases))
        with open(os.path.join(tmp, "inputs.bin"), "wb") as f:
            for _, x, _, _ in cases:
                f.write(x.astype(np.float32).tobytes())
        harness = ['#include "cases.h"', "#include <stdio.h>", "#include <stdlib.h>",
                   "int main(int argc, char **argv) {",
                   '  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");',
                   "  if (!in || !out) return 2;"]
        for i, (_, x, y, _) in enumerate(cases):
            harness += [
                "  { float *x = malloc(%d), *y = malloc(%d);" % (4 * x.size, 4 * y.size),
                "    if (fread(x, 4, %d, in) != %d || cases_case%d(x, y)) return 3;"
                % (x.size, x.size, i),
                "    fwrite(y, 4, %d, out); free(x); free(y); }" % y.size]
        harness += ["  fclose(out); return 0;", "}"]
        with open(os.path.join(tmp, "harness.c"), "w") as f:
            f.write("\n".join(harness) + "\n")
        for path in args.paths.split(","):
            flags, cc, runner = PATHS[path]
            outputs = {}
            modes = {"sparse": "sparse-weights=sparse", "dense": "sparse-weights=dense",
                     "loops": "sparse-weights=dense float-kernels=false"}
            if path == "amx":
                modes = {mode: "kernels=amx amx-small-layers=1 " + option
                         for mode, option in modes.items()}
            for mode, option in modes.items():
                d = os.path.join(tmp, path + "-" + mode)
                os.makedirs(d)
                subprocess.run([os.path.join(BIN, "qopt")] + precision + ["--lower-to-llvm=" + option]
                               + flags + [os.path.join(tmp, "cases.mlir"), "-o",
                                          os.path.join(d, "cases.o")], check=True)
                subprocess.run([cc, "-I" + d, os.path.join(tmp, "harness.c"),
                                os.path.join(d, "cases.o"), "-lm", "-o", os.path.join(d, "run")],
                               check=True)
                subprocess.run(runner + [os.path.join(d, "run"), os.path.join(tmp, "inputs.bin"),
                                         os.path.join(d, "out.bin")], check=True)
                outputs[mode] = np.fromfile(os.path.join(d, "out.bin"), dtype=np.uint32)
            mismatches = 0
            offset = 0
            for fn, _, y, mag in cases:
                s = outputs["sparse"][offset:offset + y.size]
                dn = outputs["dense"][offset:offset + y.size]
                loops = outputs["loops"][offset:offset + y.size]
                close = np.allclose(loops.view(np.float32), y.ravel(), rtol=tolerance,
                                    atol=tolerance)
                if args.bf16 and path == "amx":
                    # tdpbf16ps adds a tile's products in an order of its
                    # own (docs/numerics.md): within one bf16 step of the
                    # loops, not their bits; where the terms cancel, the
                    # float32 rounding of the other order (2^-20 of the sum
                    # of |terms|) may move the result more than a step.
                    lv = loops.view(np.float32)
                    bound = np.abs(lv) / 128 + mag.ravel() * 2.0 ** -20 + 1e-6
                    same = lambda a: np.all(np.abs(a.view(np.float32) - lv) <= bound)
                else:
                    same = lambda a: np.array_equal(a, loops)
                bad = not same(s) or not same(dn) or not close
                if bad and os.environ.get("QOPT_CHECK_VERBOSE"):
                    print("  %s: sparse %s, dense %s, NumPy %s" % (
                        fn.split("(")[0], same(s), same(dn), close))
                mismatches += int(bad)
                offset += y.size
            print("%s-%s %d cases, %d mismatches" % ("bf16" if args.bf16 else "float32", path,
                                                      len(cases), mismatches))
            if mismatches:
                failed += 1
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
