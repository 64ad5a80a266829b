#!/usr/bin/env python3
"""int8 GEMM, one thread: qopt's generated kernel against the CPU's peak and
against the peers people would otherwise use, all measured in one run.

  /usr/bin/python3 bench/gemm.py [--docs docs/performance.md] [--shapes M,N,K;...]

Measures, in this order for every shape (best of 3 timings of >= 0.2 s each):
- the peak of every int8 dot-product unit the core has, measured on the
  instruction itself (bench/peak.c: vpdpbusd zmm / ymm, vpmaddwd ymm, AMX
  tdpbssd where present); each shape's "% of peak" is against the unit of
  the kernel variant that ran (the object says which);
- qopt: qt.fully_connected y[M,N] = x[M,K] W[N,K]^T with per-column
  requantization to int8, compiled by `qopt --lower-to-llvm` for the host
  and called through its C header;
- oneDNN 2.6 (libdnnl-dev): matmul u8 x s8 -> s8 with per-column output
  scales, weights in its preferred layout, OMP_NUM_THREADS=1;
  its float32 matmul for reference;
- ONNX Runtime 1.30 (npm onnxruntime-node, bench/peers): QLinearMatMul,
  u8 x s8 per-column -> u8, one intra-op thread, minus the per-call
  overhead of a trivial model with the same input and output, measured in
  the same run.
Prints a Markdown table; with --docs replaces the table between the
`<!-- gemm:begin -->` / `<!-- gemm:end -->` markers of that file.
Needs: a built qopt, clang-22, libdnnl-dev, python3-onnx, node and
`npm ci` in bench/peers (scripts/install-deps.sh --bench does all of it).
"""
import argparse
import datetime
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUILD, PEERS, ROOT, cpu_model, replace_marked, run  # noqa: E402

# The unit whose peak a kernel variant's GEMM is held against.
VARIANT_UNIT = {"avx512-vnni": "vpdpbusd-zmm", "avx-vnni": "vpdpbusd-ymm",
                "avx2": "vpmaddwd-ymm", "amx": "tdpbssd"}


SHAPES = [(1024, 1024, 1024)] + [(m, n, n) for n in (1024, 4096) for m in (1, 4, 16, 256)]



def qopt_gemm_mlir(m, n, k):
    import numpy as np
    rng = np.random.default_rng(0)
    w = rng.integers(-127, 128, size=(n, k), dtype=np.int8).tobytes().hex()
    b = rng.integers(-1000, 1000, size=n, dtype=np.int32).tobytes().hex()
    scales = ", ".join("%g" % (0.0001 * (1 + j % 7)) for j in range(n))
    wt = f"tensor<{n}x{k}x!quant.uniform<i8:f32:0, {{{scales}}}>>"
    xt = f"tensor<{m}x{k}x!quant.uniform<i8:f32, 0.01:3>>"
    yt = f"tensor<{m}x{n}x!quant.uniform<i8:f32, 0.5:-1>>"
    return f"""func.func @main(%x: tensor<{m}x{k}xi8>) -> tensor<{m}x{n}xi8> {{
  %xq = quant.scast %x : tensor<{m}x{k}xi8> to {xt}
  %wi = arith.constant dense<"0x{w}"> : tensor<{n}x{k}xi8>
  %w = quant.scast %wi : tensor<{n}x{k}xi8> to {wt}
  %b = arith.constant dense<"0x{b}"> : tensor<{n}xi32>
  %y = qt.fully_connected %xq, %w, %b : {xt}, {wt}, tensor<{n}xi32> -> {yt}
  %r = quant.scast %y : {yt} to tensor<{m}x{n}xi8>
  return %r : tensor<{m}x{n}xi8>
}}
"""


TIMER_C = r"""
#include "gemm.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
  fprintf(stderr, "%s\n", gemm_kernel_variant());
  int8_t *x = malloc((long)GEMM_MAIN_INPUT0_SIZE), *y = malloc((long)GEMM_MAIN_OUTPUT0_SIZE);
  for (long i = 0; i < (long)GEMM_MAIN_INPUT0_SIZE; ++i) x[i] = (int8_t)(i * 7);
  gemm_main(x, y);
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    long iters = 1; double t;
    for (;;) { t = now(); for (long i = 0; i < iters; ++i) gemm_main(x, y); t = now() - t;
               if (t > 0.2) break; iters *= 2; }
    if (iters / t > best) best = iters / t;
  }
  printf("%.9g\n", best);
  return 0;
}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Markdown file whose gemm table to replace")
    parser.add_argument("--shapes", help="M,N,K;M,N,K;... (default: the issue's 9 shapes)")
    args = parser.parse_args()
    shapes = SHAPES
    if args.shapes:
        shapes = [tuple(map(int, s.split(","))) for s in args.shapes.split(";")]
    qopt = os.path.join(BUILD, "bin", "qopt")
    with tempfile.TemporaryDirectory() as tmp:
        run(["clang-22", "-O2", os.path.join(ROOT, "bench", "peak.c"), "-o",
             os.path.join(tmp, "peak")])
        run(["g++", "-O2", os.path.join(PEERS, "onednn_matmul.cpp"), "-ldnnl",
             "-o", os.path.join(tmp, "onednn")])
        peaks = {}
        for line in run([os.path.join(tmp, "peak")]).splitlines():
            unit, gops = line.split()
            peaks[unit] = float(gops)
        print("%s; measured peaks (int8 GOPS): %s" % (
            cpu_model(), ", ".join("%s %.0f" % kv for kv in peaks.items())), flush=True)
        variant = None
        rows = []
        for m, n, k in shapes:
            ops = 2.0 * m * n * k
            d = os.path.join(tmp, "%dx%dx%d" % (m, n, k))
            os.makedirs(d)
            with open(os.path.join(d, "gemm.mlir"), "w") as f:
                f.write(qopt_gemm_mlir(m, n, k))
            run([qopt, "--lower-to-llvm", os.path.join(d, "gemm.mlir"), "-o",
                 os.path.join(d, "gemm.o")])
            with open(os.path.join(d, "timer.c"), "w") as f:
                f.write(TIMER_C)
            run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), os.path.join(d, "gemm.o"),
                 "-o", os.path.join(d, "timer")])
            variant = subprocess.run([os.path.join(d, "timer")], capture_output=True,
                                     text=True, env=dict(os.environ, QOPT_KERNELS="")).stderr.strip()
            peak = peaks.get(VARIANT_UNIT.get(variant, ""), float("nan"))
            run(["/usr/bin/python3", os.path.join(PEERS, "make_qlinear_matmul.py"),
                 str(m), str(n), str(k), os.path.join(d, "mm.onnx"), os.path.join(d, "triv.onnx")])
            ort_node = ["node", os.path.join(PEERS, "ort_run.js")]
            # Interleaved, so that a slow phase of the machine hits every peer.
            best = {"qopt": 0.0, "onednn": 0.0, "onednn_f32": 0.0, "ort": 0.0}
            for _ in range(2):
                best["qopt"] = max(best["qopt"], ops * float(run([os.path.join(d, "timer")])) / 1e9)
                i8, f32 = map(float, run([os.path.join(tmp, "onednn"), str(m), str(n), str(k)]).split())
                best["onednn"] = max(best["onednn"], i8)
                best["onednn_f32"] = max(best["onednn_f32"], f32)
                t_mm = float(run(ort_node + [os.path.join(d, "mm.onnx")]))
                t_triv = float(run(ort_node + [os.path.join(d, "triv.onnx")]))
                best["ort"] = max(best["ort"], ops / max(t_mm - t_triv, 1e-9) / 1e9)
            row = dict(m=m, n=n, k=k, variant=variant, peak=peak, **best)
            rows.append(row)
            print("%5d x %5d x %5d: qopt (%s) %6.1f GOPS (%3.0f%% of peak), oneDNN %6.1f (%.2fx), "
                  "ORT %6.1f (%.2fx), oneDNN f32 %6.1f GFLOPS"
                  % (m, n, k, variant, row["qopt"], 100 * row["qopt"] / peak, row["onednn"],
                     row["qopt"] / row["onednn"], row["ort"], row["qopt"] / row["ort"],
                     row["onednn_f32"]), flush=True)
    table = [
        "Measured %s by `/usr/bin/python3 bench/gemm.py --docs docs/performance.md`, one thread, on"
        % datetime.date.today().isoformat(),
        "%s. Peaks measured on the instructions in the same run (int8 GOPS): %s. "
        "\"%% of peak\" is against the unit of the kernel variant that ran."
        % (cpu_model(), ", ".join("`%s` %.0f" % kv for kv in peaks.items())),
        "",
        "| M | N | K | kernel variant | qopt GOPS | % of peak | oneDNN u8s8 GOPS | qopt / oneDNN "
        "| ORT QLinearMatMul GOPS | qopt / ORT | oneDNN f32 GFLOPS |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        table.append("| %d | %d | %d | %s | %.1f | %.0f%% | %.1f | %.2f× | %.1f | %.2f× | %.1f |" % (
            r["m"], r["n"], r["k"], r["variant"], r["qopt"], 100 * r["qopt"] / r["peak"], r["onednn"],
            r["qopt"] / r["onednn"], r["ort"], r["qopt"] / r["ort"], r["onednn_f32"]))
    print("\n".join(table))
    if args.docs:
        replace_marked(args.docs, "gemm", table)


if __name__ == "__main__":
    main()
